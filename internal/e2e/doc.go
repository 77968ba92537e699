// Package e2e holds the end-to-end tests of the event log: signed Greenhouse webhooks through
// the real ingest handler, the real Kafka broker, the normalizer and the sink into the real
// ClickHouse server, wired by internal/pipeline exactly as cmd/hirestream wires them.
package e2e
