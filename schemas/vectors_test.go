package schemas

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	vectorsDir  = "testdata/vectors"
	decodeVecPy = "testdata/crosslang/decode_vectors.py"
)

// vectorEvents are the events written to testdata/vectors: the samples of wire_test.go (every
// payload branch and a null payload) plus edge cases of the encoding. Map fields hold at most one
// key here: goavro writes map entries in Go's randomised map order, so a map with more keys has
// no stable bytes to compare against (multiKeyEvents covers those, without golden files).
func vectorEvents() []Event {
	evs := sampleEvents()
	at := time.Date(2026, 3, 10, 8, 30, 0, 7*int(time.Millisecond), time.UTC)
	preEpoch := time.Date(1969, 12, 31, 23, 59, 59, 999*int(time.Millisecond), time.UTC) // -1 ms
	base := func(id string, t EventType, p Payload) Event {
		return Event{ID: id, Type: t, OccurredAt: at, RecordedAt: at.Add(999 * time.Millisecond), SourceSystem: "lever",
			SourceEventID: "lv-" + id, CandidateID: "cand-Zoë-😀", ApplicationID: "app-1", JobID: "job-1", Payload: p}
	}
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	trigger := base("hire", TypeCandidateHired, nil)
	return append(evs,
		base("candidate-full", TypeCandidateUpdated, &CandidateEvent{
			Candidate: &Candidate{FirstName: "Zoë", LastName: "Ngata-Øvergaard", Emails: []Email{
				{Address: "zoe.n@mail.example", Kind: "personal"}, {Address: "zoë@例え.jp", Kind: "work"}, {Address: "z@x.example"}}},
			ApplicationIDs: []string{"880014231"}, AnonymizedFields: []string{"phone_numbers", "addresses"},
		}),
		base("offer-full", TypeOfferAccepted, &ApplicationEvent{
			StageTo: ptr("Offer ✅"), StageToID: "77", Status: "hired", Prospect: true, AppliedAt: &preEpoch,
			Job: &Job{JobID: "job-1", Title: "Staff Engineer", RequisitionID: "REQ-9", DepartmentID: "12", Department: "Platform",
				OfficeID: "3", Office: "Wellington", Location: "Wellington, NZ", HiringManagerID: "hm-1", RecruiterID: "rc-2"},
			Offer: &Offer{OfferID: "o-9", Version: 2147483647, Status: "Accepted", SentOn: ptr("2026-03-01"),
				ResolvedAt: ptr(at.Add(-time.Millisecond)), StartDateRaw: "sometime in May",
				Salary: &Money{AmountMinor: -9223372036854775808, Currency: "NZD"}, Title: "Staff Engineer", Department: "Platform",
				Location: "Remote", Manager: "Ana", EmploymentType: "full_time"},
		}),
		base("dlq-bytes", TypeDeadLettered, &DeadLetter{Topic: TopicCandidateEvents, Partition: -1, Offset: 1<<53 + 1,
			Value: allBytes, Processor: "hris-sync", Reason: "decode event (schema id 1): unknown union branch", Attempts: 0}),
		Outcome("hris-sync", trigger, TypeHRISSyncSucceeded, at, &HRISSync{Target: "workday", EmployeeID: "E-1", Attempts: 1, LatencyMS: 9223372036854775807}),
		base("review", TypeReviewNeeded, &Alert{Automation: "offer-letter", Owner: "Mere Tūhoe", Severity: "warning",
			Summary: "start date unreadable: \"sometime in May\"\n", Field: "start_date", Action: "fix the offer in Lever"}),
	)
}

// multiKeyEvents have maps with several keys, whose encoded order varies from run to run.
func multiKeyEvents() []Event {
	at := time.Date(2026, 3, 11, 12, 0, 0, 250*int(time.Millisecond), time.UTC)
	ev := func(id string, t EventType, p Payload) Event {
		return Event{ID: id, Type: t, OccurredAt: at, RecordedAt: at, SourceSystem: "ashby", CandidateID: "c-2", Payload: p}
	}
	return []Event{
		ev("multi-headers", TypeDeliveryReceived, &RawDelivery{Action: "candidateHire", Path: "/webhooks/ashby",
			Headers: map[string]string{"Content-Type": "application/json", "Ashby-Signature": "sha256=ab", "X-Retry": "2", "Ünïcode": "☃"},
			Body:    []byte("{}")}),
		ev("multi-custom", TypeOfferUpdated, &ApplicationEvent{Offer: &Offer{OfferID: "o-1",
			CustomFields: map[string]string{"a": "1", "b": `"two"`, "c": "[3]", "emoji": `"😀"`, "empty": ""}}}),
	}
}

// pyValue is v as the Python libraries decode it, in JSON: records are objects keyed by Avro
// field name, timestamp-millis are ISO-8601 strings as datetime.isoformat(timespec="milliseconds")
// prints a UTC datetime, bytes are {"$bytes": base64}, null arrays and maps (which Avro cannot
// write) are empty. It follows the Go struct tags, not the schema, so it is independent of the
// codec it checks.
func pyValue(v reflect.Value) any {
	if t, ok := v.Interface().(time.Time); ok {
		return t.UTC().Format("2006-01-02T15:04:05.000+00:00")
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return pyValue(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			if tag := v.Type().Field(i).Tag.Get("avro"); tag != "" {
				out[tag] = pyValue(v.Field(i))
			}
		}
		return out
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return map[string]any{"$bytes": base64.StdEncoding.EncodeToString(v.Bytes())}
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = pyValue(v.Index(i))
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		it := v.MapRange()
		for it.Next() {
			out[it.Key().String()] = pyValue(it.Value())
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	}
	panic(fmt.Sprintf("pyValue: unsupported %s", v.Type()))
}

// dump shows an event in full (payload included) for failure messages.
func dump(ev Event) string {
	b, _ := json.MarshalIndent(pyValue(reflect.ValueOf(ev)), "", "  ")
	return fmt.Sprintf("%s (payload %T)", b, ev.Payload)
}

type vectorManifest struct {
	Doc     string           `json:"doc"`
	Subject string           `json:"subject"`
	Vectors []vectorEntry    `json:"vectors"`
	Readers []readerSchemaIn `json:"readers"`
}

type vectorEntry struct {
	File          string         `json:"file"`
	EventType     EventType      `json:"event_type"`
	SchemaID      uint32         `json:"schema_id"`
	PayloadRecord *string        `json:"payload_record"`
	Expected      map[string]any `json:"expected"`
}

// readerSchemaIn is an evolved reader schema the Python libraries must resolve the vectors with
// exactly as CheckBackward predicts.
type readerSchemaIn struct {
	File string `json:"file"`
	// BackwardCompatible is CheckBackward's verdict (writer: the vectors' schema).
	BackwardCompatible bool `json:"backward_compatible"`
	// ExtraFields are top-level fields the reader adds, with the default it must fill in.
	ExtraFields map[string]any `json:"extra_fields,omitempty"`
	// FailsFor lists the event types whose vectors cannot be read ("*": all of them); the
	// rest decode to their expected values plus ExtraFields.
	FailsFor []string `json:"fails_for,omitempty"`
	Note     string   `json:"note"`
	mutate   func(t *testing.T, s map[string]any)
}

func crossLangReaders() []readerSchemaIn {
	return []readerSchemaIn{
		{File: "readers/evolved.avsc", BackwardCompatible: true, ExtraFields: map[string]any{"tenant": "default"},
			Note: "adds envelope field tenant (default \"default\"), a payload branch Note, and promotes HRISSync.attempts int->long",
			mutate: func(t *testing.T, s map[string]any) {
				s["fields"] = append(s["fields"].([]any), map[string]any{"name": "tenant", "type": "string", "default": "default"})
				payload := findField(t, s, "payload")
				payload["type"] = append(payload["type"].([]any), map[string]any{"type": "record", "name": "Note",
					"namespace": "hirestream.payload", "fields": []any{map[string]any{"name": "text", "type": "string"}}})
				findField(t, findNamed(s, "HRISSync"), "attempts")["type"] = "long"
			}},
		{File: "readers/required_field.avsc", BackwardCompatible: false, FailsFor: []string{"*"},
			Note: "adds envelope field tenant_id without a default: no old event can be read",
			mutate: func(t *testing.T, s map[string]any) {
				s["fields"] = append(s["fields"].([]any), map[string]any{"name": "tenant_id", "type": "string"})
			}},
		{File: "readers/no_deadletter.avsc", BackwardCompatible: false, FailsFor: []string{string(TypeDeadLettered)},
			Note: "drops the DeadLetter payload branch: CheckBackward rejects it statically; the libraries fail only on dead-letter events",
			mutate: func(t *testing.T, s map[string]any) {
				payload := findField(t, s, "payload")
				payload["type"] = slices.DeleteFunc(payload["type"].([]any), func(b any) bool {
					m, ok := b.(map[string]any)
					return ok && m["name"] == "DeadLetter"
				})
			}},
	}
}

// vectorFile names the i-th vector after its event type: 01-candidate.stage_changed.avro.
func vectorFile(i int, ev Event) string { return fmt.Sprintf("%02d-%s.avro", i+1, ev.Type) }

// buildVectors encodes events into dir-relative files: name -> content, manifest included.
func buildVectors(t *testing.T, events []Event, withReaders bool) map[string][]byte {
	t.Helper()
	c := MustCodec()
	files := map[string][]byte{}
	m := vectorManifest{
		Doc: "Avro vectors written by hirestream's Go codec (Confluent frame: 0x00, 4-byte big-endian schema id, Avro binary). " +
			"expected is the decoded event as the Python avro/fastavro libraries return it, in JSON: timestamp-millis as " +
			"datetime.isoformat(timespec=\"milliseconds\") of an aware UTC datetime, bytes as {\"$bytes\": base64}, unions as their value. " +
			"Regenerate with: go test ./schemas -run TestVectors_Golden -update",
		Subject: Subject,
	}
	for i, ev := range events {
		b, err := c.Encode(ev)
		if err != nil {
			t.Fatalf("encode %s: %v", ev.ID, err)
		}
		name := vectorFile(i, ev)
		files[name] = b
		e := vectorEntry{File: name, EventType: ev.Type, SchemaID: c.SchemaID(), Expected: pyValue(reflect.ValueOf(ev)).(map[string]any)}
		if ev.Payload != nil {
			e.PayloadRecord = ptr(ev.Payload.AvroName())
		}
		m.Vectors = append(m.Vectors, e)
	}
	if withReaders {
		for _, r := range crossLangReaders() {
			s := currentSchemaJSON(t)
			r.mutate(t, s)
			files[r.File] = indentJSON(t, s)
			m.Readers = append(m.Readers, r)
		}
	}
	files["manifest.json"] = indentJSON(t, m)
	return files
}

// indentJSON is v as indented JSON, with <, > and & kept readable.
func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listFiles returns the files under dir, slash-separated and relative to it.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestVectors_Golden keeps testdata/vectors equal to what the codec writes today, byte for byte:
// an accidental change of the encoding fails here before it reaches a consumer. The committed
// bytes must also decode back to the events, and the reader schemas must get the verdict the
// manifest states.
func TestVectors_Golden(t *testing.T) {
	files := buildVectors(t, vectorEvents(), true)
	if *update {
		if err := os.RemoveAll(vectorsDir); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, vectorsDir, files)
		t.Logf("rewrote %d files in %s", len(files), vectorsDir)
	}
	const regen = "if the change is intended, run: go test ./schemas -run TestVectors_Golden -update, and commit testdata/vectors"
	for _, name := range listFiles(t, vectorsDir) {
		if _, ok := files[name]; !ok {
			t.Errorf("%s/%s is not produced by the test any more (stale); %s", vectorsDir, name, regen)
		}
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(vectorsDir, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%v; %s", err, regen)
			continue
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s/%s differs from what the code writes now (first difference at byte %d of %d/%d). "+
				"Encoded events are read by other services and languages: %s", vectorsDir, name, i, len(got), len(want), regen)
		}
	}

	c := MustCodec()
	for i, ev := range vectorEvents() {
		b, err := os.ReadFile(filepath.Join(vectorsDir, vectorFile(i, ev)))
		if err != nil {
			continue // reported above
		}
		got, err := c.Decode(b)
		if err != nil {
			t.Errorf("decode committed vector %s: %v", ev.ID, err)
		} else if !reflect.DeepEqual(got, ev) {
			t.Errorf("committed vector %s decodes to\n%s\nwant\n%s", ev.ID, dump(got), dump(ev))
		}
	}
	for _, r := range crossLangReaders() {
		schema, ok := files[r.File]
		if !ok {
			t.Fatalf("reader %s was not built", r.File)
		}
		err := CheckBackward(CurrentSchema(), string(schema))
		if (err == nil) != r.BackwardCompatible {
			t.Errorf("CheckBackward(current, %s) = %v, but the manifest says backward_compatible=%v", r.File, err, r.BackwardCompatible)
		}
	}
}

// TestVectors_MultiKeyMaps shows why multiKeyEvents have no golden bytes yet still round-trip.
func TestVectors_MultiKeyMaps(t *testing.T) {
	c := MustCodec()
	for _, ev := range multiKeyEvents() {
		b, err := c.Encode(ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(b)
		if err != nil || !reflect.DeepEqual(got, ev) {
			t.Fatalf("round trip of %s: err=%v\n got %s\nwant %s", ev.ID, err, dump(got), dump(ev))
		}
	}
}

// pythonForTest returns the interpreter from HIRESTREAM_PYTHON, skipping (or, with
// HIRESTREAM_REQUIRE_INTEGRATION=1, failing) when it is not set.
func pythonForTest(t *testing.T) string {
	t.Helper()
	py := os.Getenv("HIRESTREAM_PYTHON")
	if py != "" {
		if !filepath.IsAbs(py) && strings.ContainsRune(py, filepath.Separator) {
			t.Fatalf("HIRESTREAM_PYTHON=%q is a relative path, but go test runs in the package directory: give an absolute path", py)
		}
		return py
	}
	const msg = "HIRESTREAM_PYTHON is not set: point it at a Python with the avro and fastavro packages " +
		"(deploy/local/infra.sh deps creates .local/venv; or python3 -m venv /tmp/pyv && /tmp/pyv/bin/pip install avro fastavro)"
	if os.Getenv("HIRESTREAM_REQUIRE_INTEGRATION") == "1" {
		t.Fatal(msg + "; HIRESTREAM_REQUIRE_INTEGRATION=1 forbids skipping")
	}
	t.Skip(msg)
	return ""
}

// exitMissingModules is decode_vectors.py's exit status when avro or fastavro is not installed.
const exitMissingModules = 3

// runDecodeVectors runs the Python decoder and returns its output; any failure fails the test.
func runDecodeVectors(t *testing.T, py string, args ...string) string {
	t.Helper()
	cmd := exec.Command(py, append([]string{decodeVecPy}, args...)...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s:\n%s", py, strings.Join(cmd.Args[1:], " "), out)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == exitMissingModules:
		t.Fatalf("%s lacks the avro/fastavro modules: install them with %s -m pip install avro fastavro", py, py)
	case err != nil:
		t.Fatalf("decode_vectors.py failed (%v): see the FAIL lines above", err)
	}
	return string(out)
}

// countPass checks the script reported a PASS for every vector, so a run that checked nothing
// cannot pass.
func countPass(t *testing.T, out string, files map[string][]byte) {
	t.Helper()
	for name := range files {
		if strings.HasSuffix(name, ".avro") && !strings.Contains(out, "PASS "+name) {
			t.Errorf("decode_vectors.py printed no PASS line for %s", name)
		}
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("decode_vectors.py printed FAIL lines but exited 0")
	}
}

// TestVectors_DecodeInPython decodes the committed vectors (and a fresh set with multi-key maps)
// with the Apache Avro Python library and fastavro, then decodes events those libraries wrote.
func TestVectors_DecodeInPython(t *testing.T) {
	py := pythonForTest(t)

	committed := buildVectors(t, vectorEvents(), true)
	out := runDecodeVectors(t, py, "--vectors", vectorsDir)
	countPass(t, out, committed)

	// An older reader: a synthetic registry puts a version before the vectors' schema, so the
	// script's previous-version path runs now, not only once a version 2 is registered. That
	// older version lacks the DeadLetter branch and Alert.action and has a field "legacy".
	reg := t.TempDir()
	older := currentSchemaJSON(t)
	older["fields"] = append(older["fields"].([]any), map[string]any{"name": "legacy", "type": "string", "default": "x"})
	payload := findField(t, older, "payload")
	payload["type"] = slices.DeleteFunc(payload["type"].([]any), func(b any) bool {
		m, ok := b.(map[string]any)
		return ok && m["name"] == "DeadLetter"
	})
	alert := findNamed(older, "Alert")
	alert["fields"] = slices.DeleteFunc(alert["fields"].([]any), func(f any) bool { return f.(map[string]any)["name"] == "action" })
	writeFiles(t, reg, map[string][]byte{
		"older.avsc":   []byte(mustMarshal(t, older)),
		"current.avsc": []byte(CurrentSchema()),
		"registry.json": []byte(fmt.Sprintf(`{"subject": %q, "versions": [
			{"id": 1000, "version": 1, "file": "older.avsc"},
			{"id": %d, "version": 2, "file": "current.avsc"}]}`, Subject, MustCodec().SchemaID())),
	})
	out = runDecodeVectors(t, py, "--vectors", vectorsDir, "--registry", reg)
	countPass(t, out, committed)
	var dlq int
	for _, ev := range vectorEvents() {
		if ev.Type == TypeDeadLettered {
			dlq++
		}
	}
	if got, want := strings.Count(out, "version 1 reads it"), len(vectorEvents())-dlq; got != want {
		t.Errorf("the older reader read %d vectors, want %d (all but the dead letters)", got, want)
	}
	if got := strings.Count(out, "version 1 cannot read it"); got != dlq {
		t.Errorf("the older reader failed on %d vectors, want %d (the dead letters, whose branch it lacks)", got, dlq)
	}

	live := t.TempDir()
	fresh := buildVectors(t, multiKeyEvents(), false)
	writeFiles(t, live, fresh)
	emit := t.TempDir()
	out = runDecodeVectors(t, py, "--vectors", live, "--emit", emit)
	countPass(t, out, fresh)

	// Python -> Go: the same event written by each library must decode to want.
	want := pythonWrittenEvent()
	c := MustCodec()
	for _, lib := range []string{"avro", "fastavro"} {
		b, err := os.ReadFile(filepath.Join(emit, lib+".bin"))
		if err != nil {
			t.Fatalf("decode_vectors.py --emit wrote no %s.bin: %v", lib, err)
		}
		if b[0] != 0 || b[1] != 0 || b[2] != 0 || b[3] != 0 || b[4] != 1 {
			t.Errorf("%s frame header % x, want 00 00 00 00 01", lib, b[:5])
		}
		got, err := c.Decode(b)
		if err != nil {
			t.Fatalf("decode the event %s wrote: %v", lib, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event written by %s decodes to\n%s\nwant\n%s", lib, dump(got), dump(want))
		}
	}
}

// pythonWrittenEvent is the event decode_vectors.py --emit writes (keep the two in step).
func pythonWrittenEvent() Event {
	return Event{
		ID: "py-offer-1", Type: TypeOfferAccepted,
		OccurredAt:   time.Date(2026, 3, 10, 8, 30, 0, 123*int(time.Millisecond), time.UTC),
		RecordedAt:   time.Date(2026, 3, 10, 8, 30, 1, 456*int(time.Millisecond), time.UTC),
		SourceSystem: "lever", SourceEventID: "lv-77", CandidateID: "cand-Zoë", ApplicationID: "app-1", JobID: "job-1",
		Payload: &ApplicationEvent{
			StageFrom: ptr("Offer"), StageTo: ptr("Hired"), StageToID: "st-9", Status: "hired",
			Candidate: &Candidate{FirstName: "Zoë", LastName: "Ngata-Øvergaard", Emails: []Email{
				{Address: "zoe.n@mail.example", Kind: "personal"}, {Address: "zoë@例え.jp", Kind: "work"}}},
			Offer: &Offer{OfferID: "o-3", Version: 3, Status: "Accepted", SentOn: ptr("2026-03-01"),
				ResolvedAt: ptr(time.Date(2026, 3, 9, 23, 59, 59, 999*int(time.Millisecond), time.UTC)),
				StartDate:  ptr("2026-05-04"), StartDateRaw: "2026-05-04",
				Salary:       &Money{AmountMinor: 12345678901, Currency: "EUR", PayPeriod: "annual"},
				CustomFields: map[string]string{"a": "1", "b": `"two"`, "ünï": `"☃"`}},
		},
	}
}
