package config

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
)

type svcConfig struct {
	Kafka      Kafka      `env:", prefix=KAFKA_"`
	ClickHouse ClickHouse `env:", prefix=CLICKHOUSE_"`
	Retry      Retry      `env:", prefix=RETRY_"`
	Log        Log        `env:", prefix=LOG_"`
	Secret     string     `env:"GREENHOUSE_WEBHOOK_SECRET, required"`
}

func (c svcConfig) Validate() error {
	return errors.Join(c.Kafka.Validate(), c.ClickHouse.Validate(), c.Retry.Validate(), c.Log.Validate())
}

func TestLoad_Defaults(t *testing.T) {
	t.Parallel()
	var c svcConfig
	if err := Load(context.Background(), &c, envconfig.MapLookuper(map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "s3cret-key"})); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Kafka.Brokers, ",") != "127.0.0.1:9092" || c.ClickHouse.Addr != "127.0.0.1:9000" ||
		c.ClickHouse.Database != "hirestream" || c.Retry.MaxAttempts != 5 || c.Retry.Initial != 200*time.Millisecond || c.Log.Level != "info" {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestLoad_Errors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want []string // every fragment must appear in the error
	}{
		{"missing_required", map[string]string{}, []string{"GREENHOUSE_WEBHOOK_SECRET", "missing required"}},
		{"malformed_duration", map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "RETRY_INITIAL": "soon"}, []string{"RETRY_INITIAL", "soon"}},
		{"malformed_int", map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "RETRY_MAX_ATTEMPTS": "many"}, []string{"RETRY_MAX_ATTEMPTS"}},
		{"broker_without_port", map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "KAFKA_BROKERS": "localhost"}, []string{"KAFKA_BROKERS", `"localhost"`, "host:port"}},
		{"bad_database_name", map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "CLICKHOUSE_DATABASE": "hs; DROP"}, []string{"CLICKHOUSE_DATABASE"}},
		{"several_problems_reported_together", map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "LOG_LEVEL": "loud", "RETRY_MAX_ATTEMPTS": "0"},
			[]string{"LOG_LEVEL", `"loud"`, "RETRY_MAX_ATTEMPTS"}},
		{"initial_above_max", map[string]string{"GREENHOUSE_WEBHOOK_SECRET": "x", "RETRY_INITIAL": "1m", "RETRY_MAX": "1s"}, []string{"RETRY_INITIAL", "RETRY_MAX"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c svcConfig
			err := Load(context.Background(), &c, envconfig.MapLookuper(tc.env))
			if err == nil {
				t.Fatal("Load accepted a bad environment")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestClickHouse_LogValueHidesPassword(t *testing.T) {
	t.Parallel()
	v := ClickHouse{Addr: "a:9000", Password: "hunter2"}.LogValue().String()
	if strings.Contains(v, "hunter2") {
		t.Fatalf("LogValue leaks the password: %s", v)
	}
}
