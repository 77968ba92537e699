package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

func (r HRISSyncRow) check() error {
	var errs []error
	for name, t := range map[string]time.Time{"occurred_at": r.OccurredAt, "recorded_at": r.RecordedAt} {
		if t.Before(minDateTime) || t.After(maxDateTime) {
			errs = append(errs, fmt.Errorf("%s %s is outside ClickHouse DateTime (1970-01-01..2105-12-31)", name, t.Format(time.RFC3339)))
		}
	}
	if r.EventID == "" {
		errs = append(errs, errors.New("event_id is empty"))
	}
	return errors.Join(errs...)
}

// HRISSyncWriter inserts HRISSyncRows into <db>.hris_syncs.
type HRISSyncWriter struct {
	conn   driver.Conn
	insert string
}

// NewHRISSyncWriter builds a writer for database db.
func NewHRISSyncWriter(conn driver.Conn, db string) *HRISSyncWriter {
	return &HRISSyncWriter{conn: conn, insert: "INSERT INTO " + quoteIdent(db) + ".hris_syncs (" + strings.Join(hrisSyncColumns, ", ") + ")"}
}

// Write inserts rows as one batch (PrepareBatch: Exec with bound values hangs on 18.16). Rows
// failing the local check, or refused by the server for good when sent alone, come back in
// rejected; err means the whole batch should be retried.
func (w *HRISSyncWriter) Write(ctx context.Context, rows []HRISSyncRow) (rejected map[int]error, err error) {
	rejected = map[int]error{}
	var good []int
	for i, r := range rows {
		if err := r.check(); err != nil {
			rejected[i] = schemas.Permanent(err)
			continue
		}
		good = append(good, i)
	}
	if len(good) == 0 {
		return rejected, nil
	}
	err = w.send(ctx, rows, good)
	if err == nil || !schemas.IsPermanent(err) {
		return rejected, err
	}
	for _, i := range good {
		if err := w.send(ctx, rows, []int{i}); err != nil {
			if !schemas.IsPermanent(err) {
				return rejected, err
			}
			rejected[i] = err
		}
	}
	return rejected, nil
}

func (w *HRISSyncWriter) send(ctx context.Context, rows []HRISSyncRow, idx []int) error {
	batch, err := w.conn.PrepareBatch(ctx, w.insert)
	if err != nil {
		return classify(fmt.Errorf("prepare insert: %w", err))
	}
	for _, i := range idx {
		if err := batch.Append(rows[i].values()...); err != nil {
			batch.Abort()
			return schemas.Permanent(fmt.Errorf("append row %s: %w", rows[i].EventID, err))
		}
	}
	if err := batch.Send(); err != nil {
		return classify(fmt.Errorf("insert %d rows: %w", len(idx), err))
	}
	return nil
}

// HRISSyncErrorRateSQL is the sync error rate per day and per target: one query over hris_syncs
// ({db} stands for the database). Every outcome counts: a candidate retried until it
// succeeded contributes its failure and its success.
const HRISSyncErrorRateSQL = `SELECT toDate(occurred_at) AS day, target, count() AS syncs,
    countIf(event_type = 'hris.sync_failed') AS failed, round(failed / syncs, 4) AS error_rate
FROM {db}.hris_syncs FINAL
GROUP BY day, target
ORDER BY day, target`
