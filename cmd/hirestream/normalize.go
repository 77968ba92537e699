package main

import (
	"context"
	"errors"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/producers/greenhouse"
)

type normalizeConfig struct {
	Kafka config.Kafka `env:", prefix=KAFKA_"`
	Retry config.Retry `env:", prefix=RETRY_"`
	Log   config.Log   `env:", prefix=LOG_"`
	// SalaryField is the Greenhouse offer custom-field key holding base salary. Default: empty,
	// meaning the first currency field whose key mentions salary.
	SalaryField string `env:"GREENHOUSE_SALARY_FIELD"`
	// MetricsAddr serves /metrics and /healthz. Default: 127.0.0.1:9102.
	MetricsAddr string `env:"NORMALIZE_METRICS_ADDR, default=127.0.0.1:9102"`
}

func (c normalizeConfig) Validate() error {
	return errors.Join(c.Kafka.Validate(), c.Retry.Validate(), c.Log.Validate())
}

func runNormalize(ctx context.Context, _ []string) error {
	var cfg normalizeConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	svc, err := newService("normalize", cfg.Log)
	if err != nil {
		return err
	}
	env := svc.env(cfg.Kafka, cfg.Retry)
	norm := greenhouse.NewNormalizer(greenhouse.Options{SalaryField: cfg.SalaryField})
	return runAll(ctx, func(ctx context.Context) error { return pipeline.RunNormalizer(ctx, env, norm) },
		func(ctx context.Context) error {
			return stream.ServeHTTP(ctx, cfg.MetricsAddr, stream.MetricsMux(svc.reg), svc.log)
		})
}
