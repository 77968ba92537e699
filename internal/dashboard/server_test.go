package dashboard

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/hirestream/hirestream/dashboards"
	"github.com/hirestream/hirestream/dashboards/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"
)

// newTestServer has no ClickHouse connection: only routes that answer before querying work.
func newTestServer(t *testing.T) http.Handler {
	t.Helper()
	s, err := New(nil, Config{Database: "hs", Metrics: dashboards.Metrics(), Web: web.FS()}, prometheus.NewRegistry(),
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestParseFilters(t *testing.T) {
	t.Parallel()
	f, err := ParseFilters(url.Values{"from": {"2026-03-01"}, "to": {"2026-04-01T12:30:00+02:00"}, "department": {"Sales"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); !f.From.Equal(want) {
		t.Errorf("from = %s, want %s", f.From, want)
	}
	if want := time.Date(2026, 4, 1, 10, 30, 0, 0, time.UTC); !f.To.Equal(want) {
		t.Errorf("to = %s, want %s", f.To, want)
	}
	if f.Department != "Sales" || f.JobID != "" || f.SourceChannel != "" {
		t.Errorf("strings = %+v", f)
	}
	if f, err := ParseFilters(url.Values{}); err != nil || !f.From.Equal(dashboards.DefaultFrom) || !f.To.Equal(dashboards.DefaultTo) {
		t.Errorf("no filters: %+v, %v; want the defaults", f, err)
	}
}

func TestParseFilters_Errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		q     url.Values
		param string
	}{
		{"unknown parameter", url.Values{"dept": {"Sales"}}, "dept"},
		{"repeated", url.Values{"job_id": {"1", "2"}}, "job_id"},
		{"bad date", url.Values{"from": {"2026-13-01"}}, "from"},
		{"bad to", url.Values{"to": {"yesterday"}}, "to"},
		{"before 1970", url.Values{"from": {"1969-12-31"}}, "from"},
		{"after 2105", url.Values{"to": {"2106-01-01"}}, "to"},
		{"from after to", url.Values{"from": {"2026-05-01"}, "to": {"2026-04-01"}}, "from"},
		{"control character", url.Values{"source_channel": {"ref\x00erral"}}, "source_channel"},
		{"too long", url.Values{"department": {strings.Repeat("x", 300)}}, "department"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFilters(tc.q)
			var fe *FilterError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FilterError", err)
			}
			if fe.Param != tc.param || fe.Expected == "" || fe.Reason == "" {
				t.Errorf("error %+v: want parameter %q with a reason and an expected form", fe, tc.param)
			}
			if !strings.Contains(err.Error(), tc.param) {
				t.Errorf("message %q does not name %q", err, tc.param)
			}
		})
	}
}

func TestAPI_Errors(t *testing.T) {
	t.Parallel()
	h := newTestServer(t)
	for _, tc := range []struct {
		target   string
		code     int
		wantCode string
		contains []string
	}{
		{"/api/metrics/no-such-metric", http.StatusNotFound, "unknown_metric", []string{"no-such-metric", "source-attribution"}},
		{"/api/metrics/source-attribution?from=2026-02-30", http.StatusBadRequest, "bad_filter", []string{"from", "2026-02-30", "RFC 3339"}},
		{"/api/metrics/time-in-stage?sourcechannel=referral", http.StatusBadRequest, "bad_filter", []string{"sourcechannel", "source_channel"}},
		{"/api/nothing", http.StatusNotFound, "", []string{"/api/nothing"}},
	} {
		rec := get(t, h, tc.target)
		if rec.Code != tc.code {
			t.Errorf("GET %s = %d, want %d: %s", tc.target, rec.Code, tc.code, rec.Body)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: Content-Type %q", tc.target, ct)
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("GET %s: body is not JSON: %s", tc.target, rec.Body)
			continue
		}
		if tc.wantCode != "" && body["code"] != tc.wantCode {
			t.Errorf("GET %s: code %v, want %s", tc.target, body["code"], tc.wantCode)
		}
		for _, s := range tc.contains {
			if !strings.Contains(rec.Body.String(), s) {
				t.Errorf("GET %s: body %s does not mention %q", tc.target, rec.Body, s)
			}
		}
	}
}

func TestAPI_MetricList(t *testing.T) {
	t.Parallel()
	rec := get(t, newTestServer(t), "/api/metrics")
	var body struct{ Metrics []MetricInfo }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := dashboards.Metrics()
	if len(body.Metrics) != len(want) {
		t.Fatalf("%d metrics, want %d", len(body.Metrics), len(want))
	}
	for i, m := range want {
		if body.Metrics[i].Name != m.Name || !reflect.DeepEqual(body.Metrics[i].Columns, m.Columns) {
			t.Errorf("metric %d = %+v, want %s %v", i, body.Metrics[i], m.Name, m.Columns)
		}
	}
}

func TestJSONValue(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	f := 0.25
	var nilF *float64
	for _, tc := range []struct {
		in       any
		dateOnly bool
		want     string
	}{
		{uint64(18446744073709551615), false, `18446744073709551615`},
		{int32(-5), false, `-5`},
		{0.5, false, `0.5`},
		{math.NaN(), false, `null`},
		{math.Inf(1), false, `null`},
		{&f, false, `0.25`},
		{nilF, false, `null`},
		{"referral", false, `"referral"`},
		{ts, false, `"2026-03-01T08:30:00Z"`},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), true, `"2026-03-01"`},
		{decimal.RequireFromString("12.50"), false, `12.5`},
		{[]float64{1, 2.5}, false, `[1,2.5]`},
		{[]uint8{1, 2}, false, `"\u0001\u0002"`},
	} {
		v := reflect.New(reflect.TypeOf(tc.in)).Elem()
		v.Set(reflect.ValueOf(tc.in))
		b, err := json.Marshal(jsonValue(v, tc.dateOnly))
		if err != nil || string(b) != tc.want {
			t.Errorf("jsonValue(%T %v) = %s, %v; want %s", tc.in, tc.in, b, err, tc.want)
		}
	}
}

func TestMissingTable(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		"Table hs.hris_syncs doesn't exist.":        "hris_syncs",
		"Table `hs`.`hris_syncs` does not exist":    "hris_syncs",
		"Database hs doesn't exist":                 "hs",
		"something else entirely, nothing to parse": "",
	} {
		if got := missingTable(msg); got != want {
			t.Errorf("missingTable(%q) = %q, want %q", msg, got, want)
		}
	}
	var exc error = &ch.Exception{Code: codeUnknownTable, Message: "Table hs.hris_syncs doesn't exist."}
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	code, body := s.queryError(t.Context(), "hris-sync-error-rate", exc)
	if eb, ok := body.(errorBody); code != http.StatusServiceUnavailable || !ok || eb.Code != "table_missing" || eb.Table != "hris_syncs" {
		t.Errorf("queryError = %d %+v, want 503 table_missing hris_syncs", code, body)
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	h := newTestServer(t)
	rec := get(t, h, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Recruiting analytics") {
		t.Fatalf("GET / = %d %.200s", rec.Code, rec.Body)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	// The chart library is served from the binary, gzipped when the browser accepts it.
	rec = get(t, h, "/vendor/echarts/echarts.min.js", "Accept-Encoding", "gzip, deflate")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET echarts = %d, encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(zr)
	if len(js) < 500_000 || !strings.Contains(string(js[:2000]), "echarts") {
		t.Errorf("echarts.min.js: %d bytes", len(js))
	}
	etag := rec.Header().Get("ETag")
	if rec = get(t, h, "/vendor/echarts/echarts.min.js", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation with ETag %s = %d, want 304", etag, rec.Code)
	}
	if rec = get(t, h, "/no-such-file.js"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /no-such-file.js = %d", rec.Code)
	}
}

func TestNew_RejectsBadConfig(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := dashboards.Metrics()[0]
	for name, cfg := range map[string]Config{
		"no database": {Metrics: []dashboards.Metric{m}},
		"duplicate":   {Database: "hs", Metrics: []dashboards.Metric{m, m}},
		"no SQL":      {Database: "hs", Metrics: []dashboards.Metric{{Name: "x"}}},
		"no index":    {Database: "hs", Web: fstest.MapFS{"app.js": {Data: []byte("x")}}},
	} {
		if _, err := New(nil, cfg, nil, log); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}
