//! KDS names (upstream's HashedName cases and the Kubernetes-global rename) and the two selector
//! semantics and the generator order, as the preview shows them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod preview_common;

mod shared_data;
use shared_data::shared_dir;

use kuma_mzs_core::api::{hashed_name, kds_name, rename_for_zones};
use kuma_mzs_core::preview::{preview, PreviewOptions};
use preview_common::resources;
use serde_json::Value;

#[test]
fn every_upstream_hashed_name_case_matches() {
    let dir = shared_dir()
        .join("conformance")
        .join("upstream-tests")
        .join("hashedname");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path().join("expected.json");
        let exp: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let args = &exp["args"];
        let extra: Vec<&str> = args["additionalValuesToHash"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            hashed_name(
                args["mesh"].as_str().unwrap(),
                args["name"].as_str().unwrap(),
                &extra
            ),
            exp["hashedName"].as_str().unwrap(),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 17);
}

#[test]
fn an_mzs_created_on_a_kubernetes_global_is_renamed_with_its_namespace() {
    let mut mzs = resources(
        "type: MeshMultiZoneService
name: backend
mesh: default
labels: {k8s.kuma.io/namespace: kuma-system, kuma.io/origin: global}
spec: {selector: {meshService: {matchLabels: {app: b}}}, ports: [{port: 80}]}
",
    )
    .remove(0);
    let want = hashed_name("default", "backend", &["kuma-system"]);
    assert_ne!(want, hashed_name("default", "backend", &[]));
    assert_eq!(kds_name(&mzs), want);
    rename_for_zones(&mut mzs);
    assert_eq!(mzs.meta.name, want);
    assert_eq!(mzs.meta.display_name(), "backend");
}

const SERVICE_WITHOUT_TEAM: &str = "type: MeshService
name: a
mesh: default
labels: {app: a, kuma.io/zone: z1}
spec: {state: Available, ports: [{port: 80}]}
";

#[test]
fn an_empty_selector_value_matches_a_missing_label_for_mzs_but_not_for_generators() {
    let input = resources(&format!(
        "{SERVICE_WITHOUT_TEAM}---
type: MeshMultiZoneService
name: m
mesh: default
spec:
  selector: {{meshService: {{matchLabels: {{app: a, team: \"\"}}}}}}
  ports: [{{port: 80}}]
---
type: HostnameGenerator
name: needs-team
spec:
  selector: {{meshMultiZoneService: {{matchLabels: {{team: \"\"}}}}}}
  template: '{{{{ .DisplayName }}}}.team.local'
"
    ));
    let p = preview(&input, &[], &PreviewOptions::default());
    let mzs = &p.zones[0].multi_zone_services[0];
    // The MZS status updater reads the missing `team` label as "": the service matches.
    assert_eq!(mzs.status.mesh_services.len(), 1);
    // LabelSelector.Matches needs the label to exist: the generator does not select the MZS.
    assert!(mzs
        .status
        .hostname_generators
        .iter()
        .all(|g| g.hostname_generator_ref.core_name != "needs-team"));
    assert!(mzs
        .status
        .addresses
        .iter()
        .all(|a| a.hostname.as_deref() != Some("m.team.local")));
}

#[test]
fn a_zone_originated_generator_claims_a_hostname_before_a_global_one() {
    let input = resources(
        "type: MeshMultiZoneService
name: x
mesh: default
labels: {pick: global}
spec: {selector: {meshService: {matchLabels: {app: a}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: 'y'
mesh: default
labels: {pick: zone}
spec: {selector: {meshService: {matchLabels: {app: a}}}, ports: [{port: 80}]}
---
type: HostnameGenerator
name: a-global
spec:
  selector: {meshMultiZoneService: {matchLabels: {pick: global}}}
  template: same.mesh
---
type: HostnameGenerator
name: z-zone
labels: {kuma.io/origin: zone}
spec:
  selector: {meshMultiZoneService: {matchLabels: {pick: zone}}}
  template: same.mesh
",
    );
    let p = preview(&input, &["z1".to_owned()], &PreviewOptions::default());
    let mzs = &p.zones[0].multi_zone_services;
    let find = |name: &str| mzs.iter().find(|m| m.name == name).unwrap();
    let has = |name: &str| {
        find(name)
            .status
            .addresses
            .iter()
            .any(|a| a.hostname.as_deref() == Some("same.mesh"))
    };
    // By name alone `a-global` (and MZS x) would come first; Kuma orders zone-originated
    // generators first, so y gets the hostname.
    assert!(has("y"), "{:?}", find("y").status);
    assert!(!has("x"), "{:?}", find("x").status);
}
