# Tidy checks: the source tree as input (tests/tests/tidy.rs). Front ends restate no Kuma fact,
# the core does no IO; core/clippy.toml sends every sort through the core's own helper.
TEST_TARGETS += test-tidy

.PHONY: test-tidy
test-tidy: tools-rust ## Tidy checks: no Kuma facts restated in front ends, no IO in the core
	cargo test -p kuma-mzs-e2e --locked --test tidy
