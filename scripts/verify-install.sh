#!/usr/bin/env bash
# The install proof of issue 13: the publishable packages, packed, installed into a FRESH Backstage
# app (the 1.55 line of @backstage/create-app) by following each plugin README's install section
# literally, then: the app's backend starts, answers GET /api/apim-credentials/environments with a static
# service token, a client is provisioned over the REST API as the guest user and read back; then the
# dynamic-plugin proof (verify-install/dynamic-plugins.sh): the RHDH CLI exports the three plugins, and
# the same app's backend, without the static apim packages, loads the exported backend plugin and
# scaffolder module through @backstage/backend-dynamic-feature-service; last, the app's frontend
# bundle builds. About 9 minutes on a warm machine (yarn's global cache already holds the packages).
#
#   ./scripts/verify-install.sh [--skip-build]   (VERIFY_INSTALL_KEEP=1 keeps the temp folder)
#
# The packages are not on npmjs.com, so a local read-only registry (verify-install/registry.mjs)
# serves the four tarballs for the @apim-credentials scope; everything else comes from the real
# registry through the shared yarn cache. The local stack (API-M emulator + key manager) runs on
# random ports; ports 3000/7007/9443/9444 are left alone.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

# @backstage/create-app 0.9.2 creates Backstage 1.55.0 apps (its backstage.json), our backstage.json.
CREATE_APP_VERSION=0.9.2
PUBLISHABLE=(
  plugins/apim-credentials-common
  plugins/apim-credentials-backend
  plugins/scaffolder-backend-module-apim-credentials
  plugins/apim-credentials
)
# README -> the section the proof executes.
README_STEPS=(
  "plugins/apim-credentials-backend/README.md|Install in your backend"
  "plugins/scaffolder-backend-module-apim-credentials/README.md|Install"
  "plugins/apim-credentials/README.md|Install in a new-frontend-system app"
)

START=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/apim-verify-install.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  if [[ "${VERIFY_INSTALL_KEEP:-0}" == 1 ]]; then echo ">> kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
step() { echo ">> [$(date +%T), +$((SECONDS - START))s] $*"; }
fail() { echo "!! verify-install: $*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_for_file() { for _ in $(seq 1 "$2"); do [[ -s "$1" ]] && return 0; sleep 1; done; fail "timed out waiting for $1"; }

# create-app checks for a yarn executable; the repo's yarn is a shell function.
mkdir -p "$WORK/bin"
printf '#!/usr/bin/env bash\nexec node %q "$@"\n' "$REPO/.yarn/releases/yarn-4.13.0.cjs" >"$WORK/bin/yarn"
chmod +x "$WORK/bin/yarn"
unset -f yarn
export PATH="$WORK/bin:$PATH"

if [[ "${1:-}" != "--skip-build" ]]; then
  step "building the publishable packages"
  ./scripts/build-packages.sh
fi

step "packing"
mkdir -p "$WORK/tarballs"
for dir in "${PUBLISHABLE[@]}"; do
  file="$(node -p "require('./$dir/package.json').name.replace('@','').replace('/','-')").tgz"
  (cd "$dir" && yarn pack --out "$WORK/tarballs/$file" >/dev/null)
  tar -tzf "$WORK/tarballs/$file" >"$WORK/tarballs/$file.list"
  grep -qx 'package/dist/index.d.ts' "$WORK/tarballs/$file.list" || fail "$file has no dist/index.d.ts"
  grep -qx 'package/LICENSE' "$WORK/tarballs/$file.list" || fail "$file has no LICENSE"
  if tar -xzOf "$WORK/tarballs/$file" package/package.json | grep -q '"workspace:'; then
    fail "$file still has workspace: ranges"
  fi
done
grep -q '^package/migrations/' "$WORK/tarballs/apim-credentials-backstage-plugin-apim-credentials-backend.tgz.list" ||
  fail "the backend tarball has no migrations/"
grep -qx 'package/config.schema.json' "$WORK/tarballs/apim-credentials-backstage-plugin-apim-credentials-backend.tgz.list" ||
  fail "the backend tarball has no config.schema.json"

step "local registry for @apim-credentials"
(exec setsid node scripts/verify-install/registry.mjs "$WORK/tarballs" "$WORK/registry.port" >"$WORK/registry.log" 2>&1) &
PIDS+=($!)
wait_for_file "$WORK/registry.port" 30
REGISTRY_PORT="$(cat "$WORK/registry.port")"

step "local stack (API-M emulator + key manager) on random ports"
(exec setsid node node_modules/tsx/dist/cli.mjs packages/local-stack/src/main.ts --state-dir "$WORK/stack" \
  --emulator-port 0 --key-manager-port 0 --no-persist >"$WORK/stack.log" 2>&1) &
PIDS+=($!)

step "fresh app: @backstage/create-app@$CREATE_APP_VERSION"
APP="$WORK/app"
(cd "$WORK" && BACKSTAGE_APP_NAME=verify-app npx -y "@backstage/create-app@$CREATE_APP_VERSION" \
  --path "$APP" --skip-install </dev/null >"$WORK/create-app.log" 2>&1) || { cat "$WORK/create-app.log"; fail "create-app failed"; }
grep -q '"version": "1.55' "$APP/backstage.json" || fail "create-app did not make a 1.55 app: $(cat "$APP/backstage.json")"
# What a published release would not need: the scope's registry, and the age gate's exception for it.
sed -i "s|^npmPreapprovedPackages:|npmPreapprovedPackages:\n  - '@apim-credentials/*'|" "$APP/.yarnrc.yml"
cat >>"$APP/.yarnrc.yml" <<YAML
npmScopes:
  apim-credentials:
    npmRegistryServer: 'http://127.0.0.1:$REGISTRY_PORT'
unsafeHttpWhitelist:
  - 127.0.0.1
YAML

# The host side of the dynamic-plugin proof (scripts/verify-install/dynamic-plugins.sh): the backend
# gets @backstage/backend-dynamic-feature-service in the same install, not in a second link step.
node -e '
  const fs = require("fs");
  const f = process.argv[1];
  const p = JSON.parse(fs.readFileSync(f, "utf8"));
  p.dependencies["@backstage/backend-dynamic-feature-service"] = "^0.8.7";
  fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");
' "$APP/packages/backend/package.json"
cp "$APP/packages/backend/src/index.ts" "$WORK/index.pristine.ts"

# Native builds dominate the install on a 2-core machine. better-sqlite3 (the app's SQLite) gets the
# binary this repository's own install already compiled for the same Node, through prebuild-install's
# local-prebuilds folder (the download it would try reaches GitHub, which is not reachable here); the
# native addons this proof never loads are not built: tree-sitter (swagger-ui's server-side parser),
# keytar (the CLI's login keychain; fails to build without libsecret anyway), ssh2's optional crypto
# binding and cpu-features (pure-JS fallbacks).
mkdir -p "$WORK/prebuilds"
SQLITE_VERSION="$(node -p "require('./node_modules/better-sqlite3/package.json').version")"
tar -czf "$WORK/prebuilds/better-sqlite3-v$SQLITE_VERSION-node-v$(node -p process.versions.modules)-$(node -p 'process.platform + "-" + process.arch').tar.gz" \
  -C node_modules/better-sqlite3 build/Release/better_sqlite3.node
export npm_config_better_sqlite3_local_prebuilds="$WORK/prebuilds"
node -e '
  const fs = require("fs");
  const f = process.argv[1];
  const p = JSON.parse(fs.readFileSync(f, "utf8"));
  p.dependenciesMeta = {};
  for (const name of ["tree-sitter", "keytar", "ssh2", "cpu-features"]) p.dependenciesMeta[name] = { built: false };
  fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");
' "$APP/package.json"

# create-app fetches its yarn.lock seed from GitHub, which these machines cannot reach; without it the
# template's ranges resolve to a mix of release lines (backend-defaults ^0.18 with a signals-backend
# that needs 0.19's addWebSocketHandler: the backend fails at start-up). `yarn up '@backstage/*'` takes
# one release line, as `backstage-cli versions:bump` would; it installs too.
step "yarn up '@backstage/*' (fresh app: install on one Backstage release line)"
(cd "$APP" && yarn up '@backstage/*' >"$WORK/install.log" 2>&1) || { tail -40 "$WORK/install.log"; fail "yarn install failed"; }

step "the plugin READMEs' install steps"
for entry in "${README_STEPS[@]}"; do
  readme="${entry%%|*}"
  heading="${entry#*|}"
  while IFS= read -r cmd; do
    echo "   \$ $cmd"
    (cd "$APP" && bash -euo pipefail -c "$cmd" >>"$WORK/readme-steps.log" 2>&1) ||
      { tail -30 "$WORK/readme-steps.log"; fail "$readme: '$cmd' failed"; }
  done < <(node scripts/verify-install/readme-steps.mjs sh "$readme" "$heading")
  while IFS= read -r statement; do
    [[ -z "$statement" ]] && continue
    node -e '
      const fs = require("fs");
      const [file, statement] = process.argv.slice(1);
      const src = fs.readFileSync(file, "utf8");
      const normal = s => s.replace(/\s+/g, "").replace(/,\)/g, ")");
      if (normal(src).includes(normal(statement))) process.exit(0);
      if (!src.includes("backend.start();")) throw new Error("no backend.start() in " + file);
      fs.writeFileSync(file, src.replace("backend.start();", statement + "\n\nbackend.start();"));
      console.log("   + " + statement);
    ' "$APP/packages/backend/src/index.ts" "$statement"
  done < <(node scripts/verify-install/readme-steps.mjs backend "$readme" "$heading")
done

step "configuration: the local stack, a static token, an annotated entity"
wait_for_file "$WORK/stack/stack.json" 120
STACK_JSON="$WORK/stack/stack.json"
APIM_URL="$(node -p "require('$STACK_JSON').apim.url")"
KM_URL="$(node -p "require('$STACK_JSON').keyManager.url")"
CA_PATH="$(node -p "require('$STACK_JSON').tls.caPath")"
CLIENT_ID="$(node -p "require('$STACK_JSON').demoClients.find(c => c.name === 'orders-service-sandbox').clientId")"
BACKEND_PORT="$(free_port)"
TOKEN="$(node -p 'require("crypto").randomBytes(24).toString("base64url")')"
cat >"$APP/examples/apim-entity.yaml" <<YAML
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: verify-service
  annotations:
    wso2.com/apim-application: verify-service
spec:
  type: service
  lifecycle: experimental
  owner: guests
YAML
cat >"$APP/app-config.verify.yaml" <<YAML
backend:
  baseUrl: http://127.0.0.1:$BACKEND_PORT
  listen: { port: $BACKEND_PORT, host: 127.0.0.1 }
  auth:
    externalAccess:
      - type: static
        options: { token: $TOKEN, subject: verify-install }
catalog:
  locations:
    - type: file
      target: ../../examples/apim-entity.yaml
apimCredentials:
  instances:
    - id: local
      baseUrl: $APIM_URL
      auth: { username: svc-backstage, password: svc-backstage }
      tls: { ca: { \$file: $CA_PATH } }
  environments:
    - id: sandbox
      title: Sandbox
      instance: local
      keyType: SANDBOX
      tokenEndpoints: [$APIM_URL, $KM_URL]
  applications: { createIfMissing: true, throttlingPolicy: Unlimited }
YAML

step "starting the app's backend on port $BACKEND_PORT"
(cd "$APP/packages/backend" && exec setsid yarn start --config ../../app-config.yaml \
  --config ../../app-config.verify.yaml >"$WORK/backend.log" 2>&1) &
STATIC_BACKEND=$!
PIDS+=($STATIC_BACKEND)
API="http://127.0.0.1:$BACKEND_PORT/api"
AUTH=(-H "Authorization: Bearer $TOKEN")
for i in $(seq 1 300); do
  code="$(curl -s -o "$WORK/environments.json" -w '%{http_code}' "${AUTH[@]}" "$API/apim-credentials/environments" || true)"
  [[ "$code" == 200 ]] && break
  [[ "$i" == 300 ]] && { tail -40 "$WORK/backend.log"; fail "GET /environments never answered 200 (last: $code)"; }
  sleep 1
done
echo "   GET /apim-credentials/environments: $(head -c 300 "$WORK/environments.json")"
for i in $(seq 1 120); do
  curl -sf -o /dev/null "${AUTH[@]}" "$API/catalog/entities/by-name/component/default/verify-service" && break
  [[ "$i" == 120 ]] && fail "the catalog never ingested component:default/verify-service"
  sleep 1
done

step "provisioning over the REST API, as the guest user"
# Writes need a user: the plugin denies them to a service principal acting for nobody (the audit actor
# is a user). The fresh app's guest provider signs one in; its allow-all policy lets it provision.
USER_TOKEN="$(curl -sf -H 'X-Requested-With: XMLHttpRequest' "$API/auth/guest/refresh" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).backstageIdentity.token))')" ||
  fail "guest sign-in failed"
AUTH=(-H "Authorization: Bearer $USER_TOKEN")
# The secret is read from the stack's credential sheet into curl's stdin only.
code="$(node -e '
  const s = require(process.argv[1]).demoClients.find(c => c.name === "orders-service-sandbox");
  process.stdout.write(JSON.stringify({ consumerKey: s.clientId, consumerSecret: s.clientSecret }));
' "$STACK_JSON" | curl -s -o "$WORK/put.json" -w '%{http_code}' -X PUT "${AUTH[@]}" \
  -H 'Content-Type: application/json' --data-binary @- \
  "$API/apim-credentials/entities/component/default/verify-service/credentials/sandbox/IS")"
[[ "$code" == 201 ]] || { cat "$WORK/put.json"; tail -20 "$WORK/backend.log"; fail "PUT credentials answered $code"; }
curl -sf "${AUTH[@]}" "$API/apim-credentials/entities/component/default/verify-service/credentials" >"$WORK/get.json" ||
  fail "GET credentials failed"
grep -q "$CLIENT_ID" "$WORK/get.json" || { cat "$WORK/get.json"; fail "the mapping was not read back"; }
echo "   provisioned $CLIENT_ID into sandbox/IS and read it back"

step "stopping the app's backend"
kill -- "-$STATIC_BACKEND" 2>/dev/null || true
for _ in $(seq 1 30); do curl -s -o /dev/null "$API/" || break; sleep 1; done

# shellcheck source=verify-install/dynamic-plugins.sh
source scripts/verify-install/dynamic-plugins.sh
export_dynamic_plugins
step "dynamic plugins root: the packed backend plugin and scaffolder module"
install_dynamic_plugins
verify_dynamic_backend
kill -- "-${PIDS[-1]}" 2>/dev/null || true

step "building the app's frontend bundle"
(cd "$APP" && yarn workspace app build >"$WORK/app-build.log" 2>&1) || { tail -40 "$WORK/app-build.log"; fail "frontend build failed"; }
grep -rqs 'apim-credentials' "$APP/packages/app/dist/static" || fail "the frontend bundle does not contain the plugin"

step "install proof passed in $(((SECONDS - START) / 60)) min $(((SECONDS - START) % 60)) s"
