package hrissync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HRIS is what the sync needs from an HR system (a consumer-side interface). Implementations:
// BambooHR (its documented REST API) and REST (a generic JSON target configured by URL and
// field names).
//
// Errors are *Error when the HRIS answered, or transport errors; Temporary tells the two
// classes apart. None of the methods retries: the processor decides.
type HRIS interface {
	// Target names the system in outcomes and the hris_syncs table, e.g. "bamboohr".
	Target() string
	// Find returns the ids of the employees whose key field holds key (the ATS candidate id).
	// More than one id means the HRIS already holds duplicates.
	Find(ctx context.Context, key string) ([]string, error)
	// Create adds an employee holding rec and returns its id. There is no idempotency key: when
	// the error is temporary the employee may or may not exist, so callers Find before creating
	// again. A non-empty id with an error means the employee exists but not all of rec was
	// written (BambooHR writes job and compensation rows after the employee).
	Create(ctx context.Context, rec Record) (string, error)
	// Update writes changes (a subset of want) to employee id. want is the whole desired record,
	// for targets that write groups of fields together (BambooHR table rows).
	Update(ctx context.Context, id string, changes, want Record) error
	// Get reads fields of employee id in the same normalised text form as Record; a field the
	// HRIS holds no value for is "".
	Get(ctx context.Context, id string, fields []string) (Record, error)
}

// Error is an HRIS answer that is not a success.
type Error struct {
	// Op is the request, e.g. "POST /v1/employees".
	Op     string
	Status int
	// Message is the HRIS's own reason (BambooHR: the X-BambooHR-Error-Message header).
	Message string
	// RetryAfter is the wait the HRIS asked for (503 + Retry-After), 0 if none.
	RetryAfter time.Duration
	// Temporary errors may succeed when retried: 5xx, 408, throttling.
	Temporary bool
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: HTTP %d", e.Op, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Sentinels for answers the processor handles specially.
var (
	// ErrConflict: 409, e.g. another employee already has this work email.
	ErrConflict = errors.New("conflict")
	// ErrNotFound: 404 for an employee id.
	ErrNotFound = errors.New("not found")
	// ErrLimit: BambooHR's 429, the account's employee (seat) limit.
	ErrLimit = errors.New("employee limit reached")
)

// Is lets errors.Is(err, ErrConflict) and friends match by status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrLimit:
		return e.Status == http.StatusTooManyRequests && !e.Temporary
	}
	return false
}

// Temporary reports whether err may go away when retried: transport failures (timeouts,
// refused or reset connections, an answer cut short) and *Error marked Temporary.
func Temporary(err error) bool {
	if err == nil {
		return false
	}
	var he *Error
	if errors.As(err, &he) {
		return he.Temporary
	}
	if errors.Is(err, context.Canceled) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// Anything else from the transport (EOF, connection reset, protocol errors): the request's
	// outcome is unknown, which is exactly the temporary case.
	var te *transportError
	return errors.As(err, &te)
}

// RetryAfter returns the wait an HRIS asked for, if any.
func RetryAfter(err error) time.Duration {
	var he *Error
	if errors.As(err, &he) {
		return he.RetryAfter
	}
	return 0
}

// transportError marks an error of the HTTP round trip (no answer).
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// statusTemporary is the retry class of an HTTP status for HRIS calls.
func statusTemporary(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
