package schemas_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

func ExampleCodec_Encode() {
	codec, err := schemas.NewCodec() // load once; safe for concurrent use
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 3, 9, 16, 42, 11, 250*int(time.Millisecond), time.UTC)
	stage := "Technical Interview"
	ev := schemas.Event{
		ID:           schemas.DeriveID("greenhouse", "delivery-8812"),
		Type:         schemas.TypeStageChanged,
		OccurredAt:   at,
		RecordedAt:   at,
		SourceSystem: "greenhouse",
		CandidateID:  "610033452",
		Payload:      &schemas.ApplicationEvent{StageTo: &stage, Status: "active"},
	}
	b, err := codec.Encode(ev)
	if err != nil {
		panic(err)
	}
	fmt.Printf("topic %s, key %s\n", schemas.TopicFor(ev.Type), ev.Key())
	fmt.Printf("magic byte %d, schema id % x, %d bytes of Avro\n", b[0], b[1:5], len(b)-5)
	// Output:
	// topic ats.candidate-events.v1, key 610033452
	// magic byte 0, schema id 00 00 00 01, 137 bytes of Avro
}

func ExampleCodec_Decode() {
	codec := schemas.MustCodec()
	b, err := codec.Encode(schemas.Event{
		ID:           "evt-1",
		Type:         schemas.TypeOfferAccepted,
		OccurredAt:   time.Date(2026, 3, 10, 8, 30, 0, 123*int(time.Millisecond), time.UTC),
		SourceSystem: "lever",
		CandidateID:  "cand-1",
		Payload: &schemas.ApplicationEvent{Offer: &schemas.Offer{
			OfferID: "o-3", Status: "Accepted",
			Salary: &schemas.Money{AmountMinor: 10300000, Currency: "USD", PayPeriod: "annual"},
		}},
	})
	if err != nil {
		panic(err)
	}

	ev, err := codec.Decode(b)
	if err != nil {
		panic(err) // a *schemas.DecodeError; retrying the same bytes cannot help
	}
	fmt.Println(ev.Type, ev.CandidateID, ev.OccurredAt.Format(time.RFC3339Nano))
	switch p := ev.Payload.(type) {
	case *schemas.ApplicationEvent:
		fmt.Printf("offer %s %s: %d %s minor units (%s)\n", p.Offer.OfferID, p.Offer.Status,
			p.Offer.Salary.AmountMinor, p.Offer.Salary.Currency, p.Offer.Salary.PayPeriod)
	}

	_, err = codec.Decode([]byte(`{"event_id":"not avro"}`))
	fmt.Println(errors.Is(err, schemas.ErrNotFramed))
	// Output:
	// offer.accepted cand-1 2026-03-10T08:30:00.123Z
	// offer o-3 Accepted: 10300000 USD minor units (annual)
	// true
}
