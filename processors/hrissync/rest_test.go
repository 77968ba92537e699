package hrissync

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// fakeREST is a small HiBob-like HRIS: nested JSON people, search by external id.
type fakeREST struct {
	mu      sync.Mutex
	people  map[string]map[string]any
	next    int
	auth    string
	corrupt bool // store work.title changed
}

func (f *fakeREST) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth = r.Header.Get("Authorization")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/people":
		var p map[string]any
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f.next++
		id := strconv.Itoa(f.next)
		if f.corrupt {
			p["work"].(map[string]any)["title"] = "Intern"
		}
		f.people[id] = p
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"employee": map[string]any{"id": id}})
	case r.Method == http.MethodGet && r.URL.Path == "/v1/people":
		var out []any
		for id, p := range f.people {
			cp := map[string]any{"employee": map[string]any{"id": id}}
			for k, v := range p {
				cp[k] = v
			}
			out = append(out, cp) // ignores the ext filter on purpose: the client must not trust it

		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"people": out}})
	case strings.HasPrefix(r.URL.Path, "/v1/people/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1/people/")
		p, ok := f.people[id]
		if !ok {
			http.Error(w, "no such person", 404)
			return
		}
		if r.Method == http.MethodPatch {
			var upd map[string]any
			_ = json.NewDecoder(r.Body).Decode(&upd)
			merge(p, upd)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_ = json.NewEncoder(w).Encode(p)
	default:
		http.Error(w, "unknown", 404)
	}
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			dm, ok := dst[k].(map[string]any)
			if !ok {
				dm = map[string]any{}
				dst[k] = dm
			}
			merge(dm, sm)
			continue
		}
		dst[k] = v
	}
}

const restMapping = `{
  "target": "rest",
  "key_field": "ext",
  "rest": {"name": "hibob", "url": "%URL%/v1", "create_path": "/people", "employee_path": "/people/{id}",
           "search_path": "/people?ext={key}", "id_field": "employee.id", "results_field": "data.people"},
  "validation": {"start_date_field": "work.startDate", "salary_field": "payroll.salary"},
  "fields": [
    {"hris": "firstName", "source": "candidate.first_name", "transform": {"type": "name"}, "required": true},
    {"hris": "surname", "source": "candidate.last_name", "transform": {"type": "name"}, "required": true},
    {"hris": "work.title", "source": "offer.title", "required": true},
    {"hris": "work.startDate", "source": "offer.start_date_raw", "transform": {"type": "date", "formats": ["MM/DD/YYYY", "YYYY-MM-DD"]}, "required": true},
    {"hris": "payroll.salary", "source": "offer.salary", "transform": {"type": "money", "format": "amount"}, "required": true},
    {"hris": "payroll.currency", "source": "offer.salary.currency", "required": true}
  ]
}`

func TestREST_ProcessorAgainstAGenericTarget(t *testing.T) {
	t.Parallel()
	fake := &fakeREST{people: map[string]map[string]any{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	m, err := ParseMapping("rest.json", []byte(strings.ReplaceAll(restMapping, "%URL%", srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewREST(m.REST, m.KeyField, "s3cret", 2*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := New(Config{Mapping: m, HRIS: c, Now: func() time.Time { return today }})
	f := &fixture{t: t, p: p}
	f.p.Observe(applied())
	outs := f.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
	if s := syncOf(t, outs[0]); s.Target != "hibob" || s.EmployeeID != "1" {
		t.Fatalf("outcome %+v", s)
	}
	got := fake.people["1"]
	js, _ := json.Marshal(got)
	want := `{"ext":"610033452","firstName":"Zoë","payroll":{"currency":"EUR","salary":"103000.00"},"surname":"Ngata-Øvergaard","work":{"startDate":"2026-05-04","title":"Senior Backend Engineer (Go)"}}`
	if string(js) != want {
		t.Fatalf("stored\n%s\nwant\n%s", js, want)
	}
	if fake.auth != "Bearer s3cret" {
		t.Fatalf("auth header %q", fake.auth)
	}
	// A salary correction is a PATCH of the one field; the search ignores its filter, the client does not.
	fake.people["9"] = map[string]any{"ext": "someone-else"}
	outs = f.mustHandle(acceptedEv("fix", 10450000, "05/04/2026"), schemas.TypeHRISSyncSucceeded)
	if d := syncOf(t, outs[0]).Diff; len(d) != 1 || d[0].Field != "payroll.salary" || d[0].Expected != "104500.00" || d[0].Actual != "103000.00" {
		t.Fatalf("diff %+v", d)
	}
	if len(fake.people) != 2 {
		t.Fatalf("%d people", len(fake.people))
	}

	// Read-back catches a target that stores something else.
	fake2 := &fakeREST{people: map[string]map[string]any{}, corrupt: true}
	srv2 := httptest.NewServer(fake2)
	defer srv2.Close()
	m2, _ := ParseMapping("rest.json", []byte(strings.ReplaceAll(restMapping, "%URL%", srv2.URL)))
	c2, _ := NewREST(m2.REST, m2.KeyField, "", time.Second, nil)
	p2, _ := New(Config{Mapping: m2, HRIS: c2, Now: func() time.Time { return today }})
	f2 := &fixture{t: t, p: p2}
	f2.p.Observe(applied())
	outs = f2.mustHandle(acceptedEv("acc", 10300000, "05/04/2026"), schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised)
	if d := syncOf(t, outs[0]).Diff; len(d) != 1 || d[0].Field != "work.title" || d[0].Actual != "Intern" {
		t.Fatalf("diff %+v", d)
	}
}

func TestREST_Errors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy/employees":
			w.Header().Set("Retry-After", "3")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/bad/employees":
			http.Error(w, "email invalid", http.StatusUnprocessableEntity)
		default:
			http.Error(w, "boom", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	mk := func(base string) *REST {
		c, _ := NewREST(&RESTTarget{Name: "x", URL: srv.URL + base, CreatePath: "/employees", EmployeePath: "/employees/{id}",
			SearchPath: "/employees?k={key}", UpdateMethod: "PATCH", IDField: "id", AuthHeader: "Authorization"}, "k", "", time.Second, nil)
		return c
	}
	ctx := context.Background()
	if _, err := mk("/busy").Create(ctx, Record{"a": "b"}); !Temporary(err) || RetryAfter(err) != 3*time.Second {
		t.Fatalf("429: %v", err)
	}
	if _, err := mk("/bad").Create(ctx, Record{"a": "b"}); Temporary(err) || !strings.Contains(err.Error(), "email invalid") {
		t.Fatalf("422: %v", err)
	}
	if _, err := mk("/x").Find(ctx, "1"); !Temporary(err) {
		t.Fatalf("502: %v", err)
	}
}
