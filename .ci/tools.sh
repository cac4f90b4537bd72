#!/usr/bin/env bash
# Install the tools a make target needs; idempotent, loud on failure.
# Usage: .ci/tools.sh rust|wasm|node|terraform|chromium ...
set -euo pipefail
for what in "$@"; do
  case "$what" in
    rust)
      rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
      rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
      rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
      ;;
    *) echo "tools.sh: unknown tool set '$what'" >&2; exit 2 ;;
  esac
done
