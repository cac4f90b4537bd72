//! The OpenAPI schema checks Kuma runs on a REST body before its Go validator: defaults first
//! (`appProtocol: tcp`, `mesh: default`), then structural validation with kube-openapi's message
//! texts (`spec.ports in body should have at least 1 items`).
//!
//! Kuma builds these from the generated `rest.yaml` of each type; we describe the same shapes in
//! code (a handful of node kinds is all the MeshMultiZoneService family needs).

use serde_json::{Map, Value};

/// One node of a schema.
#[derive(Debug, Clone)]
pub enum Schema {
    /// An object with known properties; unknown properties are pruned (structural schema).
    Object {
        /// `(name, schema)` in declaration order.
        properties: Vec<(&'static str, Schema)>,
        /// Required property names.
        required: &'static [&'static str],
    },
    /// A map with string values (`additionalProperties: {type: string}`).
    StringMap,
    /// An array.
    Array {
        /// Item schema.
        items: Box<Schema>,
        /// `minItems`.
        min_items: Option<usize>,
    },
    /// A string, optionally with an enum and a default.
    String {
        /// Allowed values (empty: any).
        enumeration: &'static [&'static str],
        /// Default applied when the property is absent.
        default: Option<&'static str>,
    },
    /// `type: integer, format: int32`.
    Int32,
    /// `type: boolean`.
    Boolean,
    /// Anything (`x-kubernetes-preserve-unknown-fields`), kept as is.
    Any,
}

impl Schema {
    fn string() -> Self {
        Schema::String {
            enumeration: &[],
            default: None,
        }
    }
}

/// kube-openapi's name for a JSON value's type.
fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn short(value: &Value) -> &'static str {
    json_type_name(value)
}

/// Apply defaults and validate `value` against `schema`, pruning unknown properties.
/// Returns kube-openapi error texts (`<path> in body <problem>`), unsorted.
pub fn apply(schema: &Schema, value: &mut Value, path: &str, errors: &mut Vec<String>) {
    match schema {
        Schema::Any => {}
        Schema::Object {
            properties,
            required,
        } => {
            let Value::Object(map) = value else {
                errors.push(format!(
                    "{} in body must be of type object: {:?}",
                    display_path(path),
                    short(value)
                ));
                return;
            };
            map.retain(|k, _| properties.iter().any(|(name, _)| name == k));
            for (name, prop) in properties {
                if !map.contains_key(*name) {
                    if let Schema::String {
                        default: Some(d), ..
                    } = prop
                    {
                        map.insert((*name).to_owned(), Value::String((*d).to_owned()));
                    }
                }
            }
            for name in required.iter() {
                if map.get(*name).is_none_or(Value::is_null) {
                    errors.push(format!("{} in body is required", join(path, name)));
                }
            }
            for (name, prop) in properties {
                if let Some(child) = map.get_mut(*name) {
                    if child.is_null() {
                        continue;
                    }
                    apply(prop, child, &join(path, name), errors);
                }
            }
        }
        Schema::StringMap => match value {
            Value::Object(map) => {
                for (k, v) in map.iter() {
                    if !v.is_string() {
                        errors.push(format!(
                            "{} in body must be of type string: {:?}",
                            join(path, k),
                            short(v)
                        ));
                    }
                }
            }
            other => errors.push(format!(
                "{} in body must be of type object: {:?}",
                display_path(path),
                short(other)
            )),
        },
        Schema::Array { items, min_items } => match value {
            Value::Array(list) => {
                if let Some(min) = min_items {
                    if list.len() < *min {
                        errors.push(format!(
                            "{} in body should have at least {} items",
                            display_path(path),
                            min
                        ));
                    }
                }
                for (i, item) in list.iter_mut().enumerate() {
                    apply(items, item, &format!("{path}[{i}]"), errors);
                }
            }
            other => errors.push(format!(
                "{} in body must be of type array: {:?}",
                display_path(path),
                short(other)
            )),
        },
        Schema::String { enumeration, .. } => match value {
            Value::String(s) => {
                if !enumeration.is_empty() && !enumeration.contains(&s.as_str()) {
                    errors.push(format!(
                        "{} in body should be one of [{}]",
                        display_path(path),
                        enumeration.join(" ")
                    ));
                }
            }
            other => errors.push(format!(
                "{} in body must be of type string: {:?}",
                display_path(path),
                short(other)
            )),
        },
        Schema::Int32 => match value {
            Value::Number(n) => match n.as_i64() {
                Some(i) if i32::try_from(i).is_ok() => {}
                Some(_) => errors.push(format!(
                    "{} in body must be of type int32: {:?}",
                    display_path(path),
                    n.to_string()
                )),
                None => {
                    // Kuma's decoder accepts 80.0 but not 80.5.
                    match n.as_f64() {
                        Some(f) if f.fract() == 0.0 && f.abs() <= f64::from(i32::MAX) => {
                            *value = Value::from(f as i64);
                        }
                        _ => errors.push(format!(
                            "{} in body must be of type integer: \"number\"",
                            display_path(path)
                        )),
                    }
                }
            },
            other => errors.push(format!(
                "{} in body must be of type integer: {:?}",
                display_path(path),
                short(other)
            )),
        },
        Schema::Boolean => {
            if !value.is_boolean() {
                errors.push(format!(
                    "{} in body must be of type boolean: {:?}",
                    display_path(path),
                    short(value)
                ));
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "body"
    } else {
        path
    }
}

fn match_labels_selector() -> Schema {
    Schema::Object {
        properties: vec![("matchLabels", Schema::StringMap)],
        required: &[],
    }
}

fn read_only_common() -> Vec<(&'static str, Schema)> {
    // Output-only fields are accepted on input and ignored (Kuma copies only meta and spec).
    vec![
        ("kri", Schema::Any),
        ("snis", Schema::Any),
        ("creationTime", Schema::Any),
        ("modificationTime", Schema::Any),
        ("status", Schema::Any),
    ]
}

fn item(type_name: &'static [&'static str], mesh_scoped: bool, spec: Schema) -> Schema {
    let mut properties = vec![
        (
            "type",
            Schema::String {
                enumeration: type_name,
                default: None,
            },
        ),
        ("name", Schema::string()),
        ("labels", Schema::StringMap),
        ("spec", spec),
    ];
    if mesh_scoped {
        properties.push((
            "mesh",
            Schema::String {
                enumeration: &[],
                default: Some("default"),
            },
        ));
    }
    properties.extend(read_only_common());
    Schema::Object {
        properties,
        required: &["type", "name", "spec"],
    }
}

/// `components.schemas.MeshMultiZoneServiceItem`.
pub fn mesh_multi_zone_service_item() -> Schema {
    let port = Schema::Object {
        properties: vec![
            (
                "appProtocol",
                Schema::String {
                    enumeration: &[],
                    default: Some("tcp"),
                },
            ),
            ("name", Schema::string()),
            ("port", Schema::Int32),
        ],
        required: &["port"],
    };
    let spec = Schema::Object {
        properties: vec![
            (
                "ports",
                Schema::Array {
                    items: Box::new(port),
                    min_items: Some(1),
                },
            ),
            (
                "selector",
                Schema::Object {
                    properties: vec![("meshService", match_labels_selector())],
                    required: &["meshService"],
                },
            ),
        ],
        required: &["ports", "selector"],
    };
    item(&["MeshMultiZoneService"], true, spec)
}

/// `components.schemas.MeshServiceItem` (the parts that carry rules; the rest is kept as is).
pub fn mesh_service_item() -> Schema {
    let port = Schema::Object {
        properties: vec![
            ("appProtocol", Schema::string()),
            ("name", Schema::string()),
            ("port", Schema::Int32),
            ("targetPort", Schema::Any),
        ],
        required: &["port"],
    };
    let spec = Schema::Object {
        properties: vec![
            ("identities", Schema::Any),
            (
                "ports",
                Schema::Array {
                    items: Box::new(port),
                    min_items: None,
                },
            ),
            ("selector", Schema::Any),
            (
                "state",
                Schema::String {
                    enumeration: &["Available", "Unavailable"],
                    default: None,
                },
            ),
        ],
        required: &[],
    };
    item(&["MeshService"], true, spec)
}

/// `components.schemas.HostnameGeneratorItem`.
pub fn hostname_generator_item() -> Schema {
    let spec = Schema::Object {
        properties: vec![
            (
                "extension",
                Schema::Object {
                    properties: vec![("config", Schema::Any), ("type", Schema::string())],
                    required: &["type"],
                },
            ),
            (
                "selector",
                Schema::Object {
                    properties: vec![
                        ("meshExternalService", match_labels_selector()),
                        ("meshMultiZoneService", match_labels_selector()),
                        ("meshService", match_labels_selector()),
                    ],
                    required: &[],
                },
            ),
            ("template", Schema::string()),
        ],
        required: &["template"],
    };
    item(&["HostnameGenerator"], false, spec)
}

/// `components.schemas.MeshLoadBalancingStrategyItem` (the body is decoded by the typed model;
/// only the outer shape is checked here).
pub fn mesh_load_balancing_strategy_item() -> Schema {
    let spec = Schema::Object {
        properties: vec![("targetRef", Schema::Any), ("to", Schema::Any)],
        required: &[],
    };
    item(&["MeshLoadBalancingStrategy"], true, spec)
}

/// Kuma's ordering and field split of schema errors (§2.3 step 2): sorted by message; an error
/// whose first word starts with `spec.` becomes `field = first word`, `message = rest`; any other
/// goes to field `""` with the whole text.
pub fn split_errors(mut errors: Vec<String>) -> Vec<crate::Violation> {
    errors.sort();
    errors.dedup();
    errors
        .into_iter()
        .map(|e| match e.split_once(' ') {
            Some((first, rest)) if first.starts_with("spec.") => crate::Violation::new(first, rest),
            _ => crate::Violation::new("", e),
        })
        .collect()
}

/// Convenience: defaults + validation for `value` against `schema`, split the Kuma way.
pub fn check(schema: &Schema, value: &mut Value) -> Vec<crate::Violation> {
    let mut errors = Vec::new();
    apply(schema, value, "", &mut errors);
    split_errors(errors)
}

/// An empty JSON object.
pub fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_app_protocol_and_mesh() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{"matchLabels":{"a":"b"}}},"ports":[{"port":80}]}});
        let v = check(&mesh_multi_zone_service_item(), &mut body);
        assert!(v.is_empty(), "{v:?}");
        assert_eq!(body["spec"]["ports"][0]["appProtocol"], "tcp");
        assert_eq!(body["mesh"], "default");
    }

    #[test]
    fn kube_openapi_wording_and_split() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{}},"ports":[]}});
        let v = check(&mesh_multi_zone_service_item(), &mut body);
        assert_eq!(
            v,
            vec![crate::Violation::new(
                "spec.ports",
                "in body should have at least 1 items"
            )]
        );
        let mut body = json!({"type":"Foo","name":"a"});
        let v = check(&mesh_multi_zone_service_item(), &mut body);
        assert_eq!(
            v,
            vec![
                crate::Violation::new("", "spec in body is required"),
                crate::Violation::new("", "type in body should be one of [MeshMultiZoneService]"),
            ]
        );
    }

    #[test]
    fn wrong_types_are_reported_with_path() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","spec":{
            "selector":{"meshService":{"matchLabels":{"a":1}}},"ports":[{"port":"80"}]}});
        let v = check(&mesh_multi_zone_service_item(), &mut body);
        assert_eq!(
            v,
            vec![
                crate::Violation::new(
                    "spec.ports[0].port",
                    "in body must be of type integer: \"string\""
                ),
                crate::Violation::new(
                    "spec.selector.meshService.matchLabels.a",
                    "in body must be of type string: \"integer\""
                ),
            ]
        );
    }

    #[test]
    fn unknown_fields_are_pruned() {
        let mut body = json!({"type":"MeshMultiZoneService","name":"a","bogus":1,"spec":{
            "selector":{"meshService":{"matchLabels":{"a":"b"}}},"ports":[{"port":80,"targetPort":1}]}});
        assert!(check(&mesh_multi_zone_service_item(), &mut body).is_empty());
        assert!(body.get("bogus").is_none());
        assert!(body["spec"]["ports"][0].get("targetPort").is_none());
    }
}
