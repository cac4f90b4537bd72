//! The workspace's version, read from `[workspace.package]` of the root Cargo.toml (shared by
//! the version and release tests through `#[path]`).

use kuma_mzs_e2e::terraform::repo_root;

/// `version = "..."` inside `[workspace.package]`.
pub fn version() -> String {
    let path = repo_root().join("Cargo.toml");
    let manifest =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut in_section = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
            continue;
        }
        if in_section {
            if let Some(rest) = line.strip_prefix("version") {
                let value = rest.trim_start().trim_start_matches('=').trim();
                return value.trim_matches('"').to_owned();
            }
        }
    }
    panic!("no version in [workspace.package] of Cargo.toml");
}
