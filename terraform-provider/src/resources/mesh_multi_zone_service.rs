//! `kuma_mesh_multi_zone_service`: a MeshMultiZoneService on the global control plane.

use kuma_mzs_core::model::{LabelSelector, MeshMultiZoneServiceSpec, MzsPort, MzsSelector};
use kuma_mzs_core::KumaVersion;

use super::data_sources::{ports_value, snis_value, string_map};
use super::{json_str, labels_json, merge_unknowns, plan_common, user_labels, zones, PlanOutcome};
use crate::client::encode;
use crate::config::Configured;
use crate::diag::{self, attr, Diag, Step};
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::{Ty, Value};

/// Terraform type name.
pub const TYPE_NAME: &str = "kuma_mesh_multi_zone_service";

const COMPUTED: &[&str] = &[
    "id",
    "kri",
    "snis",
    "creation_time",
    "modification_time",
    "warnings",
    "zone_status",
];
const VOLATILE: &[&str] = &["snis", "modification_time", "warnings", "zone_status"];

/// The `selector` block (shared with the preview data source).
pub fn selector_block() -> NestedBlock {
    NestedBlock {
        name: "selector",
        nesting: Nesting::Single,
        min_items: 1,
        max_items: 1,
        block: Block {
            description: "Which MeshServices (in every zone) this service groups.",
            attributes: vec![],
            blocks: vec![NestedBlock {
                name: "mesh_service",
                nesting: Nesting::Single,
                min_items: 1,
                max_items: 1,
                block: Block {
                    description: "Select MeshServices by label.",
                    attributes: vec![Attribute::optional(
                        "match_labels",
                        Ty::map(Ty::String),
                        "Labels a MeshService must all carry, e.g. `{ \"kuma.io/display-name\" = \"redis\" }`. Kuma requires at least one.",
                    )],
                    blocks: vec![],
                },
            }],
        },
    }
}

/// The repeated `port` block (shared with the preview data source).
pub fn port_block() -> NestedBlock {
    NestedBlock {
        name: "port",
        nesting: Nesting::List,
        min_items: 0,
        max_items: 0,
        block: Block {
            description: "A port the service exposes (repeat the block for each port; Kuma requires at least one).",
            attributes: vec![
                Attribute::optional("name", Ty::String, "Port name; used as the section name in KRIs and SNIs (defaults to the port number). Must not be empty when set."),
                Attribute::required("port", Ty::Number, "Port number."),
                Attribute::optional_computed("app_protocol", Ty::String, "Application protocol: `tcp` (default), `http`, `http2` or `grpc` (`kafka` too with `kuma_version = \"2.x\"`)."),
            ],
            blocks: vec![],
        },
    }
}

/// The state's type, built once.
fn state_type() -> &'static Ty {
    static TY: std::sync::OnceLock<Ty> = std::sync::OnceLock::new();
    TY.get_or_init(|| schema().ty())
}

/// The resource schema.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "A Kuma **MeshMultiZoneService**: one service name, VIP and hostname (by default `<name>.mzsvc.mesh.local`) in every zone, load-balancing over the MeshServices its selector matches in all zones. It is created on the global control plane; zones compute its status (read back into `zone_status` when the provider has `zone` blocks).\n\nThe configuration is checked at plan time with Kuma's own validator (errors point at the offending attribute, e.g. `port[1].app_protocol`).",
            attributes: vec![
                Attribute::computed("id", Ty::String, "`<mesh>/<name>`."),
                Attribute::optional_computed("mesh", Ty::String, "Mesh of the service. Default `default`.").force_new(),
                Attribute::required("name", Ty::String, "Name of the service (an RFC 1035 label for Kuma 3.0).").force_new(),
                Attribute::optional("labels", Ty::map(Ty::String), "Labels of the resource. Labels Kuma adds itself (`kuma.io/origin`, `kuma.io/display-name`, `kuma.io/mesh`, ...) are not shown and never cause a diff."),
                Attribute::computed("kri", Ty::String, "Kuma Resource Identifier, e.g. `kri_mzsvc_default___redis_`."),
                Attribute::computed("snis", Ty::list(Ty::object([("port", Ty::Number), ("sni", Ty::String)])), "SNI per port, as the control plane reports them."),
                Attribute::computed("creation_time", Ty::String, "When the control plane created the resource (RFC 3339)."),
                Attribute::computed("modification_time", Ty::String, "When the control plane last changed the resource (RFC 3339)."),
                Attribute::computed("warnings", Ty::list(Ty::String), "Warnings the control plane returned on the last write (deprecations)."),
                Attribute::computed("zone_status", Ty::list(zones::zone_status_type()), zones::ZONE_STATUS_DESCRIPTION),
            ],
            blocks: vec![selector_block(), port_block()],
        },
    }
}

fn path(mesh: &str, name: &str) -> String {
    format!(
        "/meshes/{}/meshmultizoneservices/{}",
        encode(mesh),
        encode(name)
    )
}

/// Build the typed spec from configuration; `None` when something is unknown.
pub fn spec_from_config(config: &Value) -> Result<Option<MeshMultiZoneServiceSpec>, Vec<Diag>> {
    let selector = config.get("selector");
    let ports = config.get("port");
    if selector.contains_unknown() || ports.contains_unknown() {
        return Ok(None);
    }
    let match_labels = selector.get("mesh_service").get("match_labels");
    let mut diags = Vec::new();
    let mut typed_ports = Vec::new();
    for (i, port) in ports.items().iter().enumerate() {
        let number = port.get("port");
        let value = match number.as_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(v) => v,
            None => {
                if !number.is_null() {
                    diags.push(
                        Diag::error("Invalid port number", "A port must be a whole number that fits in 32 bits (Kuma stores ports as int32).")
                            .at(vec![Step::Attr("port".into()), Step::Index(i as i64), Step::Attr("port".into())]),
                    );
                }
                0
            }
        };
        typed_ports.push(MzsPort {
            name: port.get("name").as_str().map(str::to_owned),
            port: value,
            app_protocol: port
                .get("app_protocol")
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(kuma_mzs_core::model::default_app_protocol),
        });
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Some(MeshMultiZoneServiceSpec {
        selector: MzsSelector {
            mesh_service: LabelSelector {
                match_labels: match_labels.as_string_map(),
            },
        },
        ports: typed_ports,
    }))
}

/// Plan-time validation through the core: Kuma's violations as errors at their attributes.
pub fn validate(config: &Value, version: KumaVersion) -> Vec<Diag> {
    let spec = match spec_from_config(config) {
        Ok(Some(spec)) => spec,
        Ok(None) => return Vec::new(),
        Err(diags) => return diags,
    };
    let name = config.get("name");
    if name.is_unknown() {
        return Vec::new();
    }
    let mut diags: Vec<Diag> =
        kuma_mzs_core::validate::mesh_multi_zone_service(&spec, name.as_str(), version)
            .into_iter()
            .map(|v| {
                Diag::error(
                    format!("Invalid MeshMultiZoneService: {}", v.field),
                    format!(
                        "{} (Kuma {} rule for `{}`)",
                        v.message,
                        version.as_str(),
                        v.field
                    ),
                )
                .at(diag::kuma_path(&v.field))
            })
            .collect();
    // The core's lints: Kuma accepts these, but they will not do what the author wants.
    diags.extend(
        kuma_mzs_core::lints::mesh_multi_zone_service(&spec)
            .into_iter()
            .map(|(code, v)| {
                Diag::warning(format!("{code}: {}", code.description()), v.message)
                    .at(diag::kuma_path(&v.field))
            }),
    );
    diags
}

fn apply_defaults(planned: &mut Value, config: &Value) {
    if config.get("mesh").is_null() {
        planned.set("mesh", Value::string("default"));
    }
    if let Value::Map(map) = planned {
        if let Some(Value::List(ports)) = map.get_mut("port") {
            for (i, port) in ports.iter_mut().enumerate() {
                let configured = config
                    .get("port")
                    .items()
                    .get(i)
                    .map(|p| p.get("app_protocol").clone());
                if matches!(configured, Some(Value::Null) | None) {
                    port.set("app_protocol", Value::string("tcp"));
                }
            }
        }
    }
}

/// Plan. `has_zones`: whether the provider reads zone status (else `zone_status` stays `[]`).
pub fn plan(
    prior: &Value,
    proposed: &Value,
    config: &Value,
    version: KumaVersion,
    has_zones: bool,
) -> PlanOutcome {
    let mut planned = plan_common(
        prior,
        proposed,
        config,
        COMPUTED,
        VOLATILE,
        apply_defaults,
        |p| {
            if let (Some(mesh), Some(name)) = (p.get("mesh").as_str(), p.get("name").as_str()) {
                let id = format!("{mesh}/{name}");
                p.set("id", Value::string(id));
            }
        },
    );
    // Values an update cannot change stay known, so the plan shows only real changes.
    if !prior.is_null() && !planned.is_null() && &planned != prior {
        if planned.get("port") == prior.get("port") {
            planned.set("snis", prior.get("snis").clone());
        }
        if !has_zones {
            planned.set("zone_status", Value::List(Vec::new()));
        }
    }
    // Warnings came from ValidateResourceConfig already; here only errors that could not be
    // found then because values were unknown.
    let diags = if config.is_null() {
        Vec::new()
    } else {
        validate(config, version)
            .into_iter()
            .filter(|d| d.error)
            .collect()
    };
    PlanOutcome {
        planned,
        requires_replace: vec![attr("mesh"), attr("name")],
        diags,
    }
}

fn body(planned: &Value, mesh: &str, name: &str) -> serde_json::Value {
    let ports: Vec<serde_json::Value> = planned
        .get("port")
        .items()
        .iter()
        .map(|p| {
            let mut port = serde_json::Map::new();
            if let Some(n) = p.get("name").as_str() {
                port.insert("name".into(), n.into());
            }
            port.insert("port".into(), p.get("port").to_json());
            port.insert(
                "appProtocol".into(),
                p.get("app_protocol").as_str().unwrap_or("tcp").into(),
            );
            serde_json::Value::Object(port)
        })
        .collect();
    let match_labels = planned
        .get("selector")
        .get("mesh_service")
        .get("match_labels");
    serde_json::json!({
        "type": "MeshMultiZoneService",
        "mesh": mesh,
        "name": name,
        "labels": labels_json(planned.get("labels")),
        "spec": {
            "selector": {"meshService": {"matchLabels": match_labels.to_json()}},
            "ports": ports,
        }
    })
}

/// The state as the server sees it (identity taken from `prior`).
fn state_from_server(
    item: &serde_json::Value,
    prior: &Value,
    zone_status: Value,
    warnings: Value,
) -> Value {
    let mesh = json_str(item, "mesh");
    let name = json_str(item, "name");
    let spec = item.get("spec");
    let match_labels = string_map(
        spec.and_then(|s| s.get("selector"))
            .and_then(|s| s.get("meshService"))
            .and_then(|s| s.get("matchLabels")),
    );
    let ports = ports_value(spec);
    let snis = snis_value(item);
    let (mesh_s, name_s) = (
        mesh.as_str().unwrap_or("default"),
        name.as_str().unwrap_or(""),
    );
    Value::object([
        ("id", Value::string(format!("{mesh_s}/{name_s}"))),
        ("mesh", mesh.clone()),
        ("name", name.clone()),
        (
            "labels",
            user_labels(item.get("labels"), prior.get("labels")),
        ),
        (
            "selector",
            Value::object([(
                "mesh_service",
                Value::object([("match_labels", match_labels)]),
            )]),
        ),
        ("port", ports),
        ("kri", json_str(item, "kri")),
        ("snis", snis),
        ("creation_time", json_str(item, "creationTime")),
        ("modification_time", json_str(item, "modificationTime")),
        ("warnings", warnings),
        ("zone_status", zone_status),
    ])
    .conform(state_type())
}

/// Create or update (PUT then GET), or delete.
pub async fn apply(configured: &Configured, prior: &Value, planned: &Value) -> (Value, Vec<Diag>) {
    if planned.is_null() {
        let (Some(mesh), Some(name)) = (prior.get("mesh").as_str(), prior.get("name").as_str())
        else {
            return (Value::Null, Vec::new());
        };
        return match configured.client.delete(&path(mesh, name)).await {
            Ok(()) => (Value::Null, Vec::new()),
            Err(e) => (
                prior.clone(),
                diag::from_client_error("Could not delete the MeshMultiZoneService", &e),
            ),
        };
    }
    let (Some(mesh), Some(name)) = (planned.get("mesh").as_str(), planned.get("name").as_str())
    else {
        return (
            prior.clone(),
            vec![Diag::error("mesh and name must be known at apply time", "")],
        );
    };
    let request = body(planned, mesh, name);
    let response = match configured.client.put(&path(mesh, name), &request).await {
        Ok(r) => r,
        Err(e) => {
            let what = if prior.is_null() { "create" } else { "update" };
            return (
                prior.clone(),
                diag::from_client_error(
                    &format!("Could not {what} the MeshMultiZoneService {mesh}/{name}"),
                    &e,
                ),
            );
        }
    };
    let warnings: Vec<String> = response
        .get("warnings")
        .and_then(|w| serde_json::from_value(w.clone()).ok())
        .unwrap_or_default();
    let mut diags: Vec<Diag> = warnings
        .iter()
        .map(|w| Diag::warning("Kuma returned a warning", w.clone()))
        .collect();
    let item = match configured.client.get_after_write(&path(mesh, name)).await {
        Ok(item) => item,
        Err(e) => {
            diags.extend(diag::from_client_error(
                "The MeshMultiZoneService was written but could not be read back",
                &e,
            ));
            return (prior.clone(), diags);
        }
    };
    let zone_status = zones::read(configured, mesh, name, request.get("spec")).await;
    let actual = state_from_server(&item, planned, zone_status, Value::from_strings(&warnings));
    (merge_unknowns(planned, &actual), diags)
}

/// Refresh: null when the service is gone.
pub async fn read(configured: &Configured, state: &Value) -> (Value, Vec<Diag>) {
    let (Some(mesh), Some(name)) = (state.get("mesh").as_str(), state.get("name").as_str()) else {
        return (state.clone(), Vec::new());
    };
    match configured.client.get(&path(mesh, name)).await {
        Ok(item) => {
            let zone_status = zones::read(configured, mesh, name, None).await;
            let warnings = match state.get("warnings") {
                Value::List(w) => Value::List(w.clone()),
                _ => Value::List(Vec::new()),
            };
            let fresh = state_from_server(&item, state, zone_status, warnings);
            (fresh, Vec::new())
        }
        Err(e) if e.is_not_found() => (Value::Null, Vec::new()),
        Err(e) => (
            state.clone(),
            diag::from_client_error("Could not read the MeshMultiZoneService", &e),
        ),
    }
}

/// Import by `mesh/name` or `{"mesh":"...","name":"..."}`.
pub fn import(id: &str) -> Result<Value, Vec<Diag>> {
    let (mesh, name) = super::parse_mesh_scoped_id(id).map_err(|e| {
        vec![Diag::error(
            "Invalid import ID",
            format!("{e}. Use <mesh>/<name> (e.g. default/redis) or {{\"mesh\": \"default\", \"name\": \"redis\"}}."),
        )]
    })?;
    Ok(Value::object([
        ("id", Value::string(format!("{mesh}/{name}"))),
        ("mesh", Value::string(mesh)),
        ("name", Value::string(name)),
        ("port", Value::List(Vec::new())),
    ])
    .conform(state_type()))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn config(app_protocol: Value) -> Value {
        Value::object([
            ("name", Value::string("redis")),
            ("mesh", Value::Null),
            (
                "selector",
                Value::object([(
                    "mesh_service",
                    Value::object([(
                        "match_labels",
                        Value::object([("app", Value::string("redis"))]),
                    )]),
                )]),
            ),
            (
                "port",
                Value::List(vec![Value::object([
                    ("port", Value::int(6379)),
                    ("app_protocol", app_protocol),
                ])]),
            ),
        ])
        .conform(state_type())
    }

    #[test]
    fn create_plan_fills_defaults_and_predicts_the_id() {
        let cfg = config(Value::Null);
        let out = plan(&Value::Null, &cfg, &cfg, KumaVersion::default(), true);
        assert_eq!(out.planned.get("mesh"), &Value::string("default"));
        assert_eq!(out.planned.get("id"), &Value::string("default/redis"));
        assert_eq!(
            out.planned.get("port").items()[0].get("app_protocol"),
            &Value::string("tcp")
        );
        assert!(out.planned.get("kri").is_unknown());
    }

    #[test]
    fn unchanged_config_plans_exactly_the_prior_state() {
        let cfg = config(Value::Null);
        let created = plan(&Value::Null, &cfg, &cfg, KumaVersion::default(), true).planned;
        let mut prior = merge_unknowns(&created, &Value::Null);
        prior.set("kri", Value::string("kri_mzsvc_default___redis_"));
        prior.set("zone_status", Value::List(vec![]));
        // Terraform's proposed state = config + prior computed values.
        let mut proposed = cfg.clone();
        for k in COMPUTED.iter().chain(["mesh"].iter()) {
            proposed.set(k, prior.get(k).clone());
        }
        if let Value::Map(m) = &mut proposed {
            m.insert("port".into(), prior.get("port").clone());
        }
        let out = plan(&prior, &proposed, &cfg, KumaVersion::default(), true);
        assert_eq!(out.planned, prior);
    }

    fn with_ports(ports: Vec<(i64, &str)>) -> Value {
        let mut cfg = config(Value::Null);
        cfg.set(
            "port",
            Value::List(
                ports
                    .into_iter()
                    .map(|(p, proto)| {
                        Value::object([
                            ("name", Value::Null),
                            ("port", Value::int(p)),
                            ("app_protocol", Value::string(proto)),
                        ])
                    })
                    .collect(),
            ),
        );
        cfg
    }

    #[test]
    fn kuma_errors_land_on_the_terraform_attribute_and_follow_kuma_version() {
        let cfg = with_ports(vec![(6379, "tcp"), (9092, "kafka")]);
        let v3 = validate(&cfg, KumaVersion::V3_0);
        let error = v3.iter().find(|d| d.error).expect("3.0 rejects kafka");
        assert_eq!(
            error.path,
            vec![
                Step::Attr("port".into()),
                Step::Index(1),
                Step::Attr("app_protocol".into())
            ]
        );
        assert!(error.detail.contains("appProtocol must be one of"));
        assert!(validate(&cfg, KumaVersion::V2_14).iter().all(|d| !d.error));
    }

    #[test]
    fn core_lints_are_warnings_at_the_port() {
        let diags = validate(
            &with_ports(vec![(80, "tcp"), (80, "tcp")]),
            KumaVersion::V3_0,
        );
        assert!(diags.iter().all(|d| !d.error), "{diags:?}");
        let warning = diags
            .iter()
            .find(|d| d.summary.starts_with("MZS002"))
            .expect("duplicate port lint");
        assert_eq!(warning.path.first(), Some(&Step::Attr("port".into())));
    }

    #[test]
    fn import_ids_build_a_readable_state() {
        let state = import(r#"{"mesh":"default","name":"redis"}"#).unwrap_or_default();
        assert_eq!(state.get("id"), &Value::string("default/redis"));
        assert!(import("a/b/c").is_err());
    }
}
