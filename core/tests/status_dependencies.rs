//! Which label changes change an MZS's hostnames, given the HostnameGenerators a control plane
//! holds: what lets the Terraform provider keep `hostnames` known across a label update.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod preview_common;

use kuma_mzs_core::model::{Labels, Resource};
use kuma_mzs_core::status_dependencies::label_change_changes_hostnames;
use kuma_mzs_core::KumaVersion;
use preview_common::resources;

const MZS: &str = r#"
type: MeshMultiZoneService
name: redis
mesh: default
labels:
  team: payments
spec:
  selector:
    meshService:
      matchLabels:
        app: redis
  ports:
  - port: 6379
"#;

fn mzs() -> Resource {
    resources(MZS).remove(0)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn zones() -> Vec<String> {
    vec!["east".to_owned(), "west".to_owned()]
}

fn changes(after: &[(&str, &str)], generators: &str, version: KumaVersion) -> bool {
    label_change_changes_hostnames(
        &mzs(),
        &labels(after),
        &resources(generators),
        &zones(),
        version,
    )
}

/// A generator on global whose template reads the `team` label, for MZS labelled `tier: db`.
const BY_TEAM: &str = r#"
type: HostnameGenerator
name: by-team
labels:
  kuma.io/origin: global
spec:
  selector:
    meshMultiZoneService:
      matchLabels:
        tier: db
  template: '{{ .DisplayName }}.{{ label "team" }}.mesh'
"#;

#[test]
fn a_label_no_generator_reads_keeps_the_hostnames() {
    for version in KumaVersion::ALL {
        // Kuma's default generator reads only the display name.
        assert!(
            !changes(&[("team", "search")], "", version),
            "{version}: default generator"
        );
        // The team-reading generator does not select an MZS without `tier: db`.
        assert!(
            !changes(&[("team", "search"), ("owner", "x")], BY_TEAM, version),
            "{version}"
        );
    }
}

#[test]
fn a_label_a_selected_template_reads_changes_the_hostnames() {
    let before_selected = r#"
type: MeshMultiZoneService
name: redis
mesh: default
labels:
  team: payments
  tier: db
spec:
  selector: {meshService: {matchLabels: {app: redis}}}
  ports: [{port: 6379}]
"#;
    let before = resources(before_selected).remove(0);
    let generators = resources(BY_TEAM);
    let run = |after: &[(&str, &str)]| {
        label_change_changes_hostnames(
            &before,
            &labels(after),
            &generators,
            &zones(),
            KumaVersion::V3_0,
        )
    };
    assert!(run(&[("team", "search"), ("tier", "db")]));
    // Leaving the selector's match removes the generator's hostname.
    assert!(run(&[("team", "payments")]));
    // A label nothing reads.
    assert!(!run(&[
        ("team", "payments"),
        ("tier", "db"),
        ("cost", "c1")
    ]));
}

#[test]
fn entering_a_generators_selector_changes_the_hostnames() {
    assert!(changes(
        &[("team", "payments"), ("tier", "db")],
        BY_TEAM,
        KumaVersion::V2_14
    ));
}

#[test]
fn a_zone_generator_counts_in_its_zone() {
    let zone_generator = r#"
type: HostnameGenerator
name: east-only
labels:
  kuma.io/origin: zone
  kuma.io/zone: east
spec:
  selector:
    meshMultiZoneService:
      matchLabels:
        team: search
  template: '{{ .DisplayName }}.east.mesh'
"#;
    assert!(changes(
        &[("team", "search")],
        zone_generator,
        KumaVersion::V3_0
    ));
}

#[test]
fn the_labels_that_rename_zone_copies_always_change_them() {
    for key in ["kuma.io/zone", "k8s.kuma.io/namespace"] {
        assert!(changes(
            &[("team", "payments"), (key, "x")],
            "",
            KumaVersion::V3_0
        ));
    }
}

#[test]
fn the_same_labels_change_nothing() {
    assert!(!changes(
        &[("team", "payments")],
        BY_TEAM,
        KumaVersion::V3_0
    ));
}
