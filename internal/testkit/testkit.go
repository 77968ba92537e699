// Package testkit is shared by integration tests: where the real Kafka and ClickHouse are,
// unique topic and database names per test, and the rule that in CI a missing service fails
// the test instead of skipping it.
package testkit

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

// Update rewrites golden files instead of comparing with them: go test ./... -update.
var Update = flag.Bool("update", false, "rewrite golden files")

// Env names set by .ci/run (from deploy/local/infra.sh).
const (
	EnvKafka      = "HIRESTREAM_KAFKA_BROKERS"
	EnvClickHouse = "HIRESTREAM_CLICKHOUSE_ADDR"
	EnvRequire    = "HIRESTREAM_REQUIRE_INTEGRATION"
)

// Required reports whether integration tests must run (CI): then a missing service is a failure.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

func need(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if Required() {
			t.Fatalf("%s is required (%s=1) but %s is not set; run deploy/local/infra.sh up and source .local/env.sh", what, EnvRequire, env)
		}
		t.Skipf("integration test: set %s (deploy/local/infra.sh up prints it) to run against a real %s", env, what)
	}
	for _, addr := range strings.Split(v, ",") {
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			t.Fatalf("%s at %s (from %s) is not reachable: %v", what, addr, env, err)
		}
		c.Close()
	}
	return v
}

// Brokers returns the real Kafka brokers, or skips/fails as Required says.
func Brokers(t testing.TB) []string {
	return strings.Split(need(t, EnvKafka, "Kafka broker"), ",")
}

// ClickHouseAddr returns the real ClickHouse native address, or skips/fails as Required says.
func ClickHouseAddr(t testing.TB) string { return need(t, EnvClickHouse, "ClickHouse server") }

var nonWord = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// Name is a unique, identifier-safe name for this test: letters of t.Name() plus a random suffix.
func Name(t testing.TB) string {
	n := strings.ToLower(nonWord.ReplaceAllString(t.Name(), "_"))
	if len(n) > 40 {
		n = n[:40]
	}
	return fmt.Sprintf("t_%s_%06x", n, rand.Uint32()&0xffffff)
}

// Topics creates every hirestream topic under a unique prefix for this test and returns it.
func Topics(t testing.TB, brokers []string) string {
	t.Helper()
	prefix := Name(t) + "."
	var specs []schemas.TopicSpec
	for _, s := range schemas.Topics() {
		s.Name = prefix + s.Name
		specs = append(specs, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := stream.EnsureTopics(ctx, brokers, 1, specs); err != nil {
		t.Fatalf("create test topics: %v", err)
	}
	return prefix
}

// Database creates a fresh ClickHouse database with hirestream's migrations applied, dropped
// when the test ends (unless HIRESTREAM_KEEP_DB=1, to look at it).
func Database(t testing.TB, addr string) (driver.Conn, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := chsink.Open(ctx, chsink.Options{Addr: addr, User: "default"})
	if err != nil {
		t.Fatalf("open clickhouse: %v", err)
	}
	db := Name(t)
	if _, err := chsink.Migrate(ctx, conn, db); err != nil {
		t.Fatalf("migrate %s: %v", db, err)
	}
	t.Cleanup(func() {
		if os.Getenv("HIRESTREAM_KEEP_DB") != "1" {
			_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		}
		conn.Close()
	})
	return conn, db
}

// Eventually polls cond every 100ms until it returns true or timeout passes; then it fails
// with the last message cond gave.
func Eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var msg string
	for time.Now().Before(deadline) {
		var ok bool
		if ok, msg = cond(); ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s: %s", timeout, msg)
}
