package greenhouse

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// offerOf normalises one Greenhouse offer (flat, nested, or hire_candidate's application.offer).
// job is the job snapshot the offer's title, department, location and manager come from; nil
// leaves them empty.
func (n *Normalizer) offerOf(o *ghOffer, job *schemas.Job) *schemas.Offer {
	out := &schemas.Offer{
		OfferID: string(o.ID),
		Version: parseVersion(string(o.Version)),
		Status:  strings.TrimSpace(o.OfferStatus),
	}
	for _, s := range []string{o.SentOn, o.SentAt} {
		if d, ok := isoDate(s); ok {
			out.SentOn = &d
			break
		}
	}
	if !o.ResolvedAt.IsZero() {
		t := o.ResolvedAt.Time
		out.ResolvedAt = &t
	}
	out.StartDateRaw = o.StartDate
	if strings.TrimSpace(out.StartDateRaw) == "" {
		out.StartDateRaw = o.StartsAt
	}
	if d, ok := isoDate(out.StartDateRaw); ok {
		out.StartDate = &d
	}
	if job != nil {
		out.Title = job.Title
		out.Department = job.Department
		out.Location = job.Location
		if out.Location == "" {
			out.Location = job.Office
		}
		out.Manager = job.HiringManagerID
	}

	keys := make([]string, 0, len(o.CustomFields))
	for k := range o.CustomFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if key := n.salaryKey(keys, o.CustomFields); key != "" {
		if m, err := moneyOf(o.CustomFields[key]); err == nil {
			out.Salary = m
			keys = slices.DeleteFunc(keys, func(k string) bool { return k == key })
		}
	}
	for _, k := range keys {
		if f := o.CustomFields[k]; isEmploymentType(k, f.Name) {
			if v := stringValue(f.Value); v != "" {
				out.EmploymentType = v
				keys = slices.DeleteFunc(keys, func(x string) bool { return x == k })
				break
			}
		}
	}
	for _, k := range keys {
		if out.CustomFields == nil {
			out.CustomFields = make(map[string]string, len(keys))
		}
		out.CustomFields[k] = compactJSON(o.CustomFields[k].Value)
	}
	return out
}

// salaryKey picks the custom field holding the base salary: Options.SalaryField when set (and
// present), else the first "currency" field (in key order) whose key contains "salary", else the
// first "currency" field. keys are sorted.
func (n *Normalizer) salaryKey(keys []string, cf customFields) string {
	if n.opts.SalaryField != "" {
		if _, ok := cf[n.opts.SalaryField]; ok {
			return n.opts.SalaryField
		}
		return ""
	}
	first := ""
	for _, k := range keys {
		if !strings.EqualFold(strings.TrimSpace(cf[k].Type), "currency") {
			continue
		}
		if strings.Contains(strings.ToLower(k), "salary") {
			return k
		}
		if first == "" {
			first = k
		}
	}
	return first
}

func isEmploymentType(key, name string) bool {
	return strings.Join(words(key), "_") == "employment_type" || strings.Join(words(name), " ") == "employment type"
}

// stringValue reads a custom field value that is a string, or an object with a name/value
// (single_select options); anything else is "".
func stringValue(raw json.RawMessage) string {
	var v flexName
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return string(v)
}

func compactJSON(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "null" // cannot happen: raw came out of a successful decode
	}
	return b.String()
}

func parseVersion(s string) int32 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0
	}
	return int32(v)
}

// Errors of salary parsing; a salary that fails is kept, verbatim, in Offer.CustomFields.
var (
	errNoAmount      = errors.New("currency value has no amount")
	errNoCurrency    = errors.New("currency value has no ISO 4217 unit")
	errBadAmount     = errors.New("amount is not a decimal number")
	errTooPrecise    = errors.New("amount has more decimals than the currency's minor unit")
	errAmountRange   = errors.New("amount out of range")
	errNegativeMoney = errors.New("amount is negative")
)

// moneyOf reads a Greenhouse "currency" custom field: value {"amount": 98000 | "98000.0",
// "unit": "EUR"}, with the pay period in the field's "frequency". The amount is parsed as
// decimal text, never as a float.
func moneyOf(f customField) (*schemas.Money, error) {
	var v struct {
		Amount    json.RawMessage `json:"amount"`
		Unit      flexName        `json:"unit"`
		Currency  flexName        `json:"currency"`
		Frequency string          `json:"frequency"`
	}
	if err := json.Unmarshal(f.Value, &v); err != nil {
		return nil, errNoAmount
	}
	amount, ok := decimalText(v.Amount)
	if !ok {
		return nil, errNoAmount
	}
	cur := strings.ToUpper(strings.TrimSpace(string(v.Unit)))
	if cur == "" {
		cur = strings.ToUpper(strings.TrimSpace(string(v.Currency)))
	}
	if !schemas.IsCurrencyCode(cur) {
		return nil, errNoCurrency
	}
	minor, err := parseMinor(amount, schemas.CurrencyExponent(cur))
	if err != nil {
		return nil, err
	}
	if minor < 0 {
		return nil, errNegativeMoney
	}
	freq := f.Frequency
	if freq == "" {
		freq = v.Frequency
	}
	return &schemas.Money{AmountMinor: minor, Currency: cur, PayPeriod: payPeriod(freq)}, nil
}

// decimalText returns the text of a JSON number, or the content of a JSON string.
func decimalText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		s = strings.TrimSpace(s)
		return s, s != ""
	}
	if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
		return string(raw), true
	}
	return "", false
}

// parseMinor converts a decimal number ("98000", "10000.0", "103000.5", "1.03e5") into an
// integer count of minor units for a currency with exp decimals, exactly: it fails rather than
// round when the amount has non-zero digits below the minor unit.
func parseMinor(s string, exp int) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart+frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return 0, errBadAmount
	}
	e := 0
	if hasExp {
		digitsOfExp := strings.TrimLeft(expPart, "+-")
		if len(expPart)-len(digitsOfExp) > 1 || digitsOfExp == "" || len(digitsOfExp) > 3 || !allDigits(digitsOfExp) {
			return 0, errBadAmount
		}
		e, _ = strconv.Atoi(expPart) // at most a sign and 3 digits: cannot fail
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	shift := exp - len(frac) + e // power of ten to multiply the digit string by
	switch {
	case digits == "":
		return 0, nil
	case shift >= 0:
		if len(digits)+shift > 19 {
			return 0, errAmountRange
		}
		digits += strings.Repeat("0", shift)
	default:
		cut := len(digits) + shift
		if cut < 0 {
			cut = 0
		}
		if strings.Trim(digits[cut:], "0") != "" {
			return 0, errTooPrecise
		}
		digits = digits[:cut]
		if digits == "" {
			return 0, nil
		}
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, errAmountRange
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// payPeriod normalises a compensation frequency: "annually" → "annual"; unknown values are kept,
// lower-cased.
func payPeriod(freq string) string {
	f := strings.Join(words(freq), " ")
	switch f {
	case "":
		return ""
	case "annually", "annual", "yearly", "per year", "year", "per annum", "pa":
		return "annual"
	case "monthly", "per month", "month":
		return "monthly"
	case "semi monthly", "semimonthly", "twice monthly":
		return "semimonthly"
	case "bi weekly", "biweekly", "every two weeks", "fortnightly":
		return "biweekly"
	case "weekly", "per week", "week":
		return "weekly"
	case "daily", "per day", "day":
		return "daily"
	case "hourly", "per hour", "hour":
		return "hourly"
	}
	return f
}

// isoDate reads a date as Greenhouse sends it ("MM/DD/YYYY" on offers, "YYYY-MM-DD" on hires,
// or a full timestamp) and returns it as "YYYY-MM-DD". A timestamp keeps the calendar date it
// was written with, not the UTC one.
func isoDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	for _, layout := range []string{"2006-01-02", "1/2/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}
