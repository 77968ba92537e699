package streamtest_test

import (
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/stream/streamtest"
	"github.com/hirestream/hirestream/producers/greenhouse"
	"github.com/hirestream/hirestream/producers/simulate"
	"github.com/hirestream/hirestream/schemas"
)

// The Greenhouse normalizer is a processor like any other: it passes the contract suite over a
// synthetic funnel with redeliveries and swapped deliveries.
func TestContract_GreenhouseNormalizer(t *testing.T) {
	gen := simulate.New(simulate.Config{Seed: 11, Candidates: 150, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
		DuplicateRate: 0.05, OutOfOrderRate: 0.05})
	var raws []schemas.Event
	for d, ok := gen.Next(); ok; d, ok = gen.Next() {
		at := d.OccurredAt.UTC().Truncate(time.Millisecond)
		raws = append(raws, schemas.Event{ID: schemas.DeriveID("greenhouse", "delivery", d.EventID), Type: schemas.TypeDeliveryReceived,
			OccurredAt: at, RecordedAt: at, SourceSystem: "greenhouse", SourceEventID: d.EventID,
			Payload: &schemas.RawDelivery{Action: d.Action, Path: "/webhooks/greenhouse", Headers: map[string]string{"Greenhouse-Event-Id": d.EventID}, Body: d.Body}})
	}
	outs := streamtest.Run(t, greenhouse.NewNormalizer(greenhouse.Options{}), raws, streamtest.Options{})
	if len(outs) < len(raws)*8/10 {
		t.Fatalf("%d canonical events from %d deliveries", len(outs), len(raws))
	}
}
