//! Kuma's validators, message for message.
//!
//! One module per upstream validator (`validator.go` / `validate.go`); each module doc names the
//! upstream file and what upstream deliberately does not check. Rules run in upstream order and
//! accumulate: every violation is reported, never only the first.

pub(crate) mod dns;
mod hostname_generator;
pub(crate) mod kubernetes;
pub(crate) mod lints;
mod mesh_load_balancing_strategy;
mod mesh_multi_zone_service;
mod mesh_service;
pub(crate) mod messages;
pub(crate) mod meta;
pub(crate) mod read_only;
mod sni;
mod version_hint;

use crate::model::{HostnameGeneratorSpec, KumaVersion, MeshMultiZoneServiceSpec, Resource, Spec};
use crate::text::diagnostics::Violation;

pub use mesh_load_balancing_strategy::mesh_load_balancing_strategy;
pub use mesh_multi_zone_service::deprecations as mesh_multi_zone_service_deprecations;
pub use mesh_service::mesh_service;
pub use version_hint::{accepts, counterpart, hint, hints, Comparison, Hint};

/// Kuma's MeshMultiZoneService validator. `name` is the resource's display name
/// (`kuma.io/display-name` label, else the name) when Kuma validates with meta (resource manager),
/// `None` when it validates the spec alone (REST body decoding, upstream's spec-only tests).
pub fn mesh_multi_zone_service(
    spec: &MeshMultiZoneServiceSpec,
    name: Option<&str>,
    version: KumaVersion,
) -> Vec<Violation> {
    mesh_multi_zone_service::validate(spec, name, version)
}

/// Kuma's HostnameGenerator validator (the 3.0 rules, which 2.14 shares).
pub fn hostname_generator(spec: &HostnameGeneratorSpec) -> Vec<Violation> {
    hostname_generator::validate(spec, KumaVersion::V3_0)
}

/// Kuma's HostnameGenerator validator of `version`.
pub fn hostname_generator_in(spec: &HostnameGeneratorSpec, version: KumaVersion) -> Vec<Violation> {
    hostname_generator::validate(spec, version)
}

/// Run the validator of the resource's type. With `with_name`, the name rules that Kuma's resource
/// manager applies (it validates with meta) run too; without, only what the REST body check runs.
pub(crate) fn resource(
    resource: &Resource,
    with_name: bool,
    version: KumaVersion,
) -> Vec<Violation> {
    let name = with_name.then(|| resource.meta.display_name());
    match &resource.spec {
        Spec::Mesh(_) => Vec::new(),
        Spec::MeshService(s) => mesh_service(s, name, version),
        Spec::MeshMultiZoneService(s) => mesh_multi_zone_service(s, name, version),
        Spec::HostnameGenerator(s) => hostname_generator_in(s, version),
        Spec::MeshLoadBalancingStrategy(s) => mesh_load_balancing_strategy(s, version),
    }
}

/// Kuma's deprecation warnings for a resource (the `warnings` of a successful PUT), each with the
/// field it is about so it can be located.
pub(crate) fn deprecations(resource: &Resource, version: KumaVersion) -> Vec<Violation> {
    match &resource.spec {
        Spec::MeshMultiZoneService(s) => {
            mesh_multi_zone_service::deprecations(&resource.meta, s, version)
        }
        Spec::MeshService(s) => mesh_service::deprecations(&resource.meta, s, version),
        Spec::MeshLoadBalancingStrategy(s) => {
            mesh_load_balancing_strategy::deprecations(s, version)
        }
        Spec::Mesh(_) | Spec::HostnameGenerator(_) => Vec::new(),
    }
}

/// A Kuma field path, rendered exactly as Kuma's `validators.PathBuilder`
/// (`spec.ports[0].name`, `labels["kuma.io/zone"]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct FieldPath(String);

impl FieldPath {
    /// A path starting at `field`.
    pub(crate) fn root(field: &str) -> Self {
        Self(field.to_owned())
    }

    /// `path.field`.
    pub(crate) fn field(&self, name: &str) -> Self {
        if self.0.is_empty() {
            return Self(name.to_owned());
        }
        // Pushed, not `format!`ed: paths are built for every port on every check.
        let mut path = String::with_capacity(self.0.len() + 1 + name.len());
        path.push_str(&self.0);
        path.push('.');
        path.push_str(name);
        Self(path)
    }

    /// `path[i]`.
    pub(crate) fn index(&self, i: usize) -> Self {
        let mut path = String::with_capacity(self.0.len() + 4);
        path.push_str(&self.0);
        crate::text::push_index(&mut path, i);
        Self(path)
    }

    /// `path["key"]`.
    pub(crate) fn key(&self, key: &str) -> Self {
        Self(format!("{}[{}]", self.0, crate::template::go_quote(key)))
    }

    /// The rendered path.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    fn violation(&self, message: impl Into<String>) -> Violation {
        Violation::new(self.0.clone(), message)
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
