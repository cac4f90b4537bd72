# Release: cross-built, signed, registry-layout archives of the shipped binaries (mk/release.sh)
# and the test that checks them. See BENCHMARKS.md ("Release builds") for what each target costs.
TEST_TARGETS += test-release

RELEASE_VERSION := $(shell sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' $(ROOT)/Cargo.toml)
RELEASE_TOOLS_PATH := $(ROOT)/.tools/release-venv/bin:$(PATH)
# mk/release.sh reads these; empty means its defaults (all five platforms, optimised, both binaries).
RELEASE_PLATFORMS ?=
RELEASE_PROFILE ?=
RELEASE_BINARIES ?=
export RELEASE_PLATFORMS RELEASE_PROFILE RELEASE_BINARIES
# What `make test` builds: every platform, unoptimised, the provider only (the measured cold cost of
# optimised builds of both binaries for five platforms would blow CI's budget; BENCHMARKS.md).
TEST_RELEASE_PROFILE ?= dev
TEST_RELEASE_BINARIES ?= terraform-provider-kuma

.PHONY: tools-release release test-release
tools-release: tools-rust
	@bash $(ROOT)/.ci/tools.sh release

release: tools-release ## dist/: zips for linux/darwin/windows (amd64+arm64), SHA256SUMS, GPG signature, manifest
	PATH="$(RELEASE_TOOLS_PATH)" bash $(ROOT)/mk/release.sh $(ROOT) $(RELEASE_VERSION)

test-release: tools-release ## Cross-build the release (unoptimised) and check formats, checksums, signature, versions
	cargo test -p kuma-mzs-e2e --locked --test version
	PATH="$(RELEASE_TOOLS_PATH)" RELEASE_PROFILE=$(TEST_RELEASE_PROFILE) \
		RELEASE_BINARIES="$(TEST_RELEASE_BINARIES)" bash $(ROOT)/mk/release.sh $(ROOT) $(RELEASE_VERSION)
	KUMA_MZS_DIST=$(ROOT)/dist cargo test -p kuma-mzs-e2e --locked --test release
