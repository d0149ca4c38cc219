#!/usr/bin/env bash
# Runs the whole product on its defaults: installs what is missing, starts Kafka and ClickHouse,
# builds and starts the three apps, imports the sample access log, and prints ready-to-run
# curl commands. Stop everything with: bash scripts/apps.sh stop && bash scripts/stack.sh down
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

SAMPLE_LOG="${SAMPLE_LOG:-$REPO_DIR/test/fixtures/access-log-sample.log}"
INGEST_KEY="gak_ingest_demo_3f9c1b7e5a2d4c8f"
READ_KEY="gak_read_demo_7d2e9a4c1f6b3e8a"

bash scripts/stack.sh up
bash scripts/setup-node.sh
bash scripts/apps.sh start

if [[ -f "$SAMPLE_LOG" ]]; then
  node dist/tools/import-access-log.js --url http://127.0.0.1:3000 --key "$INGEST_KEY" "$SAMPLE_LOG"
else
  echo "Sample log $SAMPLE_LOG not found; set SAMPLE_LOG to an access log in Combined Log Format to import one." >&2
fi

cat <<EOT

The stack is running. Ingest API: http://127.0.0.1:3000, query API: http://127.0.0.1:3001.
Try these (the sample log's collections include images and presentations:logstash-puppetconf-2012):

  curl -s -H 'X-API-Key: $READ_KEY' 'http://127.0.0.1:3001/api/v1/collections/presentations:logstash-puppetconf-2012/downloads/'
  curl -s -H 'X-API-Key: $READ_KEY' 'http://127.0.0.1:3001/api/v1/collections/images/photo_downloads?limit=5'
  curl -s -XPOST -H 'Authorization: Bearer $INGEST_KEY' -H 'Content-Type: application/json' \\
       --data @docs/examples/photo-downloaded.json http://127.0.0.1:3000/api/v1/events

Stop: bash scripts/apps.sh stop && bash scripts/stack.sh down
EOT
