//! The preview engine: what each zone's control plane computes for every MeshMultiZoneService.
//!
//! A [`ZoneEngine`] holds one zone's view (every MeshService the zone knows, local and synced,
//! every MZS, HostnameGenerator and MeshLoadBalancingStrategy) and keeps each MZS's status current
//! as resources change. [`preview`] runs one engine per zone over a set of resources.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::model::{KumaVersion, MzsStatus, Resource, ResourceType};

/// Options shared by every zone.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// CIDR MZS VIPs come from (Kuma's default `243.0.0.0/8`).
    pub mzs_cidr: ipnet::Ipv4Net,
    /// Which Kuma release's behaviour to model.
    pub kuma_version: KumaVersion,
    /// Add Kuma's default HostnameGenerator (`{{ .DisplayName }}.mzsvc.mesh.local`) when the input has none named `synced-mesh-multi-zone-service`.
    pub default_hostname_generators: bool,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        Self {
            mzs_cidr: ipnet::Ipv4Net::new(Ipv4Addr::new(243, 0, 0, 0), 8).unwrap_or_default(),
            kuma_version: KumaVersion::default(),
            default_hostname_generators: true,
        }
    }
}

/// Identifies a resource inside one zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceKey {
    /// Its type.
    pub resource_type: ResourceType,
    /// Its mesh (empty for global-scoped types).
    pub mesh: String,
    /// Its name.
    pub name: String,
}

/// A change fed to a [`ZoneEngine`].
#[derive(Debug, Clone)]
pub enum Change {
    /// A resource was created or updated. An MZS that carries `status.vips` keeps that VIP.
    Upsert(Resource),
    /// A resource was deleted.
    Remove(ResourceKey),
}

/// One zone's engine.
#[derive(Debug, Clone)]
pub struct ZoneEngine {
    zone: String,
}

impl ZoneEngine {
    /// An empty engine for `zone`.
    pub fn new(zone: &str, options: PreviewOptions) -> Self {
        let _ = options;
        Self {
            zone: zone.to_owned(),
        }
    }

    /// The zone's name.
    pub fn zone(&self) -> &str {
        &self.zone
    }

    /// Apply a change; returns the MZS whose status changed.
    pub fn apply(&mut self, change: Change) -> Vec<ResourceKey> {
        let _ = change;
        Vec::new()
    }

    /// The current status of an MZS.
    pub fn status(&self, mesh: &str, name: &str) -> Option<&MzsStatus> {
        let _ = (mesh, name);
        None
    }
}

/// The whole preview: one entry per zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// Zones in name order.
    pub zones: Vec<ZonePreview>,
}

/// One zone's view.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZonePreview {
    /// The zone.
    pub zone: String,
    /// Every MZS, by mesh then name.
    pub multi_zone_services: Vec<MzsPreview>,
}

/// One MZS as seen from one zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MzsPreview {
    /// Mesh.
    pub mesh: String,
    /// Name.
    pub name: String,
    /// Exactly what the zone's control plane writes into `status`.
    pub status: MzsStatus,
    /// Port-by-port matching.
    pub ports: Vec<serde_json::Value>,
    /// Traffic split per port for a client in this zone.
    pub traffic: Vec<serde_json::Value>,
    /// Warnings Kuma does not give.
    pub warnings: Vec<serde_json::Value>,
}

/// Compute the preview of `resources` for `zones` (zones named in MeshService `kuma.io/zone`
/// labels are added automatically).
pub fn preview(resources: &[Resource], zones: &[String], options: &PreviewOptions) -> Preview {
    let _ = (resources, zones, options);
    Preview::default()
}
