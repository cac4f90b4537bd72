#!/usr/bin/env bash
# make test-fuzz / make fuzz-core: run every cargo-fuzz target for FUZZ_SECONDS (default 30) with
# the dated nightly the wasm build pins. Seeds are read in place: the conformance inputs and the
# npm fixtures for `check`, a few real HostnameGenerator templates for `template`, Kuma's REST
# request bodies for `rest_put`. New inputs go
# to a scratch corpus; a crash fails the run and leaves its input in core/fuzz/artifacts/<target>/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${FUZZ_SECONDS:-30}"
toolchain="$(tr -d '[:space:]' < "$root/wasm/build-toolchain")"
shared="${SHARED:-$root/../shared}"
[ -d "$shared/conformance" ] || { echo "fuzz: conformance data not found at $shared/conformance" >&2; exit 1; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/check" "$scratch/template" "$scratch/template-seeds"
i=0
for t in \
  '{{ .DisplayName }}.mzsvc.mesh.local' \
  '{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local' \
  '{{ label "statefulset.kubernetes.io/pod-name" }}.{{ label "k8s.kuma.io/service-name" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local' \
  '{{ if eq .Zone "east" }}{{ .Name }}{{ else }}{{ printf "%s-%s" .Name .Zone }}{{ end }}.mesh' \
  '{{ with $z := .Zone }}{{ range $i, $c := "" }}{{ $z }}{{ end }}{{ end }}{{ .Mesh | printf "%q" }}' \
  '{{- /* comment */ -}}{{ and .Name (or .Zone "x") (not false) (len .Mesh) }}'; do
  printf '%s' "$t" > "$scratch/template-seeds/$i"; i=$((i + 1))
done

cd "$root/core/fuzz"
run() { # target corpus seed-dirs...
  local target=$1; shift
  echo "fuzz: $target for ${seconds}s"
  if ! cargo "+$toolchain" fuzz run --sanitizer none "$target" "$@" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    > "$scratch/$target.log" 2>&1; then
    # libFuzzer's report (the panic, the input, how to reproduce) is at the end; stack frames
    # are left out so the message itself stays on screen.
    grep -vE '^[[:space:]]+([0-9]+: |at )' "$scratch/$target.log" | tail -n 40 >&2
    echo "fuzz: FAILED: $target (the input is in core/fuzz/artifacts/$target/)" >&2
    return 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$scratch/$target.log" || true
}
run check "$scratch/check" "$shared/conformance/kuma-mzs-validator" \
  "$shared/conformance/kuma-hostnamegenerator-validator" "$root/wasm/tests/fixtures"
run template "$scratch/template" "$scratch/template-seeds"
mkdir -p "$scratch/rest_put"
run rest_put "$scratch/rest_put" "$shared/conformance/kuma-mzs-api"
echo "fuzz: no crash, hang or leak in ${seconds}s per target"
