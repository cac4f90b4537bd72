//! Kuma's Mesh rules on a REST PUT, per release.
//!
//! Kuma decodes a Mesh body with protobuf's JSON decoder allowing unknown fields, so a field the
//! release's `Mesh` message does not have is dropped without a word (3.0 reserved `mtls`,
//! `tracing`, `logging`, `metrics`, `networking`, `routing`, `constraints` and `meshServices`;
//! only `skipCreatingInitialPolicies` is left). Then, in Kuma's order:
//! - the Mesh validator on the spec (2.x: `mtls` backends and `enabledBackend`,
//!   `routing.zoneEgress` needing mTLS; 3.0: nothing without meta), title
//!   `Could not process a resource`;
//! - the manager's checks with meta: the validator again (3.0: the display name is an RFC 1035
//!   label), then the mesh validator (`cannot be longer than 63 characters` on create; 2.x: every
//!   mTLS backend type must be an installed CA plugin, and the CA cannot change while mTLS is
//!   enabled), titles `Failed to create a resource` / `Failed to update a resource`.
//!
//! Not covered (accepted as they come): logging, tracing, metrics and constraints rules of 2.x,
//! a backend's `conf` as its CA plugin checks it, and protobuf's type errors.

use serde_json::{Map, Value};

use crate::model::KumaVersion;
use crate::Violation;

/// The `Mesh` message's fields per release (meta is handled by the REST layer).
fn known_fields(version: KumaVersion) -> &'static [&'static str] {
    if version.is_2x() {
        &[
            "mtls",
            "tracing",
            "logging",
            "metrics",
            "networking",
            "routing",
            "constraints",
            "skipCreatingInitialPolicies",
            "meshServices",
        ]
    } else {
        &["skipCreatingInitialPolicies"]
    }
}

/// The CA plugins of Kuma's open-source control plane.
const CA_PLUGINS: [&str; 2] = ["builtin", "provided"];

/// Keep only the fields `version`'s `Mesh` message has, as Kuma's decoder does.
pub(crate) fn drop_unknown_fields(spec: &mut Map<String, Value>, version: KumaVersion) {
    let known = known_fields(version);
    spec.retain(|k, _| known.contains(&k.as_str()));
}

fn mtls(spec: &Map<String, Value>) -> Option<&Map<String, Value>> {
    spec.get("mtls").and_then(Value::as_object)
}

fn backends(mtls: Option<&Map<String, Value>>) -> &[Value] {
    mtls.and_then(|m| m.get("backends"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_field<'a>(object: Option<&'a Map<String, Value>>, key: &str) -> &'a str {
    object
        .and_then(|o| o.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn enabled_backend(spec: &Map<String, Value>) -> &str {
    str_field(mtls(spec), "enabledBackend")
}

/// Kuma's Mesh validator on the spec alone (the step that runs while decoding the body).
pub(crate) fn validate_spec(spec: &Map<String, Value>, version: KumaVersion) -> Vec<Violation> {
    let mut out = Vec::new();
    if !version.is_2x() {
        return out;
    }
    if let Some(m) = mtls(spec) {
        let backends = backends(Some(m));
        if backends.len() > 1 {
            out.push(Violation::new(
                "mtls.backends",
                "cannot have more than 1 backends",
            ));
        }
        let mut used: Vec<&str> = Vec::new();
        for (i, backend) in backends.iter().enumerate() {
            let backend = backend.as_object();
            let name = str_field(backend, "name");
            if used.contains(&name) {
                out.push(Violation::new(
                    format!("mtls.backends[{i}].name"),
                    format!(
                        "{} name is already used for another backend",
                        crate::template::go_quote(name)
                    ),
                ));
            }
            used.push(name);
        }
        let enabled = str_field(Some(m), "enabledBackend");
        if !enabled.is_empty() && !used.contains(&enabled) {
            out.push(Violation::new(
                "mtls.enabledBackend",
                "has to be set to one of the backends in the mesh",
            ));
        }
    }
    let zone_egress = spec
        .get("routing")
        .and_then(|r| r.get("zoneEgress"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if zone_egress && enabled_backend(spec).is_empty() {
        out.push(Violation::new(
            "mtls",
            "has to be set when zoneEgress enabled",
        ));
    }
    out
}

/// The manager's checks with meta: `display_name` is the name Kuma validates (the body's
/// `kuma.io/display-name` label on create, the stored one on update, else the name);
/// `previous` is the stored Mesh's spec on update.
pub(crate) fn validate_with_meta(
    name: &str,
    display_name: &str,
    spec: &Map<String, Value>,
    previous: Option<&Map<String, Value>>,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if !version.is_2x() && !display_name.is_empty() {
        let errs = crate::validate::dns::is_dns1035_label(display_name);
        if !errs.is_empty() {
            // The validator failed: the mesh validator does not run.
            return vec![Violation::new("name", errs.join(", "))];
        }
    }
    if version.is_2x() {
        // The validator again: the same violations as the spec step, which already passed.
        let again = validate_spec(spec, version);
        if !again.is_empty() {
            return again;
        }
    }
    match previous {
        None if name.len() > 63 => {
            out.push(Violation::new(
                "name",
                "cannot be longer than 63 characters",
            ));
        }
        Some(previous) if version.is_2x() => {
            let before = enabled_backend(previous);
            let after = enabled_backend(spec);
            if !before.is_empty() && !after.is_empty() && before != after {
                out.push(Violation::new(
                    "mtls.enabledBackend",
                    "Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA",
                ));
            }
        }
        _ => {}
    }
    if version.is_2x() {
        for (i, backend) in backends(mtls(spec)).iter().enumerate() {
            let kind = str_field(backend.as_object(), "type");
            if !CA_PLUGINS.contains(&kind) {
                // Kuma stops at the first backend without a plugin.
                out.push(Violation::new(
                    format!("mtls.backends[{i}].type"),
                    "could not find installed plugin for this type",
                ));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn three_dot_zero_keeps_only_skip_creating_initial_policies() {
        let mut spec = map(json!({"mtls": {"enabledBackend": "ca"}, "routing": {},
            "skipCreatingInitialPolicies": ["*"], "bogus": 1}));
        drop_unknown_fields(&mut spec, KumaVersion::V3_0);
        assert_eq!(
            Value::Object(spec),
            json!({"skipCreatingInitialPolicies": ["*"]})
        );
        let mut spec = map(json!({"mtls": {}, "meshServices": {"mode": "Exclusive"}, "bogus": 1}));
        drop_unknown_fields(&mut spec, KumaVersion::V2_14);
        assert_eq!(
            Value::Object(spec),
            json!({"mtls": {}, "meshServices": {"mode": "Exclusive"}})
        );
    }

    #[test]
    fn mtls_backend_refs_are_checked_in_2x_only() {
        let spec = map(json!({"mtls": {"enabledBackend": "ca-2",
            "backends": [{"name": "ca-1", "type": "builtin"}, {"name": "ca-1", "type": "builtin"}]}}));
        let got: Vec<_> = validate_spec(&spec, KumaVersion::V2_14)
            .into_iter()
            .map(|v| (v.field, v.message))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "mtls.backends".into(),
                    "cannot have more than 1 backends".into()
                ),
                (
                    "mtls.backends[1].name".into(),
                    "\"ca-1\" name is already used for another backend".into()
                ),
                (
                    "mtls.enabledBackend".into(),
                    "has to be set to one of the backends in the mesh".into()
                ),
            ]
        );
        assert!(validate_spec(&spec, KumaVersion::V3_0).is_empty());
    }

    #[test]
    fn zone_egress_needs_mtls() {
        let spec = map(json!({"routing": {"zoneEgress": true}}));
        let got = validate_spec(&spec, KumaVersion::V2_9);
        assert_eq!(
            got,
            [Violation::new(
                "mtls",
                "has to be set when zoneEgress enabled"
            )]
        );
    }

    #[test]
    fn three_dot_zero_mesh_names_are_rfc_1035_labels() {
        let spec = Map::new();
        let got = validate_with_meta("1mesh", "1mesh", &spec, None, KumaVersion::V3_0);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].field, "name");
        assert!(got[0]
            .message
            .starts_with("a DNS-1035 label must consist of"));
        assert!(validate_with_meta("1mesh", "1mesh", &spec, None, KumaVersion::V2_14).is_empty());
    }

    #[test]
    fn unknown_ca_plugin_and_ca_change() {
        let spec = map(
            json!({"mtls": {"enabledBackend": "b", "backends": [{"name": "b", "type": "vault"}]}}),
        );
        let prev = map(
            json!({"mtls": {"enabledBackend": "a", "backends": [{"name": "a", "type": "builtin"}]}}),
        );
        let got = validate_with_meta("m", "m", &spec, Some(&prev), KumaVersion::V2_14);
        assert_eq!(
            got,
            [
                Violation::new(
                    "mtls.enabledBackend",
                    "Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change the CA"
                ),
                Violation::new("mtls.backends[0].type", "could not find installed plugin for this type"),
            ]
        );
    }
}
