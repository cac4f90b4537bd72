//! Name and label rules of the REST layer (§2.5): resource names, Kubernetes label syntax with
//! apimachinery's exact messages, the labels a control plane computes on write (§7.5) and the ones
//! an update may not change.

use super::{ApiError, Mode, TITLE_COULD_NOT_DELETE};
use crate::model::{labels as label_keys, KumaVersion, Labels, Resource, ResourceType};
use crate::validate::meta::{label_field, label_syntax, policy_role, unknown_origin};
use crate::Violation;

/// A federated zone's refusal of a write without `kuma.io/origin: zone`.
const ZONE_ORIGIN_REQUIRED: &str = "the origin label must be set to 'zone'";

/// Kuma's `validateOriginForWrite`: which origin a control plane may write or delete. Global
/// refuses an origin other than `global` (what a zone sent it is the zone's; from 2.11); a
/// federated zone requires `zone` on every type it can originate (every type kuma-local models
/// but Mesh; every release), since what global sent it is global's. Kuma also refuses a PUT on
/// a federated zone without the label; kuma-local accepts it and writes `zone` (README, "Where
/// kuma-local is more lenient"), so resources seeded with a plain PUT work; a stored resource
/// always carries its origin, so DELETE is checked exactly. `field` is where the
/// violation is reported (`labels["kuma.io/origin"]` on a PUT, `["kuma.io/origin"]` on a
/// DELETE).
fn origin_for_write(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    labels: &Labels,
    field: String,
) -> Option<Violation> {
    let origin = labels.get(label_keys::ORIGIN).map(String::as_str);
    match mode {
        Mode::Global if version >= KumaVersion::V2_11 && origin.is_some_and(|o| o != "global") => {
            Some(Violation::new(
                field,
                "the origin label must be set to 'global'",
            ))
        }
        Mode::Zone {
            federated: true, ..
        } if resource_type != ResourceType::Mesh && origin.is_some_and(|o| o != "zone") => {
            Some(Violation::new(field, ZONE_ORIGIN_REQUIRED))
        }
        _ => None,
    }
}

/// Why the REST layer of a control plane in `mode` refuses to create a resource with `labels`
/// for their origin (reported at `labels["kuma.io/origin"]`): global takes only `global` (from
/// 2.11; before, any), a federated zone only `zone`. A Kubernetes manifest's MZS gets global's
/// admission webhook refusal from `validate`.
pub(crate) fn origin_refusal(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    labels: &Labels,
) -> Option<String> {
    origin_for_write(mode, version, resource_type, labels, String::new()).map(|v| v.message)
}

/// [`origin_refusal`] as Kuma's REST layer answers it: a federated zone also refuses a resource
/// without the label (every release; v2.14.3 `resource_endpoints.go:721-724`), where kuma-local
/// is lenient. For front ends that say what Kuma will do with a file (the preview's zone files).
pub(crate) fn origin_refusal_by_kuma(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    labels: &Labels,
) -> Option<String> {
    let refusal = origin_refusal(mode, version, resource_type, labels);
    let federated = matches!(
        mode,
        Mode::Zone {
            federated: true,
            ..
        }
    );
    if refusal.is_none()
        && federated
        && resource_type != ResourceType::Mesh
        && !labels.contains_key(label_keys::ORIGIN)
    {
        return Some(ZONE_ORIGIN_REQUIRED.to_owned());
    }
    refusal
}

/// Kuma's DELETE check of the stored resource's origin (from 2.14): global does not delete what
/// a zone sent it, and a federated zone does not delete what global sent it (the next sync
/// would not bring it back, and the stores would disagree for good).
pub fn check_delete(mode: &Mode, version: KumaVersion, stored: &Resource) -> Result<(), ApiError> {
    if version < KumaVersion::V2_14 {
        return Ok(());
    }
    let field = format!("[\"{}\"]", label_keys::ORIGIN);
    match origin_for_write(
        mode,
        version,
        stored.resource_type(),
        &stored.meta.labels,
        field,
    ) {
        Some(violation) => Err(ApiError::invalid(TITLE_COULD_NOT_DELETE, vec![violation])),
        None => Ok(()),
    }
}

/// A zone's refusal of the `kuma.io/zone` and `kuma.io/mesh` labels of a resource it originates
/// (one not labelled `kuma.io/origin: global`): the zone's name, the resource's mesh.
fn zone_and_mesh_labels(zone: &str, mesh: Option<&str>, labels: &Labels) -> Vec<Violation> {
    let mut violations = Vec::new();
    if labels.get(label_keys::ORIGIN).map(String::as_str) == Some("global") {
        return violations;
    }
    if labels.get(label_keys::ZONE).is_some_and(|z| z != zone) {
        violations.push(Violation::new(
            label_field(label_keys::ZONE),
            format!("kuma.io/zone label should have {zone} value"),
        ));
    }
    if let (Some(mesh), Some(label_mesh)) = (mesh, labels.get(label_keys::MESH)) {
        if label_mesh != mesh {
            violations.push(Violation::new(
                label_field(label_keys::MESH),
                "kuma.io/mesh label must not differ from mesh set on resource",
            ));
        }
    }
    violations
}

/// Every label a federated zone's REST layer refuses as Kuma answers `kumactl apply` of a
/// universal document to `zone`: the origin ([`origin_refusal_by_kuma`]), the zone and the mesh
/// labels, together as Kuma lists them in one answer. The checks a document meets whatever its
/// control plane (label syntax, an unknown origin, 3.0's policy role) are the document check's.
pub(crate) fn zone_label_refusals_by_kuma(
    zone: &str,
    version: KumaVersion,
    resource_type: ResourceType,
    mesh: Option<&str>,
    labels: &Labels,
) -> Vec<Violation> {
    let mode = Mode::Zone {
        name: zone.to_owned(),
        federated: true,
    };
    let mut violations: Vec<Violation> =
        origin_refusal_by_kuma(&mode, version, resource_type, labels)
            .map(|message| Violation::new(label_field(label_keys::ORIGIN), message))
            .into_iter()
            .collect();
    violations.extend(zone_and_mesh_labels(zone, mesh, labels));
    violations
}

/// Label checks on write (§2.5), before labels are computed.
pub(crate) fn check_labels(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    mesh: Option<&str>,
    labels: &Labels,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    violations.extend(unknown_origin(labels));
    violations.extend(origin_for_write(
        mode,
        version,
        resource_type,
        labels,
        label_field(label_keys::ORIGIN),
    ));
    if let Mode::Zone { name, .. } = mode {
        violations.extend(zone_and_mesh_labels(name, mesh, labels));
    }
    violations.extend(policy_role(resource_type, labels, version));
    violations.extend(label_syntax(labels, version));
    violations
}

/// Labels Kuma computes on write (§7.5), as `version` computes them (Kuma's `labels.Compute`, in
/// 2.x `model.ComputeLabels`): the mesh (if unset) and:
/// - up to 2.14 (v2.14.3 `labels/compute.go:134-152`, v2.9.13 `model/resource.go:530-548`):
///   nothing more on global (no `kuma.io/origin`: what global stores carries no origin, and KDS
///   adds `global` to the zone copies); on a zone, for the types a zone provides
///   ([`KumaVersion::provided_by_zone`]), `kuma.io/origin: zone` if unset and, unless the origin is
///   `global`, `kuma.io/zone` and `kuma.io/env` if unset;
/// - 3.0 (HEAD `compute.go:151-172`): `kuma.io/display-name` = the URL name and `kuma.io/origin` =
///   the mode on every write, replacing what the request says, and on a zone `kuma.io/zone` and
///   `kuma.io/env` if unset for the types a zone provides.
///
/// Up to 2.14 the universal REST layer never sets `kuma.io/display-name` (a request's own value is
/// stored as written, an absent one stays absent until KDS adds the name on sync; on Kubernetes
/// the store reads it from `metadata.name`, see `decode`).
pub fn compute_labels(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    mesh: Option<&str>,
    name: &str,
    mut labels: Labels,
) -> Labels {
    if version.overwrites_display_name() {
        labels.insert(label_keys::DISPLAY_NAME.to_owned(), name.to_owned());
    }
    if let Some(mesh) = mesh {
        labels
            .entry(label_keys::MESH.to_owned())
            .or_insert_with(|| mesh.to_owned());
    }
    let provided_by_zone = version.provided_by_zone(resource_type);
    if version.overwrites_origin() {
        labels.insert(label_keys::ORIGIN.to_owned(), mode.origin().to_owned());
    } else if matches!(mode, Mode::Zone { .. }) && provided_by_zone {
        labels
            .entry(label_keys::ORIGIN.to_owned())
            .or_insert_with(|| mode.origin().to_owned());
    }
    if let Mode::Zone { name: zone, .. } = mode {
        let from_global = labels.get(label_keys::ORIGIN).map(String::as_str) == Some("global");
        if provided_by_zone && !from_global {
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

/// The immutable-label check on update (Kuma's `validateImmutableLabels`, from 2.13; 2.9-2.12
/// have none), on the labels after [`compute_labels`] on both sides. 2.13 and 2.14 keep
/// `kuma.io/origin`, `kuma.io/zone` and `kuma.io/display-name` (v2.14.3
/// `resource_endpoints.go` `immutableLabels`: a written display name cannot change); 3.0 only
/// `kuma.io/zone`, since it rewrites the other two on every PUT.
pub fn check_immutable_labels(version: KumaVersion, old: &Labels, new: &Labels) -> Vec<Violation> {
    let keys: &[&str] = if version >= KumaVersion::V3_0 {
        &[label_keys::ZONE]
    } else if version >= KumaVersion::V2_13 {
        &[
            label_keys::ORIGIN,
            label_keys::ZONE,
            label_keys::DISPLAY_NAME,
        ]
    } else {
        &[]
    };
    let mut violations = Vec::new();
    for key in keys {
        let field = label_field(key);
        match (old.get(*key), new.get(*key)) {
            (Some(was), None) => violations.push(Violation::new(
                field,
                format!("is immutable, cannot be removed (was {was:?})"),
            )),
            (Some(was), Some(now)) if was != now => violations.push(Violation::new(
                field,
                format!("is immutable, cannot be changed from {was:?} to {now:?}"),
            )),
            _ => {}
        }
    }
    violations
}
