package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/producers/greenhouse"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

type replayConfig struct {
	Kafka      config.Kafka      `env:", prefix=KAFKA_"`
	ClickHouse config.ClickHouse `env:", prefix=CLICKHOUSE_"`
	Log        config.Log        `env:", prefix=LOG_"`
	// SalaryField is as for normalize; --renormalize uses it.
	SalaryField string `env:"GREENHOUSE_SALARY_FIELD"`
}

func (c replayConfig) Validate() error {
	return errors.Join(c.Kafka.Validate(), c.ClickHouse.Validate(), c.Log.Validate())
}

const replayUsage = `usage: hirestream replay [--from earliest|RFC3339] [--batch N] [--renormalize]

Re-reads ats.candidate-events.v1 from the earliest offset (or the first offset at or after
--from) up to its end as of the start, and writes every event into ClickHouse again.
Rows share their event_id with what is there already, so ReplacingMergeTree collapses them:
replaying twice never double counts. The analytics model (applications, stage_intervals) is
recomputed from the same events, so a replay into an empty database rebuilds it exactly.
hirestream.hris-sync.v1 is then replayed into hris_syncs the same way.

With --renormalize it instead re-runs the Greenhouse normalizer over the raw deliveries
(ats.raw-deliveries.v1) and publishes the canonical events again: use it after fixing a
normalizer bug. Unchanged events keep their ids and collapse; the running sink lands them.
`

func runReplay(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, replayUsage); fs.PrintDefaults() }
	fromFlag := fs.String("from", "earliest", "earliest, or an RFC3339 time: start at the first offset at or after it")
	batch := fs.Int("batch", 10000, "rows per ClickHouse insert")
	renormalize := fs.Bool("renormalize", false, "re-run the normalizer over the raw deliveries instead of refilling ClickHouse")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var from time.Time
	if *fromFlag != "earliest" {
		t, err := time.Parse(time.RFC3339, *fromFlag)
		if err != nil {
			return fmt.Errorf("--from: %q is neither earliest nor RFC3339 (e.g. 2026-11-01T00:00:00Z)", *fromFlag)
		}
		from = t
	}
	if *batch < 1 {
		return fmt.Errorf("--batch: %d must be at least 1", *batch)
	}
	var cfg replayConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	svc, err := newService("replay", cfg.Log)
	if err != nil {
		return err
	}
	env := svc.env(cfg.Kafka, config.Retry{})
	if *renormalize {
		_, _, err := pipeline.Renormalize(ctx, env, greenhouse.NewNormalizer(greenhouse.Options{SalaryField: cfg.SalaryField}), from, os.Stderr)
		return err
	}
	conn, err := chsink.Open(ctx, chOptions(cfg.ClickHouse))
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err = pipeline.Replay(ctx, env, chsink.NewWriter(conn, cfg.ClickHouse.Database), from, *batch, os.Stderr); err != nil {
		return err
	}
	_, err = pipeline.ReplayHRISSyncs(ctx, env, chsink.NewHRISSyncWriter(conn, cfg.ClickHouse.Database), from, *batch, os.Stderr)
	return err
}
