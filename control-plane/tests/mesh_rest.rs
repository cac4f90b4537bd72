//! Mesh bodies on PUT and GET as Kuma's release answers them: fields the release's Mesh does not
//! have are dropped, the Mesh validator and the mesh manager's checks refuse what Kuma refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Client, Cluster};
use kuma_mzs_core::KumaVersion;
use serde_json::{json, Value};

fn global(version: KumaVersion) -> Cluster {
    Cluster::global_of(version)
}

fn mesh(name: &str, spec: Value) -> Value {
    let mut body = json!({"type": "Mesh", "name": name});
    if let (Value::Object(body), Value::Object(spec)) = (&mut body, spec) {
        body.extend(spec);
    }
    body
}

fn params(error: &Value) -> Vec<(String, String)> {
    error["invalid_parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["field"].as_str().unwrap().to_owned(),
                        p["reason"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn put(g: &Client, name: &str, spec: Value) -> (u16, Value) {
    g.put(&format!("/meshes/{name}"), &mesh(name, spec))
}

#[test]
fn a_3_0_mesh_keeps_only_the_fields_kuma_3_0_has() {
    let cluster = global(KumaVersion::V3_0);
    let g = cluster.global();
    let spec = json!({
        "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]},
        "routing": {"zoneEgress": true},
        "meshServices": {"mode": "Exclusive"},
        "skipCreatingInitialPolicies": ["*"],
    });
    assert_eq!(put(&g, "m1", spec).0, 201);
    let (status, got) = g.get("/meshes/m1");
    assert_eq!(status, 200);
    assert!(got.get("mtls").is_none(), "{got}");
    assert!(got.get("routing").is_none(), "{got}");
    assert!(got.get("meshServices").is_none(), "{got}");
    assert_eq!(got["skipCreatingInitialPolicies"], json!(["*"]));
}

#[test]
fn a_2_14_mesh_keeps_its_mtls_and_drops_unknown_fields() {
    let cluster = global(KumaVersion::V2_14);
    let g = cluster.global();
    let spec = json!({
        "mtls": {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]},
        "noSuchField": 1,
    });
    assert_eq!(put(&g, "m1", spec).0, 201);
    let (_, got) = g.get("/meshes/m1");
    assert_eq!(got["mtls"]["enabledBackend"], "ca-1");
    assert!(got.get("noSuchField").is_none(), "{got}");
}

#[test]
fn a_3_0_mesh_name_must_be_an_rfc_1035_label() {
    let cluster = global(KumaVersion::V3_0);
    let g = cluster.global();
    let (status, e) = put(&g, "1mesh", json!({}));
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["title"], "Failed to create a resource");
    assert_eq!(e["detail"], "Resource is not valid");
    let ps = params(&e);
    assert_eq!(ps.len(), 1, "{e}");
    assert_eq!(ps[0].0, "name");
    assert!(
        ps[0]
            .1
            .starts_with("a DNS-1035 label must consist of lower case alphanumeric characters"),
        "{e}"
    );
    assert_eq!(g.get("/meshes/1mesh").0, 404);
    // 2.14 has no such rule.
    let cluster = global(KumaVersion::V2_14);
    assert_eq!(put(&cluster.global(), "1mesh", json!({})).0, 201);
}

#[test]
fn a_2_x_mesh_with_invalid_mtls_backend_refs_is_refused() {
    let cluster = global(KumaVersion::V2_14);
    let g = cluster.global();
    // The validator while decoding the body.
    let (status, e) = put(
        &g,
        "m1",
        json!({"mtls": {"enabledBackend": "nope", "backends": [{"name": "ca-1", "type": "builtin"}]}}),
    );
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["title"], "Could not process a resource");
    assert_eq!(
        params(&e),
        [(
            "mtls.enabledBackend".to_owned(),
            "has to be set to one of the backends in the mesh".to_owned()
        )]
    );
    let (status, e) = put(&g, "m1", json!({"routing": {"zoneEgress": true}}));
    assert_eq!(status, 400, "{e}");
    assert_eq!(
        params(&e),
        [(
            "mtls".to_owned(),
            "has to be set when zoneEgress enabled".to_owned()
        )]
    );
    // The mesh manager: an unknown CA plugin.
    let (status, e) = put(
        &g,
        "m1",
        json!({"mtls": {"backends": [{"name": "ca-1", "type": "vault"}]}}),
    );
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["title"], "Failed to create a resource");
    assert_eq!(
        params(&e),
        [(
            "mtls.backends[0].type".to_owned(),
            "could not find installed plugin for this type".to_owned()
        )]
    );
    // Changing the CA while mTLS is enabled.
    let ca = |name: &str| json!({"mtls": {"enabledBackend": name, "backends": [{"name": name, "type": "builtin"}]}});
    assert_eq!(put(&g, "m1", ca("ca-1")).0, 201);
    let (status, e) = put(&g, "m1", ca("ca-2"));
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["title"], "Failed to update a resource");
    assert_eq!(
        params(&e),
        [(
            "mtls.enabledBackend".to_owned(),
            "Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA"
                .to_owned()
        )]
    );
}

#[test]
fn a_mesh_has_its_kri_from_2_13() {
    for (version, kri) in [
        (KumaVersion::V3_0, Some("kri_m____default_")),
        (KumaVersion::V2_13, Some("kri_m____default_")),
        (KumaVersion::V2_12, None),
    ] {
        let cluster = global(version);
        let g = cluster.global();
        let (status, got) = g.get("/meshes/default");
        assert_eq!(status, 200);
        assert_eq!(got["kri"].as_str(), kri, "{version}: {got}");
        let (_, list) = g.get("/meshes");
        assert_eq!(list["items"][0]["kri"].as_str(), kri, "{version}");
        // And the KRI finds it (the route exists from 2.13).
        let (status, found) = g.get("/_kri/kri_m____default_");
        if kri.is_some() {
            assert_eq!((status, found["name"].as_str()), (200, Some("default")));
        } else {
            assert_eq!(status, 404);
        }
    }
}

#[test]
fn a_2_x_mesh_with_a_logging_backend_kuma_refuses_is_refused() {
    let cluster = global(KumaVersion::V2_9);
    let g = cluster.global();
    let spec = json!({"logging": {"defaultBackend": "file", "backends": [
        {"name": "tcp", "type": "tcp", "conf": {"address": "logstash"}}]}});
    let (status, e) = put(&g, "m1", spec.clone());
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["title"], "Could not process a resource");
    assert_eq!(
        params(&e),
        [
            (
                "logging.backends[0].config.address".to_owned(),
                "has to be in format of HOST:PORT".to_owned()
            ),
            (
                "logging.defaultBackend".to_owned(),
                "has to be set to one of the logging backend in mesh".to_owned()
            ),
        ]
    );
    // 3.0 has no `logging`: dropped, not checked.
    let cluster = global(KumaVersion::V3_0);
    assert_eq!(put(&cluster.global(), "m1", spec).0, 201);
}

#[test]
fn a_null_mesh_body_is_read_as_an_empty_one() {
    for version in [KumaVersion::V2_14, KumaVersion::V3_0] {
        let cluster = global(version);
        let g = cluster.global();
        let empty = g.put("/meshes/m9", &json!({}));
        assert_eq!(empty.0, 400, "{}", empty.1);
        assert_eq!(g.put("/meshes/m9", &Value::Null), empty);
    }
}
