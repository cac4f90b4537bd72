# Tool installation. Each target is idempotent: it checks what is there and installs only what is
# missing, so a warm machine pays nothing and a cold one gets everything.
.PHONY: tools-rust
tools-rust:
	@bash $(ROOT)/.ci/tools.sh rust
