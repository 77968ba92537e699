// Package slack is a receiver for Slack incoming-webhook posts, answering as Slack does
// (shared/research/hris-and-alerts.md §3): POST JSON with "text" and/or "blocks" to
// /services/T.../B.../...; 200 with the plain body "ok"; 400 "invalid_payload" for bad JSON,
// 400 "no_text" when both are missing; 404 "no_service" for other paths. It can answer the next
// posts with 429 + Retry-After or another error. Tests and `hirestream emulate slack` use it.
package slack

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Message is one accepted post.
type Message struct {
	Path   string           `json:"path"`
	Text   string           `json:"text"`
	Blocks []map[string]any `json:"blocks,omitempty"`
	// Raw is the body as posted.
	Raw        json.RawMessage `json:"raw"`
	ReceivedAt time.Time       `json:"received_at"`
}

// Receiver is an http.Handler; safe for concurrent use.
type Receiver struct {
	// OnMessage, when set, is called for every accepted post (logging).
	OnMessage func(Message)

	mu         sync.Mutex
	msgs       []Message
	failNext   int
	failStatus int
	retryAfter int
}

// New returns a receiver with no messages.
func New() *Receiver { return &Receiver{} }

// Messages returns the accepted posts.
func (r *Receiver) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.msgs...)
}

// FailNext answers the next n posts with status (429 adds Retry-After: retryAfter seconds).
func (r *Receiver) FailNext(n, status, retryAfter int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failNext, r.failStatus, r.retryAfter = n, status, retryAfter
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// ServeHTTP accepts webhook posts; GET /_admin/messages lists them.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodGet && req.URL.Path == "/_admin/messages" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Messages())
		return
	}
	if req.Method != http.MethodPost || !strings.HasPrefix(req.URL.Path, "/services/") {
		plain(w, http.StatusNotFound, "no_service")
		return
	}
	r.mu.Lock()
	if r.failNext > 0 {
		r.failNext--
		status, ra := r.failStatus, r.retryAfter
		r.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(ra))
			plain(w, status, "rate_limited")
			return
		}
		plain(w, status, errorBody(status))
		return
	}
	r.mu.Unlock()
	var body struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	var raw json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<20)).Decode(&raw); err != nil || json.Unmarshal(raw, &body) != nil {
		plain(w, http.StatusBadRequest, "invalid_payload")
		return
	}
	if strings.TrimSpace(body.Text) == "" && len(body.Blocks) == 0 {
		plain(w, http.StatusBadRequest, "no_text")
		return
	}
	m := Message{Path: req.URL.Path, Text: body.Text, Blocks: body.Blocks, Raw: raw, ReceivedAt: time.Now()}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	if r.OnMessage != nil {
		r.OnMessage(m)
	}
	plain(w, http.StatusOK, "ok")
}

// errorBody is Slack's plain-text reason for an injected status.
func errorBody(status int) string {
	switch status {
	case http.StatusForbidden:
		return "action_prohibited"
	case http.StatusNotFound:
		return "no_service"
	case http.StatusGone:
		return "channel_is_archived"
	case http.StatusBadRequest:
		return "invalid_payload"
	}
	return "rollup_error"
}
