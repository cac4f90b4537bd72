//! The preview's imitation of a zone's store: resources as KDS would leave them there (renamed
//! and labelled the way [`crate::kds`] says).

use crate::model::{labels, Meta, Resource, ResourceType};

/// The MZS as a zone stores it (labels Kuma computes on global added when absent; the rule is
/// [`crate::kds::meta_as_synced_to_zone`]).
pub(crate) fn effective_mzs_meta(meta: &Meta) -> Meta {
    crate::kds::meta_as_synced_to_zone(meta)
}

/// The MeshServices as their zones store them: labels Kuma computes on write added when absent
/// ([`crate::kds::mesh_service_meta_as_stored`]); those that share a mesh and name but come
/// from different zones get the distinct store names KDS gives them (`HashedName(mesh, displayName, zone, namespace)`), keeping the original
/// name as `kuma.io/display-name`.
///
/// Users naturally write `redis` in `east` and `redis` in `west`; a zone's store never holds two
/// resources of one name, because copies synced through global are renamed. Without this the
/// second `redis` would replace the first.
pub(crate) fn distinct_mesh_services(resources: &[Resource]) -> Vec<Resource> {
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
            if r.resource_type() != ResourceType::MeshService {
                return r.clone();
            }
            let mut r = r.clone();
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

/// The MZS written on global as zones store them: under the KDS name
/// (`HashedName(mesh, name, ...)`, [`crate::kds::kds_name`]) with the written name as
/// `kuma.io/display-name`, so `.Name` in hostname templates, the name order of hostname claims
/// and Kuma's collision messages are a zone's. Returns the indices of the renamed MZS, to name
/// the preview after what was written. An MZS that already carries another display name is a
/// zone's copy (read back from a zone) and keeps its name; so does one whose copy is in the set
/// as well, and one whose origin is a zone (not synced).
pub(crate) fn mzs_as_synced_to_zones(resources: &mut [Resource]) -> Vec<usize> {
    // (index, store name); the display name is the name itself until the rename below.
    let mut names: Vec<(usize, String)> = Vec::new();
    {
        let mut stored = Vec::new();
        for r in resources.iter() {
            if r.resource_type() == ResourceType::MeshMultiZoneService {
                stored.push(((r.meta.mesh.as_str(), r.meta.name.as_str()), r));
            }
        }
        let stored = crate::text::sort::sorted_map(stored);
        for (i, r) in resources.iter().enumerate() {
            if r.resource_type() != ResourceType::MeshMultiZoneService
                || r.meta.labels.get(labels::ORIGIN).map(String::as_str)
                    == Some(crate::kds::ORIGIN_ZONE)
                || (r.meta.labels.get(labels::DISPLAY_NAME)).is_some_and(|d| *d != r.meta.name)
            {
                continue;
            }
            let store_name = crate::kds::kds_name(r);
            // The zone's copy itself, read back, is in the set too: one object in the zone's
            // store, so this one keeps its written name rather than being previewed twice under
            // one name.
            if crate::text::sort::lookup(&stored, &(r.meta.mesh.as_str(), store_name.as_str()))
                .is_none()
            {
                names.push((i, store_name));
            }
        }
    }
    let mut renamed = Vec::with_capacity(names.len());
    for (i, store_name) in names {
        if let Some(r) = resources.get_mut(i) {
            let written = std::mem::replace(&mut r.meta.name, store_name);
            r.meta
                .labels
                .insert(labels::DISPLAY_NAME.to_owned(), written);
            renamed.push(i);
        }
    }
    renamed
}
