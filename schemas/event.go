// Package schemas is hirestream's public contract: the Avro schema of the event envelope
// (avro/event.avsc, embedded), the Go types that mirror it, the topic names, and the
// Confluent wire-format encoder and decoder. It imports nothing else from this repository.
package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Event is the envelope of every message on every hirestream topic. Field tags name the Avro
// fields; pointers are the nullable ones.
type Event struct {
	ID            string    `avro:"event_id"`
	Type          EventType `avro:"event_type"`
	OccurredAt    time.Time `avro:"occurred_at"`
	RecordedAt    time.Time `avro:"recorded_at"`
	SourceSystem  string    `avro:"source_system"`
	SourceEventID string    `avro:"source_event_id"`
	CandidateID   string    `avro:"candidate_id"`
	ApplicationID string    `avro:"application_id"`
	JobID         string    `avro:"job_id"`
	CausationID   string    `avro:"causation_id"`
	Payload       Payload   `avro:"payload"`
}

// Payload is one branch of the envelope's payload union.
type Payload interface {
	// AvroName is the full name of the Avro record this payload encodes as.
	AvroName() string
}

// RawDelivery is an accepted webhook delivery, verbatim.
type RawDelivery struct {
	Action  string            `avro:"action"`
	Path    string            `avro:"path"`
	Headers map[string]string `avro:"headers"`
	Body    []byte            `avro:"body"`
}

// ApplicationEvent carries application-shaped changes and offers.
type ApplicationEvent struct {
	StageFrom        *string    `avro:"stage_from"`
	StageFromID      string     `avro:"stage_from_id"`
	StageFromDerived bool       `avro:"stage_from_derived"`
	StageTo          *string    `avro:"stage_to"`
	StageToID        string     `avro:"stage_to_id"`
	Status           string     `avro:"status"`
	Prospect         bool       `avro:"prospect"`
	SourceChannel    string     `avro:"source_channel"`
	SourceName       string     `avro:"source_name"`
	SourceID         string     `avro:"source_id"`
	RejectionReason  string     `avro:"rejection_reason"`
	RejectionType    string     `avro:"rejection_type"`
	AppliedAt        *time.Time `avro:"applied_at"`
	Job              *Job       `avro:"job"`
	Candidate        *Candidate `avro:"candidate"`
	Offer            *Offer     `avro:"offer"`
}

// Job is what the ATS said about the job an application is for.
type Job struct {
	JobID           string `avro:"job_id"`
	Title           string `avro:"title"`
	RequisitionID   string `avro:"requisition_id"`
	DepartmentID    string `avro:"department_id"`
	Department      string `avro:"department"`
	OfficeID        string `avro:"office_id"`
	Office          string `avro:"office"`
	Location        string `avro:"location"`
	HiringManagerID string `avro:"hiring_manager_id"`
	RecruiterID     string `avro:"recruiter_id"`
}

// Candidate holds contact fields: never log it, never land it in ClickHouse.
type Candidate struct {
	FirstName string  `avro:"first_name"`
	LastName  string  `avro:"last_name"`
	Emails    []Email `avro:"emails"`
}

// Email is one address and its kind (personal, work, other).
type Email struct {
	Address string `avro:"address"`
	Kind    string `avro:"kind"`
}

// Offer is one version of an offer as the ATS stated it.
type Offer struct {
	OfferID        string            `avro:"offer_id"`
	Version        int32             `avro:"version"`
	Status         string            `avro:"status"`
	SentOn         *string           `avro:"sent_on"`
	ResolvedAt     *time.Time        `avro:"resolved_at"`
	StartDate      *string           `avro:"start_date"`
	StartDateRaw   string            `avro:"start_date_raw"`
	Salary         *Money            `avro:"salary"`
	Title          string            `avro:"title"`
	Department     string            `avro:"department"`
	Location       string            `avro:"location"`
	Manager        string            `avro:"manager"`
	EmploymentType string            `avro:"employment_type"`
	CustomFields   map[string]string `avro:"custom_fields"`
}

// Money is an amount in minor units, so no float ever touches a salary.
type Money struct {
	AmountMinor int64  `avro:"amount_minor"`
	Currency    string `avro:"currency"`
	PayPeriod   string `avro:"pay_period"`
}

// CandidateEvent carries candidate-level changes: updated, merged, deleted, anonymized.
type CandidateEvent struct {
	Candidate             *Candidate `avro:"candidate"`
	MergedIntoCandidateID string     `avro:"merged_into_candidate_id"`
	ApplicationIDs        []string   `avro:"application_ids"`
	AnonymizedFields      []string   `avro:"anonymized_fields"`
}

// Unrecognized is a delivery with an action hirestream does not normalise; kept, never dropped.
type Unrecognized struct {
	Action     string `avro:"action"`
	RawEventID string `avro:"raw_event_id"`
}

// HRISSync is the outcome of one employee upsert.
type HRISSync struct {
	Target     string      `avro:"target"`
	EmployeeID string      `avro:"employee_id"`
	Attempts   int32       `avro:"attempts"`
	LatencyMS  int64       `avro:"latency_ms"`
	Error      string      `avro:"error"`
	Diff       []FieldDiff `avro:"diff"`
}

// FieldDiff is one field whose value differs between what was meant and what is there.
type FieldDiff struct {
	Field    string `avro:"field"`
	Expected string `avro:"expected"`
	Actual   string `avro:"actual"`
}

// Alert asks a named human to act (TypeAlertRaised) or to review (TypeReviewNeeded).
type Alert struct {
	Automation string `avro:"automation"`
	Owner      string `avro:"owner"`
	Severity   string `avro:"severity"`
	Summary    string `avro:"summary"`
	Field      string `avro:"field"`
	Action     string `avro:"action"`
}

// DeadLetter records a message that could not be handled, with its original bytes.
type DeadLetter struct {
	Topic     string `avro:"topic"`
	Partition int32  `avro:"partition"`
	Offset    int64  `avro:"offset"`
	Key       []byte `avro:"key"`
	Value     []byte `avro:"value"`
	Processor string `avro:"processor"`
	Reason    string `avro:"reason"`
	Attempts  int32  `avro:"attempts"`
}

func (*RawDelivery) AvroName() string      { return "hirestream.payload.RawDelivery" }
func (*ApplicationEvent) AvroName() string { return "hirestream.payload.ApplicationEvent" }
func (*CandidateEvent) AvroName() string   { return "hirestream.payload.CandidateEvent" }
func (*Unrecognized) AvroName() string     { return "hirestream.payload.Unrecognized" }
func (*HRISSync) AvroName() string         { return "hirestream.payload.HRISSync" }
func (*Alert) AvroName() string            { return "hirestream.payload.Alert" }
func (*DeadLetter) AvroName() string       { return "hirestream.payload.DeadLetter" }

// DeriveID builds a deterministic event id from its parts: the same parts give the same id,
// so a redelivery or a re-handled trigger collapses onto the first copy.
func DeriveID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x1f")))
	return hex.EncodeToString(h[:16])
}

// Key is the Kafka key of the event: the candidate id, so one candidate's events stay in order;
// events without a candidate (raw deliveries) are keyed by their own id.
func (e Event) Key() []byte {
	if e.CandidateID != "" {
		return []byte(e.CandidateID)
	}
	return []byte(e.ID)
}

// Outcome builds an event a processor publishes in answer to trigger: its id is derived from
// (processor, trigger id, type), so handling the same trigger twice yields the same outcome id.
func Outcome(processor string, trigger Event, t EventType, at time.Time, p Payload) Event {
	return Event{
		ID:            DeriveID(processor, trigger.ID, string(t)),
		Type:          t,
		OccurredAt:    at,
		RecordedAt:    at,
		SourceSystem:  "hirestream",
		CandidateID:   trigger.CandidateID,
		ApplicationID: trigger.ApplicationID,
		JobID:         trigger.JobID,
		CausationID:   trigger.ID,
		Payload:       p,
	}
}
