package hrissync

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hirestream/hirestream/processors/state"
	"github.com/hirestream/hirestream/schemas"
)

type sourceKindT int

const (
	kindUnknown sourceKindT = iota
	kindText
	kindMoney
	kindCandidate // the candidate as a whole (email templates)
)

// sources are the values a field can be mapped from. offer.* is the accepted offer's newest
// terms; job.* the application's job; candidate.* the candidate's contact fields.
var sources = map[string]sourceKindT{
	"candidate":               kindCandidate,
	"candidate_id":            kindText,
	"application_id":          kindText,
	"candidate.first_name":    kindText,
	"candidate.last_name":     kindText,
	"candidate.email":         kindText, // the first personal email
	"offer.id":                kindText,
	"offer.version":           kindText,
	"offer.start_date":        kindText, // ISO date as the normalizer read it
	"offer.start_date_raw":    kindText, // as Greenhouse sent it (offers: MM/DD/YYYY)
	"offer.salary":            kindMoney,
	"offer.salary.amount":     kindText, // decimal text in major units, e.g. 103000.00
	"offer.salary.currency":   kindText,
	"offer.salary.pay_period": kindText, // annual, monthly, hourly...
	"offer.title":             kindText,
	"offer.department":        kindText,
	"offer.location":          kindText,
	"offer.manager":           kindText, // the ATS hiring-manager user id
	"offer.employment_type":   kindText,
	"job.id":                  kindText,
	"job.title":               kindText,
	"job.requisition_id":      kindText,
	"job.department_id":       kindText,
	"job.department":          kindText,
	"job.office_id":           kindText,
	"job.office":              kindText,
	"job.location":            kindText,
	"job.hiring_manager_id":   kindText,
	"job.recruiter_id":        kindText,
	"offer.resolved_at_date":  kindText,
	// offer.custom.<key> (kindText) is matched by prefix in sourceKind.
}

func sourceNames() []string {
	var out []string
	for k, v := range sources {
		if v != kindUnknown {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func sourceKind(s string) sourceKindT {
	if k, ok := sources[s]; ok {
		return k
	}
	if key, ok := strings.CutPrefix(s, "offer.custom."); ok && key != "" {
		return kindText
	}
	return kindUnknown
}

// input is what a source gives a transform.
type input struct {
	text  string
	money *schemas.Money
	cand  *state.Candidate
}

// resolve reads source s from candidate c and its accepted offer o.
func resolve(s string, c *state.Candidate, o *schemas.Offer) input {
	job := c.Job
	if job == nil {
		job = &schemas.Job{}
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch s {
	case "candidate":
		return input{cand: c}
	case "candidate_id":
		return input{text: c.CandidateID}
	case "application_id":
		return input{text: c.ApplicationID}
	case "candidate.first_name":
		return input{text: c.FirstName}
	case "candidate.last_name":
		return input{text: c.LastName}
	case "candidate.email":
		for _, e := range c.Emails {
			if e.Kind == "personal" {
				return input{text: e.Address}
			}
		}
		if len(c.Emails) > 0 {
			return input{text: c.Emails[0].Address}
		}
		return input{}
	case "job.id":
		return input{text: job.JobID}
	case "job.title":
		return input{text: job.Title}
	case "job.requisition_id":
		return input{text: job.RequisitionID}
	case "job.department_id":
		return input{text: job.DepartmentID}
	case "job.department":
		return input{text: job.Department}
	case "job.office_id":
		return input{text: job.OfficeID}
	case "job.office":
		return input{text: job.Office}
	case "job.location":
		return input{text: job.Location}
	case "job.hiring_manager_id":
		return input{text: job.HiringManagerID}
	case "job.recruiter_id":
		return input{text: job.RecruiterID}
	}
	if o == nil {
		return input{}
	}
	switch s {
	case "offer.id":
		return input{text: o.OfferID}
	case "offer.version":
		return input{text: strconv.Itoa(int(o.Version))}
	case "offer.start_date":
		return input{text: str(o.StartDate)}
	case "offer.start_date_raw":
		if strings.TrimSpace(o.StartDateRaw) == "" {
			return input{text: str(o.StartDate)}
		}
		return input{text: o.StartDateRaw}
	case "offer.resolved_at_date":
		if o.ResolvedAt != nil {
			return input{text: o.ResolvedAt.UTC().Format(time.DateOnly)}
		}
		return input{}
	case "offer.salary":
		return input{money: o.Salary}
	case "offer.salary.amount":
		if o.Salary == nil {
			return input{}
		}
		return input{text: formatMinor(o.Salary.AmountMinor, schemas.CurrencyExponent(o.Salary.Currency))}
	case "offer.salary.currency":
		if o.Salary == nil {
			return input{}
		}
		return input{text: o.Salary.Currency}
	case "offer.salary.pay_period":
		if o.Salary == nil {
			return input{}
		}
		return input{text: o.Salary.PayPeriod}
	case "offer.title":
		return input{text: o.Title}
	case "offer.department":
		return input{text: o.Department}
	case "offer.location":
		return input{text: o.Location}
	case "offer.manager":
		return input{text: o.Manager}
	case "offer.employment_type":
		return input{text: o.EmploymentType}
	}
	if key, ok := strings.CutPrefix(s, "offer.custom."); ok {
		v := o.CustomFields[key]
		if uq, err := strconv.Unquote(v); err == nil {
			return input{text: uq} // custom values are JSON text: a string arrives quoted
		}
		if v == "null" {
			return input{}
		}
		return input{text: v}
	}
	return input{}
}

// apply runs f's transform over in. An empty result with a nil error means "no value".
func (m *Mapping) apply(f *Field, in input) (string, error) {
	t := &f.Transform
	switch t.Type {
	case "constant":
		return t.Value, nil
	case "text":
		return recase(collapse(in.text), t.Case), nil
	case "name":
		return recase(collapse(in.text), t.Case), nil
	case "date":
		s := strings.TrimSpace(in.text)
		if s == "" {
			return "", nil
		}
		d, err := parseDate(s, t.Formats)
		if err != nil {
			return "", err
		}
		out, _ := goLayout(t.Output)
		return d.Format(out), nil
	case "lookup":
		key := strings.TrimSpace(in.text)
		if key == "" {
			// An empty source maps only through an explicit "" entry, never through default.
			return m.Tables[t.Table][""], nil
		}
		if v, ok := m.Tables[t.Table][key]; ok {
			return v, nil
		}
		if t.Default != nil {
			return *t.Default, nil
		}
		return "", fmt.Errorf("no entry for %q in lookup table %q of %s", key, t.Table, m.Source)
	case "money":
		if in.money == nil {
			return "", nil
		}
		return formatMoney(in.money, t)
	case "email":
		if in.cand == nil {
			return "", nil
		}
		return emailFrom(t.Template, in.cand)
	}
	return "", fmt.Errorf("transform %q is unknown", t.Type)
}

// collapse trims and folds runs of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func recase(s, c string) string {
	switch c {
	case "upper":
		return strings.ToUpper(s)
	case "lower":
		return strings.ToLower(s)
	case "title":
		return titleCase(s)
	case "smart":
		if s == strings.ToUpper(s) || s == strings.ToLower(s) {
			return titleCase(s)
		}
	}
	return s
}

// titleCase capitalises the first letter of every word; words are separated by spaces,
// hyphens and apostrophes ("o'neil-SMITH" → "O'Neil-Smith").
func titleCase(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\'' || r == '’':
			b.WriteRune(r)
			start = true
		case start:
			b.WriteRune(unicode.ToTitle(r))
			start = false
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

var layoutTokens = []struct{ tok, layout string }{
	{"YYYY", "2006"}, {"MM", "01"}, {"DD", "02"}, {"M", "1"}, {"D", "2"},
}

// goLayout converts a date format written with YYYY, MM, DD, M, D (and any separators) to a
// Go layout.
func goLayout(f string) (string, error) {
	if f == "" {
		return "", errors.New("empty date format")
	}
	var b strings.Builder
	var y, mo, d int
	for i := 0; i < len(f); {
		matched := false
		for _, t := range layoutTokens {
			if strings.HasPrefix(f[i:], t.tok) {
				b.WriteString(t.layout)
				i += len(t.tok)
				matched = true
				switch t.tok[0] {
				case 'Y':
					y++
				case 'M':
					mo++
				case 'D':
					d++
				}
				break
			}
		}
		if matched {
			continue
		}
		c := f[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return "", fmt.Errorf("date format %q: %q is not YYYY, MM, DD, M or D", f, string(c))
		}
		b.WriteByte(c)
		i++
	}
	if y != 1 || mo != 1 || d != 1 {
		return "", fmt.Errorf("date format %q needs exactly one year (YYYY), one month (MM or M) and one day (DD or D)", f)
	}
	return b.String(), nil
}

func parseDate(s string, formats []string) (time.Time, error) {
	for _, f := range formats {
		l, err := goLayout(f)
		if err != nil {
			continue
		}
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q matches none of the formats %s", s, strings.Join(formats, ", "))
}

func formatMoney(m *schemas.Money, t *Transform) (string, error) {
	cur := strings.ToUpper(strings.TrimSpace(m.Currency))
	if !schemas.IsCurrencyCode(cur) {
		return "", fmt.Errorf("currency %q is not an ISO 4217 code", m.Currency)
	}
	if len(t.Currencies) > 0 && !slices.Contains(t.Currencies, cur) {
		return "", fmt.Errorf("currency %s is not one of the accepted %s", cur, strings.Join(t.Currencies, ", "))
	}
	if m.AmountMinor < 0 {
		return "", fmt.Errorf("amount %d is negative", m.AmountMinor)
	}
	amount := formatMinor(m.AmountMinor, schemas.CurrencyExponent(cur))
	switch t.Format {
	case "amount":
		return amount, nil
	case "currency":
		return cur, nil
	}
	return amount + " " + cur, nil
}

// formatMinor writes minor units as a decimal with exp digits after the point: 10300000, 2 →
// "103000.00". Integer arithmetic only: no float ever touches a salary.
func formatMinor(minor int64, exp int) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := strconv.FormatInt(minor, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ParseMoney reads "103000.00 USD", "103000 USD" or {"value","currency"}-style text back into
// minor units, exactly (no floats). currency may be given separately for amount-only values.
func ParseMoney(s, currency string) (schemas.Money, error) {
	f := strings.Fields(strings.TrimSpace(s))
	if len(f) == 2 {
		s, currency = f[0], f[1]
	} else if len(f) == 1 {
		s = f[0]
	} else {
		return schemas.Money{}, fmt.Errorf("%q is not an amount and a currency", s)
	}
	currency = strings.ToUpper(currency)
	if !schemas.IsCurrencyCode(currency) {
		return schemas.Money{}, fmt.Errorf("%q has no ISO 4217 currency", s)
	}
	s = strings.ReplaceAll(s, ",", "")
	exp := schemas.CurrencyExponent(currency)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || !allDigits(frac) {
		return schemas.Money{}, fmt.Errorf("amount %q is not a decimal number", s)
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return schemas.Money{}, fmt.Errorf("amount %q has more decimals than %s allows", s, currency)
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return schemas.Money{}, fmt.Errorf("amount %q out of range", s)
	}
	return schemas.Money{AmountMinor: v, Currency: currency}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

func checkTemplate(t string) error {
	for _, m := range placeholder.FindAllStringSubmatch(t, -1) {
		switch m[1] {
		case "first", "last", "first_initial", "candidate_id":
		default:
			return fmt.Errorf("email template %q: placeholder {%s} is unknown: use {first}, {last}, {first_initial}, {candidate_id}", t, m[1])
		}
	}
	return nil
}

// emailFrom fills an email template from the candidate's name, folded to lower-case ASCII
// letters and digits (Zoë Ngata-Øvergaard → zoe, ngataovergaard). A name with no Latin letters
// falls back to the candidate id, so the address is never empty or invalid.
func emailFrom(tmpl string, c *state.Candidate) (string, error) {
	first, last := slug(c.FirstName), slug(c.LastName)
	if first == "" || last == "" {
		first, last = "hire", c.CandidateID
	}
	out := placeholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		switch p {
		case "{first}":
			return first
		case "{last}":
			return last
		case "{first_initial}":
			r, _ := utf8.DecodeRuneInString(first)
			return string(r)
		case "{candidate_id}":
			return c.CandidateID
		}
		return p
	})
	a, err := mail.ParseAddress(out)
	if err != nil || a.Address != out {
		return "", fmt.Errorf("email template %q gives %q, which is not an address", tmpl, out)
	}
	return out, nil
}

// asciiFold maps Latin letters with diacritics to their base letters.
var asciiFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a", 'æ': "ae",
	'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ğ': "g", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ľ': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ș': "s", 'ß': "ss", 'ť': "t", 'ț': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
	'ạ': "a", 'ả': "a", 'ấ': "a", 'ầ': "a", 'ậ': "a", 'ắ': "a", 'ằ': "a", 'ặ': "a",
	'ẹ': "e", 'ẻ': "e", 'ẽ': "e", 'ế': "e", 'ề': "e", 'ể': "e", 'ễ': "e", 'ệ': "e",
	'ị': "i", 'ỉ': "i", 'ọ': "o", 'ỏ': "o", 'ố': "o", 'ồ': "o", 'ổ': "o", 'ỗ': "o", 'ộ': "o",
	'ơ': "o", 'ớ': "o", 'ờ': "o", 'ở': "o", 'ỡ': "o", 'ợ': "o", 'ụ': "u", 'ủ': "u", 'ư': "u",
	'ứ': "u", 'ừ': "u", 'ử': "u", 'ữ': "u", 'ự': "u", 'ỳ': "y", 'ỵ': "y", 'ỷ': "y", 'ỹ': "y",
}

// slug keeps a-z and 0-9 of the lower-cased, ASCII-folded name.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if f, ok := asciiFold[r]; ok {
				b.WriteString(f)
			}
		}
	}
	return b.String()
}
