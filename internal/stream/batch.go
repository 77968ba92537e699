package stream

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/schemas"
	"github.com/segmentio/kafka-go"
)

// Record is one decoded message of a batch.
type Record struct {
	Msg   kafka.Message
	Event schemas.Event
}

// BatchWriter lands a batch somewhere (ClickHouse). It is the sink's side of the runtime, like
// Benthos's BatchOutput.
type BatchWriter interface {
	// Name is the consumer group suffix and the metric label.
	Name() string
	// WriteBatch writes recs. rejected holds the indexes of rows the destination refused for good
	// (sent to the DLQ individually); err fails the whole batch, which is retried. Writing the
	// same batch twice must be harmless (ReplacingMergeTree on event_id).
	WriteBatch(ctx context.Context, recs []Record) (rejected map[int]error, err error)
}

// BatchConsumer reads from a Source, groups messages by size and time, writes them through a
// BatchWriter and commits only after the write succeeded.
type BatchConsumer struct {
	w       BatchWriter
	src     Source
	pub     Publisher
	codec   *schemas.Codec
	retry   config.Retry
	metrics *Metrics
	log     *slog.Logger
	// MaxSize flushes a batch once it holds this many messages.
	MaxSize int
	// MaxWait flushes a non-empty batch this long after its first message arrived.
	MaxWait time.Duration
	// Grace lets an in-flight flush finish after shutdown starts.
	Grace time.Duration
}

// NewBatchConsumer builds a batch consumer with the given size and time bounds.
func NewBatchConsumer(w BatchWriter, src Source, pub Publisher, codec *schemas.Codec, r config.Retry, m *Metrics,
	log *slog.Logger, maxSize int, maxWait time.Duration) *BatchConsumer {
	return &BatchConsumer{w: w, src: src, pub: pub, codec: codec, retry: r, metrics: m,
		log: log.With("sink", w.Name()), MaxSize: maxSize, MaxWait: maxWait, Grace: 30 * time.Second}
}

// Run consumes until ctx is cancelled. A batch being written when shutdown starts gets Grace to
// finish; otherwise it stays uncommitted and is read again on restart.
func (b *BatchConsumer) Run(ctx context.Context) error {
	b.log.InfoContext(ctx, "sink started", "max_size", b.MaxSize, "max_wait", b.MaxWait)
	defer b.log.Info("sink stopped")
	for {
		msgs, err := b.collect(ctx)
		if len(msgs) == 0 {
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		// A fetch error after some messages still flushes what we have.
		hctx, cancel := graceContext(ctx, b.Grace)
		ferr := b.flush(hctx, msgs)
		cancel()
		if ferr != nil {
			if ctx.Err() != nil {
				return nil
			}
			return ferr
		}
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
}

// collect fetches until MaxSize messages or MaxWait after the first one.
func (b *BatchConsumer) collect(ctx context.Context) ([]kafka.Message, error) {
	var msgs []kafka.Message
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for len(msgs) < b.MaxSize {
		m, err := b.src.FetchMessage(fctx)
		if err != nil {
			if ctx.Err() != nil || (fctx.Err() != nil && len(msgs) > 0) {
				return msgs, nil // shutting down, or the batch's time is up
			}
			return msgs, fmt.Errorf("fetch: %w", err)
		}
		if len(msgs) == 0 {
			time.AfterFunc(b.MaxWait, cancel)
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func (b *BatchConsumer) flush(ctx context.Context, msgs []kafka.Message) error {
	name := b.w.Name()
	recs := make([]Record, 0, len(msgs))
	for _, m := range msgs {
		if m.HighWaterMark > 0 {
			b.metrics.Lag.WithLabelValues(name, strconv.Itoa(m.Partition)).Set(float64(m.HighWaterMark - m.Offset - 1))
		}
		ev, err := b.codec.Decode(m.Value)
		if err != nil {
			b.metrics.Handled.WithLabelValues(name, "undecodable", "dlq").Inc()
			if err := DeadLetter(ctx, b.pub, b.log, m, name, fmt.Errorf("decode: %w", err), 0); err != nil {
				return err
			}
			continue
		}
		recs = append(recs, Record{Msg: m, Event: ev})
	}
	if len(recs) > 0 {
		start := time.Now()
		var rejected map[int]error
		// The destination being down is not the data's fault: keep retrying the whole batch (the
		// budget's attempt count is not applied) until it works or shutdown; nothing is committed
		// meanwhile, so nothing is lost.
		r := b.retry
		r.MaxAttempts = int(^uint(0) >> 1)
		r.MaxElapsed = 100 * 365 * 24 * time.Hour
		attempts, err := retry(ctx, r, func(attempt int, err error) {
			b.log.WarnContext(ctx, "batch write failed, retrying", "attempt", attempt, "rows", len(recs), "error", err)
		}, func(ctx context.Context) error {
			var err error
			rejected, err = b.w.WriteBatch(ctx, recs)
			return err
		})
		b.metrics.SinkBatch.WithLabelValues(name).Observe(time.Since(start).Seconds())
		if err != nil {
			if schemas.IsPermanent(err) {
				// The batch as a whole can never be written (e.g. a schema mismatch): park
				// every row with the reason rather than loop forever.
				rejected = map[int]error{}
				for i := range recs {
					rejected[i] = err
				}
			} else {
				return fmt.Errorf("write batch of %d: %w", len(recs), err)
			}
		}
		for i, rerr := range rejected {
			if err := DeadLetter(ctx, b.pub, b.log, recs[i].Msg, name, schemas.Permanent(rerr), attempts); err != nil {
				return err
			}
			b.metrics.Handled.WithLabelValues(name, string(recs[i].Event.Type), "dlq").Inc()
		}
		for i, rec := range recs {
			if _, bad := rejected[i]; !bad {
				b.metrics.Handled.WithLabelValues(name, string(rec.Event.Type), "ok").Inc()
			}
		}
	}
	if err := b.src.CommitMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("commit batch of %d: %w", len(msgs), err)
	}
	b.log.DebugContext(ctx, "batch committed", "rows", len(recs), "messages", len(msgs))
	return nil
}
