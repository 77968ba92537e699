package clickhouse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

func TestSplitStatements(t *testing.T) {
	got := chsink.SplitStatements("-- comment\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\n-- only a comment;\nSELECT 1;\n")
	if len(got) != 2 || got[0] != "CREATE TABLE a (x UInt8) ENGINE = Memory" || got[1] != "SELECT 1" {
		t.Fatalf("SplitStatements = %q", got)
	}
}

func TestMigrate_Idempotent(t *testing.T) {
	conn, db := testkit.Database(t, testkit.ClickHouseAddr(t))
	ctx := context.Background()
	again, err := chsink.Migrate(ctx, conn, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v (err %v), want nothing", again, err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+db+".schema_migrations").Scan(&n); err != nil || n == 0 {
		t.Fatalf("schema_migrations rows = %d (err %v)", n, err)
	}
}

func event(id string, occurred time.Time) schemas.Event {
	to, from := "Onsite", "Technical Interview"
	start := "2026-05-04"
	return schemas.Event{ID: id, Type: schemas.TypeStageChanged, OccurredAt: occurred, RecordedAt: occurred.Add(time.Second),
		SourceSystem: "greenhouse", SourceEventID: "gh-" + id, CandidateID: "610033452", ApplicationID: "880014231", JobID: "4410087",
		Payload: &schemas.ApplicationEvent{StageFrom: &from, StageFromDerived: true, StageTo: &to, Status: "active",
			SourceChannel: "referral", SourceName: "Employee Referral",
			Job:       &schemas.Job{JobID: "4410087", Title: "Senior Backend Engineer (Go)", Department: "Platform Engineering", Office: "Berlin"},
			Candidate: &schemas.Candidate{FirstName: "Zoë", LastName: "Ngata-Øvergaard"},
			Offer:     &schemas.Offer{OfferID: "9", Version: 2, StartDate: &start, Salary: &schemas.Money{AmountMinor: 10300000, Currency: "USD"}}}}
}

func TestWriter_DuplicatesCollapseAndBadRowsAreRejected(t *testing.T) {
	conn, db := testkit.Database(t, testkit.ClickHouseAddr(t))
	ctx := context.Background()
	w := chsink.NewWriter(conn, db)
	at := time.Date(2026, 3, 9, 16, 42, 11, 0, time.UTC)
	rows := []chsink.EventRow{
		chsink.RowFromEvent(event("a", at), 0, 1),
		chsink.RowFromEvent(event("b", at.Add(time.Hour)), 0, 2),
		chsink.RowFromEvent(event("old", time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC)), 0, 3),
	}
	rejected, err := w.Write(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rejected) != 1 || rejected[2] == nil || !strings.Contains(rejected[2].Error(), "occurred_at") || !schemas.IsPermanent(rejected[2]) {
		t.Fatalf("rejected = %v, want row 2 (occurred_at 1901) rejected permanently", rejected)
	}
	// The same rows again (a redelivery or a replay) must not change any count.
	if _, err := w.Write(ctx, rows[:2]); err != nil {
		t.Fatal(err)
	}
	var n, distinct uint64
	if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM "+db+".candidate_events FINAL").Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != 2 || distinct != 2 {
		t.Fatalf("FINAL count=%d distinct=%d, want 2 and 2", n, distinct)
	}
	var stageFrom, stageTo, channel, dept, start string
	var salary int64
	if err := conn.QueryRow(ctx, "SELECT stage_from, stage_to, source_channel, department, salary_amount_minor, toString(start_date) FROM "+db+
		".candidate_events FINAL WHERE event_id = 'a'").Scan(&stageFrom, &stageTo, &channel, &dept, &salary, &start); err != nil {
		t.Fatal(err)
	}
	if stageFrom != "Technical Interview" || stageTo != "Onsite" || channel != "referral" || dept != "Platform Engineering" || salary != 10300000 || start != "2026-05-04" {
		t.Fatalf("row a = %q %q %q %q %d %q", stageFrom, stageTo, channel, dept, salary, start)
	}
}
