//! Helpers shared by the preview tests: universal-format YAML into typed resources (the real
//! decoder lives in `decode`; these tests only need trusted, well-formed input).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use kuma_mzs_core::model::{Meta, Resource, Spec};
use kuma_mzs_core::syntax;

/// Every document of a universal-format YAML text.
pub fn resources(yaml: &str) -> Vec<Resource> {
    let parsed = syntax::parse(yaml, &syntax::Limits::default());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed
        .documents
        .iter()
        .map(|d| resource(d.root.to_json()))
        .collect()
}

/// One universal-format resource from JSON.
pub fn resource(json: serde_json::Value) -> Resource {
    let kind = json["type"].as_str().expect("type").to_owned();
    let meta = Meta {
        name: json["name"].as_str().expect("name").to_owned(),
        mesh: json["mesh"].as_str().unwrap_or_default().to_owned(),
        labels: serde_json::from_value(json.get("labels").cloned().unwrap_or_default())
            .unwrap_or_default(),
        creation_time: json["creationTime"].as_str().map(str::to_owned),
    };
    let spec_json = json
        .get("spec")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let spec = match kind.as_str() {
        "Mesh" => Spec::Mesh(spec_json),
        "MeshService" => Spec::MeshService(serde_json::from_value(spec_json).unwrap()),
        "MeshMultiZoneService" => {
            Spec::MeshMultiZoneService(serde_json::from_value(spec_json).unwrap())
        }
        "HostnameGenerator" => Spec::HostnameGenerator(serde_json::from_value(spec_json).unwrap()),
        "MeshLoadBalancingStrategy" => {
            Spec::MeshLoadBalancingStrategy(serde_json::from_value(spec_json).unwrap())
        }
        other => panic!("unknown type {other}"),
    };
    Resource {
        meta,
        spec,
        status: json.get("status").cloned(),
    }
}

/// The Kuma docs' example: `redis` MeshServices in `east` and `west`, grouped by an MZS, as
/// `east` stores them: its own `redis`, and west's under the KDS name global gave it
/// (`HashedName(default, redis, west)`), keeping `kuma.io/display-name: redis`. (A display name
/// written by hand that differs from the name is one only 2.x keeps; 3.0 writes the name.)
pub const REDIS: &str = r#"
type: Mesh
name: default
---
type: MeshService
name: redis
mesh: default
labels:
  kuma.io/display-name: redis
  kuma.io/zone: east
  kuma.io/mesh: default
  kuma.io/origin: zone
spec:
  state: Available
  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp
---
type: MeshService
name: redis-f8xz8bddwx8b5c22
mesh: default
labels:
  kuma.io/display-name: redis
  kuma.io/zone: west
  kuma.io/mesh: default
  kuma.io/origin: global
spec:
  state: Available
  ports:
  - port: 6379
    targetPort: 6379
    appProtocol: tcp
---
type: MeshMultiZoneService
name: redis
mesh: default
labels:
  kuma.io/origin: global
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: redis
  ports:
  - port: 6379
    appProtocol: tcp
"#;
