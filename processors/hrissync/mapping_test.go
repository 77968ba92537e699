package hrissync

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadMapping_DocumentedExample(t *testing.T) {
	t.Parallel()
	m, err := LoadMapping("../../deploy/hris/mapping.json")
	if err != nil {
		t.Fatalf("the documented example does not load: %v", err)
	}
	if m.Target != "bamboohr" || m.KeyField != "customAtsCandidateId" || m.SalaryField != "compensation.rate" || m.StartDateField != "hireDate" {
		t.Fatalf("example: %+v", m)
	}
	if f := m.Field("workEmail"); f == nil || f.Owner != OwnerHRIS || !f.Personal {
		t.Fatalf("workEmail should be HRIS-owned and personal: %+v", f)
	}
	if f := m.Field("jobInfo.department"); f == nil || f.Owner != OwnerATS || f.Personal {
		t.Fatalf("department: %+v", f)
	}
}

// minimal is a valid mapping; cases below break one thing each.
const minimal = `{
  "target": "bamboohr",
  "key_field": "customAtsCandidateId",
  "validation": {"start_date_field": "hireDate", "salary_field": "compensation.rate"},
  "fields": [
    {"hris": "firstName", "source": "candidate.first_name", "required": true},
    {"hris": "hireDate", "source": "offer.start_date_raw", "transform": {"type": "date", "formats": ["MM/DD/YYYY"]}},
    {"hris": "compensation.rate", "source": "offer.salary", "transform": {"type": "money"}},
    {"hris": "jobInfo.department", "source": "job.department_id", "transform": {"type": "lookup", "table": "departments"}}
  ],
  "tables": {"departments": {"310": "Platform"}}
}`

func TestParseMapping_Minimal(t *testing.T) {
	t.Parallel()
	m, err := ParseMapping("m.json", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.FieldNames(); strings.Join(got, ",") != "customAtsCandidateId,firstName,hireDate,compensation.rate,jobInfo.department" {
		t.Fatalf("FieldNames = %v", got)
	}
	if f := m.Field("hireDate"); f.Transform.Output != "YYYY-MM-DD" || f.Owner != OwnerATS || f.Line != 7 {
		t.Fatalf("defaults: %+v", f)
	}
	if f := m.Field("firstName"); !f.Personal || f.Transform.Type != "text" || f.Transform.Case != "preserve" {
		t.Fatalf("firstName defaults: %+v", f)
	}
}

func TestParseMapping_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		old, new string // replace old with new in minimal
		want     string // substring of the error, including line:col
	}{
		{"syntax error", `"target": "bamboohr",`, `"target": "bamboohr"`, "m.json:3:3: invalid JSON"},
		{"trailing data", "\"310\": \"Platform\"}}\n}", "\"310\": \"Platform\"}}\n}\n{}", "unexpected data after the JSON value"},
		{"unknown top-level key", `"target"`, `"tagret": 1, "target"`, `m.json:2:3: unknown key "tagret"`},
		{"unknown field key", `"required": true}`, `"requierd": true}`, `m.json:6:61: fields[0]: unknown key "requierd"`},
		{"wrong type", `"required": true}`, `"required": "yes"}`, "m.json:6:78: fields[0]: required: expected bool"},
		{"wrong type message", `"required": true}`, `"required": "yes"}`, "expected bool, got JSON string"},
		{"missing target", `"target": "bamboohr",`, ``, `"target" is missing`},
		{"unknown target", `"bamboohr"`, `"workday"`, `m.json:2:3: target "workday" is unknown`},
		{"missing key field", `"key_field": "customAtsCandidateId",`, ``, `"key_field" is missing`},
		{"key field also mapped", `"hris": "firstName"`, `"hris": "customAtsCandidateId"`, "is also mapped in fields"},
		{"unknown transform", `"type": "money"`, `"type": "moneyy"`, `m.json:8:5: fields[2] (compensation.rate): transform.type "moneyy" is unknown`},
		{"unknown source", `"candidate.first_name"`, `"candidate.firstname"`, `m.json:6:5: fields[0] (firstName): source "candidate.firstname" is unknown`},
		{"missing source", `"source": "candidate.first_name", `, ``, `fields[0] (firstName): "source" is missing`},
		{"undefined lookup table", `"table": "departments"`, `"table": "depts"`, `m.json:9:5: fields[3] (jobInfo.department): lookup table "depts" is not defined`},
		{"lookup without table", `"table": "departments"`, `"table": ""`, `a lookup transform needs "table"`},
		{"date without formats", `"formats": ["MM/DD/YYYY"]`, `"formats": []`, `fields[1] (hireDate): a date transform needs "formats"`},
		{"bad date token", `["MM/DD/YYYY"]`, `["MM/DD/YYYYY"]`, `"Y" is not YYYY, MM, DD, M or D`},
		{"month twice", `["MM/DD/YYYY"]`, `["MMM/DD/YYYY"]`, "exactly one year (YYYY), one month"},
		{"bad output", `"formats": ["MM/DD/YYYY"]`, `"formats": ["MM/DD/YYYY"], "output": "DD.YYYY"`, "transform.output"},
		{"money from a text source", `"source": "offer.salary", "transform": {"type": "money"}`, `"source": "offer.title", "transform": {"type": "money"}`, `needs source "offer.salary"`},
		{"salary as text", `"source": "offer.salary", "transform": {"type": "money"}`, `"source": "offer.salary"`, "use the money transform"},
		{"bad currency list", `{"type": "money"}`, `{"type": "money", "currencies": ["usd"]}`, `"usd" is not an ISO 4217 code`},
		{"bad money format", `{"type": "money"}`, `{"type": "money", "format": "cents"}`, `transform.format "cents" is unknown`},
		{"salary field missing", `, "salary_field": "compensation.rate"`, ``, "validation.salary_field is missing"},
		{"salary field unmapped", `"salary_field": "compensation.rate"`, `"salary_field": "payRate"`, `validation.salary_field "payRate" is not one of the mapped fields`},
		{"salary field not money", `"salary_field": "compensation.rate"`, `"salary_field": "firstName"`, `must map source "offer.salary" with a money transform`},
		{"start date field not a date", `"start_date_field": "hireDate"`, `"start_date_field": "firstName"`, "must use a date transform"},
		{"start date field missing", `"start_date_field": "hireDate", `, ``, "validation.start_date_field is missing"},
		{"duplicate HRIS field", `"hris": "jobInfo.department"`, `"hris": "firstName"`, `HRIS field "firstName" is already mapped at line 6`},
		{"bad owner", `"required": true}`, `"required": true, "owner": "payroll"}`, `owner "payroll" is unknown`},
		{"bad case", `"required": true}`, `"required": true, "transform": {"case": "camel"}}`, `transform.case "camel" is unknown`},
		{"bamboohr table", `"hris": "jobInfo.department"`, `"hris": "payroll.department"`, `m.json:9:1: HRIS field "payroll.department": BambooHR fields are`},
		{"bad timezone", `"target": "bamboohr",`, `"target": "bamboohr", "timezone": "Mars/Olympus",`, `timezone "Mars/Olympus"`},
		{"no fields", `"fields": [`, `"fieldz": [], "x": [`, `unknown key "fieldz"`},
		{"email template placeholder", `{"hris": "firstName", "source": "candidate.first_name", "required": true}`,
			`{"hris": "firstName", "source": "candidate.first_name", "required": true}, {"hris": "workEmail", "transform": {"type": "email", "template": "{given}@acme.example"}}`,
			"placeholder {given} is unknown"},
		{"constant without value", `{"hris": "firstName", "source": "candidate.first_name", "required": true}`,
			`{"hris": "firstName", "source": "candidate.first_name", "required": true}, {"hris": "status", "transform": {"type": "constant"}}`,
			`a constant transform needs "value"`},
		{"constant with a source", `{"hris": "firstName", "source": "candidate.first_name", "required": true}`,
			`{"hris": "firstName", "source": "candidate.first_name", "required": true}, {"hris": "status", "source": "job.id", "transform": {"type": "constant", "value": "Active"}}`,
			"a constant transform takes no source"},
		{"rest without url", `"target": "bamboohr"`, `"target": "rest", "rest": {"url": "hris.example"}`, `rest.url "hris.example" is not an absolute http(s) URL`},
		{"rest without object", `"target": "bamboohr"`, `"target": "rest"`, `target "rest" needs a "rest" object`},
		{"negative grace", `"start_date_field": "hireDate"`, `"start_date_field": "hireDate", "start_date_grace_days": -1`, "start_date_grace_days must be >= 0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(minimal, tc.old) {
				t.Fatalf("test case does not apply: %q not in the minimal mapping", tc.old)
			}
			_, err := ParseMapping("m.json", []byte(strings.Replace(minimal, tc.old, tc.new, 1)))
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *ConfigError", err)
			}
		})
	}
}

func TestParseMapping_AllErrorsAtOnce(t *testing.T) {
	t.Parallel()
	bad := strings.NewReplacer(`"moneyy"`, `"money"`, `"type": "money"`, `"type": "moneyy"`, `"candidate.first_name"`, `"nope"`).Replace(minimal)
	_, err := ParseMapping("m.json", []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "moneyy") || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("want both problems reported, got %v", err)
	}
}

func TestParseMapping_RESTDefaults(t *testing.T) {
	t.Parallel()
	m, err := ParseMapping("m.json", []byte(strings.Replace(minimal, `"target": "bamboohr"`,
		`"target": "rest", "rest": {"url": "https://hris.example/api/"}`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	r := m.REST
	if r.URL != "https://hris.example/api" || r.CreatePath != "/employees" || r.EmployeePath != "/employees/{id}" ||
		r.SearchPath != "/employees?customAtsCandidateId={key}" || r.UpdateMethod != "PATCH" || r.IDField != "id" || r.AuthHeader != "Authorization" {
		t.Fatalf("REST defaults: %+v", r)
	}
}

func TestLineCol(t *testing.T) {
	t.Parallel()
	data := []byte("ab\ncd\n\nef")
	for _, tc := range []struct{ off, line, col int }{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {4, 2, 2}, {6, 3, 1}, {7, 4, 1}, {99, 4, 3}} {
		if l, c := lineCol(data, tc.off); l != tc.line || c != tc.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
}
