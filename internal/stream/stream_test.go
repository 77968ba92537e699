package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/schemas"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"
)

// fakeSource hands out msgs in order, then blocks until ctx ends (like a caught-up reader).
type fakeSource struct {
	mu        sync.Mutex
	msgs      []kafka.Message
	next      int
	committed []kafka.Message
	commits   int
}

func (s *fakeSource) FetchMessage(ctx context.Context) (kafka.Message, error) {
	s.mu.Lock()
	if s.next < len(s.msgs) {
		m := s.msgs[s.next]
		s.next++
		s.mu.Unlock()
		return m, nil
	}
	s.mu.Unlock()
	<-ctx.Done()
	return kafka.Message{}, ctx.Err()
}

func (s *fakeSource) CommitMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits++
	s.committed = append(s.committed, msgs...)
	return nil
}

func (s *fakeSource) offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, m := range s.committed {
		out = append(out, m.Offset)
	}
	return out
}

type fakePublisher struct {
	mu       sync.Mutex
	calls    int
	events   []schemas.Event
	raw      []kafka.Message
	failDLQ  bool
	failPubN int // fail this many Publish calls first
}

func (p *fakePublisher) Publish(_ context.Context, evs ...schemas.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failPubN > 0 {
		p.failPubN--
		return errors.New("broker not available")
	}
	p.calls++
	p.events = append(p.events, evs...)
	return nil
}

func (p *fakePublisher) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failDLQ {
		return errors.New("dlq topic unavailable")
	}
	p.raw = append(p.raw, msgs...)
	return nil
}

type fakeHandler struct {
	mu    sync.Mutex
	calls int
	fn    func(n int, ev schemas.Event) ([]schemas.Event, error)
}

func (*fakeHandler) Name() string { return "test-proc" }
func (*fakeHandler) Triggers() []schemas.EventType {
	return []schemas.EventType{schemas.TypeCandidateHired}
}
func (h *fakeHandler) Handle(_ context.Context, ev schemas.Event) ([]schemas.Event, error) {
	h.mu.Lock()
	h.calls++
	n := h.calls
	h.mu.Unlock()
	return h.fn(n, ev)
}

var codec = schemas.MustCodec()

func msg(t *testing.T, offset int64, typ schemas.EventType) kafka.Message {
	t.Helper()
	ev := schemas.Event{ID: "ev-" + string(typ), Type: typ, OccurredAt: time.Unix(1700000000, 0).UTC(),
		RecordedAt: time.Unix(1700000001, 0).UTC(), SourceSystem: "greenhouse", CandidateID: "c1"}
	b, err := codec.Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	return kafka.Message{Topic: "in", Partition: 0, Offset: offset, Key: []byte("c1"), Value: b,
		Headers: []kafka.Header{{Key: "event_type", Value: []byte(typ)}}}
}

func fastRetry() config.Retry {
	return config.Retry{MaxAttempts: 3, Initial: time.Millisecond, Max: 2 * time.Millisecond, MaxElapsed: time.Second}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// runUntil runs c until the source has committed want messages (or fails after 5s).
func runUntil(t *testing.T, run func(context.Context) error, src *fakeSource, want int) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- run(ctx) }()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case err := <-errc:
			return err
		case <-deadline:
			t.Fatalf("only %d of %d messages committed", len(src.offsets()), want)
		case <-time.After(5 * time.Millisecond):
			if len(src.offsets()) >= want {
				cancel()
				return <-errc
			}
		}
	}
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func TestConsumer_Run(t *testing.T) {
	outcome := func(ev schemas.Event) schemas.Event {
		return schemas.Outcome("test-proc", ev, schemas.TypeHRISSyncSucceeded, ev.OccurredAt, &schemas.HRISSync{Target: "x"})
	}
	cases := []struct {
		name        string
		fn          func(n int, ev schemas.Event) ([]schemas.Event, error)
		msgs        func(t *testing.T) []kafka.Message
		wantCalls   int
		wantEvents  int
		wantDLQ     string // dlq.class of the single DLQ record, "" for none
		wantHandled map[string]float64
	}{
		{
			name:        "non_trigger_is_skipped_and_committed",
			fn:          func(int, schemas.Event) ([]schemas.Event, error) { return nil, errors.New("must not be called") },
			msgs:        func(t *testing.T) []kafka.Message { return []kafka.Message{msg(t, 0, schemas.TypeStageChanged)} },
			wantHandled: map[string]float64{"skipped": 1},
		},
		{
			name:        "outcomes_published_then_committed",
			fn:          func(_ int, ev schemas.Event) ([]schemas.Event, error) { return []schemas.Event{outcome(ev)}, nil },
			msgs:        func(t *testing.T) []kafka.Message { return []kafka.Message{msg(t, 0, schemas.TypeCandidateHired)} },
			wantCalls:   1,
			wantEvents:  1,
			wantHandled: map[string]float64{"ok": 1},
		},
		{
			name: "transient_error_retried",
			fn: func(n int, ev schemas.Event) ([]schemas.Event, error) {
				if n < 3 {
					return nil, errors.New("hris 503")
				}
				return []schemas.Event{outcome(ev)}, nil
			},
			msgs:        func(t *testing.T) []kafka.Message { return []kafka.Message{msg(t, 0, schemas.TypeCandidateHired)} },
			wantCalls:   3,
			wantEvents:  1,
			wantHandled: map[string]float64{"ok": 1, "retried": 2},
		},
		{
			name: "permanent_error_goes_to_dlq_at_once",
			fn: func(int, schemas.Event) ([]schemas.Event, error) {
				return nil, schemas.Permanent(errors.New("hris 400: start date required"))
			},
			msgs:        func(t *testing.T) []kafka.Message { return []kafka.Message{msg(t, 0, schemas.TypeCandidateHired)} },
			wantCalls:   1,
			wantDLQ:     "permanent",
			wantHandled: map[string]float64{"dlq": 1},
		},
		{
			name:        "exhausted_retries_go_to_dlq",
			fn:          func(int, schemas.Event) ([]schemas.Event, error) { return nil, errors.New("timeout") },
			msgs:        func(t *testing.T) []kafka.Message { return []kafka.Message{msg(t, 0, schemas.TypeCandidateHired)} },
			wantCalls:   3,
			wantDLQ:     "transient-exhausted",
			wantHandled: map[string]float64{"dlq": 1, "retried": 2},
		},
		{
			name:        "panic_is_recovered_and_retried",
			fn:          func(int, schemas.Event) ([]schemas.Event, error) { panic("nil map") },
			msgs:        func(t *testing.T) []kafka.Message { return []kafka.Message{msg(t, 0, schemas.TypeCandidateHired)} },
			wantCalls:   3,
			wantDLQ:     "transient-exhausted",
			wantHandled: map[string]float64{"dlq": 1, "retried": 2},
		},
		{
			name: "undecodable_goes_to_dlq_with_original_bytes",
			fn:   func(int, schemas.Event) ([]schemas.Event, error) { return nil, nil },
			msgs: func(*testing.T) []kafka.Message {
				return []kafka.Message{{Topic: "in", Offset: 0, Key: []byte("k"), Value: []byte(`{"not":"avro"}`)}}
			},
			wantDLQ: "undecodable",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &fakeSource{msgs: tc.msgs(t)}
			pub := &fakePublisher{}
			h := &fakeHandler{fn: tc.fn}
			reg := prometheus.NewRegistry()
			m := NewMetrics(reg)
			c := NewConsumer(h, src, pub, codec, fastRetry(), m, quiet())
			if err := runUntil(t, c.Run, src, len(src.msgs)); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if h.calls != tc.wantCalls {
				t.Errorf("handler calls = %d, want %d", h.calls, tc.wantCalls)
			}
			if len(pub.events) != tc.wantEvents {
				t.Errorf("published %d events, want %d", len(pub.events), tc.wantEvents)
			}
			if tc.wantDLQ == "" && len(pub.raw) != 0 {
				t.Errorf("unexpected DLQ records: %d", len(pub.raw))
			}
			if tc.wantDLQ != "" {
				if len(pub.raw) != 1 {
					t.Fatalf("DLQ records = %d, want 1", len(pub.raw))
				}
				d, orig := pub.raw[0], src.msgs[0]
				if d.Topic != "in.dlq" || string(d.Value) != string(orig.Value) || string(d.Key) != string(orig.Key) {
					t.Errorf("DLQ record %s key=%q lost the original bytes", d.Topic, d.Key)
				}
				if got := header(d, HeaderDLQClass); got != tc.wantDLQ {
					t.Errorf("dlq.class = %q, want %q (reason %q)", got, tc.wantDLQ, header(d, HeaderDLQReason))
				}
				if header(d, HeaderDLQSource) != "in/0/0" || header(d, HeaderDLQProcessor) != "test-proc" || header(d, HeaderDLQReason) == "" {
					t.Errorf("DLQ headers incomplete: %v", d.Headers)
				}
			}
			for outcome, want := range tc.wantHandled {
				typ := string(src.msgs[0].Headers[0].Value)
				if got := testutil.ToFloat64(m.Handled.WithLabelValues("test-proc", typ, outcome)); got != want {
					t.Errorf("handled{outcome=%s} = %v, want %v", outcome, got, want)
				}
			}
			if got := src.offsets(); len(got) != 1 || got[0] != 0 {
				t.Errorf("committed offsets = %v, want [0]", got)
			}
		})
	}
}

func TestConsumer_DLQFailureCommitsNothing(t *testing.T) {
	src := &fakeSource{msgs: []kafka.Message{msg(t, 7, schemas.TypeCandidateHired)}}
	pub := &fakePublisher{failDLQ: true}
	h := &fakeHandler{fn: func(int, schemas.Event) ([]schemas.Event, error) { return nil, schemas.Permanent(errors.New("bad")) }}
	c := NewConsumer(h, src, pub, codec, fastRetry(), NewMetrics(prometheus.NewRegistry()), quiet())
	err := c.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not committing") {
		t.Fatalf("Run = %v, want the DLQ failure", err)
	}
	if len(src.offsets()) != 0 {
		t.Fatalf("committed %v although the DLQ write failed", src.offsets())
	}
}

func TestConsumer_PublishFailureRetriedBeforeCommit(t *testing.T) {
	src := &fakeSource{msgs: []kafka.Message{msg(t, 0, schemas.TypeCandidateHired)}}
	pub := &fakePublisher{failPubN: 2}
	h := &fakeHandler{fn: func(_ int, ev schemas.Event) ([]schemas.Event, error) {
		return []schemas.Event{schemas.Outcome("p", ev, schemas.TypeAlertRaised, ev.OccurredAt, &schemas.Alert{Automation: "p", Summary: "s"})}, nil
	}}
	c := NewConsumer(h, src, pub, codec, fastRetry(), NewMetrics(prometheus.NewRegistry()), quiet())
	if err := runUntil(t, c.Run, src, 1); err != nil {
		t.Fatal(err)
	}
	if len(pub.events) != 1 || h.calls != 1 {
		t.Fatalf("events=%d handler calls=%d, want 1 and 1 (publish retried, handler not)", len(pub.events), h.calls)
	}
}

func TestRetry_Backoff(t *testing.T) {
	r := config.Retry{MaxAttempts: 10, Initial: 100 * time.Millisecond, Max: time.Second, MaxElapsed: time.Minute}
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 5: time.Second, 9: time.Second} {
		got := backoff(r, n)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("backoff(%d) = %s, want %s ±20%%", n, got, want)
		}
	}
}

func TestRetry_CancelledContextIsNotExhaustion(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := config.Retry{MaxAttempts: 100, Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: time.Minute}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := retry(ctx, r, nil, func(context.Context) error { return errors.New("down") })
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

type fakeWriter struct {
	mu      sync.Mutex
	batches [][]string
	failN   int
	reject  map[string]bool
	block   chan struct{}
}

func (*fakeWriter) Name() string { return "test-sink" }
func (w *fakeWriter) WriteBatch(ctx context.Context, recs []Record) (map[int]error, error) {
	if w.block != nil {
		select {
		case <-w.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failN > 0 {
		w.failN--
		return nil, errors.New("clickhouse: connection reset")
	}
	rej := map[int]error{}
	var ids []string
	for i, r := range recs {
		if w.reject[r.Event.ID] {
			rej[i] = errors.New("Cannot parse DateTime")
			continue
		}
		ids = append(ids, r.Event.ID)
	}
	w.batches = append(w.batches, ids)
	return rej, nil
}

func batchMsgs(t *testing.T, n int) []kafka.Message {
	var out []kafka.Message
	for i := 0; i < n; i++ {
		ev := schemas.Event{ID: "e" + string(rune('a'+i)), Type: schemas.TypeStageChanged, OccurredAt: time.Unix(1700000000, 0).UTC(),
			RecordedAt: time.Unix(1700000000, 0).UTC(), SourceSystem: "greenhouse", CandidateID: "c"}
		b, _ := codec.Encode(ev)
		out = append(out, kafka.Message{Topic: "events", Offset: int64(i), Value: b})
	}
	return out
}

func TestBatchConsumer_FlushBySizeRetryAndReject(t *testing.T) {
	msgs := batchMsgs(t, 5)
	msgs = append(msgs, kafka.Message{Topic: "events", Offset: 5, Value: []byte("garbage")})
	src := &fakeSource{msgs: msgs}
	pub := &fakePublisher{}
	w := &fakeWriter{failN: 2, reject: map[string]bool{"eb": true}}
	bc := NewBatchConsumer(w, src, pub, codec, fastRetry(), NewMetrics(prometheus.NewRegistry()), quiet(), 3, time.Hour)
	if err := runUntil(t, bc.Run, src, 6); err != nil {
		t.Fatal(err)
	}
	// First batch (3) failed twice then landed without its rejected row; second batch by size too.
	if len(w.batches) != 2 || strings.Join(w.batches[0], ",") != "ea,ec" || strings.Join(w.batches[1], ",") != "ed,ee" {
		t.Fatalf("batches = %v", w.batches)
	}
	if len(pub.raw) != 2 || header(pub.raw[0], HeaderDLQClass) != "permanent" || header(pub.raw[1], HeaderDLQClass) != "undecodable" {
		t.Fatalf("DLQ = %d records %v", len(pub.raw), pub.raw)
	}
}

func TestBatchConsumer_FlushByTime(t *testing.T) {
	src := &fakeSource{msgs: batchMsgs(t, 2)}
	w := &fakeWriter{}
	bc := NewBatchConsumer(w, src, &fakePublisher{}, codec, fastRetry(), NewMetrics(prometheus.NewRegistry()), quiet(), 1000, 50*time.Millisecond)
	if err := runUntil(t, bc.Run, src, 2); err != nil {
		t.Fatal(err)
	}
	if len(w.batches) != 1 || len(w.batches[0]) != 2 {
		t.Fatalf("batches = %v, want one batch of 2 flushed by time", w.batches)
	}
}

func TestBatchConsumer_ShutdownMidBatchCommitsNothing(t *testing.T) {
	src := &fakeSource{msgs: batchMsgs(t, 3)}
	w := &fakeWriter{block: make(chan struct{})} // the write never finishes
	bc := NewBatchConsumer(w, src, &fakePublisher{}, codec, fastRetry(), NewMetrics(prometheus.NewRegistry()), quiet(), 3, time.Hour)
	bc.Grace = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := bc.Run(ctx); err != nil {
		t.Fatalf("Run = %v, want a clean stop", err)
	}
	if got := src.offsets(); len(got) != 0 {
		t.Fatalf("committed %v although the batch never landed", got)
	}
}

func TestConsumer_BatchPublishesAndCommitsOnce(t *testing.T) {
	src := &fakeSource{msgs: []kafka.Message{msg(t, 0, schemas.TypeCandidateHired), msg(t, 1, schemas.TypeStageChanged), msg(t, 2, schemas.TypeCandidateHired)}}
	pub := &fakePublisher{}
	h := &fakeHandler{fn: func(n int, ev schemas.Event) ([]schemas.Event, error) {
		ev.ID = fmt.Sprint(n) // distinct outcome ids per call
		return []schemas.Event{schemas.Outcome("p", ev, schemas.TypeAlertRaised, ev.OccurredAt, &schemas.Alert{Automation: "p", Summary: "s"})}, nil
	}}
	c := NewConsumer(h, src, pub, codec, fastRetry(), NewMetrics(prometheus.NewRegistry()), quiet())
	c.BatchWindow = time.Second // all three are already fetched: they form one batch
	if err := runUntil(t, c.Run, src, 3); err != nil {
		t.Fatal(err)
	}
	if h.calls != 2 || len(pub.events) != 2 || pub.calls != 1 || src.commits != 1 {
		t.Fatalf("handler calls=%d events=%d publish calls=%d commits=%d; want 2, 2, 1, 1", h.calls, len(pub.events), pub.calls, src.commits)
	}
}
