//! Decoding: syntax tree -> typed [`Resource`], with Kuma-style field paths and positions for
//! every schema problem, then Kuma's validators and our lints.
//!
//! Both document shapes are read: Kuma universal (`type`/`name`/`mesh`/`labels`/`spec`) and
//! Kubernetes (`apiVersion: kuma.io/v1alpha1`, `kind`, `metadata`, `spec`; the mesh comes from the
//! `kuma.io/mesh` label, `kuma.io/display-name` from the annotation, else `metadata.name`, as
//! Kuma reads it; see `display_name`). A document may also be a JSON array of resources, a Kubernetes
//! `List`, or the list `kumactl get <type>s -o yaml|json` prints (`items`, `total`, `next`).
//! Decoding never stops at the first problem: it reads what it can, reports everything, and still
//! returns the typed resource (with placeholders for unusable values) so validators and lints run.

pub(crate) mod check;
pub(crate) mod documents;
pub(crate) mod json;
mod json_comments;
mod merge_keys;
pub(crate) mod openapi;
mod repeated_keys;
mod span;
mod typed;
pub(crate) mod value_fixes;
mod version_hints;
mod walk;
pub(crate) mod yaml_fast;

pub(crate) use span::span_of;
pub(crate) use walk::{check_rest_body, levenshtein};

use serde_json::{Map, Value};

use crate::model::{labels, KumaVersion, Labels, Meta, Resource, ResourceType, Spec};
use crate::text::diagnostics::{self, Code, Diagnostic};
use crate::text::source::TextRange;
use crate::text::syntax::{Document, Node, Resolved};
use crate::validate;
use crate::validate::lints;
use crate::Violation;
use crate::{CheckedDocument, Shape};
use openapi::Schema;
use walk::{Walked, Walker};

use crate::model::API_VERSION;

/// Decode one YAML document. A document holding a JSON/YAML array of resources, a Kubernetes
/// `List` or a kumactl/REST list ([`list_items`]) yields one [`CheckedDocument`] per item.
///
/// A key repeated in a mapping keeps its last value, as in Kuma (`MZS008` warns at the repeat),
/// and merge keys (`<<`) merge as Kuma's YAML decoder merges them.
pub(crate) fn decode_document_owned(
    mut doc: Document,
    version: KumaVersion,
) -> Vec<CheckedDocument> {
    let mut repeats = Vec::new();
    repeated_keys::keep_last(&mut doc.root, &mut repeats);
    merge_keys::expand(&mut doc.root, &mut repeats);
    let mut checked = if is_collection(&doc.root) {
        decode_root(&doc.root, doc.span, version)
    } else {
        let mut checked = decode_resource(&doc.root, doc.span, version);
        checked.root = doc.root;
        vec![checked]
    };
    if !repeats.is_empty() {
        attach(&mut checked, repeats);
    }
    checked
}

/// Give each diagnostic to the document that holds it (the first one when none does).
fn attach(documents: &mut [CheckedDocument], diagnostics: Vec<Diagnostic>) {
    for d in diagnostics {
        let at = documents
            .iter()
            .position(|doc| doc.span.start <= d.span.start && d.span.end <= doc.span.end)
            .unwrap_or(0);
        if let Some(doc) = documents.get_mut(at) {
            doc.diagnostics.push(d);
            diagnostics::sort(&mut doc.diagnostics);
        }
    }
}

fn is_collection(root: &Node) -> bool {
    root.as_sequence().is_some() || list_items(root).is_some()
}

/// The items of a list of resources: a Kubernetes `kind: List`, or a typed one
/// (`MeshServiceList`, what `kubectl get -o yaml` prints), which kubectl applies item by item too;
/// or the list of Kuma's REST API, which `kumactl get <type>s -o yaml|json` prints: `items` of
/// universal resources, `total` and `next`, without `kind`, `type` or `apiVersion`
/// (`ResourceList`, v2.14.3 `pkg/core/resources/model/rest/list.go:11-15`; kumactl's
/// golden `app/kumactl/cmd/get/testdata/list/get-meshtimeouts.golden.yaml`).
fn list_items(root: &Node) -> Option<&[Node]> {
    let items = root.get("items").and_then(Node::as_sequence)?;
    let is_list = match root.get("kind") {
        Some(kind) => kind.as_str().is_some_and(|k| k.ends_with("List")),
        None => {
            root.get("type").is_none()
                && root.get("apiVersion").is_none()
                && (root.get("total").is_some() || root.get("next").is_some())
        }
    };
    is_list.then_some(items)
}

fn decode_root(root: &Node, span: TextRange, version: KumaVersion) -> Vec<CheckedDocument> {
    if let Some(items) = root.as_sequence() {
        return items
            .iter()
            .map(|item| with_root(decode_resource(item, item.span, version), item))
            .collect();
    }
    if let Some(items) = list_items(root) {
        return items
            .iter()
            .map(|item| with_root(decode_resource(item, item.span, version), item))
            .collect();
    }
    vec![with_root(decode_resource(root, span, version), root)]
}

fn with_root(mut doc: CheckedDocument, root: &Node) -> CheckedDocument {
    doc.root = root.clone();
    doc
}

/// Decode a bare `spec` of `resource_type` (what Kuma's validator tests feed): the typed spec and
/// the schema problems and unknown-field warnings found on the way (paths start with `spec`).
pub fn decode_spec(resource_type: ResourceType, node: &Node) -> (Spec, Vec<Diagnostic>) {
    decode_spec_in(resource_type, node, KumaVersion::default())
}

/// [`decode_spec`] with `version`'s schema (3.0 drops the fields only 2.x has).
pub fn decode_spec_in(
    resource_type: ResourceType,
    node: &Node,
    version: KumaVersion,
) -> (Spec, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut walker = Walker {
        version,
        diagnostics: &mut diagnostics,
        schema_error_paths: Vec::new(),
        nulls_are_values: false,
        defaults: true,
        kubernetes: false,
    };
    let spec = typed_spec(
        resource_type,
        Some(node),
        &mut walker,
        walk::item_anchor(node),
    );
    (spec, diagnostics)
}

fn empty_node(at: TextRange) -> Node {
    Node {
        kind: crate::text::syntax::NodeKind::Scalar(crate::text::syntax::Scalar {
            value: String::new(),
            plain: true,
        }),
        span: at,
    }
}

fn typed_spec(
    resource_type: ResourceType,
    node: Option<&Node>,
    walker: &mut Walker<'_>,
    anchor: TextRange,
) -> Spec {
    let schema: &Schema = match resource_type {
        ResourceType::Mesh => &openapi::MESH_SPEC,
        ResourceType::MeshService => &openapi::MS_SPEC,
        ResourceType::MeshMultiZoneService => &openapi::MZS_SPEC,
        ResourceType::HostnameGenerator => &openapi::HG_SPEC,
        ResourceType::MeshLoadBalancingStrategy => &openapi::MLBS_SPEC,
    };
    let mut path = String::from("spec");
    let empty;
    let value = match node {
        // An empty spec document (`spec:` or an empty file) is an empty object to Kuma.
        Some(n) if walker.unwritten(n) => {
            empty = Node {
                kind: crate::text::syntax::NodeKind::Mapping(Vec::new()),
                span: n.span,
            };
            walker.walk(&empty, schema, &mut path, anchor)
        }
        // `spec:` with nothing after it has no text of its own: the key stands for it.
        Some(n) if n.span.is_empty() => {
            empty = empty_node(anchor);
            walker.walk(&empty, schema, &mut path, anchor)
        }
        Some(n) => walker.walk(n, schema, &mut path, anchor),
        // No spec: reported by the caller; nothing inside it to check.
        None => return empty_spec(resource_type),
    };
    let value = value.unwrap_or_else(|| Walked::Object(Vec::new()));
    #[cfg(debug_assertions)]
    let for_serde = value.clone().into_value();
    let spec = match resource_type {
        ResourceType::Mesh => Ok(Spec::Mesh(value.into_value())),
        ResourceType::MeshService => typed::mesh_service(value).map(Spec::MeshService),
        ResourceType::MeshMultiZoneService => {
            typed::mesh_multi_zone_service(value).map(Spec::MeshMultiZoneService)
        }
        ResourceType::HostnameGenerator => {
            typed::hostname_generator(value).map(Spec::HostnameGenerator)
        }
        ResourceType::MeshLoadBalancingStrategy => {
            typed::mesh_load_balancing_strategy(value).map(Spec::MeshLoadBalancingStrategy)
        }
    };
    #[cfg(debug_assertions)]
    same_as_serde(resource_type, for_serde, spec.as_ref().ok());
    match spec {
        Ok(spec) => spec,
        Err(typed::Mismatch) => {
            // The walk guarantees the shape the model needs except where it reported a schema
            // error (an array item of the wrong type has no fields); this is a guard, never a
            // panic, and says something only when nothing else did.
            if walker.schema_error_paths.is_empty() {
                walker.schema_error("spec", "spec could not be decoded".to_owned(), anchor);
            } else {
                // Nothing is validated of a spec that could not be read.
                walker.schema_error_paths.push("spec".to_owned());
            }
            empty_spec(resource_type)
        }
    }
}

/// Debug builds (every test run) check the hand-written decoder against serde's derive, which
/// reads the same JSON by the attributes in `crate::model`: same spec, or both fail.
#[cfg(debug_assertions)]
fn same_as_serde(resource_type: ResourceType, value: Value, decoded: Option<&Spec>) {
    let by_serde = match resource_type {
        ResourceType::Mesh => Ok(Spec::Mesh(value)),
        ResourceType::MeshService => serde_json::from_value(value).map(Spec::MeshService),
        ResourceType::MeshMultiZoneService => {
            serde_json::from_value(value).map(Spec::MeshMultiZoneService)
        }
        ResourceType::HostnameGenerator => {
            serde_json::from_value(value).map(Spec::HostnameGenerator)
        }
        ResourceType::MeshLoadBalancingStrategy => {
            serde_json::from_value(value).map(Spec::MeshLoadBalancingStrategy)
        }
    };
    assert_eq!(
        decoded,
        by_serde.as_ref().ok(),
        "hand decoder differs from serde"
    );
}

fn empty_spec(resource_type: ResourceType) -> Spec {
    match resource_type {
        ResourceType::Mesh => Spec::Mesh(Value::Object(Map::new())),
        ResourceType::MeshService => Spec::MeshService(Default::default()),
        ResourceType::MeshMultiZoneService => Spec::MeshMultiZoneService(Default::default()),
        ResourceType::HostnameGenerator => Spec::HostnameGenerator(Default::default()),
        ResourceType::MeshLoadBalancingStrategy => {
            Spec::MeshLoadBalancingStrategy(Default::default())
        }
    }
}

/// Top-level fields Kuma computes and ignores on input.
const OUTPUT_ONLY: &[&str] = &["status", "creationTime", "modificationTime", "kri", "snis"];

fn has_status(t: ResourceType) -> bool {
    matches!(
        t,
        ResourceType::MeshService | ResourceType::MeshMultiZoneService
    )
}

fn has_snis(t: ResourceType) -> bool {
    has_status(t)
}

fn first_key_span(node: &Node) -> TextRange {
    node.as_mapping()
        .and_then(|m| m.first())
        .map_or(TextRange::empty(node.span.start), |e| e.key.span)
}

fn decode_resource(node: &Node, span: TextRange, version: KumaVersion) -> CheckedDocument {
    let mut diagnostics = Vec::new();
    let (resource_type, shape, resource) = decode_envelope(node, version, &mut diagnostics);
    version_hints::attach(node, version, &mut diagnostics);
    diagnostics::sort(&mut diagnostics);
    CheckedDocument {
        span,
        resource_type,
        shape,
        resource,
        diagnostics,
        root: empty_node(span),
    }
}

/// The type kuma-mzs checks that `name` most likely misspells (`MeshMultiZoneSevice`), if any;
/// never for a type Kuma has (`MeshTimeout` is no typo of `MeshTimeout`'s neighbours).
pub(crate) fn modelled_type_near(name: &str) -> Option<&'static str> {
    if documents::is_kuma_type(name) {
        return None;
    }
    walk::did_you_mean(name, &ResourceType::ALL.map(ResourceType::name))
}

fn decode_envelope(
    node: &Node,
    version: KumaVersion,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<ResourceType>, Option<Shape>, Option<Resource>) {
    let Some(entries) = node.as_mapping() else {
        diagnostics.push(Diagnostic::new(
            Code::UnknownResource,
            "",
            format!(
                "expected a Kuma resource (an object with `type`, or `apiVersion` and `kind`), found {}",
                article(node.type_name())
            ),
            node.span,
        ));
        return (None, None, None);
    };
    let shape = if node.get("apiVersion").is_some()
        || node.get("kind").is_some()
        || node.get("metadata").is_some()
    {
        Shape::Kubernetes
    } else if node.get("type").is_some() {
        Shape::Universal
    } else {
        diagnostics.push(Diagnostic::new(
            Code::UnknownResource,
            "",
            "not a Kuma resource: it has neither `type` (Kuma universal format) nor `apiVersion`/`kind` (Kubernetes format)",
            first_key_span(node),
        ));
        return (None, None, None);
    };
    let type_field = match shape {
        Shape::Universal => "type",
        Shape::Kubernetes => "kind",
    };
    let type_entry = node.entry(type_field);
    let type_name = type_entry.and_then(|e| match e.value.as_scalar().map(|s| s.resolve()) {
        Some(Resolved::Str(s)) => Some(s),
        _ => None,
    });
    let Some(resource_type) = type_name.and_then(ResourceType::from_name) else {
        let (message, at) = match (type_entry, type_name) {
            (None, _) => (
                format!("{type_field} in body is required"),
                first_key_span(node),
            ),
            (Some(e), Some(name)) => {
                let understood =
                    crate::text::join(&ResourceType::ALL.map(ResourceType::name), ", ");
                let message = match modelled_type_near(name) {
                    Some(meant) => format!(
                        "unknown resource type `{name}` (did you mean `{meant}`?); kuma-mzs understands {understood}"
                    ),
                    None => format!("unknown resource type `{name}`; kuma-mzs understands {understood}"),
                };
                (message, e.value.span)
            }
            (Some(e), None) => (
                format!(
                    "{type_field} in body must be of type string: \"{}\"",
                    e.value.type_name()
                ),
                e.value.span,
            ),
        };
        diagnostics.push(Diagnostic::new(
            Code::UnknownResource,
            type_field,
            message,
            at,
        ));
        return (None, Some(shape), None);
    };

    let mut walker = Walker {
        version,
        diagnostics,
        schema_error_paths: Vec::new(),
        // Mesh is a legacy type without a schema step: Go's JSON decoder reads null as absent.
        nulls_are_values: shape == Shape::Universal && resource_type != ResourceType::Mesh,
        defaults: shape == Shape::Kubernetes || version.applies_schema_defaults(),
        kubernetes: shape == Shape::Kubernetes,
    };
    let (meta, spec_node) = match shape {
        Shape::Universal => universal_meta(node, entries, resource_type, &mut walker),
        Shape::Kubernetes => kubernetes_meta(node, entries, resource_type, &mut walker),
    };
    let spec = match (resource_type, shape) {
        // A universal Mesh keeps its settings at the top level.
        (ResourceType::Mesh, Shape::Universal) => {
            let mut map = Map::new();
            for e in entries {
                if let Some(k) = e.key.as_scalar().map(|s| s.value.as_str()) {
                    if !matches!(k, "type" | "name" | "labels") && !OUTPUT_ONLY.contains(&k) {
                        map.insert(k.to_owned(), walk::to_json(&e.value, 0));
                    }
                }
            }
            Spec::Mesh(Value::Object(map))
        }
        (ResourceType::Mesh, Shape::Kubernetes) => {
            Spec::Mesh(spec_node.map_or(Value::Object(Map::new()), |n| walk::to_json(n, 0)))
        }
        _ => {
            if spec_node.is_none() {
                walker.required("spec", first_key_span(node));
            }
            let anchor = node
                .entry("spec")
                .map_or_else(|| first_key_span(node), |e| e.key.span);
            typed_spec(resource_type, spec_node, &mut walker, anchor)
        }
    };
    let status = node
        .get("status")
        .filter(|s| !s.is_null())
        .map(|s| walk::to_json(s, 0));
    let mut resource = Resource { meta, spec, status };

    let schema_error_paths = std::mem::take(&mut walker.schema_error_paths);
    // A value that failed the schema is a placeholder: Kuma's rules and lints say nothing about it.
    let about_placeholder = |field: &str| {
        schema_error_paths.iter().any(|p| {
            field == p
                || field
                    .strip_prefix(p.as_str())
                    .is_some_and(|r| r.starts_with(['.', '[']))
        })
    };
    // What a control plane checks before Kuma's validator sees the resource: on the REST path
    // `ValidateMeta` and the labels, on Kubernetes the API server's name and label syntax. A
    // request stops there, so a name refused there gets no validator message about it. (The REST
    // decoder does run the validator earlier, but on an empty meta: `rest/unmarshaller.go`
    // v2.14.3:104-107 sets `From.Meta` of a resource without meta, so its name rules first see
    // the name in the manager, after `ValidateMeta`.)
    let mut name_refused = false;
    for v in envelope_violations(shape, resource_type, &resource.meta, version) {
        if about_placeholder(&v.field) {
            continue;
        }
        name_refused |= v.field == "name";
        let at = label_key_span(node, &v, version).unwrap_or_else(|| span_of(node, &v.field));
        walker
            .diagnostics
            .push(Diagnostic::new(Code::Kuma, v.field, v.message, at));
    }
    // After the label checks: on Kubernetes the display name is an annotation (no label limits).
    display_name(node, shape, &mut resource, &mut walker);
    // Kuma's API stops at the schema (`api::prepare_put` does too); a document still gets the
    // validator's errors about the values the schema accepted: Kuma's validator tests expect
    // them for inputs its schema refuses (a 3.0 `SourceIP` hash policy: `unrecognized type`).
    let mut validated = validate::resource(&resource, true, version);
    if let Spec::Mesh(_) = &resource.spec {
        // The mesh manager's name rules, as `kumactl apply` of a new Mesh meets them (and, on
        // Kubernetes, Kuma's webhooks: 3.0's generic one the DNS-1035 rule, the Mesh one the
        // length on create).
        let meta = &resource.meta;
        validated = validate::meta::mesh_name(&meta.name, meta.display_name(), true, version);
    }
    for v in validated {
        if about_placeholder(&v.field) || (name_refused && v.field == "name") {
            continue;
        }
        let at = span_of(node, &v.field);
        walker
            .diagnostics
            .push(Diagnostic::new(Code::Kuma, v.field, v.message, at));
    }
    // Kuma returns deprecation warnings only with a successful write.
    let rejected = walker
        .diagnostics
        .iter()
        .any(|d| d.severity == crate::text::diagnostics::Severity::Error);
    if !rejected {
        // Kuma words them after its store wrote the labels: under 3.0 the display name is the
        // name, whatever the document says.
        let stored;
        let as_stored = if resource.meta.display_name_replaced(version) {
            let mut copy = resource.clone();
            copy.store_display_name(version);
            stored = copy;
            &stored
        } else {
            &resource
        };
        for v in validate::deprecations(as_stored, version) {
            let at = span_of(node, &v.field);
            walker
                .diagnostics
                .push(Diagnostic::new(Code::Deprecated, v.field, v.message, at));
        }
    }
    // A port that failed the schema is a placeholder number: comparing ports with it would
    // report a duplicate that is not in the document.
    let ports_unread = schema_error_paths
        .iter()
        .any(|p| p.starts_with("spec.ports"));
    // The API server's list-map keys of a Kubernetes MeshService's ports.
    if let (Shape::Kubernetes, Spec::MeshService(spec), false) =
        (shape, &resource.spec, ports_unread)
    {
        for v in validate::kubernetes::mesh_service_port_duplicates(spec) {
            let at = span_of(node, &v.field);
            walker
                .diagnostics
                .push(Diagnostic::new(Code::Schema, v.field, v.message, at));
        }
    }
    for (code, v) in lints::check_resource(&resource) {
        let compares_ports = matches!(code, Code::DuplicatePort | Code::DuplicatePortName);
        if about_placeholder(&v.field) || (compares_ports && ports_unread) {
            continue;
        }
        let at = span_of(node, &v.field);
        walker
            .diagnostics
            .push(Diagnostic::new(code, v.field, v.message, at));
    }
    if rejected {
        value_fixes::value_fixes(node, resource_type, shape, version, walker.diagnostics);
    }
    (Some(resource_type), Some(shape), Some(resource))
}

/// Where an error about a label's key (not its value) belongs: the key as written.
fn label_key_span(node: &Node, v: &Violation, version: KumaVersion) -> Option<TextRange> {
    let key = v.field.strip_prefix("labels[\"")?.strip_suffix("\"]")?;
    if !validate::meta::qualified_name_errors(key, version).contains(&v.message) {
        return None;
    }
    let labels = (node.get("labels")).or_else(|| node.get("metadata")?.get("labels"))?;
    let entry = (labels.as_mapping()?.iter()).find(|e| e.key.as_str() == Some(key))?;
    Some(entry.key.span)
}

/// The envelope checks a document meets on its way in, whichever control plane it goes to
/// (the mode-dependent ones, such as which origin a zone accepts, are the REST layer's alone).
fn envelope_violations(
    shape: Shape,
    resource_type: ResourceType,
    meta: &Meta,
    version: KumaVersion,
) -> Vec<Violation> {
    let mut out = match shape {
        Shape::Universal => {
            let mut out = validate::meta::validate_meta(
                &meta.name,
                resource_type.is_mesh_scoped().then_some(meta.mesh.as_str()),
            );
            out.extend(validate::meta::policy_role(
                resource_type,
                &meta.labels,
                version,
            ));
            out
        }
        Shape::Kubernetes => {
            let mut out = validate::meta::kubernetes_name(&meta.name);
            // Kuma's webhooks hold the `kuma.io/mesh` label to `ValidateMesh`; a value that
            // breaks Kubernetes' label syntax never reaches them (that error comes below).
            if resource_type.is_mesh_scoped()
                && validate::meta::label_value_errors(&meta.mesh).is_empty()
            {
                out.extend(validate::meta::validate_mesh(&meta.mesh));
            }
            out
        }
    };
    // A missing name is the schema's `required` error already.
    if meta.name.is_empty() {
        out.retain(|v| v.field != "name");
    }
    out.extend(validate::meta::check_labels_in_any_mode(
        &meta.labels,
        version,
    ));
    out
}

fn article(type_name: &str) -> String {
    match type_name {
        "array" | "object" | "integer" => format!("an {type_name}"),
        "null" => "nothing".to_owned(),
        _ => format!("a {type_name}"),
    }
}

/// A required or optional string at the top of the envelope.
fn string_field(
    parent: &Node,
    key: &str,
    path: &str,
    required: bool,
    walker: &mut Walker<'_>,
) -> Option<String> {
    let Some(entry) = parent.entry(key).filter(|e| !walker.unwritten(&e.value)) else {
        if required {
            let at = parent
                .entry(key)
                .map_or_else(|| first_key_span(parent), |e| e.key.span);
            walker.required(path, at);
        }
        return None;
    };
    let mut p = path.to_owned();
    let shown;
    let value = if entry.value.span.is_empty() {
        shown = walk::shown_value(entry);
        &shown
    } else {
        &entry.value
    };
    match walker.walk(value, &openapi::STRING, &mut p, entry.key.span) {
        Some(Walked::Str(s)) => Some(s.to_owned()),
        _ => None,
    }
}

fn labels_field(parent: &Node, path: &str, walker: &mut Walker<'_>) -> Labels {
    let Some(entry) = parent
        .entry("labels")
        .filter(|e| !walker.unwritten(&e.value))
    else {
        return Labels::new();
    };
    let mut p = path.to_owned();
    let shown;
    let node = if entry.value.span.is_empty() {
        shown = walk::shown_value(entry);
        &shown
    } else {
        &entry.value
    };
    let value = walker.walk(node, &openapi::STRING_MAP, &mut p, entry.key.span);
    let mut out = Labels::new();
    if let Some(Walked::Object(entries)) = value {
        for (k, v) in entries {
            if let Walked::Str(v) = v {
                out.insert(k.to_owned(), v.to_owned());
            }
        }
    }
    out
}

fn lint_envelope(
    entries: &[crate::text::syntax::Entry],
    resource_type: ResourceType,
    known: &[&str],
    output_only: &[&str],
    walker: &mut Walker<'_>,
) {
    for entry in entries {
        let Some(key) = entry.key.as_scalar().map(|s| s.value.as_str()) else {
            continue;
        };
        if output_only.contains(&key) {
            let message = if key == "status" {
                // `status: {}` (what a dump holds for a status nobody computed) says nothing.
                let empty =
                    entry.value.is_null() || entry.value.as_mapping().is_some_and(<[_]>::is_empty);
                if empty {
                    continue;
                }
                status_note(resource_type, walker.kubernetes, walker.version)
            } else {
                format!("`{key}` is computed by the control plane; Kuma ignores it on input")
            };
            walker.diagnostics.push(Diagnostic::new(
                Code::IgnoredField,
                key,
                message,
                entry.key.span,
            ));
        } else if !known.contains(&key) {
            let mut all: Vec<&str> = known.to_vec();
            all.extend_from_slice(output_only);
            walker.unknown_field(key, key, entry, &all, entries);
        }
    }
}

/// What becomes of a written `status` of a MeshService or MeshMultiZoneService (`MZS007`).
///
/// - Universal: from 2.11 the REST layer reads only the spec and meta of a PUT, so the status is
///   ignored; 2.9 and 2.10 store it ([`KumaVersion::stores_written_status`]).
/// - Kubernetes: both CRDs list `status` in their schema and have no status subresource
///   (`subresources: {}`, `deployments/charts/kuma/crds/kuma.io_meshmultizoneservices.yaml` and
///   `kuma.io_meshservices.yaml`, 2.9 to 3.0), so `kubectl apply` stores it with the object.
///
/// Then: global computes no MeshMultiZoneService status (the status updater runs in zones only,
/// v2.14.3 `pkg/insights/components.go:16-56`) and from 2.11 sends the MZS to zones without it
/// ([`KumaVersion::syncs_mzs_status_to_zones`]); a zone recomputes the matched MeshServices,
/// conditions, addresses and hostname generators (`status_updater.go`, the hostname generator),
/// TLS and data plane proxies of its own MeshServices (`meshservice/status/updater.go`), and
/// allocates a VIP only to a resource that holds none (v2.14.3
/// `pkg/core/resources/apis/core/vip/allocator.go:136-138`), so written VIPs stay.
fn status_note(resource_type: ResourceType, kubernetes: bool, version: KumaVersion) -> String {
    let mzs = resource_type == ResourceType::MeshMultiZoneService;
    let stored = if kubernetes {
        "on Kubernetes `status` is stored with the object (the CRD has no status subresource)"
            .to_owned()
    } else if version.stores_written_status() {
        format!(
            "Kuma {} stores `status` as written (2.11 and later ignore it on input)",
            version.as_str()
        )
    } else {
        return "`status` is computed by the control plane; Kuma ignores it on input".to_owned();
    };
    let then = match (mzs, version.syncs_mzs_status_to_zones()) {
        (true, false) => {
            ", but global sends the MeshMultiZoneService to the zones without it: each zone computes its own"
        }
        (true, true) => {
            ", and global sends it to the zones with the MeshMultiZoneService: each zone recomputes it but keeps the VIPs in it"
        }
        (false, _) => "; the zone's control plane recomputes it but keeps the VIPs in it",
    };
    format!("{stored}{then}")
}

/// `kuma.io/display-name` as the release's control plane stores it, and the warning at a written
/// label it replaces with the name.
///
/// On Kubernetes Kuma reads the display name from the `kuma.io/display-name` annotation, else
/// the object's name, never from `metadata.labels` (`KubernetesMetaAdapter.GetLabels`,
/// `pkg/plugins/resources/k8s/store.go` v2.9.13:291-301, v2.14.3:318-332); 3.0's defaulting
/// webhook writes the name into that annotation first. In the universal format 3.0's REST layer
/// writes the name over the label (the resource keeps the label as written: the REST layer
/// computes labels itself, and the preview applies [`Resource::store_display_name`]). Either way
/// selectors and hostname templates on a control plane see the name, not what is written. A
/// copy that KDS stored under its hashed name (what `kumactl get` shows of a synced resource)
/// keeps its display name: sync does not go through a write path. (A 2.x label next to an
/// annotation that differs from both is ignored silently.)
fn display_name(node: &Node, shape: Shape, resource: &mut Resource, walker: &mut Walker<'_>) {
    if shape == Shape::Kubernetes {
        let annotation = (node.get("metadata"))
            .and_then(|m| m.get("annotations")?.get(labels::DISPLAY_NAME)?.as_str());
        let read = annotation.unwrap_or(&resource.meta.name).to_owned();
        (resource.meta.labels).insert(labels::DISPLAY_NAME.to_owned(), read);
        resource.store_display_name(walker.version);
    }
    let meta = &resource.meta;
    let stored = if meta.display_name_replaced(walker.version) {
        &meta.name
    } else {
        meta.display_name()
    };
    let written = (node.get("labels")).or_else(|| node.get("metadata")?.get("labels"));
    let Some(entry) = written.and_then(|l| l.entry(labels::DISPLAY_NAME)) else {
        return;
    };
    if stored != meta.name || entry.value.as_str() == Some(stored) {
        return;
    }
    walker.diagnostics.push(Diagnostic::new(
        Code::IgnoredField,
        validate::meta::label_field(labels::DISPLAY_NAME),
        format!(
            "Kuma {} replaces it with the resource's name on write, so selectors and hostname templates on a control plane see \"{stored}\"",
            walker.version.as_str(),
        ),
        entry.value.span,
    ));
}

fn universal_meta<'n>(
    node: &'n Node,
    entries: &[crate::text::syntax::Entry],
    resource_type: ResourceType,
    walker: &mut Walker<'_>,
) -> (Meta, Option<&'n Node>) {
    let name = string_field(node, "name", "name", true, walker).unwrap_or_default();
    // `mesh` has the schema default `default`, which Kuma's defaulting also puts in place of null
    // (not 2.9's, which has no defaulting: there an absent mesh is empty).
    let mesh_null = node.get("mesh").is_some_and(Node::is_null);
    let defaulted = walker.defaults;
    let absent_mesh = || match defaulted {
        true => "default".to_owned(),
        false => String::new(),
    };
    let mesh = if resource_type.is_mesh_scoped() && !mesh_null {
        string_field(node, "mesh", "mesh", false, walker).unwrap_or_else(absent_mesh)
    } else if resource_type.is_mesh_scoped() {
        absent_mesh()
    } else {
        String::new()
    };
    let labels = labels_field(node, "labels", walker);
    if resource_type != ResourceType::Mesh {
        // Constant lists, not vectors built for every document.
        let known: &[&str] = if resource_type.is_mesh_scoped() {
            &["type", "name", "labels", "spec", "mesh"]
        } else {
            &["type", "name", "labels", "spec"]
        };
        let output_only: &[&str] = match (has_status(resource_type), has_snis(resource_type)) {
            (true, true) => &["creationTime", "modificationTime", "kri", "status", "snis"],
            (true, false) => &["creationTime", "modificationTime", "kri", "status"],
            (false, true) => &["creationTime", "modificationTime", "kri", "snis"],
            (false, false) => &["creationTime", "modificationTime", "kri"],
        };
        lint_envelope(entries, resource_type, known, output_only, walker);
    }
    let creation_time = node
        .get("creationTime")
        .and_then(Node::as_str)
        .map(str::to_owned);
    let spec = node.get("spec").filter(|n| !walker.unwritten(n));
    let meta = Meta {
        name,
        mesh,
        labels,
        creation_time,
    };
    (meta, spec)
}

/// The fields of Kubernetes object metadata (`ObjectMeta`), which the API server knows.
const OBJECT_META: &[&str] = &[
    "name",
    "namespace",
    "labels",
    "annotations",
    "generateName",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
    "selfLink",
];

fn kubernetes_meta<'n>(
    node: &'n Node,
    entries: &[crate::text::syntax::Entry],
    resource_type: ResourceType,
    walker: &mut Walker<'_>,
) -> (Meta, Option<&'n Node>) {
    match node.entry("apiVersion") {
        None => walker.required("apiVersion", first_key_span(node)),
        Some(e) if e.value.as_str() != Some(API_VERSION) => {
            walker.schema_error(
                "apiVersion",
                format!("apiVersion in body should be one of [{API_VERSION}]"),
                e.value.span,
            );
        }
        Some(_) => {}
    }
    let mut meta = Meta::default();
    match node.entry("metadata").filter(|e| !e.value.is_null()) {
        None => walker.required("metadata", first_key_span(node)),
        Some(e) if e.value.as_mapping().is_none() => {
            let mut p = "metadata".to_owned();
            let _ = walker.walk(&e.value, &openapi::STRING_MAP, &mut p, e.key.span);
        }
        Some(e) => {
            let m = &e.value;
            // A misspelt key (`label:`) would silently drop what it holds (the mesh label).
            if let Some(entries) = m.as_mapping() {
                for entry in entries {
                    let Some(key) = entry.key.as_str() else {
                        continue;
                    };
                    if !OBJECT_META.contains(&key) {
                        let path = format!("metadata.{key}");
                        walker.unknown_field(&path, key, entry, OBJECT_META, entries);
                    }
                }
            }
            meta.name = string_field(m, "name", "metadata.name", true, walker).unwrap_or_default();
            let namespace = string_field(m, "namespace", "metadata.namespace", false, walker);
            meta.labels = labels_field(m, "metadata.labels", walker);
            meta.creation_time = m
                .get("creationTimestamp")
                .and_then(Node::as_str)
                .map(str::to_owned);
            if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
                let errors = validate::kubernetes::namespace_errors(&ns);
                if errors.is_empty() {
                    // Kuma labels Kubernetes resources with their namespace when written.
                    meta.labels
                        .entry(labels::NAMESPACE.to_owned())
                        .or_insert(ns);
                }
                let at = span_of(node, "metadata.namespace");
                for message in errors {
                    walker.diagnostics.push(Diagnostic::new(
                        Code::Schema,
                        "metadata.namespace",
                        message,
                        at,
                    ));
                }
            }
        }
    }
    if resource_type.is_mesh_scoped() {
        meta.mesh = meta
            .labels
            .get(labels::MESH)
            .cloned()
            .unwrap_or_else(|| "default".to_owned());
    }
    // Only the MeshService and MeshMultiZoneService CRDs have a `status`: the API server drops
    // any other kind's as an unknown field, and `kubectl apply` refuses it.
    let output_only: &[&str] = if has_status(resource_type) {
        &["status"]
    } else {
        &[]
    };
    lint_envelope(
        entries,
        resource_type,
        &["apiVersion", "kind", "metadata", "spec"],
        output_only,
        walker,
    );
    let spec = node.get("spec").filter(|n| !n.is_null());
    (meta, spec)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::text::diagnostics::Code;
    use crate::{check, CheckOptions, Checked};

    /// One MeshMultiZoneService as `kumactl get` prints it (read-only fields included), with a
    /// protocol Kuma refuses.
    const ITEM: &str = r#"creationTime: "2025-01-01T00:00:00Z"
kri: kri_mzsvc_default___cache_
labels:
  kuma.io/display-name: cache
  kuma.io/mesh: default
  kuma.io/origin: global
mesh: default
modificationTime: "2025-01-01T00:00:00Z"
name: cache
spec:
  ports:
  - appProtocol: bogus
    port: 6379
  selector:
    meshService:
      matchLabels:
        app: cache
status: {}
type: MeshMultiZoneService
"#;

    /// What a user reads of a check: each diagnostic's code, field, message and the text it
    /// points at.
    fn seen<'t>(checked: &Checked, text: &'t str) -> Vec<(Code, String, String, &'t str)> {
        let mut out: Vec<_> = (checked.all_diagnostics())
            .map(|d| {
                let at = &text[d.span.start as usize..d.span.end as usize];
                (d.code, d.field.clone(), d.message.clone(), at)
            })
            .collect();
        crate::text::sort::sort_by(&mut out, |a, b| {
            (a.1.as_str(), a.0).cmp(&(b.1.as_str(), b.0))
        });
        out
    }

    /// `kumactl get meshmultizoneservices -o yaml|json` prints Kuma's REST list (`items`,
    /// `next`, `total`, no `kind`): each item is a resource, checked where it stands, and says
    /// exactly what the same object alone says (it used to be one foreign document: no error).
    #[test]
    fn a_kumactl_list_is_read_item_by_item_in_yaml_and_json() {
        let options = CheckOptions::default();
        let alone = check(ITEM, &options);
        let expected = seen(&alone, ITEM);
        assert!(expected.iter().any(|d| d.0 == Code::Kuma && d.3 == "bogus"));

        let indented: String = (ITEM.lines().enumerate())
            .map(|(i, l)| format!("{}{l}\n", if i == 0 { "- " } else { "  " }))
            .collect();
        let yaml = format!("items:\n{indented}{indented}next: null\ntotal: 2\n");
        let checked = check(&yaml, &options);
        assert_eq!(checked.documents.len(), 2);
        assert!(checked.documents.iter().all(|d| d.resource.is_some()));
        let mut twice = expected.clone();
        twice.extend(expected.iter().cloned());
        crate::text::sort::sort_by(&mut twice, |a, b| {
            (a.1.as_str(), a.0).cmp(&(b.1.as_str(), b.0))
        });
        assert_eq!(seen(&checked, &yaml), twice);
        // Each item's error is at its own item.
        let at: Vec<u32> = (checked.documents.iter())
            .map(|d| {
                d.diagnostics
                    .iter()
                    .find(|x| x.code == Code::Kuma)
                    .unwrap()
                    .span
                    .start
            })
            .collect();
        let first = yaml.find("bogus").unwrap();
        let second = first + 1 + yaml[first + 1..].find("bogus").unwrap();
        assert_eq!(at, [first as u32, second as u32]);

        let json = r#"{"total": 1, "items": [{"type": "MeshMultiZoneService", "name": "cache", "mesh": "default", "creationTime": "2025-01-01T00:00:00Z", "modificationTime": "2025-01-01T00:00:00Z", "spec": {"selector": {"meshService": {"matchLabels": {"app": "cache"}}}, "ports": [{"port": 6379, "appProtocol": "bogus"}]}, "status": {}}], "next": null}"#;
        let checked = check(json, &options);
        assert_eq!(checked.documents.len(), 1);
        let error = (checked.all_diagnostics())
            .find(|d| d.code == Code::Kuma)
            .unwrap();
        assert_eq!(
            &json[error.span.start as usize..error.span.end as usize],
            "\"bogus\""
        );
    }

    /// The `MZS007` notes on `status` of a check of `text` under `version`.
    fn status_notes(text: &str, version: crate::KumaVersion) -> Vec<(Code, String)> {
        let options = CheckOptions {
            kuma_version: version,
            ..CheckOptions::default()
        };
        (check(text, &options).all_diagnostics())
            .filter(|d| d.field == "status")
            .map(|d| (d.code, d.message.clone()))
            .collect()
    }

    const UNIVERSAL_MZS: &str = "type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n  selector: {meshService: {matchLabels: {app: a}}}\n  ports: [{port: 80}]\n";
    const KUBERNETES_MZS: &str = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata: {name: a, namespace: kuma-system, labels: {kuma.io/mesh: default}}\nspec:\n  selector: {meshService: {matchLabels: {app: a}}}\n  ports: [{port: 80}]\n";

    /// An empty `status` (what a dump holds where nothing was computed) has no effect anywhere:
    /// no note, in either shape, alone or in a `kubectl get -o yaml` list.
    #[test]
    fn an_empty_status_says_nothing() {
        use crate::KumaVersion as V;
        for version in [V::V2_10, V::V2_14, V::V3_0] {
            assert_eq!(
                status_notes(&format!("{UNIVERSAL_MZS}status: {{}}\n"), version),
                []
            );
            for empty in ["status: {}\n", "status:\n", "status: null\n"] {
                assert_eq!(
                    status_notes(&format!("{KUBERNETES_MZS}{empty}"), version),
                    []
                );
            }
        }
        let item: String = (KUBERNETES_MZS.lines().enumerate())
            .map(|(i, l)| format!("{}{l}\n", if i == 0 { "- " } else { "  " }))
            .collect();
        let list = format!(
            "apiVersion: v1\nkind: List\nitems:\n{item}  status: {{}}\n{item}  status: {{}}\n"
        );
        let checked = check(&list, &CheckOptions::default());
        assert_eq!(checked.documents.len(), 2);
        assert_eq!(checked.all_diagnostics().count(), 0);
    }

    /// A written status says what the control plane of that shape and release does with it.
    #[test]
    fn a_written_status_says_what_becomes_of_it_per_shape_and_release() {
        use crate::KumaVersion as V;
        let status = "status:\n  vips: [{ip: 243.0.0.9}]\n";
        let note = |text: &str, version| {
            let notes = status_notes(&format!("{text}{status}"), version);
            assert_eq!(notes.len(), 1, "{notes:?}");
            assert_eq!(notes[0].0, Code::IgnoredField);
            notes[0].1.clone()
        };
        // Universal: 2.11 and later read only the spec and meta of a PUT.
        for version in [V::V2_11, V::V2_14, V::V3_0] {
            assert_eq!(
                note(UNIVERSAL_MZS, version),
                "`status` is computed by the control plane; Kuma ignores it on input"
            );
        }
        assert_eq!(
            note(UNIVERSAL_MZS, V::V2_10),
            "Kuma 2.10 stores `status` as written (2.11 and later ignore it on input), and global sends it to the zones with the MeshMultiZoneService: each zone recomputes it but keeps the VIPs in it"
        );
        // Kubernetes: the CRD has no status subresource, so the object keeps it.
        assert_eq!(
            note(KUBERNETES_MZS, V::V2_14),
            "on Kubernetes `status` is stored with the object (the CRD has no status subresource), but global sends the MeshMultiZoneService to the zones without it: each zone computes its own"
        );
        assert_eq!(
            note(KUBERNETES_MZS, V::V2_9),
            "on Kubernetes `status` is stored with the object (the CRD has no status subresource), and global sends it to the zones with the MeshMultiZoneService: each zone recomputes it but keeps the VIPs in it"
        );
        let service = "apiVersion: kuma.io/v1alpha1\nkind: MeshService\nmetadata: {name: a, namespace: kuma-demo, labels: {kuma.io/mesh: default}}\nspec:\n  selector: {dataplaneTags: {app: a}}\n  ports: [{port: 80}]\n";
        assert_eq!(
            note(service, V::V2_14),
            "on Kubernetes `status` is stored with the object (the CRD has no status subresource); the zone's control plane recomputes it but keeps the VIPs in it"
        );
    }

    /// A HostnameGenerator's CRD has no `status`: the API server drops it as an unknown field and
    /// `kubectl apply` refuses it, which is what the note says (not that Kuma ignores it).
    #[test]
    fn a_status_on_a_kind_without_one_is_an_unknown_field_on_kubernetes() {
        let text = "apiVersion: kuma.io/v1alpha1\nkind: HostnameGenerator\nmetadata: {name: g, namespace: kuma-system}\nspec:\n  template: \"{{ .DisplayName }}.mesh\"\n  selector: {meshService: {matchLabels: {a: b}}}\nstatus: {}\n";
        let notes = status_notes(text, crate::KumaVersion::V2_14);
        assert_eq!(
            notes,
            [(
                Code::UnknownField,
                "unknown field `status`; Kubernetes drops it and `kubectl apply` refuses it (known fields: apiVersion, kind, metadata, spec)".to_owned()
            )]
        );
    }

    /// Someone else's YAML with an `items` list is not a list of resources: it stays one
    /// document (foreign, so quiet by default).
    #[test]
    fn an_object_with_items_alone_is_not_a_list() {
        let text = "items:\n- type: MeshMultiZoneService\n  name: a\n";
        assert_eq!(check(text, &CheckOptions::default()).documents.len(), 1);
        let typed = "type: Inventory\nitems: [a]\ntotal: 1\n";
        assert_eq!(check(typed, &CheckOptions::default()).documents.len(), 1);
    }
}
