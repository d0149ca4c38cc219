#!/usr/bin/env bash
# Prints the Node options an app runs with: scripts/apps.sh, the Docker image and the benchmark
# all read them here. Usage: bash scripts/node-options.sh consumer|ingest|query
#
# Without limits V8 lets the heap grow far beyond what the apps keep alive, and each app's
# resident size passes 200 MB under load. The consumer keeps at most a few MiB of messages alive
# (one group, see batch-writer.service.ts), a query response at most a few MiB, and ingest at most
# INGEST_MAX_BYTES_IN_FLIGHT (16 MiB) of request bodies, so all three old spaces are capped. A
# young generation of 8 MiB semi-spaces keeps every app smaller. The limits cost a few
# microseconds of CPU per event, measured in docs/benchmarks.md.
#
# Under load, ingest ran a full collection about every 200 ms, each pausing it for up to 30 ms,
# though it keeps only about 20 MiB alive (--trace-gc in a benchmark run). With a small old-space
# cap, V8 lets the old generation grow only a little past what the last full collection kept.
# --initial-old-space-size=64 lets it reach 64 MiB first: a comparable run had 13 full
# collections instead of 173.
#
# Set CONSUMER_NODE_OPTIONS, INGEST_NODE_OPTIONS or QUERY_NODE_OPTIONS to replace an app's options.
case "${1:-}" in
  consumer) echo "${CONSUMER_NODE_OPTIONS---max-old-space-size=96 --max-semi-space-size=8}" ;;
  ingest) echo "${INGEST_NODE_OPTIONS---max-old-space-size=128 --max-semi-space-size=8 --initial-old-space-size=64}" ;;
  query) echo "${QUERY_NODE_OPTIONS---max-old-space-size=128 --max-semi-space-size=8}" ;;
  *)
    echo "usage: bash scripts/node-options.sh consumer|ingest|query" >&2
    exit 2
    ;;
esac
