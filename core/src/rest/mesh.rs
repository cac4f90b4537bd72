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
//! Not covered (accepted as they come): a Prometheus
//! `envoy.filterRegex` that Go's regexp refuses, a CA backend's `conf` as its plugin checks it,
//! and protobuf's type errors (a value of the wrong type reads as unset here).

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

/// Kuma's Mesh validator on the spec alone (the step that runs while decoding the body), in
/// Kuma's order: mtls, logging, tracing, metrics, then zone egress.
pub(crate) fn validate_spec(spec: &Map<String, Value>, version: KumaVersion) -> Vec<Violation> {
    let mut out = Vec::new();
    if !version.is_2x() {
        return out;
    }
    if let Some(m) = mtls(spec) {
        validate_mtls(m, version, &mut out);
    }
    if let Some(logging) = spec.get("logging").and_then(Value::as_object) {
        validate_logging(logging, &mut out);
    }
    if let Some(tracing) = spec.get("tracing").and_then(Value::as_object) {
        validate_tracing(tracing, &mut out);
    }
    if let Some(metrics) = spec.get("metrics").and_then(Value::as_object) {
        validate_metrics(metrics, &mut out);
    }
    if let Some(dpp) = spec
        .get("constraints")
        .and_then(|c| c.get("dataplaneProxy"))
        .and_then(Value::as_object)
    {
        for list_name in ["requirements", "restrictions"] {
            for (i, entry) in list(dpp, list_name).iter().enumerate() {
                let path = format!("constraints.dataplaneProxy.{list_name}[{i}].tags");
                let tags = entry.get("tags").and_then(Value::as_object);
                validate_selector(&path, tags, &mut out);
            }
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

/// Kuma's `ValidateSelector` with at least one tag required.
fn validate_selector(path: &str, tags: Option<&Map<String, Value>>, out: &mut Vec<Violation>) {
    let tag_name_ok = |k: &str| {
        k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'/'))
    };
    let mut keys: Vec<&str> = tags
        .map(|t| t.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if keys.is_empty() {
        out.push(Violation::new(path, "must have at least one tag"));
    }
    crate::text::sort::sort(&mut keys);
    for key in keys {
        let at = format!("{path}[{}]", quote(key));
        if key.is_empty() {
            out.push(Violation::new(path, "tag name must be non-empty"));
        }
        if !tag_name_ok(key) {
            out.push(Violation::new(
                at.as_str(),
                "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores",
            ));
        }
        let value = str_field(tags, key);
        if value.is_empty() {
            out.push(Violation::new(at.as_str(), "tag value must be non-empty"));
        }
        if value != "*" && !tag_name_ok(value) {
            out.push(Violation::new(
                at.as_str(),
                r#"tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*""#,
            ));
        }
    }
}

fn quote(s: &str) -> String {
    crate::template::go_quote(s)
}

fn duplicate(path: &str, i: usize, name: &str, out: &mut Vec<Violation>) {
    out.push(Violation::new(
        format!("{path}.backends[{i}].name"),
        format!("{} name is already used for another backend", quote(name)),
    ));
}

fn validate_mtls(m: &Map<String, Value>, version: KumaVersion, out: &mut Vec<Violation>) {
    let backends = backends(Some(m));
    if backends.len() > 1 {
        out.push(Violation::new(
            "mtls.backends",
            "cannot have more than 1 backends",
        ));
    }
    // Up to 2.12 every name is checked before the certificates; from 2.13 one loop does both.
    let joint_loop = version.minor() >= (2, 13);
    let mut used: Vec<&str> = Vec::new();
    for (i, backend) in backends.iter().enumerate() {
        let name = str_field(backend.as_object(), "name");
        if used.contains(&name) {
            duplicate("mtls", i, name, out);
        }
        used.push(name);
        if joint_loop {
            check_dp_cert(backend, out);
        }
    }
    let enabled = str_field(Some(m), "enabledBackend");
    let enabled_missing = !enabled.is_empty() && !used.contains(&enabled);
    let enabled_violation = || {
        Violation::new(
            "mtls.enabledBackend",
            "has to be set to one of the backends in the mesh",
        )
    };
    if joint_loop {
        if enabled_missing {
            out.push(enabled_violation());
        }
    } else {
        if enabled_missing {
            out.push(enabled_violation());
        }
        for backend in backends {
            check_dp_cert(backend, out);
        }
    }
}

/// Kuma's `ParseDuration`: `0`, or digits and one of `y w d h m s ms`.
fn is_kuma_duration(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(&text[digits..], "y" | "w" | "d" | "h" | "m" | "s" | "ms")
}

fn check_dp_cert(backend: &Value, out: &mut Vec<Violation>) {
    let Some(dp_cert) = backend.get("dpCert").filter(|v| !v.is_null()) else {
        return;
    };
    let expiration = dp_cert
        .get("rotation")
        .and_then(|r| r.get("expiration"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !is_kuma_duration(expiration) {
        out.push(Violation::new(
            "mtls.dpcert.rotation.expiration",
            "has to be a valid format",
        ));
    }
}

fn conf(backend: Option<&Map<String, Value>>) -> Option<&Map<String, Value>> {
    backend
        .and_then(|b| b.get("conf"))
        .and_then(Value::as_object)
}

fn list<'a>(object: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    object
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Go's `net.SplitHostPort`, reduced to "host and port both there".
fn host_and_port(address: &str) -> bool {
    let Some(colon) = address.rfind(':') else {
        return false;
    };
    let (host, start, end) = if let Some(rest) = address.strip_prefix('[') {
        let Some(close) = rest.find(']').map(|c| c + 1) else {
            return false;
        };
        if close + 1 != colon {
            return false;
        }
        (&address[1..close], 1, close + 1)
    } else {
        let host = &address[..colon];
        if host.contains(':') {
            return false;
        }
        (host, 0, 0)
    };
    if address[start..].contains('[') || address[end..].contains(']') {
        return false;
    }
    !host.is_empty() && !address[colon + 1..].is_empty()
}

fn validate_logging(logging: &Map<String, Value>, out: &mut Vec<Violation>) {
    let mut used: Vec<&str> = Vec::new();
    for (i, backend) in list(logging, "backends").iter().enumerate() {
        let b = backend.as_object();
        let at = format!("logging.backends[{i}]");
        let name = str_field(b, "name");
        if name.is_empty() {
            out.push(Violation::new(format!("{at}.name"), "cannot be empty"));
        }
        match str_field(b, "type") {
            "file" => {
                if str_field(conf(b), "path").is_empty() {
                    out.push(Violation::new(
                        format!("{at}.config.path"),
                        "cannot be empty",
                    ));
                }
            }
            "tcp" => {
                let address = str_field(conf(b), "address");
                if address.is_empty() {
                    out.push(Violation::new(
                        format!("{at}.config.address"),
                        "cannot be empty",
                    ));
                } else if !host_and_port(address) {
                    out.push(Violation::new(
                        format!("{at}.config.address"),
                        "has to be in format of HOST:PORT",
                    ));
                }
            }
            _ => out.push(Violation::new(
                format!("{at}.type"),
                r#"unknown backend type. Available backends: "tcp", "file""#,
            )),
        }
        if used.contains(&name) {
            duplicate("logging", i, name, out);
        }
        used.push(name);
    }
    let default = str_field(Some(logging), "defaultBackend");
    if !default.is_empty() && !used.contains(&default) {
        out.push(Violation::new(
            "logging.defaultBackend",
            "has to be set to one of the logging backend in mesh",
        ));
    }
}

/// Whether Go's `url.ParseRequestURI` accepts `url`, and the port it finds.
fn request_uri_port(url: &str) -> Option<&str> {
    if url.bytes().any(|b| b < 0x20 || b == 0x7f || b == b' ') {
        return None;
    }
    let scheme_end = url.find(':');
    let has_scheme = scheme_end.is_some_and(|e| {
        let scheme = &url[..e];
        scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    let rest = match scheme_end {
        Some(e) if has_scheme => &url[e + 1..],
        _ if url.starts_with('/') => return Some(""),
        _ => return None,
    };
    let Some(after) = rest.strip_prefix("//") else {
        return Some("");
    };
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let port = match host.rfind(':') {
        Some(c) if !host[c..].contains(']') => &host[c + 1..],
        _ => "",
    };
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(port)
}

fn validate_tracing(tracing: &Map<String, Value>, out: &mut Vec<Violation>) {
    let mut used: Vec<&str> = Vec::new();
    for (i, backend) in list(tracing, "backends").iter().enumerate() {
        let b = backend.as_object();
        let at = format!("tracing.backends[{i}]");
        let name = str_field(b, "name");
        if name.is_empty() {
            out.push(Violation::new(format!("{at}.name"), "cannot be empty"));
        }
        let sampling = b
            .and_then(|b| b.get("sampling"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        if !(0.0..=100.0).contains(&sampling) {
            out.push(Violation::new(
                format!("{at}.sampling"),
                "has to be in [0.0 - 100.0] range",
            ));
        }
        let config = conf(b);
        match str_field(b, "type") {
            "zipkin" => {
                let api = str_field(config, "apiVersion");
                if !matches!(api, "" | "httpJsonV1" | "httpJson" | "httpProto") {
                    out.push(Violation::new(
                        format!("{at}.config.apiVersion"),
                        "has invalid value. Allowed values: httpJsonV1, httpJson, httpProto",
                    ));
                }
                let url = str_field(config, "url");
                if url.is_empty() {
                    out.push(Violation::new(
                        format!("{at}.config.url"),
                        "cannot be empty",
                    ));
                } else {
                    match request_uri_port(url) {
                        None => out.push(Violation::new(format!("{at}.config.url"), "invalid URL")),
                        Some("") => out.push(Violation::new(
                            format!("{at}.config.url"),
                            "port has to be explicitly specified",
                        )),
                        Some(_) => {}
                    }
                }
            }
            "datadog" => {
                if str_field(config, "address").is_empty() {
                    out.push(Violation::new(
                        format!("{at}.config.address"),
                        "cannot be empty",
                    ));
                }
                let port = config
                    .and_then(|c| c.get("port"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                if port == 0 || port > 65535 {
                    out.push(Violation::new(
                        format!("{at}.config.port"),
                        "port must be a valid (1-65535)",
                    ));
                }
            }
            _ => out.push(Violation::new(
                format!("{at}.type"),
                r#"unknown backend type. Available backends: "zipkin", "datadog""#,
            )),
        }
        if used.contains(&name) {
            duplicate("tracing", i, name, out);
        }
        used.push(name);
    }
    let default = str_field(Some(tracing), "defaultBackend");
    if !default.is_empty() && !used.contains(&default) {
        out.push(Violation::new(
            "tracing.defaultBackend",
            "has to be set to one of the tracing backend in mesh",
        ));
    }
}

/// `tls.mode` as protobuf's JSON decoder reads it (name or number; unset is the first value).
fn tls_mode(tls: &Value) -> &str {
    match tls.get("mode") {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(1) => "providedTLS",
            Some(2) => "disabled",
            _ => "activeMTLSBackend",
        },
        _ => "activeMTLSBackend",
    }
}

fn validate_metrics(metrics: &Map<String, Value>, out: &mut Vec<Violation>) {
    let mut used: Vec<&str> = Vec::new();
    for (i, backend) in list(metrics, "backends").iter().enumerate() {
        let b = backend.as_object();
        let at = format!("metrics.backends[{i}]");
        let name = str_field(b, "name");
        if used.contains(&name) {
            duplicate("metrics", i, name, out);
        }
        if str_field(b, "type") != "prometheus" {
            out.push(Violation::new(
                format!("{at}.type"),
                r#"unknown backend type. Available backends: "prometheus""#,
            ));
        } else if let Some(config) = conf(b) {
            let skip = config.get("skipMTLS").filter(|v| !v.is_null());
            let tls = config.get("tls").filter(|v| !v.is_null());
            if let (Some(skip), Some(tls)) = (skip, tls) {
                let skip = skip.as_bool().unwrap_or(false);
                let mode = tls_mode(tls);
                let same = (!skip && mode == "activeMTLSBackend") || (skip && mode == "disabled");
                if !same {
                    out.push(Violation::new(
                        format!("{at}.conf"),
                        "skipMTLS and tls configuration cannot be defined together",
                    ));
                    used.push(name);
                    continue;
                }
            }
            let mut names: Vec<&str> = Vec::new();
            for (j, aggregate) in list(config, "aggregate").iter().enumerate() {
                let name = str_field(aggregate.as_object(), "name");
                if names.contains(&name) {
                    out.push(Violation::new(
                        format!("{at}.conf.aggregate[{j}].name"),
                        format!("duplicate entry: {name}, values have to be unique"),
                    ));
                    continue;
                }
                names.push(name);
            }
        }
        used.push(name);
    }
    let enabled = str_field(Some(metrics), "enabledBackend");
    if !enabled.is_empty() && !used.contains(&enabled) {
        out.push(Violation::new(
            "metrics.enabledBackend",
            "has to be set to one of the backends in the mesh",
        ));
    }
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
    let mut out = crate::validate::meta::mesh_name(name, display_name, previous.is_none(), version);
    if !version.is_2x() && !out.is_empty() {
        // The validator failed: the mesh validator does not run.
        return out;
    }
    if version.is_2x() {
        // The validator again: the same violations as the spec step, which already passed.
        let again = validate_spec(spec, version);
        if !again.is_empty() {
            return again;
        }
    }
    match previous {
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
        let skip_validation = mtls(spec)
            .and_then(|m| m.get("skipValidation"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
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
            if !skip_validation {
                ca_backend(name, i, backend, kind, &mut out);
            }
        }
    }
    out
}

/// The CA plugin's `ValidateBackend`, as Kuma nests its errors under the backend's `conf`. The
/// `provided` plugin also loads and checks the certificate and key it names (secrets and files
/// kuma-local does not have): only their presence is checked here.
fn ca_backend(mesh: &str, index: usize, backend: &Value, kind: &str, out: &mut Vec<Violation>) {
    let at = format!("mtls.backends[{index}].conf");
    let backend = backend.as_object();
    if kind == "builtin" {
        // The builtin plugin stores the CA as the secret `<mesh>.ca-builtin-cert-<backend>`
        // (`BuiltinCertSecretName`), whose name govalidator must find a lower-case DNS name;
        // the path is the plugin's own, rooted at `mtls.backends.name`.
        let name = str_field(backend, "name");
        let secret = format!("{mesh}.ca-builtin-cert-{name}");
        let field = format!("{at}.mtls.backends.name");
        if secret.len() > 255 {
            out.push(Violation::new(
                field.clone(),
                "Backend name is too long. Max length: 255",
            ));
        }
        if !is_govalidator_dns_name(&secret) || secret.to_lowercase() != secret {
            out.push(Violation::new(
                field,
                format!(
                    "{} name must be valid dns name",
                    crate::template::go_quote(name)
                ),
            ));
        }
        return;
    }
    let conf = backend
        .and_then(|b| b.get("conf"))
        .and_then(Value::as_object);
    for part in ["cert", "key"] {
        if conf.and_then(|c| c.get(part)).is_none_or(Value::is_null) {
            out.push(Violation::new(format!("{at}.{part}"), "has to be defined"));
        }
    }
}

/// govalidator's `IsDNSName`: labels of letters, digits, `_` and `-` (not first), at most 63
/// each, an optional final `.` or `_`, at most 255 characters without the dots (the IP address
/// case cannot arise for a builtin CA's secret name).
fn is_govalidator_dns_name(s: &str) -> bool {
    if s.is_empty() || s.bytes().filter(|&b| b != b'.').count() > 255 {
        return false;
    }
    let body = s.strip_suffix('.').unwrap_or(s);
    let last = body.split('.').count().saturating_sub(1);
    body.split('.').enumerate().all(|(i, label)| {
        let limit = if i == last && label.ends_with('_') && !s.ends_with('.') {
            64
        } else {
            63
        };
        let mut bytes = label.bytes();
        bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && label.len() <= limit
    })
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

    fn violations(spec: Value, version: KumaVersion) -> Vec<(String, String)> {
        validate_spec(&map(spec), version)
            .into_iter()
            .map(|v| (v.field, v.message))
            .collect()
    }

    #[test]
    fn logging_tracing_and_metrics_backends_are_checked_in_kumas_order() {
        let spec = json!({
            "logging": {"defaultBackend": "nope", "backends": [
                {"name": "", "type": "file"},
                {"name": "tcp", "type": "tcp", "conf": {"address": "127.0.0.1"}},
                {"name": "tcp", "type": "udp"},
            ]},
            "tracing": {"defaultBackend": "z", "backends": [
                {"name": "z", "type": "zipkin", "sampling": 101,
                 "conf": {"url": "http://zipkin/api", "apiVersion": "v3"}},
                {"name": "d", "type": "datadog", "conf": {"address": "dd"}},
            ]},
            "metrics": {"enabledBackend": "p", "backends": [
                {"name": "p", "type": "prometheus", "conf": {"skipMTLS": true}},
                {"name": "p", "type": "statsd"},
                {"name": "q", "type": "prometheus", "conf": {"skipMTLS": true, "tls": {"mode": "providedTLS"}}},
                {"name": "r", "type": "prometheus", "conf": {"aggregate": [{"name": "a"}, {"name": "a"}]}},
            ]},
        });
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            violations(spec, KumaVersion::V2_14),
            [
                s("logging.backends[0].name", "cannot be empty"),
                s("logging.backends[0].config.path", "cannot be empty"),
                s(
                    "logging.backends[1].config.address",
                    "has to be in format of HOST:PORT"
                ),
                s(
                    "logging.backends[2].type",
                    r#"unknown backend type. Available backends: "tcp", "file""#
                ),
                s(
                    "logging.backends[2].name",
                    r#""tcp" name is already used for another backend"#
                ),
                s(
                    "logging.defaultBackend",
                    "has to be set to one of the logging backend in mesh"
                ),
                s(
                    "tracing.backends[0].sampling",
                    "has to be in [0.0 - 100.0] range"
                ),
                s(
                    "tracing.backends[0].config.apiVersion",
                    "has invalid value. Allowed values: httpJsonV1, httpJson, httpProto"
                ),
                s(
                    "tracing.backends[0].config.url",
                    "port has to be explicitly specified"
                ),
                s(
                    "tracing.backends[1].config.port",
                    "port must be a valid (1-65535)"
                ),
                s(
                    "metrics.backends[1].name",
                    r#""p" name is already used for another backend"#
                ),
                s(
                    "metrics.backends[1].type",
                    r#"unknown backend type. Available backends: "prometheus""#
                ),
                s(
                    "metrics.backends[2].conf",
                    "skipMTLS and tls configuration cannot be defined together"
                ),
                s(
                    "metrics.backends[3].conf.aggregate[1].name",
                    "duplicate entry: a, values have to be unique"
                ),
            ]
        );
    }

    #[test]
    fn dataplane_proxy_constraints_need_valid_tags() {
        let spec = json!({"constraints": {"dataplaneProxy": {
            "requirements": [{"tags": {}}, {"tags": {"kuma.io/zone": "east", "b@d": "", "ok": "a b"}}],
            "restrictions": [{"tags": {"": "*"}}],
        }}});
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        let base = "constraints.dataplaneProxy";
        assert_eq!(
            violations(spec, KumaVersion::V2_14),
            [
                s(&format!("{base}.requirements[0].tags"), "must have at least one tag"),
                s(
                    &format!("{base}.requirements[1].tags[\"b@d\"]"),
                    "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores"
                ),
                s(&format!("{base}.requirements[1].tags[\"b@d\"]"), "tag value must be non-empty"),
                s(
                    &format!("{base}.requirements[1].tags[\"ok\"]"),
                    r#"tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*""#
                ),
                s(&format!("{base}.restrictions[0].tags"), "tag name must be non-empty"),
            ]
        );
    }

    #[test]
    fn dp_cert_expiration_and_its_place_per_release() {
        let spec = json!({"mtls": {"enabledBackend": "x", "backends": [
            {"name": "ca", "type": "builtin", "dpCert": {"rotation": {"expiration": "1 day"}}}]}});
        let dp = (
            "mtls.dpcert.rotation.expiration".to_owned(),
            "has to be a valid format".to_owned(),
        );
        let enabled = (
            "mtls.enabledBackend".to_owned(),
            "has to be set to one of the backends in the mesh".to_owned(),
        );
        assert_eq!(
            violations(spec.clone(), KumaVersion::V2_14),
            [dp.clone(), enabled.clone()]
        );
        assert_eq!(violations(spec, KumaVersion::V2_12), [enabled, dp]);
        for ok in ["0", "1d", "24h", "500ms", "2y"] {
            assert!(is_kuma_duration(ok), "{ok}");
        }
        for bad in ["", "1", "1.5h", "h", "1dd", "-1d"] {
            assert!(!is_kuma_duration(bad), "{bad}");
        }
    }

    #[test]
    fn host_port_and_request_uri_read_as_gos() {
        for ok in ["a:1", "[::1]:80", "127.0.0.1:5"] {
            assert!(host_and_port(ok), "{ok}");
        }
        for bad in ["a", ":1", "a:", "a:b:c", "[::1]", "[::1]x:80"] {
            assert!(!host_and_port(bad), "{bad}");
        }
        assert_eq!(
            request_uri_port("http://zipkin:9411/api/v2/spans"),
            Some("9411")
        );
        assert_eq!(request_uri_port("http://zipkin/api"), Some(""));
        assert_eq!(request_uri_port("/api"), Some(""));
        assert_eq!(request_uri_port("zipkin:9411"), Some(""));
        // A scheme with a rootless path is opaque to Go: no port.
        assert_eq!(request_uri_port("zipkin.local:9411/x"), Some(""));
        assert_eq!(request_uri_port("zipkin/api"), None);
        assert_eq!(request_uri_port("http://zipkin:port/"), None);
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
    fn ca_plugins_check_their_backends_unless_validation_is_skipped() {
        let check = |backend: Value| {
            let enabled = backend["name"].clone();
            let spec = map(json!({"mtls": {"enabledBackend": enabled, "backends": [backend]}}));
            validate_with_meta("default", "default", &spec, None, KumaVersion::V2_14)
        };
        assert_eq!(
            check(json!({"name": "CA_1", "type": "builtin"})),
            [Violation::new(
                "mtls.backends[0].conf.mtls.backends.name",
                "\"CA_1\" name must be valid dns name"
            )]
        );
        assert!(check(json!({"name": "ca-1", "type": "builtin"})).is_empty());
        assert_eq!(
            check(json!({"name": "p", "type": "provided", "conf": {"cert": {"secret": "c"}}})),
            [Violation::new(
                "mtls.backends[0].conf.key",
                "has to be defined"
            )]
        );
        let skipped = map(json!({"mtls": {"skipValidation": true, "backends": [
            {"name": "CA_1", "type": "builtin"}
        ]}}));
        assert!(
            validate_with_meta("default", "default", &skipped, None, KumaVersion::V2_14).is_empty()
        );
        // 3.0 has no mtls backends.
        assert!(
            validate_with_meta("default", "default", &skipped, None, KumaVersion::V3_0).is_empty()
        );
    }

    #[test]
    fn govalidator_dns_names() {
        for good in [
            "default.ca-builtin-cert-ca-1",
            "a_b.c",
            "x.",
            "a-",
            &"a".repeat(63),
        ] {
            assert!(is_govalidator_dns_name(good), "{good}");
        }
        let long = "a".repeat(64);
        for bad in ["", "a b", "-a", "a..b", ".a", "a/b", long.as_str()] {
            assert!(!is_govalidator_dns_name(bad), "{bad}");
        }
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
