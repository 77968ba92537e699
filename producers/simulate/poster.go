package simulate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookPath is where the receiver listens for Greenhouse deliveries.
const WebhookPath = "/webhooks/greenhouse"

// UserAgent is sent with every delivery.
const UserAgent = "Greenhouse-Webhooks/1.0 (hirestream-simulator)"

// Sign returns the Greenhouse Signature header value for body:
// "sha256 " followed by the lowercase hex HMAC-SHA256 of the raw body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256 " + hex.EncodeToString(m.Sum(nil))
}

// NewRequest builds the signed POST <baseURL>/webhooks/greenhouse request
// for d, with the headers Greenhouse sends. Receiver tests can use it to
// replay generated deliveries through an http.Handler.
func NewRequest(ctx context.Context, baseURL string, secret []byte, d Delivery) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+WebhookPath, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Signature", Sign(secret, d.Body))
	req.Header.Set("Greenhouse-Event-ID", d.EventID)
	req.Header.Set("User-Agent", UserAgent)
	return req, nil
}

// Poster posts deliveries to a hirestream webhook receiver.
type Poster struct {
	URL    string // base URL, e.g. http://127.0.0.1:8080
	Secret []byte
	Client *http.Client // nil: a client with a 30 s timeout

	// MaxAttempts bounds the attempts per delivery (default 5). Transient
	// failures (transport errors, 429, 5xx) are retried.
	MaxAttempts int
	// Backoff is the wait before the first retry (default 200 ms); it
	// doubles per attempt up to MaxBackoff (default 5 s). A 429/503
	// Retry-After in seconds is honoured within the same cap.
	Backoff, MaxBackoff time.Duration
}

var defaultClient = &http.Client{Timeout: 30 * time.Second}

// StatusError is returned for a response other than 200 OK (Greenhouse
// treats anything but exactly 200 as a failure).
type StatusError struct {
	Code int
	Body string // first KiB of the response body
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("receiver answered %d %s: %q", e.Code, http.StatusText(e.Code), e.Body)
}

func (e *StatusError) transient() bool {
	return e.Code == http.StatusTooManyRequests || e.Code >= 500
}

// Post sends d, retrying transient failures with capped exponential backoff
// until ctx is done. The error names the action, the event id, the attempts
// and the last status and response body.
func (p *Poster) Post(ctx context.Context, d Delivery) error {
	attempts := p.MaxAttempts
	if attempts <= 0 {
		attempts = 5
	}
	wait := p.Backoff
	if wait <= 0 {
		wait = 200 * time.Millisecond
	}
	capWait := p.MaxBackoff
	if capWait <= 0 {
		capWait = 5 * time.Second
	}
	for attempt := 1; ; attempt++ {
		retryAfter, err := p.once(ctx, d)
		if err == nil {
			return nil
		}
		var se *StatusError
		transient := ctx.Err() == nil && (!errors.As(err, &se) || se.transient())
		if !transient || attempt >= attempts {
			return fmt.Errorf("simulate: post %s (event %s), attempt %d/%d: %w", d.Action, d.EventID, attempt, attempts, err)
		}
		sleep := wait
		if retryAfter > 0 {
			sleep = retryAfter
		}
		sleep = min(sleep, capWait)
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("simulate: post %s (event %s), attempt %d/%d: %w (then %w)", d.Action, d.EventID, attempt, attempts, err, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, capWait)
	}
}

func (p *Poster) once(ctx context.Context, d Delivery) (retryAfter time.Duration, err error) {
	req, err := NewRequest(ctx, p.URL, p.Secret, d)
	if err != nil {
		return 0, err
	}
	client := p.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // keep the connection reusable
	if resp.StatusCode == http.StatusOK {
		return 0, nil
	}
	if s, convErr := strconv.Atoi(resp.Header.Get("Retry-After")); convErr == nil && s > 0 {
		retryAfter = time.Duration(s) * time.Second
	}
	return retryAfter, &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(body))}
}
