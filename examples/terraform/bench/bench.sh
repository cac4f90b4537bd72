#!/usr/bin/env bash
# make bench-terraform: in one run, on the same machine, ROUNDS times in alternation
# (kuma, null, null-matched, kuma, ...; the table shows each row's median):
#   1. apply + no-change plan of N kuma_mesh_multi_zone_service against kuma-local (global only),
#   2. apply + no-change plan of N null_resource with the Go null provider, one trigger: the
#      comparison the issue names,
#   3. the control: N null_resource whose stored object takes as many bytes in terraform.tfstate
#      as an MZS does (the MZS's values as triggers, plus padding computed from the kuma run).
#      Terraform core rewrites the whole state file after every resource it applies, so its own
#      cost grows with stored bytes; this row isolates what the kuma provider itself adds,
#   4. plugin CPU: one more apply + plan of rows 1 and 3 with each plugin binary wrapped in
#      /usr/bin/time (a separate plugin directory, so the timed rounds run the bare binaries):
#      user+system CPU of all the plugin's processes, the "plugin CPU below the null provider's"
#      comparison,
#   5. plugin start-up: exec -> handshake line, median of 30 starts (with AutoMTLS, as Terraform runs it).
# N defaults to 1000, ROUNDS to 3 (override: N=100 ROUNDS=1 make bench-terraform).
set -euo pipefail
root=$1
n=${N:-1000}
rounds=${ROUNDS:-3}
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

mkdir -p "$work/kuma" "$work/null" "$work/null-matched"
# One configuration per round (a name prefix per round keeps the rounds' MZS apart on one kuma-local).
kuma_tf() { # round
  cat <<TF
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
  name  = "r$1-svc-\${count.index}"
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
}
null_tf() { # pad: "" for the one-trigger row, else the matched row with that many bytes of padding
  cat <<TF
terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}
TF
  if [ -z "$1" ]; then
    cat <<TF
resource "null_resource" "s" {
  count = $n
  triggers = {
    name = "svc-\${count.index}"
  }
}
TF
  else
    # The values an MZS stores, then padding up to the MZS's stored bytes.
    local padding
    padding=$(head -c "$1" /dev/zero | tr '\0' x)
    cat <<TF
resource "null_resource" "s" {
  count = $n
  triggers = {
    name              = "r1-svc-\${count.index}"
    mesh              = "default"
    id                = "default/r1-svc-\${count.index}"
    app               = "svc-\${count.index}"
    port              = "8080"
    app_protocol      = "tcp"
    kri               = "kri_mzsvc_default___r1-svc-\${count.index}_"
    snis_port         = "8080"
    sni               = "sni.mzsvc.default.r1-svc-\${count.index}.8080"
    creation_time     = "2026-11-26T16:57:17.499403952Z"
    modification_time = "2026-11-26T16:57:17.499403952Z"
    pad               = "$padding"
  }
}
TF
  fi
}

# init once per provider (plugin cache), then each round applies into a fresh directory.
init() { # dir
  (cd "$1" && "$terraform" init -input=false -no-color -plugin-dir="$plugins" > init.log)
}
round_dir() { # template-dir round
  local d="$1-r$2"
  rm -rf "$d" && mkdir -p "$d"
  cp -r "$1/.terraform" "$1/.terraform.lock.hcl" "$1/main.tf" "$d/"
  echo "$d"
}
timed() { # dir label -> "apply_s plan_s"
  local dir=$1 t0 t1 t2
  t0=$(now)
  (cd "$dir" && "$terraform" apply -auto-approve -input=false -no-color > apply.log)
  t1=$(now)
  (cd "$dir" && "$terraform" plan -detailed-exitcode -input=false -no-color > plan.log) || { echo "$2: plan not empty" >&2; exit 1; }
  t2=$(now)
  echo "$(elapsed "$t0" "$t1") $(elapsed "$t1" "$t2")"
}
state_bytes() { stat -c %s "$1/terraform.tfstate"; }
# Untimed: a round's MZS are deleted before the next round, so every kuma round starts from the
# same server (only its own N objects in the mesh), as a workspace that owns its mesh's MZS would.
destroy() { (cd "$1" && "$terraform" destroy -auto-approve -input=false -no-color > destroy.log); }

echo "terraform $("$terraform" version | head -1), N=$n, rounds=$rounds, $(nproc) CPUs"
kuma_tf 0 > "$work/kuma/main.tf"; init "$work/kuma"
null_tf "" > "$work/null/main.tf"; init "$work/null"
null_tf 0 > "$work/null-matched/main.tf"; init "$work/null-matched"

# Padding: measure the unpadded matched row once at N, then pad by the difference per instance.
probe=$(round_dir "$work/null-matched" probe)
(cd "$probe" && "$terraform" apply -auto-approve -input=false -no-color > apply.log)
probe_bytes=$(state_bytes "$probe")
probe_kuma=$(round_dir "$work/kuma" probe)
kuma_tf 0 > "$probe_kuma/main.tf"
(cd "$probe_kuma" && "$terraform" apply -auto-approve -input=false -no-color > apply.log)
kuma_bytes=$(state_bytes "$probe_kuma")
destroy "$probe_kuma"
pad=$(( (kuma_bytes - probe_bytes) / n ))
[ "$pad" -ge 0 ] || pad=0
null_tf "$pad" > "$work/null-matched/main.tf"

: > "$work/results"
for r in $(seq 1 "$rounds"); do
  d=$(round_dir "$work/kuma" "$r"); kuma_tf "$r" > "$d/main.tf"
  echo "kuma $(timed "$d" kuma) $(state_bytes "$d")" >> "$work/results"
  destroy "$d"
  d=$(round_dir "$work/null" "$r"); cp "$work/null/main.tf" "$d/"
  echo "null $(timed "$d" null) $(state_bytes "$d")" >> "$work/results"
  d=$(round_dir "$work/null-matched" "$r"); cp "$work/null-matched/main.tf" "$d/"
  echo "matched $(timed "$d" null-matched) $(state_bytes "$d")" >> "$work/results"
done

# Plugin CPU: the same plugins behind a wrapper that records their rusage.
cpu_plugins=$work/plugins-cpu
cp -r "$plugins" "$cpu_plugins"
while IFS= read -r -d '' bin; do
  mv "$bin" "$bin.real"
  printf '#!/bin/sh\nexec /usr/bin/time -a -o %s -f "%%U %%S" %s "$@"\n' "$work/plugin-cpu" "$bin.real" > "$bin"
  chmod +x "$bin"
done < <(find "$cpu_plugins" -type f -name 'terraform-provider-*' -print0)
cpu_row() { # label template-dir config-source
  local d="$work/cpu-$1"
  rm -rf "$d" && mkdir -p "$d" && cp "$3" "$d/main.tf"
  (cd "$d" && "$terraform" init -input=false -no-color -plugin-dir="$cpu_plugins" > init.log)
  : > "$work/plugin-cpu"
  (cd "$d" && "$terraform" apply -auto-approve -input=false -no-color > apply.log)
  local apply_cpu; apply_cpu=$(awk '{s += $1 + $2} END {printf "%.2f", s}' "$work/plugin-cpu")
  : > "$work/plugin-cpu"
  (cd "$d" && "$terraform" plan -input=false -no-color > plan.log)
  echo "$1 $apply_cpu $(awk '{s += $1 + $2} END {printf "%.2f", s}' "$work/plugin-cpu")"
}
cpu_kuma=$work/cpu-kuma.tf; kuma_tf cpu > "$cpu_kuma"
if [ -x /usr/bin/time ]; then
  cpu_row kuma "$work/kuma" "$cpu_kuma" >> "$work/cpu"
  cpu_row matched "$work/null-matched" "$work/null-matched/main.tf" >> "$work/cpu"
fi

python3 - "$work/results" "$n" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    k, a, p, b = line.split()
    rows.setdefault(k, []).append((float(a), float(p), int(b)))
n = int(sys.argv[2])
med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v), v[0][2] // n) for k, v in rows.items()}
for k, v in rows.items():
    print(f"  {k:8} rounds (apply s, plan s): " + ", ".join(f"{a:.2f}/{p:.2f}" for a, p, _ in v))
w = 52
print(f"{'median of ' + str(len(rows['kuma'])) + ' rounds':{w}} {'apply (s)':>10} {'no-change plan (s)':>20}")
ka, kp, kb = med["kuma"]; na, np_, nb = med["null"]; ma, mp, mb = med["matched"]
print(f"{f'kuma_mesh_multi_zone_service ({kb} B/instance)':{w}} {ka:>10.2f} {kp:>20.2f}")
print(f"{f'null_resource, 1 trigger ({nb} B/instance)':{w}} {na:>10.2f} {np_:>20.2f}")
print(f"{f'null_resource, byte-matched ({mb} B/instance)':{w}} {ma:>10.2f} {mp:>20.2f}")
print(f"{'kuma vs null, 1 trigger':{w}} {100*(ka-na)/na:>+9.1f}% {100*(kp-np_)/np_:>+19.1f}%")
print(f"{'kuma vs null, byte-matched (what the provider adds)':{w}} {100*(ka-ma)/ma:>+9.1f}% {100*(kp-mp)/mp:>+19.1f}%")
print(f"{'null byte-matched vs null 1 trigger (Terraform core)':{w}} {100*(ma-na)/na:>+9.1f}% {100*(mp-np_)/np_:>+19.1f}%")
PY
if [ -s "$work/cpu" ]; then
  echo "plugin CPU (user+system s, all of the plugin's processes; one extra round):"
  while read -r label apply plan; do
    printf '  %-8s apply %6s   no-change plan %6s\n' "$label" "$apply" "$plan"
  done < "$work/cpu"
fi

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
