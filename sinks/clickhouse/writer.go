package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/schemas"
)

// EventRow is one row of candidate_events, in column order.
type EventRow struct {
	EventID, EventType          string
	OccurredAt, RecordedAt      time.Time
	SourceSystem, SourceEventID string
	CandidateID, ApplicationID  string
	JobID, CausationID          string
	StageFrom                   string
	StageFromDerived            uint8
	StageTo, Status             string
	Prospect                    uint8
	SourceChannel, SourceName   string
	RejectionReason             string
	RejectionType               string
	AppliedAt                   *time.Time
	JobTitle, Department        string
	Office                      string
	OfferID                     string
	OfferVersion                int32
	OfferStatus                 string
	SalaryAmountMinor           int64
	SalaryCurrency              string
	SalaryPayPeriod             string
	StartDate                   *time.Time
	EmploymentType              string
	MergedIntoCandidateID       string
	UnrecognizedAction          string
	KafkaPartition              int32
	KafkaOffset                 int64
}

// eventColumns is the INSERT column list; naming them is what makes PrepareBatch work on 18.16.
var eventColumns = []string{
	"event_id", "event_type", "occurred_at", "recorded_at", "source_system", "source_event_id",
	"candidate_id", "application_id", "job_id", "causation_id", "stage_from", "stage_from_derived",
	"stage_to", "status", "prospect", "source_channel", "source_name", "rejection_reason",
	"rejection_type", "applied_at", "job_title", "department", "office", "offer_id", "offer_version",
	"offer_status", "salary_amount_minor", "salary_currency", "salary_pay_period", "start_date",
	"employment_type", "merged_into_candidate_id", "unrecognized_action", "kafka_partition", "kafka_offset",
}

func (r EventRow) values() []any {
	return []any{
		r.EventID, r.EventType, r.OccurredAt, r.RecordedAt, r.SourceSystem, r.SourceEventID,
		r.CandidateID, r.ApplicationID, r.JobID, r.CausationID, r.StageFrom, r.StageFromDerived,
		r.StageTo, r.Status, r.Prospect, r.SourceChannel, r.SourceName, r.RejectionReason,
		r.RejectionType, r.AppliedAt, r.JobTitle, r.Department, r.Office, r.OfferID, r.OfferVersion,
		r.OfferStatus, r.SalaryAmountMinor, r.SalaryCurrency, r.SalaryPayPeriod, r.StartDate,
		r.EmploymentType, r.MergedIntoCandidateID, r.UnrecognizedAction, r.KafkaPartition, r.KafkaOffset,
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// RowFromEvent flattens ev for candidate_events. Contact fields are left out on purpose.
func RowFromEvent(ev schemas.Event, partition int, offset int64) EventRow {
	r := EventRow{
		EventID: ev.ID, EventType: string(ev.Type), OccurredAt: ev.OccurredAt.UTC(), RecordedAt: ev.RecordedAt.UTC(),
		SourceSystem: ev.SourceSystem, SourceEventID: ev.SourceEventID, CandidateID: ev.CandidateID,
		ApplicationID: ev.ApplicationID, JobID: ev.JobID, CausationID: ev.CausationID,
		KafkaPartition: int32(partition), KafkaOffset: offset,
	}
	switch p := ev.Payload.(type) {
	case *schemas.ApplicationEvent:
		if p.StageFrom != nil {
			r.StageFrom = *p.StageFrom
		}
		if p.StageTo != nil {
			r.StageTo = *p.StageTo
		}
		r.StageFromDerived, r.Status, r.Prospect = b2u(p.StageFromDerived), p.Status, b2u(p.Prospect)
		r.SourceChannel, r.SourceName = p.SourceChannel, p.SourceName
		r.RejectionReason, r.RejectionType = p.RejectionReason, p.RejectionType
		if p.AppliedAt != nil {
			t := p.AppliedAt.UTC()
			r.AppliedAt = &t
		}
		if j := p.Job; j != nil {
			r.JobTitle, r.Department, r.Office = j.Title, j.Department, j.Office
		}
		if o := p.Offer; o != nil {
			r.OfferID, r.OfferVersion, r.OfferStatus, r.EmploymentType = o.OfferID, o.Version, o.Status, o.EmploymentType
			if o.Salary != nil {
				r.SalaryAmountMinor, r.SalaryCurrency, r.SalaryPayPeriod = o.Salary.AmountMinor, o.Salary.Currency, o.Salary.PayPeriod
			}
			if o.StartDate != nil {
				if d, err := time.Parse(time.DateOnly, *o.StartDate); err == nil {
					r.StartDate = &d
				}
			}
			if r.Department == "" {
				r.Department = o.Department
			}
		}
	case *schemas.CandidateEvent:
		r.MergedIntoCandidateID = p.MergedIntoCandidateID
	case *schemas.Unrecognized:
		r.UnrecognizedAction = p.Action
	}
	return r
}

// DateTime on 18.16 is a UInt32 of seconds: these bounds are what the server can hold.
var (
	minDateTime = time.Unix(0, 0).UTC()
	maxDateTime = time.Date(2105, 12, 31, 23, 59, 59, 0, time.UTC)
)

// check rejects what the server would store wrongly or refuse, naming the field and value.
func (r EventRow) check() error {
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

// Writer inserts EventRows into <db>.candidate_events.
type Writer struct {
	conn   driver.Conn
	insert string
}

// NewWriter builds a writer for database db.
func NewWriter(conn driver.Conn, db string) *Writer {
	return &Writer{conn: conn, insert: "INSERT INTO " + quoteIdent(db) + ".candidate_events (" + strings.Join(eventColumns, ", ") + ")"}
}

// Write inserts rows as one batch. Rows that fail the local check, or that the server refuses
// with a permanent error when tried alone, are returned in rejected (for the DLQ); err means
// the whole batch should be retried.
func (w *Writer) Write(ctx context.Context, rows []EventRow) (rejected map[int]error, err error) {
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
	// The server refused the batch for good: find the rows it refuses by sending them one by one.
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

func (w *Writer) send(ctx context.Context, rows []EventRow, idx []int) error {
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

// permanentCodes are ClickHouse error codes that retrying the same rows cannot fix.
var permanentCodes = map[int32]bool{
	6: true, 16: true, 26: true, 27: true, 32: true, 38: true, 41: true, 53: true, 62: true,
	69: true, 70: true, 72: true, 117: true, 321: true,
}

func classify(err error) error {
	var exc *ch.Exception
	if errors.As(err, &exc) && permanentCodes[exc.Code] {
		return schemas.Permanent(err)
	}
	return err
}
