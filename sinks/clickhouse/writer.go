package clickhouse

import (
	"context"
	"time"

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

func (r EventRow) check() error  { return checkEvent(r.EventID, r.OccurredAt, r.RecordedAt) }
func (r EventRow) rowID() string { return r.EventID }

// Writer inserts EventRows into <db>.candidate_events.
type Writer struct {
	rows inserter[EventRow]
	conn driver.Conn
	db   string
}

// NewWriter builds a writer for database db.
func NewWriter(conn driver.Conn, db string) *Writer {
	return &Writer{rows: newInserter[EventRow](conn, db, "candidate_events", eventColumns), conn: conn, db: db}
}

// Write inserts rows as one batch. Rows that fail the local check, or that the server refuses
// with a permanent error when tried alone, are returned in rejected (for the DLQ); err means
// the whole batch should be retried.
func (w *Writer) Write(ctx context.Context, rows []EventRow) (rejected map[int]error, err error) {
	return w.rows.write(ctx, rows)
}
