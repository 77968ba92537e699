#!/usr/bin/env bash
# Bring up the whole hirestream pipeline on this machine, without Docker:
#   real Kafka + ClickHouse (deploy/local/infra.sh), topics and tables (hirestream migrate),
#   ingest + normalize + sink + dashboard as background services, the HRIS sync with local
#   stand-ins (BambooHR emulator, Slack-webhook and SMTP receivers for alerts, configs from
#   deploy/hris/), then a synthetic Greenhouse funnel posted as signed webhooks
#   (hirestream simulate), and where to look at the result.
#
#   deploy/local/up.sh          start everything, simulate, print where to look
#   deploy/local/up.sh down     stop the services and the infrastructure
#   deploy/local/up.sh status   what runs where
#
# Services log JSON to .local/logs/<service>.log; pids are in .local/run/<service>.pid.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
RUN="$LOCAL/run"
LOGS="$LOCAL/logs"
BIN="$ROOT/bin/hirestream"
SERVICES=(ingest normalize sink dashboard)
# HRIS sync: the services and their command lines (local stand-ins first).
HRIS_SERVICES=(emulate-bamboohr emulate-slack emulate-smtp hris-sync alert)
hris_cmd() {
  case "$1" in
    emulate-bamboohr) echo "emulate bamboohr $BAMBOOHR_EMULATOR_FLAGS" ;;
    emulate-slack) echo "emulate slack" ;;
    emulate-smtp) echo "emulate smtp" ;;
    hris-sync) echo "process hris-sync" ;;
    alert) echo "process alert" ;;
  esac
}

log() { printf '[up] %s\n' "$*" >&2; }

stop_services() {
  for s in "${SERVICES[@]}" "${HRIS_SERVICES[@]}"; do
    local pidf="$RUN/$s.pid"
    if [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
      kill -TERM "$(cat "$pidf")" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$(cat "$pidf")" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$(cat "$pidf")" 2>/dev/null || true
      log "stopped $s"
    fi
    rm -f "$pidf"
  done
}

status() {
  for s in "${SERVICES[@]}" "${HRIS_SERVICES[@]}"; do
    local pidf="$RUN/$s.pid"
    if [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
      echo "$s: running (pid $(cat "$pidf")), log $LOGS/$s.log"
    else
      echo "$s: stopped"
    fi
  done
  "$ROOT/deploy/local/infra.sh" status
}

case "${1:-up}" in
  down) stop_services; "$ROOT/deploy/local/infra.sh" down; exit 0 ;;
  status) status; exit 0 ;;
  up) ;;
  *) echo "usage: $0 [up|down|status]" >&2; exit 2 ;;
esac

mkdir -p "$RUN" "$LOGS"
"$ROOT/deploy/local/infra.sh" up >/dev/null

log "building bin/hirestream"
(cd "$ROOT" && go build -o "$BIN" ./cmd/hirestream)

# A local webhook secret, made once, shared by ingest and the simulator.
if [[ -z "${GREENHOUSE_WEBHOOK_SECRET:-}" ]]; then
  [[ -f "$LOCAL/greenhouse-secret" ]] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$LOCAL/greenhouse-secret"
  GREENHOUSE_WEBHOOK_SECRET="$(cat "$LOCAL/greenhouse-secret")"
fi
export GREENHOUSE_WEBHOOK_SECRET
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export CLICKHOUSE_ADDR="${CLICKHOUSE_ADDR:-127.0.0.1:9000}"
export CLICKHOUSE_DATABASE="${CLICKHOUSE_DATABASE:-hirestream}"
export INGEST_ADDR="${INGEST_ADDR:-127.0.0.1:8080}"
export INGEST_URL="${INGEST_URL:-http://$INGEST_ADDR}"
# The dashboard reads as the read-only user deploy/local/infra.sh creates.
export DASHBOARD_ADDR="${DASHBOARD_ADDR:-127.0.0.1:8090}"
export DASHBOARD_CLICKHOUSE_USER="${DASHBOARD_CLICKHOUSE_USER:-hirestream_ro}"
export DASHBOARD_CLICKHOUSE_PASSWORD="${DASHBOARD_CLICKHOUSE_PASSWORD:-hirestream_ro}"
DASHBOARD_URL="http://$DASHBOARD_ADDR/"
# HRIS sync against the BambooHR emulator; alerts go to local Slack-webhook and SMTP receivers.
export HRIS_MAPPING_FILE="${HRIS_MAPPING_FILE:-$ROOT/deploy/hris/mapping.json}"
export OWNERS_FILE="${OWNERS_FILE:-$ROOT/deploy/hris/owners.json}"
export BAMBOOHR_EMULATOR_ADDR="${BAMBOOHR_EMULATOR_ADDR:-127.0.0.1:8091}"
export BAMBOOHR_EMULATOR_SEED_FILE="${BAMBOOHR_EMULATOR_SEED_FILE:-$ROOT/deploy/hris/bamboohr-seed.json}"
export BAMBOOHR_URL="${BAMBOOHR_URL:-http://$BAMBOOHR_EMULATOR_ADDR}"
export BAMBOOHR_API_KEY="${BAMBOOHR_API_KEY:-emulator-key}"
# One injected fault, so the alert path shows itself: the emulator stores the first salary it is
# given with two digits transposed (103000 -> 130000), the read-back catches it, the owner is
# alerted. BAMBOOHR_EMULATOR_FLAGS="" starts it without faults (`hirestream emulate bamboohr -h`).
BAMBOOHR_EMULATOR_FLAGS="${BAMBOOHR_EMULATOR_FLAGS--silent-change-field rate -silent-change-count 1}"
export SLACK_EMULATOR_ADDR="${SLACK_EMULATOR_ADDR:-127.0.0.1:8092}"
export HRIS_ALERT_SLACK_WEBHOOK_URL="${HRIS_ALERT_SLACK_WEBHOOK_URL:-http://$SLACK_EMULATOR_ADDR/services/T000LOCAL/B000LOCAL/local}"
export SMTP_EMULATOR_ADDR="${SMTP_EMULATOR_ADDR:-127.0.0.1:2525}"
export SMTP_EMULATOR_MAILDIR="${SMTP_EMULATOR_MAILDIR:-$LOCAL/mail}"
export SMTP_ADDR="${SMTP_ADDR:-$SMTP_EMULATOR_ADDR}"
export SMTP_FROM="${SMTP_FROM:-hirestream@acme.example}"

log "migrating (topics + ClickHouse tables)"
"$BIN" migrate

stop_services
for s in "${SERVICES[@]}"; do
  nohup "$BIN" "$s" >>"$LOGS/$s.log" 2>&1 &
  echo $! > "$RUN/$s.pid"
  log "started $s (pid $!), log $LOGS/$s.log"
done

for _ in $(seq 1 100); do
  curl -fsS "$INGEST_URL/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$INGEST_URL/healthz" >/dev/null || { log "ingest did not come up; see $LOGS/ingest.log"; tail -20 "$LOGS/ingest.log" >&2; exit 1; }
for _ in $(seq 1 50); do
  curl -fsS "${DASHBOARD_URL}healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "${DASHBOARD_URL}healthz" >/dev/null || { log "dashboard did not come up; see $LOGS/dashboard.log"; tail -20 "$LOGS/dashboard.log" >&2; exit 1; }
log "dashboard: $DASHBOARD_URL"

for s in "${HRIS_SERVICES[@]}"; do
  # shellcheck disable=SC2046 # the command line is words on purpose
  nohup "$BIN" $(hris_cmd "$s") >>"$LOGS/$s.log" 2>&1 &
  echo $! > "$RUN/$s.pid"
  log "started $s (pid $!), log $LOGS/$s.log"
done
for _ in $(seq 1 50); do
  curl -fsS "http://$BAMBOOHR_EMULATOR_ADDR/_admin/stats" >/dev/null 2>&1 && break
  sleep 0.2
done
sleep 1
for s in hris-sync alert; do
  kill -0 "$(cat "$RUN/$s.pid")" 2>/dev/null || { log "$s did not start; see $LOGS/$s.log"; tail -5 "$LOGS/$s.log" >&2; exit 1; }
done

log "simulating a hiring funnel (SIMULATE_CANDIDATES=${SIMULATE_CANDIDATES:-300})"
"$BIN" simulate

# Wait for normalize and sink to catch up: until the row count holds still for 3 seconds.
last=-1; still=0
for _ in $(seq 1 120); do
  n=$(clickhouse-client --port "${CLICKHOUSE_ADDR##*:}" --query "SELECT count() FROM $CLICKHOUSE_DATABASE.candidate_events" 2>/dev/null || echo -1)
  if [[ "$n" == "$last" && "$n" != "0" ]]; then still=$((still + 1)); else still=0; fi
  [[ $still -ge 3 ]] && break
  last=$n; sleep 1
done
Q="SELECT event_type, count() AS events, uniqExact(candidate_id) AS candidates FROM $CLICKHOUSE_DATABASE.candidate_events FINAL GROUP BY event_type ORDER BY events DESC"
echo
echo "The pipeline is up. Events landed in ClickHouse:"
clickhouse-client --port "${CLICKHOUSE_ADDR##*:}" --format PrettyCompact --query "$Q" || true

# HRIS sync: every hire's outcome lands in hris_syncs; wait until that count holds still too.
last=-1; still=0
for _ in $(seq 1 60); do
  n=$(clickhouse-client --port "${CLICKHOUSE_ADDR##*:}" --query "SELECT count() FROM $CLICKHOUSE_DATABASE.hris_syncs" 2>/dev/null || echo -1)
  if [[ "$n" == "$last" && "$n" != "0" ]]; then still=$((still + 1)); else still=0; fi
  [[ $still -ge 3 ]] && break
  last=$n; sleep 1
done
HQ="SELECT toDate(occurred_at) AS day, target, count() AS syncs, countIf(event_type = 'hris.sync_failed') AS failed, round(failed / syncs, 4) AS error_rate FROM $CLICKHOUSE_DATABASE.hris_syncs FINAL GROUP BY day, target ORDER BY day, target"
echo
echo "HRIS sync (BambooHR emulator) — sync error rate per day and target:"
clickhouse-client --port "${CLICKHOUSE_ADDR##*:}" --format PrettyCompact --query "$HQ" || true
echo "Why syncs failed (the emulator transposed one salary on purpose; the simulated history starts ${SIMULATE_DAYS:-60} days ago, so some start dates are already past):"
clickhouse-client --port "${CLICKHOUSE_ADDR##*:}" --format PrettyCompact --query \
  "SELECT arrayStringConcat(diff_field, ', ') AS fields, count() AS syncs FROM $CLICKHOUSE_DATABASE.hris_syncs FINAL WHERE event_type = 'hris.sync_failed' GROUP BY fields ORDER BY syncs DESC" || true
echo "Employees in the emulator: $(curl -fsS "http://$BAMBOOHR_EMULATOR_ADDR/_admin/employees" | grep -o '"customAtsCandidateId"' | wc -l) new hires (+ seeded managers); alerts: $(curl -fsS "http://$SLACK_EMULATOR_ADDR/_admin/messages" | grep -o '"path"' | wc -l) Slack messages, $(ls "$SMTP_EMULATOR_MAILDIR" 2>/dev/null | wc -l) emails"
cat <<MSG

Where to look:
  dashboard: $DASHBOARD_URL      (recruiting analytics; API: ${DASHBOARD_URL}api/metrics)
  clickhouse-client --query "$Q"
  curl -s $INGEST_URL/metrics | grep hirestream_     (also :9102 normalize, :9103 sink)
  logs: $LOGS/{ingest,normalize,sink,dashboard,kafka,clickhouse}.log
  post more traffic: GREENHOUSE_WEBHOOK_SECRET=\$(cat .local/greenhouse-secret) bin/hirestream simulate
  HRIS sync: clickhouse-client --query "$HQ"
    BambooHR emulator: curl -s http://$BAMBOOHR_EMULATOR_ADDR/_admin/employees   (faults: POST /_admin/faults, see deploy/hris/README.md)
    alerts: curl -s http://$SLACK_EMULATOR_ADDR/_admin/messages (Slack) · $SMTP_EMULATOR_MAILDIR/*.eml (email to the owner in deploy/hris/owners.json)
    logs: $LOGS/{emulate-bamboohr,emulate-slack,emulate-smtp,hris-sync,alert}.log · metrics :9104 hris-sync, :9105 alert
  stop everything: make down
MSG
