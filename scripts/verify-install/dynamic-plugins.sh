# Sourced by scripts/verify-install.sh after the static install proof (issue 13, dynamic plugins):
# exports the backend plugin, the scaffolder module and the frontend plugin with the RHDH CLI
# (`yarn export-dynamic` in each package: @red-hat-developer-hub/cli plugin export, from npm) and packs
# the dist-dynamic folders, both by the backend README's RHDH section, and starts the fresh app's
# backend WITHOUT the static apim plugins but with @backstage/backend-dynamic-feature-service's
# dynamicPluginsFeatureLoader: GET /api/apim-credentials/environments must answer and the scaffolder must
# list apim:credentials:provision, both served by the dynamically loaded packages.
#
# Uses from verify-install.sh: REPO, WORK, APP, PIDS, TOKEN, BACKEND_PORT, step, fail, wait_for_file.

DYNAMIC_EXPORTS=(
  plugins/apim-credentials-backend
  plugins/scaffolder-backend-module-apim-credentials
  plugins/apim-credentials
)

RHDH_README="plugins/apim-credentials-backend/README.md"
RHDH_SECTION="Install in Red Hat Developer Hub (dynamic plugins)"

# Runs the RHDH section's commands as written (each package's export-dynamic script, then npm pack of
# each dist-dynamic), from the repository root: the section cannot drift from what CI proves.
export_dynamic_plugins() {
  local dir cmd
  for dir in "${DYNAMIC_EXPORTS[@]}"; do rm -rf "${REPO:?}/$dir/dist-dynamic"; done
  while IFS= read -r cmd; do
    step "$cmd"
    (cd "$REPO" && bash -euo pipefail -c "$cmd" >>"$WORK/export-dynamic.log" 2>&1) ||
      { tail -30 "$WORK/export-dynamic.log"; fail "$RHDH_README: '$cmd' failed"; }
  done < <(node "$REPO/scripts/verify-install/readme-steps.mjs" sh "$REPO/$RHDH_README" "$RHDH_SECTION")
  [[ -s "$REPO/plugins/apim-credentials/dist-dynamic/dist-scalprum/plugin-manifest.json" ]] ||
    fail "the frontend export has no dist-scalprum/plugin-manifest.json"
}

# The tarballs npm pack wrote (bundleDependencies: the private node_modules go along); the two backend
# packages are unpacked into the app's dynamic plugins root, one folder per package, as RHDH lays them
# out. The frontend one is packed only: its Scalprum assets are for RHDH's app, and this backend's loader
# would look for module-federation assets (mf-manifest.json) in it, which the export does not build.
install_dynamic_plugins() {
  local root="$APP/dynamic-plugins-root" dir tgz name
  mkdir -p "$root" "$WORK/dynamic-tarballs"
  for dir in "${DYNAMIC_EXPORTS[@]}"; do
    tgz="$(cd "$REPO/$dir/dist-dynamic" && ls -- *-dynamic-*.tgz)" || fail "no npm pack tarball in $dir/dist-dynamic"
    cp "$REPO/$dir/dist-dynamic/$tgz" "$WORK/dynamic-tarballs/"
    name="${tgz%.tgz}"
    tar -tzf "$WORK/dynamic-tarballs/$tgz" >"$WORK/dynamic-tarballs/$name.list"
    if [[ "$dir" == plugins/apim-credentials ]]; then
      grep -qx 'package/dist-scalprum/plugin-manifest.json' "$WORK/dynamic-tarballs/$name.list" ||
        fail "$tgz has no dist-scalprum/plugin-manifest.json"
      echo "   $name (packed, not loaded here)"
      continue
    fi
    mkdir -p "$root/$name"
    tar -xzf "$WORK/dynamic-tarballs/$tgz" -C "$root/$name" --strip-components=1
    echo "   $name"
  done
}

verify_dynamic_backend() {
  local index="$APP/packages/backend/src/index.ts"
  cp "$index" "$WORK/index.static.ts"
  # The app's index as create-app wrote it, plus the loader: the apim packages come only from
  # dynamic-plugins-root, not from packages/backend/package.json.
  node -e '
    const fs = require("fs");
    const [pristine, out] = process.argv.slice(1);
    const src = fs.readFileSync(pristine, "utf8")
      .replace("backend.start();", "backend.add(dynamicPluginsFeatureLoader);\n\nbackend.start();");
    fs.writeFileSync(out,
      "import { dynamicPluginsFeatureLoader } from \"@backstage/backend-dynamic-feature-service\";\n" + src);
  ' "$WORK/index.pristine.ts" "$index"
  grep -q 'apim-credentials' "$index" && fail "the dynamic backend's index still names the static plugin"
  cat >"$APP/app-config.dynamic.yaml" <<YAML
dynamicPlugins:
  rootDirectory: $APP/dynamic-plugins-root
YAML

  step "starting the app's backend with dynamicPluginsFeatureLoader on port $BACKEND_PORT"
  (cd "$APP/packages/backend" && exec setsid yarn start --config ../../app-config.yaml \
    --config ../../app-config.verify.yaml --config ../../app-config.dynamic.yaml >"$WORK/backend-dynamic.log" 2>&1) &
  PIDS+=($!)
  local api="http://127.0.0.1:$BACKEND_PORT/api" code i
  for i in $(seq 1 300); do
    code="$(curl -s -o "$WORK/dynamic-environments.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
      "$api/apim-credentials/environments" || true)"
    [[ "$code" == 200 ]] && break
    [[ "$i" == 300 ]] && { tail -40 "$WORK/backend-dynamic.log"; fail "dynamic: GET /environments never answered 200 (last: $code)"; }
    sleep 1
  done
  grep -q '"sandbox"' "$WORK/dynamic-environments.json" ||
    fail "dynamic: unexpected environments: $(head -c 300 "$WORK/dynamic-environments.json")"
  echo "   GET /apim-credentials/environments (dynamic): $(head -c 200 "$WORK/dynamic-environments.json")"
  curl -sf -H "Authorization: Bearer $TOKEN" "$api/scaffolder/v2/actions" >"$WORK/dynamic-actions.json" ||
    fail "dynamic: GET /scaffolder/v2/actions failed"
  grep -q '"apim:credentials:provision"' "$WORK/dynamic-actions.json" ||
    fail "dynamic: the scaffolder does not list apim:credentials:provision"
  echo "   the scaffolder lists apim:credentials:provision and apim:credentials:unprovision (dynamic module)"
  local pkg
  for pkg in apim-credentials-backend scaffolder-backend-module-apim-credentials; do
    grep -q "loaded dynamic backend plugin '@apim-credentials/backstage-plugin-$pkg-dynamic'" "$WORK/backend-dynamic.log" ||
      fail "dynamic: the backend log does not show $pkg-dynamic being loaded"
  done
}
