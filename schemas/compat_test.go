package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// problems flattens CheckBackward's joined error into its *IncompatibleError parts.
func problems(t *testing.T, err error) []*IncompatibleError {
	t.Helper()
	var out []*IncompatibleError
	var walk func(error)
	walk = func(e error) {
		if multi, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range multi.Unwrap() {
				walk(inner)
			}
			return
		}
		var ie *IncompatibleError
		if !errors.As(e, &ie) {
			t.Fatalf("CheckBackward returned a non-compatibility error: %v", e)
		}
		out = append(out, ie)
	}
	if err != nil {
		walk(err)
	}
	return out
}

// assertProblems checks that err holds exactly one problem per want entry, each problem's
// "path: reason" starting with its want entry (in any order).
func assertProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("CheckBackward rejected a compatible change:\n%v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("CheckBackward accepted an incompatible change; want problems %q", want)
	}
	if !errors.Is(err, ErrIncompatible) {
		t.Fatalf("errors.Is(err, ErrIncompatible) = false for %v", err)
	}
	got := problems(t, err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v\nwant prefixes %q", len(got), len(want), err, want)
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(p *IncompatibleError) bool { return strings.HasPrefix(p.Error(), w) }) {
			t.Errorf("no problem starts with %q; got:\n%v", w, err)
		}
	}
}

// rec is a record schema named test.R with the given fields (JSON, comma separated).
func rec(fields string) string {
	return `{"type":"record","name":"R","namespace":"test","fields":[` + fields + `]}`
}

// field is a record test.R with one field "f" of the given type.
func field(typ string) string { return rec(`{"name":"f","type":` + typ + `}`) }

func TestCheckBackward(t *testing.T) {
	const (
		color     = `{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}`
		colorLess = `{"type":"enum","name":"Color","symbols":["RED","GREEN"]}`
		colorDflt = `{"type":"enum","name":"Color","symbols":["RED","GREEN"],"default":"RED"}`
		colorMore = `{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE","CYAN"]}`
		node      = `{"type":"record","name":"Node","namespace":"test","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}`
	)
	cases := []struct {
		name           string
		writer, reader string
		want           []string // one "path: reason" prefix per expected problem; none = compatible
	}{
		{"identical", rec(`{"name":"a","type":"string"}`), rec(`{"name":"a","type":"string"}`), nil},
		{"add field with default", rec(`{"name":"a","type":"string"}`),
			rec(`{"name":"a","type":"string"},{"name":"b","type":"int","default":0}`), nil},
		{"add nullable field with null default", rec(`{"name":"a","type":"string"}`),
			rec(`{"name":"a","type":"string"},{"name":"b","type":["null","string"],"default":null}`), nil},
		{"add field without default", rec(`{"name":"a","type":"string"}`),
			rec(`{"name":"a","type":"string"},{"name":"b","type":"int"}`),
			[]string{`test.R: reader field "b" has no default and writer lacks it`}},
		{"remove field", rec(`{"name":"a","type":"string"},{"name":"b","type":"int"}`),
			rec(`{"name":"a","type":"string"}`), nil},
		{"reorder fields", rec(`{"name":"a","type":"string"},{"name":"b","type":"int"}`),
			rec(`{"name":"b","type":"int"},{"name":"a","type":"string"}`), nil},
		{"rename field with alias", rec(`{"name":"a","type":"string"}`),
			rec(`{"name":"z","aliases":["a"],"type":"string"}`),
			[]string{`test.R: reader field "z" renames writer field "a" through an alias, which the Apache Avro Python library ignores (it would read nothing and fail)`}},
		{"rename field with alias and default", rec(`{"name":"a","type":"string"}`),
			rec(`{"name":"z","aliases":["a"],"type":"string","default":""}`),
			[]string{`test.R: reader field "z" renames writer field "a" through an alias, which the Apache Avro Python library ignores (it would read the default instead of the data)`}},
		{"rename field without alias", rec(`{"name":"a","type":"string"}`),
			rec(`{"name":"z","type":"string"}`),
			[]string{`test.R: reader field "z" has no default`}},

		{"int to long", field(`"int"`), field(`"long"`), nil},
		{"int to float", field(`"int"`), field(`"float"`), nil},
		{"int to double", field(`"int"`), field(`"double"`), nil},
		{"long to float", field(`"long"`), field(`"float"`), nil},
		{"long to double", field(`"long"`), field(`"double"`), nil},
		{"float to double", field(`"float"`), field(`"double"`), nil},
		{"string to bytes", field(`"string"`), field(`"bytes"`),
			[]string{`f: writer "string" to reader "bytes" is a promotion the Avro spec allows, but the Apache Avro Python library cannot resolve it`}},
		{"bytes to string", field(`"bytes"`), field(`"string"`),
			[]string{`f: writer "bytes" to reader "string" is a promotion`}},
		{"string picks a bytes union branch", field(`"string"`), field(`["null","bytes"]`),
			[]string{`f.bytes: writer "string" to reader "bytes" is a promotion`}},
		{"long to int", field(`"long"`), field(`"int"`), []string{`f: writer "long" cannot be read as reader "int"`}},
		{"double to float", field(`"double"`), field(`"float"`), []string{`f: writer "double" cannot be read as reader "float"`}},
		{"string to int", field(`"string"`), field(`"int"`), []string{`f: writer "string" cannot be read as reader "int"`}},
		{"boolean to string", field(`"boolean"`), field(`"string"`), []string{`f: writer "boolean"`}},

		{"add union branch", field(`["null","string"]`), field(`["null","string","long"]`), nil},
		{"reorder union branches", field(`["null","string"]`), field(`["string","null"]`), nil},
		{"remove union branch", field(`["null","string","long"]`), field(`["null","string"]`),
			[]string{`f: writer union branch "long" has no matching branch in reader union [null, string]`}},
		{"union branch promoted", field(`["null","int"]`), field(`["null","long"]`), nil},
		{"make field nullable", field(`"string"`), field(`["null","string"]`), nil},
		{"non-union writer matches no reader branch", field(`"string"`), field(`["null","long"]`),
			[]string{`f: writer "string" matches no branch of reader union [null, long]`}},
		{"make nullable field required", field(`["null","string"]`), field(`"string"`),
			[]string{`f: writer union branch "null" cannot be read as reader "string"`}},
		{"union writer to promotable non-union reader", field(`["int","long"]`), field(`"long"`), nil},
		{"remove record branch", field(`["null",` + rec(`{"name":"a","type":"string"}`) + `]`), field(`"null"`),
			[]string{`f: writer union branch record "test.R" cannot be read as reader "null"`}},

		{"rename record", `{"type":"record","name":"A","fields":[]}`, `{"type":"record","name":"B","fields":[]}`,
			[]string{`B: writer record "A" cannot be read as reader record "B": names differ`}},
		{"rename record with alias", `{"type":"record","name":"A","fields":[]}`,
			`{"type":"record","name":"B","aliases":["A"],"fields":[]}`,
			[]string{`B: writer record "A" cannot be read as reader record "B": names differ (keep the name; the alias does not help`}},
		{"change namespace", `{"type":"record","name":"A","namespace":"x","fields":[]}`,
			`{"type":"record","name":"A","namespace":"y","fields":[]}`,
			[]string{`y.A: writer record "x.A" cannot be read as reader record "y.A"`}},
		{"rename nested record", field(`{"type":"record","name":"In","fields":[]}`), field(`{"type":"record","name":"Out","fields":[]}`),
			[]string{`f: writer record "test.In" cannot be read as reader record "test.Out"`}},

		{"enum symbol added", field(color), field(colorMore), nil},
		{"enum symbol removed", field(color), field(colorLess),
			[]string{`f: writer enum symbol(s) "BLUE" missing from reader enum "test.Color", which has no default`}},
		{"enum symbol removed, reader default", field(color), field(colorDflt), nil},
		{"enum renamed", field(color), field(`{"type":"enum","name":"Colour","symbols":["RED","GREEN","BLUE"]}`),
			[]string{`f: writer enum "test.Color" cannot be read as reader enum "test.Colour"`}},

		{"fixed same", field(`{"type":"fixed","name":"H","size":16}`), field(`{"type":"fixed","name":"H","size":16}`), nil},
		{"fixed resized", field(`{"type":"fixed","name":"H","size":16}`), field(`{"type":"fixed","name":"H","size":32}`),
			[]string{`f: writer fixed "test.H" has size 16, reader size 32`}},
		{"fixed renamed", field(`{"type":"fixed","name":"H","size":16}`), field(`{"type":"fixed","name":"G","size":16}`),
			[]string{`f: writer fixed "test.H" cannot be read as reader fixed "test.G"`}},

		{"array items promoted", field(`{"type":"array","items":"int"}`), field(`{"type":"array","items":"long"}`), nil},
		{"array items narrowed", field(`{"type":"array","items":"long"}`), field(`{"type":"array","items":"int"}`),
			[]string{`f[]: writer "long" cannot be read as reader "int"`}},
		{"map values changed", field(`{"type":"map","values":"string"}`), field(`{"type":"map","values":"int"}`),
			[]string{`f{}: writer "string" cannot be read as reader "int"`}},
		{"array of records gains required field",
			field(`{"type":"array","items":{"type":"record","name":"I","fields":[]}}`),
			field(`{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"x","type":"int"}]}}`),
			[]string{`f[]: reader field "x" has no default`}},
		{"array to map", field(`{"type":"array","items":"string"}`), field(`{"type":"map","values":"string"}`),
			[]string{`f: writer array of "string" cannot be read as reader map of "string"`}},

		{"logical type dropped", field(`{"type":"long","logicalType":"timestamp-millis"}`), field(`"long"`), nil},
		{"logical type on promoted base", field(`{"type":"int","logicalType":"date"}`),
			field(`{"type":"long","logicalType":"timestamp-millis"}`), nil},
		{"logical type narrowed", field(`{"type":"long","logicalType":"timestamp-millis"}`), field(`{"type":"int","logicalType":"date"}`),
			[]string{`f: writer "long" cannot be read as reader "int"`}},

		{"recursive record gains field with default", node + `]}`,
			node + `,{"name":"w","type":"string","default":""}]}`, nil},
		{"recursive record gains required field", node + `]}`, node + `,{"name":"w","type":"string"}]}`,
			[]string{`test.Node: reader field "w" has no default`}},

		{"reports every problem",
			rec(`{"name":"a","type":"long"},{"name":"u","type":["null","string","int"]}`),
			rec(`{"name":"a","type":"int"},{"name":"u","type":["null","string"]},{"name":"n","type":"string"}`),
			[]string{
				`a: writer "long" cannot be read as reader "int"`,
				`u: writer union branch "int" has no matching branch`,
				`test.R: reader field "n" has no default and writer lacks it`,
			}},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			assertProblems(t, CheckBackward(tc.writer, tc.reader), tc.want)
		})
	}
}

func TestCheckBackward_InvalidSchema(t *testing.T) {
	err := CheckBackward(`{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}`, field(`"int"`))
	if err == nil || errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "parse writer schema") {
		t.Fatalf("err = %v, want a writer parse error that is not ErrIncompatible", err)
	}
	err = CheckBackward(field(`"int"`), `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}`)
	if err == nil || errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "parse reader schema") {
		t.Fatalf("err = %v, want a reader parse error (bad default)", err)
	}
}

// TestRegistry_BackwardCompatible guards registry/: registered files are frozen, ids only grow,
// each version reads the data of the one before, and avro/event.avsc is the latest version.
func TestRegistry_BackwardCompatible(t *testing.T) {
	versions, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) == 0 {
		t.Fatal("registry/registry.json lists no versions")
	}
	for i, v := range versions {
		fp, err := Fingerprint(v.Schema)
		if err != nil {
			t.Fatalf("registry/%s does not parse: %v", v.File, err)
		}
		if fp != v.Fingerprint {
			t.Errorf("registry/%s was edited after it was registered (fingerprint %s, registry.json says %s). "+
				"Registered schemas are immutable: messages already carry schema id %d. Restore the file "+
				"(git checkout schemas/registry/%s) and add your change as a new version instead: edit "+
				"avro/event.avsc and run this test for the registration steps.",
				v.File, fp, v.Fingerprint, v.ID, v.File)
		}
		if i == 0 {
			continue
		}
		prev := versions[i-1]
		if v.ID <= prev.ID {
			t.Errorf("version %d has schema id %d, not greater than version %d's id %d: ids are unique and only grow",
				v.Version, v.ID, prev.Version, prev.ID)
		}
		if v.Version == prev.Version {
			t.Errorf("version %d is listed twice in registry.json", v.Version)
		}
		if err := CheckBackward(prev.Schema, v.Schema); err != nil {
			t.Errorf("registry/%s (version %d) cannot read data written with registry/%s (version %d):\n%v",
				v.File, v.Version, prev.File, prev.Version, err)
		}
	}

	latest := versions[len(versions)-1]
	current, err := Fingerprint(CurrentSchema())
	if err != nil {
		t.Fatalf("avro/event.avsc does not parse: %v", err)
	}
	if current == latest.Fingerprint {
		// The fingerprint is of the parsing canonical form, which drops defaults and aliases;
		// both change how readers resolve old data, so they must not drift either.
		if a, b := resolutionForm(t, CurrentSchema()), resolutionForm(t, latest.Schema); a != b {
			t.Fatalf("avro/event.avsc has the fingerprint of registry/%s but differs from it in defaults or aliases, "+
				"which the fingerprint does not cover and readers depend on. Copy registry/%s back to "+
				"avro/event.avsc, or register the change as a new version: %s",
				latest.File, latest.File, registerSteps(current, versions))
		}
		return
	}
	for _, v := range versions {
		if v.Fingerprint == current {
			t.Fatalf("avro/event.avsc equals registered version %d (schema id %d), not the latest version %d: "+
				"producers would keep writing the older id. Copy registry/%s back to avro/event.avsc, or "+
				"register your change as a new version.", v.Version, v.ID, latest.Version, latest.File)
		}
	}
	msg := notRegisteredError(current, versions).Error()
	if err := CheckBackward(latest.Schema, CurrentSchema()); err != nil {
		msg += fmt.Sprintf("\nbut first fix avro/event.avsc: it cannot read data written with registry/%s:\n%v", latest.File, err)
	}
	t.Fatal(msg)
}

// resolutionForm is schema as canonical JSON without "doc" attributes: what readers resolve with.
func resolutionForm(t *testing.T, schema string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(schema), &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				strip(e)
			}
		case map[string]any:
			delete(v, "doc")
			for k, e := range v {
				if k != "default" { // a default value is data, not schema
					strip(e)
				}
			}
		}
	}
	strip(v)
	return mustMarshal(t, v)
}

// currentSchemaJSON parses avro/event.avsc for in-memory mutation.
func currentSchemaJSON(t *testing.T) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(CurrentSchema()), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// findNamed returns the definition of the named type with the given short name, anywhere in s.
func findNamed(s any, name string) map[string]any {
	switch s := s.(type) {
	case []any:
		for _, b := range s {
			if found := findNamed(b, name); found != nil {
				return found
			}
		}
	case map[string]any:
		if s["name"] == name && (s["type"] == "record" || s["type"] == "enum" || s["type"] == "fixed") {
			return s
		}
		for _, k := range []string{"type", "fields", "items", "values"} {
			if found := findNamed(s[k], name); found != nil {
				return found
			}
		}
	}
	return nil
}

func findField(t *testing.T, record map[string]any, name string) map[string]any {
	t.Helper()
	for _, f := range record["fields"].([]any) {
		if fm := f.(map[string]any); fm["name"] == name {
			return fm
		}
	}
	t.Fatalf("record %v has no field %q", record["name"], name)
	return nil
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckBackward_CurrentSchema proves the check is wired to the real envelope: plausible edits
// of avro/event.avsc are judged, and the problems name the place in the envelope.
func TestCheckBackward_CurrentSchema(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(t *testing.T, s map[string]any)
		want   []string
	}{
		{"unchanged", func(*testing.T, map[string]any) {}, nil},
		{"required field added to Offer", func(t *testing.T, s map[string]any) {
			offer := findNamed(s, "Offer")
			offer["fields"] = append(offer["fields"].([]any), map[string]any{"name": "equity_units", "type": "long"})
		}, []string{`payload.ApplicationEvent.offer.Offer: reader field "equity_units" has no default and writer lacks it`}},
		{"required field added to Money", func(t *testing.T, s map[string]any) {
			money := findNamed(s, "Money")
			money["fields"] = append(money["fields"].([]any), map[string]any{"name": "x", "type": "string"})
		}, []string{`payload.ApplicationEvent.offer.Offer.salary.Money: reader field "x" has no default and writer lacks it`}},
		{"optional field added to Offer", func(t *testing.T, s map[string]any) {
			offer := findNamed(s, "Offer")
			offer["fields"] = append(offer["fields"].([]any),
				map[string]any{"name": "bonus", "type": []any{"null", "hirestream.payload.Money"}, "default": nil})
		}, nil},
		{"DeadLetter branch dropped", func(t *testing.T, s map[string]any) {
			payload := findField(t, s, "payload")
			payload["type"] = slices.DeleteFunc(payload["type"].([]any), func(b any) bool {
				m, ok := b.(map[string]any)
				return ok && m["name"] == "DeadLetter"
			})
		}, []string{`payload: writer union branch record "hirestream.payload.DeadLetter" has no matching branch`}},
		{"payload branch added", func(t *testing.T, s map[string]any) {
			payload := findField(t, s, "payload")
			payload["type"] = append(payload["type"].([]any), map[string]any{"type": "record", "name": "Note",
				"namespace": "hirestream.payload", "fields": []any{map[string]any{"name": "text", "type": "string"}}})
		}, nil},
		{"amount narrowed to int", func(t *testing.T, s map[string]any) {
			findField(t, findNamed(s, "Money"), "amount_minor")["type"] = "int"
		}, []string{`payload.ApplicationEvent.offer.Offer.salary.Money.amount_minor: writer "long" cannot be read as reader "int"`}},
		{"attempts promoted to long", func(t *testing.T, s map[string]any) {
			findField(t, findNamed(s, "HRISSync"), "attempts")["type"] = "long"
		}, nil},
		{"Job renamed", func(t *testing.T, s map[string]any) {
			findNamed(s, "Job")["name"] = "Requisition"
		}, []string{`payload.ApplicationEvent.job: writer union branch record "hirestream.payload.Job" has no matching branch`}},
		{"email kind loses its default", func(t *testing.T, s map[string]any) {
			kind := findField(t, findNamed(s, "Email"), "kind")
			delete(kind, "default")
			kind["name"] = "email_kind"
		}, []string{`payload.ApplicationEvent.candidate.Candidate.emails[]: reader field "email_kind" has no default`}},
		{"envelope field made required", func(t *testing.T, s map[string]any) {
			s["fields"] = append(s["fields"].([]any), map[string]any{"name": "tenant_id", "type": "string"})
		}, []string{`hirestream.Event: reader field "tenant_id" has no default and writer lacks it`}},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			s := currentSchemaJSON(t)
			tc.mutate(t, s)
			assertProblems(t, CheckBackward(CurrentSchema(), mustMarshal(t, s)), tc.want)
		})
	}
}

// TestRegistry_FailureMessages checks the registry test's advice is the real one: the steps name
// the next file and id and the full fingerprint.
func TestRegistry_FailureMessages(t *testing.T) {
	versions, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	msg := notRegisteredError("abc123", versions).Error()
	n := len(versions) + 1
	for _, want := range []string{
		fmt.Sprintf("registry/%d.avsc", n),
		fmt.Sprintf(`"file": "%d.avsc", "fingerprint": "abc123"`, n),
		"registry/registry.json",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if _, err := os.Stat("registry/registry.json"); err != nil {
		t.Fatalf("the message points at a file that does not exist: %v", err)
	}
}
