#!/usr/bin/env bash
# Runs every test of every workspace: type check, then Jest across all packages and plugins
# (stores on SQLite and, when reachable, on the local PostgreSQL server), then the browser
# end-to-end tests against a freshly started local stack.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$REPO_ROOT"
ensure_dependencies

# PostgreSQL for the store tests. Backstage's TestDatabases only runs the PostgreSQL cases when
# this is set; CI (.ci/run) also sets APIM_TEST_REQUIRE_POSTGRES=1 so a missing server fails.
if [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ] &&
  command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:5432"
fi
export BACKSTAGE_TEST_DISABLE_DOCKER=1

echo ">> Type check"
yarn tsc --noEmit

echo ">> Unit, integration and store tests (all workspaces)"
CI=true yarn backstage-cli repo test --maxWorkers=2 "$@"

if [ -f test/e2e/run.sh ] && [ -z "${SKIP_E2E:-}" ]; then
  echo ">> Browser end-to-end tests"
  bash test/e2e/run.sh
fi
