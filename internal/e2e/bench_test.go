package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/producers/greenhouse"
	"github.com/hirestream/hirestream/producers/simulate"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/segmentio/kafka-go"
)

// benchConcurrency is how many requests are in flight at once, in both arms of a comparison.
const benchConcurrency = 16

// measure runs n calls of fn over benchConcurrency workers and returns throughput and latencies.
func measure(n int, fn func(i int) error) (perSec float64, p50, p99 time.Duration, err error) {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < benchConcurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if e, ok := firstErr.Load().(error); ok {
		return 0, 0, 0, e
	}
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	return float64(n) / took.Seconds(), lat[n/2], lat[(n*99)/100], nil
}

// BenchmarkIngest compares the webhook path (HTTP + signature check + Avro + acks=all produce)
// with a raw kafka-go produce of the same bytes with the same writer settings, in one run.
//
//	go test ./internal/e2e -run '^$' -bench Ingest -benchtime 3000x
func BenchmarkIngest(b *testing.B) {
	brokers := testkit.Brokers(b)
	prefix := testkit.Topics(b, brokers)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	pe := testPipelineEnv(brokers, prefix, log)
	pub := pe.Producer()
	defer pub.Close()
	srv := httptest.NewServer(greenhouse.NewHandler(greenhouse.HandlerConfig{Secret: []byte(secret), MaxBodyBytes: 1 << 20, Now: time.Now}, pub, log))
	defer srv.Close()

	gen := simulate.New(simulate.Config{Seed: 3, Candidates: 200, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)})
	var deliveries []simulate.Delivery
	for d, ok := gen.Next(); ok; d, ok = gen.Next() {
		deliveries = append(deliveries, d)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchConcurrency}}
	raw := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: prefix + schemas.TopicRawDeliveries, Balancer: &kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: 2 * time.Millisecond, BatchSize: 1000}
	defer raw.Close()

	post := func(i int) error {
		d := deliveries[i%len(deliveries)]
		d.EventID = fmt.Sprintf("bench-%d", i)
		req, err := simulate.NewRequest(context.Background(), srv.URL, []byte(secret), d)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("webhook answered %d", resp.StatusCode)
		}
		return nil
	}
	produce := func(i int) error {
		d := deliveries[i%len(deliveries)]
		return raw.WriteMessages(context.Background(), kafka.Message{Key: []byte(d.EventID), Value: d.Body})
	}
	// Warm both arms up (connections, topic metadata) so neither pays start-up in its figures.
	if _, _, _, err := measure(2*benchConcurrency, func(i int) error { return post(b.N + i) }); err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := measure(2*benchConcurrency, produce); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	hookRate, hookP50, hookP99, err := measure(b.N, post)
	if err != nil {
		b.Fatal(err)
	}
	rawRate, rawP50, rawP99, err := measure(b.N, produce)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(hookRate, "webhook_req/s")
	b.ReportMetric(float64(hookP50.Microseconds())/1000, "webhook_p50_ms")
	b.ReportMetric(float64(hookP99.Microseconds())/1000, "webhook_p99_ms")
	b.ReportMetric(rawRate, "rawproduce_msg/s")
	b.ReportMetric(float64(rawP50.Microseconds())/1000, "rawproduce_p50_ms")
	b.ReportMetric(float64(rawP99.Microseconds())/1000, "rawproduce_p99_ms")
	b.ReportMetric(hookRate/rawRate, "throughput_ratio")
	b.ReportMetric(float64(hookP99)/float64(rawP99), "p99_ratio")
}

// BenchmarkSink compares the sink (Kafka fetch + Avro decode + batch insert + commit) with a raw
// clickhouse-go batch insert of the same rows, in one run.
//
//	go test ./internal/e2e -run '^$' -bench Sink -benchtime 200000x
func BenchmarkSink(b *testing.B) {
	brokers := testkit.Brokers(b)
	addr := testkit.ClickHouseAddr(b)
	prefix := testkit.Topics(b, brokers)
	conn, db := testkit.Database(b, addr)
	_, rawDB := testkit.Database(b, addr)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	pe := testPipelineEnv(brokers, prefix, log)

	// Realistic canonical events: a synthetic funnel, normalized, repeated with fresh ids.
	norm := greenhouse.NewNormalizer(greenhouse.Options{})
	gen := simulate.New(simulate.Config{Seed: 5, Candidates: 300, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)})
	var base []schemas.Event
	for d, ok := gen.Next(); ok; d, ok = gen.Next() {
		raw := schemas.Event{ID: d.EventID, Type: schemas.TypeDeliveryReceived, OccurredAt: d.OccurredAt, RecordedAt: d.OccurredAt,
			SourceSystem: "greenhouse", SourceEventID: d.EventID, Payload: &schemas.RawDelivery{Action: d.Action, Body: d.Body}}
		evs, err := norm.Handle(context.Background(), raw)
		if err != nil {
			b.Fatal(err)
		}
		base = append(base, evs...)
	}
	events := make([]schemas.Event, b.N)
	rows := make([]chsink.EventRow, b.N)
	for i := range events {
		ev := base[i%len(base)]
		ev.ID = fmt.Sprintf("%s-%d", ev.ID, i)
		events[i] = ev
		rows[i] = chsink.RowFromEvent(ev, 0, int64(i))
	}
	pub := pe.Producer()
	for i := 0; i < len(events); i += 5000 {
		if err := pub.Publish(context.Background(), events[i:min(i+5000, len(events))]...); err != nil {
			b.Fatal(err)
		}
	}
	pub.Close()

	b.ResetTimer()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pipeline.RunSink(ctx, pe, chsink.NewWriter(conn, db), 10000, 500*time.Millisecond) }()
	for {
		var n uint64
		if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+db+".candidate_events").Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n >= uint64(b.N) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	sinkTook := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}

	w := chsink.NewWriter(conn, rawDB)
	start = time.Now()
	for i := 0; i < len(rows); i += 10000 {
		if _, err := w.Write(context.Background(), rows[i:min(i+10000, len(rows))]); err != nil {
			b.Fatal(err)
		}
	}
	rawTook := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/sinkTook.Seconds(), "sink_rows/s")
	b.ReportMetric(float64(b.N)/rawTook.Seconds(), "rawinsert_rows/s")
	b.ReportMetric(rawTook.Seconds()/sinkTook.Seconds(), "throughput_ratio")
}

// BenchmarkNormalizer measures the normalize service end to end (group fetch → decode → normalize
// → publish with acks=all → commit) against reading the same raw topic without a group, in one
// run. It shows what the per-message publish and commit cost.
//
//	go test ./internal/e2e -run '^$' -bench Normalizer -benchtime 5000x
func BenchmarkNormalizer(b *testing.B) {
	brokers := testkit.Brokers(b)
	prefix := testkit.Topics(b, brokers)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	pe := testPipelineEnv(brokers, prefix, log)
	gen := simulate.New(simulate.Config{Seed: 9, Candidates: 400, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)})
	var raws []schemas.Event
	for d, ok := gen.Next(); ok; d, ok = gen.Next() {
		raws = append(raws, schemas.Event{ID: d.EventID, Type: schemas.TypeDeliveryReceived, OccurredAt: d.OccurredAt.Truncate(time.Millisecond),
			RecordedAt: d.OccurredAt.Truncate(time.Millisecond), SourceSystem: "greenhouse", SourceEventID: d.EventID,
			Payload: &schemas.RawDelivery{Action: d.Action, Path: "/webhooks/greenhouse", Headers: map[string]string{}, Body: d.Body}})
	}
	pub := pe.Producer()
	batch := make([]schemas.Event, 0, 1000)
	for i := 0; i < b.N; i++ {
		ev := raws[i%len(raws)]
		if i >= len(raws) { // later rounds are new deliveries of the same funnel shape
			ev.ID = fmt.Sprintf("%s-%d", ev.ID, i)
			ev.SourceEventID = ev.ID
		}
		batch = append(batch, ev)
		if len(batch) == cap(batch) || i == b.N-1 {
			if err := pub.Publish(context.Background(), batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	pub.Close()
	e := &env{pe: pe}
	b.ResetTimer()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pipeline.RunNormalizer(ctx, pe, greenhouse.NewNormalizer(greenhouse.Options{})) }()
	for {
		lag, err := groupLag(e, schemas.TopicRawDeliveries, "greenhouse-normalizer")
		if err == nil && lag == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	normTook := time.Since(start)
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	n, err := pipeline.ReadTopic(context.Background(), brokers, pe.Topic(schemas.TopicRawDeliveries), time.Time{}, nil, func(kafka.Message) error { return nil })
	if err != nil || n != int64(b.N) {
		b.Fatalf("raw read %d of %d: %v", n, b.N, err)
	}
	readTook := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/normTook.Seconds(), "normalize_msg/s")
	b.ReportMetric(float64(b.N)/readTook.Seconds(), "rawread_msg/s")
	b.ReportMetric(readTook.Seconds()/normTook.Seconds(), "throughput_ratio")
}
