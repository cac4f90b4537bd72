#!/usr/bin/env bash
# Write registry-layout release files for one platform under <root>/dist:
#   terraform-provider-kuma_<v>_<os>_<arch>.zip  (holds terraform-provider-kuma_v<v>)
#   terraform-provider-kuma_<v>_manifest.json    (protocol_versions ["6.0"])
#   terraform-provider-kuma_<v>_SHA256SUMS
set -euo pipefail
root=$1 version=$2 platform=$3
dist=$root/dist
name=terraform-provider-kuma
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$root/target/release/$name" "$stage/${name}_v${version}"
zip_path=$dist/${name}_${version}_${platform}.zip
rm -f "$zip_path"
python3 - "$stage" "$zip_path" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(stage)):
        info = zipfile.ZipInfo(f, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o755 if f.startswith("terraform-provider") else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(stage, f), "rb") as fh:
            z.writestr(info, fh.read())
PY
printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["6.0"]\n  }\n}\n' > "$dist/${name}_${version}_manifest.json"
(cd "$dist" && sha256sum ${name}_${version}_*.zip ${name}_${version}_manifest.json > ${name}_${version}_SHA256SUMS)
echo "release files in $dist:"
ls -1 "$dist"
