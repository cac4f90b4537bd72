//! kuma-local answers as Kuma does where a client can tell: content negotiation, the resource
//! type list, the `_hostnames` route per release, the labels a zone computes and the defaults
//! it creates.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{mzs, Cluster};
use kuma_local::server::{Config, Topology};
use kuma_mzs_core::KumaVersion;
use serde_json::json;

const MZS: &str = "/meshes/default/meshmultizoneservices";

fn global_of(version: KumaVersion) -> Cluster {
    Cluster::start(Config {
        topology: Topology::Global,
        port: 0,
        admin_token: Some("tok".to_owned()),
        kuma_version: version,
        ..Config::default()
    })
}

/// One HTTP/1.1 request written by hand (the test client always sends a JSON Content-Type).
fn send(base: &str, token: &str, head: &str, body: &str) -> (u16, String, String) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let request = format!(
        "{head}\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n{body}"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (headers, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = headers[9..12].parse().unwrap();
    let content_type = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-type: "))
        .unwrap_or("")
        .to_owned();
    (status, content_type, body.to_owned())
}

#[test]
fn a_put_without_a_json_content_type_is_415_and_a_foreign_accept_406() {
    let cluster = global_of(KumaVersion::V3_0);
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]).to_string();
    let length = body.len();
    let path = format!("{MZS}/redis");
    // No Content-Type: go-restful reads `application/octet-stream`.
    let (status, content_type, text) = send(
        &g.base,
        "tok",
        &format!("PUT {path} HTTP/1.1\r\nContent-Length: {length}"),
        &body,
    );
    assert_eq!(
        (status, text.as_str()),
        (415, "415: Unsupported Media Type")
    );
    assert_eq!(content_type, "text/plain; charset=utf-8");
    // What `curl -d` sends.
    let (status, _, text) = send(
        &g.base,
        "tok",
        &format!(
            "PUT {path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}"
        ),
        &body,
    );
    assert_eq!(
        (status, text.as_str()),
        (415, "415: Unsupported Media Type")
    );
    assert_eq!(g.get(&path).0, 404, "nothing was stored");
    let (status, _, text) = send(
        &g.base,
        "tok",
        &format!("GET {MZS} HTTP/1.1\r\nAccept: text/html"),
        "",
    );
    assert_eq!(status, 406);
    assert_eq!(
        text,
        "406: Not Acceptable\n\nAvailable representations: application/json"
    );
    // JSON with a charset, and a browser's Accept, are fine.
    let (status, _, _) = send(
        &g.base,
        "tok",
        &format!(
            "PUT {path} HTTP/1.1\r\nContent-Type: application/json; charset=utf-8\r\nAccept: text/html,*/*;q=0.8\r\nContent-Length: {length}"
        ),
        &body,
    );
    assert_eq!(status, 201);
    // Unknown paths and methods are refused before the media types are looked at.
    let (status, _, _) = send(
        &g.base,
        "tok",
        "GET /nope/a/b HTTP/1.1\r\nAccept: text/html",
        "",
    );
    assert_eq!(status, 404);
    // kuma-local's own KDS and readiness routes are not Kuma's.
    let (status, _, _) = send(
        &g.base,
        "tok",
        "GET /ready HTTP/1.1\r\nAccept: text/html",
        "",
    );
    assert_eq!(status, 200);
}

#[test]
fn resource_types_are_listed() {
    let cluster = global_of(KumaVersion::V2_14);
    let (status, body) = cluster.global().get("/_resources");
    assert_eq!(status, 200);
    let types: Vec<(&str, &str)> = body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("HostnameGenerator", "hostnamegenerators"),
            ("Mesh", "meshes"),
            ("MeshLoadBalancingStrategy", "meshloadbalancingstrategies"),
            ("MeshMultiZoneService", "meshmultizoneservices"),
            ("MeshService", "meshservices"),
        ]
    );
}

#[test]
fn the_hostnames_route_exists_from_2_10() {
    for (version, expected) in [(KumaVersion::V2_9, 404), (KumaVersion::V2_10, 200)] {
        let cluster = global_of(version);
        let g = cluster.global();
        assert_eq!(
            g.put(
                &format!("{MZS}/redis"),
                &mzs("redis", &[("app", "redis")], &[6379])
            )
            .0,
            201
        );
        let (status, body) = g.get(&format!("{MZS}/redis/_hostnames"));
        assert_eq!(status, expected, "{version}: {body}");
        if expected == 404 {
            assert_eq!(body, g.get("/meshes/default/nothing/a/b").1, "unknown path");
        }
    }
}

#[test]
fn a_2x_global_stores_no_origin_and_its_defaults_reapply() {
    for version in [KumaVersion::V2_13, KumaVersion::V2_14] {
        let cluster = global_of(version);
        let g = cluster.global();
        assert_eq!(
            g.put(
                &format!("{MZS}/redis"),
                &mzs("redis", &[("app", "redis")], &[6379])
            )
            .0,
            201
        );
        let (_, stored) = g.get(&format!("{MZS}/redis"));
        assert!(stored["labels"].get("kuma.io/origin").is_none(), "{stored}");
        let (_, default) = g.get("/hostnamegenerators/synced-mesh-multi-zone-service");
        assert!(
            default
                .get("labels")
                .is_none_or(|l| l.as_object().is_some_and(|m| m.is_empty())),
            "{default}"
        );
        let (_, mesh) = g.get("/meshes/default");
        assert!(
            mesh.get("labels")
                .is_none_or(|l| l.as_object().is_some_and(|m| m.is_empty())),
            "{mesh}"
        );
        // The documented spec, PUT back without labels: an ordinary update.
        let reapplied = json!({
            "type": "HostnameGenerator", "name": "synced-mesh-multi-zone-service",
            "spec": default["spec"],
        });
        let (status, body) = g.put(
            "/hostnamegenerators/synced-mesh-multi-zone-service",
            &reapplied,
        );
        assert_eq!(status, 200, "{version}: {body}");
    }
}

#[test]
fn a_zones_generators_and_policies_carry_its_zone_and_env_and_their_kri_finds_them() {
    let cluster = Cluster::start(Config {
        topology: Topology::Zone {
            name: "east".to_owned(),
            global: None,
        },
        port: 0,
        admin_token: Some("tok".to_owned()),
        ..Config::default()
    });
    let z = cluster.zone("east");
    let generator = json!({
        "type": "HostnameGenerator", "name": "myhg",
        "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "template": "{{ .DisplayName }}.x"},
    });
    assert_eq!(z.put("/hostnamegenerators/myhg", &generator).0, 201);
    let (_, stored) = z.get("/hostnamegenerators/myhg");
    assert_eq!(stored["labels"]["kuma.io/zone"], "east", "{stored}");
    assert_eq!(stored["labels"]["kuma.io/env"], "universal", "{stored}");
    assert_eq!(stored["labels"]["kuma.io/origin"], "zone", "{stored}");
    let (status, found) = z.get("/_kri/kri_hg__east__myhg_");
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["name"], "myhg");
    let policy = json!({
        "type": "MeshLoadBalancingStrategy", "mesh": "default", "name": "lb",
        "spec": {"targetRef": {"kind": "Mesh"}, "to": [{"targetRef": {"kind": "Mesh"}, "default": {}}]},
    });
    let mlbs = "/meshes/default/meshloadbalancingstrategies/lb";
    assert_eq!(z.put(mlbs, &policy).0, 201);
    let (_, stored) = z.get(mlbs);
    assert_eq!(stored["labels"]["kuma.io/zone"], "east", "{stored}");
    let (status, _) = z.get("/_kri/kri_mlbs_default_east__lb_");
    assert_eq!(status, 200);
}

/// `?format=kubernetes` as a universal Kuma infers it (`NewInferenceMapper`): Go's field order,
/// the system namespace unless `?namespace=` (or the KRI) names one, only the mesh label, the
/// creation time in whole seconds; a HostnameGenerator's empty mesh label until 2.14.
#[test]
fn the_kubernetes_format_is_kumas_inferred_object_at_every_release() {
    for version in KumaVersion::ALL {
        let cluster = global_of(version);
        let g = cluster.global();
        let mut body = mzs("redis", &[("app", "redis")], &[6379]);
        body["labels"] = json!({"team": "core"});
        assert_eq!(g.put(&format!("{MZS}/redis"), &body).0, 201);
        let (_, universal) = g.get(&format!("{MZS}/redis"));
        let created = universal["creationTime"].as_str().unwrap().to_owned();
        // kuma-local stores UTC with a fraction; Kubernetes prints the whole second.
        let seconds = format!("{}Z", &created[..19]);
        let (status, _, text) = g.raw("GET", &format!("{MZS}/redis?format=k8s"), None, &[]);
        assert_eq!(status, 200, "{version:?}: {text}");
        // Go's field order, pretty-printed as go-restful writes every response.
        let head = format!(
            "{{\n \"kind\": \"MeshMultiZoneService\",\n \"apiVersion\": \"kuma.io/v1alpha1\",\n \"metadata\": {{\n  \"name\": \"redis\",\n  \"namespace\": \"kuma-system\",\n  \"creationTimestamp\": \"{seconds}\",\n  \"labels\": {{\n   \"kuma.io/mesh\": \"default\"\n  }}\n }},\n \"spec\": {{"
        );
        assert!(text.starts_with(&head), "{version:?}: {text}");
        let k8s: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(k8s["spec"], universal["spec"], "{version:?}");
        assert_eq!(k8s["status"], universal["status"], "{version:?}");
        assert_eq!(
            g.get(&format!("{MZS}/redis?format=kubernetes&namespace=shop"))
                .1["metadata"]["namespace"],
            "shop",
            "{version:?}"
        );

        let generator = json!({"type": "HostnameGenerator", "name": "hg",
            "spec": {"selector": {"meshMultiZoneService": {"matchLabels": {"app": "redis"}}},
                     "template": "{{ .DisplayName }}.mzs"}});
        assert_eq!(g.put("/hostnamegenerators/hg", &generator).0, 201);
        let (_, hg) = g.get("/hostnamegenerators/hg?format=kubernetes");
        let labels = &hg["metadata"]["labels"];
        if version < KumaVersion::V2_14 {
            assert_eq!(*labels, json!({"kuma.io/mesh": ""}), "{version:?}");
        } else {
            assert!(labels.is_null(), "{version:?}: {hg}");
        }
        assert_eq!(hg["metadata"]["namespace"], "kuma-system", "{version:?}");
        assert!(hg.get("status").is_none(), "{version:?}: {hg}");

        // A Mesh is cluster-scoped: no namespace even when asked, no labels, fields in `spec`.
        let (_, mesh) = g.get("/meshes/default?format=k8s&namespace=shop");
        assert_eq!(mesh["kind"], "Mesh", "{version:?}");
        let metadata = mesh["metadata"].as_object().unwrap();
        assert!(metadata.get("namespace").is_none(), "{version:?}: {mesh}");
        assert!(metadata.get("labels").is_none(), "{version:?}: {mesh}");
        assert_eq!(metadata["name"], "default", "{version:?}");
        assert!(mesh["spec"].is_object(), "{version:?}: {mesh}");

        // Lists ignore `format` (and `namespace`), as Kuma's list handler never reads them.
        let (_, list) = g.get(&format!("{MZS}?format=kubernetes&namespace=shop"));
        assert_eq!(
            list["items"][0]["type"], "MeshMultiZoneService",
            "{version:?}"
        );
    }
}

/// On `/_kri/{kri}` (2.13 on) the object goes into the KRI's namespace, not `?namespace=`.
#[test]
fn the_kri_endpoint_puts_the_kubernetes_shape_in_the_kris_namespace() {
    let cluster = global_of(KumaVersion::V2_14);
    let g = cluster.global();
    let body = mzs("redis", &[("app", "redis")], &[6379]);
    assert_eq!(g.put(&format!("{MZS}/redis"), &body).0, 201);
    let (status, k8s) = g.get("/_kri/kri_mzsvc_default___redis_?format=k8s&namespace=shop");
    assert_eq!(status, 200, "{k8s}");
    assert_eq!(k8s["metadata"]["namespace"], "kuma-system");
    let (_, k8s) = g.get("/_kri/kri_mzsvc_default__apps_redis_?format=k8s");
    assert_eq!(k8s["metadata"]["name"], "redis");
    assert_eq!(k8s["metadata"]["namespace"], "apps");
}
