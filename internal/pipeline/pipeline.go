// Package pipeline assembles hirestream's services from their parts (runtime, normalizer,
// ClickHouse writer). cmd/hirestream reads configuration and calls these; the end-to-end tests
// call the very same functions against the real broker and server, with a topic prefix.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/producers/greenhouse"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/segmentio/kafka-go"
)

// Env is what every service shares.
type Env struct {
	Brokers []string
	// Prefix goes in front of every topic and consumer group: empty in production, unique
	// per test.
	Prefix  string
	Codec   *schemas.Codec
	Metrics *stream.Metrics
	Log     *slog.Logger
	Retry   config.Retry
}

// Topic is the full name of one of the schemas.Topic* names.
func (e Env) Topic(name string) string { return e.Prefix + name }

// Group is the consumer group of a handler or sink: hirestream.<name>.
func (e Env) Group(name string) string { return e.Prefix + "hirestream." + name }

// Producer is a synchronous acks=all producer writing under Prefix.
func (e Env) Producer() *stream.Producer {
	p := stream.NewProducer(e.Brokers, e.Codec, e.Metrics, e.Log)
	p.Prefix = e.Prefix
	return p
}

// RunNormalizer rebuilds norm's state from the canonical topic, then turns raw deliveries into
// canonical events until ctx ends.
func RunNormalizer(ctx context.Context, env Env, norm *greenhouse.Normalizer) error {
	return RunProcessor(ctx, env, norm, schemas.TopicRawDeliveries, schemas.TopicCandidateEvents)
}

// RunProcessor runs handler h over topic in its consumer group until ctx ends. When h keeps a
// projection (stream.Observer), every event of stateTopic up to its current end is observed
// first, so the projection is rebuilt from the log before the first trigger is handled.
func RunProcessor(ctx context.Context, env Env, h stream.Handler, topic, stateTopic string) error {
	if o, ok := h.(stream.Observer); ok && stateTopic != "" {
		if err := Rebuild(ctx, env, stateTopic, o); err != nil {
			return fmt.Errorf("rebuild %s state: %w", h.Name(), err)
		}
	}
	pub := env.Producer()
	defer pub.Close()
	reader := stream.NewGroupReader(env.Brokers, env.Topic(topic), env.Group(h.Name()), env.Log)
	defer reader.Close()
	return stream.NewConsumer(h, reader, pub, env.Codec, env.Retry, env.Metrics, env.Log).Run(ctx)
}

// Rebuild observes every decodable event of topic, from the earliest offset to the current end.
func Rebuild(ctx context.Context, env Env, topic string, o stream.Observer) error {
	n, err := ReadTopic(ctx, env.Brokers, env.Topic(topic), time.Time{}, func(done, total int64, rate float64) {
		env.Log.InfoContext(ctx, "rebuilding state", "topic", topic, "done", done, "total", total, "per_second", int(rate))
	}, func(m kafka.Message) error {
		if ev, err := env.Codec.Decode(m.Value); err == nil {
			o.Observe(ev) // undecodable messages are the sink's to park; state skips them
		}
		return nil
	})
	if err != nil {
		return err
	}
	env.Log.InfoContext(ctx, "state rebuilt", "topic", topic, "events", n)
	return nil
}

// EventSink adapts the ClickHouse writer to the runtime's BatchWriter. With A set, every
// batch that landed is also folded into the analytics model (applications, stage_intervals).
type EventSink struct {
	W *chsink.Writer
	A *chsink.Analytics
}

// Name is the sink's consumer group suffix and metric label.
func (EventSink) Name() string { return "clickhouse-sink" }

// WriteBatch flattens the events and inserts them as one batch.
func (s EventSink) WriteBatch(ctx context.Context, recs []stream.Record) (map[int]error, error) {
	rows := make([]chsink.EventRow, len(recs))
	for i, r := range recs {
		rows[i] = chsink.RowFromEvent(r.Event, r.Msg.Partition, r.Msg.Offset)
	}
	rejected, err := s.W.Write(ctx, rows)
	if err != nil || s.A == nil {
		return rejected, err
	}
	evs := make([]schemas.Event, 0, len(recs))
	for i, r := range recs {
		if rejected[i] == nil {
			evs = append(evs, r.Event)
		}
	}
	// A failure here fails the batch: it is retried whole, and both writes are idempotent.
	return rejected, s.A.Apply(ctx, evs)
}

// RunSink lands canonical events in ClickHouse until ctx ends.
func RunSink(ctx context.Context, env Env, w *chsink.Writer, batchSize int, batchWait time.Duration) error {
	sink := EventSink{W: w, A: w.Analytics()}
	pub := env.Producer()
	defer pub.Close()
	reader := stream.NewGroupReader(env.Brokers, env.Topic(schemas.TopicCandidateEvents), env.Group(sink.Name()), env.Log)
	defer reader.Close()
	return stream.NewBatchConsumer(sink, reader, pub, env.Codec, env.Retry, env.Metrics, env.Log, batchSize, batchWait).Run(ctx)
}

// ReadTopic reads every partition of topic from from (zero: earliest) up to its end as of the
// call, calling progress about once a second and once at the end.
func ReadTopic(ctx context.Context, brokers []string, topic string, from time.Time,
	progress func(done, total int64, rate float64), fn func(kafka.Message) error) (int64, error) {
	ranges, err := stream.Ranges(ctx, brokers, topic, from)
	if err != nil {
		return 0, err
	}
	var total, done int64
	for _, r := range ranges {
		total += r.End - r.Start
	}
	start, last := time.Now(), time.Now()
	for _, r := range ranges {
		err := stream.ReadRange(ctx, brokers, topic, r, func(m kafka.Message) error {
			done++
			if progress != nil && time.Since(last) >= time.Second {
				last = time.Now()
				progress(done, total, float64(done)/time.Since(start).Seconds())
			}
			return fn(m)
		})
		if err != nil {
			return done, err
		}
	}
	if progress != nil {
		progress(done, total, float64(done)/max(time.Since(start).Seconds(), 1e-9))
	}
	return done, nil
}

// Progress prints "label: done/total (pct) rate msg/s, eta" lines to out.
func Progress(out io.Writer, label string) func(done, total int64, rate float64) {
	return func(done, total int64, rate float64) {
		pct, eta := 100.0, time.Duration(0)
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		if rate > 0 {
			eta = time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		}
		fmt.Fprintf(out, "%s: %d/%d (%.1f%%) %.0f msg/s, eta %s\n", label, done, total, pct, rate, eta)
	}
}
