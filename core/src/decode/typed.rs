//! The typed specs, read by hand from the JSON the schema walk built.
//!
//! The walk has already checked every type, applied the schema defaults and put placeholders in
//! for missing required values, so this is plain field moving. It is written out by hand instead
//! of `serde_json::from_value` because serde's derive, instantiated for every nested spec struct
//! and for `Value`'s deserializer, is about 65 KB of the npm package's WebAssembly; this is a few
//! KB. It mirrors the serde attributes in [`crate::model`] exactly (a `null` reads as absent for an
//! `Option`, `#[serde(default)]` fields default when absent, unknown keys are ignored), and debug
//! builds check every decoded spec against serde's result (see `typed_spec` in the parent module).

use serde_json::Value;

use crate::model::{
    AffinityTag, CrossZone, Extension, Failover, FailoverThreshold, FailoverTo, FromZones,
    HostnameGeneratorSelector, HostnameGeneratorSpec, LabelSelector, Labels, LocalZone,
    LocalityAwareness, MeshLoadBalancingStrategySpec, MeshMultiZoneServiceSpec, MeshServicePort,
    MeshServiceSpec, MeshServiceState, MlbsConf, MlbsTo, MzsPort, MzsSelector, TargetRef,
};

/// A value whose JSON type does not fit the model (the walk rules this out).
#[derive(Debug)]
pub(crate) struct Mismatch;

type Read<T> = Result<T, Mismatch>;

/// The fields `names` of the object `value`, in that order (`None` when absent), taken in one
/// pass over the object (removing them one by one would search and rebalance its B-tree each
/// time). Other keys are ignored, as serde ignores them.
fn fields<const N: usize>(value: Value, names: [&str; N]) -> Read<[Option<Value>; N]> {
    let mut out = [const { None }; N];
    fill(value, &names, &mut out)?;
    Ok(out)
}

/// [`fields`] without the array size (one copy of the loop for every struct).
fn fill(value: Value, names: &[&str], out: &mut [Option<Value>]) -> Read<()> {
    let Value::Object(map) = value else {
        return Err(Mismatch);
    };
    for (key, value) in map {
        if let Some(slot) = names
            .iter()
            .position(|name| *name == key)
            .and_then(|i| out.get_mut(i))
        {
            *slot = Some(value);
        }
    }
    Ok(())
}

/// An `Option` field: absent and `null` are both `None`.
fn field(slot: Option<Value>) -> Option<Value> {
    slot.filter(|v| !v.is_null())
}

/// An optional field read with `read`.
fn optional<T>(slot: Option<Value>, read: fn(Value) -> Read<T>) -> Read<Option<T>> {
    field(slot).map(read).transpose()
}

/// A `#[serde(default)]` field read with `read`: absent is the default (present `null` is not).
fn or_default<T: Default>(slot: Option<Value>, read: fn(Value) -> Read<T>) -> Read<T> {
    slot.map_or_else(|| Ok(T::default()), read)
}

/// A field without a default: absent is a mismatch.
fn required<T>(slot: Option<Value>, read: fn(Value) -> Read<T>) -> Read<T> {
    slot.map_or(Err(Mismatch), read)
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
    let Value::Object(map) = value else {
        return Err(Mismatch);
    };
    // Inserted one by one (in key order already): collecting into the map would compile a
    // stable sort for `(String, String)` just for this.
    let mut out = Labels::new();
    for (key, value) in map {
        out.insert(key, string(value)?);
    }
    Ok(out)
}

fn label_selector(value: Value) -> Read<LabelSelector> {
    let [match_labels] = fields(value, ["matchLabels"])?;
    Ok(LabelSelector {
        match_labels: optional(match_labels, labels)?,
    })
}

/// `spec` of a MeshMultiZoneService.
pub(crate) fn mesh_multi_zone_service(value: Value) -> Read<MeshMultiZoneServiceSpec> {
    let [selector, ports] = fields(value, ["selector", "ports"])?;
    Ok(MeshMultiZoneServiceSpec {
        selector: or_default(selector, mzs_selector)?,
        ports: or_default(ports, |v| list(v, mzs_port))?,
    })
}

fn mzs_selector(value: Value) -> Read<MzsSelector> {
    let [mesh_service_value] = fields(value, ["meshService"])?;
    Ok(MzsSelector {
        mesh_service: or_default(mesh_service_value, label_selector)?,
    })
}

fn mzs_port(value: Value) -> Read<MzsPort> {
    let [name, port, app_protocol] = fields(value, ["name", "port", "appProtocol"])?;
    Ok(MzsPort {
        name: optional(name, string)?,
        port: required(port, int32)?,
        app_protocol: match app_protocol {
            Some(v) => string(v)?,
            None => crate::model::default_app_protocol(),
        },
    })
}

/// `spec` of a MeshService.
pub(crate) fn mesh_service(value: Value) -> Read<MeshServiceSpec> {
    let [state, selector, ports, identities] =
        fields(value, ["state", "selector", "ports", "identities"])?;
    Ok(MeshServiceSpec {
        state: optional(state, mesh_service_state)?,
        selector: field(selector),
        ports: or_default(ports, |v| list(v, mesh_service_port))?,
        identities: field(identities),
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
    let [name, port, target_port, app_protocol] =
        fields(value, ["name", "port", "targetPort", "appProtocol"])?;
    Ok(MeshServicePort {
        name: optional(name, string)?,
        port: required(port, int32)?,
        target_port: field(target_port),
        app_protocol: optional(app_protocol, string)?,
    })
}

/// `spec` of a HostnameGenerator.
pub(crate) fn hostname_generator(value: Value) -> Read<HostnameGeneratorSpec> {
    let [selector, template, extension_value] =
        fields(value, ["selector", "template", "extension"])?;
    Ok(HostnameGeneratorSpec {
        selector: or_default(selector, hostname_generator_selector)?,
        template: or_default(template, string)?,
        extension: optional(extension_value, extension)?,
    })
}

fn hostname_generator_selector(value: Value) -> Read<HostnameGeneratorSelector> {
    let [mesh_service_value, mesh_external_service, mesh_multi_zone_service_value] = fields(
        value,
        ["meshService", "meshExternalService", "meshMultiZoneService"],
    )?;
    Ok(HostnameGeneratorSelector {
        mesh_service: optional(mesh_service_value, label_selector)?,
        mesh_external_service: optional(mesh_external_service, label_selector)?,
        mesh_multi_zone_service: optional(mesh_multi_zone_service_value, label_selector)?,
    })
}

fn extension(value: Value) -> Read<Extension> {
    let [type_value, config] = fields(value, ["type", "config"])?;
    Ok(Extension {
        extension_type: or_default(type_value, string)?,
        config: field(config),
    })
}

/// `spec` of a MeshLoadBalancingStrategy.
pub(crate) fn mesh_load_balancing_strategy(value: Value) -> Read<MeshLoadBalancingStrategySpec> {
    let [target_ref_value, to_value] = fields(value, ["targetRef", "to"])?;
    Ok(MeshLoadBalancingStrategySpec {
        target_ref: optional(target_ref_value, boxed_target_ref)?,
        to: or_default(to_value, |v| list(v, mlbs_to))?,
    })
}

fn boxed_target_ref(value: Value) -> Read<Box<TargetRef>> {
    target_ref(value).map(Box::new)
}

fn target_ref(value: Value) -> Read<TargetRef> {
    let [kind, name, namespace, labels_value, section_name, mesh, tags, proxy_types] = fields(
        value,
        [
            "kind",
            "name",
            "namespace",
            "labels",
            "sectionName",
            "mesh",
            "tags",
            "proxyTypes",
        ],
    )?;
    Ok(TargetRef {
        kind: required(kind, string)?,
        name: optional(name, string)?,
        namespace: optional(namespace, string)?,
        labels: optional(labels_value, labels)?,
        section_name: optional(section_name, string)?,
        mesh: optional(mesh, string)?,
        tags: optional(tags, labels)?,
        proxy_types: optional(proxy_types, strings)?,
    })
}

fn mlbs_to(value: Value) -> Read<MlbsTo> {
    let [target_ref_value, default_value] = fields(value, ["targetRef", "default"])?;
    Ok(MlbsTo {
        target_ref: required(target_ref_value, target_ref)?,
        default: or_default(default_value, mlbs_conf)?,
    })
}

fn mlbs_conf(value: Value) -> Read<MlbsConf> {
    let [locality_awareness_value, load_balancer, hash_policies] =
        fields(value, ["localityAwareness", "loadBalancer", "hashPolicies"])?;
    Ok(MlbsConf {
        locality_awareness: optional(locality_awareness_value, locality_awareness)?,
        load_balancer: field(load_balancer),
        hash_policies: field(hash_policies),
    })
}

fn locality_awareness(value: Value) -> Read<LocalityAwareness> {
    let [disabled, local_zone_value, cross_zone_value] =
        fields(value, ["disabled", "localZone", "crossZone"])?;
    Ok(LocalityAwareness {
        disabled: optional(disabled, boolean)?,
        local_zone: optional(local_zone_value, local_zone)?,
        cross_zone: optional(cross_zone_value, cross_zone)?,
    })
}

fn local_zone(value: Value) -> Read<LocalZone> {
    let [affinity_tags] = fields(value, ["affinityTags"])?;
    Ok(LocalZone {
        affinity_tags: or_default(affinity_tags, |v| list(v, affinity_tag))?,
    })
}

fn affinity_tag(value: Value) -> Read<AffinityTag> {
    let [key, weight] = fields(value, ["key", "weight"])?;
    Ok(AffinityTag {
        key: required(key, string)?,
        weight: optional(weight, uint32)?,
    })
}

fn cross_zone(value: Value) -> Read<CrossZone> {
    let [failover_value, failover_threshold_value] =
        fields(value, ["failover", "failoverThreshold"])?;
    Ok(CrossZone {
        failover: or_default(failover_value, |v| list(v, failover))?,
        failover_threshold: optional(failover_threshold_value, failover_threshold)?,
    })
}

fn failover(value: Value) -> Read<Failover> {
    let [from_value, to_value] = fields(value, ["from", "to"])?;
    Ok(Failover {
        from: optional(from_value, from_zones)?,
        to: required(to_value, failover_to)?,
    })
}

fn from_zones(value: Value) -> Read<FromZones> {
    let [zones] = fields(value, ["zones"])?;
    Ok(FromZones {
        zones: or_default(zones, strings)?,
    })
}

fn failover_to(value: Value) -> Read<FailoverTo> {
    let [type_value, zones] = fields(value, ["type", "zones"])?;
    Ok(FailoverTo {
        failover_type: required(type_value, string)?,
        zones: optional(zones, strings)?,
    })
}

fn failover_threshold(value: Value) -> Read<FailoverThreshold> {
    let [percentage] = fields(value, ["percentage"])?;
    Ok(FailoverThreshold {
        percentage: required(percentage, any)?,
    })
}
