#!/usr/bin/env bash
# Runs every test of every workspace: type check, then Jest across all packages and plugins
# (stores on SQLite and, when reachable, on the local PostgreSQL server), then the browser
# end-to-end tests against a freshly started local stack.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$REPO_ROOT"
ensure_dependencies

# The browser tests need Debian's Chromium (playwright cannot download a browser here). Install it
# before anything runs, so a fresh machine never runs half the suite and then fails.
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -z "${SKIP_E2E:-}" ] && [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo ">> Installing Chromium for the browser tests (apt-get install chromium)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 ||
      { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; }
  fi
  if [ ! -x "$CHROMIUM_PATH" ]; then
    echo "The browser tests need Chromium at $CHROMIUM_PATH. Install it with:" >&2
    echo "  sudo apt-get install -y chromium" >&2
    echo "or set CHROMIUM_PATH, or run with SKIP_E2E=1 to leave the browser tests out." >&2
    exit 1
  fi
fi
export CHROMIUM_PATH

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
