package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/schemas"
	chsink "github.com/hirestream/hirestream/sinks/clickhouse"
)

type migrateConfig struct {
	Kafka      config.Kafka      `env:", prefix=KAFKA_"`
	ClickHouse config.ClickHouse `env:", prefix=CLICKHOUSE_"`
	// Replication is the replication factor of new topics. Default: 1 (the local single broker).
	Replication int `env:"KAFKA_REPLICATION_FACTOR, default=1"`
}

func (c migrateConfig) Validate() error {
	var errs []error
	errs = append(errs, c.Kafka.Validate(), c.ClickHouse.Validate())
	if c.Replication < 1 {
		errs = append(errs, fmt.Errorf("KAFKA_REPLICATION_FACTOR: %d must be at least 1", c.Replication))
	}
	return errors.Join(errs...)
}

func runMigrate(ctx context.Context, _ []string) error {
	var cfg migrateConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	created, err := stream.EnsureTopics(ctx, cfg.Kafka.Brokers, cfg.Replication, schemas.Topics())
	if err != nil {
		return err
	}
	fmt.Printf("kafka: %d topics ensured, %d created %v\n", len(schemas.Topics()), len(created), created)
	conn, err := chsink.Open(ctx, chOptions(cfg.ClickHouse))
	if err != nil {
		return err
	}
	defer conn.Close()
	applied, err := chsink.Migrate(ctx, conn, cfg.ClickHouse.Database)
	if err != nil {
		return err
	}
	fmt.Printf("clickhouse: database %s, %d migrations applied %v\n", cfg.ClickHouse.Database, len(applied), applied)
	return nil
}
