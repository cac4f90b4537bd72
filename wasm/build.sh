#!/usr/bin/env bash
# Build the npm package kuma-mzs into wasm/pkg/:
#   cargo (wasm32, size profile) -> wasm-bindgen (nodejs + web) -> wasm-opt -Oz (npm binaryen,
#   kept only if it gzips smaller) -> package files + bundled language-server dependencies.
# Tools: wasm-bindgen-cli equal to the wasm-bindgen crate in Cargo.lock, and binaryen's wasm-opt
# from npm (never Debian's: it corrupts wasm-bindgen output). `.ci/tools.sh wasm` installs both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
pkg="$here/pkg"
src="$here/npm"
wasm_opt="${WASM_OPT:-$root/.tools/node_modules/.bin/wasm-opt}"

want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' "$root/Cargo.lock")
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}') || true
if [ "$have" != "$want" ]; then
  echo "build.sh: need wasm-bindgen $want on PATH, found '${have:-none}' (run .ci/tools.sh wasm)" >&2
  exit 1
fi
if ! "$wasm_opt" --version 2>/dev/null | grep -q 'version 132'; then
  echo "build.sh: need binaryen 132's wasm-opt at $wasm_opt (run .ci/tools.sh wasm)" >&2
  exit 1
fi

# opt-level: a quoted "s"/"z" or a bare 0-3 (cargo's --config types them).
opt_level="${WASM_OPT_LEVEL:-s}"
case "$opt_level" in s|z) opt_level="\"$opt_level\"" ;; esac

# Size-tuned profile for the wasm crate only: the workspace root owns [profile.release], so the
# custom profile is given here instead of in a manifest; native builds are untouched.
cargo build --locked -p kuma-mzs-wasm --target wasm32-unknown-unknown --profile wasm-release \
  --config 'profile.wasm-release.inherits="release"' \
  --config "profile.wasm-release.opt-level=$opt_level" \
  ${WASM_EXTRA_CONFIG:+--config "$WASM_EXTRA_CONFIG"} \
  --config 'profile.wasm-release.lto=true' \
  --config 'profile.wasm-release.codegen-units=1' \
  --config 'profile.wasm-release.panic="abort"'
raw="$root/target/wasm32-unknown-unknown/wasm-release/kuma_mzs_wasm.wasm"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for target in nodejs web; do
  wasm-bindgen "$raw" --target "$target" --out-dir "$tmp/$target" --out-name kuma_mzs \
    --remove-producers-section --remove-name-section
done
cmp -s "$tmp/nodejs/kuma_mzs_bg.wasm" "$tmp/web/kuma_mzs_bg.wasm" || {
  echo "build.sh: nodejs and web wasm differ; cannot ship one copy" >&2
  exit 1
}

# wasm-opt -Oz; keep whichever gzips smaller.
"$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$tmp/web/kuma_mzs_bg.wasm" -o "$tmp/opt.wasm"
gz() { gzip -9 -n -c "$1" | wc -c; }
before=$(gz "$tmp/web/kuma_mzs_bg.wasm")
after=$(gz "$tmp/opt.wasm")
if [ "$after" -lt "$before" ]; then
  cp "$tmp/opt.wasm" "$tmp/web/kuma_mzs_bg.wasm"
  echo "build.sh: wasm-opt -Oz: gzip $before -> $after bytes (kept)"
else
  echo "build.sh: wasm-opt -Oz: gzip $before -> $after bytes (not smaller, dropped)"
fi

rm -rf "$pkg"
mkdir -p "$pkg/node" "$pkg/web"
cp "$tmp/web/kuma_mzs.js" "$tmp/web/kuma_mzs.d.ts" "$tmp/web/kuma_mzs_bg.wasm" \
  "$tmp/web/kuma_mzs_bg.wasm.d.ts" "$pkg/web/"
echo '{ "type": "module" }' > "$pkg/web/package.json"
# One wasm file for both builds: point the Node glue at the web copy.
node_glue="$tmp/nodejs/kuma_mzs.js"
grep -q '/kuma_mzs_bg.wasm`' "$node_glue" || {
  echo "build.sh: cannot find the wasm path in the nodejs glue (wasm-bindgen changed?)" >&2
  exit 1
}
sed 's#/kuma_mzs_bg.wasm`#/../web/kuma_mzs_bg.wasm`#' "$node_glue" > "$pkg/node/kuma_mzs.js"
cp "$tmp/nodejs/kuma_mzs.d.ts" "$pkg/node/"

cp -R "$src/bin" "$src/lib" "$src/README.md" "$src/package.json" "$pkg/"
chmod +x "$pkg"/bin/*.js
crate_version=$(awk -F'"' '/^version = /{print $2; exit}' "$root/Cargo.toml")
npm_version=$(node -p 'require(process.argv[1]).version' "$pkg/package.json")
[ "$crate_version" = "$npm_version" ] || {
  echo "build.sh: package.json version $npm_version != workspace version $crate_version" >&2
  exit 1
}
# The language server's dependencies are bundled into the tarball (offline installs work):
# copy the production tree `npm ci` installed in wasm/npm (no network needed here).
[ -d "$src/node_modules/vscode-languageserver" ] || {
  echo "build.sh: run npm ci in wasm/npm first (make wasm does)" >&2
  exit 1
}
mkdir -p "$pkg/node_modules"
(cd "$src" && npm ls --omit=dev --all --parseable) | while read -r dir; do
  [ "$dir" = "$src" ] && continue
  rel="${dir#"$src"/}"
  mkdir -p "$pkg/$(dirname "$rel")"
  cp -R "$dir" "$pkg/$rel"
done


size=$(wc -c < "$pkg/web/kuma_mzs_bg.wasm")
echo "build.sh: wasm/pkg ready (kuma_mzs_bg.wasm $size bytes, gzip $(gz "$pkg/web/kuma_mzs_bg.wasm") bytes)"
