//! Per-zone status of a MeshMultiZoneService, read from each configured zone control plane.
//!
//! Kuma computes MZS status only on zones (global keeps `status: {}`), and a zone stores the
//! synced copy under a hashed name, so the zone copy is found by its `kuma.io/display-name` label.

use std::time::{Duration, Instant};

use futures_util::future::join_all;

use crate::client::encode;
use crate::config::{Configured, Zone};
use crate::log;
use crate::value::{Ty, Value};

/// Type of one `zone_status` entry.
pub fn zone_status_type() -> Ty {
    let condition = Ty::object([
        ("type", Ty::String),
        ("status", Ty::String),
        ("reason", Ty::String),
        ("message", Ty::String),
    ]);
    Ty::object([
        ("zone", Ty::String),
        ("found", Ty::Bool),
        ("vip", Ty::String),
        ("hostnames", Ty::list(Ty::String)),
        ("mesh_services", super::data_sources::mesh_services_ty()),
        ("conditions", Ty::list(condition)),
    ])
}

/// Description for docs.
pub const ZONE_STATUS_DESCRIPTION: &str = "What each configured `zone` control plane computed for this MeshMultiZoneService, in provider `zone` order: `found` (the zone has received it), `vip`, `hostnames`, `mesh_services` (matched MeshServices: name, namespace, zone, mesh) and `conditions` (e.g. `MeshServicesMatched`). Read after apply and on every refresh; empty when no zones are configured.";

async fn find_on_zone(zone: &Zone, mesh: &str, name: &str) -> Option<serde_json::Value> {
    let path = format!(
        "/meshes/{}/meshmultizoneservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D={}",
        encode(mesh),
        encode(name)
    );
    match zone.client.list_all(&path).await {
        Ok(items) => items.into_iter().find(|item| {
            let labels = item.get("labels");
            let display = labels
                .and_then(|l| l.get("kuma.io/display-name"))
                .and_then(|v| v.as_str());
            let origin = labels
                .and_then(|l| l.get("kuma.io/origin"))
                .and_then(|v| v.as_str());
            display == Some(name) && origin != Some("zone")
        }),
        Err(e) => {
            log::warn(
                "could not read zone status",
                &[("zone", &zone.name), ("error", &e.to_string())],
            );
            None
        }
    }
}

fn entry(zone: &Zone, item: Option<&serde_json::Value>) -> Value {
    let status = item.and_then(|i| i.get("status"));
    let list = |key: &str| {
        status
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let s = |v: &serde_json::Value, k: &str| {
        Value::string(v.get(k).and_then(|x| x.as_str()).unwrap_or(""))
    };
    let vip = list("vips")
        .first()
        .and_then(|v| v.get("ip"))
        .and_then(|v| v.as_str())
        .map(Value::string)
        .unwrap_or(Value::Null);
    let hostnames: Vec<String> = list("addresses")
        .iter()
        .filter_map(|a| {
            a.get("hostname")
                .and_then(|h| h.as_str())
                .map(str::to_owned)
        })
        .collect();
    Value::object([
        ("zone", Value::string(&zone.name)),
        ("found", Value::Bool(item.is_some())),
        ("vip", vip),
        ("hostnames", Value::from_strings(hostnames)),
        (
            "mesh_services",
            Value::List(
                list("meshServices")
                    .iter()
                    .map(|m| {
                        Value::object([
                            ("name", s(m, "name")),
                            ("namespace", s(m, "namespace")),
                            ("zone", s(m, "zone")),
                            ("mesh", s(m, "mesh")),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "conditions",
            Value::List(
                list("conditions")
                    .iter()
                    .map(|c| {
                        Value::object([
                            ("type", s(c, "type")),
                            ("status", s(c, "status")),
                            ("reason", s(c, "reason")),
                            ("message", s(c, "message")),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

fn settled(item: Option<&serde_json::Value>, spec: &serde_json::Value) -> bool {
    let Some(item) = item else { return false };
    let status = item.get("status");
    let has = |k: &str| {
        status
            .and_then(|s| s.get(k))
            .and_then(|v| v.as_array())
            .is_some_and(|a| !a.is_empty())
    };
    item.get("spec") == Some(spec) && has("conditions") && has("vips")
}

/// Read the status from every zone (in parallel). With `wait_for` (the spec just written), poll
/// each zone until it has the new spec, a `MeshServicesMatched` condition and a VIP, and two
/// reads in a row agree; give up after the provider timeout and return what is there.
pub async fn read(
    configured: &Configured,
    mesh: &str,
    name: &str,
    wait_for: Option<&serde_json::Value>,
) -> Value {
    let deadline = Instant::now() + configured.timeout;
    let per_zone = configured.zones.iter().map(|zone| async move {
        let mut previous: Option<serde_json::Value> = None;
        loop {
            let item = find_on_zone(zone, mesh, name).await;
            let Some(spec) = wait_for else {
                return entry(zone, item.as_ref());
            };
            let stable = previous.is_some() && previous == item;
            if (settled(item.as_ref(), spec) && stable)
                || Instant::now() >= deadline
                || crate::client::stopping()
            {
                if !settled(item.as_ref(), spec) {
                    log::warn(
                        "zone status did not settle before the timeout",
                        &[("zone", &zone.name)],
                    );
                }
                return entry(zone, item.as_ref());
            }
            previous = item;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Value::List(join_all(per_zone).await)
}
