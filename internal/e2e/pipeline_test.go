package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/internal/config"
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

const secret = "e2e-greenhouse-secret"

// env is one isolated pipeline: its own topics, consumer groups and ClickHouse database.
type env struct {
	t      *testing.T
	pe     pipeline.Env
	conn   driver.Conn
	db     string
	url    string
	ctx    context.Context
	wg     sync.WaitGroup
	cancel []context.CancelFunc
}

func newEnv(t *testing.T) *env {
	brokers := testkit.Brokers(t)
	conn, db := testkit.Database(t, testkit.ClickHouseAddr(t))
	prefix := testkit.Topics(t, brokers)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	e := &env{t: t, conn: conn, db: db, ctx: context.Background(), pe: testPipelineEnv(brokers, prefix, log)}
	pub := e.pe.Producer()
	srv := httptest.NewServer(greenhouse.NewHandler(greenhouse.HandlerConfig{Secret: []byte(secret), MaxBodyBytes: 1 << 20, Now: time.Now}, pub, log))
	e.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		pub.Close()
		e.stopAll()
	})
	return e
}

// testPipelineEnv is the Env the tests and benchmarks here run under: topics under prefix, fresh
// metrics, retries quick enough for a test.
func testPipelineEnv(brokers []string, prefix string, log *slog.Logger) pipeline.Env {
	return pipeline.Env{Brokers: brokers, Prefix: prefix, Codec: schemas.MustCodec(), Metrics: stream.NewMetrics(prometheus.NewRegistry()),
		Log: log, Retry: config.Retry{MaxAttempts: 5, Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: 30 * time.Second}}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// start runs fn in the background until the returned stop is called (or the test ends).
func (e *env) start(name string, fn func(ctx context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(done)
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			e.t.Errorf("%s stopped: %v", name, err)
		}
	}()
	e.cancel = append(e.cancel, cancel)
	return func() { cancel(); <-done }
}

func (e *env) stopAll() {
	for _, c := range e.cancel {
		c()
	}
	e.wg.Wait()
}

func (e *env) startNormalizer() func() {
	return e.start("normalizer", func(ctx context.Context) error {
		return pipeline.RunNormalizer(ctx, e.pe, greenhouse.NewNormalizer(greenhouse.Options{}))
	})
}

func (e *env) startSink(w stream.BatchWriter, size int, wait time.Duration) func() {
	return e.start("sink", func(ctx context.Context) error {
		pub := e.pe.Producer()
		defer pub.Close()
		reader := stream.NewGroupReader(e.pe.Brokers, e.pe.Topic(schemas.TopicCandidateEvents), e.pe.Group(w.Name()), e.pe.Log)
		defer reader.Close()
		bc := stream.NewBatchConsumer(w, reader, pub, e.pe.Codec, e.pe.Retry, e.pe.Metrics, e.pe.Log, size, wait)
		bc.Grace = time.Second // a kill, not a drain: the in-flight batch is abandoned quickly
		return bc.Run(ctx)
	})
}

func sign(body []byte, key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return "sha256 " + hex.EncodeToString(m.Sum(nil))
}

func (e *env) post(body []byte, eventID, signature string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/webhooks/greenhouse", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Signature", signature)
	if eventID != "" {
		req.Header.Set("Greenhouse-Event-ID", eventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("post webhook: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) count(where string) (rows, distinct uint64) {
	e.t.Helper()
	q := fmt.Sprintf("SELECT count(), uniqExact(event_id) FROM %s.candidate_events FINAL WHERE %s", e.db, where)
	if err := e.conn.QueryRow(context.Background(), q).Scan(&rows, &distinct); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return rows, distinct
}

func (e *env) topicSize(topic string) int64 {
	e.t.Helper()
	ranges, err := stream.Ranges(context.Background(), e.pe.Brokers, e.pe.Topic(topic), time.Time{})
	if err != nil {
		e.t.Fatal(err)
	}
	var n int64
	for _, r := range ranges {
		n += r.End - r.Start
	}
	return n
}

const application = `{"action":"new_candidate_application","payload":{"application":{"id":880019999,"prospect":false,"status":"active",` +
	`"applied_at":"2026-03-10T07:01:44Z","last_activity_at":"2026-03-10T07:01:44Z","source":{"id":4001,"name":"Employee Referral"},` +
	`"credited_to":null,"current_stage":{"id":9100440,"name":"Application Review","interviews":[]},` +
	`"candidate":{"id":610040001,"first_name":"Zo\u00eb","last_name":"Ngata-\u00d8vergaard","email_addresses":[{"value":"zoe.n@mail.example","type":"personal"}]},` +
	`"jobs":[{"id":4410087,"name":"Senior Backend Engineer (Go)","departments":[{"id":310,"name":"Platform Engineering"}],` +
	`"offices":[{"id":22,"name":"Berlin","location":"Berlin, Germany"}]}]}}}`

func TestPipeline_SignedWebhookBecomesOneRow(t *testing.T) {
	e := newEnv(t)
	e.startNormalizer()
	e.startSink(pipeline.EventSink{W: chsink.NewWriter(e.conn, e.db)}, 100, 200*time.Millisecond)

	body := []byte(application)
	if code, resp := e.post(body, "gh-evt-1", sign(body, secret)); code != http.StatusOK {
		t.Fatalf("webhook answered %d %s, want 200", code, resp)
	}
	// The same delivery again, as Greenhouse retries it: still one logical row.
	if code, _ := e.post(body, "gh-evt-1", sign(body, secret)); code != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200", code)
	}
	testkit.Eventually(t, 30*time.Second, func() (bool, string) {
		n, _ := e.count("1")
		return n >= 1, fmt.Sprintf("%d rows", n)
	})
	// Both deliveries are normalized (two canonical messages) before we judge the collapse.
	testkit.Eventually(t, 30*time.Second, func() (bool, string) {
		n := e.topicSize(schemas.TopicCandidateEvents)
		return n == 2, fmt.Sprintf("%d canonical messages", n)
	})
	time.Sleep(500 * time.Millisecond) // one more sink flush
	rows, distinct := e.count("1")
	if rows != 1 || distinct != 1 {
		t.Fatalf("after a redelivery: %d rows, %d distinct event ids; want 1 and 1", rows, distinct)
	}
	var typ, cand, app, job, stageTo, channel, dept, occurred, source string
	q := "SELECT event_type, candidate_id, application_id, job_id, stage_to, source_channel, department, toString(occurred_at), source_system FROM " +
		e.db + ".candidate_events FINAL"
	if err := e.conn.QueryRow(context.Background(), q).Scan(&typ, &cand, &app, &job, &stageTo, &channel, &dept, &occurred, &source); err != nil {
		t.Fatal(err)
	}
	got := []string{typ, cand, app, job, stageTo, channel, dept, occurred, source}
	want := []string{"application.received", "610040001", "880019999", "4410087", "Application Review", "referral", "Platform Engineering", "2026-03-10 07:01:44", "greenhouse"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("row =\n %q\nwant\n %q", got, want)
	}
	if raw := e.topicSize(schemas.TopicRawDeliveries); raw != 2 {
		t.Fatalf("raw topic holds %d deliveries, want both (verbatim, before normalizing)", raw)
	}
}

func TestPipeline_BadSignatureWritesNothing(t *testing.T) {
	e := newEnv(t)
	body := []byte(application)
	code, resp := e.post(body, "gh-evt-bad", sign(body, "not-the-secret"))
	if code != http.StatusUnauthorized {
		t.Fatalf("answered %d %s, want 401", code, resp)
	}
	// Tampered body with the right key's signature of the original.
	tampered := bytes.Replace(body, []byte("880019999"), []byte("880019998"), 1)
	if code, _ := e.post(tampered, "gh-evt-bad2", sign(body, secret)); code != http.StatusUnauthorized {
		t.Fatalf("tampered body answered %d, want 401", code)
	}
	if n := e.topicSize(schemas.TopicRawDeliveries); n != 0 {
		t.Fatalf("raw topic holds %d messages after refused deliveries, want 0", n)
	}
}

// blockingWriter lets through `allow` batches, then blocks the next one until shutdown: a sink
// killed in the middle of an insert.
type blockingWriter struct {
	pipeline.EventSink
	mu      sync.Mutex
	allow   int
	blocked chan struct{}
}

func (w *blockingWriter) WriteBatch(ctx context.Context, recs []stream.Record) (map[int]error, error) {
	w.mu.Lock()
	if w.allow == 0 {
		w.mu.Unlock()
		close(w.blocked)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	w.allow--
	w.mu.Unlock()
	return w.EventSink.WriteBatch(ctx, recs)
}

// feed posts a deterministic synthetic funnel through the real ingest handler.
func (e *env) feed(candidates int) int {
	e.t.Helper()
	gen := simulate.New(simulate.Config{Seed: 7, Candidates: candidates, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), DuplicateRate: 0.05})
	poster := &simulate.Poster{URL: e.url, Secret: []byte(secret), Client: http.DefaultClient}
	stats, err := simulate.Run(context.Background(), gen, poster, simulate.RunOptions{Progress: io.Discard})
	if err != nil {
		e.t.Fatalf("simulate: %v", err)
	}
	return stats.Sent
}

// canonicalIDs reads the canonical topic and returns the distinct event ids in it.
func (e *env) canonicalIDs() map[string]bool {
	e.t.Helper()
	ids := map[string]bool{}
	_, err := pipeline.ReadTopic(context.Background(), e.pe.Brokers, e.pe.Topic(schemas.TopicCandidateEvents), time.Time{}, nil,
		func(m kafka.Message) error {
			ev, err := e.pe.Codec.Decode(m.Value)
			if err != nil {
				return err
			}
			ids[ev.ID] = true
			return nil
		})
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

func TestPipeline_SinkKilledMidBatchLosesNothing_ReplayReproducesRows(t *testing.T) {
	e := newEnv(t)
	posted := e.feed(40)
	stopNorm := e.startNormalizer()
	// Wait until the normalizer caught up with every raw delivery.
	raw := e.topicSize(schemas.TopicRawDeliveries)
	if raw != int64(posted) {
		t.Fatalf("raw topic holds %d deliveries, simulator posted %d", raw, posted)
	}
	var ids map[string]bool
	testkit.Eventually(t, 60*time.Second, func() (bool, string) {
		lag, err := groupLag(e, schemas.TopicRawDeliveries, "greenhouse-normalizer")
		return err == nil && lag == 0, fmt.Sprintf("normalizer lag %d (%v)", lag, err)
	})
	stopNorm()
	ids = e.canonicalIDs()
	if len(ids) < posted/2 {
		t.Fatalf("only %d canonical events from %d deliveries", len(ids), posted)
	}

	// First sink: lands one small batch, then is killed while inserting the second.
	w1 := &blockingWriter{EventSink: pipeline.EventSink{W: chsink.NewWriter(e.conn, e.db)}, allow: 1, blocked: make(chan struct{})}
	stop1 := e.startSink(w1, 25, 50*time.Millisecond)
	select {
	case <-w1.blocked:
	case <-time.After(60 * time.Second):
		t.Fatal("sink never reached its second batch")
	}
	stop1()
	landed, _ := e.count("1")
	if landed == 0 || landed >= uint64(len(ids)) {
		t.Fatalf("after the kill %d rows landed; want some but not all %d", landed, len(ids))
	}

	// Restarted sink: everything arrives, nothing twice.
	e.startSink(pipeline.EventSink{W: chsink.NewWriter(e.conn, e.db)}, 500, 200*time.Millisecond)
	testkit.Eventually(t, 60*time.Second, func() (bool, string) {
		_, d := e.count("1")
		return d == uint64(len(ids)), fmt.Sprintf("%d of %d distinct events in ClickHouse", d, len(ids))
	})
	rows, distinct := e.count("1")
	if rows != distinct {
		t.Fatalf("FINAL shows %d rows for %d event ids: duplicates survived", rows, distinct)
	}
	for id := range ids {
		if n, _ := e.count("event_id = '" + id + "'"); n != 1 {
			t.Fatalf("event %s has %d rows, want 1", id, n)
		}
		break // one spot check; the distinct count above covers the rest
	}

	// Replay into an empty database reproduces the same rows.
	conn2, db2 := testkit.Database(t, testkit.ClickHouseAddr(t))
	st, err := pipeline.Replay(context.Background(), e.pe, chsink.NewWriter(conn2, db2), time.Time{}, 1000, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rejected != 0 || st.Undecodable != 0 {
		t.Fatalf("replay parked rows: %+v", st)
	}
	a, b := dump(t, e.conn, e.db), dump(t, conn2, db2)
	if len(a) != len(ids) || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("replayed database differs: %d rows live vs %d replayed", len(a), len(b))
	}
	// Replaying again into the same database changes no count.
	if _, err := pipeline.Replay(context.Background(), e.pe, chsink.NewWriter(conn2, db2), time.Time{}, 1000, io.Discard); err != nil {
		t.Fatal(err)
	}
	if c := dump(t, conn2, db2); len(c) != len(a) {
		t.Fatalf("second replay: %d rows, want %d", len(c), len(a))
	}
}

// dump returns every row of candidate_events (FINAL) as text, in event_id order; inserted_at
// and Kafka coordinates are left out.
func dump(t *testing.T, conn driver.Conn, db string) []string {
	t.Helper()
	q := "SELECT concat(event_id, '|', event_type, '|', toString(occurred_at), '|', candidate_id, '|', application_id, '|', job_id, '|', " +
		"stage_from, '|', stage_to, '|', source_channel, '|', offer_id, '|', toString(salary_amount_minor), '|', salary_currency, '|', " +
		"ifNull(toString(start_date), '')) AS r FROM " + db + ".candidate_events FINAL ORDER BY event_id"
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// groupLag is how far the group of handler name is behind the end of topic.
func groupLag(e *env, topic, name string) (int64, error) {
	client := &kafka.Client{Addr: kafka.TCP(e.pe.Brokers...)}
	ranges, err := stream.Ranges(context.Background(), e.pe.Brokers, e.pe.Topic(topic), time.Time{})
	if err != nil {
		return -1, err
	}
	parts := make([]int, len(ranges))
	for i, r := range ranges {
		parts[i] = r.Partition
	}
	resp, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: e.pe.Group(name),
		Topics: map[string][]int{e.pe.Topic(topic): parts}})
	if err != nil {
		return -1, err
	}
	var lag int64
	for _, r := range ranges {
		committed := int64(0)
		for _, p := range resp.Topics[e.pe.Topic(topic)] {
			if p.Partition == r.Partition && p.CommittedOffset > 0 {
				committed = p.CommittedOffset
			}
		}
		lag += r.End - committed
	}
	return lag, nil
}
