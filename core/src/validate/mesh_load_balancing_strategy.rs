//! MeshLoadBalancingStrategy, after upstream
//! `pkg/plugins/policies/meshloadbalancingstrategy/api/v1alpha1/{validator,deprecated}.go` and
//! `mesh.ValidateTargetRef`, per release: 3.0 from the main line (commit 348b6528), 2.x from the
//! tags v2.9.13, v2.10.11, v2.11.18, v2.12.14, v2.13.10 and v2.14.3.
//!
//! What changes between releases (each rule below says where it starts or ends):
//! - top-level kinds: 2.9 `Mesh, MeshSubset, MeshGateway, MeshService, MeshServiceSubset`; 2.10 to
//!   2.14 add `Dataplane`; 3.0 keeps `Mesh, Dataplane` only;
//! - `to` kinds: `Mesh, MeshService, MeshMultiZoneService`, `MeshHTTPRoute` from 2.12, and only
//!   3.0 takes `MeshExternalService`; under a `MeshGateway` with a `loadBalancer` only `Mesh`;
//! - 2.9 to 2.13 require a non-empty `to`;
//! - 2.x targetRefs name things (`name`, `namespace`, `tags`, `mesh`, `proxyTypes` rules); 3.0
//!   targetRefs have `kind`, `labels` and `sectionName` only;
//! - hash policies at the root of `default` from 2.12; nested `ringHash`/`maglev` hash policies
//!   are checked in 2.x (`SourceIP` deprecated from 2.10, the nested list itself from 2.13),
//!   gone in 3.0; `SourceIP` needs `connection` from 2.10 to 2.14; only 3.0 reports an unknown
//!   type.

use std::cmp::Ordering;

use super::{messages, FieldPath};
use crate::model::{
    CrossZone, KumaVersion, LocalZone, MeshLoadBalancingStrategySpec, MlbsConf, TargetRef,
};
use crate::text::diagnostics::Violation;

/// Kuma's MeshLoadBalancingStrategy validator.
pub fn mesh_load_balancing_strategy(
    spec: &MeshLoadBalancingStrategySpec,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let spec_path = FieldPath::root("spec");
    if let Some(top) = &spec.target_ref {
        let check = Check {
            kinds: top_kinds(version),
            kinds_error: None,
            gateway_listener_tags: true,
            version,
        };
        check.target_ref(&spec_path.field("targetRef"), top, &mut out);
    }
    if version <= KumaVersion::V2_13 && spec.to.is_empty() {
        out.push(spec_path.field("to").violation("needs at least one item"));
    }
    // 2.x: an absent top-level targetRef means the whole mesh.
    let top_kind = spec.target_ref.as_ref().map_or("Mesh", |t| t.kind.as_str());
    for (i, to) in spec.to.iter().enumerate() {
        let path = spec_path.field("to").index(i);
        let (kinds, kinds_error) = to_kinds(version, top_kind, to.default.load_balancer.is_some());
        let check = Check {
            kinds,
            kinds_error,
            gateway_listener_tags: false,
            version,
        };
        check.target_ref(&path.field("targetRef"), &to.target_ref, &mut out);
        if version.is_2x() && to.target_ref.kind == "MeshExternalService" && top_kind != "Mesh" {
            out.push(path.field("targetRef.kind").violation("kind MeshExternalService is only allowed with targetRef.kind: Mesh as it is configured on the Zone Egress and shared by all clients in the mesh"));
        }
        conf(
            &path.field("default"),
            &to.default,
            &to.target_ref,
            version,
            &mut out,
        );
    }
    out
}

/// Kuma's MeshLoadBalancingStrategy `Deprecations()`: warnings of a successful write.
pub(super) fn deprecations(
    spec: &MeshLoadBalancingStrategySpec,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if version >= KumaVersion::V2_10 && version.is_2x() {
        for (i, to) in spec.to.iter().enumerate() {
            nested_hash_policy_deprecations(
                i,
                to.default.load_balancer.as_ref(),
                version,
                &mut out,
            );
        }
    }
    if let Some(top) = &spec.target_ref {
        if let Some(message) = top_level_deprecation(&top.kind, version) {
            out.push(Violation::new("spec.targetRef.kind", message));
        }
    }
    out
}

fn nested_hash_policy_deprecations(
    i: usize,
    load_balancer: Option<&serde_json::Value>,
    version: KumaVersion,
    out: &mut Vec<Violation>,
) {
    let Some(lb) = load_balancer else {
        return;
    };
    let (key, name) = match lb.get("type").and_then(|t| t.as_str()) {
        Some("RingHash") => ("ringHash", "ringHash"),
        Some("Maglev") => ("maglev", "maglev"),
        _ => return,
    };
    let Some(policies) = lb
        .get(key)
        .and_then(|c| c.get("hashPolicies"))
        .filter(|p| !p.is_null())
    else {
        return;
    };
    let field = format!("spec.to[{i}].default.loadBalancer.{name}.hashPolicies");
    // 2.13 added the "use the root hashPolicies" warning (v2.13.0 to v2.14.3 deprecated.go:29,
    // :41); 2.10 to 2.12 warn about SourceIP only.
    if version >= KumaVersion::V2_13 {
        out.push(Violation::new(
            field.clone(),
            format!("configuration '{field}' is deprecated, use 'spec.to[{i}].default.hashPolicies' instead"),
        ));
    }
    for (j, policy) in policies.as_array().into_iter().flatten().enumerate() {
        if policy.get("type").and_then(|t| t.as_str()) == Some("SourceIP") {
            out.push(Violation::new(
                format!("{field}[{j}].type"),
                format!(
                    "SourceIP type for '{field}[{j}].type' is deprecated, use Connection instead"
                ),
            ));
        }
    }
}

/// `validators.TopLevelTargetRefDeprecations` of the release.
fn top_level_deprecation(kind: &str, version: KumaVersion) -> Option<String> {
    use KumaVersion as V;
    match (version, kind) {
        (V::V3_0, _) => None,
        (V::V2_9 | V::V2_10, "MeshService") => Some(
            "MeshService value for 'targetRef.kind' is deprecated, use MeshSubset with 'kuma.io/service' tag instead".to_owned(),
        ),
        (V::V2_10, "MeshSubset") => Some(
            "MeshSubset value for 'targetRef.kind' is deprecated, use Dataplane with labels instead".to_owned(),
        ),
        // 2.11 and 2.12 name MeshSubset whatever the kind was (fixed in 2.13).
        (V::V2_11 | V::V2_12, "MeshService" | "MeshServiceSubset" | "MeshSubset") => Some(
            "MeshSubset value for 'targetRef.kind' is deprecated, use Dataplane with labels instead".to_owned(),
        ),
        (V::V2_13 | V::V2_14, "MeshService" | "MeshServiceSubset" | "MeshSubset") => Some(format!(
            "{kind} value for 'targetRef.kind' is deprecated, use Dataplane with labels instead"
        )),
        (V::V2_13 | V::V2_14, "MeshHTTPRoute") => Some(
            "MeshHTTPRoute value for 'targetRef.kind' is deprecated, use MeshHTTPRoute in spec.to[].targetRef".to_owned(),
        ),
        _ => None,
    }
}

fn top_kinds(version: KumaVersion) -> &'static [&'static str] {
    match version {
        KumaVersion::V3_0 => &["Mesh", "Dataplane"],
        KumaVersion::V2_9 => &[
            "Mesh",
            "MeshSubset",
            "MeshGateway",
            "MeshService",
            "MeshServiceSubset",
        ],
        _ => &[
            "Mesh",
            "MeshSubset",
            "MeshGateway",
            "MeshService",
            "MeshServiceSubset",
            "Dataplane",
        ],
    }
}

fn to_kinds(
    version: KumaVersion,
    top_kind: &str,
    load_balancer_set: bool,
) -> (&'static [&'static str], Option<String>) {
    if !version.is_2x() {
        return (
            &[
                "Mesh",
                "MeshService",
                "MeshExternalService",
                "MeshMultiZoneService",
                "MeshHTTPRoute",
            ],
            None,
        );
    }
    if top_kind == "MeshGateway" {
        if load_balancer_set {
            let message = if version >= KumaVersion::V2_13 {
                format!("value '{top_kind}' is not supported, only Mesh is allowed if loadBalancer is set")
            } else {
                "value is not supported, only Mesh is allowed if loadBalancer is set".to_owned()
            };
            return (&["Mesh"], Some(message));
        }
        return (&["Mesh", "MeshService", "MeshMultiZoneService"], None);
    }
    if version >= KumaVersion::V2_12 {
        (
            &[
                "Mesh",
                "MeshService",
                "MeshMultiZoneService",
                "MeshHTTPRoute",
            ],
            None,
        )
    } else {
        (&["Mesh", "MeshService", "MeshMultiZoneService"], None)
    }
}

/// `mesh.ValidateTargetRef` with its options.
struct Check {
    kinds: &'static [&'static str],
    kinds_error: Option<String>,
    gateway_listener_tags: bool,
    version: KumaVersion,
}

fn is_set(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

fn is_set_map(m: &Option<crate::model::Labels>) -> bool {
    m.as_ref().is_some_and(|m| !m.is_empty())
}

impl Check {
    fn target_ref(&self, path: &FieldPath, r: &TargetRef, out: &mut Vec<Violation>) {
        if r.kind.is_empty() {
            out.push(path.field("kind").violation(messages::MUST_BE_DEFINED));
            return;
        }
        if !self.kinds.contains(&r.kind.as_str()) {
            let message = match &self.kinds_error {
                Some(m) => m.clone(),
                None if self.version <= KumaVersion::V2_12 => "value is not supported".to_owned(),
                None => format!("value '{}' is not supported", r.kind),
            };
            out.push(path.field("kind").violation(message));
            return;
        }
        if self.version.is_2x() {
            self.target_ref_2x(path, r, out);
        } else {
            target_ref_3_0(path, r, out);
        }
    }

    fn target_ref_2x(&self, path: &FieldPath, r: &TargetRef, out: &mut Vec<Violation>) {
        let v = self.version;
        let kind = r.kind.as_str();
        let disallowed = |out: &mut Vec<Violation>, name: &str, set: bool| {
            if set {
                out.push(
                    path.field(name)
                        .violation(format!("{} with kind {kind}", messages::MUST_NOT_BE_SET)),
                );
            }
        };
        // `requiredField` says `with kind X` up to 2.13 and `when kind is X` from 2.14 (v2.13.10
        // `validators.go:511`, v2.14.3 `:528`).
        let required_because = if v >= KumaVersion::V2_14 {
            "when kind is"
        } else {
            "with kind"
        };
        let required = |out: &mut Vec<Violation>, name: &str, set: bool| {
            if !set {
                out.push(path.field(name).violation(format!(
                    "{} {required_because} {kind}",
                    messages::MUST_BE_SET
                )));
            }
        };
        let proxy_types = |out: &mut Vec<Violation>| {
            if v >= KumaVersion::V2_10 && r.proxy_types.as_ref().is_some_and(Vec::is_empty) {
                out.push(
                    path.field("proxyTypes")
                        .violation("must be undefined or have at least one element"),
                );
            }
        };
        let name_chars = |out: &mut Vec<Violation>| {
            let name = r.name.as_deref().unwrap_or("");
            let ok = name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-_".contains(&b));
            if !ok {
                out.push(path.field("name").violation(
                    "invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'.",
                ));
            }
        };
        // 2.14 accepts `labels` instead of a name on the whole; before, a missing name is reported.
        let name_or_labels = |out: &mut Vec<Violation>| {
            if is_set_map(&r.labels) {
                return;
            }
            if v >= KumaVersion::V2_14 {
                if !is_set(&r.name) {
                    out.push(
                        path.violation(format!("name or labels must be set when kind is {kind}")),
                    );
                }
            } else {
                required(out, "name", is_set(&r.name));
            }
        };
        let labels_xor_name = |out: &mut Vec<Violation>, message: &str| {
            if is_set_map(&r.labels) && (is_set(&r.name) || is_set(&r.namespace)) {
                out.push(path.field("labels").violation(message));
            }
        };
        const EITHER: &str = "either labels or name and namespace must be specified";
        let proxy_types_set = r.proxy_types.as_ref().is_some_and(|p| !p.is_empty());
        match kind {
            "Mesh" => {
                if is_set(&r.name) {
                    out.push(
                        path.field("name")
                            .violation("using name with kind Mesh is not yet supported"),
                    );
                }
                disallowed(out, "mesh", is_set(&r.mesh));
                disallowed(out, "tags", is_set_map(&r.tags));
                disallowed(out, "labels", is_set_map(&r.labels));
                disallowed(out, "namespace", is_set(&r.namespace));
                disallowed(out, "sectionName", is_set(&r.section_name));
                proxy_types(out);
            }
            "Dataplane" => {
                disallowed(out, "tags", is_set_map(&r.tags));
                disallowed(out, "mesh", is_set(&r.mesh));
                disallowed(out, "proxyTypes", proxy_types_set);
                labels_xor_name(out, EITHER);
                if is_set(&r.section_name) {
                    out.push(
                        path.field("sectionName")
                            .violation("can only be used with inbound policies"),
                    );
                }
            }
            "MeshSubset" => {
                disallowed(out, "name", is_set(&r.name));
                disallowed(out, "mesh", is_set(&r.mesh));
                tags(&path.field("tags"), r.tags.as_ref(), TagValues::Tag, out);
                disallowed(out, "labels", is_set_map(&r.labels));
                disallowed(out, "namespace", is_set(&r.namespace));
                disallowed(out, "sectionName", is_set(&r.section_name));
                proxy_types(out);
            }
            "MeshService" | "MeshHTTPRoute" | "MeshExternalService" => {
                name_chars(out);
                disallowed(out, "mesh", is_set(&r.mesh));
                disallowed(out, "tags", is_set_map(&r.tags));
                disallowed(out, "proxyTypes", proxy_types_set);
                if kind == "MeshHTTPRoute" {
                    disallowed(out, "sectionName", is_set(&r.section_name));
                }
                name_or_labels(out);
                if kind == "MeshExternalService" {
                    labels_xor_name(out, "either labels or name must be specified");
                    disallowed(out, "sectionName", is_set(&r.section_name));
                } else {
                    labels_xor_name(out, EITHER);
                }
                if v == KumaVersion::V2_9
                    && kind == "MeshService"
                    && is_set_map(&r.labels)
                    && is_set(&r.section_name)
                {
                    out.push(
                        path.field("sectionName")
                            .violation("sectionName should not be combined with labels"),
                    );
                }
            }
            "MeshServiceSubset" | "MeshGateway" => {
                required(out, "name", is_set(&r.name));
                name_chars(out);
                disallowed(out, "mesh", is_set(&r.mesh));
                disallowed(out, "proxyTypes", proxy_types_set);
                let values = if v == KumaVersion::V2_9 {
                    TagValues::Tag
                } else {
                    TagValues::Selector
                };
                tags(&path.field("tags"), r.tags.as_ref(), values, out);
                if kind == "MeshGateway" && is_set_map(&r.tags) && !self.gateway_listener_tags {
                    disallowed(out, "tags", true);
                }
                disallowed(out, "labels", is_set_map(&r.labels));
                disallowed(out, "namespace", is_set(&r.namespace));
                disallowed(out, "sectionName", is_set(&r.section_name));
            }
            // 2.x has no rule for MeshMultiZoneService targets.
            _ => {}
        }
    }
}

fn target_ref_3_0(path: &FieldPath, r: &TargetRef, out: &mut Vec<Violation>) {
    let labels_set = is_set_map(&r.labels);
    let section_set = is_set(&r.section_name);
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
        if !labels_set {
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

/// Which value rule a tag map follows: `ValidateTags` or `ValidateSelector` (which allows `/`
/// and `*`).
#[derive(Clone, Copy)]
enum TagValues {
    Tag,
    Selector,
}

/// `mesh.ValidateTags` / `mesh.ValidateSelector` with no options, keys in sorted order.
fn tags(
    path: &FieldPath,
    tags: Option<&crate::model::Labels>,
    values: TagValues,
    out: &mut Vec<Violation>,
) {
    let Some(tags) = tags else {
        return;
    };
    let name_char = |b: u8| b.is_ascii_alphanumeric() || b".-_:/".contains(&b);
    for (key, value) in tags {
        if key.is_empty() {
            out.push(path.violation("tag name must be non-empty"));
        }
        if !key.bytes().all(name_char) {
            out.push(path.key(key).violation(
                "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores",
            ));
        }
        if value.is_empty() {
            out.push(path.key(key).violation("tag value must be non-empty"));
        }
        match values {
            TagValues::Tag => {
                if !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-_:".contains(&b))
                {
                    out.push(path.key(key).violation(
                        "tag value must consist of alphanumeric characters, dots, dashes and underscores",
                    ));
                }
            }
            TagValues::Selector => {
                if value != "*" && !value.bytes().all(name_char) {
                    out.push(path.key(key).violation(
                        "tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be \"*\"",
                    ));
                }
            }
        }
    }
}

fn conf(
    path: &FieldPath,
    conf: &MlbsConf,
    to: &TargetRef,
    version: KumaVersion,
    out: &mut Vec<Violation>,
) {
    if to.kind == "MeshHTTPRoute" && version >= KumaVersion::V2_12 {
        hash_policies(
            &path.field("hashPolicies"),
            conf.hash_policies.as_ref(),
            version,
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
    if let Some(lb) = &conf.load_balancer {
        load_balancer(&path.field("loadBalancer"), lb, version, out);
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
    if version < KumaVersion::V2_12 {
        // `default.hashPolicies` arrived in 2.12.
        return;
    }
    hash_policies(
        &path.field("hashPolicies"),
        conf.hash_policies.as_ref(),
        version,
        out,
    );
    if version.is_2x() && conf.hash_policies.is_some() {
        if let Some(lb) = &conf.load_balancer {
            for key in ["ringHash", "maglev"] {
                let nested = lb.get(key).and_then(|c| c.get("hashPolicies"));
                if nested.is_some_and(|p| !p.is_null()) {
                    out.push(
                        path.field("loadBalancer")
                            .field(key)
                            .field("hashPolicies")
                            .violation("hashPolicies already specified in the root level"),
                    );
                }
            }
        }
    }
}

fn load_balancer(
    path: &FieldPath,
    lb: &serde_json::Value,
    version: KumaVersion,
    out: &mut Vec<Violation>,
) {
    match lb.get("type").and_then(|t| t.as_str()) {
        Some(t @ ("RingHash" | "Maglev")) if version.is_2x() => {
            let key = if t == "RingHash" {
                "ringHash"
            } else {
                "maglev"
            };
            if let Some(nested) = lb.get(key).filter(|c| !c.is_null()) {
                hash_policies(
                    &path.field(key).field("hashPolicies"),
                    nested.get("hashPolicies"),
                    version,
                    out,
                );
            }
        }
        Some("LeastRequest") => {
            let bias = lb
                .get("leastRequest")
                .and_then(|l| l.get("activeRequestBias"))
                .filter(|b| !b.is_null());
            if let Some(bias) = bias {
                let p = path.field("leastRequest").field("activeRequestBias");
                match decimal(bias) {
                    None => out.push(p.violation(messages::STRING_HAS_TO_BE_VALID_NUMBER)),
                    Some(value) if value.sign == Ordering::Less => {
                        out.push(p.violation(format!(
                            "{}: 0",
                            messages::HAS_TO_BE_GREATER_OR_EQUAL_THEN
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        _ => {}
    }
}

/// Where a number stands against 0 and 100: all Kuma's percentage and bias rules ask.
struct Standing {
    sign: Ordering,
    to_hundred: Ordering,
}

/// `common_api.NewDecimalFromIntOrString`: an integer, or a string shopspring/decimal v1.4.0's
/// `NewFromString` parses, compared exactly as Kuma compares it (an f64 would round
/// `"100.0000000000000000001"` to 100 and `"1e-400"` to 0).
fn decimal(v: &serde_json::Value) -> Option<Standing> {
    match v {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Some(Standing {
                sign: i.cmp(&0),
                to_hundred: i.cmp(&100),
            }),
            // Only a caller of `validate` with a typed resource gets here: the schema step lets
            // only integers through, and Go's `IntOrString` takes nothing else.
            None => {
                let f = n.as_f64()?;
                Some(Standing {
                    sign: f.partial_cmp(&0.0)?,
                    to_hundred: f.partial_cmp(&100.0)?,
                })
            }
        },
        serde_json::Value::String(s) => decimal_string(s),
        _ => None,
    }
}

/// shopspring's `NewFromString`: `<mantissa>[e|E<exponent>]`, the exponent an int32 (Go's
/// `ParseInt(_, 10, 32)`), the mantissa at most one `.` around which the rest (an optional
/// sign, then digits, as `ParseInt`/`big.Int.SetString` in base 10 read it; so `.-5` is
/// -0.05) is an exact integer, and the final exponent (exponent minus fraction digits) an int32.
fn decimal_string(s: &str) -> Option<Standing> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if fraction.contains('.') {
        return None;
    }
    let exponent = i64::from(exponent) - i64::try_from(fraction.len()).ok()?;
    i32::try_from(exponent).ok()?;
    // Not `concat()`: that instantiates the standard join for `&str` (see `text::join`).
    let mut joined = whole.to_owned();
    joined.push_str(fraction);
    let (negative, digits) = match joined.as_bytes().first() {
        Some(b'-') => (true, &joined[1..]),
        Some(b'+') => (false, &joined[1..]),
        _ => (false, joined.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(Standing {
            sign: Ordering::Equal,
            to_hundred: Ordering::Less,
        });
    }
    if negative {
        return Some(Standing {
            sign: Ordering::Less,
            to_hundred: Ordering::Less,
        });
    }
    // The value lies in [10^order, 10^(order + 1)); 100 is 10^2, reached only by "1" and zeros.
    let order = i64::try_from(significant.len()).ok()? - 1 + exponent;
    let to_hundred = match order.cmp(&2) {
        Ordering::Equal if significant.trim_end_matches('0') == "1" => Ordering::Equal,
        Ordering::Equal => Ordering::Greater,
        other => other,
    };
    Some(Standing {
        sign: Ordering::Greater,
        to_hundred,
    })
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
    if to.kind == "MeshService" && (is_set(&to.section_name) || is_set_map(&to.labels)) {
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
    if p.is_null() {
        return Some(messages::MUST_BE_DEFINED);
    }
    let Some(value) = decimal(p) else {
        return Some(messages::STRING_HAS_TO_BE_VALID_NUMBER);
    };
    if value.sign == Ordering::Less || value.to_hundred == Ordering::Greater {
        return Some(messages::HAS_TO_BE_IN_PERCENTAGE_RANGE);
    }
    if value.sign == Ordering::Equal {
        return Some(messages::HAS_TO_BE_GREATER_THAN_ZERO);
    }
    None
}

fn hash_policies(
    path: &FieldPath,
    policies: Option<&serde_json::Value>,
    version: KumaVersion,
    out: &mut Vec<Violation>,
) {
    let Some(items) = policies.and_then(|p| p.as_array()) else {
        return;
    };
    let source_ip_needs_connection = version.is_2x() && version >= KumaVersion::V2_10;
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
            "SourceIP" if source_ip_needs_connection => "connection",
            // 2.x has no default branch: an unknown type passes the validator.
            _ if version.is_2x() => continue,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RANGE: Option<&str> = Some(messages::HAS_TO_BE_IN_PERCENTAGE_RANGE);
    const ZERO: Option<&str> = Some(messages::HAS_TO_BE_GREATER_THAN_ZERO);
    const NOT_A_NUMBER: Option<&str> = Some(messages::STRING_HAS_TO_BE_VALID_NUMBER);

    #[test]
    fn failover_percentages_are_compared_exactly_as_kuma_compares_decimals() {
        for (percentage, expected) in [
            (json!(100), None),
            (json!("100"), None),
            (json!("100.000"), None),
            (json!("0.1e3"), None),
            (json!("10000e-2"), None),
            (json!("100.0000000000000000001"), RANGE),
            (json!("1.000000000000000000000001e2"), RANGE),
            (json!("100e0000000000000000000001"), RANGE),
            (json!(101), RANGE),
            (json!("-0.5"), RANGE),
            (json!(".-5"), RANGE),
            (json!("1e-400"), None),
            (json!("0.0000000000000000000000001"), None),
            (json!("99.99999999999999999999999"), None),
            (json!("5."), None),
            (json!(".5"), None),
            (json!("+50"), None),
            (json!(0), ZERO),
            (json!("-0.000"), ZERO),
            (json!("0e2147483647"), ZERO),
            (json!("1e99999999999"), NOT_A_NUMBER),
            (json!("1e2147483648"), NOT_A_NUMBER),
            (json!("1.5e-2147483648"), NOT_A_NUMBER),
            (json!("1e2147483647"), RANGE),
            (json!("1e-2147483648"), None),
            (json!(""), NOT_A_NUMBER),
            (json!("."), NOT_A_NUMBER),
            (json!("1.2.3"), NOT_A_NUMBER),
            (json!("--5"), NOT_A_NUMBER),
            (json!("1_000"), NOT_A_NUMBER),
            (json!("1e"), NOT_A_NUMBER),
            (json!("1e5e5"), NOT_A_NUMBER),
            (json!(" 50"), NOT_A_NUMBER),
            (json!("abc"), NOT_A_NUMBER),
            (json!(null), Some(messages::MUST_BE_DEFINED)),
        ] {
            assert_eq!(percentage_problem(&percentage), expected, "{percentage}");
        }
    }

    #[test]
    fn active_request_bias_is_refused_below_zero_exactly() {
        let below_zero = |v| decimal(&v).map(|d| d.sign == Ordering::Less);
        assert_eq!(below_zero(json!("-1e-400")), Some(true));
        assert_eq!(below_zero(json!("-0e5")), Some(false));
        assert_eq!(below_zero(json!("1e-400")), Some(false));
        assert_eq!(below_zero(json!(-1)), Some(true));
        assert_eq!(below_zero(json!("1e99999999999")), None);
    }
}
