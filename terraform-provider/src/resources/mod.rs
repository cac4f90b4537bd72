//! Managed resources and data sources, and the planning rules they share.

pub mod data_sources;
pub mod hostname_generator;
pub mod mesh_multi_zone_service;
pub mod zones;

use std::collections::BTreeMap;

use crate::diag::{Diag, Step};
use crate::value::Value;

/// Labels Kuma adds on write; they never cause a diff unless the user manages them.
pub const SERVER_LABELS: &[&str] = &[
    "kuma.io/origin",
    "kuma.io/display-name",
    "kuma.io/mesh",
    "kuma.io/zone",
    "kuma.io/env",
    "k8s.kuma.io/namespace",
];

/// The result of planning.
#[derive(Debug, Default)]
pub struct PlanOutcome {
    /// Planned new state (null for destroy).
    pub planned: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<Vec<Step>>,
    /// Problems.
    pub diags: Vec<Diag>,
}

/// Shared planning: start from Terraform's proposed state, apply defaults from config, then
/// decide computed attributes:
/// - create: every computed-only attribute is unknown unless `predict` knows it;
/// - update with no difference: exactly the prior state (Terraform then plans no-op);
/// - update with a difference: `volatile` computed attributes become unknown, the rest keep
///   their prior values (so they are never "known after apply" needlessly).
pub fn plan_common(
    prior: &Value,
    proposed: &Value,
    config: &Value,
    computed_only: &[&str],
    volatile: &[&str],
    apply_defaults: impl Fn(&mut Value, &Value),
    predict: impl Fn(&mut Value),
) -> Value {
    if proposed.is_null() {
        return Value::Null;
    }
    let mut planned = proposed.clone();
    apply_defaults(&mut planned, config);
    if prior.is_null() {
        for name in computed_only {
            planned.set(name, Value::Unknown);
        }
        predict(&mut planned);
        return planned;
    }
    for name in computed_only {
        planned.set(name, prior.get(name).clone());
    }
    if &planned == prior {
        return planned;
    }
    for name in volatile {
        planned.set(name, Value::Unknown);
    }
    planned
}

/// Fill every unknown in `planned` from `actual`; known planned values win (Terraform requires
/// the applied object to equal the plan wherever the plan was known).
pub fn merge_unknowns(planned: &Value, actual: &Value) -> Value {
    match (planned, actual) {
        (Value::Unknown, actual) => strip_unknown(actual.clone()),
        (Value::Map(p), Value::Map(a)) => Value::Map(
            p.iter()
                .map(|(k, v)| {
                    let actual = a.get(k).unwrap_or(&Value::Null);
                    (k.clone(), merge_unknowns(v, actual))
                })
                .collect(),
        ),
        (Value::List(p), Value::List(a)) if p.len() == a.len() => {
            Value::List(p.iter().zip(a).map(|(p, a)| merge_unknowns(p, a)).collect())
        }
        (other, _) => strip_unknown(other.clone()),
    }
}

fn strip_unknown(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(strip_unknown).collect()),
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, strip_unknown(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The labels to keep in state from what the server returns: everything except the labels Kuma
/// adds itself, unless the user manages one of those explicitly (it is then in `managed`).
/// Returns null when there is nothing to show and the user did not write `labels = {}`.
pub fn user_labels(server: Option<&serde_json::Value>, managed: &Value) -> Value {
    let managed_map = managed.as_string_map().unwrap_or_default();
    let mut labels = BTreeMap::new();
    if let Some(serde_json::Value::Object(map)) = server {
        for (k, v) in map {
            let Some(v) = v.as_str() else { continue };
            if SERVER_LABELS.contains(&k.as_str()) && !managed_map.contains_key(k) {
                continue;
            }
            labels.insert(k.clone(), Value::string(v));
        }
    }
    if labels.is_empty() && managed.is_null() {
        Value::Null
    } else {
        Value::Map(labels)
    }
}

/// Labels for a request body (from configuration).
pub fn labels_json(labels: &Value) -> serde_json::Value {
    match labels.as_string_map() {
        Some(map) => serde_json::to_value(map).unwrap_or_default(),
        None => serde_json::Value::Object(Default::default()),
    }
}

/// A JSON string field.
pub fn json_str(item: &serde_json::Value, key: &str) -> Value {
    item.get(key)
        .and_then(|v| v.as_str())
        .map(Value::string)
        .unwrap_or(Value::Null)
}

/// A resource ID in either supported form: `mesh/name` (ours) or Kong kong-mesh's JSON object
/// `{"mesh":"...","name":"..."}`; a bare `name` means mesh `default`.
pub fn parse_mesh_scoped_id(id: &str) -> Result<(String, String), String> {
    let id = id.trim();
    if id.starts_with('{') {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct JsonId {
            mesh: Option<String>,
            name: Option<String>,
        }
        let parsed: JsonId = serde_json::from_str(id).map_err(|e| {
            format!(
                "the ID looks like JSON but is not {{\"mesh\": \"...\", \"name\": \"...\"}}: {e}"
            )
        })?;
        let name = parsed
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| "the JSON ID has no \"name\"".to_owned())?;
        return Ok((
            parsed
                .mesh
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "default".into()),
            name,
        ));
    }
    match id.split_once('/') {
        Some((mesh, name)) if !mesh.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((mesh.to_owned(), name.to_owned()))
        }
        Some(_) => Err(format!("{id:?} is not of the form <mesh>/<name>")),
        None if !id.is_empty() => Ok(("default".to_owned(), id.to_owned())),
        None => Err("the ID is empty".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_in_both_forms() {
        assert_eq!(
            parse_mesh_scoped_id("default/redis"),
            Ok(("default".into(), "redis".into()))
        );
        assert_eq!(
            parse_mesh_scoped_id(r#"{"mesh": "m1", "name": "redis"}"#),
            Ok(("m1".into(), "redis".into()))
        );
        assert_eq!(
            parse_mesh_scoped_id("redis"),
            Ok(("default".into(), "redis".into()))
        );
        assert!(parse_mesh_scoped_id(r#"{"mesh":"m","name":"r","zone":"x"}"#).is_err());
        assert!(parse_mesh_scoped_id("a/b/c").is_err());
        assert!(parse_mesh_scoped_id("").is_err());
    }

    #[test]
    fn server_labels_never_show_unless_managed() {
        let server =
            serde_json::json!({"kuma.io/origin": "global", "kuma.io/mesh": "default", "team": "a"});
        assert_eq!(
            user_labels(Some(&server), &Value::Null),
            Value::object([("team", Value::string("a"))])
        );
        let managed = Value::object([("kuma.io/mesh", Value::string("default"))]);
        let got = user_labels(Some(&server), &managed);
        assert_eq!(got.get("kuma.io/mesh"), &Value::string("default"));
        let only_server = serde_json::json!({"kuma.io/origin": "global"});
        assert_eq!(user_labels(Some(&only_server), &Value::Null), Value::Null);
        assert_eq!(
            user_labels(Some(&only_server), &Value::Map(Default::default())),
            Value::Map(Default::default())
        );
    }

    #[test]
    fn apply_results_keep_known_planned_values_and_fill_unknowns() {
        let planned = Value::object([("a", Value::string("x")), ("b", Value::Unknown)]);
        let actual = Value::object([("a", Value::string("X")), ("b", Value::string("y"))]);
        let merged = merge_unknowns(&planned, &actual);
        assert_eq!(merged.get("a"), &Value::string("x"));
        assert_eq!(merged.get("b"), &Value::string("y"));
    }
}
