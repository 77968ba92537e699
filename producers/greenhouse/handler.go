package greenhouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hirestream/hirestream/schemas"
)

// Path is where the receiver listens.
const Path = "/webhooks/greenhouse"

// EventIDHeader carries Greenhouse's own id of a delivery.
const EventIDHeader = "Greenhouse-Event-ID"

// DefaultMaxBodyBytes is the body limit when HandlerConfig.MaxBodyBytes is 0. Greenhouse
// application payloads embed the candidate, jobs, interview kits and custom fields, so the limit
// is generous; the raw topic's max.message.bytes must be at least this plus headers.
const DefaultMaxBodyBytes int64 = 5 << 20

// retryAfterSeconds is sent with a 503 so Greenhouse (or any proxy honouring it) retries.
const retryAfterSeconds = "30"

// Publisher writes events to their topics (schemas.TopicFor).
//
// Publish must return only after the broker acknowledged every event (acks=all): a nil error
// means the events are durable and the handler may answer 200, after which Greenhouse will never
// send the delivery again. Any error is treated as transient: the handler answers 503.
type Publisher interface {
	Publish(ctx context.Context, evs ...schemas.Event) error
}

// HandlerConfig configures the webhook receiver.
type HandlerConfig struct {
	// Secret is the webhook's secret key, as entered in the Greenhouse Dev Center. Required:
	// with an empty secret every delivery is answered 500 (the receiver fails closed).
	Secret []byte
	// MaxBodyBytes caps the request body; a larger body is answered 413. Default: 5 MiB
	// (DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Now is the clock that stamps recorded_at (truncated to milliseconds). Default: time.Now.
	Now func() time.Time
}

// LogValue keeps the secret out of logs.
func (c HandlerConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("secret_set", len(c.Secret) > 0),
		slog.Int64("max_body_bytes", c.maxBody()),
	)
}

func (c HandlerConfig) maxBody() int64 {
	if c.MaxBodyBytes <= 0 {
		return DefaultMaxBodyBytes
	}
	return c.MaxBodyBytes
}

type handler struct {
	secret  []byte
	maxBody int64
	now     func() time.Time
	pub     Publisher
	log     *slog.Logger
}

// NewHandler returns the receiver for POST /webhooks/greenhouse (Path).
//
// For each request it reads the body up to MaxBodyBytes (413 beyond), verifies the Signature
// header over the raw bytes (401), checks the body is a JSON object with a string "action"
// (400), then publishes one raw event (schemas.TypeDeliveryReceived) carrying the verbatim body
// and headers, and answers exactly 200 with {"status":"accepted","event_id":"..."} once Publish
// returned nil. A Publish error answers 503 with Retry-After. Every answer is a small JSON
// object; rejections carry a "reason". Setup pings and unknown actions are stored and accepted
// like any other delivery. A nil log discards logs.
func NewHandler(cfg HandlerConfig, pub Publisher, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &handler{
		secret:  cfg.Secret,
		maxBody: cfg.maxBody(),
		now:     now,
		pub:     pub,
		log:     log.With("component", "greenhouse-webhook"),
	}
}

type response struct {
	Status  string `json:"status"`
	EventID string `json:"event_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.URL.Path != Path {
		h.reject(ctx, w, http.StatusNotFound, "no such endpoint; deliveries go to POST "+Path)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(ctx, w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; use POST", r.Method))
		return
	}
	if len(h.secret) == 0 {
		h.log.ErrorContext(ctx, "webhook secret not configured; rejecting delivery")
		writeJSON(w, http.StatusInternalServerError, response{Status: "error", Reason: "receiver misconfigured: no webhook secret"})
		return
	}

	if r.ContentLength > h.maxBody {
		h.reject(ctx, w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes exceeds the limit of %d bytes", r.ContentLength, h.maxBody))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.reject(ctx, w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds the limit of %d bytes", h.maxBody))
			return
		}
		h.reject(ctx, w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}

	if err := VerifySignature(h.secret, r.Header.Get(SignatureHeader), body); err != nil {
		if len(r.Header.Values(SignatureHeader)) > 1 {
			err = ErrMalformedSignature
		}
		h.reject(ctx, w, http.StatusUnauthorized, err.Error())
		return
	}

	action, err := ReadAction(body)
	if err != nil {
		h.reject(ctx, w, http.StatusBadRequest, err.Error())
		return
	}

	sourceEventID := strings.TrimSpace(r.Header.Get(EventIDHeader))
	at := h.now().UTC().Truncate(time.Millisecond)
	ev := schemas.Event{
		ID:            rawEventID(sourceEventID, body),
		Type:          schemas.TypeDeliveryReceived,
		OccurredAt:    at,
		RecordedAt:    at,
		SourceSystem:  SourceSystem,
		SourceEventID: sourceEventID,
		Payload: &schemas.RawDelivery{
			Action:  action,
			Path:    r.URL.Path,
			Headers: keptHeaders(r.Header),
			Body:    body,
		},
	}
	log := h.log.With("event_id", ev.ID, "source_event_id", sourceEventID, "action", action)
	if err := h.pub.Publish(ctx, ev); err != nil {
		log.ErrorContext(ctx, "store delivery; answering 503 so greenhouse retries", "error", err.Error())
		w.Header().Set("Retry-After", retryAfterSeconds)
		writeJSON(w, http.StatusServiceUnavailable, response{Status: "unavailable", EventID: ev.ID, Reason: "could not store the delivery; retry later"})
		return
	}
	log.DebugContext(ctx, "delivery stored", "bytes", len(body))
	writeJSON(w, http.StatusOK, response{Status: "accepted", EventID: ev.ID})
}

func (h *handler) reject(ctx context.Context, w http.ResponseWriter, status int, reason string) {
	h.log.WarnContext(ctx, "delivery rejected", "status", status, "reason", reason)
	writeJSON(w, status, response{Status: "rejected", Reason: reason})
}

func writeJSON(w http.ResponseWriter, status int, v response) {
	b, _ := json.Marshal(v) // a struct of strings cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// rawEventID is the id of the raw delivery event: Greenhouse's own delivery id when it sent
// one, else the body's SHA-256, so a retried delivery collapses onto the first copy.
func rawEventID(sourceEventID string, body []byte) string {
	if sourceEventID != "" {
		return schemas.DeriveID(SourceSystem, "delivery", sourceEventID)
	}
	return schemas.DeriveID(SourceSystem, "delivery", bodyDigest(body))
}

func bodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// droppedHeaders are credentials (Greenhouse's optional Basic auth, cookies from proxies): they
// are never written to the raw topic.
var droppedHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
}

// keptHeaders returns the request headers worth keeping with the body, canonical names, several
// values joined with ", ".
func keptHeaders(hdr http.Header) map[string]string {
	out := make(map[string]string, len(hdr))
	for k, vs := range hdr {
		k = http.CanonicalHeaderKey(k)
		if droppedHeaders[k] {
			continue
		}
		if prev, ok := out[k]; ok {
			vs = append([]string{prev}, vs...)
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}
