package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/producers/simulate"
)

type simulateConfig struct {
	// IngestURL is the base URL of `hirestream ingest`. Default: http://127.0.0.1:8080.
	IngestURL string `env:"INGEST_URL, default=http://127.0.0.1:8080"`
	// GreenhouseSecret signs the deliveries; it must match ingest's. Required.
	GreenhouseSecret string `env:"GREENHOUSE_WEBHOOK_SECRET, required"`
	// Candidates is how many synthetic candidates go through the funnel. Default: 300.
	Candidates int `env:"SIMULATE_CANDIDATES, default=300"`
	// Rate caps deliveries per second; 0 posts as fast as ingest answers. Default: 100.
	Rate float64 `env:"SIMULATE_RATE, default=100"`
	// Seed makes the run reproducible. Default: 1.
	Seed uint64 `env:"SIMULATE_SEED, default=1"`
	// DuplicateRate re-sends that share of deliveries verbatim, as ATS retries do. Default: 0.02.
	DuplicateRate float64 `env:"SIMULATE_DUPLICATE_RATE, default=0.02"`
	// Days is how far back in ATS time the synthetic history starts. Default: 60.
	Days int `env:"SIMULATE_DAYS, default=60"`
}

func (c simulateConfig) Validate() error {
	var errs []error
	if u, err := url.Parse(c.IngestURL); err != nil || u.Scheme == "" || u.Host == "" {
		errs = append(errs, fmt.Errorf("INGEST_URL: %q is not an absolute URL like http://127.0.0.1:8080", c.IngestURL))
	}
	if c.Candidates < 1 {
		errs = append(errs, fmt.Errorf("SIMULATE_CANDIDATES: %d must be at least 1", c.Candidates))
	}
	if c.Rate < 0 {
		errs = append(errs, fmt.Errorf("SIMULATE_RATE: %g must be >= 0", c.Rate))
	}
	if c.DuplicateRate < 0 || c.DuplicateRate > 0.5 {
		errs = append(errs, fmt.Errorf("SIMULATE_DUPLICATE_RATE: %g must be within [0, 0.5]", c.DuplicateRate))
	}
	return errors.Join(errs...)
}

const simulateUsage = `usage: hirestream simulate [--history --events N [--days D] [--jobs J] [--seed S] [--workers W]]

Without flags: posts signed synthetic Greenhouse webhooks to ingest (SIMULATE_* variables).

With --history: writes a large realistic recruiting history (canonical events, as the
normalizer would have produced them) straight to ats.candidate-events.v1, with progress
output; the running sink lands it in ClickHouse. For benchmarks and demos.
`

func runSimulate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, simulateUsage); fs.PrintDefaults() }
	history := fs.Bool("history", false, "write a large history straight to Kafka instead of posting webhooks")
	events := fs.Int("events", 1_000_000, "--history: about how many events to write")
	days := fs.Int("days", 365, "--history: applications arrive over this many days before today")
	jobs := fs.Int("jobs", 240, "--history: open jobs")
	seed := fs.Uint64("seed", 1, "--history: seed (the same seed gives the same events)")
	workers := fs.Int("workers", 4, "--history: parallel Kafka publishers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *history {
		return runHistory(ctx, simulate.HistoryConfig{Events: *events, Days: *days, Jobs: *jobs, Seed: *seed}, *workers)
	}
	var cfg simulateConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	gen := simulate.New(simulate.Config{
		Seed: cfg.Seed, Candidates: cfg.Candidates, DuplicateRate: cfg.DuplicateRate,
		Start: time.Now().UTC().AddDate(0, 0, -cfg.Days),
	})
	poster := &simulate.Poster{URL: cfg.IngestURL, Secret: []byte(cfg.GreenhouseSecret), Client: &http.Client{Timeout: 30 * time.Second}}
	stats, err := simulate.Run(ctx, gen, poster, simulate.RunOptions{Rate: cfg.Rate, Progress: os.Stderr})
	fmt.Printf("simulate: done: %+v\n", stats)
	return err
}

type historyConfig struct {
	Kafka config.Kafka `env:", prefix=KAFKA_"`
	Log   config.Log   `env:", prefix=LOG_"`
}

func (c historyConfig) Validate() error { return errors.Join(c.Kafka.Validate(), c.Log.Validate()) }

func runHistory(ctx context.Context, hc simulate.HistoryConfig, workers int) error {
	if hc.Events < 1 || workers < 1 {
		return fmt.Errorf("--events and --workers must be at least 1")
	}
	var cfg historyConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	svc, err := newService("simulate", cfg.Log)
	if err != nil {
		return err
	}
	pub := svc.env(cfg.Kafka, config.Retry{}).Producer()
	defer pub.Close()
	h := simulate.NewHistory(hc)
	st, err := h.Run(ctx, pub, workers, os.Stderr)
	fmt.Printf("simulate --history: wrote %d events for %d applications in %s (%.0f events/s)\n",
		st.Events, st.Applications, st.Elapsed.Round(time.Millisecond), float64(st.Events)/max(st.Elapsed.Seconds(), 1e-9))
	return err
}
