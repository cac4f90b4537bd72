//! KDS (Kuma Discovery Service) facts: which resources travel between global and zones, and how
//! they are renamed on the way. kuma-local's sync and the preview's imitation of a zone store
//! both ask here, so the two directions are written down once:
//!
//! - **global -> zone:** Meshes always; MeshMultiZoneServices, HostnameGenerators and
//!   MeshLoadBalancingStrategies written on global (no `kuma.io/origin`, or `global`: Kuma's
//!   `IsLocallyOriginated(Global)`; 2.x global stores them without the label, 3.0 writes
//!   `global`); MeshServices of *other* zones; MeshLoadBalancingStrategies of other zones only
//!   when they are producer policies ([`is_producer_policy`], Kuma's `SyncedAcrossZonesFlag`
//!   filter, v2.14.3 `pkg/kds/context/context.go:296-326`): a universal zone computes no policy
//!   role (the role is `system` without a Kubernetes namespace), so a zone's policy stays on
//!   global unless it is labelled `kuma.io/policy-role: producer` with a
//!   `k8s.kuma.io/namespace` its `to` entries fit. The zone copy carries
//!   `kuma.io/origin: global`, no status (each zone computes its own; 2.9 and 2.10 send an MZS's
//!   status along, which [`zone_copy`] does not model and the preview does,
//!   [`KumaVersion::syncs_mzs_status_to_zones`]), and every type but Mesh
//!   ([`renamed_for_zones`]) takes its KDS name ([`kds_name`]; `HashedName("", name)` for a
//!   HostnameGenerator, which has no mesh) keeping the original as `kuma.io/display-name`
//!   (Kuma's `HashSuffixMapper`; every supported zone has the `hash-suffix` feature).
//! - **zone -> global:** the zone's own MeshServices, HostnameGenerators and
//!   MeshLoadBalancingStrategies (not copies that came from global; the zone's default
//!   generators included, as they carry `kuma.io/origin: zone`), stored on global under
//!   `HashedName(mesh, displayName, zone, namespace?)` with `kuma.io/zone`,
//!   `kuma.io/origin: zone` and `kuma.io/display-name` (Kuma's `ZoneToGlobalFlag`), with the
//!   zone's status (global keeps it; its copies sent on to zones carry none). Global sends
//!   MeshServices and producer MeshLoadBalancingStrategies on to the other zones under that name;
//!   a zone's HostnameGenerators stay on global.
//!
//! The name hash itself is [`hashed_name()`] (and [`kds_name`] for a zone's resource).

use crate::model::{
    labels, KumaVersion, Meta, Resource, ResourceKey, ResourceType, Spec, TargetRef,
};

// The hash is a fact about names (the decode layer checks a copy's name with it); KDS uses it.
pub(crate) use crate::model::hashed_name::renames_copies;
pub use crate::model::hashed_name::{hashed_name, kds_name, NAME_LABELS};

/// `kuma.io/origin` of resources written on (or synced from) global.
pub(crate) const ORIGIN_GLOBAL: &str = "global";
/// `kuma.io/origin` of resources written on a zone.
pub(crate) const ORIGIN_ZONE: &str = "zone";

/// Whether a resource carries `kuma.io/origin: global` (written on global, or a zone's copy of
/// one).
pub fn is_from_global(resource: &Resource) -> bool {
    resource.meta.labels.get(labels::ORIGIN).map(String::as_str) == Some(ORIGIN_GLOBAL)
}

/// Whether a resource carries `kuma.io/zone: <zone>` (an absent label never matches).
pub fn is_of_zone(resource: &Resource, zone: &str) -> bool {
    resource
        .meta
        .labels
        .get(labels::ZONE)
        .is_some_and(|z| z == zone)
}

/// Whether global counts a resource it stores as its own (Kuma's
/// `IsLocallyOriginated(Global, labels)`): no `kuma.io/origin`, or `global`. Up to 2.14 what is
/// written on global carries no origin label; what zones sent carries `zone`.
pub fn is_global_originated(resource: &Resource) -> bool {
    is_global_originated_meta(&resource.meta)
}

/// [`is_global_originated`] of a resource's meta.
pub(crate) fn is_global_originated_meta(meta: &Meta) -> bool {
    is_global_originated_labels(&meta.labels)
}

/// [`is_global_originated`] of a resource's labels alone (for a tool that holds only them).
pub fn is_global_originated_labels(resource_labels: &crate::model::Labels) -> bool {
    resource_labels
        .get(labels::ORIGIN)
        .is_none_or(|origin| origin == ORIGIN_GLOBAL)
}

/// Whether `zone`'s store holds `resource` (a HostnameGenerator, say): global's reach every zone;
/// a zone's own (`kuma.io/origin: zone`) stays in the zone its `kuma.io/zone` label names, since
/// global never sends what a zone wrote to other zones ([`travels_to_zone`]). Without a zone
/// label it is taken as this zone's.
pub(crate) fn held_by_zone(resource: &Resource, zone: &str) -> bool {
    is_global_originated(resource)
        || !resource.meta.labels.contains_key(labels::ZONE)
        || is_of_zone(resource, zone)
}

/// Whether `zone`'s store holds the MeshLoadBalancingStrategy `policy` (as global stores it):
/// global's own reach every zone; a zone's own (`kuma.io/origin: zone`) applies in the zone its
/// `kuma.io/zone` label names, and in another zone only when global sends it on there, as a
/// producer policy ([`travels_to_zone`], [`is_producer_policy`]); without a zone label it is
/// taken as this zone's, as [`held_by_zone`] takes it.
pub(crate) fn policy_held_by_zone(policy: &Resource, zone: &str, version: KumaVersion) -> bool {
    held_by_zone(policy, zone) || travels_to_zone(policy, zone, version)
}

/// A resource a user writes on `zone`'s control plane as the zone stores it: the zone computes
/// `kuma.io/origin: zone` and, for its own resources, `kuma.io/zone` when the request sets none
/// (`rest::compute_labels`).
pub(crate) fn as_written_on_zone(meta: &mut Meta, zone: &str) {
    let origin =
        (meta.labels.entry(labels::ORIGIN.to_owned())).or_insert_with(|| ORIGIN_ZONE.to_owned());
    if origin != ORIGIN_GLOBAL {
        (meta.labels.entry(labels::ZONE.to_owned())).or_insert_with(|| zone.to_owned());
    }
}

/// Whether global sends `resource` (as global stores it) to `zone` (Kuma's
/// `GlobalProvidedFilter`).
pub(crate) fn travels_to_zone(resource: &Resource, zone: &str, version: KumaVersion) -> bool {
    if is_global_originated(resource) {
        // Every modelled type is `GlobalToZonesFlag` but MeshService, which global never owns.
        return resource.resource_type() != ResourceType::MeshService;
    }
    match resource.resource_type() {
        // `SyncedAcrossZonesFlag`: not back to the zone it came from.
        ResourceType::MeshService => !is_of_zone(resource, zone),
        ResourceType::MeshLoadBalancingStrategy => {
            !is_of_zone(resource, zone) && is_producer_policy(resource, zone, version)
        }
        _ => false,
    }
}

/// Kuma's policy-role test for a zone's policy on global: declared `kuma.io/policy-role:
/// producer`, and producer again when global computes the role itself from the spec and the
/// `k8s.kuma.io/namespace` label (Kuma's `ComputePolicyRole` with a non-system namespace): every
/// `to` entry names one MeshService (from 2.11 also a MeshHTTPRoute) in the policy's namespace or
/// without one (3.0: selects it by `kuma.io/display-name`, optionally with the namespace label).
/// Without a namespace the role is `system`, so nothing written on a universal zone qualifies
/// without that label. Up to 2.14 a top-level `MeshSubset` with a `kuma.io/zone` tag travels
/// only to that zone.
pub fn is_producer_policy(resource: &Resource, to_zone: &str, version: KumaVersion) -> bool {
    let Spec::MeshLoadBalancingStrategy(spec) = &resource.spec else {
        return false;
    };
    let meta_labels = &resource.meta.labels;
    if meta_labels.get(labels::POLICY_ROLE).map(String::as_str) != Some("producer") {
        return false;
    }
    let namespace = meta_labels
        .get(labels::NAMESPACE)
        .map_or("", String::as_str);
    if namespace.is_empty() || spec.to.is_empty() {
        // `system` without a namespace, `workload-owner` without `to` entries.
        return false;
    }
    let producer_item = |target: &TargetRef| {
        if version.is_2x() {
            let kind_ok = target.kind == "MeshService"
                || (target.kind == "MeshHTTPRoute" && version >= KumaVersion::V2_11);
            let ns = target.namespace.as_deref().unwrap_or("");
            kind_ok
                && target.name.as_deref().is_some_and(|n| !n.is_empty())
                && (ns.is_empty() || ns == namespace)
        } else {
            let selector = target.labels.clone().unwrap_or_default();
            let ns = selector.get(labels::NAMESPACE).map_or("", String::as_str);
            matches!(target.kind.as_str(), "MeshService" | "MeshHTTPRoute")
                && selector
                    .get(labels::DISPLAY_NAME)
                    .is_some_and(|n| !n.is_empty())
                && selector
                    .keys()
                    .all(|k| k == labels::DISPLAY_NAME || k == labels::NAMESPACE)
                && (ns.is_empty() || ns == namespace)
        }
    };
    // Mixed producer and consumer items are an error in Kuma, which then does not sync.
    if !spec.to.iter().all(|to| producer_item(&to.target_ref)) {
        return false;
    }
    if version.is_2x() {
        if let Some(top) = spec.target_ref.as_deref() {
            let zone_tag = top.tags.as_ref().and_then(|tags| tags.get(labels::ZONE));
            if top.kind == "MeshSubset" && zone_tag.is_some_and(|z| z != to_zone) {
                return false;
            }
        }
    }
    true
}

/// Whether a zone stores global's resources of this type under their KDS name (Kuma's
/// global -> zone `HashSuffixMapper`, skipped only for types whose descriptor sets
/// `SkipKDSHash`; of the modelled types that is Mesh alone: v2.14.3
/// `pkg/kds/context/context.go:95-98`, `pkg/core/resources/apis/mesh/zz_generated.resources.go:981`;
/// v2.9 names the skipped types in `context.go:82-98` instead). HostnameGenerators, though
/// global-scoped, are renamed too.
pub fn renamed_for_zones(resource_type: ResourceType) -> bool {
    resource_type != ResourceType::Mesh
}

/// Global -> zone naming: a resource of a type [`renamed_for_zones`] is stored on zones under
/// [`kds_name`] and keeps its name as `kuma.io/display-name`; a Mesh keeps its name.
/// MeshServices from other zones already carry their KDS name on global, so it stays.
pub fn rename_for_zones(resource: &mut Resource) {
    if !renamed_for_zones(resource.resource_type()) {
        return;
    }
    let name = resource.meta.name.clone();
    resource
        .meta
        .labels
        .entry(labels::DISPLAY_NAME.to_owned())
        .or_insert(name);
    resource.meta.name = kds_name(resource);
}

/// What global sends to `zone` for one of its resources: the renamed copy without status, or
/// `None` when the resource does not travel to that zone (`version`: global's release, whose
/// policy-role rule applies).
pub fn zone_copy(resource: &Resource, zone: &str, version: KumaVersion) -> Option<Resource> {
    if !travels_to_zone(resource, zone, version) {
        return None;
    }
    let mut copy = resource.clone();
    copy.meta
        .labels
        .insert(labels::ORIGIN.to_owned(), ORIGIN_GLOBAL.to_owned());
    copy.status = None;
    rename_for_zones(&mut copy);
    Some(copy)
}

/// For a zone copy of a resource written on global and renamed with the hash suffix: global's
/// key for it (copies of other zones' resources carry `kuma.io/zone` and global's name already,
/// so they have none). A type that never travels zone -> global (MeshMultiZoneService) is
/// always global's own, so a `kuma.io/zone` label on it is the user's, part of its KDS name.
pub fn global_key_of_zone_copy(zone_copy: &Resource) -> Option<ResourceKey> {
    let display = zone_copy.meta.display_name();
    let from_another_zone =
        !zone_copy.meta.zone().is_empty() && type_travels_to_global(zone_copy.resource_type());
    let renamed = is_from_global(zone_copy)
        && !from_another_zone
        && display != zone_copy.meta.name
        && zone_copy.meta.name == kds_name(zone_copy);
    renamed.then(|| ResourceKey {
        resource_type: zone_copy.resource_type(),
        mesh: zone_copy.meta.mesh.clone(),
        name: display.to_owned(),
    })
}

/// Whether users write resources of this type on the global control plane: every type but
/// MeshService, which is written in (or generated by) a zone and reaches global through KDS.
pub fn written_on_global(resource_type: ResourceType) -> bool {
    resource_type != ResourceType::MeshService
}

/// Whether resources of this type travel from a zone to global (Kuma's `ZoneToGlobalFlag`).
pub fn type_travels_to_global(resource_type: ResourceType) -> bool {
    matches!(
        resource_type,
        ResourceType::MeshService
            | ResourceType::HostnameGenerator
            | ResourceType::MeshLoadBalancingStrategy
    )
}

/// Whether a zone sends one of its resources to global: its own MeshServices, HostnameGenerators
/// and MeshLoadBalancingStrategies (not the copies global sent it).
pub fn travels_to_global(resource: &Resource) -> bool {
    type_travels_to_global(resource.resource_type()) && !is_from_global(resource)
}

/// Whether a deleted key of a zone is sent to global.
pub fn deletion_travels_to_global(key: &ResourceKey) -> bool {
    type_travels_to_global(key.resource_type)
}

/// Zone -> global: the copy global stores for a resource `zone` sent ([`travels_to_global`]),
/// under its KDS name with `kuma.io/zone`, `kuma.io/origin: zone` and `kuma.io/display-name`
/// (the zone's name for it, unless the zone set one), from the resource as the REST checks
/// accept it (no status). KDS carries the zone's status along and global keeps it (v2.14.3
/// `kds/util/resource.go:57-72`, `kds/v2/store/sync.go:232-234`; only the global -> zone
/// mappers remove status, `kds/context/context.go:90-94`). `None` for anything else.
pub fn global_copy(resource: &Resource, zone: &str) -> Option<Resource> {
    if !type_travels_to_global(resource.resource_type()) {
        return None;
    }
    let mut copy = resource.clone();
    copy.status = None;
    let name = copy.meta.name.clone();
    let meta_labels = &mut copy.meta.labels;
    meta_labels.insert(labels::ZONE.to_owned(), zone.to_owned());
    meta_labels.insert(labels::ORIGIN.to_owned(), ORIGIN_ZONE.to_owned());
    meta_labels
        .entry(labels::DISPLAY_NAME.to_owned())
        .or_insert(name);
    copy.meta.name = kds_name(&copy);
    Some(copy)
}

/// The key global most likely stores a deleted zone MeshService under (its name hashed with the
/// zone). A MeshService with a namespace label hashes differently; find those by display name
/// ([`is_global_copy_of`]).
pub fn global_key_of_zone_key(key: &ResourceKey, zone: &str) -> ResourceKey {
    ResourceKey {
        name: hashed_name(&key.mesh, &key.name, &[zone]),
        ..key.clone()
    }
}

/// Whether a resource on global is the copy of the zone resource `key` of `zone`.
pub fn is_global_copy_of(resource: &Resource, key: &ResourceKey, zone: &str) -> bool {
    resource.resource_type() == key.resource_type
        && resource.meta.mesh == key.mesh
        && is_of_zone(resource, zone)
        && resource.meta.display_name() == key.name
}

/// The zone-local key of a copy global holds for a zone's MeshService (mesh and display name).
pub fn zone_key_of_global_copy(resource: &Resource) -> ResourceKey {
    ResourceKey {
        resource_type: resource.resource_type(),
        mesh: resource.meta.mesh.clone(),
        name: resource.meta.display_name().to_owned(),
    }
}

/// A MeshService as `zone` holds it: its own zone's with the `kuma.io/origin: zone` the zone
/// computes on write, another zone's as KDS copies it there, under its KDS name
/// (`HashedName(mesh, displayName, zone, namespace?)`, its name kept as `kuma.io/display-name`)
/// with the `kuma.io/origin: global` global's KDS gives everything it sends (v2.14.3
/// `pkg/kds/context/context.go` `globalMappers`). Anything else, and a MeshService in no zone,
/// as it is.
pub(crate) fn mesh_service_as_held_by(resource: &Resource, zone: &str) -> Resource {
    let mut held = resource.clone();
    let own = match resource.meta.zone() {
        _ if resource.resource_type() != ResourceType::MeshService => return held,
        "" => return held,
        of => of == zone,
    };
    if own {
        let labels = &mut held.meta.labels;
        (labels.entry(labels::ORIGIN.to_owned())).or_insert_with(|| ORIGIN_ZONE.to_owned());
    } else {
        // Under its KDS name, with its name as `kuma.io/display-name` (2.x writes no display
        // name on a zone's own MeshService; KDS gives every copy one).
        rename_for_zones(&mut held);
        (held.meta.labels).insert(labels::ORIGIN.to_owned(), ORIGIN_GLOBAL.to_owned());
    }
    held
}

/// A resource written on global as a zone stores it, label-wise: the labels Kuma computes when
/// it is written on global (`kuma.io/display-name` = name, `kuma.io/mesh` = mesh,
/// `kuma.io/origin: global`) are added when absent, so selectors and templates see what they
/// would see in a zone.
pub(crate) fn meta_as_synced_to_zone(meta: &Meta) -> Meta {
    with_computed_labels(meta, Some(ORIGIN_GLOBAL))
}

/// `meta` with `kuma.io/display-name` = name, `kuma.io/mesh` = mesh and (if given) the origin
/// added where absent.
fn with_computed_labels(meta: &Meta, origin: Option<&str>) -> Meta {
    let mut meta = meta.clone();
    let defaults = [
        (labels::DISPLAY_NAME, meta.name.clone()),
        (labels::MESH, meta.mesh.clone()),
        (labels::ORIGIN, origin.unwrap_or_default().to_owned()),
    ];
    for (key, value) in defaults {
        if !value.is_empty() {
            meta.labels.entry(key.to_owned()).or_insert(value);
        }
    }
    meta
}

/// A MeshService document as its zone stores it, label-wise: `kuma.io/display-name` = name and
/// `kuma.io/mesh` = mesh are added when absent, as Kuma's write path computes them, so an MZS
/// selecting `kuma.io/display-name: redis` matches a MeshService written as `name: redis`
/// without that label (a copy read back from a control plane keeps the labels it has). The
/// origin and zone labels are left to the preview's zone conventions.
pub(crate) fn mesh_service_meta_as_stored(meta: &Meta) -> Meta {
    with_env(with_computed_labels(meta, None))
}

/// `kuma.io/env` as the zone of a MeshService labels what is written in it (master
/// `labels/compute.go:165-170`, v2.14.3 `:144-149`; 2.9.19 `model/resource.go:545`), which KDS
/// copies keep: `kubernetes` for a manifest (it has a namespace), else `universal`. None for a
/// MeshService in no zone.
fn with_env(mut meta: Meta) -> Meta {
    if !meta.zone().is_empty() {
        let env = if meta.namespace().is_empty() {
            "universal"
        } else {
            "kubernetes"
        };
        meta.labels
            .entry(labels::ENV.to_owned())
            .or_insert_with(|| env.to_owned());
    }
    meta
}

/// [`mesh_service_meta_as_stored`] as a control plane of `version` stores a MeshService written
/// in its zone: up to 2.14 a zone's universal REST layer sets `kuma.io/mesh` but not
/// `kuma.io/display-name` (v2.14.3 `labels/compute.go:101-160`; only KDS adds it, on the copies
/// it sends, v2.14.3 `pkg/kds/util/meta.go:26-27`), so the zone's own MeshService lacks the label
/// there unless it was written ([`mesh_service_as_held_by`] adds it to the other zones' copies).
/// 3.0 sets it on every write. A MeshService in no zone is taken as stored with it.
/// A zone also labels it with its environment ([`with_env`]).
pub(crate) fn mesh_service_meta_as_written(meta: &Meta, version: KumaVersion) -> Meta {
    if version.overwrites_display_name() || meta.zone().is_empty() {
        return mesh_service_meta_as_stored(meta);
    }
    let mut meta = meta.clone();
    if !meta.mesh.is_empty() {
        let mesh = meta.mesh.clone();
        meta.labels.entry(labels::MESH.to_owned()).or_insert(mesh);
    }
    with_env(meta)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::Spec;

    fn resource(resource_type: &str, mesh: &str, name: &str, pairs: &[(&str, &str)]) -> Resource {
        let mut value = serde_json::json!({
            "type": resource_type, "name": name,
            "labels": pairs.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
        });
        if !mesh.is_empty() {
            value["mesh"] = mesh.into();
        }
        let t = ResourceType::from_name(resource_type).unwrap();
        let spec = match t {
            ResourceType::Mesh => serde_json::json!({}),
            ResourceType::MeshService => serde_json::json!({"ports": [{"port": 80}]}),
            ResourceType::MeshMultiZoneService => {
                serde_json::json!({"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": 80}]})
            }
            _ => {
                serde_json::json!({"template": "{{ .Name }}.mesh", "selectors": [{"meshService": {"matchLabels": {"a": "b"}}}]})
            }
        };
        value["spec"] = spec;
        crate::rest::decode_value(t, value).unwrap()
    }

    #[test]
    fn global_sends_meshes_its_own_policies_and_other_zones_services() {
        let global = [(labels::ORIGIN, "global")];
        let v = KumaVersion::V2_14;
        assert!(travels_to_zone(
            &resource("Mesh", "", "default", &[]),
            "east",
            v
        ));
        assert!(travels_to_zone(
            &resource("MeshMultiZoneService", "default", "redis", &global),
            "east",
            v
        ));
        // 2.x global stores what is written on it without an origin label; it still travels.
        assert!(travels_to_zone(
            &resource("MeshMultiZoneService", "default", "redis", &[]),
            "east",
            v
        ));
        assert!(!travels_to_zone(
            &resource(
                "MeshMultiZoneService",
                "default",
                "redis",
                &[(labels::ORIGIN, "zone")]
            ),
            "east",
            v
        ));
        let east_service = resource(
            "MeshService",
            "default",
            "redis-x",
            &[(labels::ZONE, "east"), (labels::ORIGIN, "zone")],
        );
        assert!(!travels_to_zone(&east_service, "east", v));
        assert!(travels_to_zone(&east_service, "west", v));
    }

    fn zone_policy(pairs: &[(&str, &str)], to: serde_json::Value) -> Resource {
        let mut value = serde_json::json!({
            "type": "MeshLoadBalancingStrategy", "mesh": "default", "name": "lb",
            "labels": pairs.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
            "spec": {"to": [{"targetRef": to, "default": {}}]},
        });
        value["labels"]["kuma.io/origin"] = "zone".into();
        value["labels"]["kuma.io/zone"] = "east".into();
        crate::rest::decode_value(ResourceType::MeshLoadBalancingStrategy, value).unwrap()
    }

    #[test]
    fn a_zone_policy_reaches_other_zones_only_as_a_producer_policy() {
        let v = KumaVersion::V2_14;
        let to_service = serde_json::json!({"kind": "MeshService", "name": "redis"});
        // What a universal zone stores: no policy role (Kuma computes `system` there).
        let plain = zone_policy(&[], to_service.clone());
        assert!(!travels_to_zone(&plain, "west", v));
        // A declared producer without a namespace is `system` when global recomputes it.
        let declared = zone_policy(&[(labels::POLICY_ROLE, "producer")], to_service.clone());
        assert!(!travels_to_zone(&declared, "west", v));
        let producer = zone_policy(
            &[
                (labels::POLICY_ROLE, "producer"),
                (labels::NAMESPACE, "kuma-demo"),
            ],
            to_service.clone(),
        );
        assert!(travels_to_zone(&producer, "west", v));
        assert!(!travels_to_zone(&producer, "east", v));
        // Targeting a MeshMultiZoneService is a consumer item.
        let consumer = zone_policy(
            &[
                (labels::POLICY_ROLE, "producer"),
                (labels::NAMESPACE, "kuma-demo"),
            ],
            serde_json::json!({"kind": "MeshMultiZoneService", "name": "redis"}),
        );
        assert!(!travels_to_zone(&consumer, "west", v));
        // 3.0 names the MeshService by its display-name label.
        let v3 = zone_policy(
            &[
                (labels::POLICY_ROLE, "producer"),
                (labels::NAMESPACE, "kuma-demo"),
            ],
            serde_json::json!({"kind": "MeshService", "labels": {"kuma.io/display-name": "redis"}}),
        );
        assert!(travels_to_zone(&v3, "west", KumaVersion::V3_0));
        assert!(!travels_to_zone(&producer, "west", KumaVersion::V3_0));
    }

    /// Which zones hold a policy: global's every zone, a zone's own its zone, and another zone's
    /// only as a producer policy, which global sends on.
    #[test]
    fn a_zone_policy_is_held_by_its_zone_and_by_others_only_as_a_producer() {
        let v = KumaVersion::V2_14;
        let to_service = serde_json::json!({"kind": "MeshService", "name": "redis"});
        let plain = zone_policy(&[], to_service.clone());
        assert!(policy_held_by_zone(&plain, "east", v));
        assert!(!policy_held_by_zone(&plain, "west", v));
        let producer = zone_policy(
            &[
                (labels::POLICY_ROLE, "producer"),
                (labels::NAMESPACE, "kuma-demo"),
            ],
            to_service,
        );
        assert!(policy_held_by_zone(&producer, "east", v));
        assert!(policy_held_by_zone(&producer, "west", v));
        let mut global = plain.clone();
        global.meta.labels.remove(labels::ORIGIN);
        global.meta.labels.remove(labels::ZONE);
        assert!(policy_held_by_zone(&global, "west", v));
    }

    #[test]
    fn zone_copies_are_renamed_and_lose_status_and_map_back() {
        let mut mzs = resource(
            "MeshMultiZoneService",
            "default",
            "redis",
            &[(labels::ORIGIN, "global")],
        );
        mzs.status = Some(serde_json::json!({"x": 1}));
        let copy = zone_copy(&mzs, "east", KumaVersion::V2_14).unwrap();
        assert_eq!(copy.meta.name, hashed_name("default", "redis", &[]));
        assert_eq!(copy.meta.display_name(), "redis");
        assert!(copy.status.is_none());
        assert!(is_from_global(&copy));
        assert_eq!(
            global_key_of_zone_copy(&copy),
            Some(ResourceKey {
                resource_type: ResourceType::MeshMultiZoneService,
                mesh: "default".into(),
                name: "redis".into()
            })
        );
        // Meshes keep their name; a zone-written resource maps to no global key.
        let mesh = zone_copy(
            &resource("Mesh", "", "default", &[]),
            "east",
            KumaVersion::V2_14,
        )
        .unwrap();
        assert_eq!(mesh.meta.name, "default");
        assert_eq!(global_key_of_zone_copy(&mesh), None);
        assert!(matches!(mesh.spec, Spec::Mesh(_)));
    }

    #[test]
    fn global_hostname_generators_take_their_kds_name_on_zones_and_meshes_do_not() {
        // Kuma skips the hash only for types with `SkipKDSHash` (Mesh among the modelled ones);
        // a HostnameGenerator has no mesh, so its name is `HashedName("", name)`.
        assert!(renamed_for_zones(ResourceType::HostnameGenerator));
        assert!(!renamed_for_zones(ResourceType::Mesh));
        for version in KumaVersion::ALL {
            let generator = resource("HostnameGenerator", "", "short", &[]);
            let copy = zone_copy(&generator, "east", version).unwrap();
            assert_eq!(copy.meta.name, hashed_name("", "short", &[]));
            assert_eq!(copy.meta.name, "short-4bf5998d4cd5xz99");
            assert_eq!(copy.meta.display_name(), "short");
            assert!(is_from_global(&copy));
            assert_eq!(
                global_key_of_zone_copy(&copy),
                Some(ResourceKey {
                    resource_type: ResourceType::HostnameGenerator,
                    mesh: String::new(),
                    name: "short".into()
                })
            );
        }
        // A zone's own generator reaches global hashed with its zone and stays there.
        let own = resource(
            "HostnameGenerator",
            "",
            "short",
            &[(labels::ORIGIN, "zone")],
        );
        let on_global = global_copy(&own, "east").unwrap();
        assert_eq!(on_global.meta.name, hashed_name("", "short", &["east"]));
        assert!(zone_copy(&on_global, "west", KumaVersion::V2_14).is_none());
    }

    #[test]
    fn zone_services_reach_global_under_their_kds_name_and_are_found_again() {
        let service = resource("MeshService", "default", "redis", &[]);
        assert!(travels_to_global(&service));
        let copy = global_copy(&service, "east").unwrap();
        assert_eq!(copy.meta.name, hashed_name("default", "redis", &["east"]));
        assert_eq!(copy.meta.zone(), "east");
        assert_eq!(
            copy.meta.labels.get(labels::ORIGIN).map(String::as_str),
            Some("zone")
        );
        let key = ResourceKey {
            resource_type: ResourceType::MeshService,
            mesh: "default".into(),
            name: "redis".into(),
        };
        assert_eq!(global_key_of_zone_key(&key, "east").name, copy.meta.name);
        assert!(is_global_copy_of(&copy, &key, "east"));
        assert!(!is_global_copy_of(&copy, &key, "west"));
        assert_eq!(zone_key_of_global_copy(&copy), key);
        // Copies from global never travel back; other types never travel up.
        assert!(!travels_to_global(
            &zone_copy(&copy, "west", KumaVersion::V2_14).unwrap()
        ));
        assert!(global_copy(&resource("Mesh", "", "default", &[]), "east").is_none());
    }

    #[test]
    fn preview_renames_match_the_sync() {
        let service = resource("MeshService", "default", "redis", &[(labels::ZONE, "east")]);
        let renamed = mesh_service_as_held_by(&service, "west");
        assert_eq!(
            renamed.meta.name,
            hashed_name("default", "redis", &["east"])
        );
        assert_eq!(renamed.meta.display_name(), "redis");
        assert_eq!(
            renamed.meta.labels.get(labels::ORIGIN).map(String::as_str),
            Some("global")
        );
        // Its own zone holds it under its own name.
        let own = mesh_service_as_held_by(&service, "east");
        assert_eq!(own.meta.name, "redis");
        assert_eq!(
            own.meta.labels.get(labels::ORIGIN).map(String::as_str),
            Some("zone")
        );
        let meta =
            meta_as_synced_to_zone(&resource("MeshMultiZoneService", "default", "m", &[]).meta);
        assert_eq!(meta.display_name(), "m");
        assert_eq!(
            meta.labels.get(labels::MESH).map(String::as_str),
            Some("default")
        );
        assert_eq!(
            meta.labels.get(labels::ORIGIN).map(String::as_str),
            Some("global")
        );
    }
}
