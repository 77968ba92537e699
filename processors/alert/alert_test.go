package alert

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hirestream/hirestream/internal/emulate/slack"
	smtpemu "github.com/hirestream/hirestream/internal/emulate/smtp"
	"github.com/hirestream/hirestream/schemas"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadOwners_DocumentedExample(t *testing.T) {
	t.Parallel()
	o, err := LoadOwners("../../deploy/hris/owners.json", env(map[string]string{"HRIS_ALERT_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/x"}))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := o.For("hris-sync")
	if !ok || r.Owner != "Dana Whitfield (People Ops)" || r.Email != "dana.whitfield@acme.example" || r.SlackWebhookURL != "https://hooks.slack.com/services/T0/B0/x" {
		t.Fatalf("hris-sync route %+v", r)
	}
	if d, ok := o.For("messaging"); !ok || d.Owner != "Recruiting Ops on call" || len(d.Channels()) != 1 || d.Automation != "messaging" {
		t.Fatalf("default route %+v", d)
	}
	if !o.NeedsEmail() {
		t.Fatal("NeedsEmail")
	}
	if _, err := LoadOwners("../../deploy/hris/owners.json", env(nil)); err == nil ||
		!strings.Contains(err.Error(), "owners.json:6:7: hris-sync: slack_webhook_url_env names HRIS_ALERT_SLACK_WEBHOOK_URL, which is not set") {
		t.Fatalf("unset webhook variable: %v", err)
	}
}

func TestParseOwners_Errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, doc, want string }{
		{"syntax", "{\n  \"automations\": {,}\n}", "o.json:2:19: invalid JSON"},
		{"unknown top key", `{"automation": {}}`, `o.json:1:2: unknown key "automation"`},
		{"unknown route key", "{\"automations\": {\n \"hris-sync\": {\"owner\": \"D\", \"mail\": \"d@a.example\"}}}", `o.json:2:30: hris-sync: unknown key "mail"`},
		{"no owner", `{"automations": {"hris-sync": {"email": "d@a.example"}}}`, `hris-sync: "owner" is missing`},
		{"no channel", `{"automations": {"hris-sync": {"owner": "D"}}}`, "hris-sync: no channel"},
		{"bad email", `{"automations": {"hris-sync": {"owner": "D", "email": "Dana <d@a.example>"}}}`, `email "Dana <d@a.example>" is not a plain address`},
		{"bad url", `{"automations": {"hris-sync": {"owner": "D", "slack_webhook_url": "hooks.slack.com/x"}}}`, "is not an absolute http(s) URL"},
		{"both url and env", `{"automations": {"hris-sync": {"owner": "D", "slack_webhook_url": "https://h/x", "slack_webhook_url_env": "X"}}}`, "not both"},
		{"empty", `{}`, `no "automations" and no "default"`},
		{"wrong type", `{"automations": {"hris-sync": {"owner": 7, "email": "d@a.example"}}}`, "hris-sync: json: cannot unmarshal number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseOwners("o.json", []byte(tc.doc), env(map[string]string{"X": "https://h/y"}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

type receivers struct {
	smtp  *smtpemu.Server
	slack *slack.Receiver
	p     *Processor
}

func newReceivers(t *testing.T) *receivers {
	t.Helper()
	mail := smtpemu.New()
	addr, err := mail.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mail.Close() })
	sl := slack.New()
	srv := httptest.NewServer(sl)
	t.Cleanup(srv.Close)
	owners, err := ParseOwners("owners.json", []byte(`{"automations": {"hris-sync": {"owner": "Dana Whitfield",
		"slack_webhook_url": "`+srv.URL+`/services/T000/B000/secret", "email": "dana@acme.example"}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := NewMailer(SMTPConfig{Addr: addr, From: "hirestream@acme.example", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{Owners: owners, Slack: NewSlack(5 * time.Second), Mailer: mailer, RetryAfterMax: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &receivers{smtp: mail, slack: sl, p: p}
}

func alertEvent(automation string) schemas.Event {
	return schemas.Event{ID: "9f1c0ffee", Type: schemas.TypeAlertRaised, OccurredAt: time.Date(2026, 4, 20, 10, 0, 1, 0, time.UTC),
		SourceSystem: "hirestream", CandidateID: "610033452", ApplicationID: "880014231", CausationID: "trigger",
		Payload: &schemas.Alert{Automation: automation, Severity: "critical", Field: "compensation.rate",
			Summary: "BambooHR employee 7 for Zoë Ngata-Øvergaard (candidate 610033452, application 880014231, offer 3300902 v2) does not match the accepted offer after writing: compensation.rate differ(s) on read-back",
			Action:  "Open employee 7 in BambooHR and set compensation.rate to the values of offer 3300902 v2 in Greenhouse <now>."}}
}

func TestProcessor_DeliversToSlackAndEmail(t *testing.T) {
	t.Parallel()
	r := newReceivers(t)
	if _, err := r.p.Handle(context.Background(), alertEvent("hris-sync")); err != nil {
		t.Fatal(err)
	}
	mails := r.smtp.Messages()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	m := mails[0]
	if m.From != "hirestream@acme.example" || len(m.To) != 1 || m.To[0] != "dana@acme.example" ||
		m.Subject != "[hirestream] hris-sync needs you: candidate 610033452 (critical)" {
		t.Fatalf("mail envelope/subject: %+v", m)
	}
	for _, want := range []string{"Hello Dana Whitfield", "Zoë Ngata-Øvergaard (candidate 610033452", "Field:        compensation.rate",
		"What to do:   Open employee 7 in BambooHR", "Candidate:    610033452 (application 880014231)"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("mail body lacks %q:\n%s", want, m.Body)
		}
	}
	posts := r.slack.Messages()
	if len(posts) != 1 || posts[0].Path != "/services/T000/B000/secret" {
		t.Fatalf("slack posts %+v", posts)
	}
	if !strings.Contains(posts[0].Text, "hris-sync — BambooHR employee 7 for Zoë") || len(posts[0].Blocks) != 5 ||
		!strings.Contains(string(posts[0].Raw), `Greenhouse \u0026lt;now\u0026gt;.`) {
		t.Fatalf("slack message %s", posts[0].Raw)
	}
}

func TestProcessor_TemporaryFailuresRetryOnlyWhatFailed(t *testing.T) {
	t.Parallel()
	r := newReceivers(t)
	r.slack.FailNext(1, http.StatusTooManyRequests, 1)
	ev := alertEvent("hris-sync")
	_, err := r.p.Handle(context.Background(), ev)
	var de *DeliveryError
	if err == nil || schemas.IsPermanent(err) || !errors.As(err, &de) || de.RetryAfter != time.Second {
		t.Fatalf("slack 429: %v", err)
	}
	if _, err := r.p.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if len(r.smtp.Messages()) != 1 || len(r.slack.Messages()) != 1 {
		t.Fatalf("after the retry: %d mails, %d slack posts; want 1 and 1", len(r.smtp.Messages()), len(r.slack.Messages()))
	}
	r.smtp.FailNext(1, 451)
	ev.ID = "second"
	if _, err := r.p.Handle(context.Background(), ev); err == nil || schemas.IsPermanent(err) {
		t.Fatalf("SMTP 451: %v, want a temporary error", err)
	}
}

func TestProcessor_PermanentFailures(t *testing.T) {
	t.Parallel()
	r := newReceivers(t)
	// One channel refuses for good, the other works: delivered, logged.
	r.smtp.FailNext(1, 550)
	if _, err := r.p.Handle(context.Background(), alertEvent("hris-sync")); err != nil {
		t.Fatalf("partial delivery: %v", err)
	}
	// Both refuse for good: permanent (the runtime parks it on the DLQ with the reason).
	r.smtp.FailNext(1, 550)
	r.slack.FailNext(1, http.StatusGone, 0)
	ev := alertEvent("hris-sync")
	ev.ID = "other"
	if _, err := r.p.Handle(context.Background(), ev); !schemas.IsPermanent(err) || !strings.Contains(err.Error(), "channel_is_archived") {
		t.Fatalf("no channel works: %v", err)
	}
	if _, err := r.p.Handle(context.Background(), alertEvent("messaging")); !schemas.IsPermanent(err) || !strings.Contains(err.Error(), `no owner for automation "messaging"`) {
		t.Fatalf("unknown automation: %v", err)
	}
}

func TestNew_EmailRouteNeedsSMTP(t *testing.T) {
	t.Parallel()
	o, _ := ParseOwners("o.json", []byte(`{"default": {"owner": "D", "email": "d@a.example"}}`), nil)
	if _, err := New(Config{Owners: o}); err == nil || !strings.Contains(err.Error(), "SMTP is not configured") {
		t.Fatalf("New without SMTP: %v", err)
	}
}
