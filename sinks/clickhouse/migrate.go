package clickhouse

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded SQL file; {db} in it stands for the target database.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, f := range files {
		base := strings.TrimSuffix(strings.TrimPrefix(f, "migrations/"), ".sql")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNN_description.sql", f)
		}
		b, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, Statements: SplitStatements(string(b))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// SplitStatements splits SQL text on semicolons that end a line and drops comment-only parts:
// the native protocol takes one statement per query.
func SplitStatements(sql string) []string {
	var out []string
	for _, part := range strings.Split(sql, ";\n") {
		var keep []string
		for _, line := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				keep = append(keep, line)
			}
		}
		if s := strings.TrimSuffix(strings.TrimSpace(strings.Join(keep, "\n")), ";"); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Migrate creates database db and applies the migrations not yet recorded in
// db.schema_migrations. Statements are IF NOT EXISTS, so a crash between a statement and its
// record is repaired by running Migrate again. It returns the names it applied.
func Migrate(ctx context.Context, conn driver.Conn, db string) ([]string, error) {
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(db)); err != nil {
		return nil, fmt.Errorf("create database %s: %w", db, err)
	}
	if err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+quoteIdent(db)+".schema_migrations "+
		"(version UInt32, name String, applied_at DateTime('UTC') DEFAULT now()) ENGINE = MergeTree() ORDER BY version"); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, "SELECT version FROM "+quoteIdent(db)+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[int(v)] = true
	}
	rows.Close()
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var done []string
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		for i, st := range m.Statements {
			if err := conn.Exec(ctx, strings.ReplaceAll(st, "{db}", quoteIdent(db))); err != nil {
				return done, fmt.Errorf("migration %s statement %d: %w", m.Name, i+1, err)
			}
		}
		// A batch, not Exec with arguments: against 18.16, clickhouse-go's Exec of an INSERT
		// with bound values never returns.
		b, err := conn.PrepareBatch(ctx, "INSERT INTO "+quoteIdent(db)+".schema_migrations (version, name)")
		if err == nil {
			if err = b.Append(uint32(m.Version), m.Name); err == nil {
				err = b.Send()
			}
		}
		if err != nil {
			return done, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		done = append(done, m.Name)
	}
	return done, nil
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" }
