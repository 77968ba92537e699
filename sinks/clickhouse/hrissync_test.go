package clickhouse_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

func syncEvent(id string, typ schemas.EventType, cand, target string, at time.Time, diff ...schemas.FieldDiff) schemas.Event {
	p := &schemas.HRISSync{Target: target, EmployeeID: "7", Attempts: 2, LatencyMS: 1234, Diff: diff}
	if typ == schemas.TypeHRISSyncFailed {
		p.Error = "read-back verification failed: compensation.rate differ"
	}
	return schemas.Event{ID: id, Type: typ, OccurredAt: at, RecordedAt: at, SourceSystem: "hirestream", CandidateID: cand,
		ApplicationID: "a-" + cand, JobID: "4410087", CausationID: "trigger-" + id, Payload: p}
}

func TestRowFromHRISSync(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	r, ok := chsink.RowFromHRISSync(syncEvent("x", schemas.TypeHRISSyncFailed, "c1", "bamboohr", at,
		schemas.FieldDiff{Field: "compensation.rate", Expected: "103000.00 USD", Actual: "130000.00 USD"}), 2, 9)
	if !ok || r.Target != "bamboohr" || r.Attempts != 2 || r.LatencyMS != 1234 || r.KafkaPartition != 2 || r.KafkaOffset != 9 ||
		strings.Join(r.DiffField, ",") != "compensation.rate" || r.DiffActual[0] != "130000.00 USD" || r.CausationID != "trigger-x" {
		t.Fatalf("row %+v", r)
	}
	if _, ok := chsink.RowFromHRISSync(schemas.Event{ID: "a", Type: schemas.TypeAlertRaised, Payload: &schemas.Alert{}}, 0, 0); ok {
		t.Fatal("an alert became an hris_syncs row")
	}
}

func TestHRISSyncWriter_ErrorRatePerDayAndTarget(t *testing.T) {
	conn, db := testkit.Database(t, testkit.ClickHouseAddr(t))
	ctx := context.Background()
	w := chsink.NewHRISSyncWriter(conn, db)
	d1 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 1)
	ok, fail := schemas.TypeHRISSyncSucceeded, schemas.TypeHRISSyncFailed
	evs := []schemas.Event{
		syncEvent("s1", ok, "c1", "bamboohr", d1),
		syncEvent("s2", ok, "c2", "bamboohr", d1),
		syncEvent("s3", ok, "c3", "bamboohr", d1),
		syncEvent("f1", fail, "c4", "bamboohr", d1, schemas.FieldDiff{Field: "compensation.rate", Expected: "103000.00 USD", Actual: "130000.00 USD"}),
		syncEvent("s4", ok, "c5", "bamboohr", d2),
		syncEvent("f2", fail, "c6", "rest", d2),
		syncEvent("s5", ok, "c7", "rest", d2),
	}
	var rows []chsink.HRISSyncRow
	for i, ev := range evs {
		r, _ := chsink.RowFromHRISSync(ev, 0, int64(i))
		rows = append(rows, r)
	}
	bad, _ := chsink.RowFromHRISSync(syncEvent("old", ok, "c9", "bamboohr", time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC)), 0, 99)
	rejected, err := w.Write(ctx, append(rows, bad))
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[len(rows)] == nil || !schemas.IsPermanent(rejected[len(rows)]) {
		t.Fatalf("rejected = %v, want the 1901 row", rejected)
	}
	// A re-published outcome (same event id) changes no number.
	if _, err := w.Write(ctx, rows[:4]); err != nil {
		t.Fatal(err)
	}
	q := strings.ReplaceAll(chsink.HRISSyncErrorRateSQL, "{db}", db)
	res, err := conn.Query(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Close()
	var got []string
	for res.Next() {
		var day time.Time
		var target string
		var syncs, failed uint64
		var rate float64
		if err := res.Scan(&day, &target, &syncs, &failed, &rate); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %d/%d %g", day.Format(time.DateOnly), target, syncs, failed, rate))
	}
	want := []string{"2026-05-01 bamboohr 4/1 0.25", "2026-05-02 bamboohr 1/0 0", "2026-05-02 rest 2/1 0.5"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("error rate per day and target:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var fields []string
	if err := conn.QueryRow(ctx, "SELECT diff_field FROM "+db+".hris_syncs FINAL WHERE event_id = 'f1'").Scan(&fields); err != nil || len(fields) != 1 {
		t.Fatalf("diff_field = %v, %v", fields, err)
	}
}
