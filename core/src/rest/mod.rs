//! The REST layer: Kuma's REST-layer rules that are not transport: the validation layers of a PUT
//! in Kuma's order (§2.3 of the reference), Kuma's error bodies, labels computed on write (§7.5),
//! label checks (§2.5), which control plane may write which type (§7.4), KRI and SNI names,
//! pagination and filter parameters (§7.2), the REST and Kubernetes output shapes, and the
//! `_hostnames` inspect endpoint (§6.4).
//!
//! The local control plane (`kuma-local`) only does HTTP, storage and sync around these.

pub(crate) mod facts;
pub(crate) mod kri;
pub(crate) mod schema_errors;
pub(crate) mod server_labels;

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::model::{
    labels as label_keys, HostnameGeneratorSelector, HostnameGeneratorSpec, KumaVersion,
    LabelSelector, Labels, Meta, MzsStatus, Resource, ResourceType, Spec,
};
use crate::status::hostnames;
use crate::Violation;

// ---------------------------------------------------------------------------------------------
// Control-plane mode

/// Which kind of control plane answers the request; decides writability, origin labels and
/// label checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum Mode {
    /// The global control plane.
    Global,
    /// A zone control plane.
    Zone {
        /// The zone name.
        name: String,
        /// Whether it is connected to a global control plane.
        federated: bool,
    },
}

impl Mode {
    /// `global` or `zone` (the `kuma.io/origin` value this CP writes).
    pub fn origin(&self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Zone { .. } => "zone",
        }
    }

    /// The zone name, if a zone.
    pub fn zone_name(&self) -> Option<&str> {
        match self {
            Mode::Global => None,
            Mode::Zone { name, .. } => Some(name),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A Kuma REST error (`/std-errors`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {title}: {detail}")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `title`.
    pub title: String,
    /// `detail` (and the deprecated `details`).
    pub detail: String,
    /// `invalid_parameters` (and the deprecated `causes`).
    pub invalid_parameters: Vec<Violation>,
}

/// Title Kuma uses when the body cannot be decoded or the request does not match the URL.
pub(crate) const TITLE_COULD_NOT_PROCESS: &str = "Could not process a resource";
/// Title of a validation failure on create.
pub(crate) const TITLE_FAILED_CREATE: &str = "Failed to create a resource";
/// Title of a validation failure on update.
pub(crate) const TITLE_FAILED_UPDATE: &str = "Failed to update a resource";
/// Title of an immutable-label failure on update.
pub const TITLE_COULD_NOT_UPDATE: &str = "Could not update a resource";
/// Title of a 404 on GET.
pub const TITLE_COULD_NOT_RETRIEVE: &str = "Could not retrieve a resource";
/// Title of a 404 on DELETE.
pub const TITLE_COULD_NOT_DELETE: &str = "Could not delete a resource";
/// Detail of every validation failure.
pub(crate) const DETAIL_NOT_VALID: &str = "Resource is not valid";
/// Title of a bad or unknown token.
pub(crate) const TITLE_INVALID_AUTHN: &str = "Invalid authentication data";

/// The 405 text on a federated zone (Kuma's, including the trailing newline).
pub const ZONE_READ_ONLY_MESSAGE: &str = "On zone control plane you can only modify zone resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify the rest of the resource on the global control plane.\n";
/// The 405 text on global for zone-provided types (Kuma's wording talks about dataplanes).
pub(crate) const GLOBAL_READ_ONLY_MESSAGE: &str = "On global control plane you can not modify dataplane resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify them on the zone control plane.\n";

impl ApiError {
    /// An error without invalid parameters.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            title: title.into(),
            detail: detail.into(),
            invalid_parameters: Vec::new(),
        }
    }

    /// 400 `Resource is not valid` with one invalid parameter per violation.
    pub fn invalid(title: impl Into<String>, violations: Vec<Violation>) -> Self {
        Self {
            status: 400,
            title: title.into(),
            detail: DETAIL_NOT_VALID.to_owned(),
            invalid_parameters: violations,
        }
    }

    /// 404 `Not found`.
    pub fn not_found(title: impl Into<String>) -> Self {
        Self::new(404, title, "Not found")
    }

    /// 409 on an optimistic-concurrency failure.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(409, "Conflict", detail)
    }

    /// 405 with Kuma's message.
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(405, "Method not allowed", detail)
    }

    /// 401 for a missing, malformed or unknown token.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(401, TITLE_INVALID_AUTHN, detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, "Access Denied", detail)
    }

    /// 500.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, "Internal Server Error", detail)
    }

    /// The JSON body Kuma sends.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_type: "/std-errors".to_owned(),
            status: self.status,
            title: self.title.clone(),
            detail: self.detail.clone(),
            invalid_parameters: self
                .invalid_parameters
                .iter()
                .map(|v| InvalidParameter {
                    field: v.field.clone(),
                    reason: v.message.clone(),
                })
                .collect(),
            details: self.detail.clone(),
            causes: self
                .invalid_parameters
                .iter()
                .map(|v| Cause {
                    field: v.field.clone(),
                    message: v.message.clone(),
                })
                .collect(),
        }
    }
}

/// Kuma's error body, field for field (`details`/`causes` are the deprecated duplicates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Always `/std-errors`.
    #[serde(rename = "type")]
    pub error_type: String,
    /// HTTP status.
    pub status: u16,
    /// Title.
    pub title: String,
    /// Detail.
    pub detail: String,
    /// One entry per violation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalid_parameters: Vec<InvalidParameter>,
    /// Deprecated copy of `detail`.
    pub details: String,
    /// Deprecated copy of `invalid_parameters`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<Cause>,
}

/// An `invalid_parameters` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidParameter {
    /// Field path.
    pub field: String,
    /// Message.
    pub reason: String,
}

/// A `causes` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// Field path.
    pub field: String,
    /// Message.
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Where a type may be written (§7.4)

/// Whether this control plane accepts PUT/DELETE for `resource_type`; the 405 otherwise.
pub fn check_writable(mode: &Mode, resource_type: ResourceType) -> Result<(), ApiError> {
    match mode {
        Mode::Global if resource_type == ResourceType::MeshService => {
            Err(ApiError::method_not_allowed(GLOBAL_READ_ONLY_MESSAGE))
        }
        Mode::Zone {
            federated: true, ..
        } if matches!(
            resource_type,
            ResourceType::MeshMultiZoneService | ResourceType::Mesh
        ) =>
        {
            Err(ApiError::method_not_allowed(ZONE_READ_ONLY_MESSAGE))
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Name rules

fn is_rfc1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let bytes = part.as_bytes();
            !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
                && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        })
}

const RFC1123_NAME_MESSAGE: &str = "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/// Kuma's meta validation on the REST path (name: RFC 1123 subdomain up to 253; mesh: `^[0-9a-z-_.]*$`).
pub(crate) fn validate_meta(name: &str, mesh: Option<&str>) -> Vec<Violation> {
    let mut violations = Vec::new();
    if name.is_empty() {
        violations.push(Violation::new("name", "cannot be empty"));
    } else if name.len() > 253 {
        violations.push(Violation::new(
            "name",
            "value length must less or equal 253",
        ));
    } else if !is_rfc1123_subdomain(name) {
        violations.push(Violation::new("name", RFC1123_NAME_MESSAGE));
    }
    if let Some(mesh) = mesh {
        let ok = mesh.bytes().all(|b| {
            b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-' || b == b'_' || b == b'.'
        });
        if !ok {
            violations.push(Violation::new("mesh", RFC1123_NAME_MESSAGE));
        }
    }
    violations
}

// Kubernetes label syntax (k8s.io/apimachinery validation), with its exact messages.
const QUALIFIED_NAME_FMT: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// k8s `IsQualifiedName`.
pub(crate) fn qualified_name_errors(key: &str) -> Vec<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [prefix, name] => (Some(*prefix), *name),
        _ => {
            return vec![format!(
                "a qualified name {QUALIFIED_NAME_FMT} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]
        }
    };
    let mut errors = Vec::new();
    if let Some(prefix) = prefix {
        errors.extend(part_errors(
            "prefix",
            prefix,
            253,
            is_rfc1123_subdomain,
            SUBDOMAIN_MESSAGE,
        ));
    }
    errors.extend(part_errors(
        "name",
        name,
        63,
        is_qualified_name_part,
        QUALIFIED_NAME_FMT,
    ));
    errors
}

/// The k8s messages for one part (`prefix`, `name`) of a qualified name.
fn part_errors(
    part: &str,
    value: &str,
    max_len: usize,
    is_valid: fn(&str) -> bool,
    format_message: &str,
) -> Vec<String> {
    if value.is_empty() {
        return vec![format!("{part} part must be non-empty")];
    }
    let mut errors = Vec::new();
    if value.len() > max_len {
        errors.push(format!(
            "{part} part must be no more than {max_len} characters"
        ));
    }
    if !is_valid(value) {
        errors.push(format!("{part} part {format_message}"));
    }
    errors
}

/// k8s `IsValidLabelValue`.
pub(crate) fn label_value_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_owned());
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errors.push(LABEL_VALUE_MESSAGE.to_owned());
    }
    errors
}

fn label_field(key: &str) -> String {
    format!("labels[\"{key}\"]")
}

/// Label checks on write (§2.5), before labels are computed.
pub(crate) fn check_labels(mode: &Mode, mesh: Option<&str>, labels: &Labels) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Some(origin) = labels.get(label_keys::ORIGIN) {
        if origin != "global" && origin != "zone" {
            violations.push(Violation::new(
                label_field(label_keys::ORIGIN),
                format!("unknown origin {origin:?}, must be one of: global, zone"),
            ));
        } else if *mode == Mode::Global && origin != "global" {
            violations.push(Violation::new(
                label_field(label_keys::ORIGIN),
                "the origin label must be set to 'global'",
            ));
        }
    }
    if let Mode::Zone { name, .. } = mode {
        let global_origin = labels.get(label_keys::ORIGIN).map(String::as_str) == Some("global");
        if !global_origin {
            if let Some(zone) = labels.get(label_keys::ZONE) {
                if zone != name {
                    violations.push(Violation::new(
                        label_field(label_keys::ZONE),
                        format!("kuma.io/zone label should have {name} value"),
                    ));
                }
            }
            if let (Some(mesh), Some(label_mesh)) = (mesh, labels.get(label_keys::MESH)) {
                if label_mesh != mesh {
                    violations.push(Violation::new(
                        label_field(label_keys::MESH),
                        "kuma.io/mesh label must not differ from mesh set on resource",
                    ));
                }
            }
        }
    }
    for (key, value) in labels {
        for message in qualified_name_errors(key) {
            violations.push(Violation::new(label_field(key), message));
        }
        for message in label_value_errors(value) {
            violations.push(Violation::new(label_field(key), message));
        }
    }
    violations
}

/// Labels Kuma computes on write (§7.5): display name from the URL name (always), mesh (if
/// unset), origin (always), and for zone-provided types on a zone the zone and env (if unset).
pub fn compute_labels(
    mode: &Mode,
    resource_type: ResourceType,
    mesh: Option<&str>,
    name: &str,
    mut labels: Labels,
) -> Labels {
    labels.insert(label_keys::DISPLAY_NAME.to_owned(), name.to_owned());
    if let Some(mesh) = mesh {
        labels
            .entry(label_keys::MESH.to_owned())
            .or_insert_with(|| mesh.to_owned());
    }
    labels.insert(label_keys::ORIGIN.to_owned(), mode.origin().to_owned());
    if let Mode::Zone { name: zone, .. } = mode {
        if resource_type == ResourceType::MeshService {
            labels
                .entry(label_keys::ZONE.to_owned())
                .or_insert_with(|| zone.clone());
            labels
                .entry(label_keys::ENV.to_owned())
                .or_insert_with(|| "universal".to_owned());
        }
    }
    labels
}

/// The immutable-label check on update: only `kuma.io/zone` is immutable.
pub(crate) fn check_immutable_labels(old: &Labels, new: &Labels) -> Vec<Violation> {
    let field = label_field(label_keys::ZONE);
    match (old.get(label_keys::ZONE), new.get(label_keys::ZONE)) {
        (Some(was), None) => vec![Violation::new(
            field,
            format!("is immutable, cannot be removed (was {was:?})"),
        )],
        (Some(was), Some(now)) if was != now => vec![Violation::new(
            field,
            format!("is immutable, cannot be changed from {was:?} to {now:?}"),
        )],
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// The PUT pipeline (§2.3)

/// What a PUT needs to know about the store.
#[derive(Debug, Clone, Copy)]
pub struct StoreView<'a> {
    /// Whether the URL's mesh exists (ignored for global-scoped types).
    pub mesh_exists: bool,
    /// The resource currently stored under the URL's name, if any.
    pub existing: Option<&'a Resource>,
}

/// A PUT that passed every layer.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedPut {
    /// The resource to store (labels computed, spec defaulted; status not set).
    pub resource: Resource,
    /// Whether it is a create (201) rather than an update (200).
    pub created: bool,
    /// Deprecation warnings for the response body.
    pub warnings: Vec<String>,
}

/// Run Kuma's layers for `PUT /meshes/{mesh}/{type}/{name}` (or `/{type}/{name}` for global-scoped
/// types), in Kuma's order, and return the resource to store or the exact error Kuma gives.
pub fn prepare_put(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    url_mesh: Option<&str>,
    url_name: &str,
    body: &[u8],
    store: StoreView<'_>,
) -> Result<PreparedPut, ApiError> {
    check_writable(mode, resource_type)?;
    if resource_type.is_mesh_scoped() && !store.mesh_exists {
        return Err(ApiError::not_found("Failed to retrieve Mesh"));
    }
    // Step 2: decode, defaults, schema, Go validator without meta.
    let mut value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid(
            TITLE_COULD_NOT_PROCESS,
            vec![Violation::new("", format!("invalid JSON: {e}"))],
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::invalid(
            TITLE_COULD_NOT_PROCESS,
            vec![Violation::new(
                "",
                "body in body must be of type object: \"".to_owned()
                    + schema_type_name(&value)
                    + "\"",
            )],
        ));
    }
    let decoded = decode_body_in(resource_type, &mut value, version)?;
    let schema_free = resource_without_meta(&decoded, version);
    if !schema_free.is_empty() {
        return Err(ApiError::invalid(TITLE_COULD_NOT_PROCESS, schema_free));
    }
    // Step 3: validateResourceRequest.
    let mut violations = Vec::new();
    if decoded.meta.name != url_name {
        violations.push(Violation::new(
            "name",
            "name from the URL has to be the same as in body",
        ));
    }
    if let Mode::Zone {
        name: zone,
        federated: true,
    } = mode
    {
        if zone.len() + 1 + url_name.len() >= 253 {
            violations.push(Violation::new(
                "name",
                "the length of the name must be shorter",
            ));
        }
    }
    let body_type = value.get("type").and_then(Value::as_str).unwrap_or("");
    if body_type != resource_type.name() {
        violations.push(Violation::new(
            "type",
            "type from the URL has to be the same as in body",
        ));
    }
    if resource_type.is_mesh_scoped() && Some(decoded.meta.mesh.as_str()) != url_mesh {
        violations.push(Violation::new(
            "mesh",
            "mesh from the URL has to be the same as in body",
        ));
    }
    violations.extend(check_labels(mode, url_mesh, &decoded.meta.labels));
    violations.extend(validate_meta(
        url_name,
        url_mesh.filter(|_| resource_type.is_mesh_scoped()),
    ));
    if !violations.is_empty() {
        return Err(ApiError::invalid(TITLE_COULD_NOT_PROCESS, violations));
    }
    // Step 4: labels, then the manager validates again with meta.
    let mesh = resource_type.is_mesh_scoped().then_some(url_mesh).flatten();
    let labels = compute_labels(
        mode,
        resource_type,
        mesh,
        url_name,
        decoded.meta.labels.clone(),
    );
    let resource = Resource {
        meta: Meta {
            name: url_name.to_owned(),
            mesh: mesh.unwrap_or("").to_owned(),
            labels,
        },
        spec: decoded.spec,
        status: None,
    };
    let created = store.existing.is_none();
    if let Some(existing) = store.existing {
        let immutable = check_immutable_labels(&existing.meta.labels, &resource.meta.labels);
        if !immutable.is_empty() {
            return Err(ApiError::invalid(TITLE_COULD_NOT_UPDATE, immutable));
        }
    }
    let with_meta = crate::validate::resource(&resource, true, version);
    if !with_meta.is_empty() {
        let title = if created {
            TITLE_FAILED_CREATE
        } else {
            TITLE_FAILED_UPDATE
        };
        return Err(ApiError::invalid(title, with_meta));
    }
    let warnings = crate::validate::deprecations(&resource, version)
        .into_iter()
        .map(|v| v.message)
        .collect();
    Ok(PreparedPut {
        resource,
        created,
        warnings,
    })
}

fn schema_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn resource_without_meta(resource: &Resource, version: KumaVersion) -> Vec<Violation> {
    crate::validate::resource(resource, false, version)
}

/// Decode a REST body (schema defaults and checks applied) into a resource with the body's meta.
/// Errors are 400 `Could not process a resource` with Kuma's field split.
#[cfg(test)]
pub(crate) fn decode_body(
    resource_type: ResourceType,
    value: &mut Value,
) -> Result<Resource, ApiError> {
    decode_body_in(resource_type, value, KumaVersion::default())
}

/// [`decode_body`] with `version`'s schema.
pub(crate) fn decode_body_in(
    resource_type: ResourceType,
    value: &mut Value,
    version: KumaVersion,
) -> Result<Resource, ApiError> {
    let violations = schema_errors::check_in(resource_type, value, version);
    if !violations.is_empty() {
        return Err(ApiError::invalid(TITLE_COULD_NOT_PROCESS, violations));
    }
    decode_value(resource_type, value.clone()).map_err(|message| {
        ApiError::invalid(TITLE_COULD_NOT_PROCESS, vec![Violation::new("", message)])
    })
}

/// Decode an already-checked universal JSON resource of `resource_type` (trusted data: the store,
/// seeds, KDS). Errors name the problem.
pub fn decode_value(resource_type: ResourceType, value: Value) -> Result<Resource, String> {
    let Value::Object(mut map) = value else {
        return Err("a resource must be a JSON object".to_owned());
    };
    let name = match map.remove("name") {
        Some(Value::String(s)) => s,
        Some(_) => return Err("name must be a string".to_owned()),
        None => String::new(),
    };
    let mesh = match map.remove("mesh") {
        Some(Value::String(s)) if resource_type.is_mesh_scoped() => s,
        _ if resource_type.is_mesh_scoped() => "default".to_owned(),
        _ => String::new(),
    };
    let labels: Labels = match map.remove("labels") {
        Some(Value::Null) | None => Labels::new(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("labels: {e}"))?,
    };
    let status = map.remove("status").filter(|s| !s.is_null());
    let spec_value = || map.get("spec").cloned().unwrap_or(Value::Null);
    let spec = match resource_type {
        ResourceType::Mesh => {
            for key in ["type", "creationTime", "modificationTime", "kri"] {
                map.remove(key);
            }
            Spec::Mesh(Value::Object(map.clone()))
        }
        ResourceType::MeshService => Spec::MeshService(
            serde_json::from_value(spec_value()).map_err(|e| format!("spec: {e}"))?,
        ),
        ResourceType::MeshMultiZoneService => Spec::MeshMultiZoneService(
            serde_json::from_value(spec_value()).map_err(|e| format!("spec: {e}"))?,
        ),
        ResourceType::HostnameGenerator => Spec::HostnameGenerator(
            serde_json::from_value(spec_value()).map_err(|e| format!("spec: {e}"))?,
        ),
        ResourceType::MeshLoadBalancingStrategy => Spec::MeshLoadBalancingStrategy(
            serde_json::from_value(spec_value()).map_err(|e| format!("spec: {e}"))?,
        ),
    };
    Ok(Resource {
        meta: Meta { name, mesh, labels },
        spec,
        status,
    })
}

// ---------------------------------------------------------------------------------------------
// KRI and SNI

/// The resource's KRI (`kri_mzsvc_default___redis_`), without section.
pub fn resource_kri(resource: &Resource) -> String {
    let meta = &resource.meta;
    kri::kri(
        resource.resource_type().short_name(),
        &meta.mesh,
        meta.zone(),
        meta.namespace(),
        meta.display_name(),
        "",
    )
}

/// `snis` of a destination resource: one per port, sorted by port; entries whose SNI cannot be
/// built are dropped.
pub(crate) fn resource_snis(resource: &Resource) -> Vec<SniEntry> {
    let ports: Vec<(i32, String)> = match &resource.spec {
        Spec::MeshMultiZoneService(s) => {
            s.ports.iter().map(|p| (p.port, p.section_name())).collect()
        }
        Spec::MeshService(s) => s.ports.iter().map(|p| (p.port, p.section_name())).collect(),
        _ => return Vec::new(),
    };
    let meta = &resource.meta;
    let mut entries: Vec<SniEntry> = ports
        .into_iter()
        .filter_map(|(port, section)| {
            kri::sni(
                resource.resource_type().short_name(),
                &meta.mesh,
                meta.zone(),
                meta.namespace(),
                meta.display_name(),
                &section,
            )
            .ok()
            .map(|sni| SniEntry { port, sni })
        })
        .collect();
    crate::text::sort::sort_by_key(&mut entries, |e| e.port);
    entries
}

/// An entry of `snis`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SniEntry {
    /// Port number.
    pub port: i32,
    /// The SNI.
    pub sni: String,
}

// ---------------------------------------------------------------------------------------------
// Pagination and filters (§7.2)

/// Kuma's page size default.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;
/// Kuma's page size maximum.
pub(crate) const MAX_PAGE_SIZE: usize = 1000;

/// A parsed page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items per page.
    pub size: usize,
    /// Items to skip.
    pub offset: usize,
}

fn bad_parameter(field: &str, reason: impl Into<String>, detail: &str) -> ApiError {
    ApiError {
        status: 400,
        title: "Bad Request".to_owned(),
        detail: detail.to_owned(),
        invalid_parameters: vec![Violation::new(field, reason)],
    }
}

/// Parse `size` and `offset`.
pub fn parse_page(size: Option<&str>, offset: Option<&str>) -> Result<Page, ApiError> {
    let size = match size.filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(s) => {
            let n: i64 = s
                .parse()
                .map_err(|_| bad_parameter("size", "invalid format", "Invalid page size"))?;
            if n <= 0 {
                return Err(bad_parameter(
                    "size",
                    "must be greater than 0",
                    "Invalid page size",
                ));
            }
            if n > MAX_PAGE_SIZE as i64 {
                return Err(bad_parameter(
                    "size",
                    format!("invalid page size of {n}. Maximum page size is {MAX_PAGE_SIZE}"),
                    "Invalid page size",
                ));
            }
            n as usize
        }
    };
    let offset = match offset.filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s
            .parse()
            .map_err(|_| bad_parameter("offset", "invalid format", "Invalid offset"))?,
    };
    Ok(Page { size, offset })
}

/// Filters of a list request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// `name`: substring of the name.
    pub name_contains: Option<String>,
    /// `filter[labels.<key>]=<value>`: exact label matches, ANDed.
    pub labels: BTreeMap<String, String>,
}

impl ListFilter {
    /// Whether a resource passes.
    pub fn matches(&self, meta: &Meta) -> bool {
        self.name_contains
            .as_deref()
            .is_none_or(|n| meta.name.contains(n))
            && self
                .labels
                .iter()
                .all(|(k, v)| meta.labels.get(k) == Some(v))
    }
}

/// Parse the list query parameters (decoded `(key, value)` pairs in order).
pub fn parse_filters(pairs: &[(String, String)]) -> Result<ListFilter, ApiError> {
    let mut filter = ListFilter::default();
    for (key, value) in pairs {
        if key == "name" {
            if !value.is_empty() {
                filter.name_contains = Some(value.clone());
            }
            continue;
        }
        let Some(inner) = key
            .strip_prefix("filter[")
            .and_then(|rest| rest.strip_suffix(']'))
        else {
            continue;
        };
        if inner.contains('[') || inner.contains(']') {
            return Err(bad_parameter(
                "filter",
                "advanced filters are not supported",
                "Invalid filter",
            ));
        }
        match inner.strip_prefix("labels.") {
            Some(label) if !label.is_empty() => {
                filter.labels.insert(label.to_owned(), value.clone());
            }
            _ => {
                return Err(bad_parameter(
                    "filter",
                    "filters are only supported on labels",
                    "Invalid filter",
                ))
            }
        }
    }
    Ok(filter)
}

// ---------------------------------------------------------------------------------------------
// Output shapes

/// Times of a stored resource, RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Times<'a> {
    /// `creationTime`.
    pub creation: &'a str,
    /// `modificationTime`.
    pub modification: &'a str,
}

struct SpecRef<'a>(&'a Spec);

impl Serialize for SpecRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Spec::Mesh(v) => v.serialize(serializer),
            // Kuma renders its default state for a MeshService stored without one.
            Spec::MeshService(s) if s.state.is_none() => {
                let mut with_default = s.clone();
                with_default.state = Some(crate::model::MeshServiceState::Unavailable);
                with_default.serialize(serializer)
            }
            Spec::MeshService(s) => s.serialize(serializer),
            Spec::MeshMultiZoneService(s) => s.serialize(serializer),
            Spec::HostnameGenerator(s) => s.serialize(serializer),
            Spec::MeshLoadBalancingStrategy(s) => s.serialize(serializer),
        }
    }
}

struct StatusRef<'a>(&'a Resource);

impl Serialize for StatusRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let status = self.0.status.as_ref();
        if self.0.resource_type() == ResourceType::MeshService {
            return facts::mesh_service_status(status).serialize(serializer);
        }
        if self.0.resource_type() == ResourceType::MeshMultiZoneService {
            if let Some(typed) = status.and_then(|s| MzsStatus::deserialize(s).ok()) {
                return typed.serialize(serializer);
            }
        }
        match status {
            Some(v) => v.serialize(serializer),
            None => serializer.serialize_map(Some(0))?.end(),
        }
    }
}

fn has_status(resource_type: ResourceType) -> bool {
    matches!(
        resource_type,
        ResourceType::MeshMultiZoneService | ResourceType::MeshService
    )
}

/// A resource in Kuma's universal REST shape (field order as Kuma writes it).
pub struct RestItem<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// Its times.
    pub times: Times<'a>,
}

impl Serialize for RestItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.resource;
        let rt = r.resource_type();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", rt.name())?;
        if rt.is_mesh_scoped() {
            map.serialize_entry("mesh", &r.meta.mesh)?;
        }
        map.serialize_entry("name", &r.meta.name)?;
        map.serialize_entry("creationTime", self.times.creation)?;
        map.serialize_entry("modificationTime", self.times.modification)?;
        if let Spec::Mesh(Value::Object(fields)) = &r.spec {
            if !r.meta.labels.is_empty() {
                map.serialize_entry("labels", &r.meta.labels)?;
            }
            for (k, v) in fields {
                map.serialize_entry(k, v)?;
            }
            return map.end();
        }
        // `omitempty` upstream: no labels, no `labels` key.
        if !r.meta.labels.is_empty() {
            map.serialize_entry("labels", &r.meta.labels)?;
        }
        map.serialize_entry("kri", &resource_kri(r))?;
        if matches!(
            rt,
            ResourceType::MeshMultiZoneService | ResourceType::MeshService
        ) {
            map.serialize_entry("snis", &resource_snis(r))?;
        }
        map.serialize_entry("spec", &SpecRef(&r.spec))?;
        if has_status(rt) {
            map.serialize_entry("status", &StatusRef(r))?;
        }
        map.end()
    }
}

/// A resource in the Kubernetes shape (`?format=kubernetes`).
pub struct KubernetesItem<'a> {
    /// The resource.
    pub resource: &'a Resource,
    /// Its times.
    pub times: Times<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KubernetesMeta<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: &'a Labels,
    creation_timestamp: &'a str,
}

impl Serialize for KubernetesItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.resource;
        let rt = r.resource_type();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("apiVersion", "kuma.io/v1alpha1")?;
        map.serialize_entry("kind", rt.name())?;
        map.serialize_entry(
            "metadata",
            &KubernetesMeta {
                name: &r.meta.name,
                labels: &r.meta.labels,
                creation_timestamp: self.times.creation,
            },
        )?;
        map.serialize_entry("spec", &SpecRef(&r.spec))?;
        if has_status(rt) {
            map.serialize_entry("status", &StatusRef(r))?;
        }
        map.end()
    }
}

/// `?format=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Kuma's universal shape (default).
    Universal,
    /// The Kubernetes shape.
    Kubernetes,
}

/// Parse `?format=`.
pub fn parse_format(format: Option<&str>) -> Result<OutputFormat, ApiError> {
    match format.unwrap_or("") {
        "" | "universal" => Ok(OutputFormat::Universal),
        "k8s" | "kubernetes" => Ok(OutputFormat::Kubernetes),
        _ => Err(bad_parameter(
            "format",
            "must be one of: k8s, kubernetes, universal",
            "Invalid format",
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Default HostnameGenerators (§6.3)

fn generator(
    name: &str,
    origin: &str,
    selector: HostnameGeneratorSelector,
    template: &str,
) -> Resource {
    let mut labels = Labels::new();
    labels.insert(label_keys::ORIGIN.to_owned(), origin.to_owned());
    labels.insert(label_keys::DISPLAY_NAME.to_owned(), name.to_owned());
    Resource {
        meta: Meta {
            name: name.to_owned(),
            mesh: String::new(),
            labels,
        },
        spec: Spec::HostnameGenerator(HostnameGeneratorSpec {
            selector,
            template: template.to_owned(),
            extension: None,
        }),
        status: None,
    }
}

fn selector_of(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
    }
}

/// The HostnameGenerators Kuma creates at start for `mode`.
pub fn default_hostname_generators(mode: &Mode) -> Vec<Resource> {
    let ms = |pairs: &[(&str, &str)]| HostnameGeneratorSelector {
        mesh_service: Some(selector_of(pairs)),
        ..Default::default()
    };
    let mes = |pairs: &[(&str, &str)]| HostnameGeneratorSelector {
        mesh_external_service: Some(selector_of(pairs)),
        ..Default::default()
    };
    match mode {
        Mode::Global => vec![
            generator(
                "synced-mesh-multi-zone-service",
                "global",
                HostnameGeneratorSelector {
                    mesh_multi_zone_service: Some(selector_of(&[("kuma.io/origin", "global")])),
                    ..Default::default()
                },
                "{{ .DisplayName }}.mzsvc.mesh.local",
            ),
            generator(
                "synced-kube-mesh-service",
                "global",
                ms(&[
                    ("kuma.io/origin", "global"),
                    ("k8s.kuma.io/is-headless-service", "false"),
                    ("kuma.io/env", "kubernetes"),
                ]),
                "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
            ),
            generator(
                "synced-headless-kube-mesh-service",
                "global",
                ms(&[
                    ("kuma.io/origin", "global"),
                    ("k8s.kuma.io/is-headless-service", "true"),
                    ("kuma.io/env", "kubernetes"),
                ]),
                "{{ label \"statefulset.kubernetes.io/pod-name\" }}.{{ label \"k8s.kuma.io/service-name\" }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
            ),
            generator(
                "synced-universal-mesh-service",
                "global",
                ms(&[("kuma.io/origin", "global"), ("kuma.io/env", "universal")]),
                "{{ .DisplayName }}.svc.{{ .Zone }}.mesh.local",
            ),
            generator(
                "synced-mesh-external-service",
                "global",
                mes(&[("kuma.io/origin", "global")]),
                "{{ .DisplayName }}.extsvc.mesh.local",
            ),
        ],
        Mode::Zone { .. } => vec![
            generator(
                "local-mesh-external-service",
                "zone",
                mes(&[("kuma.io/origin", "zone")]),
                "{{ .DisplayName }}.extsvc.mesh.local",
            ),
            generator(
                "local-universal-mesh-service",
                "zone",
                ms(&[("kuma.io/origin", "zone")]),
                "{{ .DisplayName }}.svc.mesh.local",
            ),
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// _hostnames inspect (§6.4)

/// Title of the 500 Kuma answers when a generator's template fails during `_hostnames`.
pub(crate) const TITLE_COULD_NOT_GENERATE_HOSTNAME: &str = "could not generate hostname";

/// `GET /meshes/{mesh}/{serviceType}/{name}/_hostnames`: the preview engine's
/// [`hostnames::inspect`], answered the REST way (a failing template is a 500).
pub fn inspect_hostnames(
    mode: &Mode,
    service: &Resource,
    generators: &[Resource],
) -> Result<hostnames::InspectHostnames, ApiError> {
    hostnames::inspect(service, generators, matches!(mode, Mode::Global)).map_err(|e| match e {
        hostnames::InspectError::Template { .. } => {
            ApiError::new(500, TITLE_COULD_NOT_GENERATE_HOSTNAME, e.to_string())
        }
        hostnames::InspectError::UnsupportedType(_) => ApiError::not_found("Not found"),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kds::{hashed_name, rename_for_zones};

    fn zone() -> Mode {
        Mode::Zone {
            name: "east".into(),
            federated: false,
        }
    }

    const REDIS: &str = r#"{"type":"MeshMultiZoneService","name":"redis","mesh":"default",
      "spec":{"selector":{"meshService":{"matchLabels":{"kuma.io/display-name":"redis"}}},
      "ports":[{"port":6379}]}}"#;

    fn put(mode: &Mode, name: &str, body: &str) -> Result<PreparedPut, ApiError> {
        prepare_put(
            mode,
            KumaVersion::default(),
            ResourceType::MeshMultiZoneService,
            Some("default"),
            name,
            body.as_bytes(),
            StoreView {
                mesh_exists: true,
                existing: None,
            },
        )
    }

    #[test]
    fn put_computes_labels_defaults_and_kri() {
        let p = put(&zone(), "redis", REDIS).unwrap();
        assert!(p.created);
        let labels: Vec<_> = p.resource.meta.labels.iter().collect();
        assert_eq!(
            labels,
            vec![
                (&"kuma.io/display-name".to_owned(), &"redis".to_owned()),
                (&"kuma.io/mesh".to_owned(), &"default".to_owned()),
                (&"kuma.io/origin".to_owned(), &"zone".to_owned()),
            ]
        );
        assert_eq!(resource_kri(&p.resource), "kri_mzsvc_default___redis_");
        let snis = resource_snis(&p.resource);
        assert_eq!(snis[0].sni, "sni.mzsvc.default.redis.6379");
        let json = serde_json::to_string(&RestItem {
            resource: &p.resource,
            times: Times {
                creation: "t",
                modification: "t",
            },
        })
        .unwrap();
        assert!(json.starts_with(r#"{"type":"MeshMultiZoneService","mesh":"default","name":"redis","creationTime":"t""#), "{json}");
        assert!(json.contains(r#""ports":[{"port":6379,"appProtocol":"tcp"}]"#));
        assert!(json.ends_with(r#""status":{}}"#));
    }

    #[test]
    fn hostnames_inspect_answers_rest_shapes() {
        let service = put(&zone(), "redis", REDIS).unwrap().resource;
        let generator = |template: &str| {
            let body = serde_json::json!({"type":"HostnameGenerator","name":"g","spec":{
                "selector":{"meshMultiZoneService":{"matchLabels":{"kuma.io/origin":"zone"}}},
                "template":template}});
            let mut value = body;
            decode_body(ResourceType::HostnameGenerator, &mut value).unwrap()
        };
        let ok =
            inspect_hostnames(&zone(), &service, &[generator("{{ .DisplayName }}.mzs")]).unwrap();
        let json = serde_json::to_string(&ok).unwrap();
        assert_eq!(
            json,
            r#"{"items":[{"hostname":"redis.mzs","zones":[{"name":"redis"}]}],"total":1}"#
        );
        let failing = inspect_hostnames(
            &zone(),
            &service,
            &[generator(r#"{{ label "missing" }}.mzs"#)],
        )
        .unwrap_err();
        assert_eq!(failing.status, 500);
        assert_eq!(failing.title, TITLE_COULD_NOT_GENERATE_HOSTNAME);
    }

    #[test]
    fn layers_come_in_kumas_order() {
        // Mesh missing beats everything.
        let e = prepare_put(
            &zone(),
            KumaVersion::default(),
            ResourceType::MeshMultiZoneService,
            Some("nope"),
            "x",
            b"not json",
            StoreView {
                mesh_exists: false,
                existing: None,
            },
        )
        .unwrap_err();
        assert_eq!(
            (e.status, e.title.as_str()),
            (404, "Failed to retrieve Mesh")
        );
        // Schema before URL checks.
        let e = put(
            &zone(),
            "other",
            r#"{"type":"MeshMultiZoneService","name":"x","spec":{"selector":{"meshService":{}},"ports":[]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.title, TITLE_COULD_NOT_PROCESS);
        assert_eq!(e.invalid_parameters[0].field, "spec.ports");
        // URL name mismatch.
        let e = put(&zone(), "other", REDIS).unwrap_err();
        assert_eq!(
            e.invalid_parameters,
            vec![Violation::new(
                "name",
                "name from the URL has to be the same as in body"
            )]
        );
    }

    #[test]
    fn writability_follows_kds_flags() {
        let federated = Mode::Zone {
            name: "east".into(),
            federated: true,
        };
        let e = put(&federated, "redis", REDIS).unwrap_err();
        assert_eq!(e.status, 405);
        assert_eq!(e.detail, ZONE_READ_ONLY_MESSAGE);
        assert!(check_writable(&Mode::Global, ResourceType::MeshService).is_err());
        assert!(check_writable(&federated, ResourceType::MeshService).is_ok());
    }

    #[test]
    fn global_rejects_zone_origin_label() {
        let body = REDIS.replace(
            r#""mesh":"default","#,
            r#""mesh":"default","labels":{"kuma.io/origin":"zone"},"#,
        );
        let e = put(&Mode::Global, "redis", &body).unwrap_err();
        assert_eq!(
            e.invalid_parameters,
            vec![Violation::new(
                "labels[\"kuma.io/origin\"]",
                "the origin label must be set to 'global'"
            )]
        );
    }

    #[test]
    fn label_syntax_uses_k8s_messages() {
        let mut labels = Labels::new();
        labels.insert("bad key!".into(), "ok".into());
        labels.insert("k".into(), "-bad".into());
        let v = check_labels(&Mode::Global, Some("default"), &labels);
        assert_eq!(v.len(), 2);
        assert!(v[0].message.starts_with("name part must consist of"));
        assert!(v[1].message.starts_with("a valid label must be"));
    }

    #[test]
    fn qualified_name_parts_use_k8s_messages() {
        assert!(qualified_name_errors("example.com/name").is_empty());
        assert_eq!(
            qualified_name_errors("/name"),
            vec!["prefix part must be non-empty".to_owned()]
        );
        assert_eq!(
            qualified_name_errors("Bad_/"),
            vec![
                format!("prefix part {SUBDOMAIN_MESSAGE}"),
                "name part must be non-empty".to_owned()
            ]
        );
        let long = format!("{}/{}", "a".repeat(254), "n".repeat(64));
        assert_eq!(
            qualified_name_errors(&long),
            vec![
                "prefix part must be no more than 253 characters".to_owned(),
                "name part must be no more than 63 characters".to_owned()
            ]
        );
    }

    #[test]
    fn immutable_zone_label() {
        let mut old = Labels::new();
        old.insert("kuma.io/zone".into(), "east".into());
        let mut new = Labels::new();
        new.insert("kuma.io/zone".into(), "west".into());
        assert_eq!(
            check_immutable_labels(&old, &new)[0].message,
            "is immutable, cannot be changed from \"east\" to \"west\""
        );
        assert_eq!(
            check_immutable_labels(&old, &Labels::new())[0].message,
            "is immutable, cannot be removed (was \"east\")"
        );
    }

    #[test]
    fn hashed_name_shape() {
        let h = hashed_name("default", "redis", &["east"]);
        assert!(h.starts_with("redis-"));
        assert_eq!(h.len(), "redis-".len() + 16);
        assert!(h["redis-".len()..]
            .bytes()
            .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)));
        assert_ne!(h, hashed_name("default", "redis", &["west"]));
        // Stable across runs (FNV is deterministic).
        assert_eq!(h, hashed_name("default", "redis", &["east"]));
        let long = "a".repeat(300);
        assert_eq!(hashed_name("m", &long, &[]).len(), 236 + 1 + 16);
    }

    #[test]
    fn zones_store_mesh_scoped_resources_under_their_kds_name() {
        let decode = |t, v: serde_json::Value| decode_value(t, v).unwrap();
        let mut mzs = decode(
            ResourceType::MeshMultiZoneService,
            serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": "redis",
                "spec": {"selector": {"meshService": {"matchLabels": {"app": "redis"}}},
                         "ports": [{"port": 6379}]}}),
        );
        rename_for_zones(&mut mzs);
        assert_eq!(mzs.meta.name, hashed_name("default", "redis", &[]));
        assert_eq!(mzs.meta.display_name(), "redis");
        // Renaming is idempotent, as for MeshServices that global forwards from other zones.
        let once = mzs.meta.name.clone();
        rename_for_zones(&mut mzs);
        assert_eq!(mzs.meta.name, once);
        let mut hg = decode(
            ResourceType::HostnameGenerator,
            serde_json::json!({"type": "HostnameGenerator", "name": "local",
                "spec": {"template": "{{ .DisplayName }}.mzsvc.mesh.local"}}),
        );
        rename_for_zones(&mut hg);
        assert_eq!(hg.meta.name, "local");
    }

    #[test]
    fn pagination_messages() {
        assert_eq!(
            parse_page(None, None).unwrap(),
            Page {
                size: 100,
                offset: 0
            }
        );
        let e = parse_page(Some("x"), None).unwrap_err();
        assert_eq!(e.invalid_parameters[0].message, "invalid format");
        let e = parse_page(Some("0"), None).unwrap_err();
        assert_eq!(e.invalid_parameters[0].message, "must be greater than 0");
        let e = parse_page(Some("1001"), None).unwrap_err();
        assert_eq!(
            e.invalid_parameters[0].message,
            "invalid page size of 1001. Maximum page size is 1000"
        );
    }

    #[test]
    fn filters() {
        let f = parse_filters(&[
            ("filter[labels.kuma.io/zone]".into(), "east".into()),
            ("name".into(), "red".into()),
        ])
        .unwrap();
        assert_eq!(f.labels.get("kuma.io/zone").unwrap(), "east");
        let e = parse_filters(&[("filter[name]".into(), "x".into())]).unwrap_err();
        assert_eq!(
            e.invalid_parameters[0].message,
            "filters are only supported on labels"
        );
        let e = parse_filters(&[("filter[labels.a][b]".into(), "x".into())]).unwrap_err();
        assert_eq!(
            e.invalid_parameters[0].message,
            "advanced filters are not supported"
        );
    }

    #[test]
    fn error_body_has_deprecated_duplicates() {
        let body = serde_json::to_value(
            ApiError::invalid(TITLE_FAILED_CREATE, vec![Violation::new("name", "bad")]).body(),
        )
        .unwrap();
        assert_eq!(body["details"], "Resource is not valid");
        assert_eq!(body["causes"][0]["message"], "bad");
        assert_eq!(body["invalid_parameters"][0]["reason"], "bad");
        let body = serde_json::to_value(ApiError::not_found("x").body()).unwrap();
        assert!(body.get("invalid_parameters").is_none());
    }

    mod props {
        use super::super::*;
        use crate::kds::hashed_name;
        use proptest::prelude::*;
        use serde_json::{json, Value};

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                "[a-zA-Z0-9./_-]{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 32, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    proptest::collection::btree_map(
                        prop_oneof![
                            Just("type".to_owned()),
                            Just("name".to_owned()),
                            Just("mesh".to_owned()),
                            Just("spec".to_owned()),
                            Just("ports".to_owned()),
                            Just("port".to_owned()),
                            Just("selector".to_owned()),
                            Just("meshService".to_owned()),
                            Just("matchLabels".to_owned()),
                            Just("labels".to_owned()),
                            "[a-z]{1,6}",
                        ],
                        inner,
                        0..5
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn prepare_put_answers_every_body_with_a_kuma_status(body in json_value(), raw in proptest::collection::vec(any::<u8>(), 0..64)) {
                for bytes in [body.to_string().into_bytes(), raw] {
                    for mode in [Mode::Global, Mode::Zone { name: "east".into(), federated: false }] {
                        for t in ResourceType::ALL {
                            let mesh = t.is_mesh_scoped().then_some("default");
                            let result = prepare_put(&mode, KumaVersion::default(), t, mesh, "x", &bytes,
                                StoreView { mesh_exists: true, existing: None });
                            if let Err(e) = result {
                                prop_assert!(matches!(e.status, 400 | 404 | 405), "{e:?}");
                            }
                        }
                    }
                }
            }

            #[test]
            fn accepted_mzs_round_trips_through_the_rest_shape(
                name in "[a-z][a-z0-9-]{0,20}[a-z0-9]",
                ports in proptest::collection::vec((1i32..65536, prop::option::of("[a-z]{1,8}")), 1..4),
                key in "[a-z]{1,8}", value in "[a-z0-9]{1,8}",
            ) {
                let ports: Vec<Value> = ports.iter().map(|(p, n)| match n {
                    Some(n) => json!({"port": p, "name": n}),
                    None => json!({"port": p}),
                }).collect();
                let body = json!({"type": "MeshMultiZoneService", "name": name, "mesh": "default",
                    "spec": {"selector": {"meshService": {"matchLabels": {key: value}}}, "ports": ports}});
                let prepared = prepare_put(&Mode::Global, KumaVersion::default(),
                    ResourceType::MeshMultiZoneService, Some("default"), &name,
                    body.to_string().as_bytes(), StoreView { mesh_exists: true, existing: None }).unwrap();
                let text = serde_json::to_string(&RestItem { resource: &prepared.resource,
                    times: Times { creation: "t", modification: "t" } }).unwrap();
                let back = decode_value(ResourceType::MeshMultiZoneService,
                    serde_json::from_str(&text).unwrap()).unwrap();
                prop_assert_eq!(back.meta, prepared.resource.meta);
                prop_assert_eq!(back.spec, prepared.resource.spec);
            }

            #[test]
            fn hashed_names_have_kumas_shape(mesh in ".{0,10}", name in ".{0,300}", zone in ".{0,10}") {
                let h = hashed_name(&mesh, &name, &[&zone]);
                let (prefix, suffix) = h.rsplit_once('-').unwrap();
                prop_assert!(prefix.chars().count() <= 236);
                prop_assert_eq!(suffix.len(), 16);
                prop_assert!(suffix.bytes().all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)));
                prop_assert_eq!(h.clone(), hashed_name(&mesh, &name, &[&zone]));
            }

            #[test]
            fn page_parameters_never_panic(size in ".{0,12}", offset in ".{0,12}") {
                if let Ok(page) = parse_page(Some(&size), Some(&offset)) {
                    prop_assert!((1..=MAX_PAGE_SIZE).contains(&page.size));
                }
            }
        }
    }
}
