//! The typed specs, read by hand from the JSON the schema walk built ([`Walked`]).
//!
//! The walk has already checked every type, applied the schema defaults and put placeholders in
//! for missing required values, so this is plain field moving. It is written out by hand instead
//! of `serde_json::from_value` because serde's derive, instantiated for every nested spec struct
//! and for `Value`'s deserializer, is about 65 KB of the npm package's WebAssembly; this is a few
//! KB. It mirrors the serde attributes in [`crate::model`] exactly (a `null` reads as absent for an
//! `Option`, `#[serde(default)]` fields default when absent, unknown keys are ignored), and debug
//! builds check every decoded spec against serde's result (see `typed_spec` in the parent module).

use serde_json::Value;

use super::walk::Walked;

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
/// pass over the object. Other keys are ignored, as serde ignores them.
fn fields<'n, const N: usize>(
    value: Walked<'n>,
    names: [&str; N],
) -> Read<[Option<Walked<'n>>; N]> {
    let mut out = [const { None }; N];
    fill(value, &names, &mut out)?;
    Ok(out)
}

/// [`fields`] without the array size (one copy of the loop for every struct).
fn fill<'n>(value: Walked<'n>, names: &[&str], out: &mut [Option<Walked<'n>>]) -> Read<()> {
    let Walked::Object(entries) = value else {
        return Err(Mismatch);
    };
    for (key, value) in entries {
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
fn field(slot: Option<Walked<'_>>) -> Option<Walked<'_>> {
    slot.filter(|v| !v.is_null())
}

/// An `Option<Value>` field (free-form JSON in the model).
fn json_field(slot: Option<Walked<'_>>) -> Option<Value> {
    field(slot).map(Walked::into_value)
}

/// An optional field read with `read`.
fn optional<'n, T>(slot: Option<Walked<'n>>, read: fn(Walked<'n>) -> Read<T>) -> Read<Option<T>> {
    field(slot).map(read).transpose()
}

/// A `#[serde(default)]` field read with `read`: absent is the default (present `null` is not).
fn or_default<'n, T: Default>(
    slot: Option<Walked<'n>>,
    read: fn(Walked<'n>) -> Read<T>,
) -> Read<T> {
    slot.map_or_else(|| Ok(T::default()), read)
}

/// A field without a default: absent is a mismatch.
fn required<'n, T>(slot: Option<Walked<'n>>, read: fn(Walked<'n>) -> Read<T>) -> Read<T> {
    slot.map_or(Err(Mismatch), read)
}

fn string(value: Walked<'_>) -> Read<String> {
    match value {
        Walked::Str(s) => Ok(s.to_owned()),
        Walked::Json(Value::String(s)) => Ok(s),
        _ => Err(Mismatch),
    }
}

fn integer(value: &Walked<'_>) -> Option<i64> {
    match value {
        Walked::Int(i) => Some(*i),
        Walked::Json(v) => v.as_i64(),
        _ => None,
    }
}

fn int32(value: Walked<'_>) -> Read<i32> {
    integer(&value)
        .and_then(|i| i32::try_from(i).ok())
        .ok_or(Mismatch)
}

fn uint32(value: Walked<'_>) -> Read<u32> {
    let unsigned = match &value {
        Walked::Json(v) => v.as_u64(),
        other => integer(other).and_then(|i| u64::try_from(i).ok()),
    };
    unsigned.and_then(|i| u32::try_from(i).ok()).ok_or(Mismatch)
}

fn boolean(value: Walked<'_>) -> Read<bool> {
    match value {
        Walked::Bool(b) => Ok(b),
        Walked::Json(v) => v.as_bool().ok_or(Mismatch),
        _ => Err(Mismatch),
    }
}

fn any(value: Walked<'_>) -> Read<Value> {
    Ok(value.into_value())
}

fn list<'n, T>(value: Walked<'n>, read: fn(Walked<'n>) -> Read<T>) -> Read<Vec<T>> {
    // Loops, not `collect()` into a `Result`: that instantiates the standard library's
    // `try_process` and in-place collection for each item type (WebAssembly size).
    let mut out = Vec::new();
    match value {
        Walked::Array(items) => {
            for item in items {
                out.push(read(item)?);
            }
        }
        Walked::Json(Value::Array(items)) => {
            for item in items {
                out.push(read(Walked::Json(item))?);
            }
        }
        _ => return Err(Mismatch),
    }
    Ok(out)
}

fn strings(value: Walked<'_>) -> Read<Vec<String>> {
    list(value, string)
}

fn labels(value: Walked<'_>) -> Read<Labels> {
    let mut out = Labels::new();
    match value {
        // Inserted one by one: collecting into the map would compile a stable sort for
        // `(String, String)` just for this.
        Walked::Object(entries) => {
            for (key, value) in entries {
                out.insert(key.to_owned(), string(value)?);
            }
        }
        Walked::Json(Value::Object(map)) => {
            for (key, value) in map {
                out.insert(key, string(Walked::Json(value))?);
            }
        }
        _ => return Err(Mismatch),
    }
    Ok(out)
}

fn label_selector(value: Walked<'_>) -> Read<LabelSelector> {
    let [match_labels] = fields(value, ["matchLabels"])?;
    Ok(LabelSelector {
        match_labels: optional(match_labels, labels)?,
    })
}

/// `spec` of a MeshMultiZoneService.
pub(crate) fn mesh_multi_zone_service(value: Walked<'_>) -> Read<MeshMultiZoneServiceSpec> {
    let [selector, ports] = fields(value, ["selector", "ports"])?;
    Ok(MeshMultiZoneServiceSpec {
        selector: or_default(selector, mzs_selector)?,
        ports: or_default(ports, |v| list(v, mzs_port))?,
    })
}

fn mzs_selector(value: Walked<'_>) -> Read<MzsSelector> {
    let [mesh_service_value] = fields(value, ["meshService"])?;
    Ok(MzsSelector {
        mesh_service: or_default(mesh_service_value, label_selector)?,
    })
}

fn mzs_port(value: Walked<'_>) -> Read<MzsPort> {
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
pub(crate) fn mesh_service(value: Walked<'_>) -> Read<MeshServiceSpec> {
    let [state, selector, ports, identities] =
        fields(value, ["state", "selector", "ports", "identities"])?;
    Ok(MeshServiceSpec {
        state: optional(state, mesh_service_state)?,
        selector: json_field(selector),
        ports: or_default(ports, |v| list(v, mesh_service_port))?,
        identities: json_field(identities),
    })
}

fn mesh_service_state(value: Walked<'_>) -> Read<MeshServiceState> {
    match value {
        Walked::Str("Available") => Ok(MeshServiceState::Available),
        Walked::Str("Unavailable") => Ok(MeshServiceState::Unavailable),
        _ => Err(Mismatch),
    }
}

fn mesh_service_port(value: Walked<'_>) -> Read<MeshServicePort> {
    let [name, port, target_port, app_protocol] =
        fields(value, ["name", "port", "targetPort", "appProtocol"])?;
    Ok(MeshServicePort {
        name: optional(name, string)?,
        port: required(port, int32)?,
        target_port: json_field(target_port),
        app_protocol: optional(app_protocol, string)?,
    })
}

/// `spec` of a HostnameGenerator.
pub(crate) fn hostname_generator(value: Walked<'_>) -> Read<HostnameGeneratorSpec> {
    let [selector, template, extension_value] =
        fields(value, ["selector", "template", "extension"])?;
    Ok(HostnameGeneratorSpec {
        selector: or_default(selector, hostname_generator_selector)?,
        template: or_default(template, string)?,
        extension: optional(extension_value, extension)?,
    })
}

fn hostname_generator_selector(value: Walked<'_>) -> Read<HostnameGeneratorSelector> {
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

fn extension(value: Walked<'_>) -> Read<Extension> {
    let [type_value, config] = fields(value, ["type", "config"])?;
    Ok(Extension {
        extension_type: or_default(type_value, string)?,
        config: json_field(config),
    })
}

/// `spec` of a MeshLoadBalancingStrategy.
pub(crate) fn mesh_load_balancing_strategy(
    value: Walked<'_>,
) -> Read<MeshLoadBalancingStrategySpec> {
    let [target_ref_value, to_value] = fields(value, ["targetRef", "to"])?;
    Ok(MeshLoadBalancingStrategySpec {
        target_ref: optional(target_ref_value, boxed_target_ref)?,
        to: or_default(to_value, |v| list(v, mlbs_to))?,
    })
}

fn boxed_target_ref(value: Walked<'_>) -> Read<Box<TargetRef>> {
    target_ref(value).map(Box::new)
}

fn target_ref(value: Walked<'_>) -> Read<TargetRef> {
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
        // Optional in 2.9's schema: Go's empty string, which the validator reports.
        kind: or_default(kind, string)?,
        name: optional(name, string)?,
        namespace: optional(namespace, string)?,
        labels: optional(labels_value, labels)?,
        section_name: optional(section_name, string)?,
        mesh: optional(mesh, string)?,
        tags: optional(tags, labels)?,
        proxy_types: optional(proxy_types, strings)?,
    })
}

fn mlbs_to(value: Walked<'_>) -> Read<MlbsTo> {
    let [target_ref_value, default_value] = fields(value, ["targetRef", "default"])?;
    Ok(MlbsTo {
        target_ref: required(target_ref_value, target_ref)?,
        default: or_default(default_value, mlbs_conf)?,
    })
}

fn mlbs_conf(value: Walked<'_>) -> Read<MlbsConf> {
    let [locality_awareness_value, load_balancer, hash_policies] =
        fields(value, ["localityAwareness", "loadBalancer", "hashPolicies"])?;
    Ok(MlbsConf {
        locality_awareness: optional(locality_awareness_value, locality_awareness)?,
        load_balancer: json_field(load_balancer),
        hash_policies: json_field(hash_policies),
    })
}

fn locality_awareness(value: Walked<'_>) -> Read<LocalityAwareness> {
    let [disabled, local_zone_value, cross_zone_value] =
        fields(value, ["disabled", "localZone", "crossZone"])?;
    Ok(LocalityAwareness {
        disabled: optional(disabled, boolean)?,
        local_zone: optional(local_zone_value, local_zone)?,
        cross_zone: optional(cross_zone_value, cross_zone)?,
    })
}

fn local_zone(value: Walked<'_>) -> Read<LocalZone> {
    let [affinity_tags] = fields(value, ["affinityTags"])?;
    Ok(LocalZone {
        affinity_tags: or_default(affinity_tags, |v| list(v, affinity_tag))?,
    })
}

fn affinity_tag(value: Walked<'_>) -> Read<AffinityTag> {
    let [key, weight] = fields(value, ["key", "weight"])?;
    Ok(AffinityTag {
        key: required(key, string)?,
        weight: optional(weight, uint32)?,
    })
}

fn cross_zone(value: Walked<'_>) -> Read<CrossZone> {
    let [failover_value, failover_threshold_value] =
        fields(value, ["failover", "failoverThreshold"])?;
    Ok(CrossZone {
        failover: or_default(failover_value, |v| list(v, failover))?,
        failover_threshold: optional(failover_threshold_value, failover_threshold)?,
    })
}

fn failover(value: Walked<'_>) -> Read<Failover> {
    let [from_value, to_value] = fields(value, ["from", "to"])?;
    Ok(Failover {
        from: optional(from_value, from_zones)?,
        to: required(to_value, failover_to)?,
    })
}

fn from_zones(value: Walked<'_>) -> Read<FromZones> {
    let [zones] = fields(value, ["zones"])?;
    Ok(FromZones {
        zones: or_default(zones, strings)?,
    })
}

fn failover_to(value: Walked<'_>) -> Read<FailoverTo> {
    let [type_value, zones] = fields(value, ["type", "zones"])?;
    Ok(FailoverTo {
        failover_type: required(type_value, string)?,
        zones: optional(zones, strings)?,
    })
}

fn failover_threshold(value: Walked<'_>) -> Read<FailoverThreshold> {
    let [percentage] = fields(value, ["percentage"])?;
    Ok(FailoverThreshold {
        percentage: required(percentage, any)?,
    })
}
