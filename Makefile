# hirestream — developer entry points.
#
#   make infra         install + start local Kafka and ClickHouse (deploy/local/infra.sh up)
#   make test          full test suite against the local infra (integration required)
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
.PHONY: infra infra-down infra-status infra-logs infra-deps
.PHONY: test
# .PHONY: build up ...   (build / run targets go here)

help:
	@echo "targets:"
	@echo "  infra          install deps and start local Kafka + ClickHouse"
	@echo "  infra-down     stop local Kafka + ClickHouse"
	@echo "  infra-status   pid / port / health of each local service"
	@echo "  infra-logs     log locations and tails"
	@echo "  infra-deps     install deps only (Kafka jars, ClickHouse, Python venv)"
	@echo "  test           go test $(GOTESTFLAGS) $(PKGS) with integration required"

# ---------------------------------------------------------------- build

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

# ---------------------------------------------------------------- test

# Integration tests need the local infra: run `make infra` first (.ci/run does).
test:
	@if [[ ! -f $(ENV_SH) ]]; then echo "$(ENV_SH) missing: run 'make infra' first" >&2; exit 1; fi
	set -a; . ./$(ENV_SH); set +a; \
	export HIRESTREAM_REQUIRE_INTEGRATION=1; \
	go test $(GOTESTFLAGS) $(PKGS)

# ---------------------------------------------------------------- run
