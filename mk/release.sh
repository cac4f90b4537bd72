#!/usr/bin/env bash
# Cross-build the shipped binaries and write registry-layout release files under <root>/dist:
#
#   terraform-provider-kuma_<v>_<os>_<arch>.zip   holds terraform-provider-kuma_v<v>[.exe]
#   terraform-provider-kuma_<v>_manifest.json     protocol_versions ["6.0"]
#   terraform-provider-kuma_<v>_SHA256SUMS        the zips and the manifest
#   terraform-provider-kuma_<v>_SHA256SUMS.sig    detached binary GPG signature of it
#   kuma-local_<v>_<os>_<arch>.zip                holds kuma-local[.exe]
#   kuma-local_<v>_SHA256SUMS (+ .sig)
#   kuma-mzs_<v>_signing-key.asc                  the public key that verifies both .sig files
#
# Usage: mk/release.sh ROOT VERSION
# Environment:
#   RELEASE_PLATFORMS  "linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64" (default)
#   RELEASE_PROFILE    release (default) or dev (unoptimised: what CI builds, see BENCHMARKS.md)
#   RELEASE_BINARIES   "terraform-provider-kuma kuma-local" (default) or a subset
#   RELEASE_GPG_KEY    an ASCII-armoured secret key to sign with (imported into a private keyring);
#   RELEASE_GPG_KEY_ID a key already in $GNUPGHOME instead; RELEASE_GPG_PASSPHRASE for either.
#                      Neither set: a throwaway RSA key is generated for this run and its public half
#                      printed and written to dist/ (fine for CI and local mirrors, not for a registry).
#
# Every target is linked with zig through cargo-zigbuild (.ci/tools.sh release installs both from
# PyPI): glibc 2.17 for Linux (runs on any distribution since 2014), the macOS and Windows (mingw)
# import libraries zig ships. No Apple SDK is needed because no shipped crate links an Apple framework
# (rustc's "xcrun ... failed" warning on the darwin targets is only about recording the SDK version).
set -euo pipefail
root=$1 version=$2
platforms=${RELEASE_PLATFORMS:-linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64}
profile=${RELEASE_PROFILE:-release}
binaries=${RELEASE_BINARIES:-terraform-provider-kuma kuma-local}
dist=$root/dist
provider=terraform-provider-kuma

say() { echo "release: $*" >&2; }
die() { echo "release: ERROR: $*" >&2; exit 1; }

case "$profile" in
  release) profile_dir=release ;;
  # No debug info: it would make each binary ~150 MB and the links slower; what CI checks (format,
  # architecture, checksums, signature) does not need it.
  dev) profile_dir=debug; export CARGO_PROFILE_DEV_DEBUG=0 ;;
  *) die "RELEASE_PROFILE must be release or dev, not '$profile'" ;;
esac
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || die "'$version' is not a semantic version"
command -v cargo-zigbuild >/dev/null || die "cargo-zigbuild not on PATH (run .ci/tools.sh release)"

triple_of() {
  case "$1" in
    linux_amd64) echo x86_64-unknown-linux-gnu ;;
    linux_arm64) echo aarch64-unknown-linux-gnu ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    windows_amd64) echo x86_64-pc-windows-gnu ;;
    *) die "unknown platform '$1'" ;;
  esac
}

# zig picks the glibc version from a suffix on the target; the output directory has none.
zig_target_of() {
  case "$1" in
    *-linux-gnu) echo "$1.2.17" ;;
    *) echo "$1" ;;
  esac
}

exe_suffix() { case "$1" in windows_*) echo .exe ;; *) echo "" ;; esac; }

# Deterministic zip (fixed timestamps, sorted entries, executable bit for the binary).
make_zip() { # out.zip, then name=path pairs
  local out=$1; shift
  python3 - "$out" "$@" <<'PY'
import sys, zipfile
out, pairs = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for pair in sorted(pairs):
        name, path = pair.split("=", 1)
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o100755 << 16
        info.create_system = 3  # unix, so unzip keeps the mode
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as fh:
            z.writestr(info, fh.read())
PY
}

packages=()
for b in $binaries; do
  case "$b" in
    terraform-provider-kuma) packages+=(-p terraform-provider-kuma --bin terraform-provider-kuma) ;;
    kuma-local) packages+=(-p kuma-local --bin kuma-local) ;;
    *) die "unknown binary '$b'" ;;
  esac
done

rm -rf "$dist"
mkdir -p "$dist"
for platform in $platforms; do
  triple=$(triple_of "$platform")
  start=$(date +%s)
  say "building $binaries for $platform ($triple, profile $profile)"
  # --bin for each (cargo applies --bin across all -p packages): kuma-local's bench binary stays out.
  cargo zigbuild --locked --profile "$profile" --target "$(zig_target_of "$triple")" "${packages[@]}" >&2
  say "$platform built in $(( $(date +%s) - start ))s"
  out=$root/target/$triple/$profile_dir
  ext=$(exe_suffix "$platform")
  for b in $binaries; do
    [ -f "$out/$b$ext" ] || die "$out/$b$ext was not built"
    case "$b" in
      terraform-provider-kuma)
        make_zip "$dist/${provider}_${version}_${platform}.zip" "${provider}_v${version}${ext}=$out/$b$ext" ;;
      kuma-local)
        make_zip "$dist/kuma-local_${version}_${platform}.zip" "kuma-local${ext}=$out/$b$ext" ;;
    esac
  done
done

sums=()
if [[ " $binaries " == *" terraform-provider-kuma "* ]]; then
  printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["6.0"]\n  }\n}\n' \
    > "$dist/${provider}_${version}_manifest.json"
  (cd "$dist" && sha256sum ${provider}_${version}_*.zip ${provider}_${version}_manifest.json \
    > ${provider}_${version}_SHA256SUMS)
  sums+=("${provider}_${version}_SHA256SUMS")
fi
if [[ " $binaries " == *" kuma-local "* ]]; then
  (cd "$dist" && sha256sum kuma-local_${version}_*.zip > kuma-local_${version}_SHA256SUMS)
  sums+=("kuma-local_${version}_SHA256SUMS")
fi

# Signing. A private keyring unless the caller names a key in theirs.
command -v gpg >/dev/null || die "gpg is not installed (.ci/tools.sh release installs it)"
gpg_args=(--batch --yes --pinentry-mode loopback)
if [ -n "${RELEASE_GPG_KEY_ID:-}" ]; then
  key=$RELEASE_GPG_KEY_ID
  say "signing with $key from ${GNUPGHOME:-~/.gnupg}"
else
  GNUPGHOME=$(mktemp -d)
  export GNUPGHOME
  trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
  if [ -n "${RELEASE_GPG_KEY:-}" ]; then
    printf '%s\n' "$RELEASE_GPG_KEY" | gpg "${gpg_args[@]}" --passphrase "${RELEASE_GPG_PASSPHRASE:-}" --import 2>/dev/null \
      || die "RELEASE_GPG_KEY could not be imported"
    say "signing with the key from RELEASE_GPG_KEY"
  else
    # RSA, not Ed25519: Terraform 1.0.x verifies with golang.org/x/crypto/openpgp, which has no EdDSA.
    gpg "${gpg_args[@]}" --passphrase '' --quick-gen-key \
      "kuma-mzs throwaway release key <release@kuma-mzs.invalid>" rsa3072 sign 1d 2>/dev/null \
      || die "could not generate a throwaway GPG key"
    say "signing with a THROWAWAY key generated for this run (set RELEASE_GPG_KEY for a real release)"
  fi
  key=$(gpg --batch --list-secret-keys --with-colons | awk -F: '$1=="fpr"{print $10; exit}')
  [ -n "$key" ] || die "no secret key to sign with"
fi
for s in "${sums[@]}"; do
  gpg "${gpg_args[@]}" --passphrase "${RELEASE_GPG_PASSPHRASE:-}" --local-user "$key" \
    --detach-sign --output "$dist/$s.sig" "$dist/$s" || die "signing $s failed"
done
gpg --batch --armor --export "$key" > "$dist/kuma-mzs_${version}_signing-key.asc"
[ -s "$dist/kuma-mzs_${version}_signing-key.asc" ] || die "could not export the public key"
say "public key (also in dist/kuma-mzs_${version}_signing-key.asc):"
gpg --batch --with-colons --fingerprint "$key" | awk -F: '$1=="fpr"{print "release: fingerprint " $10; exit}' >&2
cat "$dist/kuma-mzs_${version}_signing-key.asc"

echo "release files in $dist:"
ls -1 "$dist"
