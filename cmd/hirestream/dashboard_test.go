package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/sethvargo/go-envconfig"
)

func TestDashboardConfig(t *testing.T) {
	t.Parallel()
	var cfg dashboardConfig
	if err := config.Load(context.Background(), &cfg, envconfig.MapLookuper(nil)); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	if cfg.Addr != "127.0.0.1:8090" || cfg.User != "hirestream_ro" || cfg.Database != "hirestream" {
		t.Errorf("defaults %+v", cfg)
	}
	for env, want := range map[string]string{
		"DASHBOARD_ADDR":            "DASHBOARD_ADDR",
		"DASHBOARD_QUERY_TIMEOUT":   `DASHBOARD_QUERY_TIMEOUT="soon"`,
		"DASHBOARD_CLICKHOUSE_USER": "DASHBOARD_CLICKHOUSE_USER",
		"CLICKHOUSE_DATABASE":       "CLICKHOUSE_DATABASE",
	} {
		bad := map[string]string{"DASHBOARD_ADDR": "8090", "DASHBOARD_QUERY_TIMEOUT": "soon",
			"DASHBOARD_CLICKHOUSE_USER": "", "CLICKHOUSE_DATABASE": "hire-stream"}[env]
		var c dashboardConfig
		err := config.Load(context.Background(), &c, envconfig.MapLookuper(map[string]string{env: bad}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%q: err = %v, want it to name %s", env, bad, err, want)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "config", dashboardConfig{Password: "s3cret"})
	if strings.Contains(buf.String(), "s3cret") {
		t.Errorf("the password is logged: %s", buf.String())
	}
}
