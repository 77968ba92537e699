package greenhouse

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/hirestream/hirestream/schemas"
)

func TestParseMinor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		exp     int
		want    int64
		wantErr error
	}{
		{"98000", 2, 9800000, nil},
		{"10000.0", 2, 1000000, nil},
		{"103000.5", 2, 10300050, nil},
		{"103000.55", 2, 10300055, nil},
		{"103000.550000", 2, 10300055, nil},
		{"0.07", 2, 7, nil},
		{".5", 2, 50, nil},
		{"5.", 2, 500, nil},
		{"+12", 2, 1200, nil},
		{"-12.5", 2, -1250, nil},
		{"1.03e5", 2, 10300000, nil},
		{"1030E-2", 2, 1030, nil},
		{"0", 2, 0, nil},
		{"000.000", 2, 0, nil},
		{"8200000", 0, 8200000, nil},
		{"8200000.0", 0, 8200000, nil},
		{"1.234", 3, 1234, nil},
		{"92233720368547758.07", 2, 9223372036854775807, nil},
		// a float64 would turn this into ...808 or round it; text parsing is exact
		{"90071992547409.93", 2, 9007199254740993, nil},
		{"103000.555", 2, 0, errTooPrecise},
		{"0.5", 0, 0, errTooPrecise},
		{"1e-9", 2, 0, errTooPrecise},
		{"92233720368547758.08", 2, 0, errAmountRange},
		{"1e400", 2, 0, errAmountRange},
		{"", 2, 0, errBadAmount},
		{".", 2, 0, errBadAmount},
		{"98,000", 2, 0, errBadAmount},
		{"1 000", 2, 0, errBadAmount},
		{"$100", 2, 0, errBadAmount},
		{"1e", 2, 0, errBadAmount},
		{"1e+", 2, 0, errBadAmount},
		{"1e+-3", 2, 0, errBadAmount},
		{"NaN", 2, 0, errBadAmount},
		{"0x10", 2, 0, errBadAmount},
	}
	for _, tc := range tests {
		got, err := parseMinor(tc.in, tc.exp)
		if got != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("parseMinor(%q, %d) = %d, %v; want %d, %v", tc.in, tc.exp, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestMoneyOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field   string
		want    *schemas.Money
		wantErr error
	}{
		{`{"type":"currency","value":{"amount":98000,"unit":"EUR"},"frequency":"annually"}`,
			&schemas.Money{AmountMinor: 9800000, Currency: "EUR", PayPeriod: "annual"}, nil},
		{`{"type":"currency","value":{"amount":"10000.0","unit":"usd"},"frequency":"Monthly"}`,
			&schemas.Money{AmountMinor: 1000000, Currency: "USD", PayPeriod: "monthly"}, nil},
		{`{"type":"currency","value":{"amount":103000.5,"unit":"USD"}}`,
			&schemas.Money{AmountMinor: 10300050, Currency: "USD"}, nil},
		{`{"type":"currency","value":{"amount":"  55.25 ","unit":" gbp "},"frequency":"per hour"}`,
			&schemas.Money{AmountMinor: 5525, Currency: "GBP", PayPeriod: "hourly"}, nil},
		{`{"type":"currency","value":{"amount":1500000,"unit":"KRW"},"frequency":"bi-weekly"}`,
			&schemas.Money{AmountMinor: 1500000, Currency: "KRW", PayPeriod: "biweekly"}, nil},
		{`{"type":"currency","value":{"amount":"1.250","unit":"KWD"}}`,
			&schemas.Money{AmountMinor: 1250, Currency: "KWD"}, nil},
		{`{"type":"currency","value":{"amount":98000,"unit":null}}`, nil, errNoCurrency},
		{`{"type":"currency","value":{"amount":98000,"unit":"Euro"}}`, nil, errNoCurrency},
		{`{"type":"currency","value":{"amount":null,"unit":"EUR"}}`, nil, errNoAmount},
		{`{"type":"currency","value":null}`, nil, errNoAmount},
		{`{"type":"currency","value":98000}`, nil, errNoAmount},
		{`{"type":"currency","value":{"amount":-5,"unit":"EUR"}}`, nil, errNegativeMoney},
		{`{"type":"currency","value":{"amount":"98,000.00","unit":"EUR"}}`, nil, errBadAmount},
	}
	for _, tc := range tests {
		var f customField
		if err := json.Unmarshal([]byte(tc.field), &f); err != nil {
			t.Fatal(err)
		}
		got, err := moneyOf(f)
		if !reflect.DeepEqual(got, tc.want) || !errors.Is(err, tc.wantErr) {
			t.Errorf("moneyOf(%s) = %+v, %v; want %+v, %v", tc.field, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestIsoDate(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"05/04/2026", "2026-05-04"}, // Greenhouse offers: MM/DD/YYYY
		{"5/4/2026", "2026-05-04"},
		{"12/31/2026", "2026-12-31"},
		{"2026-05-04", "2026-05-04"}, // hire starts_at
		{" 2026-05-04 ", "2026-05-04"},
		{"2026-05-04T00:00:00Z", "2026-05-04"},
		{"2026-05-04T23:30:00-08:00", "2026-05-04"}, // the date as written, not UTC's
		{"31/12/2026", ""},                          // DD/MM is not a Greenhouse format
		{"02/30/2026", ""},
		{"2026-13-01", ""},
		{"next monday", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, ok := isoDate(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("isoDate(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestPayPeriod(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"annually": "annual", "Annually": "annual", "yearly": "annual", "per year": "annual",
		"monthly": "monthly", "hourly": "hourly", "Per Hour": "hourly", "weekly": "weekly",
		"bi-weekly": "biweekly", "semi-monthly": "semimonthly", "daily": "daily",
		"": "", "per project": "per project",
	} {
		if got := payPeriod(in); got != want {
			t.Errorf("payPeriod(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOfferOf_SalaryFieldSelection(t *testing.T) {
	t.Parallel()
	fields := `{
		"a_bonus": {"name":"Bonus","type":"currency","value":{"amount":5000,"unit":"EUR"}},
		"base_salary": {"name":"Base Salary","type":"currency","value":{"amount":98000,"unit":"EUR"}},
		"employment_type": {"name":"Employment Type","type":"single_select","value":"Full-time"},
		"salary_band": {"name":"Band","type":"short_text","value":"L5"}
	}`
	var cf customFields
	if err := json.Unmarshal([]byte(fields), &cf); err != nil {
		t.Fatal(err)
	}
	o := &ghOffer{ID: "1", CustomFields: cf}

	def := NewNormalizer(Options{}).offerOf(o, nil)
	if def.Salary == nil || def.Salary.AmountMinor != 9800000 {
		t.Fatalf("default picks the currency field named *salary*: %+v", def.Salary)
	}
	if _, ok := def.CustomFields["base_salary"]; ok || def.CustomFields["a_bonus"] != `{"amount":5000,"unit":"EUR"}` ||
		def.CustomFields["salary_band"] != `"L5"` || def.EmploymentType != "Full-time" {
		t.Fatalf("custom fields %v, employment type %q", def.CustomFields, def.EmploymentType)
	}

	cfg := NewNormalizer(Options{SalaryField: "a_bonus"}).offerOf(o, nil)
	if cfg.Salary == nil || cfg.Salary.AmountMinor != 500000 || cfg.CustomFields["base_salary"] == "" {
		t.Fatalf("configured SalaryField: %+v %v", cfg.Salary, cfg.CustomFields)
	}
	missing := NewNormalizer(Options{SalaryField: "nope"}).offerOf(o, nil)
	if missing.Salary != nil {
		t.Fatalf("a configured SalaryField that is absent must not fall back to a guess: %+v", missing.Salary)
	}

	// Only a non-"salary" currency field: it is the salary.
	var only customFields
	_ = json.Unmarshal([]byte(`{"comp":{"type":"currency","value":{"amount":"70000","unit":"CAD"}}}`), &only)
	if got := NewNormalizer(Options{}).offerOf(&ghOffer{ID: "2", CustomFields: only}, nil); got.Salary == nil || got.Salary.Currency != "CAD" {
		t.Fatalf("first currency field: %+v", got.Salary)
	}
}

func TestCustomFields_Shapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want customFields
	}{
		{`[]`, nil},
		{`null`, nil},
		{`{"tier":"gold"}`, customFields{"tier": {Value: json.RawMessage(`"gold"`)}}},
		{`{"tier":{"name":"Tier","type":"short_text","value":"gold"}}`, customFields{"tier": {Name: "Tier", Type: "short_text", Value: json.RawMessage(`"gold"`)}}},
	} {
		var got struct {
			CF customFields `json:"custom_fields"`
		}
		if err := json.Unmarshal([]byte(`{"custom_fields":`+tc.in+`}`), &got); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !reflect.DeepEqual(got.CF, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.in, got.CF, tc.want)
		}
	}
}
