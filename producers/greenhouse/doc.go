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
// Decisions where Greenhouse's documentation leaves room:
//
//   - event_id is DeriveID("greenhouse", Greenhouse-Event-ID, type). Without the header it is
//     derived from the payload: action, application/offer/candidate ids, stage id, the ATS
//     timestamp used as occurred_at, offer version and status, and for offers a digest of the
//     terms (two edits of one offer version without a header would otherwise collide).
//   - occurred_at: applied_at (new applications), rejected_at (rejections), offer resolved_at
//     (hire, offer accepted/declined), last_activity_at (other application events), updated_at
//     (update_candidate, offer_updated/approved, created_at for offer_created). delete_*,
//     merge_candidate, candidate_anonymized and offer_deleted carry no timestamp of the change
//     itself (updated_at there is the record's last edit), so they use recorded_at.
//   - stage_from is the newest stage known at or before the event's time, from another event,
//     different from stage_to; stage_from_derived is true when one was found, and stage_from is
//     null (derived false) when nothing is known. A late event is placed in time order, so it
//     gets the stage it really left and never becomes the "current" stage.
//   - Offer.Manager and Job.HiringManagerID are the hiring manager's Greenhouse user id (the
//     responsible one, else the first): the contract has no field for the employee id or name,
//     and the state may only hold what canonical events carry, so a replay rebuilds it.
//     Job.RecruiterID falls back to the candidate's recruiter when the job has no hiring team.
//   - Salary: the amount is read as decimal text into exact minor units (ISO 4217 exponent:
//     JPY 0, KWD 3, ...). A salary with no valid currency, more decimals than the currency has,
//     or a negative amount is not guessed at: Offer.Salary stays nil and the field is kept
//     verbatim in Offer.CustomFields. EmploymentType is the ATS's own text ("Full-time").
//   - source_channel is "unknown" when an application has no source (or only a source_id, as
//     in delete_application) and "" on offer and candidate events, which have no source.
//   - delete_candidate lists deleted_application_ids, or application_ids when that is empty;
//     merge_candidate lists only deleted_application_ids (merged applications move to the
//     survivor). Contact fields are carried only by application-shaped events and
//     candidate.updated, never by deletions, merges or anonymisations.
//   - A known action whose payload cannot be read (no application id, an id that is an object)
//     is a permanent error, so it is parked on the DLQ with its reason; an unknown action is
//     always an ats.unrecognized event with whatever ids its payload names.
//
// Field paths and edge cases follow the Greenhouse section of
// shared/research/ats-webhooks.md; testdata/*.json with their *.events.golden.json outputs are
// the executable specification.
package greenhouse

// SourceSystem is the source_system of every event this package produces.
const SourceSystem = "greenhouse"
