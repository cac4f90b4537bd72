//! Upstream Kuma's own test cases and real-world documents, read in place from the shared
//! conformance data (`$KUMA_MZS_SHARED`, `$SHARED`, or `<repo>/../shared`):
//!
//! - `conformance/upstream-tests/validate{,-2x}/*`: every validator case of Kuma's tables (main
//!   line for 3.0, tag v2.14.3 for 2.x) runs through `check()` in its release's mode; Kuma errors
//!   are compared as sets of (field, message) (exactly, when upstream's matcher is `ConsistOf`),
//!   and the asserted deprecation warnings must be there. The same checks as `run.py --strict`,
//!   without the npm build.
//! - `conformance/realworld/index.json`: every document's verdict (`accept`/`reject`, per
//!   release line) agrees with upstream's; `unknown-resource` (kinds the project does not model)
//!   is not counted, as in `realworld/check.py`.

// Tests sort freely: core/clippy.toml keeps `crate::sort` for the wasm build's sake only.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shared_data;
use shared_data::shared_dir;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kuma_mzs_core::{check, CheckOptions, Diagnostic, KumaVersion, Severity};
use serde_json::Value;

/// `2.x` in the data means the release its cases were read from (v2.14.3).
fn version_of(name: &str) -> KumaVersion {
    name.parse()
        .unwrap_or_else(|e| panic!("conformance data names a version the core refuses: {e}"))
}

fn diagnostics(text: &str, version: KumaVersion) -> Vec<Diagnostic> {
    let checked = check(
        text,
        &CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        },
    );
    checked.all_diagnostics().cloned().collect()
}

fn strings(exp: &Value, key: &str) -> Vec<String> {
    exp.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// What is wrong with our answer to one upstream validator case, if anything.
fn judge_validate_case(dir: &Path) -> (KumaVersion, Vec<String>) {
    let exp: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let version = version_of(exp["kumaVersion"].as_str().unwrap_or("3.0"));
    let document = exp["document"].as_str().unwrap_or("input.yaml");
    let text = std::fs::read_to_string(dir.join(document)).unwrap();
    let diags = diagnostics(&text, version);
    let errors: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let warnings: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity != Severity::Error)
        .collect();
    let mut problems = Vec::new();
    let valid = exp["valid"].as_bool().unwrap();
    if valid && !errors.is_empty() {
        problems.push(format!(
            "expected valid, got {:?}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
        ));
    }
    if !valid && errors.is_empty() {
        problems.push("expected invalid, got no error".to_owned());
    }
    let want: BTreeSet<(String, String)> = exp["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["field"].as_str().unwrap().to_owned(),
                v["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let got: BTreeSet<(String, String)> = errors
        .iter()
        .filter(|e| e.code.as_str() == "kuma")
        .map(|e| (e.field.clone(), e.message.clone()))
        .collect();
    let all_errors: BTreeSet<(String, String)> = errors
        .iter()
        .map(|e| (e.field.clone(), e.message.clone()))
        .collect();
    // Kuma's REST layer checks the schema first and stops there, while upstream's validator
    // cases feed Go structs to the validator: an expected violation at a field whose value the
    // release's schema refuses (3.0's `type: SourceIP`) is met by that schema error.
    let schema_refused = |field: &str| {
        errors
            .iter()
            .any(|e| e.code.as_str() == "schema" && e.field == field)
    };
    for missing in want.difference(&all_errors) {
        if !schema_refused(&missing.0) {
            problems.push(format!("missing violation {missing:?}"));
        }
    }
    if exp["violationsAreExhaustive"].as_bool() == Some(true) {
        for extra in got.difference(&want) {
            problems.push(format!(
                "extra Kuma error upstream does not report {extra:?}"
            ));
        }
    }
    for s in strings(&exp, "warningsContaining") {
        if !warnings.iter().any(|w| w.message.contains(&s)) {
            problems.push(format!("no warning containing {s:?}"));
        }
    }
    for s in strings(&exp, "warningsExact") {
        if !warnings.iter().any(|w| w.message == s) {
            problems.push(format!("no warning exactly {s:?}"));
        }
    }
    for s in strings(&exp, "absentWarningsContaining") {
        if diags.iter().any(|d| d.message.contains(&s)) {
            problems.push(format!("unexpected diagnostic containing {s:?}"));
        }
    }
    if exp["deprecationsEmpty"].as_bool() == Some(true)
        && diags.iter().any(|d| d.code.as_str() == "MZS006")
    {
        problems.push("unexpected deprecation warning".to_owned());
    }
    (version, problems)
}

fn case_dirs(category: &str) -> Vec<PathBuf> {
    let dir = shared_dir()
        .join("conformance")
        .join("upstream-tests")
        .join(category);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("conformance data missing at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    dirs
}

fn run_category(category: &str, expected_cases: usize) {
    let dirs = case_dirs(category);
    assert_eq!(dirs.len(), expected_cases, "cases in {category}");
    let mut failures = Vec::new();
    let mut per_release = std::collections::BTreeMap::<&str, usize>::new();
    for dir in &dirs {
        let (version, problems) = judge_validate_case(dir);
        *per_release.entry(version.as_str()).or_default() += 1;
        if !problems.is_empty() {
            failures.push(format!(
                "{} [{version}]: {}",
                dir.file_name().unwrap().to_string_lossy(),
                problems.join(" | ")
            ));
        }
    }
    println!(
        "upstream-tests/{category}: {} of {} cases pass ({per_release:?})",
        dirs.len() - failures.len(),
        dirs.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_upstream_3_0_validator_case_passes() {
    run_category("validate", 34);
}

#[test]
fn every_upstream_2_14_validator_case_passes() {
    run_category("validate-2x", 31);
}

#[test]
fn every_real_world_verdict_agrees_with_upstream() {
    let dir = shared_dir().join("conformance").join("realworld");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let mut total = 0;
    let mut bad = Vec::new();
    for doc in index["documents"].as_array().unwrap() {
        let file = doc["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let judgements = doc["upstream_judgement"].as_object().unwrap();
        for (line, verdict) in judgements {
            let verdict = verdict.as_str().unwrap_or("");
            if verdict != "accept" && verdict != "reject" {
                continue;
            }
            total += 1;
            let version = version_of(line);
            let errors: Vec<Diagnostic> = diagnostics(&text, version)
                .into_iter()
                .filter(|d| d.severity == Severity::Error && d.code.as_str() != "unknown-resource")
                .collect();
            let agrees = if verdict == "accept" {
                errors.is_empty()
            } else {
                !errors.is_empty()
            };
            if !agrees {
                bad.push(format!(
                    "{file} [{line}]: upstream {verdict}s; got {:?}",
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    println!(
        "realworld: {} of {total} verdicts agree with upstream Kuma",
        total - bad.len()
    );
    assert!(total > 90, "only {total} verdicts read");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
