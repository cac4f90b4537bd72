//! The read-only fields (`status`, `creationTime`, `modificationTime`, `kri`, `snis`) as Kuma's
//! REST unmarshaller reads them ([`crate::validate::read_only`] has the rules) in a PUT body
//! ([`schema_errors`], [`decoding_error`], used by the PUT layers). A document checked as
//! `kumactl apply` reads it gets the same rules in the decoder's `check()` (`decode::check`).

use serde_json::Value;

use crate::model::{KumaVersion, ResourceType};
use crate::text::diagnostics::Code;
use crate::text::source::TextRange;
use crate::text::syntax::{Entry, Node, NodeKind, Scalar};
use crate::validate::read_only;

/// Kuma's schema errors among the read-only fields of the REST body `body` of `resource_type`.
pub(crate) fn schema_errors(
    resource_type: ResourceType,
    body: &Value,
    version: KumaVersion,
) -> Vec<String> {
    let refused = read_only::check(&node_of(body, 0), resource_type, version);
    (refused.into_iter())
        .filter(|d| d.code == Code::Schema)
        .map(|d| d.message)
        .collect()
}

/// The error Kuma's JSON decoder gives for the read-only fields of a REST body that passed the
/// schema.
pub(crate) fn decoding_error(
    resource_type: ResourceType,
    body: &Value,
    version: KumaVersion,
) -> Option<String> {
    decoder_refusal(resource_type, body, version).map(|d| d.message)
}

/// The field the error of Kuma's JSON decoder for a REST body is about (`spec.ports[0].port`),
/// which Kuma's answer does not name (its `detail` has Go's text only): for tools that show the
/// error at its place, such as a Terraform plan.
pub fn decoding_error_field(
    resource_type: ResourceType,
    body: &Value,
    version: KumaVersion,
) -> Option<String> {
    decoder_refusal(resource_type, body, version).map(|d| d.field)
}

fn decoder_refusal(
    resource_type: ResourceType,
    body: &Value,
    version: KumaVersion,
) -> Option<crate::Diagnostic> {
    let refused = read_only::check(&node_of(body, 0), resource_type, version);
    refused.into_iter().find(|d| d.code == Code::Kuma)
}

/// The span-less syntax node of a JSON value: strings quoted (never re-resolved), other scalars
/// plain; an integral number is an integer (Kuma's float64 passes an integer schema then).
/// Depth-bounded like the decoder's (deeper parts read as null).
fn node_of(value: &Value, depth: usize) -> Node {
    let scalar = |value: String, plain: bool| NodeKind::Scalar(Scalar { value, plain });
    let kind = match value {
        _ if depth > 64 => scalar("null".to_owned(), true),
        Value::String(s) => scalar(s.clone(), false),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() && f.fract() == 0.0 && f.abs() < 9e15 => {
                scalar((f as i64).to_string(), true)
            }
            _ => scalar(n.to_string(), true),
        },
        Value::Array(items) => {
            NodeKind::Sequence(items.iter().map(|v| node_of(v, depth + 1)).collect())
        }
        Value::Object(map) => NodeKind::Mapping(
            map.iter()
                .map(|(k, v)| Entry {
                    key: Node {
                        kind: scalar(k.clone(), false),
                        span: TextRange::default(),
                    },
                    value: node_of(v, depth + 1),
                })
                .collect(),
        ),
        other => scalar(other.to_string(), true),
    };
    Node {
        kind,
        span: TextRange::default(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::diagnostics::Severity;
    use crate::{check, CheckOptions};
    use serde_json::json;

    #[test]
    fn bodies_are_read_like_documents() {
        let body = json!({"type": "MeshService", "status": {"dataplaneProxies": 1.5, "vips": []},
            "snis": {"port": 80}, "creationTime": true});
        let mut got = schema_errors(ResourceType::MeshService, &body, KumaVersion::V3_0);
        crate::text::sort::sort(&mut got);
        assert_eq!(
            got,
            [
                "creationTime in body must be of type date-time: \"\"",
                "snis in body must be of type array: \"object\"",
                "status.dataplaneProxies in body must be of type object: \"number\"",
            ]
        );
    }

    #[test]
    fn check_locates_each_refused_value() {
        let text = "type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels: {app: a}\n  ports:\n  - port: 80\nstatus:\n  meshServices: x\ncreationTime: []\n";
        let options = CheckOptions {
            kuma_version: KumaVersion::V2_14,
            ..CheckOptions::default()
        };
        let checked = check(text, &options);
        let errors: Vec<_> = checked
            .all_diagnostics()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let at = checked.line_index.range(text, errors[0].span);
        assert_eq!((at.start.line, at.start.column), (11, 17));
        assert_eq!(
            errors[0].message,
            "status.meshServices in body must be of type array: \"string\""
        );
        // With the schema error fixed, Go's decoder refuses the array as a time.
        let checked = check(&text.replace("meshServices: x", "vips: []"), &options);
        let errors: Vec<_> = checked
            .all_diagnostics()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "creationTime");
        assert_eq!(
            errors[0].message,
            "Time.UnmarshalJSON: input is not a JSON string"
        );
        let moved = text.replace("meshServices: x", "vips: []");
        assert_eq!(
            checked.line_index.range(&moved, errors[0].span).start.line,
            12
        );
    }

    #[test]
    fn a_read_back_document_checks_clean_and_the_decoder_waits_for_the_schema() {
        let text = "type: MeshService\nname: redis\nmesh: default\ncreationTime: \"2026-11-26T16:57:17Z\"\nmodificationTime: \"2026-11-26T16:57:17Z\"\nkri: kri_msvc_default_east__redis_\nsnis:\n- port: 6379\n  sni: sni.msvc.default.east.redis.6379\nspec:\n  ports:\n  - port: 6379\n    targetPort: 6379\n    appProtocol: tcp\nstatus:\n  vips:\n  - ip: 241.0.0.1\n  tls: {}\n  dataplaneProxies: {connected: 1, healthy: 1, total: 1}\n";
        for kuma_version in KumaVersion::ALL {
            let options = CheckOptions {
                kuma_version,
                ..CheckOptions::default()
            };
            assert!(!check(text, &options).has_errors(), "{kuma_version:?}");
        }
        // Under 2.9 a number is Go's decoding error, but only once the schema passes.
        let options = CheckOptions {
            kuma_version: KumaVersion::V2_9,
            ..CheckOptions::default()
        };
        let bad_time = text.replace("creationTime: \"2026-11-26T16:57:17Z\"", "creationTime: 12");
        let fields = |t: &str| -> Vec<(Code, String)> {
            (check(t, &options).all_diagnostics())
                .filter(|d| d.severity == Severity::Error)
                .map(|d| (d.code, d.field.clone()))
                .collect()
        };
        assert_eq!(fields(&bad_time), [(Code::Kuma, "creationTime".to_owned())]);
        let also_bad_port =
            bad_time.replace("- port: 6379\n    targetPort", "- port: x\n    targetPort");
        assert_eq!(
            fields(&also_bad_port),
            [(Code::Schema, "spec.ports[0].port".to_owned())]
        );
    }
}
