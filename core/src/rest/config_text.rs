//! The text of `GET /config` as Kuma writes it: `json.Marshal` of its configuration struct
//! (compact, Go's field order, Go's HTML-safe escapes), written as it is, not through
//! go-restful's pretty-printing (v2.14.3 `pkg/api-server/config_ws.go` lines 13-24,
//! `pkg/config/display.go` lines 11-23). The values come from [`Mode::config_view_with`]
//! (a `serde_json::Value`, whose keys have no order); [`config_text`] writes them in the order
//! of Kuma's Go structs.
//!
//! [`Mode::config_view_with`]: super::Mode::config_view_with

use serde_json::Value;

/// Go's field order of the configuration structs, for the parts a configuration view shows:
/// `kuma_cp.Config` (`pkg/config/app/kuma-cp/config.go`), `ApiServerConfig`
/// (`pkg/config/api-server/config.go`), `MultizoneConfig` and `ZoneConfig`
/// (`pkg/config/multizone/multicluster.go`) and `IPAMConfig`; the same order in 2.9.19, 2.13.10,
/// 2.14.3 and master (which drops `proxy`). A key not listed goes after the listed ones, in name
/// order.
const FIELD_ORDER: &[(&[&str], &[&str])] = &[
    (
        &[],
        &[
            "general",
            "environment",
            "mode",
            "store",
            "bootstrapServer",
            "xdsServer",
            "monitoringAssignmentServer",
            "apiServer",
            "runtime",
            "defaults",
            "metrics",
            "reports",
            "multizone",
            "dnsServer",
            "diagnostics",
            "dpServer",
            "access",
            "experimental",
            "proxy",
            "interCp",
            "tracing",
            "eventBus",
            "policies",
            "coreResources",
            "ipam",
            "meshService",
        ],
    ),
    (
        &["apiServer"],
        &[
            "readOnly",
            "corsAllowedDomains",
            "http",
            "https",
            "auth",
            "authn",
            "basePath",
            "rootUrl",
            "gui",
            "readHeaderTimeout",
            "readTimeout",
            "writeTimeout",
            "idleTimeout",
        ],
    ),
    (
        &["apiServer", "authn"],
        &["type", "localhostIsAdmin", "tokens"],
    ),
    (&["multizone"], &["global", "zone"]),
    (
        &["multizone", "zone"],
        &[
            "name",
            "globalAddress",
            "kds",
            "disableOriginLabelValidation",
            "ingressUpdateInterval",
        ],
    ),
    (
        &["ipam"],
        &[
            "meshService",
            "meshExternalService",
            "meshMultiZoneService",
            "allocationInterval",
            "knownInternalCIDRs",
        ],
    ),
];

/// `config` (a configuration view such as [`Mode::config_view_with`]'s) written as Kuma's
/// `ConfigForDisplay` writes its configuration: compact JSON, objects in the Go structs' field
/// order, strings with Go's HTML-safe escapes.
///
/// [`Mode::config_view_with`]: super::Mode::config_view_with
pub fn config_text(config: &Value) -> String {
    let mut out = String::new();
    write(config, &mut Vec::new(), &mut out);
    out
}

fn rank(path: &[&str], key: &str) -> usize {
    FIELD_ORDER
        .iter()
        .find(|(at, _)| *at == path)
        .and_then(|(_, keys)| keys.iter().position(|k| *k == key))
        .unwrap_or(usize::MAX)
}

fn write<'a>(value: &'a Value, path: &mut Vec<&'a str>, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            crate::text::sort::sort_by(&mut entries, |(a, _), (b, _)| {
                (rank(path, a), a.as_str()).cmp(&(rank(path, b), b.as_str()))
            });
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                path.push(key);
                write(value, path, out);
                path.pop();
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, path, out);
            }
            out.push(']');
        }
        Value::String(text) => write_string(text, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A JSON string as Go's `json.Marshal` writes it: serde_json's escapes (the same as Go's from
/// Go 1.22) plus Go's HTML-safe `\u003c`, `\u003e`, `\u0026` and the line separators.
fn write_string(text: &str, out: &mut String) {
    let quoted = Value::String(text.to_owned()).to_string();
    for c in quoted.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_configuration_is_compact_in_gos_field_order() {
        let config = json!({
            "multizone": {"zone": {"globalAddress": "http://a?x=1&y=<2>", "name": "east"}, "global": {}},
            "mode": "zone",
            "ipam": {"meshMultiZoneService": {"cidr": "243.0.0.0/8"}, "meshService": {"cidr": "241.0.0.0/8"}},
            "environment": "universal",
            "apiServer": {"authn": {"localhostIsAdmin": false}},
        });
        assert_eq!(
            config_text(&config),
            concat!(
                r#"{"environment":"universal","mode":"zone","apiServer":{"authn":{"localhostIsAdmin":false}},"#,
                r#""multizone":{"global":{},"zone":{"name":"east","globalAddress":"http://a?x=1\u0026y=\u003c2\u003e"}},"#,
                r#""ipam":{"meshService":{"cidr":"241.0.0.0/8"},"meshMultiZoneService":{"cidr":"243.0.0.0/8"}}}"#,
            )
        );
    }

    #[test]
    fn the_config_view_is_written_in_gos_field_order() {
        let view =
            super::super::Mode::Global.config_view_with(None, "241.0.0.0/8", "243.0.0.0/8", true);
        assert_eq!(
            config_text(&view),
            concat!(
                r#"{"environment":"universal","mode":"global","apiServer":{"authn":{"localhostIsAdmin":true}},"#,
                r#""multizone":{"global":{},"zone":{}},"#,
                r#""ipam":{"meshService":{"cidr":"241.0.0.0/8"},"meshMultiZoneService":{"cidr":"243.0.0.0/8"}}}"#
            )
        );
    }
}
