//! Editor features shared by the language server and the playground: hover documentation and
//! completion of field names and enum values, from the field tree in [`crate::model::field_tree`].
//!
//! Both work on the text as it is while typing, which is often not valid YAML. Hover first asks
//! the syntax tree (exact for YAML and JSON); when the document does not parse, it and completion
//! fall back to reading block-YAML indentation, which is what people type into an editor.
//! Positions in and out are byte offsets; the bindings convert from and to UTF-16.

mod json_scan;
mod syntax_tree;
#[cfg(test)]
mod tests;
mod yaml_lines;

use serde::{Deserialize, Serialize};

use crate::model::field_lookup::{resolve, untyped_top_level, Resolved, Step};
use crate::model::field_tree::{self, Field, Kind, Ty};
use crate::model::{labels, KumaVersion, ResourceType};
use crate::text::source::TextRange;
use crate::text::syntax::{self, Limits};
use crate::Shape;
use json_scan::{flow_complete, json_complete};
use syntax_tree::{tree_kind, tree_path};
use yaml_lines::Lines;

/// Documentation for the thing under the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hover {
    /// Markdown.
    pub contents: String,
    /// The key or value the documentation is about.
    pub span: TextRange,
}

/// What a completion inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompletionKind {
    /// A field name (`appProtocol: `).
    Field,
    /// A value (`http2`).
    Value,
}

/// One completion proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionItem {
    /// What the list shows.
    pub label: String,
    /// Field or value.
    pub kind: CompletionKind,
    /// The field's type, or the kind of value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Markdown documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// Text to insert.
    pub insert_text: String,
}

/// Hover documentation at byte `offset` of `text`.
pub fn hover(text: &str, offset: u32, version: KumaVersion) -> Option<Hover> {
    let parsed = syntax::parse(text, &Limits::default());
    let from_tree = parsed
        .documents
        .iter()
        .find(|d| d.span.contains_inclusive(offset))
        .and_then(|doc| {
            let (steps, span) = tree_path(&doc.root, offset)?;
            let (kind, shape) = tree_kind(&doc.root);
            describe(kind, shape, &steps, span, version)
        });
    from_tree.or_else(|| {
        let lines = Lines::new(text);
        let (steps, span) = lines.path_at(offset)?;
        let (kind, shape) = lines.kind_around(offset);
        describe(kind, shape, &steps, span, version)
    })
}

/// Labels Kuma sets or reads, with what they mean: hover on a label key and label-key completion.
const WELL_KNOWN_LABELS: &[(&str, &str)] = &[
    (
        labels::DISPLAY_NAME,
        "The name in the zone or namespace the resource comes from (Kuma renames synced copies).",
    ),
    (labels::MESH, "The mesh of a Kubernetes resource."),
    (
        labels::ZONE,
        "The zone of a resource created in a zone; set by that zone. A MeshService without it gets no traffic.",
    ),
    (labels::NAMESPACE, "The Kubernetes namespace of the original resource."),
    (labels::ORIGIN, "Where it was created: `global` or `zone`."),
    (labels::ENV, "The zone's environment: `kubernetes` or `universal`."),
];

fn label_doc(key: &str) -> Option<&'static str> {
    WELL_KNOWN_LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|&(_, doc)| doc)
}

/// Completion proposals at byte `offset` of `text` (block YAML, or JSON).
pub fn complete(text: &str, offset: u32, version: KumaVersion) -> Vec<CompletionItem> {
    if let Some(items) = json_complete(text, offset, version) {
        return items;
    }
    let lines = Lines::new(text);
    if lines.in_comment(offset) {
        return Vec::new();
    }
    // Inside a flow collection opened on an earlier line (`ports: [` then `{port: 80, `).
    if let Some((line, info, flow)) = lines.enclosing_flow(offset) {
        let (kind, shape) = lines.kind_around(offset);
        let mut path = lines.ancestors(line, &info);
        path.extend(flow.key.iter().map(|k| Step::Key(k.clone())));
        return flow_complete(&flow.text, path, kind, shape, version).unwrap_or_default();
    }
    let Some(cursor) = lines.cursor(offset) else {
        return Vec::new();
    };
    let (kind, shape) = lines.kind_around(offset);
    let mut path = lines.ancestors(cursor.line, &cursor.info);
    if let Some(flow) = &cursor.flow {
        path.extend(flow.key.iter().map(|k| Step::Key(k.clone())));
        return flow_complete(&flow.text, path, kind, shape, version).unwrap_or_default();
    }
    match &cursor.value_of {
        Some(key) => {
            path.push(Step::Key(key.clone()));
            let Some(resolved) = resolve(kind, shape, &path) else {
                return Vec::new();
            };
            value_items(&resolved, version)
        }
        None => {
            let siblings = lines.siblings(cursor.line, cursor.info.key_col);
            let fields: Vec<Field> = if path.is_empty() {
                match kind {
                    Some(k) => field_tree::top_level(k, shape),
                    None => untyped_top_level(),
                }
            } else {
                match resolve(kind, shape, &path) {
                    Some(Resolved::Field {
                        ty: Ty::Object(fields),
                        ..
                    }) => fields.to_vec(),
                    Some(Resolved::Field {
                        ty: Ty::StringMap, ..
                    }) => return label_items(&siblings, KeyStyle::Block, &path, version),
                    _ => return Vec::new(),
                }
            };
            let mut items = field_items(&fields, &siblings, version, KeyStyle::Block);
            if cursor.info.ends_on_dash() {
                for item in &mut items {
                    item.insert_text.insert(0, ' ');
                }
            }
            items
        }
    }
}

/// How a proposed key is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyStyle {
    /// Block YAML: `port: `, and `selector:` for a field whose value goes on the next lines.
    Block,
    /// YAML flow style (`{port: 80, `): `key: ` whatever follows.
    Flow,
    /// JSON: `"key": `.
    Json,
}

/// Field-name proposals, without the ones already written.
fn field_items(
    fields: &[Field],
    siblings: &[String],
    version: KumaVersion,
    style: KeyStyle,
) -> Vec<CompletionItem> {
    fields
        .iter()
        .filter(|f| !f.read_only && f.exists_in(version) && !siblings.iter().any(|s| s == f.name))
        .map(|f| CompletionItem {
            label: f.name.to_owned(),
            kind: CompletionKind::Field,
            detail: Some(f.ty.describe()),
            documentation: Some(f.doc.to_owned()),
            insert_text: match (style, f.ty) {
                (KeyStyle::Json, _) => format!("\"{}\": ", f.name),
                (KeyStyle::Block, Ty::Object(_) | Ty::StringMap | Ty::Array(_) | Ty::Any) => {
                    format!("{}:", f.name)
                }
                _ => format!("{}: ", f.name),
            },
        })
        .collect()
}

/// Well-known label keys for the `labels`/`matchLabels` map at `path`: not, in a resource's own
/// labels, `kuma.io/display-name` where `version` replaces it on write (the check warns at it).
fn label_items(
    siblings: &[String],
    style: KeyStyle,
    path: &[Step],
    version: KumaVersion,
) -> Vec<CompletionItem> {
    let own = match path {
        [Step::Key(l)] => l == "labels",
        [Step::Key(m), Step::Key(l)] => m == "metadata" && l == "labels",
        _ => false,
    };
    let replaced = own && version.overwrites_display_name();
    WELL_KNOWN_LABELS
        .iter()
        .filter(|(k, _)| !(replaced && *k == labels::DISPLAY_NAME))
        .filter(|(k, _)| !siblings.iter().any(|s| s == k))
        .map(|&(k, doc)| CompletionItem {
            label: k.to_owned(),
            kind: CompletionKind::Field,
            detail: Some("label".to_owned()),
            documentation: Some(doc.to_owned()),
            insert_text: if style == KeyStyle::Json {
                format!("\"{k}\": ")
            } else {
                format!("{k}: ")
            },
        })
        .collect()
}

fn value_items(resolved: &Resolved, version: KumaVersion) -> Vec<CompletionItem> {
    let Resolved::Field { field, .. } = resolved else {
        return Vec::new();
    };
    let is_kind_field = matches!(field.name, "type" | "kind") && field.values.contains(&"Mesh");
    let values: Vec<&str> = if field.ty == Ty::Boolean {
        vec!["true", "false"]
    } else {
        field.values_for(version)
    };
    values
        .into_iter()
        .map(|v| CompletionItem {
            label: v.to_owned(),
            kind: CompletionKind::Value,
            detail: Some(field.name.to_owned()),
            documentation: if is_kind_field {
                ResourceType::from_name(v).map(|t| field_tree::kind(t).doc.to_owned())
            } else {
                None
            },
            insert_text: v.to_owned(),
        })
        .collect()
}

fn describe(
    kind: Option<&'static Kind>,
    shape: Shape,
    steps: &[Step],
    span: TextRange,
    version: KumaVersion,
) -> Option<Hover> {
    let resolved = resolve(kind, shape, steps)?;
    let contents = match resolved {
        Resolved::MapKey { field, key, path } => match label_doc(&key) {
            Some(doc) => format!("**{key}** · label in `{path}`\n\n{doc}"),
            None => format!("**{path}** · label `{key}`\n\n{}", field.doc),
        },
        Resolved::Field { field, ty, path } => {
            if steps.len() == 1 && matches!(field.name, "type" | "kind") {
                if let Some(k) = kind {
                    let name = k.resource_type.name();
                    return Some(Hover {
                        contents: format!("**{name}** ({})\n\n{}", shape_name(shape), k.doc),
                        span,
                    });
                }
            }
            let mut out = format!("**{path}** · `{}`\n\n{}", ty.describe(), field.doc);
            let mut facts = Vec::new();
            let values = field.values_for(version);
            if !values.is_empty() {
                let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                facts.push(format!(
                    "Allowed values: {}",
                    crate::text::join(&list, ", ")
                ));
            }
            if let Some(d) = field.default {
                facts.push(format!("Default: `{d}`"));
            }
            if field.required_in(version) {
                facts.push("Required".to_owned());
            }
            if field.read_only {
                facts.push("Read-only: set by Kuma, ignored on input".to_owned());
            }
            if !facts.is_empty() {
                out.push_str("\n\n");
                out.push_str(&crate::text::join(&facts, " · "));
            }
            out
        }
    };
    Some(Hover { contents, span })
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Universal => "universal",
        Shape::Kubernetes => "Kubernetes",
    }
}
