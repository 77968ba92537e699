package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/hirestream/hirestream/schemas"
	"github.com/segmentio/kafka-go"
)

// EnsureTopics creates every topic in specs that does not exist yet, with its partitions,
// retention and cleanup policy. Existing topics are left as they are, so it is idempotent.
func EnsureTopics(ctx context.Context, brokers []string, replication int, specs []schemas.TopicSpec) (created []string, err error) {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 30 * time.Second}
	req := &kafka.CreateTopicsRequest{}
	for _, s := range specs {
		retention := "-1"
		if s.Retention > 0 {
			retention = strconv.FormatInt(s.Retention.Milliseconds(), 10)
		}
		policy := "delete"
		if s.Compact {
			policy = "compact"
		}
		req.Topics = append(req.Topics, kafka.TopicConfig{
			Topic: s.Name, NumPartitions: s.Partitions, ReplicationFactor: replication,
			ConfigEntries: []kafka.ConfigEntry{
				{ConfigName: "retention.ms", ConfigValue: retention},
				{ConfigName: "cleanup.policy", ConfigValue: policy},
				// Raw Greenhouse deliveries can be large (embedded interview kits).
				{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(8 << 20)},
			},
		})
	}
	resp, err := client.CreateTopics(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("create topics: %w", err)
	}
	var errs []error
	for _, s := range specs {
		switch e := resp.Errors[s.Name]; {
		case e == nil:
			created = append(created, s.Name)
		case errors.Is(e, kafka.TopicAlreadyExists):
		default:
			errs = append(errs, fmt.Errorf("create topic %s: %w", s.Name, e))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return created, err
	}
	// A topic exists before its partitions have leaders: wait until every new partition answers
	// an offset request, so the first producer or reader does not meet "Not Leader".
	for _, name := range created {
		if err := waitReady(ctx, brokers, name); err != nil {
			return created, err
		}
	}
	return created, nil
}

func waitReady(ctx context.Context, brokers []string, topic string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := ranges(ctx, brokers, topic, time.Time{})
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic %s not ready after 60s: %w", topic, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// PartitionRange is the offsets to read from one partition: [Start, End).
type PartitionRange struct {
	Partition  int
	Start, End int64
	// Leader is host:port of the partition's leader when the range was taken.
	Leader string
}

// Ranges returns, per partition of topic, the offsets from the earliest (or the first at or
// after from, when from is not zero) to the end as of now.
// Leadership changes (a new topic, a broker restart) are retried for a while.
func Ranges(ctx context.Context, brokers []string, topic string, from time.Time) ([]PartitionRange, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := ranges(ctx, brokers, topic, from)
		var kerr kafka.Error
		if err == nil || !errors.As(err, &kerr) || !kerr.Temporary() || time.Now().After(deadline) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func ranges(ctx context.Context, brokers []string, topic string, from time.Time) ([]PartitionRange, error) {
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", brokers[0], err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topic)
	if err != nil {
		return nil, fmt.Errorf("read partitions of %s: %w", topic, err)
	}
	var out []PartitionRange
	for _, p := range parts {
		addr := net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port))
		pc, err := kafka.DialLeader(ctx, "tcp", addr, topic, p.ID)
		if err != nil {
			return nil, fmt.Errorf("dial leader of %s/%d: %w", topic, p.ID, err)
		}
		first, last, err := pc.ReadOffsets()
		if err == nil && !from.IsZero() {
			first, err = pc.ReadOffset(from)
		}
		pc.Close()
		if err != nil {
			return nil, fmt.Errorf("read offsets of %s/%d: %w", topic, p.ID, err)
		}
		if first > last || first < 0 {
			first = last
		}
		out = append(out, PartitionRange{Partition: p.ID, Start: first, End: last, Leader: addr})
	}
	return out, nil
}

// ReadRange calls fn for every message of topic in r, in offset order. It reads from the
// partition leader over one connection: a kafka.Reader per partition costs most of a second to
// close, which dominated short replays.
func ReadRange(ctx context.Context, brokers []string, topic string, r PartitionRange, fn func(kafka.Message) error) error {
	if r.Start >= r.End {
		return nil
	}
	addr := r.Leader
	if addr == "" {
		addr = brokers[0]
	}
	conn, err := kafka.DialLeader(ctx, "tcp", addr, topic, r.Partition)
	if err != nil {
		return fmt.Errorf("dial leader of %s/%d: %w", topic, r.Partition, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Seek(r.Start, kafka.SeekAbsolute); err != nil {
		return fmt.Errorf("seek %s/%d to %d: %w", topic, r.Partition, r.Start, err)
	}
	next := r.Start
	for next < r.End {
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		batch := conn.ReadBatch(1, 10<<20)
		for next < r.End {
			m, err := batch.ReadMessage()
			if err != nil {
				break
			}
			if m.Offset < next {
				continue // a compressed batch may start before the offset asked for
			}
			if err := fn(m); err != nil {
				batch.Close()
				return err
			}
			next = m.Offset + 1
		}
		if err := batch.Close(); err != nil && next < r.End {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s/%d at %d: %w", topic, r.Partition, next, err)
		}
	}
	return nil
}
