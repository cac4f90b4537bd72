//! The read-only fields (`status`, `creationTime`, `modificationTime`, `kri`, `snis`) as Kuma's
//! REST unmarshaller reads them ([`crate::validate::read_only`] has the rules), on both ways in:
//! a PUT body ([`refused`], used by the PUT layers) and a universal document checked as
//! `kumactl apply` reads it ([`check`], the front door's `check()`).
//!
//! `check()` is the decoder's (`decode::check`) plus this step, run over each universal document's
//! syntax tree after decoding: the step belongs to the decoder's envelope walk and moves there
//! when that file is next changed; until then this is the one place that adds it, so every front
//! end (the CLI, the language server, the playground, the workspace preview) gets it.

use serde_json::Value;

use crate::model::{KumaVersion, ResourceType, Shape};
use crate::text::diagnostics::{self, Code, Diagnostic, Severity};
use crate::text::source::TextRange;
use crate::text::syntax::{Entry, Node, NodeKind, Scalar};
use crate::validate::read_only::Refused;
use crate::{CheckOptions, Checked};

/// Parse, decode and validate every document of `text` ([`crate::decode`]'s check), then check
/// the read-only fields of each universal document as Kuma reads them: schema errors always (they
/// join the spec's), a decoding error only when the document has no schema error (Kuma decodes
/// only a body that passed its schema).
pub fn check(text: &str, options: &CheckOptions) -> Checked {
    let mut checked = crate::decode::check::check(text, options);
    for doc in &mut checked.documents {
        let (Some(resource_type), Some(Shape::Universal)) = (doc.resource_type, doc.shape) else {
            continue;
        };
        let refused =
            crate::validate::read_only::check(&doc.root, resource_type, options.kuma_version);
        if refused.is_empty() {
            continue;
        }
        let schema_failed = doc
            .diagnostics
            .iter()
            .any(|d| d.code == Code::Schema && d.severity == Severity::Error);
        for r in refused {
            if !(r.decoding && schema_failed) {
                (doc.diagnostics).push(Diagnostic::new(Code::Schema, r.path, r.message, r.span));
            }
        }
        diagnostics::sort(&mut doc.diagnostics);
    }
    checked
}

/// What Kuma refuses among the read-only fields of the REST body `body` of `resource_type`.
pub(crate) fn refused(
    resource_type: ResourceType,
    body: &Value,
    version: KumaVersion,
) -> Vec<Refused> {
    crate::validate::read_only::check(&node_of(body, 0), resource_type, version)
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
    use serde_json::json;

    #[test]
    fn bodies_are_read_like_documents() {
        let body = json!({"type": "MeshService", "status": {"dataplaneProxies": {"total": 2.0, "healthy": 1.5}},
            "snis": [{"port": 80, "sni": null}], "creationTime": true});
        let got: Vec<String> = refused(ResourceType::MeshService, &body, KumaVersion::V3_0)
            .into_iter()
            .map(|r| r.message)
            .collect();
        assert_eq!(
            got,
            [
                "creationTime in body must be of type date-time: \"\"",
                "snis[0].sni in body must be of type string: \"null\"",
                "status.dataplaneProxies.healthy in body must be of type integer: \"number\"",
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
}
