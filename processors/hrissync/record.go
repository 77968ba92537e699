package hrissync

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/hirestream/hirestream/processors/state"
	"github.com/hirestream/hirestream/schemas"
)

// Record is an employee as the HRIS sees it: HRIS field name → value, in the normalised text
// form the mapping produces (dates in the output layout, money as "103000.00 USD").
type Record map[string]string

// Problem is a reason a record must not be written: the exact field and why.
type Problem struct {
	Field  string
	Reason string
	// Expected and Actual, when the rule compares values (masked for personal fields).
	Expected, Actual string
}

func (p Problem) String() string { return p.Field + ": " + p.Reason }

// Build maps candidate c's state to the employee record: every offer.* source reads the
// accepted offer's newest terms, never a single event's payload. Transform failures (an
// unparseable date, a department missing from its lookup table) come back as problems.
func (m *Mapping) Build(c *state.Candidate) (Record, []Problem) {
	rec := Record{m.KeyField: c.CandidateID}
	var probs []Problem
	var offer *schemas.Offer
	if o, ok := c.AcceptedOffer(); ok {
		offer = &o.Offer
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		v, err := m.apply(f, resolve(f.Source, c, offer))
		if err != nil {
			probs = append(probs, Problem{Field: f.HRIS, Reason: err.Error()})
			continue
		}
		if v != "" {
			rec[f.HRIS] = v
		}
	}
	return rec, probs
}

// Validate checks rec before any write: required fields present, the start date not in the
// past (as of now, in the mapping's time zone), and the salary field equal to the accepted
// offer's salary, amount and currency, to the minor unit.
func (m *Mapping) Validate(rec Record, c *state.Candidate, now time.Time) []Problem {
	var probs []Problem
	if c.AcceptedOfferID == "" {
		probs = append(probs, Problem{Field: m.SalaryField, Reason: "the candidate has no accepted offer in the log"})
	}
	if rec[m.KeyField] == "" {
		probs = append(probs, Problem{Field: m.KeyField, Reason: "the ATS candidate id is empty"})
	}
	for _, f := range m.Fields {
		if _, failed := problemFor(probs, f.HRIS); failed {
			continue
		}
		if f.Required && strings.TrimSpace(rec[f.HRIS]) == "" {
			probs = append(probs, Problem{Field: f.HRIS, Reason: fmt.Sprintf("required, but %s is empty", f.Source)})
		}
	}
	if _, failed := problemFor(probs, m.StartDateField); !failed {
		if v := rec[m.StartDateField]; v == "" {
			probs = append(probs, Problem{Field: m.StartDateField, Reason: "the start date is missing"})
		} else {
			layout, _ := goLayout(m.field(m.StartDateField).Transform.Output)
			start, err := time.ParseInLocation(layout, v, m.Location)
			y, mo, d := now.In(m.Location).Date()
			today := time.Date(y, mo, d, 0, 0, 0, 0, m.Location)
			switch {
			case err != nil:
				probs = append(probs, Problem{Field: m.StartDateField, Reason: fmt.Sprintf("start date %q does not parse: %v", v, err)})
			case start.Before(today.AddDate(0, 0, -m.StartDateGraceDays)):
				probs = append(probs, Problem{Field: m.StartDateField, Reason: fmt.Sprintf("start date %s is in the past (today is %s)",
					start.Format(time.DateOnly), today.Format(time.DateOnly)), Expected: ">= " + today.Format(time.DateOnly), Actual: start.Format(time.DateOnly)})
			}
		}
	}
	if _, failed := problemFor(probs, m.SalaryField); !failed && c.AcceptedOfferID != "" {
		if p, ok := m.checkSalary(rec, c); !ok {
			probs = append(probs, p)
		}
	}
	return probs
}

// checkSalary compares the record's salary with the accepted offer's, independently of how
// the record was built: parse the written text back and compare minor units and currency.
func (m *Mapping) checkSalary(rec Record, c *state.Candidate) (Problem, bool) {
	o, _ := c.AcceptedOffer()
	want := o.Offer.Salary
	label := fmt.Sprintf("accepted offer %s v%d", o.Offer.OfferID, o.Offer.Version)
	if want == nil {
		return Problem{Field: m.SalaryField, Reason: label + " has no salary"}, false
	}
	v := rec[m.SalaryField]
	if v == "" {
		return Problem{Field: m.SalaryField, Reason: "the salary is empty"}, false
	}
	got, err := ParseMoney(v, want.Currency)
	if err != nil {
		return Problem{Field: m.SalaryField, Reason: fmt.Sprintf("salary %q does not parse: %v", v, err)}, false
	}
	wantText := formatMinor(want.AmountMinor, schemas.CurrencyExponent(want.Currency)) + " " + want.Currency
	if got.AmountMinor != want.AmountMinor || got.Currency != strings.ToUpper(want.Currency) {
		return Problem{Field: m.SalaryField, Reason: "the salary to write does not equal the " + label,
			Expected: wantText, Actual: formatMinor(got.AmountMinor, schemas.CurrencyExponent(got.Currency)) + " " + got.Currency}, false
	}
	return Problem{}, true
}

func problemFor(probs []Problem, field string) (Problem, bool) {
	for _, p := range probs {
		if p.Field == field {
			return p, true
		}
	}
	return Problem{}, false
}

// Equal reports whether two values of HRIS field name are the same: money by amount and
// currency, dates by calendar day, list values case-insensitively when configured, text after
// trimming.
func (m *Mapping) Equal(name, a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b {
		return true
	}
	f := m.field(name)
	if f == nil {
		return false
	}
	switch f.Transform.Type {
	case "money":
		if f.Transform.Format == "currency" {
			return strings.EqualFold(a, b)
		}
		ma, erra := ParseMoney(a, "XXX")
		mb, errb := ParseMoney(b, "XXX")
		return erra == nil && errb == nil && ma == mb
	case "date":
		layout, _ := goLayout(f.Transform.Output)
		ta, erra := time.Parse(layout, a)
		tb, errb := time.Parse(layout, b)
		return erra == nil && errb == nil && ta.Equal(tb)
	}
	return f.CaseInsensitive && strings.EqualFold(a, b)
}

// Show is v as it may appear in diffs, audit rows and alerts: personal fields are masked with a
// short digest, so equal values still look equal and different ones different.
func (m *Mapping) Show(name, v string) string {
	f := m.field(name)
	if f == nil || !f.Personal || v == "" {
		return v
	}
	h := sha256.Sum256([]byte(v))
	return "masked:" + hex.EncodeToString(h[:4])
}

// Diff lists the fields of want whose value in have differs (fields want leaves empty are
// skipped), with personal values masked.
func (m *Mapping) Diff(want, have Record, fields []string) []schemas.FieldDiff {
	var out []schemas.FieldDiff
	for _, f := range fields {
		w := want[f]
		if w == "" || m.Equal(f, w, have[f]) {
			continue
		}
		out = append(out, schemas.FieldDiff{Field: f, Expected: m.Show(f, w), Actual: m.Show(f, have[f])})
	}
	return out
}
