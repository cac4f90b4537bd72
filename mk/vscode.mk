# editors/vscode/: the VS Code extension (issue #16). It bundles the language server and the wasm
# module of the npm package that the `wasm` target (mk/npm.mk) builds into wasm/pkg/, and is
# packaged by @vscode/vsce without network access (--no-dependencies: the client is one esbuild
# bundle, the server's dependencies come from wasm/pkg).
VSCODE_DIR := $(ROOT)/editors/vscode
VSIX := $(ROOT)/target/vscode/kuma-mzs.vsix
TEST_TARGETS += test-vscode
BUILD_TARGETS += vsix

.PHONY: vsix test-vscode

$(VSCODE_DIR)/node_modules/.package-lock.json: $(VSCODE_DIR)/package.json $(VSCODE_DIR)/package-lock.json
	cd $(VSCODE_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Packaging must not need the network: where the machine allows it (root, as in CI), vsce runs in
# a network namespace with no interfaces, so any download would fail the build.
vsix: wasm $(VSCODE_DIR)/node_modules/.package-lock.json ## Build the VS Code extension into target/vscode/kuma-mzs.vsix
	mkdir -p $(dir $(VSIX))
	cd $(VSCODE_DIR) && node build.mjs
	offline=$$(unshare -n true 2>/dev/null && echo "unshare -n" || true); \
	cd $(VSCODE_DIR) && $$offline ./node_modules/.bin/vsce package --no-dependencies \
		--skip-license --allow-missing-repository --no-rewrite-relative-links --out $(VSIX)

test-vscode: vsix ## The .vsix: contents, manifest, and its bundled server over LSP (node --test)
	KUMA_MZS_VSIX=$(VSIX) node --test $(VSCODE_DIR)/test/*.test.mjs
