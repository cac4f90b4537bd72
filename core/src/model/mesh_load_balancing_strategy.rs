//! MeshLoadBalancingStrategy: the parts that can target an MZS.

use serde::{Deserialize, Serialize};

use super::Labels;

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
    /// Kind (`Mesh`, `MeshMultiZoneService`, ...); empty when left out (2.9's schema does not
    /// require it, its validator reports it).
    #[serde(default)]
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
