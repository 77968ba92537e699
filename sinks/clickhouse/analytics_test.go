package clickhouse_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func h(id, typ string, at time.Duration, stage, stageID string) chsink.HistoryEvent {
	return chsink.HistoryEvent{ApplicationID: "app", EventID: id, EventType: typ, OccurredAt: t0.Add(at),
		CandidateID: "c1", JobID: "j1", Department: "Eng", StageTo: stage, StageToID: stageID, SourceChannel: "referral"}
}

// stints renders stints as "stage exit_kind seconds" lines, "-" for open.
func stints(s chsink.ApplicationState) string {
	var b []string
	for _, x := range s.Stints {
		if x.Exited == nil {
			b = append(b, x.Stage+" open")
			continue
		}
		b = append(b, fmt.Sprintf("%s %s %d", x.Stage, x.ExitKind, int(x.Exited.Sub(x.Entered)/time.Second)))
	}
	return strings.Join(b, "; ")
}

func TestComputeApplication(t *testing.T) {
	hr := time.Hour
	rej := h("r", "application.rejected", 5*hr, "Phone Screen", "2")
	withdraw := rej
	withdraw.RejectionType = "They rejected us"
	hired := h("h", "candidate.hired", 9*hr, "Offer", "4")
	hired.OfferID = "o1"
	for _, tc := range []struct {
		name, want, status, stage string
		hist                      []chsink.HistoryEvent
	}{
		{"advance then reject", "Review advanced 3600; Phone Screen rejected 14400", "rejected", "Phone Screen", []chsink.HistoryEvent{
			h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Phone Screen", "2"), rej}},
		{"withdrawn", "Review advanced 3600; Phone Screen withdrawn 14400", "withdrawn", "Phone Screen", []chsink.HistoryEvent{
			h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Phone Screen", "2"), withdraw}},
		{"reject then unreject opens a new stint", "Review advanced 3600; Phone Screen rejected 14400; Phone Screen advanced 3600; Onsite open", "active", "Onsite",
			[]chsink.HistoryEvent{h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Phone Screen", "2"), rej,
				h("u", "application.unrejected", 7*hr, "Phone Screen", "2"), h("c", "candidate.stage_changed", 8*hr, "Onsite", "3")}},
		{"backward move", "Review advanced 3600; Onsite moved_back 3600; Phone Screen advanced 3600; Onsite open", "active", "Onsite",
			[]chsink.HistoryEvent{h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Onsite", "3"),
				h("c", "candidate.stage_changed", 2*hr, "Phone Screen", "2"), h("d", "candidate.stage_changed", 3*hr, "Onsite", "3")}},
		{"hired", "Review advanced 3600; Offer hired 28800", "hired", "Offer", []chsink.HistoryEvent{
			h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Offer", "4"), hired}},
		{"deleted", "Review advanced 3600; Offer deleted 3600", "deleted", "Offer", []chsink.HistoryEvent{
			h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Offer", "4"),
			h("d", "application.deleted", 2*hr, "", ""), h("late", "candidate.stage_changed", 3*hr, "Review", "1")}},
		{"duplicates change nothing", "Review advanced 3600; Phone Screen open", "active", "Phone Screen", []chsink.HistoryEvent{
			h("a", "application.received", 0, "Review", "1"), h("b", "candidate.stage_changed", hr, "Phone Screen", "2"),
			h("b", "candidate.stage_changed", hr, "Phone Screen", "2"), h("a", "application.received", 0, "Review", "1"),
			h("x", "application.updated", 2*hr, "Phone Screen", "2")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := chsink.ComputeApplication("app", tc.hist, nil)
			if got := stints(want); got != tc.want || want.Status != tc.status || want.CurrentStage != tc.stage {
				t.Fatalf("stints %q status %s stage %s\nwant %q status %s stage %s", got, want.Status, want.CurrentStage, tc.want, tc.status, tc.stage)
			}
			// Any arrival order gives the same state.
			r := rand.New(rand.NewPCG(1, 2))
			for range 20 {
				perm := append([]chsink.HistoryEvent(nil), tc.hist...)
				r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
				if got := chsink.ComputeApplication("app", perm, nil); !reflect.DeepEqual(got, want) {
					t.Fatalf("order %v gives\n%+v\nwant\n%+v", perm, got, want)
				}
			}
		})
	}
}

func TestComputeApplication_MergedAndDeletedCandidates(t *testing.T) {
	hist := []chsink.HistoryEvent{h("a", "application.received", 0, "Review", "1")}
	changes := map[string][]chsink.CandidateChange{
		"c1": {{CandidateID: "c1", EventID: "m1", EventType: "candidate.merged", OccurredAt: t0.Add(time.Hour), MergedIntoCandidateID: "c2"}},
		"c2": {{CandidateID: "c2", EventID: "m2", EventType: "candidate.merged", OccurredAt: t0.Add(2 * time.Hour), MergedIntoCandidateID: "c3"}},
	}
	s := chsink.ComputeApplication("app", hist, changes)
	if s.CandidateID != "c3" || s.Status != "active" {
		t.Fatalf("candidate %s status %s, want c3 active", s.CandidateID, s.Status)
	}
	changes["c3"] = []chsink.CandidateChange{{CandidateID: "c3", EventID: "d", EventType: "candidate.deleted", OccurredAt: t0.Add(3 * time.Hour), AllApplications: true}}
	s2 := chsink.ComputeApplication("app", hist, changes)
	if s2.Status != "deleted" || stints(s2) != "Review deleted 10800" || s2.Version <= s.Version {
		t.Fatalf("after deleting the survivor: %s %q version %d (was %d)", s2.Status, stints(s2), s2.Version, s.Version)
	}
}

func appEvent(id string, typ schemas.EventType, at time.Time, app, cand, stage, stageID string) schemas.Event {
	st := stage
	return schemas.Event{ID: id, Type: typ, OccurredAt: at, RecordedAt: at, SourceSystem: "greenhouse", CandidateID: cand,
		ApplicationID: app, JobID: "j1", Payload: &schemas.ApplicationEvent{StageTo: &st, StageToID: stageID, Status: "active",
			SourceChannel: "referral", Job: &schemas.Job{JobID: "j1", Title: "Engineer", Department: "Eng"}}}
}

// TestAnalytics_AnyOrderConverges applies the same events in different batches and orders,
// with duplicates and a replay, and compares the model rows.
func TestAnalytics_AnyOrderConverges(t *testing.T) {
	addr := testkit.ClickHouseAddr(t)
	ctx := context.Background()
	var evs []schemas.Event
	for i := range 30 {
		app, cand := fmt.Sprintf("a%02d", i), fmt.Sprintf("c%02d", i%20)
		at := t0.Add(time.Duration(i) * time.Minute)
		evs = append(evs,
			appEvent(app+"-1", schemas.TypeApplicationReceived, at, app, cand, "Review", "1"),
			appEvent(app+"-2", schemas.TypeStageChanged, at.Add(time.Hour), app, cand, "Phone Screen", "2"),
			appEvent(app+"-3", schemas.TypeStageChanged, at.Add(3*time.Hour), app, cand, "Review", "1"))
		if i%3 == 0 {
			r := appEvent(app+"-4", schemas.TypeRejected, at.Add(5*time.Hour), app, cand, "Review", "1")
			evs = append(evs, r)
		}
	}
	evs = append(evs, schemas.Event{ID: "merge", Type: schemas.TypeCandidateMerged, OccurredAt: t0.Add(10 * time.Hour), SourceSystem: "greenhouse",
		CandidateID: "c01", Payload: &schemas.CandidateEvent{MergedIntoCandidateID: "c02", ApplicationIDs: []string{"a21"}}})
	evs = append(evs, schemas.Event{ID: "del", Type: schemas.TypeCandidateDeleted, OccurredAt: t0.Add(11 * time.Hour), SourceSystem: "greenhouse",
		CandidateID: "c03", Payload: &schemas.CandidateEvent{}})

	snapshot := func(order []schemas.Event, batch int) string {
		conn, db := testkit.Database(t, addr)
		a := chsink.NewWriter(conn, db).Analytics()
		for i := 0; i < len(order); i += batch {
			if err := a.Apply(ctx, order[i:min(i+batch, len(order))]); err != nil {
				t.Fatal(err)
			}
		}
		var b strings.Builder
		for _, q := range []string{
			"SELECT application_id, candidate_id, status, current_stage, toString(applied_at), events FROM " + db + ".applications ORDER BY application_id",
			"SELECT application_id, stint_no, stage, toString(entered_at), toString(exited_at), duration_seconds, exit_kind FROM " + db + ".stage_intervals ORDER BY application_id, stint_no",
		} {
			rows, err := conn.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols := rows.ColumnTypes()
			for rows.Next() {
				vals := make([]any, len(cols))
				for i, c := range cols {
					vals[i] = reflect.New(c.ScanType()).Interface()
				}
				if err := rows.Scan(vals...); err != nil {
					t.Fatal(err)
				}
				for _, v := range vals {
					e := reflect.ValueOf(v).Elem()
					for e.Kind() == reflect.Pointer && !e.IsNil() {
						e = e.Elem()
					}
					fmt.Fprintf(&b, "%v|", e)
				}
				b.WriteByte('\n')
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
		}
		return b.String()
	}
	want := snapshot(evs, 1000)
	if !strings.Contains(want, "a21|c02|deleted|") || !strings.Contains(want, "a03|c03|deleted|") || !strings.Contains(want, "a01|c02|active|") {
		t.Fatalf("merge/delete not applied:\n%s", want)
	}
	r := rand.New(rand.NewPCG(7, 7))
	shuffled := append([]schemas.Event(nil), evs...)
	shuffled = append(shuffled, evs[:40]...) // duplicates
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := snapshot(shuffled, 1000); got != want {
		t.Fatalf("shuffled, one batch:\n%s\nwant\n%s", got, want)
	}
	if got := snapshot(shuffled, 7); got != want {
		t.Fatalf("shuffled, duplicated, small batches:\n%s\nwant\n%s", got, want)
	}
}
