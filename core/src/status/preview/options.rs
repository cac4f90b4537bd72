//! Options shared by every zone of a preview.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{defaults, KumaVersion};

/// Options shared by every zone.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// CIDR MZS VIPs come from (Kuma's `ipam.meshMultiZoneService.cidr`, default
    /// [`defaults::MESH_MULTI_ZONE_SERVICE_CIDR`]).
    pub mzs_cidr: ipnet::Ipv4Net,
    /// CIDR MeshService VIPs come from (Kuma's `ipam.meshService.cidr`, default
    /// [`defaults::MESH_SERVICE_CIDR`]);
    /// used by [`crate::status::mesh_service_status::MeshServiceEngine`].
    pub mesh_service_cidr: ipnet::Ipv4Net,
    /// Which Kuma release's behaviour to model.
    pub kuma_version: KumaVersion,
    /// Add Kuma's default HostnameGenerator (`{{ .DisplayName }}.mzsvc.mesh.local`) when the input
    /// has none named `synced-mesh-multi-zone-service` written on global; a zone stores it as
    /// `HashedName("", "synced-mesh-multi-zone-service")`, the `coreName` statuses give it.
    pub default_hostname_generators: bool,
    /// Zones taken down: their endpoints are unhealthy (as Envoy sees them after health checks),
    /// so traffic fails over (the playground's "take a zone down").
    pub down_zones: BTreeSet<String>,
    /// Healthy fraction (`0..=1`) of a zone's endpoints, for partial outages; zones not listed
    /// are fully healthy (unless in `down_zones`).
    pub zone_health: BTreeMap<String, f64>,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        Self {
            mzs_cidr: defaults::MESH_MULTI_ZONE_SERVICE_CIDR,
            mesh_service_cidr: defaults::MESH_SERVICE_CIDR,
            kuma_version: KumaVersion::default(),
            default_hostname_generators: true,
            down_zones: BTreeSet::new(),
            zone_health: BTreeMap::new(),
        }
    }
}

impl PreviewOptions {
    /// Healthy fraction of `zone`'s endpoints.
    pub fn health_of(&self, zone: &str) -> f64 {
        if self.down_zones.contains(zone) {
            return 0.0;
        }
        self.zone_health
            .get(zone)
            .copied()
            .filter(|h| h.is_finite())
            .map(|h| h.clamp(0.0, 1.0))
            .unwrap_or(1.0)
    }
}
