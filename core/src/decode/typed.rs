//! The typed specs, read by hand from the JSON the schema walk built.
//!
//! The walk has already checked every type, applied the schema defaults and put placeholders in
//! for missing required values, so this is plain field moving. It is written out by hand instead
//! of `serde_json::from_value` because serde's derive, instantiated for every nested spec struct
//! and for `Value`'s deserializer, is about 65 KB of the npm package's WebAssembly; this is a few
//! KB. It mirrors the serde attributes in [`crate::model`] exactly (a `null` reads as absent for an
//! `Option`, `#[serde(default)]` fields default when absent, unknown keys are ignored), and debug
//! builds check every decoded spec against serde's result (see `typed_spec` in the parent module).

use serde_json::{Map, Value};

use crate::model::{
    AffinityTag, CrossZone, Extension, Failover, FailoverThreshold, FailoverTo, FromZones,
    HostnameGeneratorSelector, HostnameGeneratorSpec, LabelSelector, Labels, LocalZone,
    LocalityAwareness, MeshLoadBalancingStrategySpec, MeshMultiZoneServiceSpec, MeshServicePort,
    MeshServiceSpec, MeshServiceState, MlbsConf, MlbsTo, MzsPort, MzsSelector, TargetRef,
};

/// A value whose JSON type does not fit the model (the walk rules this out).
#[derive(Debug)]
pub(crate) struct Mismatch;

type Obj = Map<String, Value>;
type Read<T> = Result<T, Mismatch>;

/// The object inside `value`.
fn object(value: Value) -> Read<Obj> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(Mismatch),
    }
}

/// Field `key` for an `Option` field: absent and `null` are both `None`.
fn field(map: &mut Obj, key: &str) -> Option<Value> {
    map.remove(key).filter(|v| !v.is_null())
}

/// An optional field read with `read`.
fn optional<T>(map: &mut Obj, key: &str, read: fn(Value) -> Read<T>) -> Read<Option<T>> {
    field(map, key).map(read).transpose()
}

/// A `#[serde(default)]` field read with `read`: absent is the default (present `null` is not).
fn or_default<T: Default>(map: &mut Obj, key: &str, read: fn(Value) -> Read<T>) -> Read<T> {
    map.remove(key).map_or_else(|| Ok(T::default()), read)
}

/// A field without a default: absent is a mismatch.
fn required<T>(map: &mut Obj, key: &str, read: fn(Value) -> Read<T>) -> Read<T> {
    map.remove(key).map_or(Err(Mismatch), read)
}

fn string(value: Value) -> Read<String> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(Mismatch),
    }
}

fn int32(value: Value) -> Read<i32> {
    value
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .ok_or(Mismatch)
}

fn uint32(value: Value) -> Read<u32> {
    value
        .as_u64()
        .and_then(|i| u32::try_from(i).ok())
        .ok_or(Mismatch)
}

fn boolean(value: Value) -> Read<bool> {
    value.as_bool().ok_or(Mismatch)
}

fn any(value: Value) -> Read<Value> {
    Ok(value)
}

fn list<T>(value: Value, read: fn(Value) -> Read<T>) -> Read<Vec<T>> {
    match value {
        Value::Array(items) => items.into_iter().map(read).collect(),
        _ => Err(Mismatch),
    }
}

fn strings(value: Value) -> Read<Vec<String>> {
    list(value, string)
}

fn labels(value: Value) -> Read<Labels> {
    // Inserted one by one (in key order already): collecting into the map would compile a
    // stable sort for `(String, String)` just for this.
    let mut out = Labels::new();
    for (key, value) in object(value)? {
        out.insert(key, string(value)?);
    }
    Ok(out)
}

fn label_selector(value: Value) -> Read<LabelSelector> {
    let mut map = object(value)?;
    Ok(LabelSelector {
        match_labels: optional(&mut map, "matchLabels", labels)?,
    })
}

/// `spec` of a MeshMultiZoneService.
pub(crate) fn mesh_multi_zone_service(value: Value) -> Read<MeshMultiZoneServiceSpec> {
    let mut map = object(value)?;
    Ok(MeshMultiZoneServiceSpec {
        selector: or_default(&mut map, "selector", mzs_selector)?,
        ports: or_default(&mut map, "ports", |v| list(v, mzs_port))?,
    })
}

fn mzs_selector(value: Value) -> Read<MzsSelector> {
    let mut map = object(value)?;
    Ok(MzsSelector {
        mesh_service: or_default(&mut map, "meshService", label_selector)?,
    })
}

fn mzs_port(value: Value) -> Read<MzsPort> {
    let mut map = object(value)?;
    Ok(MzsPort {
        name: optional(&mut map, "name", string)?,
        port: required(&mut map, "port", int32)?,
        app_protocol: match map.remove("appProtocol") {
            Some(v) => string(v)?,
            None => crate::model::default_app_protocol(),
        },
    })
}

/// `spec` of a MeshService.
pub(crate) fn mesh_service(value: Value) -> Read<MeshServiceSpec> {
    let mut map = object(value)?;
    Ok(MeshServiceSpec {
        state: optional(&mut map, "state", mesh_service_state)?,
        selector: field(&mut map, "selector"),
        ports: or_default(&mut map, "ports", |v| list(v, mesh_service_port))?,
        identities: field(&mut map, "identities"),
    })
}

fn mesh_service_state(value: Value) -> Read<MeshServiceState> {
    match value.as_str() {
        Some("Available") => Ok(MeshServiceState::Available),
        Some("Unavailable") => Ok(MeshServiceState::Unavailable),
        _ => Err(Mismatch),
    }
}

fn mesh_service_port(value: Value) -> Read<MeshServicePort> {
    let mut map = object(value)?;
    Ok(MeshServicePort {
        name: optional(&mut map, "name", string)?,
        port: required(&mut map, "port", int32)?,
        target_port: field(&mut map, "targetPort"),
        app_protocol: optional(&mut map, "appProtocol", string)?,
    })
}

/// `spec` of a HostnameGenerator.
pub(crate) fn hostname_generator(value: Value) -> Read<HostnameGeneratorSpec> {
    let mut map = object(value)?;
    Ok(HostnameGeneratorSpec {
        selector: or_default(&mut map, "selector", hostname_generator_selector)?,
        template: or_default(&mut map, "template", string)?,
        extension: optional(&mut map, "extension", extension)?,
    })
}

fn hostname_generator_selector(value: Value) -> Read<HostnameGeneratorSelector> {
    let mut map = object(value)?;
    Ok(HostnameGeneratorSelector {
        mesh_service: optional(&mut map, "meshService", label_selector)?,
        mesh_external_service: optional(&mut map, "meshExternalService", label_selector)?,
        mesh_multi_zone_service: optional(&mut map, "meshMultiZoneService", label_selector)?,
    })
}

fn extension(value: Value) -> Read<Extension> {
    let mut map = object(value)?;
    Ok(Extension {
        extension_type: or_default(&mut map, "type", string)?,
        config: field(&mut map, "config"),
    })
}

/// `spec` of a MeshLoadBalancingStrategy.
pub(crate) fn mesh_load_balancing_strategy(value: Value) -> Read<MeshLoadBalancingStrategySpec> {
    let mut map = object(value)?;
    Ok(MeshLoadBalancingStrategySpec {
        target_ref: optional(&mut map, "targetRef", target_ref)?,
        to: or_default(&mut map, "to", |v| list(v, mlbs_to))?,
    })
}

fn target_ref(value: Value) -> Read<TargetRef> {
    let mut map = object(value)?;
    Ok(TargetRef {
        kind: required(&mut map, "kind", string)?,
        name: optional(&mut map, "name", string)?,
        namespace: optional(&mut map, "namespace", string)?,
        labels: optional(&mut map, "labels", labels)?,
        section_name: optional(&mut map, "sectionName", string)?,
    })
}

fn mlbs_to(value: Value) -> Read<MlbsTo> {
    let mut map = object(value)?;
    Ok(MlbsTo {
        target_ref: required(&mut map, "targetRef", target_ref)?,
        default: or_default(&mut map, "default", mlbs_conf)?,
    })
}

fn mlbs_conf(value: Value) -> Read<MlbsConf> {
    let mut map = object(value)?;
    Ok(MlbsConf {
        locality_awareness: optional(&mut map, "localityAwareness", locality_awareness)?,
        load_balancer: field(&mut map, "loadBalancer"),
        hash_policies: field(&mut map, "hashPolicies"),
    })
}

fn locality_awareness(value: Value) -> Read<LocalityAwareness> {
    let mut map = object(value)?;
    Ok(LocalityAwareness {
        disabled: optional(&mut map, "disabled", boolean)?,
        local_zone: optional(&mut map, "localZone", local_zone)?,
        cross_zone: optional(&mut map, "crossZone", cross_zone)?,
    })
}

fn local_zone(value: Value) -> Read<LocalZone> {
    let mut map = object(value)?;
    Ok(LocalZone {
        affinity_tags: or_default(&mut map, "affinityTags", |v| list(v, affinity_tag))?,
    })
}

fn affinity_tag(value: Value) -> Read<AffinityTag> {
    let mut map = object(value)?;
    Ok(AffinityTag {
        key: required(&mut map, "key", string)?,
        weight: optional(&mut map, "weight", uint32)?,
    })
}

fn cross_zone(value: Value) -> Read<CrossZone> {
    let mut map = object(value)?;
    Ok(CrossZone {
        failover: or_default(&mut map, "failover", |v| list(v, failover))?,
        failover_threshold: optional(&mut map, "failoverThreshold", failover_threshold)?,
    })
}

fn failover(value: Value) -> Read<Failover> {
    let mut map = object(value)?;
    Ok(Failover {
        from: optional(&mut map, "from", from_zones)?,
        to: required(&mut map, "to", failover_to)?,
    })
}

fn from_zones(value: Value) -> Read<FromZones> {
    let mut map = object(value)?;
    Ok(FromZones {
        zones: or_default(&mut map, "zones", strings)?,
    })
}

fn failover_to(value: Value) -> Read<FailoverTo> {
    let mut map = object(value)?;
    Ok(FailoverTo {
        failover_type: required(&mut map, "type", string)?,
        zones: optional(&mut map, "zones", strings)?,
    })
}

fn failover_threshold(value: Value) -> Read<FailoverThreshold> {
    let mut map = object(value)?;
    Ok(FailoverThreshold {
        percentage: required(&mut map, "percentage", any)?,
    })
}
