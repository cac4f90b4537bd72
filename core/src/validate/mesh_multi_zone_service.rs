//! MeshMultiZoneService, after upstream
//! `pkg/core/resources/apis/meshmultizoneservice/api/v1alpha1/validator.go` (3.0 line, commit
//! 348b6528) and `deprecated.go`; 2.x differences from tag v2.14.3.
//!
//! Upstream deliberately does not check: the port range (any int32 passes), duplicate ports or
//! names, label syntax inside `matchLabels`, or whether any MeshService is selected. Our lints
//! (MZS001-MZS004) cover the first three as warnings.

use super::{dns, messages, FieldPath};
use crate::diagnostics::Violation;
use crate::model::{KumaVersion, MeshMultiZoneServiceSpec, Meta};

/// `core_meta.SupportedProtocols` of the version.
pub(crate) fn supported_protocols(version: KumaVersion) -> &'static [&'static str] {
    match version {
        KumaVersion::V3_0 => &["grpc", "http", "http2", "tcp"],
        KumaVersion::V2 => &["grpc", "http", "http2", "kafka", "tcp"],
    }
}

pub(crate) fn validate(
    spec: &MeshMultiZoneServiceSpec,
    name: Option<&str>,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    // 3.0: the display name must be an RFC 1035 label (2.x only warned, see `deprecations`).
    if let (Some(name), KumaVersion::V3_0) = (name, version) {
        if !name.is_empty() {
            let errs = dns::is_dns1035_label(name);
            if !errs.is_empty() {
                out.push(Violation::new("name", errs.join(", ")));
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
    let protocols = supported_protocols(version);
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
    let name = meta.display_name();
    if version == KumaVersion::V2 && !name.is_empty() {
        let errs = dns::is_dns1035_label(name);
        if !errs.is_empty() {
            out.push(Violation::new(
                "name",
                format!(
                    "Invalid MeshMultiZoneService resource name: '{name}'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: {}",
                    errs.join("; ")
                ),
            ));
        }
    }
    for (i, port) in spec.ports.iter().enumerate() {
        let number;
        let section = match port.name.as_deref() {
            Some(n) if !n.is_empty() => n,
            _ => {
                number = port.port.to_string();
                number.as_str()
            }
        };
        for err in validate_sni(meta, name, section) {
            out.push(Violation::new(
                FieldPath::root("spec").field("ports").index(i).as_str(),
                format!(
                    "Invalid MeshMultiZoneService SNI (port {}): {err}. This is deprecated.",
                    crate::template::go_quote(section)
                ),
            ));
        }
    }
    out
}

/// Kuma's `sni.ValidateKRI` for the MZS KRI with `section`.
fn validate_sni(meta: &Meta, name: &str, section: &str) -> Vec<String> {
    let mesh = meta.mesh.as_str();
    if mesh.is_empty() || name.is_empty() || section.is_empty() {
        return vec!["mesh, name and sectionName must be non-empty".to_owned()];
    }
    let zone = meta.zone();
    // The namespace is part of the SNI only for zone-originated resources.
    let namespace = if zone.is_empty() {
        ""
    } else {
        meta.namespace()
    };
    let fields = [
        ("mesh", mesh),
        ("name", name),
        ("zone", zone),
        ("namespace", namespace),
    ];
    let mut errs = Vec::new();
    for (field, value) in fields {
        if value.is_empty() && (field == "zone" || field == "namespace") {
            continue;
        }
        let msgs = dns::is_dns1123_label(value);
        if !msgs.is_empty() {
            errs.push(format!(
                "{field} {} does not conform to RFC 1123: {}",
                crate::template::go_quote(value),
                msgs.join("; ")
            ));
        }
    }
    let msgs = dns::is_dns1123_label(section);
    if !msgs.is_empty() {
        errs.push(msgs.join("; "));
    }
    // `sni.mzsvc.<mesh>[.<zone>[.<namespace>]].<name>.<section>`
    let optional = [zone, namespace]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.len() + 1)
        .sum::<usize>();
    let sni_len = "sni.mzsvc.".len() + mesh.len() + 1 + optional + name.len() + 1 + section.len();
    if sni_len > 253 {
        errs.push(format!(
            "computed SNI is {sni_len} characters which exceeds the DNS hostname limit (253)"
        ));
    }
    errs
}
