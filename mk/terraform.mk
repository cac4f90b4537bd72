# terraform-provider/: terraform-provider-kuma (+ tfplugin-proto) and its end-to-end tests.
TEST_TARGETS += test-terraform
BUILD_TARGETS += build-terraform
BENCH_TARGETS += bench-terraform
DEMO_TARGETS += demo-terraform

TF_BIN_DIR := $(ROOT)/.tools/bin
# AWS_LC_SYS_NO_JITTER_ENTROPY=1 (fast provider start) is set for every cargo invocation in
# .cargo/config.toml.
TF_PROVIDER_SOURCE := kuma-mzs.local/kuma/kuma
TF_PROVIDER_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(ROOT)/Cargo.toml | head -1)
TF_OS := $(shell uname -s | tr '[:upper:]' '[:lower:]')
TF_ARCH := $(shell uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
TF_PLUGIN_HOME ?= $(HOME)/.terraform.d/plugins
TF_INSTALL_DIR := $(TF_PLUGIN_HOME)/$(TF_PROVIDER_SOURCE)/$(TF_PROVIDER_VERSION)/$(TF_OS)_$(TF_ARCH)

.PHONY: tools-terraform test-terraform build-terraform bench-terraform demo-terraform install terraform-docs
tools-terraform:
	@if [ ! -x $(TF_BIN_DIR)/terraform-1.0.3 ] || [ ! -e $(TF_BIN_DIR)/terraform-current ]; then \
		bash $(ROOT)/.ci/tools.sh terraform; fi

test-terraform: tools-rust tools-terraform ## Provider unit tests + real terraform 1.0.3/current against kuma-local
	cargo test -p terraform-provider-kuma -p tfplugin-proto --locked
	cargo build -p terraform-provider-kuma -p kuma-local --locked
	cargo test -p kuma-mzs-e2e --locked --test 'terraform_*'

build-terraform: tools-rust
	cargo build -p terraform-provider-kuma --release --locked

terraform-docs: ## Regenerate terraform-provider/docs from the schema
	cargo run -q -p terraform-provider-kuma --locked -- --generate-docs $(ROOT)/terraform-provider/docs

install: build-terraform ## Install the provider where `terraform init` finds it offline (implied local mirror)
	mkdir -p $(TF_INSTALL_DIR)
	install -m 0755 $(ROOT)/target/release/terraform-provider-kuma $(TF_INSTALL_DIR)/terraform-provider-kuma_v$(TF_PROVIDER_VERSION)
	@echo "installed $(TF_PROVIDER_SOURCE) $(TF_PROVIDER_VERSION) into $(TF_INSTALL_DIR)"

bench-terraform: tools-terraform ## 1,000 MZS vs 1,000 null_resource: apply + no-change plan; plugin start-up
	cargo build -p terraform-provider-kuma -p kuma-local --release --locked
	bash $(ROOT)/examples/terraform/bench/bench.sh $(ROOT)

demo-terraform: tools-terraform ## kuma-local (global+east+west) + terraform apply of examples/terraform/quickstart
	cargo build -p terraform-provider-kuma -p kuma-local --release --locked
	bash $(ROOT)/examples/terraform/demo.sh $(ROOT)
