#!/usr/bin/env bash
# Runs the local development stack without Docker: a single-node Kafka broker
# (KRaft mode, combined broker and controller) and a ClickHouse server. Both
# listen on 127.0.0.1 only and keep their data, logs and pid files under
# $STACK_DIR (default .cache/run in the repository).
#
# Usage: scripts/stack.sh COMMAND
#   install           Install ClickHouse (apt) and download the Kafka jars (Maven) if missing.
#   up                Run install, start both services and wait until they respond.
#   down              Stop both services. Does nothing when they are not running.
#   status            Print whether each service is up. Exits with 3 if any is down.
#   reset             Run down, then delete all service data under $STACK_DIR.
#                     Downloaded jars are kept.
#   start-kafka | stop-kafka | start-clickhouse | stop-clickhouse
#                     Start or stop one service.
#   topics ARGS...    Run Kafka's topic tool (kafka-topics) against the local
#                     broker, for example: topics --list, or
#                     topics --create --topic NAME --partitions 6 --replication-factor 1
#
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]             Kafka client listener, advertised as 127.0.0.1:KAFKA_PORT.
#   KAFKA_CONTROLLER_PORT [9093]  KRaft controller listener.
#   CLICKHOUSE_HTTP_PORT [8123]   ClickHouse HTTP interface.
#   CLICKHOUSE_TCP_PORT [9000]    ClickHouse native protocol.
#   KAFKA_VERSION [4.4.0]         Kafka release whose jars are downloaded and run.
#   STACK_DIR [<repo>/.cache/run] Data, logs and pid files.
#   KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]  JVM heap options for the broker.
#   STACK_START_TIMEOUT [120]     Seconds to wait for a service to respond after starting it.
#   STACK_STOP_TIMEOUT [30]       Seconds to wait after SIGTERM before sending SIGKILL.
#   CLICKHOUSE_NICE [10]          CPU priority of ClickHouse (0 is normal, 19 lowest).
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$REPO_DIR/.cache"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
# Kafka 4.4.0 is the newest release checked against kafkajs 2.2.4 (the Node
# client the apps use). Keep in step with infra/kafka/pom.xml and docker-compose.yml.
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
STACK_DIR="${STACK_DIR:-$CACHE_DIR/run}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
STACK_START_TIMEOUT="${STACK_START_TIMEOUT:-120}"
STACK_STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-30}"
# On a machine that also runs the apps, ClickHouse yields the CPU to them when
# both want it, so its background merges of small inserts no longer hold up
# ingest's requests. It still gets every core that no other process uses.
# docs/operations.md ("CPU priority") has the reasons and the figures.
CLICKHOUSE_NICE="${CLICKHOUSE_NICE:-10}"

KAFKA_LIBS_DIR="$CACHE_DIR/kafka/$KAFKA_VERSION/libs"
MAVEN_REPO_DIR="$CACHE_DIR/m2"

KAFKA_PID_FILE="$STACK_DIR/kafka.pid"
KAFKA_LOG_FILE="$STACK_DIR/kafka.log"
KAFKA_CONFIG_DIR="$STACK_DIR/kafka"
KAFKA_CONFIG_FILE="$KAFKA_CONFIG_DIR/server.properties"
KAFKA_DATA_DIR="$STACK_DIR/kafka-data"

CLICKHOUSE_PID_FILE="$STACK_DIR/clickhouse.pid"
CLICKHOUSE_LOG_FILE="$STACK_DIR/clickhouse.log"
CLICKHOUSE_ERR_LOG_FILE="$STACK_DIR/clickhouse.err.log"
# Standard output and error of the server process. Config errors found before
# the server's own logger starts appear only here.
CLICKHOUSE_OUT_LOG_FILE="$STACK_DIR/clickhouse.out.log"
CLICKHOUSE_DIR="$STACK_DIR/clickhouse"
CLICKHOUSE_CONFIG_FILE="$CLICKHOUSE_DIR/config.xml"

log() {
  printf '[stack] %s\n' "$*"
}

fail() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  exit 1
}

validate_port() {
  local name="$1" value="$2"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    fail "$name=$value is not a valid TCP port. Set it to a number from 1 to 65535."
  fi
}

validate_settings() {
  validate_port KAFKA_PORT "$KAFKA_PORT"
  validate_port KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
  validate_port CLICKHOUSE_HTTP_PORT "$CLICKHOUSE_HTTP_PORT"
  validate_port CLICKHOUSE_TCP_PORT "$CLICKHOUSE_TCP_PORT"
  local -A seen=()
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$CLICKHOUSE_HTTP_PORT" "$CLICKHOUSE_TCP_PORT"; do
    [[ -z "${seen[$port]:-}" ]] || fail "port $port is set for two services. Give KAFKA_PORT, KAFKA_CONTROLLER_PORT, CLICKHOUSE_HTTP_PORT and CLICKHOUSE_TCP_PORT distinct values."
    seen[$port]=1
  done
  [[ "$STACK_DIR" == /* ]] || fail "STACK_DIR=$STACK_DIR is not an absolute path. Set it to an absolute path."
}

# ---------------------------------------------------------------------------
# Processes and ports
# ---------------------------------------------------------------------------

# Succeeds if something accepts TCP connections on 127.0.0.1:PORT.
port_accepts_connections() {
  local port="$1"
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
}

describe_port_owner() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -Htlnp "sport = :$port" 2>/dev/null | sed 's/^/    /' || true
  fi
}

# Prints the pid stored in PID_FILE if that process is alive and its command
# line contains MARKER. The marker check keeps a reused pid from being taken
# for our service.
live_pid() {
  local pid_file="$1" marker="$2" pid
  [[ -f "$pid_file" ]] || return 1
  pid="$(<"$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  printf '%s\n' "$pid"
}

# Fails with a clear message if a port that a service is about to bind is
# already taken by a process this script did not start.
require_free_port() {
  local port="$1" variable="$2"
  if port_accepts_connections "$port"; then
    fail "port $port ($variable) on 127.0.0.1 is already in use by a process that this script did not start:
$(describe_port_owner "$port")
    Stop that process, or set $variable to a free port."
  fi
}

# Starts COMMAND... detached from this shell (own session, no stdin, output
# appended to LOG_FILE) at CPU priority NICE, and writes its pid to PID_FILE.
#
# When the kernel groups tasks by session (/proc/sys/kernel/sched_autogroup_enabled),
# a new session is a new scheduling group. The group as a whole shares the CPU
# with other groups, and the nice values of its threads count only among
# themselves. So NICE goes into /proc/self/autogroup, which weighs the whole
# group, and to the process itself, for kernels without autogroups.
spawn_daemon() {
  local pid_file="$1" log_file="$2" nice="$3"
  shift 3
  rm -f "$pid_file"
  # The inner shell writes its own pid and then execs the service, so the pid
  # file names the service process whether or not setsid forks.
  # shellcheck disable=SC2016 # $$, $0 and $1 must expand in the inner shell.
  setsid bash -c 'echo $$ >"$0"; nice="$1"; shift
    [[ ! -w /proc/self/autogroup ]] || echo "$nice" >/proc/self/autogroup 2>/dev/null || true
    exec nice -n "$nice" "$@"' "$pid_file" "$nice" "$@" >>"$log_file" 2>&1 </dev/null &
  local waited=0
  while [[ ! -s "$pid_file" ]]; do
    ((waited < 50)) || fail "the service logging to $log_file did not write its pid to $pid_file within 5 s. See $log_file."
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Sends SIGTERM, waits up to STACK_STOP_TIMEOUT seconds, then sends SIGKILL.
stop_process() {
  local name="$1" pid="$2" pid_file="$3"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STACK_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) did not stop within ${STACK_STOP_TIMEOUT}s after SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
  done
  rm -f "$pid_file"
  log "$name stopped"
}

print_log_tail() {
  local file
  for file in "$@"; do
    if [[ -s "$file" ]]; then
      printf '[stack] ---- last 40 lines of %s ----\n' "$file" >&2
      tail -n 40 "$file" >&2
    fi
  done
}

# ---------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------

# Installs Debian packages, running apt-get update only if the first attempt fails.
apt_install() {
  if ((EUID != 0)); then
    fail "missing $*, and installing it needs root. Run 'apt-get install -y $*' as root, or run this script as root."
  fi
  export DEBIAN_FRONTEND=noninteractive
  # The lock timeout lets this wait for another apt run instead of failing.
  local apt_options=(-y -q -o DPkg::Lock::Timeout=600)
  log "installing $* with apt-get"
  if ! apt-get install "${apt_options[@]}" "$@"; then
    log "apt-get install failed, running apt-get update and trying again"
    apt-get update -q -o DPkg::Lock::Timeout=600
    apt-get install "${apt_options[@]}" "$@" || fail "apt-get install $* failed. See the apt output above."
  fi
}

clickhouse_binary() {
  command -v clickhouse-server 2>/dev/null || {
    [[ -x /usr/sbin/clickhouse-server ]] && echo /usr/sbin/clickhouse-server
  }
}

install_tools() {
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  if [[ -z "$(clickhouse_binary)" ]]; then
    # NOTE: on a host booted with systemd, the Debian package also starts the
    # system-wide ClickHouse on ports 8123 and 9000, and `up` then stops with a
    # port-in-use error. Run 'systemctl disable --now clickhouse-server' once.
    missing+=(clickhouse-server clickhouse-client)
  fi
  if ((${#missing[@]} > 0)); then
    apt_install "${missing[@]}"
  fi
  [[ -n "$(clickhouse_binary)" ]] || fail "clickhouse-server is still not found after installing it. Check the apt output above."
}

install_kafka_libs() {
  if [[ -d "$KAFKA_LIBS_DIR" ]]; then
    return 0
  fi
  # Maven copies into a temporary folder that is renamed only on success, so
  # an interrupted download is never taken for a complete one.
  local partial_dir="$KAFKA_LIBS_DIR.partial"
  rm -rf "$partial_dir"
  mkdir -p "$MAVEN_REPO_DIR" "$CACHE_DIR/kafka"
  local maven_log="$CACHE_DIR/kafka/maven-$KAFKA_VERSION.log"
  log "downloading Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIBS_DIR (output in $maven_log)"
  if ! mvn -B -ntp \
    -f "$REPO_DIR/infra/kafka/pom.xml" \
    -Dmaven.repo.local="$MAVEN_REPO_DIR" \
    -Dkafka.version="$KAFKA_VERSION" \
    -Dkafka.libs.dir="$partial_dir" \
    package >"$maven_log" 2>&1; then
    rm -rf "$partial_dir"
    print_log_tail "$maven_log"
    fail "Maven could not download Kafka $KAFKA_VERSION. See the Maven output above. Check that KAFKA_VERSION=$KAFKA_VERSION is a released version and that Maven Central is reachable."
  fi
  [[ -f "$partial_dir/kafka_2.13-$KAFKA_VERSION.jar" ]] || fail "Maven finished but $partial_dir has no kafka_2.13-$KAFKA_VERSION.jar."
  mv "$partial_dir" "$KAFKA_LIBS_DIR"
}

cmd_install() {
  install_tools
  install_kafka_libs
  log "install complete: $(clickhouse_binary), Kafka $KAFKA_VERSION jars in $KAFKA_LIBS_DIR"
}

# ---------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------

# Runs a Kafka command-line tool (main class and arguments) with a small heap
# and only warnings logged.
kafka_tool() {
  java -Xmx256m -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.xml" -Dkafka.root.log.level=warn \
    -cp "$KAFKA_LIBS_DIR/*" "$@"
}

kafka_pid() {
  live_pid "$KAFKA_PID_FILE" "$KAFKA_CONFIG_FILE"
}

write_kafka_config() {
  mkdir -p "$KAFKA_CONFIG_DIR"
  # Written on every start so that port overrides take effect. The controller
  # quorum is static (controller.quorum.voters), so changing the controller
  # port keeps the existing data usable.
  cat >"$KAFKA_CONFIG_FILE" <<EOF
# Generated by scripts/stack.sh on every start. Edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA_DIR

# Topics are created explicitly by the apps or tests, never by a stray produce or fetch.
auto.create.topics.enable=false
num.partitions=6

# A single broker cannot hold more than one replica. With the default of 3,
# the internal topics are never created and kafkajs consumers keep logging
# "The group coordinator is not available".
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# The first consumer of a group starts at once instead of after 3 s.
group.initial.rebalance.delay.ms=0
EOF
}

# Formats the storage directory with a new random cluster id, only once.
format_kafka_storage() {
  if [[ -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG_FILE" | tail -n 1)"
  [[ -n "$cluster_id" ]] || fail "could not generate a Kafka cluster id. See $KAFKA_LOG_FILE."
  log "formatting Kafka storage in $KAFKA_DATA_DIR (cluster id $cluster_id)"
  if ! kafka_tool kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$KAFKA_CONFIG_FILE" >>"$KAFKA_LOG_FILE" 2>&1; then
    print_log_tail "$KAFKA_LOG_FILE"
    fail "formatting Kafka storage in $KAFKA_DATA_DIR failed. See the log above. If the folder holds data from an older setup, run 'scripts/stack.sh reset'."
  fi
}

# Starts the broker unless it is already running. Does not wait for it.
launch_kafka() {
  local pid
  if pid="$(kafka_pid)"; then
    log "Kafka is already running (pid $pid)"
    return 0
  fi
  require_free_port "$KAFKA_PORT" KAFKA_PORT
  require_free_port "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
  mkdir -p "$STACK_DIR" "$KAFKA_DATA_DIR"
  write_kafka_config
  format_kafka_storage
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), log $KAFKA_LOG_FILE"
  printf '\n===== %s starting Kafka %s =====\n' "$(date -u +%FT%TZ)" "$KAFKA_VERSION" >>"$KAFKA_LOG_FILE"
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several JVM options.
  spawn_daemon "$KAFKA_PID_FILE" "$KAFKA_LOG_FILE" 0 \
    java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.xml" \
    -cp "$KAFKA_LIBS_DIR/*" kafka.Kafka "$KAFKA_CONFIG_FILE"
}

# Succeeds when the broker returns metadata (a topic listing) to a real client.
kafka_serves_metadata() {
  port_accepts_connections "$KAFKA_PORT" || return 1
  timeout 30 java -Xmx128m -Dlog4j2.configurationFile="$REPO_DIR/infra/kafka/log4j2.xml" -Dkafka.root.log.level=warn \
    -cp "$KAFKA_LIBS_DIR/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list >/dev/null 2>&1
}

wait_for_kafka() {
  local deadline=$((SECONDS + STACK_START_TIMEOUT)) pid
  while true; do
    if ! pid="$(kafka_pid)"; then
      print_log_tail "$KAFKA_LOG_FILE"
      fail "Kafka exited during startup. See the log above or $KAFKA_LOG_FILE."
    fi
    if kafka_serves_metadata; then
      log "Kafka is up on 127.0.0.1:$KAFKA_PORT (pid $pid)"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      print_log_tail "$KAFKA_LOG_FILE"
      fail "Kafka (pid $pid) did not respond to a metadata request on 127.0.0.1:$KAFKA_PORT within ${STACK_START_TIMEOUT}s. It is left running: see $KAFKA_LOG_FILE, then run 'scripts/stack.sh stop-kafka'."
    fi
    sleep 1
  done
}

stop_kafka() {
  local pid
  if pid="$(kafka_pid)"; then
    stop_process Kafka "$pid" "$KAFKA_PID_FILE"
  else
    rm -f "$KAFKA_PID_FILE"
    log "Kafka is not running"
  fi
}

# ---------------------------------------------------------------------------
# ClickHouse
# ---------------------------------------------------------------------------

clickhouse_pid() {
  live_pid "$CLICKHOUSE_PID_FILE" "--config-file=$CLICKHOUSE_CONFIG_FILE"
}

xml_escape() {
  local value="$1"
  value="${value//&/&amp;}"
  value="${value//</&lt;}"
  value="${value//>/&gt;}"
  printf '%s' "$value"
}

# Fills the placeholders of infra/clickhouse/config.xml with absolute paths
# and ports, because ClickHouse 18.16 accepts only absolute paths there.
write_clickhouse_config() {
  mkdir -p "$CLICKHOUSE_DIR"/{data,tmp,user_files,format_schemas}
  local config
  config="$(<"$REPO_DIR/infra/clickhouse/config.xml")"
  # The replacements are quoted so that bash 5.2 does not expand '&' in them.
  config="${config//@@CLICKHOUSE_DIR@@/"$(xml_escape "$CLICKHOUSE_DIR")"}"
  config="${config//@@LOG_FILE@@/"$(xml_escape "$CLICKHOUSE_LOG_FILE")"}"
  config="${config//@@ERR_LOG_FILE@@/"$(xml_escape "$CLICKHOUSE_ERR_LOG_FILE")"}"
  config="${config//@@USERS_CONFIG@@/"$(xml_escape "$REPO_DIR/infra/clickhouse/users.xml")"}"
  config="${config//@@HTTP_PORT@@/$CLICKHOUSE_HTTP_PORT}"
  config="${config//@@TCP_PORT@@/$CLICKHOUSE_TCP_PORT}"
  if [[ "$config" == *@@*@@* ]]; then
    fail "infra/clickhouse/config.xml contains a placeholder that stack.sh does not fill: $(grep -o '@@[A-Z_]*@@' <<<"$config" | sort -u | tr '\n' ' ')"
  fi
  printf '%s\n' "$config" >"$CLICKHOUSE_CONFIG_FILE"
}

# Starts ClickHouse unless it is already running. Does not wait for it.
launch_clickhouse() {
  local pid binary
  if pid="$(clickhouse_pid)"; then
    log "ClickHouse is already running (pid $pid)"
    return 0
  fi
  binary="$(clickhouse_binary)"
  [[ -n "$binary" ]] || fail "clickhouse-server is not installed. Run 'scripts/stack.sh install'."
  require_free_port "$CLICKHOUSE_HTTP_PORT" CLICKHOUSE_HTTP_PORT
  require_free_port "$CLICKHOUSE_TCP_PORT" CLICKHOUSE_TCP_PORT
  mkdir -p "$STACK_DIR"
  write_clickhouse_config
  log "starting ClickHouse on 127.0.0.1:$CLICKHOUSE_HTTP_PORT (HTTP) and 127.0.0.1:$CLICKHOUSE_TCP_PORT (native), log $CLICKHOUSE_LOG_FILE"
  printf '\n===== %s starting ClickHouse =====\n' "$(date -u +%FT%TZ)" >>"$CLICKHOUSE_OUT_LOG_FILE"
  # Runs in its own folder so that a core dump, which the kernel writes to the
  # working directory by default, does not land in the caller's folder.
  (cd "$CLICKHOUSE_DIR" && spawn_daemon "$CLICKHOUSE_PID_FILE" "$CLICKHOUSE_OUT_LOG_FILE" "$CLICKHOUSE_NICE" \
    "$binary" --config-file="$CLICKHOUSE_CONFIG_FILE")
}

clickhouse_responds_to_ping() {
  [[ "$(curl -s --max-time 2 "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping" 2>/dev/null)" == "Ok." ]]
}

wait_for_clickhouse() {
  local deadline=$((SECONDS + STACK_START_TIMEOUT)) pid
  while true; do
    if ! pid="$(clickhouse_pid)"; then
      print_log_tail "$CLICKHOUSE_OUT_LOG_FILE" "$CLICKHOUSE_ERR_LOG_FILE"
      fail "ClickHouse exited during startup. See the log above or $CLICKHOUSE_ERR_LOG_FILE."
    fi
    if clickhouse_responds_to_ping; then
      log "ClickHouse is up on http://127.0.0.1:$CLICKHOUSE_HTTP_PORT (pid $pid)"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      print_log_tail "$CLICKHOUSE_OUT_LOG_FILE" "$CLICKHOUSE_ERR_LOG_FILE"
      fail "ClickHouse (pid $pid) did not respond to http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping within ${STACK_START_TIMEOUT}s. It is left running: see $CLICKHOUSE_ERR_LOG_FILE, then run 'scripts/stack.sh stop-clickhouse'."
    fi
    sleep 0.5
  done
}

stop_clickhouse() {
  local pid
  if pid="$(clickhouse_pid)"; then
    stop_process ClickHouse "$pid" "$CLICKHOUSE_PID_FILE"
  else
    rm -f "$CLICKHOUSE_PID_FILE"
    log "ClickHouse is not running"
  fi
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

cmd_up() {
  cmd_install
  # Both are launched before waiting so that their startups overlap.
  launch_kafka
  launch_clickhouse
  wait_for_kafka
  wait_for_clickhouse
}

cmd_down() {
  stop_kafka
  stop_clickhouse
}

# Prints one status line. Returns 1 if the service is not up.
print_service_status() {
  local name="$1" pid="$2" responding="$3" address="$4"
  if [[ -z "$pid" ]]; then
    printf '%-11s down\n' "$name:"
    return 1
  elif [[ "$responding" == yes ]]; then
    printf '%-11s up (pid %s, %s)\n' "$name:" "$pid" "$address"
  else
    printf '%-11s running but not responding (pid %s, %s). It may still be starting. Its log is in %s\n' "$name:" "$pid" "$address" "$STACK_DIR"
    return 1
  fi
}

cmd_status() {
  local pid responding all_up=0
  pid="$(kafka_pid || true)"
  responding=no
  [[ -n "$pid" ]] && port_accepts_connections "$KAFKA_PORT" && responding=yes
  print_service_status Kafka "$pid" "$responding" "127.0.0.1:$KAFKA_PORT" || all_up=3

  pid="$(clickhouse_pid || true)"
  responding=no
  [[ -n "$pid" ]] && clickhouse_responds_to_ping && responding=yes
  print_service_status ClickHouse "$pid" "$responding" "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT" || all_up=3
  return "$all_up"
}

cmd_reset() {
  cmd_down
  # Only the entries this script creates are deleted, because STACK_DIR may
  # point at a folder that contains other files.
  log "deleting service data in $STACK_DIR"
  rm -rf "$KAFKA_DATA_DIR" "$KAFKA_CONFIG_DIR" "$CLICKHOUSE_DIR"
  rm -f "$KAFKA_LOG_FILE" "$CLICKHOUSE_LOG_FILE"* "$CLICKHOUSE_ERR_LOG_FILE"* "$CLICKHOUSE_OUT_LOG_FILE"
  rmdir "$STACK_DIR" 2>/dev/null || true
}

usage() {
  sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
  local command="${1:-}"
  validate_settings
  case "$command" in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    start-kafka)
      install_tools
      install_kafka_libs
      launch_kafka
      wait_for_kafka
      ;;
    stop-kafka) stop_kafka ;;
    start-clickhouse)
      install_tools
      launch_clickhouse
      wait_for_clickhouse
      ;;
    stop-clickhouse) stop_clickhouse ;;
    topics)
      shift
      [[ -d "$KAFKA_LIBS_DIR" ]] || fail "the Kafka $KAFKA_VERSION jars are missing. Run 'scripts/stack.sh install'."
      kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" "$@"
      ;;
    -h | --help | help) usage ;;
    "")
      usage >&2
      exit 2
      ;;
    *)
      printf '[stack] ERROR: unknown command "%s".\n\n' "$command" >&2
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
