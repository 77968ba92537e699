package pipeline

import (
	"context"
	"io"
	"time"

	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/processors/alert"
	"github.com/hirestream/hirestream/processors/hrissync"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

// RunHRISSync runs the HRIS sync processor: its candidate projection is rebuilt from the
// canonical topic, then it consumes the same topic (triggers: offer accepted, candidate hired,
// changes to the accepted offer) and publishes hris.sync_* outcomes, alerts and reviews.
func RunHRISSync(ctx context.Context, env Env, p *hrissync.Processor) error {
	return RunProcessor(ctx, env, p, schemas.TopicCandidateEvents, schemas.TopicCandidateEvents)
}

// RunAlerts delivers alert.raised events from the alerts topic to their owners.
func RunAlerts(ctx context.Context, env Env, p *alert.Processor) error {
	return RunProcessor(ctx, env, p, schemas.TopicAlerts, "")
}

// HRISSyncSink adapts the hris_syncs writer to the runtime's BatchWriter.
type HRISSyncSink struct{ W *chsink.HRISSyncWriter }

// Name is the consumer group suffix and metric label.
func (HRISSyncSink) Name() string { return "clickhouse-hris-sink" }

// WriteBatch lands the batch's sync outcomes; other event types on the topic are skipped.
func (s HRISSyncSink) WriteBatch(ctx context.Context, recs []stream.Record) (map[int]error, error) {
	rows := make([]chsink.HRISSyncRow, 0, len(recs))
	idx := make([]int, 0, len(recs))
	for i, r := range recs {
		if row, ok := chsink.RowFromHRISSync(r.Event, r.Msg.Partition, r.Msg.Offset); ok {
			rows = append(rows, row)
			idx = append(idx, i)
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	rej, err := s.W.Write(ctx, rows)
	out := make(map[int]error, len(rej))
	for i, e := range rej {
		out[idx[i]] = e
	}
	return out, err
}

// RunHRISSyncSink lands hris.sync_* outcomes (TopicHRISSync) in hris_syncs until ctx ends: the
// sink's second consumer, in its own group.
func RunHRISSyncSink(ctx context.Context, env Env, w *chsink.HRISSyncWriter, batchSize int, batchWait time.Duration) error {
	sink := HRISSyncSink{W: w}
	pub := env.Producer()
	defer pub.Close()
	reader := stream.NewGroupReader(env.Brokers, env.Topic(schemas.TopicHRISSync), env.Group(sink.Name()), env.Log)
	defer reader.Close()
	return stream.NewBatchConsumer(sink, reader, pub, env.Codec, env.Retry, env.Metrics, env.Log, batchSize, batchWait).Run(ctx)
}

// ReplayHRISSyncs re-reads the HRIS sync topic from from (zero: earliest) to its current end
// into hris_syncs. Rows keep their event ids, so a replay never double counts.
func ReplayHRISSyncs(ctx context.Context, env Env, w *chsink.HRISSyncWriter, from time.Time, batch int, out io.Writer) (ReplayStats, error) {
	return replayInto(ctx, env, schemas.TopicHRISSync, HRISSyncSink{W: w}, from, batch, out)
}
