//! `kuma-local --kuma-version`: every supported Kuma release is accepted through the core's one
//! version parse, reported at `GET /` as Kuma reports its own version, and its rules apply.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::Cluster;
use kuma_mzs_core::KumaVersion;
use serde_json::json;

fn global(version: KumaVersion) -> Cluster {
    Cluster::global_of(version)
}

#[test]
fn the_index_reports_the_release_the_rules_follow() {
    for version in KumaVersion::ALL {
        let cluster = global(version);
        let (status, index) = cluster.global().anonymous().get("/");
        assert_eq!(status, 200);
        assert_eq!(index["version"], version.release(), "{version}");
        assert!(index.get("basedOnKuma").is_none(), "{version}: {index}");
    }
}

#[test]
fn a_2_14_control_plane_accepts_a_mesh_service_top_level_target_that_3_0_rejects() {
    let mlbs = json!({
        "type": "MeshLoadBalancingStrategy", "mesh": "default", "name": "lb",
        "spec": {
            "targetRef": {"kind": "MeshService", "name": "backend"},
            "to": [{"targetRef": {"kind": "MeshService", "name": "backend"},
                    "default": {"loadBalancer": {"type": "RoundRobin"}}}]
        }
    });
    let path = "/meshes/default/meshloadbalancingstrategies/lb";
    let v2 = global(KumaVersion::V2_14);
    let (status, body) = v2.global().put(path, &mlbs);
    assert!(status == 200 || status == 201, "{status} {body}");
    let v3 = global(KumaVersion::V3_0);
    let (status, body) = v3.global().put(path, &mlbs);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.to_string()
            .contains("value 'MeshService' is not supported"),
        "{body}"
    );
}

/// Kuma 2.9 applies no schema defaults to a REST body: a PUT without `mesh` has an empty mesh,
/// which the URL check refuses (v2.9.13 `resource_name-mesh.golden.json`); 2.10 fills in
/// `default`.
#[test]
fn a_2_9_control_plane_refuses_a_body_without_a_mesh() {
    let body = json!({
        "type": "MeshMultiZoneService", "name": "nomesh",
        "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}},
                 "ports": [{"port": 80}]}
    });
    let path = "/meshes/default/meshmultizoneservices/nomesh";
    let (status, answer) = global(KumaVersion::V2_9).global().put(path, &body);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["invalid_parameters"],
        json!([{"field": "mesh", "reason": "mesh from the URL has to be the same as in body"}]),
        "{answer}"
    );
    let (status, answer) = global(KumaVersion::V2_10).global().put(path, &body);
    assert!(status == 200 || status == 201, "{status} {answer}");
}

/// Kuma's manager validates a create with the request's own labels (the store adds the computed
/// ones after), an update with the stored ones: under 3.0, whose name rule reads the display
/// name and whose store writes the name over it, `a.b` labelled `kuma.io/display-name: ab` is
/// created, stored as `a.b`, and an update of it is refused (HEAD `manager.go` Create/Update).
#[test]
fn a_create_is_validated_with_the_requests_labels_and_an_update_with_the_stored_ones() {
    let body = json!({
        "type": "MeshMultiZoneService", "mesh": "default", "name": "a.b",
        "labels": {"kuma.io/display-name": "ab"},
        "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}},
                 "ports": [{"port": 80}]}
    });
    let path = "/meshes/default/meshmultizoneservices/a.b";
    let cluster = global(KumaVersion::V3_0);
    let (status, answer) = cluster.global().put(path, &body);
    assert_eq!(status, 201, "{answer}");
    let (_, stored) = cluster.global().get(path);
    assert_eq!(stored["labels"]["kuma.io/display-name"], "a.b", "{stored}");
    let (status, answer) = cluster.global().put(path, &body);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["invalid_parameters"][0]["field"], "name", "{answer}");
}

/// Kuma 2.9 answers a write without deprecation warnings, and a delete, with the status alone
/// (no body, no content type); from 2.10 the answer is `{}`.
#[test]
fn a_2_9_write_answers_without_a_body() {
    let body = json!({
        "type": "MeshMultiZoneService", "mesh": "default", "name": "quiet",
        "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}},
                 "ports": [{"port": 80}]}
    });
    let path = "/meshes/default/meshmultizoneservices/quiet";
    let content_type = |headers: &[(String, String)]| {
        headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone())
    };
    let old = global(KumaVersion::V2_9);
    for expected in [201, 200] {
        let (status, headers, text) = old.global().raw("PUT", path, Some(&body.to_string()), &[]);
        assert_eq!((status, text.as_str()), (expected, ""));
        assert_eq!(content_type(&headers), None, "{headers:?}");
    }
    let new = global(KumaVersion::V2_10);
    let (status, headers, text) = new.global().raw("PUT", path, Some(&body.to_string()), &[]);
    assert_eq!((status, text.trim()), (201, "{}"));
    assert_eq!(content_type(&headers).as_deref(), Some("application/json"));

    // A DELETE too: 2.9's handler writes nothing (2.9.19 `deleteResource`), 2.10 answers `{}`
    // (kumahq/kuma#12669).
    let (status, headers, text) = old.global().raw("DELETE", path, None, &[]);
    assert_eq!((status, text.as_str()), (200, ""));
    assert_eq!(content_type(&headers), None, "{headers:?}");
    let (status, headers, text) = new.global().raw("DELETE", path, None, &[]);
    assert_eq!((status, text.trim()), (200, "{}"));
    assert_eq!(content_type(&headers).as_deref(), Some("application/json"));
}

/// Up to 2.11 a port is a Go `uint32`: a negative one passes the schema and the decoder refuses
/// it (v2.11.18 `rest/unmarshaller.go:100`); 2.12 reads an `int32`.
#[test]
fn releases_with_unsigned_ports_refuse_a_negative_one_in_the_decoder() {
    let body = json!({
        "type": "MeshMultiZoneService", "mesh": "default", "name": "neg",
        "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}},
                 "ports": [{"port": -1, "appProtocol": "http"}]}
    });
    let path = "/meshes/default/meshmultizoneservices/neg";
    for version in [KumaVersion::V2_9, KumaVersion::V2_11] {
        let (status, answer) = global(version).global().put(path, &body);
        assert_eq!(status, 400, "{version}: {answer}");
        assert_eq!(
            answer["detail"],
            "invalid MeshMultiZoneService object: \"json: cannot unmarshal number -1 into Go struct field Port.spec.ports.port of type uint32\"",
            "{version}: {answer}"
        );
    }
    let (status, answer) = global(KumaVersion::V2_12).global().put(path, &body);
    assert_eq!(status, 201, "{answer}");
}

#[test]
fn an_unsupported_version_flag_is_refused_with_the_supported_list() {
    let out = Command::new(env!("CARGO_BIN_EXE_kuma-local"))
        .args(["run", "--kuma-version", "2.8"])
        .output()
        .expect("kuma-local runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"2.8\" is not a supported Kuma version") && stderr.contains("3.0, 2.14"),
        "{stderr}"
    );
}

/// An MZS as each release's REST API prints it: from 2.14 one SNI per port whatever the port's
/// name, 2.13 a `kri` and no `snis`, 2.9 to 2.12 neither (kuma-local wrote both everywhere and
/// dropped ports named `Http` or `a.b`); HostnameGenerators follow the same `kri` rule.
#[test]
fn each_release_prints_kri_and_snis_as_that_kuma_does() {
    let mzs = json!({
        "type": "MeshMultiZoneService", "mesh": "default", "name": "snix",
        "spec": {"selector": {"meshService": {"matchLabels": {"x": "y"}}},
                 "ports": [{"name": "Http", "port": 80}, {"name": "a.b", "port": 81}]}
    });
    let path = "/meshes/default/meshmultizoneservices/snix";
    for version in KumaVersion::ALL {
        let cluster = global(version);
        let g = cluster.global();
        let (status, body) = g.put(path, &mzs);
        assert!(status == 200 || status == 201, "{version}: {status} {body}");
        let (status, item) = g.get(path);
        assert_eq!(status, 200, "{version}: {item}");
        let (_, generators) = g.get("/hostnamegenerators");
        let generator = &generators["items"][0];
        assert!(generator.is_object(), "{version}: {generators}");
        match version.minor() {
            (2, 9..=12) => {
                assert!(item.get("kri").is_none(), "{version}: {item}");
                assert!(item.get("snis").is_none(), "{version}: {item}");
                assert!(generator.get("kri").is_none(), "{version}: {generator}");
            }
            (2, 13) => {
                assert_eq!(item["kri"], "kri_mzsvc_default___snix_", "{version}");
                assert!(item.get("snis").is_none(), "{version}: {item}");
                assert!(generator["kri"].is_string(), "{version}: {generator}");
            }
            _ => {
                assert_eq!(item["kri"], "kri_mzsvc_default___snix_", "{version}");
                assert_eq!(
                    item["snis"],
                    json!([
                        {"port": 80, "sni": "sni.mzsvc.default.snix.Http"},
                        {"port": 81, "sni": "sni.mzsvc.default.snix.a.b"}
                    ]),
                    "{version}"
                );
            }
        }
    }
}

/// `?size=0` and `?size=-1` before 2.14: no 400 (the check came with v2.14.0); size 0 lists
/// every item without `next`, a negative size lists none and links an offset moved back.
#[test]
fn before_2_14_size_0_lists_everything_and_from_2_14_it_is_refused() {
    let list = "/meshes/default/meshmultizoneservices";
    for version in [KumaVersion::V2_9, KumaVersion::V2_13, KumaVersion::V2_14] {
        let cluster = global(version);
        let g = cluster.global();
        for i in 0..3 {
            let name = format!("svc-{i}");
            let mzs = json!({
                "type": "MeshMultiZoneService", "mesh": "default", "name": name,
                "spec": {"selector": {"meshService": {"matchLabels": {"x": "y"}}},
                         "ports": [{"port": 80}]}
            });
            let (status, body) = g.put(&format!("{list}/{name}"), &mzs);
            assert!(status == 200 || status == 201, "{version}: {status} {body}");
        }
        let (zero, all) = g.get(&format!("{list}?size=0"));
        let (minus, none) = g.get(&format!("{list}?size=-1"));
        if version >= KumaVersion::V2_14 {
            for (status, body) in [(zero, all), (minus, none)] {
                assert_eq!(status, 400, "{version}: {body}");
                assert_eq!(
                    body["invalid_parameters"][0]["reason"], "must be greater than 0",
                    "{version}: {body}"
                );
            }
            continue;
        }
        assert_eq!(zero, 200, "{version}: {all}");
        assert_eq!(all["total"], 3, "{version}: {all}");
        assert_eq!(all["items"].as_array().map(Vec::len), Some(3), "{all}");
        assert!(all["next"].is_null(), "{version}: {all}");
        assert_eq!(minus, 200, "{version}: {none}");
        assert_eq!(none["total"], 3, "{version}: {none}");
        assert_eq!(none["items"], json!([]), "{version}: {none}");
        let next = none["next"].as_str().unwrap_or_default();
        assert!(next.ends_with("?offset=-1&size=-1"), "{version}: {none}");
    }
}

/// A negative or malformed `offset`, release by release (Kuma's `pagination_store.go` at each
/// tag): 2.9-2.13 take any int (with a negative size it is an empty page whose `next` goes
/// further back; a negative offset with a page to fill panics their handler and Go closes the
/// connection unanswered, where kuma-local answers 2.14's 400 instead), 2.14 refuses a negative
/// one; a non-int is 2.9-2.11's "Invalid
/// offset" or, from 2.12, `strconv.Atoi`'s error. The store reads the offset after the filters
/// and the mesh, so their errors come first.
#[test]
fn each_release_answers_a_negative_or_malformed_offset_as_that_kuma_does() {
    let list = "/meshes/default/meshmultizoneservices";
    for version in KumaVersion::ALL {
        let cluster = global(version);
        let g = cluster.global();
        for i in 0..3 {
            let name = format!("svc-{i}");
            let (status, body) = g.put(
                &format!("{list}/{name}"),
                &common::mzs(&name, &[("x", "y")], &[80]),
            );
            assert!(status == 200 || status == 201, "{version}: {status} {body}");
        }
        let before_2_14 = version < KumaVersion::V2_14;

        // The `next` link of a negative size, followed.
        let (status, page) = g.get(&format!("{list}?offset=-1&size=-1"));
        if before_2_14 {
            assert_eq!(status, 200, "{version}: {page}");
            assert_eq!(page["items"], json!([]), "{version}: {page}");
            assert_eq!(page["total"], 3, "{version}: {page}");
            let next = page["next"].as_str().unwrap_or_default();
            assert!(next.ends_with("?offset=-2&size=-1"), "{version}: {page}");
        } else {
            assert_eq!(status, 400, "{version}: {page}");
        }

        // A negative offset with a page to fill: 2.14's answer on every release (before 2.14
        // Kuma's handler panics and the connection closes unanswered; kuma-local answers).
        let (status, body) = g.get(&format!("{list}?offset=-1"));
        assert_eq!(status, 400, "{version}: {body}");
        assert_eq!(
            body["detail"], "invalid: invalid offset: must be non-negative",
            "{version}: {body}"
        );
        // The server goes on serving.
        assert_eq!(g.get(list).0, 200, "{version}");

        // An offset that is not an int.
        let (status, body) = g.get(&format!("{list}?offset=abc"));
        assert_eq!(status, 400, "{version}: {body}");
        assert_eq!(body["title"], "Could not retrieve resources", "{body}");
        if version < KumaVersion::V2_12 {
            assert_eq!(body["detail"], "Invalid offset", "{version}: {body}");
            assert_eq!(
                body["invalid_parameters"],
                json!([{"field": "offset", "reason": "Invalid format"}]),
                "{version}: {body}"
            );
        } else {
            assert_eq!(
                body["detail"],
                "invalid: invalid offset: strconv.Atoi: parsing \"abc\": invalid syntax",
                "{version}: {body}"
            );
        }

        // The filters and the mesh are checked before the store reads the offset.
        let (status, body) = g.get(&format!("{list}?offset=abc&filter[name]=x"));
        assert_eq!(status, 400, "{version}: {body}");
        assert_eq!(
            body["invalid_parameters"][0]["reason"], "filters are only supported on labels",
            "{version}: {body}"
        );
        let (status, body) = g.get("/meshes/nope/meshmultizoneservices?offset=-1");
        assert_eq!(status, 404, "{version}: {body}");
        assert_eq!(
            body["title"], "Failed to retrieve Mesh",
            "{version}: {body}"
        );
    }
}

/// What a zone of each release writes into an MZS's status (its status engine is the core's):
/// the `MeshServicesMatched` condition from 2.13 (v2.12.14's status updater writes only
/// `meshServices`), and a generated hostname that is not a DNS name (`Team_A.mesh`) recorded
/// as `Generated` before 2.14 and refused with a `TemplateError` from 2.14 (v2.14.0's
/// `EvaluateTemplate`).
#[test]
fn a_zone_of_each_release_writes_that_releases_mzs_status() {
    use kuma_local::server::{Config, Topology};
    let mzs_path = "/meshes/default/meshmultizoneservices";
    let on_zone = format!(
        "{mzs_path}/{}",
        kuma_mzs_core::api::hashed_name("default", "redis", &[])
    );
    for version in [KumaVersion::V2_12, KumaVersion::V2_13, KumaVersion::V2_14] {
        let cluster = Cluster::start(Config {
            topology: Topology::All {
                zones: vec!["east".to_owned()],
            },
            port: 0,
            admin_token: Some("tok".to_owned()),
            kuma_version: version,
            ..Config::default()
        });
        let global = cluster.global();
        let generator = json!({
            "type": "HostnameGenerator", "name": "by-team",
            "spec": {"selector": {"meshMultiZoneService": {"matchLabels": {"team": "Team_A"}}},
                     "template": "{{ label \"team\" }}.mesh"}
        });
        let (status, body) = global.put("/hostnamegenerators/by-team", &generator);
        assert_eq!(status, 201, "{version}: {body}");
        let mut mzs = common::mzs("redis", &[("app", "redis")], &[6379]);
        mzs["labels"] = json!({"team": "Team_A"});
        let (status, body) = global.put(&format!("{mzs_path}/redis"), &mzs);
        assert_eq!(status, 201, "{version}: {body}");
        let east = cluster.zone("east");
        let mut service = common::mesh_service("redis", 6379, "Available");
        service["labels"] = json!({"app": "redis"});
        let (status, body) = east.put("/meshes/default/meshservices/redis", &service);
        assert_eq!(status, 201, "{version}: {body}");
        // The zone holds global's generator under its KDS name, which its status names.
        let by_team_on_zone = kuma_mzs_core::api::hashed_name("", "by-team", &[]);
        let by_team = |status: &serde_json::Value| {
            status["hostnameGenerators"]
                .as_array()
                .and_then(|all| {
                    all.iter()
                        .find(|g| g["hostnameGeneratorRef"]["coreName"] == by_team_on_zone.as_str())
                        .cloned()
                })
                .unwrap_or_default()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            let status = east.get(&on_zone).1["status"].clone();
            let settled = status["meshServices"].as_array().map(Vec::len) == Some(1)
                && !by_team(&status).is_null();
            if settled || std::time::Instant::now() > deadline {
                assert!(settled, "{version}: {status}");
                break status;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let hostnames: Vec<&str> = status["addresses"]
            .as_array()
            .map(|all| all.iter().filter_map(|a| a["hostname"].as_str()).collect())
            .unwrap_or_default();
        let generated = &by_team(&status)["conditions"][0];
        if version >= KumaVersion::V2_13 {
            assert_eq!(
                status["conditions"],
                json!([{"type": "MeshServicesMatched", "status": "True",
                        "reason": "MatchesFound", "message": "Matched 1 MeshService(s)"}]),
                "{version}: {status}"
            );
        } else {
            assert!(status.get("conditions").is_none(), "{version}: {status}");
        }
        if version >= KumaVersion::V2_14 {
            assert_eq!(generated["reason"], "TemplateError", "{version}: {status}");
            assert!(!hostnames.contains(&"Team_A.mesh"), "{version}: {status}");
        } else {
            assert_eq!(generated["status"], "True", "{version}: {status}");
            assert!(hostnames.contains(&"Team_A.mesh"), "{version}: {status}");
        }
    }
}
