//! MeshMultiZoneService: spec and the status a zone writes.

use serde::{Deserialize, Serialize};

use super::{LabelSelector, Labels};

/// `spec` of a MeshMultiZoneService.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MeshMultiZoneServiceSpec {
    /// Which MeshServices to group.
    #[serde(default)]
    pub selector: MzsSelector,
    /// Ports the MZS exposes.
    #[serde(default)]
    pub ports: Vec<MzsPort>,
}

impl MeshMultiZoneServiceSpec {
    /// `selector.meshService.matchLabels`, absent read as empty (as Kuma's status updater does).
    pub fn selector_labels(&self) -> Labels {
        self.selector
            .mesh_service
            .match_labels
            .clone()
            .unwrap_or_default()
    }
}

/// `spec.selector` of a MeshMultiZoneService.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MzsSelector {
    /// Selects MeshServices by label.
    #[serde(rename = "meshService", default)]
    pub mesh_service: LabelSelector,
}

/// One entry of `spec.ports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MzsPort {
    /// Optional port name (Kuma: `*string`; `Some("")` is a violation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port number (int32 in Kuma's schema; Kuma does not check the range).
    pub port: i32,
    /// Application protocol; defaults to `tcp` as Kuma's schema does.
    #[serde(rename = "appProtocol", default = "default_app_protocol")]
    pub app_protocol: String,
}

impl MzsPort {
    /// Kuma's `Port.GetName()`: the name if non-empty, else the number as decimal.
    pub fn section_name(&self) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ => self.port.to_string(),
        }
    }
}

/// `port http (8080)` for a named port, `port 8080` for an unnamed one (whose section name is its
/// number): how messages name an MZS port.
pub(crate) fn describe_port(section_name: &str, number: i32) -> String {
    let number = number.to_string();
    if section_name == number {
        format!("port {number}")
    } else {
        format!("port {section_name} ({number})")
    }
}

/// Kuma's schema default for `appProtocol`.
pub fn default_app_protocol() -> String {
    "tcp".to_owned()
}

/// `status` of a MeshMultiZoneService, as a zone control plane writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MzsStatus {
    /// Hostnames from HostnameGenerators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// The VIP (Kuma allocates exactly one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vips: Vec<Vip>,
    /// Matched MeshServices, sorted by `name/namespace/zone/mesh`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mesh_services: Vec<MatchedMeshService>,
    /// Per-generator outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostname_generators: Vec<HostnameGeneratorStatus>,
    /// Conditions (`MeshServicesMatched`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// An entry of `status.addresses`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// The hostname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `HostnameGenerator` (or `Kubernetes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The generator that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_generator_ref: Option<HostnameGeneratorRef>,
}

/// Reference to a HostnameGenerator by store name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostnameGeneratorRef {
    /// Store name of the generator.
    pub core_name: String,
}

/// An entry of `status.vips`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Vip {
    /// The address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
}

/// An entry of `status.meshServices`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MatchedMeshService {
    /// Display name of the MeshService.
    pub name: String,
    /// Its Kubernetes namespace, or empty.
    pub namespace: String,
    /// Its zone, or empty.
    pub zone: String,
    /// Its mesh.
    pub mesh: String,
}

impl MatchedMeshService {
    /// Kuma's `FullyQualifiedName()`, the sort key of `status.meshServices`.
    pub fn fully_qualified_name(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.name, self.namespace, self.zone, self.mesh
        )
    }
}

/// An entry of `status.hostnameGenerators`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostnameGeneratorStatus {
    /// The generator.
    pub hostname_generator_ref: HostnameGeneratorRef,
    /// Its `Generated` condition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// A Kuma condition (no `lastTransitionTime` in Kuma's type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// Condition type, e.g. `MeshServicesMatched`.
    #[serde(rename = "type")]
    pub condition_type: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Machine-readable reason.
    pub reason: String,
    /// Human-readable message.
    pub message: String,
}
