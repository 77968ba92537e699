package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/schemas"
)

// ErrRetriesExhausted wraps the last error once the retry budget is spent.
var ErrRetriesExhausted = errors.New("retries exhausted")

// backoff is the wait before attempt n+1 (n counts from 1): Initial·2^(n-1) capped at Max,
// with ±20% jitter so a fleet of consumers does not retry in lockstep.
func backoff(r config.Retry, n int) time.Duration {
	d := r.Initial
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	if d > r.Max {
		d = r.Max
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// retry calls fn until it succeeds, fails permanently, or the budget (attempts and elapsed time)
// runs out. Panics inside fn become errors (recover inside retry, as Watermill layers them).
// It returns the number of attempts made. A cancelled ctx returns ctx's error, never
// ErrRetriesExhausted, so the caller can tell "shutting down" from "gave up".
func retry(ctx context.Context, r config.Retry, onRetry func(attempt int, err error), fn func(context.Context) error) (int, error) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		err := recovered(ctx, fn)
		if err == nil {
			return attempt, nil
		}
		if ctx.Err() != nil {
			return attempt, ctx.Err()
		}
		if schemas.IsPermanent(err) {
			return attempt, err
		}
		if attempt >= r.MaxAttempts || time.Since(start) >= r.MaxElapsed {
			return attempt, fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, attempt, err)
		}
		if onRetry != nil {
			onRetry(attempt, err)
		}
		t := time.NewTimer(backoff(r, attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, ctx.Err()
		case <-t.C:
		}
	}
}

func recovered(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx)
}
