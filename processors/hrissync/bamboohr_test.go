package hrissync

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/emulate/bamboohr"
)

// newEmulator serves a seeded emulator (manager 101) and returns it with a client for it.
func newEmulator(t *testing.T, cfg bamboohr.Config) (*bamboohr.Server, *BambooHR) {
	t.Helper()
	emu := bamboohr.New(cfg)
	emu.Seed(101, map[string]string{"firstName": "Ingrid", "lastName": "Solberg", "employeeNumber": "E-0907", "workEmail": "ingrid.solberg@acme.example"})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := NewBambooHR(BambooHRConfig{URL: srv.URL, CompanyDomain: "acme", APIKey: "emulator-key", KeyField: "customAtsCandidateId", Timeout: 2 * time.Second,
		ReadBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

func hire() Record {
	return Record{
		"customAtsCandidateId": "610033452", "firstName": "Zoë", "lastName": "Ngata-Øvergaard",
		"workEmail": "zoe.ngataovergaard@acme.example", "hireDate": "2026-05-04", "employmentHistoryStatus": "Full-Time",
		"jobInfo.jobTitle": "Senior Backend Engineer (Go)", "jobInfo.department": "Engineering - Platform",
		"jobInfo.location": "DE - Berlin", "jobInfo.reportsTo": "101",
		"compensation.rate": "103000.00 EUR", "compensation.type": "Salary", "compensation.paidPer": "Year",
	}
}

func fieldsOf(r Record) []string {
	var out []string
	for k := range r {
		out = append(out, k)
	}
	return out
}

func TestBambooHR_CreateFindGetUpdate(t *testing.T) {
	t.Parallel()
	emu, c := newEmulator(t, bamboohr.Config{})
	ctx := context.Background()
	want := hire()

	ids, err := c.Find(ctx, "610033452")
	if err != nil || len(ids) != 0 {
		t.Fatalf("Find before create = %v, %v; want none", ids, err)
	}
	id, err := c.Create(ctx, want)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if ids, err := c.Find(ctx, "610033452"); err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("Find after create = %v, %v; want [%s]", ids, err, id)
	}
	got, err := c.Get(ctx, id, fieldsOf(want))
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("read back %s = %q, want %q", k, got[k], v)
		}
	}
	// The emulator stored the rate as BambooHR's currency object and the manager as an id.
	e := emu.Employees()[1]
	if r := e.Compensation[0]; r["rate.value"] != "103000.00" || r["rate.currency"] != "EUR" || r["startDate"] != "2026-05-04" {
		t.Fatalf("compensation row %v", r)
	}
	if j := e.JobInfo[0]; j["reportsTo"] != "101" || j["date"] != "2026-05-04" {
		t.Fatalf("jobInfo row %v", j)
	}

	// A corrected salary updates the row of the same effective date in place.
	want["compensation.rate"] = "104500.00 EUR"
	if err := c.Update(ctx, id, Record{"compensation.rate": "104500.00 EUR"}, want); err != nil {
		t.Fatalf("Update: %v", err)
	}
	got, err = c.Get(ctx, id, []string{"compensation.rate", "firstName"})
	if err != nil || got["compensation.rate"] != "104500.00 EUR" || got["firstName"] != "Zoë" {
		t.Fatalf("after update: %v, %v", got, err)
	}
	if n := len(emu.Employees()[1].Compensation); n != 1 {
		t.Fatalf("%d compensation rows after a correction, want 1 (updated in place)", n)
	}
	// A new start date adds a row; the newest row is what reads back (rows come unsorted).
	want["hireDate"] = "2026-05-11"
	if err := c.Update(ctx, id, Record{"hireDate": "2026-05-11", "jobInfo.jobTitle": "Staff Engineer"}, with(want, "jobInfo.jobTitle", "Staff Engineer")); err != nil {
		t.Fatal(err)
	}
	got, _ = c.Get(ctx, id, []string{"hireDate", "jobInfo.jobTitle", "jobInfo.reportsTo"})
	if got["hireDate"] != "2026-05-11" || got["jobInfo.jobTitle"] != "Staff Engineer" || got["jobInfo.reportsTo"] != "101" {
		t.Fatalf("after a new jobInfo row: %v", got)
	}
}

func with(r Record, k, v string) Record {
	out := Record{}
	for a, b := range r {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestBambooHR_Errors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("duplicate work email is a conflict", func(t *testing.T) {
		t.Parallel()
		_, c := newEmulator(t, bamboohr.Config{})
		if _, err := c.Create(ctx, hire()); err != nil {
			t.Fatal(err)
		}
		other := with(hire(), "customAtsCandidateId", "1")
		_, err := c.Create(ctx, other)
		if !errors.Is(err, ErrConflict) || Temporary(err) {
			t.Fatalf("second create with the same email: %v; want a permanent ErrConflict", err)
		}
		var he *Error
		if !errors.As(err, &he) || he.Message == "" {
			t.Fatalf("no X-BambooHR-Error-Message in %v", err)
		}
	})
	t.Run("429 on create is the employee limit, permanent", func(t *testing.T) {
		t.Parallel()
		_, c := newEmulator(t, bamboohr.Config{EmployeeLimit: 1})
		_, err := c.Create(ctx, hire())
		if !errors.Is(err, ErrLimit) || Temporary(err) {
			t.Fatalf("create over the limit: %v; want permanent ErrLimit", err)
		}
	})
	t.Run("503 throttling is temporary with Retry-After", func(t *testing.T) {
		t.Parallel()
		emu, c := newEmulator(t, bamboohr.Config{})
		emu.SetFaults(bamboohr.Faults{ThrottleRate: 1, RetryAfterSeconds: 7})
		_, err := c.Find(ctx, "1")
		if !Temporary(err) || RetryAfter(err) != 7*time.Second {
			t.Fatalf("throttled: %v (temporary %v, retry after %s)", err, Temporary(err), RetryAfter(err))
		}
	})
	t.Run("timeout is temporary and the write may have happened", func(t *testing.T) {
		t.Parallel()
		emu, c := newEmulator(t, bamboohr.Config{})
		c.hc.Timeout = 200 * time.Millisecond
		emu.SetFaults(bamboohr.Faults{TimeoutRate: 1, Timeout: bamboohr.Duration(2 * time.Second), WritesOnly: true})
		_, err := c.Create(ctx, hire())
		if !Temporary(err) {
			t.Fatalf("timed-out create: %v; want temporary", err)
		}
		emu.SetFaults(bamboohr.Faults{})
		if ids, err := c.Find(ctx, "610033452"); err != nil || len(ids) != 1 {
			t.Fatalf("Find after a timed-out create = %v, %v; want the employee the emulator did create", ids, err)
		}
	})
	t.Run("unknown manager is rejected", func(t *testing.T) {
		t.Parallel()
		_, c := newEmulator(t, bamboohr.Config{})
		id, err := c.Create(ctx, with(hire(), "jobInfo.reportsTo", "999"))
		if id == "" || err == nil || Temporary(err) {
			t.Fatalf("create with unknown manager: id %q, %v; want the employee id and a permanent error", id, err)
		}
	})
	t.Run("404 for an unknown employee", func(t *testing.T) {
		t.Parallel()
		_, c := newEmulator(t, bamboohr.Config{})
		if _, err := c.Get(ctx, "4242", []string{"firstName"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get unknown: %v", err)
		}
	})
	t.Run("wrong key is 401, permanent", func(t *testing.T) {
		t.Parallel()
		emu := bamboohr.New(bamboohr.Config{})
		srv := httptest.NewServer(emu)
		defer srv.Close()
		c, _ := NewBambooHR(BambooHRConfig{URL: srv.URL, CompanyDomain: "acme", APIKey: "wrong", KeyField: "customAtsCandidateId"})
		_, err := c.Find(ctx, "1")
		var he *Error
		if !errors.As(err, &he) || he.Status != 401 || Temporary(err) {
			t.Fatalf("wrong key: %v", err)
		}
	})
}

func TestNewBambooHR_Config(t *testing.T) {
	t.Parallel()
	for _, cfg := range []BambooHRConfig{
		{URL: "api.bamboohr.com", CompanyDomain: "acme", APIKey: "k", KeyField: "f"},
		{URL: "https://api.bamboohr.com", CompanyDomain: "", APIKey: "k", KeyField: "f"},
		{URL: "https://api.bamboohr.com", CompanyDomain: "acme", APIKey: "", KeyField: "f"},
		{URL: "https://api.bamboohr.com", CompanyDomain: "acme", APIKey: "k", KeyField: ""},
	} {
		if _, err := NewBambooHR(cfg); err == nil {
			t.Errorf("NewBambooHR(%+v) = nil error", cfg)
		}
	}
}

func TestBambooHR_ReadsAreRetriedWritesAreNot(t *testing.T) {
	t.Parallel()
	var gets, posts int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets++
			if gets <= 2 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			w.Write([]byte(`{"id":"7","firstName":"Zo\u00eb"}`))
			return
		}
		posts++
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	c, _ := NewBambooHR(BambooHRConfig{URL: srv.URL, CompanyDomain: "acme", APIKey: "k", KeyField: "customAtsCandidateId", ReadBackoff: time.Millisecond})
	got, err := c.Get(context.Background(), "7", []string{"firstName"})
	if err != nil || got["firstName"] != "Zoë" || gets != 3 {
		t.Fatalf("Get after two 502s = %v, %v (%d tries); want it on the third", got, err, gets)
	}
	if _, err := c.Create(context.Background(), hire()); !Temporary(err) || posts != 1 {
		t.Fatalf("create: %v after %d posts; want one post and a temporary error", err, posts)
	}
}
