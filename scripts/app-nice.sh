#!/usr/bin/env bash
# Prints the CPU priority (nice value, 0 normal to 19 lowest) an app runs at. scripts/apps.sh, the
# benchmark and the end-to-end tests start each app under `nice -n` with it.
#
# Usage: bash scripts/app-nice.sh consumer|ingest|query
#
# The consumer's work can wait a little, while a producer waits for each ingest request. Where the
# apps share the CPU, the consumer at nice 10 yields it to ingest and query (docs/operations.md,
# "CPU priority").
#
# Set CONSUMER_NICE, INGEST_NICE or QUERY_NICE to change an app's value.
case "${1:-}" in
  consumer) echo "${CONSUMER_NICE:-10}" ;;
  ingest) echo "${INGEST_NICE:-0}" ;;
  query) echo "${QUERY_NICE:-0}" ;;
  *)
    echo "usage: bash scripts/app-nice.sh consumer|ingest|query" >&2
    exit 2
    ;;
esac
