package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// service is what every long-running subcommand builds first.
type service struct {
	log     *slog.Logger
	codec   *schemas.Codec
	reg     *prometheus.Registry
	metrics *stream.Metrics
}

func newService(name string, lc config.Log) (*service, error) {
	codec, err := schemas.NewCodec()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &service{log: stream.NewLogger(lc.SlogLevel(), name), codec: codec, reg: reg, metrics: stream.NewMetrics(reg)}, nil
}

func (s *service) env(k config.Kafka, r config.Retry) pipeline.Env {
	return pipeline.Env{Brokers: k.Brokers, Codec: s.codec, Metrics: s.metrics, Log: s.log, Retry: r}
}

func chOptions(c config.ClickHouse) chsink.Options {
	return chsink.Options{Addr: c.Addr, Database: c.Database, User: c.User, Password: c.Password}
}

// runAll runs fns until the first returns; the others are cancelled and awaited.
func runAll(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errc <- fn(ctx) }()
	}
	var errs []error
	for i := range fns {
		err := <-errc
		if i == 0 {
			cancel()
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
