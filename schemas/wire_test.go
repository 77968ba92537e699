package schemas

import (
	"encoding/binary"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func sampleEvents() []Event {
	at := time.Date(2026, 3, 9, 16, 42, 11, 0, time.UTC)
	rec := at.Add(1500 * time.Millisecond)
	base := func(id string, t EventType, p Payload) Event {
		return Event{ID: id, Type: t, OccurredAt: at, RecordedAt: rec, SourceSystem: "greenhouse",
			SourceEventID: "gh-" + id, CandidateID: "610033452", ApplicationID: "880014231", JobID: "4410087", Payload: p}
	}
	applied := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)
	return []Event{
		base("stage", TypeStageChanged, &ApplicationEvent{
			StageFrom: ptr("Application Review"), StageFromDerived: true, StageTo: ptr("Technical Interview"), StageToID: "9100442",
			Status: "active", SourceChannel: "referral", SourceName: "Employee Referral", SourceID: "4001", AppliedAt: &applied,
			Job:       &Job{JobID: "4410087", Title: "Senior Backend Engineer (Go)", Department: "Platform Engineering", Office: "Berlin", Location: "Berlin, Germany"},
			Candidate: &Candidate{FirstName: "Zoë", LastName: "Ngata-Øvergaard", Emails: []Email{{Address: "zoe.n@mail.example", Kind: "personal"}}},
		}),
		base("offer", TypeOfferCreated, &ApplicationEvent{Offer: &Offer{
			OfferID: "3300871", Version: 2, Status: "Created", StartDate: ptr("2026-05-04"), StartDateRaw: "05/04/2026",
			ResolvedAt: &rec, Salary: &Money{AmountMinor: 10300000, Currency: "USD", PayPeriod: "annual"},
			CustomFields: map[string]string{"notes": `"relocation"`},
		}}),
		base("merged", TypeCandidateMerged, &CandidateEvent{MergedIntoCandidateID: "610099999", ApplicationIDs: []string{"1", "2"}}),
		base("raw", TypeDeliveryReceived, &RawDelivery{Action: "hire_candidate", Path: "/webhooks/greenhouse",
			Headers: map[string]string{"Signature": "sha256 00"}, Body: []byte(`{"action":"hire_candidate"}`)}),
		base("unknown", TypeUnrecognized, &Unrecognized{Action: "job_created", RawEventID: "abc"}),
		base("sync", TypeHRISSyncFailed, &HRISSync{Target: "bamboohr", Attempts: 3, LatencyMS: 812, Error: "read-back mismatch",
			Diff: []FieldDiff{{Field: "salary", Expected: "103000.00 USD", Actual: "130000.00 USD"}}}),
		base("alert", TypeAlertRaised, &Alert{Automation: "hris-sync", Owner: "Dana Reyes", Severity: "error", Summary: "salary mismatch", Field: "salary"}),
		base("dlq", TypeDeadLettered, &DeadLetter{Topic: "t", Partition: 2, Offset: 99, Key: []byte("k"), Value: []byte{0, 1}, Processor: "sink", Reason: "bad", Attempts: 5}),
		base("empty", TypeCandidateDeleted, nil),
	}
}

func TestCodec_RoundTrip(t *testing.T) {
	c := MustCodec()
	for _, ev := range sampleEvents() {
		t.Run(ev.ID, func(t *testing.T) {
			b, err := c.Encode(ev)
			if err != nil {
				t.Fatal(err)
			}
			if b[0] != 0 || b[4] != byte(c.SchemaID()) {
				t.Fatalf("frame header % x, want 00 00 00 00 %02x", b[:5], c.SchemaID())
			}
			got, err := c.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ev) {
				t.Fatalf("round trip changed the event:\n got %#v\nwant %#v", got, ev)
			}
		})
	}
}

func TestCodec_DecodeErrors(t *testing.T) {
	c := MustCodec()
	good, _ := c.Encode(sampleEvents()[0])
	cases := map[string]struct {
		in   []byte
		want error
	}{
		"empty":          {nil, ErrNotFramed},
		"json":           {[]byte(`{"a":1}`), ErrNotFramed},
		"unknown schema": {append([]byte{0, 0, 0, 0, 99}, good[5:]...), ErrUnknownSchema},
		"truncated":      {good[:len(good)-3], nil},
		"trailing bytes": {append(append([]byte{}, good...), 7), nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.Decode(tc.in)
			if err == nil {
				t.Fatal("decode accepted bad bytes")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestCodec_DecodeHugeBlockCount: a block count far beyond the message must be an error, not an
// allocation of its size (goavro's default limit let a 27-byte message exhaust memory, fatally).
func TestCodec_DecodeHugeBlockCount(t *testing.T) {
	c := MustCodec()
	// envelope: event_id "e", event_type "t", two zero timestamps, five empty strings, then the
	// payload union's CandidateEvent branch (index 3): candidate null, merged_into "", and
	// application_ids claiming 2^31-1 items.
	array := []byte{0, 0, 0, 0, 1, 2, 'e', 2, 't', 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0}
	array = binary.AppendUvarint(array, 2*(1<<31-1))
	array = append(array, 2, 'x')
	// the same with the RawDelivery branch (index 1): action "", path "", headers map claiming
	// 2^31-1 entries.
	hdrs := []byte{0, 0, 0, 0, 1, 2, 'e', 2, 't', 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0}
	hdrs = binary.AppendUvarint(hdrs, 2*(1<<31-1))
	for name, b := range map[string][]byte{"array": array, "map": hdrs} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := c.Decode(b)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "MaxBlockCount") {
				t.Fatalf("err = %v, want the block count rejected", err)
			}
			if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 256 {
				t.Fatalf("decoding %d bytes allocated %d MiB", len(b), mb)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	c := MustCodec()
	for _, ev := range sampleEvents() {
		b, _ := c.Encode(ev)
		f.Add(b)
	}
	f.Add([]byte{0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := c.Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode again and decode to the same event.
		again, err := c.Encode(ev)
		if err != nil {
			t.Fatalf("re-encode decoded event: %v", err)
		}
		ev2, err := c.Decode(again)
		if err != nil || !reflect.DeepEqual(normalize(ev), normalize(ev2)) {
			t.Fatalf("round trip of decoded event differs: %v", err)
		}
	})
}

// normalize maps what Avro cannot tell apart (nil vs empty) to one form.
func normalize(ev Event) Event {
	ev.OccurredAt = ev.OccurredAt.UTC()
	ev.RecordedAt = ev.RecordedAt.UTC()
	return ev
}
