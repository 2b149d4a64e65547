#!/usr/bin/env bash
# Builds the four publishable packages to dist/ with their type declarations (issue 13).
# backstage-cli package build bundles the declarations it finds in the repo's dist-types/ (the output of
# the root `tsc`, whose outDir is dist-types), so the type check runs first and must pass.
# --skip-tsc: dist-types/ is already fresh (the caller just ran `yarn tsc`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

PUBLISHABLE=(
  plugins/apim-credentials-common
  plugins/apim-credentials-backend
  plugins/scaffolder-backend-module-apim-credentials
  plugins/apim-credentials
)

if [[ "${1:-}" != "--skip-tsc" ]]; then
  echo ">> yarn tsc (declarations into dist-types/)"
  # From scratch: an incremental build (tsbuildinfo left by an earlier `tsc --noEmit`) may order
  # the members of inferred types differently, and the API reports compare text.
  rm -rf dist-types
  yarn tsc
fi

for dir in "${PUBLISHABLE[@]}"; do
  echo ">> backstage-cli package build: $dir"
  (cd "$dir" && yarn backstage-cli package build)
  if ! ls "$dir"/dist/index.d.ts >/dev/null 2>&1; then
    echo "!! $dir/dist has no index.d.ts" >&2
    exit 1
  fi
done
