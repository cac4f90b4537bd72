#!/usr/bin/env bash
# make demo (terraform part): kuma-local with a global and two zones on loopback, MeshServices
# `redis` seeded in both zones, `terraform init && apply` of examples/terraform/quickstart, then
# the per-zone status and the preview, then everything is stopped and removed.
set -euo pipefail
root=$1
terraform=${TERRAFORM:-$root/.tools/bin/terraform-current}
kuma_local=${KUMA_LOCAL:-$root/target/release/kuma-local}
provider=${PROVIDER:-$root/target/release/terraform-provider-kuma}
platform=$(uname -s | tr "[:upper:]" "[:lower:]")_$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)

work=$(mktemp -d)
cp_pid=
cleanup() {
  if [ -n "$cp_pid" ]; then kill "$cp_pid" 2>/dev/null || true; wait "$cp_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> starting kuma-local (global + east + west, ephemeral loopback ports)"
"$kuma_local" run --zones east,west --port 0 --output json > "$work/kuma-local.json" 2> "$work/kuma-local.log" &
cp_pid=$!
for _ in $(seq 1 200); do
  [ -s "$work/kuma-local.json" ] && break
  kill -0 "$cp_pid" 2>/dev/null || { cat "$work/kuma-local.log" >&2; exit 1; }
  sleep 0.05
done
read -r global east west token < <(python3 -c '
import json, sys
info = json.loads(open(sys.argv[1]).readline())
print(info["global"], info["zones"]["east"], info["zones"]["west"], info.get("adminToken") or info.get("admin_token"))' "$work/kuma-local.json")
echo "    global $global  east $east  west $west"

echo "==> seeding MeshService redis:6379 in east and west"
python3 - "$east" "$west" "$global" "$token" <<'PY'
import json, sys, time, urllib.request
east, west, glob, token = sys.argv[1:5]
def call(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")
for zone in (east, west):
    call("PUT", zone + "/meshes/default/meshservices/redis", {
        "type": "MeshService", "mesh": "default", "name": "redis", "labels": {"app": "redis"},
        "spec": {"state": "Available", "ports": [{"port": 6379, "appProtocol": "tcp"}]}})
for _ in range(200):
    items = call("GET", glob + "/meshservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D=redis")["items"]
    if len(items) >= 2:
        break
    time.sleep(0.05)
PY

echo "==> terraform init && terraform apply (examples/terraform/quickstart)"
plugins=$work/plugins/kuma-mzs.local/kuma/kuma/$version/$platform
mkdir -p "$plugins"
cp "$provider" "$plugins/terraform-provider-kuma_v$version"
cp "$root/examples/terraform/quickstart/main.tf" "$work/main.tf"
cd "$work"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=$work/empty.tfrc
: > "$TF_CLI_CONFIG_FILE"
"$terraform" init -input=false -no-color -plugin-dir="$work/plugins" > init.log || { cat init.log; exit 1; }
"$terraform" apply -auto-approve -input=false -no-color \
  -var "endpoint=$global" -var "token=$token" \
  -var "zones={east=\"$east\", west=\"$west\"}" | grep -E '^(kuma_|data\.|Apply complete)' || true

echo "==> zone status (read back from each zone control plane)"
"$terraform" output -no-color zone_status
echo "==> preview (the core preview engine over the live MeshServices)"
"$terraform" output -no-color preview
"$terraform" output -json zone_status | python3 -c '
import json, sys
status = json.load(sys.stdin)
for zone, s in sorted(status.items()):
    assert s["vip"], f"no VIP in {zone}"
    assert "redis.mzsvc.mesh.local" in s["hostnames"], f"no hostname in {zone}"
print("demo OK: every zone has a VIP and redis.mzsvc.mesh.local")'
echo "==> stopping kuma-local"
