//! Load balancing: how a client in one zone splits an MZS port's traffic across zones.
//!
//! # Endpoints (Kuma, `pkg/xds/topology/outbound.go`)
//!
//! The MZS cluster's endpoints are those of the matched MeshServices of the MZS's mesh that serve
//! the port (see [`crate::status::ports`]). Local MeshServices always count but only have endpoints
//! when they are `Available`; remote MeshServices are skipped unless `Available`. The preview
//! models **one endpoint per (MeshService, zone)**, weight 1: a remote zone is reached through its
//! zone proxy (one address), and a local MeshService's pods are one group. Every endpoint of a zone
//! has the zone's health fraction (1 unless the zone is taken down, see
//! [`crate::status::preview::PreviewOptions::down_zones`] and `zone_health`).
//!
//! # Priorities (Kuma's MeshLoadBalancingStrategy plugin, §8.3 and §8.5 of the reference)
//!
//! - No policy, or a policy without `localZone`/`crossZone`: the local zone at priority 0, every
//!   remote zone at priority 1; Envoy's default overprovisioning factor 140.
//! - `localityAwareness.disabled: true`: every endpoint at priority 0 (spread per endpoint);
//!   factor 140. `disabled` wins over `localZone`/`crossZone` here.
//! - `localZone` and/or `crossZone` ("groups"): the local zone at priority 0; a remote zone gets
//!   priority `i + 1` for the first failover rule `i` (rules whose `from.zones` does not list the
//!   client's zone are skipped) that accepts it: `Any` always, `AnyExcept` when not listed, `Only`
//!   when listed, `None` never (and the walk goes on). A remote zone no rule accepts is
//!   **dropped**; with `localZone` but no `crossZone` every remote zone is dropped. Factor: 200, or
//!   with `failoverThreshold.percentage` P: `uint32(100 / P) * 100` (Go truncation: P in (50, 100]
//!   gives 100, (33.3, 50] gives 200). Affinity tags only split the local zone into sub-zones, so
//!   they do not change per-zone shares.
//!
//! # Envoy's priority load (the `LoadBalancerBase` math, integer percentages as Envoy computes)
//!
//! For each priority p with total weight `T_p` and healthy weight `H_p`:
//! `health_p = min(100, floor(factor * H_p / T_p))`. `total = min(100, Σ health_p)`.
//! If `total == 0` nothing is healthy: Envoy "total panic"-routes to unhealthy hosts and every
//! request fails, so the preview reports **no shares**. Otherwise the load cascades:
//! `load_p = min(remaining, floor(health_p * 100 / total))`, `remaining -= load_p`, and what
//! rounding leaves goes to the first priority with health > 0.
//! Inside a priority, traffic goes to healthy endpoints by weight, except when that priority is in
//! **panic** (Envoy's default healthy panic threshold 50%: `total < 100` and fewer than 50% of its
//! endpoints healthy), when it goes to all of its endpoints, healthy or not; the part of the
//! traffic sent to unhealthy endpoints is reported as `failingShare`.
//! A zone's share is `Σ_p load_p / 100 × (zone's weight in p / weight in p)`; shares sum to 1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Labels, MeshLoadBalancingStrategySpec, MlbsConf};
use crate::status::selector;

/// Envoy's default overprovisioning factor (percent).
pub(crate) const ENVOY_DEFAULT_OVERPROVISIONING: u32 = 140;
/// Kuma's overprovisioning factor when endpoints are regrouped (`localZone`/`crossZone`).
pub(crate) const KUMA_GROUPS_OVERPROVISIONING: u32 = 200;
/// Envoy's default healthy panic threshold (percent).
pub(crate) const ENVOY_PANIC_THRESHOLD: f64 = 50.0;

/// The endpoints one zone contributes to an MZS port.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ZoneEndpoints {
    /// The zone.
    pub zone: String,
    /// Number of endpoints (one per serving MeshService).
    pub endpoints: u32,
    /// Fraction of them that is healthy, in `0..=1`.
    pub healthy: f64,
}

/// How specific the policy rule that applied is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleLevel {
    /// A `to` entry with `kind: Mesh`.
    Mesh,
    /// A `to` entry targeting the MZS without `sectionName`.
    Service,
    /// A `to` entry targeting the MZS with this port's `sectionName`.
    Section,
}

/// The MeshLoadBalancingStrategy configuration chosen for one MZS port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedPolicy {
    /// The policies whose `to` entries were merged (in merge order).
    pub policies: Vec<String>,
    /// The rule level used.
    pub level: RuleLevel,
    /// The merged configuration.
    pub conf: MlbsConf,
}

/// What the MZS looks like to MeshLoadBalancingStrategy `to` targetRefs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MzsTarget<'a> {
    /// Mesh.
    pub mesh: &'a str,
    /// Store name.
    pub name: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Namespace (`k8s.kuma.io/namespace`), or empty.
    pub namespace: &'a str,
    /// Labels.
    pub labels: &'a Labels,
}

/// Find the configuration for `(target, port section)`: Kuma's rule lookup is the exact KRI with
/// section, then without section, then Mesh-level rules; the first level with any entry wins.
/// Inside a level, entries of all policies (by policy name, then entry order) are merged, later
/// fields overriding earlier ones. Only policies of the MZS's mesh with a top-level `targetRef`
/// of kind `Mesh` (or none) apply: a preview has no data plane proxies to select.
pub(crate) fn select_policy<'p>(
    policies: impl IntoIterator<Item = (&'p str, &'p str, &'p MeshLoadBalancingStrategySpec)>,
    target: MzsTarget<'_>,
    section_name: &str,
    port: i32,
) -> Option<AppliedPolicy> {
    let mut sorted: Vec<(&str, &MeshLoadBalancingStrategySpec)> = policies
        .into_iter()
        .filter(|(mesh, _, spec)| {
            *mesh == target.mesh && spec.target_ref.as_ref().is_none_or(|t| t.kind == "Mesh")
        })
        .map(|(_, name, spec)| (name, spec))
        .collect();
    crate::text::sort::sort_by(&mut sorted, |a, b| a.0.cmp(b.0));

    let mut best: Option<(RuleLevel, Vec<String>, MlbsConf)> = None;
    for (name, spec) in sorted {
        for to in &spec.to {
            let Some(level) = to_level(to, target, section_name, port) else {
                continue;
            };
            match &mut best {
                Some((best_level, _, _)) if *best_level > level => {}
                Some((best_level, names, conf)) if *best_level == level => {
                    merge(conf, &to.default);
                    if names.last().map(String::as_str) != Some(name) {
                        names.push(name.to_owned());
                    }
                }
                _ => best = Some((level, vec![name.to_owned()], to.default.clone())),
            }
        }
    }
    best.map(|(level, policies, conf)| AppliedPolicy {
        policies,
        level,
        conf,
    })
}

fn to_level(
    to: &crate::model::MlbsTo,
    target: MzsTarget<'_>,
    section_name: &str,
    port: i32,
) -> Option<RuleLevel> {
    let r = &to.target_ref;
    match r.kind.as_str() {
        "Mesh" => Some(RuleLevel::Mesh),
        "MeshMultiZoneService" => {
            let by_labels = r
                .labels
                .as_ref()
                .map(|l| selector::matches(l, target.labels));
            let by_name = r.name.as_ref().map(|n| {
                (n == target.display_name || n == target.name)
                    && r.namespace
                        .as_ref()
                        .is_none_or(|ns| ns.is_empty() || ns == target.namespace)
            });
            let selected = match (by_labels, by_name) {
                (None, None) => false,
                (l, n) => l.unwrap_or(true) && n.unwrap_or(true),
            };
            if !selected {
                return None;
            }
            match &r.section_name {
                None => Some(RuleLevel::Service),
                Some(s) if s == section_name || *s == port.to_string() => Some(RuleLevel::Section),
                Some(_) => None,
            }
        }
        _ => None,
    }
}

fn merge(into: &mut MlbsConf, from: &MlbsConf) {
    if let Some(la) = &from.locality_awareness {
        let target = into.locality_awareness.get_or_insert_with(Default::default);
        if la.disabled.is_some() {
            target.disabled = la.disabled;
        }
        if la.local_zone.is_some() {
            target.local_zone = la.local_zone.clone();
        }
        if la.cross_zone.is_some() {
            target.cross_zone = la.cross_zone.clone();
        }
    }
    if from.load_balancer.is_some() {
        into.load_balancer = from.load_balancer.clone();
    }
    if from.hash_policies.is_some() {
        into.hash_policies = from.hash_policies.clone();
    }
}

/// One Envoy priority level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriorityLevel {
    /// Priority (0 is tried first).
    pub priority: u32,
    /// Zones at this priority.
    pub zones: Vec<String>,
    /// Envoy's health of the level (percent, after the overprovisioning factor, capped at 100).
    pub health: u32,
    /// Share of the traffic the level receives (percent).
    pub load: u32,
    /// Whether the level is in panic (traffic also goes to unhealthy endpoints).
    pub panic: bool,
}

/// The traffic split for one MZS port, for a client in one zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortTraffic {
    /// MZS port number.
    pub port: i32,
    /// MZS port section name.
    pub section_name: String,
    /// Fraction of requests per zone; sums to 1, empty when nothing is reachable.
    pub shares: BTreeMap<String, f64>,
    /// Priority levels, lowest first.
    pub priorities: Vec<PriorityLevel>,
    /// Overprovisioning factor used (percent).
    pub overprovisioning_factor: u32,
    /// Zones that had endpoints but were dropped by failover rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_zones: Vec<String>,
    /// Fraction of requests that go to unhealthy endpoints (Envoy panic routing) and fail.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failing_share: f64,
    /// The MeshLoadBalancingStrategy rule that applied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<AppliedPolicy>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// The computed split (without port identity).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Split {
    /// Fraction per zone.
    pub shares: BTreeMap<String, f64>,
    /// Priority levels.
    pub priorities: Vec<PriorityLevel>,
    /// Overprovisioning factor (percent).
    pub overprovisioning_factor: u32,
    /// Dropped zones.
    pub dropped_zones: Vec<String>,
    /// Fraction sent to unhealthy endpoints.
    pub failing_share: f64,
}

/// The overprovisioning factor for a failover threshold percentage: `uint32(100 / P) * 100`.
/// A non-positive or non-numeric percentage (Kuma's validator rejects those) gives Kuma's default.
pub(crate) fn overprovisioning_for_threshold(percentage: &serde_json::Value) -> u32 {
    let p = match percentage {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match p {
        Some(p) if p.is_finite() && p > 0.0 => {
            let ratio = (100.0 / p).trunc();
            // Go's uint32 conversion of a float truncates; clamp to stay defined.
            let ratio = ratio.clamp(0.0, f64::from(u32::MAX / 100));
            (ratio as u32) * 100
        }
        _ => KUMA_GROUPS_OVERPROVISIONING,
    }
}

/// Compute the split of one port's traffic for a client in `client_zone`.
pub(crate) fn split(
    client_zone: &str,
    endpoints: &[ZoneEndpoints],
    conf: Option<&MlbsConf>,
) -> Split {
    let la = conf.and_then(|c| c.locality_awareness.as_ref());
    let disabled = la.and_then(|l| l.disabled).unwrap_or(false);
    let groups = !disabled && la.is_some_and(|l| l.local_zone.is_some() || l.cross_zone.is_some());

    let mut factor = ENVOY_DEFAULT_OVERPROVISIONING;
    // (priority, zone) in input order; grouped by priority below (a stable sort keeps the input
    // order within a priority, as a map of lists would, without a map type's code size).
    let mut prioritized: Vec<(u32, &ZoneEndpoints)> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    for ep in endpoints.iter().filter(|e| e.endpoints > 0) {
        let priority = if disabled || ep.zone == client_zone {
            Some(0)
        } else if !groups {
            Some(1)
        } else {
            la.and_then(|l| l.cross_zone.as_ref())
                .and_then(|cz| failover_priority(client_zone, &ep.zone, cz))
        };
        match priority {
            Some(p) => prioritized.push((p, ep)),
            None => dropped.push(ep.zone.clone()),
        }
    }
    if groups {
        factor = la
            .and_then(|l| l.cross_zone.as_ref())
            .and_then(|cz| cz.failover_threshold.as_ref())
            .map(|t| overprovisioning_for_threshold(&t.percentage))
            .unwrap_or(KUMA_GROUPS_OVERPROVISIONING);
    }

    // Envoy's per-priority health.
    struct Level<'a> {
        priority: u32,
        zones: Vec<&'a ZoneEndpoints>,
        total: f64,
        healthy: f64,
        health: u32,
    }
    crate::text::sort::sort_by_key(&mut prioritized, |&(priority, _)| priority);
    let mut levels: Vec<Level<'_>> = Vec::new();
    for (priority, zone) in prioritized {
        match levels.last_mut() {
            Some(level) if level.priority == priority => level.zones.push(zone),
            _ => levels.push(Level {
                priority,
                zones: vec![zone],
                total: 0.0,
                healthy: 0.0,
                health: 0,
            }),
        }
    }
    for level in &mut levels {
        let zones = &level.zones;
        let total: f64 = zones.iter().map(|z| f64::from(z.endpoints)).sum();
        let healthy: f64 = zones
            .iter()
            .map(|z| f64::from(z.endpoints) * z.healthy.clamp(0.0, 1.0))
            .sum();
        level.health = if total > 0.0 {
            (f64::from(factor) * healthy / total).floor().min(100.0) as u32
        } else {
            0
        };
        level.total = total;
        level.healthy = healthy;
    }
    crate::text::sort::sort(&mut dropped);
    dropped.dedup();

    let total_health = levels.iter().map(|l| l.health).sum::<u32>().min(100);
    let mut out = Split {
        overprovisioning_factor: factor,
        dropped_zones: dropped,
        ..Split::default()
    };
    let mut loads = vec![0u32; levels.len()];
    if let Some(total) = std::num::NonZeroU32::new(total_health) {
        let mut remaining = 100u32;
        for (i, level) in levels.iter().enumerate() {
            let load = remaining.min(level.health * 100 / total);
            loads[i] = load;
            remaining -= load;
        }
        if let Some(first) = levels.iter().position(|l| l.health > 0) {
            loads[first] += remaining;
        }
    }
    for (level, &load) in levels.iter_mut().zip(&loads) {
        let healthy_percent = if level.total > 0.0 {
            100.0 * level.healthy / level.total
        } else {
            0.0
        };
        let panic =
            total_health > 0 && total_health < 100 && healthy_percent < ENVOY_PANIC_THRESHOLD;
        if load > 0 {
            let fraction = f64::from(load) / 100.0;
            let denominator = if panic { level.total } else { level.healthy };
            for z in &level.zones {
                let weight = if panic {
                    f64::from(z.endpoints)
                } else {
                    f64::from(z.endpoints) * z.healthy.clamp(0.0, 1.0)
                };
                if weight > 0.0 && denominator > 0.0 {
                    *out.shares.entry(z.zone.clone()).or_insert(0.0) +=
                        fraction * weight / denominator;
                    if panic {
                        let unhealthy = f64::from(z.endpoints) * (1.0 - z.healthy.clamp(0.0, 1.0));
                        out.failing_share += fraction * unhealthy / denominator;
                    }
                }
            }
        }
        let mut zones: Vec<String> = level.zones.iter().map(|z| z.zone.clone()).collect();
        crate::text::sort::sort(&mut zones);
        zones.dedup();
        out.priorities.push(PriorityLevel {
            priority: level.priority,
            zones,
            health: level.health,
            load,
            panic,
        });
    }
    out
}

/// The priority a remote zone gets from the failover rules, or `None` when it is dropped.
fn failover_priority(
    client_zone: &str,
    zone: &str,
    cross_zone: &crate::model::CrossZone,
) -> Option<u32> {
    for (i, rule) in cross_zone.failover.iter().enumerate() {
        if let Some(from) = &rule.from {
            if !from.zones.iter().any(|z| z == client_zone) {
                continue;
            }
        }
        let listed = rule
            .to
            .zones
            .as_ref()
            .is_some_and(|zones| zones.iter().any(|z| z == zone));
        let accepts = match rule.to.failover_type.as_str() {
            "Any" => true,
            "AnyExcept" => !listed,
            "Only" => listed,
            _ => false,
        };
        if accepts {
            return u32::try_from(i + 1).ok();
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{
        CrossZone, Failover, FailoverThreshold, FailoverTo, LocalZone, LocalityAwareness,
    };

    fn ep(zone: &str, healthy: f64) -> ZoneEndpoints {
        ZoneEndpoints {
            zone: zone.to_owned(),
            endpoints: 1,
            healthy,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn share(s: &Split, zone: &str) -> f64 {
        s.shares.get(zone).copied().unwrap_or(0.0)
    }

    fn failover(rules: Vec<Failover>, threshold: Option<&str>) -> MlbsConf {
        MlbsConf {
            locality_awareness: Some(LocalityAwareness {
                disabled: None,
                local_zone: None,
                cross_zone: Some(CrossZone {
                    failover: rules,
                    failover_threshold: threshold.map(|t| FailoverThreshold {
                        percentage: serde_json::Value::String(t.to_owned()),
                    }),
                }),
            }),
            ..MlbsConf::default()
        }
    }

    fn to(kind: &str, zones: Option<&[&str]>) -> Failover {
        Failover {
            from: None,
            to: FailoverTo {
                failover_type: kind.to_owned(),
                zones: zones.map(|z| z.iter().map(|s| (*s).to_owned()).collect()),
            },
        }
    }

    #[test]
    fn redis_in_east_and_west_default_prefers_local() {
        // Kuma docs: redis MZS over redis in east and west; a client in east stays local.
        let eps = [ep("east", 1.0), ep("west", 1.0)];
        let s = split("east", &eps, None);
        assert!(close(share(&s, "east"), 1.0));
        assert_eq!(s.overprovisioning_factor, 140);
        // A client in a third zone spreads equally per zone.
        let s = split("central", &eps, None);
        assert!(close(share(&s, "east"), 0.5));
        assert!(close(share(&s, "west"), 0.5));
    }

    #[test]
    fn local_zone_down_fails_over_to_remote() {
        let eps = [ep("east", 0.0), ep("west", 1.0)];
        let s = split("east", &eps, None);
        assert!(close(share(&s, "west"), 1.0));
        assert!(close(s.failing_share, 0.0));
    }

    #[test]
    fn nothing_healthy_means_no_shares() {
        let s = split("east", &[ep("west", 0.0)], None);
        assert!(s.shares.is_empty());
        let s = split("east", &[], None);
        assert!(s.shares.is_empty());
        assert!(s.priorities.is_empty());
    }

    #[test]
    fn partial_health_spills_over_with_envoy_math() {
        // Local at 50% health: 140 * 0.5 = 70 -> P0 gets 70%, P1 30%.
        let eps = [
            ZoneEndpoints {
                zone: "east".into(),
                endpoints: 2,
                healthy: 0.5,
            },
            ep("west", 1.0),
        ];
        let s = split("east", &eps, None);
        assert!(close(share(&s, "east"), 0.7));
        assert!(close(share(&s, "west"), 0.3));
    }

    #[test]
    fn panic_spreads_over_unhealthy_endpoints() {
        // One priority, 1 of 3 zones healthy: health = 140/3 = 46 < 100, 33% healthy < 50% -> panic.
        let eps = [ep("a", 1.0), ep("b", 0.0), ep("c", 0.0)];
        let s = split("client", &eps, None);
        assert!(close(share(&s, "a"), 1.0 / 3.0));
        assert!(close(share(&s, "b"), 1.0 / 3.0));
        assert!(close(s.failing_share, 2.0 / 3.0));
        assert!(s.priorities[0].panic);
    }

    #[test]
    fn e2e_failover_only_then_any_with_threshold_100() {
        // Kuma e2e: [{to: Only [kuma-1]}, {to: Any}], threshold 100: a client in kuma-2 (no local
        // instance) sends only to kuma-1 while it is healthy.
        let conf = failover(
            vec![to("Only", Some(&["kuma-1"])), to("Any", None)],
            Some("100"),
        );
        let eps = [ep("kuma-1", 1.0), ep("kuma-3", 1.0), ep("kuma-4", 1.0)];
        let s = split("kuma-2", &eps, Some(&conf));
        assert_eq!(s.overprovisioning_factor, 100);
        assert!(close(share(&s, "kuma-1"), 1.0));
        assert_eq!(s.priorities[0].priority, 1);
        assert_eq!(s.priorities[1].zones, vec!["kuma-3", "kuma-4"]);
        // kuma-1 goes down: everything to the Any level.
        let eps = [ep("kuma-1", 0.0), ep("kuma-3", 1.0), ep("kuma-4", 1.0)];
        let s = split("kuma-2", &eps, Some(&conf));
        assert!(close(share(&s, "kuma-3"), 0.5));
        assert!(close(share(&s, "kuma-4"), 0.5));
        assert!(close(share(&s, "kuma-1"), 0.0));
    }

    #[test]
    fn disabled_spreads_per_endpoint_including_local() {
        let conf = MlbsConf {
            locality_awareness: Some(LocalityAwareness {
                disabled: Some(true),
                ..LocalityAwareness::default()
            }),
            ..MlbsConf::default()
        };
        let eps = [ep("kuma-1", 1.0), ep("kuma-2", 1.0), ep("kuma-3", 1.0)];
        let s = split("kuma-1", &eps, Some(&conf));
        for z in ["kuma-1", "kuma-2", "kuma-3"] {
            assert!(close(share(&s, z), 1.0 / 3.0));
        }
        assert_eq!(s.priorities.len(), 1);
    }

    #[test]
    fn local_zone_without_cross_zone_drops_remote() {
        let conf = MlbsConf {
            locality_awareness: Some(LocalityAwareness {
                local_zone: Some(LocalZone::default()),
                ..LocalityAwareness::default()
            }),
            ..MlbsConf::default()
        };
        let eps = [ep("east", 0.0), ep("west", 1.0)];
        let s = split("east", &eps, Some(&conf));
        assert_eq!(s.dropped_zones, vec!["west"]);
        assert!(s.shares.is_empty());
        assert_eq!(s.overprovisioning_factor, 200);
    }

    #[test]
    fn failover_from_none_and_any_except() {
        let mut from_west = to("Only", Some(&["c"]));
        from_west.from = Some(crate::model::FromZones {
            zones: vec!["west".into()],
        });
        let conf = failover(
            vec![from_west, to("None", None), to("AnyExcept", Some(&["b"]))],
            None,
        );
        let eps = [ep("b", 1.0), ep("c", 1.0)];
        // From east: the `from: west` rule is skipped, None never matches, AnyExcept b -> c at 3.
        let s = split("east", &eps, Some(&conf));
        assert_eq!(s.dropped_zones, vec!["b"]);
        assert_eq!(s.priorities[0].priority, 3);
        assert!(close(share(&s, "c"), 1.0));
        // From west: c at priority 1.
        let s = split("west", &eps, Some(&conf));
        assert_eq!(s.priorities[0].priority, 1);
    }

    #[test]
    fn threshold_to_factor_truncates_like_go() {
        let f = |s: &str| overprovisioning_for_threshold(&serde_json::Value::String(s.into()));
        assert_eq!(f("100"), 100);
        assert_eq!(f("99.9"), 100);
        assert_eq!(f("50"), 200);
        assert_eq!(f("30"), 300);
        assert_eq!(f("0"), 200);
        assert_eq!(overprovisioning_for_threshold(&serde_json::json!(25)), 400);
    }

    #[test]
    fn threshold_lets_local_keep_traffic_until_it_drops_below() {
        // Threshold 50 -> factor 200: local at 50% health still takes everything.
        let conf = failover(vec![to("Any", None)], Some("50"));
        let eps = [
            ZoneEndpoints {
                zone: "east".into(),
                endpoints: 2,
                healthy: 0.5,
            },
            ep("west", 1.0),
        ];
        let s = split("east", &eps, Some(&conf));
        assert!(close(share(&s, "east"), 1.0));
    }
}
