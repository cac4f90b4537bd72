//! Typed models of the Kuma resources around a MeshMultiZoneService.
//!
//! Field names and JSON shapes follow Kuma's REST API (`camelCase`), so a model serializes to the
//! exact body Kuma returns and a Kuma body deserializes into a model. Decoding user text goes
//! through [`crate::decode`] instead, which reports every problem with its position; `serde` here
//! is for trusted data (the control plane's own store, the REST client's responses).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Labels as Kuma stores them (sorted map, like Go's JSON encoding of a map).
pub type Labels = BTreeMap<String, String>;

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

/// Which Kuma release's rules to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum KumaVersion {
    /// Kuma 3.0 (the development line the conformance data comes from).
    #[default]
    #[serde(rename = "3.0")]
    V3_0,
    /// Kuma 2.9 to 2.14: `kafka` is an allowed protocol; a non-RFC-1035 name is only a warning;
    /// MZS ports match MeshService ports by number.
    #[serde(rename = "2.x")]
    V2,
}

impl KumaVersion {
    /// Parse `3.0`, `3`, `2.x`, `2`, or `2.9`..`2.14`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "3.0" | "3" | "3.x" => Some(Self::V3_0),
            "2.x" | "2" => Some(Self::V2),
            other => {
                let minor = other
                    .strip_prefix("2.")?
                    .split('.')
                    .next()?
                    .parse::<u32>()
                    .ok()?;
                (9..=14).contains(&minor).then_some(Self::V2)
            }
        }
    }

    /// The canonical name (`3.0` or `2.x`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3_0 => "3.0",
            Self::V2 => "2.x",
        }
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
    /// Which proxies the policy applies to (`Mesh` or `Dataplane`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_ref: Option<TargetRef>,
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
