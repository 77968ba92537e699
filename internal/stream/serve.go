package stream

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewLogger is the one JSON logger a service builds in main and passes down.
func NewLogger(level slog.Level, service string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("service", service)
}

// ServeHTTP serves h on addr until ctx is cancelled, then shuts down gracefully.
func ServeHTTP(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.InfoContext(ctx, "http listening", "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// MetricsMux serves /metrics from reg and /healthz.
func MetricsMux(reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	return mux
}

// InstrumentWebhook counts and times the requests h serves, by status code:
// hirestream_webhook_requests_total{source,code} and hirestream_webhook_duration_seconds{source}.
// A spike of 401s is a rotated secret; of 503s, a broker problem.
func InstrumentWebhook(reg prometheus.Registerer, source string, h http.Handler) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hirestream_webhook_requests_total",
		Help: "Webhook deliveries answered, by status code.", ConstLabels: prometheus.Labels{"source": source}}, []string{"code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hirestream_webhook_duration_seconds",
		Help: "Time to answer a webhook delivery (the Kafka ack included).", ConstLabels: prometheus.Labels{"source": source},
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"code"})
	reg.MustRegister(requests, duration)
	return promhttp.InstrumentHandlerDuration(duration, promhttp.InstrumentHandlerCounter(requests, h))
}
