//! MeshService, after upstream `pkg/core/resources/apis/meshservice/api/v1alpha1/validator.go`
//! and `deprecated.go`, per release: 3.0 from the main line (commit 348b6528), 2.x from the tags
//! v2.9.13 to v2.14.3.
//!
//! - name: 2.x only limits the length (`must not be longer than 63 characters`) and, from 2.10,
//!   warns when it is not an RFC 1035 label; 3.0 rejects a non-RFC-1035 name;
//! - `appProtocol`: checked (case-insensitively) in 3.0 only;
//! - selectors: one of `dataplaneTags`, `dataplaneRef`, `dataplaneLabels` in 2.14; one of
//!   `dataplaneRef`, `dataplaneLabels` in 3.0 (which dropped `dataplaneTags` and warns about a
//!   MeshService without a selector); no rule before 2.14;
//! - SNI deprecation warnings per port from 2.14.

use super::{dns, messages, sni, FieldPath};
use crate::model::{KumaVersion, MeshServiceSpec, Meta};
use crate::text::diagnostics::Violation;

/// Kuma's MeshService validator; `name` is the display name when validating with meta.
pub fn mesh_service(
    spec: &MeshServiceSpec,
    name: Option<&str>,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    match name {
        Some(name) if version.is_2x() && name.len() > 63 => {
            out.push(Violation::new(
                "name",
                "must not be longer than 63 characters",
            ));
        }
        Some(name) if !version.is_2x() && !name.is_empty() => {
            let errs = dns::is_dns1035_label(name);
            if !errs.is_empty() {
                out.push(Violation::new("name", crate::text::join(&errs, ", ")));
            }
        }
        _ => {}
    }
    if !version.is_2x() {
        // 3.0 only here (2.x MeshServices accept any protocol).
        let supported = version.app_protocols();
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
                        .violation(messages::must_be_one_of("appProtocol", supported)),
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
        KumaVersion::V2_14 => (
            usize::from(has("dataplaneTags"))
                + usize::from(has("dataplaneRef"))
                + usize::from(has("dataplaneLabels")),
            "must specify only one of: dataplaneTags, dataplaneRef, or dataplaneLabels",
        ),
        // No selector rule before 2.14.
        _ => (0, ""),
    };
    if count > 1 {
        out.push(FieldPath::root("spec").field("selector").violation(message));
    }
    out
}

/// Kuma's MeshService `Deprecations()`: warnings returned with a successful write.
pub(super) fn deprecations(
    meta: &Meta,
    spec: &MeshServiceSpec,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let name = meta.display_name();
    if version.is_2x() && version >= KumaVersion::V2_10 {
        out.extend(sni::name_deprecation("MeshService", name));
    }
    if !version.is_2x() {
        let selector = spec.selector.as_ref().and_then(|s| s.as_object());
        let has = |key: &str| selector.is_some_and(|s| s.get(key).is_some_and(|v| !v.is_null()));
        if !has("dataplaneRef") && !has("dataplaneLabels") {
            out.push(Violation::new(
                "spec.selector",
                format!("MeshService resource '{name}' has no selector, so it matches no data plane proxies. Set 'spec.selector.dataplaneRef' or 'spec.selector.dataplaneLabels'. The 'spec.selector.dataplaneTags' selector was removed, migrate it to 'dataplaneLabels'."),
            ));
        }
    }
    if version >= KumaVersion::V2_14 {
        for (i, port) in spec.ports.iter().enumerate() {
            let field = FieldPath::root("spec").field("ports").index(i);
            out.extend(sni::port_deprecations(
                "MeshService",
                "msvc",
                meta,
                &port.section_name(),
                &field,
            ));
        }
    }
    out
}
