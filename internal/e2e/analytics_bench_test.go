package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/dashboards"
	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/dashboard"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/internal/testkit"
	"github.com/hirestream/hirestream/producers/simulate"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// BenchmarkAnalytics is the analytics benchmark (make bench-analytics): it writes
// HIRESTREAM_BENCH_EVENTS (default 10,000,000) events of `simulate --history` to Kafka, lets the
// production sink (pipeline.RunSink: candidate_events + the analytics model) land them in
// ClickHouse, and then asks the dashboard server for every metric through GET
// /api/metrics/{name}, HIRESTREAM_BENCH_QUERIES times each (default 20), unfiltered and with a
// filter, printing load time and p50/p95 latencies. It measures; it asserts nothing about time.
func BenchmarkAnalytics(b *testing.B) {
	events := 10_000_000
	if v := os.Getenv("HIRESTREAM_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("HIRESTREAM_BENCH_EVENTS=%q is not a positive number", v)
		}
		events = n
	}
	queries := 20
	if v := os.Getenv("HIRESTREAM_BENCH_QUERIES"); v != "" {
		queries, _ = strconv.Atoi(v)
	}
	batch := 20000
	if v := os.Getenv("HIRESTREAM_BENCH_SINK_BATCH"); v != "" {
		batch, _ = strconv.Atoi(v)
	}
	if db := os.Getenv("HIRESTREAM_BENCH_DB"); db != "" {
		// Query-only: a database an earlier run loaded and kept (HIRESTREAM_KEEP_DB=1).
		conn, err := chsink.Open(context.Background(), chsink.Options{Addr: testkit.ClickHouseAddr(b), User: "default"})
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		if _, err := chsink.Migrate(context.Background(), conn, db); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			measureMetrics(b, conn, db, queries, slog.New(slog.NewJSONHandler(io.Discard, nil)), "kept-db")
		}
		return
	}
	brokers := testkit.Brokers(b)
	conn, db := testkit.Database(b, testkit.ClickHouseAddr(b))
	prefix := testkit.Topics(b, brokers)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	pe := pipeline.Env{Brokers: brokers, Prefix: prefix, Codec: schemas.MustCodec(), Metrics: stream.NewMetrics(prometheus.NewRegistry()),
		Log: log, Retry: config.Retry{MaxAttempts: 5, Initial: 50 * time.Millisecond, Max: time.Second, MaxElapsed: time.Minute}}
	ctx := context.Background()
	out := os.Stdout

	for i := 0; i < b.N; i++ {
		// 1. The history, straight to Kafka.
		start := time.Now()
		pub := pe.Producer()
		st, err := simulate.NewHistory(simulate.HistoryConfig{Events: events, Seed: 11}).Run(ctx, pub, 4, progressEvery(out, 10*time.Second))
		pub.Close()
		if err != nil {
			b.Fatal(err)
		}
		produced := time.Since(start)
		fmt.Fprintf(out, "bench: wrote %d events (%d applications) to Kafka in %s (%.0f events/s)\n",
			st.Events, st.Applications, produced.Round(time.Millisecond), float64(st.Events)/produced.Seconds())

		// 2. The production sink lands them: candidate_events and the analytics model.
		start = time.Now()
		sctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- pipeline.RunSink(sctx, pe, chsink.NewWriter(conn, db), batch, time.Second) }()
		last := time.Now()
		for {
			lag, err := sinkLag(pe)
			if err == nil && lag == 0 {
				break
			}
			if time.Since(last) >= 10*time.Second {
				last = time.Now()
				fmt.Fprintf(out, "bench: sink lag %d after %s\n", lag, time.Since(start).Round(time.Second))
			}
			time.Sleep(200 * time.Millisecond)
		}
		loaded := time.Since(start)
		stop()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		var rows, apps, stints uint64
		_ = conn.QueryRow(ctx, "SELECT count() FROM "+db+".candidate_events").Scan(&rows)
		_ = conn.QueryRow(ctx, "SELECT count() FROM "+db+".applications").Scan(&apps)
		_ = conn.QueryRow(ctx, "SELECT count() FROM "+db+".stage_intervals").Scan(&stints)
		fmt.Fprintf(out, "bench: sink loaded %d events in %s (%.0f events/s): %d candidate_events rows, %d applications, %d stints (batch %d)\n",
			st.Events, loaded.Round(time.Millisecond), float64(st.Events)/loaded.Seconds(), rows, apps, stints, batch)
		benchHRIS(b, conn, db)

		// 3. Every metric through the dashboard server's API, as loaded and once merged.
		measureMetrics(b, conn, db, queries, log, "as-load")
		start = time.Now()
		for _, table := range []string{"application_state", "candidate_events"} {
			if err := conn.Exec(ctx, "OPTIMIZE TABLE "+db+"."+table+" FINAL"); err != nil {
				b.Fatal(err)
			}
		}
		fmt.Fprintf(out, "bench: OPTIMIZE ... FINAL (what background merges reach) took %s\n", time.Since(start).Round(time.Millisecond))
		measureMetrics(b, conn, db, queries, log, "merged")
	}
}

// measureMetrics asks the dashboard server for every metric, unfiltered and filtered, queries
// times each, and prints p50/p95.
func measureMetrics(b *testing.B, conn driver.Conn, db string, queries int, log *slog.Logger, label string) {
	srv, err := dashboard.New(conn, dashboard.Config{Database: db, Metrics: dashboards.Metrics()}, nil, log)
	if err != nil {
		b.Fatal(err)
	}
	api := httptest.NewServer(srv.Handler())
	defer api.Close()
	for _, m := range dashboards.Metrics() {
		for _, q := range []string{"", "?department=Sales&from=2026-01-01"} {
			var took []time.Duration
			for range queries {
				t0 := time.Now()
				resp, err := http.Get(api.URL + "/api/metrics/" + m.Name + q)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s%s answered %d %s", m.Name, q, resp.StatusCode, body)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			fmt.Printf("bench: %-8s GET /api/metrics/%-22s %-36s p50 %7.1f ms  p95 %7.1f ms  (n=%d)\n", label, m.Name, q,
				ms(took[len(took)/2]), ms(took[min(len(took)-1, len(took)*95/100)]), len(took))
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// progressEvery passes on at most one progress line per interval.
func progressEvery(w io.Writer, every time.Duration) io.Writer {
	return &throttled{w: w, every: every}
}

type throttled struct {
	w     io.Writer
	every time.Duration
	last  time.Time
}

func (t *throttled) Write(p []byte) (int, error) {
	if time.Since(t.last) < t.every {
		return len(p), nil
	}
	t.last = time.Now()
	return t.w.Write(p)
}

// sinkLag is how many canonical events the sink's consumer group has not committed yet.
func sinkLag(pe pipeline.Env) (int64, error) {
	topic := pe.Topic(schemas.TopicCandidateEvents)
	ranges, err := stream.Ranges(context.Background(), pe.Brokers, topic, time.Time{})
	if err != nil {
		return -1, err
	}
	parts := make([]int, len(ranges))
	for i, r := range ranges {
		parts[i] = r.Partition
	}
	client := &kafka.Client{Addr: kafka.TCP(pe.Brokers...)}
	resp, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: pe.Group("clickhouse-sink"),
		Topics: map[string][]int{topic: parts}})
	if err != nil {
		return -1, err
	}
	var lag int64
	for _, r := range ranges {
		committed := int64(0)
		for _, p := range resp.Topics[topic] {
			if p.Partition == r.Partition && p.CommittedOffset > 0 {
				committed = p.CommittedOffset
			}
		}
		lag += r.End - committed
	}
	return lag, nil
}

// benchHRIS gives the HRIS panel data: one sync outcome per hired candidate, 0.7% failed.
func benchHRIS(b *testing.B, conn driver.Conn, db string) {
	ensureHRIS(b, conn, db)
	err := conn.Exec(context.Background(), "INSERT INTO "+db+".hris_syncs (event_id, event_type, occurred_at, candidate_id, application_id, target) "+
		"SELECT concat('h-', application_id), if(cityHash64(application_id) % 1000 < 7, 'hris.sync_failed', 'hris.sync_succeeded'), "+
		"assumeNotNull(hired_at), candidate_id, application_id, 'bamboohr' FROM "+db+".applications WHERE status = 'hired'")
	if err != nil {
		b.Fatal(err)
	}
}
