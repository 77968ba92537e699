package clickhouse

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/schemas"
)

// HRISSyncRow is one row of hris_syncs (migration 002), in column order.
type HRISSyncRow struct {
	EventID, EventType         string
	OccurredAt, RecordedAt     time.Time
	CandidateID, ApplicationID string
	JobID, CausationID         string
	Target, EmployeeID         string
	Attempts                   int32
	LatencyMS                  int64
	Error                      string
	DiffField                  []string
	DiffExpected               []string
	DiffActual                 []string
	KafkaPartition             int32
	KafkaOffset                int64
}

var hrisSyncColumns = []string{
	"event_id", "event_type", "occurred_at", "recorded_at", "candidate_id", "application_id", "job_id",
	"causation_id", "target", "employee_id", "attempts", "latency_ms", "error", "diff_field",
	"diff_expected", "diff_actual", "kafka_partition", "kafka_offset",
}

func (r HRISSyncRow) values() []any {
	return []any{r.EventID, r.EventType, r.OccurredAt, r.RecordedAt, r.CandidateID, r.ApplicationID, r.JobID,
		r.CausationID, r.Target, r.EmployeeID, r.Attempts, r.LatencyMS, r.Error, r.DiffField,
		r.DiffExpected, r.DiffActual, r.KafkaPartition, r.KafkaOffset}
}

// RowFromHRISSync flattens an hris.sync_* event; ok is false for anything else (the topic
// carries only sync outcomes today; other types are skipped, not parked).
func RowFromHRISSync(ev schemas.Event, partition int, offset int64) (HRISSyncRow, bool) {
	p, isSync := ev.Payload.(*schemas.HRISSync)
	if !isSync || p == nil || (ev.Type != schemas.TypeHRISSyncSucceeded && ev.Type != schemas.TypeHRISSyncFailed) {
		return HRISSyncRow{}, false
	}
	r := HRISSyncRow{
		EventID: ev.ID, EventType: string(ev.Type), OccurredAt: ev.OccurredAt.UTC(), RecordedAt: ev.RecordedAt.UTC(),
		CandidateID: ev.CandidateID, ApplicationID: ev.ApplicationID, JobID: ev.JobID, CausationID: ev.CausationID,
		Target: p.Target, EmployeeID: p.EmployeeID, Attempts: p.Attempts, LatencyMS: p.LatencyMS, Error: p.Error,
		DiffField: []string{}, DiffExpected: []string{}, DiffActual: []string{},
		KafkaPartition: int32(partition), KafkaOffset: offset,
	}
	for _, d := range p.Diff {
		r.DiffField = append(r.DiffField, d.Field)
		r.DiffExpected = append(r.DiffExpected, d.Expected)
		r.DiffActual = append(r.DiffActual, d.Actual)
	}
	return r, true
}

func (r HRISSyncRow) check() error  { return checkEvent(r.EventID, r.OccurredAt, r.RecordedAt) }
func (r HRISSyncRow) rowID() string { return r.EventID }

// HRISSyncWriter inserts HRISSyncRows into <db>.hris_syncs.
type HRISSyncWriter struct{ rows inserter[HRISSyncRow] }

// NewHRISSyncWriter builds a writer for database db.
func NewHRISSyncWriter(conn driver.Conn, db string) *HRISSyncWriter {
	return &HRISSyncWriter{rows: newInserter[HRISSyncRow](conn, db, "hris_syncs", hrisSyncColumns)}
}

// Write inserts rows as one batch. Rows failing the local check, or refused by the server for
// good when sent alone, come back in rejected; err means the whole batch should be retried.
func (w *HRISSyncWriter) Write(ctx context.Context, rows []HRISSyncRow) (rejected map[int]error, err error) {
	return w.rows.write(ctx, rows)
}

// HRISSyncErrorRateSQL is the sync error rate per day and per target: one query over hris_syncs
// ({db} stands for the database). Every outcome counts: a candidate retried until it
// succeeded contributes its failure and its success.
const HRISSyncErrorRateSQL = `SELECT toDate(occurred_at) AS day, target, count() AS syncs,
    countIf(event_type = 'hris.sync_failed') AS failed, round(failed / syncs, 4) AS error_rate
FROM {db}.hris_syncs FINAL
GROUP BY day, target
ORDER BY day, target`
