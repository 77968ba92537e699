// Package greenhouse captures Greenhouse Recruiting webhooks and turns them into hirestream's
// canonical candidate events.
//
// It has two halves that meet on a Kafka topic, so that nothing the ATS said is lost:
//
//   - [NewHandler] is the HTTP edge. It verifies the Signature header over the exact raw body,
//     checks that the body is a JSON object with a string "action", publishes ONE
//     [schemas.TypeDeliveryReceived] event holding the verbatim bytes and headers, and answers
//     200 only after the publisher reports the broker acknowledged it. Bad input is rejected with
//     a 4xx and a reason; a failed publish answers 503 so Greenhouse retries.
//   - [Normalizer] is a processor on the raw topic: it decodes one delivery and returns the
//     canonical event (application.received, candidate.stage_changed, offer.accepted, ...) with a
//     deterministic event_id. It keeps a small projection per application (candidate, job
//     snapshot, stage history) to fill in what Greenhouse does not send: the previous stage of a
//     stage change, and the candidate and job of an offer. The projection is rebuilt on start-up
//     by replaying ats.candidate-events.v1 through [Normalizer.Observe].
//
// The package imports only the standard library and the schemas contract; publishing is done
// through the tiny [Publisher] interface by the caller's Kafka runtime.
//
// Field paths and edge cases follow the Greenhouse section of
// shared/research/ats-webhooks.md; testdata/*.json with their *.events.golden.json outputs are
// the executable specification.
package greenhouse

// SourceSystem is the source_system of every event this package produces.
const SourceSystem = "greenhouse"
