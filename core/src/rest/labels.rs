//! Name and label rules of the REST layer (§2.5): resource names, Kubernetes label syntax with
//! apimachinery's exact messages, the labels a control plane computes on write (§7.5) and the ones
//! an update may not change.

use super::Mode;
use crate::model::{labels as label_keys, Labels, ResourceType};
use crate::Violation;

fn is_rfc1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let bytes = part.as_bytes();
            !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
                && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        })
}

const RFC1123_NAME_MESSAGE: &str = "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/// Kuma's meta validation on the REST path (name: RFC 1123 subdomain up to 253; mesh:
/// `^[0-9a-z-_.]*$`).
pub(crate) fn validate_meta(name: &str, mesh: Option<&str>) -> Vec<Violation> {
    let mut violations = Vec::new();
    if name.is_empty() {
        violations.push(Violation::new("name", "cannot be empty"));
    } else if name.len() > 253 {
        violations.push(Violation::new(
            "name",
            "value length must less or equal 253",
        ));
    } else if !is_rfc1123_subdomain(name) {
        violations.push(Violation::new("name", RFC1123_NAME_MESSAGE));
    }
    if let Some(mesh) = mesh {
        let ok = mesh.bytes().all(|b| {
            b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-' || b == b'_' || b == b'.'
        });
        if !ok {
            violations.push(Violation::new("mesh", RFC1123_NAME_MESSAGE));
        }
    }
    violations
}

// Kubernetes label syntax (k8s.io/apimachinery validation), with its exact messages.
const QUALIFIED_NAME_FMT: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
pub(super) const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// k8s `IsQualifiedName`.
pub(crate) fn qualified_name_errors(key: &str) -> Vec<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [prefix, name] => (Some(*prefix), *name),
        _ => {
            return vec![format!(
                "a qualified name {QUALIFIED_NAME_FMT} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]
        }
    };
    let mut errors = Vec::new();
    if let Some(prefix) = prefix {
        errors.extend(part_errors(
            "prefix",
            prefix,
            253,
            is_rfc1123_subdomain,
            SUBDOMAIN_MESSAGE,
        ));
    }
    errors.extend(part_errors(
        "name",
        name,
        63,
        is_qualified_name_part,
        QUALIFIED_NAME_FMT,
    ));
    errors
}

/// The k8s messages for one part (`prefix`, `name`) of a qualified name.
fn part_errors(
    part: &str,
    value: &str,
    max_len: usize,
    is_valid: fn(&str) -> bool,
    format_message: &str,
) -> Vec<String> {
    if value.is_empty() {
        return vec![format!("{part} part must be non-empty")];
    }
    let mut errors = Vec::new();
    if value.len() > max_len {
        errors.push(format!(
            "{part} part must be no more than {max_len} characters"
        ));
    }
    if !is_valid(value) {
        errors.push(format!("{part} part {format_message}"));
    }
    errors
}

/// k8s `IsValidLabelValue`.
pub(crate) fn label_value_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_owned());
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errors.push(LABEL_VALUE_MESSAGE.to_owned());
    }
    errors
}

fn label_field(key: &str) -> String {
    format!("labels[\"{key}\"]")
}

/// Label checks on write (§2.5), before labels are computed.
pub(crate) fn check_labels(mode: &Mode, mesh: Option<&str>, labels: &Labels) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Some(origin) = labels.get(label_keys::ORIGIN) {
        if origin != "global" && origin != "zone" {
            violations.push(Violation::new(
                label_field(label_keys::ORIGIN),
                format!("unknown origin {origin:?}, must be one of: global, zone"),
            ));
        } else if *mode == Mode::Global && origin != "global" {
            violations.push(Violation::new(
                label_field(label_keys::ORIGIN),
                "the origin label must be set to 'global'",
            ));
        }
    }
    if let Mode::Zone { name, .. } = mode {
        let global_origin = labels.get(label_keys::ORIGIN).map(String::as_str) == Some("global");
        if !global_origin {
            if let Some(zone) = labels.get(label_keys::ZONE) {
                if zone != name {
                    violations.push(Violation::new(
                        label_field(label_keys::ZONE),
                        format!("kuma.io/zone label should have {name} value"),
                    ));
                }
            }
            if let (Some(mesh), Some(label_mesh)) = (mesh, labels.get(label_keys::MESH)) {
                if label_mesh != mesh {
                    violations.push(Violation::new(
                        label_field(label_keys::MESH),
                        "kuma.io/mesh label must not differ from mesh set on resource",
                    ));
                }
            }
        }
    }
    for (key, value) in labels {
        for message in qualified_name_errors(key) {
            violations.push(Violation::new(label_field(key), message));
        }
        for message in label_value_errors(value) {
            violations.push(Violation::new(label_field(key), message));
        }
    }
    violations
}

/// Labels Kuma computes on write (§7.5): display name from the URL name (always), mesh (if
/// unset), origin (always), and for zone-provided types on a zone the zone and env (if unset).
pub fn compute_labels(
    mode: &Mode,
    resource_type: ResourceType,
    mesh: Option<&str>,
    name: &str,
    mut labels: Labels,
) -> Labels {
    labels.insert(label_keys::DISPLAY_NAME.to_owned(), name.to_owned());
    if let Some(mesh) = mesh {
        labels
            .entry(label_keys::MESH.to_owned())
            .or_insert_with(|| mesh.to_owned());
    }
    labels.insert(label_keys::ORIGIN.to_owned(), mode.origin().to_owned());
    if let Mode::Zone { name: zone, .. } = mode {
        if resource_type == ResourceType::MeshService {
            labels
                .entry(label_keys::ZONE.to_owned())
                .or_insert_with(|| zone.clone());
            labels
                .entry(label_keys::ENV.to_owned())
                .or_insert_with(|| "universal".to_owned());
        }
    }
    labels
}

/// The immutable-label check on update: only `kuma.io/zone` is immutable.
pub(crate) fn check_immutable_labels(old: &Labels, new: &Labels) -> Vec<Violation> {
    let field = label_field(label_keys::ZONE);
    match (old.get(label_keys::ZONE), new.get(label_keys::ZONE)) {
        (Some(was), None) => vec![Violation::new(
            field,
            format!("is immutable, cannot be removed (was {was:?})"),
        )],
        (Some(was), Some(now)) if was != now => vec![Violation::new(
            field,
            format!("is immutable, cannot be changed from {was:?} to {now:?}"),
        )],
        _ => Vec::new(),
    }
}
