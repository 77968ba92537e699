// Package config holds the configuration sub-structs several services share. Each subcommand
// embeds them with a prefix (KAFKA_, CLICKHOUSE_, RETRY_, LOG_) and reads the environment once
// with go-envconfig; packages below cmd/ never read the environment.
package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"
)

// Kafka configures the brokers every service talks to.
type Kafka struct {
	// Brokers is the bootstrap list. Default: 127.0.0.1:9092.
	Brokers []string `env:"BROKERS, default=127.0.0.1:9092"`
}

// Validate checks that every broker is host:port.
func (k Kafka) Validate() error {
	var errs []error
	if len(k.Brokers) == 0 {
		errs = append(errs, errors.New("KAFKA_BROKERS: empty; set it to host:port[,host:port]"))
	}
	for _, b := range k.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			errs = append(errs, fmt.Errorf("KAFKA_BROKERS: %q is not host:port (%v); e.g. 127.0.0.1:9092", b, err))
		}
	}
	return errors.Join(errs...)
}

// ClickHouse configures the native-protocol connection (port 9000; HTTP fails on 18.16).
type ClickHouse struct {
	// Addr is host:port of the native protocol. Default: 127.0.0.1:9000.
	Addr string `env:"ADDR, default=127.0.0.1:9000"`
	// Database holds hirestream's tables. Default: hirestream.
	Database string `env:"DATABASE, default=hirestream"`
	// User to connect as. Default: default.
	User string `env:"USER, default=default"`
	// Password for User. Default: empty. Secret: never logged.
	Password string `env:"PASSWORD"`
}

// Validate checks the address and the database name (it is spliced into DDL).
func (c ClickHouse) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("CLICKHOUSE_ADDR: %q is not host:port (%v); e.g. 127.0.0.1:9000", c.Addr, err))
	}
	if !validIdent(c.Database) {
		errs = append(errs, fmt.Errorf("CLICKHOUSE_DATABASE: %q must match [A-Za-z_][A-Za-z0-9_]*", c.Database))
	}
	return errors.Join(errs...)
}

// LogValue keeps the password out of logs.
func (c ClickHouse) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", c.Addr), slog.String("database", c.Database), slog.String("user", c.User),
		slog.Bool("password_set", c.Password != ""))
}

func validIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Retry configures capped exponential backoff for handlers and sink batches.
type Retry struct {
	// MaxAttempts bounds the tries of one message, the first included. Default: 5.
	MaxAttempts int `env:"MAX_ATTEMPTS, default=5"`
	// Initial is the first backoff. Default: 200ms.
	Initial time.Duration `env:"INITIAL, default=200ms"`
	// Max caps one backoff. Default: 30s.
	Max time.Duration `env:"MAX, default=30s"`
	// MaxElapsed bounds the total time spent on one message. Default: 2m.
	MaxElapsed time.Duration `env:"MAX_ELAPSED, default=2m"`
}

// Validate checks the bounds make sense together.
func (r Retry) Validate() error {
	var errs []error
	if r.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("RETRY_MAX_ATTEMPTS: %d must be at least 1", r.MaxAttempts))
	}
	if r.Initial <= 0 || r.Max < r.Initial {
		errs = append(errs, fmt.Errorf("RETRY_INITIAL (%s) must be > 0 and <= RETRY_MAX (%s)", r.Initial, r.Max))
	}
	if r.MaxElapsed <= 0 {
		errs = append(errs, fmt.Errorf("RETRY_MAX_ELAPSED: %s must be > 0", r.MaxElapsed))
	}
	return errors.Join(errs...)
}

// Log configures the JSON logger.
type Log struct {
	// Level is debug, info, warn or error. Default: info.
	Level string `env:"LEVEL, default=info"`
}

// Validate checks the level is one slog knows.
func (l Log) Validate() error {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(l.Level)); err != nil {
		return fmt.Errorf("LOG_LEVEL: %q is not debug, info, warn or error", l.Level)
	}
	return nil
}

// SlogLevel returns the parsed level (info when invalid; Validate reports that).
func (l Log) SlogLevel() slog.Level {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(strings.ToLower(l.Level)))
	return lv
}

// Validator is a config struct that can check itself after loading.
type Validator interface{ Validate() error }

// Load reads target from lookuper (nil: the process environment) and runs its Validate, so a
// missing or malformed variable stops start-up with a message naming it.
func Load(ctx context.Context, target any, lookuper envconfig.Lookuper) error {
	if lookuper == nil {
		lookuper = envconfig.OsLookuper()
	}
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: target, Lookuper: lookuper}); err != nil {
		return fmt.Errorf("configuration: %s%w", nameVariable(target, lookuper, err), err)
	}
	if v, ok := target.(Validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
	}
	return nil
}

// nameVariable turns go-envconfig's Go field path ("Retry: Initial: ...") into the variable
// the user has to fix, with the value it had: `RETRY_INITIAL="soon": `.
func nameVariable(target any, l envconfig.Lookuper, err error) string {
	names := map[string]string{}
	var walk func(t reflect.Type, prefix, path string)
	walk = func(t reflect.Type, prefix, path string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("env")
			if tag == "" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			p := path + f.Name + ": "
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
				sub := prefix
				for _, o := range strings.Split(opts, ",") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(o), "prefix="); ok {
						sub += v
					}
				}
				walk(f.Type, sub, p)
				continue
			}
			names[p] = prefix + strings.TrimSpace(name)
		}
	}
	t := reflect.TypeOf(target)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	walk(t, "", "")
	best := ""
	for path := range names {
		if strings.HasPrefix(err.Error(), path) && len(path) > len(best) {
			best = path
		}
	}
	if best == "" {
		return ""
	}
	v, _ := l.Lookup(names[best])
	return fmt.Sprintf("%s=%q: ", names[best], v)
}
