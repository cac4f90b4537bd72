#!/usr/bin/env bash
# Build the npm package kuma-mzs into wasm/pkg/:
#   cargo (wasm32, size profile, dated nightly with -Zbuild-std), once per module: `main`
#   (kuma_mzs_bg.wasm: validate and the small exports) and `editor` (kuma_mzs_editor_bg.wasm:
#   everything, preview, explain, hover and complete too; loaded on demand) -> wasm-bindgen (nodejs + web) -> glue/closure-shims.mjs
#   (wasm-bindgen's closure shims, which nothing calls, out of the table) -> wasm-opt (npm binaryen,
#   kept only if it gzips smaller) -> the build-time data from the core (JSON Schemas, resource
#   types; a native example) -> the package entries of wasm/glue, package files + bundled
#   language-server dependencies.
# Tools: the nightly named in wasm/build-toolchain with rust-src and the wasm32 target,
# wasm-bindgen-cli equal to the wasm-bindgen crate in Cargo.lock, and binaryen's wasm-opt from npm
# (never Debian's: it corrupts wasm-bindgen output). `.ci/tools.sh wasm` installs all three.
#
# Every size/speed knob below can be overridden from the environment (an empty value means
# "none"), so each row of BENCHMARKS.md's build-level table is one command; see there for what
# each knob costs and buys.
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

# The build-level size levers (BENCHMARKS.md, npm section, "Build-level size work"):
# - nightly -Zbuild-std rebuilds std for this profile with panic = "immediate-abort": no panic
#   message/formatting machinery, and the std's size-optimised algorithms (optimize_for_size);
# - opt-level "z" everywhere except the standard library crates, which stay at 3 (their hot
#   non-generic code: allocator, memchr, UTF-8 checks), and an explicit LLVM inline threshold,
#   which lifts "z"'s cap of 5 and brings back small-function inlining: most of the speed of "s"
#   at slightly less than the size of plain "z" (20 since 2026-12-04: 1.85 KB gzip smaller than
#   30 for 4 % slower `validate` in a paired run, room the core's fixes needed; returning outputs
#   as JSON text for `JSON.parse` instead would free 1.2 KB for 13 %; 35 was within the noise of
#   30, 50 is 4 % faster again but costs over 1 KB);
# - no reference-types/multivalue: wasm-bindgen's JS heap instead of an externref table;
# - -Zlocation-detail=none (no file/line strings for panics that cannot print anyway) and
#   -Zfmt-debug=shallow (derived Debug prints only names; no output uses derived Debug).
[ -f "$here/build-toolchain" ] || { echo "build.sh: wasm/build-toolchain is missing" >&2; exit 1; }
toolchain="${WASM_TOOLCHAIN-$(tr -d '[:space:]' < "$here/build-toolchain")}"
opt_level="${WASM_OPT_LEVEL-z}"
case "$opt_level" in s|z) opt_level="\"$opt_level\"" ;; esac
panic="${WASM_PANIC-immediate-abort}"
lto="${WASM_LTO-true}"
target_dir="${WASM_TARGET_DIR-$root/target}"
# shellcheck disable=SC2206 # word splitting wanted: cargo arguments
cargo_args=(${WASM_CARGO_ARGS--Zbuild-std=std,panic_abort -Zpanic-immediate-abort -Zbuild-std-features=optimize_for_size})
rustflags="${WASM_RUSTFLAGS--Zlocation-detail=none -Zfmt-debug=shallow -Zshare-generics=y -Ctarget-feature=-reference-types,-multivalue -Cllvm-args=-inline-threshold=20}"
std3='profile.wasm-release.package'
std3="$std3.core.opt-level=3;$std3.alloc.opt-level=3;$std3.std.opt-level=3;$std3.dlmalloc.opt-level=3;$std3.compiler_builtins.opt-level=3"
# WASM_CONFIG: cargo --config values, separated by ';'.
config=()
IFS=';' read -ra config_values <<< "${WASM_CONFIG-$std3}"
for value in "${config_values[@]}"; do config+=(--config "$value"); done
# shellcheck disable=SC2206 # word splitting wanted: wasm-opt flags
opt_flags=(${WASM_OPT_FLAGS--O2 --code-folding --flatten --rereloop -O2 --code-folding --one-caller-inline-max-function-size=0 --ignore-implicit-traps --converge})

if [ -n "$toolchain" ]; then
  rustup run "$toolchain" rustc --version >/dev/null 2>&1 || {
    echo "build.sh: need the Rust toolchain $toolchain (run .ci/tools.sh wasm)" >&2
    exit 1
  }
  if [[ " ${cargo_args[*]} " == *" -Zbuild-std"* ]] &&
    ! rustup component list --toolchain "$toolchain" --installed | grep '^rust-src' >/dev/null; then
    echo "build.sh: -Zbuild-std needs rust-src for $toolchain (run .ci/tools.sh wasm)" >&2
    exit 1
  fi
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# module <feature> <out-name>: one WebAssembly module of the crate (its exports are those of the
# feature, see wasm/src/lib.rs), through wasm-bindgen into $tmp/<feature>/{nodejs,web}/.
module() {
  # Size-tuned profile for the wasm crate only: the workspace root owns [profile.release], so the
  # custom profile is given here instead of in a manifest; native builds are untouched.
  env -u CARGO_ENCODED_RUSTFLAGS RUSTFLAGS="$rustflags" CARGO_TARGET_DIR="$target_dir" \
    cargo ${toolchain:+"+$toolchain"} build --locked -p kuma-mzs-wasm --target wasm32-unknown-unknown \
    --no-default-features --features "$1" \
    --profile wasm-release "${cargo_args[@]}" \
    --config 'profile.wasm-release.inherits="release"' \
    --config "profile.wasm-release.opt-level=$opt_level" \
    --config "profile.wasm-release.lto=$lto" \
    --config 'profile.wasm-release.codegen-units=1' \
    --config "profile.wasm-release.panic=\"$panic\"" \
    "${config[@]}"
  local raw="$target_dir/wasm32-unknown-unknown/wasm-release/kuma_mzs_wasm.wasm"
  # The name section stays for closure-shims.mjs, which removes it (and the closure shims nothing
  # calls) as --remove-name-section would.
  for target in nodejs web; do
    wasm-bindgen "$raw" --target "$target" --out-dir "$tmp/$1/$target" --out-name "$2" \
      --remove-producers-section
    node "$here/glue/closure-shims.mjs" "$tmp/$1/$target/$2_bg.wasm" "$tmp/$1/$target/$2.js"
  done
  cmp -s "$tmp/$1/nodejs/$2_bg.wasm" "$tmp/$1/web/$2_bg.wasm" || {
    echo "build.sh: nodejs and web wasm of $2 differ; cannot ship one copy" >&2
    exit 1
  }
}
module main kuma_mzs
module editor kuma_mzs_editor

# --ignore-implicit-traps lets wasm-opt assume loads and divisions do not trap: Rust never relies on
# such a trap (bounds and divisors are checked first, a panic aborts through an explicit
# `unreachable`, which the flag does not touch); with --converge it saves about 0.7 KB gzip.
# wasm-opt; keep whichever gzips smaller. The default passes leave out inlining of functions with
# one caller (-Oz/-Os/-O2 inline those and gzip grows by 10 %: fewer repeated byte patterns).
# After the first -O2, --flatten --rereloop rebuilds every function's control flow from scratch
# and the second -O2 cleans it up; with --code-folding (identical code tails merged) on both
# sides that is 0.9 KB gzip less, `validate` speed within this machine's noise (BENCHMARKS.md,
# "Control flow rebuilt").
gz() { gzip -9 -n -c "$1" | wc -c; }
optimise() {
  [ ${#opt_flags[@]} -gt 0 ] || return 0
  "$wasm_opt" "${opt_flags[@]}" --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    "$1" -o "$tmp/opt.wasm"
  before=$(gz "$1")
  after=$(gz "$tmp/opt.wasm")
  if [ "$after" -lt "$before" ]; then
    cp "$tmp/opt.wasm" "$1"
    echo "build.sh: wasm-opt ${opt_flags[*]} $(basename "$1"): gzip $before -> $after bytes (kept)"
  else
    echo "build.sh: wasm-opt ${opt_flags[*]} $(basename "$1"): gzip $before -> $after bytes (not smaller, dropped)"
  fi
}
optimise "$tmp/main/web/kuma_mzs_bg.wasm"
optimise "$tmp/editor/web/kuma_mzs_editor_bg.wasm"

rm -rf "$pkg"
mkdir -p "$pkg/node" "$pkg/web"
# The wasm-bindgen glue of each module (kuma_mzs_main.js, kuma_mzs_editor.js) sits behind the
# package's entries (wasm/glue: node.js, web.js), which load the editor module on demand.
cp "$tmp/main/web/kuma_mzs.js" "$pkg/web/kuma_mzs_main.js"
cp "$tmp/editor/web/kuma_mzs_editor.js" "$pkg/web/"
cp "$tmp/main/web/kuma_mzs_bg.wasm" "$tmp/main/web/kuma_mzs_bg.wasm.d.ts" \
  "$tmp/editor/web/kuma_mzs_editor_bg.wasm" "$pkg/web/"
cp "$here/glue/web.js" "$pkg/web/kuma_mzs.js"
cp "$here/glue/node.js" "$pkg/node/kuma_mzs.js"
echo '{ "type": "module", "sideEffects": false }' > "$pkg/web/package.json"
# One wasm file per module for both builds: point the Node glue at the web copy.
# node_glue <feature> <out-name> <file>: the Node glue of one module, reading the web copy's wasm.
node_glue() {
  local glue="$tmp/$1/nodejs/$2.js"
  grep -q "/$2_bg.wasm\`" "$glue" || {
    echo "build.sh: cannot find the wasm path in the nodejs glue of $2 (wasm-bindgen changed?)" >&2
    exit 1
  }
  sed "s#/$2_bg.wasm\`#/../web/$2_bg.wasm\`#" "$glue" > "$pkg/node/$3"
}
node_glue main kuma_mzs kuma_mzs_main.js
node_glue editor kuma_mzs_editor kuma_mzs_editor.js

# The JSON Schemas of every release and the resource types' facts, generated from the core by a
# native build (keeps the schema generators out of the WebAssembly).
env -u CARGO_ENCODED_RUSTFLAGS -u RUSTFLAGS CARGO_TARGET_DIR="$target_dir" \
  cargo run --quiet --locked -p kuma-mzs-wasm --example package_data -- "$pkg/data"
node "$here/glue/assemble.mjs" "$tmp" "$pkg"

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
editor=$(wc -c < "$pkg/web/kuma_mzs_editor_bg.wasm")
echo "build.sh: wasm/pkg ready (kuma_mzs_bg.wasm $size bytes, gzip $(gz "$pkg/web/kuma_mzs_bg.wasm") bytes;" \
  "editor module kuma_mzs_editor_bg.wasm $editor bytes, gzip $(gz "$pkg/web/kuma_mzs_editor_bg.wasm") bytes)"
