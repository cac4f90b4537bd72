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

/// The fields kept as JSON (`loadBalancer`, `hashPolicies`) written in the field order of Kuma's
/// Go structs, as its REST API marshals them (master `meshloadbalancingstrategy.go:129-277`;
/// 2.14's `ringHash` and `maglev` also end with `hashPolicies`), not in a JSON map's sorted
/// order; fields Kuma does not have follow, as stored. Only the REST output needs it (the
/// WebAssembly module does not carry it).
pub(crate) mod go_order {
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Serialize, Serializer};
    use serde_json::Value;

    /// The Go field order of the object held under `field`.
    fn fields_of(field: &str) -> &'static [&'static str] {
        match field {
            "loadBalancer" => &[
                "type",
                "roundRobin",
                "leastRequest",
                "ringHash",
                "random",
                "maglev",
            ],
            "leastRequest" => &["choiceCount", "activeRequestBias"],
            "ringHash" => &["hashFunction", "minRingSize", "maxRingSize", "hashPolicies"],
            "maglev" => &["tableSize", "hashPolicies"],
            "hashPolicies" => &[
                "type",
                "terminal",
                "header",
                "cookie",
                "connection",
                "queryParameter",
                "filterState",
            ],
            "cookie" => &["name", "ttl", "path"],
            _ => &[],
        }
    }

    /// `value`, held under `field` (`loadBalancer` or `hashPolicies`), in Go's order at every
    /// depth.
    pub(crate) struct Ordered<'a>(pub(crate) &'a str, pub(crate) &'a Value);

    impl Serialize for Ordered<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self.1 {
                Value::Array(items) => {
                    let mut out = serializer.serialize_seq(Some(items.len()))?;
                    for item in items {
                        out.serialize_element(&Ordered(self.0, item))?;
                    }
                    out.end()
                }
                Value::Object(map) => {
                    let order = fields_of(self.0);
                    let mut out = serializer.serialize_map(Some(map.len()))?;
                    let known = order.iter().filter_map(|k| map.get_key_value(*k));
                    let rest = map.iter().filter(|(k, _)| !order.contains(&k.as_str()));
                    for (key, value) in known.chain(rest) {
                        // A cookie's `ttl` is a Kubernetes `Duration`: Kuma prints it as Go's
                        // `Duration.String()` (`90s` is `1m30s`).
                        let ttl = (self.0 == "cookie" && key == "ttl")
                            .then(|| crate::text::go_duration::parse(value.as_str()?))
                            .flatten();
                        match ttl {
                            Some(ttl) => {
                                out.serialize_entry(key, &crate::text::go_duration::format(ttl))?
                            }
                            None => out.serialize_entry(key, &Ordered(key, value))?,
                        }
                    }
                    out.end()
                }
                other => other.serialize(serializer),
            }
        }
    }
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
mod tests {
    use super::*;

    /// Kuma's REST API writes `loadBalancer` and `hashPolicies` in its Go structs' field order
    /// (`type` first, `choiceCount` before `activeRequestBias`, a cookie's `name`, `ttl`, `path`),
    /// not in a JSON map's sorted order.
    #[test]
    fn the_json_kept_fields_are_written_in_gos_field_order() {
        let conf: MlbsConf = serde_json::from_value(serde_json::json!({
            "loadBalancer": {
                "type": "RingHash",
                "ringHash": {"minRingSize": 64, "hashFunction": "MurmurHash2", "maxRingSize": 1024,
                             "hashPolicies": [{"type": "Header", "header": {"name": "x"}, "terminal": true}]},
                "leastRequest": {"activeRequestBias": "1.5", "choiceCount": 3}
            },
            "hashPolicies": [{"type": "Cookie", "cookie": {"ttl": "90s", "path": "/", "name": "c"}, "terminal": false}]
        }))
        .unwrap();
        let text = format!(
            "{{\"loadBalancer\":{},\"hashPolicies\":{}}}",
            serde_json::to_string(&go_order::Ordered(
                "loadBalancer",
                conf.load_balancer.as_ref().unwrap()
            ))
            .unwrap(),
            serde_json::to_string(&go_order::Ordered(
                "hashPolicies",
                conf.hash_policies.as_ref().unwrap()
            ))
            .unwrap()
        );
        assert_eq!(
            text,
            r#"{"loadBalancer":{"type":"RingHash","leastRequest":{"choiceCount":3,"activeRequestBias":"1.5"},"ringHash":{"hashFunction":"MurmurHash2","minRingSize":64,"maxRingSize":1024,"hashPolicies":[{"type":"Header","terminal":true,"header":{"name":"x"}}]}},"hashPolicies":[{"type":"Cookie","terminal":false,"cookie":{"name":"c","ttl":"1m30s","path":"/"}}]}"#
        );
    }
}
