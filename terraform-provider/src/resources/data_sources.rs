//! Data sources: one MeshMultiZoneService, a filtered list of MeshServices, and the preview of a
//! MeshMultiZoneService that does not need to exist yet.

use std::collections::BTreeMap;

use kuma_mzs_core::model::{Meta, Resource, Spec};
use kuma_mzs_core::preview::PreviewOptions;
use kuma_mzs_core::ResourceType;

use super::mesh_multi_zone_service::{port_block, selector_block, spec_from_config};
use super::{json_str, zones};
use crate::client::encode;
use crate::config::Configured;
use crate::diag::{self, Diag};
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Ty, Value};

/// `kuma_mesh_multi_zone_service`.
pub const MZS: &str = "kuma_mesh_multi_zone_service";
/// `kuma_mesh_services`.
pub const MESH_SERVICES: &str = "kuma_mesh_services";
/// `kuma_mesh_multi_zone_service_preview`.
pub const PREVIEW: &str = "kuma_mesh_multi_zone_service_preview";

fn port_type() -> Ty {
    Ty::object([
        ("name", Ty::String),
        ("port", Ty::Number),
        ("app_protocol", Ty::String),
    ])
}

/// Schema of `kuma_mesh_multi_zone_service`.
pub fn mzs_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Reads one MeshMultiZoneService from the global control plane, with its per-zone status when the provider has `zone` blocks.",
            attributes: vec![
                Attribute::computed("id", Ty::String, "`<mesh>/<name>`."),
                Attribute::optional_computed("mesh", Ty::String, "Mesh. Default `default`."),
                Attribute::required("name", Ty::String, "Name."),
                Attribute::computed("labels", Ty::map(Ty::String), "All labels, including the ones Kuma adds."),
                Attribute::computed("match_labels", Ty::map(Ty::String), "`spec.selector.meshService.matchLabels`."),
                Attribute::computed("ports", Ty::list(port_type()), "`spec.ports`."),
                Attribute::computed("kri", Ty::String, "Kuma Resource Identifier; null against Kuma 2.9 to 2.12, which report none."),
                Attribute::computed("snis", Ty::list(Ty::object([("port", Ty::Number), ("sni", Ty::String)])), "SNI per port, as the control plane reports them (Kuma 2.14 and later; empty before)."),
                Attribute::computed("creation_time", Ty::String, "Creation time (RFC 3339)."),
                Attribute::computed("modification_time", Ty::String, "Last modification time (RFC 3339)."),
                Attribute::computed("zone_status", Ty::list(zones::zone_status_type()), zones::DATA_SOURCE_ZONE_STATUS_DESCRIPTION),
            ],
            blocks: vec![],
        },
    }
}

fn mesh_service_type() -> Ty {
    Ty::object([
        ("mesh", Ty::String),
        ("name", Ty::String),
        ("display_name", Ty::String),
        ("zone", Ty::String),
        ("namespace", Ty::String),
        ("state", Ty::String),
        ("labels", Ty::map(Ty::String)),
        ("ports", Ty::list(port_type())),
    ])
}

/// Schema of `kuma_mesh_services`.
pub fn mesh_services_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Lists MeshServices known to the control plane (on global: every zone's services), following every page, optionally filtered by mesh and labels (exact match, all must hold).",
            attributes: vec![
                Attribute::computed("id", Ty::String, "A stable identifier of the query."),
                Attribute::optional("mesh", Ty::String, "Only this mesh (default: every mesh)."),
                Attribute::optional("labels", Ty::map(Ty::String), "Only MeshServices carrying all these labels, e.g. `{ \"kuma.io/display-name\" = \"redis\" }`."),
                Attribute::computed("items", Ty::list(mesh_service_type()), "The MeshServices, sorted by mesh, zone and name. Each has `mesh`; `name`, the name the control plane asked stores it under (on global a zone's MeshService is a KDS copy named `<name>-<hash>`, e.g. `redis-cd75xf46x4b2zx4x`); `display_name`, its name in its own zone (its display-name label: what `zone_status[*].mesh_services[*].name` and the preview call it, so join on this one); `zone` and `namespace` (`\"\"` when it has none); `state` (`Available`/`Unavailable`); `labels`; and `ports` (`port`, `name`, `app_protocol`)."),
            ],
            blocks: vec![],
        },
    }
}

fn preview_zone_type() -> Ty {
    Ty::object([
        ("zone", Ty::String),
        ("vip", Ty::String),
        ("hostnames", Ty::list(Ty::String)),
        ("mesh_services", zones::mesh_services_ty()),
        (
            "conditions",
            Ty::list(Ty::object([
                ("type", Ty::String),
                ("status", Ty::String),
                ("reason", Ty::String),
                ("message", Ty::String),
            ])),
        ),
        ("vip_estimated", Ty::Bool),
        ("warnings", Ty::list(Ty::String)),
        ("ports_json", Ty::String),
        ("traffic_json", Ty::String),
    ])
}

/// Schema of `kuma_mesh_multi_zone_service_preview`.
pub fn preview_schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "What every zone would compute for a MeshMultiZoneService with this selector and these ports, from the live MeshServices and HostnameGenerators of the control plane: matched services per zone, VIP, hostnames, port warnings and the traffic split per client zone. It needs no existing MeshMultiZoneService, so it works at plan time before anything is created.",
            attributes: vec![
                Attribute::computed("id", Ty::String, "`<mesh>/<name>`."),
                Attribute::optional_computed("mesh", Ty::String, "Mesh. Default `default`."),
                Attribute::optional("name", Ty::String, "Name the service would have (affects hostnames). Default `preview`."),
                Attribute::optional("labels", Ty::map(Ty::String), "Labels the service would carry, as the resource's `labels` (HostnameGenerators select services by their labels, so these decide which templates give it hostnames). Default none."),
                Attribute::optional("zones", Ty::list(Ty::String), "Zones to preview (default: the provider's `zone` names plus every zone a MeshService comes from)."),
                Attribute::computed("zone", Ty::list(preview_zone_type()), "One entry per zone, in zone-name order: `vip` (for a zone listed in the provider's `zone` blocks: the VIP the zone holds for this service, or the one it will assign next, from the VIPs the zone has in use and, on kuma-local, the allocator position it reports; `vip_estimated` is `false` when it is certain, which for a service that does not exist yet holds for one new MeshMultiZoneService per apply: a zone assigns VIPs in the order it receives the creates, so when one run previews several new services (`for_each`), a preview whose VIP an earlier preview of the run predicted for another new service says `true`, with a warning naming it. Kuma does not publish its allocator's position, so there the next VIP is exact unless the zone's newest MeshMultiZoneService was deleted, and `vip_estimated = true`. For other zones an estimate from the global control plane's view, which has no VIPs: `vip_estimated = true`), `hostnames` (on a configured zone, without those other services of the mesh already hold there: Kuma gives each hostname to one service, and the warning names the holder), matched `mesh_services`, `conditions`, `warnings` (ports no matched service serves, unavailable services...), and `ports_json`/`traffic_json` (per-port matching and traffic split for a client in that zone, as JSON)."),
                Attribute::computed("json", Ty::String, "The whole preview as JSON (the core preview engine's answer)."),
            ],
            blocks: vec![selector_block(), port_block()],
        },
    }
}

/// Read a data source.
pub async fn read(configured: &Configured, type_name: &str, config: &Value) -> (Value, Vec<Diag>) {
    match type_name {
        MZS => read_mzs(configured, config).await,
        MESH_SERVICES => read_mesh_services(configured, config).await,
        PREVIEW => read_preview(configured, config).await,
        other => (
            Value::Null,
            vec![Diag::error("Unknown data source", other.to_owned())],
        ),
    }
}

/// The `port` blocks of an MZS spec as Kuma returns it (`appProtocol` defaults to `tcp`).
pub(crate) fn ports_value(spec: Option<&serde_json::Value>) -> Value {
    Value::List(
        spec.and_then(|s| s.get("ports"))
            .and_then(|p| p.as_array())
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                Value::object([
                    ("name", json_str(p, "name")),
                    (
                        "port",
                        p.get("port")
                            .cloned()
                            .map(Value::from_json)
                            .unwrap_or(Value::Null),
                    ),
                    (
                        "app_protocol",
                        Value::string(
                            p.get("appProtocol")
                                .and_then(|v| v.as_str())
                                .map(str::to_owned)
                                .unwrap_or_else(kuma_mzs_core::model::default_app_protocol),
                        ),
                    ),
                ])
            })
            .collect(),
    )
}

/// The `snis` of a resource as Kuma returns it (`[{port, sni}]`).
pub(crate) fn snis_value(item: &serde_json::Value) -> Value {
    Value::List(
        item.get("snis")
            .and_then(|s| s.as_array())
            .map(|snis| {
                snis.iter()
                    .map(|s| {
                        Value::object([
                            (
                                "port",
                                s.get("port")
                                    .cloned()
                                    .map(Value::from_json)
                                    .unwrap_or(Value::Null),
                            ),
                            ("sni", json_str(s, "sni")),
                        ])
                    })
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A JSON object of strings as a Terraform map (null when absent or not all strings).
pub(crate) fn string_map(v: Option<&serde_json::Value>) -> Value {
    v.and_then(|m| serde_json::from_value::<BTreeMap<String, String>>(m.clone()).ok())
        .map(|m| Value::from_string_map(&m))
        .unwrap_or(Value::Null)
}

async fn read_mzs(configured: &Configured, config: &Value) -> (Value, Vec<Diag>) {
    let mesh = config
        .get("mesh")
        .as_str()
        .unwrap_or(kuma_mzs_core::defaults::DEFAULT_MESH)
        .to_owned();
    let Some(name) = config.get("name").as_str() else {
        return (Value::Null, vec![Diag::error("name is required", "")]);
    };
    let path = format!(
        "/meshes/{}/meshmultizoneservices/{}",
        encode(&mesh),
        encode(name)
    );
    match configured.client.get_item(&path).await {
        Ok(item) => {
            let (zone_status, zone_diags) =
                zones::refresh(configured, &mesh, name, item.get("spec")).await;
            let spec = item.get("spec");
            let snis = snis_value(&item);
            let state = Value::object([
                ("id", Value::string(format!("{mesh}/{name}"))),
                ("mesh", Value::string(&mesh)),
                ("name", Value::string(name)),
                ("labels", string_map(item.get("labels"))),
                (
                    "match_labels",
                    string_map(
                        spec.and_then(|s| s.get("selector"))
                            .and_then(|s| s.get("meshService"))
                            .and_then(|s| s.get("matchLabels")),
                    ),
                ),
                ("ports", ports_value(spec)),
                ("kri", json_str(&item, "kri")),
                ("snis", snis),
                ("creation_time", json_str(&item, "creationTime")),
                ("modification_time", json_str(&item, "modificationTime")),
                ("zone_status", zone_status),
            ]);
            (state.conform(&mzs_schema().ty()), zone_diags)
        }
        Err(e) if e.is_not_found() => (
            Value::Null,
            vec![
                match super::missing_mesh(configured, &mesh, MESH_FIX).await {
                    Some(missing) => missing,
                    None => not_found(configured.client.endpoint(), &mesh, name),
                },
            ],
        ),
        Err(e) => (
            Value::Null,
            diag::from_client_error("Could not read the MeshMultiZoneService", &e),
        ),
    }
}

/// The error of a `kuma_mesh_multi_zone_service` data source whose service is not there. The
/// usual cause is a service the same configuration creates: Terraform reads a data source at
/// plan, before the create, unless it depends on something known only after apply.
fn not_found(endpoint: &str, mesh: &str, name: &str) -> Diag {
    Diag::error(
        "MeshMultiZoneService not found",
        format!(
            "There is no MeshMultiZoneService {name:?} in mesh {mesh:?} on {endpoint}.\n\nIf this configuration creates it (a `kuma_mesh_multi_zone_service` resource), Terraform reads this data source at plan, before the create: use that resource's attributes instead of the data source, or add `depends_on = [<that resource>]` to the data source so it is read after the create."
        ),
    )
    .at(diag::attr("name"))
}

fn list_path(base: &str, labels: &BTreeMap<String, String>) -> String {
    let mut path = base.to_owned();
    let mut separator = '?';
    for (k, v) in labels {
        path.push(separator);
        separator = '&';
        path.push_str(&format!("filter%5Blabels.{}%5D={}", encode(k), encode(v)));
    }
    path
}

async fn fetch_mesh_services(
    configured: &Configured,
    mesh: Option<&str>,
    labels: &BTreeMap<String, String>,
) -> Result<Vec<serde_json::Value>, Vec<Diag>> {
    let base = match mesh {
        Some(m) => format!("/meshes/{}/meshservices", encode(m)),
        None => "/meshservices".to_owned(),
    };
    let listed = configured.client.list_all(&list_path(&base, labels)).await;
    // A mesh that does not exist lists as a 404 on Kuma, and as nothing on servers that do not
    // check: either way one GET of the Mesh tells a typo from an empty mesh.
    let Some(mesh) = mesh else {
        return listed.map_err(|e| diag::from_client_error("Could not list MeshServices", &e));
    };
    match listed {
        Ok(items) if !items.is_empty() => Ok(items),
        Ok(items) => match super::missing_mesh(configured, mesh, MESH_SERVICES_MESH_FIX).await {
            Some(missing) => Err(vec![missing]),
            None => Ok(items),
        },
        Err(e) if e.is_not_found() => {
            match super::missing_mesh(configured, mesh, MESH_SERVICES_MESH_FIX).await {
                Some(missing) => Err(vec![missing]),
                None => Err(diag::from_client_error("Could not list MeshServices", &e)),
            }
        }
        Err(e) => Err(diag::from_client_error("Could not list MeshServices", &e)),
    }
}

/// What to do about a data source's `mesh` that names no Mesh.
const MESH_FIX: &str = "check the `mesh` argument (GET /meshes lists the meshes there).";

/// [`MESH_FIX`] for `kuma_mesh_services`, whose `mesh` may be left out.
const MESH_SERVICES_MESH_FIX: &str = "check the `mesh` argument (GET /meshes lists the meshes \
there; kuma_mesh_services without `mesh` lists every mesh).";

async fn read_mesh_services(configured: &Configured, config: &Value) -> (Value, Vec<Diag>) {
    let mesh = config.get("mesh").as_str();
    let filter = config.get("labels").as_string_map().unwrap_or_default();
    let items = match fetch_mesh_services(configured, mesh, &filter).await {
        Ok(items) => items,
        Err(diags) => return (Value::Null, diags),
    };
    let mut skipped = Vec::new();
    let mut rows: Vec<(String, String, String, Value)> = items
        .iter()
        // Servers without label filters still get the right answer.
        .filter(|item| {
            filter.iter().all(|(k, v)| {
                item.get("labels")
                    .and_then(|l| l.get(k))
                    .and_then(|x| x.as_str())
                    == Some(v)
            })
        })
        .filter_map(|item| {
            // The core decodes the item (display name, zone, namespace, state defaults), so the
            // rows say what Kuma means, not what a hand-written reading guesses.
            let resource =
                match kuma_mzs_core::api::decode_value(ResourceType::MeshService, item.clone()) {
                    Ok(r) => r,
                    Err(message) => {
                        skipped.push(format!(
                            "{:?}: {message}",
                            item.get("name").and_then(|n| n.as_str()).unwrap_or("")
                        ));
                        return None;
                    }
                };
            let Spec::MeshService(spec) = &resource.spec else {
                return None;
            };
            let meta = &resource.meta;
            let state = serde_json::to_value(spec.effective_state())
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let row = Value::object([
                ("mesh", Value::string(&meta.mesh)),
                ("name", Value::string(&meta.name)),
                ("display_name", Value::string(meta.display_name())),
                ("zone", Value::string(meta.zone())),
                ("namespace", Value::string(meta.namespace())),
                ("state", Value::string(state)),
                ("labels", Value::from_string_map(&meta.labels)),
                ("ports", ports_value(item.get("spec"))),
            ]);
            Some((
                meta.mesh.clone(),
                meta.zone().to_owned(),
                meta.name.clone(),
                row,
            ))
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    let id = format!(
        "{}?{}",
        mesh.unwrap_or("*"),
        filter
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    );
    let state = Value::object([
        ("id", Value::string(id)),
        ("mesh", config.get("mesh").clone()),
        ("labels", config.get("labels").clone()),
        (
            "items",
            Value::List(rows.into_iter().map(|r| r.3).collect()),
        ),
    ]);
    let diags = skipped
        .into_iter()
        .map(|s| Diag::warning("A MeshService from the control plane could not be read", s))
        .collect();
    (state.conform(&mesh_services_schema().ty()), diags)
}

/// REST items decoded by the core (the same decoding kuma-local applies to its store); an item
/// that does not decode is reported, not silently dropped.
fn to_resources(
    items: &[serde_json::Value],
    kind: ResourceType,
    diags: &mut Vec<Diag>,
) -> Vec<Resource> {
    let mut resources = Vec::with_capacity(items.len());
    for item in items {
        match kuma_mzs_core::api::decode_listed(kind, item.clone()) {
            Ok(resource) => resources.push(resource),
            Err(message) => diags.push(Diag::warning(
                format!(
                    "A {} from the control plane was left out of the preview",
                    kind.name()
                ),
                format!(
                    "{:?}: {message}",
                    item.get("name").and_then(|n| n.as_str()).unwrap_or("")
                ),
            )),
        }
    }
    resources
}

/// What a configured zone already holds, as far as a new service is concerned.
#[derive(Default)]
struct ZoneHoldings {
    /// The VIP this service has there, or the one the zone will assign it next (through the
    /// core's rule); `None` when the zone cannot tell.
    vip: Option<std::net::Ipv4Addr>,
    /// Whether the service holds `vip` already (else it is the next one the zone assigns).
    held: bool,
    /// Whether `vip` is certain: the service holds it, or the zone reported its allocator's
    /// cursor (kuma-local does; Kuma does not, so there it is the core's best estimate).
    vip_exact: bool,
    /// Hostnames other services of the mesh hold there -> the holder's display name.
    claimed: BTreeMap<String, String>,
}

/// The VIPs this provider process's previews predicted for MeshMultiZoneServices that do not
/// exist yet: (zone, VIP) -> the (mesh, name) it was predicted for. A zone gives each new MZS
/// the next VIP in the order it receives them, so when one plan previews several new MZS each
/// preview on its own predicts the same next VIP, and which one gets it depends on the order
/// of the creates in the apply, which no plan can know. The rule of which VIP a zone assigns
/// is the core's ([`kuma_mzs_core::zone_vip`]); this is bookkeeping only.
#[derive(Debug, Default)]
pub struct PredictedVips(
    std::sync::Mutex<BTreeMap<(String, std::net::Ipv4Addr), (String, String)>>,
);

impl PredictedVips {
    /// Record that a preview of `mesh`/`name` predicted `vip` on `zone`; the (mesh, name) of
    /// another new service a preview predicted it for already, if any (the first one keeps it).
    pub fn note(
        &self,
        zone: &str,
        vip: std::net::Ipv4Addr,
        mesh: &str,
        name: &str,
    ) -> Option<(String, String)> {
        let Ok(mut seen) = self.0.lock() else {
            return None;
        };
        let holder = seen
            .entry((zone.to_owned(), vip))
            .or_insert_with(|| (mesh.to_owned(), name.to_owned()));
        (holder.0 != mesh || holder.1 != name).then(|| holder.clone())
    }
}

/// The warning of a preview of `mesh`/`name` whose next VIP on some zones another preview of
/// this process predicted for another new service (`shared`: zone, VIP, the other's mesh and
/// name).
fn shared_prediction(
    mesh: &str,
    name: &str,
    shared: &[(String, std::net::Ipv4Addr, (String, String))],
) -> Diag {
    let each: Vec<String> = shared
        .iter()
        .map(|(zone, vip, (m, n))| format!("zone {zone:?}: {vip}, also previewed for {m}/{n}"))
        .collect();
    Diag::warning(
        format!("Another new MeshMultiZoneService was previewed with the same VIP as {mesh}/{name}"),
        format!(
            "{}.\n\nEach preview finds the next VIP a zone assigns on its own. When several MeshMultiZoneServices are created in one apply, the zone assigns VIPs in the order it receives them, which no plan can know, so this preview says `vip_estimated = true` there. The first preview could not know of the others either: its VIP holds only if its service is created first. The exact answer holds for one new MeshMultiZoneService per apply.",
            each.join("; ")
        ),
    )
    .at(diag::attr("name"))
}

/// kuma-local's report of a zone's VIP ranges and allocator (Kuma answers 404).
const KUMA_LOCAL_IPAM: &str = "/_kuma-local/ipam";

/// The zone's MZS CIDR and allocator cursor from its IPAM report, else `cidr` and no cursor.
fn reported_allocator(
    ipam: Option<&serde_json::Value>,
    cidr: ipnet::Ipv4Net,
) -> (ipnet::Ipv4Net, Option<std::net::Ipv4Addr>) {
    let Some(mzs) = ipam.and_then(|i| i.get("meshMultiZoneService")) else {
        return (cidr, None);
    };
    let text = |key: &str| mzs.get(key).and_then(|v| v.as_str());
    let cidr = text("cidr").and_then(|c| c.parse().ok()).unwrap_or(cidr);
    (cidr, text("cursor").and_then(|c| c.parse().ok()))
}

/// Read each configured zone's MZS copies; zones that could not be read are left out, with a
/// warning.
async fn zone_holdings(
    configured: &Configured,
    mesh: &str,
    name: &str,
    options: &PreviewOptions,
    diags: &mut Vec<Diag>,
) -> BTreeMap<String, ZoneHoldings> {
    let reads = configured.zones.iter().map(|zone| async move {
        // Another zone's (or global's) holdings would be taken for this zone's.
        if let Some(problem) = &zone.problem {
            return (
                zone,
                Err(crate::client::ClientError::Config(format!(
                    "the zone block's endpoint {} is wrong: {problem}",
                    zone.client.endpoint()
                ))),
                None,
            );
        }
        // A zone that did not answer earlier in this process is not waited for again.
        if let Some(earlier) = zone.earlier_failure() {
            return (
                zone,
                Err(crate::client::ClientError::Transport {
                    endpoint: zone.client.endpoint().to_owned(),
                    message: format!(
                        "not asked: it is remembered as unreachable for the rest of this provider process ({earlier})"
                    ),
                    sent: false,
                }),
                None,
            );
        }
        let (listed, ipam) = futures_util::join!(
            zone.client.list_all("/meshmultizoneservices"),
            zone.client.get(KUMA_LOCAL_IPAM),
        );
        (zone, listed, ipam.ok())
    });
    let mut holdings = BTreeMap::new();
    for (zone, listed, ipam) in futures_util::future::join_all(reads).await {
        let items = match listed {
            Ok(items) => items,
            Err(e) => {
                diags.push(Diag::warning(
                    format!("Zone {:?} could not be read for the preview", zone.name),
                    format!("{e}. Its VIP is an estimate (`vip_estimated = true`) and hostnames other services hold there are not known."),
                ));
                continue;
            }
        };
        let holding = zones::holding(configured.mode.as_ref(), zone);
        let mut in_use = Vec::new();
        let mut ours = None;
        let mut claimed = BTreeMap::new();
        for item in items {
            let Ok(resource) =
                kuma_mzs_core::api::decode_value(ResourceType::MeshMultiZoneService, item.clone())
            else {
                continue;
            };
            let status = zones::status_of(&item);
            let ips: Vec<std::net::Ipv4Addr> = status
                .vips
                .iter()
                .filter_map(|v| v.ip.as_deref()?.parse().ok())
                .collect();
            let meta = &resource.meta;
            let zone_origin = meta
                .labels
                .get(kuma_mzs_core::model::labels::ORIGIN)
                .is_some_and(|o| o == zones::zone_origin());
            let is_ours = match holding {
                zones::Holding::CopyOfGlobal => meta.display_name() == name && !zone_origin,
                zones::Holding::Own => meta.name == name,
            };
            if meta.mesh == mesh && is_ours {
                ours = ips.first().copied();
            } else if meta.mesh == mesh {
                for hostname in status.addresses.iter().filter_map(|a| a.hostname.clone()) {
                    claimed.insert(hostname, meta.display_name().to_owned());
                }
            }
            in_use.extend(ips);
        }
        let (cidr, cursor) = reported_allocator(ipam.as_ref(), options.mzs_cidr);
        let next = kuma_mzs_core::zone_vip::next_vip(cidr, &in_use, cursor);
        let (vip, vip_exact) = match ours {
            Some(ip) => (Some(ip), true),
            None => match next {
                Some(n) if n.from_zone => (Some(n.ip), n.exact),
                _ => (None, false),
            },
        };
        holdings.insert(
            zone.name.clone(),
            ZoneHoldings {
                vip,
                held: ours.is_some(),
                vip_exact,
                claimed,
            },
        );
    }
    holdings
}

async fn read_preview(configured: &Configured, config: &Value) -> (Value, Vec<Diag>) {
    let mesh = config
        .get("mesh")
        .as_str()
        .unwrap_or(kuma_mzs_core::defaults::DEFAULT_MESH)
        .to_owned();
    let name = config.get("name").as_str().unwrap_or("preview").to_owned();
    // A release that could not be read: the spec as the newest release that takes it reads
    // it, what only some refuse a warning with the cause (not an error under a guessed one).
    let unread = configured.release_not_read();
    let mut unread_warnings = Vec::new();
    let checked = match &unread {
        None => spec_from_config(config, configured.kuma_version),
        Some(unread) => {
            let mut tried = kuma_mzs_core::KumaVersion::ALL
                .iter()
                .map(|v| spec_from_config(config, *v));
            let newest = tried.next().unwrap_or(Ok(None));
            match newest {
                Err(refused) => match tried.find(Result::is_ok) {
                    Some(taken) => {
                        unread_warnings = super::release_not_read_warnings(
                            refused,
                            configured.client.endpoint(),
                            unread,
                        );
                        taken
                    }
                    None => Err(refused),
                },
                taken => taken,
            }
        }
    };
    let spec = match checked {
        Ok(Some(spec)) => spec,
        Ok(None) => {
            return (
                Value::Null,
                vec![Diag::error(
                    "Preview inputs are not known",
                    "selector and port must be known to preview.",
                )],
            )
        }
        Err(diags) => return (Value::Null, diags),
    };
    let versions = match unread {
        Some(_) => kuma_mzs_core::KumaVersion::ALL.to_vec(),
        None => vec![configured.kuma_version],
    };
    let mut diags: Vec<Diag> = super::under_every(&versions, |version| {
        kuma_mzs_core::validate::mesh_multi_zone_service(&spec, Some(&name), version)
            .into_iter()
            .map(|v| {
                Diag::warning(
                    format!(
                        "Kuma would reject this MeshMultiZoneService: {}",
                        diag::field_text(&v.field)
                    ),
                    diag::kuma_field_detail(&v.message, &v.field),
                )
                .at(diag::kuma_path(&v.field))
            })
            .collect()
    });
    diags.extend(unread_warnings);
    let client = &configured.client;
    let (services, generators, existing, missing) = futures_util::join!(
        client.list_all("/meshservices"),
        client.list_all("/hostnamegenerators"),
        client.list_all("/meshmultizoneservices"),
        super::missing_mesh(configured, &mesh, MESH_FIX),
    );
    // A preview in a mesh that does not exist would match nothing and look merely empty.
    if let Some(missing) = missing {
        return (Value::Null, vec![missing]);
    }
    let services = match services {
        Ok(s) => s,
        Err(e) => {
            return (
                Value::Null,
                diag::from_client_error("Could not list MeshServices for the preview", &e),
            )
        }
    };
    let mut resources = to_resources(&services, ResourceType::MeshService, &mut diags);
    match generators {
        Ok(g) => resources.extend(to_resources(
            &g,
            ResourceType::HostnameGenerator,
            &mut diags,
        )),
        Err(e) => diags.push(Diag::warning(
            "HostnameGenerators could not be listed; hostnames use Kuma's defaults",
            e.to_string(),
        )),
    }
    if let Ok(existing) = existing {
        resources.extend(
            to_resources(&existing, ResourceType::MeshMultiZoneService, &mut diags)
                .into_iter()
                .filter(|r| !(r.meta.mesh == mesh && r.meta.name == name)),
        );
    }
    // Labelled as the endpoint labels it on write: on a zone on its own the MZS is the zone's
    // (`kuma.io/origin: zone`), so the global's default HostnameGenerator does not apply to it.
    let mode = (configured.mode.clone()).unwrap_or(kuma_mzs_core::api::Mode::Global);
    let labels = kuma_mzs_core::api::compute_labels(
        &mode,
        configured.kuma_version,
        ResourceType::MeshMultiZoneService,
        Some(&mesh),
        &name,
        config.get("labels").as_string_map().unwrap_or_default(),
    );
    resources.push(Resource {
        meta: Meta {
            name: name.clone(),
            mesh: mesh.clone(),
            labels,
            creation_time: Some(kuma_mzs_core::api::PLANNED_CREATION_TIME.to_owned()),
        },
        spec: Spec::MeshMultiZoneService(spec),
        status: None,
    });
    let mut zone_names: Vec<String> = match config.get("zones") {
        Value::List(z) => z
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => configured.zones.iter().map(|z| z.name.clone()).collect(),
    };
    // A zone the user lists that nothing knows is most likely misspelt: its preview is that of
    // an empty zone, which would otherwise pass for a real one.
    if let Value::List(listed) = config.get("zones") {
        for (index, zone) in listed.iter().enumerate() {
            let Some(zone) = zone.as_str() else {
                continue;
            };
            let configured_zone = configured.zones.iter().any(|z| z.name == zone);
            let services_zone = resources
                .iter()
                .any(|r| r.resource_type() == ResourceType::MeshService && r.meta.zone() == zone);
            if !configured_zone && !services_zone {
                let known: Vec<&str> = configured.zones.iter().map(|z| z.name.as_str()).collect();
                diags.push(
                    Diag::warning(
                        format!("Zone {zone:?} is not known"),
                        format!(
                            "{zone:?} is neither a `zone` block of the provider ({}) nor the zone of any MeshService of mesh {mesh:?}, so its preview is that of an empty zone. Check the spelling.",
                            if known.is_empty() { "it has none".to_owned() } else { known.join(", ") }
                        ),
                    )
                    .at(vec![
                        diag::Step::Attr("zones".to_owned()),
                        diag::Step::Index(i64::try_from(index).unwrap_or(i64::MAX)),
                    ]),
                );
            }
        }
    }
    zone_names.sort();
    zone_names.dedup();
    let options = PreviewOptions {
        kuma_version: configured.kuma_version,
        ..PreviewOptions::default()
    };
    let preview = kuma_mzs_core::preview::preview(&resources, &zone_names, &options);
    let mut holdings = zone_holdings(configured, &mesh, &name, &options, &mut diags).await;
    // A next VIP another preview of this process predicted for another new service is an
    // estimate: which of them the zone serves first is the apply's order.
    let mut shared = Vec::new();
    for (zone, held) in holdings.iter_mut() {
        let (Some(vip), false) = (held.vip, held.held) else {
            continue;
        };
        if let Some(other) = configured.predicted_vips.note(zone, vip, &mesh, &name) {
            held.vip_exact = false;
            shared.push((zone.clone(), vip, other));
        }
    }
    if !shared.is_empty() {
        diags.push(shared_prediction(&mesh, &name, &shared));
    }
    let zones: Vec<Value> = preview
        .zones
        .iter()
        .map(|zone| {
            let ours = zone
                .multi_zone_services
                .iter()
                .find(|m| m.mesh == mesh && m.name == name);
            let status = ours.map(|m| m.status.clone()).unwrap_or_default();
            let mut warnings: Vec<String> = ours
                .map(|m| {
                    m.warnings
                        .iter()
                        .map(|w| format!("{}: {}", w.code, w.message))
                        .collect()
                })
                .unwrap_or_default();
            let held = holdings.get(&zone.zone);
            let status = match held {
                Some(held) => {
                    let (status, lost) =
                        kuma_mzs_core::zone_claims::with_claims(&status, &name, &held.claimed);
                    for (hostname, holder) in lost {
                        warnings.push(format!(
                            "{}: hostname {hostname:?} is already held on this zone by {holder:?}; this service will not get it",
                            kuma_mzs_core::Code::HostnameProblem
                        ));
                    }
                    status
                }
                None => status,
            };
            let mut attributes = vec![("zone", Value::string(&zone.zone))];
            attributes.extend(zones::status_attributes(&status));
            if let Some(ip) = held.and_then(|h| h.vip) {
                attributes.retain(|(k, _)| *k != "vip");
                attributes.push(("vip", Value::string(ip.to_string())));
            }
            let known = held.is_some_and(|h| h.vip_exact);
            attributes.extend([
                ("vip_estimated", Value::Bool(!known)),
                ("warnings", Value::from_strings(warnings)),
                (
                    "ports_json",
                    Value::string(
                        serde_json::to_string(&ours.map(|m| m.ports.clone()).unwrap_or_default())
                            .unwrap_or_default(),
                    ),
                ),
                (
                    "traffic_json",
                    Value::string(
                        serde_json::to_string(&ours.map(|m| m.traffic.clone()).unwrap_or_default())
                            .unwrap_or_default(),
                    ),
                ),
            ]);
            Value::object(attributes)
        })
        .collect();
    let json = serde_json::to_string(&preview).unwrap_or_default();
    let state = Value::object([
        ("id", Value::string(format!("{mesh}/{name}"))),
        ("mesh", Value::string(&mesh)),
        ("name", config.get("name").clone()),
        ("zones", config.get("zones").clone()),
        ("zone", Value::List(zones)),
        ("json", Value::string(json)),
        ("selector", config.get("selector").clone()),
        ("port", config.get("port").clone()),
    ]);
    (state.conform(&preview_schema().ty()), diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A control plane with only the Mesh `default`, that lists nothing under any mesh (200,
    /// empty), as a server that does not check the mesh of a list would.
    async fn lenient_server() -> String {
        let app = axum::Router::new().fallback(|uri: axum::http::Uri| async move {
            let path = uri.path();
            let (status, body) = if path.ends_with("/meshservices") {
                (
                    axum::http::StatusCode::OK,
                    serde_json::json!({"total": 0, "items": [], "next": null}),
                )
            } else if path == "/meshes/default" {
                (
                    axum::http::StatusCode::OK,
                    serde_json::json!({"type": "Mesh", "name": "default"}),
                )
            } else {
                (
                    axum::http::StatusCode::NOT_FOUND,
                    serde_json::json!({"status": 404, "title": "Could not retrieve a resource", "detail": "Not found"}),
                )
            };
            (status, axum::Json(body))
        });
        crate::test_server::serve(app).await
    }

    #[tokio::test]
    async fn an_empty_list_in_a_mesh_that_does_not_exist_is_an_error_on_mesh() {
        let endpoint = lenient_server().await;
        let Ok(crate::config::Configuration::Ready(configured)) =
            crate::config::configure(&Value::object([("endpoint", Value::string(&endpoint))]))
        else {
            panic!("the provider configures");
        };
        let config = |mesh: &str| {
            Value::object([("mesh", Value::string(mesh))]).conform(&mesh_services_schema().ty())
        };
        let (state, diags) = read(&configured, MESH_SERVICES, &config("typo")).await;
        assert!(state.is_null(), "{state:?}");
        let [error] = diags.as_slice() else {
            panic!("one error: {diags:?}");
        };
        assert!(error.error);
        assert_eq!(error.summary, "Mesh \"typo\" does not exist");
        assert_eq!(error.path, crate::diag::attr("mesh"));

        let (_, diags) = read(&configured, MESH_SERVICES, &config("")).await;
        let [error] = diags.as_slice() else {
            panic!("one error: {diags:?}");
        };
        assert_eq!(error.summary, "Empty mesh");
        assert!(
            error.detail.contains("without `mesh` lists every mesh"),
            "{error:?}"
        );

        let (state, diags) = read(&configured, MESH_SERVICES, &config("default")).await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(state.get("items"), &Value::List(Vec::new()));
    }

    #[tokio::test]
    async fn the_mzs_data_source_says_its_mesh_is_default_when_not_set() {
        let app = axum::Router::new().route(
            "/meshes/default/meshmultizoneservices/redis",
            axum::routing::get(|| async {
                axum::Json(serde_json::json!({
                    "type": "MeshMultiZoneService", "mesh": "default", "name": "redis",
                    "spec": {"selector": {"meshService": {"matchLabels": {"app": "redis"}}},
                             "ports": [{"port": 6379, "appProtocol": "tcp"}]}
                }))
            }),
        );
        let endpoint = crate::test_server::serve(app).await;
        let Ok(crate::config::Configuration::Ready(configured)) =
            crate::config::configure(&Value::object([("endpoint", Value::string(&endpoint))]))
        else {
            panic!("the provider configures");
        };
        let config = Value::object([("name", Value::string("redis"))]).conform(&mzs_schema().ty());
        let (state, diags) = read(&configured, MZS, &config).await;
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(state.get("mesh"), &Value::string("default"));
        assert_eq!(state.get("id"), &Value::string("default/redis"));
    }

    /// Previews of two new services that predict one zone's same next VIP: the second is an
    /// estimate, with a warning naming the first and why; the same service previewed again, or
    /// another zone's VIP, is not.
    #[test]
    fn a_next_vip_another_new_service_was_previewed_with_is_an_estimate() {
        let vips = PredictedVips::default();
        let ip = std::net::Ipv4Addr::new(243, 0, 0, 9);
        assert_eq!(vips.note("east", ip, "default", "redis"), None);
        assert_eq!(vips.note("east", ip, "default", "redis"), None);
        assert_eq!(vips.note("west", ip, "default", "web"), None);
        assert_eq!(
            vips.note("east", ip, "default", "web"),
            Some(("default".to_owned(), "redis".to_owned()))
        );
        let warning = shared_prediction(
            "default",
            "web",
            &[(
                "east".to_owned(),
                ip,
                ("default".to_owned(), "redis".to_owned()),
            )],
        );
        assert!(!warning.error);
        assert_eq!(warning.path, crate::diag::attr("name"));
        for words in [
            "zone \"east\": 243.0.0.9, also previewed for default/redis",
            "in the order it receives them",
            "`vip_estimated = true`",
            "The first preview could not know of the others either",
            "one new MeshMultiZoneService per apply",
        ] {
            assert!(
                warning.detail.contains(words),
                "{words}: {}",
                warning.detail
            );
        }
    }

    /// A service the configuration has not created yet: the error says how to read it after
    /// the create.
    #[tokio::test]
    async fn a_missing_service_says_how_to_read_one_this_configuration_creates() {
        let endpoint = lenient_server().await;
        let Ok(crate::config::Configuration::Ready(configured)) =
            crate::config::configure(&Value::object([("endpoint", Value::string(&endpoint))]))
        else {
            panic!("the provider configures");
        };
        let config = Value::object([("name", Value::string("ds-a"))]).conform(&mzs_schema().ty());
        let (state, diags) = read(&configured, MZS, &config).await;
        assert!(state.is_null());
        let [error] = diags.as_slice() else {
            panic!("one error: {diags:?}");
        };
        assert_eq!(error.path, crate::diag::attr("name"));
        assert!(
            error
                .detail
                .starts_with("There is no MeshMultiZoneService \"ds-a\" in mesh \"default\""),
            "{}",
            error.detail
        );
        for words in [
            "use that resource's attributes",
            "depends_on = [<that resource>]",
        ] {
            assert!(error.detail.contains(words), "{words}: {}", error.detail);
        }
    }
}
