//! The preview engine: what each zone's control plane computes for every MeshMultiZoneService.
//!
//! A [`MzsStatusEngine`] holds one zone's view (every MeshService the zone knows, local and synced,
//! every MZS, HostnameGenerator and MeshLoadBalancingStrategy) and keeps each MZS's status current
//! as resources change. [`preview`] runs one engine per zone over a set of resources.
//!
//! Per zone and MZS the engine computes what Kuma's zone control plane writes into `status`
//! (matching, `MeshServicesMatched`, VIP, hostnames: see [`crate::status::selector`],
//! [`crate::status::vips`], [`crate::status::hostnames`]) plus what Kuma does not say: which
//! MeshService ports serve each MZS port ([`crate::status::ports`]), the traffic split for a client
//! in the zone ([`crate::status::load_balancing`]) and warnings ([`crate::text::diagnostics::Code`]
//! `MZS101`..`MZS106`).
//!
//! # Preview conventions
//!
//! - A MeshService belongs to the zone in its `kuma.io/zone` label; every zone sees every
//!   MeshService (Kuma syncs them zone -> global -> zones), its own with `kuma.io/origin: zone`
//!   and the others' with `kuma.io/origin: global`, as global's KDS relabels what it sends. A
//!   MeshService without the label is in no zone: it still matches (Kuma's status shows
//!   `zone: ""`) but receives no traffic.
//! - An MZS without a `kuma.io/origin` label is treated as authored on global (`origin: global`),
//!   which is where Kuma requires MZS to be created; so Kuma's default generator applies to it.
//!   Likewise `kuma.io/display-name` (the name) and `kuma.io/mesh` are added when absent, as
//!   Kuma's REST API does on write ([`effective_mzs_meta`]); a MeshService gets
//!   `kuma.io/display-name` and `kuma.io/mesh` the same way, so a selector on
//!   `kuma.io/display-name: redis` matches `name: redis` written without the label. Under 3.0 a
//!   written `kuma.io/display-name` that differs from the name is replaced by the name, as 3.0
//!   writes it (`Resource::store_display_name`; `check()` warns at it, MZS007), except on a copy
//!   stored under its KDS name.
//! - `.Name` in hostname templates is the MZS name as written, the name order of hostname claims
//!   and Kuma's collision message use it too. A zone stores an MZS synced from global under its
//!   KDS name (`HashedName(mesh, name)`, `redis-<16 chars>`), which is what its `.Name` renders;
//!   the preview keeps the written name, as Kuma's own hostname-generator tests evaluate
//!   templates on the resource as given (README, deviations).
//! - A HostnameGenerator written on global (no `kuma.io/origin`, or `global`), Kuma's default
//!   `synced-mesh-multi-zone-service` included, is named as the zones store it:
//!   `HashedName("", name)` (`synced-mesh-multi-zone-service-<16 chars>`), which is the
//!   `coreName` in `status.addresses` and `status.hostnameGenerators` and the name that orders
//!   generators.
//! - A MeshLoadBalancingStrategy written on global applies in every zone; one written in a zone
//!   (`kuma.io/origin: zone`, the zone in `kuma.io/zone`) applies in that zone only, unless it is
//!   a producer policy, which global sends on to the other zones ([`crate::kds::travels_to_zone`];
//!   a producer policy's `to` entries name MeshServices or MeshHTTPRoutes, never an MZS).
//! - No creation times exist: every Kuma "creation time, then name" order is "name".
//!
//! # Scale
//!
//! MeshServices sit in a [`LabelIndex`](crate::status::selector::LabelIndex) (`(key, value)` ->
//! ids), so matching an MZS walks only the rarest posting list of its selector instead of all
//! MeshServices. MZS selectors sit in a [`SelectorIndex`](crate::status::selector::SelectorIndex),
//! so a MeshService change re-evaluates only the MZS whose selector could match its old or new
//! labels. Hostname collisions are tracked per `(mesh, hostname)`, so an MZS change re-evaluates
//! only the MZS that share one of its hostnames.

mod engine;
mod options;
mod output;
mod zone_store;

use crate::model::{Resource, ResourceType};

pub(crate) use engine::existing_vips;
pub use engine::{Change, MzsStatusEngine};
pub use options::PreviewOptions;
pub(crate) use output::format_selector;
pub use output::{MzsPreview, Preview, PreviewWarning, ZonePreview};
pub(crate) use zone_store::{
    effective_mzs_meta, generator_as_stored, mzs_stored_name, stored_resources,
};

/// Compute the preview of `resources` for `zones` (zones named in MeshService `kuma.io/zone`
/// labels are added automatically).
pub fn preview(resources: &[Resource], zones: &[String], options: &PreviewOptions) -> Preview {
    let mut all_zones: Vec<&str> = zones
        .iter()
        .map(String::as_str)
        .filter(|z| !z.is_empty())
        .collect();
    for r in resources {
        if r.resource_type() == ResourceType::MeshService {
            let zone = r.meta.zone();
            if !zone.is_empty() {
                all_zones.push(zone);
            }
        }
    }
    crate::text::sort::sort(&mut all_zones);
    all_zones.dedup();
    // One engine per zone, as every zone's control plane computes its own statuses: a zone
    // holds its own MeshServices as `kuma.io/origin: zone` and the others' as global sends them,
    // `kuma.io/origin: global`, which a selector can tell apart.
    // Loops, not `map().collect()`: the iterator instantiations cost the wasm module more.
    let mut zones = Vec::with_capacity(all_zones.len());
    let mut resources = stored_resources(resources, options.kuma_version);
    // Kuma's default generator as the global creates it (under its namespace on Kubernetes),
    // unless one of its name is written.
    let default_written = (resources.iter()).any(|r| {
        r.resource_type() == ResourceType::HostnameGenerator
            && crate::status::hostnames::is_default_mzs_generator(r)
    });
    if options.default_hostname_generators && !default_written {
        resources.push(crate::status::hostnames::default_mzs_generator_for(
            &resources,
        ));
    }
    for zone in &all_zones {
        let mut held: Vec<Resource> = Vec::with_capacity(resources.len());
        for r in resources.iter() {
            // A zone's policy stays in its zone unless global sends it on (a producer policy).
            if r.resource_type() == ResourceType::MeshLoadBalancingStrategy
                && !crate::kds::policy_held_by_zone(r, zone, options.kuma_version)
            {
                continue;
            }
            held.push(crate::kds::mesh_service_as_held_by(r, zone));
        }
        zones.push(MzsStatusEngine::with_resources(zone, options.clone(), &held).zone_preview());
    }
    Preview { zones }
}

/// Whether the existing MeshMultiZoneService `existing` could hold a hostname that
/// `planned` would be generated, given the HostnameGenerators among `generators`: both of one mesh
/// and selected by one generator that is not Kuma's per-name default (`{{ .DisplayName }}...`,
/// which gives every service a hostname of its own). A superset of the real rivals, which keeps a
/// plan-time preview of one new service from computing every service of a large mesh.
pub fn may_rival_for_hostnames(
    existing: &Resource,
    planned: &Resource,
    generators: &[&Resource],
) -> bool {
    if existing.meta.mesh != planned.meta.mesh {
        return false;
    }
    let (ours, theirs) = (
        effective_mzs_meta(&planned.meta),
        effective_mzs_meta(&existing.meta),
    );
    generators.iter().any(|g| {
        let crate::model::Spec::HostnameGenerator(spec) = &g.spec else {
            return false;
        };
        let selects = |labels| {
            crate::status::hostnames::generator_selects(
                spec,
                ResourceType::MeshMultiZoneService,
                labels,
            )
        };
        spec.template != crate::status::hostnames::DEFAULT_MZS_TEMPLATE
            && selects(&ours.labels)
            && selects(&theirs.labels)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn decode(resource_type: ResourceType, value: serde_json::Value) -> Resource {
        crate::rest::decode_value(resource_type, value).unwrap()
    }

    /// A global MZS `cache` served in east and west, and a MeshLoadBalancingStrategy for it with
    /// `labels` (none: written on global).
    fn cache_with_policy(policy_labels: serde_json::Value) -> Vec<Resource> {
        let service = |zone: &str| {
            decode(
                ResourceType::MeshService,
                serde_json::json!({"type": "MeshService", "mesh": "default", "name": "cache",
                    "labels": {"kuma.io/zone": zone, "app": "cache"},
                    "spec": {"ports": [{"port": 6379}]}}),
            )
        };
        vec![
            decode(
                ResourceType::MeshMultiZoneService,
                serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "cache",
                    "spec": {"selector": {"meshService": {"matchLabels": {"app": "cache"}}},
                        "ports": [{"port": 6379}]}}),
            ),
            service("east"),
            service("west"),
            decode(
                ResourceType::MeshLoadBalancingStrategy,
                serde_json::json!({"type": "MeshLoadBalancingStrategy", "mesh": "default",
                    "name": "mlbs-cache", "labels": policy_labels,
                    "spec": {"targetRef": {"kind": "Mesh"}, "to": [{
                        "targetRef": {"kind": "MeshMultiZoneService",
                            "labels": {"kuma.io/display-name": "cache"}},
                        "default": {"localityAwareness": {"crossZone": {"failover": [{"to": {"type": "Any"}}]}}}}]}}),
            ),
        ]
    }

    /// The policies a client in each zone gets for the port of `cache`.
    fn policies_by_zone(resources: &[Resource]) -> Vec<(String, Vec<String>)> {
        let zones = ["east".to_owned(), "west".to_owned()];
        let preview = preview(resources, &zones, &PreviewOptions::default());
        (preview.zones.iter())
            .map(|z| {
                let mzs = z.mzs("default", "cache").unwrap();
                let policy = mzs.traffic[0].policy.as_ref();
                (
                    z.zone.clone(),
                    policy.map_or_else(Vec::new, |p| p.policies.clone()),
                )
            })
            .collect()
    }

    /// A universal zone's policy stays in its zone (Kuma syncs a zone's policy on only as a
    /// producer, and a universal zone computes none): west's clients do not get east's
    /// failover. Written on global, it applies in every zone.
    #[test]
    fn a_zone_policy_applies_in_its_zone_only() {
        let east = serde_json::json!({"kuma.io/origin": "zone", "kuma.io/zone": "east"});
        let policy = || vec!["mlbs-cache".to_owned()];
        assert_eq!(
            policies_by_zone(&cache_with_policy(east)),
            [("east".to_owned(), policy()), ("west".to_owned(), vec![])]
        );
        assert_eq!(
            policies_by_zone(&cache_with_policy(serde_json::json!({}))),
            [("east".to_owned(), policy()), ("west".to_owned(), policy())]
        );
    }
}
