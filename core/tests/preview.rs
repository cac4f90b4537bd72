//! The preview engine end to end: Kuma's documented examples and the exact status JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod preview_common;

use kuma_mzs_core::diagnostics::Code;
use kuma_mzs_core::kds::hashed_name;
use kuma_mzs_core::model::KumaVersion;
use kuma_mzs_core::preview::{preview, Change, MzsStatusEngine, PreviewOptions, ResourceKey};
use kuma_mzs_core::{explain, ResourceType};
use preview_common::{resources, REDIS};
use serde_json::json;

fn zones(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Two MZS of one mesh share a display name only where a written `kuma.io/display-name` is kept:
/// 2.x (3.0 writes the name over it, so there collisions come from templates).
fn keeping_written_display_names() -> PreviewOptions {
    PreviewOptions {
        kuma_version: KumaVersion::V2_14,
        ..PreviewOptions::default()
    }
}

#[test]
fn redis_example_status_is_what_a_kuma_zone_writes() {
    let p = preview(
        &resources(REDIS),
        &zones(&["east"]),
        &PreviewOptions::default(),
    );
    let zone_names: Vec<&str> = p.zones.iter().map(|z| z.zone.as_str()).collect();
    assert_eq!(
        zone_names,
        vec!["east", "west"],
        "zones from MeshService labels are added"
    );
    let east = &p.zones[0].multi_zone_services[0];
    assert_eq!(
        serde_json::to_value(&east.status).unwrap(),
        json!({
            "addresses": [{
                "hostname": "redis.mzsvc.mesh.local",
                "origin": "HostnameGenerator",
                "hostnameGeneratorRef": {"coreName": "synced-mesh-multi-zone-service-4244v574644557w2"}
            }],
            "vips": [{"ip": "243.0.0.0"}],
            "meshServices": [
                {"name": "redis", "namespace": "", "zone": "east", "mesh": "default"},
                {"name": "redis", "namespace": "", "zone": "west", "mesh": "default"}
            ],
            "hostnameGenerators": [{
                "hostnameGeneratorRef": {"coreName": "synced-mesh-multi-zone-service-4244v574644557w2"},
                "conditions": [{"type": "Generated", "status": "True", "reason": "Generated", "message": ""}]
            }],
            "conditions": [{
                "type": "MeshServicesMatched", "status": "True",
                "reason": "MatchesFound", "message": "Matched 2 MeshService(s)"
            }]
        })
    );
    // A client in east stays local; each port is served by both zones.
    assert_eq!(east.ports[0].served_by.len(), 2);
    assert_eq!(east.traffic[0].shares.len(), 1);
    assert!(close(east.traffic[0].shares["east"], 1.0));
    assert!(east.warnings.is_empty(), "{:?}", east.warnings);
    let west = &p.zones[1].multi_zone_services[0];
    assert!(close(west.traffic[0].shares["west"], 1.0));
}

#[test]
fn a_hand_written_display_name_is_kept_by_2_x_and_replaced_by_the_name_in_3_0() {
    let input = resources(
        r#"
type: MeshService
name: redis-east
mesh: default
labels: {kuma.io/display-name: redis, kuma.io/zone: east}
spec: {state: Available, ports: [{port: 6379}]}
---
type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector: {meshService: {matchLabels: {kuma.io/display-name: redis}}}
  ports: [{port: 6379}]
---
type: MeshMultiZoneService
name: cache
mesh: default
labels: {kuma.io/display-name: redis-cache}
spec:
  selector: {meshService: {matchLabels: {kuma.io/zone: east}}}
  ports: [{port: 6379}]
"#,
    );
    let run = |version| {
        let options = PreviewOptions {
            kuma_version: version,
            ..PreviewOptions::default()
        };
        let p = preview(&input, &zones(&["east"]), &options);
        let mzs = &p.zones[0].multi_zone_services;
        let (cache, redis) = (&mzs[0], &mzs[1]);
        (
            redis.status.mesh_services.len(),
            cache.status.addresses[0].hostname.clone().unwrap(),
        )
    };
    assert_eq!(
        run(KumaVersion::V2_14),
        (1, "redis-cache.mzsvc.mesh.local".to_owned())
    );
    // 3.0 stores `kuma.io/display-name: redis-east` and `cache` (check() warns, MZS007).
    assert_eq!(
        run(KumaVersion::V3_0),
        (0, "cache.mzsvc.mesh.local".to_owned())
    );
}

#[test]
fn preview_json_shape() {
    let p = preview(&resources(REDIS), &zones(&[]), &PreviewOptions::default());
    let v = serde_json::to_value(&p).unwrap();
    let mzs = &v["zones"][0]["multiZoneServices"][0];
    for field in ["mesh", "name", "status", "ports", "traffic", "warnings"] {
        assert!(mzs.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["zones"][0]["zone"], "east");
    assert_eq!(mzs["traffic"][0]["port"], 6379);
    assert_eq!(mzs["traffic"][0]["shares"], json!({"east": 1.0}));
}

#[test]
fn third_zone_splits_equally_and_down_zone_fails_over() {
    let p = preview(
        &resources(REDIS),
        &zones(&["central"]),
        &PreviewOptions::default(),
    );
    let central = p.zones.iter().find(|z| z.zone == "central").unwrap();
    let t = &central.multi_zone_services[0].traffic[0];
    assert!(close(t.shares["east"], 0.5));
    assert!(close(t.shares["west"], 0.5));

    let options = PreviewOptions {
        down_zones: ["east".to_owned()].into(),
        ..PreviewOptions::default()
    };
    let p = preview(&resources(REDIS), &zones(&["central"]), &options);
    let east = p.zones.iter().find(|z| z.zone == "east").unwrap();
    let t = &east.multi_zone_services[0].traffic[0];
    assert!(close(t.shares["west"], 1.0), "{t:?}");
    let central = p.zones.iter().find(|z| z.zone == "central").unwrap();
    let t = &central.multi_zone_services[0].traffic[0];
    assert!(close(t.shares["west"], 1.0), "{t:?}");
}

#[test]
fn no_match_condition_and_warning() {
    let input = resources(
        r#"
type: MeshMultiZoneService
name: nothing
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        app: nope
  ports:
  - port: 80
"#,
    );
    let p = preview(&input, &zones(&["zone-1"]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    let c = &m.status.conditions[0];
    assert_eq!(
        (c.status.as_str(), c.reason.as_str(), c.message.as_str()),
        (
            "False",
            "NoMatchesFound",
            "Selector does not match any MeshService in this zone"
        )
    );
    assert!(m.status.mesh_services.is_empty());
    assert_eq!(m.warnings[0].code, Code::NoMatches);
    assert!(m.traffic[0].shares.is_empty());
}

#[test]
fn cross_mesh_match_is_listed_and_warned_but_gets_no_traffic() {
    let input = resources(
        r#"
type: MeshService
name: web
mesh: other
labels: {app: web, kuma.io/zone: z1}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshService
name: web
mesh: default
labels: {app: web, kuma.io/zone: z1}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: web
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: web}}}
  ports: [{port: 80}]
"#,
    );
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    let meshes: Vec<&str> = m
        .status
        .mesh_services
        .iter()
        .map(|s| s.mesh.as_str())
        .collect();
    assert_eq!(meshes, vec!["default", "other"]);
    assert!(m.warnings.iter().any(|w| w.code == Code::CrossMeshMatch
        && w.message
            .ends_with("(add kuma.io/mesh: default to the selector)")));
    assert_eq!(m.ports[0].served_by.len(), 1);
}

#[test]
fn a_selector_naming_another_mesh_is_told_to_name_its_own() {
    let input = resources(
        r#"
type: MeshService
name: web
mesh: other
labels: {app: web, kuma.io/zone: z1}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: web
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: web, kuma.io/mesh: other}}}
  ports: [{port: 80}]
"#,
    );
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    let cross = m.warnings.iter().find(|w| w.code == Code::CrossMeshMatch);
    assert!(
        cross.is_some_and(|w| w
            .message
            .ends_with("(set kuma.io/mesh: default in the selector, not other)")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn missing_label_reads_as_empty_string() {
    let input = resources(
        r#"
type: MeshService
name: a
mesh: default
labels: {app: a, kuma.io/zone: z1}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: m
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: a, team: ""}}}
  ports: [{port: 80}]
"#,
    );
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    assert_eq!(
        p.zones[0].multi_zone_services[0].status.mesh_services.len(),
        1
    );
}

#[test]
fn a_mesh_service_without_a_display_name_label_matches_by_its_name_as_in_kuma() {
    // Kuma writes `kuma.io/display-name` (and `kuma.io/mesh`) on every MeshService it stores,
    // so the label a user leaves out of the document is there when the zone matches.
    let input = resources(
        r#"
type: MeshService
name: backend
mesh: default
labels: {kuma.io/zone: east}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: backend
mesh: default
spec:
  selector: {meshService: {matchLabels: {kuma.io/display-name: backend, kuma.io/mesh: default}}}
  ports: [{port: 80}]
"#,
    );
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    assert_eq!(m.status.mesh_services.len(), 1);
    assert_eq!(m.status.conditions[0].status, "True");
    assert!(m.warnings.iter().all(|w| w.code != Code::NoMatches));
    // The explanation above the zones says the same.
    let lines = explain::explain(&input, &p);
    assert!(
        lines.iter().any(|l| l == "  matched 1 MeshService(s)"),
        "{lines:#?}"
    );
}

/// Up to 2.14 a zone stores a universal MeshService applied there without
/// `kuma.io/display-name` (generated ones and the copies KDS sends get it), so a selector on the
/// display name matches the other zones' copies and not the local one: the local zone's clients
/// go remote. 3.0 writes the label.
#[test]
fn a_2_x_zone_does_not_match_its_own_mesh_service_by_display_name() {
    let input = resources(
        r#"
type: MeshService
name: redis
mesh: default
labels: {kuma.io/zone: east}
spec: {state: Available, ports: [{port: 6379}]}
---
type: MeshService
name: redis
mesh: default
labels: {kuma.io/zone: west}
spec: {state: Available, ports: [{port: 6379}]}
---
type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector: {meshService: {matchLabels: {kuma.io/display-name: redis}}}
  ports: [{port: 6379}]
"#,
    );
    let matched = |version: KumaVersion| {
        let options = PreviewOptions {
            kuma_version: version,
            ..PreviewOptions::default()
        };
        let p = preview(&input, &zones(&["east", "west"]), &options);
        let east = &p.zones[0].multi_zone_services[0];
        let zones: Vec<String> = (east.status.mesh_services.iter())
            .map(|m| m.zone.clone())
            .collect();
        let warning = (east.warnings.iter())
            .find(|w| w.code == Code::NoMatches)
            .map(|w| w.message.clone());
        (zones, warning)
    };
    let (zones, warning) = matched(KumaVersion::V2_14);
    assert_eq!(zones, ["west"]);
    assert_eq!(
        warning.as_deref(),
        Some("MeshService redis of zone east is not matched: Kuma 2.14 adds kuma.io/display-name to generated MeshServices and to other zones' copies, not to one applied in its zone (label it so; 3.0 labels all)")
    );
    let (zones, warning) = matched(KumaVersion::V3_0);
    assert_eq!(zones, ["east", "west"]);
    assert_eq!(warning, None);
}

#[test]
fn explain_describes_the_later_of_two_documents_of_one_mzs_as_the_zones_do() {
    let mzs = |port: u16| {
        format!("type: MeshMultiZoneService\nname: redis\nmesh: default\nspec:\n  selector: {{meshService: {{matchLabels: {{app: redis}}}}}}\n  ports: [{{port: {port}}}]\n")
    };
    let input = resources(&format!("{}---\n{}", mzs(6379), mzs(6380)));
    let p = preview(&input, &zones(&["east"]), &PreviewOptions::default());
    let lines = explain::explain(&input, &p);
    let header = lines
        .iter()
        .find(|l| l.starts_with("MeshMultiZoneService default/redis"));
    assert!(
        header.is_some_and(|h| h.ends_with("ports 6380/tcp")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("    port 6380:")),
        "{lines:#?}"
    );
}

#[test]
fn ports_pair_by_name_in_3_0_and_by_number_in_2_x() {
    let text = r#"
type: MeshService
name: api
mesh: default
labels: {app: api, kuma.io/zone: z1}
spec: {state: Available, ports: [{port: 80, name: main}]}
---
type: MeshMultiZoneService
name: api
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: api}}}
  ports: [{port: 80, name: http, appProtocol: http}]
"#;
    let input = resources(text);
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    assert!(m.ports[0].served_by.is_empty());
    let w = m
        .warnings
        .iter()
        .find(|w| w.code == Code::PortNotServed)
        .unwrap();
    assert_eq!(w.port.as_deref(), Some("http"));
    assert!(
        w.message.starts_with("port http (80) is not served"),
        "{}",
        w.message
    );
    assert!(m.traffic[0].shares.is_empty());

    // An unnamed port is named by its number once, not `port 8080 (8080)`.
    let unnamed =
        resources(&text.replace("{port: 80, name: http, appProtocol: http}", "{port: 8080}"));
    let p = preview(&unnamed, &zones(&[]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    let w = m.warnings.iter().find(|w| w.code == Code::PortNotServed);
    assert!(
        w.is_some_and(|w| w.message.starts_with("port 8080 is not served")),
        "{w:?}"
    );

    let options = PreviewOptions {
        kuma_version: KumaVersion::V2_14,
        ..PreviewOptions::default()
    };
    let p = preview(&input, &zones(&[]), &options);
    let m = &p.zones[0].multi_zone_services[0];
    assert_eq!(m.ports[0].served_by[0].port_name.as_deref(), Some("main"));
    assert!(close(m.traffic[0].shares["z1"], 1.0));
}

/// The MeshServices a preview reads from a global control plane carry KDS names
/// (`flaky-<hash>`); warnings name them as `status.meshServices` does, by display name.
#[test]
fn warnings_name_a_synced_mesh_service_by_its_display_name() {
    let hashed = hashed_name("default", "flaky", &["west"]);
    let input = resources(&format!(
        r#"
type: MeshService
name: {hashed}
mesh: default
labels: {{app: a, kuma.io/zone: west, kuma.io/display-name: flaky, kuma.io/origin: zone}}
spec: {{state: Unavailable, ports: [{{port: 80}}]}}
---
type: MeshService
name: {hashed_other}
mesh: other
labels: {{app: a, kuma.io/zone: west, kuma.io/display-name: elsewhere, kuma.io/origin: zone}}
spec: {{state: Available, ports: [{{port: 80}}]}}
---
type: MeshMultiZoneService
name: a
mesh: default
spec:
  selector: {{meshService: {{matchLabels: {{app: a}}}}}}
  ports: [{{port: 80}}]
"#,
        hashed_other = hashed_name("other", "elsewhere", &["west"]),
    ));
    let p = preview(
        &input,
        &zones(&["east", "west"]),
        &PreviewOptions::default(),
    );
    let east = &p.zones[0].multi_zone_services[0];
    let messages: Vec<&str> = east.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("MeshService flaky in zone west is Unavailable")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("selector matches MeshService elsewhere of mesh other")),
        "{messages:#?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains(&hashed)),
        "{messages:#?}"
    );
    let names: Vec<&str> = (east.status.mesh_services.iter())
        .map(|m| m.name.as_str())
        .collect();
    assert!(names.contains(&"flaky"), "{names:?}");
}

#[test]
fn unavailable_remote_service_is_warned_and_skipped() {
    let input = resources(
        r#"
type: MeshService
name: a-east
mesh: default
labels: {app: a, kuma.io/zone: east}
spec: {state: Unavailable, ports: [{port: 80}]}
---
type: MeshService
name: a-west
mesh: default
labels: {app: a, kuma.io/zone: west}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: a
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: a}}}
  ports: [{port: 80}]
"#,
    );
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let west = &p.zones[1].multi_zone_services[0];
    assert!(west
        .warnings
        .iter()
        .any(|w| w.code == Code::UnavailableService));
    assert!(close(west.traffic[0].shares["west"], 1.0));
    // In east the local service has no healthy endpoints: everything goes west, no warning.
    let east = &p.zones[0].multi_zone_services[0];
    assert!(east.warnings.is_empty());
    assert!(close(east.traffic[0].shares["west"], 1.0));
}

#[test]
fn e2e_failover_policy_targets_the_mzs() {
    // Kuma's e2e: a client in kuma-2 sends only to kuma-1 while it is healthy. `test-server`
    // in kuma-1 and in kuma-3, as written in each zone (the preview gives them their KDS names).
    let input = resources(
        r#"
type: MeshService
name: test-server
mesh: default
labels: {kuma.io/display-name: test-server, kuma.io/zone: kuma-1}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshService
name: test-server
mesh: default
labels: {kuma.io/display-name: test-server, kuma.io/zone: kuma-3}
spec: {state: Available, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: test-server
mesh: default
labels: {kuma.io/display-name: test-server}
spec:
  selector: {meshService: {matchLabels: {kuma.io/display-name: test-server}}}
  ports: [{port: 80, appProtocol: http}]
---
type: MeshLoadBalancingStrategy
name: mlbs-mzs
mesh: default
spec:
  targetRef: {kind: Mesh}
  to:
  - targetRef:
      kind: MeshMultiZoneService
      labels: {kuma.io/display-name: test-server}
    default:
      localityAwareness:
        crossZone:
          failover:
          - to: {type: Only, zones: [kuma-1]}
          - to: {type: Any}
          failoverThreshold: {percentage: 100}
"#,
    );
    // The e2e client zone kuma-2 has no test-server instance of its own.
    let mut options = PreviewOptions::default();
    let p = preview(&input, &zones(&["kuma-2"]), &options);
    let kuma2 = p.zones.iter().find(|z| z.zone == "kuma-2").unwrap();
    let t = &kuma2.multi_zone_services[0].traffic[0];
    assert!(close(t.shares["kuma-1"], 1.0), "{t:?}");
    assert_eq!(t.overprovisioning_factor, 100);
    assert_eq!(t.policy.as_ref().unwrap().policies, vec!["mlbs-mzs"]);

    options.down_zones.insert("kuma-1".to_owned());
    let p = preview(&input, &zones(&["kuma-2"]), &options);
    let kuma2 = p.zones.iter().find(|z| z.zone == "kuma-2").unwrap();
    let t = &kuma2.multi_zone_services[0].traffic[0];
    assert!(close(t.shares["kuma-3"], 1.0), "{t:?}");
}

#[test]
fn disabled_locality_awareness_reaches_other_zones_from_a_local_instance() {
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: MeshLoadBalancingStrategy
name: "off"
mesh: default
spec:
  to:
  - targetRef: {kind: MeshMultiZoneService, labels: {kuma.io/origin: global}, sectionName: "6379"}
    default: {localityAwareness: {disabled: true}}
"#,
    ));
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let t = &p.zones[0].multi_zone_services[0].traffic[0];
    assert!(close(t.shares["east"], 0.5));
    assert!(close(t.shares["west"], 0.5));
    assert_eq!(
        t.policy.as_ref().unwrap().level,
        kuma_mzs_core::load_balancing::RuleLevel::Section
    );
}

#[test]
fn the_service_created_first_keeps_a_colliding_hostname_as_in_kuma() {
    // Kuma orders services by creation time, then name: b was created first, so it keeps
    // `same.mzsvc.mesh.local` although a sorts first by name. Times as Kuma exports them
    // (`creationTime`), with different fraction lengths, so text order would be wrong.
    let input = resources(
        r#"
type: MeshMultiZoneService
name: a
mesh: default
creationTime: "2026-11-26T16:57:17.5Z"
labels: {kuma.io/display-name: same}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: b
mesh: default
creationTime: "2026-11-26T16:57:17.499403952Z"
labels: {kuma.io/display-name: same}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
"#,
    );
    let p = preview(&input, &zones(&["z"]), &keeping_written_display_names());
    let mzs = &p.zones[0].multi_zone_services;
    let (a, b) = (&mzs[0], &mzs[1]);
    assert_eq!((a.name.as_str(), b.name.as_str()), ("a", "b"));
    assert_eq!(
        b.status.addresses[0].hostname.as_deref(),
        Some("same.mzsvc.mesh.local")
    );
    assert!(a.status.addresses.is_empty());
    // Kuma's condition names the loser by the name the zone stores it under: the KDS name of
    // its display name (which a and b share here).
    assert_eq!(
        a.status.hostname_generators[0].conditions[0].message,
        format!(
            "Hostname collision with MeshMultiZoneService: {}",
            hashed_name("default", "same", &[])
        )
    );
}

#[test]
fn services_created_together_claim_in_the_order_of_their_zone_names_as_in_kuma() {
    // Kuma's hostname loop orders services of one creation time by the name the zone stores
    // them under, the KDS name: `a-b-78dc46xd2f24cwdb` before `a-fdz968892fv4xz6z`, so a-b keeps
    // `shared.mesh` although a sorts first as written, and the condition names a as the zone
    // stores it (as kuma-local's zones write it).
    let input = resources(
        r#"
type: HostnameGenerator
name: fixed
spec:
  selector: {meshMultiZoneService: {matchLabels: {team: x}}}
  template: shared.mesh
---
type: MeshMultiZoneService
name: a
mesh: default
labels: {team: x}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: a-b
mesh: default
labels: {team: x}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
"#,
    );
    assert_eq!(hashed_name("default", "a", &[]), "a-fdz968892fv4xz6z");
    assert_eq!(hashed_name("default", "a-b", &[]), "a-b-78dc46xd2f24cwdb");
    let p = preview(&input, &zones(&["z"]), &PreviewOptions::default());
    let mzs = &p.zones[0].multi_zone_services;
    let (a, a_b) = (&mzs[0], &mzs[1]);
    assert_eq!((a.name.as_str(), a_b.name.as_str()), ("a", "a-b"));
    let hostnames = |m: &kuma_mzs_core::preview::MzsPreview| -> Vec<String> {
        m.status
            .addresses
            .iter()
            .filter_map(|address| address.hostname.clone())
            .collect()
    };
    assert!(hostnames(a_b).contains(&"shared.mesh".to_owned()));
    assert!(!hostnames(a).contains(&"shared.mesh".to_owned()));
    let fixed = a
        .status
        .hostname_generators
        .iter()
        .find(|g| g.hostname_generator_ref.core_name == hashed_name("", "fixed", &[]))
        .unwrap();
    assert_eq!(
        fixed.conditions[0].message,
        "Hostname collision with MeshMultiZoneService: a-fdz968892fv4xz6z"
    );
    // Our warning names both as written.
    assert!(
        a.warnings.iter().any(|w| w.message.contains(
            "HostnameGenerator fixed: hostname shared.mesh is already used by MeshMultiZoneService a-b of mesh default"
        )),
        "{:?}",
        a.warnings
    );
}

#[test]
fn the_generator_created_first_claims_first_as_in_kuma() {
    // Two generators give two services one hostname. Kuma runs generators in creation order
    // (after the zone-originated ones): `old` (created first) runs before `new`, so x, which only
    // `old` selects, keeps the hostname although `new` sorts first by name.
    let input = resources(
        r#"
type: MeshMultiZoneService
name: x
mesh: default
labels: {gen: old}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: "y"
mesh: default
labels: {gen: new}
spec: {selector: {meshService: {matchLabels: {app: "y"}}}, ports: [{port: 80}]}
---
type: HostnameGenerator
name: old
creationTime: "2026-01-01T00:00:00Z"
spec:
  selector: {meshMultiZoneService: {matchLabels: {gen: old}}}
  template: shared.mesh
---
type: HostnameGenerator
name: new
creationTime: "2026-01-01T01:00:00+00:30"
spec:
  selector: {meshMultiZoneService: {matchLabels: {gen: new}}}
  template: shared.mesh
"#,
    );
    // Who got `shared.mesh` (every MZS also gets its own name from the default generator).
    let shared = |input: &[kuma_mzs_core::model::Resource]| -> Vec<String> {
        let p = preview(input, &zones(&["z"]), &PreviewOptions::default());
        p.zones[0]
            .multi_zone_services
            .iter()
            .filter(|m| {
                m.status
                    .addresses
                    .iter()
                    .any(|a| a.hostname.as_deref() == Some("shared.mesh"))
            })
            .map(|m| m.name.clone())
            .collect()
    };
    assert_eq!(shared(&input), vec!["x"]);
    // Without times both run in name order and `new` (y) wins, as before.
    let untimed: Vec<_> = input
        .iter()
        .cloned()
        .map(|mut r| {
            r.meta.creation_time = None;
            r
        })
        .collect();
    assert_eq!(shared(&untimed), vec!["y"]);
}

#[test]
fn hostname_collision_and_template_error_conditions() {
    let input = resources(
        r#"
type: MeshMultiZoneService
name: a
mesh: default
labels: {kuma.io/display-name: same}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: b
mesh: default
labels: {kuma.io/display-name: same}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: c
mesh: other
labels: {kuma.io/display-name: same}
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: HostnameGenerator
name: broken
spec:
  selector: {meshMultiZoneService: {matchLabels: {kuma.io/display-name: same}}}
  template: '{{ label "missing" }}.mesh'
"#,
    );
    let p = preview(&input, &zones(&["z"]), &keeping_written_display_names());
    let mzs = &p.zones[0].multi_zone_services;
    let (a, b, c) = (&mzs[0], &mzs[1], &mzs[2]);
    assert_eq!(
        (a.name.as_str(), b.name.as_str(), c.mesh.as_str()),
        ("a", "b", "other")
    );
    // a wins (sorts first), b loses with a message naming b itself; c is in another mesh.
    assert_eq!(a.status.addresses.len(), 1);
    assert!(b.status.addresses.is_empty());
    assert_eq!(c.status.addresses.len(), 1);
    // A zone holds global's generators under their KDS names, which its statuses name.
    let b_default = b
        .status
        .hostname_generators
        .iter()
        .find(|g| {
            g.hostname_generator_ref.core_name
                == hashed_name("", "synced-mesh-multi-zone-service", &[])
        })
        .unwrap();
    assert_eq!(b_default.conditions[0].reason, "Collision");
    assert_eq!(
        b_default.conditions[0].message,
        format!(
            "Hostname collision with MeshMultiZoneService: {}",
            hashed_name("default", "same", &[])
        )
    );
    // Generators are listed by name: broken, then synced-...
    let broken = &a.status.hostname_generators[0];
    assert_eq!(
        broken.hostname_generator_ref.core_name,
        hashed_name("", "broken", &[])
    );
    assert_eq!(broken.conditions[0].reason, "TemplateError");
    assert!(broken.conditions[0]
        .message
        .starts_with("pre evaluation of template with parameters failed with error="));
    // Our warnings name generators as written, not by the zone's hashed name.
    assert!(a.warnings.iter().any(|w| w.code == Code::HostnameProblem
        && w.message
            .starts_with("HostnameGenerator broken: template error: ")));
    // Our warning says who owns the hostname, which Kuma's condition does not.
    assert!(
        b.warnings.iter().any(|w| w.code == Code::HostnameProblem
            && w.message.contains(
                "HostnameGenerator synced-mesh-multi-zone-service: hostname same.mzsvc.mesh.local is already used by MeshMultiZoneService a"
            )),
        "{:?}",
        b.warnings
    );
}

#[test]
fn zone_template_uses_generating_zone_and_default_generator_can_be_off() {
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: HostnameGenerator
name: per-zone
spec:
  selector: {meshMultiZoneService: {matchLabels: {kuma.io/origin: global}}}
  template: '{{ .DisplayName }}.{{ .Zone }}.{{ .Mesh }}.mzs'
"#,
    ));
    let options = PreviewOptions {
        default_hostname_generators: false,
        ..PreviewOptions::default()
    };
    let p = preview(&input, &zones(&[]), &options);
    let hosts: Vec<&str> = p
        .zones
        .iter()
        .map(|z| {
            z.multi_zone_services[0].status.addresses[0]
                .hostname
                .as_deref()
                .unwrap()
        })
        .collect();
    assert_eq!(
        hosts,
        vec!["redis.east.default.mzs", "redis.west.default.mzs"]
    );
}

#[test]
fn mzs_without_origin_is_treated_as_global() {
    let input = resources(
        r#"
type: MeshMultiZoneService
name: plain
mesh: default
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
"#,
    );
    let p = preview(&input, &zones(&["z"]), &PreviewOptions::default());
    let m = &p.zones[0].multi_zone_services[0];
    assert_eq!(
        m.status.addresses[0].hostname.as_deref(),
        Some("plain.mzsvc.mesh.local")
    );
}

/// A zone's copy of an MZS (under its KDS name, `kuma.io/origin: global`) keeps the VIP the
/// zone gave it; the status of an MZS as written on global never reaches a zone (KDS removes
/// it), so its `status.vips` is no VIP.
#[test]
fn existing_vip_is_kept_and_new_ones_skip_it() {
    let mut input = resources(REDIS);
    let written = input[3].clone();
    input[3].meta.name = hashed_name("default", "redis", &[]);
    for (key, value) in [
        ("kuma.io/origin", "global"),
        ("kuma.io/display-name", "redis"),
    ] {
        input[3].meta.labels.insert(key.into(), value.into());
    }
    input[3].status = Some(json!({"vips": [{"ip": "243.0.0.7"}]}));
    let mut as_written = written;
    as_written.status = Some(json!({"vips": [{"ip": "243.0.0.9"}]}));
    as_written.meta.name = "cache".into();
    input.push(as_written);
    input.extend(resources(
        r#"
type: MeshMultiZoneService
name: another
mesh: default
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
"#,
    ));
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let vip = |name: &str| {
        let mzs = p.zones[0]
            .multi_zone_services
            .iter()
            .find(|m| m.name == name);
        mzs.and_then(|m| m.status.vips.first()?.ip.clone())
    };
    assert_eq!(
        vip(&hashed_name("default", "redis", &[])).as_deref(),
        Some("243.0.0.7")
    );
    assert_eq!(vip("another").as_deref(), Some("243.0.0.0"));
    assert_eq!(vip("cache").as_deref(), Some("243.0.0.1"));
}

#[test]
fn vip_exhaustion_is_a_warning() {
    let input = resources(
        r#"
type: MeshMultiZoneService
name: a
mesh: default
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
---
type: MeshMultiZoneService
name: b
mesh: default
spec: {selector: {meshService: {matchLabels: {app: x}}}, ports: [{port: 80}]}
"#,
    );
    let options = PreviewOptions {
        mzs_cidr: "10.0.0.0/32".parse().unwrap(),
        ..PreviewOptions::default()
    };
    let mut engine = MzsStatusEngine::with_resources("z", options, &input);
    let b = engine.mzs_preview("default", "b").unwrap();
    assert!(b.status.vips.is_empty());
    assert!(b.warnings.iter().any(|w| w.code == Code::VipExhausted));
    // Deleting a frees its VIP; b gets it.
    let changed = engine.apply(Change::Remove(ResourceKey {
        resource_type: ResourceType::MeshMultiZoneService,
        mesh: "default".into(),
        name: "a".into(),
    }));
    assert_eq!(changed.len(), 2);
    assert_eq!(
        engine.status("default", "b").unwrap().vips[0].ip.as_deref(),
        Some("10.0.0.0")
    );
}

#[test]
fn incremental_update_reports_only_affected_mzs() {
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: MeshMultiZoneService
name: web
mesh: default
spec: {selector: {meshService: {matchLabels: {app: web}}}, ports: [{port: 80}]}
"#,
    ));
    let mut engine = MzsStatusEngine::with_resources("east", PreviewOptions::default(), &input);
    let changed = engine.apply(Change::Upsert(preview_common::resource(json!({
        "type": "MeshService", "name": "redis-central", "mesh": "default",
        "labels": {"kuma.io/display-name": "redis", "kuma.io/zone": "central"},
        "spec": {"state": "Available", "ports": [{"port": 6379}]}
    }))));
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].name, "redis");
    assert_eq!(
        engine
            .status("default", "redis")
            .unwrap()
            .mesh_services
            .len(),
        3
    );
    // A MeshService no selector cares about changes nothing.
    let changed = engine.apply(Change::Upsert(preview_common::resource(json!({
        "type": "MeshService", "name": "db", "mesh": "default",
        "labels": {"app": "db"}, "spec": {}
    }))));
    assert!(changed.is_empty());
}

/// A selector matching many MeshServices lists a few of them and counts the rest: the
/// explanation of a hundred MZS each matching a hundred must not be ten thousand lines.
#[test]
fn explain_lists_a_few_matches_and_counts_the_rest() {
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!(
            "type: MeshService\nname: s{i:02}\nmesh: default\nlabels:\n  app: a\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 80\n---\n"
        ));
    }
    text.push_str("type: MeshMultiZoneService\nname: m\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 80\n");
    let input = resources(&text);
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let lines = explain::explain(&input, &p);
    let listed = lines.iter().filter(|l| l.starts_with("    + ")).count();
    assert_eq!(listed, 20, "{lines:#?}");
    assert!(
        lines.iter().any(|l| l == "  matched 50 MeshService(s)"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l == "    ... and 30 more"),
        "{lines:#?}"
    );
}

#[test]
fn explain_says_why_services_match_or_not() {
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: MeshService
name: redis-canary
mesh: default
labels: {kuma.io/display-name: redis-canary, kuma.io/zone: east}
spec: {state: Available, ports: [{port: 6379}]}
"#,
    ));
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let text = explain::explain(&input, &p).join("\n");
    assert!(
        text.contains("MeshMultiZoneService default/redis"),
        "{text}"
    );
    assert!(
        text.contains("+ redis (zone east, mesh default): every selector label matches"),
        "{text}"
    );
    assert!(
        text.contains("- redis-canary (zone east, mesh default): label kuma.io/display-name is \"redis-canary\", selector wants \"redis\""),
        "{text}"
    );
    assert!(text.contains("VIP 243.0.0.0"), "{text}");
    assert!(
        text.contains(
            "hostname redis.mzsvc.mesh.local from HostnameGenerator synced-mesh-multi-zone-service-4244v574644557w2: {{ .DisplayName }}.mzsvc.mesh.local (Kuma's default)"
        ),
        "{text}"
    );
    assert!(text.contains("port 6379: east 100%"), "{text}");
}

#[test]
fn policy_rule_lookup_prefers_section_then_service_then_mesh() {
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: MeshLoadBalancingStrategy
name: a-mesh-wide
mesh: default
spec:
  to:
  - targetRef: {kind: Mesh}
    default: {localityAwareness: {disabled: true}}
---
type: MeshLoadBalancingStrategy
name: b-by-name
mesh: default
spec:
  to:
  - targetRef: {kind: MeshMultiZoneService, name: redis}
    default: {localityAwareness: {localZone: {affinityTags: [{key: k8s.io/node}]}}}
"#,
    ));
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let t = &p.zones[0].multi_zone_services[0].traffic[0];
    let policy = t.policy.as_ref().unwrap();
    // The MZS-level rule (2.x name targetRef; the display name label is computed) beats the
    // Mesh-level one: localZone without crossZone keeps traffic in the zone.
    assert_eq!(policy.policies, vec!["b-by-name"]);
    assert_eq!(
        policy.level,
        kuma_mzs_core::load_balancing::RuleLevel::Service
    );
    assert_eq!(t.dropped_zones, vec!["west"]);
    assert!(close(t.shares["east"], 1.0));
}

#[test]
fn explain_on_large_inputs_uses_the_index() {
    let mut input: Vec<kuma_mzs_core::Resource> = (0..1500)
        .map(|i| {
            preview_common::resource(json!({
                "type": "MeshService", "name": format!("svc-{i}"), "mesh": "default",
                "labels": {"app": format!("app-{}", i % 500), "tier": if i % 2 == 0 {"web"} else {"db"},
                           "kuma.io/zone": "z1"},
                "spec": {"state": "Available", "ports": [{"port": 80}]}
            }))
        })
        .collect();
    input.extend(resources(
        r#"
type: MeshMultiZoneService
name: app-7-web
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: app-7, tier: db}}}
  ports: [{port: 80}]
"#,
    ));
    let p = preview(&input, &zones(&[]), &PreviewOptions::default());
    let text = explain::explain(&input, &p).join("\n");
    // app-7 is on services 7, 507, 1007 (all odd: tier db).
    assert!(text.contains("matched 3 MeshService(s)"), "{text}");
    // Near misses come from the uncommon `tier: db` posting (750 services, 3 of them matched).
    assert!(text.contains("... and 737 more"), "{text}");
}

#[test]
fn same_named_mesh_services_in_two_zones_are_both_matched() {
    // How people write Kuma's docs example: `redis` in east and `redis` in west, one name.
    let written_plainly = REDIS
        .replace("name: redis-f8xz8bddwx8b5c22", "name: redis")
        .replace("labels:\n  kuma.io/display-name: redis\n", "labels:\n");
    let p = preview(
        &resources(&written_plainly),
        &[],
        &PreviewOptions::default(),
    );
    for zone in &p.zones {
        let mzs = &zone.multi_zone_services[0];
        let matched: Vec<(&str, &str)> = mzs
            .status
            .mesh_services
            .iter()
            .map(|m| (m.name.as_str(), m.zone.as_str()))
            .collect();
        assert_eq!(
            matched,
            vec![("redis", "east"), ("redis", "west")],
            "zone {}",
            zone.zone
        );
    }
}

#[test]
fn a_planned_service_comes_after_every_listed_one() {
    // What the provider's preview data source does: MZS listed from the control plane keep their
    // `creationTime`; the one being planned is created after all of them, so an existing `b`
    // keeps the hostname a planned `a` would collide on, although `a` sorts first by name.
    use kuma_mzs_core::api::{decode_listed, PLANNED_CREATION_TIME};
    let listed = decode_listed(
        ResourceType::MeshMultiZoneService,
        json!({
            "type": "MeshMultiZoneService", "mesh": "default", "name": "b",
            "creationTime": "2026-11-26T16:57:17.499403952Z",
            "labels": {"kuma.io/display-name": "same", "kuma.io/origin": "global"},
            "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}}, "ports": [{"port": 80, "appProtocol": "tcp"}]},
        }),
    )
    .unwrap();
    assert_eq!(
        listed.meta.creation_time.as_deref(),
        Some("2026-11-26T16:57:17.499403952Z")
    );
    let mut planned = listed.clone();
    planned.meta.name = "a".to_owned();
    planned.meta.creation_time = Some(PLANNED_CREATION_TIME.to_owned());
    let p = preview(
        &[planned, listed],
        &zones(&["z"]),
        &keeping_written_display_names(),
    );
    let mzs = &p.zones[0].multi_zone_services;
    assert_eq!((mzs[0].name.as_str(), mzs[1].name.as_str()), ("a", "b"));
    assert!(mzs[0].status.addresses.is_empty());
    assert_eq!(
        mzs[1].status.addresses[0].hostname.as_deref(),
        Some("same.mzsvc.mesh.local")
    );
}

/// `.Name` renders the MZS name as written (Kuma's hostname generator tests evaluate templates on
/// the resource as given; a zone would render its KDS name, `backend-524cwbwv5vzz94b6`).
#[test]
fn name_in_a_template_is_the_name_as_written() {
    let yaml = "type: HostnameGenerator\nname: byname\nspec:\n  selector:\n    meshMultiZoneService:\n      matchLabels: {}\n  template: '{{ .Name }}.mesh'\n---\ntype: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: x\n  ports:\n  - port: 80\n";
    let p = preview(
        &resources(yaml),
        &zones(&["zone-1"]),
        &PreviewOptions::default(),
    );
    let hostnames: Vec<&str> = (p.zones[0].multi_zone_services[0].status.addresses.iter())
        .filter_map(|a| a.hostname.as_deref())
        .collect();
    assert!(hostnames.contains(&"backend.mesh"), "{hostnames:?}");
}

#[test]
fn status_names_generators_as_the_zone_stores_them() {
    // Kuma's KDS renames global's HostnameGenerators on their way to a zone
    // (`HashedName("", name)`); a zone's own keep their name. The preview's `coreName` is the
    // zone's, so it equals what the zone writes.
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: HostnameGenerator
name: synced-mesh-multi-zone-service
spec:
  selector: {meshMultiZoneService: {matchLabels: {kuma.io/origin: global}}}
  template: '{{ .DisplayName }}.global.mesh'
---
type: HostnameGenerator
name: local-short
labels: {kuma.io/origin: zone}
spec:
  selector: {meshMultiZoneService: {matchLabels: {kuma.io/origin: global}}}
  template: '{{ .DisplayName }}.local'
"#,
    ));
    let p = preview(&input, &zones(&["east"]), &PreviewOptions::default());
    let status = &p.zones[0].multi_zone_services[0].status;
    let named: Vec<(&str, &str)> = status
        .addresses
        .iter()
        .map(|a| {
            (
                a.hostname_generator_ref
                    .as_ref()
                    .unwrap()
                    .core_name
                    .as_str(),
                a.hostname.as_deref().unwrap(),
            )
        })
        .collect();
    // The written default replaces Kuma's (one generator of that name on global), under the
    // zone's name for it; listed by name as Kuma lists them.
    assert_eq!(
        named,
        vec![
            ("local-short", "redis.local"),
            (
                "synced-mesh-multi-zone-service-4244v574644557w2",
                "redis.global.mesh"
            ),
        ]
    );
    let text = explain::explain(&input, &p).join("\n");
    assert!(
        text.contains("from HostnameGenerator synced-mesh-multi-zone-service-4244v574644557w2: {{ .DisplayName }}.global.mesh"),
        "{text}"
    );
    // A generator read back from a zone (already renamed) keeps its name.
    let mut read_back = input.clone();
    for r in &mut read_back {
        if r.meta.name == "synced-mesh-multi-zone-service" {
            r.meta.name = hashed_name("", "synced-mesh-multi-zone-service", &[]);
            r.meta.labels.insert(
                "kuma.io/display-name".into(),
                "synced-mesh-multi-zone-service".into(),
            );
            r.meta
                .labels
                .insert("kuma.io/origin".into(), "global".into());
        }
    }
    let again = preview(&read_back, &zones(&["east"]), &PreviewOptions::default());
    assert_eq!(
        again.zones[0].multi_zone_services[0].status,
        p.zones[0].multi_zone_services[0].status
    );
}

#[test]
fn a_zones_own_generator_names_hostnames_in_that_zone_only() {
    // A HostnameGenerator written on zone east (`kuma.io/origin: zone`, `kuma.io/zone: east`)
    // stays in east's store: global never sends what a zone wrote to other zones.
    let mut input = resources(REDIS);
    input.extend(resources(
        r#"
type: HostnameGenerator
name: east-short
labels: {kuma.io/origin: zone, kuma.io/zone: east}
spec:
  selector: {meshMultiZoneService: {matchLabels: {kuma.io/origin: global}}}
  template: '{{ .DisplayName }}.east.local'
"#,
    ));
    let p = preview(
        &input,
        &zones(&["east", "west"]),
        &PreviewOptions::default(),
    );
    let hostnames = |zone: &str| -> Vec<String> {
        let z = p.zones.iter().find(|z| z.zone == zone).unwrap();
        let status = &z.multi_zone_services[0].status;
        status
            .addresses
            .iter()
            .filter_map(|a| a.hostname.clone())
            .collect()
    };
    assert_eq!(
        hostnames("east"),
        ["redis.east.local", "redis.mzsvc.mesh.local"]
    );
    assert_eq!(hostnames("west"), ["redis.mzsvc.mesh.local"]);
}

/// A zone holds its own MeshServices as `kuma.io/origin: zone` and the other zones' as global
/// sent them, `kuma.io/origin: global` (Kuma's KDS relabels everything global sends): a
/// selector on the origin matches only the local service, or only the remote ones, per zone.
#[test]
fn a_selector_on_kuma_io_origin_matches_per_zone_as_each_zone_stores_them() {
    let ms = |zone: &str| {
        format!("type: MeshService\nname: backend\nmesh: default\nlabels:\n  app: backend\n  kuma.io/origin: zone\n  kuma.io/zone: {zone}\nspec:\n  state: Available\n  ports:\n  - port: 80\n")
    };
    let mzs = |name: &str, origin: &str| {
        format!("type: MeshMultiZoneService\nname: {name}\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: backend\n        kuma.io/origin: {origin}\n  ports:\n  - port: 80\n")
    };
    let text = [
        ms("east"),
        ms("west"),
        mzs("local-only", "zone"),
        mzs("remote-only", "global"),
    ]
    .join("---\n");
    let p = preview(
        &resources(&text),
        &zones(&["east", "west"]),
        &PreviewOptions::default(),
    );
    let matched = |zone: &str, mzs: &str| -> Vec<String> {
        let zone = p.zones.iter().find(|z| z.zone == zone).unwrap();
        let mzs = (zone.multi_zone_services.iter())
            .find(|m| m.name == mzs)
            .unwrap();
        (mzs.status.mesh_services.iter())
            .map(|m| m.zone.clone())
            .collect()
    };
    assert_eq!(matched("east", "local-only"), ["east"]);
    assert_eq!(matched("east", "remote-only"), ["west"]);
    assert_eq!(matched("west", "local-only"), ["west"]);
    assert_eq!(matched("west", "remote-only"), ["east"]);
    // The zone-independent summary says the selector's origin is read per zone.
    let lines = explain::explain(&resources(&text), &p);
    assert!(
        lines.iter().any(|l| l.contains("each zone matches its own MeshServices with kuma.io/origin: zone")),
        "{lines:#?}"
    );
}

/// A hand-written MeshService without `spec.state` is taken as Unavailable (Kuma sets the state
/// from its data plane proxies): its own zone's "no traffic" is explained, not silent.
#[test]
fn a_mesh_service_without_a_state_says_why_it_gets_no_traffic() {
    let text = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  kuma.io/zone: east\nspec:\n  ports:\n  - port: 6379\n---\ntype: MeshMultiZoneService\nname: r\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        kuma.io/display-name: redis\n  ports:\n  - port: 6379\n";
    let p = preview(
        &resources(text),
        &zones(&["east"]),
        &PreviewOptions::default(),
    );
    let mzs = &p.zones[0].multi_zone_services[0];
    let warning = (mzs.warnings.iter())
        .find(|w| w.code == Code::UnavailableService)
        .expect("an MZS104 warning");
    assert!(
        warning.message.contains("in zone east is Unavailable")
            && warning.message.contains("spec.state is not set"),
        "{}",
        warning.message
    );
    // Written as Available, it serves and nothing is said.
    let available = text.replace("spec:\n  ports:", "spec:\n  state: Available\n  ports:");
    let p = preview(
        &resources(&available),
        &zones(&["east"]),
        &PreviewOptions::default(),
    );
    let mzs = &p.zones[0].multi_zone_services[0];
    assert!(mzs
        .warnings
        .iter()
        .all(|w| w.code != Code::UnavailableService));
}

#[test]
fn a_generator_selecting_both_services_makes_them_rivals_for_hostnames() {
    let input = resources(
        r#"
type: HostnameGenerator
name: tagged
spec:
  template: tagged.mzs
  selector:
    meshMultiZoneService:
      matchLabels: {tag: x}
---
type: MeshMultiZoneService
name: old-tagged
mesh: default
labels: {tag: x}
spec:
  selector: {meshService: {matchLabels: {app: a}}}
  ports: [{port: 80}]
---
type: MeshMultiZoneService
name: new
mesh: default
labels: {tag: x}
spec:
  selector: {meshService: {matchLabels: {app: a}}}
  ports: [{port: 80}]
---
type: MeshMultiZoneService
name: other
mesh: default
spec:
  selector: {meshService: {matchLabels: {app: a}}}
  ports: [{port: 80}]
"#,
    );
    let generators: Vec<&kuma_mzs_core::Resource> = input.iter().take(1).collect();
    let rival = kuma_mzs_core::preview::may_rival_for_hostnames;
    assert!(rival(&input[1], &input[2], &generators));
    // Only Kuma's per-name default selects `other`: no rival.
    assert!(!rival(&input[3], &input[2], &generators));
}

/// Kuma stores a Kubernetes MeshService as `<name>.<namespace>`: two namespaces of one zone may
/// each have a `backend`, and the zone matches both (the preview kept only the later one).
#[test]
fn a_zone_matches_same_named_mesh_services_of_two_namespaces() {
    let yaml = r#"
type: MeshService
name: backend
mesh: default
labels:
  kuma.io/zone: east
  kuma.io/origin: zone
  k8s.kuma.io/namespace: ns1
spec:
  ports:
  - port: 80
    appProtocol: http
---
type: MeshService
name: backend
mesh: default
labels:
  kuma.io/zone: east
  kuma.io/origin: zone
  k8s.kuma.io/namespace: ns2
spec:
  ports:
  - port: 80
    appProtocol: http
---
type: MeshMultiZoneService
name: backend
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: backend
  ports:
  - port: 80
    appProtocol: http
"#;
    let p = preview(
        &resources(yaml),
        &zones(&["east", "west"]),
        &PreviewOptions::default(),
    );
    for zone in &p.zones {
        let status = serde_json::to_value(&zone.multi_zone_services[0].status).unwrap();
        let namespaces: Vec<&str> = status["meshServices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["namespace"].as_str().unwrap())
            .collect();
        assert_eq!(
            namespaces,
            vec!["ns1", "ns2"],
            "zone {}: {status}",
            zone.zone
        );
    }
}

/// A zone labels what is written in it with `kuma.io/env` (`universal`, or `kubernetes` for a
/// manifest, which has a namespace), and the other zones' copies keep it: a selector on it
/// matches as in Kuma (and kuma-local).
#[test]
fn a_selector_on_kuma_io_env_matches_the_zones_environment() {
    let yaml = r#"
type: MeshService
name: a
mesh: default
labels:
  app: a
  kuma.io/zone: east
spec:
  ports:
  - port: 80
    appProtocol: http
---
type: MeshService
name: a
mesh: default
labels:
  app: a
  kuma.io/zone: west
  k8s.kuma.io/namespace: shop
spec:
  ports:
  - port: 80
    appProtocol: http
---
type: MeshMultiZoneService
name: on-vms
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        app: a
        kuma.io/env: universal
  ports:
  - port: 80
    appProtocol: http
"#;
    for version in [KumaVersion::V3_0, KumaVersion::V2_14, KumaVersion::V2_9] {
        let options = PreviewOptions {
            kuma_version: version,
            ..PreviewOptions::default()
        };
        let p = preview(&resources(yaml), &zones(&["east", "west"]), &options);
        for zone in &p.zones {
            let status = serde_json::to_value(&zone.multi_zone_services[0].status).unwrap();
            let matched: Vec<&str> = status["meshServices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["zone"].as_str().unwrap())
                .collect();
            assert_eq!(
                matched,
                vec!["east"],
                "{version:?} zone {}: {status}",
                zone.zone
            );
        }
    }
}

/// A selector matching many services that get no traffic gives one MZS104 per zone naming a
/// few, not one per service (hundreds of warnings per zone, multiplied by the zones).
#[test]
fn many_unavailable_services_are_one_warning_per_zone() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "type: MeshService\nname: svc{i}\nmesh: default\nlabels:\n  app: a\n  kuma.io/zone: z{}\nspec:\n  ports:\n  - port: 80\n---\n",
            i % 4
        ));
    }
    text.push_str("type: MeshMultiZoneService\nname: m\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 80\n");
    let p = preview(
        &resources(&text),
        &zones(&["z0", "z1", "z2", "z3"]),
        &PreviewOptions::default(),
    );
    for zone in &p.zones {
        let mzs = &zone.multi_zone_services[0];
        let mzs104: Vec<&str> = (mzs.warnings.iter())
            .filter(|w| w.code == Code::UnavailableService)
            .map(|w| w.message.as_str())
            .collect();
        assert_eq!(mzs104.len(), 1, "{mzs104:#?}");
        assert!(
            mzs104[0].starts_with("MeshServices svc0 in zone z0, svc1 in zone z1, svc10 in zone z2 and 37 more are Unavailable: Kuma sends them no traffic (spec.state is not set"),
            "{}",
            mzs104[0]
        );
    }
    // Two or three are all named, in plain English.
    let few = |n: usize| {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "type: MeshService\nname: svc{i}\nmesh: default\nlabels:\n  app: a\n  kuma.io/zone: z{i}\nspec:\n  ports:\n  - port: 80\n---\n"
            ));
        }
        text.push_str("type: MeshMultiZoneService\nname: m\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: a\n  ports:\n  - port: 80\n");
        let p = preview(
            &resources(&text),
            &zones(&["z0", "z1", "z2"]),
            &PreviewOptions::default(),
        );
        let warnings = &p.zones[0].multi_zone_services[0].warnings;
        (warnings.iter())
            .find(|w| w.code == Code::UnavailableService)
            .map(|w| w.message.clone())
            .unwrap_or_default()
    };
    assert!(
        few(2).starts_with("MeshServices svc0 in zone z0 and svc1 in zone z1 are Unavailable"),
        "{}",
        few(2)
    );
    assert!(
        few(3).starts_with(
            "MeshServices svc0 in zone z0, svc1 in zone z1 and svc2 in zone z2 are Unavailable"
        ),
        "{}",
        few(3)
    );
}
