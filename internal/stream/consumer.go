package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/schemas"
	"github.com/segmentio/kafka-go"
)

// Handler is one processor: one trigger, one outcome. The runtime may call Handle more than
// once for the same event (at-least-once), so Handle must be idempotent; outcome ids derived
// with schemas.Outcome make its results collapse downstream.
type Handler interface {
	// Name is stable kebab-case: the consumer group, the idempotency prefix and the metric label.
	Name() string
	// Triggers lists the event types Handle reacts to; others are committed and skipped.
	Triggers() []schemas.EventType
	// Handle returns the outcome events to publish. Errors are retried unless marked with
	// schemas.Permanent.
	Handle(ctx context.Context, ev schemas.Event) ([]schemas.Event, error)
}

// Observer is implemented by handlers that keep a projection of the log (a candidate's current
// offer, an application's stage): the runtime calls Observe for every decoded event, trigger or
// not, before Handle. Observe must be idempotent: on restart events are observed again.
type Observer interface {
	Observe(ev schemas.Event)
}

// Source is the part of *kafka.Reader the runtime uses (a consumer-group reader).
type Source interface {
	FetchMessage(ctx context.Context) (kafka.Message, error)
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Publisher writes events (encoded, routed by type) and raw messages (DLQ), waiting for acks.
type Publisher interface {
	Publish(ctx context.Context, evs ...schemas.Event) error
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Consumer runs a Handler over a Source.
type Consumer struct {
	h        Handler
	src      Source
	pub      Publisher
	codec    *schemas.Codec
	retry    config.Retry
	metrics  *Metrics
	log      *slog.Logger
	triggers map[schemas.EventType]bool
	// Grace is how long an in-flight batch may keep running after shutdown starts. Default: 10s.
	Grace time.Duration
	// MaxBatch caps how many fetched messages are handled before one publish and commit.
	// Default: 500.
	MaxBatch int
	// BatchWindow is how long to wait for more messages after the first. Default: 5ms.
	BatchWindow time.Duration
}

// NewConsumer wires a handler to its source and publisher.
func NewConsumer(h Handler, src Source, pub Publisher, codec *schemas.Codec, r config.Retry, m *Metrics, log *slog.Logger) *Consumer {
	t := map[schemas.EventType]bool{}
	for _, et := range h.Triggers() {
		t[et] = true
	}
	return &Consumer{h: h, src: src, pub: pub, codec: codec, retry: r, metrics: m, triggers: t,
		log: log.With("processor", h.Name()), Grace: 10 * time.Second, MaxBatch: 500, BatchWindow: 5 * time.Millisecond}
}

// NewGroupReader is a consumer-group reader (group: hirestream.<handler name> in production), explicit
// commits only (CommitInterval 0), starting from the earliest offset for a new group.
func NewGroupReader(brokers []string, topic, group string, log *slog.Logger) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:        brokers,
		GroupID:        group,
		Topic:          topic,
		MinBytes:       1,
		MaxBytes:       10 << 20,
		MaxWait:        time.Second, // the broker answers as soon as MinBytes arrive; shorter waits time out in kafka-go
		StartOffset:    kafka.FirstOffset,
		CommitInterval: 0,
		ErrorLogger:    kafkaLogger(log, slog.LevelError),
	})
}

// Run consumes until ctx is cancelled (returns nil) or a message can be neither handled nor
// parked on the DLQ (returns the error, with that message uncommitted).
//
// Messages already fetched are taken together (up to MaxBatch, waiting at most BatchWindow for
// more): each is handled on its own and in order, then their outcomes are published in one
// acknowledged write and the batch is committed once. A crash in between re-delivers the
// batch, which idempotent handlers and deterministic outcome ids make harmless; per-message
// publish and commit round trips would otherwise cap a consumer at about a hundred events a
// second.
func (c *Consumer) Run(ctx context.Context) error {
	c.log.InfoContext(ctx, "consumer started")
	defer c.log.Info("consumer stopped")
	for {
		msgs, err := c.collect(ctx)
		if len(msgs) == 0 {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetch: %w", err)
		}
		hctx, cancel := graceContext(ctx, c.Grace)
		perr := c.processBatch(hctx, msgs)
		cancel()
		if perr != nil {
			if ctx.Err() != nil {
				return nil // shutting down: the batch stays uncommitted and comes back
			}
			return perr
		}
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("fetch: %w", err)
		}
	}
}

// collect blocks for one message, then takes what else arrives within BatchWindow.
func (c *Consumer) collect(ctx context.Context) ([]kafka.Message, error) {
	m, err := c.src.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	msgs := []kafka.Message{m}
	wctx, cancel := context.WithTimeout(ctx, c.BatchWindow)
	defer cancel()
	for len(msgs) < c.MaxBatch {
		m, err := c.src.FetchMessage(wctx)
		if err != nil {
			if ctx.Err() != nil || wctx.Err() != nil {
				return msgs, nil
			}
			return msgs, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func (c *Consumer) processBatch(ctx context.Context, msgs []kafka.Message) error {
	var outs []schemas.Event
	for _, m := range msgs {
		o, err := c.process(ctx, m)
		if err != nil {
			return err
		}
		outs = append(outs, o...)
	}
	if len(outs) > 0 {
		// Publishing is retried as transient; if it still fails nothing is committed.
		if _, err := retry(ctx, c.retry, func(attempt int, err error) {
			c.log.WarnContext(ctx, "publish outcomes failed, retrying", "attempt", attempt, "outcomes", len(outs), "error", err)
		}, func(ctx context.Context) error { return c.pub.Publish(ctx, outs...) }); err != nil {
			return fmt.Errorf("publish %d outcomes: %w", len(outs), err)
		}
	}
	last := msgs[len(msgs)-1]
	if err := c.src.CommitMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("commit up to %s/%d/%d: %w", last.Topic, last.Partition, last.Offset, err)
	}
	return nil
}

// graceContext survives ctx's cancellation for grace, so an in-flight message can finish.
func graceContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(hctx, func() { t.Stop() })
	})
	return hctx, func() { stop(); cancel() }
}

func (c *Consumer) process(ctx context.Context, m kafka.Message) ([]schemas.Event, error) {
	name := c.h.Name()
	if m.HighWaterMark > 0 {
		c.metrics.Lag.WithLabelValues(name, strconv.Itoa(m.Partition)).Set(float64(m.HighWaterMark - m.Offset - 1))
	}
	ev, err := c.codec.Decode(m.Value)
	if err != nil {
		c.metrics.Handled.WithLabelValues(name, "undecodable", "dlq").Inc()
		return nil, DeadLetter(ctx, c.pub, c.log, m, name, fmt.Errorf("decode: %w", err), 0)
	}
	log := c.log.With("event_id", ev.ID, "event_type", string(ev.Type), "candidate_id", ev.CandidateID,
		"topic", m.Topic, "partition", m.Partition, "offset", m.Offset)
	if o, ok := c.h.(Observer); ok {
		o.Observe(ev)
	}
	if !c.triggers[ev.Type] {
		c.metrics.Handled.WithLabelValues(name, string(ev.Type), "skipped").Inc()
		return nil, nil
	}
	start := time.Now()
	var outs []schemas.Event
	attempts, err := retry(ctx, c.retry, func(attempt int, err error) {
		c.metrics.Handled.WithLabelValues(name, string(ev.Type), "retried").Inc()
		log.WarnContext(ctx, "handle failed, retrying", "attempt", attempt, "error", err)
	}, func(ctx context.Context) error {
		var err error
		outs, err = c.h.Handle(ctx, ev)
		return err
	})
	c.metrics.HandleDuration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		c.metrics.Handled.WithLabelValues(name, string(ev.Type), "dlq").Inc()
		return nil, DeadLetter(ctx, c.pub, log, m, name, err, attempts)
	}
	c.metrics.Handled.WithLabelValues(name, string(ev.Type), "ok").Inc()
	log.DebugContext(ctx, "handled", "attempt", attempts, "outcomes", len(outs))
	return outs, nil
}

// DLQ header names.
const (
	HeaderDLQReason    = "dlq.reason"
	HeaderDLQProcessor = "dlq.processor"
	HeaderDLQSource    = "dlq.source"
	HeaderDLQAttempts  = "dlq.attempts"
	HeaderDLQClass     = "dlq.class"
)

// DeadLetter parks m on <topic>.dlq with its original key, value and headers plus dlq.* headers.
// The error it returns (nil on success) decides whether the caller may commit m.
func DeadLetter(ctx context.Context, pub Publisher, log *slog.Logger, m kafka.Message, processor string, cause error, attempts int) error {
	class := "transient-exhausted"
	switch {
	case attempts == 0:
		class = "undecodable"
	case schemas.IsPermanent(cause):
		class = "permanent"
	case !errors.Is(cause, ErrRetriesExhausted):
		class = "error"
	}
	headers := append([]kafka.Header(nil), m.Headers...)
	headers = append(headers,
		kafka.Header{Key: HeaderDLQReason, Value: []byte(cause.Error())},
		kafka.Header{Key: HeaderDLQProcessor, Value: []byte(processor)},
		kafka.Header{Key: HeaderDLQSource, Value: []byte(fmt.Sprintf("%s/%d/%d", m.Topic, m.Partition, m.Offset))},
		kafka.Header{Key: HeaderDLQAttempts, Value: []byte(strconv.Itoa(attempts))},
		kafka.Header{Key: HeaderDLQClass, Value: []byte(class)},
	)
	dl := kafka.Message{Topic: schemas.DLQ(m.Topic), Key: m.Key, Value: m.Value, Headers: headers}
	if err := pub.WriteMessages(ctx, dl); err != nil {
		return fmt.Errorf("write %s/%d/%d to DLQ (not committing): %w", m.Topic, m.Partition, m.Offset, err)
	}
	log.ErrorContext(ctx, "sent to DLQ", "class", class, "attempt", attempts, "error", cause,
		"topic", m.Topic, "partition", m.Partition, "offset", m.Offset)
	return nil
}
