#!/usr/bin/env bash
# Starts and stops the three apps (consumer, ingest, query) from dist/ in the background, with
# pid files and logs under .cache/run/apps. Settings come from the environment; see README.md.
#
# Usage: scripts/apps.sh start | stop | status
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPS_DIR="${STACK_DIR:-$REPO_DIR/.cache/run}/apps"
INGEST_PORT="${INGEST_PORT:-3000}"
QUERY_PORT="${QUERY_PORT:-3001}"
START_TIMEOUT="${APPS_START_TIMEOUT:-60}"

is_running() {
  local pid_file="$APPS_DIR/$1.pid"
  [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

start_app() {
  local name="$1"
  if is_running "$name"; then
    echo "$name: already running (pid $(cat "$APPS_DIR/$name.pid"))"
    return
  fi
  local main="$REPO_DIR/dist/apps/$name/src/main.js"
  if [[ ! -f "$main" ]]; then
    echo "$main is missing: run npm run build first" >&2
    exit 1
  fi
  local options nice
  read -r -a options <<<"$(bash "$REPO_DIR/scripts/node-options.sh" "$name")"
  nice="$(bash "$REPO_DIR/scripts/app-nice.sh" "$name")"
  nohup nice -n "$nice" node "${options[@]}" "$main" >>"$APPS_DIR/$name.log" 2>&1 &
  echo $! >"$APPS_DIR/$name.pid"
  echo "$name: started (pid $!, log $APPS_DIR/$name.log)"
}

wait_for() {
  local what="$1" check="$2" log="$3"
  local deadline=$((SECONDS + START_TIMEOUT))
  until eval "$check" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "$what did not become ready within ${START_TIMEOUT} s; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

stop_app() {
  local name="$1" pid_file="$APPS_DIR/$1.pid"
  if ! is_running "$name"; then
    rm -f "$pid_file"
    echo "$name: not running"
    return
  fi
  local pid
  pid="$(cat "$pid_file")"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: did not stop after SIGTERM within 15 s; sending SIGKILL"
    kill -KILL "$pid" || true
  fi
  rm -f "$pid_file"
  echo "$name: stopped"
}

# Ingest signs each message it validated, and the consumer, holding the same key, skips validating
# those events again. Without EVENT_SIGNING_KEYS in the environment, the apps share a key kept in
# .cache, made once per checkout.
use_local_signing_key() {
  [[ -n "${EVENT_SIGNING_KEYS:-}" ]] && return
  local key_file="$REPO_DIR/.cache/event-signing-key"
  if [[ ! -s "$key_file" ]]; then
    mkdir -p "$(dirname "$key_file")"
    (umask 077 && node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))" >"$key_file")
  fi
  EVENT_SIGNING_KEYS="$(cat "$key_file")"
  export EVENT_SIGNING_KEYS
}

command="${1:-}"
mkdir -p "$APPS_DIR"
case "$command" in
  start)
    use_local_signing_key
    # The consumer applies the ClickHouse migrations, so it starts first and the others wait for it.
    start_app consumer
    wait_for "the consumer" "grep -q 'consumer started' '$APPS_DIR/consumer.log'" "$APPS_DIR/consumer.log"
    start_app ingest
    start_app query
    wait_for "the ingest app" "curl -sf http://127.0.0.1:$INGEST_PORT/health" "$APPS_DIR/ingest.log"
    wait_for "the query app" "curl -sf http://127.0.0.1:$QUERY_PORT/health" "$APPS_DIR/query.log"
    ;;
  stop)
    stop_app ingest
    stop_app query
    stop_app consumer
    ;;
  status)
    for name in consumer ingest query; do
      if is_running "$name"; then echo "$name: up (pid $(cat "$APPS_DIR/$name.pid"))"; else echo "$name: down"; fi
    done
    ;;
  *)
    echo "usage: scripts/apps.sh start | stop | status" >&2
    exit 2
    ;;
esac
