# kuma-mzs: the one task runner. Each area keeps its targets in mk/<area>.mk; this file only
# wires them together. Every target installs what it needs (see mk/tools.mk).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SHARED ?= $(abspath $(ROOT)/../shared)
export SHARED
export KUMA_MZS_SHARED := $(SHARED)

include $(sort $(wildcard $(ROOT)/mk/*.mk))

.PHONY: help demo test build lint bench
help: ## Show the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

demo: $(DEMO_TARGETS) ## Main job: local control plane + terraform apply of an example + a preview

test: lint $(TEST_TARGETS) ## Everything CI checks: fmt, clippy, all tests
	@echo "make test: all green"

build: $(BUILD_TARGETS) ## Build every crate and package

bench: $(BENCH_TARGETS) ## Run the benchmarks recorded in BENCHMARKS.md

lint: tools-rust ## cargo fmt --check and clippy -D warnings
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
