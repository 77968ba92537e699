package schemas

// EventType names a fact that happened, in the past tense. It is a plain string on the wire so
// downstream consumers can skip types they do not know instead of failing to decode.
type EventType string

// Captured ATS changes, on TopicCandidateEvents. Payload: *ApplicationEvent unless noted.
const (
	TypeApplicationReceived EventType = "application.received"
	TypeApplicationUpdated  EventType = "application.updated"
	TypeApplicationDeleted  EventType = "application.deleted"
	TypeStageChanged        EventType = "candidate.stage_changed"
	TypeRejected            EventType = "application.rejected"
	TypeUnrejected          EventType = "application.unrejected"
	TypeOfferCreated        EventType = "offer.created"
	TypeOfferUpdated        EventType = "offer.updated"
	TypeOfferApproved       EventType = "offer.approved"
	TypeOfferDeleted        EventType = "offer.deleted"
	TypeOfferAccepted       EventType = "offer.accepted"
	TypeOfferDeclined       EventType = "offer.declined"
	TypeCandidateHired      EventType = "candidate.hired"
	TypeCandidateUnhired    EventType = "candidate.unhired"
	TypeCandidateUpdated    EventType = "candidate.updated"     // *CandidateEvent
	TypeCandidateMerged     EventType = "candidate.merged"      // *CandidateEvent
	TypeCandidateDeleted    EventType = "candidate.deleted"     // *CandidateEvent
	TypeCandidateAnonymized EventType = "candidate.anonymized"  // *CandidateEvent
	TypeUnrecognized        EventType = "ats.unrecognized"      // *Unrecognized
	TypeDeliveryReceived    EventType = "ats.delivery_received" // *RawDelivery, on TopicRawDeliveries
)

// Outcomes published by processors.
const (
	TypeHRISSyncSucceeded EventType = "hris.sync_succeeded" // *HRISSync
	TypeHRISSyncFailed    EventType = "hris.sync_failed"    // *HRISSync
	TypeAlertRaised       EventType = "alert.raised"        // *Alert
	TypeReviewNeeded      EventType = "review.needed"       // *Alert
	TypeDeadLettered      EventType = "dlq.recorded"        // *DeadLetter
)

// CandidateEventTypes lists every type captured from an ATS, in a stable order.
var CandidateEventTypes = []EventType{
	TypeApplicationReceived, TypeApplicationUpdated, TypeApplicationDeleted, TypeStageChanged,
	TypeRejected, TypeUnrejected, TypeOfferCreated, TypeOfferUpdated, TypeOfferApproved,
	TypeOfferDeleted, TypeOfferAccepted, TypeOfferDeclined, TypeCandidateHired, TypeCandidateUnhired,
	TypeCandidateUpdated, TypeCandidateMerged, TypeCandidateDeleted, TypeCandidateAnonymized,
	TypeUnrecognized,
}
