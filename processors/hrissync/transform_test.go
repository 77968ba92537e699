package hrissync

import (
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/processors/state"
	"github.com/hirestream/hirestream/schemas"
)

func exampleMapping(t testing.TB) *Mapping {
	t.Helper()
	m, err := LoadMapping("../../deploy/hris/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTransforms(t *testing.T) {
	t.Parallel()
	dflt := "Other"
	m := &Mapping{Source: "m.json", Tables: map[string]map[string]string{
		"departments": {"310": "Engineering - Platform"},
		"periods":     {"": "Year", "annual": "Year", "hourly": "Hour"},
	}}
	cand := &state.Candidate{CandidateID: "610033452", FirstName: "Zoë", LastName: "Ngata-Øvergaard"}
	money := func(minor int64, cur string) input {
		return input{money: &schemas.Money{AmountMinor: minor, Currency: cur, PayPeriod: "annual"}}
	}
	cases := []struct {
		name    string
		tr      Transform
		in      input
		want    string
		wantErr string
	}{
		{"text trims and collapses", Transform{Type: "text", Case: "preserve"}, input{text: "  Senior   Backend\tEngineer "}, "Senior Backend Engineer", ""},
		{"name preserve", Transform{Type: "name", Case: "preserve"}, input{text: " McDonald "}, "McDonald", ""},
		{"name smart fixes all caps", Transform{Type: "name", Case: "smart"}, input{text: "ZOË NGATA-ØVERGAARD"}, "Zoë Ngata-Øvergaard", ""},
		{"name smart fixes all lower", Transform{Type: "name", Case: "smart"}, input{text: "o'neil"}, "O'Neil", ""},
		{"name smart keeps mixed case", Transform{Type: "name", Case: "smart"}, input{text: "McDonald"}, "McDonald", ""},
		{"name title", Transform{Type: "name", Case: "title"}, input{text: "ó briain"}, "Ó Briain", ""},
		{"name upper", Transform{Type: "name", Case: "upper"}, input{text: "zoë"}, "ZOË", ""},
		{"name lower", Transform{Type: "name", Case: "lower"}, input{text: "ZOË"}, "zoë", ""},
		{"name non-Latin untouched by smart", Transform{Type: "name", Case: "smart"}, input{text: " 李 "}, "李", ""},
		{"date MM/DD/YYYY to ISO", Transform{Type: "date", Formats: []string{"MM/DD/YYYY", "YYYY-MM-DD"}, Output: "YYYY-MM-DD"}, input{text: "05/04/2026"}, "2026-05-04", ""},
		{"date ISO through the second format", Transform{Type: "date", Formats: []string{"MM/DD/YYYY", "YYYY-MM-DD"}, Output: "YYYY-MM-DD"}, input{text: "2026-05-04"}, "2026-05-04", ""},
		{"date single-digit month and day", Transform{Type: "date", Formats: []string{"M/D/YYYY"}, Output: "YYYY-MM-DD"}, input{text: "5/4/2026"}, "2026-05-04", ""},
		{"date to a European output", Transform{Type: "date", Formats: []string{"MM/DD/YYYY"}, Output: "DD.MM.YYYY"}, input{text: "12/31/2026"}, "31.12.2026", ""},
		{"date that does not exist", Transform{Type: "date", Formats: []string{"MM/DD/YYYY"}, Output: "YYYY-MM-DD"}, input{text: "02/30/2026"}, "", `date "02/30/2026" matches none of the formats MM/DD/YYYY`},
		{"date in the wrong format", Transform{Type: "date", Formats: []string{"MM/DD/YYYY"}, Output: "YYYY-MM-DD"}, input{text: "2026-05-04"}, "", "matches none"},
		{"date empty is no value", Transform{Type: "date", Formats: []string{"MM/DD/YYYY"}, Output: "YYYY-MM-DD"}, input{text: " "}, "", ""},
		{"lookup hit", Transform{Type: "lookup", Table: "departments"}, input{text: "310"}, "Engineering - Platform", ""},
		{"lookup miss", Transform{Type: "lookup", Table: "departments"}, input{text: "999"}, "", `no entry for "999" in lookup table "departments" of m.json`},
		{"lookup miss with default", Transform{Type: "lookup", Table: "departments", Default: &dflt}, input{text: "999"}, "Other", ""},
		{"lookup empty through the \"\" entry", Transform{Type: "lookup", Table: "periods"}, input{text: ""}, "Year", ""},
		{"lookup empty without a \"\" entry", Transform{Type: "lookup", Table: "departments", Default: &dflt}, input{text: ""}, "", ""},
		{"money amount and currency", Transform{Type: "money", Format: "amount_currency"}, money(10300000, "USD"), "103000.00 USD", ""},
		{"money cents kept", Transform{Type: "money", Format: "amount_currency"}, money(10300005, "EUR"), "103000.05 EUR", ""},
		{"money amount only", Transform{Type: "money", Format: "amount"}, money(10300000, "GBP"), "103000.00", ""},
		{"money currency only", Transform{Type: "money", Format: "currency"}, money(10300000, "gbp"), "GBP", ""},
		{"money without minor unit", Transform{Type: "money", Format: "amount_currency"}, money(12000000, "JPY"), "12000000 JPY", ""},
		{"money three decimals", Transform{Type: "money", Format: "amount_currency"}, money(1234567, "KWD"), "1234.567 KWD", ""},
		{"money small amount", Transform{Type: "money", Format: "amount"}, money(5, "USD"), "0.05", ""},
		{"money currency not accepted", Transform{Type: "money", Format: "amount_currency", Currencies: []string{"USD", "EUR"}}, money(100, "CHF"), "", "currency CHF is not one of the accepted USD, EUR"},
		{"money negative", Transform{Type: "money", Format: "amount_currency"}, money(-100, "USD"), "", "negative"},
		{"money absent is no value", Transform{Type: "money", Format: "amount_currency"}, input{}, "", ""},
		{"email folds diacritics", Transform{Type: "email", Template: "{first}.{last}@acme.example"}, input{cand: cand}, "zoe.ngataovergaard@acme.example", ""},
		{"email initial", Transform{Type: "email", Template: "{first_initial}{last}@acme.example"}, input{cand: cand}, "zngataovergaard@acme.example", ""},
		{"email non-Latin name falls back to the id", Transform{Type: "email", Template: "{first}.{last}@acme.example"},
			input{cand: &state.Candidate{CandidateID: "42", FirstName: "美咲", LastName: "田中"}}, "hire.42@acme.example", ""},
		{"email template giving no address", Transform{Type: "email", Template: "{first} {last}@acme.example"}, input{cand: cand}, "", "which is not an address"},
		{"constant", Transform{Type: "constant", Value: "Active"}, input{text: "ignored"}, "Active", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &Field{HRIS: "x", Transform: tc.tr}
			if f.Transform.Case == "" {
				f.Transform.Case = "preserve"
			}
			got, err := m.apply(f, tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("= %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, cur string
		want    schemas.Money
		bad     bool
	}{
		{"103000.00 USD", "", schemas.Money{AmountMinor: 10300000, Currency: "USD"}, false},
		{"103000 USD", "", schemas.Money{AmountMinor: 10300000, Currency: "USD"}, false},
		{"103,000.5 eur", "", schemas.Money{AmountMinor: 10300050, Currency: "EUR"}, false},
		{"103000.000", "USD", schemas.Money{AmountMinor: 10300000, Currency: "USD"}, false},
		{"130000.00 USD", "", schemas.Money{AmountMinor: 13000000, Currency: "USD"}, false},
		{"12000000 JPY", "", schemas.Money{AmountMinor: 12000000, Currency: "JPY"}, false},
		{"103000.001 USD", "", schemas.Money{}, true},
		{"1.5 JPY", "", schemas.Money{}, true},
		{"abc USD", "", schemas.Money{}, true},
		{"100", "", schemas.Money{}, true},
		{"", "USD", schemas.Money{}, true},
		{"1 2 3", "USD", schemas.Money{}, true},
	} {
		got, err := ParseMoney(tc.in, tc.cur)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseMoney(%q, %q) = %+v, %v; want %+v (error %v)", tc.in, tc.cur, got, err, tc.want, tc.bad)
		}
	}
}

// accepted is a candidate whose offer o2 v2 was accepted: $103,000 a year from startDate.
func accepted(startRaw string) *state.Candidate {
	iso := ""
	if d, err := time.Parse("01/02/2006", startRaw); err == nil {
		iso = d.Format(time.DateOnly)
	}
	return &state.Candidate{
		CandidateID: "610033452", ApplicationID: "880014231", FirstName: "Zoë", LastName: "Ngata-Øvergaard",
		Job: &schemas.Job{JobID: "4410087", Title: "Senior Backend Engineer (Go)", DepartmentID: "310", Department: "Platform Engineering",
			OfficeID: "22", Office: "Berlin", HiringManagerID: "5701"},
		AcceptedOfferID: "o2",
		Offers: map[string]state.OfferState{"o2": {Offer: schemas.Offer{OfferID: "o2", Version: 2, Status: "Accepted",
			StartDate: &iso, StartDateRaw: startRaw, Title: "Senior Backend Engineer (Go)", Manager: "5701", EmploymentType: "Full-time",
			Salary: &schemas.Money{AmountMinor: 10300000, Currency: "USD", PayPeriod: "annual"}}}},
	}
}

var today = time.Date(2026, 4, 20, 15, 0, 0, 0, time.UTC)

func TestBuild_ExampleMapping(t *testing.T) {
	t.Parallel()
	m := exampleMapping(t)
	rec, probs := m.Build(accepted("05/04/2026"))
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	want := Record{
		"customAtsCandidateId": "610033452", "firstName": "Zoë", "lastName": "Ngata-Øvergaard",
		"workEmail": "zoe.ngataovergaard@acme.example", "hireDate": "2026-05-04", "employmentHistoryStatus": "Full-Time",
		"jobInfo.jobTitle": "Senior Backend Engineer (Go)", "jobInfo.department": "Engineering - Platform",
		"jobInfo.location": "DE - Berlin", "jobInfo.reportsTo": "101",
		"compensation.rate": "103000.00 USD", "compensation.type": "Salary", "compensation.paidPer": "Year",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %q, want %q", k, rec[k], v)
		}
	}
	if len(rec) != len(want) {
		t.Errorf("record has %d fields, want %d: %v", len(rec), len(want), rec)
	}
	if probs := m.Validate(rec, accepted("05/04/2026"), today); len(probs) != 0 {
		t.Fatalf("valid record rejected: %v", probs)
	}
}

func TestBuild_TransformProblemsNameTheField(t *testing.T) {
	t.Parallel()
	m := exampleMapping(t)
	c := accepted("13/45/2026")
	c.Job.DepartmentID = "999"
	_, probs := m.Build(c)
	got := map[string]string{}
	for _, p := range probs {
		got[p.Field] = p.Reason
	}
	if !strings.Contains(got["hireDate"], `date "13/45/2026" matches none of the formats`) ||
		!strings.Contains(got["jobInfo.department"], `no entry for "999" in lookup table "departments"`) || len(got) != 2 {
		t.Fatalf("problems: %v", probs)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	m := exampleMapping(t)
	build := func(c *state.Candidate) Record {
		rec, probs := m.Build(c)
		if len(probs) != 0 {
			t.Fatal(probs)
		}
		return rec
	}
	cases := []struct {
		name      string
		cand      func() *state.Candidate
		edit      func(Record)
		now       time.Time
		grace     int
		wantField string
		wantText  string
	}{
		{name: "start date today is fine", cand: func() *state.Candidate { return accepted("04/20/2026") }, now: today},
		{name: "start date in the past", cand: func() *state.Candidate { return accepted("04/19/2026") }, now: today,
			wantField: "hireDate", wantText: "start date 2026-04-19 is in the past (today is 2026-04-20)"},
		{name: "grace days accept a recent start", cand: func() *state.Candidate { return accepted("04/18/2026") }, now: today, grace: 2},
		{name: "required field empty", cand: func() *state.Candidate { c := accepted("05/04/2026"); c.FirstName = " "; return c }, now: today,
			wantField: "firstName", wantText: "required, but candidate.first_name is empty"},
		{name: "manager unknown is empty, required", cand: func() *state.Candidate {
			c := accepted("05/04/2026")
			o := c.Offers["o2"]
			o.Offer.Manager = ""
			c.Offers["o2"] = o
			return c
		}, now: today, wantField: "jobInfo.reportsTo", wantText: "required, but offer.manager is empty"},
		{name: "salary differs from the accepted offer", cand: func() *state.Candidate { return accepted("05/04/2026") },
			edit: func(r Record) { r["compensation.rate"] = "130000.00 USD" }, now: today,
			wantField: "compensation.rate", wantText: "the salary to write does not equal the accepted offer o2 v2"},
		{name: "salary in another currency", cand: func() *state.Candidate { return accepted("05/04/2026") },
			edit: func(r Record) { r["compensation.rate"] = "103000.00 EUR" }, now: today,
			wantField: "compensation.rate", wantText: "does not equal"},
		{name: "salary unparseable", cand: func() *state.Candidate { return accepted("05/04/2026") },
			edit: func(r Record) { r["compensation.rate"] = "a lot" }, now: today,
			wantField: "compensation.rate", wantText: "does not parse"},
		{name: "accepted offer without salary", cand: func() *state.Candidate {
			c := accepted("05/04/2026")
			o := c.Offers["o2"]
			o.Offer.Salary = nil
			c.Offers["o2"] = o
			return c
		}, now: today, wantField: "compensation.rate", wantText: "required, but offer.salary is empty"},
		{name: "no accepted offer", cand: func() *state.Candidate { c := accepted("05/04/2026"); c.AcceptedOfferID = ""; return c }, now: today,
			wantField: "compensation.rate", wantText: "no accepted offer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mm := *m
			mm.StartDateGraceDays = tc.grace
			c := tc.cand()
			rec, _ := mm.Build(c)
			if c.AcceptedOfferID != "" && tc.edit == nil && tc.wantField == "" {
				rec = build(c)
			}
			if tc.edit != nil {
				tc.edit(rec)
			}
			probs := mm.Validate(rec, c, tc.now)
			if tc.wantField == "" {
				if len(probs) != 0 {
					t.Fatalf("unexpected problems %v", probs)
				}
				return
			}
			p, ok := problemFor(probs, tc.wantField)
			if !ok || !strings.Contains(p.Reason, tc.wantText) {
				t.Fatalf("problems %v; want %s: %q", probs, tc.wantField, tc.wantText)
			}
		})
	}
}

func TestValidate_SalaryProblemKeepsAmountsOutOfTheReason(t *testing.T) {
	t.Parallel()
	m := exampleMapping(t)
	c := accepted("05/04/2026")
	rec, _ := m.Build(c)
	rec["compensation.rate"] = "130000.00 USD"
	p, _ := problemFor(m.Validate(rec, c, today), "compensation.rate")
	if strings.Contains(p.Reason, "130000") || strings.Contains(p.Reason, "103000") {
		t.Fatalf("the reason (shown in alerts) carries the salary: %q", p.Reason)
	}
	if p.Expected != "103000.00 USD" || p.Actual != "130000.00 USD" {
		t.Fatalf("expected/actual for the audit: %+v", p)
	}
}

func TestEqualAndShow(t *testing.T) {
	t.Parallel()
	m := exampleMapping(t)
	for _, tc := range []struct {
		field, a, b string
		eq          bool
	}{
		{"compensation.rate", "103000.00 USD", "103000 USD", true},
		{"compensation.rate", "103000.00 USD", "130000.00 USD", false},
		{"compensation.rate", "103000.00 USD", "103000.00 EUR", false},
		{"hireDate", "2026-05-04", " 2026-05-04 ", true},
		{"hireDate", "2026-05-04", "2026-04-05", false},
		{"jobInfo.department", "Engineering - Platform", "engineering - platform", true}, // case_insensitive list
		{"jobInfo.jobTitle", "Engineer", "engineer", false},
		{"firstName", "Zoë", "Zoe", false},
	} {
		if got := m.Equal(tc.field, tc.a, tc.b); got != tc.eq {
			t.Errorf("Equal(%s, %q, %q) = %v", tc.field, tc.a, tc.b, got)
		}
	}
	if s := m.Show("firstName", "Zoë"); !strings.HasPrefix(s, "masked:") || s == m.Show("firstName", "Zoe") {
		t.Fatalf("personal values must be masked and still comparable: %q", s)
	}
	if s := m.Show("compensation.rate", "103000.00 USD"); s != "103000.00 USD" {
		t.Fatalf("non-personal value masked: %q", s)
	}
	d := m.Diff(Record{"firstName": "Zoë", "hireDate": "2026-05-04", "jobInfo.division": ""}, Record{"firstName": "Zoe", "hireDate": "2026-05-04"},
		[]string{"firstName", "hireDate", "jobInfo.division"})
	if len(d) != 1 || d[0].Field != "firstName" || strings.Contains(d[0].Expected+d[0].Actual, "Zo") {
		t.Fatalf("diff = %+v", d)
	}
}
