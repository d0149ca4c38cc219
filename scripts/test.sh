#!/usr/bin/env bash
# Runs every test on a fresh machine. It installs and starts Kafka and ClickHouse, installs the
# npm dependencies, builds and type-checks. Then it runs the unit tests and the end-to-end tests,
# which start their own copies of the three apps against the real broker and server.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

bash scripts/stack.sh up
bash scripts/setup-node.sh
npm run typecheck

mkdir -p .cache
status=0
npx jest --selectProjects unit --json --outputFile=.cache/jest-unit.json || status=1
npx jest --selectProjects e2e --runInBand --json --outputFile=.cache/jest-e2e.json || status=1

# One closing line over both runs, in the plain "N passed, N failed, N skipped" form.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of [".cache/jest-unit.json", ".cache/jest-e2e.json"]) {
    if (!fs.existsSync(file)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
'
exit "$status"
