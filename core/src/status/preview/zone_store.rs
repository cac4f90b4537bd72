//! The preview's imitation of a zone's store: resources as KDS would leave them there (renamed
//! and labelled the way [`crate::kds`] says).

use crate::model::{KumaVersion, Meta, Resource, ResourceType};

/// The MZS as a zone stores it (labels Kuma computes on global added when absent; the rule is
/// [`crate::kds::meta_as_synced_to_zone`]).
pub(crate) fn effective_mzs_meta(meta: &Meta) -> Meta {
    crate::kds::meta_as_synced_to_zone(meta)
}

/// The name a zone stores an MZS under: global's (`kuma.io/origin: global`) under its KDS name,
/// `HashedName(mesh, displayName, namespace?)` ([`crate::kds::kds_name`]), whether `meta` is the
/// MZS as written on global or the zone's copy (the hash reads the display name, so the copy's
/// is its own name); a zone's own keeps its name.
pub(crate) fn mzs_stored_name(meta: &Meta) -> String {
    if crate::kds::is_global_originated_meta(meta) {
        crate::model::hashed_name::meta_kds_name(meta)
    } else {
        meta.name.clone()
    }
}

/// A HostnameGenerator as a zone stores it: global's (no `kuma.io/origin`, or `global`) under
/// its KDS name `HashedName("", name)` ([`crate::kds::rename_for_zones`]), which is the
/// `coreName` the zone's statuses give it; a zone's own keeps its name.
pub(crate) fn generator_as_stored(generator: &mut Resource) {
    if crate::kds::is_global_originated(generator) {
        crate::kds::rename_for_zones(generator);
    }
}

/// The resources as their control planes store them (HostnameGenerators as a zone does,
/// [`generator_as_stored`]): `kuma.io/display-name` as `version` writes
/// it ([`Resource::store_display_name`]: 3.0 replaces a written one with the name), and on
/// MeshServices the labels Kuma computes on write added when absent
/// ([`crate::kds::mesh_service_meta_as_stored`]); those that share a mesh and name but come
/// from different zones get the distinct store names KDS gives them (`HashedName(mesh, displayName, zone, namespace)`), keeping the original
/// name as `kuma.io/display-name`.
///
/// Users naturally write `redis` in `east` and `redis` in `west`; a zone's store never holds two
/// resources of one name, because copies synced through global are renamed. Without this the
/// second `redis` would replace the first.
pub(crate) fn distinct_mesh_services(
    resources: &[Resource],
    version: KumaVersion,
) -> Vec<Resource> {
    let mut placed: Vec<(&str, &str, &str)> = resources
        .iter()
        .filter(|r| r.resource_type() == ResourceType::MeshService)
        .map(|r| (r.meta.mesh.as_str(), r.meta.name.as_str(), r.meta.zone()))
        .collect();
    crate::text::sort::sort(&mut placed);
    placed.dedup();
    // (mesh, name) written in more than one zone, sorted.
    let mut in_several_zones: Vec<(&str, &str)> = placed
        .windows(2)
        .filter_map(|pair| match pair {
            [a, b] if (a.0, a.1) == (b.0, b.1) => Some((a.0, a.1)),
            _ => None,
        })
        .collect();
    in_several_zones.dedup();
    resources
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.store_display_name(version);
            if r.resource_type() == ResourceType::HostnameGenerator {
                generator_as_stored(&mut r);
            }
            if r.resource_type() != ResourceType::MeshService {
                return r;
            }
            r.meta = crate::kds::mesh_service_meta_as_stored(&r.meta);
            let shared = in_several_zones
                .binary_search(&(r.meta.mesh.as_str(), r.meta.name.as_str()))
                .is_ok()
                && !r.meta.zone().is_empty();
            if !shared {
                return r;
            }
            crate::kds::as_synced_from_other_zone(&r)
        })
        .collect()
}
