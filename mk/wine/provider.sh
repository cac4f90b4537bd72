#!/usr/bin/env bash
# Make the Windows provider from a release zip runnable by Linux Terraform through Wine:
#   mk/wine/provider.sh ZIP OUTDIR   ->  OUTDIR/terraform-provider-kuma (a launcher script)
# Terraform starts the launcher like any provider; it execs Wine on the .exe with Terraform's
# environment (magic cookie, PLUGIN_CLIENT_CERT, port range), so the Windows build picks its
# default transport, loopback TCP, and does AutoMTLS as it would on Windows.
set -euo pipefail
zip=$1 out=$2
wine=""
for candidate in /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then wine=$candidate; break; fi
done
[ -n "$wine" ] || { echo "wine not found (.ci/tools.sh wine)" >&2; exit 1; }
zig=${ZIG:-python3 -m ziglang}
rm -rf "$out"
mkdir -p "$out"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$out"
exe=$(cd "$out" && ls terraform-provider-kuma_v*.exe)
here=$(cd "$(dirname "$0")" && pwd)
$zig cc -target x86_64-windows-gnu -shared -O2 -o "$out/bcryptprimitives.dll" \
  "$here/bcryptprimitives.c" -ladvapi32
rm -f "$out"/*.pdb "$out"/*.lib
mkdir -p "$out/prefix"
cat > "$out/terraform-provider-kuma" <<SH
#!/bin/sh
export WINEPREFIX="\${KUMA_WINEPREFIX:-$out/prefix}" WINEDEBUG=-all
exec "$wine" "$out/$exe" "\$@"
SH
chmod +x "$out/terraform-provider-kuma"
# Create the Wine prefix now (about 15 s once), not inside Terraform's 1-minute handshake wait.
WINEPREFIX="$out/prefix" WINEDEBUG=-all "$wine" "$out/$exe" --version
