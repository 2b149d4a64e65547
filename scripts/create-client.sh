#!/usr/bin/env bash
# Creates an OAuth2 client in the running local key manager (https://localhost:9444), as a team
# would in WSO2 IS (step 2 of the seed), and prints its consumer key and secret.
# Usage: ./scripts/create-client.sh --name my-service [--grant-types client_credentials]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$REPO_ROOT"
ensure_dependencies
yarn workspace @internal/key-manager create-client "$@"
