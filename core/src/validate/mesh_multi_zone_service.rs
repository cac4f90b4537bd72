//! MeshMultiZoneService, after upstream
//! `pkg/core/resources/apis/meshmultizoneservice/api/v1alpha1/validator.go` and `deprecated.go`,
//! per release: 3.0 from the main line (commit 348b6528), 2.x from the tags v2.9.13 to v2.14.3.
//!
//! - 2.9 checks only the selector and that there are ports; 2.10 on also checks each port's name
//!   and `appProtocol` (case-sensitively; `kafka` allowed in every 2.x);
//! - the name: 3.0 rejects a non-RFC-1035 name, 2.10 to 2.14 warn;
//! - SNI deprecation warnings per port from 2.14.
//!
//! Upstream deliberately does not check: the port range (any int32 passes), duplicate ports or
//! names, label syntax inside `matchLabels`, or whether any MeshService is selected. Our lints
//! (MZS001-MZS004) cover the first three as warnings.

use super::{dns, messages, sni, FieldPath};
use crate::model::{KumaVersion, MeshMultiZoneServiceSpec, Meta};
use crate::text::diagnostics::Violation;

pub(crate) fn validate(
    spec: &MeshMultiZoneServiceSpec,
    name: Option<&str>,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    // 3.0: the display name must be an RFC 1035 label (2.x only warned, see `deprecations`).
    if let (Some(name), false) = (name, version.is_2x()) {
        if !name.is_empty() {
            let errs = dns::is_dns1035_label(name);
            if !errs.is_empty() {
                out.push(Violation::new("name", crate::text::join(&errs, ", ")));
            }
        }
    }
    let path = FieldPath::root("spec");
    let empty_labels = spec
        .selector
        .mesh_service
        .match_labels
        .as_ref()
        .is_none_or(|l| l.is_empty());
    if empty_labels {
        out.push(
            path.field("selector")
                .field("meshService")
                .field("matchLabels")
                .violation(messages::CANNOT_BE_EMPTY),
        );
    }
    if spec.ports.is_empty() {
        out.push(path.field("ports").violation(messages::CANNOT_BE_EMPTY));
    }
    if version < KumaVersion::V2_10 {
        return out;
    }
    let protocols = version.app_protocols();
    for (i, port) in spec.ports.iter().enumerate() {
        // Paths are built only for ports that have something to report.
        let p = || path.field("ports").index(i);
        if port.name.as_deref() == Some("") {
            out.push(p().field("name").violation(messages::MUST_NOT_BE_EMPTY));
        }
        // Exact, case-sensitive comparison: upstream does not run ParseProtocol here.
        if !protocols.contains(&port.app_protocol.as_str()) {
            out.push(
                p().field("appProtocol")
                    .violation(messages::must_be_one_of("appProtocol", protocols)),
            );
        }
    }
    out
}

/// Kuma's `Deprecations()`: warnings returned with a successful PUT. Each carries the field it is
/// about (`name` or `spec.ports[i]`) and Kuma's exact text.
pub fn deprecations(
    meta: &Meta,
    spec: &MeshMultiZoneServiceSpec,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if version.is_2x() && version >= KumaVersion::V2_10 {
        out.extend(sni::name_deprecation(
            "MeshMultiZoneService",
            meta.display_name(),
        ));
    }
    if version >= KumaVersion::V2_14 {
        for (i, port) in spec.ports.iter().enumerate() {
            let field = FieldPath::root("spec").field("ports").index(i);
            out.extend(sni::port_deprecations(
                "MeshMultiZoneService",
                "mzsvc",
                meta,
                &port.section_name(),
                &field,
            ));
        }
    }
    out
}
