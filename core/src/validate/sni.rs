//! The deprecation warnings MeshService and MeshMultiZoneService share: a name that is not an
//! RFC 1035 label (2.10 to 2.14) and Kuma's `sni.ValidateKRI` per port (2.14 and 3.0).

use super::{dns, FieldPath};
use crate::model::Meta;
use crate::text::diagnostics::Violation;

/// `Invalid <Type> resource name: ...` when `name` is not an RFC 1035 label.
pub(super) fn name_deprecation(type_name: &str, name: &str) -> Option<Violation> {
    if name.is_empty() {
        return None;
    }
    let errs = dns::is_dns1035_label(name);
    (!errs.is_empty()).then(|| {
        Violation::new(
            "name",
            format!(
                "Invalid {type_name} resource name: '{name}'. It does not conform to the DNS format (RFC 1035). This is deprecated. Errors: {}",
                crate::text::join(&errs, "; ")
            ),
        )
    })
}

/// `Invalid <Type> SNI (port "<section>"): <problem>. This is deprecated.`, one per problem of
/// the SNI `sni.<short>.<mesh>[.<zone>[.<namespace>]].<name>.<section>`.
pub(super) fn port_deprecations(
    type_name: &str,
    short_name: &str,
    meta: &Meta,
    section: &str,
    field: &FieldPath,
) -> Vec<Violation> {
    validate_kri(meta, short_name, section)
        .into_iter()
        .map(|err| {
            Violation::new(
                field.as_str(),
                format!(
                    "Invalid {type_name} SNI (port {}): {err}. This is deprecated.",
                    crate::template::go_quote(section)
                ),
            )
        })
        .collect()
}

/// Kuma's `sni.ValidateKRI` for the resource's KRI with `section`.
fn validate_kri(meta: &Meta, short_name: &str, section: &str) -> Vec<String> {
    let mesh = meta.mesh.as_str();
    let name = meta.display_name();
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
                crate::text::join(&msgs, "; ")
            ));
        }
    }
    let msgs = dns::is_dns1123_label(section);
    if !msgs.is_empty() {
        errs.push(crate::text::join(&msgs, "; "));
    }
    let optional = [zone, namespace]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.len() + 1)
        .sum::<usize>();
    let sni_len = "sni.".len()
        + short_name.len()
        + 1
        + mesh.len()
        + 1
        + optional
        + name.len()
        + 1
        + section.len();
    if sni_len > 253 {
        errs.push(format!(
            "computed SNI is {sni_len} characters which exceeds the DNS hostname limit (253)"
        ));
    }
    errs
}
