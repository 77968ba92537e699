package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

type sinkConfig struct {
	Kafka      config.Kafka      `env:", prefix=KAFKA_"`
	ClickHouse config.ClickHouse `env:", prefix=CLICKHOUSE_"`
	Retry      config.Retry      `env:", prefix=RETRY_"`
	Log        config.Log        `env:", prefix=LOG_"`
	// BatchSize flushes a batch at this many events. Default: 5000.
	BatchSize int `env:"SINK_BATCH_SIZE, default=5000"`
	// BatchWait flushes a non-empty batch this long after its first event. Default: 1s.
	BatchWait time.Duration `env:"SINK_BATCH_WAIT, default=1s"`
	// MetricsAddr serves /metrics and /healthz. Default: 127.0.0.1:9103.
	MetricsAddr string `env:"SINK_METRICS_ADDR, default=127.0.0.1:9103"`
}

func (c sinkConfig) Validate() error {
	errs := []error{c.Kafka.Validate(), c.ClickHouse.Validate(), c.Retry.Validate(), c.Log.Validate()}
	if c.BatchSize < 1 {
		errs = append(errs, fmt.Errorf("SINK_BATCH_SIZE: %d must be at least 1", c.BatchSize))
	}
	if c.BatchWait <= 0 {
		errs = append(errs, fmt.Errorf("SINK_BATCH_WAIT: %s must be > 0", c.BatchWait))
	}
	return errors.Join(errs...)
}

func runSink(ctx context.Context, _ []string) error {
	var cfg sinkConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	svc, err := newService("sink", cfg.Log)
	if err != nil {
		return err
	}
	conn, err := chsink.Open(ctx, chOptions(cfg.ClickHouse))
	if err != nil {
		return err
	}
	defer conn.Close()
	env := svc.env(cfg.Kafka, cfg.Retry)
	w := chsink.NewWriter(conn, cfg.ClickHouse.Database)
	hw := chsink.NewHRISSyncWriter(conn, cfg.ClickHouse.Database)
	return runAll(ctx, func(ctx context.Context) error { return pipeline.RunSink(ctx, env, w, cfg.BatchSize, cfg.BatchWait) },
		// Second consumer: HRIS sync outcomes into hris_syncs.
		func(ctx context.Context) error {
			return pipeline.RunHRISSyncSink(ctx, env, hw, cfg.BatchSize, cfg.BatchWait)
		},
		func(ctx context.Context) error {
			return stream.ServeHTTP(ctx, cfg.MetricsAddr, stream.MetricsMux(svc.reg), svc.log)
		})
}
