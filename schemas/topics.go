package schemas

import "time"

// Topic names. Every topic carries the Event envelope in the Confluent wire format, keyed by
// candidate id (raw deliveries: by the delivery's own id).
const (
	TopicRawDeliveries   = "ats.raw-deliveries.v1"
	TopicCandidateEvents = "ats.candidate-events.v1"
	TopicHRISSync        = "hirestream.hris-sync.v1"
	TopicAlerts          = "hirestream.alerts.v1"
	TopicReview          = "hirestream.review.v1"
)

// DLQ returns the dead-letter topic of topic. It carries the original key and bytes with
// dlq.* headers, never a re-encoded copy.
func DLQ(topic string) string { return topic + ".dlq" }

// TopicSpec is how a topic is created: the one place partitions, retention and compaction are set.
type TopicSpec struct {
	Name       string
	Partitions int
	// Retention is how long records are kept; 0 keeps them forever (the event log is the source
	// of truth and replay needs all of it).
	Retention time.Duration
	// Compact selects cleanup.policy=compact instead of delete.
	Compact bool
}

// Topics lists every topic hirestream owns, DLQs included. `hirestream migrate` creates them.
func Topics() []TopicSpec {
	base := []TopicSpec{
		// One partition keeps raw deliveries in arrival order, so re-normalizing the raw log
		// derives the same stage_from values as the first pass did.
		{Name: TopicRawDeliveries, Partitions: 1},
		{Name: TopicCandidateEvents, Partitions: 6},
		{Name: TopicHRISSync, Partitions: 3},
		{Name: TopicAlerts, Partitions: 1, Retention: 90 * 24 * time.Hour},
		{Name: TopicReview, Partitions: 1},
	}
	out := make([]TopicSpec, 0, 2*len(base))
	for _, t := range base {
		out = append(out, t)
		// DLQs keep the bytes until someone looks: forever, one partition is plenty.
		out = append(out, TopicSpec{Name: DLQ(t.Name), Partitions: 1})
	}
	return out
}

// TopicFor is where an event of type t is published.
func TopicFor(t EventType) string {
	switch t {
	case TypeDeliveryReceived:
		return TopicRawDeliveries
	case TypeHRISSyncSucceeded, TypeHRISSyncFailed:
		return TopicHRISSync
	case TypeAlertRaised:
		return TopicAlerts
	case TypeReviewNeeded:
		return TopicReview
	default:
		return TopicCandidateEvents
	}
}
