//! The `tfplugin6.Provider` service: decodes requests, dispatches to resources and data sources,
//! encodes answers, and turns everything that can go wrong into diagnostics (never a panic).

// tonic's service trait fixes `Result<_, tonic::Status>` as the return type of every RPC.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, RwLock};

use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_server::Provider;
use tonic::{Request, Response, Status};

use crate::config::{self, Configured};
use crate::diag::Diag;
use crate::log;
use crate::resources::registry::{managed, ManagedResource};
use crate::resources::{data_sources, PlanContext};
use crate::schema::Schema;
use crate::value::{Ty, Value};

/// Every schema the provider serves, built once.
pub struct Schemas {
    /// Provider block.
    pub provider: Schema,
    /// Managed resources by type name.
    pub resources: BTreeMap<&'static str, Schema>,
    /// Data sources by type name.
    pub data_sources: BTreeMap<&'static str, Schema>,
}

impl Schemas {
    /// Build.
    pub fn new() -> Self {
        Schemas {
            provider: config::schema(),
            resources: managed()
                .into_iter()
                .map(|r| (r.type_name(), r.schema()))
                .collect(),
            data_sources: BTreeMap::from([
                (data_sources::MZS, data_sources::mzs_schema()),
                (
                    data_sources::MESH_SERVICES,
                    data_sources::mesh_services_schema(),
                ),
                (data_sources::PREVIEW, data_sources::preview_schema()),
            ]),
        }
    }
}

impl Default for Schemas {
    fn default() -> Self {
        Self::new()
    }
}

/// The provider service.
pub struct KumaProvider {
    schemas: Arc<Schemas>,
    resource_types: BTreeMap<&'static str, Ty>,
    data_types: BTreeMap<&'static str, Ty>,
    configured: RwLock<Option<Arc<Configured>>>,
    /// ConfigureProvider saw values known only after apply: plan offline.
    deferred: std::sync::atomic::AtomicBool,
    /// (type name, id) of every object this process's refreshes found: objects in this
    /// workspace's state (see [`PlanContext::held`]).
    refreshed: Mutex<BTreeSet<(String, String)>>,
    /// (type name, id) of every object this process imported and has not read yet: the read
    /// that follows an import says what is missing when the object is not there.
    imported: Mutex<BTreeSet<(String, String)>>,
}

impl KumaProvider {
    /// A provider.
    pub fn new() -> Self {
        let schemas = Arc::new(Schemas::new());
        // Resources and data sources live in separate namespaces (both have a
        // `kuma_mesh_multi_zone_service`).
        let resource_types = schemas
            .resources
            .iter()
            .map(|(k, s)| (*k, s.ty()))
            .collect();
        let data_types = schemas
            .data_sources
            .iter()
            .map(|(k, s)| (*k, s.ty()))
            .collect();
        KumaProvider {
            schemas,
            resource_types,
            data_types,
            configured: RwLock::new(None),
            deferred: std::sync::atomic::AtomicBool::new(false),
            refreshed: Mutex::new(BTreeSet::new()),
            imported: Mutex::new(BTreeSet::new()),
        }
    }

    /// [`PlanContext::held`] for a plan of `type_name` from `prior` with `prior_private`: only a
    /// create (null prior) needs it.
    fn held(&self, type_name: &str, prior: &Value, prior_private: &[u8]) -> Vec<String> {
        if !prior.is_null() {
            return Vec::new();
        }
        let mut held: Vec<String> = crate::private::marked(prior_private, type_name)
            .into_iter()
            .collect();
        if let Ok(refreshed) = self.refreshed.lock() {
            held.extend(
                refreshed
                    .iter()
                    .filter(|(ty, _)| ty == type_name)
                    .map(|(_, id)| id.clone()),
            );
        }
        held
    }

    fn configured(&self) -> Result<Arc<Configured>, Vec<pb::Diagnostic>> {
        self.configured
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| {
                vec![Diag::error(
                    "Provider not configured",
                    "ConfigureProvider was not called or failed; see the earlier error.",
                )
                .to_proto()]
            })
    }

    /// The configured provider with the control plane's release settled
    /// ([`Configured::settle_release`]): what every plan, apply and data-source read takes its
    /// rules from, so that validation, what an update may change and the names a plan predicts
    /// follow one release. Once settled, the settings replace the configured ones for the rest
    /// of the process. The warnings of a release read only now come with it (once).
    async fn settled(&self) -> Result<(Arc<Configured>, Vec<Diag>), Vec<pb::Diagnostic>> {
        let configured = self.configured()?;
        let (settled, warnings) = configured.settle_release().await;
        if !Arc::ptr_eq(&settled, &configured) {
            if let Ok(mut stored) = self.configured.write() {
                if stored
                    .as_ref()
                    .is_some_and(|current| Arc::ptr_eq(current, &configured))
                {
                    *stored = Some(Arc::clone(&settled));
                }
            }
        }
        Ok((settled, warnings))
    }

    /// Whether ConfigureProvider saw values known only after apply.
    fn is_deferred(&self) -> bool {
        self.deferred.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// What planning may use: the configured provider, its release settled
    /// ([`KumaProvider::settled`]), unless its configuration is not known yet (then plans are
    /// offline, with unknown computed values); and the warnings of settling it.
    async fn plan_context(&self) -> (PlanContext, Vec<Diag>) {
        let (configured, warnings) = if self.is_deferred() {
            (None, Vec::new())
        } else {
            match self.settled().await {
                Ok((configured, warnings)) => (Some(configured), warnings),
                Err(_) => (None, Vec::new()),
            }
        };
        let ctx = PlanContext {
            version: configured
                .as_ref()
                .map(|c| c.kuma_version)
                .unwrap_or_default(),
            has_zones: configured.as_ref().is_some_and(|c| !c.zones.is_empty()),
            configured,
            held: Vec::new(),
            refreshed: false,
        };
        (ctx, warnings)
    }

    fn resource_type(&self, type_name: &str) -> Result<&Ty, Status> {
        self.resource_types
            .get(type_name)
            .ok_or_else(|| Status::invalid_argument(format!("unknown resource type {type_name}")))
    }

    fn data_type(&self, type_name: &str) -> Result<&Ty, Status> {
        self.data_types
            .get(type_name)
            .ok_or_else(|| Status::invalid_argument(format!("unknown data source {type_name}")))
    }
}

impl Default for KumaProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// The managed resource type called `type_name`.
fn resource(type_name: &str) -> Option<&'static dyn ManagedResource> {
    managed().into_iter().find(|r| r.type_name() == type_name)
}

fn decode(value: Option<&pb::DynamicValue>, ty: &Ty) -> Result<Value, Vec<pb::Diagnostic>> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        Value::from_msgpack(&value.msgpack)
    } else {
        Value::from_json_bytes(&value.json)
    };
    decoded
        .map(|v| if v.is_null() { v } else { v.conform(ty) })
        .map_err(|e| vec![Diag::error("Invalid value from Terraform", e.to_string()).to_proto()])
}

fn encode(value: &Value, ty: &Ty) -> Option<pb::DynamicValue> {
    let shaped = if value.is_null() {
        Value::Null
    } else {
        value.clone().conform(ty)
    };
    Some(pb::DynamicValue {
        msgpack: shaped.to_msgpack(),
        json: Vec::new(),
    })
}

/// The answer to a data-source read while the provider configuration is known only after apply.
/// A Terraform that may defer reads (`deferral_allowed`, an opt-in of Terraform 1.9 and later) gets
/// a deferred read with an unknown result. Others cannot take one: Terraform 1.0 to 1.11 reject a
/// read result that is not wholly known, and only defer a data source themselves when its own
/// arguments are unknown. So they get an error that says why and what to do.
fn deferred_data_source(
    type_name: &str,
    capabilities: Option<&pb::ClientCapabilities>,
    ty: &Ty,
) -> pb::read_data_source::Response {
    if capabilities.is_some_and(|c| c.deferral_allowed) {
        return pb::read_data_source::Response {
            state: encode(&Value::Unknown, ty),
            diagnostics: Vec::new(),
            deferred: Some(pb::Deferred {
                reason: pb::deferred::Reason::ProviderConfigUnknown as i32,
            }),
        };
    }
    pb::read_data_source::Response {
        state: None,
        diagnostics: vec![Diag::error(
            "Provider configuration not known until apply",
            format!(
                "The data source {type_name} reads the control plane during plan, but the kuma provider's configuration (e.g. `endpoint`) depends on a value that is only known after apply, so there is no control plane to ask yet. Resources of this provider still plan; a data source cannot be read without its control plane.\n\nEither apply what the provider configuration depends on first (terraform apply -target=<that resource>), then run the full plan; or add `depends_on = [<that resource>]` to this data source block, so Terraform reads it during apply, after that resource (and so the provider configuration) is known."
            ),
        )
        .to_proto()],
        deferred: None,
    }
}

fn protos(diags: &[Diag]) -> Vec<pb::Diagnostic> {
    diags.iter().map(Diag::to_proto).collect()
}

fn path_proto(steps: &[crate::diag::Step]) -> pb::AttributePath {
    let mut diag = Diag::error("", "").at(steps.to_vec()).to_proto();
    diag.attribute.take().unwrap_or_default()
}

#[tonic::async_trait]
impl Provider for KumaProvider {
    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        log::trace("GetProviderSchema", &[]);
        let s = &self.schemas;
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(s.provider.to_proto()),
            resource_schemas: s
                .resources
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_proto()))
                .collect(),
            data_source_schemas: s
                .data_sources
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(pb::ServerCapabilities {
                plan_destroy: true,
                // Every RPC works without a prior GetProviderSchema (the schemas are built once
                // at start-up), so Terraform >= 1.6 may reuse the schema it already holds for
                // the further provider processes of a run instead of asking each one again.
                get_provider_schema_optional: true,
            }),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let ty = self.schemas.provider.ty();
        let diagnostics = match decode(request.get_ref().config.as_ref(), &ty) {
            Ok(config) => protos(&config::validate(&config)),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics,
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let config = match decode(req.config.as_ref(), ty) {
            Ok(c) => c,
            Err(diagnostics) => {
                return Ok(Response::new(pb::validate_resource_config::Response {
                    diagnostics,
                }))
            }
        };
        // The provider is not configured during validation, so `kuma_version` is not known
        // yet: report an error here only when every supported Kuma version rejects the value
        // (PlanResourceChange re-checks with the configured version). Lints are warnings.
        let diags = resource(&req.type_name)
            .map(|r| r.validate(&config))
            .unwrap_or_default();
        // Warnings too in the plan walk, although Terraform before 1.12 then shows a lint of a
        // literal value twice (once from its validate walk): the plan walk knows the values of
        // variables, which the validate walk reads as unknown, so a lint on a value from a
        // variable exists only here (Terraform 1.12 and later drop the repeated diagnostic).
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: protos(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.get_ref();
        self.data_type(&req.type_name)?;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let json = req
            .raw_state
            .as_ref()
            .map(|r| r.json.as_slice())
            .unwrap_or_default();
        let (upgraded_state, diagnostics) = match Value::from_json_bytes(json) {
            Ok(v) => (encode(&v.conform(ty), ty), Vec::new()),
            Err(e) => (
                None,
                vec![Diag::error("Stored state is not valid JSON", e.to_string()).to_proto()],
            ),
        };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics,
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let ty = self.schemas.provider.ty();
        let req = request.get_ref();
        let config = match decode(req.config.as_ref(), &ty) {
            Ok(c) => c,
            Err(diagnostics) => {
                return Ok(Response::new(pb::configure_provider::Response {
                    diagnostics,
                }))
            }
        };
        let diagnostics = match config::configure(&config) {
            Ok(config::Configuration::Deferred) => {
                log::info(
                    "provider configuration is not known yet; planning offline",
                    &[("terraform_version", &req.terraform_version)],
                );
                self.deferred
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                Vec::new()
            }
            Ok(config::Configuration::Ready(configured)) => {
                self.deferred
                    .store(false, std::sync::atomic::Ordering::SeqCst);
                let (settled, mut diags) = config::detect(&configured).await;
                let mut configured = Arc::new(settled);
                // With `kuma_version` set and `GET /` failing, the release is settled here
                // rather than at the first RPC that needs it, so that the warning that
                // `kuma_version` is used unchecked is ConfigureProvider's and Terraform shows
                // it on the provider block's `kuma_version`, where the fix is, not on whichever
                // resource happened to be planned first. A provider cannot tell the apply's own
                // plan from `terraform plan`'s (the same RPCs, each in a process of its own),
                // so each process of a `terraform apply` warns once; being the same warning at
                // the same place, Terraform folds the two into one when it shows them together
                // (`-auto-approve`). Without `kuma_version` nothing is warned here, and the
                // release stays settled lazily, by the first RPC that needs a rule.
                if configured.explicit_version.is_some() {
                    let (settled, warnings) = configured.settle_release_at_provider().await;
                    configured = settled;
                    diags.extend(warnings);
                }
                log::info(
                    "configured",
                    &[
                        ("endpoint", configured.client.endpoint()),
                        ("terraform_version", &req.terraform_version),
                    ],
                );
                if let Ok(mut slot) = self.configured.write() {
                    *slot = Some(configured);
                }
                protos(&diags)
            }
            Err(diags) => protos(&diags),
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics,
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let reply = |new_state: Option<pb::DynamicValue>, diagnostics| {
            Ok(Response::new(pb::read_resource::Response {
                new_state,
                diagnostics,
                private: crate::private::unmark(&req.private),
                deferred: None,
            }))
        };
        let state = match decode(req.current_state.as_ref(), ty) {
            Ok(s) => s,
            Err(d) => return reply(req.current_state.clone(), d),
        };
        // The control plane is not known until apply (plans are offline): keep the state as it
        // is; the apply's refresh, under the then known configuration, reads it.
        if self.is_deferred() {
            return reply(req.current_state.clone(), Vec::new());
        }
        // A refresh judges what it reads (a zone's sync, say) by the release every other RPC
        // uses: settled before any rule.
        let (configured, settling) = match self.settled().await {
            Ok(c) => c,
            Err(d) => return reply(req.current_state.clone(), d),
        };
        let (new_state, mut diags) = match resource(&req.type_name) {
            Some(r) => r.read(&configured, &state).await,
            None => (state.clone(), Vec::new()),
        };
        diags.splice(0..0, settling);
        let just_imported = state.get("id").as_str().is_some_and(|id| {
            self.imported
                .lock()
                .is_ok_and(|mut imported| imported.remove(&(req.type_name.clone(), id.to_owned())))
        });
        if let (true, true, Some(r)) =
            (just_imported, new_state.is_null(), resource(&req.type_name))
        {
            diags.push(r.missing_on_import(&configured, &state).await);
        }
        if let (Some(id), Ok(mut refreshed)) = (new_state.get("id").as_str(), self.refreshed.lock())
        {
            refreshed.insert((req.type_name.clone(), id.to_owned()));
        }
        reply(encode(&new_state, ty), protos(&diags))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let decoded = (|| {
            Ok::<_, Vec<pb::Diagnostic>>((
                decode(req.prior_state.as_ref(), ty)?,
                decode(req.proposed_new_state.as_ref(), ty)?,
                decode(req.config.as_ref(), ty)?,
            ))
        })();
        let (prior, proposed, config) = match decoded {
            Ok(v) => v,
            Err(diagnostics) => {
                return Ok(Response::new(pb::plan_resource_change::Response {
                    diagnostics,
                    ..Default::default()
                }))
            }
        };
        let (ctx, settling) = self.plan_context().await;
        let refreshed = prior.get("id").as_str().is_some_and(|id| {
            self.refreshed
                .lock()
                .is_ok_and(|r| r.contains(&(req.type_name.clone(), id.to_owned())))
        });
        let ctx = PlanContext {
            held: self.held(&req.type_name, &prior, &req.prior_private),
            refreshed,
            ..ctx
        };
        if !ctx.held.is_empty() {
            log::debug(
                "a create of an object this workspace holds is its replacement",
                &[("type", &req.type_name), ("held", &ctx.held.join(","))],
            );
        }
        let mut outcome = match resource(&req.type_name) {
            Some(r) => r.plan(&ctx, &prior, &proposed, &config).await,
            None => Default::default(),
        };
        // Terraform's refresh before a destroy is a plan like this one (the provider cannot
        // tell): its errors say how to destroy without it.
        if !outcome.planned.is_null() {
            outcome.diags = crate::resources::for_destroy_too(std::mem::take(&mut outcome.diags));
        }
        outcome.diags.splice(0..0, settling);
        if log::enabled(log::Level::Trace) {
            log::trace(
                "PlanResourceChange",
                &[
                    ("type", &req.type_name),
                    ("planned", &format!("{:?}", outcome.planned)),
                ],
            );
        }
        let requires_replace = if prior.is_null() || proposed.is_null() {
            Vec::new()
        } else {
            outcome
                .requires_replace
                .iter()
                .map(|p| path_proto(p))
                .collect()
        };
        // Name the prior object for the second call of a replacement (see `crate::private`).
        let planned_private = match prior.get("id").as_str() {
            Some(id) if !outcome.planned.is_null() => {
                crate::private::mark(&req.prior_private, &req.type_name, id)
            }
            _ => crate::private::unmark(&req.prior_private),
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: encode(&outcome.planned, ty),
            requires_replace,
            planned_private,
            diagnostics: protos(&outcome.diags),
            legacy_type_system: false,
            deferred: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let decoded = (|| {
            Ok::<_, Vec<pb::Diagnostic>>((
                decode(req.prior_state.as_ref(), ty)?,
                decode(req.planned_state.as_ref(), ty)?,
            ))
        })();
        let reply = |new_state, diagnostics| {
            Ok(Response::new(pb::apply_resource_change::Response {
                new_state,
                private: crate::private::unmark(&req.planned_private),
                diagnostics,
                legacy_type_system: false,
            }))
        };
        let (prior, planned) = match decoded {
            Ok(v) => v,
            Err(d) => return reply(req.prior_state.clone(), d),
        };
        let (configured, settling) = match self.settled().await {
            Ok(c) => c,
            Err(d) => return reply(req.prior_state.clone(), d),
        };
        // Only the provider's own deadlines (or the spelling of no labels) changed: nothing to
        // tell the control plane.
        if crate::resources::changes_nothing_kuma_sees(&prior, &planned) {
            return reply(req.planned_state.clone(), Vec::new());
        }
        let (new_state, mut diags) = match resource(&req.type_name) {
            Some(r) => r.apply(&configured, &prior, &planned).await,
            None => (prior, Vec::new()),
        };
        diags.splice(0..0, settling);
        reply(encode(&new_state, ty), protos(&diags))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let imported = match resource(&req.type_name) {
            Some(r) => r.import(&req.id),
            None => Err(vec![Diag::error(
                "Import not supported",
                format!("{} cannot be imported", req.type_name),
            )]),
        };
        if let (Ok(state), Ok(mut imported_ids)) = (&imported, self.imported.lock()) {
            if let Some(id) = state.get("id").as_str() {
                imported_ids.insert((req.type_name.clone(), id.to_owned()));
            }
        }
        Ok(Response::new(match imported {
            Ok(state) => pb::import_resource_state::Response {
                imported_resources: vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: encode(&state, ty),
                    private: Vec::new(),
                }],
                diagnostics: Vec::new(),
                deferred: None,
            },
            Err(diags) => pb::import_resource_state::Response {
                imported_resources: Vec::new(),
                diagnostics: protos(&diags),
                deferred: None,
            },
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.get_ref();
        let ty = self.data_type(&req.type_name)?;
        let config = match decode(req.config.as_ref(), ty) {
            Ok(c) => c,
            Err(diagnostics) => {
                return Ok(Response::new(pb::read_data_source::Response {
                    diagnostics,
                    ..Default::default()
                }))
            }
        };
        if self.is_deferred() {
            return Ok(Response::new(deferred_data_source(
                &req.type_name,
                req.client_capabilities.as_ref(),
                ty,
            )));
        }
        let (configured, settling) = match self.settled().await {
            Ok(c) => c,
            Err(diagnostics) => {
                return Ok(Response::new(pb::read_data_source::Response {
                    diagnostics,
                    ..Default::default()
                }))
            }
        };
        let configured = configured.for_plan_or_read();
        let (state, mut diags) = data_sources::read(&configured, &req.type_name, &config).await;
        diags.splice(0..0, settling);
        Ok(Response::new(pb::read_data_source::Response {
            state: if state.is_null() {
                None
            } else {
                encode(&state, ty)
            },
            diagnostics: protos(&diags),
            deferred: None,
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        // Terraform keeps the connection and calls Shutdown later: stop retrying and waiting
        // so in-flight operations return promptly, but keep serving.
        log::info("StopProvider: cancelling retries and waits", &[]);
        crate::client::request_stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_holds_the_object_its_replacement_marked_or_this_process_refreshed() {
        let provider = KumaProvider::new();
        let mzs = "kuma_mesh_multi_zone_service";
        let marked = crate::private::mark(&[], mzs, "default/tx");
        // The create half of a replacement: null prior, the first call's private bytes.
        assert_eq!(
            provider.held(mzs, &Value::Null, &marked),
            vec!["default/tx"]
        );
        // Another type's plan, a plain create and an update hold nothing.
        assert!(provider
            .held("kuma_hostname_generator", &Value::Null, &marked)
            .is_empty());
        assert!(provider.held(mzs, &Value::Null, &[]).is_empty());
        let prior = Value::object([("id", Value::string("default/tx"))]);
        assert!(provider.held(mzs, &prior, &marked).is_empty());
        // A tainted object (planned as a create, no private bytes) that this run refreshed.
        if let Ok(mut refreshed) = provider.refreshed.lock() {
            refreshed.insert((mzs.to_owned(), "default/old".to_owned()));
        }
        assert_eq!(provider.held(mzs, &Value::Null, &[]), vec!["default/old"]);
    }

    #[test]
    fn a_data_source_under_a_provider_known_only_at_apply_is_deferred_or_explained() {
        let ty = Ty::object([("items", Ty::list(Ty::String))]);
        let refused = deferred_data_source("kuma_mesh_services", None, &ty);
        assert!(refused.deferred.is_none());
        assert!(refused.state.is_none());
        let [error] = refused.diagnostics.as_slice() else {
            panic!("one error: {:?}", refused.diagnostics);
        };
        assert_eq!(
            error.summary,
            "Provider configuration not known until apply"
        );
        assert!(
            error.detail.contains("kuma_mesh_services"),
            "{}",
            error.detail
        );
        assert!(error.detail.contains("-target="), "{}", error.detail);
        assert!(error.detail.contains("depends_on"), "{}", error.detail);
        assert!(
            !error.detail.contains("ConfigureProvider"),
            "{}",
            error.detail
        );

        let allowed = pb::ClientCapabilities {
            deferral_allowed: true,
            ..Default::default()
        };
        let deferred = deferred_data_source("kuma_mesh_services", Some(&allowed), &ty);
        assert!(deferred.diagnostics.is_empty());
        assert_eq!(
            deferred.deferred.map(|d| d.reason),
            Some(pb::deferred::Reason::ProviderConfigUnknown as i32)
        );
        let state = deferred.state.map(|s| Value::from_msgpack(&s.msgpack));
        assert!(matches!(state, Some(Ok(Value::Unknown))), "{state:?}");
    }
}
