//! The `tfplugin6.Provider` service: decodes requests, dispatches to resources and data sources,
//! encodes answers, and turns everything that can go wrong into diagnostics (never a panic).

// tonic's service trait fixes `Result<_, tonic::Status>` as the return type of every RPC.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use kuma_mzs_core::KumaVersion;
use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_server::Provider;
use tonic::{Request, Response, Status};

use crate::config::{self, Configured};
use crate::diag::Diag;
use crate::log;
use crate::resources::{data_sources, hostname_generator as hg, mesh_multi_zone_service as mzs};
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
            resources: BTreeMap::from([
                (mzs::TYPE_NAME, mzs::schema()),
                (hg::TYPE_NAME, hg::schema()),
            ]),
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
        }
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
        let diags = match req.type_name.as_str() {
            mzs::TYPE_NAME => {
                let v3 = mzs::validate(&config, KumaVersion::V3_0);
                let v2 = mzs::validate(&config, KumaVersion::V2_14);
                v3.into_iter()
                    .filter(|d| !d.error || v2.iter().any(|e| e.error && e.path == d.path))
                    .collect()
            }
            hg::TYPE_NAME => hg::validate(&config),
            _ => Vec::new(),
        };
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
            Ok(configured) => {
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
                Vec::new()
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
                private: req.private.clone(),
                deferred: None,
            }))
        };
        let state = match decode(req.current_state.as_ref(), ty) {
            Ok(s) => s,
            Err(d) => return reply(req.current_state.clone(), d),
        };
        let configured = match self.configured() {
            Ok(c) => c,
            Err(d) => return reply(req.current_state.clone(), d),
        };
        let (new_state, diags) = match req.type_name.as_str() {
            mzs::TYPE_NAME => mzs::read(&configured, &state).await,
            hg::TYPE_NAME => hg::read(&configured, &state).await,
            _ => (state, Vec::new()),
        };
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
        let (version, has_zones) = self
            .configured
            .read()
            .ok()
            .and_then(|c| c.as_ref().map(|c| (c.kuma_version, !c.zones.is_empty())))
            .unwrap_or_default();
        let outcome = match req.type_name.as_str() {
            mzs::TYPE_NAME => mzs::plan(&prior, &proposed, &config, version, has_zones),
            hg::TYPE_NAME => hg::plan(&prior, &proposed, &config),
            _ => Default::default(),
        };
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
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: encode(&outcome.planned, ty),
            requires_replace,
            planned_private: req.prior_private.clone(),
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
                private: req.planned_private.clone(),
                diagnostics,
                legacy_type_system: false,
            }))
        };
        let (prior, planned) = match decoded {
            Ok(v) => v,
            Err(d) => return reply(req.prior_state.clone(), d),
        };
        let configured = match self.configured() {
            Ok(c) => c,
            Err(d) => return reply(req.prior_state.clone(), d),
        };
        let (new_state, diags) = match req.type_name.as_str() {
            mzs::TYPE_NAME => mzs::apply(&configured, &prior, &planned).await,
            hg::TYPE_NAME => hg::apply(&configured, &prior, &planned).await,
            _ => (prior, Vec::new()),
        };
        reply(encode(&new_state, ty), protos(&diags))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.get_ref();
        let ty = self.resource_type(&req.type_name)?;
        let imported = match req.type_name.as_str() {
            mzs::TYPE_NAME => mzs::import(&req.id),
            hg::TYPE_NAME => hg::import(&req.id),
            other => Err(vec![Diag::error(
                "Import not supported",
                format!("{other} cannot be imported"),
            )]),
        };
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
        let configured = match self.configured() {
            Ok(c) => c,
            Err(diagnostics) => {
                return Ok(Response::new(pb::read_data_source::Response {
                    diagnostics,
                    ..Default::default()
                }))
            }
        };
        let (state, diags) = data_sources::read(&configured, &req.type_name, &config).await;
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
