package greenhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// Options configures the Normalizer.
type Options struct {
	// SalaryField is the key of the offer custom field that holds the base salary (a Greenhouse
	// "currency" field; keys are tenant-specific). Default: the first currency-typed custom
	// field, in key order, whose key contains "salary"; else the first currency-typed field.
	SalaryField string
}

// Normalizer turns raw Greenhouse deliveries (schemas.TypeDeliveryReceived) into canonical
// candidate events. It is a processor: the runtime calls Handle for each raw event and
// publishes what it returns, and replays ats.candidate-events.v1 through Observe on start-up.
// It is safe for concurrent use.
type Normalizer struct {
	opts Options
	mu   sync.Mutex
	st   *state
}

// NewNormalizer returns a Normalizer with an empty state.
func NewNormalizer(opts Options) *Normalizer {
	return &Normalizer{opts: opts, st: newState()}
}

// Name is the processor name (and consumer group).
func (*Normalizer) Name() string { return "greenhouse-normalizer" }

// Triggers lists the event types Handle reacts to: raw deliveries.
func (*Normalizer) Triggers() []schemas.EventType {
	return []schemas.EventType{schemas.TypeDeliveryReceived}
}

// Observe folds an already-normalised canonical event into the state; events from other source
// systems are ignored. Replaying the log through Observe rebuilds the state Handle had built.
func (n *Normalizer) Observe(ev schemas.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.st.apply(ev)
}

// Handle normalises one raw delivery. Deliveries from other source systems, and setup pings,
// give no events. Actions it does not know give one schemas.TypeUnrecognized event; they are
// never rejected. A body that is not a Greenhouse envelope, or a known action whose payload
// cannot be read, is a permanent error (schemas.Permanent): retrying cannot fix the bytes.
//
// Handle is idempotent in its ids: the same raw delivery (or a redelivery with the same
// Greenhouse-Event-ID) always yields the same event ids. It updates the state with the events
// it returns.
func (n *Normalizer) Handle(_ context.Context, raw schemas.Event) ([]schemas.Event, error) {
	if raw.Type != schemas.TypeDeliveryReceived || raw.SourceSystem != SourceSystem {
		return nil, nil
	}
	rd, ok := raw.Payload.(*schemas.RawDelivery)
	if !ok || rd == nil {
		return nil, schemas.Permanent(fmt.Errorf("raw delivery %s: payload %T is not *schemas.RawDelivery", raw.ID, raw.Payload))
	}
	env, err := decodeEnvelope(rd.Body)
	if err != nil {
		return nil, schemas.Permanent(fmt.Errorf("decode greenhouse delivery %s: %w", raw.ID, err))
	}
	action, err := actionOf(env)
	if err != nil {
		return nil, schemas.Permanent(fmt.Errorf("decode greenhouse delivery %s: %w", raw.ID, err))
	}
	if action == "ping" {
		return nil, nil
	}

	var p ghPayload
	var perr error
	if len(env.Payload) > 0 && string(bytes.TrimSpace(env.Payload)) != "null" {
		perr = json.Unmarshal(env.Payload, &p)
	}
	_, known := actionTypes[action]
	if perr != nil && known {
		return nil, schemas.Permanent(fmt.Errorf("decode greenhouse %s payload of delivery %s: %w", action, raw.ID, perr))
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	b := &builder{n: n, raw: raw, body: rd.Body, action: action}
	var ev schemas.Event
	switch family := actionTypes[action].family; {
	case !known:
		ev = b.unrecognized(&p)
	case family == familyApplication:
		ev, err = b.application(&p)
	case family == familyOffer:
		ev, err = b.offer(&p)
	default:
		ev, err = b.candidate(&p)
	}
	if err != nil {
		return nil, schemas.Permanent(fmt.Errorf("normalize greenhouse %s delivery %s: %w", action, raw.ID, err))
	}
	n.st.apply(ev)
	return []schemas.Event{ev}, nil
}

type family int

const (
	familyApplication family = iota
	familyOffer
	familyCandidate
)

type actionType struct {
	family family
	typ    schemas.EventType
}

// actionTypes maps Greenhouse actions to canonical types. offer_updated is refined by the
// offer's status (Accepted → offer.accepted, Rejected → offer.declined).
var actionTypes = map[string]actionType{
	"new_candidate_application": {familyApplication, schemas.TypeApplicationReceived},
	"new_prospect_application":  {familyApplication, schemas.TypeApplicationReceived},
	"candidate_stage_change":    {familyApplication, schemas.TypeStageChanged},
	"reject_candidate":          {familyApplication, schemas.TypeRejected},
	"unreject_candidate":        {familyApplication, schemas.TypeUnrejected},
	"hire_candidate":            {familyApplication, schemas.TypeCandidateHired},
	"unhire_candidate":          {familyApplication, schemas.TypeCandidateUnhired},
	"application_updated":       {familyApplication, schemas.TypeApplicationUpdated},
	"delete_application":        {familyApplication, schemas.TypeApplicationDeleted},
	"offer_created":             {familyOffer, schemas.TypeOfferCreated},
	"offer_approved":            {familyOffer, schemas.TypeOfferApproved},
	"offer_updated":             {familyOffer, schemas.TypeOfferUpdated},
	"offer_deleted":             {familyOffer, schemas.TypeOfferDeleted},
	"update_candidate":          {familyCandidate, schemas.TypeCandidateUpdated},
	"delete_candidate":          {familyCandidate, schemas.TypeCandidateDeleted},
	"merge_candidate":           {familyCandidate, schemas.TypeCandidateMerged},
	"candidate_anonymized":      {familyCandidate, schemas.TypeCandidateAnonymized},
}

// builder assembles the one event of a delivery. The caller holds n.mu.
type builder struct {
	n      *Normalizer
	raw    schemas.Event
	body   []byte
	action string
}

// identity is what makes a delivery unique when Greenhouse sent no Greenhouse-Event-ID: the
// action, the ids it is about, the stage, the ATS timestamp, and (offers) version, status and
// a digest of the offer's terms.
type identity struct {
	app, offer, candidate, stage string
	at                           time.Time // the ATS timestamp used as occurred_at; zero when none
	version, status, extra       string
}

// event fills the envelope: ids, times, causation, and the deterministic event_id.
func (b *builder) event(t schemas.EventType, occurred time.Time, id identity, candidateID, appID, jobID string, p schemas.Payload) schemas.Event {
	if occurred.IsZero() {
		occurred = b.raw.RecordedAt
	}
	if appID != "" {
		if candidateID == "" {
			candidateID = b.n.st.candidateOf(appID)
		}
		if jobID == "" {
			jobID = b.n.st.jobIDOf(appID)
		}
	}
	return schemas.Event{
		ID:            b.eventID(t, id),
		Type:          t,
		OccurredAt:    occurred,
		RecordedAt:    b.raw.RecordedAt,
		SourceSystem:  SourceSystem,
		SourceEventID: b.raw.SourceEventID,
		CandidateID:   candidateID,
		ApplicationID: appID,
		JobID:         jobID,
		CausationID:   b.raw.ID,
		Payload:       p,
	}
}

// eventID is DeriveID(greenhouse, <Greenhouse-Event-ID or payload identity>, type).
func (b *builder) eventID(t schemas.EventType, id identity) string {
	if b.raw.SourceEventID != "" {
		return schemas.DeriveID(SourceSystem, b.raw.SourceEventID, string(t))
	}
	at := ""
	if !id.at.IsZero() {
		at = id.at.Format(time.RFC3339Nano)
	}
	key := strings.Join([]string{"payload", b.action, "app=" + id.app, "offer=" + id.offer,
		"candidate=" + id.candidate, "stage=" + id.stage, "at=" + at, "v=" + id.version,
		"status=" + id.status, id.extra}, "|")
	return schemas.DeriveID(SourceSystem, key, string(t))
}

// firstTime returns the first non-zero timestamp.
func firstTime(ts ...ghTime) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t.Time
		}
	}
	return time.Time{}
}

func (b *builder) application(p *ghPayload) (schemas.Event, error) {
	app := p.Application
	if app == nil || app.ID == "" {
		return schemas.Event{}, fmt.Errorf("payload.application.id is missing")
	}
	t := actionTypes[b.action].typ
	appID := string(app.ID)
	candidateID := string(app.CandidateID)
	if app.Candidate != nil && app.Candidate.ID != "" {
		candidateID = string(app.Candidate.ID)
	}

	ae := &schemas.ApplicationEvent{
		Status:   strings.TrimSpace(app.Status),
		Prospect: app.Prospect,
	}
	if !app.AppliedAt.IsZero() {
		at := app.AppliedAt.Time
		ae.AppliedAt = &at
	}
	if st := app.CurrentStage; st != nil && (st.ID != "" || st.Name != "") {
		name := st.Name
		ae.StageTo, ae.StageToID = &name, string(st.ID)
	}
	ae.SourceChannel = ChannelUnknown
	ae.SourceID = string(app.SourceID)
	if s := app.Source; s != nil {
		ae.SourceName = strings.TrimSpace(s.Name)
		if ae.SourceName == "" {
			ae.SourceName = strings.TrimSpace(s.PublicName)
		}
		if s.ID != "" {
			ae.SourceID = string(s.ID)
		}
		ae.SourceChannel = sourceChannel(ae.SourceName, string(s.Type))
	}
	if r := app.RejectionReason; r != nil {
		ae.RejectionReason = strings.TrimSpace(r.Name)
		ae.RejectionType = strings.TrimSpace(string(r.Type))
	}
	ae.Candidate = contactOf(app.Candidate)
	ae.Job = jobOf(app)
	jobID := string(app.JobID)
	if ae.Job != nil {
		jobID = ae.Job.JobID
	}

	var occurred time.Time
	switch b.action {
	case "new_candidate_application", "new_prospect_application":
		var created ghTime
		if app.Candidate != nil {
			created = app.Candidate.CreatedAt
		}
		occurred = firstTime(app.AppliedAt, app.LastActivityAt, created)
	case "reject_candidate":
		occurred = firstTime(app.RejectedAt, app.LastActivityAt)
	case "hire_candidate":
		var resolved ghTime
		if app.Offer != nil {
			resolved = app.Offer.ResolvedAt
		}
		occurred = firstTime(resolved, app.LastActivityAt)
	case "delete_application":
		occurred = firstTime(app.UpdatedAt, app.LastActivityAt)
	default:
		occurred = firstTime(app.LastActivityAt)
	}
	at := occurred
	if at.IsZero() {
		at = b.raw.RecordedAt
	}

	id := identity{app: appID, candidate: candidateID, stage: ae.StageToID, at: occurred}
	if r := app.RejectionReason; r != nil && t == schemas.TypeRejected {
		id.extra = "rejection=" + string(r.ID)
	}

	if b.action == "hire_candidate" {
		// The hire payload has no hiring team: complete its job from what earlier events said.
		if known := b.n.st.jobSnapshot(appID, jobID); known != nil {
			if ae.Job == nil {
				ae.Job = known
			} else if known.JobID == ae.Job.JobID {
				mergeJob(ae.Job, known, false)
			}
		}
		if app.Offer != nil && app.Offer.ID != "" {
			ae.Offer = b.n.offerOf(app.Offer, ae.Job)
			id.offer, id.version = ae.Offer.OfferID, strconv.Itoa(int(ae.Offer.Version))
		}
	}
	if t == schemas.TypeStageChanged && ae.StageTo != nil {
		if from := b.n.st.stageBefore(appID, at, b.eventID(t, id), ae.StageToID, *ae.StageTo); from != nil {
			name := from.name
			ae.StageFrom, ae.StageFromID, ae.StageFromDerived = &name, from.id, true
		}
	}
	return b.event(t, occurred, id, candidateID, appID, jobID, ae), nil
}

// contactOf is the candidate's contact fields, or nil when the payload has none.
func contactOf(c *ghCandidate) *schemas.Candidate {
	if c == nil {
		return nil
	}
	out := &schemas.Candidate{FirstName: strings.TrimSpace(c.FirstName), LastName: strings.TrimSpace(c.LastName)}
	for _, e := range c.EmailAddresses {
		if addr := strings.TrimSpace(e.Value); addr != "" {
			out.Emails = append(out.Emails, schemas.Email{Address: addr, Kind: strings.ToLower(strings.TrimSpace(e.Type))})
		}
	}
	if out.FirstName == "" && out.LastName == "" && len(out.Emails) == 0 {
		return nil
	}
	return out
}

// jobOf is the application's job: jobs[0] ("candidates will have one job"), completed from the
// deprecated job object of hire_candidate; nil when there is none (prospects may have no job).
func jobOf(app *ghApplication) *schemas.Job {
	var j *schemas.Job
	if len(app.Jobs) > 0 && app.Jobs[0].ID != "" {
		j = jobFrom(&app.Jobs[0], app)
	}
	if app.Job != nil && app.Job.ID != "" {
		if legacy := jobFrom(app.Job, app); j == nil {
			j = legacy
		} else if legacy.JobID == j.JobID {
			mergeJob(j, legacy, false)
		}
	}
	return j
}

func jobFrom(g *ghJob, app *ghApplication) *schemas.Job {
	j := &schemas.Job{JobID: string(g.ID), Title: strings.TrimSpace(g.Name), RequisitionID: string(g.RequisitionID)}
	if len(g.Departments) > 0 {
		j.DepartmentID, j.Department = string(g.Departments[0].ID), strings.TrimSpace(g.Departments[0].Name)
	}
	if len(g.Offices) > 0 {
		o := g.Offices[0]
		j.OfficeID, j.Office, j.Location = string(o.ID), strings.TrimSpace(o.Name), string(o.Location)
	}
	if ht := g.HiringTeam; ht != nil {
		if m := pickUser(ht.HiringManagers); m != nil {
			j.HiringManagerID = m.userID()
		}
		if r := pickUser(ht.Recruiters); r != nil {
			j.RecruiterID = r.userID()
		}
	}
	if j.RecruiterID == "" && app.Candidate != nil && app.Candidate.Recruiter != nil {
		j.RecruiterID = app.Candidate.Recruiter.userID()
	}
	return j
}

// pickUser is the responsible member of a hiring-team role, else its first member.
func pickUser(us []ghUser) *ghUser {
	for i := range us {
		if us[i].Responsible && us[i].userID() != "" {
			return &us[i]
		}
	}
	for i := range us {
		if us[i].userID() != "" {
			return &us[i]
		}
	}
	return nil
}

func (b *builder) offer(p *ghPayload) (schemas.Event, error) {
	o := &p.ghOffer
	if b.action == "offer_deleted" || o.ID == "" {
		if p.Offer != nil && p.Offer.ID != "" {
			o = p.Offer
		}
	}
	if o.ID == "" {
		return schemas.Event{}, fmt.Errorf("offer id is missing (payload.id, or payload.offer.id for offer_deleted)")
	}
	t := actionTypes[b.action].typ
	status := strings.TrimSpace(o.OfferStatus)
	if b.action == "offer_updated" {
		switch {
		case strings.EqualFold(status, "Accepted"):
			t = schemas.TypeOfferAccepted
		case strings.EqualFold(status, "Rejected"):
			t = schemas.TypeOfferDeclined
		}
	}
	appID, jobID := string(o.ApplicationID), string(o.JobID)
	if jobID == "" {
		jobID = b.n.st.jobIDOf(appID)
	}
	job := b.n.st.jobSnapshot(appID, jobID)
	ae := &schemas.ApplicationEvent{Job: job, Offer: b.n.offerOf(o, job)}

	var occurred time.Time
	switch {
	case t == schemas.TypeOfferAccepted || t == schemas.TypeOfferDeclined:
		occurred = firstTime(o.ResolvedAt, o.UpdatedAt)
	case b.action == "offer_created":
		occurred = firstTime(o.CreatedAt, o.UpdatedAt)
	case b.action == "offer_deleted":
		// The offer's own timestamps predate the deletion: use the capture time.
	default:
		occurred = firstTime(o.UpdatedAt)
	}
	id := identity{app: appID, offer: ae.Offer.OfferID, at: occurred,
		version: strconv.Itoa(int(ae.Offer.Version)), status: status, extra: offerTerms(ae.Offer)}
	return b.event(t, occurred, id, "", appID, jobID, ae), nil
}

// offerTerms is a digest of what the ATS said about an offer (not what the state added), so
// two different updates of the same offer version get different ids without a delivery id.
func offerTerms(o *schemas.Offer) string {
	terms := struct {
		SentOn, ResolvedAt, Start, EmploymentType string
		Salary                                    *schemas.Money
		Custom                                    map[string]string
	}{Start: o.StartDateRaw, EmploymentType: o.EmploymentType, Salary: o.Salary, Custom: o.CustomFields}
	if o.SentOn != nil {
		terms.SentOn = *o.SentOn
	}
	if o.ResolvedAt != nil {
		terms.ResolvedAt = o.ResolvedAt.Format(time.RFC3339Nano)
	}
	j, _ := json.Marshal(terms) // plain strings, ints and a map: cannot fail; maps marshal sorted
	return "terms=" + schemas.DeriveID(string(j))
}

func (b *builder) candidate(p *ghPayload) (schemas.Event, error) {
	t := actionTypes[b.action].typ
	ce := &schemas.CandidateEvent{}
	var candidateID string
	var occurred time.Time
	id := identity{}
	switch b.action {
	case "update_candidate":
		c := p.Candidate
		if c == nil || c.ID == "" {
			return schemas.Event{}, fmt.Errorf("payload.candidate.id is missing")
		}
		candidateID = string(c.ID)
		ce.Candidate = contactOf(c)
		occurred = firstTime(c.UpdatedAt)
	case "delete_candidate", "merge_candidate":
		person := p.Person
		if person == nil && p.Candidate != nil {
			person = &ghPerson{ghCandidate: *p.Candidate}
		}
		if person == nil || person.ID == "" {
			return schemas.Event{}, fmt.Errorf("payload.person.id is missing")
		}
		candidateID = string(person.ID)
		ids := person.DeletedApplicationIDs
		if len(ids) == 0 && b.action == "delete_candidate" {
			ids = person.ApplicationIDs
		}
		ce.ApplicationIDs = uniqueIDs(ids)
		if b.action == "merge_candidate" {
			if person.NewCandidateID == "" {
				return schemas.Event{}, fmt.Errorf("payload.person.new_candidate_id is missing")
			}
			ce.MergedIntoCandidateID = string(person.NewCandidateID)
			id.extra = "into=" + ce.MergedIntoCandidateID
		}
	case "candidate_anonymized":
		candidateID = string(p.CandidateID)
		if candidateID == "" && p.Candidate != nil {
			candidateID = string(p.Candidate.ID)
		}
		if candidateID == "" {
			return schemas.Event{}, fmt.Errorf("payload.candidate_id is missing")
		}
		for _, f := range p.AnonymizedFields {
			if f = strings.TrimSpace(f); f != "" {
				ce.AnonymizedFields = append(ce.AnonymizedFields, f)
			}
		}
		id.extra = "fields=" + strings.Join(ce.AnonymizedFields, ",")
	}
	id.candidate, id.at = candidateID, occurred
	return b.event(t, occurred, id, candidateID, "", "", ce), nil
}

func uniqueIDs(in []flexString) []string {
	var out []string
	seen := make(map[flexString]bool, len(in))
	for _, v := range in {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, string(v))
		}
	}
	return out
}

// unrecognized keeps a delivery whose action is not normalised, with whatever ids its payload
// names. The payload may not have decoded at all.
func (b *builder) unrecognized(p *ghPayload) schemas.Event {
	var candidateID, appID, jobID string
	pick := func(dst *string, vs ...flexString) {
		for _, v := range vs {
			if *dst == "" && v != "" {
				*dst = string(v)
			}
		}
	}
	if a := p.Application; a != nil {
		pick(&appID, a.ID)
		pick(&candidateID, a.CandidateID)
		if a.Candidate != nil {
			pick(&candidateID, a.Candidate.ID)
		}
		if len(a.Jobs) > 0 {
			pick(&jobID, a.Jobs[0].ID)
		}
		pick(&jobID, a.JobID)
	}
	if p.Candidate != nil {
		pick(&candidateID, p.Candidate.ID)
	}
	if p.Person != nil {
		pick(&candidateID, p.Person.ID)
	}
	pick(&candidateID, p.CandidateID)
	pick(&appID, p.ApplicationID)
	if p.Job != nil {
		pick(&jobID, p.Job.ID)
	}
	pick(&jobID, p.JobID)
	id := identity{app: appID, candidate: candidateID, extra: bodyDigest(b.body)}
	return b.event(schemas.TypeUnrecognized, time.Time{}, id, candidateID, appID, jobID,
		&schemas.Unrecognized{Action: b.action, RawEventID: b.raw.ID})
}
