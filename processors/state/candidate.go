// Package state keeps projections of the canonical event log that several processors need:
// for now, what is known about each candidate (contact fields, job, offers, the accepted offer).
// A projection is a fold over distinct events: observing an event twice, or observing an older
// copy again after a restart, changes nothing, so a projection rebuilt from the log equals the
// one that was live.
package state

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// maxMergeHops bounds the walk through candidate merges (a → b → c), in case of a cycle.
const maxMergeHops = 16

// Candidate is what the log says about one candidate. Contact fields are in it: never log it.
type Candidate struct {
	CandidateID   string
	ApplicationID string // the application of the accepted offer, else the newest one seen
	FirstName     string
	LastName      string
	Emails        []schemas.Email
	// Job is the newest snapshot of the application's job (title, department, office, manager).
	Job *schemas.Job
	// Offers holds the newest terms of every offer, by offer id.
	Offers map[string]OfferState
	// AcceptedOfferID names the offer the candidate accepted (offer.accepted, or the offer of
	// candidate.hired); empty until then.
	AcceptedOfferID string
	AcceptedAt      time.Time
	Hired           bool
	Unhired         bool
	Deleted         bool
	Anonymized      bool
	// Events counts the distinct events folded in.
	Events int
}

// OfferState is the newest version of one offer and the event that said so.
type OfferState struct {
	Offer   schemas.Offer
	EventID string
	Type    schemas.EventType
	At      time.Time // occurred_at of that event
	Deleted bool
}

// AcceptedOffer returns the accepted offer's newest terms.
func (c *Candidate) AcceptedOffer() (OfferState, bool) {
	if c.AcceptedOfferID == "" {
		return OfferState{}, false
	}
	o, ok := c.Offers[c.AcceptedOfferID]
	return o, ok
}

// LatestOffer returns the offer with the highest version that is not deleted, the newest
// observed among equals.
func (c *Candidate) LatestOffer() (OfferState, bool) {
	var best OfferState
	found := false
	for _, id := range slices.Sorted(maps.Keys(c.Offers)) {
		o := c.Offers[id]
		if o.Deleted {
			continue
		}
		if !found || o.Offer.Version > best.Offer.Version || (o.Offer.Version == best.Offer.Version && o.At.After(best.At)) {
			best, found = o, true
		}
	}
	return best, found
}

func (c *Candidate) clone() Candidate {
	out := *c
	out.Emails = slices.Clone(c.Emails)
	if c.Job != nil {
		j := *c.Job
		out.Job = &j
	}
	out.Offers = make(map[string]OfferState, len(c.Offers))
	for k, v := range c.Offers {
		v.Offer.CustomFields = maps.Clone(v.Offer.CustomFields)
		if v.Offer.Salary != nil {
			m := *v.Offer.Salary
			v.Offer.Salary = &m
		}
		out.Offers[k] = v
	}
	return out
}

// Candidates is the per-candidate projection. It is safe for concurrent use.
type Candidates struct {
	mu     sync.Mutex
	byID   map[string]*Candidate
	seen   map[string]struct{} // event ids already folded in
	merges map[string]string   // merged-away candidate id → surviving id
}

// NewCandidates returns an empty projection.
func NewCandidates() *Candidates {
	return &Candidates{byID: map[string]*Candidate{}, seen: map[string]struct{}{}, merges: map[string]string{}}
}

// Len is the number of candidates known.
func (cs *Candidates) Len() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.byID)
}

// Get returns a copy of what is known about candidate id (following merges).
func (cs *Candidates) Get(id string) (Candidate, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.byID[cs.resolve(id)]
	if !ok {
		return Candidate{}, false
	}
	return c.clone(), true
}

func (cs *Candidates) resolve(id string) string {
	for i := 0; i < maxMergeHops; i++ {
		next, ok := cs.merges[id]
		if !ok {
			return id
		}
		id = next
	}
	return id
}

func (cs *Candidates) candidate(id string) *Candidate {
	c, ok := cs.byID[id]
	if !ok {
		c = &Candidate{CandidateID: id, Offers: map[string]OfferState{}}
		cs.byID[id] = c
	}
	return c
}

// Observe folds ev in. Events without a candidate id, from hirestream itself, or already seen
// are ignored.
func (cs *Candidates) Observe(ev schemas.Event) {
	if ev.CandidateID == "" || ev.SourceSystem == "hirestream" || ev.ID == "" {
		return
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if _, dup := cs.seen[ev.ID]; dup {
		return
	}
	cs.seen[ev.ID] = struct{}{}
	switch p := ev.Payload.(type) {
	case *schemas.ApplicationEvent:
		if p != nil {
			cs.applyApplication(ev, p)
		}
	case *schemas.CandidateEvent:
		if p != nil {
			cs.applyCandidate(ev, p)
		}
	}
}

func (cs *Candidates) applyApplication(ev schemas.Event, p *schemas.ApplicationEvent) {
	c := cs.candidate(cs.resolve(ev.CandidateID))
	c.Events++
	if p.Candidate != nil {
		setContact(c, p.Candidate)
	}
	if p.Job != nil && p.Job.JobID != "" {
		if c.Job == nil || c.Job.JobID != p.Job.JobID {
			j := *p.Job
			c.Job = &j
		} else {
			mergeJob(c.Job, p.Job)
		}
	}
	if ev.ApplicationID != "" && c.AcceptedOfferID == "" {
		c.ApplicationID = ev.ApplicationID
	}
	switch ev.Type {
	case schemas.TypeCandidateHired:
		c.Hired, c.Unhired = true, false
	case schemas.TypeCandidateUnhired:
		c.Hired, c.Unhired = false, true
	}
	if o := p.Offer; o != nil && o.OfferID != "" {
		cs.applyOffer(c, ev, o)
	}
}

// applyOffer keeps the newest terms of the offer: a higher version replaces a lower one; within
// one version, the later event in log order wins (an accepted offer corrected in place).
func (cs *Candidates) applyOffer(c *Candidate, ev schemas.Event, o *schemas.Offer) {
	cur, known := c.Offers[o.OfferID]
	if known && o.Version < cur.Offer.Version {
		return
	}
	next := OfferState{Offer: *o, EventID: ev.ID, Type: ev.Type, At: ev.OccurredAt}
	next.Offer.CustomFields = maps.Clone(o.CustomFields)
	if o.Salary != nil {
		m := *o.Salary
		next.Offer.Salary = &m
	}
	if known {
		// A partial payload (candidate.hired's offer has no status, a deletion has no terms)
		// keeps what the previous event said.
		fillOffer(&next.Offer, &cur.Offer)
	}
	next.Deleted = ev.Type == schemas.TypeOfferDeleted
	c.Offers[o.OfferID] = next
	switch ev.Type {
	case schemas.TypeOfferAccepted, schemas.TypeCandidateHired:
		if c.AcceptedOfferID != o.OfferID || ev.Type == schemas.TypeOfferAccepted {
			c.AcceptedAt = ev.OccurredAt
		}
		c.AcceptedOfferID = o.OfferID
		if ev.ApplicationID != "" {
			c.ApplicationID = ev.ApplicationID
		}
	case schemas.TypeOfferDeclined, schemas.TypeOfferDeleted:
		if c.AcceptedOfferID == o.OfferID && ev.Type == schemas.TypeOfferDeleted {
			c.AcceptedOfferID = ""
		}
	}
}

func fillOffer(dst, prev *schemas.Offer) {
	if dst.Status == "" {
		dst.Status = prev.Status
	}
	if dst.SentOn == nil {
		dst.SentOn = prev.SentOn
	}
	if dst.ResolvedAt == nil {
		dst.ResolvedAt = prev.ResolvedAt
	}
	if dst.StartDate == nil && dst.StartDateRaw == "" {
		dst.StartDate, dst.StartDateRaw = prev.StartDate, prev.StartDateRaw
	}
	if dst.Salary == nil && prev.Salary != nil {
		m := *prev.Salary
		dst.Salary = &m
	}
	for _, f := range []struct{ d, p *string }{
		{&dst.Title, &prev.Title}, {&dst.Department, &prev.Department}, {&dst.Location, &prev.Location},
		{&dst.Manager, &prev.Manager}, {&dst.EmploymentType, &prev.EmploymentType},
	} {
		if *f.d == "" {
			*f.d = *f.p
		}
	}
	if len(dst.CustomFields) == 0 && len(prev.CustomFields) > 0 {
		dst.CustomFields = maps.Clone(prev.CustomFields)
	}
}

func (cs *Candidates) applyCandidate(ev schemas.Event, p *schemas.CandidateEvent) {
	id := cs.resolve(ev.CandidateID)
	switch ev.Type {
	case schemas.TypeCandidateMerged:
		into := p.MergedIntoCandidateID
		if into == "" || into == id {
			return
		}
		cs.merges[id] = into
		from, ok := cs.byID[id]
		if !ok {
			return
		}
		to := cs.candidate(cs.resolve(into))
		mergeCandidate(to, from)
		delete(cs.byID, id)
		return
	}
	c := cs.candidate(id)
	c.Events++
	switch ev.Type {
	case schemas.TypeCandidateUpdated:
		if p.Candidate != nil {
			setContact(c, p.Candidate)
		}
	case schemas.TypeCandidateDeleted:
		c.Deleted = true
		c.FirstName, c.LastName, c.Emails = "", "", nil
	case schemas.TypeCandidateAnonymized:
		c.Anonymized = true
		c.FirstName, c.LastName, c.Emails = "", "", nil
	}
}

func setContact(c *Candidate, p *schemas.Candidate) {
	if p.FirstName != "" || p.LastName != "" {
		c.FirstName, c.LastName = p.FirstName, p.LastName
	}
	if len(p.Emails) > 0 {
		c.Emails = slices.Clone(p.Emails)
	}
}

// mergeCandidate folds from into to where to knows nothing yet.
func mergeCandidate(to, from *Candidate) {
	if to.FirstName == "" && to.LastName == "" {
		to.FirstName, to.LastName = from.FirstName, from.LastName
	}
	if len(to.Emails) == 0 {
		to.Emails = slices.Clone(from.Emails)
	}
	if to.Job == nil && from.Job != nil {
		j := *from.Job
		to.Job = &j
	}
	if to.ApplicationID == "" {
		to.ApplicationID = from.ApplicationID
	}
	for k, v := range from.Offers {
		if _, ok := to.Offers[k]; !ok {
			to.Offers[k] = v
		}
	}
	if to.AcceptedOfferID == "" && from.AcceptedOfferID != "" {
		to.AcceptedOfferID, to.AcceptedAt = from.AcceptedOfferID, from.AcceptedAt
	}
	to.Hired = to.Hired || from.Hired
	to.Events += from.Events
}

// mergeJob fills dst's empty fields from src and takes src's non-empty ones (src is newer).
func mergeJob(dst, src *schemas.Job) {
	for _, f := range []struct{ d, s *string }{
		{&dst.Title, &src.Title}, {&dst.RequisitionID, &src.RequisitionID}, {&dst.DepartmentID, &src.DepartmentID},
		{&dst.Department, &src.Department}, {&dst.OfficeID, &src.OfficeID}, {&dst.Office, &src.Office},
		{&dst.Location, &src.Location}, {&dst.HiringManagerID, &src.HiringManagerID}, {&dst.RecruiterID, &src.RecruiterID},
	} {
		if *f.s != "" {
			*f.d = *f.s
		}
	}
}
