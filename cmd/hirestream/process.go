package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/hirestream/hirestream/internal/pipeline"
	"github.com/hirestream/hirestream/internal/stream"
	"github.com/hirestream/hirestream/processors/alert"
	"github.com/hirestream/hirestream/processors/hrissync"
)

const processUsage = `usage: hirestream process <processor>

processors:
  hris-sync   create/update the new hire in the HRIS on offer acceptance, verified by reading back
  alert       deliver alert.raised events to the automation's owner (Slack webhook, email)`

func runProcess(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New(processUsage)
	}
	switch args[0] {
	case "hris-sync":
		return runHRISSync(ctx)
	case "alert":
		return runAlert(ctx)
	}
	return fmt.Errorf("unknown processor %q\n%s", args[0], processUsage)
}

type hrisSyncConfig struct {
	Kafka config.Kafka `env:", prefix=KAFKA_"`
	Retry config.Retry `env:", prefix=RETRY_"`
	Log   config.Log   `env:", prefix=LOG_"`
	// MappingFile is the field mapping (JSON; example deploy/hris/mapping.json). Required.
	MappingFile string `env:"HRIS_MAPPING_FILE, required"`
	// Timeout bounds one HRIS request. Default: 10s.
	Timeout time.Duration `env:"HRIS_TIMEOUT, default=10s"`
	// RetryAfterMax caps the wait honoured when the HRIS throttles (503 + Retry-After). Default: 30s.
	RetryAfterMax time.Duration `env:"HRIS_RETRY_AFTER_MAX, default=30s"`
	// BambooHRURL is the API host. Default: http://127.0.0.1:8091 (`hirestream emulate bamboohr`);
	// the real service is https://api.bamboohr.com.
	BambooHRURL string `env:"BAMBOOHR_URL, default=http://127.0.0.1:8091"`
	// BambooHRCompany is <company> of <company>.bamboohr.com. Default: acme.
	BambooHRCompany string `env:"BAMBOOHR_COMPANY_DOMAIN, default=acme"`
	// BambooHRAPIKey authenticates (HTTP Basic user). Required for target bamboohr. Secret.
	BambooHRAPIKey string `env:"BAMBOOHR_API_KEY"`
	// RESTToken is the bearer token of the generic REST target. Secret. Default: none.
	RESTToken string `env:"HRIS_REST_TOKEN"`
	// OwnersFile names the owner in alert events (optional; the alert processor needs it).
	OwnersFile string `env:"OWNERS_FILE"`
	// MetricsAddr serves /metrics and /healthz. Default: 127.0.0.1:9104.
	MetricsAddr string `env:"HRIS_SYNC_METRICS_ADDR, default=127.0.0.1:9104"`
}

func (c hrisSyncConfig) Validate() error {
	errs := []error{c.Kafka.Validate(), c.Retry.Validate(), c.Log.Validate()}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("HRIS_TIMEOUT: %s must be > 0", c.Timeout))
	}
	if c.RetryAfterMax < 0 {
		errs = append(errs, fmt.Errorf("HRIS_RETRY_AFTER_MAX: %s must be >= 0", c.RetryAfterMax))
	}
	return errors.Join(errs...)
}

// LogValue keeps the secrets out of logs.
func (c hrisSyncConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mapping_file", c.MappingFile), slog.String("bamboohr_url", c.BambooHRURL),
		slog.String("bamboohr_company", c.BambooHRCompany), slog.Bool("bamboohr_api_key_set", c.BambooHRAPIKey != ""),
		slog.Bool("rest_token_set", c.RESTToken != ""), slog.String("owners_file", c.OwnersFile), slog.Duration("timeout", c.Timeout))
}

// buildHRIS loads the mapping and builds its target's client; errors name the variable.
func buildHRIS(c hrisSyncConfig) (*hrissync.Mapping, hrissync.HRIS, error) {
	m, err := hrissync.LoadMapping(c.MappingFile)
	if err != nil {
		return nil, nil, fmt.Errorf("configuration: HRIS_MAPPING_FILE=%q: %w", c.MappingFile, err)
	}
	switch m.Target {
	case "bamboohr":
		if c.BambooHRAPIKey == "" {
			return nil, nil, errors.New("configuration: BAMBOOHR_API_KEY is required for target bamboohr (the emulator's key is emulator-key)")
		}
		h, err := hrissync.NewBambooHR(hrissync.BambooHRConfig{URL: c.BambooHRURL, CompanyDomain: c.BambooHRCompany,
			APIKey: c.BambooHRAPIKey, KeyField: m.KeyField, Timeout: c.Timeout})
		if err != nil {
			return nil, nil, fmt.Errorf("configuration: BAMBOOHR_URL/BAMBOOHR_COMPANY_DOMAIN: %w", err)
		}
		return m, h, nil
	case "rest":
		h, err := hrissync.NewREST(m.REST, m.KeyField, c.RESTToken, c.Timeout, nil)
		return m, h, err
	}
	return nil, nil, fmt.Errorf("configuration: HRIS_MAPPING_FILE: target %q has no client", m.Target)
}

func runHRISSync(ctx context.Context) error {
	var cfg hrisSyncConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	m, h, err := buildHRIS(cfg)
	if err != nil {
		return err
	}
	owner := ""
	if cfg.OwnersFile != "" {
		owners, err := alert.LoadOwners(cfg.OwnersFile, os.LookupEnv)
		if err != nil {
			return fmt.Errorf("configuration: OWNERS_FILE=%q: %w", cfg.OwnersFile, err)
		}
		if r, ok := owners.For(hrissync.Automation); ok {
			owner = r.Owner
		}
	}
	svc, err := newService("hris-sync", cfg.Log)
	if err != nil {
		return err
	}
	p, err := hrissync.New(hrissync.Config{Mapping: m, HRIS: h, Owner: owner, MaxAttempts: cfg.Retry.MaxAttempts,
		MaxElapsed: cfg.Retry.MaxElapsed, RetryAfterMax: cfg.RetryAfterMax, Log: svc.log})
	if err != nil {
		return err
	}
	svc.log.InfoContext(ctx, "hris-sync starting", "config", cfg, "target", h.Target(), "fields", len(m.Fields), "owner_set", owner != "")
	env := svc.env(cfg.Kafka, cfg.Retry)
	return runAll(ctx, func(ctx context.Context) error { return pipeline.RunHRISSync(ctx, env, p) },
		func(ctx context.Context) error {
			return stream.ServeHTTP(ctx, cfg.MetricsAddr, stream.MetricsMux(svc.reg), svc.log)
		})
}

type alertConfig struct {
	Kafka config.Kafka `env:", prefix=KAFKA_"`
	Retry config.Retry `env:", prefix=RETRY_"`
	Log   config.Log   `env:", prefix=LOG_"`
	// OwnersFile is the ownership config (JSON; example deploy/hris/owners.json). Required.
	OwnersFile string `env:"OWNERS_FILE, required"`
	// SMTPAddr is host:port of the SMTP server. Required when a route sends email.
	SMTPAddr string `env:"SMTP_ADDR"`
	// SMTPFrom is the sender address. Default: hirestream@localhost.
	SMTPFrom string `env:"SMTP_FROM, default=hirestream@localhost"`
	// SMTPUsername and SMTPPassword enable AUTH PLAIN. Secret. Default: no auth.
	SMTPUsername string `env:"SMTP_USERNAME"`
	SMTPPassword string `env:"SMTP_PASSWORD"`
	// SMTPStartTLS is auto, always or never. Default: auto.
	SMTPStartTLS string `env:"SMTP_STARTTLS, default=auto"`
	// SMTPTimeout bounds one delivery. Default: 15s.
	SMTPTimeout time.Duration `env:"SMTP_TIMEOUT, default=15s"`
	// SlackTimeout bounds one webhook post. Default: 10s.
	SlackTimeout time.Duration `env:"SLACK_TIMEOUT, default=10s"`
	// MetricsAddr serves /metrics and /healthz. Default: 127.0.0.1:9105.
	MetricsAddr string `env:"ALERT_METRICS_ADDR, default=127.0.0.1:9105"`
}

func (c alertConfig) Validate() error {
	errs := []error{c.Kafka.Validate(), c.Retry.Validate(), c.Log.Validate()}
	if c.SMTPTimeout <= 0 || c.SlackTimeout <= 0 {
		errs = append(errs, fmt.Errorf("SMTP_TIMEOUT (%s) and SLACK_TIMEOUT (%s) must be > 0", c.SMTPTimeout, c.SlackTimeout))
	}
	return errors.Join(errs...)
}

// LogValue keeps the secrets out of logs.
func (c alertConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("owners_file", c.OwnersFile), slog.String("smtp_addr", c.SMTPAddr), slog.String("smtp_from", c.SMTPFrom),
		slog.Bool("smtp_auth", c.SMTPUsername != ""), slog.String("smtp_starttls", c.SMTPStartTLS))
}

func runAlert(ctx context.Context) error {
	var cfg alertConfig
	if err := config.Load(ctx, &cfg, nil); err != nil {
		return err
	}
	owners, err := alert.LoadOwners(cfg.OwnersFile, os.LookupEnv)
	if err != nil {
		return fmt.Errorf("configuration: OWNERS_FILE=%q: %w", cfg.OwnersFile, err)
	}
	var mailer *alert.Mailer
	if owners.NeedsEmail() {
		if cfg.SMTPAddr == "" {
			return fmt.Errorf("configuration: SMTP_ADDR is required: %s routes alerts to email", cfg.OwnersFile)
		}
		mailer, err = alert.NewMailer(alert.SMTPConfig{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, StartTLS: cfg.SMTPStartTLS, Timeout: cfg.SMTPTimeout})
		if err != nil {
			return fmt.Errorf("configuration: SMTP_*: %w", err)
		}
	}
	svc, err := newService("alert", cfg.Log)
	if err != nil {
		return err
	}
	p, err := alert.New(alert.Config{Owners: owners, Slack: alert.NewSlack(cfg.SlackTimeout), Mailer: mailer, Log: svc.log})
	if err != nil {
		return err
	}
	svc.log.InfoContext(ctx, "alert-notifier starting", "config", cfg, "automations", owners.Automations())
	env := svc.env(cfg.Kafka, cfg.Retry)
	return runAll(ctx, func(ctx context.Context) error { return pipeline.RunAlerts(ctx, env, p) },
		func(ctx context.Context) error {
			return stream.ServeHTTP(ctx, cfg.MetricsAddr, stream.MetricsMux(svc.reg), svc.log)
		})
}
