//! The key of a resource in one control plane's store.

use serde::{Deserialize, Serialize};

use super::{Resource, ResourceType};

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

impl ResourceKey {
    /// The key of `resource`.
    pub fn of(resource: &Resource) -> Self {
        let resource_type = resource.resource_type();
        Self {
            resource_type,
            mesh: if resource_type.is_mesh_scoped() {
                resource.meta.mesh.clone()
            } else {
                String::new()
            },
            name: resource.meta.name.clone(),
        }
    }

    pub(crate) fn mzs(mesh: &str, name: &str) -> Self {
        Self {
            resource_type: ResourceType::MeshMultiZoneService,
            mesh: mesh.to_owned(),
            name: name.to_owned(),
        }
    }
}
