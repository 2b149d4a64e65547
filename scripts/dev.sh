#!/usr/bin/env bash
# Starts the whole local stack: the WSO2 API-M emulator (https://localhost:9443), the OAuth2 key
# manager standing in for WSO2 IS (https://localhost:9444) with demo clients, and Backstage
# (frontend http://localhost:3000, backend http://localhost:7007) on SQLite persisted in .local/.
# Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$REPO_ROOT"
ensure_dependencies

STATE_DIR="$REPO_ROOT/.local"
mkdir -p "$STATE_DIR/backstage-db"
rm -f "$STATE_DIR/stack.json"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo ">> Stopping the local stack"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

echo ">> Starting the API-M emulator and the key manager"
node "$REPO_ROOT/node_modules/tsx/dist/cli.mjs" packages/local-stack/src/main.ts \
  --state-dir "$STATE_DIR" --emulator-port 9443 --key-manager-port 9444 &
pids+=($!)

for _ in $(seq 1 120); do
  [ -f "$STATE_DIR/stack.json" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "The local stack failed to start (see above)"; exit 1; }
  sleep 0.5
done
[ -f "$STATE_DIR/stack.json" ] || { echo "The local stack did not start within 60 s"; exit 1; }

# Backstage's OIDC sign-in (app-config.yaml auth.providers.oidc) talks to the key manager over
# HTTPS: the backend trusts the local stack's CA, written before stack.json.
export NODE_EXTRA_CA_CERTS="$STATE_DIR/tls/ca.pem"

echo ">> Starting Backstage: frontend http://localhost:3000, backend http://localhost:7007"
yarn start &
pids+=($!)

wait -n "${pids[@]}"
