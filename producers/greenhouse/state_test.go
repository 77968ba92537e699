package greenhouse

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// stageBody is a minimal application-shaped delivery for application appID of candidate
// 610033452 on job 4410087.
func stageBody(action string, appID, stageID int, stage string, lastActivity time.Time) []byte {
	return fmt.Appendf(nil, `{"action":%q,"payload":{"application":{"id":%d,"status":"active",`+
		`"applied_at":"2026-03-02T09:15:00Z","last_activity_at":%q,`+
		`"current_stage":{"id":%d,"name":%q,"interviews":[]},`+
		`"candidate":{"id":610033452,"first_name":"Zo\u00eb","last_name":"Ngata"},`+
		`"jobs":[{"id":4410087,"name":"Senior Backend Engineer (Go)",`+
		`"departments":[{"id":310,"name":"Platform Engineering"}],`+
		`"offices":[{"id":22,"name":"Berlin","location":"Berlin, Germany"}],`+
		`"hiring_team":{"hiring_managers":[{"user_id":5701,"employee_id":"E-0907"}]}}]}}}`,
		action, appID, lastActivity.Format(time.RFC3339), stageID, stage)
}

func day(d int, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }

func handleOne(t *testing.T, n *Normalizer, body []byte, eventID string) schemas.Event {
	t.Helper()
	evs, err := n.Handle(context.Background(), rawDelivery(body, eventID, recordedAt))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
	return evs[0]
}

func stageOf(ev schemas.Event) (from, fromID string, derived bool, to string) {
	p := ev.Payload.(*schemas.ApplicationEvent)
	if p.StageFrom != nil {
		from = *p.StageFrom
	}
	if p.StageTo != nil {
		to = *p.StageTo
	}
	return from, p.StageFromID, p.StageFromDerived, to
}

func TestNormalizer_StageFromSequence(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})

	received := handleOne(t, n, stageBody("new_candidate_application", 1, 10, "Application Review", day(2, 9)), "")
	if from, _, derived, to := stageOf(received); from != "" || derived || to != "Application Review" {
		t.Fatalf("received: from %q derived %v to %q", from, derived, to)
	}

	screen := handleOne(t, n, stageBody("candidate_stage_change", 1, 11, "Phone Screen", day(5, 10)), "")
	if from, fromID, derived, to := stageOf(screen); from != "Application Review" || fromID != "10" || !derived || to != "Phone Screen" {
		t.Fatalf("first change: %q (%s) derived=%v → %q", from, fromID, derived, to)
	}

	onsite := stageBody("candidate_stage_change", 1, 12, "Onsite", day(9, 16))
	got := handleOne(t, n, onsite, "")
	if from, _, _, to := stageOf(got); from != "Phone Screen" || to != "Onsite" {
		t.Fatalf("second change: %q → %q, want Phone Screen → Onsite", from, to)
	}
	// Re-handling a change (at-least-once) gives the same event, not "from" the stage it set.
	if again := handleOne(t, n, onsite, ""); !reflect.DeepEqual(again, got) {
		t.Fatalf("re-handled change differs:\n got %s\nwant %s", marshalEvents(t, []schemas.Event{again}), marshalEvents(t, []schemas.Event{got}))
	}

	// A retry of an older change arrives late (e.g. Greenhouse's 15 h retry): it is still
	// emitted, its from is the stage it really left, and it does not clobber the newer state.
	late := handleOne(t, n, stageBody("candidate_stage_change", 1, 13, "Take-home", day(7, 12)), "")
	if from, _, _, to := stageOf(late); from != "Phone Screen" || to != "Take-home" {
		t.Fatalf("late change: %q → %q, want Phone Screen → Take-home", from, to)
	}
	if !late.OccurredAt.Equal(day(7, 12)) {
		t.Fatalf("late change keeps its ATS time: %v", late.OccurredAt)
	}
	offer := handleOne(t, n, stageBody("candidate_stage_change", 1, 14, "Offer", day(12, 9)), "")
	if from, _, _, _ := stageOf(offer); from != "Onsite" {
		t.Fatalf("after the late event, from = %q, want Onsite (newest state not clobbered)", from)
	}

	// Re-handled after the late event, the change keeps its id; its from now reflects what is
	// known (Phone Screen on the 5th, Take-home on the 7th, Onsite on the 9th).
	again := handleOne(t, n, onsite, "")
	if from, _, _, _ := stageOf(again); again.ID != got.ID || from != "Take-home" {
		t.Fatalf("re-handled change: id %s (want %s), from %q (want Take-home)", again.ID, got.ID, from)
	}

	// An application_updated in the same stage does not make the stage its own predecessor.
	handleOne(t, n, stageBody("application_updated", 1, 14, "Offer", day(13, 9)), "")
	hired := handleOne(t, n, stageBody("candidate_stage_change", 1, 15, "Hired", day(14, 9)), "")
	if from, _, _, _ := stageOf(hired); from != "Offer" {
		t.Fatalf("from = %q, want Offer", from)
	}
}

func TestNormalizer_StageChangeWithoutHistory(t *testing.T) {
	t.Parallel()
	ev := handleOne(t, NewNormalizer(Options{}), stageBody("candidate_stage_change", 2, 11, "Phone Screen", day(5, 10)), "")
	p := ev.Payload.(*schemas.ApplicationEvent)
	if p.StageFrom != nil || p.StageFromID != "" || p.StageFromDerived {
		t.Fatalf("unknown previous stage must be nil and not derived: %+v", p)
	}
}

func TestNormalizer_OfferGetsCandidateAndJobFromApplication(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	handleOne(t, n, stageBody("new_candidate_application", 880014231, 10, "Application Review", day(2, 9)), "")
	offer := handleOne(t, n, mustRead(t, "offer_created"), "")
	if offer.CandidateID != "610033452" || offer.JobID != "4410087" || offer.ApplicationID != "880014231" {
		t.Fatalf("ids: candidate %q job %q application %q", offer.CandidateID, offer.JobID, offer.ApplicationID)
	}
	p := offer.Payload.(*schemas.ApplicationEvent)
	o := p.Offer
	if o.Title != "Senior Backend Engineer (Go)" || o.Department != "Platform Engineering" ||
		o.Location != "Berlin, Germany" || o.Manager != "5701" {
		t.Fatalf("offer job fields: %+v", o)
	}
	if p.Job == nil || p.Job.HiringManagerID != "5701" {
		t.Fatalf("offer job snapshot: %+v", p.Job)
	}

	// Without the application, the offer is still emitted, just without what only state knows.
	alone := handleOne(t, NewNormalizer(Options{}), mustRead(t, "offer_created"), "")
	if alone.CandidateID != "" || alone.JobID != "4410087" || alone.Payload.(*schemas.ApplicationEvent).Offer.Title != "" {
		t.Fatalf("offer without state: %+v", alone)
	}
}

func TestNormalizer_MergedCandidateFollowedForOffers(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	handleOne(t, n, stageBody("new_candidate_application", 880014231, 10, "Application Review", day(2, 9)), "")
	merge := []byte(`{"action":"merge_candidate","payload":{"person":{"id":610033452,"new_candidate_id":610099999}}}`)
	handleOne(t, n, merge, "")
	offer := handleOne(t, n, mustRead(t, "offer_created"), "")
	if offer.CandidateID != "610099999" {
		t.Fatalf("offer candidate %q, want the surviving 610099999", offer.CandidateID)
	}
}

// The state a start-up replay rebuilds through Observe gives the same output as the live one.
func TestNormalizer_ObserveRebuildsState(t *testing.T) {
	t.Parallel()
	history := [][]byte{
		mustRead(t, "new_candidate_application"),
		stageBody("candidate_stage_change", 880014231, 9100441, "Phone Screen", day(5, 10)),
		mustRead(t, "candidate_stage_change"),
		stageBody("candidate_stage_change", 880014231, 9100443, "Onsite", day(7, 10)), // late
		[]byte(`{"action":"merge_candidate","payload":{"person":{"id":610033452,"new_candidate_id":610099999}}}`),
	}
	next := [][]byte{
		stageBody("candidate_stage_change", 880014231, 9100444, "References", day(15, 10)),
		mustRead(t, "offer_created"),
		mustRead(t, "hire_candidate"),
	}

	live := NewNormalizer(Options{})
	var log []schemas.Event
	for _, b := range history {
		evs, err := live.Handle(context.Background(), rawDelivery(b, "", recordedAt))
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, evs...)
	}
	rebuilt := NewNormalizer(Options{})
	for _, ev := range log {
		rebuilt.Observe(ev)
	}
	rebuilt.Observe(schemas.Event{ID: "other", Type: schemas.TypeStageChanged, SourceSystem: "lever",
		ApplicationID: "880014231", OccurredAt: day(20, 0), Payload: &schemas.ApplicationEvent{StageToID: "x"}})

	for _, b := range next {
		a, errA := live.Handle(context.Background(), rawDelivery(b, "", recordedAt))
		r, errR := rebuilt.Handle(context.Background(), rawDelivery(b, "", recordedAt))
		if errA != nil || errR != nil {
			t.Fatal(errA, errR)
		}
		if !reflect.DeepEqual(a, r) {
			t.Fatalf("rebuilt state diverges:\nlive    %s\nrebuilt %s", marshalEvents(t, a), marshalEvents(t, r))
		}
	}
}

func TestNormalizer_RedeliverySameIDs(t *testing.T) {
	t.Parallel()
	for _, name := range goldenCases(t) {
		body := mustRead(t, name)
		for _, hdr := range []string{"", "4b1e8d1c-redelivered"} {
			first, err := NewNormalizer(Options{}).Handle(context.Background(), rawDelivery(body, hdr, recordedAt))
			if err != nil {
				t.Fatal(err)
			}
			// A later retry: another capture time, the same body and header.
			retry, err := NewNormalizer(Options{}).Handle(context.Background(), rawDelivery(body, hdr, recordedAt.Add(15*time.Hour)))
			if err != nil {
				t.Fatal(err)
			}
			if len(first) != len(retry) {
				t.Fatalf("%s: %d vs %d events", name, len(first), len(retry))
			}
			for i := range first {
				if first[i].ID != retry[i].ID {
					t.Errorf("%s (header %q): redelivery id %s, first %s", name, hdr, retry[i].ID, first[i].ID)
				}
			}
		}
	}
}

func TestNormalizer_IDsDifferByIdentity(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	a := handleOne(t, n, stageBody("candidate_stage_change", 1, 11, "Phone Screen", day(5, 10)), "")
	b := handleOne(t, n, stageBody("candidate_stage_change", 1, 12, "Onsite", day(6, 10)), "")
	c := handleOne(t, n, stageBody("application_updated", 1, 12, "Onsite", day(6, 10)), "")
	d := handleOne(t, n, stageBody("candidate_stage_change", 1, 12, "Onsite", day(6, 10)), "gh-1")
	e := handleOne(t, n, stageBody("candidate_stage_change", 1, 12, "Onsite", day(6, 10)), "gh-2")
	ids := map[string]bool{a.ID: true, b.ID: true, c.ID: true, d.ID: true, e.ID: true}
	if len(ids) != 5 {
		t.Fatalf("distinct changes must get distinct ids: %v", ids)
	}
	if d.ID != schemas.DeriveID("greenhouse", "gh-1", string(schemas.TypeStageChanged)) {
		t.Fatalf("with a Greenhouse-Event-ID the id is DeriveID(greenhouse, header, type)")
	}
}

func TestNormalizer_Skips(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	body := mustRead(t, "candidate_stage_change")
	lever := rawDelivery(body, "", recordedAt)
	lever.SourceSystem = "lever"
	notRaw := rawDelivery(body, "", recordedAt)
	notRaw.Type = schemas.TypeStageChanged
	for name, raw := range map[string]schemas.Event{
		"other source":   lever,
		"not a delivery": notRaw,
		"ping":           rawDelivery(mustRead(t, "ping"), "", recordedAt),
		"bare ping":      rawDelivery([]byte(`{"action":"ping"}`), "", recordedAt),
	} {
		if evs, err := n.Handle(context.Background(), raw); evs != nil || err != nil {
			t.Errorf("%s: got %v, %v; want nil, nil", name, evs, err)
		}
	}
}

func TestNormalizer_PermanentErrors(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	for name, body := range map[string]string{
		"not JSON":                 `{"action":`,
		"not an object":            `["ping"]`,
		"no action":                `{"payload":{}}`,
		"application missing":      `{"action":"candidate_stage_change","payload":{}}`,
		"application id missing":   `{"action":"reject_candidate","payload":{"application":{"status":"rejected"}}}`,
		"offer id missing":         `{"action":"offer_deleted","payload":{"offer":{"application_id":1}}}`,
		"jobs not an array":        `{"action":"application_updated","payload":{"application":{"id":1,"jobs":"x"}}}`,
		"id is an object":          `{"action":"hire_candidate","payload":{"application":{"id":{"n":1}}}}`,
		"merge without survivor":   `{"action":"merge_candidate","payload":{"person":{"id":1}}}`,
		"anonymized without id":    `{"action":"candidate_anonymized","payload":{"anonymized_fields":["full_name"]}}`,
		"update without candidate": `{"action":"update_candidate","payload":{"person":{"id":1}}}`,
	} {
		evs, err := n.Handle(context.Background(), rawDelivery([]byte(body), "", recordedAt))
		if !errors.Is(err, schemas.ErrPermanent) || evs != nil {
			t.Errorf("%s: got %v, %v; want a permanent error", name, evs, err)
		}
	}
	wrong := rawDelivery([]byte(`{"action":"ping"}`), "", recordedAt)
	wrong.Payload = &schemas.Unrecognized{}
	if _, err := n.Handle(context.Background(), wrong); !schemas.IsPermanent(err) {
		t.Errorf("a raw event without a RawDelivery: %v", err)
	}
}

// Unknown actions are kept, whatever their payload looks like.
func TestNormalizer_UnknownActionsNeverRejected(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	for _, body := range []string{
		`{"action":"interview_deleted","payload":{"interview":{"id":7700101}}}`,
		`{"action":"scorecard_deleted","payload":{"scorecard":{"id":1,"application_id":880014231,"candidate_id":610033452}}}`,
		`{"action":"job_post_updated","payload":"not an object"}`,
		`{"action":"some_future_thing","payload":{"application":{"id":{"weird":true}}}}`,
		`{"action":"no_payload"}`,
	} {
		evs, err := n.Handle(context.Background(), rawDelivery([]byte(body), "", recordedAt))
		if err != nil || len(evs) != 1 || evs[0].Type != schemas.TypeUnrecognized {
			t.Fatalf("%s: got %v, %v", body, evs, err)
		}
	}
}

func TestNormalizer_ConcurrentUse(t *testing.T) {
	t.Parallel()
	n := NewNormalizer(Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				app := 1000 + i%5
				body := stageBody("candidate_stage_change", app, 10+g, fmt.Sprint("Stage ", g), day(1+i%20, g))
				evs, err := n.Handle(context.Background(), rawDelivery(body, "", recordedAt))
				if err != nil || len(evs) != 1 {
					t.Errorf("Handle: %v", err)
					return
				}
				n.Observe(evs[0])
				_, _ = n.Handle(context.Background(), rawDelivery(mustRead(t, "offer_created"), "", recordedAt))
			}
		})
	}
	wg.Wait()
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := readCase(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
