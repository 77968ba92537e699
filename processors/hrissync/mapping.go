package hrissync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// Owner says which system is the source of truth for a field.
type Owner string

const (
	// OwnerATS fields always take the offer's value: a difference in the HRIS is overwritten
	// (and the before/after recorded).
	OwnerATS Owner = "ats"
	// OwnerHRIS fields are written only when the HRIS has no value yet (on create, or empty);
	// afterwards a difference is reported for review, never overwritten.
	OwnerHRIS Owner = "hris"
)

// Mapping is the field mapping from the candidate's state to an HRIS employee record, loaded
// from the JSON file named by HRIS_MAPPING_FILE (documented example: deploy/hris/mapping.json).
type Mapping struct {
	// Source is the file it was loaded from, for messages.
	Source string
	// Target is the HRIS kind the mapping is written for: bamboohr or rest.
	Target string
	// KeyField is the HRIS field that stores the ATS candidate id: the upsert key.
	KeyField string
	// Location is where "today" is, for the start-date rule. Default: UTC.
	Location *time.Location
	// StartDateField is the HRIS field whose date must not be in the past.
	StartDateField string
	// StartDateGraceDays accepts start dates up to this many days in the past. Default: 0.
	StartDateGraceDays int
	// SalaryField is the HRIS field that must equal the accepted offer's salary.
	SalaryField string
	// Fields in file order.
	Fields []Field
	// Tables are the lookup tables, by name.
	Tables map[string]map[string]string
	// REST configures the generic JSON REST target (Target "rest").
	REST *RESTTarget
}

// Field maps one HRIS field.
type Field struct {
	// HRIS is the field name in the HRIS (BambooHR: an employee field, or jobInfo.<column>,
	// compensation.<column>; REST: a dotted JSON path).
	HRIS string
	// Source is where the value comes from (see Sources).
	Source    string
	Transform Transform
	Owner     Owner
	Required  bool
	// Personal values (names, emails) are masked in diffs, audit rows and alerts.
	Personal bool
	// CaseInsensitive compares values ignoring case (BambooHR list values are case-insensitive).
	CaseInsensitive bool
	// Line is where the field is defined in Source.
	Line int
}

// Transform turns a source value into the HRIS value.
type Transform struct {
	// Type is text, name, date, lookup, money, email or constant. Default: text.
	Type string
	// Case (text, name): preserve, title, upper, lower, or smart (title-case only a name
	// written all in upper or all in lower case). Default: preserve.
	Case string
	// Formats (date): accepted input layouts, written with YYYY, MM, DD, M, D; tried in order.
	Formats []string
	// Output (date): the layout written to the HRIS. Default: YYYY-MM-DD.
	Output string
	// Table (lookup): the lookup table's name.
	Table string
	// Default (lookup): the value for keys missing from the table; nil makes a missing key an
	// error. An empty source maps through the table's "" entry if it has one, else to no value.
	Default *string
	// Format (money): amount_currency ("103000.00 USD"), amount ("103000.00") or currency ("USD").
	// Default: amount_currency.
	Format string
	// Currencies (money): accepted ISO 4217 codes; empty accepts any.
	Currencies []string
	// Template (email): e.g. "{first}.{last}@acme.example"; placeholders {first}, {last},
	// {first_initial}, {candidate_id}; names are folded to ASCII letters.
	Template string
	// Value (constant).
	Value string
}

// RESTTarget configures the generic JSON REST HRIS client.
type RESTTarget struct {
	// Name labels the target in outcomes and hris_syncs. Default: rest.
	Name string
	// URL is the base URL, e.g. https://hris.example/api.
	URL string
	// CreatePath is POSTed to create an employee. Default: /employees.
	CreatePath string
	// EmployeePath reads and updates one employee; {id} is replaced. Default: /employees/{id}.
	EmployeePath string
	// SearchPath finds employees by key; {key} is replaced (URL-escaped).
	// Default: /employees?{key_field}={key}.
	SearchPath string
	// UpdateMethod is PATCH, PUT or POST. Default: PATCH.
	UpdateMethod string
	// IDField is the JSON field holding the employee id in responses. Default: id.
	IDField string
	// ResultsField is the JSON field holding the array of search results; empty: the body is the array.
	ResultsField string
	// AuthHeader carries the token from HRIS_REST_TOKEN. Default: Authorization (as "Bearer <token>").
	AuthHeader string
}

// ConfigError is a problem in the mapping file, at a line and column.
type ConfigError struct {
	File      string
	Line, Col int
	Reason    string
}

func (e *ConfigError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Reason)
}

// LoadMapping reads and checks the mapping file at path.
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping file: %w", err)
	}
	return ParseMapping(path, b)
}

type rawMapping struct {
	Target     string                       `json:"target"`
	KeyField   string                       `json:"key_field"`
	Timezone   string                       `json:"timezone"`
	Validation rawValidation                `json:"validation"`
	Fields     []json.RawMessage            `json:"fields"`
	Tables     map[string]map[string]string `json:"tables"`
	REST       *rawREST                     `json:"rest"`
	Comment    any                          `json:"_comment"`
}

type rawValidation struct {
	StartDateField     string `json:"start_date_field"`
	StartDateGraceDays int    `json:"start_date_grace_days"`
	SalaryField        string `json:"salary_field"`
}

type rawREST struct {
	Name         string `json:"name"`
	URL          string `json:"url"`
	CreatePath   string `json:"create_path"`
	EmployeePath string `json:"employee_path"`
	SearchPath   string `json:"search_path"`
	UpdateMethod string `json:"update_method"`
	IDField      string `json:"id_field"`
	ResultsField string `json:"results_field"`
	AuthHeader   string `json:"auth_header"`
}

type rawField struct {
	HRIS            string        `json:"hris"`
	Source          string        `json:"source"`
	Transform       *rawTransform `json:"transform"`
	Owner           string        `json:"owner"`
	Required        bool          `json:"required"`
	Personal        *bool         `json:"personal"`
	CaseInsensitive bool          `json:"case_insensitive"`
	Comment         any           `json:"_comment"`
}

type rawTransform struct {
	Type       string   `json:"type"`
	Case       string   `json:"case"`
	Formats    []string `json:"formats"`
	Output     string   `json:"output"`
	Table      string   `json:"table"`
	Default    *string  `json:"default"`
	Format     string   `json:"format"`
	Currencies []string `json:"currencies"`
	Template   string   `json:"template"`
	Value      string   `json:"value"`
}

// ParseMapping parses and checks a mapping; errors name the line, the column and the reason.
func ParseMapping(name string, data []byte) (*Mapping, error) {
	p := &parser{name: name, data: data}
	var raw rawMapping
	if err := p.decode(data, 0, &raw, ""); err != nil {
		return nil, err
	}
	offsets, err := arrayOffsets(data, "fields")
	if err != nil {
		return nil, p.errAt(0, err.Error())
	}
	m := &Mapping{Source: name, Target: strings.TrimSpace(raw.Target), KeyField: strings.TrimSpace(raw.KeyField),
		StartDateField: raw.Validation.StartDateField, StartDateGraceDays: raw.Validation.StartDateGraceDays,
		SalaryField: raw.Validation.SalaryField, Tables: raw.Tables, Location: time.UTC}
	if m.Tables == nil {
		m.Tables = map[string]map[string]string{}
	}
	var errs []error
	top := func(key, reason string) { errs = append(errs, p.errAt(p.keyOffset(key), reason)) }
	switch m.Target {
	case "bamboohr", "rest":
	case "":
		top("target", `"target" is missing: set it to "bamboohr" or "rest"`)
	default:
		top("target", fmt.Sprintf("target %q is unknown: use \"bamboohr\" or \"rest\"", m.Target))
	}
	if m.KeyField == "" {
		top("key_field", `"key_field" is missing: name the HRIS field that stores the ATS candidate id (BambooHR: a custom field alias like customAtsCandidateId)`)
	}
	if raw.Timezone != "" {
		loc, err := time.LoadLocation(raw.Timezone)
		if err != nil {
			top("timezone", fmt.Sprintf("timezone %q: %v", raw.Timezone, err))
		} else {
			m.Location = loc
		}
	}
	if m.StartDateGraceDays < 0 {
		top("start_date_grace_days", "validation.start_date_grace_days must be >= 0")
	}
	if len(raw.Fields) == 0 {
		top("fields", `"fields" is missing or empty: map at least the HRIS fields the new hire needs`)
	}
	seen := map[string]int{}
	for i, fr := range raw.Fields {
		off := offsets[i]
		var rf rawField
		if err := p.decode(fr, off, &rf, fmt.Sprintf("fields[%d]: ", i)); err != nil {
			errs = append(errs, err)
			continue
		}
		f, ferrs := p.field(i, off, rf, m)
		errs = append(errs, ferrs...)
		if f.HRIS != "" {
			if prev, dup := seen[f.HRIS]; dup {
				errs = append(errs, p.errAt(off, fmt.Sprintf("fields[%d]: HRIS field %q is already mapped at line %d", i, f.HRIS, prev)))
			}
			seen[f.HRIS] = f.Line
		}
		m.Fields = append(m.Fields, f)
	}
	if _, dup := seen[m.KeyField]; dup && m.KeyField != "" {
		top("key_field", fmt.Sprintf("key_field %q is also mapped in fields: hirestream writes the candidate id there itself", m.KeyField))
	}
	// The two rules the sync must never skip: both fields must exist and be the right kind.
	switch f := m.field(m.SalaryField); {
	case m.SalaryField == "":
		top("validation", `validation.salary_field is missing: name the HRIS field that must equal the accepted offer's salary`)
	case f == nil:
		top("salary_field", fmt.Sprintf("validation.salary_field %q is not one of the mapped fields", m.SalaryField))
	case f.Transform.Type != "money" || f.Source != "offer.salary" || f.Transform.Format == "currency":
		top("salary_field", fmt.Sprintf("validation.salary_field %q must map source \"offer.salary\" with a money transform (amount or amount_currency), so it can be checked against the accepted offer", m.SalaryField))
	}
	switch f := m.field(m.StartDateField); {
	case m.StartDateField == "":
		top("validation", `validation.start_date_field is missing: name the HRIS field holding the start date`)
	case f == nil:
		top("start_date_field", fmt.Sprintf("validation.start_date_field %q is not one of the mapped fields", m.StartDateField))
	case f.Transform.Type != "date":
		top("start_date_field", fmt.Sprintf("validation.start_date_field %q must use a date transform", m.StartDateField))
	}
	if m.Target == "rest" {
		if raw.REST == nil {
			top("target", `target "rest" needs a "rest" object with at least "url"`)
		} else {
			m.REST, err = p.rest(raw.REST, m.KeyField)
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	if m.Target == "bamboohr" {
		for _, f := range m.Fields {
			table, col, ok := strings.Cut(f.HRIS, ".")
			if ok && (table != "jobInfo" && table != "compensation" || col == "") {
				errs = append(errs, p.errAtLine(f.Line, fmt.Sprintf("HRIS field %q: BambooHR fields are employee field names, jobInfo.<column> or compensation.<column>", f.HRIS)))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Mapping) field(name string) *Field {
	for i := range m.Fields {
		if m.Fields[i].HRIS == name {
			return &m.Fields[i]
		}
	}
	return nil
}

// Field returns the mapping of HRIS field name (nil when unmapped).
func (m *Mapping) Field(name string) *Field { return m.field(name) }

// FieldNames lists every HRIS field the sync reads or writes, the key field first.
func (m *Mapping) FieldNames() []string {
	out := []string{m.KeyField}
	for _, f := range m.Fields {
		out = append(out, f.HRIS)
	}
	return out
}

var (
	transformTypes = []string{"text", "name", "date", "lookup", "money", "email", "constant"}
	cases          = []string{"preserve", "title", "upper", "lower", "smart"}
	moneyFormats   = []string{"amount_currency", "amount", "currency"}
)

func (p *parser) field(i, off int, rf rawField, m *Mapping) (Field, []error) {
	f := Field{HRIS: strings.TrimSpace(rf.HRIS), Source: strings.TrimSpace(rf.Source), Owner: Owner(rf.Owner),
		Required: rf.Required, CaseInsensitive: rf.CaseInsensitive, Line: p.line(off)}
	var errs []error
	bad := func(reason string) {
		label := fmt.Sprintf("fields[%d]", i)
		if f.HRIS != "" {
			label += fmt.Sprintf(" (%s)", f.HRIS)
		}
		errs = append(errs, p.errAt(off, label+": "+reason))
	}
	if f.HRIS == "" {
		bad(`"hris" is missing: the HRIS field name`)
	}
	switch f.Owner {
	case "":
		f.Owner = OwnerATS
	case OwnerATS, OwnerHRIS:
	default:
		bad(fmt.Sprintf("owner %q is unknown: use \"ats\" or \"hris\"", rf.Owner))
	}
	t := rawTransform{}
	if rf.Transform != nil {
		t = *rf.Transform
	}
	f.Transform = Transform{Type: t.Type, Case: t.Case, Formats: t.Formats, Output: t.Output, Table: t.Table,
		Default: t.Default, Format: t.Format, Currencies: t.Currencies, Template: t.Template, Value: t.Value}
	if f.Transform.Type == "" {
		f.Transform.Type = "text"
	}
	if !slices.Contains(transformTypes, f.Transform.Type) {
		bad(fmt.Sprintf("transform.type %q is unknown: use one of %s", t.Type, strings.Join(transformTypes, ", ")))
		return f, errs
	}
	needSource := f.Transform.Type != "constant" && f.Transform.Type != "email"
	kind := sourceKind(f.Source)
	switch {
	case needSource && f.Source == "":
		bad(`"source" is missing: e.g. "offer.start_date_raw"; see the list in deploy/hris/README.md`)
	case needSource && kind == kindUnknown:
		bad(fmt.Sprintf("source %q is unknown: use one of %s, or offer.custom.<key>", f.Source, strings.Join(sourceNames(), ", ")))
	case needSource && kind == kindCandidate:
		bad(`source "candidate" is the whole candidate: only an email transform takes it; use candidate.first_name, candidate.last_name...`)
	case f.Transform.Type == "money" && kind != kindMoney:
		bad(fmt.Sprintf("a money transform needs source \"offer.salary\", not %q", f.Source))
	case f.Transform.Type != "money" && kind == kindMoney:
		bad(`source "offer.salary" is an amount with a currency: use the money transform (or offer.salary.amount / .currency / .pay_period with text)`)
	case !needSource && f.Source != "" && !(f.Transform.Type == "email" && f.Source == "candidate"):
		bad(fmt.Sprintf("a %s transform takes no source (got %q)", f.Transform.Type, f.Source))
	}
	tr := &f.Transform
	if tr.Type == "email" && f.Source == "" {
		f.Source = "candidate"
	}
	if tr.Case == "" {
		tr.Case = "preserve"
	}
	if !slices.Contains(cases, tr.Case) {
		bad(fmt.Sprintf("transform.case %q is unknown: use one of %s", tr.Case, strings.Join(cases, ", ")))
	}
	switch tr.Type {
	case "date":
		if len(tr.Formats) == 0 {
			bad(`a date transform needs "formats", e.g. ["MM/DD/YYYY", "YYYY-MM-DD"] (Greenhouse offers use MM/DD/YYYY)`)
		}
		for _, fm := range tr.Formats {
			if _, err := goLayout(fm); err != nil {
				bad(fmt.Sprintf("transform.formats: %v", err))
			}
		}
		if tr.Output == "" {
			tr.Output = "YYYY-MM-DD"
		}
		if _, err := goLayout(tr.Output); err != nil {
			bad(fmt.Sprintf("transform.output: %v", err))
		}
	case "lookup":
		if tr.Table == "" {
			bad(`a lookup transform needs "table": the name of a table under "tables"`)
		} else if _, ok := m.Tables[tr.Table]; !ok {
			bad(fmt.Sprintf("lookup table %q is not defined under \"tables\" (defined: %s)", tr.Table, strings.Join(sortedKeys(m.Tables), ", ")))
		}
	case "money":
		if tr.Format == "" {
			tr.Format = "amount_currency"
		}
		if !slices.Contains(moneyFormats, tr.Format) {
			bad(fmt.Sprintf("transform.format %q is unknown: use one of %s", tr.Format, strings.Join(moneyFormats, ", ")))
		}
		for _, c := range tr.Currencies {
			if !schemas.IsCurrencyCode(c) {
				bad(fmt.Sprintf("transform.currencies: %q is not an ISO 4217 code like USD", c))
			}
		}
	case "email":
		if tr.Template == "" || !strings.Contains(tr.Template, "@") {
			bad(`an email transform needs "template", e.g. "{first}.{last}@acme.example"`)
		} else if err := checkTemplate(tr.Template); err != nil {
			bad(err.Error())
		}
	case "constant":
		if tr.Value == "" {
			bad(`a constant transform needs "value"`)
		}
	}
	if rf.Personal != nil {
		f.Personal = *rf.Personal
	} else {
		f.Personal = strings.HasPrefix(f.Source, "candidate") || tr.Type == "email"
	}
	return f, errs
}

func (p *parser) rest(r *rawREST, keyField string) (*RESTTarget, error) {
	t := &RESTTarget{Name: r.Name, URL: strings.TrimRight(r.URL, "/"), CreatePath: r.CreatePath, EmployeePath: r.EmployeePath,
		SearchPath: r.SearchPath, UpdateMethod: strings.ToUpper(r.UpdateMethod), IDField: r.IDField,
		ResultsField: r.ResultsField, AuthHeader: r.AuthHeader}
	if t.Name == "" {
		t.Name = "rest"
	}
	if t.CreatePath == "" {
		t.CreatePath = "/employees"
	}
	if t.EmployeePath == "" {
		t.EmployeePath = "/employees/{id}"
	}
	if t.SearchPath == "" {
		t.SearchPath = "/employees?" + url.QueryEscape(keyField) + "={key}"
	}
	if t.UpdateMethod == "" {
		t.UpdateMethod = "PATCH"
	}
	if t.IDField == "" {
		t.IDField = "id"
	}
	if t.AuthHeader == "" {
		t.AuthHeader = "Authorization"
	}
	var errs []error
	if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, p.errAt(p.keyOffset("url"), fmt.Sprintf("rest.url %q is not an absolute http(s) URL", r.URL)))
	}
	if !strings.Contains(t.EmployeePath, "{id}") {
		errs = append(errs, p.errAt(p.keyOffset("employee_path"), fmt.Sprintf("rest.employee_path %q must contain {id}", t.EmployeePath)))
	}
	if !strings.Contains(t.SearchPath, "{key}") {
		errs = append(errs, p.errAt(p.keyOffset("search_path"), fmt.Sprintf("rest.search_path %q must contain {key}", t.SearchPath)))
	}
	if !slices.Contains([]string{"PATCH", "PUT", "POST"}, t.UpdateMethod) {
		errs = append(errs, p.errAt(p.keyOffset("update_method"), fmt.Sprintf("rest.update_method %q: use PATCH, PUT or POST", r.UpdateMethod)))
	}
	return t, errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// parser turns JSON decoding problems into ConfigErrors with a line and column.
type parser struct {
	name string
	data []byte
}

func (p *parser) line(off int) int {
	l, _ := lineCol(p.data, off)
	return l
}

func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func (p *parser) errAt(off int, reason string) error {
	l, c := lineCol(p.data, off)
	return &ConfigError{File: p.name, Line: l, Col: c, Reason: reason}
}

func (p *parser) errAtLine(line int, reason string) error {
	return &ConfigError{File: p.name, Line: line, Col: 1, Reason: reason}
}

// keyOffset is the offset of the first occurrence of "key": in the file, or 0.
func (p *parser) keyOffset(key string) int {
	i := bytes.Index(p.data, []byte(`"`+key+`"`))
	return max(i, 0)
}

// decode strictly decodes part (which starts at base in the file) into v; label prefixes
// messages ("fields[2]: ").
func (p *parser) decode(part []byte, base int, v any, label string) error {
	dec := json.NewDecoder(bytes.NewReader(part))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return p.errAt(base+int(dec.InputOffset()), label+"unexpected data after the JSON value")
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return p.errAt(base+int(syn.Offset)-1, label+"invalid JSON: "+syn.Error())
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "value"
		}
		return p.errAt(base+int(typ.Offset), fmt.Sprintf("%s%s: expected %s, got JSON %s", label, where, typ.Type, typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return p.errAt(base+len(part), label+"invalid JSON: unexpected end of file")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		key := strings.Trim(name, `"`)
		off := bytes.Index(part, []byte(`"`+key+`"`))
		return p.errAt(base+max(off, 0), fmt.Sprintf("%sunknown key %s (misspelt? keys are documented in deploy/hris/README.md)", label, name))
	}
	return p.errAt(base+int(dec.InputOffset()), label+err.Error())
}

// arrayOffsets returns the byte offset where each element of the top-level array under key
// starts (nil when there is no such array).
func arrayOffsets(data []byte, key string) ([]int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("the mapping must be a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if k, _ := t.(string); k != key {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil, nil
		}
		var offs []int
		for dec.More() {
			off := int(dec.InputOffset())
			for off < len(data) && (data[off] == ',' || data[off] == ' ' || data[off] == '\n' || data[off] == '\t' || data[off] == '\r') {
				off++
			}
			offs = append(offs, off)
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, err
			}
		}
		return offs, nil
	}
	return nil, nil
}
