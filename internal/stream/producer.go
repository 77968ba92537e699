package stream

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hirestream/hirestream/schemas"
	"github.com/segmentio/kafka-go"
)

// Producer writes events to the topic their type belongs to (schemas.TopicFor), keyed by
// candidate id. kafka-go's defaults are wrong for an event log, so both are set explicitly:
// every write waits for all in-sync replicas, and the key is hashed with murmur2 (the Java
// client's partitioner, so consumers in any language agree on where a candidate lives).
type Producer struct {
	// Prefix is put in front of every topic name: empty in production, unique per test so tests
	// sharing a broker never see each other's events.
	Prefix  string
	w       *kafka.Writer
	codec   *schemas.Codec
	metrics *Metrics
}

// NewProducer builds a synchronous producer. BatchTimeout is short because callers wait for the
// ack (a webhook answers 200 only after it): kafka-go's 1s default would be added to every call.
func NewProducer(brokers []string, codec *schemas.Codec, m *Metrics, log *slog.Logger) *Producer {
	return &Producer{
		w: &kafka.Writer{
			Addr:         kafka.TCP(brokers...),
			Balancer:     &kafka.Murmur2Balancer{},
			RequiredAcks: kafka.RequireAll,
			BatchTimeout: 2 * time.Millisecond,
			BatchSize:    1000,
			// Raw deliveries can be several MiB; topics allow 8 MiB (EnsureTopics), so must we.
			BatchBytes:             8 << 20,
			AllowAutoTopicCreation: false,
			ErrorLogger:            kafkaLogger(log, slog.LevelError),
		},
		codec:   codec,
		metrics: m,
	}
}

// Publish encodes and writes evs, returning once the broker acknowledged all of them.
func (p *Producer) Publish(ctx context.Context, evs ...schemas.Event) error {
	if len(evs) == 0 {
		return nil
	}
	msgs := make([]kafka.Message, len(evs))
	for i, ev := range evs {
		b, err := p.codec.Encode(ev)
		if err != nil {
			return schemas.Permanent(err)
		}
		msgs[i] = kafka.Message{Topic: p.Prefix + schemas.TopicFor(ev.Type), Key: ev.Key(), Value: b,
			Headers: []kafka.Header{{Key: "event_type", Value: []byte(ev.Type)}}}
	}
	if err := p.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d events: %w", len(evs), err)
	}
	return nil
}

// WriteMessages writes already-encoded messages (DLQ records keep the original bytes).
func (p *Producer) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
		return err
	}
	if p.metrics != nil {
		for _, m := range msgs {
			p.metrics.Published.WithLabelValues(m.Topic).Inc()
		}
	}
	return nil
}

// Close flushes and closes the writer.
func (p *Producer) Close() error { return p.w.Close() }

func kafkaLogger(log *slog.Logger, level slog.Level) kafka.LoggerFunc {
	return func(msg string, args ...any) {
		log.Log(context.Background(), level, fmt.Sprintf(msg, args...), "component", "kafka-go")
	}
}
