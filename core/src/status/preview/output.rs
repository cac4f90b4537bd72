//! What a preview returns: per zone, per MZS, the status Kuma writes plus ports, traffic and
//! warnings.

use serde::{Deserialize, Serialize};

use crate::model::MzsStatus;
use crate::status::load_balancing::PortTraffic;
use crate::status::ports::PortPreview;
use crate::text::diagnostics::Code;

/// A warning Kuma does not give.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewWarning {
    /// Stable code (`MZS101`..`MZS106`).
    pub code: Code,
    /// What is wrong and what it means.
    pub message: String,
    /// The MZS port section name it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
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

impl ZonePreview {
    /// The preview of the MZS `mesh`/`name`, looked up in the ordered list.
    pub fn mzs(&self, mesh: &str, name: &str) -> Option<&MzsPreview> {
        let list = &self.multi_zone_services;
        let at = list.partition_point(|p| (p.mesh.as_str(), p.name.as_str()) < (mesh, name));
        list.get(at).filter(|p| p.mesh == mesh && p.name == name)
    }
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
    pub ports: Vec<PortPreview>,
    /// Traffic split per port for a client in this zone.
    pub traffic: Vec<PortTraffic>,
    /// Warnings Kuma does not give, sorted.
    pub warnings: Vec<PreviewWarning>,
}

/// `{k: v, ...}` for messages.
pub(crate) fn format_selector(selector: &crate::model::Labels) -> String {
    let pairs: Vec<String> = selector
        .iter()
        .map(|(k, v)| format!("{k}: {}", if v.is_empty() { "\"\"" } else { v }))
        .collect();
    format!("{{{}}}", crate::text::join(&pairs, ", "))
}
