# wasm/: the npm package kuma-mzs (the core in WebAssembly, a CLI, a language server).
TEST_TARGETS += test-npm
BUILD_TARGETS += wasm
BENCH_TARGETS += bench-npm

NPM_DIR := $(ROOT)/wasm/npm
# npm ci writes node_modules/.package-lock.json; newer than the lockfile = up to date.
NPM_STAMP := $(NPM_DIR)/node_modules/.package-lock.json

.PHONY: npm-tools npm-deps wasm test-npm bench-npm pack-npm
npm-tools: tools-rust
	@bash $(ROOT)/.ci/tools.sh wasm

npm-deps: $(NPM_STAMP)
$(NPM_STAMP): $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	cd $(NPM_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

wasm: npm-tools npm-deps ## Build the npm package kuma-mzs into wasm/pkg
	bash $(ROOT)/wasm/build.sh

pack-npm: wasm ## npm pack the package into target/npm/
	mkdir -p $(ROOT)/target/npm
	cd $(ROOT)/wasm/pkg && npm pack --pack-destination $(ROOT)/target/npm

# The size budget of the main module (kuma_mzs_bg.wasm: validate, what every user loads), gzipped:
# issue #3's 200,000 bytes. The editor module (everything: preview, explain, hover, complete
# too) is loaded on demand, or alone by a page that previews; its own ceiling keeps it from
# growing unnoticed. The JSON Schemas are build-time data (BENCHMARKS.md, "Two modules").
WASM_GZIP_LIMIT ?= 200000
WASM_EDITOR_GZIP_LIMIT ?= 235000

test-npm: wasm ## npm package: binding unit tests + node --test (API, ESM/web, conformance, CLI, LSP, npm pack, tsc), size gate
	@gz=$$(gzip -9 -n -c $(ROOT)/wasm/pkg/web/kuma_mzs_bg.wasm | wc -c); \
	if [ "$$gz" -ge $(WASM_GZIP_LIMIT) ]; then \
		echo "test-npm: kuma_mzs_bg.wasm is $$gz bytes gzipped, over the $(WASM_GZIP_LIMIT)-byte budget (BENCHMARKS.md, npm section)" >&2; exit 1; \
	else echo "test-npm: kuma_mzs_bg.wasm $$gz bytes gzipped (budget $(WASM_GZIP_LIMIT))"; fi
	@gz=$$(gzip -9 -n -c $(ROOT)/wasm/pkg/web/kuma_mzs_editor_bg.wasm | wc -c); \
	if [ "$$gz" -ge $(WASM_EDITOR_GZIP_LIMIT) ]; then \
		echo "test-npm: kuma_mzs_editor_bg.wasm is $$gz bytes gzipped, over its $(WASM_EDITOR_GZIP_LIMIT)-byte ceiling (BENCHMARKS.md, npm section)" >&2; exit 1; \
	else echo "test-npm: kuma_mzs_editor_bg.wasm $$gz bytes gzipped (ceiling $(WASM_EDITOR_GZIP_LIMIT))"; fi
	cargo test -p kuma-mzs-wasm --locked
	cd $(ROOT)/wasm && node --test tests/*.test.js tests/*.test.mjs

bench-npm: wasm ## validate() vs yaml + ajv and js-yaml + ajv with Kuma's OpenAPI schema; wasm size and instantiation; language-server keystroke latency
	node $(ROOT)/wasm/bench/bench.js
	node $(ROOT)/wasm/bench/lsp-latency.js
