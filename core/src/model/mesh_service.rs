//! MeshService: the parts of its spec an MZS depends on.

use serde::{Deserialize, Serialize};

/// `spec` of a MeshService (the parts MZS depends on).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshServiceSpec {
    /// `Available` when the zone has healthy proxies; Kuma's default is `Unavailable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MeshServiceState>,
    /// Which dataplanes back it (not interpreted here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<serde_json::Value>,
    /// Ports.
    #[serde(default)]
    pub ports: Vec<MeshServicePort>,
    /// SPIFFE identities (not interpreted here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identities: Option<serde_json::Value>,
}

impl MeshServiceSpec {
    /// The effective state (`Unavailable` when unset, as Kuma defaults it).
    pub fn effective_state(&self) -> MeshServiceState {
        self.state.unwrap_or(MeshServiceState::Unavailable)
    }
}

/// `spec.state` of a MeshService.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MeshServiceState {
    /// At least one healthy proxy.
    Available,
    /// No healthy proxy.
    Unavailable,
}

/// One entry of a MeshService's `spec.ports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshServicePort {
    /// Optional name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port number.
    pub port: i32,
    /// Target port (int or string), not interpreted here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<serde_json::Value>,
    /// Application protocol (default `tcp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

impl MeshServicePort {
    /// The name if non-empty, else the number as decimal.
    pub fn section_name(&self) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ => self.port.to_string(),
        }
    }
}
