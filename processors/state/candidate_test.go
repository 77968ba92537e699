package state

import (
	"reflect"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func ev(id string, typ schemas.EventType, at time.Time, p schemas.Payload) schemas.Event {
	return schemas.Event{ID: id, Type: typ, OccurredAt: at, RecordedAt: at, SourceSystem: "greenhouse",
		CandidateID: "c1", ApplicationID: "a1", JobID: "j1", Payload: p}
}

func job() *schemas.Job {
	return &schemas.Job{JobID: "j1", Title: "Engineer", DepartmentID: "310", Department: "Platform", OfficeID: "22", HiringManagerID: "5701"}
}

func offer(id string, v int32, status string, salary int64) *schemas.Offer {
	start := "2026-05-04"
	return &schemas.Offer{OfferID: id, Version: v, Status: status, StartDate: &start, StartDateRaw: "05/04/2026",
		Salary: &schemas.Money{AmountMinor: salary, Currency: "EUR", PayPeriod: "annual"}, Title: "Engineer", Manager: "5701"}
}

func history() []schemas.Event {
	return []schemas.Event{
		ev("e1", schemas.TypeApplicationReceived, t0, &schemas.ApplicationEvent{Job: job(),
			Candidate: &schemas.Candidate{FirstName: "Zoë", LastName: "Ngata", Emails: []schemas.Email{{Address: "z@mail.example", Kind: "personal"}}}}),
		ev("e2", schemas.TypeOfferCreated, t0.Add(time.Hour), &schemas.ApplicationEvent{Job: job(), Offer: offer("o1", 1, "Created", 9800000)}),
		ev("e3", schemas.TypeOfferCreated, t0.Add(2*time.Hour), &schemas.ApplicationEvent{Job: job(), Offer: offer("o2", 2, "Created", 10300000)}),
		ev("e4", schemas.TypeOfferAccepted, t0.Add(3*time.Hour), &schemas.ApplicationEvent{Job: job(), Offer: offer("o2", 2, "Accepted", 10300000)}),
	}
}

func TestCandidates_AcceptedOfferAndContact(t *testing.T) {
	t.Parallel()
	cs := NewCandidates()
	for _, e := range history() {
		cs.Observe(e)
	}
	c, ok := cs.Get("c1")
	if !ok {
		t.Fatal("candidate unknown")
	}
	if c.FirstName != "Zoë" || c.LastName != "Ngata" || len(c.Emails) != 1 || c.Job.HiringManagerID != "5701" {
		t.Fatalf("contact/job: %+v", c)
	}
	o, ok := c.AcceptedOffer()
	if !ok || o.Offer.OfferID != "o2" || o.Offer.Salary.AmountMinor != 10300000 || o.Offer.Status != "Accepted" {
		t.Fatalf("accepted offer = %+v, %v", o, ok)
	}
	// The hire's offer payload has no status; the accepted terms keep theirs.
	cs.Observe(ev("e5", schemas.TypeCandidateHired, t0.Add(4*time.Hour), &schemas.ApplicationEvent{Job: job(), Offer: func() *schemas.Offer {
		o := offer("o2", 2, "", 10300000)
		o.StartDateRaw = "2026-05-04"
		return o
	}()}))
	c, _ = cs.Get("c1")
	if o, _ := c.AcceptedOffer(); o.Offer.Status != "Accepted" || !c.Hired || o.Offer.StartDateRaw != "2026-05-04" {
		t.Fatalf("after hire: %+v hired=%v", o.Offer, c.Hired)
	}
}

func TestCandidates_CorrectionWinsAndReplayIsIdempotent(t *testing.T) {
	t.Parallel()
	evs := append(history(),
		// The accepted offer is corrected in place (same id and version, new salary).
		ev("e6", schemas.TypeOfferAccepted, t0.Add(5*time.Hour), &schemas.ApplicationEvent{Job: job(), Offer: offer("o2", 2, "Accepted", 10450000)}))
	live := NewCandidates()
	for _, e := range evs {
		live.Observe(e)
	}
	// After a restart the log is observed again, and the consumer re-delivers the tail: older
	// copies must not win over the correction.
	for _, e := range evs[2:] {
		live.Observe(e)
	}
	c, _ := live.Get("c1")
	if o, _ := c.AcceptedOffer(); o.Offer.Salary.AmountMinor != 10450000 {
		t.Fatalf("salary after correction and re-observation = %d, want 10450000", o.Offer.Salary.AmountMinor)
	}
	rebuilt := NewCandidates()
	for _, e := range evs {
		rebuilt.Observe(e)
	}
	a, _ := live.Get("c1")
	b, _ := rebuilt.Get("c1")
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("live state differs from rebuilt:\n%+v\n%+v", a, b)
	}
	// An older version never replaces a newer one.
	live.Observe(ev("e7", schemas.TypeOfferUpdated, t0.Add(6*time.Hour), &schemas.ApplicationEvent{Offer: offer("o2", 1, "Created", 1)}))
	c, _ = live.Get("c1")
	if o, _ := c.AcceptedOffer(); o.Offer.Version != 2 || o.Offer.Salary.AmountMinor != 10450000 {
		t.Fatalf("older version applied: %+v", o.Offer)
	}
}

func TestCandidates_GetReturnsACopy(t *testing.T) {
	t.Parallel()
	cs := NewCandidates()
	for _, e := range history() {
		cs.Observe(e)
	}
	c, _ := cs.Get("c1")
	c.Offers["o2"].Offer.Salary.AmountMinor = 1
	c.Job.Title = "changed"
	d, _ := cs.Get("c1")
	if d.Offers["o2"].Offer.Salary.AmountMinor != 10300000 || d.Job.Title != "Engineer" {
		t.Fatal("Get shares memory with the projection")
	}
}

func TestCandidates_MergeDeleteAndOutcomes(t *testing.T) {
	t.Parallel()
	cs := NewCandidates()
	for _, e := range history() {
		cs.Observe(e)
	}
	// hirestream's own outcomes are not candidate facts.
	cs.Observe(schemas.Event{ID: "x", Type: schemas.TypeHRISSyncSucceeded, CandidateID: "c1", SourceSystem: "hirestream", Payload: &schemas.HRISSync{}})
	merged := ev("m1", schemas.TypeCandidateMerged, t0.Add(7*time.Hour), &schemas.CandidateEvent{MergedIntoCandidateID: "c2"})
	cs.Observe(merged)
	if _, ok := cs.byID["c1"]; ok {
		t.Fatal("merged-away candidate still present")
	}
	c, ok := cs.Get("c1") // follows the merge
	if !ok || c.CandidateID != "c2" || c.AcceptedOfferID != "o2" {
		t.Fatalf("after merge: %+v %v", c, ok)
	}
	del := ev("d1", schemas.TypeCandidateDeleted, t0.Add(8*time.Hour), &schemas.CandidateEvent{})
	del.CandidateID = "c2"
	cs.Observe(del)
	c, _ = cs.Get("c2")
	if !c.Deleted || c.FirstName != "" || len(c.Emails) != 0 {
		t.Fatalf("after delete: %+v", c)
	}
}

func TestCandidate_LatestOffer(t *testing.T) {
	t.Parallel()
	cs := NewCandidates()
	for _, e := range history()[:3] {
		cs.Observe(e)
	}
	c, _ := cs.Get("c1")
	if o, ok := c.LatestOffer(); !ok || o.Offer.OfferID != "o2" {
		t.Fatalf("latest = %+v", o)
	}
	if _, ok := c.AcceptedOffer(); ok {
		t.Fatal("accepted before acceptance")
	}
	cs.Observe(ev("e9", schemas.TypeOfferDeleted, t0.Add(9*time.Hour), &schemas.ApplicationEvent{Offer: &schemas.Offer{OfferID: "o2", Version: 2}}))
	c, _ = cs.Get("c1")
	if o, _ := c.LatestOffer(); o.Offer.OfferID != "o1" {
		t.Fatalf("latest after deleting o2 = %s", o.Offer.OfferID)
	}
}
