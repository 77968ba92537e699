package main

import (
	"context"
	"strings"
	"testing"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/sethvargo/go-envconfig"
)

// Every subcommand's configuration loads with the defaults the local runner needs, and a
// missing or malformed variable stops it with a message naming that variable.
func TestSubcommandConfigs(t *testing.T) {
	secret := map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "local-dev-secret"}
	cases := []struct {
		name    string
		target  any
		env     map[string]string
		wantErr string
	}{
		{"migrate_defaults", &migrateConfig{}, nil, ""},
		{"sink_defaults", &sinkConfig{}, nil, ""},
		{"normalize_defaults", &normalizeConfig{}, nil, ""},
		{"replay_defaults", &replayConfig{}, nil, ""},
		{"ingest_defaults", &ingestConfig{}, secret, ""},
		{"simulate_defaults", &simulateConfig{}, secret, ""},
		{"ingest_needs_secret", &ingestConfig{}, nil, "GREENHOUSE_WEBHOOK_SECRET"},
		{"ingest_short_secret", &ingestConfig{}, map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "abc"}, "GREENHOUSE_WEBHOOK_SECRET"},
		{"sink_bad_batch", &sinkConfig{}, map[string]string{"SINK_BATCH_SIZE": "0"}, "SINK_BATCH_SIZE"},
		{"sink_bad_wait", &sinkConfig{}, map[string]string{"SINK_BATCH_WAIT": "fast"}, `SINK_BATCH_WAIT="fast"`},
		{"migrate_bad_addr", &migrateConfig{}, map[string]string{"CLICKHOUSE_ADDR": "clickhouse"}, "CLICKHOUSE_ADDR"},
		{"simulate_bad_url", &simulateConfig{}, map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "INGEST_URL": "localhost:8080"}, "INGEST_URL"},
		{"normalize_bad_level", &normalizeConfig{}, map[string]string{"LOG_LEVEL": "chatty"}, "LOG_LEVEL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := config.Load(context.Background(), tc.target, envconfig.MapLookuper(tc.env))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("defaults refused: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want it to name %s", err, tc.wantErr)
			}
		})
	}
}
