//! The "likely a version mismatch" hints (`validate::hint`) over real documents: the shared
//! real-world corpus (`conformance/realworld/`, with upstream's verdict per release line) and
//! upstream's validator cases (`conformance/upstream-tests/validate{,-2x}/`), read in place from
//! `$KUMA_MZS_SHARED`, `$SHARED`, or `<repo>/../shared`.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shared_data;
use shared_data::shared_dir;

use std::path::PathBuf;

use kuma_mzs_core::{check, validate, CheckOptions, Checked, Code, KumaVersion, Severity};
use serde_json::Value;

fn checked(text: &str, version: KumaVersion) -> Checked {
    check(
        text,
        &CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        },
    )
}

fn release_dependent_error(d: &kuma_mzs_core::Diagnostic) -> bool {
    d.severity == Severity::Error && matches!(d.code, Code::Schema | Code::Kuma)
}

/// Where the hint rule compares an error: at its field, or for an error that the field is missing
/// (Kuma's `must be defined`, the schema's `in body is required`) at the object lacking it.
fn compared_field(d: &kuma_mzs_core::Diagnostic) -> &str {
    let missing = d.message == "must be defined" || d.message.ends_with(" in body is required");
    // A `type` or `kind` decides what its object needs: compared with the object, as a missing
    // field is.
    let discriminator = d.field.ends_with(".type") || d.field.ends_with(".kind");
    if !missing && !discriminator {
        return &d.field;
    }
    let cut = d.field.rfind(['.', '[']).unwrap_or(0);
    &d.field[..cut]
}

/// For an error at `field` of document `doc_index` under a 2.x `version`: the oldest newer 2.x
/// release from which every 2.x release up to the newest accepts the field (what the hint names
/// instead of 3.0), if any.
fn oldest_accepting_2x(
    text: &str,
    version: KumaVersion,
    doc_index: usize,
    field: &str,
) -> Option<KumaVersion> {
    let mut oldest = None;
    // Newest first.
    for release in KumaVersion::ALL
        .into_iter()
        .filter(|r| version.is_2x() && r.is_2x() && *r > version)
    {
        let there = checked(text, release);
        let rejected = there.documents[doc_index]
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error || d.code == Code::UnknownField)
            .map(|d| d.field.as_str());
        if !validate::accepts(field, rejected) {
            break;
        }
        oldest = Some(release);
    }
    oldest
}

/// Every document of `text` under every release: a hint sits only on a release-dependent error
/// whose field the counterpart neither rejects nor calls unknown, and every such error of a
/// document that the counterpart takes whole has one. Returns how many hints there were.
fn hints_hold(name: &str, text: &str) -> usize {
    let mut hints = 0;
    for version in KumaVersion::ALL {
        let here = checked(text, version);
        let there = checked(text, validate::counterpart(version));
        assert_eq!(here.documents.len(), there.documents.len(), "{name}");
        for (doc_index, (doc, other)) in here.documents.iter().zip(&there.documents).enumerate() {
            let rejected: Vec<&str> = other
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error || d.code == Code::UnknownField)
                .map(|d| d.field.as_str())
                .collect();
            for d in &doc.diagnostics {
                let want = release_dependent_error(d)
                    && validate::accepts(compared_field(d), rejected.iter().copied());
                assert_eq!(
                    d.hint.is_some(),
                    want,
                    "{name} under {version}: {d:?}; counterpart errors at {rejected:?}"
                );
                if let Some(hint) = &d.hint {
                    let since = oldest_accepting_2x(text, version, doc_index, compared_field(d))
                        .unwrap_or(validate::counterpart(version));
                    assert_eq!(hint, &validate::Hint::new(version, since).text, "{name}");
                    hints += 1;
                }
            }
            if rejected.is_empty() {
                assert!(
                    doc.diagnostics
                        .iter()
                        .filter(|d| release_dependent_error(d) && !compared_field(d).is_empty())
                        .all(|d| d.hint.is_some()),
                    "{name} under {version}"
                );
            }
            if !doc.has_errors() {
                assert!(doc.diagnostics.iter().all(|d| d.hint.is_none()), "{name}");
            }
        }
    }
    hints
}

#[test]
fn real_world_documents_that_only_3_0_rejects_get_a_2_x_hint() {
    let dir = shared_dir().join("conformance/realworld");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let mut total = 0;
    let mut only_3_0_rejects = 0;
    for doc in index["documents"].as_array().unwrap() {
        let file = doc["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        total += hints_hold(file, &text);
        let verdict = |line: &str| doc["upstream_judgement"][line].as_str().unwrap_or("");
        if verdict("2.x") == "accept" && verdict("3.0").starts_with("reject") {
            only_3_0_rejects += 1;
            let v3 = checked(&text, KumaVersion::V3_0);
            let errors: Vec<_> = v3
                .all_diagnostics()
                .filter(|d| release_dependent_error(d))
                .collect();
            assert!(!errors.is_empty(), "{file}");
            assert!(
                errors.iter().any(|d| d.hint.is_some()),
                "{file}: 3.0 rejects, 2.x accepts, yet no hint: {errors:?}"
            );
        }
    }
    assert!(only_3_0_rejects >= 5, "{only_3_0_rejects}");
    assert!(total > 0);
}

#[test]
fn the_webhook_goldens_that_3_0_refuses_point_to_2_x() {
    let dir = shared_dir().join("conformance/realworld");
    for (file, field) in [
        ("kuma-19-webhook-mzs-name-with-dot.yaml", "name"),
        (
            "kuma-23-webhook-mlbs-toplevel-meshservice.yaml",
            "spec.targetRef.kind",
        ),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let v3 = checked(&text, KumaVersion::V3_0);
        let error = v3
            .all_diagnostics()
            .find(|d| d.severity == Severity::Error && d.field == field)
            .unwrap_or_else(|| panic!("{file}: no 3.0 error at {field}"));
        assert_eq!(
            error.hint.as_deref(),
            Some("Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0"),
            "{file}"
        );
        assert!(!checked(&text, KumaVersion::V2_14).has_errors(), "{file}");
    }
}

#[test]
fn upstream_validator_cases_hold_the_hint_rule() {
    let mut total = 0;
    for set in ["validate", "validate-2x"] {
        let dir = shared_dir().join("conformance/upstream-tests").join(set);
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        for case in cases {
            let mut inputs: Vec<PathBuf> = std::fs::read_dir(&case)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            inputs.sort();
            for input in inputs {
                let text = std::fs::read_to_string(&input).unwrap();
                total += hints_hold(&input.display().to_string(), &text);
            }
        }
    }
    assert!(total > 0);
}
