//! `kuma_mesh_multi_zone_service`: a MeshMultiZoneService on the global control plane.

use kuma_mzs_core::api::{review_put, ApiError, Mode, PreparedPut, StoreView};
use kuma_mzs_core::model::{MeshMultiZoneServiceSpec, Spec};
use kuma_mzs_core::status_dependencies::{
    hostnames_may_change, may_change, MzsComputed, MzsUpdate,
};
use kuma_mzs_core::{KumaVersion, ResourceType, Violation};

use super::data_sources::{ports_value, snis_value, string_map};
use super::{
    json_str, labels_json, merge_unknowns, plan_common, user_labels, zones, Importable,
    PlanContext, PlanOutcome,
};
use crate::client::{encode, ClientError};
use crate::config::Configured;
use crate::diag::{self, attr, Diag};
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::{Ty, Value};

/// Terraform type name.
pub const TYPE_NAME: &str = "kuma_mesh_multi_zone_service";
/// Kuma's name of the type, for messages.
const KIND: &str = "MeshMultiZoneService";

const COMPUTED: &[&str] = &[
    "id",
    "kri",
    "snis",
    "creation_time",
    "modification_time",
    "warnings",
    "zone_status",
];
/// Unknown after any update; `snis` and `zone_status` are decided by the core's
/// [`kuma_mzs_core::status_dependencies`] instead.
const VOLATILE: &[&str] = &["modification_time", "warnings"];

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
                Attribute::optional_computed("app_protocol", Ty::String, "Application protocol: `tcp` (default), `http`, `http2` or `grpc` (`kafka` too when the control plane runs Kuma 2.x: the rules are the server's release, or `kuma_version`'s when the server cannot be asked)."),
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
                Attribute::required("name", Ty::String, "Name of the service; the name rules of the Kuma release in use apply (checked at plan time).").force_new(),
                Attribute::optional_computed("labels", Ty::map(Ty::String), "Labels of the resource. Labels Kuma adds itself (`kuma.io/origin`, `kuma.io/display-name`, `kuma.io/mesh`, ...) are not shown and never cause a diff. Unset is `{}`: the two never differ. Kuma (2.13 and later) keeps `kuma.io/zone` for an object's life, so a change or removal of it replaces the object (Terraform shows \"forces replacement\")."),
                Attribute::computed("kri", Ty::String, "Kuma Resource Identifier, e.g. `kri_mzsvc_default___redis_`; null against Kuma 2.9 to 2.12, which report none. Known at plan, with `snis`, from the release the control plane's `GET /` reports, or from `kuma_version` when that is set and `GET /` does not answer (at configure and once more). Without `kuma_version`, when the control plane cannot be reached at all they are unknown until the apply, with a warning (an apply cannot write then either); when it answers but `GET /` fails, a plan that would show them stops with an error, because Terraform plans again when it applies and the two plans must agree (`terraform destroy -refresh=false` destroys without that plan)."),
                Attribute::computed("snis", Ty::list(Ty::object([("port", Ty::Number), ("sni", Ty::String)])), "SNI per port, as the control plane reports them (Kuma 2.14 and later; empty before)."),
                Attribute::computed("creation_time", Ty::String, "When the control plane created the resource (RFC 3339)."),
                Attribute::computed("modification_time", Ty::String, "When the control plane last changed the resource (RFC 3339)."),
                Attribute::computed("warnings", Ty::list(Ty::String), "Warnings the control plane returned on the last write (deprecations)."),
                Attribute::computed("zone_status", Ty::list(zones::zone_status_type()), zones::ZONE_STATUS_DESCRIPTION.as_str()),
            ],
            blocks: vec![selector_block(), port_block(), super::timeouts_block()],
        },
    }
}

fn collection(mesh: &str) -> String {
    format!("/meshes/{}/meshmultizoneservices", encode(mesh))
}

fn path(mesh: &str, name: &str) -> String {
    format!("{}/{}", collection(mesh), encode(name))
}

/// The Kuma JSON object for a configuration: the one mapping from HCL to Kuma that feeds both
/// plan-time validation and the PUT body. `None` while something it needs is unknown. Defaults
/// are Kuma's, applied by the core when it decodes the body.
pub fn kuma_object(config: &Value, mesh: &str, name: &str) -> Option<serde_json::Value> {
    let (object, placeholders) = planning_object(config, mesh, name);
    placeholders.is_empty().then_some(object)
}

/// A stand-in for a label or selector value not known yet (a valid label value).
const PLACEHOLDER_VALUE: &str = "not-known-yet";
/// A stand-in for a port number not known yet (a valid port).
const PLACEHOLDER_PORT: u16 = 1;

/// [`kuma_object`] with a valid stand-in for every value not known yet, and the Kuma field paths
/// those stand-ins fill (`labels["x"]`, `spec.ports[0].port`, `spec.ports` for ports not known
/// at all): the checks that do not depend on them still run at plan time, and the caller drops
/// findings at or under those paths.
fn planning_object(config: &Value, mesh: &str, name: &str) -> (serde_json::Value, Vec<String>) {
    let mut placeholders = Vec::new();
    // A string map whose unknown values (or the whole map, as `empty`) are stand-ins.
    let mut map = |value: &Value, field: &str, empty: serde_json::Value| match value {
        Value::Unknown => {
            placeholders.push(field.to_owned());
            empty
        }
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let v = match v.as_str() {
                        Some(v) => v.to_owned(),
                        None => {
                            if v.is_unknown() {
                                placeholders.push(format!("{field}[{k:?}]"));
                            }
                            PLACEHOLDER_VALUE.to_owned()
                        }
                    };
                    (k.clone(), serde_json::Value::String(v))
                })
                .collect(),
        ),
        other => other.to_json(),
    };
    let labels = match config.get("labels") {
        Value::Null => labels_json(&Value::Null),
        labels => map(
            labels,
            "labels",
            serde_json::Value::Object(Default::default()),
        ),
    };
    let selector = config.get("selector");
    let match_labels = if selector.is_unknown() || selector.get("mesh_service").is_unknown() {
        map(
            &Value::Unknown,
            "spec.selector",
            serde_json::json!({ PLACEHOLDER_VALUE: PLACEHOLDER_VALUE }),
        )
    } else {
        map(
            selector.get("mesh_service").get("match_labels"),
            "spec.selector.meshService.matchLabels",
            serde_json::json!({ PLACEHOLDER_VALUE: PLACEHOLDER_VALUE }),
        )
    };
    let ports: Vec<serde_json::Value> = if config.get("port").is_unknown() {
        placeholders.push("spec.ports".to_owned());
        vec![serde_json::json!({ "port": PLACEHOLDER_PORT })]
    } else {
        config
            .get("port")
            .items()
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut port = serde_json::Map::new();
                let mut field = |key: &str, known: serde_json::Value, stand_in| {
                    if p.get(snake(key)).is_unknown() {
                        placeholders.push(format!("spec.ports[{i}].{key}"));
                        // No stand-in: Kuma's default.
                        if !serde_json::Value::is_null(&stand_in) {
                            port.insert(key.into(), stand_in);
                        }
                    } else if !known.is_null() {
                        port.insert(key.into(), known);
                    }
                };
                field(
                    "name",
                    p.get("name").to_json(),
                    serde_json::json!(PLACEHOLDER_VALUE),
                );
                field(
                    "port",
                    p.get("port").to_json(),
                    serde_json::json!(PLACEHOLDER_PORT),
                );
                field(
                    "appProtocol",
                    p.get("app_protocol").to_json(),
                    serde_json::Value::Null,
                );
                serde_json::Value::Object(port)
            })
            .collect()
    };
    // Unset is absent: a JSON null is a type error to Kuma.
    let mesh_service = match match_labels {
        serde_json::Value::Null => serde_json::json!({}),
        labels => serde_json::json!({ "matchLabels": labels }),
    };
    let object = serde_json::json!({
        "type": ResourceType::MeshMultiZoneService.name(),
        "mesh": mesh,
        "name": name,
        "labels": labels,
        "spec": {
            "selector": {"meshService": mesh_service},
            "ports": ports,
        }
    });
    (object, placeholders)
}

/// The attribute of a port's Kuma field.
fn snake(kuma_field: &str) -> &str {
    match kuma_field {
        "appProtocol" => "app_protocol",
        other => other,
    }
}

/// Whether a Kuma field path is at or under one of `placeholders`.
fn on_placeholder(field: &str, placeholders: &[String]) -> bool {
    placeholders.iter().any(|p| {
        field
            .strip_prefix(p.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// A stand-in for a name not known yet, so the rest can still be checked.
const PLACEHOLDER_NAME: &str = "name-not-known-yet";

/// The typed spec as Kuma would store it (defaults applied), when the configuration passes.
pub fn spec_from_config(
    config: &Value,
    version: KumaVersion,
) -> Result<Option<MeshMultiZoneServiceSpec>, Vec<Diag>> {
    let (outcome, _) = check(config, version);
    outcome
}

type Checked = Result<Option<MeshMultiZoneServiceSpec>, Vec<Diag>>;

/// Run the PUT the server would run (`core::api::prepare_put`: schema, names, labels, Kuma's
/// validator) on the configuration, as the global control plane; also returns the core's lints.
fn check(config: &Value, version: KumaVersion) -> (Checked, Vec<Diag>) {
    let mesh = config
        .get("mesh")
        .as_str()
        .unwrap_or(kuma_mzs_core::defaults::DEFAULT_MESH);
    let name_known = !config.get("name").is_unknown();
    let name = config.get("name").as_str().unwrap_or(PLACEHOLDER_NAME);
    let mesh_known = !config.get("mesh").is_unknown();
    let (object, placeholders) = planning_object(config, mesh, name);
    let body = object.to_string();
    // The core's review of the PUT: Kuma's first failing stage, plus the name, mesh and label
    // findings a refused spec hides, so every independent error shows in one plan.
    let put = |version| review_on_global(version, mesh, name, &body);
    match put(version) {
        Ok(prepared) => {
            let Spec::MeshMultiZoneService(spec) = prepared.resource.spec else {
                return (Ok(None), Vec::new());
            };
            // Stand-ins are not the user's spec: no lints (they compare ports), no spec.
            if !placeholders.is_empty() {
                return (Ok(None), Vec::new());
            }
            // The core's lints: Kuma accepts these, but they will not do what the author wants.
            let lints = kuma_mzs_core::lints::mesh_multi_zone_service(&spec)
                .into_iter()
                .map(|(code, v)| {
                    Diag::warning(format!("{code}: {}", code.description()), v.message)
                        .at(diag::kuma_path(&v.field))
                })
                .collect();
            (Ok(Some(spec)), lints)
        }
        Err(error) => {
            let violations = error.invalid_parameters.clone();
            // The core's version hints: the same review under the releases it compares with.
            let hints = kuma_mzs_core::validate::hints(version, &violations, |release| {
                match put(release) {
                    Ok(_) => Vec::new(),
                    Err(e) if e.invalid_parameters.is_empty() => {
                        vec![Violation::new("", e.title)]
                    }
                    Err(e) => e.invalid_parameters,
                }
            });
            let diags: Vec<Diag> = violations
                .iter()
                .zip(hints)
                // Placeholders stand for unknown values: their findings are not the user's.
                .filter(|(v, _)| name_known || v.field != "name")
                .filter(|(v, _)| mesh_known || v.field != "mesh")
                .filter(|(v, _)| !on_placeholder(&v.field, &placeholders))
                .map(|(v, hint)| {
                    // The attribute as the configuration spells it, Kuma's name in the detail.
                    let field = diag::field_text(&v.field);
                    let kuma = if v.field.is_empty() || v.field == field {
                        String::new()
                    } else {
                        format!("; Kuma's field `{}`", v.field)
                    };
                    Diag::error(
                        format!("Invalid MeshMultiZoneService: {field}"),
                        format!(
                            "{} (Kuma {} rule for `{field}`{kuma})",
                            v.message,
                            version.as_str()
                        ),
                    )
                    .at(diag::kuma_path(&v.field))
                    .with_hint(hint.map(|h| diag::version_hint(&h)))
                })
                .collect();
            if diags.is_empty() && !error.invalid_parameters.is_empty() {
                return (Ok(None), Vec::new());
            }
            if diags.is_empty() {
                // Kuma's decoder names no field (`json: cannot unmarshal number -1 ...`): the core
                // says which one it is about.
                let at = serde_json::from_str(&body).ok().and_then(|body| {
                    kuma_mzs_core::api::decoding_error_field(
                        ResourceType::MeshMultiZoneService,
                        &body,
                        version,
                    )
                });
                let diag = Diag::error("Invalid MeshMultiZoneService", error.to_string());
                let diag = match at {
                    Some(field) => diag.at(diag::kuma_path(&field)),
                    None => diag,
                };
                return (Err(vec![diag]), Vec::new());
            }
            (Err(diags), Vec::new())
        }
    }
}

/// Plan-time validation through the core: Kuma's violations as errors at their attributes,
/// the core's lints as warnings.
pub fn validate(config: &Value, version: KumaVersion) -> Vec<Diag> {
    let (outcome, lints) = check(config, version);
    let mut diags = super::validate_timeouts(config);
    match outcome {
        Err(errors) => diags.extend(errors),
        Ok(_) => diags.extend(lints),
    }
    diags
}

fn apply_defaults(planned: &mut Value, config: &Value) {
    super::default_labels(planned, config);
    if config.get("mesh").is_null() {
        planned.set("mesh", Value::string(kuma_mzs_core::defaults::DEFAULT_MESH));
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
                    port.set(
                        "app_protocol",
                        Value::string(kuma_mzs_core::defaults::default_app_protocol()),
                    );
                }
            }
        }
    }
}

/// The deprecation warnings the core predicts Kuma `version` returns for writing `resource`.
fn deprecations(resource: &kuma_mzs_core::Resource, version: KumaVersion) -> Vec<Violation> {
    match &resource.spec {
        Spec::MeshMultiZoneService(spec) => {
            kuma_mzs_core::validate::mesh_multi_zone_service_deprecations(
                &resource.meta,
                spec,
                version,
            )
        }
        _ => Vec::new(),
    }
}

/// [`deprecations`]' texts for writing `planned`.
fn foreseen_warnings(planned: &Value, version: KumaVersion) -> Vec<String> {
    let resource = as_resource(planned, version);
    let found = resource.map_or_else(Vec::new, |r| deprecations(&r, version));
    found.into_iter().map(|v| v.message).collect()
}

/// What an update changes, for the core's rule of which computed values it can change.
fn update_of(prior: &Value, planned: &Value) -> MzsUpdate {
    let before = prior.get("labels").as_string_map().unwrap_or_default();
    let after = planned.get("labels");
    let mut changed_labels: Vec<String> = Vec::new();
    let mut unknown_labels = false;
    match after {
        Value::Map(after) => {
            for key in before.keys().chain(after.keys()) {
                let now = after.get(key);
                // A value not known yet may be the same or not: it may change.
                let changed = now.is_some_and(Value::is_unknown)
                    || before.get(key).map(String::as_str) != now.and_then(Value::as_str);
                if changed && !changed_labels.contains(key) {
                    changed_labels.push(key.clone());
                }
            }
        }
        // Unknown labels: any label may change.
        _ if after.is_unknown() => unknown_labels = true,
        _ => changed_labels.extend(before.keys().cloned()),
    }
    MzsUpdate {
        changed_labels,
        unknown_labels,
        selector: prior.get("selector") != planned.get("selector"),
        ports: prior.get("port") != planned.get("port"),
    }
}

/// The planned `zone_status` of an update: one entry per `zone` block, in their order (what
/// the apply reads, [`zones::read`]), its `zone` known; per zone, what the core says the update
/// cannot change stays as the zone last reported it, when the zone was synced; the rest is
/// unknown.
///
/// `hostnames_kept` names the zones whose hostnames a label change keeps although labels changed
/// ([`hostnames_kept`]).
fn planned_zone_status(
    prior: &Value,
    update: &MzsUpdate,
    ctx: &PlanContext,
    hostnames_kept: &[String],
) -> Value {
    let Some(configured) = &ctx.configured else {
        return Value::Unknown;
    };
    let entries = prior.get("zone_status").items();
    let keep = |entry: &Value, key: &str, what: MzsComputed| {
        let synced = entry.get("state").as_str() == Some(zones::SYNCED);
        let value = entry.get(key);
        let changes = ctx
            .rule_versions()
            .into_iter()
            .any(|v| may_change(what, update, v));
        let kept = what == MzsComputed::Hostnames
            && (entry.get("zone").as_str())
                .is_some_and(|zone| hostnames_kept.iter().any(|k| k == zone));
        if synced && !value.is_null() && (!changes || kept) {
            value.clone()
        } else {
            Value::Unknown
        }
    };
    Value::List(
        (configured.zones.iter())
            .map(|zone| {
                let last = entries
                    .iter()
                    .find(|e| e.get("zone").as_str() == Some(zone.name.as_str()));
                let Some(entry) = last else {
                    return zones::planned_entry(&zone.name);
                };
                Value::object([
                    ("zone", entry.get("zone").clone()),
                    ("state", Value::Unknown),
                    ("error", Value::Unknown),
                    ("found", Value::Unknown),
                    ("vip", keep(entry, "vip", MzsComputed::Vip)),
                    (
                        "hostnames",
                        keep(entry, "hostnames", MzsComputed::Hostnames),
                    ),
                    (
                        "mesh_services",
                        keep(entry, "mesh_services", MzsComputed::MeshServices),
                    ),
                    (
                        "conditions",
                        keep(entry, "conditions", MzsComputed::Conditions),
                    ),
                ])
            })
            .collect(),
    )
}

/// The zones whose hostnames an update that changes labels (`update`, from `prior_seen`, the
/// prior object as the server holds it, to `planned`) keeps: per zone, the core's
/// [`hostnames_may_change`] over the HostnameGenerators the zone holds (one list per zone and
/// process, [`super::live::zone_generators`]) says no change under every release in question.
/// Only for a change of known labels that does not rename the zones' copies (that gives the
/// copy a new name, and the zone new hostnames with it), and only for zones that last reported
/// synced hostnames: nothing is asked otherwise (a plan that changes no label asks nothing).
///
/// A zone whose generators cannot be listed keeps its hostnames unknown, except in a plan this
/// process did not refresh for ([`PlanContext::refreshed`]: the apply's own plan), where they
/// stay as the state holds them: Terraform refuses an apply whose own plan turns a value the
/// first plan knew unknown, and an apply that cannot read the zone keeps them anyway
/// ([`zones::keep_last_known`]).
async fn hostnames_kept(
    ctx: &PlanContext,
    prior_seen: &Value,
    planned: &Value,
    update: &MzsUpdate,
) -> Vec<String> {
    let Some(configured) = &ctx.configured else {
        return Vec::new();
    };
    let versions = ctx.rule_versions();
    // The zones' copies keep their names (the VIP's rule) and every label is known.
    let renames = versions
        .iter()
        .any(|v| may_change(MzsComputed::Vip, update, *v));
    if update.changed_labels.is_empty() || update.unknown_labels || renames {
        return Vec::new();
    }
    let entries = prior_seen.get("zone_status").items();
    let reported = |zone: &str| {
        entries.iter().any(|e| {
            e.get("zone").as_str() == Some(zone)
                && e.get("state").as_str() == Some(zones::SYNCED)
                && !e.get("hostnames").is_null()
        })
    };
    let asked: Vec<&crate::config::Zone> = (configured.zones.iter())
        .filter(|zone| reported(&zone.name))
        .collect();
    if asked.is_empty() {
        return Vec::new();
    }
    // The object before and after, as global stores it, under each release in question.
    let mut metas = Vec::with_capacity(versions.len());
    for version in &versions {
        let (Some(before), Some(after)) = (
            as_resource(prior_seen, *version),
            as_resource(planned, *version),
        ) else {
            return Vec::new();
        };
        metas.push((*version, before.meta, after.meta));
    }
    let listed = futures_util::future::join_all(
        (asked.iter()).map(|zone| super::live::zone_generators(configured, zone)),
    )
    .await;
    let mut kept = Vec::new();
    for (zone, generators) in asked.into_iter().zip(listed) {
        let keeps = match generators {
            super::live::ZoneGenerators::Held(generators) => {
                metas.iter().all(|(version, before, after)| {
                    !hostnames_may_change(&zone.name, &generators, before, after, *version)
                })
            }
            super::live::ZoneGenerators::Unreadable(why) => {
                crate::log::debug(
                    "a zone's HostnameGenerators cannot all be read: its hostnames may change",
                    &[("zone", &zone.name), ("why", &why)],
                );
                false
            }
            super::live::ZoneGenerators::Unlisted(why) => {
                crate::log::debug(
                    "a zone's HostnameGenerators could not be listed",
                    &[
                        ("zone", &zone.name),
                        ("why", &why),
                        ("refreshed", &ctx.refreshed.to_string()),
                    ],
                );
                !ctx.refreshed
            }
        };
        if keeps {
            kept.push(zone.name.clone());
        }
    }
    kept
}

/// Plan. Creating checks (when the control plane can be asked) that the object does not exist
/// yet and that its mesh does.
pub async fn plan(
    ctx: &PlanContext,
    prior: &Value,
    proposed: &Value,
    config: &Value,
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
    // Whether the apply writes (a change of `timeouts` alone does not), decided once.
    let writes = super::writes(prior, &planned);
    // The names the server will print, known at plan when the server's release is (computed
    // only for a create or an update that may change them: a no-change plan costs nothing).
    // The planned object as global stores it, reviewed once (names and live lints both read it;
    // neither depends on `kri` or `snis`).
    let reviewed = std::sync::OnceLock::new();
    let review =
        |planned: &Value| (reviewed.get_or_init(|| as_resource(planned, ctx.version))).clone();
    // The release they depend on is asked for only when they can be predicted at all (a
    // planned object the core accepts under some release in question): a plan that cannot
    // read it stops (`release_for_names`).
    let mut unread_release: Option<super::ReleaseDiag> = None;
    if prior.is_null() && !planned.is_null() {
        if let Some(names) = plan_names(ctx, &planned, review(&planned), &mut unread_release).await
        {
            planned.set("kri", names.kri);
            planned.set("snis", names.snis);
        }
    }
    // Labels Kuma wrote that the state hides and the configuration sets, as the server holds them.
    let hidden = match (prior.get("mesh").as_str(), prior.get("name").as_str()) {
        (Some(mesh), Some(name)) if !config.is_null() => {
            super::hidden_labels_set(ctx, prior, config, &path(mesh, name)).await
        }
        _ => Default::default(),
    };
    // Values an update cannot change stay known, so the plan shows only real changes.
    if !prior.is_null() && !planned.is_null() && writes {
        let prior_seen = super::with_hidden_labels(prior, &hidden);
        let update = update_of(&prior_seen, &planned);
        let versions = ctx.rule_versions();
        let under_any = |what| versions.iter().any(|v| may_change(what, &update, *v));
        let snis_change = under_any(MzsComputed::Snis);
        let kri_changes = under_any(MzsComputed::Kri);
        if snis_change || kri_changes {
            let names = plan_names(ctx, &planned, review(&planned), &mut unread_release).await;
            if snis_change {
                let snis = names.as_ref().map(|n| n.snis.clone());
                planned.set("snis", snis.unwrap_or(Value::Unknown));
            }
            if kri_changes {
                let kri = names.map(|n| n.kri);
                planned.set("kri", kri.unwrap_or(Value::Unknown));
            }
        }
        let zone_status = if ctx.has_zones {
            let kept = hostnames_kept(ctx, &prior_seen, &planned, &update).await;
            planned_zone_status(prior, &update, ctx, &kept)
        } else if ctx.configured.is_some() {
            Value::List(Vec::new())
        } else {
            Value::Unknown
        };
        planned.set("zone_status", zone_status);
    }
    // A create's `zone_status` has one entry per `zone` block, in their order, as the apply
    // reads them ([`zones::read`]): each `zone` is known at plan (so `for_each` over them
    // works), the values the zones compute are not.
    if let (true, false, Some(configured)) = (prior.is_null(), planned.is_null(), &ctx.configured) {
        planned.set("zone_status", zones::planned_entries(configured));
    }
    // Warnings came from ValidateResourceConfig already; here only errors that could not be
    // found then because values were unknown or the Kuma version was not known.
    let mut diags: Vec<Diag> = if config.is_null() {
        Vec::new()
    } else {
        match ctx.release_not_read() {
            // No release is this run's own: what every release refuses is an error, what only
            // some refuse a warning with the cause.
            Some((endpoint, unread)) => {
                super::judged_by_every_release(validate_every_release(config), &endpoint, &unread)
            }
            None => {
                // A version hint helps only when the rules are `kuma_version`'s, not the
                // server's own.
                let release_known = server_release(ctx);
                validate(config, ctx.version)
                    .into_iter()
                    .filter(|d| d.error)
                    .map(|d| if release_known { d.with_hint(None) } else { d })
                    .collect()
            }
        }
    };
    // Labels whose change replaces the object (see `removed_immutable_labels`).
    let mut replaced_by: Vec<Vec<diag::Step>> = Vec::new();
    if !config.is_null() {
        let mode = super::plan_mode(ctx);
        super::extend_unreported(
            &mut diags,
            super::overwritten_labels(
                config,
                std::slice::from_ref(&mode),
                &ctx.rule_versions(),
                ResourceType::MeshMultiZoneService,
                true,
            ),
        );
        // A label Kuma keeps for the object's life replaces the object when it changes.
        let immutable = super::removed_immutable_labels(
            ctx,
            prior,
            config,
            hidden.clone(),
            ResourceType::MeshMultiZoneService,
            true,
        );
        replaced_by.extend(immutable.iter().map(|d| d.path.clone()));
        let changes = super::hidden_label_changes(config, &hidden);
        super::extend_unreported(&mut diags, immutable);
        super::extend_unreported(
            &mut diags,
            (changes.into_iter())
                .filter(|d| !replaced_by.contains(&d.path))
                .collect(),
        );
    }
    if writes {
        diags.extend(super::refused_by_endpoint(
            ctx,
            ResourceType::MeshMultiZoneService,
        ));
    } else {
        diags = super::for_unchanged_object(diags, ctx.rules_release());
    }
    if prior.is_null() && !planned.is_null() && diags.is_empty() {
        if let Some(configured) = &ctx.configured {
            diags.extend(check_create(configured, &planned, ctx).await);
        }
    }
    // After the create check, whose warning it replaces or takes in (`with_release_diag`).
    super::with_release_diag(&mut diags, unread_release, KIND);
    // What the write will be warned about: Kuma returns its deprecation warnings only with a
    // successful write, so the plan of one says them first, under the release in use.
    // Not under a guessed release: then the write's own warnings say them.
    let warns = writes && !planned.is_null() && ctx.rules_release().is_some();
    if warns && !diags.iter().any(|d| d.error) {
        for v in review(&planned).map_or_else(Vec::new, |r| deprecations(&r, ctx.version)) {
            // Terraform shows a source line for an attribute, not a block: a port's warning
            // (its SNI, built from its name) goes on the port's name.
            let mut path = diag::kuma_path(&v.field);
            if v.field.starts_with("spec.ports[") && v.field.ends_with(']') {
                path.push(diag::Step::Attr("name".into()));
            }
            diags.push(
                Diag::warning(
                    format!("Kuma {} will warn on this write", ctx.version.as_str()),
                    v.message,
                )
                .at(path),
            );
        }
    }
    // What the lints depend on: the selector and ports (matching), the labels (which
    // HostnameGenerators select it, so its hostnames).
    let changes_matching = prior.is_null()
        || prior.get("selector") != planned.get("selector")
        || prior.get("port") != planned.get("port")
        || prior.get("labels") != planned.get("labels");
    if let (Some(configured), false, true) = (&ctx.configured, planned.is_null(), changes_matching)
    {
        if configured.live_lints && !diags.iter().any(|d| d.error) {
            if let Some(resource) = review(&planned) {
                diags.extend(super::live::lints(configured, resource, ctx.version).await);
            }
        }
    }
    PlanOutcome {
        planned,
        requires_replace: [vec![attr("mesh"), attr("name")], replaced_by].concat(),
        diags,
    }
}

/// Whether the rules in force are the server's own release (read from it at configure time),
/// not a `kuma_version` the server may contradict.
fn server_release(ctx: &PlanContext) -> bool {
    ctx.configured
        .as_ref()
        .is_some_and(|c| c.release_from_server)
}

/// The `kri` and `snis` of the `planned` object (`reviewed`: as the core takes it under the
/// rules' release, `ctx.version`; `None` while a value they depend on is not known) under the
/// server's release; `None` too when the release cannot be known, and then, when this run
/// could not read a release the server has, the plan error in `unread`
/// ([`super::release_for_names`]).
///
/// With no release read, an object that the newest release refuses and another accepts (a
/// port protocol only 2.x has) gets the same answer as one every release accepts
/// ([`super::accepted_under_some_release`]): its names depend on the release too, and an
/// apply's own plan that reads it would show them.
async fn plan_names(
    ctx: &PlanContext,
    planned: &Value,
    reviewed: Option<kuma_mzs_core::Resource>,
    unread: &mut Option<super::ReleaseDiag>,
) -> Option<PredictedNames> {
    let resource = reviewed
        .or_else(|| super::accepted_under_some_release(ctx, |v| as_resource(planned, v)))?;
    let id = format!("{}/{}", resource.meta.mesh, resource.meta.name);
    let (release, diag) = super::release_for_names(ctx, KIND, &id, "`kri` and `snis`");
    if diag.is_some() {
        *unread = diag;
    }
    predicted_names(resource, release?)
}

/// `kri` and `snis` of a planned object as state holds them.
struct PredictedNames {
    kri: Value,
    snis: Value,
}

/// The `kri` and `snis` the server will print for the planned object (as global stores it): the core renders it as
/// `version`'s REST marshaller does (no `kri` before 2.13, no `snis` before 2.14), and state
/// takes them from that rendering exactly as from the server's answer. `None` while a value
/// they depend on is not known.
fn predicted_names(
    resource: kuma_mzs_core::Resource,
    version: KumaVersion,
) -> Option<PredictedNames> {
    let item = super::as_release_prints(&resource, version)?;
    Some(PredictedNames {
        kri: json_str(&item, "kri"),
        snis: snis_value(&item),
    })
}

/// The planned object as the core's preview takes it (labels as global computes them).
fn as_resource(planned: &Value, version: KumaVersion) -> Option<kuma_mzs_core::Resource> {
    let (mesh, name) = (planned.get("mesh").as_str()?, planned.get("name").as_str()?);
    let object = kuma_object(planned, mesh, name)?;
    review_on_global(version, mesh, name, &object.to_string())
        .ok()
        .map(|prepared| prepared.resource)
}

/// What the global control plane makes of a PUT of this MZS (`body`) into an existing mesh: the
/// REST layer's checks kuma-local runs (names, labels, schema, validator) and the stored resource,
/// as the core reviews it for a plan (a refused spec's error also carries the name, mesh and
/// label findings Kuma's PUT would report only once the spec is fixed; an accepted PUT is
/// `prepare_put`'s).
fn review_on_global(
    version: KumaVersion,
    mesh: &str,
    name: &str,
    body: &str,
) -> Result<PreparedPut, ApiError> {
    review_put(
        &Mode::Global,
        version,
        ResourceType::MeshMultiZoneService,
        Some(mesh),
        name,
        body.as_bytes(),
        GLOBAL_STORE,
    )
}

/// A store whose mesh exists and that does not hold the object yet (safe create checks the
/// server for both).
const GLOBAL_STORE: StoreView<'static> = StoreView {
    mesh_exists: true,
    existing: None,
};

/// Plan-time half of a safe create: the object must not exist yet and its mesh must. The object
/// this workspace itself holds may exist: that create is its replacement (see
/// [`PlanContext::held`]).
async fn check_create(configured: &Configured, planned: &Value, ctx: &PlanContext) -> Vec<Diag> {
    let (Some(mesh), Some(name)) = (planned.get("mesh").as_str(), planned.get("name").as_str())
    else {
        return Vec::new();
    };
    let configured = configured.for_plan_or_read();
    let id = format!("{mesh}/{name}");
    let exists = if ctx.holds(&id) {
        Ok(false)
    } else {
        super::exists_at_plan_in(&configured, &collection(mesh), name, &path(mesh, name)).await
    };
    match exists {
        Ok(true) => {
            return vec![super::already_exists(
                &Importable {
                    type_name: TYPE_NAME,
                    kind: KIND,
                    id: &id,
                },
                configured.client.endpoint(),
                configured.recreated.get(KIND, &id).as_deref(),
            )]
        }
        Ok(false) => {}
        Err(e) => return vec![super::create_check_warning(&configured, KIND, &e)],
    }
    super::missing_mesh(
        &configured,
        mesh,
        "create it first (or use an existing mesh).",
    )
    .await
    .into_iter()
    .collect()
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
        ("timeouts", prior.get("timeouts").clone()),
    ])
    .conform(state_type())
}

/// The state after a write whose read-back failed: what was planned, computed values left
/// empty (the next refresh fills them). The object exists, so it must be in state.
fn written_but_unread(planned: &Value) -> Value {
    merge_unknowns(planned, &Value::Null)
}

/// Create (read-before-write, then a create-only PUT), update (PUT), then GET; or delete.
pub async fn apply(configured: &Configured, prior: &Value, planned: &Value) -> (Value, Vec<Diag>) {
    if planned.is_null() {
        let (Some(mesh), Some(name)) = (prior.get("mesh").as_str(), prior.get("name").as_str())
        else {
            return (Value::Null, Vec::new());
        };
        let configured = configured.for_operation(prior.get("timeouts"), "delete");
        let path = path(mesh, name);
        let id = format!("{mesh}/{name}");
        match super::held_on_server(&configured, &path, prior).await {
            super::Held::Gone => return (Value::Null, Vec::new()),
            super::Held::Recreated { created } => {
                return (
                    Value::Null,
                    vec![super::left_in_place(KIND, &id, &created, prior)],
                )
            }
            super::Held::Unreadable(e) => {
                return (
                    prior.clone(),
                    vec![super::unreadable_before_write(KIND, &id, "delete", &e)],
                )
            }
            super::Held::Changed { .. } | super::Held::Unchanged(_) => {}
        }
        return match configured.client.delete(&path).await {
            Ok(()) => (Value::Null, Vec::new()),
            Err(e) => (
                prior.clone(),
                super::delete_failed(KIND, TYPE_NAME, &id, &e),
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
    let creating = prior.is_null();
    let configured = configured.for_operation(
        planned.get("timeouts"),
        if creating { "create" } else { "update" },
    );
    let Some(mut request) = kuma_object(planned, mesh, name) else {
        return (
            prior.clone(),
            vec![Diag::error(
                "The configuration must be known at apply time",
                "",
            )],
        );
    };
    let path = path(mesh, name);
    let id = format!("{mesh}/{name}");
    let written = if creating {
        let what = Importable {
            type_name: TYPE_NAME,
            kind: KIND,
            id: &id,
        };
        // The object read, as this resource would write it.
        let as_written = |item: &serde_json::Value| {
            let state = state_from_server(item, planned, Value::Null, Value::List(Vec::new()));
            kuma_object(&state, mesh, name).unwrap_or_else(|| item.clone())
        };
        match super::create_new(&configured, &what, &path, &request, as_written).await {
            Ok(super::Created::Answered(response)) => Ok(response),
            // Written: taken as such, with a warning (`written_unless_refused`).
            Ok(super::Created::BodyUnread(e)) => Err(e),
            Ok(super::Created::AnswerLost { item, error }) => {
                return written_answer_lost(&item, planned, &id, &error)
            }
            Err(diags) => return (prior.clone(), diags),
        }
    } else {
        match super::held_on_server(&configured, &path, prior).await {
            held @ (super::Held::Recreated { .. }
            | super::Held::Changed { .. }
            | super::Held::Gone) => {
                let refused = super::changed_since_read(KIND, &id, &held, prior);
                return (prior.clone(), vec![refused]);
            }
            super::Held::Unreadable(e) => {
                let refused = super::unreadable_before_write(KIND, &id, "update", &e);
                return (prior.clone(), vec![refused]);
            }
            super::Held::Unchanged(item) => {
                super::keep_server_labels(item.as_ref(), prior, &mut request)
            }
        }
        configured.client.put(&path, &request).await
    };
    let (response, unread_answer) = match super::written_unless_refused(written, KIND, &id) {
        Ok(written) => written,
        Err(e) => {
            return (
                prior.clone(),
                diag::from_client_error(&format!("Could not update the {KIND} {id}"), &e),
            );
        }
    };
    let warnings: Vec<String> = response
        .get("warnings")
        .and_then(|w| serde_json::from_value(w.clone()).ok())
        .unwrap_or_default();
    // The plan said the ones the core predicted ("will warn on this write"); only a warning it
    // did not foresee is news (the `warnings` attribute keeps them all).
    let foreseen = if warnings.is_empty() || configured.release_not_read().is_some() {
        Vec::new()
    } else {
        foreseen_warnings(planned, configured.kuma_version)
    };
    let mut diags: Vec<Diag> = warnings
        .iter()
        .filter(|w| !foreseen.contains(w))
        .map(|w| Diag::warning("Kuma returned a warning", w.clone()))
        .collect();
    diags.extend(unread_answer);
    let item = match configured.client.get_after_write(&path).await {
        Ok(item) => item,
        Err(e) => {
            diags.push(Diag::warning(
                "The MeshMultiZoneService was written but could not be read back",
                format!("{e}. It is recorded in the state as written; the next refresh reads its computed values."),
            ));
            return (written_but_unread(planned), diags);
        }
    };
    let (zone_status, zone_diags) = zones::read(&configured, mesh, name, request.get("spec")).await;
    let zone_status = zones::keep_last_known(zone_status, prior.get("zone_status"));
    diags.extend(zone_diags);
    let actual = state_from_server(&item, planned, zone_status, Value::from_strings(&warnings));
    let (state, differences) = super::merge_applied(planned, &actual, state_type());
    diags.extend(differences);
    (state, diags)
}

/// The state of a create whose answer was lost (`error`) but whose object holds what was sent
/// (`item`, as read): recorded as written, so nothing is left untracked, with a warning; the
/// zones are read by the next refresh (the create's deadline is spent).
fn written_answer_lost(
    item: &serde_json::Value,
    planned: &Value,
    id: &str,
    error: &ClientError,
) -> (Value, Vec<Diag>) {
    let actual = state_from_server(item, planned, Value::Null, Value::List(Vec::new()));
    let (state, mut diags) = super::merge_applied(planned, &actual, state_type());
    diags.insert(0, super::answer_lost_warning(KIND, id, error, true));
    (state, diags)
}

/// Refresh: null when the service is gone.
pub async fn read(configured: &Configured, state: &Value) -> (Value, Vec<Diag>) {
    // The identity, from `id` when a state lost `mesh` or `name` (edited by hand): the refresh
    // restores them instead of a plan that replaces the object to set them.
    let from_id = state.get("id").as_str().and_then(|id| id.split_once('/'));
    let (Some(mesh), Some(name)) = (
        state.get("mesh").as_str().or(from_id.map(|(m, _)| m)),
        state.get("name").as_str().or(from_id.map(|(_, n)| n)),
    ) else {
        return (state.clone(), Vec::new());
    };
    let configured = configured.for_operation(state.get("timeouts"), "read");
    let listed = configured
        .snapshots
        .find(
            &configured.client,
            &collection(mesh),
            super::snapshots::by_name,
            name,
        )
        .await;
    let item = match listed {
        Some(item) => Ok(item),
        None => configured.client.get_item(&path(mesh, name)).await,
    };
    match item {
        Ok(item) => {
            let id = format!("{mesh}/{name}");
            if let Some(refused) =
                super::zone_owned(&configured, &item, ResourceType::MeshMultiZoneService, &id)
            {
                return (state.clone(), vec![refused]);
            }
            if let Some(created) = super::created_again(&item, state) {
                return (
                    Value::Null,
                    vec![super::recreated_elsewhere(
                        &configured,
                        KIND,
                        &id,
                        &created,
                        state,
                    )],
                );
            }
            let (zone_status, diags) =
                zones::refresh(&configured, mesh, name, item.get("spec")).await;
            let zone_status = zones::keep_last_known(zone_status, state.get("zone_status"));
            let warnings = match state.get("warnings") {
                Value::List(w) => Value::List(w.clone()),
                _ => Value::List(Vec::new()),
            };
            let fresh = state_from_server(&item, state, zone_status, warnings);
            (fresh, diags)
        }
        Err(e) if e.is_not_found() => (Value::Null, Vec::new()),
        Err(e) => (
            state.clone(),
            diag::from_client_error("Could not read the MeshMultiZoneService", &e),
        ),
    }
}

/// Import by `mesh/name`, `{"mesh":"...","name":"..."}`, a KRI or a bare name.
pub fn import(id: &str) -> Result<Value, Vec<Diag>> {
    let short_name = ResourceType::MeshMultiZoneService.short_name();
    let (mesh, name) = super::parse_mesh_scoped_id(id, short_name).map_err(|e| {
        vec![Diag::error(
            "Invalid import ID",
            format!("{e}. Use <mesh>/<name> (e.g. default/redis), a bare name in mesh default (redis), {{\"mesh\": \"default\", \"name\": \"redis\"}} or the KRI (kri_{short_name}_default___redis_)."),
        )]
    })?;
    super::refuse_invalid_key(id, &name, Some(&mesh))?;
    Ok(Value::object([
        ("id", Value::string(format!("{mesh}/{name}"))),
        ("mesh", Value::string(mesh)),
        ("name", Value::string(name)),
        ("port", Value::List(Vec::new())),
    ])
    .conform(state_type()))
}

/// [`validate`] under every supported release: the newest's diagnostics with only the errors
/// every release gives at the same attribute, and apart the errors only some releases give
/// (in the newest release's words). What `terraform validate` reports, and a plan whose
/// control plane's release could not be read ([`Configured::release_not_read`]).
pub fn validate_every_release(config: &Value) -> (Vec<Diag>, Vec<Diag>) {
    let newest = validate(config, KumaVersion::default());
    // The other releases only when the newest refuses something (a valid configuration,
    // the usual one, is checked once).
    let others: Vec<Vec<Diag>> = if newest.iter().any(|d| d.error) {
        (KumaVersion::ALL.into_iter())
            .filter(|v| *v != KumaVersion::default())
            .map(|v| validate(config, v))
            .collect()
    } else {
        Vec::new()
    };
    let everywhere =
        |d: &Diag| (others.iter()).all(|found| found.iter().any(|e| e.error && e.path == d.path));
    newest.into_iter().partition(|d| !d.error || everywhere(d))
}

/// The resource type, for the registry.
pub struct MeshMultiZoneService;

#[tonic::async_trait]
impl super::registry::ManagedResource for MeshMultiZoneService {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// Errors only where every supported release rejects at the same attribute (the release is
    /// not known before the provider is configured; PlanResourceChange re-checks with the
    /// server's), in the newest release's words; lints are warnings.
    fn validate(&self, config: &Value) -> Vec<Diag> {
        let (mut diags, release_errors) = validate_every_release(config);
        super::extend_unreported(
            &mut diags,
            super::overwritten_labels(
                config,
                &super::modes_before_configure(),
                &KumaVersion::ALL,
                ResourceType::MeshMultiZoneService,
                true,
            ),
        );
        let not_yet = super::not_yet_errors(&diags, release_errors);
        super::extend_unreported(&mut diags, not_yet);
        diags
    }

    async fn plan(
        &self,
        ctx: &PlanContext,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> PlanOutcome {
        plan(ctx, prior, proposed, config).await
    }

    async fn apply(
        &self,
        configured: &Configured,
        prior: &Value,
        planned: &Value,
    ) -> (Value, Vec<Diag>) {
        apply(configured, prior, planned).await
    }

    async fn read(&self, configured: &Configured, state: &Value) -> (Value, Vec<Diag>) {
        read(configured, state).await
    }

    fn import(&self, id: &str) -> Result<Value, Vec<Diag>> {
        import(id)
    }

    async fn missing_on_import(&self, configured: &Configured, state: &Value) -> Diag {
        let mesh = state.get("mesh").as_str().unwrap_or_default();
        let name = state.get("name").as_str().unwrap_or_default();
        let fix = "import a MeshMultiZoneService of an existing mesh (GET /meshes lists them).";
        if let Some(missing) = super::missing_mesh(configured, mesh, fix).await {
            return missing;
        }
        Diag::error(
            "Cannot import: no such MeshMultiZoneService",
            format!(
                "{} has no MeshMultiZoneService {name:?} in mesh {mesh:?}; GET {} lists the ones there.",
                configured.client.endpoint(),
                collection(mesh)
            ),
        )
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::diag::Step;

    use crate::test_server::block_on;
    use std::sync::Arc;
    use std::time::Duration;

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
    fn a_negative_port_refused_by_the_decoder_is_shown_at_the_port() {
        let mut cfg = config(Value::Null);
        cfg.set(
            "port",
            Value::List(vec![Value::object([
                ("port", Value::int(-1)),
                ("app_protocol", Value::Null),
            ])]),
        );
        let cfg = cfg.conform(state_type());
        let diags = validate(&cfg, KumaVersion::V2_11);
        let error = diags.iter().find(|d| d.error).expect("an error");
        assert!(error.detail.contains("of type uint32"), "{}", error.detail);
        assert_eq!(
            error.path,
            vec![
                Step::Attr("port".into()),
                Step::Index(0),
                Step::Attr("port".into())
            ]
        );
    }

    #[test]
    fn create_plan_fills_defaults_and_predicts_the_id() {
        let cfg = config(Value::Null);
        let out = block_on(plan(&PlanContext::default(), &Value::Null, &cfg, &cfg));
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
        let created = block_on(plan(&PlanContext::default(), &Value::Null, &cfg, &cfg)).planned;
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
        let out = block_on(plan(&PlanContext::default(), &prior, &proposed, &cfg));
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
    fn an_error_the_other_release_line_accepts_carries_the_cores_version_hint() {
        let cfg = with_ports(vec![(6379, "tcp"), (9092, "kafka")]);
        let v3 = validate(&cfg, KumaVersion::V3_0);
        let error = v3.iter().find(|d| d.error).expect("3.0 rejects kafka");
        let shown = error.to_proto().detail;
        assert!(
            shown.starts_with(&format!("{}\n\nHint: Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0 (provider setting kuma_version = \"2.14\"", error.detail)),
            "{shown}"
        );
        // An error every release gives has none.
        let mut bad = with_ports(vec![(6379, "tcp")]);
        bad.set("name", Value::string("Bad_Name"));
        for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
            let diags = validate(&bad, version);
            let error = diags.iter().find(|d| d.error).expect("Bad_Name is refused");
            assert_eq!(error.hint, None, "{diags:?}");
        }
    }

    /// `terraform validate` fails on what every release refuses and then stops the run, so what
    /// only some releases refuse is shown with it, as warnings, rather than one fix later.
    #[test]
    fn a_failing_validation_also_shows_what_only_some_releases_refuse() {
        use crate::resources::registry::ManagedResource;
        let mut cfg = with_ports(vec![(9092, "kafka")]);
        let clean = MeshMultiZoneService.validate(&cfg);
        assert!(clean.is_empty(), "left to the plan: {clean:?}");
        cfg.set("name", Value::string("Bad_Name"));
        let diags = MeshMultiZoneService.validate(&cfg);
        let name = diags.iter().find(|d| d.path == attr("name")).expect("name");
        assert!(name.error, "{diags:?}");
        let protocol = (diags.iter())
            .find(|d| d.detail.contains("appProtocol must be one of"))
            .expect("the kafka port is shown too");
        assert!(!protocol.error, "{protocol:?}");
        assert_eq!(
            protocol.path,
            vec![
                Step::Attr("port".into()),
                Step::Index(0),
                Step::Attr("app_protocol".into())
            ]
        );
        assert!(
            protocol
                .detail
                .ends_with("the plan checks it against the release the control plane runs."),
            "{protocol:?}"
        );
    }

    /// `GET /` answered an error at configure and once more, and no `kuma_version` is set: a
    /// create every release accepts and one only some accept (a port protocol 3.0 dropped)
    /// stop alike, as names that depend on the release cannot be planned either way (the
    /// apply's own plan may read it and show them); the second also says which releases
    /// refuse it.
    #[test]
    fn a_release_not_read_stops_a_create_whether_every_release_or_only_some_accept_it() {
        use crate::config::{Reread, Unread};
        let unread = Unread {
            error: "Kuma API GET / returned 503: no healthy upstream".into(),
            unreachable: false,
        };
        let provider = Value::object([
            ("endpoint", Value::string("http://127.0.0.1:1")),
            ("max_retries", Value::int(0)),
        ]);
        let Ok(crate::config::Configuration::Ready(configured)) =
            crate::config::configure(&provider)
        else {
            panic!("the provider configures");
        };
        let mut configured = (*configured).clone();
        configured.release_unread = Some(unread.clone());
        let _ = configured.release_reread.set(Reread::failed(unread));
        let ctx = PlanContext {
            version: configured.kuma_version,
            configured: Some(Arc::new(configured)),
            ..PlanContext::default()
        };
        assert_eq!(ctx.rules_release(), None);
        for (protocol, only_some) in [("http", false), ("tcp", false), ("kafka", true)] {
            let cfg = with_ports(vec![(9092, protocol)]);
            let out = block_on(plan(&ctx, &Value::Null, &cfg, &cfg));
            let errors: Vec<&Diag> = out.diags.iter().filter(|d| d.error).collect();
            let [stop] = errors.as_slice() else {
                panic!("{protocol}: one error: {:?}", out.diags);
            };
            assert_eq!(
                stop.summary,
                "Cannot plan the MeshMultiZoneService default/redis: the Kuma release of http://127.0.0.1:1 could not be read",
                "{protocol}"
            );
            let said = (out.diags.iter()).any(|d| {
                d.detail
                    .contains("Some supported Kuma releases refuse this")
            });
            assert_eq!(said, only_some, "{protocol}: {:?}", out.diags);
        }
    }

    #[test]
    fn a_plan_keeps_the_hint_only_while_the_rules_are_kuma_versions_not_the_servers() {
        let cfg = with_ports(vec![(9092, "kafka")]);
        let offline = block_on(plan(&PlanContext::default(), &Value::Null, &cfg, &cfg));
        let error = offline
            .diags
            .iter()
            .find(|d| d.error)
            .expect("3.0 rejects kafka");
        assert!(error.hint.is_some(), "{:?}", offline.diags);
        let provider = Value::object([("endpoint", Value::string("http://127.0.0.1:1"))]);
        let Ok(crate::config::Configuration::Ready(configured)) =
            crate::config::configure(&provider)
        else {
            panic!("the provider configures");
        };
        let mut told = (*configured).clone();
        told.release_from_server = true;
        let ctx = PlanContext {
            configured: Some(std::sync::Arc::new(told)),
            version: KumaVersion::V3_0,
            has_zones: false,
            held: Vec::new(),
            refreshed: true,
        };
        let online = block_on(plan(&ctx, &Value::Null, &cfg, &cfg));
        let error = online
            .diags
            .iter()
            .find(|d| d.error)
            .expect("3.0 rejects kafka");
        assert_eq!(error.hint, None);
        assert_eq!(error.detail, offline.diags[0].detail);
    }

    #[test]
    fn a_bad_name_is_an_error_on_name_for_every_kuma_version() {
        let mut cfg = config(Value::Null);
        cfg.set("name", Value::string("Bad_Name"));
        for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
            let diags = validate(&cfg, version);
            let error = diags.iter().find(|d| d.error).expect("Bad_Name is refused");
            assert_eq!(error.path, attr("name"), "{diags:?}");
        }
    }

    #[test]
    fn spec_name_and_label_errors_are_all_reported_at_once() {
        // Kuma's PUT stops at the spec's schema error; the plan still names the rest.
        let mut cfg = with_ports(vec![(99_999_999_999, "tcp")]);
        cfg.set("name", Value::string("Bad_Name"));
        cfg.set("labels", Value::object([("bad key!", Value::string("x"))]));
        for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
            let diags = validate(&cfg, version);
            let paths: Vec<&Vec<Step>> =
                diags.iter().filter(|d| d.error).map(|d| &d.path).collect();
            let port = vec![
                Step::Attr("port".into()),
                Step::Index(0),
                Step::Attr("port".into()),
            ];
            let label = vec![Step::Attr("labels".into()), Step::Key("bad key!".into())];
            for wanted in [&port, &attr("name"), &label] {
                assert!(
                    paths.contains(&wanted),
                    "{version}: no error at {wanted:?}: {diags:?}"
                );
            }
            // Each once; the stand-in spec itself is never reported.
            assert_eq!(paths.len(), 3, "{diags:?}");
        }
        // A validator (not schema) error in the spec hides the name error just the same.
        let mut cfg = config(Value::string("bogus"));
        cfg.set("name", Value::string("Bad_Name"));
        let diags = validate(&cfg, KumaVersion::V3_0);
        assert!(
            diags.iter().any(|d| d.error && d.path == attr("name")),
            "{diags:?}"
        );
        assert!(
            diags
                .iter()
                .any(|d| d.error && d.path.first() == Some(&Step::Attr("port".into()))),
            "{diags:?}"
        );
        // The offline check (both release lines) keeps both as well.
        let both = super::super::registry::ManagedResource::validate(&MeshMultiZoneService, &cfg);
        assert!(
            both.iter().any(|d| d.error && d.path == attr("name")),
            "{both:?}"
        );
    }

    #[test]
    fn a_port_beyond_int32_is_an_error_on_that_port() {
        let cfg = with_ports(vec![(6379, "tcp"), (99_999_999_999, "tcp")]);
        let diags = validate(&cfg, KumaVersion::V3_0);
        let error = diags
            .iter()
            .find(|d| d.error)
            .expect("int32 overflow refused");
        assert_eq!(
            error.path.first(),
            Some(&Step::Attr("port".into())),
            "{diags:?}"
        );
        assert_eq!(error.path.get(1), Some(&Step::Index(1)), "{diags:?}");
    }

    #[test]
    fn a_port_beyond_64_bits_is_called_a_number() {
        let mut cfg = with_ports(vec![(6379, "tcp")]);
        // What Terraform sends for `port = 1e30`: the number's text.
        cfg.set(
            "port",
            Value::List(vec![Value::object([
                ("name", Value::Null),
                (
                    "port",
                    Value::Number(crate::value::Number::Text("1e+30".into())),
                ),
                ("app_protocol", Value::string("tcp")),
            ])]),
        );
        let diags = validate(&cfg, KumaVersion::V3_0);
        let error = diags.iter().find(|d| d.error).expect("1e30 refused");
        assert!(error.detail.contains("\"number\""), "{error:?}");
        assert!(!error.detail.contains("\"string\""), "{error:?}");
    }

    #[test]
    fn an_unknown_name_still_checks_the_rest() {
        let mut cfg = with_ports(vec![(80, "kafka")]);
        cfg.set("name", Value::Unknown);
        let diags = validate(&cfg, KumaVersion::V3_0);
        assert!(
            diags
                .iter()
                .any(|d| d.error && d.path.first() == Some(&Step::Attr("port".into()))),
            "{diags:?}"
        );
        assert!(diags.iter().all(|d| d.path != attr("name")), "{diags:?}");
    }

    #[test]
    fn unknown_labels_selector_or_ports_still_check_the_known_rest() {
        let port_error = |cfg: &Value| {
            let diags = validate(cfg, KumaVersion::V3_0);
            assert!(
                diags.iter().all(|d| !d.error
                    || d.path
                        == vec![
                            Step::Attr("port".into()),
                            Step::Index(0),
                            Step::Attr("app_protocol".into())
                        ]),
                "{diags:?}"
            );
            diags.iter().any(|d| d.error)
        };
        let bogus = || with_ports(vec![(80, "bogus")]);
        let unknowns: [(&str, Value); 2] = [
            ("labels", Value::object([("x", Value::Unknown)])),
            ("labels", Value::Unknown),
        ];
        for (key, value) in unknowns {
            let mut cfg = bogus();
            cfg.set(key, value);
            assert!(port_error(&cfg), "{key}");
        }
        for match_labels in [Value::object([("a", Value::Unknown)]), Value::Unknown] {
            let mut cfg = bogus();
            cfg.set(
                "selector",
                Value::object([(
                    "mesh_service",
                    Value::object([("match_labels", match_labels.clone())]),
                )]),
            );
            assert!(port_error(&cfg), "{match_labels:?}");
        }
        // An unknown second port; an unknown port number next to a bad protocol.
        let mut cfg = bogus();
        cfg.set(
            "port",
            Value::List(vec![
                cfg.get("port").items()[0].clone(),
                Value::object([
                    ("name", Value::Unknown),
                    ("port", Value::Unknown),
                    ("app_protocol", Value::Unknown),
                ]),
            ]),
        );
        assert!(port_error(&cfg));
        let mut cfg = bogus();
        cfg.set("selector", Value::Unknown);
        assert!(port_error(&cfg));
        // Unknowns alone are no error, and no spec to preview.
        let mut cfg = with_ports(vec![(80, "tcp")]);
        cfg.set("labels", Value::object([("x", Value::Unknown)]));
        assert!(validate(&cfg, KumaVersion::V3_0).is_empty());
        assert!(matches!(
            spec_from_config(&cfg, KumaVersion::V3_0),
            Ok(None)
        ));
        cfg.set("port", Value::Unknown);
        assert!(validate(&cfg, KumaVersion::V3_0).is_empty());
        assert_eq!(kuma_object(&cfg, "default", "redis"), None);
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

    #[test]
    fn an_import_id_kuma_could_not_hold_says_why() {
        // It used to end in Terraform's "Cannot import non-existent remote object".
        let Err(diags) = import("Default/API") else {
            panic!("an invalid name imports");
        };
        let detail = &diags[0].detail;
        assert!(
            detail.starts_with("\"Default/API\" names no object Kuma could hold: name: ")
                && detail.contains("mesh: "),
            "{detail}"
        );
    }

    /// A control plane holding MZS `taken` (another team's) whose PUT overwrites, unless it is
    /// kuma-local (`honours`: its index says `kumaLocal` and a create-only PUT over an existing
    /// object is a 412). Counts GETs of `taken` and PUTs that overwrote it.
    async fn holder_of_taken(
        honours: bool,
    ) -> (
        String,
        Arc<std::sync::atomic::AtomicUsize>,
        Arc<std::sync::atomic::AtomicUsize>,
    ) {
        use axum::http::{HeaderMap, StatusCode};
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (gets, overwrites) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (g, o) = (Arc::clone(&gets), Arc::clone(&overwrites));
        let mut index =
            serde_json::json!({"version": "2.14.3", "basedOnKuma": "2.14.3", "product": "Kuma"});
        if honours {
            index["kumaLocal"] = serde_json::json!("0.1.0");
            index["mode"] = serde_json::json!("global");
        }
        let taken = "/meshes/default/meshmultizoneservices/taken";
        let app = axum::Router::new()
            .route("/", axum::routing::get(move || async move { axum::Json(index) }))
            .route(
                taken,
                axum::routing::get(move || {
                    g.fetch_add(1, Ordering::SeqCst);
                    async { axum::Json(serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "taken"})) }
                })
                .put(move |headers: HeaderMap| {
                    let refuse = honours && headers.contains_key("if-none-match");
                    if !refuse {
                        o.fetch_add(1, Ordering::SeqCst);
                    }
                    async move {
                        if refuse {
                            (StatusCode::PRECONDITION_FAILED, axum::Json(serde_json::json!({"title": "Precondition Failed"})))
                        } else {
                            (StatusCode::OK, axum::Json(serde_json::json!({})))
                        }
                    }
                }),
            );
        (crate::test_server::serve(app).await, gets, overwrites)
    }

    #[test]
    fn a_create_never_overwrites_whether_or_not_the_server_honours_if_none_match() {
        use std::sync::atomic::Ordering;
        block_on(async {
            for honours in [false, true] {
                let (endpoint, gets, overwrites) = holder_of_taken(honours).await;
                let Ok(crate::config::Configuration::Ready(configured)) = crate::config::configure(
                    &Value::object([("endpoint", Value::string(&endpoint))]),
                ) else {
                    panic!("the provider configures");
                };
                let (configured, _) = crate::config::detect(&configured).await;
                assert_eq!(configured.refuses_create_over_existing, honours);
                let request = serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "taken", "spec": {}});
                let what = Importable {
                    type_name: TYPE_NAME,
                    kind: KIND,
                    id: "default/taken",
                };
                let created = super::super::create_new(
                    &configured,
                    &what,
                    "/meshes/default/meshmultizoneservices/taken",
                    &request,
                    |item| item.clone(),
                )
                .await;
                let Err(diags) = created else {
                    panic!("honours={honours}: created over another's object");
                };
                assert_eq!(
                    diags.iter().map(|d| d.summary.as_str()).collect::<Vec<_>>(),
                    ["MeshMultiZoneService \"default/taken\" already exists"],
                    "honours={honours}"
                );
                assert_eq!(overwrites.load(Ordering::SeqCst), 0, "honours={honours}");
                // Kuma ignores the header: the read before the write is the guard. kuma-local
                // refuses the write itself, so no read is made.
                assert_eq!(
                    gets.load(Ordering::SeqCst),
                    usize::from(!honours),
                    "honours={honours}"
                );
            }
        });
    }

    /// A control plane that holds nothing at `path` (GET answers 404) and counts the PUTs there.
    pub(crate) async fn empty_at(
        path: &'static str,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use axum::http::StatusCode;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let puts = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&puts);
        let app = axum::Router::new().route(
            path,
            axum::routing::get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    axum::Json(serde_json::json!({"title": "Could not retrieve a resource", "detail": "Not found"})),
                )
            })
            .put(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::CREATED, axum::Json(serde_json::json!({}))) }
            }),
        );
        (crate::test_server::serve(app).await, puts)
    }

    /// An update (a saved plan, say) that finds its object deleted since the plan writes
    /// nothing: a PUT would create it again with new computed values (a new VIP per zone) the
    /// plan never showed. The error says the next plan creates it.
    #[test]
    fn an_update_of_an_object_deleted_since_the_plan_writes_nothing() {
        use std::sync::atomic::Ordering;
        block_on(async {
            let (endpoint, puts) = empty_at("/meshes/default/meshmultizoneservices/redis").await;
            let Ok(crate::config::Configuration::Ready(configured)) =
                crate::config::configure(&Value::object([("endpoint", Value::string(&endpoint))]))
            else {
                panic!("the provider configures");
            };
            let (prior, planned) = prior_and_label_update().await;
            let (state, diags) = apply(&configured, &prior, &planned).await;
            assert_eq!(puts.load(Ordering::SeqCst), 0, "the update wrote");
            assert_eq!(state, prior);
            let [error] = diags.as_slice() else {
                panic!("one error: {diags:?}");
            };
            assert!(error.error);
            assert_eq!(
                error.summary,
                "The MeshMultiZoneService default/redis was deleted outside Terraform since it was last read"
            );
            for words in [
                "nothing was written",
                "Run `terraform plan`",
                "plans to create it",
            ] {
                assert!(error.detail.contains(words), "{words}: {}", error.detail);
            }
        });
    }

    /// The prior state of `redis` as a create planned it, as created at a fixed time, and the
    /// plan of an update of its labels to `team = "b"`.
    async fn prior_and_label_update() -> (Value, Value) {
        let cfg = config(Value::Null);
        let created = plan(&PlanContext::default(), &Value::Null, &cfg, &cfg).await;
        let mut prior = merge_unknowns(&created.planned, &Value::Null);
        prior.set("creation_time", Value::string("2025-01-01T00:00:00Z"));
        prior.set("modification_time", Value::string("2025-01-01T00:00:00Z"));
        let mut planned = prior.clone();
        planned.set("labels", Value::object([("team", Value::string("b"))]));
        (prior, planned)
    }

    fn configured_at(endpoint: &str, timeout: &str) -> Arc<Configured> {
        let Ok(crate::config::Configuration::Ready(configured)) =
            crate::config::configure(&Value::object([
                ("endpoint", Value::string(endpoint)),
                ("timeout", Value::string(timeout)),
                ("max_retries", Value::int(0)),
            ]))
        else {
            panic!("the provider configures");
        };
        configured
    }

    /// The read before an update or a delete that gets an answer other than the object (a
    /// login page, `{}`) stops the write: nothing is written, and the error says the read
    /// failed, quoting what came, instead of a write on a guess.
    #[test]
    fn a_read_before_the_write_answered_with_something_else_writes_nothing() {
        use axum::http::{header::CONTENT_TYPE, StatusCode};
        use std::sync::atomic::{AtomicUsize, Ordering};
        block_on(async {
            for (content_type, body, quoted) in [
                ("text/html", "<html>login</html>", "Content-Type text/html"),
                ("application/json", "{}", "not a Kuma object (no `name`)"),
            ] {
                let writes = Arc::new(AtomicUsize::new(0));
                let (puts, deletes) = (Arc::clone(&writes), Arc::clone(&writes));
                let app = axum::Router::new().route(
                    "/meshes/default/meshmultizoneservices/redis",
                    axum::routing::get(move || async move {
                        (StatusCode::OK, [(CONTENT_TYPE, content_type)], body)
                    })
                    .put(move || {
                        puts.fetch_add(1, Ordering::SeqCst);
                        async { StatusCode::OK }
                    })
                    .delete(move || {
                        deletes.fetch_add(1, Ordering::SeqCst);
                        async { StatusCode::OK }
                    }),
                );
                let endpoint = crate::test_server::serve(app).await;
                let configured = configured_at(&endpoint, "5s");
                let (prior, planned) = prior_and_label_update().await;
                for (planned, operation) in [(planned, "update"), (Value::Null, "delete")] {
                    let (state, diags) = apply(&configured, &prior, &planned).await;
                    assert_eq!(state, prior, "{operation}: the state moved");
                    let [error] = diags.as_slice() else {
                        panic!("{operation}: one error: {diags:?}");
                    };
                    assert!(error.error);
                    assert_eq!(
                        error.summary,
                        format!("Could not {operation} the MeshMultiZoneService default/redis: the read before the write failed")
                    );
                    for words in [quoted, "Without that answer nothing was written"] {
                        assert!(error.detail.contains(words), "{words}: {}", error.detail);
                    }
                }
                assert_eq!(writes.load(Ordering::SeqCst), 0, "{body}: written");
            }
        });
    }

    /// A write answered with a success whose body then stalls was made: an update and a create
    /// are recorded as written (read back), with a warning that the answer could not be read,
    /// not reported as failed (the next plan would then say the object already exists, or
    /// plan the same write again).
    #[test]
    fn a_write_whose_success_answer_cannot_be_read_is_recorded_as_written_with_a_warning() {
        use crate::client::tests::{serve_raw_by, Then};
        use std::sync::atomic::{AtomicBool, Ordering};
        block_on(async {
            let object = serde_json::json!({
                "type": "MeshMultiZoneService", "mesh": "default", "name": "redis",
                "creationTime": "2025-01-01T00:00:00Z", "modificationTime": "2025-01-01T00:00:00Z",
                "labels": {"team": "b"},
                "spec": {"selector": {"meshService": {"matchLabels": {"app": "redis"}}},
                         "ports": [{"port": 6379, "appProtocol": "tcp"}]}
            })
            .to_string();
            for creating in [false, true] {
                // Before the write, a create finds nothing; after it, the object is there.
                let written = Arc::new(AtomicBool::new(false));
                let seen = Arc::clone(&written);
                let object = object.clone();
                let Some((endpoint, requests)) = serve_raw_by(move |line| {
                    let whole = |status: &str, body: &str| {
                        format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                    };
                    if line.starts_with("PUT ") {
                        seen.store(true, Ordering::SeqCst);
                        let status = if creating { "201 Created" } else { "200 OK" };
                        let partial = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"warn");
                        (partial, Then::Stall(Duration::from_secs(10)))
                    } else if creating && !seen.load(Ordering::SeqCst) {
                        (
                            whole("404 Not Found", "{\"title\":\"Not found\"}"),
                            Then::Close,
                        )
                    } else {
                        (whole("200 OK", &object), Then::Close)
                    }
                }) else {
                    return;
                };
                let configured = configured_at(&endpoint, "1s");
                let (mut prior, planned) = prior_and_label_update().await;
                if creating {
                    prior = Value::Null;
                }
                let (state, diags) = apply(&configured, &prior, &planned).await;
                let requests = requests.lock().map(|r| r.clone()).unwrap_or_default();
                assert!(written.load(Ordering::SeqCst), "{requests:?}");
                assert!(
                    diags.iter().all(|d| !d.error),
                    "creating={creating}: {diags:?}"
                );
                let warning = diags
                    .iter()
                    .find(|d| d.summary.contains("answer could not be read"))
                    .unwrap_or_else(|| panic!("creating={creating}: no warning: {diags:?}"));
                assert_eq!(
                    warning.summary,
                    "The MeshMultiZoneService default/redis was written, but the control plane's answer could not be read"
                );
                assert!(
                    warning.detail.contains("timed out reading its body")
                        && warning
                            .detail
                            .contains("The success status says the write was made"),
                    "{}",
                    warning.detail
                );
                assert_eq!(state.get("labels"), planned.get("labels"), "{state:?}");
                assert_eq!(
                    state.get("creation_time"),
                    &Value::string("2025-01-01T00:00:00Z")
                );
                let puts = requests.iter().filter(|r| r.starts_with("PUT ")).count();
                assert_eq!(puts, 1, "{requests:?}");
            }
        });
    }

    /// A zone whose `GET /hostnamegenerators` lists `generators` (each `(name, template,
    /// selected labels)`, as global's copies), or answers a login page when `None`; how many
    /// times it was listed.
    async fn zone_listing(
        generators: Option<&[(&str, &str, serde_json::Value)]>,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use axum::http::{header::CONTENT_TYPE, StatusCode};
        let listed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = Arc::clone(&listed);
        let page = generators.map(|generators| {
            let items: Vec<serde_json::Value> = (generators.iter())
                .map(|(name, template, selected)| {
                    serde_json::json!({
                        "type": "HostnameGenerator", "name": format!("{name}-5c9cd5dbd8f4b5v9"),
                        "labels": {"kuma.io/origin": "global", "kuma.io/display-name": name},
                        "spec": {"template": template,
                                 "selector": {"meshMultiZoneService": {"matchLabels": selected}}}
                    })
                })
                .collect();
            serde_json::json!({"total": items.len(), "items": items, "next": null}).to_string()
        });
        let app = axum::Router::new().route(
            "/hostnamegenerators",
            axum::routing::get(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let page = page.clone();
                async move {
                    match page {
                        Some(page) => (StatusCode::OK, [(CONTENT_TYPE, "application/json")], page),
                        None => (
                            StatusCode::OK,
                            [(CONTENT_TYPE, "text/html")],
                            "<html>login</html>".to_owned(),
                        ),
                    }
                }
            }),
        );
        (crate::test_server::serve(app).await, listed)
    }

    /// A label-only update keeps a zone's hostnames known where the HostnameGenerators the zone
    /// holds cannot make them change (Kuma's default and a generator on another label), and
    /// plans them unknown where a generator renders the changed label. A zone whose
    /// generators cannot be listed is unknown in the first plan, and kept in the apply's own
    /// (which must agree with the first wherever it knew); each zone is listed once per
    /// process; a generator this process wrote counts as it was before (the first plan could
    /// not see it).
    #[test]
    fn a_label_update_keeps_hostnames_known_where_no_generator_uses_the_label() {
        use std::sync::atomic::Ordering;
        block_on(async {
            let other_label: &[(&str, &str, serde_json::Value)] = &[(
                "internal",
                "{{ .DisplayName }}.internal",
                serde_json::json!({"tier": "db"}),
            )];
            let renders_team: &[(&str, &str, serde_json::Value)] = &[(
                "by-team",
                "{{ .DisplayName }}.{{ label \"team\" }}.mzsvc.mesh.local",
                serde_json::json!({}),
            )];
            let (east, east_listed) = zone_listing(Some(other_label)).await;
            let (west, west_listed) = zone_listing(Some(renders_team)).await;
            let (login, _) = zone_listing(None).await;
            let (plain, _) = zone_listing(Some(&[])).await;
            let zones = [
                ("east", &east),
                ("west", &west),
                ("login", &login),
                ("plain", &plain),
            ];
            let blocks = (zones.iter())
                .map(|(name, endpoint)| {
                    Value::object([
                        ("name", Value::string(*name)),
                        ("endpoint", Value::string(endpoint.as_str())),
                    ])
                })
                .collect();
            let Ok(crate::config::Configuration::Ready(configured)) =
                crate::config::configure(&Value::object([
                    ("endpoint", Value::string("http://127.0.0.1:1")),
                    ("max_retries", Value::int(0)),
                    ("zone", Value::List(blocks)),
                ]))
            else {
                panic!("the provider configures");
            };
            let hostnames = |zone: &str| {
                Value::List(vec![Value::string(format!(
                    "redis.{zone}.mzsvc.mesh.local"
                ))])
            };
            let cfg = config(Value::Null);
            let created = plan(&PlanContext::default(), &Value::Null, &cfg, &cfg).await;
            let mut prior = merge_unknowns(&created.planned, &Value::Null);
            prior.set("labels", Value::object([("team", Value::string("a"))]));
            let entries = (zones.iter())
                .map(|(zone, _)| {
                    let mut entry = zones::planned_entry(zone);
                    for (key, value) in [
                        ("state", Value::string(zones::SYNCED)),
                        ("vip", Value::string("243.0.0.7")),
                        ("hostnames", hostnames(zone)),
                    ] {
                        entry.set(key, value);
                    }
                    merge_unknowns(&entry, &Value::Null)
                })
                .collect();
            prior.set("zone_status", Value::List(entries));
            let mut proposed = prior.clone();
            proposed.set("labels", Value::object([("team", Value::string("b"))]));
            let planned_hostnames = |refreshed: bool, proposed: Value| {
                let ctx = PlanContext {
                    has_zones: true,
                    configured: Some(Arc::clone(&configured)),
                    refreshed,
                    ..PlanContext::default()
                };
                let prior = prior.clone();
                async move {
                    let out = plan(&ctx, &prior, &proposed, &proposed).await;
                    let entries = out.planned.get("zone_status").items();
                    for entry in entries {
                        assert_eq!(entry.get("vip"), &Value::string("243.0.0.7"), "{entry:?}");
                    }
                    (entries.iter())
                        .map(|e| {
                            (
                                e.get("zone").as_str().unwrap_or_default().to_owned(),
                                e.get("hostnames").clone(),
                            )
                        })
                        .collect::<Vec<_>>()
                }
            };
            let expect = |known: &[&str]| {
                (zones.iter())
                    .map(|(zone, _)| {
                        let value = if known.contains(zone) {
                            hostnames(zone)
                        } else {
                            Value::Unknown
                        };
                        ((*zone).to_owned(), value)
                    })
                    .collect::<Vec<_>>()
            };
            // `terraform plan` (its refresh read the object).
            assert_eq!(
                planned_hostnames(true, proposed.clone()).await,
                expect(&["east", "plain"])
            );
            // The apply's own plan: a zone it cannot list keeps what the first plan could not
            // tell either way, as the apply keeps it when it cannot read the zone.
            assert_eq!(
                planned_hostnames(false, proposed.clone()).await,
                expect(&["east", "login", "plain"])
            );
            assert_eq!(east_listed.load(Ordering::SeqCst), 1);
            assert_eq!(west_listed.load(Ordering::SeqCst), 1);
            // A label no generator renders, added beside: kept wherever the team's label is.
            let mut unchanged_team = prior.clone();
            unchanged_team.set(
                "labels",
                Value::object([("team", Value::string("a")), ("owner", Value::string("x"))]),
            );
            assert_eq!(
                planned_hostnames(true, unchanged_team).await,
                expect(&["east", "west", "plain"])
            );
            // Created by this process (an earlier resource of the same apply): the plans of
            // this run did not see it.
            configured.live.note_generator_write("by-team", None);
            assert_eq!(
                planned_hostnames(true, proposed).await,
                expect(&["east", "west", "plain"])
            );
            assert_eq!(west_listed.load(Ordering::SeqCst), 1);
        });
    }

    /// A provider at an address where nothing listens, with `zone` blocks `zones`.
    fn configured_with_zones(zones: &[&str]) -> Arc<Configured> {
        let blocks = zones
            .iter()
            .map(|name| {
                Value::object([
                    ("name", Value::string(*name)),
                    ("endpoint", Value::string("http://127.0.0.1:1")),
                ])
            })
            .collect();
        let config = Value::object([
            ("endpoint", Value::string("http://127.0.0.1:1")),
            ("max_retries", Value::int(0)),
            ("zone", Value::List(blocks)),
        ]);
        match crate::config::configure(&config) {
            Ok(crate::config::Configuration::Ready(configured)) => configured,
            _ => panic!("the provider configures"),
        }
    }

    /// A create plans one `zone_status` entry per `zone` block, in their order, each `zone`
    /// known (so `for_each` over them works at plan) and what the zone computes unknown; an
    /// update whose zone blocks changed keeps the known zones' values and names the new one.
    #[test]
    fn a_create_plans_each_configured_zone_by_name() {
        let configured = configured_with_zones(&["west", "east"]);
        let ctx = PlanContext {
            has_zones: true,
            configured: Some(Arc::clone(&configured)),
            ..PlanContext::default()
        };
        let cfg = config(Value::Null);
        let out = block_on(plan(&ctx, &Value::Null, &cfg, &cfg));
        let entries = out.planned.get("zone_status").items();
        let names: Vec<Option<&str>> = entries.iter().map(|e| e.get("zone").as_str()).collect();
        assert_eq!(names, [Some("west"), Some("east")]);
        for entry in entries {
            for key in ["state", "vip", "hostnames", "found", "conditions"] {
                assert!(entry.get(key).is_unknown(), "{key}: {entry:?}");
            }
        }
        // The apply reads the zones in the same order, one entry each (here unreachable).
        let (read, _) = block_on(zones::read(&configured, "default", "redis", None));
        let read_names: Vec<Option<&str>> = read
            .items()
            .iter()
            .map(|e| e.get("zone").as_str())
            .collect();
        assert_eq!(read_names, names);
        // A label-only update after a `zone` block was added: the known zone keeps its VIP.
        let created = block_on(plan(&PlanContext::default(), &Value::Null, &cfg, &cfg)).planned;
        let mut prior = merge_unknowns(&created, &Value::Null);
        let mut east = zones::planned_entry("east");
        for (key, value) in [
            ("state", Value::string(zones::SYNCED)),
            ("vip", Value::string("243.0.0.7")),
        ] {
            east.set(key, value);
        }
        prior.set(
            "zone_status",
            Value::List(vec![merge_unknowns(&east, &Value::Null)]),
        );
        let mut proposed = prior.clone();
        proposed.set("labels", Value::object([("team", Value::string("a"))]));
        let out = block_on(plan(&ctx, &prior, &proposed, &proposed));
        let entries = out.planned.get("zone_status").items();
        let names: Vec<Option<&str>> = entries.iter().map(|e| e.get("zone").as_str()).collect();
        assert_eq!(names, [Some("west"), Some("east")]);
        assert!(entries[0].get("vip").is_unknown());
        assert_eq!(entries[1].get("vip"), &Value::string("243.0.0.7"));
        // No zone blocks: no entries.
        let none = PlanContext {
            configured: Some(configured_with_zones(&[])),
            ..PlanContext::default()
        };
        let out = block_on(plan(&none, &Value::Null, &cfg, &cfg));
        assert_eq!(out.planned.get("zone_status"), &Value::List(Vec::new()));
    }
}
