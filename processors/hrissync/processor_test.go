package hrissync

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/emulate/bamboohr"
	"github.com/hirestream/hirestream/schemas"
)

const candID = "610033452"

type fixture struct {
	t   *testing.T
	emu *bamboohr.Server
	c   *BambooHR
	p   *Processor
}

func newFixture(t *testing.T, ecfg bamboohr.Config) *fixture {
	t.Helper()
	emu, c := newEmulator(t, ecfg)
	p, err := New(Config{Mapping: exampleMapping(t), HRIS: c, Owner: "Dana Whitfield", MaxAttempts: 3, MaxElapsed: time.Minute,
		RetryAfterMax: 10 * time.Millisecond, Now: func() time.Time { return today }})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, emu: emu, c: c, p: p}
}

var seq int

func gh(id string, typ schemas.EventType, p *schemas.ApplicationEvent) schemas.Event {
	at := time.Date(2026, 4, 20, 10, 0, 0, 0, time.UTC)
	return schemas.Event{ID: id, Type: typ, OccurredAt: at, RecordedAt: at, SourceSystem: "greenhouse",
		CandidateID: candID, ApplicationID: "880014231", JobID: "4410087", Payload: p}
}

func ghJob() *schemas.Job {
	return &schemas.Job{JobID: "4410087", Title: "Senior Backend Engineer (Go)", DepartmentID: "310", Department: "Platform Engineering",
		OfficeID: "22", Office: "Berlin", Location: "Berlin, Germany", HiringManagerID: "5701"}
}

func ghOffer(salary int64, startRaw string) *schemas.Offer {
	d, _ := time.Parse("01/02/2006", startRaw)
	iso := d.Format(time.DateOnly)
	return &schemas.Offer{OfferID: "3300902", Version: 2, Status: "Accepted", StartDate: &iso, StartDateRaw: startRaw,
		Salary: &schemas.Money{AmountMinor: salary, Currency: "EUR", PayPeriod: "annual"}, Title: "Senior Backend Engineer (Go)",
		Department: "Platform Engineering", Location: "Berlin, Germany", Manager: "5701", EmploymentType: "Full-time"}
}

func applied() schemas.Event {
	return gh("app", schemas.TypeApplicationReceived, &schemas.ApplicationEvent{Job: ghJob(),
		Candidate: &schemas.Candidate{FirstName: "Zoë", LastName: "Ngata-Øvergaard", Emails: []schemas.Email{{Address: "zoe.n@mail.example", Kind: "personal"}}}})
}

func acceptedEv(id string, salary int64, startRaw string) schemas.Event {
	return gh(id, schemas.TypeOfferAccepted, &schemas.ApplicationEvent{Job: ghJob(), Offer: ghOffer(salary, startRaw)})
}

func hiredEv() schemas.Event {
	o := ghOffer(10300000, "05/04/2026")
	o.Status, o.StartDateRaw = "", "2026-05-04"
	return gh("hired", schemas.TypeCandidateHired, &schemas.ApplicationEvent{Job: ghJob(), Offer: o,
		Candidate: &schemas.Candidate{FirstName: "Zoë", LastName: "Ngata-Øvergaard"}})
}

// handle observes ev (as the runtime does) and handles it.
func (f *fixture) handle(ev schemas.Event) ([]schemas.Event, error) {
	f.t.Helper()
	f.p.Observe(ev)
	return f.p.Handle(context.Background(), ev)
}

func (f *fixture) mustHandle(ev schemas.Event, types ...schemas.EventType) []schemas.Event {
	f.t.Helper()
	outs, err := f.handle(ev)
	if err != nil {
		f.t.Fatalf("Handle(%s): %v", ev.Type, err)
	}
	var got []schemas.EventType
	for _, o := range outs {
		got = append(got, o.Type)
	}
	if !reflect.DeepEqual(got, types) {
		f.t.Fatalf("Handle(%s) gave %v, want %v\n%s", ev.Type, got, types, describe(outs))
	}
	for _, o := range outs {
		if o.CandidateID != candID || o.CausationID != ev.ID || o.SourceSystem != "hirestream" {
			f.t.Fatalf("outcome %s lost the candidate key or causation: %+v", o.Type, o)
		}
	}
	return outs
}

func describe(evs []schemas.Event) string {
	var b strings.Builder
	for _, e := range evs {
		switch p := e.Payload.(type) {
		case *schemas.HRISSync:
			b.WriteString(string(e.Type) + ": " + p.Error + "\n")
		case *schemas.Alert:
			b.WriteString(string(e.Type) + ": " + p.Summary + "\n")
		}
	}
	return b.String()
}

// hires are the employees the sync created (the seeded manager excluded).
func (f *fixture) hires() []bamboohr.Employee {
	var out []bamboohr.Employee
	for _, e := range f.emu.Employees() {
		if e.Fields["customAtsCandidateId"] != "" {
			out = append(out, e)
		}
	}
	return out
}

func syncOf(t *testing.T, ev schemas.Event) *schemas.HRISSync {
	t.Helper()
	s, ok := ev.Payload.(*schemas.HRISSync)
	if !ok {
		t.Fatalf("%s payload %T", ev.Type, ev.Payload)
	}
	return s
}

func alertOf(t *testing.T, ev schemas.Event) *schemas.Alert {
	t.Helper()
	a, ok := ev.Payload.(*schemas.Alert)
	if !ok {
		t.Fatalf("%s payload %T", ev.Type, ev.Payload)
	}
	return a
}

func TestProcessor_Handle(t *testing.T) {
	t.Parallel()

	t.Run("creates_and_verifies_every_field", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		s := syncOf(t, outs[0])
		if s.Target != "bamboohr" || s.EmployeeID == "" || s.Attempts != 1 || len(s.Diff) != 0 || s.Error != "" {
			t.Fatalf("outcome %+v", s)
		}
		hs := f.hires()
		if len(hs) != 1 {
			t.Fatalf("%d employees, want 1", len(hs))
		}
		e := hs[0]
		want := map[string]string{"firstName": "Zoë", "lastName": "Ngata-Øvergaard", "workEmail": "zoe.ngataovergaard@acme.example",
			"hireDate": "2026-05-04", "employmentHistoryStatus": "Full-Time", "customAtsCandidateId": candID}
		for k, v := range want {
			if e.Fields[k] != v {
				t.Errorf("%s = %q, want %q", k, e.Fields[k], v)
			}
		}
		j, c := e.JobInfo[0], e.Compensation[0]
		if j["jobTitle"] != "Senior Backend Engineer (Go)" || j["department"] != "Engineering - Platform" || j["location"] != "DE - Berlin" ||
			j["reportsTo"] != "101" || j["date"] != "2026-05-04" {
			t.Errorf("jobInfo %v", j)
		}
		if c["rate.value"] != "103000.00" || c["rate.currency"] != "EUR" || c["type"] != "Salary" || c["paidPer"] != "Year" || c["startDate"] != "2026-05-04" {
			t.Errorf("compensation %v", c)
		}
	})

	t.Run("hire_after_acceptance_and_redelivery_create_no_duplicate", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		first := f.mustHandle(acc, schemas.TypeHRISSyncSucceeded)
		again := f.mustHandle(acc, schemas.TypeHRISSyncSucceeded)
		if first[0].ID != again[0].ID {
			t.Fatalf("re-handling gave a new outcome id %s != %s", again[0].ID, first[0].ID)
		}
		hired := f.mustHandle(hiredEv(), schemas.TypeHRISSyncSucceeded)
		if s := syncOf(t, hired[0]); s.EmployeeID != syncOf(t, first[0]).EmployeeID || len(s.Diff) != 0 {
			t.Fatalf("hire sync %+v", s)
		}
		if n := len(f.hires()); n != 1 || f.emu.Stats().Creates != 1 {
			t.Fatalf("%d employees, %d creates; want 1 and 1", n, f.emu.Stats().Creates)
		}
	})

	t.Run("corrected_salary_resyncs_with_before_and_after", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		// The recruiter fixes the salary of the accepted offer in Greenhouse.
		outs := f.mustHandle(acceptedEv("acc-fix", 10450000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		d := syncOf(t, outs[0]).Diff
		if len(d) != 1 || d[0] != (schemas.FieldDiff{Field: "compensation.rate", Expected: "104500.00 EUR", Actual: "103000.00 EUR"}) {
			t.Fatalf("diff %+v", d)
		}
		hs := f.hires()
		if len(hs) != 1 || len(hs[0].Compensation) != 1 || hs[0].Compensation[0]["rate.value"] != "104500.00" {
			t.Fatalf("employees %+v", hs)
		}
	})

	t.Run("start_date_moved_by_offer_update", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		upd := gh("upd", schemas.TypeOfferUpdated, &schemas.ApplicationEvent{Job: ghJob(), Offer: ghOffer(10300000, "05/11/2026")})
		outs := f.mustHandle(upd, schemas.TypeHRISSyncSucceeded)
		var fields []string
		for _, d := range syncOf(t, outs[0]).Diff {
			fields = append(fields, d.Field)
		}
		if strings.Join(fields, ",") != "hireDate" {
			t.Fatalf("changed %v, want hireDate", fields)
		}
		got, _ := f.c.Get(context.Background(), syncOf(t, outs[0]).EmployeeID, []string{"hireDate", "jobInfo.jobTitle", "compensation.rate"})
		if got["hireDate"] != "2026-05-11" || got["compensation.rate"] != "103000.00 EUR" {
			t.Fatalf("after the move: %v", got)
		}
	})

	t.Run("offer_events_that_are_not_the_accepted_offer_are_ignored", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		draft := ghOffer(9000000, "05/04/2026")
		draft.OfferID, draft.Status = "3300800", "Created"
		f.mustHandle(gh("draft", schemas.TypeOfferCreated, &schemas.ApplicationEvent{Job: ghJob(), Offer: draft})) // before acceptance
		f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		other := ghOffer(11000000, "05/04/2026")
		other.OfferID, other.Version, other.Status = "3300999", 3, "Created"
		f.mustHandle(gh("v3", schemas.TypeOfferCreated, &schemas.ApplicationEvent{Job: ghJob(), Offer: other})) // not accepted (yet)
		// A change to the accepted offer from before the acceptance (history read by a new
		// consumer group, whose projection already knows the acceptance) is not a re-sync.
		early := gh("early", schemas.TypeOfferApproved, &schemas.ApplicationEvent{Job: ghJob(), Offer: ghOffer(10300000, "05/04/2026")})
		early.OccurredAt = early.OccurredAt.Add(-time.Hour)
		f.mustHandle(early)
		if hs := f.hires(); len(hs) != 1 || hs[0].Compensation[0]["rate.value"] != "103000.00" {
			t.Fatalf("employees %+v", hs)
		}
	})

	t.Run("invalid_record_is_not_written", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "04/01/2026"),
			schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised, schemas.TypeReviewNeeded)
		if f.emu.Stats().Requests != 0 {
			t.Fatalf("the HRIS was called %d times for an invalid record", f.emu.Stats().Requests)
		}
		s := syncOf(t, outs[0])
		if !strings.Contains(s.Error, "hireDate: start date 2026-04-01 is in the past") || len(s.Diff) != 1 || s.Diff[0].Field != "hireDate" {
			t.Fatalf("failed outcome %+v", s)
		}
		a := alertOf(t, outs[1])
		if a.Automation != "hris-sync" || a.Owner != "Dana Whitfield" || a.Field != "hireDate" ||
			!strings.Contains(a.Summary, "Zoë Ngata-Øvergaard (candidate 610033452, application 880014231, offer 3300902 v2)") ||
			!strings.Contains(a.Action, "Nothing was written") {
			t.Fatalf("alert %+v", a)
		}
		if strings.Contains(a.Summary+a.Action, "103000") || strings.Contains(a.Summary+a.Action, "mail.example") {
			t.Fatalf("alert carries salary or email: %+v", a)
		}
		if r := alertOf(t, outs[2]); r.Field != "hireDate" {
			t.Fatalf("review %+v", r)
		}
	})

	t.Run("the_same_problem_is_alerted_once_per_candidate", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		f.mustHandle(acceptedEv("acc", 10300000, "04/01/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised, schemas.TypeReviewNeeded)
		// The hire event meets the same past start date: recorded, not alerted again.
		hired := hiredEv()
		hired.Payload.(*schemas.ApplicationEvent).Offer.StartDateRaw = "2026-04-01"
		f.mustHandle(hired, schemas.TypeHRISSyncFailed)
		// The recruiter fixes the start date: the sync goes through, and a later, different
		// problem is alerted again.
		f.mustHandle(acceptedEv("fix", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		f.emu.SetFaults(bamboohr.Faults{SilentChange: &bamboohr.SilentChange{Field: "rate", Count: 1}})
		f.mustHandle(acceptedEv("raise", 10400000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
	})

	t.Run("hris_owned_conflict_is_reviewed_once", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		if err := f.c.Update(context.Background(), syncOf(t, outs[0]).EmployeeID, Record{"workEmail": "zoe@acme.example"}, nil); err != nil {
			t.Fatal(err)
		}
		f.mustHandle(hiredEv(), schemas.TypeHRISSyncSucceeded, schemas.TypeReviewNeeded)
		f.mustHandle(acceptedEv("fix", 10450000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
	})

	t.Run("missing_lookup_names_the_field_and_the_table", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		ev := applied()
		ev.Payload.(*schemas.ApplicationEvent).Job.OfficeID = "99"
		f.p.Observe(ev)
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		acc.Payload.(*schemas.ApplicationEvent).Job.OfficeID = "99"
		outs := f.mustHandle(acc, schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised, schemas.TypeReviewNeeded)
		if a := alertOf(t, outs[1]); a.Field != "jobInfo.location" || !strings.Contains(a.Summary, `no entry for "99" in lookup table "locations"`) {
			t.Fatalf("alert %+v", a)
		}
	})

	t.Run("silent_change_is_caught_by_the_read_back_and_not_retried", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.emu.SetFaults(bamboohr.Faults{SilentChange: &bamboohr.SilentChange{Field: "rate", Count: 1}})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
		s := syncOf(t, outs[0])
		if len(s.Diff) != 1 || s.Diff[0] != (schemas.FieldDiff{Field: "compensation.rate", Expected: "103000.00 EUR", Actual: "130000.00 EUR"}) ||
			s.EmployeeID == "" || s.Attempts != 1 {
			t.Fatalf("failed outcome %+v", s)
		}
		a := alertOf(t, outs[1])
		if a.Severity != "critical" || a.Field != "compensation.rate" || !strings.Contains(a.Summary, "employee "+s.EmployeeID) ||
			strings.Contains(a.Summary+a.Action, "130000") {
			t.Fatalf("alert %+v", a)
		}
	})

	t.Run("transient_errors_retry_then_fail_with_an_alert_before_the_DLQ", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.emu.SetFaults(bamboohr.Faults{ErrorRate: 1})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		for i := 1; i < 3; i++ {
			if _, err := f.handle(acc); err == nil || !Temporary(errors.Unwrap(err)) && !strings.Contains(err.Error(), "HTTP 5") {
				t.Fatalf("attempt %d: %v; want a temporary error for the runtime to retry", i, err)
			}
		}
		outs := f.mustHandle(acc, schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
		s := syncOf(t, outs[0])
		if s.Attempts != 3 || !strings.Contains(s.Error, "gave up after 3 attempts") {
			t.Fatalf("failed outcome %+v", s)
		}
		if a := alertOf(t, outs[1]); !strings.Contains(a.Summary, "still failing after 3 attempts") || !strings.Contains(a.Action, "never duplicates") {
			t.Fatalf("alert %+v", a)
		}
		if len(f.hires()) != 0 {
			t.Fatal("an employee exists")
		}
	})

	t.Run("elapsed_budget_ends_in_an_alert_too", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		now := today
		f.p.cfg.Now = func() time.Time { return now }
		f.p.cfg.MaxAttempts = 100
		f.emu.SetFaults(bamboohr.Faults{ErrorRate: 1})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		if _, err := f.handle(acc); err == nil {
			t.Fatal("first attempt did not fail")
		}
		now = now.Add(59 * time.Second) // MaxElapsed is 1m: one more failure would be dead-lettered
		f.mustHandle(acc, schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
	})

	t.Run("write_applied_but_answered_500_is_found_not_repeated", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.emu.SetFaults(bamboohr.Faults{CommitThenErrorRate: 1, WritesOnly: true})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		if _, err := f.handle(acc); err == nil {
			t.Fatal("first attempt did not fail")
		}
		f.emu.SetFaults(bamboohr.Faults{})
		outs := f.mustHandle(acc, schemas.TypeHRISSyncSucceeded)
		s := syncOf(t, outs[0])
		if s.Attempts != 2 || len(f.hires()) != 1 || f.emu.Stats().Creates != 1 {
			t.Fatalf("attempts %d, %d employees, %d creates", s.Attempts, len(f.hires()), f.emu.Stats().Creates)
		}
		// The rows the lost answer never let us write were added on the second attempt.
		if d := s.Diff; len(d) == 0 || d[0].Actual != "" {
			t.Fatalf("second attempt should record the fields it completed: %+v", d)
		}
		if e := f.hires()[0]; len(e.JobInfo) != 1 || len(e.Compensation) != 1 {
			t.Fatalf("rows: %+v", e)
		}
	})

	t.Run("timeout_with_unknown_outcome_is_found_not_repeated", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.c.hc.Timeout = 100 * time.Millisecond
		f.emu.SetFaults(bamboohr.Faults{TimeoutRate: 1, Timeout: bamboohr.Duration(time.Second), WritesOnly: true})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		if _, err := f.handle(acc); err == nil {
			t.Fatal("first attempt did not time out")
		}
		f.emu.SetFaults(bamboohr.Faults{})
		f.mustHandle(acc, schemas.TypeHRISSyncSucceeded)
		if len(f.hires()) != 1 || f.emu.Stats().Creates != 1 {
			t.Fatalf("%d employees, %d creates", len(f.hires()), f.emu.Stats().Creates)
		}
	})

	t.Run("hris_owned_field_is_reported_not_overwritten", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		id := syncOf(t, outs[0]).EmployeeID
		// IT changes the work email in BambooHR.
		if err := f.c.Update(context.Background(), id, Record{"workEmail": "zoe@acme.example"}, nil); err != nil {
			t.Fatal(err)
		}
		outs = f.mustHandle(hiredEv(), schemas.TypeHRISSyncSucceeded, schemas.TypeReviewNeeded)
		if d := syncOf(t, outs[0]).Diff; len(d) != 0 {
			t.Fatalf("changed %+v", d)
		}
		r := alertOf(t, outs[1])
		if r.Field != "workEmail" || !strings.Contains(r.Summary, "not overwritten") || strings.Contains(r.Summary, "@") && !strings.Contains(r.Summary, "employee") {
			t.Fatalf("review %+v", r)
		}
		if got := f.hires()[0].Fields["workEmail"]; got != "zoe@acme.example" {
			t.Fatalf("workEmail overwritten: %q", got)
		}
	})

	t.Run("ats_owned_field_changed_in_the_hris_is_restored_with_before_and_after", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
		id := syncOf(t, outs[0]).EmployeeID
		if err := f.c.Update(context.Background(), id, Record{"firstName": "Zoe"}, nil); err != nil {
			t.Fatal(err)
		}
		outs = f.mustHandle(hiredEv(), schemas.TypeHRISSyncSucceeded)
		d := syncOf(t, outs[0]).Diff
		if len(d) != 1 || d[0].Field != "firstName" || !strings.HasPrefix(d[0].Expected, "masked:") || d[0].Expected == d[0].Actual {
			t.Fatalf("diff %+v (personal values must be masked)", d)
		}
		if got := f.hires()[0].Fields["firstName"]; got != "Zoë" {
			t.Fatalf("firstName = %q", got)
		}
	})

	t.Run("duplicates_already_in_the_hris_stop_the_sync", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.emu.Seed(0, map[string]string{"firstName": "Zoë", "lastName": "N", "customAtsCandidateId": candID})
		f.emu.Seed(0, map[string]string{"firstName": "Zoë", "lastName": "N", "customAtsCandidateId": candID})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
		a := alertOf(t, outs[1])
		if a.Field != "customAtsCandidateId" || !strings.Contains(a.Action, "Merge or delete the duplicate employees 102, 103") {
			t.Fatalf("alert %+v", a)
		}
	})

	t.Run("employee_limit_fails_at_once", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{EmployeeLimit: 1})
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
		if a := alertOf(t, outs[1]); !strings.Contains(a.Action, "employee limit") {
			t.Fatalf("alert %+v", a)
		}
	})

	t.Run("manager_unknown_to_the_hris_names_the_field", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		acc.Payload.(*schemas.ApplicationEvent).Offer.Manager = "5702" // maps to 102, not seeded
		outs := f.mustHandle(acc, schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
		a := alertOf(t, outs[1])
		if a.Field != "jobInfo.reportsTo" || !strings.Contains(a.Summary, "exists but create failed") {
			t.Fatalf("alert %+v", a)
		}
	})

	t.Run("a_panic_still_ends_in_an_alert", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		m := *f.p.m
		m.Location = nil // time.Date panics on a nil location: a stand-in for any bug
		f.p.m = &m
		f.p.Observe(applied())
		outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
		if s := syncOf(t, outs[0]); !strings.HasPrefix(s.Error, "internal error") || s.Target != "bamboohr" {
			t.Fatalf("outcome %+v", s)
		}
	})

	t.Run("throttling_is_retried", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		f.emu.SetFaults(bamboohr.Faults{ThrottleRate: 1, RetryAfterSeconds: 3})
		f.p.Observe(applied())
		acc := acceptedEv("acc", 10300000, "05/04/2026")
		if _, err := f.handle(acc); err == nil || RetryAfter(err) != 3*time.Second {
			t.Fatalf("throttled attempt: %v", err)
		}
		f.emu.SetFaults(bamboohr.Faults{})
		f.mustHandle(acc, schemas.TypeHRISSyncSucceeded)
	})

	t.Run("unknown_or_deleted_candidates_are_skipped", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, bamboohr.Config{})
		outs, err := f.p.Handle(context.Background(), acceptedEv("acc", 10300000, "05/04/2026")) // never observed
		if err != nil || outs != nil {
			t.Fatalf("unknown candidate: %v %v", outs, err)
		}
		f.p.Observe(applied())
		f.p.Observe(gh("del", schemas.TypeCandidateDeleted, nil))
		del := schemas.Event{ID: "del2", Type: schemas.TypeCandidateDeleted, SourceSystem: "greenhouse", CandidateID: candID, Payload: &schemas.CandidateEvent{}}
		f.p.Observe(del)
		f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"))
	})
}

func TestProcessor_OutcomesEncode(t *testing.T) {
	t.Parallel()
	f := newFixture(t, bamboohr.Config{})
	f.emu.SetFaults(bamboohr.Faults{SilentChange: &bamboohr.SilentChange{Field: "rate", Count: 1}})
	f.p.Observe(applied())
	outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
	codec := schemas.MustCodec()
	for _, o := range outs {
		b, err := codec.Encode(o)
		if err != nil {
			t.Fatalf("encode %s: %v", o.Type, err)
		}
		back, err := codec.Decode(b)
		if err != nil || !reflect.DeepEqual(back.Payload, o.Payload) {
			t.Fatalf("round trip of %s: %v\n%+v\n%+v", o.Type, err, back.Payload, o.Payload)
		}
	}
}
