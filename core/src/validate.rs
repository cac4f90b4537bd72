//! Kuma's validators, message for message.

use crate::diagnostics::Violation;
use crate::model::{HostnameGeneratorSpec, KumaVersion, MeshMultiZoneServiceSpec, Resource};

/// Kuma's MeshMultiZoneService validator. `name` is the resource name when Kuma validates with
/// meta (resource manager), `None` when it validates the spec alone (REST body decoding, tests).
pub fn mesh_multi_zone_service(
    spec: &MeshMultiZoneServiceSpec,
    name: Option<&str>,
    version: KumaVersion,
) -> Vec<Violation> {
    let _ = (spec, name, version);
    Vec::new()
}

/// Kuma's HostnameGenerator validator.
pub fn hostname_generator(spec: &HostnameGeneratorSpec) -> Vec<Violation> {
    let _ = spec;
    Vec::new()
}

/// Run the validator of the resource's type.
pub fn resource(resource: &Resource, with_name: bool, version: KumaVersion) -> Vec<Violation> {
    let _ = (resource, with_name, version);
    Vec::new()
}
