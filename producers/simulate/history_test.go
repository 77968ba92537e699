package simulate

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

type historySink struct {
	mu  sync.Mutex
	evs []schemas.Event
}

func (c *historySink) Publish(_ context.Context, evs ...schemas.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evs = append(c.evs, evs...)
	return nil
}

func TestHistory_RealisticAndDeterministic(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cfg := HistoryConfig{Events: 60000, Seed: 3, End: end, Days: 120}
	var c historySink
	st, err := NewHistory(cfg).Run(context.Background(), &c, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events < 60000 || st.Events != int64(len(c.evs)) {
		t.Fatalf("stats %+v, %d events published", st, len(c.evs))
	}
	types := map[schemas.EventType]int{}
	ids := map[string]bool{}
	channels := map[string]bool{}
	jobs := map[string]bool{}
	last := map[string]time.Time{}
	for _, ev := range c.evs {
		if ids[ev.ID] {
			continue // a redelivery comes later than the original, on purpose
		}
		types[ev.Type]++
		ids[ev.ID] = true
		if ev.OccurredAt.After(end) || ev.OccurredAt.Before(end.AddDate(0, 0, -121)) {
			t.Fatalf("event %s at %s is outside the window", ev.ID, ev.OccurredAt)
		}
		if p, ok := ev.Payload.(*schemas.ApplicationEvent); ok && p.SourceChannel != "" {
			channels[p.SourceChannel] = true
		}
		jobs[ev.JobID] = true
		if ev.ApplicationID != "" {
			if ev.OccurredAt.Before(last[ev.ApplicationID]) {
				t.Fatalf("application %s: events out of time order", ev.ApplicationID)
			}
			last[ev.ApplicationID] = ev.OccurredAt
		}
	}
	for _, typ := range []schemas.EventType{schemas.TypeApplicationReceived, schemas.TypeStageChanged, schemas.TypeRejected,
		schemas.TypeUnrejected, schemas.TypeCandidateHired, schemas.TypeOfferCreated, schemas.TypeOfferAccepted, schemas.TypeOfferDeclined,
		schemas.TypeOfferDeleted, schemas.TypeCandidateMerged, schemas.TypeCandidateDeleted, schemas.TypeApplicationUpdated} {
		if types[typ] == 0 {
			t.Errorf("no %s events in %d", typ, len(c.evs))
		}
	}
	if dup := len(c.evs) - len(ids); dup == 0 || dup > len(c.evs)/50 {
		t.Errorf("%d duplicate deliveries of %d, want about 1%%", dup, len(c.evs))
	}
	if len(channels) < 8 || len(jobs) < 100 {
		t.Errorf("%d channels, %d jobs: not varied enough", len(channels), len(jobs))
	}
	hireRate := float64(types[schemas.TypeCandidateHired]) / float64(types[schemas.TypeApplicationReceived])
	if hireRate < 0.01 || hireRate > 0.15 {
		t.Errorf("hire rate %.3f is not realistic", hireRate)
	}
	var again historySink
	if _, err := NewHistory(cfg).Run(context.Background(), &again, 1, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.evs, c.evs) {
		t.Fatal("the same config gave different events")
	}
}
