package alert

import (
	"testing"

	"github.com/hirestream/hirestream/internal/stream/streamtest"
	"github.com/hirestream/hirestream/schemas"
)

// The alert processor passes the contract suite, and a redelivered alert reaches the owner once.
func TestContract_Alert(t *testing.T) {
	t.Parallel()
	r := newReceivers(t)
	other := alertEvent("hris-sync")
	other.ID = "second-alert"
	streamtest.Run(t, r.p, []schemas.Event{alertEvent("hris-sync"), other}, streamtest.Options{KeepsKey: true})
	if len(r.smtp.Messages()) != 2 || len(r.slack.Messages()) != 2 {
		t.Fatalf("%d mails, %d slack posts for 2 alerts handled twice each; want 2 and 2", len(r.smtp.Messages()), len(r.slack.Messages()))
	}
}
