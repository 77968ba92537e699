package greenhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

var update = flag.Bool("update", false, "rewrite testdata/*.events.golden.json from the current output")

// recordedAt is when the test deliveries were "captured"; events whose payload has no ATS
// timestamp fall back to it.
var recordedAt = time.Date(2026, 3, 25, 12, 0, 0, 123_000_000, time.UTC)

// headerIDs are the cases delivered with a Greenhouse-Event-ID header; the others exercise the
// payload identity that stands in for it.
var headerIDs = map[string]string{
	"new_candidate_application": "0f6c1d2e-7a51-4f0b-9c3e-5b8a2d1e4f60",
	"candidate_stage_change":    "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
	"hire_candidate":            "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b",
	"offer_updated_accepted":    "c0ffee00-1234-4abc-8def-0123456789ab",
	"update_candidate":          "5f5f5f5f-0000-4111-8222-333344445555",
	"unknown_job_created":       "7e7e7e7e-aaaa-4bbb-8ccc-ddddeeeeffff",
}

// rawDelivery is the raw event the webhook handler would have published for body.
func rawDelivery(body []byte, eventID string, at time.Time) schemas.Event {
	action, _ := ReadAction(body)
	hdr := map[string]string{
		"Content-Type": "application/json",
		"Signature":    Sign([]byte("test-secret"), body),
		"User-Agent":   "Greenhouse-Webhooks/1.0",
	}
	if eventID != "" {
		hdr["Greenhouse-Event-Id"] = eventID
	}
	return schemas.Event{
		ID:            rawEventID(eventID, body),
		Type:          schemas.TypeDeliveryReceived,
		OccurredAt:    at,
		RecordedAt:    at,
		SourceSystem:  SourceSystem,
		SourceEventID: eventID,
		Payload:       &schemas.RawDelivery{Action: action, Path: Path, Headers: hdr, Body: body},
	}
}

// primedEvents is what the normaliser already knows before each golden case: application
// 880014231 (candidate 610033452) for job 4410087, received in "Application Review" and moved
// to "Phone Screen". It is fed through Observe, as a start-up replay would.
func primedEvents() []schemas.Event {
	applied := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)
	screen := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	job := &schemas.Job{JobID: "4410087", Title: "Senior Backend Engineer (Go)", RequisitionID: "ENG-2026-014",
		DepartmentID: "310", Department: "Platform Engineering", OfficeID: "22", Office: "Berlin",
		Location: "Berlin, Germany", HiringManagerID: "5701", RecruiterID: "5600"}
	review, phone := "Application Review", "Phone Screen"
	base := schemas.Event{SourceSystem: SourceSystem, CandidateID: "610033452", ApplicationID: "880014231", JobID: "4410087", RecordedAt: screen}
	received, moved := base, base
	received.ID, received.Type, received.OccurredAt = "primed-received", schemas.TypeApplicationReceived, applied
	received.Payload = &schemas.ApplicationEvent{StageTo: &review, StageToID: "9100440", Status: "active", Job: job}
	moved.ID, moved.Type, moved.OccurredAt = "primed-phone-screen", schemas.TypeStageChanged, screen
	moved.Payload = &schemas.ApplicationEvent{StageFrom: &review, StageFromID: "9100440", StageFromDerived: true,
		StageTo: &phone, StageToID: "9100441", Status: "active", Job: job}
	return []schemas.Event{received, moved}
}

func primedNormalizer() *Normalizer {
	n := NewNormalizer(Options{})
	for _, ev := range primedEvents() {
		n.Observe(ev)
	}
	return n
}

func goldenCases(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.json") {
			names = append(names, strings.TrimSuffix(filepath.Base(f), ".json"))
		}
	}
	if len(names) == 0 {
		t.Fatal("no testdata/*.json cases")
	}
	return names
}

// marshalEvents renders events as indented JSON keyed by their Avro field names (event_id,
// stage_from, ...), in schema order, so a golden file reads like the contract.
func marshalEvents(t testing.TB, evs []schemas.Event) []byte {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, ev := range evs {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeAvroJSON(&buf, reflect.ValueOf(ev)); err != nil {
			t.Fatal(err)
		}
	}
	buf.WriteByte(']')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func writeAvroJSON(buf *bytes.Buffer, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return writeAvroJSON(buf, v.Elem())
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			buf.WriteString(`"` + tm.UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`)
			return nil
		}
		buf.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			name, _ := json.Marshal(v.Type().Field(i).Tag.Get("avro"))
			buf.Write(name)
			buf.WriteByte(':')
			if err := writeAvroJSON(buf, v.Field(i)); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte: base64, as encoding/json does
		}
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeAvroJSON(buf, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	b, err := json.Marshal(v.Interface()) // scalars; maps marshal with sorted keys
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// TestNormalizer_Golden normalises every testdata/<case>.json and compares the events with
// testdata/<case>.events.golden.json (go test -run Golden -update rewrites them). It also checks
// what every case must satisfy: ids and types set, a redelivery gives the very same events, and
// every event survives the Avro contract.
func TestNormalizer_Golden(t *testing.T) {
	codec := schemas.MustCodec()
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			n := primedNormalizer()
			raw := rawDelivery(body, headerIDs[name], recordedAt)
			evs, err := n.Handle(context.Background(), raw)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			got := marshalEvents(t, evs)
			golden := filepath.Join("testdata", name+".events.golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("events differ from %s (-update rewrites it):\n%s", golden, got)
			}

			for _, ev := range evs {
				if ev.ID == "" || ev.Type == "" || ev.CausationID != raw.ID || ev.SourceSystem != SourceSystem {
					t.Errorf("event %+v: want id, type, causation %s and source greenhouse", ev, raw.ID)
				}
				for _, tm := range eventTimes(ev) {
					if !tm.Equal(tm.Truncate(time.Millisecond)) || tm.Location() != time.UTC {
						t.Errorf("%s: time %v is not UTC milliseconds", ev.Type, tm)
					}
				}
				enc, err := codec.Encode(ev)
				if err != nil {
					t.Fatalf("encode %s: %v", ev.Type, err)
				}
				dec, err := codec.Decode(enc)
				if err != nil {
					t.Fatalf("decode %s: %v", ev.Type, err)
				}
				if !reflect.DeepEqual(canonical(t, dec), canonical(t, ev)) {
					t.Errorf("%s does not round-trip through Avro:\n got %s\nwant %s", ev.Type, marshalEvents(t, []schemas.Event{dec}), marshalEvents(t, []schemas.Event{ev}))
				}
			}

			// Redelivered to the same normaliser (its state now includes the first copy), and
			// handled by a fresh one: the same events, ids included.
			again, err := n.Handle(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, evs) {
				t.Errorf("redelivery changed the events:\n%s", marshalEvents(t, again))
			}
			fresh, err := primedNormalizer().Handle(context.Background(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fresh, evs) {
				t.Errorf("a fresh normaliser gave other events:\n%s", marshalEvents(t, fresh))
			}
		})
	}
}

// canonical is ev as generic JSON with empty arrays and objects dropped: Avro cannot tell nil
// from empty, so this is the form in which a round trip must be exact.
func canonical(t testing.TB, ev schemas.Event) any {
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var prune func(any) any
	prune = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if x = prune(x); x == nil {
					delete(v, k)
				} else {
					v[k] = x
				}
			}
			if len(v) == 0 {
				return nil
			}
		case []any:
			for i := range v {
				v[i] = prune(v[i])
			}
			if len(v) == 0 {
				return nil
			}
		}
		return v
	}
	return prune(v)
}

func readCase(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name+".json"))
}

// eventTimes lists every timestamp an event carries.
func eventTimes(ev schemas.Event) []time.Time {
	ts := []time.Time{ev.OccurredAt, ev.RecordedAt}
	if p, ok := ev.Payload.(*schemas.ApplicationEvent); ok {
		if p.AppliedAt != nil {
			ts = append(ts, *p.AppliedAt)
		}
		if p.Offer != nil && p.Offer.ResolvedAt != nil {
			ts = append(ts, *p.Offer.ResolvedAt)
		}
	}
	return ts
}
