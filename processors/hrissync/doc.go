// Package hrissync creates the new hire in the HRIS when an offer is accepted — exactly the
// offer's data, one employee per hire, verified by reading it back — and says what happened as
// events (`hirestream process hris-sync`).
//
// One trigger, one outcome. Triggers: offer.accepted, candidate.hired, and offer.created /
// offer.updated / offer.approved of the accepted offer dated after its acceptance (corrections).
// Outcome: hris.sync_succeeded or hris.sync_failed (schemas.HRISSync: target, employee id,
// attempts, latency from the webhook's capture, error, field diff), plus alert.raised when a
// human must act and review.needed for records refused by validation or HRIS-owned fields that
// differ. Outcome ids come from schemas.Outcome, so re-handling a trigger yields the same ids.
//
// The record is built from the candidate's projection (processors/state), never from one
// event's payload, through the Mapping (HRIS_MAPPING_FILE; deploy/hris/README.md documents
// every key). Validation runs before any write. The upsert looks the employee up by the ATS
// candidate id stored in Mapping.KeyField on every attempt (BambooHR has no idempotency key),
// so a create whose answer was lost is found, not repeated; afterwards every mapped field is
// read back and compared, and a difference is a failed sync that is not retried.
//
// Retries and the DLQ: temporary HRIS errors are returned to the runtime, which retries with
// capped exponential backoff (config.Retry). The processor counts the attempts of each trigger
// itself and, one step before the runtime's budget (attempts or elapsed time) would send the
// trigger to the DLQ, turns the failure into hris.sync_failed + alert.raised instead — so the
// audit table counts it and the owner hears of it. Permanent errors (4xx, duplicates, the
// employee limit) and panics end the same way at once. The DLQ of the candidate topic is thus
// left to undecodable messages, which the runtime parks before any handler sees them.
//
// Field diffs mask personal values (names, emails) with a short digest; alerts carry the
// candidate's ids and name, what failed, the field and what to do, never a salary.
//
// HRIS targets implement the small HRIS interface: BambooHR (its documented REST API) and
// REST (a generic JSON target configured by URL, paths and field names).
package hrissync
