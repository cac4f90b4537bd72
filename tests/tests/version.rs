//! One version for everything shipped: the workspace's `[workspace.package] version`, which every
//! crate inherits, the npm package's version, and the newest release in CHANGELOG.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_e2e::terraform::repo_root;

#[path = "common/workspace.rs"]
mod workspace;
use workspace::version as workspace_version;

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The crates of the workspace (`members` of the root Cargo.toml).
fn members() -> Vec<String> {
    let manifest = read("Cargo.toml");
    let start = manifest.find("members = [").expect("members list");
    let end = start + manifest[start..].find(']').expect("end of members");
    manifest[start..end]
        .lines()
        .skip(1)
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn every_crate_inherits_the_workspace_version() {
    let members = members();
    assert!(members.len() >= 5, "{members:?}");
    for member in members {
        let manifest = read(&format!("{member}/Cargo.toml"));
        let package = manifest
            .split("\n[")
            .find(|s| s.starts_with("[package]") || s.starts_with("package]"))
            .unwrap_or_else(|| panic!("{member}/Cargo.toml has no [package]"));
        assert!(
            package
                .lines()
                .any(|l| l.trim() == "version.workspace = true"),
            "{member}/Cargo.toml must say `version.workspace = true`"
        );
    }
}

#[test]
fn the_npm_package_has_the_workspace_version() {
    let package: serde_json::Value =
        serde_json::from_str(&read("wasm/npm/package.json")).expect("package.json is JSON");
    assert_eq!(
        package["version"].as_str(),
        Some(workspace_version().as_str()),
        "wasm/npm/package.json and [workspace.package] in Cargo.toml disagree"
    );
}

#[test]
fn the_changelog_starts_with_the_current_release() {
    let version = workspace_version();
    let changelog = read("CHANGELOG.md");
    assert!(
        changelog.contains("Keep a Changelog"),
        "CHANGELOG.md follows Keep a Changelog"
    );
    let releases: Vec<&str> = changelog
        .lines()
        .filter(|l| l.starts_with("## ["))
        .collect();
    let newest_release = releases
        .iter()
        .find(|l| !l.starts_with("## [Unreleased]"))
        .unwrap_or_else(|| panic!("CHANGELOG.md has no release heading: {releases:?}"));
    assert!(
        newest_release.starts_with(&format!("## [{version}] - ")),
        "the newest CHANGELOG.md release is {newest_release:?}, the workspace says {version}"
    );
    let date = newest_release.rsplit(" - ").next().unwrap_or_default();
    let parts: Vec<&str> = date.split('-').collect();
    assert!(
        parts.len() == 3
            && parts[0].len() == 4
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())),
        "release date must be YYYY-MM-DD: {newest_release}"
    );
}
