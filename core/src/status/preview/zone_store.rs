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
/// MeshServices the labels Kuma computes on write in their zone, an MZS written on global without
/// its status (from 2.11)
/// ([`crate::kds::mesh_service_meta_as_written`]). Each zone then holds the other zones'
/// MeshServices under their KDS names ([`crate::kds::mesh_service_as_held_by`]).
pub(crate) fn stored_resources(resources: &[Resource], version: KumaVersion) -> Vec<Resource> {
    let mut stored = Vec::with_capacity(resources.len());
    for r in resources {
        let mut r = r.clone();
        r.store_display_name(version);
        match r.resource_type() {
            ResourceType::HostnameGenerator => generator_as_stored(&mut r),
            ResourceType::MeshService => {
                r.meta = crate::kds::mesh_service_meta_as_written(&r.meta, version)
            }
            // From 2.11 an MZS as written on global reaches the zones without its status (KDS
            // removes it, v2.14.3 `kds/context/context.go:90-92`): only a zone's copy (under its
            // KDS name) holds VIPs the zone keeps. 2.9 and 2.10 store a written status and send
            // it along ([`KumaVersion::syncs_mzs_status_to_zones`]), and a zone keeps its VIPs.
            ResourceType::MeshMultiZoneService
                if mzs_stored_name(&r.meta) != r.meta.name
                    && !version.syncs_mzs_status_to_zones() =>
            {
                r.status = None
            }
            _ => {}
        }
        stored.push(r);
    }
    stored
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A VIP written in the status of an MZS on global reaches the zones, which keep it, up to
    /// 2.10 only: from 2.11 global sends the MZS without its status, and the zone allocates one.
    #[test]
    fn a_global_mzs_keeps_its_written_vip_in_zones_up_to_2_10() {
        let mzs = crate::rest::decode_value(
            ResourceType::MeshMultiZoneService,
            serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "cache",
                "spec": {"selector": {"meshService": {"matchLabels": {"app": "cache"}}},
                    "ports": [{"port": 6379}]},
                "status": {"vips": [{"ip": "243.0.0.9"}]}}),
        )
        .unwrap();
        for (kuma_version, vip) in [
            (KumaVersion::V2_9, "243.0.0.9"),
            (KumaVersion::V2_10, "243.0.0.9"),
            (KumaVersion::V2_11, "243.0.0.0"),
            (KumaVersion::V3_0, "243.0.0.0"),
        ] {
            let options = crate::status::preview::PreviewOptions {
                kuma_version,
                ..Default::default()
            };
            let preview = crate::status::preview::preview(
                std::slice::from_ref(&mzs),
                &["east".into()],
                &options,
            );
            let status = &preview.zones[0].mzs("default", "cache").unwrap().status;
            assert_eq!(status.vips[0].ip.as_deref(), Some(vip), "{kuma_version}");
        }
    }
}
