//! Tidy checks in the style of rust-analyzer's: the source tree itself is the input.
//!
//! They guard the architecture's two promises that the compiler cannot see:
//! - a front end (the provider, kuma-local, the npm package's JavaScript, the playground, the
//!   wasm bindings) never restates a Kuma fact: no `kuma.io/` label key, no app-protocol name,
//!   no DNS-label rule text of its own; it asks `kuma-mzs-core`;
//! - the core does no IO: no filesystem, network, clock, thread, process or environment use.
//!
//! Facts that front ends still restate are listed in `KNOWN_RESTATEMENTS` with their count per
//! file. The list only shrinks: a new literal fails the test, and so does a list entry that is
//! larger than what the file holds (lower it, the fact has moved).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Front-end source trees and the file endings read there.
const FRONT_ENDS: &[(&str, &[&str])] = &[
    ("terraform-provider/src", &["rs"]),
    ("control-plane/src", &["rs"]),
    ("wasm/src", &["rs"]),
    ("wasm/npm/lib", &["js", "mjs", "cjs"]),
    ("wasm/npm/bin", &["js", "mjs", "cjs"]),
    ("wasm/glue", &["js", "mjs", "cjs"]),
    ("wasm/playground/src", &["ts", "js"]),
    ("editors/vscode/src", &["ts", "js"]),
];

/// Files whose restated facts are known and waiting to move into the core: path -> count.
const KNOWN_RESTATEMENTS: &[(&str, usize)] = &[];

/// App protocols whose mention as a value restates a Kuma rule: `tcp` is the `appProtocol`
/// default, `kafka` is allowed only by some releases. (`http` and `grpc` are left out: they are
/// also URL schemes and go-plugin's protocol name.)
const APP_PROTOCOLS: &[&str] = &["tcp", "kafka"];

/// Transport code that is not about Kuma at all (go-plugin's handshake names `tcp` networks).
const NOT_KUMA: &[&str] = &["terraform-provider/src/plugin/"];

/// Wording of Kubernetes name rules: front ends show the core's messages, never their own.
const NAME_RULE_WORDS: &[&str] = &["DNS-1035", "DNS-1123", "RFC 1035", "RFC 1123"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

fn files_under(dir: &Path, endings: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "node_modules" || name == "dist" || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            files_under(&path, endings, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| endings.contains(&e))
        {
            out.push(path);
        }
    }
}

/// The lines of a source file that are product code: comments and (for Rust) the unit-test
/// module at the end of the file are left out, since tests and prose may name facts freely.
fn code_lines(path: &Path, text: &str) -> Vec<(usize, String)> {
    let rust = path.extension().and_then(|e| e.to_str()) == Some("rs");
    let mut lines = Vec::new();
    let mut in_block_comment = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if rust && trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if in_block_comment {
            if trimmed.contains("*/") {
                in_block_comment = false;
            }
            continue;
        }
        if trimmed.starts_with("/*") {
            in_block_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("//") || trimmed.starts_with('*') {
            continue;
        }
        lines.push((index + 1, line.to_owned()));
    }
    lines
}

/// Quoted literals in a line whose whole content is `word` or starts a label key (`kuma.io/...`).
fn quoted_literals(line: &str) -> Vec<String> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let quote = bytes[i];
        let escaped = i > 0 && bytes[i - 1] == b'\\';
        if matches!(quote, b'"' | b'\'' | b'`') && !escaped {
            if let Some(len) = line[i + 1..].find(quote as char) {
                let inner = &line[i + 1..i + 1 + len];
                if !inner.ends_with('\\') {
                    found.push(inner.to_owned());
                }
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// Every restated fact in one front-end file, as `line: what` strings.
fn restatements(path: &Path, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (number, line) in code_lines(path, text) {
        for literal in quoted_literals(&line) {
            let label = literal.starts_with("kuma.io/") || literal.starts_with("k8s.kuma.io/");
            if label || APP_PROTOCOLS.contains(&literal.as_str()) {
                out.push(format!("{number}: \"{literal}\""));
            }
        }
        for word in NAME_RULE_WORDS {
            if line.contains(word) {
                out.push(format!("{number}: {word}"));
            }
        }
    }
    out
}

#[test]
fn front_ends_ask_the_core_for_kuma_facts() {
    let root = repo_root();
    let known: BTreeMap<&str, usize> = KNOWN_RESTATEMENTS.iter().copied().collect();
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for (dir, endings) in FRONT_ENDS {
        let mut files = Vec::new();
        files_under(&root.join(dir), endings, &mut files);
        for file in files {
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let relative = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            if NOT_KUMA.iter().any(|dir| relative.starts_with(dir)) {
                continue;
            }
            let found = restatements(&file, &text);
            let allowed = known.get(relative.as_str()).copied().unwrap_or(0);
            if found.len() > allowed {
                problems.push(format!(
                    "{relative}: {} Kuma fact(s) restated, {allowed} known; ask kuma-mzs-core instead:\n    {}",
                    found.len(),
                    found.join("\n    ")
                ));
            } else if found.len() < allowed {
                problems.push(format!(
                    "{relative}: KNOWN_RESTATEMENTS allows {allowed} but the file holds {}; lower the entry in tests/tests/tidy.rs",
                    found.len()
                ));
            }
            seen.insert(relative, found.len());
        }
    }
    for (path, _) in KNOWN_RESTATEMENTS {
        if !seen.contains_key(*path) {
            problems.push(format!(
                "{path}: listed in KNOWN_RESTATEMENTS but not found; remove the entry"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// What the core must never call: it is sans-IO and builds for `wasm32-unknown-unknown`.
const CORE_FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::env",
    "std::thread",
    "std::process",
    "std::time",
    "Instant::now",
    "SystemTime",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "ToSocketAddrs",
    "std::io::stdin",
    "std::io::stdout",
    "std::io::stderr",
    "println!",
    "eprintln!",
    "print!",
    "eprint!",
    "dbg!",
    "env!(",
    "option_env!",
    "include_str!",
    "include_bytes!",
];

#[test]
fn the_core_does_no_io() {
    let root = repo_root();
    let mut files = Vec::new();
    files_under(&root.join("core/src"), &["rs"], &mut files);
    assert!(
        !files.is_empty(),
        "no core sources found under {}",
        root.display()
    );
    let mut problems = Vec::new();
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for (number, line) in code_lines(&file, &text) {
            for forbidden in CORE_FORBIDDEN {
                if line.contains(forbidden) {
                    problems.push(format!(
                        "{}:{number}: `{forbidden}` in the core: {}",
                        file.strip_prefix(&root).unwrap_or(&file).display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_checks_see_what_they_guard() {
    // The scanners themselves: a label literal and a protocol default are found, escaped quotes in
    // prose and comments are not.
    let rust = Path::new("x.rs");
    let found = restatements(
        rust,
        "let a = label(\"kuma.io/zone\");\n// \"kuma.io/zone\" in a comment\nlet d = \"e.g. `{ \\\"kuma.io/display-name\\\" = \\\"redis\\\" }`\";\nport.set(\"app_protocol\", \"tcp\");\n#[cfg(test)]\nmod tests { const X: &str = \"kuma.io/mesh\"; }\n",
    );
    assert_eq!(found, vec!["1: \"kuma.io/zone\"", "4: \"tcp\""]);
    let ts = Path::new("x.ts");
    assert_eq!(
        restatements(ts, "const m = labels['kuma.io/mesh'];\nconst t = `tcp`;\n"),
        vec!["1: \"kuma.io/mesh\"", "2: \"tcp\""]
    );
}
