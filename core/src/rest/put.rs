//! The PUT pipeline (§2.3): Kuma's validation layers in Kuma's order, and decoding REST bodies
//! into resources.

use serde_json::Value;

use super::{
    check_immutable_labels, check_labels, check_writable, compute_labels, schema_errors,
    validate_meta, ApiError, Mode, TITLE_COULD_NOT_PROCESS, TITLE_COULD_NOT_UPDATE,
    TITLE_FAILED_CREATE, TITLE_FAILED_UPDATE,
};
use crate::model::{KumaVersion, Labels, Meta, Resource, ResourceType, Spec};
use crate::Violation;

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
        return Err(super::facts::mesh_not_found());
    }
    // Step 2: decode, defaults, schema, Go validator without meta.
    // Kuma's decoder: Go's `encoding/json` errors, as a 400 `Bad Request`.
    if let Some(error) = super::go_json::syntax_error(body) {
        return Err(undecodable(resource_type, &error));
    }
    // Go reads invalid UTF-8 in a string as U+FFFD; serde_json refuses it. Go reads 10,000
    // levels deep, serde_json 128: what is deeper than any schema looks is emptied.
    let text = String::from_utf8_lossy(body);
    let text = super::go_json::shallow(&text);
    let mut value: Value = serde_json::from_str(&text).map_err(|e| {
        match out_of_range_number(&text, &e) {
            // Go's decoder: a number its float64 cannot hold.
            Some(number) => undecodable(
                resource_type,
                &format!("json: cannot unmarshal number {number} into Go value of type float64"),
            ),
            None => ApiError::invalid(
                TITLE_COULD_NOT_PROCESS,
                vec![Violation::new("", format!("invalid JSON: {e}"))],
            ),
        }
    })?;
    if let Some(error) = go_type_error(resource_type, &value) {
        return Err(undecodable(resource_type, &error));
    }
    // A Mesh is a protobuf message: Go's decoder reads `null` into it as an empty body. The
    // schema-checked types refuse it below.
    if resource_type == ResourceType::Mesh && value.is_null() {
        value = Value::Object(serde_json::Map::new());
    }
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
    let mut decoded = decode_body_in(resource_type, &mut value, version)?;
    // Past the schema, Go's decoder reads the body into its struct: a time that is not a string.
    if let Some(error) = super::read_only::decoding_error(resource_type, &value, version) {
        return Err(undecodable(resource_type, &error));
    }
    if let Spec::Mesh(Value::Object(spec)) = &mut decoded.spec {
        super::mesh::drop_unknown_fields(spec, version);
    }
    let mut schema_free = resource_without_meta(&decoded, version);
    if let Spec::Mesh(Value::Object(spec)) = &decoded.spec {
        schema_free.extend(super::mesh::validate_spec(spec, version));
    }
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
    violations.extend(check_labels(
        mode,
        version,
        resource_type,
        url_mesh,
        &decoded.meta.labels,
    ));
    violations.extend(validate_meta(
        url_name,
        url_mesh.filter(|_| resource_type.is_mesh_scoped()),
    ));
    if !violations.is_empty() {
        return Err(ApiError::invalid(TITLE_COULD_NOT_PROCESS, violations));
    }
    // Step 4: labels, then the manager validates again with meta.
    let mesh = resource_type.is_mesh_scoped().then_some(url_mesh).flatten();
    // What Kuma's manager validates a Mesh's name as: the body's meta on create, the stored
    // meta on update.
    let display_name = store
        .existing
        .map_or(decoded.meta.display_name(), |e| e.meta.display_name())
        .to_owned();
    let labels = compute_labels(
        mode,
        version,
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
            // Kuma ignores `creationTime` on input; the store keeps its own.
            creation_time: None,
        },
        spec: decoded.spec,
        status: None,
    };
    let created = store.existing.is_none();
    if let Some(existing) = store.existing {
        let immutable =
            check_immutable_labels(version, &existing.meta.labels, &resource.meta.labels);
        if !immutable.is_empty() {
            return Err(ApiError::invalid(TITLE_COULD_NOT_UPDATE, immutable));
        }
    }
    // Kuma's manager validates with the meta the request carries on a create (the store adds
    // the computed labels afterwards: a 3.0 `a.b` with `kuma.io/display-name: ab` passes the
    // name rule, which reads the display name) and with the stored meta on an update.
    let mut resource = resource;
    let validated_labels = store
        .existing
        .map_or_else(|| decoded.meta.labels.clone(), |e| e.meta.labels.clone());
    let stored_labels = std::mem::replace(&mut resource.meta.labels, validated_labels);
    let mut with_meta = crate::validate::resource(&resource, true, version);
    resource.meta.labels = stored_labels;
    if let Spec::Mesh(Value::Object(spec)) = &resource.spec {
        let previous = store.existing.and_then(|e| match &e.spec {
            Spec::Mesh(Value::Object(previous)) => Some(previous),
            _ => None,
        });
        with_meta.extend(super::mesh::validate_with_meta(
            url_name,
            &display_name,
            spec,
            previous,
            version,
        ));
    }
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

/// [`prepare_put`] for a tool that shows every finding at once (a plan, an editor), not only
/// the first failing stage's. Kuma's PUT stops at the spec's stage (schema, then the validator
/// without meta): a spec it refuses hides the name, mesh and label checks that come after. Here
/// a refused spec's error also carries those later findings, from the same PUT with a spec
/// every release accepts, after the spec's own and each once. Anything else is
/// [`prepare_put`]'s answer unchanged.
pub fn review_put(
    mode: &Mode,
    version: KumaVersion,
    resource_type: ResourceType,
    url_mesh: Option<&str>,
    url_name: &str,
    body: &[u8],
    store: StoreView<'_>,
) -> Result<PreparedPut, ApiError> {
    let put = |body: &[u8]| {
        prepare_put(
            mode,
            version,
            resource_type,
            url_mesh,
            url_name,
            body,
            store,
        )
    };
    let mut error = match put(body) {
        Ok(prepared) => return Ok(prepared),
        Err(error) => error,
    };
    if !error
        .invalid_parameters
        .iter()
        .any(|v| is_spec_field(&v.field))
    {
        return Err(error);
    }
    let Some(with_accepted_spec) = with_accepted_spec(resource_type, body) else {
        return Err(error);
    };
    if let Err(later) = put(&with_accepted_spec) {
        for violation in later.invalid_parameters {
            let later_stage = !violation.field.is_empty() && !is_spec_field(&violation.field);
            if later_stage && !error.invalid_parameters.contains(&violation) {
                error.invalid_parameters.push(violation);
            }
        }
    }
    Err(error)
}

fn is_spec_field(field: &str) -> bool {
    field == "spec" || field.starts_with("spec.") || field.starts_with("spec[")
}

/// `body` with a spec that every release's schema and validator accept, so that only the
/// name, mesh and label stages can refuse it; `None` when `body` is not an object or the type
/// has no separate spec (a Mesh).
pub(crate) fn with_accepted_spec(resource_type: ResourceType, body: &[u8]) -> Option<Vec<u8>> {
    let selector = serde_json::json!({"meshService": {"matchLabels": {"app": "accepted"}}});
    let spec = match resource_type {
        ResourceType::Mesh => return None,
        ResourceType::MeshService => serde_json::json!({"ports": [{"port": 1}]}),
        ResourceType::MeshMultiZoneService => {
            serde_json::json!({"selector": selector, "ports": [{"port": 1}]})
        }
        ResourceType::HostnameGenerator => {
            serde_json::json!({"selector": selector, "template": "accepted"})
        }
        ResourceType::MeshLoadBalancingStrategy => serde_json::json!({
            "targetRef": {"kind": "Mesh"},
            "to": [{"targetRef": {"kind": "Mesh"}, "default": {}}]
        }),
    };
    let mut value: Value = serde_json::from_slice(body).ok()?;
    value.as_object_mut()?.insert("spec".to_owned(), spec);
    serde_json::to_vec(&value).ok()
}

/// The number literal serde_json found out of range (`1e400`), which Go's decoder refuses as a
/// float64: serde_json reports the position just past it.
fn out_of_range_number(text: &str, error: &serde_json::Error) -> Option<String> {
    if !error.to_string().starts_with("number out of range") {
        return None;
    }
    let line = text.lines().nth(error.line().checked_sub(1)?)?;
    let end = (line.char_indices().nth(error.column())).map_or(line.len(), |(i, _)| i);
    let is_number = |c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E');
    // Up to the error, without what follows the literal (`}`, `,`, spaces).
    let head = line
        .get(..end)?
        .trim_end_matches(|c: char| !c.is_ascii_digit());
    let start = head.rfind(|c: char| !is_number(c)).map_or(0, |i| i + 1);
    let number = head.get(start..)?;
    (!number.is_empty()).then(|| number.to_owned())
}

/// Kuma's answer to a body its decoder refuses (`rest.InvalidResourceError`)./// Kuma's answer to a body its decoder refuses (`rest.InvalidResourceError`).
fn undecodable(resource_type: ResourceType, error: &str) -> ApiError {
    ApiError::new(
        400,
        "Bad Request",
        format!(
            "invalid {} object: {}",
            resource_type.name(),
            crate::template::go_quote(error)
        ),
    )
}

/// The type error Go's `json.Unmarshal` gives for a syntactically valid body, where Kuma's
/// decoder meets one before any schema: a body that is not an object (plugin types decode into
/// a `map[string]interface {}`, a Mesh into its meta), and a Mesh's meta strings that are not
/// strings.
fn go_type_error(resource_type: ResourceType, value: &Value) -> Option<String> {
    let kind = super::go_json::kind(value);
    match value {
        Value::Null => None,
        Value::Object(map) if resource_type == ResourceType::Mesh => {
            let not_string = |v: &&Value| !v.is_string() && !v.is_null();
            let meta = ["type", "mesh", "name"].into_iter().find_map(|field| {
                let v = map.get(field).filter(not_string)?;
                Some(format!(
                    "json: cannot unmarshal {} into Go struct field ResourceMeta.{field} of type string",
                    super::go_json::kind(v)
                ))
            });
            // `labels` is a `map[string]string`: an object of strings (null reads as "").
            let labels = match map.get("labels") {
                None | Some(Value::Null) => None,
                Some(Value::Object(labels)) => labels.values().find(not_string).map(|v| {
                    format!(
                        "json: cannot unmarshal {} into Go struct field ResourceMeta.labels of type string",
                        super::go_json::kind(v)
                    )
                }),
                Some(other) => Some(format!(
                    "json: cannot unmarshal {} into Go struct field ResourceMeta.labels of type map[string]string",
                    super::go_json::kind(other)
                )),
            };
            meta.or(labels)
        }
        Value::Object(_) => None,
        _ if resource_type == ResourceType::Mesh => Some(format!(
            "json: cannot unmarshal {kind} into Go value of type v1alpha1.ResourceMeta"
        )),
        _ => Some(format!(
            "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
        )),
    }
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

/// Decode a REST body with `version`'s schema.
pub(crate) fn decode_body_in(
    resource_type: ResourceType,
    value: &mut Value,
    version: KumaVersion,
) -> Result<Resource, ApiError> {
    let violations = schema_errors::check_in(resource_type, value, version);
    if !violations.is_empty() {
        return Err(ApiError::invalid(TITLE_COULD_NOT_PROCESS, violations));
    }
    let mut resource = decode_value(resource_type, value.clone()).map_err(|message| {
        ApiError::invalid(TITLE_COULD_NOT_PROCESS, vec![Violation::new("", message)])
    })?;
    // Without defaulting (2.9) an absent mesh stays empty: the URL check refuses it.
    let mesh_written = value.get("mesh").is_some_and(Value::is_string);
    if !version.applies_schema_defaults() && !mesh_written {
        resource.meta.mesh.clear();
    }
    Ok(resource)
}

/// A resource as a control plane lists it (`GET /meshes/{mesh}/...`): [`decode_value`], keeping
/// its `creationTime`, which orders HostnameGenerators and services the way Kuma does. For
/// previews of what a control plane holds; stores keep their own times.
pub fn decode_listed(resource_type: ResourceType, value: Value) -> Result<Resource, String> {
    let creation_time = value
        .get("creationTime")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut resource = decode_value(resource_type, value)?;
    resource.meta.creation_time = creation_time;
    Ok(resource)
}

/// The creation time of a resource a plan is about to create, for previews that mix it with
/// listed ones: after every existing resource, as it will be when it is written.
pub const PLANNED_CREATION_TIME: &str = "9999-12-31T23:59:59.999999999Z";

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
        meta: Meta {
            name,
            mesh,
            labels,
            creation_time: None,
        },
        spec,
        status,
    })
}
