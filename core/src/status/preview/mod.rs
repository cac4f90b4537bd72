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
//!   MeshService (Kuma syncs them zone -> global -> zones). A MeshService without the label is
//!   in no zone: it still matches (Kuma's status shows `zone: ""`) but receives no traffic.
//! - An MZS without a `kuma.io/origin` label is treated as authored on global (`origin: global`),
//!   which is where Kuma requires MZS to be created; so Kuma's default generator applies to it.
//!   Likewise `kuma.io/display-name` (the name) and `kuma.io/mesh` are added when absent, as
//!   Kuma's REST API does on write ([`effective_mzs_meta`]); a MeshService gets
//!   `kuma.io/display-name` and `kuma.io/mesh` the same way, so a selector on
//!   `kuma.io/display-name: redis` matches `name: redis` written without the label.
//! - An MZS is previewed as zones store it: under its KDS name (`redis-<16 chars>`, the written
//!   name as `kuma.io/display-name`), which `.Name` in hostname templates, the name order of
//!   hostname claims and Kuma's collision messages use; the preview names it as written.
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
use zone_store::mzs_as_synced_to_zones;
pub(crate) use zone_store::{distinct_mesh_services, effective_mzs_meta};

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
    // One engine, moved from zone to zone: the MeshService index and the matching are built
    // once; only the zone-dependent parts are recomputed per zone.
    let mut zones = all_zones.iter();
    let Some(first) = zones.next() else {
        return Preview::default();
    };
    let mut resources = distinct_mesh_services(resources);
    let renamed = mzs_as_synced_to_zones(&mut resources);
    // (mesh, store name) -> the MZS, whose display name is the name written.
    let mut written = Vec::with_capacity(renamed.len());
    for &i in &renamed {
        if let Some(r) = resources.get(i) {
            written.push(((r.meta.mesh.as_str(), r.meta.name.as_str()), r));
        }
    }
    let written = crate::text::sort::sorted_map(written);
    let mut engine = MzsStatusEngine::with_resources(first, options.clone(), &resources);
    let mut out = vec![named_as_written(engine.zone_preview(), &written)];
    for zone in zones {
        engine.set_zone(zone);
        out.push(named_as_written(engine.zone_preview(), &written));
    }
    Preview { zones: out }
}

/// How a collision warning names the MZS that holds the hostname (see the engine's recompute).
const OWNER_PREFIX: &str = "is already used by MeshMultiZoneService ";

/// `zone` with each MZS named as written (the engine knows zones' store names), in name order.
fn named_as_written(mut zone: ZonePreview, written: &[((&str, &str), &Resource)]) -> ZonePreview {
    for mzs in &mut zone.multi_zone_services {
        let key = (mzs.mesh.as_str(), mzs.name.as_str());
        if let Some(name) = crate::text::sort::lookup(written, &key).map(|r| r.meta.display_name())
        {
            mzs.name = name.to_owned();
        }
        // A hostname's owner named in a collision warning, likewise.
        for warning in &mut mzs.warnings {
            let message = &warning.message;
            let Some(start) = message.find(OWNER_PREFIX).map(|at| at + OWNER_PREFIX.len()) else {
                continue;
            };
            let Some(end) = message[start..].find(" of mesh ").map(|len| start + len) else {
                continue;
            };
            let key = (mzs.mesh.as_str(), &message[start..end]);
            if let Some(r) = crate::text::sort::lookup(written, &key) {
                let (before, after) = (&message[..start], &message[end..]);
                warning.message = format!("{before}{}{after}", r.meta.display_name());
            }
        }
    }
    crate::text::sort::sort_by(&mut zone.multi_zone_services, |a, b| {
        (&a.mesh, &a.name).cmp(&(&b.mesh, &b.name))
    });
    zone
}
