//! Per-zone status of a MeshMultiZoneService, read from each configured zone control plane.
//!
//! Kuma computes MZS status only on zones (global keeps `status: {}`), and a zone stores the
//! synced copy under a hashed name, so the zone copy is found by its `kuma.io/display-name` label.
//! When the provider's `endpoint` is itself a zone of its own (no global, [`Holding::Own`]), the
//! MZS is stored there under its own name with `kuma.io/origin: zone`, and that object is read.
//!
//! Each entry says whether the zone is `synced` (it holds the current spec and has computed a
//! VIP and conditions), `pending` (not yet) or `unreachable` (transport error, timeout, 401/403 or
//! any other error answer, or a `zone` block whose endpoint is not that zone's control plane). An
//! unreachable zone is never waited for: the read returns at once
//! with a warning diagnostic that names the zone and the cause.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use kuma_mzs_core::model::{labels as label_keys, KumaVersion, MzsStatus};

use kuma_mzs_core::api::{Mode, NAME_LABELS};

use crate::client::{encode, ClientError};
use crate::config::{Configured, Zone};
use crate::diag::Diag;
use crate::log;
use crate::value::{Ty, Value};

/// `zone_status[*].state` of a zone that holds the current spec with its status computed.
pub const SYNCED: &str = "synced";
/// `zone_status[*].state` of a zone that does not hold it (yet).
pub const PENDING: &str = "pending";
/// `zone_status[*].state` of a zone that could not be read.
pub const UNREACHABLE: &str = "unreachable";

fn condition_type() -> Ty {
    Ty::object([
        ("type", Ty::String),
        ("status", Ty::String),
        ("reason", Ty::String),
        ("message", Ty::String),
    ])
}

/// The type of a `mesh_services` list (status.meshServices entries).
pub fn mesh_services_ty() -> Ty {
    Ty::list(Ty::object([
        ("name", Ty::String),
        ("namespace", Ty::String),
        ("zone", Ty::String),
        ("mesh", Ty::String),
    ]))
}

/// Type of one `zone_status` entry.
pub fn zone_status_type() -> Ty {
    Ty::object([
        ("zone", Ty::String),
        ("state", Ty::String),
        ("error", Ty::String),
        ("found", Ty::Bool),
        ("vip", Ty::String),
        ("hostnames", Ty::list(Ty::String)),
        ("mesh_services", mesh_services_ty()),
        ("conditions", Ty::list(condition_type())),
    ])
}

/// The data source's description: what each zone holds now (a data source has no plan to keep
/// values known across, and no earlier read to fall back on).
pub const DATA_SOURCE_ZONE_STATUS_DESCRIPTION: &str = "What each configured `zone` control plane computed for this MeshMultiZoneService, in provider `zone` order: `state` (`synced`: the zone holds the current spec and computed its status; `pending`: not yet; `unreachable`: the zone could not be read, see `error` and the warning, and the entry has no `vip` and no `hostnames`), `found` (the zone has received it), `vip`, `hostnames`, `mesh_services` (matched MeshServices: name, namespace (`\"\"` outside Kubernetes, as in `kuma_mesh_services`), zone, mesh) and `conditions` (e.g. `MeshServicesMatched`). Empty when no zones are configured.";

/// Description for docs. The labels whose change makes a zone replace its copy are the core's
/// (the ones hashed into the copy's KDS name), not restated here.
pub static ZONE_STATUS_DESCRIPTION: LazyLock<String> = LazyLock::new(|| {
    let renaming: Vec<String> = NAME_LABELS.iter().map(|l| format!("`{l}`")).collect();
    format!(
        "What each configured `zone` control plane computed for this MeshMultiZoneService, in provider `zone` order: `state` (`synced`: the zone holds the current spec and computed its status; `pending`: not yet, such as a zone that still holds an older spec, with a warning when an apply's wait for it ended; `unreachable`: the zone could not be read, see `error` and the warning; the entry's other values are then the last ones read from that zone, so an outage does not empty them), `found` (the zone has received it), `vip`, `hostnames`, `mesh_services` (matched MeshServices: name, namespace (`\"\"` outside Kubernetes, as in `kuma_mesh_services`), zone, mesh) and `conditions` (e.g. `MeshServicesMatched`). Read after apply and on every refresh; empty when no zones are configured. A create plans one entry per `zone` block, in their order, with `zone` known (so `for_each = {{ for z in ....zone_status : z.zone => z.vip }}` plans in the same run) and the rest known after apply. An update keeps `vip` known (a zone keeps its copy's VIP) unless {} changes (the zone then replaces its copy, which gets a new VIP), and `hostnames` known unless a label changes that one of the zone's HostnameGenerators selects this MeshMultiZoneService by or renders (the plan lists each zone's generators once per run; a zone that cannot be listed plans them unknown).",
        renaming.join(" or ")
    )
});

/// The status attributes of one zone entry, from a typed MZS status: one mapping for the
/// resource, the data source and the preview.
pub fn status_attributes(status: &MzsStatus) -> Vec<(&'static str, Value)> {
    vec![
        (
            "vip",
            status
                .vips
                .first()
                .and_then(|v| v.ip.clone())
                .map(Value::string)
                .unwrap_or(Value::Null),
        ),
        (
            "hostnames",
            Value::from_strings(status.addresses.iter().filter_map(|a| a.hostname.clone())),
        ),
        (
            "mesh_services",
            Value::List(
                status
                    .mesh_services
                    .iter()
                    .map(|m| {
                        Value::object([
                            ("name", Value::string(&m.name)),
                            ("namespace", Value::string(&m.namespace)),
                            ("zone", Value::string(&m.zone)),
                            ("mesh", Value::string(&m.mesh)),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "conditions",
            Value::List(
                status
                    .conditions
                    .iter()
                    .map(|c| {
                        Value::object([
                            ("type", Value::string(&c.condition_type)),
                            ("status", Value::string(&c.status)),
                            ("reason", Value::string(&c.reason)),
                            ("message", Value::string(&c.message)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ]
}

/// A planned `zone_status` entry of zone `name`: the zone known, what it computes not yet.
pub fn planned_entry(name: &str) -> Value {
    let Ty::Object(fields) = zone_status_type() else {
        return Value::Unknown;
    };
    Value::Map(
        (fields.into_keys())
            .map(|key| {
                let value = match key.as_str() {
                    "zone" => Value::string(name),
                    _ => Value::Unknown,
                };
                (key, value)
            })
            .collect(),
    )
}

/// The planned `zone_status` of a create: one [`planned_entry`] per `zone` block, in their
/// order, as [`read`] returns them (an empty list without zones).
pub fn planned_entries(configured: &Configured) -> Value {
    Value::List(
        (configured.zones.iter())
            .map(|zone| planned_entry(&zone.name))
            .collect(),
    )
}

/// The status of a REST item (empty when absent or not Kuma's shape).
pub fn status_of(item: &serde_json::Value) -> MzsStatus {
    item.get("status")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .unwrap_or_default()
}

/// The `kuma.io/origin` value of a resource created on a zone (the core's, not a literal).
pub fn zone_origin() -> &'static str {
    kuma_mzs_core::api::Mode::Zone {
        name: String::new(),
        federated: true,
    }
    .origin()
}

/// A zone's copy of a global MZS, keyed by the global name (its display name); a
/// zone-originated MZS of that display name is another service and has no key.
fn copy_of_global(item: &serde_json::Value) -> Option<String> {
    let labels = item.get("labels")?;
    let label = |key: &str| labels.get(key).and_then(|v| v.as_str());
    if label(label_keys::ORIGIN) == Some(zone_origin()) {
        return None;
    }
    label(label_keys::DISPLAY_NAME).map(str::to_owned)
}

/// How a zone holds the MZS the provider writes on its `endpoint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// Written on global: the zone holds a renamed copy, found by its display name (a
    /// zone-originated MZS of that display name is another service).
    CopyOfGlobal,
    /// The `endpoint` is this very zone, on its own (no global): the zone stores the MZS under
    /// its own name (with `kuma.io/origin: zone`), and computes its status there.
    Own,
}

/// How `zone` holds what the provider writes on `endpoint` (of mode `mode`, see
/// [`crate::config::detect`]).
pub fn holding(mode: Option<&Mode>, zone: &Zone) -> Holding {
    match mode {
        Some(Mode::Zone {
            name,
            federated: false,
        }) if *name == zone.name => Holding::Own,
        _ => Holding::CopyOfGlobal,
    }
}

/// The key of a listed item for `holding`: [`copy_of_global`] or its own name.
fn key_of(holding: Holding) -> super::snapshots::KeyOf {
    match holding {
        Holding::CopyOfGlobal => copy_of_global,
        Holding::Own => super::snapshots::by_name,
    }
}

/// The zone's copy of `mesh/name`, from a list of the mesh's MZS when the process reads many
/// (see [`super::snapshots`]), else on its own.
async fn read_on_zone(
    configured: &Configured,
    zone: &Zone,
    holding: Holding,
    mesh: &str,
    name: &str,
) -> Result<Option<serde_json::Value>, ClientError> {
    let collection = format!("/meshes/{}/meshmultizoneservices", encode(mesh));
    let listed = configured
        .snapshots
        .find(&zone.client, &collection, key_of(holding), name)
        .await;
    match listed {
        Some(item) => Ok(Some(item)),
        None => find_on_zone(zone, holding, mesh, name).await,
    }
}

async fn find_on_zone(
    zone: &Zone,
    holding: Holding,
    mesh: &str,
    name: &str,
) -> Result<Option<serde_json::Value>, ClientError> {
    if holding == Holding::Own {
        let path = format!(
            "/meshes/{}/meshmultizoneservices/{}",
            encode(mesh),
            encode(name)
        );
        return match zone.client.get_item(&path).await {
            Ok(item) => Ok(Some(item)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        };
    }
    let path = format!(
        "/meshes/{}/meshmultizoneservices?filter%5Blabels.{}%5D={}",
        encode(mesh),
        encode(label_keys::DISPLAY_NAME),
        encode(name)
    );
    let items = zone.client.list_all(&path).await?;
    Ok(items.into_iter().find(|item| {
        let labels = item.get("labels");
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(|v| v.as_str());
        // A zone-originated MZS of the same display name is another service.
        label(label_keys::DISPLAY_NAME) == Some(name)
            && label(label_keys::ORIGIN) != Some(zone_origin())
    }))
}

fn entry(zone: &Zone, item: Option<&serde_json::Value>, state: &str) -> Value {
    let status = item.map(status_of).unwrap_or_default();
    let mut attributes = vec![
        ("zone", Value::string(&zone.name)),
        ("state", Value::string(state)),
        ("error", Value::Null),
        ("found", Value::Bool(item.is_some())),
    ];
    attributes.extend(status_attributes(&status));
    Value::object(attributes)
}

/// What a zone read follows, for the words of its warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// A write on the global control plane (an apply).
    AfterWrite,
    /// Nothing: a refresh or a data source read.
    Refresh,
}

/// The entry and warning of a zone that could not be read; `remembered` says whether the zone
/// is now remembered as unreachable ([`Zone::remember_failure`]).
fn unreachable(
    zone: &Zone,
    error: &ClientError,
    reading: Reading,
    remembered: bool,
) -> (Value, Diag) {
    let mut value = entry(zone, None, UNREACHABLE);
    value.set("error", Value::string(error.to_string()));
    let text = error.to_string();
    let cause = text.trim_end().trim_end_matches('.');
    let what = match reading {
        Reading::AfterWrite => format!(
            "The status of zone {:?} ({}) could not be read after the change: {cause}. Its `zone_status` entry says `unreachable`; the change itself was made on the global control plane.",
            zone.name,
            zone.client.endpoint()
        ),
        Reading::Refresh => format!(
            "The status of zone {:?} ({}) could not be read: {cause}. Its `zone_status` entry says `unreachable` until a later read reaches the zone.",
            zone.name,
            zone.client.endpoint()
        ),
    };
    let memory = if remembered {
        "The zone is remembered as unreachable for the rest of this provider process: later resources do not wait for it again (their entries say `unreachable` at once)."
    } else if matches!(error, ClientError::Deadline { .. }) {
        "This operation's own deadline ran out before the zone could answer, which says nothing about the zone: other resources of this run still read it."
    } else {
        "The zone is not remembered as unreachable: other resources of this run still read it."
    };
    let diag = Diag::warning(
        format!("Zone {:?} could not be read", zone.name),
        format!("{what} {memory}"),
    );
    (value, diag)
}

/// `fresh` entries of zones that could not be read keep what `last` (the state's
/// `zone_status`) read from them before: one zone's outage during a refresh must not turn its
/// VIP and hostnames null in the state, or everything built on them (DNS records, configs)
/// would be planned away until it answers again. `state`, `error` and the other zones' entries
/// are the fresh ones.
pub fn keep_last_known(fresh: Value, last: &Value) -> Value {
    let Value::List(entries) = fresh else {
        return fresh;
    };
    let last = last.items();
    Value::List(
        entries
            .into_iter()
            .map(|mut entry| {
                if entry.get("state").as_str() != Some(UNREACHABLE) {
                    return entry;
                }
                let before = last
                    .iter()
                    .find(|l| l.get("zone") == entry.get("zone") && !l.contains_unknown());
                if let Some(Value::Map(before)) = before {
                    for (key, value) in before {
                        if !matches!(key.as_str(), "zone" | "state" | "error") {
                            entry.set(key, value.clone());
                        }
                    }
                }
                entry
            })
            .collect(),
    )
}

/// The warning for a zone that answered but did not hold the change when the wait (`waited`)
/// ended: silent, the apply would just end with the zone `pending`. `says` is the zone's own
/// word on why ([`zone_says`]).
fn not_synced(zone: &Zone, found: bool, waited: Duration, says: &str) -> Diag {
    let holds = if found {
        "still holds an older version of it (or has not computed its status)"
    } else {
        "has not received it"
    };
    Diag::warning(
        format!("Zone {:?} has not synced within the wait", zone.name),
        format!(
            "Zone {:?} ({}) answers, but after {} it {holds}. Its `zone_status` entry says `pending`; the change itself was made on the global control plane; the next refresh reads the zone again.\n\n{says}",
            zone.name,
            zone.client.endpoint(),
            crate::client::humantime(waited),
        ),
    )
}

/// The longest a not-synced warning waits for the zone's `/ready`.
const READY_WAIT: Duration = Duration::from_secs(2);

/// What a zone that has not synced says about itself: its `/ready` text (kuma-local's names a
/// failing sync from global and its error), in one sentence or a short quote.
async fn zone_says(zone: &Zone) -> String {
    // A zone on its own (not federated) answers and is ready, and never receives anything from
    // the global control plane: its configuration says so (Kuma serves `/config` to admins).
    // Asked together, so a zone gone quiet costs one wait, not two.
    let (config, ready) = futures_util::join!(
        zone.client.get_text_once("/config", READY_WAIT),
        zone.client.get_text_once("/ready", READY_WAIT)
    );
    if let Ok((200, text)) = config {
        let mode = serde_json::from_str(&text)
            .ok()
            .and_then(|c| kuma_mzs_core::api::Mode::from_config(&c));
        if let Some(kuma_mzs_core::api::Mode::Zone {
            federated: false, ..
        }) = mode
        {
            return "The zone is not connected to a global control plane: its `GET /config` names no `multizone.zone.globalAddress`, so it runs on its own and never receives what the global control plane holds. Connect it to the global control plane this provider's `endpoint` names (Kuma: `KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS`; kuma-local: `--global-address`), or remove its `zone` block.".to_owned();
        }
    }
    match ready {
        // Kuma serves readiness on its diagnostics port, not on the API.
        Ok((404, _)) => "The zone's API has no `/ready` (Kuma serves readiness on the control plane's diagnostics port, 5680 by default): look there and at the zone's logs for its sync from global.".to_owned(),
        Ok((status, text)) => {
            let text = text.trim();
            let text = if text.is_empty() { "(empty)" } else { text };
            format!("The zone's `/ready` answers {status}:\n{text}")
        }
        Err(e) => format!("The zone's `/ready` could not be read either ({e}); look at the zone's logs for its sync from global."),
    }
}

/// The entry of a zone block whose endpoint is not that zone's control plane
/// ([`crate::config::Zone::problem`]).
pub fn misconfigured(zone: &Zone, problem: &str) -> Value {
    let mut value = entry(zone, None, UNREACHABLE);
    value.set(
        "error",
        Value::string(format!(
            "not read: the zone block's endpoint {} is wrong: {problem}",
            zone.client.endpoint()
        )),
    );
    value
}

/// Whether the zone holds `spec` (when given) with a VIP and, where its release writes one
/// (`KumaVersion::writes_mzs_matched_condition`, from 2.13), the `MeshServicesMatched`
/// condition computed. A zone copy holds global's spec unchanged (the core's `kds::zone_copy`
/// renames and relabels, never touches the spec), so a copy whose spec differs is one the zone
/// has not replaced yet.
fn synced(
    item: Option<&serde_json::Value>,
    spec: Option<&serde_json::Value>,
    version: Option<KumaVersion>,
) -> bool {
    let Some(item) = item else { return false };
    let status = status_of(item);
    // A release that could not be read (`None`): the condition only some releases write is
    // not required.
    let needs_condition = version.is_some_and(|v| v.writes_mzs_matched_condition());
    spec.is_none_or(|spec| item.get("spec") == Some(spec))
        && (!status.conditions.is_empty() || !needs_condition)
        && !status.vips.is_empty()
}

/// Read the status from every zone (in parallel). With `wait_for` (the spec just written), poll
/// each reachable zone until it has the new spec, a `MeshServicesMatched` condition (from 2.13) and a VIP,
/// and two reads in a row agree; give up after the provider `timeout` (or the operation's
/// deadline, if sooner) and report the zone `pending`. A zone that cannot be read is reported
/// at once (`unreachable`, with a warning).
pub async fn read(
    configured: &Configured,
    mesh: &str,
    name: &str,
    wait_for: Option<&serde_json::Value>,
) -> (Value, Vec<Diag>) {
    let reading = if wait_for.is_some() {
        Reading::AfterWrite
    } else {
        Reading::Refresh
    };
    read_zones(configured, mesh, name, wait_for, reading).await
}

/// Read the status from every zone once (a refresh, a data source): a zone is `synced` only
/// when its copy holds `spec`, global's current spec (a zone that refused or missed the last
/// change still holds the one before).
pub async fn refresh(
    configured: &Configured,
    mesh: &str,
    name: &str,
    spec: Option<&serde_json::Value>,
) -> (Value, Vec<Diag>) {
    read_zones(configured, mesh, name, spec, Reading::Refresh).await
}

async fn read_zones(
    configured: &Configured,
    mesh: &str,
    name: &str,
    spec: Option<&serde_json::Value>,
    reading: Reading,
) -> (Value, Vec<Diag>) {
    let poll = reading == Reading::AfterWrite;
    let wait = configured
        .client
        .remaining()
        .map_or(configured.timeout, |left| {
            left.saturating_sub(Duration::from_millis(200))
                .min(configured.timeout)
        });
    let give_up = Instant::now() + wait;
    let per_zone = configured.zones.iter().map(|zone| async move {
        // A zone block that points at the wrong control plane was reported once, when the
        // provider was configured; reading it would report another zone's values as its own.
        if let Some(problem) = &zone.problem {
            return (misconfigured(zone, problem), None);
        }
        // Warned about once, with the first resource that met it.
        if let Some(earlier) = zone.earlier_failure() {
            let mut value = entry(zone, None, UNREACHABLE);
            value.set(
                "error",
                Value::string(format!(
                    "not read: an earlier call to this zone in this provider process failed, so it is remembered as unreachable and not asked again: {earlier}"
                )),
            );
            return (value, None);
        }
        let holding = holding(configured.mode.as_ref(), zone);
        // A zone that said at configure time it is not ready is read once, not waited for
        // (warned about then).
        let waits = poll && zone.not_ready.is_none();
        let mut previous: Option<serde_json::Value> = None;
        loop {
            let found = if !poll {
                read_on_zone(configured, zone, holding, mesh, name).await
            } else {
                find_on_zone(zone, holding, mesh, name).await
            };
            let item = match found {
                Ok(item) => item,
                // The zone has not received the mesh yet.
                Err(error) if error.is_not_found() => None,
                Err(error) => {
                    log::warn(
                        "could not read zone status",
                        &[("zone", &zone.name), ("error", &error.to_string())],
                    );
                    // Only the zone's own failure, never this operation's deadline running
                    // out (a resource's short `timeouts.read`), marks it for the other
                    // resources of the process.
                    let remembered = error.is_endpoint_failure();
                    if remembered {
                        zone.remember_failure(&error.to_string());
                    }
                    let (value, diag) = unreachable(zone, &error, reading, remembered);
                    return (value, Some(diag));
                }
            };
            let is_synced = synced(
                item.as_ref(),
                spec,
                (configured.release_not_read().is_none()).then_some(configured.kuma_version),
            );
            let state = if is_synced { SYNCED } else { PENDING };
            if !waits {
                return (entry(zone, item.as_ref(), state), None);
            }
            let stable = previous.is_some() && previous == item;
            if (is_synced && stable) || Instant::now() >= give_up || crate::client::stopping() {
                let diag = if is_synced {
                    None
                } else {
                    log::warn(
                        "zone status did not settle before the timeout",
                        &[("zone", &zone.name)],
                    );
                    let says = zone_says(zone).await;
                    Some(not_synced(zone, item.is_some(), wait, &says))
                };
                return (entry(zone, item.as_ref(), state), diag);
            }
            previous = item;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let (entries, diags): (Vec<Value>, Vec<Option<Diag>>) =
        join_all(per_zone).await.into_iter().unzip();
    (Value::List(entries), diags.into_iter().flatten().collect())
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    use crate::test_server::block_on;

    /// A zone copy with its VIP and no `MeshServicesMatched` condition (Kuma 2.12 writes none)
    /// is synced under 2.12, not under 3.0, and, when the release could not be read (`None`),
    /// under what every release agrees on: synced.
    #[test]
    fn a_copy_without_the_matched_condition_is_synced_unless_its_release_writes_one() {
        let spec = serde_json::json!({"ports": [{"port": 80}]});
        let item = serde_json::json!({
            "spec": spec,
            "status": {"addresses": [], "vips": [{"ip": "243.0.0.1"}], "conditions": []},
        });
        assert!(!status_of(&item).vips.is_empty(), "{item}");
        assert!(synced(Some(&item), Some(&spec), Some(KumaVersion::V2_12)));
        assert!(!synced(Some(&item), Some(&spec), Some(KumaVersion::V3_0)));
        assert!(synced(Some(&item), Some(&spec), None));
    }

    /// The configured zone `north` at `endpoint`.
    fn zone_at(endpoint: &str) -> Zone {
        let config = Value::object([
            ("endpoint", Value::string("http://127.0.0.1:1")),
            (
                "zone",
                Value::List(vec![Value::object([
                    ("name", Value::string("north")),
                    ("endpoint", Value::string(endpoint)),
                ])]),
            ),
        ]);
        match crate::config::configure(&config) {
            Ok(crate::config::Configuration::Ready(configured)) => configured.zones[0].clone(),
            _ => panic!("the provider configures"),
        }
    }

    /// One resource's short read deadline (`timeouts { read = "1ms" }`) is not the zone's
    /// failure: its entry and warning say so, and the next resource reads the zone as usual. A
    /// zone that lets a read wait as long as any operation would is remembered.
    #[test]
    fn only_the_zones_own_failure_marks_it_unreachable_for_the_process() {
        block_on(async {
            let app = axum::Router::new().route(
                "/meshes/default/meshmultizoneservices",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    axum::Json(serde_json::json!({"items": [], "total": 0}))
                }),
            );
            let zone = crate::test_server::serve(app).await;
            let configured = |operation_timeout: &str| {
                let config = Value::object([
                    ("endpoint", Value::string("http://127.0.0.1:1")),
                    ("operation_timeout", Value::string(operation_timeout)),
                    (
                        "zone",
                        Value::List(vec![Value::object([
                            ("name", Value::string("north")),
                            ("endpoint", Value::string(&zone)),
                        ])]),
                    ),
                ]);
                match crate::config::configure(&config) {
                    Ok(crate::config::Configuration::Ready(configured)) => configured,
                    _ => panic!("the provider configures"),
                }
            };
            let process = configured("60s");
            let short = process.with_deadline(
                Duration::from_millis(20),
                crate::client::DeadlineSetBy::ResourceTimeouts,
            );
            let (entries, diags) = refresh(&short, "default", "redis", None).await;
            assert_eq!(entries.items()[0].get("state").as_str(), Some(UNREACHABLE));
            let error = entries.items()[0].get("error").as_str().unwrap_or_default();
            assert!(!error.trim_end().ends_with(':'), "{error}");
            let [warning] = diags.as_slice() else {
                panic!("one warning: {diags:?}");
            };
            for words in [
                "could not be read: gave up on",
                "says nothing about the zone",
            ] {
                assert!(warning.detail.contains(words), "{}", warning.detail);
            }
            for words in [
                "the change itself",
                "Last problem: .",
                "remembered as unreachable for",
            ] {
                assert!(!warning.detail.contains(words), "{}", warning.detail);
            }
            assert_eq!(process.zones[0].earlier_failure(), None);
            // The next resource, with the usual deadline, reads the zone.
            let (entries, diags) =
                refresh(&process.for_plan_or_read(), "default", "redis", None).await;
            assert_eq!(
                entries.items()[0].get("state").as_str(),
                Some(PENDING),
                "{diags:?}"
            );
            assert_eq!(diags, []);

            // Where every operation waits at most 300ms, a zone that lets one wait that long
            // without an answer is remembered, and the warning says so.
            let process = configured("300ms");
            let (entries, diags) =
                refresh(&process.for_plan_or_read(), "default", "redis", None).await;
            assert_eq!(entries.items()[0].get("state").as_str(), Some(UNREACHABLE));
            assert!(
                diags.iter().any(|d| d
                    .detail
                    .contains("remembered as unreachable for the rest of this provider process")),
                "{diags:?}"
            );
            assert!(process.zones[0].earlier_failure().is_some());
        });
    }

    #[test]
    fn a_zone_that_has_not_synced_is_quoted_from_its_ready_or_told_where_to_look() {
        block_on(async {
            let not_ready = "not ready: sync from global failing for 3 s: 401 Unauthorized";
            let app = axum::Router::new().route(
                "/ready",
                axum::routing::get(move || async move {
                    (axum::http::StatusCode::SERVICE_UNAVAILABLE, not_ready)
                }),
            );
            let zone = zone_at(&crate::test_server::serve(app).await);
            let says = zone_says(&zone).await;
            assert_eq!(
                says,
                format!("The zone's `/ready` answers 503:\n{not_ready}")
            );
            let diag = not_synced(&zone, false, Duration::from_secs(3), &says);
            assert!(
                diag.detail.contains("after 3s it has not received it"),
                "{}",
                diag.detail
            );
            assert!(diag.detail.ends_with(not_ready), "{}", diag.detail);

            // A zone on its own says so in its configuration: the warning says to connect it.
            let standalone = axum::Router::new().route(
                "/config",
                axum::routing::get(|| async {
                    axum::Json(serde_json::json!({"mode": "zone", "multizone": {"zone": {"name": "north"}}}))
                }),
            );
            let says = zone_says(&zone_at(&crate::test_server::serve(standalone).await)).await;
            assert!(
                says.starts_with("The zone is not connected to a global control plane"),
                "{says}"
            );

            // Kuma's API has no `/ready`: the warning says where readiness is served.
            let kuma = zone_at(&crate::test_server::serve(axum::Router::new()).await);
            let says = zone_says(&kuma).await;
            assert!(says.contains("diagnostics port, 5680"), "{says}");

            // A zone gone quiet since: its answer is no answer, said so, without a long wait.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let silent = format!("http://{}", listener.local_addr().expect("address"));
            let started = std::time::Instant::now();
            let says = zone_says(&zone_at(&silent)).await;
            assert!(says.contains("could not be read either"), "{says}");
            assert!(started.elapsed() < READY_WAIT + Duration::from_secs(1));
            drop(listener);
        });
    }
}
