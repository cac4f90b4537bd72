//! Defaults Kuma fills in when a request leaves a field out.

/// The mesh of a mesh-scoped resource whose body names none (Kuma's default Mesh).
pub const DEFAULT_MESH: &str = "default";

pub use crate::model::default_app_protocol;
