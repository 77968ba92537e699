package pipeline

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/producers/greenhouse"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/segmentio/kafka-go"
)

// ReplayStats sums up one replay.
type ReplayStats struct {
	Read, Written, Rejected, Undecodable int64
	Took                                 time.Duration
}

// Replay re-reads the canonical topic from from (zero: earliest) to its current end and writes
// every event into ClickHouse again. Rows keep their event_id, so ReplacingMergeTree collapses
// them with what is there: a replay never double counts. Rows the server refuses and
// undecodable messages are parked on the DLQ, as the sink does. The analytics model is
// recomputed from the replayed events too, so it comes out exactly as the sink made it.
func Replay(ctx context.Context, env Env, w *chsink.Writer, from time.Time, batch int, out io.Writer) (ReplayStats, error) {
	return replayInto(ctx, env, schemas.TopicCandidateEvents, EventSink{W: w, A: w.Analytics()}, from, batch, out)
}

// replayInto re-reads topic from from (zero: earliest) to its current end through sink's
// WriteBatch — the very code the live sink runs — in batches of batch messages. Rejected rows
// and undecodable messages are parked on the DLQ, as the sink does.
func replayInto(ctx context.Context, env Env, topic string, sink stream.BatchWriter, from time.Time, batch int, out io.Writer) (ReplayStats, error) {
	pub := env.Producer()
	defer pub.Close()
	var st ReplayStats
	var recs []stream.Record
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		rejected, err := sink.WriteBatch(ctx, recs)
		if err != nil {
			return fmt.Errorf("insert batch: %w (nothing is lost: run replay again)", err)
		}
		for i, rerr := range rejected {
			if err := stream.DeadLetter(ctx, pub, env.Log, recs[i].Msg, "replay", rerr, 1); err != nil {
				return err
			}
		}
		st.Written += int64(len(recs) - len(rejected))
		st.Rejected += int64(len(rejected))
		recs = recs[:0]
		return nil
	}
	start := time.Now()
	topic = env.Topic(topic)
	n, err := ReadTopic(ctx, env.Brokers, topic, from, Progress(out, "replay "+topic), func(m kafka.Message) error {
		ev, err := env.Codec.Decode(m.Value)
		if err != nil {
			st.Undecodable++
			return stream.DeadLetter(ctx, pub, env.Log, m, "replay", fmt.Errorf("decode: %w", err), 0)
		}
		recs = append(recs, stream.Record{Msg: m, Event: ev})
		if len(recs) >= batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	st.Read, st.Took = n, time.Since(start)
	fmt.Fprintf(out, "replay %s: read %d messages in %s: %d rows written, %d rejected (DLQ), %d undecodable (DLQ)\n",
		topic, st.Read, st.Took.Round(time.Millisecond), st.Written, st.Rejected, st.Undecodable)
	return st, err
}

// Renormalize re-runs norm (fresh state) over the raw deliveries from from and publishes the
// canonical events again. Use it after fixing a normalizer bug: unchanged events keep their
// ids and collapse downstream; corrected ones replace theirs.
func Renormalize(ctx context.Context, env Env, norm *greenhouse.Normalizer, from time.Time, out io.Writer) (published, failed int64, err error) {
	pub := env.Producer()
	defer pub.Close()
	var pending []schemas.Event
	flush := func() error {
		if err := pub.Publish(ctx, pending...); err != nil {
			return err
		}
		published += int64(len(pending))
		pending = pending[:0]
		return nil
	}
	start := time.Now()
	n, err := ReadTopic(ctx, env.Brokers, env.Topic(schemas.TopicRawDeliveries), from, Progress(out, "renormalize"), func(m kafka.Message) error {
		raw, err := env.Codec.Decode(m.Value)
		if err != nil {
			failed++
			return nil
		}
		evs, err := norm.Handle(ctx, raw)
		if err != nil {
			failed++
			env.Log.WarnContext(ctx, "delivery does not normalize", "event_id", raw.ID, "error", err)
			return nil
		}
		pending = append(pending, evs...)
		if len(pending) >= 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	fmt.Fprintf(out, "renormalize: read %d raw deliveries in %s: %d canonical events published, %d deliveries failed to normalize\n",
		n, time.Since(start).Round(time.Millisecond), published, failed)
	return published, failed, err
}
