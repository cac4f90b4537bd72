//! Federation: what is written where, how it travels, and the status each zone computes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{mesh_service, mzs, wait_until, Cluster};
use kuma_mzs_core::api::ZONE_READ_ONLY_MESSAGE;
use kuma_mzs_core::KumaVersion;
use serde_json::Value;

const MZS: &str = "/meshes/default/meshmultizoneservices";
const MS: &str = "/meshes/default/meshservices";
const WAIT: Duration = Duration::from_secs(5);

/// Where a zone stores an MZS made on global: Kuma's KDS renames mesh-scoped resources it sends
/// to zones to `<name>-<hash>` (the `hash-suffix` feature) and keeps the name as display name.
fn on_zone(name: &str) -> String {
    format!(
        "{MZS}/{}",
        kuma_mzs_core::api::hashed_name("default", name, &[])
    )
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn writing_an_mzs_on_a_zone_is_405_with_kumas_message() {
    let cluster = Cluster::federation(&["east"]);
    let east = cluster.zone("east");
    let (status, body) = east.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("app", "redis")], &[6379]),
    );
    assert_eq!(status, 405);
    assert_eq!(body["title"], "Method not allowed");
    assert_eq!(body["detail"], ZONE_READ_ONLY_MESSAGE);
    assert_eq!(body["details"], ZONE_READ_ONLY_MESSAGE);
    let (status, _) = east.delete(&format!("{MZS}/redis"));
    assert_eq!(status, 405);
    // MeshServices are zone resources: global refuses them.
    let (status, _) = cluster.global().put(
        &format!("{MS}/redis"),
        &mesh_service("redis", 6379, "Available"),
    );
    assert_eq!(status, 405);
}

#[test]
fn mzs_syncs_to_every_zone_with_status_only_there_and_deletes_follow() {
    let cluster = Cluster::federation(&["east", "west"]);
    let global = cluster.global();
    let (status, _) = global.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("kuma.io/display-name", "redis")], &[6379]),
    );
    assert_eq!(status, 201);
    for zone in ["east", "west"] {
        let client = cluster.zone(zone);
        wait_until(WAIT, || client.get(&on_zone("redis")).0 == 200);
        let (_, body) = client.get(&on_zone("redis"));
        assert_eq!(body["labels"]["kuma.io/origin"], "global");
        assert_eq!(body["labels"]["kuma.io/display-name"], "redis");
        assert_eq!(
            body["name"],
            kuma_mzs_core::api::hashed_name("default", "redis", &[])
        );
        // Identity that users see stays the global one.
        assert_eq!(body["kri"], "kri_mzsvc_default___redis_");
        assert_eq!(body["snis"][0]["sni"], "sni.mzsvc.default.redis.6379");
        // Under the global name there is nothing on a zone, as in Kuma.
        assert_eq!(client.get(&format!("{MZS}/redis")).0, 404);
        let by_display = client.get(&format!("{MZS}?filter[labels.kuma.io/display-name]=redis"));
        assert_eq!(by_display.1["total"], 1);
        // Each zone allocates its own VIP and computes its own condition.
        wait_until(WAIT, || {
            client.get(&on_zone("redis")).1["status"]["vips"][0]["ip"].is_string()
        });
    }
    let (_, on_global) = global.get(&format!("{MZS}/redis"));
    assert_eq!(on_global["status"], serde_json::json!({}));
    // An update on global reaches the zones and keeps each zone's VIP.
    let east = cluster.zone("east");
    let vip_before = east.get(&on_zone("redis")).1["status"]["vips"].clone();
    let (status, _) = global.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("kuma.io/display-name", "redis")], &[6379, 6380]),
    );
    assert_eq!(status, 200);
    wait_until(WAIT, || {
        east.get(&on_zone("redis")).1["spec"]["ports"]
            .as_array()
            .is_some_and(|p| p.len() == 2)
    });
    assert_eq!(east.get(&on_zone("redis")).1["status"]["vips"], vip_before);
    // Delete on global deletes on every zone.
    assert_eq!(global.delete(&format!("{MZS}/redis")).0, 200);
    for zone in ["east", "west"] {
        let client = cluster.zone(zone);
        wait_until(WAIT, || client.get(&on_zone("redis")).0 == 404);
    }
}

#[test]
fn mesh_services_flow_zone_to_global_to_other_zones_and_deletes_follow() {
    let cluster = Cluster::federation(&["east", "west"]);
    let east = cluster.zone("east");
    let (status, _) = east.put(
        &format!("{MS}/redis"),
        &mesh_service("redis", 6379, "Available"),
    );
    assert_eq!(status, 201);
    let (_, local) = east.get(&format!("{MS}/redis"));
    assert_eq!(local["labels"]["kuma.io/origin"], "zone");
    assert_eq!(local["labels"]["kuma.io/zone"], "east");

    let global = cluster.global();
    let filter = format!("{MS}?filter[labels.kuma.io/display-name]=redis");
    wait_until(WAIT, || global.get(&filter).1["total"] == 1);
    let on_global = items(&global.get(&filter).1).remove(0);
    let hashed = on_global["name"].as_str().unwrap().to_owned();
    assert_eq!(
        hashed,
        kuma_mzs_core::api::hashed_name("default", "redis", &["east"])
    );
    assert_eq!(on_global["labels"]["kuma.io/origin"], "zone");
    assert_eq!(on_global["labels"]["kuma.io/zone"], "east");

    let west = cluster.zone("west");
    wait_until(WAIT, || west.get(&format!("{MS}/{hashed}")).0 == 200);
    let on_west = west.get(&format!("{MS}/{hashed}")).1;
    assert_eq!(on_west["labels"]["kuma.io/origin"], "global");
    assert_eq!(on_west["labels"]["kuma.io/zone"], "east");
    assert_eq!(on_west["labels"]["kuma.io/display-name"], "redis");
    // The owning zone does not get its own service back.
    assert_eq!(east.get(&format!("{MS}/{hashed}")).0, 404);
    // West may not delete east's service: it is global's copy there (Kuma 2.14+), and nothing
    // would bring it back.
    let (status, refused) = west.delete(&format!("{MS}/{hashed}"));
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["title"], "Could not delete a resource");
    assert_eq!(
        refused["invalid_parameters"][0]["reason"],
        "the origin label must be set to 'zone'"
    );
    assert_eq!(west.get(&format!("{MS}/{hashed}")).0, 200);
    // Nor may a zone write a resource that claims to come from global.
    let mut claims_global = mesh_service("other", 6379, "Available");
    claims_global["labels"] = serde_json::json!({"kuma.io/origin": "global"});
    assert_eq!(west.put(&format!("{MS}/other"), &claims_global).0, 400);

    assert_eq!(east.delete(&format!("{MS}/redis")).0, 200);
    wait_until(WAIT, || global.get(&filter).1["total"] == 0);
    wait_until(WAIT, || west.get(&format!("{MS}/{hashed}")).0 == 404);
}

#[test]
fn a_zones_hostname_generators_reach_global_and_stay_there() {
    // Kuma's HostnameGenerator travels zone -> global (`ZoneToGlobalFlag`) but not on to other
    // zones: global lists every zone's generators, its own defaults included, under their KDS
    // names; deletes follow.
    let cluster = Cluster::federation(&["east", "west"]);
    let (east, west, global) = (cluster.zone("east"), cluster.zone("west"), cluster.global());
    let generator = serde_json::json!({
        "type": "HostnameGenerator", "name": "team",
        "spec": {
            "selector": {"meshService": {"matchLabels": {"team": "a"}}},
            "template": "{{ .DisplayName }}.team.mesh.local",
        },
    });
    let (status, body) = east.put("/hostnamegenerators/team", &generator);
    assert_eq!(status, 201, "{body}");
    let hashed = kuma_mzs_core::api::hashed_name("", "team", &["east"]);
    let on_global = format!("/hostnamegenerators/{hashed}");
    wait_until(WAIT, || global.get(&on_global).0 == 200);
    let copy = global.get(&on_global).1;
    assert_eq!(copy["labels"]["kuma.io/origin"], "zone");
    assert_eq!(copy["labels"]["kuma.io/zone"], "east");
    assert_eq!(copy["labels"]["kuma.io/display-name"], "team");
    assert_eq!(
        copy["spec"]["template"],
        "{{ .DisplayName }}.team.mesh.local"
    );
    // The zone's own defaults travel too, as Kuma's carry `kuma.io/origin: zone`.
    let default_copy =
        kuma_mzs_core::api::hashed_name("", "local-universal-mesh-service", &["west"]);
    wait_until(WAIT, || {
        global.get(&format!("/hostnamegenerators/{default_copy}")).0 == 200
    });
    // Global keeps them: no zone receives another zone's generators (nor its own back). A
    // generator written on global afterwards reaching west shows west has pulled past them.
    let mut later = generator.clone();
    later["name"] = "later".into();
    assert_eq!(global.put("/hostnamegenerators/later", &later).0, 201);
    let later_on_zones = format!(
        "/hostnamegenerators/{}",
        kuma_mzs_core::api::hashed_name("", "later", &[])
    );
    wait_until(WAIT, || west.get(&later_on_zones).0 == 200);
    wait_until(WAIT, || east.get(&later_on_zones).0 == 200);
    let on_zone = |zone: &common::Client| zone.get(&on_global).0;
    assert_eq!((on_zone(&west), on_zone(&east)), (404, 404));
    assert_eq!(east.delete("/hostnamegenerators/team").0, 200);
    wait_until(WAIT, || global.get(&on_global).0 == 404);
}

#[test]
fn global_hostname_generators_reach_zones_under_their_kds_name_and_statuses_name_it() {
    // Kuma's global -> zone `HashSuffixMapper` renames every type but Mesh (`SkipKDSHash`), the
    // global-scoped HostnameGenerator included: a zone stores global's `short` as
    // `HashedName("", "short")`, and its statuses' `coreName` say so; updates and deletes on
    // global reach that copy.
    let cluster = Cluster::federation(&["east", "west"]);
    let global = cluster.global();
    let generator = |template: &str| {
        serde_json::json!({
            "type": "HostnameGenerator", "name": "short",
            "spec": {
                "selector": {"meshMultiZoneService": {"matchLabels": {"kuma.io/origin": "global"}}},
                "template": template,
            },
        })
    };
    assert_eq!(
        global
            .put(
                "/hostnamegenerators/short",
                &generator("{{ .DisplayName }}.short")
            )
            .0,
        201
    );
    let (status, _) = global.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("kuma.io/display-name", "redis")], &[6379]),
    );
    assert_eq!(status, 201);
    let short = kuma_mzs_core::api::hashed_name("", "short", &[]);
    let default = kuma_mzs_core::api::hashed_name("", "synced-mesh-multi-zone-service", &[]);
    for zone in ["east", "west"] {
        let client = cluster.zone(zone);
        wait_until(WAIT, || {
            client.get(&format!("/hostnamegenerators/{short}")).0 == 200
        });
        let copy = client.get(&format!("/hostnamegenerators/{short}")).1;
        assert_eq!(copy["labels"]["kuma.io/origin"], "global");
        assert_eq!(copy["labels"]["kuma.io/display-name"], "short");
        // Nothing under the global name; global's defaults are renamed too, a zone's own keep
        // theirs.
        assert_eq!(client.get("/hostnamegenerators/short").0, 404);
        let (_, listed) = client.get("/hostnamegenerators");
        let names: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["name"].as_str())
            .collect();
        assert!(names.contains(&default.as_str()), "{names:?}");
        assert!(names.contains(&"local-universal-mesh-service"), "{names:?}");
        assert!(
            !names.contains(&"synced-mesh-multi-zone-service"),
            "{names:?}"
        );
        // The zone's status names the generators as the zone stores them, in name order.
        wait_until(WAIT, || {
            client.get(&on_zone("redis")).1["status"]["addresses"]
                .as_array()
                .is_some_and(|a| a.len() == 2)
        });
        let status = client.get(&on_zone("redis")).1["status"].clone();
        let mut expected = vec![
            (default.clone(), "redis.mzsvc.mesh.local"),
            (short.clone(), "redis.short"),
        ];
        expected.sort();
        let addresses: Vec<(String, &str)> = status["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["hostnameGeneratorRef"]["coreName"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    a["hostname"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(addresses, expected, "{status}");
        let refs: Vec<&str> = status["hostnameGenerators"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["hostnameGeneratorRef"]["coreName"].as_str())
            .collect();
        assert_eq!(
            refs,
            expected.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()
        );
    }
    // An update on global reaches the renamed copy (no second copy under the plain name).
    assert_eq!(
        global
            .put(
                "/hostnamegenerators/short",
                &generator("{{ .DisplayName }}.shorter")
            )
            .0,
        200
    );
    let east = cluster.zone("east");
    wait_until(WAIT, || {
        east.get(&on_zone("redis")).1["status"]["addresses"]
            .as_array()
            .is_some_and(|a| a.iter().any(|a| a["hostname"] == "redis.shorter"))
    });
    assert_eq!(east.get("/hostnamegenerators/short").0, 404);
    // A delete on global removes it from every zone, and the hostname with it.
    assert_eq!(global.delete("/hostnamegenerators/short").0, 200);
    for zone in ["east", "west"] {
        let client = cluster.zone(zone);
        wait_until(WAIT, || {
            client.get(&format!("/hostnamegenerators/{short}")).0 == 404
        });
        wait_until(WAIT, || {
            client.get(&on_zone("redis")).1["status"]["addresses"]
                .as_array()
                .is_some_and(|a| a.len() == 1)
        });
    }
}

#[test]
fn a_zones_load_balancing_strategy_reaches_global_and_stays_there() {
    // MeshLoadBalancingStrategy has Kuma's `ZoneToGlobalFlag` and `SyncedAcrossZonesFlag`, but
    // global sends a zone's policy on only when it is a producer policy (v2.14.3
    // `pkg/kds/context/context.go:296-326`), and a universal zone computes no role (`system`):
    // a policy written on east is stored on global under its KDS name and no other zone gets it;
    // deletes follow.
    let cluster = Cluster::federation(&["east", "west"]);
    let (east, west, global) = (cluster.zone("east"), cluster.zone("west"), cluster.global());
    let policy = serde_json::json!({
        "type": "MeshLoadBalancingStrategy", "mesh": "default", "name": "lb",
        "spec": {
            "targetRef": {"kind": "Mesh"},
            "to": [{"targetRef": {"kind": "Mesh"}, "default": {"loadBalancer": {"type": "RoundRobin"}}}],
        },
    });
    const MLBS: &str = "/meshes/default/meshloadbalancingstrategies";
    let (status, body) = east.put(&format!("{MLBS}/lb"), &policy);
    assert_eq!(status, 201, "{body}");
    // Written on the zone: the zone's labels, so its KRI names the zone.
    let (_, local) = east.get(&format!("{MLBS}/lb"));
    assert_eq!(local["labels"]["kuma.io/zone"], "east", "{local}");
    assert_eq!(local["labels"]["kuma.io/env"], "universal", "{local}");
    let hashed = kuma_mzs_core::api::hashed_name("default", "lb", &["east"]);
    wait_until(WAIT, || global.get(&format!("{MLBS}/{hashed}")).0 == 200);
    let on_global = global.get(&format!("{MLBS}/{hashed}")).1;
    assert_eq!(on_global["labels"]["kuma.io/origin"], "zone");
    assert_eq!(on_global["labels"]["kuma.io/zone"], "east");
    // A policy written on global afterwards reaching west shows west has pulled past it.
    let mut later = policy.clone();
    later["name"] = "later".into();
    assert_eq!(global.put(&format!("{MLBS}/later"), &later).0, 201);
    let later_on_zone = kuma_mzs_core::api::hashed_name("default", "later", &[]);
    wait_until(WAIT, || {
        west.get(&format!("{MLBS}/{later_on_zone}")).0 == 200
    });
    assert_eq!(west.get(&format!("{MLBS}/{hashed}")).0, 404);
    assert_eq!(east.get(&format!("{MLBS}/{hashed}")).0, 404);
    assert_eq!(east.delete(&format!("{MLBS}/lb")).0, 200);
    wait_until(WAIT, || global.get(&format!("{MLBS}/{hashed}")).0 == 404);
}

#[test]
fn a_zones_producer_policy_reaches_the_other_zones_on_2x() {
    // Kuma 2.x stores a written `kuma.io/policy-role` (the REST check's result is dropped), so a
    // policy declared `producer`, with a namespace its `to` entries fit, is one global sends on
    // to the other zones (not back to its own).
    let cluster = Cluster::federation_of(&["east", "west"], KumaVersion::V2_14);
    let (east, west, global) = (cluster.zone("east"), cluster.zone("west"), cluster.global());
    let policy = serde_json::json!({
        "type": "MeshLoadBalancingStrategy", "mesh": "default", "name": "lb",
        "labels": {"kuma.io/policy-role": "producer", "k8s.kuma.io/namespace": "kuma-demo"},
        "spec": {
            "targetRef": {"kind": "Mesh"},
            "to": [{"targetRef": {"kind": "MeshService", "name": "redis"}, "default": {"loadBalancer": {"type": "RoundRobin"}}}],
        },
    });
    const MLBS: &str = "/meshes/default/meshloadbalancingstrategies";
    let (status, body) = east.put(&format!("{MLBS}/lb"), &policy);
    assert_eq!(status, 201, "{body}");
    let hashed = kuma_mzs_core::api::hashed_name("default", "lb", &["east", "kuma-demo"]);
    wait_until(WAIT, || west.get(&format!("{MLBS}/{hashed}")).0 == 200);
    let on_west = west.get(&format!("{MLBS}/{hashed}")).1;
    assert_eq!(on_west["labels"]["kuma.io/origin"], "global");
    assert_eq!(on_west["labels"]["kuma.io/display-name"], "lb");
    assert_eq!(global.get(&format!("{MLBS}/{hashed}")).0, 200);
    assert_eq!(east.get(&format!("{MLBS}/{hashed}")).0, 404);
    assert_eq!(east.delete(&format!("{MLBS}/lb")).0, 200);
    wait_until(WAIT, || west.get(&format!("{MLBS}/{hashed}")).0 == 404);
}

fn matched(client: &common::Client, name: &str) -> Vec<(String, String)> {
    let (_, body) = client.get(&on_zone(name));
    body["status"]["meshServices"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|m| {
                    (
                        m["name"].as_str().unwrap_or("").to_owned(),
                        m["zone"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_zone_converges_on_the_same_matches_with_its_own_vip() {
    let cluster = Cluster::federation(&["east", "west"]);
    let global = cluster.global();
    global.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("kuma.io/display-name", "redis")], &[6379]),
    );
    for zone in ["east", "west"] {
        let (status, _) = cluster.zone(zone).put(
            &format!("{MS}/redis"),
            &mesh_service("redis", 6379, "Available"),
        );
        assert_eq!(status, 201);
    }
    let expected = vec![
        ("redis".to_owned(), "east".to_owned()),
        ("redis".to_owned(), "west".to_owned()),
    ];
    for zone in ["east", "west"] {
        let client = cluster.zone(zone);
        wait_until(WAIT, || matched(&client, "redis") == expected);
        let (_, body) = client.get(&on_zone("redis"));
        let status = &body["status"];
        assert_eq!(status["conditions"][0]["type"], "MeshServicesMatched");
        assert_eq!(status["conditions"][0]["status"], "True");
        assert_eq!(
            status["conditions"][0]["message"],
            "Matched 2 MeshService(s)"
        );
        assert!(status["vips"][0]["ip"]
            .as_str()
            .unwrap()
            .starts_with("243."));
        assert_eq!(status["addresses"][0]["hostname"], "redis.mzsvc.mesh.local");
    }
    // Removing a zone's service updates every zone.
    cluster.zone("west").delete(&format!("{MS}/redis"));
    for zone in ["east", "west"] {
        let client = cluster.zone(zone);
        wait_until(WAIT, || {
            matched(&client, "redis") == vec![("redis".to_owned(), "east".to_owned())]
        });
    }
}

#[test]
fn a_zone_process_federates_over_http() {
    use kuma_local::server::{Config, RemoteGlobal, Topology};
    let global = Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        admin_token: Some("shared".to_owned()),
        ..Config::default()
    });
    let global_url = global.info().global.clone().unwrap();
    let zone = Cluster::start(Config {
        topology: Topology::Zone {
            name: "east".to_owned(),
            global: Some(RemoteGlobal {
                url: global_url,
                token: None,
                ca_cert: None,
            }),
        },
        port: 0,
        admin_token: Some("shared".to_owned()),
        ..Config::default()
    });
    let east = zone.zone("east");
    let g = global.global();
    // Its configuration names the global it reaches, as Kuma's `GET /config` does.
    let config = east.get("/config").1;
    assert_eq!(config["mode"], "zone");
    assert_eq!(
        config["multizone"]["zone"]["globalAddress"],
        global.info().global.clone().unwrap().as_str()
    );
    g.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("app", "redis")], &[6379]),
    );
    wait_until(WAIT, || east.get(&on_zone("redis")).0 == 200);
    east.put(
        &format!("{MS}/redis"),
        &mesh_service("redis", 6379, "Available"),
    );
    wait_until(WAIT, || g.get(MS).1["total"] == 1);
    assert_eq!(
        east.put(&format!("{MZS}/x"), &mzs("x", &[("a", "b")], &[1]))
            .0,
        405
    );
    g.delete(&format!("{MZS}/redis"));
    wait_until(WAIT, || east.get(&on_zone("redis")).0 == 404);
}

/// `--allow-anonymous-localhost` is Kuma's `localhostIsAdmin`, an API-server filter (v2.14.3
/// `pkg/api-server/server.go` lines 124-127): it never opens the KDS calls, where a zone token or
/// the admin token is needed even from loopback, so a zone with a wrong token does not sync.
#[test]
fn allow_anonymous_localhost_does_not_open_kds_to_a_wrong_zone_token() {
    use common::Client;
    use kuma_local::server::{Config, RemoteGlobal, Topology};
    let global = Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        admin_token: Some("shared".to_owned()),
        allow_anonymous_localhost: true,
        ..Config::default()
    });
    let global_url = global.info().global.clone().unwrap();
    let g = global.global();
    // The API: a direct loopback request is the admin, whatever its token.
    assert_eq!(
        Client::new(&global_url, "garbage-token").get("/meshes").0,
        200
    );
    // KDS: anything but the admin token or this zone's token is 401, another zone's name 403.
    let pull = "/_kds/v1/pull?zone=east&wait=0";
    let (status, body) = Client::new(&global_url, "garbage-token").get(pull);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["title"], "Invalid authentication data");
    let (status, body) = g.anonymous().get(pull);
    assert_eq!(status, 401, "{body}");
    let push = r#"{"zone":"east","full":false,"upserts":[],"deletes":[]}"#;
    let garbage = Client::new(&global_url, "garbage-token");
    assert_eq!(garbage.raw("POST", "/_kds/v1/push", Some(push), &[]).0, 401);
    assert_eq!(
        g.anonymous()
            .raw("POST", "/_kds/v1/push", Some(push), &[])
            .0,
        401
    );
    let (status, _, token) = g.raw("POST", "/tokens/zone", Some(r#"{"zone":"east"}"#), &[]);
    assert_eq!(status, 200, "{token}");
    let east_token = Client::new(&global_url, &token);
    assert_eq!(east_token.get(pull).0, 200);
    assert_eq!(east_token.get("/_kds/v1/pull?zone=west&wait=0").0, 403);
    assert_eq!(g.get(pull).0, 200);

    // A zone started with `--global-token garbage-token` is refused and says so.
    g.put(
        &format!("{MZS}/redis"),
        &mzs("redis", &[("app", "redis")], &[6379]),
    );
    let zone = Cluster::start_unchecked(Config {
        topology: Topology::Zone {
            name: "east".to_owned(),
            global: Some(RemoteGlobal {
                url: global_url,
                token: Some("garbage-token".to_owned()),
                ca_cert: None,
            }),
        },
        port: 0,
        admin_token: Some("zone".to_owned()),
        ..Config::default()
    });
    let east = zone.zone("east");
    wait_until(Duration::from_secs(10), || {
        let (status, _, text) = east.raw("GET", "/ready", None, &[]);
        status == 503 && text.contains("refused the pull: 401 Unauthorized")
    });
    // Nothing came from global: not even the MZS's mesh.
    let (status, body) = east.get(&on_zone("redis"));
    assert_eq!(status, 404, "{body}");
    assert_eq!(east.get("/meshmultizoneservices").1["total"], 0);
}

#[test]
fn deleting_a_mesh_on_global_removes_what_zones_hold_in_it() {
    let cluster = Cluster::federation(&["east", "west"]);
    let global = cluster.global();
    let (status, _) = global.put(
        "/meshes/m2",
        &serde_json::json!({"type": "Mesh", "name": "m2"}),
    );
    assert_eq!(status, 201);
    let east = cluster.zone("east");
    wait_until(WAIT, || east.get("/meshes/m2").0 == 200);
    let mut service = mesh_service("s", 80, "Available");
    service["mesh"] = "m2".into();
    assert_eq!(east.put("/meshes/m2/meshservices/s", &service).0, 201);
    let west = cluster.zone("west");
    let synced = format!(
        "/meshes/m2/meshservices/{}",
        kuma_mzs_core::api::hashed_name("m2", "s", &["east"])
    );
    wait_until(WAIT, || west.get(&synced).0 == 200);

    assert_eq!(global.delete("/meshes/m2").0, 200);
    // East's own service goes with its mesh, as Kuma's store deletes what a Mesh owns.
    wait_until(WAIT, || east.get("/meshes/m2").0 == 404);
    // (Under a missing mesh every request is a 404, so look across meshes.)
    let in_m2 = |client: &common::Client| {
        items(&client.get("/meshservices").1)
            .iter()
            .filter(|s| s["mesh"] == "m2")
            .count()
    };
    wait_until(WAIT, || in_m2(&east) == 0);
    wait_until(WAIT, || in_m2(&west) == 0);
    assert_eq!(east.get("/meshes/m2/meshservices").0, 404);
}

#[test]
fn an_mzs_with_a_zone_label_has_one_copy_per_zone_and_its_delete_reaches_them() {
    // A `kuma.io/zone` label on an MZS is the user's (MZS only come from global) and is part of
    // its KDS name: adding it renames the zone copy, deleting the MZS must find the copy.
    let cluster = Cluster::federation(&["east"]);
    let global = cluster.global();
    let east = cluster.zone("east");
    let copies = || {
        items(
            &east
                .get(&format!("{MZS}?filter[labels.kuma.io/display-name]=orph"))
                .1,
        )
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>()
    };
    let plain = mzs("orph", &[("app", "orph")], &[80]);
    assert_eq!(global.put(&format!("{MZS}/orph"), &plain).0, 201);
    wait_until(WAIT, || copies().len() == 1);
    let before = copies();
    let mut labelled = plain.clone();
    labelled["labels"] = serde_json::json!({"kuma.io/zone": "foo"});
    assert_eq!(global.put(&format!("{MZS}/orph"), &labelled).0, 200);
    wait_until(WAIT, || copies().len() == 1 && copies() != before);
    assert_eq!(
        copies(),
        vec![kuma_mzs_core::api::hashed_name("default", "orph", &["foo"])]
    );
    assert_eq!(global.delete(&format!("{MZS}/orph")).0, 200);
    wait_until(WAIT, || copies().is_empty());
}
