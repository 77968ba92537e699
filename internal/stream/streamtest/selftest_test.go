package streamtest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// recorder catches the suite's verdict instead of failing this test.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

type counting struct{ n atomic.Int64 }

func (*counting) Name() string { return "counting" }
func (*counting) Triggers() []schemas.EventType {
	return []schemas.EventType{schemas.TypeCandidateHired}
}
func (c *counting) Handle(_ context.Context, ev schemas.Event) ([]schemas.Event, error) {
	out := schemas.Outcome("counting", ev, schemas.TypeAlertRaised, ev.OccurredAt, &schemas.Alert{Automation: "x", Summary: "y"})
	out.ID = fmt.Sprint(c.n.Add(1)) // a fresh id per call: exactly what the runtime cannot live with
	return []schemas.Event{out}, nil
}

func TestRun_CatchesNonIdempotentHandler(t *testing.T) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(r, &counting{}, []schemas.Event{{ID: "e1", Type: schemas.TypeCandidateHired, OccurredAt: time.Unix(1, 0).UTC(),
			RecordedAt: time.Unix(1, 0).UTC(), SourceSystem: "greenhouse", CandidateID: "c"}}, Options{KeepsKey: true})
	}()
	<-done
	if !strings.Contains(r.msg, "on redelivery") {
		t.Fatalf("the suite passed a handler that mints a new outcome id per call (verdict %q)", r.msg)
	}
}
