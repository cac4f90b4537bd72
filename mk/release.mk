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
# What `make test` builds: both binaries for every platform, unoptimised (optimised builds of the
# five platforms would blow CI's budget; BENCHMARKS.md "Release builds").
TEST_RELEASE_PROFILE ?= dev
TEST_RELEASE_BINARIES ?= terraform-provider-kuma kuma-local

.PHONY: tools-release release test-release test-release-windows
tools-release: tools-rust
	@bash $(ROOT)/.ci/tools.sh release

release: tools-release ## dist/: zips for linux/darwin/windows (amd64+arm64), SHA256SUMS, GPG signature, manifest
	PATH="$(RELEASE_TOOLS_PATH)" bash $(ROOT)/mk/release.sh $(ROOT) $(RELEASE_VERSION)

test-release: tools-release tools-terraform ## Cross-build the release (unoptimised) and check formats, checksums, signature, versions
	cargo test -p kuma-mzs-e2e --locked --test version
	PATH="$(RELEASE_TOOLS_PATH)" RELEASE_PROFILE=$(TEST_RELEASE_PROFILE) \
		RELEASE_BINARIES="$(TEST_RELEASE_BINARIES)" bash $(ROOT)/mk/release.sh $(ROOT) $(RELEASE_VERSION)
	KUMA_MZS_DIST=$(ROOT)/dist cargo test -p kuma-mzs-e2e --locked --test release
	$(MAKE) --no-print-directory test-release-windows

# The Windows build for real: real Terraform 1.0.3 and current (Linux) start the windows_amd64
# provider from dist/ through Wine, which then listens on loopback TCP (its default there) with
# AutoMTLS, and drive the TCP lifecycle tests against kuma-local. mk/wine/provider.sh explains the
# one test-only stand-in DLL that Debian's Wine 8 needs for Rust programs.
test-release-windows: tools-release tools-terraform ## The windows_amd64 zip in dist/ under Wine, driven by real Terraform over TCP
	@bash $(ROOT)/.ci/tools.sh wine
	cargo build -p kuma-local --locked
	PATH="$(RELEASE_TOOLS_PATH)" bash $(ROOT)/mk/wine/provider.sh \
		$(ROOT)/dist/terraform-provider-kuma_$(RELEASE_VERSION)_windows_amd64.zip $(ROOT)/target/wine-provider
	KUMA_PROVIDER_BIN=$(ROOT)/target/wine-provider/terraform-provider-kuma \
		cargo test -p kuma-mzs-e2e --locked --test terraform_tcp
