//! Upstream Kuma's validator tables for every supported release (`data/upstream_validator_tables.json`,
//! transcribed from kumahq/kuma at each release's tag): MeshMultiZoneService, MeshService,
//! HostnameGenerator and MeshLoadBalancingStrategy, each case run through the core's validator
//! in that release's mode and compared with upstream's expectation as a set of (field, message).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use kuma_mzs_core::decode::decode_spec_in;
use kuma_mzs_core::model::{KumaVersion, ResourceType, Spec};
use kuma_mzs_core::syntax::{parse, Limits, Node, NodeKind};
use kuma_mzs_core::validate;
use serde_json::Value;

const TABLES: &str = include_str!("data/upstream_validator_tables.json");

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

/// The validator's violations of a case, and whether the release's schema refuses the case's
/// resource (Kuma's REST layer then stops before the validator, which upstream's tables feed Go
/// structs to directly: the `type: Connection` of 2.9's "ringHash error" is one).
fn violations(
    kind: &str,
    resource: &str,
    name: Option<&str>,
    version: KumaVersion,
) -> (BTreeSet<(String, String)>, bool) {
    let resource_type = ResourceType::from_name(kind).unwrap();
    let (spec, diagnostics) = decode_spec_in(resource_type, &root_of(resource), version);
    let schema_refuses = diagnostics.iter().any(|d| d.code.as_str() == "schema");
    let found = match &spec {
        Spec::MeshMultiZoneService(s) => validate::mesh_multi_zone_service(s, name, version),
        Spec::MeshService(s) => validate::mesh_service(s, name, version),
        Spec::HostnameGenerator(s) => validate::hostname_generator_in(s, version),
        Spec::MeshLoadBalancingStrategy(s) => validate::mesh_load_balancing_strategy(s, version),
        Spec::Mesh(_) => Vec::new(),
    };
    let found = found.into_iter().map(|v| (v.field, v.message)).collect();
    (found, schema_refuses)
}

#[test]
fn every_upstream_validator_table_case_of_every_release_passes() {
    let tables: Value = serde_json::from_str(TABLES).unwrap();
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    let mut releases_seen = BTreeSet::new();
    for (release, table) in tables.as_object().unwrap() {
        if release.starts_with('_') {
            continue;
        }
        let version: KumaVersion = release.parse().unwrap();
        releases_seen.insert(version);
        let mut counts = BTreeMap::new();
        for (kind, cases) in table["validators"].as_object().unwrap() {
            for case in cases.as_array().unwrap() {
                let want: BTreeSet<(String, String)> = case["violations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| {
                        (
                            v["field"].as_str().unwrap().to_owned(),
                            v["message"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                let (got, schema_refuses) = violations(
                    kind,
                    case["resource"].as_str().unwrap(),
                    case["metaName"].as_str(),
                    version,
                );
                *counts.entry(kind.as_str()).or_insert(0) += 1;
                // A case the schema refuses: no validator message upstream's table does not
                // have (the ones about values the schema refused are left out).
                let wrong = if schema_refuses {
                    !got.is_subset(&want)
                } else {
                    got != want
                };
                if wrong {
                    failures.push(format!(
                        "{release} {kind} {:?}:\n  got  {got:?}\n  want {want:?}",
                        case["name"].as_str().unwrap()
                    ));
                }
            }
        }
        let total: usize = counts.values().sum();
        summary.push(format!("{release}: {total} cases {counts:?}"));
    }
    for line in &summary {
        println!("upstream validator tables {line}");
    }
    assert_eq!(
        releases_seen,
        KumaVersion::ALL.into_iter().collect(),
        "a table for every supported release"
    );
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
