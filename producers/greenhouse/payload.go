package greenhouse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// ErrMissingAction: the body is a JSON object without an "action" (or with "action": null).
var ErrMissingAction = errors.New(`missing "action"`)

// envelope is every Greenhouse webhook body: {"action": "...", "payload": {...}}.
type envelope struct {
	Action  json.RawMessage `json:"action"`
	Payload json.RawMessage `json:"payload"`
}

// ReadAction checks that body is one JSON object with a string "action" and returns the action.
// Its errors are reasons fit for a 400 answer: "invalid JSON at offset 17: ...",
// `missing "action"`, `"action" is not a string`, "body is not a JSON object".
func ReadAction(body []byte) (string, error) {
	env, err := decodeEnvelope(body)
	if err != nil {
		return "", err
	}
	return actionOf(env)
}

func decodeEnvelope(body []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			// Report the 0-based position of the offending byte; encoding/json counts the bytes
			// read including it. At end of input the position is the body's length.
			at := syn.Offset
			if at > 0 && !strings.HasPrefix(syn.Error(), "unexpected end") {
				at--
			}
			return env, fmt.Errorf("invalid JSON at offset %d: %s", at, syn.Error())
		case errors.As(err, &typ):
			return env, fmt.Errorf("body is not a JSON object (found %s)", typ.Value)
		}
		return env, fmt.Errorf("invalid JSON: %w", err)
	}
	return env, nil
}

func actionOf(env envelope) (string, error) {
	raw := bytes.TrimSpace(env.Action)
	if len(raw) == 0 || string(raw) == "null" {
		return "", ErrMissingAction
	}
	if raw[0] != '"' {
		return "", errors.New(`"action" is not a string`)
	}
	var action string
	if err := json.Unmarshal(raw, &action); err != nil {
		return "", fmt.Errorf(`"action": %w`, err)
	}
	if strings.TrimSpace(action) == "" {
		return "", errors.New(`"action" is empty`)
	}
	return action, nil
}

// ghPayload is the union of every payload shape this package reads: application-shaped events
// (application), candidate events (candidate, person, candidate_id), the nested offer of
// offer_deleted (offer) and, embedded, the flat offer of offer_created/approved/updated.
type ghPayload struct {
	ghOffer
	Application      *ghApplication `json:"application"`
	Candidate        *ghCandidate   `json:"candidate"`
	Person           *ghPerson      `json:"person"`
	Offer            *ghOffer       `json:"offer"`
	CandidateID      flexString     `json:"candidate_id"`
	AnonymizedFields []string       `json:"anonymized_fields"`
	Job              *ghJob         `json:"job"` // job_* actions; only read for ids
}

type ghApplication struct {
	ID              flexString         `json:"id"`
	CandidateID     flexString         `json:"candidate_id"` // delete_application (flat)
	JobID           flexString         `json:"job_id"`       // delete_application (flat)
	SourceID        flexString         `json:"source_id"`    // delete_application (flat)
	Prospect        bool               `json:"prospect"`
	Status          string             `json:"status"`
	AppliedAt       ghTime             `json:"applied_at"`
	LastActivityAt  ghTime             `json:"last_activity_at"`
	RejectedAt      ghTime             `json:"rejected_at"`
	UpdatedAt       ghTime             `json:"updated_at"`
	Source          *ghSource          `json:"source"`
	CurrentStage    *ghStage           `json:"current_stage"`
	RejectionReason *ghRejectionReason `json:"rejection_reason"`
	Candidate       *ghCandidate       `json:"candidate"`
	Jobs            []ghJob            `json:"jobs"`
	Job             *ghJob             `json:"job"` // hire_candidate; deprecated in favour of jobs
	Offer           *ghOffer           `json:"offer"`
}

type ghSource struct {
	ID         flexString `json:"id"`
	Name       string     `json:"name"`
	PublicName string     `json:"public_name"`
	Type       flexName   `json:"type"` // Harvest's source type ({id,name}); not in every webhook
}

type ghStage struct {
	ID   flexString `json:"id"`
	Name string     `json:"name"`
}

type ghRejectionReason struct {
	ID   flexString `json:"id"`
	Name string     `json:"name"`
	Type flexName   `json:"type"`
}

type ghCandidate struct {
	ID             flexString `json:"id"`
	FirstName      string     `json:"first_name"`
	LastName       string     `json:"last_name"`
	CreatedAt      ghTime     `json:"created_at"`
	UpdatedAt      ghTime     `json:"updated_at"`
	EmailAddresses []ghEmail  `json:"email_addresses"`
	Recruiter      *ghUser    `json:"recruiter"`
}

type ghPerson struct {
	ghCandidate
	DeletedApplicationIDs []flexString `json:"deleted_application_ids"`
	ApplicationIDs        []flexString `json:"application_ids"`
	NewCandidateID        flexString   `json:"new_candidate_id"`
}

type ghEmail struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// ghUser is a person on a hiring team or a candidate's recruiter. Webhooks use user_id in
// hiring_team and id elsewhere; Harvest adds name and responsible.
type ghUser struct {
	ID          flexString `json:"id"`
	UserID      flexString `json:"user_id"`
	EmployeeID  flexString `json:"employee_id"`
	Name        string     `json:"name"`
	Responsible bool       `json:"responsible"`
}

func (u ghUser) userID() string {
	if u.UserID != "" {
		return string(u.UserID)
	}
	return string(u.ID)
}

type ghJob struct {
	ID            flexString    `json:"id"`
	Name          string        `json:"name"`
	RequisitionID flexString    `json:"requisition_id"`
	Departments   []ghRef       `json:"departments"`
	Offices       []ghOffice    `json:"offices"`
	HiringTeam    *ghHiringTeam `json:"hiring_team"`
}

type ghRef struct {
	ID   flexString `json:"id"`
	Name string     `json:"name"`
}

type ghOffice struct {
	ID       flexString `json:"id"`
	Name     string     `json:"name"`
	Location flexName   `json:"location"` // "Berlin, Germany" in webhooks, {"name": ...} in Harvest
}

type ghHiringTeam struct {
	HiringManagers []ghUser `json:"hiring_managers"`
	Recruiters     []ghUser `json:"recruiters"`
}

// ghOffer is the flat offer of offer_* events, the nested payload.offer of offer_deleted and
// application.offer of hire_candidate.
type ghOffer struct {
	ID            flexString   `json:"id"`
	ApplicationID flexString   `json:"application_id"`
	JobID         flexString   `json:"job_id"`
	Version       flexString   `json:"version"`
	OfferStatus   string       `json:"offer_status"`
	SentOn        string       `json:"sent_on"`
	SentAt        string       `json:"sent_at"` // hire_candidate's example says sent_at, its table sent_on
	ResolvedAt    ghTime       `json:"resolved_at"`
	StartDate     string       `json:"start_date"` // offers: "MM/DD/YYYY"
	StartsAt      string       `json:"starts_at"`  // hire_candidate: "YYYY-MM-DD"
	CreatedAt     ghTime       `json:"created_at"`
	UpdatedAt     ghTime       `json:"updated_at"`
	CustomFields  customFields `json:"custom_fields"`
}

// customField is one entry of a custom_fields object: {name, type, value} plus, on
// compensation fields, frequency.
type customField struct {
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
	Frequency string          `json:"frequency"`
}

// customFields accepts the keyed object webhooks send ({"key": {"name","type","value"}}), a
// plain {"key": value} map (Harvest's custom_fields), and [] (sent for empty sets).
type customFields map[string]customField

func (c *customFields) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		if len(b) > 0 && (b[0] == '[' || string(b) == "null") {
			*c = nil
			return nil
		}
		return &json.UnmarshalTypeError{Value: "custom_fields", Type: typeCustomFields}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	out := make(customFields, len(m))
	for k, raw := range m {
		var probe map[string]json.RawMessage
		if json.Unmarshal(raw, &probe) == nil && (probe["type"] != nil || probe["value"] != nil || probe["name"] != nil) {
			var f customField
			if err := json.Unmarshal(raw, &f); err != nil {
				return fmt.Errorf("custom field %q: %w", k, err)
			}
			out[k] = f
			continue
		}
		out[k] = customField{Value: raw}
	}
	*c = out
	return nil
}

var typeCustomFields = reflect.TypeFor[customFields]()

// flexString is an identifier or other scalar Greenhouse sends as a JSON integer (ids), a
// string, or null. Numbers keep their literal base-10 text, so int64 ids never pass through a
// float.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(strings.TrimSpace(v))
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*s = flexString(b)
	default:
		return &json.UnmarshalTypeError{Value: kindOf(b), Type: typeFlexString}
	}
	return nil
}

var typeFlexString = reflect.TypeFor[flexString]()

// flexName is a name sent either as a string or as an object with a "name" (Harvest style);
// anything else reads as "".
type flexName string

func (s *flexName) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*s = ""
	switch {
	case len(b) == 0:
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexName(strings.TrimSpace(v))
	case b[0] == '{':
		var v struct {
			Name  json.RawMessage `json:"name"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		for _, raw := range []json.RawMessage{v.Name, v.Value} {
			var name string
			if json.Unmarshal(raw, &name) == nil && strings.TrimSpace(name) != "" {
				*s = flexName(strings.TrimSpace(name))
				break
			}
		}
	}
	return nil
}

// ghTime is an ATS timestamp. It never fails to decode: null, "", a non-string or an
// unparseable string all read as "absent", and the caller falls back to another timestamp.
type ghTime struct{ time.Time }

func (t *ghTime) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	var s string
	if json.Unmarshal(b, &s) == nil {
		t.Time, _ = parseTimestamp(s)
	}
	return nil
}

// timestampLayouts are tried in order; RFC 3339 with or without fraction comes first.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 MST",
	"2006-01-02 15:04:05.999999999",
}

// parseTimestamp reads an ATS timestamp, in UTC, truncated to milliseconds (the resolution of
// the Avro contract). A timestamp without zone is taken as UTC, as Greenhouse's are.
func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), true
		}
	}
	return time.Time{}, false
}

func kindOf(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "value"
}
