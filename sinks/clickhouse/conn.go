// Package clickhouse lands hirestream events in ClickHouse: the embedded migrations
// (migrations/NNN_*.sql) and the batch writer the sink runs. SQL here must run on Debian's
// ClickHouse 18.16 and on current releases alike (see DESIGN.md): every INSERT names its
// columns, no LowCardinality, DateTime64, TTL, Map or window functions.
package clickhouse

import (
	"context"
	"fmt"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options is what Open needs; cmd builds it from config.ClickHouse.
type Options struct {
	Addr     string
	Database string
	User     string
	Password string
}

// Open connects over the native protocol (HTTP fails against 18.16) to the "default" database,
// so it works before Migrate has created Database; queries qualify table names.
func Open(ctx context.Context, o Options) (driver.Conn, error) {
	conn, err := ch.Open(&ch.Options{
		Addr:        []string{o.Addr},
		Protocol:    ch.Native,
		Auth:        ch.Auth{Database: "default", Username: o.User, Password: o.Password},
		DialTimeout: 5 * time.Second,
		ReadTimeout: 60 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("open clickhouse %s: %w", o.Addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping clickhouse %s: %w", o.Addr, err)
	}
	return conn, nil
}
