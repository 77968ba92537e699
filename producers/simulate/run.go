package simulate

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// RunOptions tunes Run.
type RunOptions struct {
	// Rate limits deliveries per second (0: as fast as possible).
	Rate float64
	// Concurrency is the number of parallel posters (default 1). Deliveries
	// are sharded by application (candidate when there is none), so one
	// application's deliveries are still posted in order at any concurrency.
	Concurrency int
	// Progress receives a progress line every ProgressInterval (default 1 s)
	// and a final one; nil disables progress output.
	Progress         io.Writer
	ProgressInterval time.Duration
	// StopOnError stops the run at the first delivery that fails after
	// retries; by default failures are counted and the run goes on.
	StopOnError bool
}

// Stats summarises a run.
type Stats struct {
	Total    int            // deliveries the generator produces in all
	Sent     int            // deliveries answered 200
	Failed   int            // deliveries that failed after retries
	ByAction map[string]int // sent deliveries per action
	Elapsed  time.Duration
}

// Applications, Hires and Rejections count sent deliveries of the
// corresponding actions.
func (s Stats) Applications() int { return s.ByAction[ActionNewCandidateApplication] }
func (s Stats) Hires() int        { return s.ByAction[ActionHireCandidate] }
func (s Stats) Rejections() int   { return s.ByAction[ActionRejectCandidate] }

func (s Stats) line(rate float64) string {
	return fmt.Sprintf("simulate: %d/%d deliveries (%.0f/s) applications=%d hires=%d rejections=%d errors=%d",
		s.Sent+s.Failed, s.Total, rate, s.Applications(), s.Hires(), s.Rejections(), s.Failed)
}

// Run posts every delivery of gen with poster and returns what happened.
// It returns ctx.Err() when ctx ends first, the first failure when
// StopOnError is set, or an error counting the failed deliveries.
func Run(ctx context.Context, gen *Generator, poster *Poster, opts RunOptions) (Stats, error) {
	workers := max(opts.Concurrency, 1)
	interval := opts.ProgressInterval
	if interval <= 0 {
		interval = time.Second
	}
	began := time.Now()
	var (
		mu       sync.Mutex
		stats    = Stats{Total: gen.Total(), ByAction: map[string]int{}}
		firstErr error
	)
	snapshot := func() Stats {
		mu.Lock()
		defer mu.Unlock()
		s := stats
		s.ByAction = make(map[string]int, len(stats.ByAction))
		for k, v := range stats.ByAction {
			s.ByAction[k] = v
		}
		return s
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	queues := make([]chan Delivery, workers)
	for i := range queues {
		queues[i] = make(chan Delivery, 64)
		wg.Add(1)
		go func(q <-chan Delivery) {
			defer wg.Done()
			for d := range q {
				if runCtx.Err() != nil {
					continue // drain
				}
				err := poster.Post(runCtx, d)
				mu.Lock()
				if err == nil {
					stats.Sent++
					stats.ByAction[d.Action]++
				} else if runCtx.Err() == nil {
					stats.Failed++
					if firstErr == nil {
						firstErr = err
					}
					if opts.StopOnError {
						cancel()
					}
				}
				mu.Unlock()
			}
		}(queues[i])
	}

	progressDone := make(chan struct{})
	progressStopped := make(chan struct{})
	go func() {
		defer close(progressStopped)
		if opts.Progress == nil {
			<-progressDone
			return
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		prev, prevAt := 0, time.Now()
		for {
			select {
			case <-progressDone:
				return
			case now := <-tick.C:
				s := snapshot()
				n := s.Sent + s.Failed
				fmt.Fprintln(opts.Progress, s.line(float64(n-prev)/now.Sub(prevAt).Seconds()))
				prev, prevAt = n, now
			}
		}
	}()

	// Dispatch, paced by the rate limit.
	var gap time.Duration
	if opts.Rate > 0 {
		gap = time.Duration(float64(time.Second) / opts.Rate)
	}
	next := time.Now()
dispatch:
	for {
		d, ok := gen.Next()
		if !ok {
			break
		}
		if gap > 0 {
			if wait := time.Until(next); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-runCtx.Done():
					t.Stop()
					break dispatch
				case <-t.C:
				}
			}
			next = next.Add(gap)
			if behind := time.Now().Add(-gap); next.Before(behind) {
				next = behind // do not burst to catch up after a stall
			}
		}
		key := d.ApplicationID
		if key == 0 {
			key = d.CandidateID
		}
		select {
		case queues[uint64(key)%uint64(workers)] <- d:
		case <-runCtx.Done():
			break dispatch
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	close(progressDone)
	<-progressStopped

	final := snapshot()
	final.Elapsed = time.Since(began)
	if opts.Progress != nil {
		fmt.Fprintln(opts.Progress, final.line(float64(final.Sent+final.Failed)/max(final.Elapsed.Seconds(), 1e-9)))
	}
	switch {
	case ctx.Err() != nil:
		return final, ctx.Err()
	case firstErr != nil && opts.StopOnError:
		return final, firstErr
	case firstErr != nil:
		return final, fmt.Errorf("simulate: %d of %d deliveries failed; first: %w", final.Failed, final.Sent+final.Failed, firstErr)
	}
	return final, nil
}
