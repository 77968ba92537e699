// Package alert delivers alert.raised events to the person who owns the automation that raised
// them, by Slack incoming webhook and/or email over SMTP, as the ownership config says (one
// trigger → one outcome: the owner is told). The message says which candidate (ids, and the
// name the raising processor put in the summary), what failed, which field and what to do;
// nothing more personal.
//
// Delivery is at least once: a channel that succeeded is not tried again while the same alert
// is retried for another channel, but a crash between sending and committing sends it again.
// Temporary failures (network, 5xx, Slack 429, SMTP 4xx) are retried by the runtime; when
// every channel of an alert fails for good (a revoked webhook, a refused address), the alert
// goes to the DLQ of the alerts topic with the reason.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// Name is the processor's name (consumer group hirestream.alert-notifier).
const Name = "alert-notifier"

// Config configures the processor.
type Config struct {
	Owners *Owners
	Slack  *Slack
	// Mailer may be nil when no route sends email.
	Mailer *Mailer
	// RetryAfterMax caps the wait Handle honours when Slack answers 429. Default: 30s.
	RetryAfterMax time.Duration
	Log           *slog.Logger
}

// Processor delivers alerts.
type Processor struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex
	delivered map[string]bool // alert event id + channel
}

// New checks cfg and builds the processor.
func New(cfg Config) (*Processor, error) {
	if cfg.Owners == nil {
		return nil, errors.New("alert: Owners is required")
	}
	if cfg.Owners.NeedsEmail() && cfg.Mailer == nil {
		return nil, fmt.Errorf("alert: %s routes alerts to email but SMTP is not configured", cfg.Owners.Source)
	}
	if cfg.Slack == nil {
		cfg.Slack = NewSlack(0)
	}
	if cfg.RetryAfterMax <= 0 {
		cfg.RetryAfterMax = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Processor{cfg: cfg, log: cfg.Log.With("processor", Name), delivered: map[string]bool{}}, nil
}

// Name is the consumer group and metric label.
func (*Processor) Name() string { return Name }

// Triggers: alerts only (review.needed goes to the review queue, not to a person's inbox).
func (*Processor) Triggers() []schemas.EventType {
	return []schemas.EventType{schemas.TypeAlertRaised}
}

// Handle delivers one alert to every channel of its owner.
func (p *Processor) Handle(ctx context.Context, ev schemas.Event) ([]schemas.Event, error) {
	a, ok := ev.Payload.(*schemas.Alert)
	if !ok || a == nil {
		return nil, schemas.Permanent(fmt.Errorf("alert %s: payload %T is not *schemas.Alert", ev.ID, ev.Payload))
	}
	route, ok := p.cfg.Owners.For(a.Automation)
	if !ok {
		return nil, schemas.Permanent(fmt.Errorf("alert %s: %s names no owner for automation %q (and has no default)", ev.ID, p.cfg.Owners.Source, a.Automation))
	}
	msg := Render(ev, a, route.Owner)
	log := p.log.With("event_id", ev.ID, "candidate_id", ev.CandidateID, "automation", a.Automation)
	var errs []error
	temporary, sent := false, 0
	var wait time.Duration
	for _, ch := range route.Channels() {
		key := ev.ID + "|" + ch
		if p.done(key) {
			sent++
			continue
		}
		var err error
		switch ch {
		case "slack":
			err = p.cfg.Slack.Post(ctx, route.SlackWebhookURL, msg.Slack)
		case "email":
			err = p.cfg.Mailer.Send(ctx, route.Email, msg.Subject, msg.Text, ev.ID)
		}
		if err != nil {
			var de *DeliveryError
			if errors.As(err, &de) && de.Temporary {
				temporary = true
				wait = max(wait, de.RetryAfter)
			}
			log.WarnContext(ctx, "alert delivery failed", "channel", ch, "error", err)
			errs = append(errs, err)
			continue
		}
		p.mark(key)
		sent++
		log.InfoContext(ctx, "alert delivered", "channel", ch)
	}
	err := errors.Join(errs...)
	switch {
	case err == nil:
		return nil, nil
	case temporary:
		if wait = min(wait, p.cfg.RetryAfterMax); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		return nil, fmt.Errorf("deliver alert %s: %w", ev.ID, err)
	case sent > 0:
		log.ErrorContext(ctx, "alert reached only some channels; the others fail for good", "error", err)
		return nil, nil
	}
	return nil, schemas.Permanent(fmt.Errorf("deliver alert %s: no channel works: %w", ev.ID, err))
}

func (p *Processor) done(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delivered[key]
}

func (p *Processor) mark(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.delivered) > 100_000 {
		clear(p.delivered)
	}
	p.delivered[key] = true
}

// Message is an alert rendered for the channels.
type Message struct {
	Subject string
	Text    string
	Slack   map[string]any
}

// Render words an alert for a human: who it is for, which candidate, what failed, which field,
// what to do. Nothing is added beyond the ids of the envelope and the alert's own text.
func Render(ev schemas.Event, a *schemas.Alert, owner string) Message {
	if owner == "" {
		owner = a.Owner
	}
	field := a.Field
	if field == "" {
		field = "-"
	}
	app := ev.ApplicationID
	if app == "" {
		app = "-"
	}
	at := ev.OccurredAt.UTC().Format(time.RFC3339)
	subject := fmt.Sprintf("[hirestream] %s needs you: candidate %s (%s)", a.Automation, ev.CandidateID, a.Severity)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", owner)
	fmt.Fprintf(&b, "%s could not finish and needs you.\n\n", a.Automation)
	fmt.Fprintf(&b, "What failed:  %s\n", a.Summary)
	fmt.Fprintf(&b, "Candidate:    %s (application %s)\n", ev.CandidateID, app)
	fmt.Fprintf(&b, "Field:        %s\n", field)
	fmt.Fprintf(&b, "Severity:     %s\n\n", a.Severity)
	fmt.Fprintf(&b, "What to do:   %s\n\n", a.Action)
	fmt.Fprintf(&b, "Alert %s, raised %s. You get this because the ownership config names you as the owner of %s.\n",
		ev.ID, at, a.Automation)

	header := fmt.Sprintf("%s: action needed", a.Automation)
	slack := map[string]any{
		// Mobile notifications show only text: make it the whole story in one line.
		"text": truncate(fmt.Sprintf(":rotating_light: %s — %s", a.Automation, a.Summary), 2900),
		"blocks": []any{
			map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncate(header, 150)}},
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate("*What failed*\n"+esc(a.Summary), 3000)}},
			map[string]any{"type": "section", "fields": []any{
				map[string]any{"type": "mrkdwn", "text": "*Candidate*\n" + esc(ev.CandidateID)},
				map[string]any{"type": "mrkdwn", "text": "*Application*\n" + esc(app)},
				map[string]any{"type": "mrkdwn", "text": "*Field*\n" + truncate(esc(field), 1900)},
				map[string]any{"type": "mrkdwn", "text": "*Owner*\n" + esc(owner)},
			}},
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": truncate("*What to do*\n"+esc(a.Action), 3000)}},
			map[string]any{"type": "context", "elements": []any{
				map[string]any{"type": "mrkdwn", "text": esc(fmt.Sprintf("alert %s · %s · severity %s", ev.ID, at, a.Severity))},
			}},
		},
	}
	return Message{Subject: subject, Text: b.String(), Slack: slack}
}

// esc escapes Slack mrkdwn control characters.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
