//! MeshLoadBalancingStrategy, after upstream
//! `pkg/plugins/policies/meshloadbalancingstrategy/api/v1alpha1/validator.go` and
//! `mesh.ValidateTargetRef` (commit 348b6528): the rules that matter when a policy targets an MZS.
//!
//! Not checked here (upstream does): `loadBalancer.leastRequest.activeRequestBias`.
//! 2.x: a `to[].targetRef` may name the destination with `name`/`namespace` instead of labels.

use super::{messages, FieldPath};
use crate::diagnostics::Violation;
use crate::model::{
    CrossZone, KumaVersion, LocalZone, MeshLoadBalancingStrategySpec, MlbsConf, TargetRef,
};

const TOP_KINDS: &[&str] = &["Mesh", "Dataplane"];
const TO_KINDS: &[&str] = &[
    "Mesh",
    "MeshService",
    "MeshExternalService",
    "MeshMultiZoneService",
    "MeshHTTPRoute",
];

/// Kuma's MeshLoadBalancingStrategy validator.
pub fn mesh_load_balancing_strategy(
    spec: &MeshLoadBalancingStrategySpec,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let spec_path = FieldPath::root("spec");
    if let Some(top) = &spec.target_ref {
        target_ref(
            &spec_path.field("targetRef"),
            top,
            TOP_KINDS,
            version,
            &mut out,
        );
    }
    for (i, to) in spec.to.iter().enumerate() {
        let path = spec_path.field("to").index(i);
        target_ref(
            &path.field("targetRef"),
            &to.target_ref,
            TO_KINDS,
            version,
            &mut out,
        );
        conf(
            &path.field("default"),
            &to.default,
            &to.target_ref,
            &mut out,
        );
    }
    out
}

fn target_ref(
    path: &FieldPath,
    r: &TargetRef,
    kinds: &[&str],
    version: KumaVersion,
    out: &mut Vec<Violation>,
) {
    if r.kind.is_empty() {
        out.push(path.field("kind").violation(messages::MUST_BE_DEFINED));
        return;
    }
    if !kinds.contains(&r.kind.as_str()) {
        out.push(
            path.field("kind")
                .violation(format!("value '{}' is not supported", r.kind)),
        );
        return;
    }
    let labels_set = r.labels.as_ref().is_some_and(|l| !l.is_empty());
    let section_set = r.section_name.as_deref().is_some_and(|s| !s.is_empty());
    let disallowed = |out: &mut Vec<Violation>, name: &str, set: bool| {
        if set {
            out.push(path.field(name).violation(format!(
                "{} with kind {}",
                messages::MUST_NOT_BE_SET,
                r.kind
            )));
        }
    };
    let required = |out: &mut Vec<Violation>| {
        // 2.x also accepted a destination named by `name` (+ `namespace`).
        let named = version == KumaVersion::V2 && r.name.as_deref().is_some_and(|n| !n.is_empty());
        if !labels_set && !named {
            out.push(path.field("labels").violation(format!(
                "{} when kind is {}",
                messages::MUST_BE_SET,
                r.kind
            )));
        }
    };
    match r.kind.as_str() {
        "Mesh" => {
            disallowed(out, "labels", labels_set);
            disallowed(out, "sectionName", section_set);
        }
        "Dataplane" if section_set => {
            out.push(
                path.field("sectionName")
                    .violation("can only be used with inbound policies"),
            );
        }
        "MeshService" | "MeshMultiZoneService" => required(out),
        "MeshHTTPRoute" | "MeshExternalService" => {
            disallowed(out, "sectionName", section_set);
            required(out);
        }
        _ => {}
    }
}

fn conf(path: &FieldPath, conf: &MlbsConf, to: &TargetRef, out: &mut Vec<Violation>) {
    if to.kind == "MeshHTTPRoute" {
        hash_policies(
            &path.field("hashPolicies"),
            conf.hash_policies.as_ref(),
            out,
        );
        let msg = "field is not allowed when targetRef.kind is MeshHTTPRoute, only hashPolicies is supported";
        if conf.load_balancer.is_some() {
            out.push(path.field("loadBalancer").violation(msg));
        }
        if conf.locality_awareness.is_some() {
            out.push(path.field("localityAwareness").violation(msg));
        }
        return;
    }
    if let Some(la) = &conf.locality_awareness {
        let la_path = path.field("localityAwareness");
        if let Some(lz) = &la.local_zone {
            local_zone(&la_path.field("localZone"), lz, out);
        }
        if let Some(cz) = &la.cross_zone {
            cross_zone(&la_path.field("crossZone"), cz, to, out);
        }
    }
    hash_policies(
        &path.field("hashPolicies"),
        conf.hash_policies.as_ref(),
        out,
    );
}

fn local_zone(path: &FieldPath, lz: &LocalZone, out: &mut Vec<Violation>) {
    let mut weighted = 0;
    for (i, tag) in lz.affinity_tags.iter().enumerate() {
        let p = path.field("affinityTags").index(i);
        if tag.key.is_empty() {
            out.push(p.field("key").violation(messages::MUST_NOT_BE_EMPTY));
        }
        if let Some(w) = tag.weight {
            if w == 0 {
                out.push(
                    p.field("weight")
                        .violation(messages::HAS_TO_BE_GREATER_THAN_ZERO),
                );
            }
            weighted += 1;
        }
    }
    if weighted > 0 && weighted != lz.affinity_tags.len() {
        out.push(
            path.field("affinityTags")
                .violation("all or none affinity tags should have weight"),
        );
    }
}

fn cross_zone(path: &FieldPath, cz: &CrossZone, to: &TargetRef, out: &mut Vec<Violation>) {
    if to.kind == "MeshService"
        && (to.section_name.as_deref().is_some_and(|s| !s.is_empty())
            || to.labels.as_ref().is_some_and(|l| !l.is_empty()))
    {
        out.push(path.violation(format!(
            "{}: MeshService traffic is local",
            messages::MUST_NOT_BE_SET
        )));
    }
    for (i, failover) in cz.failover.iter().enumerate() {
        let p = path.field("failover").index(i);
        if let Some(from) = &failover.from {
            let zones = p.field("from").field("zones");
            if from.zones.is_empty() {
                out.push(zones.violation(messages::MUST_NOT_BE_EMPTY));
            }
            for (z, zone) in from.zones.iter().enumerate() {
                if zone.is_empty() {
                    out.push(zones.index(z).violation(messages::MUST_NOT_BE_EMPTY));
                }
            }
        }
        let to_zones = p.field("to").field("zones");
        let t = failover.to.failover_type.as_str();
        let has_zones = failover.to.zones.as_ref().is_some_and(|z| !z.is_empty());
        match t {
            "Any" | "None" => {
                if has_zones {
                    out.push(to_zones.violation(format!("must be empty when type is {t}")));
                }
            }
            "AnyExcept" | "Only" => {
                if !has_zones {
                    out.push(to_zones.violation(format!("must not be empty when type is {t}")));
                }
            }
            _ => out.push(
                p.field("to")
                    .field("type")
                    .violation(messages::UNRECOGNIZED_TYPE),
            ),
        }
    }
    if let Some(threshold) = &cz.failover_threshold {
        let p = path.field("failoverThreshold").field("percentage");
        if let Some(message) = percentage_problem(&threshold.percentage) {
            out.push(p.violation(message));
        }
    }
}

/// `validators.ValidatePercentage(path, p, allow0=false)`.
fn percentage_problem(p: &serde_json::Value) -> Option<&'static str> {
    let value = match p {
        serde_json::Value::Null => return Some(messages::MUST_BE_DEFINED),
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => {
            let looks_numeric = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
            if looks_numeric {
                s.parse::<f64>().ok()
            } else {
                None
            }
        }
        _ => None,
    };
    let Some(value) = value else {
        return Some(messages::STRING_HAS_TO_BE_VALID_NUMBER);
    };
    if !(0.0..=100.0).contains(&value) {
        return Some(messages::HAS_TO_BE_IN_PERCENTAGE_RANGE);
    }
    if value == 0.0 {
        return Some(messages::HAS_TO_BE_GREATER_THAN_ZERO);
    }
    None
}

fn hash_policies(path: &FieldPath, policies: Option<&serde_json::Value>, out: &mut Vec<Violation>) {
    let Some(items) = policies.and_then(|p| p.as_array()) else {
        return;
    };
    for (i, policy) in items.iter().enumerate() {
        let p = path.index(i);
        let has = |k: &str| policy.get(k).is_some_and(|v| !v.is_null());
        let t = policy.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let required = match t {
            "Header" => "header",
            "Cookie" => "cookie",
            "QueryParameter" => "queryParameter",
            "FilterState" => "filterState",
            "Connection" => "connection",
            _ => {
                out.push(p.field("type").violation(messages::UNRECOGNIZED_TYPE));
                continue;
            }
        };
        if !has(required) {
            out.push(p.field(required).violation(messages::MUST_BE_DEFINED));
            continue;
        }
        if t == "Cookie" {
            let path_value = policy
                .get("cookie")
                .and_then(|c| c.get("path"))
                .and_then(|p| p.as_str());
            if path_value.is_some_and(|v| !v.starts_with('/')) {
                out.push(
                    p.field("cookie")
                        .field("path")
                        .violation("must be an absolute path"),
                );
            }
        }
    }
}
