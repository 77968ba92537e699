package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/dashboards"
	"github.com/hirestream/hirestream/dashboards/web"
	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/dashboard"
	"github.com/hirestream/hirestream/internal/stream"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

// dashboardConfig: the dashboard reads ClickHouse as its own (read-only) user, so the shared
// CLICKHOUSE_USER/PASSWORD of the writing services do not apply to it.
type dashboardConfig struct {
	// Addr is where the page and its API listen. Default: 127.0.0.1:8090.
	Addr string `env:"DASHBOARD_ADDR, default=127.0.0.1:8090"`
	// ClickHouseAddr is host:port of ClickHouse's native protocol. Default: 127.0.0.1:9000.
	ClickHouseAddr string `env:"CLICKHOUSE_ADDR, default=127.0.0.1:9000"`
	// Database holds hirestream's tables. Default: hirestream.
	Database string `env:"CLICKHOUSE_DATABASE, default=hirestream"`
	// User is the read-only ClickHouse user. Default: hirestream_ro (created by
	// deploy/local/infra.sh and the compose file).
	User string `env:"DASHBOARD_CLICKHOUSE_USER, default=hirestream_ro"`
	// Password of User. Default: empty. Secret: never logged.
	Password string `env:"DASHBOARD_CLICKHOUSE_PASSWORD"`
	// QueryTimeout bounds one metric query. Default: 30s.
	QueryTimeout time.Duration `env:"DASHBOARD_QUERY_TIMEOUT, default=30s"`
	Log          config.Log    `env:", prefix=LOG_"`
}

func (c dashboardConfig) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("DASHBOARD_ADDR: %q is not host:port (%v); e.g. 127.0.0.1:8090", c.Addr, err))
	}
	ch := config.ClickHouse{Addr: c.ClickHouseAddr, Database: c.Database, User: c.User}
	errs = append(errs, ch.Validate(), c.Log.Validate())
	if c.User == "" {
		errs = append(errs, errors.New("DASHBOARD_CLICKHOUSE_USER: empty; set it to a read-only ClickHouse user (e.g. hirestream_ro)"))
	}
	if c.QueryTimeout <= 0 {
		errs = append(errs, fmt.Errorf("DASHBOARD_QUERY_TIMEOUT: %s must be > 0", c.QueryTimeout))
	}
	return errors.Join(errs...)
}

// LogValue keeps the password out of logs.
func (c dashboardConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", c.Addr), slog.String("clickhouse_addr", c.ClickHouseAddr),
		slog.String("database", c.Database), slog.String("user", c.User), slog.Bool("password_set", c.Password != ""),
		slog.String("query_timeout", c.QueryTimeout.String()))
}

func runDashboard(ctx context.Context, _ []string) error {
	var cfg dashboardConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	svc, err := newService("dashboard", cfg.Log)
	if err != nil {
		return err
	}
	svc.log.InfoContext(ctx, "starting", "config", cfg)
	conn, err := chsink.Open(ctx, chsink.Options{Addr: cfg.ClickHouseAddr, Database: cfg.Database, User: cfg.User, Password: cfg.Password})
	if err != nil {
		return fmt.Errorf("%w (the dashboard connects as DASHBOARD_CLICKHOUSE_USER=%q with DASHBOARD_CLICKHOUSE_PASSWORD)", err, cfg.User)
	}
	defer conn.Close()
	warnIfWritable(ctx, conn, cfg.User, svc.log)
	srv, err := dashboard.New(conn, dashboard.Config{Database: cfg.Database, Metrics: dashboards.Metrics(), Web: web.FS(),
		QueryTimeout: cfg.QueryTimeout}, svc.reg, svc.log)
	if err != nil {
		return err
	}
	mux := stream.MetricsMux(svc.reg)
	srv.Register(mux)
	return stream.ServeHTTP(ctx, cfg.Addr, mux, svc.log)
}

// warnIfWritable says so when the dashboard's user could change data: it should be read-only.
func warnIfWritable(ctx context.Context, conn driver.Conn, user string, log *slog.Logger) {
	var readonly string
	err := conn.QueryRow(ctx, "SELECT value FROM system.settings WHERE name = 'readonly'").Scan(&readonly)
	switch {
	case err != nil:
		log.WarnContext(ctx, "could not check that the ClickHouse user is read-only", "user", user, "err", err)
	case readonly == "0":
		log.WarnContext(ctx, "the dashboard's ClickHouse user can write; use a read-only one (DASHBOARD_CLICKHOUSE_USER)", "user", user)
	}
}
