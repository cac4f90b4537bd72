# wasm/playground/: the browser playground (issue #7). It consumes the npm package that the
# `wasm` target (mk/npm.mk) builds into wasm/pkg/, as the `file:../pkg` dependency kuma-mzs.
PLAYGROUND := $(ROOT)/wasm/playground
PLAYGROUND_PORT ?= 8321
TEST_TARGETS += test-playground
BUILD_TARGETS += playground-build
BENCH_TARGETS += bench-playground

.PHONY: playground playground-build test-playground bench-playground playground-tools

# npm ci only when the lockfile changed since the last install.
$(PLAYGROUND)/node_modules/.package-lock.json: $(PLAYGROUND)/package.json $(PLAYGROUND)/package-lock.json | wasm
	cd $(PLAYGROUND) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

playground-build: wasm $(PLAYGROUND)/node_modules/.package-lock.json ## Build the playground into wasm/playground/dist (prints sizes)
	cd $(PLAYGROUND) && npm run --silent typecheck && node build.mjs

playground: playground-build ## Build the playground and serve it on http://127.0.0.1:$(PLAYGROUND_PORT)/
	cd $(PLAYGROUND) && node serve.mjs $(PLAYGROUND_PORT)

playground-tools:
	@bash $(ROOT)/.ci/tools.sh chromium

test-playground: playground-build playground-tools ## Browser tests of the playground (headless chromium); screenshots in tests/artifacts/playground/
	node --test --test-concurrency=1 $(ROOT)/tests/playground/

bench-playground: playground-build playground-tools ## Time to first preview and keystroke-to-diagnostics latency in chromium
	node $(ROOT)/tests/playground/bench.mjs
