package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chromedp/chromedp"
	"github.com/hirestream/hirestream/dashboards"
	"github.com/hirestream/hirestream/dashboards/web"
	"github.com/hirestream/hirestream/internal/dashboard"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/producers/greenhouse"
	"github.com/hirestream/hirestream/producers/simulate"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// Environment of the browser test. The read-only user is the one deploy/local/infra.sh creates.
const (
	envChromium   = "HIRESTREAM_CHROMIUM"       // path of the Chromium binary; default: chromium on PATH
	envArtifacts  = "HIRESTREAM_TEST_ARTIFACTS" // where screenshots go; default: <repo>/.local/test-artifacts
	envROUser     = "HIRESTREAM_CLICKHOUSE_RO_USER"
	envROPassword = "HIRESTREAM_CLICKHOUSE_RO_PASSWORD"
)

// TestDashboard_Chromium loads the dashboard in Debian's headless Chromium against the real
// server, reading the real ClickHouse as the read-only user, over a synthetic hiring history
// that went through the real pipeline stages. It checks that every panel draws the rows its
// metric returns, that a filter changes the numbers, and saves screenshots of both states.
func TestDashboard_Chromium(t *testing.T) {
	chromium := chromiumPath(t)
	addr := testkit.ClickHouseAddr(t)
	conn, db := testkit.Database(t, addr)

	events := loadSimulatedHistory(t, conn, db, 300)
	t.Logf("fixture: %d canonical events in %s", events, db)
	loadHRISSyncs(t, conn, db)

	ts := startDashboard(t, addr, db)
	artifacts := artifactsDir(t)
	ctx, console := newBrowser(t, chromium)

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatalf("open the dashboard: %v", err)
	}
	waitLoaded(t, ctx, 1)
	before := snapshot(t, ctx)
	shot(t, ctx, filepath.Join(artifacts, "dashboard.png"))

	// Every panel shows exactly what its metric returns, and draws it.
	for _, m := range dashboards.Metrics() {
		p, ok := before.Panels[m.Name]
		if !ok {
			t.Errorf("panel %s missing from the page", m.Name)
			continue
		}
		if p.State != "ready" || len(p.Rows) == 0 {
			t.Errorf("panel %s: state %q with %d rows (%s), want ready with rows", m.Name, p.State, len(p.Rows), p.Message)
			continue
		}
		api := fetchMetric(t, ts.URL, m.Name, nil)
		if !reflect.DeepEqual(p.Columns, api.Columns) || !reflect.DeepEqual(p.Rows, api.Rows) {
			t.Errorf("panel %s shows %v %v, the API answers %v %v", m.Name, p.Columns, p.Rows, api.Columns, api.Rows)
		}
		if len(p.Texts) == 0 {
			t.Errorf("panel %s drew no text into its chart", m.Name)
		}
	}
	// Numbers from the rows are on the charts (ECharts' SVG renderer puts labels in the DOM).
	src := rowsByColumn(before.Panels["source-attribution"])
	drop := rowsByColumn(before.Panels["stage-dropoff"])
	if len(src) > 0 && len(drop) > 0 {
		mustContain(t, before.Panels["source-attribution"].Texts, fmt.Sprintf("%s hired", thousands(src[0]["hires"])))
		mustContain(t, before.Panels["stage-dropoff"].Texts, thousands(drop[0]["entered"]))
		mustContain(t, before.Panels["hris-sync-error-rate"].Texts, "1% target")
		if want := thousands(sumColumn(src, "applications")); before.KPIs["applications"] != want {
			t.Errorf("applications KPI %q, want %s (the sum over source channels)", before.KPIs["applications"], want)
		}
	}
	if before.Freshness != "live" {
		t.Errorf("freshness indicator %q (%q), want live right after the data landed", before.Freshness, before.FreshnessText)
	}

	// A filter refetches every panel and changes the numbers.
	if len(src) < 2 {
		t.Fatalf("fixture has %d source channels; need at least 2 to test a filter", len(src))
	}
	top := src[0] // the channel with the most applications: the filtered page still has data everywhere
	channel := top["source_channel"].(string)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const s = document.querySelector('select[name="source_channel"]');
		s.value = %q;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return s.value === %[1]q;
	})()`, channel))); err != nil {
		t.Fatalf("choose source channel %s: %v", channel, err)
	}
	waitLoaded(t, ctx, before.Generation+1)
	after := snapshot(t, ctx)
	shot(t, ctx, filepath.Join(artifacts, "dashboard-filtered.png"))

	if !strings.Contains(after.URL, "source_channel="+url.QueryEscape(channel)) {
		t.Errorf("page URL %s does not carry the filter", after.URL)
	}
	fsrc := rowsByColumn(after.Panels["source-attribution"])
	if len(fsrc) != 1 || !reflect.DeepEqual(fsrc[0], top) {
		t.Errorf("source-attribution filtered to %s: %v, want the one row %v", channel, fsrc, top)
	}
	if want := thousands(top["applications"]); after.KPIs["applications"] != want {
		t.Errorf("applications KPI %q after filtering to %s, want %s", after.KPIs["applications"], channel, want)
	}
	if after.KPIs["applications"] == before.KPIs["applications"] {
		t.Errorf("applications KPI stayed %q after filtering to %s", after.KPIs["applications"], channel)
	}
	if want := fetchMetric(t, ts.URL, "stage-dropoff", url.Values{"source_channel": {channel}}); !reflect.DeepEqual(after.Panels["stage-dropoff"].Rows, want.Rows) {
		t.Errorf("stage-dropoff after the filter shows %v, the API answers %v", after.Panels["stage-dropoff"].Rows, want.Rows)
	}
	if reflect.DeepEqual(after.Panels["stage-dropoff"].Rows, before.Panels["stage-dropoff"].Rows) {
		t.Errorf("stage-dropoff did not change after filtering to %s", channel)
	}

	// Where the HRIS sync has not created its table yet, that panel says so and the rest work.
	if err := conn.Exec(context.Background(), "DROP TABLE "+db+".hris_syncs"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitLoaded(t, ctx, 1)
	noHRIS := snapshot(t, ctx)
	if p := noHRIS.Panels["hris-sync-error-rate"]; p.State != "unavailable" || !strings.Contains(p.Message, "hris_syncs") {
		t.Errorf("HRIS panel without hris_syncs: state %q %q, want unavailable naming the table", p.State, p.Message)
	}
	if p := noHRIS.Panels["source-attribution"]; p.State != "ready" {
		t.Errorf("source-attribution without hris_syncs: state %q, want ready", p.State)
	}
	shot(t, ctx, filepath.Join(artifacts, "dashboard-no-hris.png"))

	for _, m := range console.errors() {
		t.Errorf("browser console: %s", m)
	}
	t.Logf("screenshots: %s", artifacts)
}

// chromiumPath finds Debian's Chromium, or skips (fails when integration is required).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envChromium); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", envChromium, p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "Chromium not found (set " + envChromium + " or install it: deploy/local/infra.sh deps, or apt-get install chromium)"
	if testkit.Required() {
		t.Fatalf("%s is required (%s=1) but %s", "the browser test", testkit.EnvRequire, msg)
	}
	t.Skip("browser test: " + msg)
	return ""
}

// loadSimulatedHistory runs a deterministic synthetic Greenhouse history through the real
// pipeline stages in-process: the signed-webhook handler, the normalizer, the ClickHouse sink
// writer and its analytics projection (pipeline.EventSink, as `hirestream sink` runs it). Only
// Kafka between them is left out; the other e2e tests cover it. Returns the events written.
func loadSimulatedHistory(t *testing.T, conn driver.Conn, db string, candidates int) int {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	raw := &capturePublisher{}
	ingest := greenhouse.NewHandler(greenhouse.HandlerConfig{Secret: []byte(secret), MaxBodyBytes: 1 << 20, Now: time.Now}, raw, log)
	norm := greenhouse.NewNormalizer(greenhouse.Options{})
	w := chsink.NewWriter(conn, db)
	sink := pipeline.EventSink{W: w, A: w.Analytics()}

	var batch []stream.Record
	written := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		rejected, err := sink.WriteBatch(ctx, batch)
		if err != nil {
			t.Fatalf("sink batch of %d: %v", len(batch), err)
		}
		for i, err := range rejected {
			if err != nil {
				t.Fatalf("sink rejected %s: %v", batch[i].Event.Type, err)
			}
		}
		written += len(batch)
		batch = batch[:0]
	}
	gen := simulate.New(simulate.Config{Seed: 20261128, Candidates: candidates,
		Start: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), ArrivalWindow: 60 * 24 * time.Hour})
	for d, ok := gen.Next(); ok; d, ok = gen.Next() {
		req, err := simulate.NewRequest(ctx, "http://ingest.test", []byte(secret), d)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		ingest.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("webhook %s answered %d: %s", d.Action, rec.Code, rec.Body)
		}
		for _, ev := range raw.take() {
			outs, err := norm.Handle(ctx, ev)
			if err != nil {
				t.Fatalf("normalize %s: %v", d.Action, err)
			}
			for _, out := range outs {
				batch = append(batch, stream.Record{Event: out, Msg: kafka.Message{Offset: int64(written + len(batch))}})
			}
		}
		if len(batch) >= 500 {
			flush()
		}
	}
	flush()
	return written
}

// capturePublisher stands in for Kafka behind the webhook handler.
type capturePublisher struct {
	mu  sync.Mutex
	evs []schemas.Event
}

func (p *capturePublisher) Publish(_ context.Context, evs ...schemas.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.evs = append(p.evs, evs...)
	return nil
}

func (p *capturePublisher) take() []schemas.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.evs
	p.evs = nil
	return out
}

// loadHRISSyncs writes HRIS sync outcomes for the fixture's hires through the sink's hris_syncs
// writer (migration 002): two targets, and for every seventh hire a failure after a success as
// its latest outcome, so one target misses the 1% target and filters move the numbers.
func loadHRISSyncs(t *testing.T, conn driver.Conn, db string) {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT candidate_id, application_id, job_id, hired_at FROM "+db+
		".applications WHERE status = 'hired' AND hired_at IS NOT NULL ORDER BY application_id")
	if err != nil {
		t.Fatal(err)
	}
	var out []chsink.HRISSyncRow
	n := 0
	for rows.Next() {
		var cand, app, job string
		var hired *time.Time
		if err := rows.Scan(&cand, &app, &job, &hired); err != nil {
			t.Fatal(err)
		}
		target := []string{"bamboohr", "workday"}[n%2]
		outcome := func(typ schemas.EventType, at time.Time, errMsg string) {
			ev := schemas.Event{ID: fmt.Sprintf("hris-%s-%d", app, len(out)), Type: typ, OccurredAt: at, RecordedAt: at,
				CandidateID: cand, ApplicationID: app, JobID: job, CausationID: "hired-" + app,
				Payload: &schemas.HRISSync{Target: target, Attempts: 1, LatencyMS: 900, Error: errMsg}}
			r, ok := chsink.RowFromHRISSync(ev, 0, int64(len(out)))
			if !ok {
				t.Fatalf("RowFromHRISSync refused %s", typ)
			}
			out = append(out, r)
		}
		at := hired.Add(2 * time.Minute)
		if n%7 == 6 { // synced once, then a later update failed: the latest outcome is a failure
			outcome(schemas.TypeHRISSyncSucceeded, at, "")
			outcome(schemas.TypeHRISSyncFailed, at.Add(time.Hour), "422 start_date: must be a working day")
		} else {
			outcome(schemas.TypeHRISSyncSucceeded, at, "")
		}
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the fixture has no hires to sync")
	}
	rejected, err := chsink.NewHRISSyncWriter(conn, db).Write(ctx, out)
	if err != nil || len(rejected) > 0 {
		t.Fatalf("write %d hris_syncs rows: %v %v", len(out), err, rejected)
	}
}

// startDashboard serves the dashboard as cmd/hirestream wires it, reading as the read-only user.
func startDashboard(t *testing.T, addr, db string) *httptest.Server {
	t.Helper()
	user, password := os.Getenv(envROUser), os.Getenv(envROPassword)
	if user == "" {
		user, password = "hirestream_ro", "hirestream_ro"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ro, err := chsink.Open(ctx, chsink.Options{Addr: addr, User: user, Password: password})
	if err != nil {
		t.Fatalf("connect as the read-only user %s (deploy/local/infra.sh creates it): %v", user, err)
	}
	t.Cleanup(func() { ro.Close() })
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	reg := prometheus.NewRegistry()
	srv, err := dashboard.New(ro, dashboard.Config{Database: db, Metrics: dashboards.Metrics(), Web: web.FS()}, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := stream.MetricsMux(reg)
	srv.Register(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		dir = filepath.Join("..", "..", ".local", "test-artifacts")
	}
	dir, err := filepath.Abs(filepath.Join(dir, "dashboard"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// consoleLog keeps what the page wrote to its console.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// errors are the uncaught exceptions and console errors, except the 503 of a panel whose table
// does not exist yet (the page shows that as a state).
func (c *consoleLog) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if m.Type != chromedp.ConsoleException && m.Type != chromedp.ConsoleError {
			continue
		}
		if strings.Contains(m.Text, "status of 503") {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
	}
	return out
}

// newBrowser starts headless Chromium with the flags that work on these machines (no sandbox as
// root, no GPU, no background networking on a closed network) and a fresh profile.
func newBrowser(t *testing.T, chromium string) (context.Context, *consoleLog) {
	t.Helper()
	var stderr bytes.Buffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1440, 1000),
		chromedp.CombinedOutput(&stderr),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("chromium output (last 2 KiB): %s", tail(stderr.String(), 2048))
		}
	})
	if err := chromedp.Do(ctx); err != nil { // start the browser now: a missing library fails here
		t.Fatalf("start %s: %v\n%s", chromium, err, tail(stderr.String(), 2048))
	}
	cl := &consoleLog{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			cl.mu.Lock()
			cl.msgs = append(cl.msgs, m)
			cl.mu.Unlock()
		}
	}()
	return ctx, cl
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// waitLoaded waits until the page has finished load number generation (all panels drawn).
func waitLoaded(t *testing.T, ctx context.Context, generation int) {
	t.Helper()
	js := fmt.Sprintf(`document.body.dataset.state === 'ready' && Number(document.body.dataset.generation) >= %d`, generation)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.state + ' generation ' + document.body.dataset.generation`))
		t.Fatalf("dashboard load %d did not finish: %v (page: %s)", generation, err, state)
	}
}

type panelSnapshot struct {
	State   string   `json:"state"`
	Message string   `json:"message"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Texts   []string `json:"texts"`
}

type pageSnapshot struct {
	Generation    int                      `json:"generation"`
	URL           string                   `json:"url"`
	Panels        map[string]panelSnapshot `json:"panels"`
	KPIs          map[string]string        `json:"kpis"`
	Freshness     string                   `json:"freshness"`
	FreshnessText string                   `json:"freshness_text"`
}

func snapshot(t *testing.T, ctx context.Context) pageSnapshot {
	t.Helper()
	js := `JSON.stringify({
		generation: window.hirestream.generation,
		url: location.href,
		panels: Object.fromEntries(Object.entries(window.hirestream.panels).map(([m, p]) => [m, {
			state: p.state, message: p.message || '', columns: p.columns, rows: p.rows,
			texts: [...document.querySelectorAll('#panel-' + m + ' .chart svg text')].map((e) => e.textContent).filter(Boolean),
		}])),
		kpis: Object.fromEntries([...document.querySelectorAll('.kpi')].map((k) => [k.dataset.kpi, k.querySelector('.value').textContent])),
		freshness: document.getElementById('freshness').dataset.state,
		freshness_text: document.getElementById('freshness').textContent.trim(),
	})`
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	var snap pageSnapshot
	if err := json.Unmarshal([]byte(s), &snap); err != nil {
		t.Fatalf("decode page snapshot: %v", err)
	}
	return snap
}

func shot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d bytes)", path, len(png))
}

// fetchMetric asks the API directly, decoding like the page does (numbers as float64).
func fetchMetric(t *testing.T, base, name string, q url.Values) dashboard.Result {
	t.Helper()
	resp, err := http.Get(base + "/api/metrics/" + name + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res dashboard.Result
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/metrics/%s?%s = %d: %v", name, q.Encode(), resp.StatusCode, err)
	}
	return res
}

func rowsByColumn(p panelSnapshot) []map[string]any {
	out := make([]map[string]any, len(p.Rows))
	for i, r := range p.Rows {
		out[i] = map[string]any{}
		for j, c := range p.Columns {
			out[i][c] = r[j]
		}
	}
	return out
}

func sumColumn(rows []map[string]any, col string) any {
	var s float64
	for _, r := range rows {
		v, _ := r[col].(float64)
		s += v
	}
	return s
}

// thousands formats a JSON number as the page does (en-US grouping): 1800 -> "1,800".
func thousands(v any) string {
	f, _ := v.(float64)
	s := fmt.Sprintf("%d", int64(f))
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func mustContain(t *testing.T, texts []string, want string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, want) {
			return
		}
	}
	t.Errorf("no chart text contains %q; texts: %q", want, texts)
}
