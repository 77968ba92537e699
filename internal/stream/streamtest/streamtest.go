// Package streamtest is the contract suite every processor must pass, like Watermill's shared
// Pub/Sub tests: whatever a handler does, the runtime relies on these properties.
package streamtest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/schemas"
)

// Options tune the suite for handlers whose outcomes legitimately differ.
type Options struct {
	// KeepsKey requires every outcome to carry its trigger's candidate id (so it lands in the
	// same partition and stays ordered with it). Off for handlers whose triggers have no
	// candidate yet (raw deliveries).
	KeepsKey bool
}

// Run feeds evs, in order, through h (Observe first when h keeps a projection, as the runtime
// does) and checks on every trigger that:
//   - handling it a second time returns the same outcomes with the same ids (idempotence: the
//     runtime redelivers after a crash);
//   - every outcome has an id, a type, a source system and an occurrence time, and survives the
//     Avro wire format unchanged;
//   - outcome ids are unique within one handling;
//   - with KeepsKey, every outcome keeps the trigger's candidate id.
//
// It returns every outcome of the first handlings, for further checks by the caller.
func Run(t testing.TB, h stream.Handler, evs []schemas.Event, opts Options) []schemas.Event {
	t.Helper()
	codec := schemas.MustCodec()
	triggers := h.Triggers()
	obs, _ := h.(stream.Observer)
	var all []schemas.Event
	handled := 0
	for _, ev := range evs {
		if obs != nil {
			obs.Observe(ev)
		}
		if !slices.Contains(triggers, ev.Type) {
			continue
		}
		handled++
		first, err1 := h.Handle(context.Background(), ev)
		again, err2 := h.Handle(context.Background(), ev)
		if (err1 == nil) != (err2 == nil) || (err1 != nil && schemas.IsPermanent(err1) != schemas.IsPermanent(err2)) {
			t.Fatalf("%s on %s: first handling err=%v, second err=%v: not idempotent", h.Name(), ev.ID, err1, err2)
		}
		if err1 != nil {
			continue
		}
		if !reflect.DeepEqual(ids(first), ids(again)) {
			t.Fatalf("%s on %s (%s): outcome ids %v, then %v on redelivery", h.Name(), ev.ID, ev.Type, ids(first), ids(again))
		}
		seen := map[string]bool{}
		for _, out := range first {
			if out.ID == "" || out.Type == "" || out.SourceSystem == "" || out.OccurredAt.IsZero() {
				t.Fatalf("%s on %s: incomplete outcome %+v", h.Name(), ev.ID, out)
			}
			if seen[out.ID] {
				t.Fatalf("%s on %s: outcome id %s twice", h.Name(), ev.ID, out.ID)
			}
			seen[out.ID] = true
			if opts.KeepsKey && out.CandidateID != ev.CandidateID {
				t.Fatalf("%s on %s: outcome %s keyed by candidate %q, trigger by %q", h.Name(), ev.ID, out.ID, out.CandidateID, ev.CandidateID)
			}
			b, err := codec.Encode(out)
			if err != nil {
				t.Fatalf("%s on %s: outcome %s does not encode: %v", h.Name(), ev.ID, out.ID, err)
			}
			back, err := codec.Decode(b)
			if err != nil || !reflect.DeepEqual(back, out) {
				t.Fatalf("%s on %s: outcome %s changes through the wire format (err %v):\n got %+v\nwant %+v", h.Name(), ev.ID, out.ID, err, back, out)
			}
		}
		all = append(all, first...)
	}
	if handled == 0 {
		t.Fatalf("%s: none of the %d events is a trigger (%v): the suite checked nothing", h.Name(), len(evs), triggers)
	}
	return all
}

func ids(evs []schemas.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = string(e.Type) + ":" + e.ID
	}
	return out
}
