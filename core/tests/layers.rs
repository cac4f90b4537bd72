//! The core's layers (ARCHITECTURE.md, `core/src/lib.rs`): a layer names only itself and the
//! layers before it. Doc comments and `#[cfg(test)]` modules at the end of a file may look up.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers in order; each is a folder under `core/src/`.
const LAYERS: &[&str] = &[
    "text", "model", "template", "validate", "decode", "kds", "status", "rest", "editor",
];

/// Crate-root re-exports the layers may name, and the layer each comes from.
const ROOT_NAMES: &[(&str, &str)] = &[
    ("check", "decode"),
    ("CheckOptions", "decode"),
    ("Checked", "decode"),
    ("CheckedDocument", "decode"),
    ("Format", "decode"),
    ("Shape", "model"),
    ("KumaVersion", "model"),
    ("Resource", "model"),
    ("ResourceType", "model"),
    ("float_text", "text"),
    ("Code", "text"),
    ("Diagnostic", "text"),
    ("Severity", "text"),
    ("Violation", "text"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Where the test module at the end of `text` starts (`#[cfg(test)]`, maybe more attributes,
/// then `mod`), or the end of `text`.
fn production_end(text: &str) -> usize {
    let mut from = 0;
    while let Some(found) = text[from..].find("#[cfg(test)]\n") {
        let at = from + found;
        let after = text[at..]
            .lines()
            .skip(1)
            .find(|line| !line.trim_start().starts_with("#["));
        if after.is_some_and(|line| line.starts_with("mod ")) {
            return at;
        }
        from = at + 1;
    }
    text.len()
}

/// `text` without comments (their lines become empty, so line numbers stay).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_alphanumeric() && c != '_')
        .unwrap_or(text.len());
    &text[..end]
}

/// Every `crate::<name>` in `text` (`crate::{a, b::c}` gives `a` and `b`), with its line.
fn crate_paths(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        // `kuma_mzs_core::...` or `$crate::` are not this crate's own paths.
        let before = text[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let line = text[..at].matches('\n').count() + 1;
        let rest = &text[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.push((line, ident_at(rest)));
            continue;
        };
        let mut depth = 0;
        let mut start = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && !c.is_whitespace() => {
                    found.push((line, ident_at(&group[i..])));
                    start = false;
                }
                _ => {}
            }
        }
    }
    found
}

#[test]
fn no_layer_names_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank = |layer: &str| LAYERS.iter().position(|l| *l == layer);
    let mut problems = Vec::new();
    let mut checked = 0;
    for (own_rank, layer) in LAYERS.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "core/src/{layer}/ holds no Rust file");
        for file in files {
            if file.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).unwrap_or_default();
            let production = without_comments(&text[..production_end(&text)]);
            for (line, name) in crate_paths(&production) {
                let target = ROOT_NAMES
                    .iter()
                    .find(|(root, _)| *root == name)
                    .map_or(name, |(_, layer)| layer);
                let Some(target_rank) = rank(target) else {
                    problems.push(format!(
                        "{}:{}: `crate::{name}` is not a layer (name the layer it lives in)",
                        file.display(),
                        line
                    ));
                    continue;
                };
                checked += 1;
                if target_rank > own_rank {
                    problems.push(format!(
                        "{}:{}: the {layer} layer names the later {target} layer",
                        file.display(),
                        line
                    ));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} paths checked: is the scan broken?"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}
