#!/usr/bin/env bash
# Runs the benchmarks in bench/ (PRODUCT.md section 10, "Bars") against the real local stack on
# random ports, SQLite and, when reachable, the local PostgreSQL server; writes
# bench/results/latest.md and a timestamped JSON with the raw figures. Not part of the tests.
#   BENCH_QUICK=1            smaller sizes (smoke run; writes latest-quick.md)
#   BENCH_ONLY=a,b           subset of provisioning, fanout, tokens, audit
#   BENCH_DATABASES=sqlite   skip PostgreSQL
#   BENCH_POSTGRES_URL=...   default postgresql://postgres@127.0.0.1:5432
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$REPO_ROOT"
ensure_dependencies
exec node node_modules/tsx/dist/cli.mjs bench/run.ts "$@"
