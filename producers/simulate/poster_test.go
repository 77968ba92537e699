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
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("s3cr3t-webhook-key")

// verifySignature checks a Greenhouse Signature header independently of Sign.
func verifySignature(header string, secret, body []byte) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256 ")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || hexSig != strings.ToLower(hexSig) {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

func firstDelivery(t *testing.T) Delivery {
	t.Helper()
	d, ok := New(Config{Seed: 3, Candidates: 5, Start: testStart}).Next()
	if !ok {
		t.Fatal("no delivery")
	}
	return d
}

func fastPoster(url string) *Poster {
	return &Poster{URL: url, Secret: testSecret, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
}

func TestPosterSendsSignedDelivery(t *testing.T) {
	d := firstDelivery(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/webhooks/greenhouse":
			http.Error(w, "bad route "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		case r.Header.Get("Content-Type") != "application/json":
			http.Error(w, "content type", http.StatusUnsupportedMediaType)
		case !verifySignature(r.Header.Get("Signature"), testSecret, body):
			http.Error(w, "bad signature", http.StatusUnauthorized)
		case r.Header.Get("Greenhouse-Event-ID") != d.EventID:
			http.Error(w, "event id", http.StatusBadRequest)
		case r.Header.Get("User-Agent") != "Greenhouse-Webhooks/1.0 (hirestream-simulator)":
			http.Error(w, "user agent "+r.Header.Get("User-Agent"), http.StatusBadRequest)
		case !bytes.Equal(body, d.Body):
			http.Error(w, "body changed in transit", http.StatusBadRequest)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()

	p := fastPoster(srv.URL + "/") // trailing slash tolerated
	if err := p.Post(context.Background(), d); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}

	// A wrong secret is rejected by the receiver: a permanent error that
	// names the status and the body, without retries.
	calls.Store(0)
	p.Secret = []byte("wrong")
	err := p.Post(context.Background(), d)
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusUnauthorized || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "bad signature") {
		t.Fatalf("want a 401 StatusError naming the body, got %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("a 401 was retried: %d calls", calls.Load())
	}
}

func TestSignMatchesHMAC(t *testing.T) {
	body := []byte(`{"action":"ping","payload":{"name":"Zo\u00eb"}}`)
	sig := Sign(testSecret, body)
	if !regexp.MustCompile(`^sha256 [0-9a-f]{64}$`).MatchString(sig) || !verifySignature(sig, testSecret, body) {
		t.Fatalf("Sign = %q", sig)
	}
}

func TestPosterRetriesTransientFailures(t *testing.T) {
	d := firstDelivery(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "kafka unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	if err := fastPoster(srv.URL).Post(context.Background(), d); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls, want 3", calls.Load())
	}

	// Always failing: gives up after MaxAttempts naming the last status.
	calls.Store(-1000)
	p := fastPoster(srv.URL)
	p.MaxAttempts = 3
	err := p.Post(context.Background(), d)
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "kafka unavailable") || !strings.Contains(err.Error(), "3/3") {
		t.Fatalf("want a 503 error after 3 attempts, got %v", err)
	}
}

func TestPosterRetriesConnectionRefusedAndHonoursContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens here any more: connection refused

	p := fastPoster("http://" + addr)
	p.MaxAttempts = 3
	if err := p.Post(context.Background(), firstDelivery(t)); err == nil || !strings.Contains(err.Error(), "3/3") {
		t.Fatalf("want failure after 3 attempts, got %v", err)
	}

	p.MaxAttempts, p.Backoff, p.MaxBackoff = 100, time.Hour, time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = p.Post(ctx, firstDelivery(t))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the context error while backing off, got %v", err)
	}
}

// recorder is a receiver that records what it accepted, failing the first
// failFirst requests with 503.
type recorder struct {
	mu        sync.Mutex
	failFirst int
	calls     int
	ids       []string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls++
	if rc.calls <= rc.failFirst {
		http.Error(w, "warming up", http.StatusServiceUnavailable)
		return
	}
	if !verifySignature(r.Header.Get("Signature"), testSecret, body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.ids = append(rc.ids, r.Header.Get("Greenhouse-Event-ID"))
	w.WriteHeader(http.StatusOK)
}

func TestRunSurvivesInitial503s(t *testing.T) {
	rc := &recorder{failFirst: 2}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	cfg := Config{Seed: 5, Candidates: 30, Start: testStart}
	want := collect(t, cfg)
	var progress bytes.Buffer
	opts := RunOptions{Progress: &progress, ProgressInterval: 10 * time.Millisecond, Rate: 2000}
	stats, err := Run(context.Background(), New(cfg), fastPoster(srv.URL), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if stats.Sent != len(want) || stats.Failed != 0 || stats.Total != len(want) {
		t.Fatalf("stats %+v, want %d sent", stats, len(want))
	}
	if stats.Applications() != 30 || stats.Rejections() == 0 {
		t.Errorf("stats by action %v", stats.ByAction)
	}
	// Concurrency 1: the receiver saw exactly the generator's order.
	for i, d := range want {
		if rc.ids[i] != d.EventID {
			t.Fatalf("delivery %d: receiver got %s, want %s", i, rc.ids[i], d.EventID)
		}
	}
	anyLine := regexp.MustCompile(`^simulate: \d+/\d+ deliveries \(\d+/s\) applications=\d+ hires=\d+ rejections=\d+ errors=0$`)
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) < 2 {
		t.Errorf("want periodic progress lines and a final one, got %q", lines)
	}
	for _, l := range lines {
		if !anyLine.MatchString(l) {
			t.Errorf("progress line %q", l)
		}
	}
	final := fmt.Sprintf("simulate: %d/%d deliveries (", len(want), len(want))
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, final) || !strings.Contains(last, " applications=30 ") {
		t.Errorf("final progress line %q", last)
	}
}

func TestRunConcurrentKeepsPerApplicationOrder(t *testing.T) {
	rc := &recorder{}
	srv := httptest.NewServer(rc)
	defer srv.Close()

	cfg := Config{Seed: 9, Candidates: 60, Start: testStart}
	want := collect(t, cfg)
	stats, err := Run(context.Background(), New(cfg), fastPoster(srv.URL), RunOptions{Concurrency: 4})
	if err != nil || stats.Sent != len(want) {
		t.Fatalf("Run: %v, %+v", err, stats)
	}
	pos := map[string]int{}
	for i, id := range rc.ids {
		pos[id] = i
	}
	last := map[int64]int{}
	for _, d := range want {
		if d.ApplicationID == 0 {
			continue
		}
		p, ok := pos[d.EventID]
		if !ok {
			t.Fatalf("event %s never arrived", d.EventID)
		}
		if prev, seen := last[d.ApplicationID]; seen && p < prev {
			t.Fatalf("application %d: deliveries reordered", d.ApplicationID)
		}
		last[d.ApplicationID] = p
	}
}

func TestRunRateLimitAndFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "schema mismatch", http.StatusBadRequest)
	}))
	defer srv.Close()

	cfg := Config{Seed: 1, Candidates: 3, Start: testStart}
	n := New(cfg).Total()
	began := time.Now()
	stats, err := Run(context.Background(), New(cfg), fastPoster(srv.URL), RunOptions{Rate: 200})
	if err == nil || !strings.Contains(err.Error(), "400") || stats.Failed != n || stats.Sent != 0 {
		t.Fatalf("want every delivery to fail with 400: err %v, stats %+v", err, stats)
	}
	// n deliveries at 200/s need at least (n-1)/200 s: the limiter paces.
	if floor := time.Duration(n-1) * time.Second / 200; time.Since(began) < floor {
		t.Errorf("%d deliveries took %s at 200/s, want >= %s", n, time.Since(began), floor)
	}

	stats, err = Run(context.Background(), New(cfg), fastPoster(srv.URL), RunOptions{StopOnError: true})
	if err == nil || stats.Failed != 1 {
		t.Fatalf("StopOnError: err %v, stats %+v", err, stats)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, New(Config{Seed: 1, Candidates: 50, Start: testStart}), fastPoster(srv.URL), RunOptions{Rate: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
