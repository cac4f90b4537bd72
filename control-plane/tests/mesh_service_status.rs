//! MeshService status on zones: what a Kuma API client listing MeshServices sees (a VIP from
//! 241.0.0.0/8 and the generated hostnames), computed by each zone for its own services and for
//! the copies it receives from other zones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{mesh_service, wait_until, Client, Cluster};
use kuma_local::server::{Config, Ipam, Topology};
use serde_json::{json, Value};

const MS: &str = "/meshes/default/meshservices";
const WAIT: Duration = Duration::from_secs(5);

fn status(client: &Client, name: &str) -> Value {
    client.get(&format!("{MS}/{name}")).1["status"].clone()
}

fn vip(client: &Client, name: &str) -> String {
    status(client, name)["vips"][0]["ip"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn wait_for_vip(client: &Client, name: &str) -> String {
    wait_until(WAIT, || !vip(client, name).is_empty());
    vip(client, name)
}

/// The store name `zone`'s MeshService `name` has on the other zones (KDS `HashedName`).
fn synced_name(name: &str, zone: &str) -> String {
    kuma_mzs_core::api::hashed_name("default", name, &[zone])
}

fn generator(name: &str, template: &str) -> Value {
    json!({
        "type": "HostnameGenerator",
        "name": name,
        "spec": {"selector": {"meshService": {"matchLabels": {}}}, "template": template},
    })
}

/// The name a zone stores a HostnameGenerator written on global under (Kuma's KDS hash suffix),
/// which its statuses' `coreName` give.
fn on_zone(generator: &str) -> String {
    kuma_mzs_core::api::hashed_name("", generator, &[])
}

fn generated(status: &Value, generator: &str) -> Value {
    status["hostnameGenerators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["hostnameGeneratorRef"]["coreName"] == generator)
        .map(|g| g["conditions"][0].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn each_zone_gives_its_own_and_synced_services_a_vip_and_kumas_default_hostname() {
    let cluster = Cluster::federation(&["zone-1", "zone-2"]);
    let zone1 = cluster.zone("zone-1");
    let zone2 = cluster.zone("zone-2");
    let (code, _) = zone1.put(
        &format!("{MS}/redis"),
        &mesh_service("redis", 6379, "Available"),
    );
    assert_eq!(code, 201);

    // The owning zone: a VIP from 241.0.0.0/8 and `local-universal-mesh-service`.
    let local_vip = wait_for_vip(&zone1, "redis");
    assert_eq!(local_vip, "241.0.0.0");
    wait_until(WAIT, || status(&zone1, "redis")["addresses"].is_array());
    assert_eq!(
        status(&zone1, "redis"),
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
            // Kuma renders these Go structs even when empty (upstream REST goldens).
            "tls": {},
            "dataplaneProxies": {},
        })
    );

    // The other zone allocates its own VIP for the copy and names the owning zone.
    let copy = synced_name("redis", "zone-1");
    wait_until(WAIT, || zone2.get(&format!("{MS}/{copy}")).0 == 200);
    zone2.put(
        &format!("{MS}/web"),
        &mesh_service("web", 8080, "Available"),
    );
    let copy_vip = wait_for_vip(&zone2, &copy);
    assert!(copy_vip.starts_with("241."), "{copy_vip}");
    assert_ne!(copy_vip, wait_for_vip(&zone2, "web"));
    wait_until(WAIT, || status(&zone2, &copy)["addresses"].is_array());
    let copy_status = status(&zone2, &copy);
    // Global's default generator, as the zone stores it: under its KDS name.
    let synced_universal = on_zone("synced-universal-mesh-service");
    assert_eq!(
        copy_status["addresses"],
        json!([{
            "hostname": "redis.svc.zone-1.mesh.local",
            "origin": "HostnameGenerator",
            "hostnameGeneratorRef": {"coreName": synced_universal},
        }])
    );
    assert_eq!(generated(&copy_status, &synced_universal)["status"], "True");

    // Global's copy holds the status the owning zone computed, not another zone's.
    let global = cluster.global();
    wait_until(WAIT, || {
        global.get(&format!("{MS}/{copy}")).1["status"] == status(&zone1, "redis")
    });
    assert_ne!(status(&global, &copy), copy_status);
    let (_, listed) = zone1.get(MS);
    let listed_redis = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "redis")
        .cloned()
        .unwrap();
    assert_eq!(listed_redis["status"]["vips"][0]["ip"], "241.0.0.0");

    // An update (on the owning zone, synced again) keeps both zones' VIPs.
    zone1.put(
        &format!("{MS}/redis"),
        &mesh_service("redis", 6380, "Available"),
    );
    wait_until(WAIT, || {
        zone2.get(&format!("{MS}/{copy}")).1["spec"]["ports"][0]["port"] == 6380
    });
    assert_eq!(vip(&zone1, "redis"), local_vip);
    assert_eq!(vip(&zone2, &copy), copy_vip);
}

/// Kuma's KDS sends a zone's MeshServices to global with their status, and global updates its
/// copy when that status changes (v2.14.3 `pkg/kds/util/resource.go:57-72`,
/// `pkg/kds/v2/store/sync.go:232-234`; upstream e2e `multizone/meshservice/sync.go` "MeshService
/// is synced to global with the original status", `status.vips` from 241.0.0.). Only the
/// global -> zone direction drops it: every other zone computes its own.
#[test]
fn global_keeps_the_status_the_owning_zone_computed_and_follows_its_changes() {
    let cluster = Cluster::federation(&["zone-1", "zone-2"]);
    let global = cluster.global();
    let zone1 = cluster.zone("zone-1");
    let zone2 = cluster.zone("zone-2");
    assert_eq!(
        zone1
            .put(
                &format!("{MS}/redis"),
                &mesh_service("redis", 6379, "Available")
            )
            .0,
        201
    );
    wait_until(WAIT, || status(&zone1, "redis")["addresses"].is_array());
    let copy = synced_name("redis", "zone-1");
    wait_until(WAIT, || status(&global, &copy) == status(&zone1, "redis"));
    let on_global = status(&global, &copy);
    assert!(
        on_global["vips"][0]["ip"]
            .as_str()
            .is_some_and(|ip| ip.starts_with("241.0.0.")),
        "{on_global}"
    );
    assert_eq!(
        on_global["addresses"][0]["hostname"],
        "redis.svc.mesh.local"
    );
    assert_eq!(
        generated(&on_global, "local-universal-mesh-service")["status"],
        "True"
    );
    // The other zone's copy has that zone's own status.
    wait_until(WAIT, || status(&zone2, &copy)["addresses"].is_array());
    assert_eq!(
        status(&zone2, &copy)["addresses"][0]["hostname"],
        "redis.svc.zone-1.mesh.local"
    );

    // The owning zone's status changes (a generator of its own adds a hostname): global's
    // copy follows, as a status write (its ETag, the spec version, stays).
    let (_, headers, _) = global.raw("GET", &format!("{MS}/{copy}"), None, &[]);
    let etag = |headers: &[(String, String)]| {
        headers
            .iter()
            .find(|(k, _)| k == "etag")
            .map(|(_, v)| v.clone())
    };
    let etag_before = etag(&headers);
    let modified_before = global.get(&format!("{MS}/{copy}")).1["modificationTime"].clone();
    let (code, body) = zone1.put(
        "/hostnamegenerators/team",
        &generator("team", "{{ .DisplayName }}.team.local"),
    );
    assert_eq!(code, 201, "{body}");
    let has_team_hostname = |status: &Value| {
        status["addresses"]
            .as_array()
            .is_some_and(|a| a.iter().any(|h| h["hostname"] == "redis.team.local"))
    };
    wait_until(WAIT, || has_team_hostname(&status(&zone1, "redis")));
    wait_until(WAIT, || status(&global, &copy) == status(&zone1, "redis"));
    assert!(has_team_hostname(&status(&global, &copy)));
    let (_, headers, text) = global.raw("GET", &format!("{MS}/{copy}"), None, &[]);
    assert_eq!(etag(&headers), etag_before);
    let after: Value = serde_json::from_str(&text).unwrap();
    assert_ne!(after["modificationTime"], modified_before);
    // A zone's generators stay on global: zone-2 computes no such hostname for its copy.
    assert!(!has_team_hostname(&status(&zone2, &copy)));
}

#[test]
fn hostname_collisions_and_template_errors_are_conditions() {
    let cluster = Cluster::federation(&["zone-1"]);
    let global = cluster.global();
    let zone1 = cluster.zone("zone-1");
    for (name, template) in [
        ("shared", "{{ .Mesh }}.shared.mesh.local"),
        ("broken", "{{ label \"team\" }}.mesh.local"),
    ] {
        let (code, body) = global.put(
            &format!("/hostnamegenerators/{name}"),
            &generator(name, template),
        );
        assert_eq!(code, 201, "{body}");
    }
    wait_until(WAIT, || {
        zone1
            .get(&format!("/hostnamegenerators/{}", on_zone("broken")))
            .0
            == 200
    });
    for name in ["a", "b"] {
        zone1.put(
            &format!("{MS}/{name}"),
            &mesh_service(name, 80, "Available"),
        );
    }
    wait_until(WAIT, || {
        generated(&status(&zone1, "b"), &on_zone("shared"))["reason"] == "Collision"
    });
    let a = status(&zone1, "a");
    assert_eq!(generated(&a, &on_zone("shared"))["status"], "True");
    assert!(a["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["hostname"] == "default.shared.mesh.local"));
    let b = status(&zone1, "b");
    assert_eq!(
        generated(&b, &on_zone("shared")),
        json!({
            "type": "Generated", "status": "False", "reason": "Collision",
            "message": "Hostname collision with MeshService: b",
        })
    );
    let broken = generated(&b, &on_zone("broken"));
    assert_eq!(broken["status"], "False");
    assert_eq!(broken["reason"], "TemplateError");
    assert!(
        broken["message"]
            .as_str()
            .unwrap()
            .starts_with("pre evaluation of template with parameters failed with error="),
        "{broken}"
    );
    // The owner goes: `b` takes the hostname.
    assert_eq!(zone1.delete(&format!("{MS}/a")).0, 200);
    wait_until(WAIT, || {
        generated(&status(&zone1, "b"), &on_zone("shared"))["reason"] == "Generated"
    });
    // Fixing the generator on global clears the error on the zone.
    global.put(
        "/hostnamegenerators/broken",
        &generator("broken", "{{ .DisplayName }}.fixed.mesh.local"),
    );
    wait_until(WAIT, || {
        generated(&status(&zone1, "b"), &on_zone("broken"))["reason"] == "Generated"
    });
    assert!(status(&zone1, "b")["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["hostname"] == "b.fixed.mesh.local"));
}

#[test]
fn the_service_created_first_keeps_a_colliding_hostname_whatever_its_name() {
    // Kuma orders services by creation time, then by name: `b`, created before `a`, keeps
    // the hostname both render, and `a` gets the Collision condition.
    let cluster = Cluster::federation(&["zone-1"]);
    let global = cluster.global();
    let zone1 = cluster.zone("zone-1");
    let (code, body) = global.put(
        "/hostnamegenerators/shared",
        &generator("shared", "{{ .Mesh }}.shared.mesh.local"),
    );
    assert_eq!(code, 201, "{body}");
    wait_until(WAIT, || {
        zone1
            .get(&format!("/hostnamegenerators/{}", on_zone("shared")))
            .0
            == 200
    });
    zone1.put(&format!("{MS}/b"), &mesh_service("b", 80, "Available"));
    wait_until(WAIT, || {
        generated(&status(&zone1, "b"), &on_zone("shared"))["reason"] == "Generated"
    });
    zone1.put(&format!("{MS}/a"), &mesh_service("a", 80, "Available"));
    wait_until(WAIT, || {
        generated(&status(&zone1, "a"), &on_zone("shared"))["reason"] == "Collision"
    });
    assert_eq!(
        generated(&status(&zone1, "b"), &on_zone("shared"))["reason"],
        "Generated"
    );
    assert_eq!(
        generated(&status(&zone1, "a"), &on_zone("shared"))["message"],
        "Hostname collision with MeshService: a"
    );
}

#[test]
fn a_deleted_services_vip_is_not_reused_while_the_process_lives() {
    let cluster = Cluster::federation(&["zone-1"]);
    let zone1 = cluster.zone("zone-1");
    zone1.put(&format!("{MS}/a"), &mesh_service("a", 80, "Available"));
    assert_eq!(wait_for_vip(&zone1, "a"), "241.0.0.0");
    assert_eq!(zone1.delete(&format!("{MS}/a")).0, 200);
    zone1.put(&format!("{MS}/b"), &mesh_service("b", 80, "Available"));
    assert_eq!(wait_for_vip(&zone1, "b"), "241.0.0.1");
    zone1.put(&format!("{MS}/a"), &mesh_service("a", 80, "Available"));
    assert_eq!(wait_for_vip(&zone1, "a"), "241.0.0.2");
}

#[test]
fn vips_survive_a_restart_on_the_same_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = || Config {
        topology: Topology::Zone {
            name: "zone-1".to_owned(),
            global: None,
        },
        port: 0,
        data_dir: Some(dir.path().to_owned()),
        admin_token: Some("test-token".to_owned()),
        ..Config::default()
    };
    let before: Vec<String> = {
        let cluster = Cluster::start(config());
        let zone1 = cluster.zone("zone-1");
        for name in ["c", "b", "a"] {
            zone1.put(
                &format!("{MS}/{name}"),
                &mesh_service(name, 80, "Available"),
            );
            wait_for_vip(&zone1, name);
        }
        ["a", "b", "c"].iter().map(|n| vip(&zone1, n)).collect()
    };
    // Created c, b, a: handed out in that order.
    assert_eq!(before, ["241.0.0.2", "241.0.0.1", "241.0.0.0"]);
    let cluster = Cluster::start(config());
    let zone1 = cluster.zone("zone-1");
    zone1.put(&format!("{MS}/d"), &mesh_service("d", 80, "Available"));
    assert_eq!(wait_for_vip(&zone1, "d"), "241.0.0.3");
    let after: Vec<String> = ["a", "b", "c"].iter().map(|n| vip(&zone1, n)).collect();
    assert_eq!(after, before);
    assert_eq!(
        status(&zone1, "a")["addresses"][0]["hostname"],
        "a.svc.mesh.local"
    );
}

#[test]
fn zones_draw_vips_from_the_configured_ipam_ranges_and_refuse_overlapping_ones() {
    let net = |s: &str| s.parse::<ipnet::Ipv4Net>().unwrap();
    let zone = |ipam: Ipam| Config {
        topology: Topology::Zone {
            name: "zone-1".to_owned(),
            global: None,
        },
        port: 0,
        admin_token: Some("test-token".to_owned()),
        ipam,
        ..Config::default()
    };
    let cluster = Cluster::start(zone(Ipam {
        mesh_service_cidr: net("10.1.0.0/16"),
        mzs_cidr: net("10.2.0.0/16"),
    }));
    let zone1 = cluster.zone("zone-1");
    zone1.put(
        &format!("{MS}/redis"),
        &mesh_service("redis", 6379, "Available"),
    );
    assert_eq!(wait_for_vip(&zone1, "redis"), "10.1.0.0");
    let (code, _) = zone1.put(
        "/meshes/default/meshmultizoneservices/redis",
        &common::mzs("redis", &[("kuma.io/display-name", "redis")], &[6379]),
    );
    assert_eq!(code, 201);
    let mzs_vip = || {
        zone1.get("/meshes/default/meshmultizoneservices/redis").1["status"]["vips"][0]["ip"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    wait_until(WAIT, || !mzs_vip().is_empty());
    assert_eq!(mzs_vip(), "10.2.0.0");

    // Kuma would let both types share addresses; kuma-local refuses to start.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let refused = runtime.block_on(kuma_local::start(zone(Ipam {
        mesh_service_cidr: net("10.0.0.0/8"),
        mzs_cidr: net("10.2.0.0/16"),
    })));
    assert_eq!(
        refused.err().map(|e| e.to_string()),
        Some("ipam.meshService.cidr 10.0.0.0/8 overlaps ipam.meshMultiZoneService.cidr 10.2.0.0/16: a MeshService and a MeshMultiZoneService could get the same VIP".to_owned())
    );
}
