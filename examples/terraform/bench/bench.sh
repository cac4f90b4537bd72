#!/usr/bin/env bash
# make bench-terraform: in one run, on the same machine,
#   1. apply + no-change plan of N kuma_mesh_multi_zone_service against kuma-local (global only),
#   2. apply + no-change plan of N null_resource with the Go null provider (one trigger: the
#      required comparison),
#   2b. the same with a null_resource whose stored object is about as large as an MZS state
#      (Terraform core's own per-instance cost grows with the size of the stored object, so this
#      row shows what the kuma provider itself adds),
#   3. plugin start-up: exec -> handshake line, median of 30 starts (with AutoMTLS, as Terraform runs it).
# N defaults to 1000 (override: N=100 make bench-terraform).
set -euo pipefail
root=$1
n=${N:-1000}
terraform=${TERRAFORM:-$root/.tools/bin/terraform-current}
platform=$(uname -s | tr "[:upper:]" "[:lower:]")_$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
work=$(mktemp -d)
cp_pid=
cleanup() {
  if [ -n "$cp_pid" ]; then kill "$cp_pid" 2>/dev/null || true; wait "$cp_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_CLI_CONFIG_FILE=$work/empty.tfrc
: > "$TF_CLI_CONFIG_FILE"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

"${KUMA_LOCAL:-$root/target/release/kuma-local}" run --port 0 --output json > "$work/cp.json" 2> "$work/cp.log" &
cp_pid=$!
for _ in $(seq 1 200); do [ -s "$work/cp.json" ] && break; sleep 0.05; done
read -r global token < <(python3 -c 'import json,sys; i=json.loads(open(sys.argv[1]).readline()); print(i["global"], i.get("adminToken") or i.get("admin_token"))' "$work/cp.json")

# Plugin directory with both providers (registry layout).
plugins=$work/plugins
mkdir -p "$plugins/kuma-mzs.local/kuma/kuma/$version/$platform"
cp "$root/target/release/terraform-provider-kuma" "$plugins/kuma-mzs.local/kuma/kuma/$version/$platform/terraform-provider-kuma_v$version"
cp -r "$root/.tools/terraform-plugins/registry.terraform.io" "$plugins/"

mkdir -p "$work/kuma" "$work/null" "$work/null-sized"
cat > "$work/kuma/main.tf" <<TF
terraform {
  required_providers {
    kuma = { source = "kuma-mzs.local/kuma/kuma" }
  }
}
provider "kuma" {
  endpoint = "$global"
  token    = "$token"
}
resource "kuma_mesh_multi_zone_service" "s" {
  count = $n
  name  = "svc-\${count.index}"
  selector {
    mesh_service {
      match_labels = { app = "svc-\${count.index}" }
    }
  }
  port {
    port = 8080
  }
}
TF
cat > "$work/null/main.tf" <<TF
terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}
resource "null_resource" "s" {
  count = $n
  triggers = {
    name = "svc-\${count.index}"
  }
}
TF
# Same values an MZS stores (id, mesh, name, selector label, port, protocol, kri, sni, times).
cat > "$work/null-sized/main.tf" <<TF
terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}
resource "null_resource" "s" {
  count = $n
  triggers = {
    name              = "svc-\${count.index}"
    mesh              = "default"
    id                = "default/svc-\${count.index}"
    app               = "svc-\${count.index}"
    port              = "8080"
    app_protocol      = "tcp"
    kri               = "kri_mzsvc_default___svc-\${count.index}_"
    snis_port         = "8080"
    sni               = "sni.mzsvc.default.svc-\${count.index}.8080"
    creation_time     = "2026-11-26T16:57:17.499403952Z"
    modification_time = "2026-11-26T16:57:17.499403952Z"
    selector          = "mesh_service.match_labels"
  }
}
TF

run() { # dir label
  local dir=$1 label=$2
  (cd "$dir" && "$terraform" init -input=false -no-color -plugin-dir="$plugins" > init.log)
  local t0 t1 t2
  t0=$(now)
  (cd "$dir" && "$terraform" apply -auto-approve -input=false -no-color > apply.log)
  t1=$(now)
  (cd "$dir" && "$terraform" plan -detailed-exitcode -input=false -no-color > plan.log) || { echo "$label: plan not empty"; exit 1; }
  t2=$(now)
  echo "$label $(elapsed "$t0" "$t1") $(elapsed "$t1" "$t2")"
}

echo "terraform $("$terraform" version | head -1), N=$n, $(nproc) CPUs"
kuma_line=$(run "$work/kuma" kuma)
null_line=$(run "$work/null" null)
sized_line=$(run "$work/null-sized" null-sized)
python3 - "$work" "$kuma_line" "$null_line" "$sized_line" <<'PY'
import json, sys
work = sys.argv[1]
k, n, z = (a.split() for a in sys.argv[2:5])
ka, kp, na, np_, za, zp = map(float, (k[1], k[2], n[1], n[2], z[1], z[2]))
def stored(d):  # bytes of one instance's attributes in the state (compact JSON)
    s = json.load(open(f"{work}/{d}/terraform.tfstate"))
    return len(json.dumps(s["resources"][0]["instances"][0]["attributes"], separators=(",", ":")))
w = 44
sk, sn, sz = stored("kuma"), stored("null"), stored("null-sized")
print(f"{'':{w}} {'apply (s)':>10} {'no-change plan (s)':>20}")
print(f"{f'kuma_mesh_multi_zone_service ({sk} B state)':{w}} {ka:>10.2f} {kp:>20.2f}")
print(f"{f'null_resource, 1 trigger ({sn} B state)':{w}} {na:>10.2f} {np_:>20.2f}")
print(f"{f'null_resource, 12 triggers ({sz} B state)':{w}} {za:>10.2f} {zp:>20.2f}")
print(f"{'overhead vs null, 1 trigger (the goal)':{w}} {100*(ka-na)/na:>9.1f}% {100*(kp-np_)/np_:>19.1f}%")
print(f"{'overhead vs null, 12 triggers':{w}} {100*(ka-za)/za:>9.1f}% {100*(kp-zp)/zp:>19.1f}%")
PY

# Plugin start-up: exec -> handshake line, with a P-521 client certificate like Terraform's.
python3 - "$root/target/release/terraform-provider-kuma" <<'PY'
import os, statistics, subprocess, sys, time, tempfile
d = tempfile.mkdtemp()
key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521",
                "-sha512", "-nodes", "-keyout", key, "-out", crt, "-days", "1", "-subj", "/O=HashiCorp/CN=localhost"],
               check=True, capture_output=True)
env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
           PLUGIN_PROTOCOL_VERSIONS="5,6", PLUGIN_CLIENT_CERT=open(crt).read())
times = []
for _ in range(30):
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.argv[1]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    line = p.stdout.readline()
    times.append((time.perf_counter() - t0) * 1000)
    assert line.startswith(b"1|6|unix|"), line
    p.kill(); p.wait()
print(f"plugin start-up (exec -> handshake line, AutoMTLS): median {statistics.median(times):.1f} ms, "
      f"p90 {sorted(times)[int(len(times)*0.9)]:.1f} ms over {len(times)} starts")
PY
