//! Kuma's `_hostnames` inspect goldens (read in place from the shared conformance data).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod preview_common;

mod shared_data;
use shared_data::shared_dir;

use kuma_mzs_core::hostnames::inspect;
use kuma_mzs_core::model::Spec;

fn check(case: &str, is_global: bool) {
    let dir = shared_dir().join("conformance/kuma-mzs-api").join(case);
    let base = "meshmultizoneservice_hostnames_global";
    let input = std::fs::read_to_string(dir.join(format!("{base}.input.yaml")))
        .unwrap_or_else(|e| panic!("conformance data missing in {}: {e}", dir.display()));
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{base}.golden.json"))).unwrap(),
    )
    .unwrap();
    // The request line names the service: #/meshes/<mesh>/meshmultizoneservices/<name>/_hostnames 200
    let request = input.lines().next().unwrap();
    let parts: Vec<&str> = request.trim_start_matches('#').split('/').collect();
    let (mesh, name) = (parts[2], parts[4]);
    let resources = preview_common::resources(&input);
    let service = resources
        .iter()
        .find(|r| {
            matches!(r.spec, Spec::MeshMultiZoneService(_))
                && r.meta.mesh == mesh
                && r.meta.name == name
        })
        .unwrap();
    let generators: Vec<_> = resources
        .iter()
        .filter(|r| matches!(r.spec, Spec::HostnameGenerator(_)))
        .cloned()
        .collect();
    let got = serde_json::to_value(inspect(service, &generators, is_global).unwrap()).unwrap();
    assert_eq!(got, golden, "{case}");
}

#[test]
fn inspect_hostnames_on_zone_matches_golden() {
    check("inspect-hostnames-zone", false);
}

#[test]
fn inspect_hostnames_on_global_matches_golden() {
    check("inspect-hostnames-global", true);
}

#[test]
fn inspect_on_global_tries_both_origins() {
    let mut resources = preview_common::resources(
        r#"
type: MeshMultiZoneService
name: svc.ns
mesh: default
labels: {kuma.io/origin: zone}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: HostnameGenerator
name: g
spec:
  selector: {meshMultiZoneService: {matchLabels: {kuma.io/origin: global}}}
  template: '{{ .Name }}.{{ .Zone }}.x'
"#,
    );
    let generators = vec![resources.pop().unwrap()];
    let on_zone = inspect(&resources[0], &generators, false).unwrap();
    assert_eq!(on_zone.total, 0);
    let on_global = inspect(&resources[0], &generators, true).unwrap();
    assert_eq!(on_global.items[0].hostname, "svc.ns.svc.x");
    assert_eq!(on_global.items[0].zones[0].name, "svc");
}
