# core/: kuma-mzs-core
TEST_TARGETS += test-core
BUILD_TARGETS += build-core
BENCH_TARGETS += bench-core

.PHONY: test-core build-core bench-core fuzz-core
test-core: tools-rust ## Core unit, conformance and property tests, the fuzz targets' build, the wasm32 build
	cargo test -p kuma-mzs-core --locked -- --nocapture
	cargo check --manifest-path core/fuzz/Cargo.toml
	cargo build -p kuma-mzs-core --target wasm32-unknown-unknown --release --locked

build-core: tools-rust
	cargo build -p kuma-mzs-core --release --locked

bench-core: tools-rust ## check() on a ~1 KB MZS document, YAML and JSON (results in BENCHMARKS.md)
	cargo bench -p kuma-mzs-core --bench validate --locked

fuzz-core: ## Run the cargo-fuzz targets for 60 s each (needs nightly and cargo-fuzz)
	cd core/fuzz && cargo +nightly fuzz run check -- -max_total_time=60
	cd core/fuzz && cargo +nightly fuzz run template -- -max_total_time=60
