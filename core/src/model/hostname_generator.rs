//! HostnameGenerator: spec and selector.

use serde::{Deserialize, Serialize};

use super::LabelSelector;

/// `spec` of a HostnameGenerator.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostnameGeneratorSpec {
    /// Exactly one selector must be set.
    #[serde(default)]
    pub selector: HostnameGeneratorSelector,
    /// Go `text/template` source.
    #[serde(default)]
    pub template: String,
    /// Optional extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
}

/// `spec.selector` of a HostnameGenerator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostnameGeneratorSelector {
    /// Select MeshServices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh_service: Option<LabelSelector>,
    /// Select MeshExternalServices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh_external_service: Option<LabelSelector>,
    /// Select MeshMultiZoneServices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh_multi_zone_service: Option<LabelSelector>,
}

/// `spec.extension` of a HostnameGenerator.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Extension {
    /// Extension type (required when `extension` is set).
    #[serde(rename = "type", default)]
    pub extension_type: String,
    /// Free-form configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
}
