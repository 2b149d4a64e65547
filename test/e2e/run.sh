#!/usr/bin/env bash
# Browser end-to-end tests: starts the whole local stack (API-M emulator, key manager and
# Backstage via scripts/dev.sh), waits for http://localhost:3000 and :7007, runs the Chromium
# tests (playwright-core) and stops the stack again. Screenshots and logs: test-results/e2e/.
#
# E2E_USE_RUNNING_STACK=1 reuses a stack that is already running (e.g. `bash scripts/dev.sh`)
# instead of starting one; otherwise the ports must be free.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/toolchain.sh"
cd "$REPO_ROOT"
ensure_dependencies

OUT_DIR="$REPO_ROOT/test-results/e2e"
rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"
export E2E_OUTPUT_DIR="$OUT_DIR"

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "Chromium not found at $CHROMIUM_PATH (install it with: apt-get install -y chromium)" >&2
  exit 1
fi
export CHROMIUM_PATH

listening() { ss -ltn "( sport = :$1 )" 2>/dev/null | grep -q LISTEN; }

STACK_PID=""
stop_stack() {
  if [ -n "$STACK_PID" ] && kill -0 "$STACK_PID" 2>/dev/null; then
    echo ">> Stopping the local stack"
    # dev.sh runs in its own process group; TERM lets it stop its children cleanly.
    kill -TERM -- "-$STACK_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$STACK_PID" 2>/dev/null || true
  fi
}
trap stop_stack EXIT

if [ "${E2E_USE_RUNNING_STACK:-}" = "1" ]; then
  echo ">> Using the running local stack"
else
  for port in 3000 7007 9443 9444; do
    if listening "$port"; then
      echo "Port $port is in use: stop what runs there, or set E2E_USE_RUNNING_STACK=1 to test against it." >&2
      exit 1
    fi
  done
  echo ">> Starting the local stack (log: test-results/e2e/stack.log)"
  setsid bash scripts/dev.sh >"$OUT_DIR/stack.log" 2>&1 < /dev/null &
  STACK_PID=$!
fi

# Waits for an HTTP answer (any status: the backend answers 401 without a token).
wait_for() {
  local url="$1" want="$2" deadline=$((SECONDS + ${E2E_START_TIMEOUT:-900}))
  echo ">> Waiting for $url"
  while [ $SECONDS -lt $deadline ]; do
    if [ -n "$STACK_PID" ] && ! kill -0 "$STACK_PID" 2>/dev/null; then
      echo "The local stack exited; last lines of its log:" >&2
      tail -n 40 "$OUT_DIR/stack.log" >&2 || true
      exit 1
    fi
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url" || true)"
    if [[ "$code" =~ $want ]]; then return 0; fi
    sleep 2
  done
  echo "Timed out waiting for $url" >&2
  tail -n 40 "$OUT_DIR/stack.log" >&2 || true
  exit 1
}
wait_for "http://localhost:7007/api/apim-credentials/environments" '^(200|401)$'
wait_for "http://localhost:3000/" '^200$'
for _ in $(seq 1 60); do [ -f .local/stack.json ] && break; sleep 1; done

echo ">> Running the browser tests"
status=0
node test/e2e/apim-credentials.e2e.mjs || status=1
echo ">> Running the template tests"
node test/e2e/templates.e2e.mjs || status=1
echo ">> Running the subscriptions test (seed step 4)"
node test/e2e/subscriptions.e2e.mjs || status=1
echo ">> Running the template subscriptions test (seed step 4 through the template)"
node test/e2e/templateSubscriptions.e2e.mjs || status=1
echo ">> Running the approval test (issue 14: request, approval by another person, completion)"
node test/e2e/approvals.e2e.mjs || status=1
echo ">> Running the journey tests (credential mistakes, replace, keyboard only, audit)"
node test/e2e/journeys.e2e.mjs || status=1
echo ">> Taking the README screenshots (E2E_UPDATE_DOCS=1 writes docs/screenshots/)"
node test/e2e/screenshots.e2e.mjs || status=1
exit $status
