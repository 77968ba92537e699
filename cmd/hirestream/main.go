// Command hirestream runs every hirestream service; each subcommand is deployed on its own.
//
//	hirestream migrate     create Kafka topics and apply ClickHouse migrations (idempotent)
//	hirestream ingest      serve ATS webhooks (POST /webhooks/greenhouse) onto the raw topic
//	hirestream normalize   turn raw deliveries into canonical candidate events
//	hirestream sink        land candidate events in ClickHouse
//	hirestream replay      re-read a topic from the start (or a time) into ClickHouse, or re-normalize raw deliveries
//	hirestream simulate    post realistic signed Greenhouse webhooks for a synthetic hiring funnel
//	hirestream dashboard   serve the recruiting dashboard and its JSON API (read-only ClickHouse user)
//	hirestream process     run a processor: hris-sync (new hires into the HRIS, verified), alert (to owners)
//	hirestream emulate     run a local BambooHR emulator (fault injection), SMTP or Slack-webhook receiver
//
// Configuration comes only from environment variables; `hirestream <cmd> -h` lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{
	"migrate":   {"create Kafka topics and apply ClickHouse migrations", runMigrate},
	"ingest":    {"serve ATS webhooks onto the raw topic", runIngest},
	"normalize": {"turn raw deliveries into canonical candidate events", runNormalize},
	"sink":      {"land candidate events in ClickHouse", runSink},
	"replay":    {"re-read topics into ClickHouse or re-normalize the raw log", runReplay},
	"simulate":  {"post signed synthetic Greenhouse webhooks", runSimulate},
	"dashboard": {"serve the recruiting dashboard and its metrics API", runDashboard},
	"process":   {"run a processor: hris-sync (new hire into the HRIS), alert (alerts to owners)", runProcess},
	"emulate":   {"run a local stand-in: bamboohr (with faults), smtp, slack", runEmulate},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: hirestream <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "hirestream: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, os.Args[2:]); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "hirestream %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
