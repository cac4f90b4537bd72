//! JSON Schemas (draft-07) for every resource kind, in both document shapes, generated from the
//! documented field tree ([`crate::model::field_tree`]) for generic YAML tooling (monaco-yaml,
//! yaml-language-server).

use serde_json::{json, Map, Value};

use crate::model::field_tree::{kind, top_level, Field, Ty};
use crate::model::{KumaVersion, ResourceType};
use crate::Shape;

/// The JSON Schema (draft-07) of `resource_type`: either document shape.
pub fn json_schema(resource_type: ResourceType, version: KumaVersion) -> Value {
    let kind = kind(resource_type);
    let name = resource_type.name();
    let universal = object_schema(
        &top_level(kind, Shape::Universal),
        version,
        Some(("type", name)),
        !kind.free_form,
    );
    let kubernetes = object_schema(
        &top_level(kind, Shape::Kubernetes),
        version,
        Some(("kind", name)),
        true,
    );
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": format!("https://kuma-mzs.invalid/schema/{}.json", resource_type.path_segment()),
        "title": name,
        "description": kind.doc,
        "anyOf": [
            with_title(universal, &format!("{name} (universal: kumactl, REST API)")),
            with_title(kubernetes, &format!("{name} (Kubernetes)")),
        ],
    })
}

/// Every kind's JSON Schema, keyed by kind name (sorted).
pub fn json_schemas(version: KumaVersion) -> Map<String, Value> {
    let mut map = Map::new();
    let mut types = ResourceType::ALL;
    crate::text::sort::sort_by_key(&mut types, |t| t.name());
    for t in types {
        map.insert(t.name().to_owned(), json_schema(t, version));
    }
    map
}

fn with_title(mut schema: Value, title: &str) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("title".to_owned(), Value::String(title.to_owned()));
    }
    schema
}

fn object_schema(
    fields: &[Field],
    version: KumaVersion,
    pin: Option<(&str, &str)>,
    closed: bool,
) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in fields.iter().filter(|f| f.exists_in(version)) {
        let mut schema = field_schema(f, version);
        if let (Some((key, value)), Value::Object(map)) = (pin, &mut schema) {
            if f.name == key {
                map.insert("enum".to_owned(), json!([value]));
            }
        }
        properties.insert(f.name.to_owned(), schema);
        if f.required_in(version) {
            required.push(Value::String(f.name.to_owned()));
        }
    }
    let mut map = Map::new();
    map.insert("type".to_owned(), json!("object"));
    map.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        map.insert("required".to_owned(), Value::Array(required));
    }
    if closed {
        map.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    Value::Object(map)
}

fn type_schema(ty: &Ty, version: KumaVersion) -> Value {
    match ty {
        Ty::String => json!({"type": "string"}),
        Ty::Int32 => json!({"type": "integer", "format": "int32"}),
        Ty::Boolean => json!({"type": "boolean"}),
        Ty::IntOrString => json!({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        Ty::Object(fields) => object_schema(fields, version, None, true),
        Ty::StringMap => json!({"type": "object", "additionalProperties": {"type": "string"}}),
        Ty::Array(item) => json!({"type": "array", "items": type_schema(item, version)}),
        Ty::Any => json!({}),
    }
}

fn field_schema(field: &Field, version: KumaVersion) -> Value {
    let mut schema = type_schema(&field.ty, version);
    if let Value::Object(map) = &mut schema {
        map.insert(
            "description".to_owned(),
            Value::String(field.doc.to_owned()),
        );
        let values = field.values_for(version);
        if !values.is_empty() {
            // An array field's values are its items' (`proxyTypes`).
            match map.get_mut("items") {
                Some(Value::Object(items)) => items.insert("enum".to_owned(), json!(values)),
                _ => map.insert("enum".to_owned(), json!(values)),
            };
        }
        if let Some(default) = field.default {
            map.insert("default".to_owned(), Value::String(default.to_owned()));
        }
        if let Some((minimum, maximum)) = field.bounds {
            map.insert("minimum".to_owned(), json!(minimum));
            if let Some(maximum) = maximum {
                map.insert("maximum".to_owned(), json!(maximum));
            }
        }
        if field.read_only {
            map.insert("readOnly".to_owned(), Value::Bool(true));
        }
        // Kubernetes object metadata has many more fields than the ones documented here
        // (`uid`, `resourceVersion`, `ownerReferences`, `managedFields`, ... in every
        // `kubectl get -o yaml`), all of which the API server accepts.
        if field.name == "metadata" {
            map.remove("additionalProperties");
        }
        if field.name == "ports" && matches!(field.ty, Ty::Array(_)) && field.required {
            map.insert("minItems".to_owned(), json!(1));
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_types_follow_the_release_and_sizes_carry_kumas_bounds() {
        let identity_type = |version| {
            json_schema(ResourceType::MeshService, version)["anyOf"][0]["properties"]["spec"]
                ["properties"]["identities"]["items"]["properties"]["type"]["enum"]
                .clone()
        };
        assert_eq!(identity_type(KumaVersion::V2_11), json!(["ServiceTag"]));
        assert_eq!(
            identity_type(KumaVersion::V2_12),
            json!(["ServiceTag", "SpiffeID"])
        );
        assert_eq!(identity_type(KumaVersion::V3_0), json!(["SpiffeID"]));
        let load_balancer = json_schema(ResourceType::MeshLoadBalancingStrategy, KumaVersion::V3_0)
            ["anyOf"][0]["properties"]["spec"]["properties"]["to"]["items"]["properties"]
            ["default"]["properties"]["loadBalancer"]["properties"]
            .clone();
        let choice = &load_balancer["leastRequest"]["properties"]["choiceCount"];
        assert_eq!(
            (&choice["minimum"], choice.get("maximum")),
            (&json!(2), None)
        );
        let table = &load_balancer["maglev"]["properties"]["tableSize"];
        assert_eq!(
            (&table["minimum"], &table["maximum"]),
            (&json!(1), &json!(5_000_011))
        );
    }

    #[test]
    fn kubernetes_metadata_takes_what_kubectl_get_prints() {
        let schema = json_schema(ResourceType::MeshMultiZoneService, KumaVersion::V3_0);
        let shapes = schema["anyOf"].as_array().cloned().unwrap_or_default();
        let metadata = shapes
            .iter()
            .find_map(|s| s["properties"].get("metadata"))
            .cloned()
            .unwrap_or_default();
        assert!(
            metadata["properties"].get("namespace").is_some(),
            "{metadata}"
        );
        assert!(metadata.get("additionalProperties").is_none(), "{metadata}");
        // The spec stays closed: a typo there is what the schema is for.
        let spec = shapes
            .iter()
            .find_map(|s| s["properties"].get("spec"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(spec["additionalProperties"], json!(false), "{spec}");
    }

    #[test]
    fn dataplane_tags_are_a_kuma_2x_field() {
        let selector = |version| {
            json_schema(ResourceType::MeshService, version)["anyOf"][0]["properties"]["spec"]
                ["properties"]["selector"]["properties"]
                .clone()
        };
        assert!(selector(KumaVersion::V2_14).get("dataplaneTags").is_some());
        assert!(selector(KumaVersion::V3_0).get("dataplaneTags").is_none());
        assert!(selector(KumaVersion::V3_0).get("dataplaneLabels").is_some());
    }

    #[test]
    fn fields_and_required_lists_follow_the_release() {
        let spec = |t, version| json_schema(t, version)["anyOf"][0]["properties"]["spec"].clone();
        let hg = |version| spec(ResourceType::HostnameGenerator, version);
        assert_eq!(hg(KumaVersion::V2_11).get("required"), None);
        assert_eq!(hg(KumaVersion::V2_12)["required"], json!(["template"]));
        assert!(hg(KumaVersion::V2_10)["properties"]
            .get("extension")
            .is_none());
        assert!(hg(KumaVersion::V2_11)["properties"]
            .get("extension")
            .is_some());
        let ms =
            |version| spec(ResourceType::MeshService, version)["properties"]["selector"].clone();
        assert!(ms(KumaVersion::V2_13)["properties"]
            .get("dataplaneLabels")
            .is_none());
        assert!(ms(KumaVersion::V2_14)["properties"]
            .get("dataplaneLabels")
            .is_some());
        let target_ref = |version| {
            spec(ResourceType::MeshLoadBalancingStrategy, version)["properties"]["targetRef"]
                .clone()
        };
        assert_eq!(target_ref(KumaVersion::V2_9).get("required"), None);
        assert_eq!(target_ref(KumaVersion::V2_10)["required"], json!(["kind"]));
        // An array's allowed values are its items'.
        let proxy_types = &target_ref(KumaVersion::V2_14)["properties"]["proxyTypes"];
        assert_eq!(proxy_types["items"]["enum"], json!(["Sidecar", "Gateway"]));
        assert_eq!(proxy_types.get("enum"), None);
    }

    #[test]
    fn every_kind_has_a_schema_with_both_shapes() {
        let schemas = json_schemas(KumaVersion::V3_0);
        assert_eq!(schemas.len(), ResourceType::ALL.len());
        for (name, schema) in &schemas {
            assert_eq!(schema["title"], json!(name));
            assert_eq!(
                schema["anyOf"][0]["properties"]["type"]["enum"],
                json!([name])
            );
            assert_eq!(
                schema["anyOf"][1]["properties"]["kind"]["enum"],
                json!([name])
            );
        }
    }

    #[test]
    fn mzs_schema_carries_kuma_facts() {
        let s = json_schema(ResourceType::MeshMultiZoneService, KumaVersion::V3_0);
        let spec = &s["anyOf"][0]["properties"]["spec"];
        assert_eq!(spec["required"], json!(["selector", "ports"]));
        assert_eq!(spec["properties"]["ports"]["minItems"], json!(1));
        let port = &spec["properties"]["ports"]["items"];
        assert_eq!(port["required"], json!(["port"]));
        assert_eq!(port["properties"]["appProtocol"]["default"], json!("tcp"));
        assert_eq!(
            port["properties"]["appProtocol"]["enum"],
            json!(["grpc", "http", "http2", "tcp"])
        );
        let v2 = json_schema(ResourceType::MeshMultiZoneService, KumaVersion::V2_14);
        assert_eq!(
            v2["anyOf"][0]["properties"]["spec"]["properties"]["ports"]["items"]["properties"]
                ["appProtocol"]["enum"],
            json!(["grpc", "http", "http2", "kafka", "tcp"])
        );
    }
}
