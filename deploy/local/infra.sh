#!/usr/bin/env bash
# Local infrastructure for hirestream without Docker: a real Apache Kafka broker
# (KRaft, single combined broker+controller, jars from Maven Central) and a
# ClickHouse server (Debian package), both run as plain background processes
# with all state under <repo>/.local/.
#
#   deploy/local/infra.sh deps     install what the tests need (Java, Maven, Kafka jars,
#                                  ClickHouse packages, Python venv with fastavro + avro + chdb,
#                                  Chromium for the dashboard's browser test)
#   deploy/local/infra.sh up       deps + start Kafka and ClickHouse (idempotent)
#   deploy/local/infra.sh down     stop both
#   deploy/local/infra.sh status   pid / port / health of each service
#   deploy/local/infra.sh logs [N] log locations and the last N (default 20) lines
#   deploy/local/infra.sh env      print the env exports the tests use
#   deploy/local/infra.sh clean    down + delete Kafka and ClickHouse data (keeps jars, venv)
#   deploy/local/infra.sh kafka-run CLASS [ARGS...]
#                                  run a Kafka tool class with the broker's classpath, e.g.
#                                  kafka-run org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#
# Everything it needs it installs itself (apt-get, mvn, pip), so it works on a fresh
# machine. Runs fine as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/local"
LOCAL="$ROOT/.local"
RUN="$LOCAL/run"
LOGS="$LOCAL/logs"

KAFKA_VERSION="4.1.1"
KAFKA_HOME="$LOCAL/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_PORT="${HIRESTREAM_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${HIRESTREAM_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${HIRESTREAM_KAFKA_HEAP:--Xms256m -Xmx1g}"
KAFKA_PID="$RUN/kafka.pid"
KAFKA_LOG="$LOGS/kafka.log"

CH_HOME="$LOCAL/clickhouse"
CH_TCP_PORT="${HIRESTREAM_CLICKHOUSE_PORT:-9000}"
CH_HTTP_PORT="${HIRESTREAM_CLICKHOUSE_HTTP_PORT:-8123}"
CH_PID="$RUN/clickhouse.pid"
CH_LOG="$LOGS/clickhouse.log"
CH_ERR_LOG="$LOGS/clickhouse.err.log"
CH_STDOUT_LOG="$LOGS/clickhouse.stdout.log"
CH_RO_USER="hirestream_ro"
CH_RO_PASSWORD="hirestream_ro"

VENV="$LOCAL/venv"
PY_PACKAGES=(fastavro avro chdb)

START_TIMEOUT="${HIRESTREAM_INFRA_TIMEOUT:-120}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers

# tcp_open PORT: true if something accepts connections on 127.0.0.1:PORT.
tcp_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# running PIDFILE PATTERN: prints the pid and succeeds if the pid in PIDFILE is
# alive and its command line contains PATTERN (guards against pid reuse).
running() {
  local pidfile="$1" pattern="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern" || return 1
  echo "$pid"
}

# who_listens PORT: a short description of the process listening on PORT.
who_listens() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | head -3
  fi
}

tail_log() {
  local f="$1" n="${2:-40}"
  if [[ -f "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '-----\n' >&2
  else
    log "(no log file $f)"
  fi
}

# stop_pid NAME PIDFILE PATTERN [TIMEOUT]: TERM, wait, KILL as a last resort.
stop_pid() {
  local name="$1" pidfile="$2" pattern="$3" timeout="${4:-60}" pid i
  if ! pid="$(running "$pidfile" "$pattern")"; then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  log "$name: stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 2; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after ${timeout}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

APT_UPDATED=0
apt_install() {
  local pkgs=("$@")
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install ${pkgs[*]} by hand"
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${pkgs[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists once per run, and only when an install needs it.
  if [[ $APT_UPDATED == 0 ]]; then
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${pkgs[@]}" </dev/null >>"$LOGS/apt.log" 2>&1; then
      log "apt-get update (once)"
      "${sudo[@]}" apt-get update -q </dev/null >>"$LOGS/apt.log" 2>&1 || { tail_log "$LOGS/apt.log"; die "apt-get update failed"; }
      APT_UPDATED=1
    else
      return 0
    fi
  fi
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${pkgs[@]}" </dev/null >>"$LOGS/apt.log" 2>&1 ||
    { tail_log "$LOGS/apt.log"; die "apt-get install ${pkgs[*]} failed"; }
}

java_major() {
  local v
  v="$("${JAVA:-java}" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  v="${v#1.}"
  echo "${v%%.*}"
}

find_java() {
  if [[ -z "${JAVA:-}" ]]; then
    if command -v java >/dev/null 2>&1; then JAVA="$(command -v java)"; fi
  fi
  if [[ -n "${JAVA:-}" ]] && [[ "$(java_major 2>/dev/null || echo 0)" -ge 17 ]]; then
    return 0
  fi
  log "installing Java 17 (openjdk-17-jre-headless)"
  apt_install openjdk-17-jre-headless
  JAVA="$(command -v java)"
  [[ "$(java_major)" -ge 17 ]] || die "java $(java_major) at $JAVA is too old; Kafka $KAFKA_VERSION needs 17+"
}

clickhouse_server_bin() {
  command -v clickhouse-server 2>/dev/null || { [[ -x /usr/sbin/clickhouse-server ]] && echo /usr/sbin/clickhouse-server; } || true
}

ch_client() {
  clickhouse-client --host 127.0.0.1 --port "$CH_TCP_PORT" "$@"
}

# ---------------------------------------------------------------- deps

deps_kafka() {
  find_java
  local stamp="$KAFKA_LIBS/.complete" want
  want="$(sha256sum "$HERE/kafka/pom.xml" | cut -c1-64)"
  if [[ -f "$stamp" && "$(<"$stamp")" == "$want" ]]; then
    return 0
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    log "installing Maven"
    apt_install maven
  fi
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  local tmp="$KAFKA_HOME/libs.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -B -q -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" </dev/null >"$LOGS/mvn.log" 2>&1; then
    tail_log "$LOGS/mvn.log"
    die "mvn could not fetch the Kafka jars (see $LOGS/mvn.log)"
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  echo "$want" >"$stamp"
  log "Kafka jars: $(ls "$KAFKA_LIBS"/*.jar | wc -l) jars, $(du -sh "$KAFKA_LIBS" | cut -f1)"
}

deps_clickhouse() {
  if [[ -n "$(clickhouse_server_bin)" ]] && command -v clickhouse-client >/dev/null 2>&1; then
    return 0
  fi
  log "installing clickhouse-server and clickhouse-client (Debian packages)"
  apt_install clickhouse-server clickhouse-client
  [[ -n "$(clickhouse_server_bin)" ]] || die "clickhouse-server not found after install"
  # The package may start its own system service on :9000 (where an init system
  # lets it); this project runs its own instance instead. Stop only that one:
  # the init script's own 'stop' would kill every clickhouse-server, ours too.
  if [[ -d /run/systemd/system ]] && systemctl is-active --quiet clickhouse-server 2>/dev/null; then
    log "stopping and disabling the system clickhouse-server service (we run our own)"
    systemctl stop clickhouse-server || true
    systemctl disable clickhouse-server >/dev/null 2>&1 || true
  fi
  local pid
  for pid in $(pgrep -f 'clickhouse-server.*/etc/clickhouse-server/config.xml' || true); do
    log "stopping the system clickhouse-server (pid $pid; we run our own)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in {1..30}; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
}

deps_python() {
  local py="$VENV/bin/python" stamp="$VENV/.complete" want="${PY_PACKAGES[*]}"
  if [[ -x "$py" && -f "$stamp" && "$(<"$stamp")" == "$want" ]] && "$py" -c 'import fastavro, avro, chdb' 2>/dev/null; then
    return 0
  fi
  local base="${HIRESTREAM_BASE_PYTHON:-python3}"
  if ! command -v "$base" >/dev/null 2>&1; then
    log "installing python3"
    apt_install python3 python3-venv
  fi
  if ! "$base" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    log "installing python3-venv"
    apt_install python3-venv
  fi
  log "creating Python venv $VENV with ${PY_PACKAGES[*]}"
  rm -rf "$VENV"
  "$base" -m venv "$VENV" >"$LOGS/pip.log" 2>&1 || { tail_log "$LOGS/pip.log"; die "python3 -m venv failed"; }
  if ! "$VENV/bin/pip" install -q "${PY_PACKAGES[@]}" </dev/null >>"$LOGS/pip.log" 2>&1; then
    tail_log "$LOGS/pip.log"
    die "pip install ${PY_PACKAGES[*]} failed"
  fi
  "$py" -c 'import fastavro, avro, chdb' || die "fastavro/avro/chdb not importable in $VENV"
  echo "$want" >"$stamp"
}

# Debian's Chromium (plus fonts, or chart labels render as boxes) for the dashboard's headless
# browser test (internal/e2e/dashboard_test.go, chromedp). It never downloads a browser itself.
deps_chromium() {
  if command -v chromium >/dev/null 2>&1 && [[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ]]; then
    return 0
  fi
  log "installing Chromium and fonts (Debian packages chromium, fonts-liberation)"
  apt_install chromium fonts-liberation
  command -v chromium >/dev/null 2>&1 || die "chromium not found after install"
}

cmd_deps() {
  mkdir -p "$RUN" "$LOGS"
  deps_kafka
  deps_clickhouse
  deps_python
  deps_chromium
  write_env
  log "deps ok"
}

# ---------------------------------------------------------------- kafka

# kafka_tool CLASS ARGS...: run a Kafka CLI class (quiet logging, small heap).
kafka_tool() {
  find_java
  "$JAVA" -Xmx256m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/kafka/tools-log4j2.xml" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_write_config() {
  mkdir -p "$KAFKA_DATA"
  cat >"$KAFKA_HOME/server.properties" <<EOF
# Generated by deploy/local/infra.sh; edits are overwritten on every 'up'.
# Single node: combined broker + KRaft controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA

# The project creates its own topics.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true

num.network.threads=2
num.io.threads=4
log.retention.hours=168
log.segment.bytes=104857600
EOF
}

kafka_format() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    return 0
  fi
  local id
  if [[ -s "$KAFKA_HOME/cluster.id" ]]; then
    id="$(<"$KAFKA_HOME/cluster.id")"
  else
    id="$(kafka_tool kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | tail -n1)"
    [[ -n "$id" ]] || { tail_log "$KAFKA_LOG"; die "kafka: could not generate a cluster id"; }
    echo "$id" >"$KAFKA_HOME/cluster.id"
  fi
  log "kafka: formatting storage $KAFKA_DATA (cluster id $id)"
  if ! kafka_tool kafka.tools.StorageTool format --standalone -t "$id" \
    -c "$KAFKA_HOME/server.properties" >>"$KAFKA_LOG" 2>&1; then
    tail_log "$KAFKA_LOG"
    die "kafka: storage format failed"
  fi
}

# kafka_api_ok: the broker answers a Kafka ApiVersions request (cheap, no JVM).
kafka_api_ok() {
  local out
  out="$(
    exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT" || exit 1
    # size=13, api_key=18 (ApiVersions), version=0, correlation_id=1, client_id="hsi"
    printf '\x00\x00\x00\x0d\x00\x12\x00\x00\x00\x00\x00\x01\x00\x03hsi' >&3
    timeout 5 head -c 10 <&3 | od -An -tx1 | tr -d ' \n'
  )" 2>/dev/null || return 1
  # bytes 4..7: correlation id 1; bytes 8..9: error code 0
  [[ "${out:8:12}" == "000000010000" ]]
}

# kafka_metadata_ok: a real admin client lists topics (metadata round trip).
kafka_metadata_ok() {
  timeout 60 "$JAVA" -Xmx256m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/kafka/tools-log4j2.xml" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list \
    </dev/null >/dev/null 2>>"$LOGS/kafka-check.log"
}

kafka_up() {
  local pid
  if pid="$(running "$KAFKA_PID" kafka.Kafka)"; then
    log "kafka: already running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
    return 0
  fi
  rm -f "$KAFKA_PID"
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if tcp_open "$p"; then
      die "kafka: port $p is already in use by another process: $(who_listens "$p")"
    fi
  done
  kafka_write_config
  kafka_format
  log "kafka: starting Apache Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  printf '\n===== %s infra.sh: starting kafka =====\n' "$(date -Is)" >>"$KAFKA_LOG"
  (
    cd "$KAFKA_HOME"
    exec 9>&-
    exec setsid "$JAVA" $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -Djava.awt.headless=true -Dkafka.logs.dir="$LOGS" \
      -Dlog4j2.configurationFile="$HERE/kafka/log4j2.xml" \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties" \
      </dev/null >>"$KAFKA_LOG" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$KAFKA_PID"

  local deadline=$((SECONDS + START_TIMEOUT))
  until tcp_open "$KAFKA_PORT" && kafka_api_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$KAFKA_PID"
      tail_log "$KAFKA_LOG" 60
      die "kafka: the broker process exited during startup (log: $KAFKA_LOG)"
    fi
    if ((SECONDS > deadline)); then
      tail_log "$KAFKA_LOG" 60
      die "kafka: not answering on 127.0.0.1:$KAFKA_PORT after ${START_TIMEOUT}s (pid $pid still running; log: $KAFKA_LOG)"
    fi
    sleep 0.5
  done
  until kafka_metadata_ok; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
      tail_log "$LOGS/kafka-check.log" 20
      tail_log "$KAFKA_LOG" 60
      die "kafka: broker accepts connections but metadata requests fail (log: $KAFKA_LOG)"
    fi
    sleep 1
  done
  log "kafka: ready (pid $pid)"
}

# ---------------------------------------------------------------- clickhouse

ch_write_config() {
  mkdir -p "$CH_HOME/data" "$CH_HOME/tmp" "$CH_HOME/user_files" "$CH_HOME/format_schemas"
  # ClickHouse 18.16 configuration format: root element <yandex>.
  cat >"$CH_HOME/config.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/local/infra.sh; edits are overwritten on every 'up'. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$CH_LOG</log>
        <errorlog>$CH_ERR_LOG</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>

    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$CH_TCP_PORT</tcp_port>
    <http_port>$CH_HTTP_PORT</http_port>

    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>

    <path>$CH_HOME/data/</path>
    <tmp_path>$CH_HOME/tmp/</tmp_path>
    <user_files_path>$CH_HOME/user_files/</user_files_path>
    <format_schema_path>$CH_HOME/format_schemas/</format_schema_path>

    <users_config>$CH_HOME/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>

    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>7500</flush_interval_milliseconds>
    </query_log>
</yandex>
EOF
  cat >"$CH_HOME/users.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/local/infra.sh; edits are overwritten on every 'up'. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>

    <users>
        <!-- full rights, no password, loopback only -->
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <!-- read-only user for the dashboard -->
        <$CH_RO_USER>
            <password>$CH_RO_PASSWORD</password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>readonly</profile>
            <quota>default</quota>
        </$CH_RO_USER>
    </users>

    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

ch_ok() {
  timeout 10 clickhouse-client --host 127.0.0.1 --port "$CH_TCP_PORT" -q 'SELECT 1' 2>/dev/null | grep -qx 1
}

clickhouse_up() {
  local pid bin
  if pid="$(running "$CH_PID" clickhouse-server)"; then
    log "clickhouse: already running (pid $pid, 127.0.0.1:$CH_TCP_PORT)"
    return 0
  fi
  rm -f "$CH_PID"
  local p
  for p in "$CH_TCP_PORT" "$CH_HTTP_PORT"; do
    if tcp_open "$p"; then
      die "clickhouse: port $p is already in use by another process: $(who_listens "$p")"
    fi
  done
  bin="$(clickhouse_server_bin)"
  [[ -n "$bin" ]] || die "clickhouse-server not installed (run: $0 deps)"
  ch_write_config
  log "clickhouse: starting $bin on 127.0.0.1:$CH_TCP_PORT (http $CH_HTTP_PORT)"
  printf '\n===== %s infra.sh: starting clickhouse =====\n' "$(date -Is)" >>"$CH_STDOUT_LOG"
  (
    cd "$CH_HOME"
    exec 9>&-
    exec setsid "$bin" --config-file="$CH_HOME/config.xml" </dev/null >>"$CH_STDOUT_LOG" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$CH_PID"

  local deadline=$((SECONDS + START_TIMEOUT))
  until ch_ok; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$CH_PID"
      tail_log "$CH_STDOUT_LOG" 20
      tail_log "$CH_ERR_LOG" 40
      die "clickhouse: the server exited during startup (logs: $CH_ERR_LOG, $CH_STDOUT_LOG)"
    fi
    if ((SECONDS > deadline)); then
      tail_log "$CH_ERR_LOG" 40
      tail_log "$CH_LOG" 20
      die "clickhouse: 'SELECT 1' still failing after ${START_TIMEOUT}s (pid $pid still running)"
    fi
    sleep 0.5
  done
  log "clickhouse: ready (pid $pid, version $(ch_client -q 'SELECT version()' 2>/dev/null || echo '?'))"
}

# ---------------------------------------------------------------- commands

env_lines() {
  cat <<EOF
export HIRESTREAM_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export HIRESTREAM_CLICKHOUSE_ADDR=127.0.0.1:$CH_TCP_PORT
export HIRESTREAM_PYTHON=$VENV/bin/python
EOF
}

write_env() {
  mkdir -p "$LOCAL"
  {
    echo "# Generated by deploy/local/infra.sh. Source it: . .local/env.sh"
    env_lines
  } >"$LOCAL/env.sh"
}

with_lock() {
  mkdir -p "$RUN" "$LOGS"
  exec 9>"$RUN/infra.lock"
  if ! flock -w 600 9; then
    die "another infra.sh is still running (lock $RUN/infra.lock)"
  fi
}

cmd_up() {
  local t0=$SECONDS
  cmd_deps
  find_java
  kafka_up
  clickhouse_up
  write_env
  log "up in $((SECONDS - t0))s; env written to $LOCAL/env.sh"
  env_lines
}

cmd_down() {
  stop_pid kafka "$KAFKA_PID" kafka.Kafka 90
  stop_pid clickhouse "$CH_PID" clickhouse-server 60
}

cmd_clean() {
  cmd_down
  log "deleting Kafka data ($KAFKA_DATA) and ClickHouse data ($CH_HOME)"
  rm -rf "$KAFKA_DATA" "$KAFKA_HOME/cluster.id" "$CH_HOME"
}

cmd_status() {
  local pid rc=0 health
  if pid="$(running "$KAFKA_PID" kafka.Kafka)"; then
    if kafka_api_ok; then health=ok; else health="NOT ANSWERING"; rc=1; fi
    printf '%-11s pid=%-8s port=%-5s %s\n' kafka "$pid" "$KAFKA_PORT" "$health"
  else
    printf '%-11s pid=%-8s port=%-5s %s\n' kafka - "$KAFKA_PORT" stopped
    rc=1
  fi
  if pid="$(running "$CH_PID" clickhouse-server)"; then
    if ch_ok; then health=ok; else health="NOT ANSWERING"; rc=1; fi
    printf '%-11s pid=%-8s port=%-5s %s (http %s)\n' clickhouse "$pid" "$CH_TCP_PORT" "$health" "$CH_HTTP_PORT"
  else
    printf '%-11s pid=%-8s port=%-5s %s\n' clickhouse - "$CH_TCP_PORT" stopped
    rc=1
  fi
  return $rc
}

cmd_logs() {
  local n="${1:-20}" f
  for f in "$KAFKA_LOG" "$CH_LOG" "$CH_ERR_LOG" "$CH_STDOUT_LOG"; do
    echo "== $f"
    if [[ -f "$f" ]]; then tail -n "$n" "$f"; else echo "(none yet)"; fi
    echo
  done
  echo "other logs: $LOGS/{apt,mvn,pip,kafka-check}.log"
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    deps) with_lock; cmd_deps ;;
    up) with_lock; cmd_up ;;
    down) with_lock; cmd_down ;;
    clean) with_lock; cmd_clean ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    env) env_lines ;;
    kafka-run)
      [[ $# -ge 1 ]] || die "usage: $0 kafka-run CLASS [ARGS...]"
      [[ -f "$KAFKA_LIBS/.complete" ]] || die "Kafka jars not fetched yet (run: $0 deps)"
      kafka_tool "$@"
      ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
