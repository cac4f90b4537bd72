//! MeshService, after upstream `pkg/core/resources/apis/meshservice/api/v1alpha1/validator.go`
//! (commit 348b6528); 2.x from tag v2.14.3 (a 63-character name limit instead of RFC 1035, no
//! appProtocol check, and `dataplaneTags` as a third selector).

use super::{dns, messages, FieldPath};
use crate::diagnostics::Violation;
use crate::model::{KumaVersion, MeshServiceSpec};

/// Kuma's MeshService validator; `name` is the display name when validating with meta.
pub fn mesh_service(
    spec: &MeshServiceSpec,
    name: Option<&str>,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    match (name, version) {
        (Some(name), KumaVersion::V3_0) if !name.is_empty() => {
            let errs = dns::is_dns1035_label(name);
            if !errs.is_empty() {
                out.push(Violation::new("name", errs.join(", ")));
            }
        }
        (Some(name), KumaVersion::V2) if name.len() > 63 => {
            out.push(Violation::new(
                "name",
                "must not be longer than 63 characters",
            ));
        }
        _ => {}
    }
    if version == KumaVersion::V3_0 {
        let supported = ["grpc", "http", "http2", "tcp"];
        for (i, port) in spec.ports.iter().enumerate() {
            let Some(proto) = port.app_protocol.as_deref() else {
                continue;
            };
            // Kuma parses case-insensitively here (ParseProtocol), unlike the MZS validator.
            if !proto.is_empty() && !supported.contains(&proto.to_ascii_lowercase().as_str()) {
                out.push(
                    FieldPath::root("spec")
                        .field("ports")
                        .index(i)
                        .field("appProtocol")
                        .violation(messages::must_be_one_of("appProtocol", &supported)),
                );
            }
        }
    }
    let selector = spec.selector.as_ref().and_then(|s| s.as_object());
    let has = |key: &str| selector.is_some_and(|s| s.get(key).is_some_and(|v| !v.is_null()));
    let (count, message) = match version {
        KumaVersion::V3_0 => (
            usize::from(has("dataplaneRef")) + usize::from(has("dataplaneLabels")),
            "must specify only one of: dataplaneRef or dataplaneLabels",
        ),
        KumaVersion::V2 => (
            usize::from(has("dataplaneTags"))
                + usize::from(has("dataplaneRef"))
                + usize::from(has("dataplaneLabels")),
            "must specify only one of: dataplaneTags, dataplaneRef, or dataplaneLabels",
        ),
    };
    if count > 1 {
        out.push(FieldPath::root("spec").field("selector").violation(message));
    }
    out
}
