//! `kuma_hostname_generator`: a HostnameGenerator (global-scoped) on the global control plane.

use std::collections::BTreeMap;

use kuma_mzs_core::api::{review_put, Mode, StoreView};
use kuma_mzs_core::model::{
    Extension, HostnameGeneratorSelector, HostnameGeneratorSpec, LabelSelector,
};
use kuma_mzs_core::{CheckOptions, Code, Format, KumaVersion, ResourceType};

use super::{
    json_str, labels_json, merge_unknowns, plan_common, same_json, user_labels, PlanOutcome,
};
use crate::client::encode;
use crate::config::Configured;
use crate::diag::{self, attr, Diag};
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::{Ty, Value};

/// Terraform type name.
pub const TYPE_NAME: &str = "kuma_hostname_generator";
/// Kuma's name of the type, for messages.
const KIND: &str = "HostnameGenerator";

const COMPUTED: &[&str] = &[
    "id",
    "kri",
    "creation_time",
    "modification_time",
    "warnings",
];
const VOLATILE: &[&str] = &["modification_time", "warnings"];
const SELECTORS: [(&str, &str); 3] = [
    ("mesh_service", "meshService"),
    ("mesh_external_service", "meshExternalService"),
    ("mesh_multi_zone_service", "meshMultiZoneService"),
];

fn selector_kind(name: &'static str, what: &'static str) -> NestedBlock {
    NestedBlock {
        name,
        nesting: Nesting::Single,
        min_items: 0,
        max_items: 0,
        block: Block {
            description: what,
            attributes: vec![Attribute::optional(
                "match_labels",
                Ty::map(Ty::String),
                "Labels the resource must all carry; empty or absent matches every resource of the kind.",
            )],
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
            description: "A Kuma **HostnameGenerator**: a Go-template rule that gives hostnames to MeshServices, MeshExternalServices or MeshMultiZoneServices (e.g. `{{ .DisplayName }}.mzsvc.mesh.local`). The template is parsed and rendered with Kuma's stub values at plan time, with Kuma's exact messages.",
            attributes: vec![
                Attribute::computed("id", Ty::String, "The name."),
                Attribute::required("name", Ty::String, "Name.").force_new(),
                Attribute::optional_computed("labels", Ty::map(Ty::String), "Labels. Labels Kuma adds itself are not shown and never cause a diff. Unset is `{}`: the two never differ. Kuma (2.13 and later) keeps `kuma.io/zone` for an object's life, so a change or removal of it replaces the generator (Terraform shows \"forces replacement\")."),
                Attribute::required("template", Ty::String, "Go `text/template` producing the hostname, with `.Name`, `.DisplayName`, `.Namespace`, `.Mesh`, `.Zone` and `label \"key\"`."),
                Attribute::computed("kri", Ty::String, "Kuma Resource Identifier; null against Kuma 2.9 to 2.12, which report none. Known at plan from the release the control plane's `GET /` reports, or from `kuma_version` when that is set and `GET /` does not answer (at configure and once more). Without `kuma_version`, when the control plane cannot be reached at all it is unknown until the apply, with a warning (an apply cannot write then either); when it answers but `GET /` fails, a create's plan stops with an error, because Terraform plans again when it applies and the two plans must agree (`terraform destroy -refresh=false` destroys without that plan)."),
                Attribute::computed("creation_time", Ty::String, "When the control plane created the resource (RFC 3339)."),
                Attribute::computed("modification_time", Ty::String, "When the control plane last changed the resource (RFC 3339)."),
                Attribute::computed("warnings", Ty::list(Ty::String), "Warnings the control plane returned on the last write."),
            ],
            blocks: vec![
                NestedBlock {
                    name: "selector",
                    nesting: Nesting::Single,
                    min_items: 1,
                    max_items: 1,
                    block: Block {
                        description: "Which resources get hostnames; exactly one of the blocks.",
                        attributes: vec![],
                        blocks: vec![
                            selector_kind("mesh_service", "Select MeshServices."),
                            selector_kind("mesh_external_service", "Select MeshExternalServices."),
                            selector_kind("mesh_multi_zone_service", "Select MeshMultiZoneServices."),
                        ],
                    },
                },
                NestedBlock {
                    name: "extension",
                    nesting: Nesting::Single,
                    min_items: 0,
                    max_items: 0,
                    block: Block {
                        description: "Optional extension.",
                        attributes: vec![
                            Attribute::required("type", Ty::String, "Extension type."),
                            Attribute::optional("config", Ty::String, "Extension configuration as a JSON string (use `jsonencode(...)`)."),
                        ],
                        blocks: vec![],
                    },
                },
                super::timeouts_block(),
            ],
        },
    }
}

const COLLECTION: &str = "/hostnamegenerators";

fn path(name: &str) -> String {
    format!("{COLLECTION}/{}", encode(name))
}

/// A stand-in for a label value, template or extension type not known yet (valid for each).
const PLACEHOLDER: &str = "not-known-yet";

/// The spec as Kuma would read it, with a valid stand-in for every value not known yet, and the
/// Kuma field paths those stand-ins fill (`spec.selector`, `spec.template`,
/// `spec.extension.type`, ...): the checks that do not depend on them still run at plan time,
/// and [`validate_spec`] drops findings at or under those paths.
fn spec_from_config(config: &Value) -> Result<(HostnameGeneratorSpec, Vec<String>), Vec<Diag>> {
    let mut placeholders = Vec::new();
    let selector = config.get("selector");
    let selector_unknown = selector.is_unknown();
    if selector_unknown {
        placeholders.push("spec.selector".to_owned());
    }
    let mut pick = |ours: &str, kuma: &str| -> Option<LabelSelector> {
        if selector_unknown {
            // One kind, so "exactly one selector" holds for the stand-in.
            return (ours == "mesh_service").then(LabelSelector::default);
        }
        let block = selector.get(ours);
        if block.is_unknown() {
            placeholders.push(format!("spec.selector.{kuma}"));
            return Some(LabelSelector::default());
        }
        if block.is_null() {
            return None;
        }
        let match_labels = match block.get("match_labels") {
            Value::Map(entries) => Some(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let v = v.as_str().map_or_else(
                            || {
                                placeholders
                                    .push(format!("spec.selector.{kuma}.matchLabels[{k:?}]"));
                                PLACEHOLDER.to_owned()
                            },
                            str::to_owned,
                        );
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Unknown => {
                placeholders.push(format!("spec.selector.{kuma}.matchLabels"));
                None
            }
            _ => None,
        };
        Some(LabelSelector { match_labels })
    };
    let selector = HostnameGeneratorSelector {
        mesh_service: pick("mesh_service", "meshService"),
        mesh_external_service: pick("mesh_external_service", "meshExternalService"),
        mesh_multi_zone_service: pick("mesh_multi_zone_service", "meshMultiZoneService"),
    };
    let template = match config.get("template") {
        Value::Unknown => {
            placeholders.push("spec.template".to_owned());
            PLACEHOLDER.to_owned()
        }
        template => template.as_str().unwrap_or("").to_owned(),
    };
    let extension = match config.get("extension") {
        Value::Null => None,
        Value::Unknown => {
            placeholders.push("spec.extension".to_owned());
            None
        }
        extension => {
            let config_json = match extension.get("config") {
                Value::Unknown => {
                    placeholders.push("spec.extension.config".to_owned());
                    None
                }
                config => match config.as_str() {
                    Some(text) => match serde_json::from_str(text) {
                        Ok(v) => Some(v),
                        Err(e) => {
                            return Err(vec![Diag::error(
                                "extension.config is not JSON",
                                e.to_string(),
                            )
                            .at(vec![
                                diag::Step::Attr("extension".into()),
                                diag::Step::Attr("config".into()),
                            ])])
                        }
                    },
                    None => None,
                },
            };
            let extension_type = match extension.get("type") {
                Value::Unknown => {
                    placeholders.push("spec.extension.type".to_owned());
                    PLACEHOLDER.to_owned()
                }
                t => t.as_str().unwrap_or("").to_owned(),
            };
            Some(Extension {
                extension_type,
                config: config_json,
            })
        }
    };
    Ok((
        HostnameGeneratorSpec {
            selector,
            template,
            extension,
        },
        placeholders,
    ))
}

/// Whether a Kuma field path is at or under one of `placeholders`, or is the selector whose
/// kinds are not all known (the "exactly one selector" rule counts kinds, not label values).
fn depends_on_placeholder(field: &str, placeholders: &[String]) -> bool {
    placeholders.iter().any(|p| {
        let under = |a: &str, b: &str| {
            a.strip_prefix(b)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        };
        let unknown_kind = p
            .strip_prefix("spec.selector.")
            .is_some_and(|kind| !kind.contains(['.', '[']));
        under(field, p) || (field == "spec.selector" && unknown_kind)
    })
}

/// Where a violation goes. Terraform shows a source line only for attributes, so "exactly one
/// selector" lands on the `match_labels` of the second selector kind written (the one too
/// many), not on the resource line. With no kind written (`selector {}`) it names a kind inside
/// the block: Terraform descends into `selector`, finds no such attribute and shows the block.
fn violation_path(config: &Value, field: &str) -> Vec<diag::Step> {
    let path = diag::kuma_path(field);
    if path != attr("selector") {
        return path;
    }
    let written: Vec<&str> = SELECTORS
        .iter()
        .map(|(ours, _)| *ours)
        .filter(|ours| !config.get("selector").get(ours).is_null())
        .collect();
    match (written.first(), written.get(1)) {
        (_, Some(extra)) => vec![
            diag::Step::Attr("selector".into()),
            diag::Step::Attr((*extra).into()),
            diag::Step::Attr("match_labels".into()),
        ],
        (None, _) => match SELECTORS.first() {
            Some((kind, _)) => vec![
                diag::Step::Attr("selector".into()),
                diag::Step::Attr((*kind).into()),
            ],
            None => path,
        },
        (Some(_), None) => path,
    }
}

/// [`validate_by_release`]'s errors alone (what the tests look at).
#[cfg(test)]
fn validate(config: &Value) -> Vec<Diag> {
    validate_by_release(config).0
}

/// Offline validation (the Kuma release is not known yet): the `timeouts` block, and the spec
/// errors every supported release gives at the same attribute (the plan re-checks with the
/// server's release); apart from them, the newest release's errors that not every release gives.
fn validate_by_release(config: &Value) -> (Vec<Diag>, Vec<Diag>) {
    let mut diags = super::validate_timeouts(config);
    let per_release: Vec<Vec<Diag>> = KumaVersion::ALL
        .iter()
        .map(|version| validate_spec(config, *version))
        .collect();
    let everywhere = |d: &&Diag| {
        per_release
            .iter()
            .all(|other| other.iter().any(|o| o.path == d.path))
    };
    // Every release's errors in the oldest release's words, as before; the newest release's
    // (`ALL` is newest first) that some release does not give, apart.
    diags.extend(
        (per_release.last().into_iter().flatten())
            .filter(everywhere)
            .cloned(),
    );
    let release_errors = (per_release.first().into_iter().flatten())
        .filter(|d| !everywhere(d))
        .cloned()
        .collect();
    (diags, release_errors)
}

/// Fields of the configuration that `version` does not have (`extension` before Kuma 2.11):
/// Kuma drops them when it decodes the PUT, so the apply would succeed and every later plan
/// would show them again. An error on the attribute, from the core's schema of that release
/// (its `MZS005` finding on the PUT body).
fn dropped_by_release(config: &Value, planned: &Value, version: KumaVersion) -> Vec<Diag> {
    let Some(name) = planned.get("name").as_str() else {
        return Vec::new();
    };
    let options = CheckOptions {
        kuma_version: version,
        format: Format::Json,
        ..CheckOptions::default()
    };
    let checked = kuma_mzs_core::check(&body(planned, name).to_string(), &options);
    (checked.documents.iter())
        .flat_map(|d| &d.diagnostics)
        .filter(|d| d.code == Code::UnknownField)
        .map(|d| {
            Diag::error(
                format!("Kuma {} has no HostnameGenerator {}", version.as_str(), d.field),
                format!(
                    "{}. The control plane would drop it on write and every plan would show it again: remove it, or upgrade Kuma.",
                    d.message
                ),
            )
            .at(block_line(violation_path(config, &d.field), config))
        })
        .collect()
}

/// Terraform shows a diagnostic on a whole block at the resource's line: point at the block's
/// `type` (its required attribute) instead, the first line inside it.
fn block_line(path: Vec<diag::Step>, config: &Value) -> Vec<diag::Step> {
    if path == attr("extension") && !config.get("extension").get("type").is_null() {
        return vec![
            diag::Step::Attr("extension".into()),
            diag::Step::Attr("type".into()),
        ];
    }
    path
}

/// Kuma's HostnameGenerator validator of `version` on the configuration, without the findings
/// that depend on values not known yet.
fn validate_spec(config: &Value, version: KumaVersion) -> Vec<Diag> {
    match spec_from_config(config) {
        Ok((spec, placeholders)) => kuma_mzs_core::validate::hostname_generator_in(&spec, version)
            .into_iter()
            .filter(|v| !depends_on_placeholder(&v.field, &placeholders))
            .map(|v| {
                Diag::error(
                    format!("Invalid HostnameGenerator: {}", diag::field_text(&v.field)),
                    diag::kuma_field_detail(&v.message, &v.field),
                )
                .at(violation_path(config, &v.field))
            })
            .collect(),
        Err(diags) => diags,
    }
}

/// The REST layer's name and label checks (the core's review of the PUT under `mode`: name and
/// label syntax, and e.g. the origin a global control plane insists on) as errors on `name` or
/// the label. The spec is checked by [`validate`]; the review reports these even when Kuma's
/// PUT would stop at a spec it refuses.
fn label_errors(config: &Value, mode: &Mode, version: KumaVersion) -> Vec<Diag> {
    let Some(name) = config.get("name").as_str() else {
        return Vec::new();
    };
    let labels_known = !config.get("labels").contains_unknown();
    let Err(error) = review(mode, version, config, name) else {
        return Vec::new();
    };
    error
        .invalid_parameters
        .iter()
        .filter(|v| match diag::kuma_path(&v.field).first() {
            Some(diag::Step::Attr(a)) if a == "labels" => labels_known,
            Some(diag::Step::Attr(a)) => a == "name",
            _ => false,
        })
        .map(|v| {
            Diag::error(
                format!("Invalid HostnameGenerator: {}", diag::field_text(&v.field)),
                diag::kuma_field_detail(&v.message, &v.field),
            )
            .at(diag::kuma_path(&v.field))
        })
        .collect()
}

/// Label errors before the provider is configured: those every mode gives, then the labels
/// Kuma would replace.
fn validate_labels(config: &Value) -> Vec<Diag> {
    let modes = super::modes_before_configure();
    let per_mode: Vec<Vec<Diag>> = modes
        .iter()
        .map(|mode| label_errors(config, mode, KumaVersion::default()))
        .collect();
    let mut diags: Vec<Diag> = per_mode
        .first()
        .into_iter()
        .flatten()
        .filter(|d| {
            per_mode
                .iter()
                .all(|other| other.iter().any(|o| o.path == d.path))
        })
        .cloned()
        .collect();
    super::extend_unreported(
        &mut diags,
        super::overwritten_labels(
            config,
            &modes,
            &KumaVersion::ALL,
            ResourceType::HostnameGenerator,
            false,
        ),
    );
    diags
}

/// Plan. Creating checks (when the control plane can be asked) that the generator does not
/// exist yet.
pub async fn plan(
    ctx: &super::PlanContext,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> PlanOutcome {
    let planned = plan_common(
        prior,
        proposed,
        config,
        COMPUTED,
        VOLATILE,
        super::default_labels,
        |p| {
            if let Some(name) = p.get("name").as_str() {
                let id = name.to_owned();
                p.set("id", Value::string(id));
            }
        },
    );
    let mut planned = planned;
    // A create's KRI as the server's release will print it (the core renders the planned
    // object), known at plan when the server's release is.
    // The release is asked for only when the KRI can be predicted at all (the core accepts the
    // planned object under some release in question, `accepted_under_some_release`); a plan
    // that cannot read it stops (`release_for_names`).
    let mut unread_release = None;
    if prior.is_null() && !planned.is_null() && !config.contains_unknown() {
        let predictable = || {
            predicted_kri(&planned, ctx.version)
                .or_else(|| super::accepted_under_some_release(ctx, |v| predicted_kri(&planned, v)))
        };
        if let (Some(name), Some(_)) = (planned.get("name").as_str(), predictable()) {
            let (release, diag) = super::release_for_names(ctx, KIND, name, "`kri`");
            if let Some(kri) = release.and_then(|release| predicted_kri(&planned, release)) {
                planned.set("kri", kri);
            }
            unread_release = diag;
        }
    }
    let mut diags: Vec<Diag> = if config.is_null() {
        Vec::new()
    } else {
        match ctx.release_not_read() {
            // No release is this run's own: what every release refuses is an error, what only
            // some refuse a warning with the cause.
            Some((endpoint, unread)) => {
                super::judged_by_every_release(validate_by_release(config), &endpoint, &unread)
            }
            None => {
                let mut diags = super::validate_timeouts(config);
                diags.extend(validate_spec(config, ctx.version));
                diags.into_iter().filter(|d| d.error).collect()
            }
        }
    };
    if !config.is_null() && !planned.is_null() {
        super::extend_unreported(
            &mut diags,
            super::under_every(&ctx.rule_versions(), |v| {
                dropped_by_release(config, &planned, v)
            }),
        );
    }
    // Labels whose change replaces the generator (see `removed_immutable_labels`).
    let mut replaced_by: Vec<Vec<diag::Step>> = Vec::new();
    if !config.is_null() {
        let hidden = match prior.get("name").as_str() {
            Some(name) => super::hidden_labels_set(ctx, prior, config, &path(name)).await,
            None => Default::default(),
        };
        let mode = super::plan_mode(ctx);
        super::extend_unreported(
            &mut diags,
            super::under_every(&ctx.rule_versions(), |v| label_errors(config, &mode, v)),
        );
        super::extend_unreported(
            &mut diags,
            super::overwritten_labels(
                config,
                std::slice::from_ref(&mode),
                &ctx.rule_versions(),
                ResourceType::HostnameGenerator,
                false,
            ),
        );
        // A label Kuma keeps for the object's life replaces the object when it changes.
        let immutable = super::removed_immutable_labels(
            ctx,
            prior,
            config,
            hidden.clone(),
            ResourceType::HostnameGenerator,
            false,
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
    if super::writes(prior, &planned) {
        diags.extend(super::refused_by_endpoint(
            ctx,
            ResourceType::HostnameGenerator,
        ));
    } else {
        diags = super::for_unchanged_object(diags, ctx.rules_release());
    }
    // A create of the object this workspace holds is its replacement (see `PlanContext::held`).
    if let (true, Some(configured), Some(name)) = (
        prior.is_null()
            && diags.is_empty()
            && !planned.get("name").as_str().is_some_and(|n| ctx.holds(n)),
        &ctx.configured,
        planned.get("name").as_str(),
    ) {
        let configured = configured.for_plan_or_read();
        match super::exists_at_plan_in(&configured, COLLECTION, name, &path(name)).await {
            Ok(true) => diags.push(super::already_exists(
                &super::Importable {
                    type_name: TYPE_NAME,
                    kind: KIND,
                    id: name,
                },
                configured.client.endpoint(),
                configured.recreated.get(KIND, name).as_deref(),
            )),
            Ok(false) => {}
            Err(e) => diags.push(super::create_check_warning(&configured, KIND, &e)),
        }
    }
    // After the create check, whose warning it replaces or takes in (`with_release_diag`).
    super::with_release_diag(&mut diags, unread_release, KIND);
    // Hostnames follow the template, the selector and which services it selects by label.
    let changes_hostnames = ["template", "selector", "labels"]
        .iter()
        .any(|a| prior.get(a) != planned.get(a));
    if let (Some(configured), Some(name), true) = (
        &ctx.configured,
        planned.get("name").as_str(),
        changes_hostnames,
    ) {
        let clean = !diags.iter().any(|d| d.error) && !config.contains_unknown();
        if configured.live_lints && clean {
            if let Ok(prepared) = review(&Mode::Global, ctx.version, &planned, name) {
                diags.extend(
                    super::live::generator_lints(configured, prepared.resource, ctx.version).await,
                );
            }
        }
    }
    PlanOutcome {
        planned,
        requires_replace: [vec![attr("name")], replaced_by].concat(),
        diags,
    }
}

/// The core's review of a PUT of the generator `values` (configuration or plan) under `mode`,
/// into a store that does not hold it yet.
fn review(
    mode: &Mode,
    version: KumaVersion,
    values: &Value,
    name: &str,
) -> Result<kuma_mzs_core::api::PreparedPut, kuma_mzs_core::api::ApiError> {
    let object = body(values, name).to_string();
    review_put(
        mode,
        version,
        ResourceType::HostnameGenerator,
        None,
        name,
        object.as_bytes(),
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
}

/// The `kri` the global control plane's release prints for the planned generator (null before
/// 2.13, which print none); `None` when the core does not accept the object as it stands.
fn predicted_kri(planned: &Value, version: KumaVersion) -> Option<Value> {
    let name = planned.get("name").as_str()?;
    let prepared = review(&Mode::Global, version, planned, name).ok()?;
    let item = super::as_release_prints(&prepared.resource, version)?;
    Some(json_str(&item, "kri"))
}

fn body(planned: &Value, name: &str) -> serde_json::Value {
    let mut selector = serde_json::Map::new();
    for (ours, kuma) in SELECTORS {
        let block = planned.get("selector").get(ours);
        if !block.is_null() {
            selector.insert(
                kuma.into(),
                // Unset is absent: a JSON null is a type error to Kuma.
                match block.get("match_labels") {
                    labels if labels.is_null() => serde_json::json!({}),
                    labels => serde_json::json!({"matchLabels": labels.to_json()}),
                },
            );
        }
    }
    let mut spec = serde_json::json!({
        "selector": selector,
        "template": planned.get("template").as_str().unwrap_or(""),
    });
    let extension = planned.get("extension");
    if !extension.is_null() {
        let mut ext = serde_json::json!({"type": extension.get("type").as_str().unwrap_or("")});
        if let Some(cfg) = extension
            .get("config")
            .as_str()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        {
            ext["config"] = cfg;
        }
        spec["extension"] = ext;
    }
    serde_json::json!({
        "type": ResourceType::HostnameGenerator.name(),
        "name": name,
        "labels": labels_json(planned.get("labels")),
        "spec": spec,
    })
}

fn state_from_server(item: &serde_json::Value, prior: &Value, warnings: Value) -> Value {
    let spec = item.get("spec");
    let selector_json = spec.and_then(|s| s.get("selector"));
    let mut selector = Value::Map(BTreeMap::new());
    for (ours, kuma) in SELECTORS {
        let value = match selector_json.and_then(|s| s.get(kuma)) {
            Some(sel) => {
                let server = sel
                    .get("matchLabels")
                    .and_then(|m| {
                        serde_json::from_value::<BTreeMap<String, String>>(m.clone()).ok()
                    })
                    .map(|m| Value::from_string_map(&m))
                    .unwrap_or(Value::Null);
                // Empty and absent select the same (every resource of the kind), and Kuma 2.9
                // to 2.11 drop an empty map: keep whichever of the two the configuration wrote
                // (an import has written none: the server's then).
                let prior_block = prior.get("selector").get(ours);
                let prior_labels = prior_block.get("match_labels");
                let match_labels =
                    if no_labels(&server) && no_labels(prior_labels) && !prior_block.is_null() {
                        prior_labels.clone()
                    } else {
                        server
                    };
                Value::object([("match_labels", match_labels)])
            }
            None => Value::Null,
        };
        selector.set(ours, value);
    }
    let extension = match spec.and_then(|s| s.get("extension")) {
        Some(ext) => {
            let server_config = ext.get("config").cloned();
            // Keep the user's JSON spelling when it means the same document.
            let prior_config = prior.get("extension").get("config");
            let config = match (&server_config, prior_config.as_str()) {
                (Some(server), Some(text))
                    if serde_json::from_str::<serde_json::Value>(text)
                        .is_ok_and(|mine| same_json(&mine, server)) =>
                {
                    Value::string(text)
                }
                // Kuma drops a null config (`omitempty`): `jsonencode(null)` stays as written.
                (None | Some(serde_json::Value::Null), Some(text))
                    if serde_json::from_str::<serde_json::Value>(text)
                        .is_ok_and(|mine| mine.is_null()) =>
                {
                    Value::string(text)
                }
                (Some(serde_json::Value::Null) | None, _) => Value::Null,
                (Some(server), _) => Value::string(server.to_string()),
            };
            Value::object([("type", json_str(ext, "type")), ("config", config)])
        }
        None => Value::Null,
    };
    let name = json_str(item, "name");
    Value::object([
        ("id", name.clone()),
        ("name", name),
        (
            "labels",
            user_labels(item.get("labels"), prior.get("labels")),
        ),
        (
            "template",
            spec.map(|s| json_str(s, "template")).unwrap_or(Value::Null),
        ),
        ("selector", selector),
        ("extension", extension),
        ("kri", json_str(item, "kri")),
        ("creation_time", json_str(item, "creationTime")),
        ("modification_time", json_str(item, "modificationTime")),
        ("warnings", warnings),
        ("timeouts", prior.get("timeouts").clone()),
    ])
    .conform(state_type())
}

/// Whether a `match_labels` value selects without labels: absent (null) or an empty map.
fn no_labels(labels: &Value) -> bool {
    match labels {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// Create, update or delete.
pub async fn apply(configured: &Configured, prior: &Value, planned: &Value) -> (Value, Vec<Diag>) {
    if planned.is_null() {
        let Some(name) = prior.get("name").as_str() else {
            return (Value::Null, Vec::new());
        };
        let configured = configured.for_operation(prior.get("timeouts"), "delete");
        match super::held_on_server(&configured, &path(name), prior).await {
            super::Held::Gone => return (Value::Null, Vec::new()),
            super::Held::Recreated { created } => {
                return (
                    Value::Null,
                    vec![super::left_in_place(KIND, name, &created, prior)],
                )
            }
            super::Held::Unreadable(e) => {
                return (
                    prior.clone(),
                    vec![super::unreadable_before_write(KIND, name, "delete", &e)],
                )
            }
            super::Held::Changed { .. } | super::Held::Unchanged(_) => {}
        }
        configured
            .live
            .note_generator_write(name, Some(body(prior, name)));
        return match configured.client.delete(&path(name)).await {
            Ok(()) => (Value::Null, Vec::new()),
            Err(e) => (
                prior.clone(),
                super::delete_failed(KIND, TYPE_NAME, name, &e),
            ),
        };
    }
    let Some(name) = planned.get("name").as_str() else {
        return (
            prior.clone(),
            vec![Diag::error("name must be known at apply time", "")],
        );
    };
    let configured = configured.for_operation(
        planned.get("timeouts"),
        if prior.is_null() { "create" } else { "update" },
    );
    let mut request = body(planned, name);
    // What the plans of this run saw of it, for their predictions of hostnames (see
    // `live::zone_generators`).
    let before = (!prior.is_null()).then(|| body(prior, name));
    configured.live.note_generator_write(name, before);
    let written = if prior.is_null() {
        // Read before write (unless the server refuses the create-only PUT itself), then a
        // create-only PUT: never take over another's generator.
        let what = super::Importable {
            type_name: TYPE_NAME,
            kind: KIND,
            id: name,
        };
        // The generator read, as this resource would write it.
        let as_written = |item: &serde_json::Value| {
            body(
                &state_from_server(item, planned, Value::List(Vec::new())),
                name,
            )
        };
        match super::create_new(&configured, &what, &path(name), &request, as_written).await {
            Ok(super::Created::Answered(response)) => Ok(response),
            // Written: taken as such, with a warning (`written_unless_refused`).
            Ok(super::Created::BodyUnread(e)) => Err(e),
            Ok(super::Created::AnswerLost { item, error }) => {
                let actual = state_from_server(&item, planned, Value::List(Vec::new()));
                let (state, mut diags) = super::merge_applied(planned, &actual, state_type());
                diags.insert(0, super::answer_lost_warning(KIND, name, &error, false));
                return (state, diags);
            }
            Err(diags) => return (prior.clone(), diags),
        }
    } else {
        match super::held_on_server(&configured, &path(name), prior).await {
            held @ (super::Held::Recreated { .. }
            | super::Held::Changed { .. }
            | super::Held::Gone) => {
                let refused = super::changed_since_read(KIND, name, &held, prior);
                return (prior.clone(), vec![refused]);
            }
            super::Held::Unreadable(e) => {
                let refused = super::unreadable_before_write(KIND, name, "update", &e);
                return (prior.clone(), vec![refused]);
            }
            super::Held::Unchanged(item) => {
                super::keep_server_labels(item.as_ref(), prior, &mut request)
            }
        }
        configured.client.put(&path(name), &request).await
    };
    let (response, unread_answer) = match super::written_unless_refused(written, KIND, name) {
        Ok(written) => written,
        Err(e) => {
            return (
                prior.clone(),
                diag::from_client_error(
                    &format!("Could not write the HostnameGenerator {name}"),
                    &e,
                ),
            )
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
    diags.extend(unread_answer);
    match configured.client.get_after_write(&path(name)).await {
        Ok(item) => {
            let actual = state_from_server(&item, planned, Value::from_strings(&warnings));
            let (state, differences) = super::merge_applied(planned, &actual, state_type());
            diags.extend(differences);
            (state, diags)
        }
        Err(e) => {
            // The generator exists: record it as written so nothing is orphaned.
            diags.push(Diag::warning(
                "The HostnameGenerator was written but could not be read back",
                format!("{e}. It is recorded in the state as written; the next refresh reads its computed values."),
            ));
            (merge_unknowns(planned, &Value::Null), diags)
        }
    }
}

/// Refresh.
pub async fn read(configured: &Configured, state: &Value) -> (Value, Vec<Diag>) {
    // The name, from `id` when a state lost it (edited by hand): the refresh restores it.
    let Some(name) = state.get("name").as_str().or(state.get("id").as_str()) else {
        return (state.clone(), Vec::new());
    };
    let configured = configured.for_operation(state.get("timeouts"), "read");
    match configured.client.get_item(&path(name)).await {
        Ok(item) => {
            if let Some(refused) =
                super::zone_owned(&configured, &item, ResourceType::HostnameGenerator, name)
            {
                return (state.clone(), vec![refused]);
            }
            if let Some(created) = super::created_again(&item, state) {
                return (
                    Value::Null,
                    vec![super::recreated_elsewhere(
                        &configured,
                        KIND,
                        name,
                        &created,
                        state,
                    )],
                );
            }
            let warnings = match state.get("warnings") {
                Value::List(w) => Value::List(w.clone()),
                _ => Value::List(Vec::new()),
            };
            (state_from_server(&item, state, warnings), Vec::new())
        }
        Err(e) if e.is_not_found() => (Value::Null, Vec::new()),
        Err(e) => (
            state.clone(),
            diag::from_client_error("Could not read the HostnameGenerator", &e),
        ),
    }
}

/// The resource type, for the registry.
pub struct HostnameGenerator;

#[tonic::async_trait]
impl super::registry::ManagedResource for HostnameGenerator {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diag> {
        let (mut diags, release_errors) = validate_by_release(config);
        super::extend_unreported(&mut diags, validate_labels(config));
        let not_yet = super::not_yet_errors(&diags, release_errors);
        super::extend_unreported(&mut diags, not_yet);
        diags
    }

    async fn plan(
        &self,
        ctx: &super::PlanContext,
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
        let name = state.get("name").as_str().unwrap_or_default();
        Diag::error(
            "Cannot import: no such HostnameGenerator",
            format!(
                "{} has no HostnameGenerator {name:?}; GET {COLLECTION} lists them. A zone holds global's generators under their KDS names (`<name>-<hash>`): import a global generator by the name it was created with, from the global control plane.",
                configured.client.endpoint(),
            ),
        )
    }
}

/// Import by name, `{"name": ...}` or KRI (`kri_hg____<name>_`, as Kuma 2.13 and later report it).
pub fn import(id: &str) -> Result<Value, Vec<Diag>> {
    let id = id.trim();
    match name_from_import_id(id) {
        Ok(name) => super::refuse_invalid_key(id, &name, None).map(|()| {
            Value::object([("id", Value::string(&name)), ("name", Value::string(name))])
                .conform(state_type())
        }),
        Err(problem) => Err(vec![Diag::error(
            "Invalid import ID",
            format!("{problem}. Use the HostnameGenerator's name (e.g. my-generator), {{\"name\": \"my-generator\"}} or its KRI (kri_hg____my-generator_)."),
        )]),
    }
}

/// The HostnameGenerator name an import ID names, or why it names none.
fn name_from_import_id(id: &str) -> Result<String, String> {
    let name = if id.starts_with("kri_") {
        name_from_kri(id)?
    } else if id.starts_with('{') {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct JsonId {
            name: Option<String>,
        }
        let parsed: JsonId = serde_json::from_str(id).map_err(|e| {
            let mesh = if e.to_string().contains("unknown field `mesh`") {
                " (a HostnameGenerator belongs to no mesh)"
            } else {
                ""
            };
            format!("{id:?} looks like JSON but is not {{\"name\": \"...\"}}: {e}{mesh}")
        })?;
        parsed
            .name
            .ok_or_else(|| format!("the JSON ID {id:?} has no \"name\""))?
    } else if let Some((mesh, name)) = id.split_once('/') {
        return Err(format!(
            "{id:?} names the mesh {mesh:?}, but a HostnameGenerator belongs to no mesh: import it by its name ({name:?})"
        ));
    } else {
        id.to_owned()
    };
    if name.is_empty() {
        return Err("the ID names no HostnameGenerator".to_owned());
    }
    Ok(name)
}

/// The name a HostnameGenerator KRI identifies on the global control plane (read by the core's
/// KRI parser); why not, for a KRI of another type, a mesh, a zone's copy or a section.
fn name_from_kri(id: &str) -> Result<String, String> {
    let short_name = ResourceType::HostnameGenerator.short_name();
    let kri = kuma_mzs_core::kri::parse(id).ok_or_else(|| {
        format!("{id:?} is not a KRI (kri_{short_name}____<name>_ for a HostnameGenerator)")
    })?;
    if kri.short_name != short_name {
        let named = match ResourceType::from_short_name(&kri.short_name) {
            Some(t) => format!("a {} ({:?})", t.name(), kri.short_name),
            None => format!("a {:?} resource", kri.short_name),
        };
        return Err(format!(
            "{id:?} identifies {named}, not a HostnameGenerator ({short_name:?})"
        ));
    }
    if !kri.mesh.is_empty() {
        return Err(format!(
            "{id:?} names the mesh {:?}, but a HostnameGenerator belongs to no mesh (kri_{short_name}____{}_)",
            kri.mesh, kri.name
        ));
    }
    if !kri.zone.is_empty() {
        return Err(format!(
            "{id:?} names the zone {:?}: it identifies a zone's generator, which is not managed on the global control plane; import a global one (kri_{short_name}____<name>_)",
            kri.zone
        ));
    }
    if !kri.section.is_empty() {
        return Err(format!(
            "{id:?} names the section {:?}; a HostnameGenerator has none (end the KRI with `_`)",
            kri.section
        ));
    }
    // A namespace alone does not make it another object: on Kubernetes a global resource's KRI
    // carries the system namespace.
    Ok(kri.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator_with_config(config: &str) -> Value {
        Value::object([
            ("name", Value::string("gen")),
            ("template", Value::string("{{ .DisplayName }}.x")),
            (
                "extension",
                Value::object([
                    ("type", Value::string("ext")),
                    ("config", Value::string(config)),
                ]),
            ),
        ])
        .conform(state_type())
    }

    fn server_item(config: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "type": "HostnameGenerator", "name": "gen",
            "spec": {"template": "{{ .DisplayName }}.x", "extension": {"type": "ext", "config": config}}
        })
    }

    #[test]
    fn an_extension_is_an_error_in_its_block_under_releases_without_it() {
        let config = generator_with_config("{}");
        let diags = dropped_by_release(&config, &config, KumaVersion::V2_9);
        let paths: Vec<&Vec<diag::Step>> = diags.iter().map(|d| &d.path).collect();
        let at_type = vec![
            diag::Step::Attr("extension".into()),
            diag::Step::Attr("type".into()),
        ];
        assert_eq!(paths, [&at_type], "{diags:?}");
        assert!(dropped_by_release(&config, &config, KumaVersion::V2_11).is_empty());
    }

    #[test]
    fn an_imported_empty_selector_is_the_servers_empty_map() {
        let item = serde_json::json!({
            "type": "HostnameGenerator", "name": "gen",
            "spec": {"template": "{{ .DisplayName }}.x",
                     "selector": {"meshMultiZoneService": {"matchLabels": {}}}}
        });
        let imported =
            Value::object([("id", Value::string("gen")), ("name", Value::string("gen"))])
                .conform(state_type());
        let state = state_from_server(&item, &imported, Value::Null);
        let labels = state
            .get("selector")
            .get("mesh_multi_zone_service")
            .get("match_labels");
        assert_eq!(labels, &Value::from_string_map(&BTreeMap::new()));
    }

    #[test]
    fn template_name_and_label_errors_are_all_reported_at_once() {
        let config = Value::object([
            ("name", Value::string("Bad_Name")),
            ("labels", Value::object([("bad key!", Value::string("x"))])),
            ("template", Value::string("{{ .Nope")),
            (
                "selector",
                Value::object([(
                    "mesh_multi_zone_service",
                    Value::object([(
                        "match_labels",
                        Value::object([("app", Value::string("redis"))]),
                    )]),
                )]),
            ),
        ])
        .conform(state_type());
        let mut diags = validate(&config);
        diags.extend(validate_labels(&config));
        let paths: Vec<&Vec<diag::Step>> =
            diags.iter().filter(|d| d.error).map(|d| &d.path).collect();
        let label = vec![
            diag::Step::Attr("labels".into()),
            diag::Step::Key("bad key!".into()),
        ];
        for wanted in [&attr("template"), &attr("name"), &label] {
            assert!(paths.contains(&wanted), "no error at {wanted:?}: {diags:?}");
        }
        // At plan, under the server's mode and release, the same three.
        for version in [KumaVersion::V3_0, KumaVersion::V2_14] {
            let errors = label_errors(&config, &Mode::Global, version);
            assert_eq!(errors.len(), 2, "{version}: {errors:?}");
        }
    }

    #[test]
    fn an_extension_config_spelt_differently_but_equal_keeps_the_users_text() {
        // A Go control plane writes numbers back in its own spelling.
        for (mine, server) in [
            (r#"{"weight": 1.0}"#, serde_json::json!({"weight": 1})),
            (r#"{"limit": 1e3}"#, serde_json::json!({"limit": 1000})),
            (
                r#"{"b": [1.50, -2E0], "a": {"x": 10.0}}"#,
                serde_json::json!({"a": {"x": 10}, "b": [1.5, -2]}),
            ),
        ] {
            let prior = generator_with_config(mine);
            let state = state_from_server(&server_item(server), &prior, Value::Null);
            assert_eq!(
                state.get("extension").get("config"),
                &Value::string(mine),
                "{mine}"
            );
        }
        // A different value is the server's.
        let prior = generator_with_config(r#"{"weight": 1.5}"#);
        let state = state_from_server(
            &server_item(serde_json::json!({"weight": 1})),
            &prior,
            Value::Null,
        );
        assert_eq!(
            state.get("extension").get("config"),
            &Value::string(r#"{"weight":1}"#)
        );
    }

    #[test]
    fn a_null_extension_config_kuma_drops_keeps_the_users_text() {
        let prior = generator_with_config("null");
        for server in [
            serde_json::json!({"type": "HostnameGenerator", "name": "gen",
                "spec": {"template": "{{ .DisplayName }}.x", "extension": {"type": "ext"}}}),
            server_item(serde_json::Value::Null),
        ] {
            let state = state_from_server(&server, &prior, Value::Null);
            assert_eq!(state.get("extension").get("config"), &Value::string("null"));
        }
        // Without a config in the configuration, none in the state.
        let mut prior = generator_with_config("{}");
        prior.set(
            "extension",
            Value::object([("type", Value::string("ext")), ("config", Value::Null)]),
        );
        let state = state_from_server(&server_item(serde_json::Value::Null), &prior, Value::Null);
        assert_eq!(state.get("extension").get("config"), &Value::Null);
    }

    #[test]
    fn an_empty_match_labels_a_release_drops_is_no_diff() {
        let with_labels = |labels: Value| {
            Value::object([
                ("name", Value::string("gen")),
                ("template", Value::string("{{ .DisplayName }}.x")),
                (
                    "selector",
                    Value::object([(
                        "mesh_multi_zone_service",
                        Value::object([("match_labels", labels)]),
                    )]),
                ),
            ])
            .conform(state_type())
        };
        let answer = |selector: serde_json::Value| {
            serde_json::json!({"type": "HostnameGenerator", "name": "gen",
                "spec": {"template": "{{ .DisplayName }}.x",
                         "selector": {"meshMultiZoneService": selector}}})
        };
        let empty = Value::Map(BTreeMap::new());
        // Kuma 2.9 to 2.11 drop `{}`; 2.12 and later keep it: either way, no diff.
        for server in [
            serde_json::json!({}),
            serde_json::json!({"matchLabels": {}}),
        ] {
            for written in [empty.clone(), Value::Null] {
                let prior = with_labels(written.clone());
                let state = state_from_server(&answer(server.clone()), &prior, Value::Null);
                assert_eq!(
                    state
                        .get("selector")
                        .get("mesh_multi_zone_service")
                        .get("match_labels"),
                    &written,
                    "{server}"
                );
            }
        }
        // Labels the server lost are a diff.
        let prior = with_labels(Value::object([("a", Value::string("b"))]));
        let state = state_from_server(&answer(serde_json::json!({})), &prior, Value::Null);
        assert_eq!(
            state
                .get("selector")
                .get("mesh_multi_zone_service")
                .get("match_labels"),
            &Value::Null
        );
    }

    #[test]
    fn a_generator_imports_by_name_json_or_kri() {
        for id in [
            "curl-hg",
            r#"{"name": "curl-hg"}"#,
            "kri_hg____curl-hg_",
            "kri_hg___kuma-system_curl-hg_",
        ] {
            let state = import(id).unwrap_or_else(|e| panic!("{id}: {e:?}"));
            assert_eq!(state.get("name"), &Value::string("curl-hg"), "{id}");
        }
        for (id, says) in [
            ("kri_mzsvc_default___curl-hg_", "not a HostnameGenerator"),
            ("kri_hg_default___curl-hg_", "belongs to no mesh"),
            ("kri_hg__east__curl-hg_", "zone's generator"),
            ("kri_hg____curl-hg_http", "section"),
            ("kri_hg_curl-hg", "is not a KRI"),
            // A JSON ID with keys an HG has not, and a mesh-scoped ID, say so (they imported
            // the global generator of that name).
            (
                r#"{"name": "curl-hg", "zone": "east"}"#,
                "unknown field `zone`",
            ),
            (
                r#"{"name": "curl-hg", "mesh": "default"}"#,
                "belongs to no mesh",
            ),
            (
                "default/curl-hg",
                "\"default/curl-hg\" names the mesh \"default\"",
            ),
            (r#"{"nam": "curl-hg"}"#, "unknown field `nam`"),
            ("", "names no HostnameGenerator"),
            ("My_Generator", "names no object Kuma could hold: name: "),
        ] {
            let Err(diags) = import(id) else {
                panic!("{id} imports");
            };
            assert!(diags[0].detail.contains(says), "{id}: {diags:?}");
        }
    }

    #[test]
    fn json_numbers_compare_by_value() {
        let j = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap_or_default();
        assert!(same_json(&j("1"), &j("1.0")));
        assert!(same_json(&j("-3"), &j("-3e0")));
        assert!(same_json(
            &j("18446744073709551615"),
            &j("18446744073709551615")
        ));
        assert!(!same_json(&j("9007199254740993"), &j("9007199254740992")));
        assert!(!same_json(&j("1"), &j("\"1\"")));
        assert!(!same_json(&j("[1, 2]"), &j("[2, 1]")));
        assert!(!same_json(&j(r#"{"a": 1}"#), &j(r#"{"a": 1, "b": 2}"#)));
    }

    /// A failing `terraform validate` stops the run, so a template only newer releases refuse
    /// shows with the name every release refuses, as a warning, not one fix later.
    #[test]
    fn a_failing_validation_also_shows_what_only_some_releases_refuse() {
        use crate::resources::registry::ManagedResource;
        let config = |name: &str| {
            Value::object([
                ("name", Value::string(name)),
                ("template", Value::string("{{ .DisplayName }}_x.mzs")),
                (
                    "selector",
                    Value::object([(
                        "mesh_service",
                        Value::object([(
                            "match_labels",
                            Value::object([("a", Value::string("b"))]),
                        )]),
                    )]),
                ),
            ])
            .conform(state_type())
        };
        assert!(HostnameGenerator.validate(&config("gen")).is_empty());
        let diags = HostnameGenerator.validate(&config("Bad_HG"));
        assert!(
            diags.iter().any(|d| d.error && d.path == attr("name")),
            "{diags:?}"
        );
        let template = diags
            .iter()
            .find(|d| d.path == attr("template"))
            .unwrap_or_else(|| panic!("the template shows too: {diags:?}"));
        assert!(!template.error, "{template:?}");
    }

    #[test]
    fn an_empty_selector_is_reported_inside_the_selector_block() {
        let config = Value::object([
            ("name", Value::string("gen")),
            ("template", Value::string("{{ .DisplayName }}.x")),
            ("selector", Value::object([])),
        ])
        .conform(state_type());
        let diags = validate(&config);
        let error = diags.iter().find(|d| d.error);
        assert_eq!(
            error.map(|d| d.path.clone()),
            Some(vec![
                diag::Step::Attr("selector".into()),
                diag::Step::Attr("mesh_service".into()),
            ]),
            "{diags:?}"
        );
    }

    #[test]
    fn two_selector_kinds_are_reported_on_the_second_ones_labels() {
        let labels =
            || Value::object([("match_labels", Value::object([("a", Value::string("b"))]))]);
        let config = Value::object([
            ("name", Value::string("gen")),
            ("template", Value::string("{{ .DisplayName }}.x")),
            (
                "selector",
                Value::object([
                    ("mesh_service", labels()),
                    ("mesh_multi_zone_service", labels()),
                ]),
            ),
        ])
        .conform(state_type());
        let diags = validate(&config);
        let error = diags.iter().find(|d| d.error);
        assert_eq!(
            error.map(|d| d.path.clone()),
            Some(vec![
                diag::Step::Attr("selector".into()),
                diag::Step::Attr("mesh_multi_zone_service".into()),
                diag::Step::Attr("match_labels".into()),
            ]),
            "{diags:?}"
        );
    }

    fn generator(template: Value, selector: Value) -> Value {
        Value::object([
            ("name", Value::string("gen")),
            ("template", template),
            ("selector", selector),
        ])
        .conform(state_type())
    }

    fn kinds(kinds: &[(&str, Value)]) -> Value {
        Value::object(
            kinds
                .iter()
                .map(|(kind, labels)| (*kind, Value::object([("match_labels", labels.clone())]))),
        )
    }

    fn error_paths(diags: &[Diag]) -> Vec<Vec<diag::Step>> {
        diags
            .iter()
            .filter(|d| d.error)
            .map(|d| d.path.clone())
            .collect()
    }

    #[test]
    fn a_template_not_known_yet_still_has_its_selector_checked() {
        let labels = Value::object([("app", Value::string("redis"))]);
        let config = generator(
            Value::Unknown,
            kinds(&[
                ("mesh_service", labels.clone()),
                ("mesh_multi_zone_service", labels),
            ]),
        );
        assert_eq!(
            error_paths(&validate(&config)),
            vec![vec![
                diag::Step::Attr("selector".into()),
                diag::Step::Attr("mesh_multi_zone_service".into()),
                diag::Step::Attr("match_labels".into()),
            ]]
        );
    }

    #[test]
    fn a_label_value_not_known_yet_still_has_the_template_and_selector_checked() {
        let labels = Value::object([("app", Value::Unknown)]);
        let config = generator(
            Value::string("{{ .Name"),
            kinds(&[
                ("mesh_service", labels.clone()),
                ("mesh_multi_zone_service", labels),
            ]),
        );
        let paths = error_paths(&validate(&config));
        assert!(paths.contains(&attr("template")), "{paths:?}");
        assert_eq!(paths.len(), 2, "{paths:?}");
    }

    #[test]
    fn findings_that_depend_on_unknown_values_are_not_reported() {
        // The whole selector unknown: the kind count cannot be judged.
        let config = generator(Value::string("{{ .DisplayName }}.mesh"), Value::Unknown);
        assert_eq!(
            error_paths(&validate(&config)),
            Vec::<Vec<diag::Step>>::new()
        );
        // An extension whose type is not known yet is not "empty".
        let config = Value::object([
            ("name", Value::string("gen")),
            ("template", Value::string("{{ .DisplayName }}.mesh")),
            ("selector", kinds(&[("mesh_service", Value::object([]))])),
            ("extension", Value::object([("type", Value::Unknown)])),
        ])
        .conform(state_type());
        assert_eq!(
            error_paths(&validate(&config)),
            Vec::<Vec<diag::Step>>::new()
        );
    }

    #[test]
    fn the_template_is_checked_by_the_servers_release_at_plan_and_by_all_offline() {
        // Kuma 2.14 renders the template and wants a DNS name; 2.13 only parses it.
        let config = generator(
            Value::string("Not_A_Host"),
            kinds(&[("mesh_service", Value::object([]))]),
        );
        assert_eq!(
            error_paths(&validate_spec(&config, KumaVersion::V2_14)),
            vec![attr("template")]
        );
        assert!(error_paths(&validate_spec(&config, KumaVersion::V2_13)).is_empty());
        // Offline, the release is not known: only what every release refuses.
        assert!(error_paths(&validate(&config)).is_empty());
        let empty = generator(
            Value::string(""),
            kinds(&[("mesh_service", Value::object([]))]),
        );
        assert_eq!(error_paths(&validate(&empty)), vec![attr("template")]);
    }

    /// An update of a generator deleted since the plan writes nothing (no re-creation).
    #[test]
    fn an_update_of_a_generator_deleted_since_the_plan_writes_nothing() {
        use std::sync::atomic::Ordering;
        crate::test_server::block_on(async {
            let (endpoint, puts) =
                super::super::mesh_multi_zone_service::tests::empty_at("/hostnamegenerators/gen")
                    .await;
            let Ok(crate::config::Configuration::Ready(configured)) =
                crate::config::configure(&Value::object([("endpoint", Value::string(&endpoint))]))
            else {
                panic!("the provider configures");
            };
            let mut prior = generator_with_config("{}");
            prior.set("creation_time", Value::string("2025-01-01T00:00:00Z"));
            prior.set("modification_time", Value::string("2025-01-01T00:00:00Z"));
            let mut planned = prior.clone();
            planned.set("template", Value::string("{{ .DisplayName }}.y"));
            let (state, diags) = apply(&configured, &prior, &planned).await;
            assert_eq!(puts.load(Ordering::SeqCst), 0, "the update wrote");
            assert_eq!(state, prior);
            assert_eq!(
                diags.iter().map(|d| d.summary.as_str()).collect::<Vec<_>>(),
                ["The HostnameGenerator gen was deleted outside Terraform since it was last read"]
            );
        });
    }
}
