# control-plane/: kuma-local, a local Kuma-API-compatible control plane (global + zones)
TEST_TARGETS += test-control-plane
BUILD_TARGETS += build-control-plane
BENCH_TARGETS += bench-control-plane

KUMA_LOCAL := $(ROOT)/target/release/kuma-local
# State of `make control-plane-up` (pid, addresses + token as JSON, logs).
KUMA_LOCAL_STATE := $(ROOT)/.tools/kuma-local
KUMA_LOCAL_ZONES ?= east,west
KUMA_LOCAL_PORT ?= 5681

.PHONY: test-control-plane build-control-plane bench-control-plane run-control-plane control-plane-up control-plane-down
test-control-plane: tools-rust ## kuma-local: upstream REST goldens, federation, status, pagination, tokens, TLS, kill -9 durability, reliability (timeouts, connection cap, body limits, ETags, Mesh-delete races)
	cargo test -p kuma-local --locked

build-control-plane: tools-rust
	cargo build -p kuma-local --release --locked --bin kuma-local

bench-control-plane: tools-rust ## kuma-local load test: 10,000 MZS + 100,000 MeshServices on loopback (BENCHMARKS.md)
	cargo build -p kuma-local --release --locked --bin kuma-local-bench
	$(ROOT)/target/release/kuma-local-bench --mzs 10000 --mesh-services 100000 --concurrency 8 --get-seconds 10

run-control-plane: build-control-plane ## Run kuma-local in the foreground: global :5681, zones east :5682, west :5683
	$(KUMA_LOCAL) run --zones $(KUMA_LOCAL_ZONES) --port $(KUMA_LOCAL_PORT)

# Background instance for demos and other areas' tests: `make control-plane-up`, then read
# .tools/kuma-local/info.json ({"global": URL, "zones": {name: URL}, "adminToken": ...}).
control-plane-up: build-control-plane ## kuma-local (global + zones) in the background; addresses + token in .tools/kuma-local/info.json
	@mkdir -p $(KUMA_LOCAL_STATE)
	@if [ -f $(KUMA_LOCAL_STATE)/pid ] && kill -0 "$$(cat $(KUMA_LOCAL_STATE)/pid)" 2>/dev/null; then \
	  echo "kuma-local already running (pid $$(cat $(KUMA_LOCAL_STATE)/pid))"; exit 0; fi; \
	$(KUMA_LOCAL) run --zones $(KUMA_LOCAL_ZONES) --port $(KUMA_LOCAL_PORT) --output json \
	  > $(KUMA_LOCAL_STATE)/info.json 2> $(KUMA_LOCAL_STATE)/log & echo $$! > $(KUMA_LOCAL_STATE)/pid; \
	for i in $$(seq 1 100); do [ -s $(KUMA_LOCAL_STATE)/info.json ] && break; sleep 0.1; done; \
	[ -s $(KUMA_LOCAL_STATE)/info.json ] || { cat $(KUMA_LOCAL_STATE)/log; exit 1; }; \
	cat $(KUMA_LOCAL_STATE)/info.json

control-plane-down: ## Stop the kuma-local of `make control-plane-up`
	@if [ -f $(KUMA_LOCAL_STATE)/pid ]; then kill -TERM "$$(cat $(KUMA_LOCAL_STATE)/pid)" 2>/dev/null || true; rm -f $(KUMA_LOCAL_STATE)/pid; fi
