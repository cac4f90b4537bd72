//! Typed models of the Kuma resources around a MeshMultiZoneService.
//!
//! Field names and JSON shapes follow Kuma's REST API (`camelCase`), so a model serializes to the
//! exact body Kuma returns and a Kuma body deserializes into a model. Decoding user text goes
//! through [`crate::decode`] instead, which reports every problem with its position; `serde` here
//! is for trusted data (the control plane's own store, the REST client's responses).

pub(crate) mod defaults;
pub(crate) mod field_lookup;
pub(crate) mod field_tree;
pub(crate) mod hashed_name;
mod hostname_generator;
mod mesh_load_balancing_strategy;
mod mesh_multi_zone_service;
mod mesh_service;
mod resource_key;
mod version;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use hostname_generator::*;
pub use mesh_load_balancing_strategy::*;
pub use mesh_multi_zone_service::*;
pub use mesh_service::*;
pub use resource_key::ResourceKey;
pub use version::*;

/// The `apiVersion` of every Kuma resource in the Kubernetes shape.
pub const API_VERSION: &str = "kuma.io/v1alpha1";

/// Labels as Kuma stores them (sorted map, like Go's JSON encoding of a map).
pub type Labels = BTreeMap<String, String>;

/// The document shape a resource was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// `type` / `name` / `mesh` / `labels` / `spec` (kumactl, REST API).
    Universal,
    /// `apiVersion` / `kind` / `metadata` / `spec` (kubectl).
    Kubernetes,
}

/// Well-known label keys.
pub mod labels {
    /// Original name of the resource in the zone or namespace it comes from.
    pub const DISPLAY_NAME: &str = "kuma.io/display-name";
    /// Mesh of the resource.
    pub const MESH: &str = "kuma.io/mesh";
    /// Where the resource was created: `global` or `zone`.
    pub const ORIGIN: &str = "kuma.io/origin";
    /// Zone a zone-originated resource belongs to.
    pub const ZONE: &str = "kuma.io/zone";
    /// Environment of the zone (`kubernetes` or `universal`).
    pub const ENV: &str = "kuma.io/env";
    /// Kubernetes namespace of the original resource.
    pub const NAMESPACE: &str = "k8s.kuma.io/namespace";
    /// A policy's role (`producer`, `consumer`, `workload-owner`, `system`); only a zone's
    /// `producer` policies travel on to other zones.
    pub const POLICY_ROLE: &str = "kuma.io/policy-role";
}

/// The resource types this toolkit understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceType {
    /// `Mesh`.
    Mesh,
    /// `MeshService`.
    MeshService,
    /// `MeshMultiZoneService`.
    MeshMultiZoneService,
    /// `HostnameGenerator`.
    HostnameGenerator,
    /// `MeshLoadBalancingStrategy`.
    MeshLoadBalancingStrategy,
}

impl ResourceType {
    /// Every type, in a stable order.
    pub const ALL: [ResourceType; 5] = [
        ResourceType::Mesh,
        ResourceType::MeshService,
        ResourceType::MeshMultiZoneService,
        ResourceType::HostnameGenerator,
        ResourceType::MeshLoadBalancingStrategy,
    ];

    /// Kuma's type name (`type` in universal, `kind` in Kubernetes).
    pub fn name(self) -> &'static str {
        match self {
            Self::Mesh => "Mesh",
            Self::MeshService => "MeshService",
            Self::MeshMultiZoneService => "MeshMultiZoneService",
            Self::HostnameGenerator => "HostnameGenerator",
            Self::MeshLoadBalancingStrategy => "MeshLoadBalancingStrategy",
        }
    }

    /// Look a type up by its Kuma name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The REST path segment (`meshmultizoneservices`).
    pub fn path_segment(self) -> &'static str {
        match self {
            Self::Mesh => "meshes",
            Self::MeshService => "meshservices",
            Self::MeshMultiZoneService => "meshmultizoneservices",
            Self::HostnameGenerator => "hostnamegenerators",
            Self::MeshLoadBalancingStrategy => "meshloadbalancingstrategies",
        }
    }

    /// Look a type up by its REST path segment.
    pub fn from_path_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.path_segment() == segment)
    }

    /// Whether resources of this type live inside a mesh (`/meshes/{mesh}/...`).
    pub fn is_mesh_scoped(self) -> bool {
        !matches!(self, Self::Mesh | Self::HostnameGenerator)
    }

    /// The type whose [`ResourceType::short_name`] is `short_name` (of the types modelled here).
    pub fn from_short_name(short_name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.short_name() == short_name)
    }

    /// Short name used in KRIs and SNIs (`mzsvc`; Kuma's registry `ShortName`).
    pub fn short_name(self) -> &'static str {
        match self {
            Self::Mesh => "m",
            Self::MeshService => "msvc",
            Self::MeshMultiZoneService => "mzsvc",
            Self::HostnameGenerator => "hg",
            Self::MeshLoadBalancingStrategy => "mlbs",
        }
    }
}

/// Identity and labels of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Meta {
    /// Resource name (for a Kubernetes document: `metadata.name`, without namespace).
    pub name: String,
    /// Mesh; empty for global-scoped types (Mesh, HostnameGenerator).
    #[serde(default)]
    pub mesh: String,
    /// Labels.
    #[serde(default)]
    pub labels: Labels,
    /// When the control plane created it (RFC 3339), when known: a document exported from Kuma
    /// (`creationTime`, Kubernetes `metadata.creationTimestamp`) or kuma-local's store. Kuma
    /// ignores it on input; it orders HostnameGenerators and services the way Kuma does.
    #[serde(
        default,
        rename = "creationTime",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_time: Option<String>,
}

impl Meta {
    /// `kuma.io/display-name`, else the name.
    pub fn display_name(&self) -> &str {
        self.labels
            .get(labels::DISPLAY_NAME)
            .map(String::as_str)
            .unwrap_or(&self.name)
    }

    /// Whether a control plane of `version` stores the name as `kuma.io/display-name` in place
    /// of the one this meta carries: 3.0's write paths set it to the name (the universal REST
    /// layer, [`KumaVersion::overwrites_display_name`]; on Kubernetes the defaulting webhook,
    /// master `pkg/plugins/runtime/k8s/webhooks/defaulter.go:70-79`), 2.x keeps it. A copy
    /// stored under the KDS name of its display name came through sync, not a write path, and
    /// keeps it (so does a copy read back from a control plane).
    pub(crate) fn display_name_replaced(&self, version: KumaVersion) -> bool {
        version.overwrites_display_name()
            && !self.name.is_empty()
            && self.display_name() != self.name
            && hashed_name::meta_kds_name(self) != self.name
    }

    /// `kuma.io/zone`, else empty.
    pub fn zone(&self) -> &str {
        self.labels
            .get(labels::ZONE)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The creation time as an instant that orders like Go's `time.Time`: `None` is Go's zero
    /// time (unknown, not RFC 3339, or written as `0001-01-01T00:00:00Z`), before every other.
    pub fn created_at(&self) -> Option<(i64, u32)> {
        self.creation_time
            .as_deref()
            .and_then(crate::text::rfc3339::parse)
            .filter(|instant| *instant != crate::text::rfc3339::GO_ZERO_TIME)
    }

    /// `k8s.kuma.io/namespace`, else empty.
    pub fn namespace(&self) -> &str {
        self.labels
            .get(labels::NAMESPACE)
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A resource of any supported type.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Name, mesh, labels.
    pub meta: Meta,
    /// The typed spec.
    pub spec: Spec,
    /// Status as stored (only meaningful on zone control planes), untyped.
    pub status: Option<serde_json::Value>,
}

impl Resource {
    /// `kuma.io/display-name` as a control plane of `version` stores this resource when it is
    /// written ([`Meta::display_name_replaced`]). One with a `status` or a creation time, which
    /// only a control plane writes, was read back from a store (`kumactl get`, Kuma's own status
    /// tests' stores), so its labels are as stored already.
    pub(crate) fn store_display_name(&mut self, version: KumaVersion) {
        let stored = self.status.is_some() || self.meta.creation_time.is_some();
        if !stored && self.meta.display_name_replaced(version) {
            let name = self.meta.name.clone();
            self.meta
                .labels
                .insert(labels::DISPLAY_NAME.to_owned(), name);
        }
    }

    /// The resource's type.
    pub fn resource_type(&self) -> ResourceType {
        self.spec.resource_type()
    }
}

/// The spec of a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    /// A Mesh; its spec is not modelled (mTLS etc. do not matter to MZS).
    Mesh(serde_json::Value),
    /// A MeshService.
    MeshService(MeshServiceSpec),
    /// A MeshMultiZoneService.
    MeshMultiZoneService(MeshMultiZoneServiceSpec),
    /// A HostnameGenerator.
    HostnameGenerator(HostnameGeneratorSpec),
    /// A MeshLoadBalancingStrategy.
    MeshLoadBalancingStrategy(MeshLoadBalancingStrategySpec),
}

impl Spec {
    /// The type this spec belongs to.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Spec::Mesh(_) => ResourceType::Mesh,
            Spec::MeshService(_) => ResourceType::MeshService,
            Spec::MeshMultiZoneService(_) => ResourceType::MeshMultiZoneService,
            Spec::HostnameGenerator(_) => ResourceType::HostnameGenerator,
            Spec::MeshLoadBalancingStrategy(_) => ResourceType::MeshLoadBalancingStrategy,
        }
    }

    /// The spec as Kuma's JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let value = match self {
            Spec::Mesh(v) => Ok(v.clone()),
            Spec::MeshService(s) => serde_json::to_value(s),
            Spec::MeshMultiZoneService(s) => serde_json::to_value(s),
            Spec::HostnameGenerator(s) => serde_json::to_value(s),
            Spec::MeshLoadBalancingStrategy(s) => serde_json::to_value(s),
        };
        // Serializing plain data structs with string keys cannot fail.
        value.unwrap_or(serde_json::Value::Null)
    }
}

/// A Kubernetes-style label selector (Kuma uses only `matchLabels`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LabelSelector {
    /// Labels that must all be present with equal values. `None` and empty differ only for
    /// round-tripping; Kuma's MZS validator rejects both.
    #[serde(
        rename = "matchLabels",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub match_labels: Option<Labels>,
}

#[cfg(test)]
mod display_name_tests {
    use super::*;

    fn resource(name: &str, pairs: &[(&str, &str)]) -> Resource {
        let meta = Meta {
            name: name.to_owned(),
            mesh: "default".to_owned(),
            labels: (pairs.iter())
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            creation_time: None,
        };
        let spec = Spec::MeshService(MeshServiceSpec::default());
        Resource {
            meta,
            spec,
            status: None,
        }
    }

    #[test]
    fn three_0_stores_the_name_over_a_written_display_name_but_not_on_a_stored_copy() {
        let mut written = resource("redis-east", &[(labels::DISPLAY_NAME, "redis")]);
        assert!(!written.meta.display_name_replaced(KumaVersion::V2_14));
        assert!(written.meta.display_name_replaced(KumaVersion::V3_0));
        let mut read_back = written.clone();
        written.store_display_name(KumaVersion::V3_0);
        assert_eq!(written.meta.display_name(), "redis-east");
        // Read back from a store (a status, a creation time): as stored already.
        read_back.status = Some(serde_json::json!({}));
        read_back.store_display_name(KumaVersion::V3_0);
        assert_eq!(read_back.meta.display_name(), "redis");
        // A copy KDS stored under `HashedName(mesh, displayName, zone)` keeps its display name.
        let copy_name = hashed_name::hashed_name("default", "redis", &["east"]);
        let mut copy = resource(
            &copy_name,
            &[(labels::DISPLAY_NAME, "redis"), (labels::ZONE, "east")],
        );
        assert!(!copy.meta.display_name_replaced(KumaVersion::V3_0));
        copy.store_display_name(KumaVersion::V3_0);
        assert_eq!(copy.meta.display_name(), "redis");
        // Without the label, or with the name itself, there is nothing to replace.
        assert!(!resource("redis", &[])
            .meta
            .display_name_replaced(KumaVersion::V3_0));
        let same = resource("redis", &[(labels::DISPLAY_NAME, "redis")]);
        assert!(!same.meta.display_name_replaced(KumaVersion::V3_0));
    }
}
