//! MeshService status on a zone: VIPs from `ipam.meshService.cidr` and hostnames from
//! HostnameGenerators with a `meshService` selector, as a Kuma zone writes them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod preview_common;
mod shared_data;

use kuma_mzs_core::api::{default_hostname_generators, Mode};
use kuma_mzs_core::mesh_service_status::MeshServiceEngine;
use kuma_mzs_core::model::Resource;
use kuma_mzs_core::preview::{Change, PreviewOptions, ResourceKey};
use kuma_mzs_core::ResourceType;
use preview_common::resource;
use serde_json::{json, Value};
use shared_data::shared_dir;

/// The generators a federated zone holds: its own defaults plus global's, synced.
fn zone_generators(zone: &str) -> Vec<Resource> {
    let mut all = default_hostname_generators(&Mode::Zone {
        name: zone.to_owned(),
        federated: true,
    });
    all.extend(default_hostname_generators(&Mode::Global));
    all
}

/// A MeshService as the zone `owner` stores it (labels computed on write).
fn local_service(name: &str, mesh: &str, owner: &str) -> Resource {
    resource(json!({
        "type": "MeshService", "name": name, "mesh": mesh,
        "labels": {
            "kuma.io/origin": "zone", "kuma.io/zone": owner, "kuma.io/env": "universal",
            "kuma.io/display-name": name, "kuma.io/mesh": mesh,
        },
        "spec": {"ports": [{"port": 6379, "appProtocol": "tcp"}]},
    }))
}

/// The copy of `owner`'s MeshService that another zone receives through global.
fn synced_service(name: &str, owner: &str) -> Resource {
    let mut copy = local_service(name, "default", owner);
    copy.meta
        .labels
        .insert("kuma.io/origin".to_owned(), "global".to_owned());
    copy.meta.name = kuma_mzs_core::api::kds_name(&copy);
    copy
}

fn generator(name: &str, template: &str) -> Resource {
    resource(json!({
        "type": "HostnameGenerator", "name": name,
        "labels": {"kuma.io/origin": "global"},
        "spec": {"selector": {"meshService": {"matchLabels": {}}}, "template": template},
    }))
}

fn key(mesh: &str, name: &str) -> ResourceKey {
    ResourceKey {
        resource_type: ResourceType::MeshService,
        mesh: mesh.to_owned(),
        name: name.to_owned(),
    }
}

fn status(engine: &MeshServiceEngine, mesh: &str, name: &str) -> Value {
    serde_json::to_value(engine.status(mesh, name).expect("known service")).unwrap()
}

fn vip(engine: &MeshServiceEngine, mesh: &str, name: &str) -> String {
    status(engine, mesh, name)["vips"][0]["ip"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn engine_with(zone: &str, resources: &[Resource]) -> MeshServiceEngine {
    MeshServiceEngine::with_resources(zone, &PreviewOptions::default(), resources)
}

#[test]
fn a_local_service_gets_the_first_vip_and_the_local_universal_hostname() {
    let mut input = zone_generators("zone-1");
    input.push(local_service("redis", "default", "zone-1"));
    let engine = engine_with("zone-1", &input);
    assert_eq!(
        status(&engine, "default", "redis"),
        json!({
            "addresses": [{
                "hostname": "redis.svc.mesh.local",
                "origin": "HostnameGenerator",
                "hostnameGeneratorRef": {"coreName": "local-universal-mesh-service"},
            }],
            "vips": [{"ip": "241.0.0.0"}],
            "hostnameGenerators": [{
                "hostnameGeneratorRef": {"coreName": "local-universal-mesh-service"},
                "conditions": [{"type": "Generated", "status": "True", "reason": "Generated", "message": ""}],
            }],
        })
    );
}

#[test]
fn a_synced_copy_gets_its_own_vip_and_the_owning_zone_in_its_hostname() {
    let copy = synced_service("redis", "zone-1");
    let mut input = zone_generators("zone-2");
    input.push(local_service("web", "default", "zone-2"));
    input.push(copy.clone());
    let engine = engine_with("zone-2", &input);
    let body = status(&engine, "default", &copy.meta.name);
    assert_eq!(
        body["addresses"],
        json!([{
            "hostname": "redis.svc.zone-1.mesh.local",
            "origin": "HostnameGenerator",
            "hostnameGeneratorRef": {"coreName": "synced-universal-mesh-service"},
        }])
    );
    // VIPs go in (mesh, name) order: the hashed copy `redis-…` sorts before `web`.
    assert_eq!(vip(&engine, "default", &copy.meta.name), "241.0.0.0");
    assert_eq!(vip(&engine, "default", "web"), "241.0.0.1");
    assert_eq!(
        status(&engine, "default", "web")["addresses"][0]["hostname"],
        "web.svc.mesh.local"
    );
}

#[test]
fn zone_defaults_to_the_local_zone_when_the_label_is_absent() {
    let mut service = local_service("redis", "default", "zone-1");
    service.meta.labels.remove("kuma.io/zone");
    let engine = engine_with(
        "zone-9",
        &[
            generator("by-zone", "{{ .DisplayName }}.{{ .Zone }}"),
            service,
        ],
    );
    assert_eq!(
        status(&engine, "default", "redis")["addresses"][0]["hostname"],
        "redis.zone-9"
    );
}

#[test]
fn the_later_service_of_a_mesh_gets_kumas_collision_condition() {
    let shared = generator("shared", "{{ .Mesh }}.shared.mesh.local");
    let mut engine = engine_with(
        "zone-1",
        &[
            shared,
            local_service("a", "default", "zone-1"),
            local_service("b", "default", "zone-1"),
            local_service("c", "other", "zone-1"),
        ],
    );
    assert_eq!(
        status(&engine, "default", "a")["addresses"][0]["hostname"],
        "default.shared.mesh.local"
    );
    let loser = status(&engine, "default", "b");
    assert_eq!(loser.get("addresses"), None);
    assert_eq!(
        loser["hostnameGenerators"],
        json!([{
            "hostnameGeneratorRef": {"coreName": "shared"},
            "conditions": [{
                "type": "Generated", "status": "False", "reason": "Collision",
                "message": "Hostname collision with MeshService: b",
            }],
        }])
    );
    // Collisions are per mesh: `c` of mesh `other` renders its own hostname without conflict.
    assert_eq!(
        status(&engine, "other", "c")["hostnameGenerators"][0]["conditions"][0]["reason"],
        "Generated"
    );
    // When the owner goes, the next service takes the hostname; only the two are reported.
    let changed = engine.apply(&Change::Remove(key("default", "a")));
    assert_eq!(changed, vec![key("default", "a"), key("default", "b")]);
    assert_eq!(
        status(&engine, "default", "b")["addresses"][0]["hostname"],
        "default.shared.mesh.local"
    );
}

#[test]
fn a_zone_originated_generator_claims_first_as_in_kuma() {
    // Kuma orders generators `kuma.io/origin: zone` first, whatever their names: the service
    // rendered by the zone's generator keeps the hostname even though `a` sorts first.
    let for_service = |name: &str, origin: &str, service: &str| {
        resource(json!({
            "type": "HostnameGenerator", "name": name,
            "labels": {"kuma.io/origin": origin},
            "spec": {
                "selector": {"meshService": {"matchLabels": {"kuma.io/display-name": service}}},
                "template": "cache.mesh.local",
            },
        }))
    };
    let engine = engine_with(
        "zone-1",
        &[
            for_service("a-global", "global", "a"),
            for_service("z-local", "zone", "b"),
            local_service("a", "default", "zone-1"),
            local_service("b", "default", "zone-1"),
        ],
    );
    assert_eq!(
        status(&engine, "default", "b")["addresses"][0]["hostname"],
        "cache.mesh.local"
    );
    assert_eq!(
        status(&engine, "default", "a")["hostnameGenerators"][0]["conditions"][0]["message"],
        "Hostname collision with MeshService: a"
    );
}

#[test]
fn a_failing_template_gives_a_template_error_condition() {
    let engine = engine_with(
        "zone-1",
        &[
            generator("missing-label", "{{ label \"team\" }}.svc.mesh.local"),
            generator("not-dns", "{{ .DisplayName }}_x.mesh.local"),
            local_service("redis", "default", "zone-1"),
        ],
    );
    let body = status(&engine, "default", "redis");
    assert_eq!(body.get("addresses"), None);
    assert_eq!(body["vips"][0]["ip"], "241.0.0.0");
    let conditions: Vec<&Value> = body["hostnameGenerators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["conditions"][0])
        .collect();
    assert_eq!(conditions.len(), 2);
    for condition in &conditions {
        assert_eq!(condition["type"], "Generated");
        assert_eq!(condition["status"], "False");
        assert_eq!(condition["reason"], "TemplateError");
    }
    // The same messages as the MZS engine gives (one shared rule).
    let message = |at: usize| conditions[at]["message"].as_str().unwrap().to_owned();
    assert!(
        message(0).starts_with("pre evaluation of template with parameters failed with error="),
        "{}",
        message(0)
    );
    assert!(
        message(0).contains("label team not found"),
        "{}",
        message(0)
    );
    assert!(
        message(1)
            .starts_with("generated hostname \"redis_x.mesh.local\" is not a valid DNS name: "),
        "{}",
        message(1)
    );
}

#[test]
fn a_deleted_services_vip_is_not_handed_out_again() {
    let mut engine = engine_with("zone-1", &[local_service("a", "default", "zone-1")]);
    assert_eq!(vip(&engine, "default", "a"), "241.0.0.0");
    assert_eq!(
        engine.apply(&Change::Remove(key("default", "a"))),
        vec![key("default", "a")]
    );
    assert!(engine.status("default", "a").is_none());
    engine.apply(&Change::Upsert(local_service("b", "default", "zone-1")));
    assert_eq!(vip(&engine, "default", "b"), "241.0.0.1");
    // Re-creating the deleted service does not bring its old VIP back either.
    engine.apply(&Change::Upsert(local_service("a", "default", "zone-1")));
    assert_eq!(vip(&engine, "default", "a"), "241.0.0.2");
}

#[test]
fn vips_already_in_status_are_kept_and_never_given_twice() {
    let mut kept = local_service("b", "default", "zone-1");
    kept.status = Some(json!({"vips": [{"ip": "241.0.0.0"}]}));
    let mut duplicate = local_service("c", "default", "zone-1");
    duplicate.status = Some(json!({"vips": [{"ip": "241.0.0.0"}]}));
    // One batch (a zone reloading its store): present VIPs are kept before any is handed out.
    let engine = engine_with(
        "zone-1",
        &[local_service("a", "default", "zone-1"), kept, duplicate],
    );
    assert_eq!(vip(&engine, "default", "b"), "241.0.0.0");
    assert_eq!(vip(&engine, "default", "a"), "241.0.0.1");
    assert_eq!(vip(&engine, "default", "c"), "241.0.0.2");
}

#[test]
fn an_update_keeps_the_vip() {
    let mut engine = engine_with("zone-1", &[local_service("a", "default", "zone-1")]);
    let mut updated = local_service("a", "default", "zone-1");
    updated
        .meta
        .labels
        .insert("team".to_owned(), "cache".to_owned());
    // Nothing in the status changes, so nothing is reported.
    assert_eq!(engine.apply(&Change::Upsert(updated)), Vec::new());
    assert_eq!(vip(&engine, "default", "a"), "241.0.0.0");
}

#[test]
fn the_cidr_is_an_option_and_a_full_one_waits_for_a_freed_address() {
    let options = PreviewOptions {
        mesh_service_cidr: "10.0.0.0/31".parse().unwrap(),
        ..PreviewOptions::default()
    };
    let mut engine = MeshServiceEngine::new("zone-1", &options);
    for name in ["a", "b", "c"] {
        engine.apply(&Change::Upsert(local_service(name, "default", "zone-1")));
    }
    assert_eq!(vip(&engine, "default", "a"), "10.0.0.0");
    assert_eq!(vip(&engine, "default", "b"), "10.0.0.1");
    assert_eq!(status(&engine, "default", "c"), json!({}));
    assert_eq!(
        engine.vip_error("default", "c").unwrap().to_string(),
        "no addresses left in 10.0.0.0/31"
    );
    let changed = engine.apply(&Change::Remove(key("default", "a")));
    assert_eq!(changed, vec![key("default", "a"), key("default", "c")]);
    assert_eq!(vip(&engine, "default", "c"), "10.0.0.0");
    assert!(engine.vip_error("default", "c").is_none());
}

#[test]
fn the_mesh_service_and_mzs_allocators_are_separate() {
    let mut input = zone_generators("zone-1");
    input.push(local_service("redis", "default", "zone-1"));
    input.push(resource(json!({
        "type": "MeshMultiZoneService", "name": "redis", "mesh": "default",
        "spec": {"selector": {"meshService": {"matchLabels": {"kuma.io/display-name": "redis"}}},
                 "ports": [{"port": 6379}]},
    })));
    let services = engine_with("zone-1", &input);
    let mzs = kuma_mzs_core::preview::MzsStatusEngine::with_resources(
        "zone-1",
        PreviewOptions::default(),
        &input,
    );
    assert_eq!(vip(&services, "default", "redis"), "241.0.0.0");
    let mzs_status = mzs.status("default", "redis").unwrap();
    assert_eq!(mzs_status.vips[0].ip.as_deref(), Some("243.0.0.0"));
    // MZS and MeshService hostnames never collide with each other (per resource type).
    assert_eq!(
        serde_json::to_value(mzs_status).unwrap()["addresses"][0]["hostname"],
        "redis.mzsvc.mesh.local"
    );
}

#[test]
fn a_service_change_reports_only_itself_and_a_generator_change_reports_all() {
    let mut input = zone_generators("zone-1");
    for name in ["a", "b", "c"] {
        input.push(local_service(name, "default", "zone-1"));
    }
    let mut engine = engine_with("zone-1", &input);
    assert_eq!(
        engine.apply(&Change::Upsert(local_service("d", "default", "zone-1"))),
        vec![key("default", "d")]
    );
    let changed = engine.apply(&Change::Upsert(generator("extra", "{{ .Name }}.extra")));
    assert_eq!(
        changed,
        ["a", "b", "c", "d"]
            .iter()
            .map(|n| key("default", n))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        status(&engine, "default", "d")["addresses"][0]["hostname"],
        "d.extra"
    );
    engine.apply(&Change::Remove(ResourceKey {
        resource_type: ResourceType::HostnameGenerator,
        mesh: String::new(),
        name: "extra".to_owned(),
    }));
    assert_eq!(
        status(&engine, "default", "d")["addresses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

proptest::proptest! {
    /// Any sequence of service and generator changes leaves the same hostnames and conditions
    /// as computing the final set from scratch, and no VIP is ever held twice.
    #[test]
    fn incremental_hostnames_match_a_fresh_engine(
        ops in proptest::collection::vec((0u8..4, 0usize..6, 0usize..3), 0..40)
    ) {
        let names = ["a", "b", "c", "d", "e", "f"];
        let templates = ["{{ .Mesh }}.same", "{{ .DisplayName }}.own", "{{ label \"x\" }}.bad"];
        let mut engine = MeshServiceEngine::new("zone-1", &PreviewOptions::default());
        let mut services: std::collections::BTreeMap<&str, Resource> = Default::default();
        let mut generators: std::collections::BTreeMap<usize, Resource> = Default::default();
        for (op, n, t) in ops {
            let mesh = if n % 2 == 0 { "default" } else { "other" };
            match op {
                0 | 1 => {
                    let service = local_service(names[n], mesh, "zone-1");
                    services.insert(names[n], service.clone());
                    engine.apply(&Change::Upsert(service));
                }
                2 => {
                    if let Some(old) = services.remove(names[n]) {
                        engine.apply(&Change::Remove(key(&old.meta.mesh, names[n])));
                    }
                }
                _ => {
                    if generators.remove(&t).is_some() {
                        engine.apply(&Change::Remove(ResourceKey {
                            resource_type: ResourceType::HostnameGenerator,
                            mesh: String::new(),
                            name: format!("g{t}"),
                        }));
                    } else {
                        let g = generator(&format!("g{t}"), templates[t]);
                        generators.insert(t, g.clone());
                        engine.apply(&Change::Upsert(g));
                    }
                }
            }
        }
        let mut all: Vec<Resource> = generators.values().cloned().collect();
        all.extend(services.values().cloned());
        let fresh = engine_with("zone-1", &all);
        proptest::prop_assert_eq!(engine.len(), services.len());
        let mut vips = std::collections::BTreeSet::new();
        for (key, got) in engine.statuses() {
            let want = fresh.status(&key.mesh, &key.name).unwrap();
            proptest::prop_assert_eq!(&got.addresses, &want.addresses);
            proptest::prop_assert_eq!(&got.hostname_generators, &want.hostname_generators);
            proptest::prop_assert_eq!(got.vips.len(), 1);
            proptest::prop_assert!(vips.insert(got.vips[0].ip.clone()));
        }
    }
}

/// Each case of `upstream-tests/<category>/`: its name, folder and `expected.json`.
fn upstream_cases(category: &str) -> Vec<(String, std::path::PathBuf, Value)> {
    let root = shared_dir()
        .join("conformance/upstream-tests")
        .join(category);
    std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| {
            let dir = entry.unwrap().path();
            let expected =
                serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                    .unwrap();
            let case = dir.file_name().unwrap().to_string_lossy().into_owned();
            (case, dir, expected)
        })
        .collect()
}

/// Upstream's MeshService hostname cases (`upstream-tests/hostname/*`, target MeshService, from
/// Kuma's `meshservice/hostname/generator_test.go`) through the MeshService engine: zone "", no
/// default generators, as upstream's unit test runs. Each case is fed in its order and reversed,
/// since upstream runs the collision case with both insertion orders and creation time decides.
#[test]
fn upstream_mesh_service_hostname_cases() {
    let mut checked = 0;
    for (case, dir, expected) in upstream_cases("hostname") {
        if expected["target"] != "MeshService" {
            continue;
        }
        let input =
            preview_common::resources(&std::fs::read_to_string(dir.join("input.yaml")).unwrap());
        let reversed: Vec<Resource> = input.iter().rev().cloned().collect();
        for (order, resources) in [("as written", input), ("reversed", reversed)] {
            let engine = engine_with("", &resources);
            for (name, want) in expected["meshServices"].as_object().unwrap() {
                let got = status(&engine, "default", name);
                let at = format!("{case} ({order}): {name}");
                let empty = |v: &Value| v.as_array().is_none_or(|a| a.is_empty());
                if want["addressesEmpty"] == true {
                    assert!(empty(&got["addresses"]), "{at}: {got}");
                }
                if want["addressesNonEmpty"] == true {
                    assert!(!empty(&got["addresses"]), "{at}: {got}");
                }
                if want["hostnameGeneratorsEmpty"] == true {
                    assert!(empty(&got["hostnameGenerators"]), "{at}: {got}");
                }
                if want["hostnameGeneratorsNonEmpty"] == true {
                    assert!(!empty(&got["hostnameGenerators"]), "{at}: {got}");
                }
                if let Some(generators) = want.get("hostnameGenerators") {
                    assert_eq!(&got["hostnameGenerators"], generators, "{at}");
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 5, "upstream MeshService hostname cases");
}

/// Upstream's VIP allocator cases (`upstream-tests/vip/*`, Kuma's `vip/allocator_test.go`) through
/// one live MeshService engine: each step creates or deletes a MeshService and a create expects
/// the VIP Kuma's allocator hands out (the first is the CIDR's network address; a deleted
/// service's VIP is not reused while the process lives).
#[test]
fn upstream_vip_allocator_cases() {
    let mut checked = 0;
    for (case, _, expected) in upstream_cases("vip") {
        assert_eq!(expected["resourceKind"], "MeshService", "{case}");
        let options = PreviewOptions {
            mesh_service_cidr: expected["cidr"].as_str().unwrap().parse().unwrap(),
            ..PreviewOptions::default()
        };
        let mut engine = MeshServiceEngine::new("zone-1", &options);
        for step in expected["steps"].as_array().unwrap() {
            let name = step["name"].as_str().unwrap();
            match step["op"].as_str().unwrap() {
                "create" => {
                    engine.apply_all(&[Change::Upsert(local_service(name, "default", "zone-1"))]);
                    assert_eq!(
                        vip(&engine, "default", name),
                        step["expectVip"].as_str().unwrap(),
                        "{case}: {step}"
                    );
                }
                "delete" => {
                    engine.apply_all(&[Change::Remove(key("default", name))]);
                }
                op => panic!("{case}: unknown step {op}"),
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 2, "upstream VIP cases");
}
