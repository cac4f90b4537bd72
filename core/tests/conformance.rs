//! Upstream Kuma's validator cases, read in place from the shared conformance data
//! (`$KUMA_MZS_SHARED`, `$SHARED`, or `<repo>/../shared`) and compared as sets of
//! `(field, message)`, as upstream's Gomega `ConsistOf` does.

// Tests sort freely: core/clippy.toml keeps `crate::sort` for the wasm build's sake only.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shared_data;
use shared_data::shared_dir;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kuma_mzs_core::decode::decode_spec;
use kuma_mzs_core::model::{KumaVersion, ResourceType, Spec};
use kuma_mzs_core::syntax::{parse, Limits, Node, NodeKind};
use kuma_mzs_core::{validate, Violation};

struct Case {
    name: String,
    input: String,
    meta_name: Option<String>,
    expected: BTreeSet<(String, String)>,
}

fn root_of(text: &str) -> Node {
    let parsed = parse(text, &Limits::default());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed.documents.into_iter().next().map_or(
        Node {
            kind: NodeKind::Mapping(Vec::new()),
            span: Default::default(),
        },
        |d| d.root,
    )
}

fn cases(folder: &str) -> Vec<Case> {
    let dir = shared_dir().join("conformance").join(folder);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("conformance data missing at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".input.yaml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no cases in {}", dir.display());
    inputs
        .into_iter()
        .map(|input| {
            let stem = input
                .to_string_lossy()
                .trim_end_matches(".input.yaml")
                .to_owned();
            let expected_text = std::fs::read_to_string(format!("{stem}.expected.yaml")).unwrap();
            let expected = root_of(&expected_text);
            let violations = expected
                .get("violations")
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
                .iter()
                .map(|v| {
                    (
                        v.get("field").and_then(Node::as_str).unwrap().to_owned(),
                        v.get("message").and_then(Node::as_str).unwrap().to_owned(),
                    )
                })
                .collect();
            Case {
                name: Path::new(&stem)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                input: std::fs::read_to_string(&input).unwrap(),
                meta_name: expected
                    .get("name")
                    .and_then(Node::as_str)
                    .map(str::to_owned),
                expected: violations,
            }
        })
        .collect()
}

fn as_set(v: Vec<Violation>) -> BTreeSet<(String, String)> {
    v.into_iter().map(|v| (v.field, v.message)).collect()
}

fn mzs_violations(case: &Case, version: KumaVersion) -> BTreeSet<(String, String)> {
    let (spec, _) = decode_spec(ResourceType::MeshMultiZoneService, &root_of(&case.input));
    let Spec::MeshMultiZoneService(spec) = spec else {
        panic!("not an MZS spec")
    };
    as_set(validate::mesh_multi_zone_service(
        &spec,
        case.meta_name.as_deref(),
        version,
    ))
}

fn hg_violations(case: &Case) -> BTreeSet<(String, String)> {
    let (spec, _) = decode_spec(ResourceType::HostnameGenerator, &root_of(&case.input));
    let Spec::HostnameGenerator(spec) = spec else {
        panic!("not a HostnameGenerator spec")
    };
    as_set(validate::hostname_generator(&spec))
}

/// The 2.x expectation of an upstream 3.0 MZS case (see the README of the case folder): kafka is
/// an allowed protocol, and a non-RFC-1035 name is only a deprecation warning.
fn expected_v2(case: &Case) -> BTreeSet<(String, String)> {
    case.expected
        .iter()
        .filter(|(field, _)| field != "name")
        .map(|(field, message)| {
            let message =
                message.replace("grpc, http, http2, tcp", "grpc, http, http2, kafka, tcp");
            (field.clone(), message)
        })
        .collect()
}

#[test]
fn upstream_validator_cases_pass() {
    let mut ran = 0;
    let mut failures = Vec::new();
    let mzs = cases("kuma-mzs-validator");
    let hg = cases("kuma-hostnamegenerator-validator");
    for case in &mzs {
        ran += 1;
        let got = mzs_violations(case, KumaVersion::V3_0);
        if got != case.expected {
            failures.push(format!(
                "mzs 3.0 {}: got {got:?}, want {:?}",
                case.name, case.expected
            ));
        }
        ran += 1;
        let got = mzs_violations(case, KumaVersion::V2_14);
        let want = expected_v2(case);
        if got != want {
            failures.push(format!("mzs 2.x {}: got {got:?}, want {want:?}", case.name));
        }
    }
    for case in &hg {
        ran += 1;
        let got = hg_violations(case);
        if got != case.expected {
            failures.push(format!(
                "hg {}: got {got:?}, want {:?}",
                case.name, case.expected
            ));
        }
    }
    println!(
        "conformance: {ran} cases, {} passed ({} MeshMultiZoneService under 3.0 and again under 2.x, {} HostnameGenerator)",
        ran - failures.len(),
        mzs.len(),
        hg.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_bad_name_is_a_deprecation_warning_under_2x() {
    let case = cases("kuma-mzs-validator")
        .into_iter()
        .find(|c| c.meta_name.is_some())
        .expect("the named case (03)");
    let (spec, _) = decode_spec(ResourceType::MeshMultiZoneService, &root_of(&case.input));
    let Spec::MeshMultiZoneService(spec) = spec else {
        panic!()
    };
    let meta = kuma_mzs_core::model::Meta {
        name: case.meta_name.clone().unwrap(),
        mesh: "default".into(),
        labels: Default::default(),
        creation_time: None,
    };
    let warnings = validate::mesh_multi_zone_service_deprecations(&meta, &spec, KumaVersion::V2_14);
    let name_warning = warnings
        .iter()
        .find(|w| w.field == "name")
        .expect("name warning");
    assert_eq!(
        name_warning.message,
        "Invalid MeshMultiZoneService resource name: 'global.backend'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    );
    assert!(
        validate::mesh_multi_zone_service_deprecations(&meta, &spec, KumaVersion::V3_0)
            .iter()
            .all(|w| w.field != "name")
    );
}
