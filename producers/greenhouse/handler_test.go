package greenhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// fakePublisher records what was published; err makes every Publish fail.
type fakePublisher struct {
	mu  sync.Mutex
	evs []schemas.Event
	err error
}

func (p *fakePublisher) Publish(_ context.Context, evs ...schemas.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.evs = append(p.evs, evs...)
	return nil
}

func (p *fakePublisher) published() []schemas.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]schemas.Event(nil), p.evs...)
}

var handlerNow = time.Date(2026, 3, 9, 16, 42, 12, 345_678_901, time.FixedZone("CET", 3600))

type handlerEnv struct {
	pub  *fakePublisher
	srv  *httptest.Server
	logs *bytes.Buffer
}

func newHandlerEnv(t *testing.T, cfg HandlerConfig) *handlerEnv {
	t.Helper()
	if cfg.Secret == nil {
		cfg.Secret = testSecret
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return handlerNow }
	}
	env := &handlerEnv{pub: &fakePublisher{}, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: env.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env.srv = httptest.NewServer(NewHandler(cfg, env.pub, log))
	t.Cleanup(env.srv.Close)
	return env
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

type reply struct {
	code   int
	header http.Header
	body   response
}

func (e *handlerEnv) post(t *testing.T, method, path string, body []byte, hdr map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Greenhouse-Webhooks/1.0")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r response
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("answer %d is not JSON: %q", resp.StatusCode, raw)
	}
	return reply{code: resp.StatusCode, header: resp.Header, body: r}
}

func signed(body []byte) map[string]string {
	return map[string]string{"Signature": Sign(testSecret, body)}
}

func TestHandler_AcceptsAndPublishesRawDelivery(t *testing.T) {
	t.Parallel()
	env := newHandlerEnv(t, HandlerConfig{})
	body := []byte(escapedBody)
	hdr := signed(body)
	hdr["Greenhouse-Event-ID"] = "d3b07384-d113-4ec6-a0f9-1a2b3c4d5e6f"
	hdr["Authorization"] = "Basic aGlyZXN0cmVhbTpzM2NyZXQ="
	hdr["Cookie"] = "session=abc"
	hdr["X-Custom-Tenant"] = "acme"

	r := env.post(t, http.MethodPost, Path, body, hdr)
	if r.code != http.StatusOK || r.body.Status != "accepted" {
		t.Fatalf("got %d %+v, want 200 accepted", r.code, r.body)
	}
	evs := env.pub.published()
	if len(evs) != 1 {
		t.Fatalf("published %d events, want 1", len(evs))
	}
	ev := evs[0]
	wantID := schemas.DeriveID("greenhouse", "delivery", "d3b07384-d113-4ec6-a0f9-1a2b3c4d5e6f")
	wantAt := time.Date(2026, 3, 9, 15, 42, 12, 345_000_000, time.UTC)
	if ev.ID != wantID || r.body.EventID != wantID {
		t.Errorf("event id %s (answer %s), want %s", ev.ID, r.body.EventID, wantID)
	}
	if ev.Type != schemas.TypeDeliveryReceived || ev.SourceSystem != "greenhouse" ||
		ev.SourceEventID != "d3b07384-d113-4ec6-a0f9-1a2b3c4d5e6f" || ev.CandidateID != "" {
		t.Errorf("envelope %+v", ev)
	}
	if !ev.OccurredAt.Equal(wantAt) || !ev.RecordedAt.Equal(wantAt) || ev.RecordedAt.Location() != time.UTC {
		t.Errorf("times %v / %v, want %v (UTC, milliseconds)", ev.OccurredAt, ev.RecordedAt, wantAt)
	}
	rd, ok := ev.Payload.(*schemas.RawDelivery)
	if !ok {
		t.Fatalf("payload %T", ev.Payload)
	}
	if !bytes.Equal(rd.Body, body) {
		t.Errorf("body not stored verbatim:\n got %s\nwant %s", rd.Body, body)
	}
	if rd.Action != "update_candidate" || rd.Path != Path {
		t.Errorf("action %q path %q", rd.Action, rd.Path)
	}
	for _, k := range []string{"Authorization", "Cookie"} {
		if _, ok := rd.Headers[k]; ok {
			t.Errorf("header %s must not be stored", k)
		}
	}
	for k, want := range map[string]string{
		"Signature":           hdr["Signature"],
		"Greenhouse-Event-Id": "d3b07384-d113-4ec6-a0f9-1a2b3c4d5e6f",
		"X-Custom-Tenant":     "acme",
		"Content-Type":        "application/json",
		"User-Agent":          "Greenhouse-Webhooks/1.0",
	} {
		if got := rd.Headers[k]; got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}

	// Logs carry ids and the action, never the body or contact fields.
	logs := env.logs.String()
	for _, secret := range []string{"Ngata", "Zo\\u00eb", "Zoë", "610033452", "aGlyZXN0cmVhbTpzM2NyZXQ="} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, wantID) || !strings.Contains(logs, `"action":"update_candidate"`) {
		t.Errorf("logs should name the event id and action:\n%s", logs)
	}
}

func TestHandler_MultiValueHeadersJoined(t *testing.T) {
	t.Parallel()
	got := keptHeaders(http.Header{
		"X-Forwarded-For":     {"203.0.113.7", "10.0.0.2"},
		"Proxy-Authorization": {"Basic x"},
		"Accept":              {"*/*"},
	})
	want := map[string]string{"X-Forwarded-For": "203.0.113.7, 10.0.0.2", "Accept": "*/*"}
	if len(got) != len(want) || got["X-Forwarded-For"] != want["X-Forwarded-For"] || got["Accept"] != "*/*" {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestHandler_Rejections(t *testing.T) {
	t.Parallel()
	valid := []byte(`{"action":"candidate_stage_change","payload":{"application":{"id":1}}}`)
	tests := []struct {
		name       string
		method     string
		path       string
		body       []byte
		hdr        map[string]string
		wantCode   int
		wantReason string
	}{
		{"bad signature", http.MethodPost, Path, valid, map[string]string{"Signature": Sign([]byte("nope"), valid)},
			http.StatusUnauthorized, "signature does not match the body"},
		{"missing signature", http.MethodPost, Path, valid, nil,
			http.StatusUnauthorized, "missing Signature header"},
		{"sha256= format", http.MethodPost, Path, valid,
			map[string]string{"Signature": strings.Replace(Sign(testSecret, valid), " ", "=", 1)},
			http.StatusUnauthorized, "malformed Signature header"},
		{"malformed JSON", http.MethodPost, Path, []byte(`{"action":"ping",,}`), signed([]byte(`{"action":"ping",,}`)),
			http.StatusBadRequest, "invalid JSON at offset 17: invalid character ','"},
		{"truncated JSON", http.MethodPost, Path, []byte(`{"action":"pi`), signed([]byte(`{"action":"pi`)),
			http.StatusBadRequest, "invalid JSON at offset 13: unexpected end of JSON input"},
		{"array body", http.MethodPost, Path, []byte(`[{"action":"ping"}]`), signed([]byte(`[{"action":"ping"}]`)),
			http.StatusBadRequest, "body is not a JSON object"},
		{"missing action", http.MethodPost, Path, []byte(`{"payload":{}}`), signed([]byte(`{"payload":{}}`)),
			http.StatusBadRequest, `missing "action"`},
		{"null action", http.MethodPost, Path, []byte(`{"action":null}`), signed([]byte(`{"action":null}`)),
			http.StatusBadRequest, `missing "action"`},
		{"numeric action", http.MethodPost, Path, []byte(`{"action":7}`), signed([]byte(`{"action":7}`)),
			http.StatusBadRequest, `"action" is not a string`},
		{"GET", http.MethodGet, Path, nil, nil, http.StatusMethodNotAllowed, "method GET not allowed"},
		{"PUT", http.MethodPut, Path, valid, signed(valid), http.StatusMethodNotAllowed, "method PUT not allowed"},
		{"other path", http.MethodPost, "/webhooks/lever", valid, signed(valid), http.StatusNotFound, "no such endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newHandlerEnv(t, HandlerConfig{})
			r := env.post(t, tc.method, tc.path, tc.body, tc.hdr)
			if r.code != tc.wantCode || r.body.Status != "rejected" || !strings.Contains(r.body.Reason, tc.wantReason) {
				t.Fatalf("got %d %+v, want %d with reason containing %q", r.code, r.body, tc.wantCode, tc.wantReason)
			}
			if n := len(env.pub.published()); n != 0 {
				t.Fatalf("published %d events for a rejected delivery", n)
			}
			if tc.wantCode == http.StatusMethodNotAllowed && r.header.Get("Allow") != http.MethodPost {
				t.Errorf("405 without Allow: POST")
			}
		})
	}
}

func TestHandler_Oversized(t *testing.T) {
	t.Parallel()
	env := newHandlerEnv(t, HandlerConfig{MaxBodyBytes: 64})
	body := []byte(`{"action":"application_updated","payload":{"application":{"id":880014231,"status":"active"}}}`)

	r := env.post(t, http.MethodPost, Path, body, signed(body))
	if r.code != http.StatusRequestEntityTooLarge || !strings.Contains(r.body.Reason, "limit of 64 bytes") {
		t.Fatalf("Content-Length over the limit: got %d %+v, want 413", r.code, r.body)
	}

	// Without a Content-Length (chunked), the limit applies while reading.
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+Path, io.MultiReader(bytes.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Signature", Sign(testSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked body over the limit: got %d, want 413", resp.StatusCode)
	}
	if n := len(env.pub.published()); n != 0 {
		t.Fatalf("published %d events", n)
	}

	// Exactly at the limit is fine.
	small := []byte(`{"action":"ping","payload":{"web_hook_id":70117}}`)
	env2 := newHandlerEnv(t, HandlerConfig{MaxBodyBytes: int64(len(small))})
	if r := env2.post(t, http.MethodPost, Path, small, signed(small)); r.code != http.StatusOK {
		t.Fatalf("body at the limit: got %d %+v", r.code, r.body)
	}
}

func TestHandler_PublishFailureIs503(t *testing.T) {
	t.Parallel()
	env := newHandlerEnv(t, HandlerConfig{})
	env.pub.err = errors.New("kafka: not enough replicas")
	body := []byte(`{"action":"reject_candidate","payload":{"application":{"id":880019999}}}`)
	r := env.post(t, http.MethodPost, Path, body, signed(body))
	if r.code != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("got %d (Retry-After %q) %+v, want 503 with Retry-After", r.code, r.header.Get("Retry-After"), r.body)
	}
	if strings.Contains(r.body.Reason, "replicas") {
		t.Errorf("internal error leaked to the caller: %q", r.body.Reason)
	}
	if !strings.Contains(env.logs.String(), "not enough replicas") {
		t.Errorf("the publish error should be logged")
	}
}

func TestHandler_PingAndUnknownActionsAccepted(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"action":"ping","payload":{"web_hook_id":70117}}`,
		`{"action":"job_created","payload":{"job":{"id":4410133}}}`,
		`{"action":"ping"}`,
	} {
		env := newHandlerEnv(t, HandlerConfig{})
		r := env.post(t, http.MethodPost, Path, []byte(body), signed([]byte(body)))
		if r.code != http.StatusOK || r.body.Status != "accepted" {
			t.Fatalf("%s: got %d %+v, want 200", body, r.code, r.body)
		}
		if evs := env.pub.published(); len(evs) != 1 || !bytes.Equal(evs[0].Payload.(*schemas.RawDelivery).Body, []byte(body)) {
			t.Fatalf("%s: want the raw delivery stored", body)
		}
	}
}

func TestHandler_SameDeliveryTwiceSameRawID(t *testing.T) {
	t.Parallel()
	body := []byte(`{"action":"candidate_stage_change","payload":{"application":{"id":880014231,"current_stage":{"id":9100442}}}}`)
	for _, eventID := range []string{"", "e1f2a3b4-0000-4000-8000-000000000001"} {
		env := newHandlerEnv(t, HandlerConfig{})
		hdr := signed(body)
		if eventID != "" {
			hdr["Greenhouse-Event-ID"] = eventID
		}
		a := env.post(t, http.MethodPost, Path, body, hdr)
		b := env.post(t, http.MethodPost, Path, body, hdr)
		evs := env.pub.published()
		if a.code != 200 || b.code != 200 || len(evs) != 2 {
			t.Fatalf("event id %q: answers %d, %d; %d events", eventID, a.code, b.code, len(evs))
		}
		if evs[0].ID != evs[1].ID || a.body.EventID != b.body.EventID {
			t.Fatalf("event id %q: redelivery got id %s, first %s", eventID, evs[1].ID, evs[0].ID)
		}
		if eventID == "" && evs[0].ID != schemas.DeriveID("greenhouse", "delivery", bodyDigest(body)) {
			t.Fatalf("without Greenhouse-Event-ID the id derives from the body hash")
		}
	}
}

func TestHandler_NoSecretFailsClosed(t *testing.T) {
	t.Parallel()
	env := newHandlerEnv(t, HandlerConfig{Secret: []byte{}})
	body := []byte(`{"action":"ping"}`)
	r := env.post(t, http.MethodPost, Path, body, map[string]string{"Signature": Sign(nil, body)})
	if r.code != http.StatusInternalServerError || len(env.pub.published()) != 0 {
		t.Fatalf("got %d, want 500 and nothing published", r.code)
	}
}

func TestHandlerConfig_LogValueRedactsSecret(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "config", HandlerConfig{Secret: testSecret})
	if strings.Contains(buf.String(), string(testSecret)) || !strings.Contains(buf.String(), `"secret_set":true`) {
		t.Fatalf("log: %s", buf.String())
	}
}
