# hirestream — developer entry points.
#
#   make up            the whole pipeline on this machine: infra, migrate, services, synthetic traffic
#   make test          every test, integration included (starts the local infra first)
#   make down          stop the services and the infra
#   make bench         benchmarks that print figures (ingest and sink against raw baselines, HRIS sync)
#   make bench-analytics  load EVENTS (10M) history events and time every metric (not part of test)
#   make infra         install + start local Kafka and ClickHouse (deploy/local/infra.sh up)
#   make infra-down    stop local Kafka and ClickHouse
#
# Add new targets in their section and to .PHONY.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

INFRA   := deploy/local/infra.sh
ENV_SH  := .local/env.sh
PKGS    ?= ./...
GOTESTFLAGS ?= -race -shuffle=on -count=1

.PHONY: help
.PHONY: infra infra-down infra-status infra-logs infra-deps infra-clean
.PHONY: test
.PHONY: build up down status bench bench-analytics fuzz
.PHONY: dashboard grafana vendor-echarts

help:
	@echo "targets:"
	@echo "  infra          install deps and start local Kafka + ClickHouse"
	@echo "  infra-down     stop local Kafka + ClickHouse"
	@echo "  infra-status   pid / port / health of each local service"
	@echo "  infra-logs     log locations and tails"
	@echo "  infra-deps     install deps only (Kafka jars, ClickHouse, Python venv)"
	@echo "  infra-clean    stop local infra and delete its Kafka + ClickHouse data"
	@echo "  up             bring up the whole pipeline with synthetic Greenhouse traffic"
	@echo "  down           stop the services and the infra"
	@echo "  status         what runs where"
	@echo "  build          build bin/hirestream"
	@echo "  test           go test $(GOTESTFLAGS) $(PKGS) with integration required"
	@echo "  bench          benchmarks with figures (BENCHTIME, BENCH to choose)"
	@echo "  bench-analytics  10M-event history -> sink -> every metric's p50/p95 via /api/metrics (EVENTS=N)"
	@echo "  fuzz           run every fuzz target for FUZZTIME (default 20s) each"
	@echo "  dashboard      run the dashboard alone on the local infra (DASHBOARD_ADDR, default 127.0.0.1:8090)"
	@echo "  grafana        regenerate dashboards/grafana/dashboards/hirestream.json from the SQL files"
	@echo "  vendor-echarts refresh the vendored ECharts from npm (ECHARTS_VERSION, default 6.1.0)"

# ---------------------------------------------------------------- build

build:
	go build -o bin/hirestream ./cmd/hirestream

# ---------------------------------------------------------------- local infra

infra:
	$(INFRA) up

infra-down:
	$(INFRA) down

infra-status:
	$(INFRA) status

infra-logs:
	$(INFRA) logs

infra-deps:
	$(INFRA) deps

infra-clean:
	$(INFRA) clean

# ---------------------------------------------------------------- test

# Integration tests run against the real local Kafka and ClickHouse, started first (idempotent).
test: infra
	set -a; . ./$(ENV_SH); set +a; \
	export HIRESTREAM_REQUIRE_INTEGRATION=1; \
	go test $(GOTESTFLAGS) $(PKGS)

# ---------------------------------------------------------------- run

up:
	deploy/local/up.sh up

down:
	deploy/local/up.sh down

status:
	deploy/local/up.sh status

# ---------------------------------------------------------------- dashboard

dashboard: build
	DASHBOARD_CLICKHOUSE_PASSWORD=$${DASHBOARD_CLICKHOUSE_PASSWORD:-hirestream_ro} bin/hirestream dashboard

grafana:
	go generate ./dashboards/grafana

vendor-echarts:
	dashboards/web/vendor/refresh.sh

# ---------------------------------------------------------------- bench / fuzz

BENCH ?= .
BENCHTIME ?= 1x
bench: infra
	set -a; . ./$(ENV_SH); set +a; \
	go test -run '^$$' -bench 'Ingest' -benchtime 3000x ./internal/e2e; \
	go test -run '^$$' -bench 'Normalizer' -benchtime 5000x ./internal/e2e; \
	go test -run '^$$' -bench 'Sink' -benchtime 100000x ./internal/e2e; \
	go test -run '^$$' -bench 'HRISSync' -benchtime 500x ./internal/e2e; \
	go test -run '^$$' -bench '$(BENCH)' -benchmem ./schemas ./producers/...

# The analytics benchmark: EVENTS history events through Kafka and the sink into ClickHouse, then
# every metric through the dashboard API. Takes a while at 10M; not part of `make test`.
EVENTS ?= 10000000
bench-analytics: infra
	set -a; . ./$(ENV_SH); set +a; \
	HIRESTREAM_BENCH_EVENTS=$(EVENTS) go test -run '^$$' -bench 'BenchmarkAnalytics' -benchtime 1x -timeout 3h ./internal/e2e

FUZZTIME ?= 20s
fuzz:
	go test ./schemas -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME)
	go test ./producers/greenhouse -run '^$$' -fuzz FuzzNormalize -fuzztime $(FUZZTIME)
	go test ./producers/greenhouse -run '^$$' -fuzz FuzzVerifySignature -fuzztime $(FUZZTIME)
	go test ./processors/hrissync -run '^$$' -fuzz FuzzParseMapping -fuzztime $(FUZZTIME)
