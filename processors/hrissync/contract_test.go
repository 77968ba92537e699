package hrissync

import (
	"testing"

	"github.com/hirestream/hirestream/internal/emulate/bamboohr"
	"github.com/hirestream/hirestream/internal/stream/streamtest"
	"github.com/hirestream/hirestream/schemas"
)

// The HRIS sync passes the contract suite every processor passes: re-handling a trigger gives
// the same outcome ids, outcomes are complete, survive the wire format and keep the key —
// across creation, verification, a correction, a validation failure and a read-back failure.
func TestContract_HRISSync(t *testing.T) {
	t.Parallel()
	f := newFixture(t, bamboohr.Config{})
	past := acceptedEv("past", 10300000, "04/01/2026")
	fixed := acceptedEv("fixed", 10300000, "05/04/2026")
	evs := []schemas.Event{applied(), past, hiredEv(), fixed, acceptedEv("raise", 10450000, "05/04/2026")}
	outs := streamtest.Run(t, f.p, evs, streamtest.Options{KeepsKey: true})
	var types []schemas.EventType
	for _, o := range outs {
		types = append(types, o.Type)
	}
	want := []schemas.EventType{
		schemas.TypeHRISSyncFailed, schemas.TypeAlertRaised, schemas.TypeReviewNeeded, // past start date
		schemas.TypeHRISSyncSucceeded, // hire event: start date as ISO, valid, created
		schemas.TypeHRISSyncSucceeded, // fixed acceptance: verified
		schemas.TypeHRISSyncSucceeded, // raise: re-synced
	}
	if len(types) != len(want) {
		t.Fatalf("outcomes %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("outcomes %v, want %v", types, want)
		}
	}
	if n := len(f.hires()); n != 1 {
		t.Fatalf("%d employees", n)
	}
}
