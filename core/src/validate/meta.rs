//! Kuma's checks of a resource's envelope (name, mesh, labels) that every control plane makes
//! whatever its mode: `ValidateMeta` (`pkg/core/resources/apis/mesh/meta_validator.go`), the
//! label checks of the API server's `validateLabels` that do not depend on the mode, and the
//! Kubernetes API server's own name check, with apimachinery's exact messages. The REST layer
//! (`rest::labels`) adds the checks that depend on the control plane's mode; `check()` applies
//! these to documents, which could go to either.

use crate::model::{labels as label_keys, KumaVersion, Labels, ResourceType};
use crate::text::diagnostics::Violation;

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
/// A mesh name is checked against Kuma's older, wider rule (`_` allowed): a Mesh created before
/// the RFC 1123 rule may still hold resources.
const MESH_NAME_MESSAGE: &str =
    "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols.";

/// Kuma's meta validation on the REST path (name: RFC 1123 subdomain up to 253; mesh:
/// `^[0-9a-z-_.]*$`).
pub fn validate_meta(name: &str, mesh: Option<&str>) -> Vec<Violation> {
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
    violations.extend(mesh.and_then(validate_mesh));
    violations
}

/// Kuma's `ValidateMesh` (`meta_validator.go`, the same at every release): the REST path's
/// `ValidateMeta` calls it on the body's mesh, and on Kubernetes both webhooks call it on the
/// `kuma.io/mesh` label (`owner_reference_mutator.go:68`, `validation.go:68-73`) before the
/// resource's validator.
pub(crate) fn validate_mesh(mesh: &str) -> Option<Violation> {
    let ok = mesh.bytes().all(|b| {
        b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-' || b == b'_' || b == b'.'
    });
    let message = if mesh.is_empty() {
        "cannot be empty"
    } else if mesh.len() > 253 {
        "value length must less or equal 253"
    } else if !ok {
        MESH_NAME_MESSAGE
    } else {
        return None;
    };
    Some(Violation::new("mesh", message))
}

/// The Kubernetes API server's check of a custom resource's `metadata.name` (apimachinery's
/// `NameIsDNSSubdomain`), made before any Kuma webhook sees the object.
pub(crate) fn kubernetes_name(name: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    if name.len() > 253 {
        violations.push(Violation::new(
            "name",
            "must be no more than 253 characters",
        ));
    }
    if !name.is_empty() && !is_rfc1123_subdomain(name) {
        violations.push(Violation::new("name", SUBDOMAIN_MESSAGE));
    }
    violations
}

// Kubernetes label syntax (k8s.io/apimachinery validation), with its exact messages.
const QUALIFIED_NAME_FMT: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
pub(crate) const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// k8s `IsQualifiedName` (a label key), in the wording of `version`'s apimachinery.
pub(crate) fn qualified_name_errors(key: &str, version: KumaVersion) -> Vec<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [prefix, name] => (Some(*prefix), *name),
        _ => {
            let what = if version.says_qualified_name_for_label_keys() {
                "a qualified name"
            } else {
                "a valid label key"
            };
            return vec![format!(
                "{what} {QUALIFIED_NAME_FMT} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )];
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
    let mut errors = Vec::new();
    if value.is_empty() {
        errors.push(format!("{part} part must be non-empty"));
        // An empty prefix is only that; an empty name also fails the name's pattern.
        if part == "prefix" {
            return errors;
        }
    } else if value.len() > max_len {
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

pub(crate) fn label_field(key: &str) -> String {
    format!("labels[\"{key}\"]")
}

/// An origin label that names neither origin.
pub(crate) fn unknown_origin(labels: &Labels) -> Option<Violation> {
    labels
        .get(label_keys::ORIGIN)
        .filter(|origin| *origin != "global" && *origin != "zone")
        .map(|origin| {
            Violation::new(
                label_field(label_keys::ORIGIN),
                // `ResourceOrigin.IsValid` (v2.14.3 `dataplane_helpers.go:148`, Go's `%q`).
                format!(
                    "unknown resource origin {}",
                    crate::template::go_quote(origin)
                ),
            )
        })
}

/// Kubernetes label syntax of every key and value.
pub(crate) fn label_syntax(labels: &Labels, version: KumaVersion) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (key, value) in labels {
        for message in qualified_name_errors(key, version) {
            violations.push(Violation::new(label_field(key), message));
        }
        for message in label_value_errors(value) {
            violations.push(Violation::new(label_field(key), message));
        }
    }
    violations
}

/// Kuma 3.0's REST layer holds a MeshLoadBalancingStrategy's `kuma.io/policy-role` to `system`,
/// whatever the control plane's mode ([`KumaVersion::refuses_policy_roles`]; 2.x stores any role
/// as written): a universal document that says otherwise is refused by `kumactl apply`.
pub(crate) fn policy_role(
    resource_type: ResourceType,
    labels: &Labels,
    version: KumaVersion,
) -> Option<Violation> {
    if !version.refuses_policy_roles() || resource_type != ResourceType::MeshLoadBalancingStrategy {
        return None;
    }
    let role = labels
        .get(label_keys::POLICY_ROLE)
        .map_or("system", String::as_str);
    (role != "system").then(|| {
        Violation::new(
            label_field(label_keys::POLICY_ROLE),
            format!(
                "{} label should have system value, got {role}",
                label_keys::POLICY_ROLE
            ),
        )
    })
}

/// The label checks every control plane makes whatever its mode (an origin that names neither
/// origin, Kubernetes label syntax): what a document is held to before anyone knows whether it
/// goes to global or to a zone.
pub(crate) fn check_labels_in_any_mode(labels: &Labels, version: KumaVersion) -> Vec<Violation> {
    let mut violations: Vec<Violation> = unknown_origin(labels).into_iter().collect();
    violations.extend(label_syntax(labels, version));
    violations
}

/// Kuma's name rules of a Mesh, which its mesh manager and validator apply with meta (HEAD
/// `mesh_validator.go:8-13`: the display name a DNS-1035 label under 3.0; v2.14.3
/// `managers/apis/mesh/mesh_validator.go:33-36`: at most 63 characters on a create). Under 3.0
/// a bad display name stops there: the mesh validator does not run.
pub(crate) fn mesh_name(
    name: &str,
    display_name: &str,
    creating: bool,
    version: KumaVersion,
) -> Vec<Violation> {
    if !version.is_2x() && !display_name.is_empty() {
        let errs = crate::validate::dns::is_dns1035_label(display_name);
        if !errs.is_empty() {
            return vec![Violation::new("name", crate::text::join(&errs, ", "))];
        }
    }
    if creating && name.len() > 63 {
        return vec![Violation::new(
            "name",
            "cannot be longer than 63 characters",
        )];
    }
    Vec::new()
}
