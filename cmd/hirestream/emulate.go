package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/emulate/bamboohr"
	"github.com/hirestream/hirestream/internal/emulate/slack"
	"github.com/hirestream/hirestream/internal/emulate/smtp"
	"github.com/hirestream/hirestream/internal/stream"
)

const emulateUsage = `usage: hirestream emulate <system> [flags]

systems:
  bamboohr   the BambooHR endpoints the HRIS sync uses, in memory, with fault injection
             (BAMBOOHR_EMULATOR_ADDR, default 127.0.0.1:8091; -h lists the fault flags)
  smtp       an SMTP receiver for alert mail (SMTP_EMULATOR_ADDR, default 127.0.0.1:2525)
  slack      a Slack incoming-webhook receiver for alerts (SLACK_EMULATOR_ADDR, default 127.0.0.1:8092)`

func runEmulate(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New(emulateUsage)
	}
	switch args[0] {
	case "bamboohr":
		return runEmulateBambooHR(ctx, args[1:])
	case "smtp":
		return runEmulateSMTP(ctx)
	case "slack":
		return runEmulateSlack(ctx)
	}
	return fmt.Errorf("unknown system %q\n%s", args[0], emulateUsage)
}

type bambooEmulatorConfig struct {
	Log config.Log `env:", prefix=LOG_"`
	// Addr to listen on. Default: 127.0.0.1:8091.
	Addr string `env:"BAMBOOHR_EMULATOR_ADDR, default=127.0.0.1:8091"`
	// APIKey is the only key accepted. Default: emulator-key.
	APIKey string `env:"BAMBOOHR_EMULATOR_API_KEY, default=emulator-key"`
	// SeedFile holds employees to start with and list options (deploy/hris/bamboohr-seed.json). Default: none.
	SeedFile string `env:"BAMBOOHR_EMULATOR_SEED_FILE"`
	// EmployeeLimit answers 429 to creates beyond it; 0: none. Default: 0.
	EmployeeLimit int `env:"BAMBOOHR_EMULATOR_EMPLOYEE_LIMIT, default=0"`
	// Faults is the initial fault set as JSON (the body of POST /_admin/faults). Default: none.
	Faults string `env:"BAMBOOHR_EMULATOR_FAULTS"`
}

func (c bambooEmulatorConfig) Validate() error {
	errs := []error{c.Log.Validate()}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("BAMBOOHR_EMULATOR_ADDR: %q is not host:port", c.Addr))
	}
	if c.EmployeeLimit < 0 {
		errs = append(errs, fmt.Errorf("BAMBOOHR_EMULATOR_EMPLOYEE_LIMIT: %d must be >= 0", c.EmployeeLimit))
	}
	return errors.Join(errs...)
}

func runEmulateBambooHR(ctx context.Context, args []string) error {
	var cfg bambooEmulatorConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	var faults bamboohr.Faults
	if cfg.Faults != "" {
		dec := json.NewDecoder(strings.NewReader(cfg.Faults))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&faults); err != nil {
			return fmt.Errorf("configuration: BAMBOOHR_EMULATOR_FAULTS: %w", err)
		}
	}
	fs := flag.NewFlagSet("emulate bamboohr", flag.ContinueOnError)
	fs.Float64Var(&faults.ErrorRate, "error-rate", faults.ErrorRate, "share of API requests answered 500/502/504 without effect")
	fs.Float64Var(&faults.ThrottleRate, "throttle-rate", faults.ThrottleRate, "share answered 503 + Retry-After without effect")
	fs.IntVar(&faults.RetryAfterSeconds, "retry-after", faults.RetryAfterSeconds, "Retry-After seconds of throttled answers")
	fs.Float64Var(&faults.TimeoutRate, "timeout-rate", faults.TimeoutRate, "share applied, then answered only after -timeout")
	timeout := fs.Duration("timeout", time.Duration(faults.Timeout), "how long a timed-out answer is held (0: 30s)")
	fs.Float64Var(&faults.SlowRate, "slow-rate", faults.SlowRate, "share answered after -slow")
	slow := fs.Duration("slow", time.Duration(faults.Slow), "delay of slow answers")
	fs.Float64Var(&faults.CommitThenErrorRate, "commit-then-error-rate", faults.CommitThenErrorRate, "share of writes applied but answered 500")
	fs.BoolVar(&faults.WritesOnly, "writes-only", faults.WritesOnly, "apply the rates to writes only")
	scField := fs.String("silent-change-field", "", "field whose writes are stored changed (e.g. rate: 103000 -> 130000)")
	scCount := fs.Int("silent-change-count", 0, "how many writes to change (0: all)")
	seed := fs.Uint64("seed", 1, "fault randomness seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	faults.Timeout, faults.Slow = bamboohr.Duration(*timeout), bamboohr.Duration(*slow)
	if *scField != "" {
		faults.SilentChange = &bamboohr.SilentChange{Field: *scField, Count: *scCount}
	}
	if err := faults.Validate(); err != nil {
		return fmt.Errorf("faults: %w", err)
	}
	log := stream.NewLogger(cfg.Log.SlogLevel(), "emulate-bamboohr")
	ecfg := bamboohr.Config{APIKey: cfg.APIKey, EmployeeLimit: cfg.EmployeeLimit, Seed: *seed}
	var seedFile *bamboohr.SeedFile
	if cfg.SeedFile != "" {
		s, err := bamboohr.LoadSeed(cfg.SeedFile)
		if err != nil {
			return fmt.Errorf("configuration: BAMBOOHR_EMULATOR_SEED_FILE: %w", err)
		}
		seedFile, ecfg.Lists = s, s.Lists
	}
	emu := bamboohr.New(ecfg)
	if seedFile != nil {
		seedFile.Apply(emu)
	}
	emu.SetFaults(faults)
	log.InfoContext(ctx, "BambooHR emulator", "addr", cfg.Addr, "base_url", "http://"+cfg.Addr+"/api/gateway.php/<company>/v1",
		"seeded", len(emu.Employees()), "faults", faults, "admin", "http://"+cfg.Addr+"/_admin/{faults,employees,stats,reset}")
	return stream.ServeHTTP(ctx, cfg.Addr, emu, log)
}

type smtpEmulatorConfig struct {
	Log config.Log `env:", prefix=LOG_"`
	// Addr to listen on. Default: 127.0.0.1:2525.
	Addr string `env:"SMTP_EMULATOR_ADDR, default=127.0.0.1:2525"`
	// Maildir, when set, receives every message as <n>.eml. Default: none.
	Maildir string `env:"SMTP_EMULATOR_MAILDIR"`
}

func (c smtpEmulatorConfig) Validate() error { return c.Log.Validate() }

func runEmulateSMTP(ctx context.Context) error {
	var cfg smtpEmulatorConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	log := stream.NewLogger(cfg.Log.SlogLevel(), "emulate-smtp")
	if cfg.Maildir != "" {
		if err := os.MkdirAll(cfg.Maildir, 0o755); err != nil {
			return fmt.Errorf("SMTP_EMULATOR_MAILDIR: %w", err)
		}
	}
	srv := smtp.New()
	n := 0
	srv.OnMessage = func(m smtp.Message) {
		n++
		attrs := []any{"to", m.To, "subject", m.Subject}
		if cfg.Maildir != "" {
			p := filepath.Join(cfg.Maildir, fmt.Sprintf("%04d.eml", n))
			if err := os.WriteFile(p, m.Data, 0o644); err != nil {
				log.Error("write message", "error", err)
			}
			attrs = append(attrs, "file", p)
		}
		log.Info("mail received", attrs...)
	}
	addr, err := srv.Listen(cfg.Addr)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "SMTP receiver listening", "addr", addr, "maildir", cfg.Maildir)
	<-ctx.Done()
	return srv.Close()
}

type slackEmulatorConfig struct {
	Log config.Log `env:", prefix=LOG_"`
	// Addr to listen on. Default: 127.0.0.1:8092.
	Addr string `env:"SLACK_EMULATOR_ADDR, default=127.0.0.1:8092"`
}

func (c slackEmulatorConfig) Validate() error { return c.Log.Validate() }

func runEmulateSlack(ctx context.Context) error {
	var cfg slackEmulatorConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	log := stream.NewLogger(cfg.Log.SlogLevel(), "emulate-slack")
	rcv := slack.New()
	// This receiver stands in for a Slack channel: printing what it received is its job.
	rcv.OnMessage = func(m slack.Message) { log.Info("slack message received", slog.String("text", m.Text)) }
	log.InfoContext(ctx, "Slack webhook receiver", "webhook_url", "http://"+cfg.Addr+"/services/T000LOCAL/B000LOCAL/local",
		"messages", "http://"+cfg.Addr+"/_admin/messages")
	return stream.ServeHTTP(ctx, cfg.Addr, rcv, log)
}
