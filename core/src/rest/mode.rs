//! Which control plane a request reaches (global or a zone) and which types it may write there
//! (§7.4).

use serde::{Deserialize, Serialize};

use super::{ApiError, GLOBAL_READ_ONLY_MESSAGE, ZONE_READ_ONLY_MESSAGE};
use crate::model::ResourceType;

/// Which kind of control plane answers the request; decides writability, origin labels and
/// label checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Mode {
    /// The global control plane.
    Global,
    /// A zone control plane.
    Zone {
        /// The zone name.
        name: String,
        /// Whether it is connected to a global control plane.
        federated: bool,
    },
}

impl Mode {
    /// `global` or `zone` (the `kuma.io/origin` value this CP writes).
    pub fn origin(&self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Zone { .. } => "zone",
        }
    }

    /// The zone name, if a zone.
    pub fn zone_name(&self) -> Option<&str> {
        match self {
            Mode::Global => None,
            Mode::Zone { name, .. } => Some(name),
        }
    }
}

/// Whether this control plane accepts PUT/DELETE for `resource_type`; the 405 otherwise.
pub fn check_writable(mode: &Mode, resource_type: ResourceType) -> Result<(), ApiError> {
    match mode {
        Mode::Global if resource_type == ResourceType::MeshService => {
            Err(ApiError::method_not_allowed(GLOBAL_READ_ONLY_MESSAGE))
        }
        Mode::Zone {
            federated: true, ..
        } if matches!(
            resource_type,
            ResourceType::MeshMultiZoneService | ResourceType::Mesh
        ) =>
        {
            Err(ApiError::method_not_allowed(ZONE_READ_ONLY_MESSAGE))
        }
        _ => Ok(()),
    }
}
