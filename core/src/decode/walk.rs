//! Walks a syntax node against a [`Schema`]: reports schema problems with kube-openapi's wording
//! and the node's span, reports unknown fields (lint MZS005), applies schema defaults, and builds
//! the JSON that the typed model is read from ([`Walked`]). Recursion follows the schema (a fixed,
//! small depth); free-form parts are converted with a depth bound.

use serde_json::{Map, Value};

use super::openapi::{Field, Schema};
use crate::model::KumaVersion;
use crate::text::diagnostics::{Code, Diagnostic, Fix};
use crate::text::source::TextRange;
use crate::text::syntax::{Node, NodeKind, Resolved};

/// Deepest free-form JSON we convert (the syntax layer's default depth limit is lower).
const MAX_ANY_DEPTH: usize = 128;

/// The JSON a walk builds, borrowing keys and strings from the syntax tree (and the schema):
/// the typed model reads it without the key copies and B-tree maps of a [`Value`] (about a
/// quarter of `validate`'s time went there). Objects keep the walk's order and have unique keys
/// (repeated keys are gone before the walk, defaults are added only for absent keys), so
/// [`Walked::into_value`] gives the [`Value`] the walk used to build.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Walked<'n> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'n str),
    Array(Vec<Walked<'n>>),
    Object(Vec<(&'n str, Walked<'n>)>),
    /// A free-form part, converted as it is.
    Json(Value),
}

impl Walked<'_> {
    /// The same JSON as a [`Value`].
    pub(crate) fn into_value(self) -> Value {
        match self {
            Walked::Null => Value::Null,
            Walked::Bool(b) => Value::Bool(b),
            Walked::Int(i) => Value::from(i),
            Walked::Str(s) => Value::String(s.to_owned()),
            Walked::Array(items) => {
                Value::Array(items.into_iter().map(Walked::into_value).collect())
            }
            Walked::Object(entries) => {
                let mut map = Map::new();
                for (key, value) in entries {
                    map.insert(key.to_owned(), value.into_value());
                }
                Value::Object(map)
            }
            Walked::Json(value) => value,
        }
    }

    /// Whether this is `null` (also a free-form `null`).
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Walked::Null | Walked::Json(Value::Null))
    }
}

/// Where the walk reports.
pub(crate) struct Walker<'d> {
    pub diagnostics: &'d mut Vec<Diagnostic>,
    /// Whose schema: fields only Kuma 2.x has are unknown in 3.0.
    pub version: KumaVersion,
    /// Paths that got a schema error (Kuma's violations at these paths are not repeated).
    pub schema_error_paths: Vec<String>,
    /// Whether an explicit `null` is a value the schema checks, as in a REST body or a universal
    /// document (Kuma validates the raw JSON, where `name: null` is a string field holding
    /// null), or the same as no value, as in a Kubernetes object (the API server drops such
    /// nulls before Kuma sees them) and in the Go structs Kuma's validator tests decode into.
    pub nulls_are_values: bool,
    /// Whether the schema's defaults fill absent fields: Kubernetes' API server always does,
    /// Kuma's REST unmarshaller from 2.10 ([`KumaVersion::applies_schema_defaults`]).
    pub defaults: bool,
    /// Whether the object goes to a Kubernetes API server, which drops an unknown field (the
    /// CRDs' structural schemas) and whose `kubectl apply` refuses one (strict field validation,
    /// kubectl's default), where Kuma's REST API ignores it.
    pub kubernetes: bool,
}

impl Walker<'_> {
    /// Whether `schema` has a default this decoding applies.
    fn has_default(&self, schema: &Schema) -> bool {
        self.defaults && has_default(schema)
    }

    /// Whether `value` counts as not written: a `null` where nulls are no value.
    pub(super) fn unwritten(&self, value: &Node) -> bool {
        value.is_null() && !self.nulls_are_values
    }

    pub(super) fn schema_error(&mut self, path: &str, message: String, span: TextRange) {
        self.schema_error_paths.push(path.to_owned());
        self.diagnostics
            .push(Diagnostic::new(Code::Schema, path, message, span));
    }

    /// `<path> in body is required`.
    pub(super) fn required(&mut self, path: &str, anchor: TextRange) {
        self.schema_error(path, format!("{path} in body is required"), anchor);
    }

    fn wrong_type(&mut self, path: &str, expected: &str, node: &Node) {
        // Kuma validates the JSON as Go decoded it, where every number is a float64
        // (`"number"`); the Kubernetes API server keeps integers as int64 (`"integer"`).
        let found = match node.type_name() {
            "integer" if self.nulls_are_values => "number",
            found => found,
        };
        let message = format!("{path} in body must be of type {expected}: \"{found}\"");
        self.schema_error(path, message, node.span);
    }

    /// A null written for a field of `schema`: Kuma's type error (nothing else applies to it),
    /// e.g. `spec.ports[0].name in body must be of type string: "null"`.
    fn null_value(
        &mut self,
        entry: &crate::text::syntax::Entry,
        schema: &Schema,
        path: &mut String,
    ) {
        if !matches!(schema, Schema::Any) {
            self.walk(&shown_value(entry), schema, path, entry.key.span);
        }
    }

    /// Walk `node` at `path` against `schema`. `None` when the value is unusable (reported).
    /// `anchor` is where a missing field of this node is reported (the key holding the node).
    pub(super) fn walk<'n>(
        &mut self,
        node: &'n Node,
        schema: &Schema,
        path: &mut String,
        anchor: TextRange,
    ) -> Option<Walked<'n>> {
        match schema {
            Schema::Object { fields, open } => self.object(node, fields, *open, path, anchor),
            Schema::StringMap => self.string_map(node, path),
            Schema::Array { items, min_items } => {
                let Some(seq) = node.as_sequence() else {
                    self.wrong_type(path, "array", node);
                    return None;
                };
                if seq.len() < *min_items {
                    let message = format!("{path} in body should have at least {min_items} items");
                    self.schema_error(path, message, node.span);
                }
                let mut out = Vec::with_capacity(seq.len());
                let len = path.len();
                for (i, item) in seq.iter().enumerate() {
                    crate::text::push_index(path, i);
                    let value = self.walk(item, items, path, item_anchor(item));
                    path.truncate(len);
                    out.push(value.unwrap_or_else(|| placeholder(items)));
                }
                Some(Walked::Array(out))
            }
            Schema::String {
                enumeration,
                min_length,
                ..
            } => {
                let s = match node.as_scalar().map(|s| (s, s.resolve())) {
                    Some((s, Resolved::Str(_))) => s.value.as_str(),
                    _ => {
                        self.wrong_type(path, "string", node);
                        return None;
                    }
                };
                if s.chars().count() < *min_length {
                    let message =
                        format!("{path} in body should be at least {min_length} chars long");
                    self.schema_error(path, message, node.span);
                    return None;
                }
                if let Some(values) = enumeration {
                    if !values.contains(&s) {
                        let message = format!(
                            "{path} in body should be one of [{}]",
                            crate::text::join(values, " ")
                        );
                        self.schema_error(path, message, node.span);
                        return None;
                    }
                }
                Some(Walked::Str(s))
            }
            Schema::ReleaseEnum(values_in) => {
                let s = match node.as_scalar().map(|s| (s, s.resolve())) {
                    Some((s, Resolved::Str(_))) => s.value.as_str(),
                    _ => {
                        self.wrong_type(path, "string", node);
                        return None;
                    }
                };
                let allowed = values_in(self.version);
                if !allowed.contains(&s) {
                    let message = format!(
                        "{path} in body should be one of [{}]",
                        crate::text::join(allowed, " ")
                    );
                    self.schema_error(path, message, node.span);
                    return None;
                }
                Some(Walked::Str(s))
            }
            Schema::Int32 | Schema::Uint32 | Schema::BoundedInt32 { .. } => {
                let Some(Resolved::Int(i)) = node.as_scalar().map(|s| s.resolve()) else {
                    self.wrong_type(path, "integer", node);
                    return None;
                };
                let (ok, format) = match schema {
                    Schema::Uint32 => (u32::try_from(i).is_ok(), "uint32"),
                    _ => (i32::try_from(i).is_ok(), "int32"),
                };
                if !ok {
                    let message = format!("{path} in body must be of type {format}: \"{i}\"");
                    self.schema_error(path, message, node.span);
                    return None;
                }
                if let Schema::BoundedInt32 { minimum, maximum } = schema {
                    if let Some(message) = out_of_bounds(path, i, *minimum, *maximum) {
                        self.schema_error(path, message, node.span);
                        return None;
                    }
                }
                Some(Walked::Int(i))
            }
            Schema::IntOrString => match node.as_scalar().map(|s| s.resolve()) {
                Some(Resolved::Int(i)) => Some(Walked::Int(i)),
                Some(Resolved::Str(s)) => Some(Walked::Str(s)),
                _ => {
                    self.wrong_type(path, "integer or string", node);
                    None
                }
            },
            Schema::Bool => match node.as_scalar().map(|s| s.resolve()) {
                Some(Resolved::Bool(b)) => Some(Walked::Bool(b)),
                _ => {
                    self.wrong_type(path, "boolean", node);
                    None
                }
            },
            Schema::Any => Some(Walked::Json(to_json(node, 0))),
        }
    }

    fn object<'n>(
        &mut self,
        node: &'n Node,
        fields: &[Field],
        open: bool,
        path: &mut String,
        anchor: TextRange,
    ) -> Option<Walked<'n>> {
        let Some(entries) = node.as_mapping() else {
            self.wrong_type(path, "object", node);
            return None;
        };
        let mut out: Vec<(&'n str, Walked<'n>)> = Vec::with_capacity(entries.len());
        let len = path.len();
        let version = self.version;
        for entry in entries {
            let Some(key) = entry.key.as_scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            push_field(path, key);
            match fields
                .iter()
                .find(|f| f.name == key && f.exists_in(version))
            {
                Some(field) => {
                    // Kuma's defaulting fills a null field that has a default, as if unwritten.
                    if entry.value.is_null() {
                        if !self.unwritten(&entry.value) && !self.has_default(field.schema) {
                            self.null_value(entry, field.schema, path);
                        }
                    } else if let Some(v) =
                        self.walk(&entry.value, field.schema, path, entry.key.span)
                    {
                        out.push((key, v));
                    }
                }
                None if open => {
                    out.push((key, Walked::Json(to_json(&entry.value, 0))));
                }
                None => {
                    let known: Vec<&str> = fields
                        .iter()
                        .filter(|f| f.exists_in(version))
                        .map(|f| f.name)
                        .collect();
                    // A field a newer release has: say so (a `dataplaneLabels` selector is
                    // not a typo under 2.13, but Kuma 2.13 selects without it).
                    let arrived = fields
                        .iter()
                        .find(|f| f.name == key && f.since > version)
                        .map(|f| f.since);
                    self.unknown_field_of(path, key, entry, &known, entries, arrived);
                }
            }
            path.truncate(len);
        }
        for field in fields.iter().filter(|f| f.exists_in(version)) {
            let has_default = self.has_default(field.schema);
            let required = field.required_in(version);
            // Only required fields and defaults add anything below.
            if !(required || has_default) || out.iter().any(|(key, _)| *key == field.name) {
                continue;
            }
            // A null that is a value is present (its type error is reported above) unless a
            // default replaces it.
            let present = entries.iter().any(|e| {
                e.key.as_scalar().is_some_and(|k| k.value == field.name)
                    && !(self.unwritten(&e.value) || (e.value.is_null() && has_default))
            });
            if required && !present {
                push_field(path, field.name);
                let anchor = entries
                    .iter()
                    .find(|e| e.key.as_scalar().is_some_and(|k| k.value == field.name))
                    .map_or(anchor, |e| e.key.span);
                let p = path.clone();
                path.truncate(len);
                self.required(&p, anchor);
            }
            if let Schema::String {
                default: Some(d), ..
            } = field.schema
            {
                if !present && has_default {
                    out.push((field.name, Walked::Str(d)));
                }
            } else if required {
                out.push((field.name, placeholder(field.schema)));
            }
        }
        Some(Walked::Object(out))
    }

    fn string_map<'n>(&mut self, node: &'n Node, path: &mut String) -> Option<Walked<'n>> {
        let Some(entries) = node.as_mapping() else {
            self.wrong_type(path, "object", node);
            return None;
        };
        let mut out: Vec<(&'n str, Walked<'n>)> = Vec::with_capacity(entries.len());
        let len = path.len();
        for entry in entries {
            let Some(key) = entry.key.as_scalar().map(|s| s.value.as_str()) else {
                continue;
            };
            if self.unwritten(&entry.value) {
                // Kubernetes' API server prunes such a null before Kuma sees the object.
                continue;
            }
            match entry.value.as_scalar().map(|s| (s, s.resolve())) {
                Some((s, Resolved::Str(_))) => {
                    out.push((key, Walked::Str(&s.value)));
                }
                _ => {
                    push_field(path, key);
                    let p = path.clone();
                    path.truncate(len);
                    self.wrong_type(&p, "string", &shown_value(entry));
                    // Keep the key: the map is not empty, only this value is unusable.
                    out.push((key, Walked::Str("")));
                }
            }
        }
        Some(Walked::Object(out))
    }

    /// Lint MZS005 for `key` at `path`, suggesting one of `known` when it is a likely typo.
    pub(super) fn unknown_field(
        &mut self,
        path: &str,
        key: &str,
        entry: &crate::text::syntax::Entry,
        known: &[&str],
        entries: &[crate::text::syntax::Entry],
    ) {
        self.unknown_field_of(path, key, entry, known, entries, None);
    }

    /// [`Self::unknown_field`] for a field that `arrived` in a newer release, if any: no typo
    /// then, and the message names that release.
    fn unknown_field_of(
        &mut self,
        path: &str,
        key: &str,
        entry: &crate::text::syntax::Entry,
        known: &[&str],
        entries: &[crate::text::syntax::Entry],
        arrived: Option<KumaVersion>,
    ) {
        // The name of a newer release's field is no typo.
        let suggestion = did_you_mean(key, known).filter(|_| arrived.is_none());
        let mut message = if self.kubernetes {
            format!("unknown field `{key}`; Kubernetes drops it and `kubectl apply` refuses it")
        } else {
            format!("unknown field `{key}`; Kuma ignores it")
        };
        let new_in = arrived.map(|v| format!("new in Kuma {}; ", v.as_str()));
        let new_in = new_in.as_deref().unwrap_or("");
        match suggestion {
            Some(s) => message.push_str(&format!(" (did you mean `{s}`?)")),
            None if !known.is_empty() => message.push_str(&format!(
                " ({new_in}known fields: {})",
                crate::text::join(known, ", ")
            )),
            None if !new_in.is_empty() => {
                message.push_str(&format!(" ({})", new_in.trim_end_matches("; ")))
            }
            None => {}
        }
        let mut d = Diagnostic::new(Code::UnknownField, path, message, entry.key.span);
        if let Some(s) = suggestion {
            // Certain only when the intended key is not also written in the same mapping.
            let taken = entries
                .iter()
                .any(|e| e.key.as_scalar().is_some_and(|k| k.value == s));
            let plain = entry.key.as_scalar().is_some_and(|k| k.plain);
            let span = entry.key.span;
            // A quoted key is replaced inside its quotes; one with more than its text and the
            // quotes (a tag such as `!!str`, an escape) gets no fix that could break it.
            let quoted = span.len() as usize == key.len() + 2;
            if !taken && (plain || span.len() < 2 || quoted) {
                let span = if plain || !quoted {
                    span
                } else {
                    TextRange::new(span.start + 1, span.end - 1)
                };
                d = d.with_fix(Fix {
                    title: format!("Rename `{key}` to `{s}`"),
                    span,
                    replacement: s.to_owned(),
                });
            }
        }
        self.diagnostics.push(d);
    }
}

/// The value of `entry` as a diagnostic shows it: a value left out (`name:`) has no text of its
/// own, so the key stands for it.
pub(super) fn shown_value(entry: &crate::text::syntax::Entry) -> Node {
    let mut value = entry.value.clone();
    if value.span.is_empty() {
        value.span = entry.key.span;
    }
    value
}

fn has_default(schema: &Schema) -> bool {
    matches!(
        schema,
        Schema::String {
            default: Some(_),
            ..
        }
    )
}

/// Check a REST body of `resource_type` against its item schema ([`super::openapi::rest_item`]),
/// replacing it with the defaulted, pruned value; returns kube-openapi error texts, unsorted.
/// Mesh bodies are not modelled and pass as they are.
pub(crate) fn check_rest_body(
    resource_type: crate::model::ResourceType,
    body: &mut Value,
    version: KumaVersion,
) -> Vec<String> {
    let Some(schema) = super::openapi::rest_item(resource_type) else {
        return Vec::new();
    };
    let (checked, errors) = check_json(schema, body, version);
    *body = checked;
    errors
}

/// Check a JSON body (what the REST API receives) against `schema` with the same walk the decoder
/// runs on YAML: returns the value with defaults applied and unknown fields pruned, and the
/// kube-openapi error texts (`<path> in body <problem>`), unsorted. Unknown fields are not errors
/// here (Kuma prunes them silently).
pub(crate) fn check_json(
    schema: &Schema,
    value: &Value,
    version: KumaVersion,
) -> (Value, Vec<String>) {
    let node = json_to_node(value, 0);
    let mut diagnostics = Vec::new();
    let mut walker = Walker {
        version,
        diagnostics: &mut diagnostics,
        schema_error_paths: Vec::new(),
        nulls_are_values: true,
        defaults: version.applies_schema_defaults(),
        kubernetes: false,
    };
    let checked = walker
        .walk(&node, schema, &mut String::new(), node.span)
        .map(Walked::into_value);
    let errors = diagnostics
        .into_iter()
        .filter(|d| d.code == Code::Schema)
        .map(|d| d.message)
        .collect();
    (checked.unwrap_or_else(|| value.clone()), errors)
}

/// The syntax node of a JSON value: strings are quoted scalars (never re-resolved), other scalars
/// plain. An integral float within int32 becomes an integer, as Kuma's JSON decoder accepts `80.0`
/// for an integer field (but not `80.5`). Depth-bounded like [`to_json`] (deeper parts read as
/// null).
fn json_to_node(value: &Value, depth: usize) -> Node {
    let scalar =
        |value: String, plain: bool| NodeKind::Scalar(crate::text::syntax::Scalar { value, plain });
    let kind = match value {
        _ if depth > MAX_ANY_DEPTH => scalar("null".to_owned(), true),
        Value::Null => scalar("null".to_owned(), true),
        Value::Bool(b) => scalar(b.to_string(), true),
        Value::Number(n) => match n.as_f64() {
            Some(f)
                if !n.is_i64()
                    && !n.is_u64()
                    && f.fract() == 0.0
                    && f.abs() <= f64::from(i32::MAX) =>
            {
                scalar((f as i64).to_string(), true)
            }
            _ => scalar(n.to_string(), true),
        },
        Value::String(s) => scalar(s.clone(), false),
        Value::Array(items) => {
            NodeKind::Sequence(items.iter().map(|v| json_to_node(v, depth + 1)).collect())
        }
        Value::Object(map) => NodeKind::Mapping(
            map.iter()
                .map(|(k, v)| crate::text::syntax::Entry {
                    key: Node {
                        kind: scalar(k.clone(), false),
                        span: TextRange::default(),
                    },
                    value: json_to_node(v, depth + 1),
                })
                .collect(),
        ),
    };
    Node {
        kind,
        span: TextRange::default(),
    }
}

/// kube-openapi's `minimum`/`maximum` error for an integer outside `minimum..=maximum`. Kuma
/// decodes the body into float64 values, so the bound prints as Go's `%v` of a float64
/// (`8e+06`, not `8000000`).
fn out_of_bounds(path: &str, value: i64, minimum: i64, maximum: Option<i64>) -> Option<String> {
    let bound = |b: i64| crate::template::go_format_float(b as f64);
    if let Some(maximum) = maximum.filter(|&m| value > m) {
        return Some(format!(
            "{path} in body should be less than or equal to {}",
            bound(maximum)
        ));
    }
    (value < minimum).then(|| {
        format!(
            "{path} in body should be greater than or equal to {}",
            bound(minimum)
        )
    })
}

/// Append `.key` (or `key` at the root) to a path.
pub(crate) fn push_field(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Where a missing field of a sequence item is reported: the item's first key, or the item.
pub(crate) fn item_anchor(item: &Node) -> TextRange {
    item.as_mapping()
        .and_then(|m| m.first())
        .map_or(item.span, |e| e.key.span)
}

/// A stand-in for a missing or invalid required value, so the typed model can still be built.
fn placeholder(schema: &Schema) -> Walked<'static> {
    match schema {
        Schema::Object { .. } | Schema::StringMap => Walked::Object(Vec::new()),
        Schema::Array { .. } => Walked::Array(Vec::new()),
        Schema::String { .. } | Schema::ReleaseEnum { .. } => Walked::Str(""),
        Schema::Int32 | Schema::Uint32 | Schema::BoundedInt32 { .. } => Walked::Int(0),
        Schema::IntOrString | Schema::Any => Walked::Null,
        Schema::Bool => Walked::Bool(false),
    }
}

/// JSON of a free-form node at `depth` (YAML core schema): nothing below [`MAX_ANY_DEPTH`].
pub(crate) fn to_json(node: &Node, depth: usize) -> Value {
    match MAX_ANY_DEPTH.checked_sub(depth) {
        Some(levels) => node.to_json_within(levels),
        None => Value::Null,
    }
}

/// The known name `key` most likely meant, when there is exactly one close candidate.
pub(crate) fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(&str, usize)> = None;
    let mut ambiguous = false;
    for &k in known {
        let d = if k.to_ascii_lowercase() == lower {
            0
        } else {
            levenshtein(&lower, &k.to_ascii_lowercase())
        };
        let limit = if k.len() <= 4 { 1 } else { 2 };
        if d > limit {
            continue;
        }
        match best {
            Some((_, bd)) if bd < d => {}
            Some((_, bd)) if bd == d => ambiguous = true,
            _ => {
                best = Some((k, d));
                ambiguous = false;
            }
        }
    }
    if ambiguous {
        return None;
    }
    best.map(|(k, _)| k)
}

pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_and_unambiguous() {
        assert_eq!(
            did_you_mean("matchLabel", &["matchLabels"]),
            Some("matchLabels")
        );
        assert_eq!(did_you_mean("Ports", &["ports", "selector"]), Some("ports"));
        assert_eq!(did_you_mean("banana", &["ports", "selector"]), None);
    }
}
