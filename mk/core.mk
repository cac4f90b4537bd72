# core/: kuma-mzs-core
TEST_TARGETS += test-core test-fuzz
BUILD_TARGETS += build-core
BENCH_TARGETS += bench-core

.PHONY: test-core build-core bench-core fuzz-core test-fuzz tools-fuzz
test-core: tools-rust ## Core unit, conformance and property tests, the wasm32 build
	cargo test -p kuma-mzs-core --locked -- --nocapture
	cargo build -p kuma-mzs-core --target wasm32-unknown-unknown --release --locked

build-core: tools-rust
	cargo build -p kuma-mzs-core --release --locked

bench-core: tools-rust ## check() on a ~1 KB MZS document, YAML and JSON (results in BENCHMARKS.md)
	cargo bench -p kuma-mzs-core --bench validate --locked

tools-fuzz:
	@bash $(ROOT)/.ci/tools.sh fuzz

test-fuzz: tools-fuzz ## Every cargo-fuzz target for FUZZ_SECONDS (default 30) from seeds; a crash fails
	bash core/fuzz/run.sh

fuzz-core: tools-fuzz ## Every cargo-fuzz target for longer than test-fuzz (FUZZ_SECONDS=600 by default)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} bash core/fuzz/run.sh
