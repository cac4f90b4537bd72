//! Typed models of the Kuma resources around a MeshMultiZoneService.
//!
//! Field names and JSON shapes follow Kuma's REST API (`camelCase`), so a model serializes to the
//! exact body Kuma returns and a Kuma body deserializes into a model. Decoding user text goes
//! through [`crate::decode`] instead, which reports every problem with its position; `serde` here
//! is for trusted data (the control plane's own store, the REST client's responses).

pub(crate) mod defaults;
pub(crate) mod field_tree;
mod resource_key;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use resource_key::ResourceKey;

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
}

/// Which Kuma release's rules to apply: one variant per supported minor release.
///
/// Rules come from upstream's code at each release's newest tag (listed by
/// [`KumaVersion::release`]); 3.0 follows the main line at commit 348b6528 (the newest upstream
/// snapshot read, which carries the 3.0 rules). Every front end turns a user's spelling into a
/// version through [`KumaVersion::from_str`] (or [`KumaVersion::parse`]), so they all accept the
/// same spellings and print the same error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum KumaVersion {
    /// Kuma 2.9 (tag v2.9.13).
    V2_9,
    /// Kuma 2.10 (tag v2.10.11).
    V2_10,
    /// Kuma 2.11 (tag v2.11.18).
    V2_11,
    /// Kuma 2.12 (tag v2.12.14).
    V2_12,
    /// Kuma 2.13 (tag v2.13.10).
    V2_13,
    /// Kuma 2.14 (tag v2.14.3), the newest 2.x release and what `2.x` means.
    V2_14,
    /// Kuma 3.0, the newest release and the default.
    #[default]
    V3_0,
}

/// A version spelling that names no supported Kuma release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a supported Kuma version; supported: {list} (default {default}; `2.x` means {newest_2x}; a patch version or a leading `v` is accepted, e.g. v2.14.3)", list = KumaVersion::supported_list(), default = KumaVersion::default().as_str(), newest_2x = KumaVersion::NEWEST_2X.as_str())]
pub struct UnsupportedKumaVersion {
    /// What was given.
    pub input: String,
}

impl KumaVersion {
    /// Every supported release, newest first.
    pub const ALL: [KumaVersion; 7] = [
        Self::V3_0,
        Self::V2_14,
        Self::V2_13,
        Self::V2_12,
        Self::V2_11,
        Self::V2_10,
        Self::V2_9,
    ];

    /// The newest 2.x release (what `2.x` and `2` mean).
    pub const NEWEST_2X: KumaVersion = Self::V2_14;

    /// Parse a version spelling; `None` when it names no supported release (use
    /// [`KumaVersion::from_str`] for the error that lists the supported ones).
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// The canonical name (`3.0`, `2.14`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2_9 => "2.9",
            Self::V2_10 => "2.10",
            Self::V2_11 => "2.11",
            Self::V2_12 => "2.12",
            Self::V2_13 => "2.13",
            Self::V2_14 => "2.14",
            Self::V3_0 => "3.0",
        }
    }

    /// The full release this mode follows, as Kuma reports it at `GET /` (`version`).
    pub fn release(self) -> &'static str {
        match self {
            Self::V2_9 => "2.9.13",
            Self::V2_10 => "2.10.11",
            Self::V2_11 => "2.11.18",
            Self::V2_12 => "2.12.14",
            Self::V2_13 => "2.13.10",
            Self::V2_14 => "2.14.3",
            Self::V3_0 => "3.0.0",
        }
    }

    /// `3.0, 2.14, 2.13, ...`: the supported releases for messages.
    pub fn supported_list() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        names.join(", ")
    }

    /// Any 2.x release.
    pub fn is_2x(self) -> bool {
        self < Self::V3_0
    }

    /// Minor release as `(major, minor)`.
    pub fn minor(self) -> (u32, u32) {
        match self {
            Self::V2_9 => (2, 9),
            Self::V2_10 => (2, 10),
            Self::V2_11 => (2, 11),
            Self::V2_12 => (2, 12),
            Self::V2_13 => (2, 13),
            Self::V2_14 => (2, 14),
            Self::V3_0 => (3, 0),
        }
    }

    /// `kafka` is an allowed `appProtocol` (every 2.x; 3.0 removed it).
    pub fn allows_kafka(self) -> bool {
        self.is_2x()
    }

    /// MZS ports pair with MeshService ports by name (3.0 `FindPortByName`); 2.x pairs by number.
    pub fn pairs_ports_by_name(self) -> bool {
        !self.is_2x()
    }

    /// MeshService has the `spec.selector.dataplaneTags` selector (removed in 3.0).
    pub fn has_dataplane_tags(self) -> bool {
        self.is_2x()
    }
}

impl std::str::FromStr for KumaVersion {
    type Err = UnsupportedKumaVersion;

    /// Accepts `3.0`, `3.0.1`, `3`, `3.x`, `2.14`, `2.14.3`, `v2.14.3`, `2.x`, `2` (the last
    /// two are the newest 2.x release), surrounding blanks ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || UnsupportedKumaVersion {
            input: s.to_owned(),
        };
        let t = s.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let mut parts = t.split('.');
        let major = parts.next().ok_or_else(err)?;
        let minor = parts.next();
        let patch = parts.next();
        if parts.next().is_some() {
            return Err(err());
        }
        let number = |p: &str| -> Option<u32> {
            (!p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        if let Some(p) = patch {
            number(p).ok_or_else(err)?;
        }
        let major = number(major).ok_or_else(err)?;
        let version = match (major, minor) {
            (2, None | Some("x")) if patch.is_none() => Self::NEWEST_2X,
            (3, None | Some("x")) if patch.is_none() => Self::V3_0,
            (_, Some(m)) => {
                let m = number(m).ok_or_else(err)?;
                Self::ALL
                    .into_iter()
                    .find(|v| v.minor() == (major, m))
                    .ok_or_else(err)?
            }
            _ => return Err(err()),
        };
        Ok(version)
    }
}

impl std::fmt::Display for KumaVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for KumaVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for KumaVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
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

    /// Short name used in KRIs and SNIs (`mzsvc`).
    pub fn short_name(self) -> &'static str {
        match self {
            Self::Mesh => "mesh",
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
}

impl Meta {
    /// `kuma.io/display-name`, else the name.
    pub fn display_name(&self) -> &str {
        self.labels
            .get(labels::DISPLAY_NAME)
            .map(String::as_str)
            .unwrap_or(&self.name)
    }

    /// `kuma.io/zone`, else empty.
    pub fn zone(&self) -> &str {
        self.labels
            .get(labels::ZONE)
            .map(String::as_str)
            .unwrap_or("")
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

// ---------------------------------------------------------------------------------------------
// MeshMultiZoneService

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

// ---------------------------------------------------------------------------------------------
// MeshService

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

// ---------------------------------------------------------------------------------------------
// HostnameGenerator

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

// ---------------------------------------------------------------------------------------------
// MeshLoadBalancingStrategy (the parts that can target an MZS)

/// `spec` of a MeshLoadBalancingStrategy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshLoadBalancingStrategySpec {
    /// Which proxies the policy applies to (3.0: `Mesh` or `Dataplane`; 2.x more). Boxed: the
    /// 2.x targetRef fields make it large, and it would size every `Resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ref: Option<Box<TargetRef>>,
    /// Per-destination configuration.
    #[serde(default)]
    pub to: Vec<MlbsTo>,
}

/// A policy `targetRef`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    /// Kind (`Mesh`, `MeshMultiZoneService`, ...).
    pub kind: String,
    /// Name (2.x style).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace (2.x style).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels (3.0 style).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// One port (name or number as string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// Mesh (2.x only; never allowed by the validators that matter here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<String>,
    /// Dataplane tags (2.x `MeshSubset`, `MeshServiceSubset`, `MeshGateway` listeners).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Labels>,
    /// Proxy types (2.x `Mesh`/`MeshSubset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_types: Option<Vec<String>>,
}

/// One `to` entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlbsTo {
    /// The destination.
    pub target_ref: TargetRef,
    /// The configuration.
    #[serde(default)]
    pub default: MlbsConf,
}

/// `to[].default`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlbsConf {
    /// Locality-aware load balancing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality_awareness: Option<LocalityAwareness>,
    /// Load balancer algorithm (not interpreted by the traffic split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<serde_json::Value>,
    /// Hash policies (not interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_policies: Option<serde_json::Value>,
}

/// `localityAwareness`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalityAwareness {
    /// Turn locality awareness off (everything at one priority).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// In-zone affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_zone: Option<LocalZone>,
    /// Cross-zone failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_zone: Option<CrossZone>,
}

/// `localZone`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalZone {
    /// Affinity tags, most preferred first.
    #[serde(default)]
    pub affinity_tags: Vec<AffinityTag>,
}

/// One affinity tag.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AffinityTag {
    /// Tag key.
    pub key: String,
    /// Optional weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

/// `crossZone`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossZone {
    /// Ordered failover rules.
    #[serde(default)]
    pub failover: Vec<Failover>,
    /// When to start failing over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_threshold: Option<FailoverThreshold>,
}

/// One failover rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Failover {
    /// Applies only to clients in these zones (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<FromZones>,
    /// Which zones to fail over to.
    pub to: FailoverTo,
}

/// `failover[].from`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FromZones {
    /// Client zones.
    #[serde(default)]
    pub zones: Vec<String>,
}

/// `failover[].to`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FailoverTo {
    /// `Any`, `AnyExcept`, `Only` or `None`.
    #[serde(rename = "type")]
    pub failover_type: String,
    /// Zones for `AnyExcept` / `Only`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
}

/// `failoverThreshold`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FailoverThreshold {
    /// Percentage as int or string (`"50"`, `"99.9"`).
    pub percentage: serde_json::Value,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod version_tests {
    use super::KumaVersion;

    #[test]
    fn every_documented_spelling_names_its_release() {
        for (spelling, want) in [
            ("3.0", KumaVersion::V3_0),
            ("3.0.1", KumaVersion::V3_0),
            ("3", KumaVersion::V3_0),
            ("v3.0.0", KumaVersion::V3_0),
            ("2.14", KumaVersion::V2_14),
            ("2.14.3", KumaVersion::V2_14),
            ("v2.14.3", KumaVersion::V2_14),
            ("2.x", KumaVersion::V2_14),
            ("2", KumaVersion::V2_14),
            ("2.9", KumaVersion::V2_9),
            (" 2.12.0 ", KumaVersion::V2_12),
        ] {
            assert_eq!(spelling.parse::<KumaVersion>(), Ok(want), "{spelling}");
        }
        for v in KumaVersion::ALL {
            assert_eq!(v.as_str().parse::<KumaVersion>(), Ok(v));
            assert_eq!(v.release().parse::<KumaVersion>(), Ok(v));
        }
        assert_eq!(KumaVersion::default(), KumaVersion::V3_0);
    }

    #[test]
    fn an_unsupported_version_is_an_error_that_lists_the_supported_ones() {
        for bad in [
            "1.8", "2.8", "2.15", "4.0", "", "2.x.1", "3.0.x", "latest", "2.14.3.1",
        ] {
            let err = bad.parse::<KumaVersion>().unwrap_err().to_string();
            assert!(
                err.contains("3.0, 2.14, 2.13, 2.12, 2.11, 2.10, 2.9")
                    && err.contains("default 3.0"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn serde_keeps_the_option_spellings_and_writes_canonical_names() {
        let v: KumaVersion = serde_json::from_str("\"2.x\"").unwrap();
        assert_eq!(v, KumaVersion::V2_14);
        let v: KumaVersion = serde_json::from_str("\"3.0\"").unwrap();
        assert_eq!(v, KumaVersion::V3_0);
        assert_eq!(
            serde_json::to_string(&KumaVersion::V2_11).unwrap(),
            "\"2.11\""
        );
        assert!(serde_json::from_str::<KumaVersion>("\"1.0\"").is_err());
    }
}
