# core/: kuma-mzs-core
TEST_TARGETS += test-core
BUILD_TARGETS += build-core
BENCH_TARGETS += bench-core

.PHONY: test-core build-core bench-core
test-core: tools-rust ## Core unit, conformance and property tests + the wasm32 build
	cargo test -p kuma-mzs-core --locked
	cargo build -p kuma-mzs-core --target wasm32-unknown-unknown --release --locked

build-core: tools-rust
	cargo build -p kuma-mzs-core --release --locked

bench-core: tools-rust
	cargo bench -p kuma-mzs-core --locked
