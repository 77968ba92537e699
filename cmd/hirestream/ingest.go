package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/producers/greenhouse"
)

type ingestConfig struct {
	Kafka config.Kafka `env:", prefix=KAFKA_"`
	Log   config.Log   `env:", prefix=LOG_"`
	// Addr is where webhooks are served (also /metrics and /healthz). Default: 127.0.0.1:8080.
	Addr string `env:"INGEST_ADDR, default=127.0.0.1:8080"`
	// MaxBodyBytes refuses larger deliveries with 413. Default: 5 MiB.
	MaxBodyBytes int64 `env:"INGEST_MAX_BODY_BYTES, default=5242880"`
	// GreenhouseSecret is the webhook's secret key from Greenhouse's Dev Center. Required.
	GreenhouseSecret string `env:"GREENHOUSE_WEBHOOK_SECRET, required"`
}

func (c ingestConfig) Validate() error {
	errs := []error{c.Kafka.Validate(), c.Log.Validate()}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("INGEST_MAX_BODY_BYTES: %d is below 1024", c.MaxBodyBytes))
	}
	if len(c.GreenhouseSecret) < 8 {
		errs = append(errs, errors.New("GREENHOUSE_WEBHOOK_SECRET: shorter than 8 characters; use the secret key configured on the Greenhouse webhook"))
	}
	return errors.Join(errs...)
}

func runIngest(ctx context.Context, _ []string) error {
	var cfg ingestConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	svc, err := newService("ingest", cfg.Log)
	if err != nil {
		return err
	}
	pub := stream.NewProducer(cfg.Kafka.Brokers, svc.codec, svc.metrics, svc.log)
	defer pub.Close()
	mux := stream.MetricsMux(svc.reg)
	mux.Handle("/webhooks/greenhouse", stream.InstrumentWebhook(svc.reg, "greenhouse", greenhouse.NewHandler(greenhouse.HandlerConfig{
		Secret: []byte(cfg.GreenhouseSecret), MaxBodyBytes: cfg.MaxBodyBytes, Now: time.Now,
	}, pub, svc.log)))
	return stream.ServeHTTP(ctx, cfg.Addr, http.Handler(mux), svc.log)
}
