//! Editor features shared by the language server and the playground: hover documentation and
//! completion of field names and enum values, from the field tree in [`crate::model::field_tree`].
//!
//! Both work on the text as it is while typing, which is often not valid YAML. Hover first asks
//! the syntax tree (exact for YAML and JSON); when the document does not parse, it and completion
//! fall back to reading block-YAML indentation, which is what people type into an editor.
//! Positions in and out are byte offsets; the bindings convert from and to UTF-16.

use serde::{Deserialize, Serialize};

use crate::model::field_tree::{self, resolve, untyped_top_level, Field, Kind, Resolved, Step, Ty};
use crate::model::{labels, KumaVersion, ResourceType};
use crate::text::source::{to_u32, TextRange};
use crate::text::syntax::{self, Limits, NodeKind, PathStep};
use crate::Shape;

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
    let Some(cursor) = lines.cursor(offset) else {
        return Vec::new();
    };
    let (kind, shape) = lines.kind_around(offset);
    let mut path = lines.ancestors(cursor.line, &cursor.info);
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
                    }) => return label_items(&siblings, false),
                    _ => return Vec::new(),
                }
            };
            field_items(&fields, &siblings, version, false)
        }
    }
}

/// Field-name proposals, without the ones already written; `json` quotes them.
fn field_items(
    fields: &[Field],
    siblings: &[String],
    version: KumaVersion,
    json: bool,
) -> Vec<CompletionItem> {
    fields
        .iter()
        .filter(|f| !f.read_only && f.exists_in(version) && !siblings.iter().any(|s| s == f.name))
        .map(|f| CompletionItem {
            label: f.name.to_owned(),
            kind: CompletionKind::Field,
            detail: Some(f.ty.describe()),
            documentation: Some(f.doc.to_owned()),
            insert_text: match (json, f.ty) {
                (true, _) => format!("\"{}\": ", f.name),
                (false, Ty::Object(_) | Ty::StringMap | Ty::Array(_) | Ty::Any) => {
                    format!("{}:", f.name)
                }
                (false, _) => format!("{}: ", f.name),
            },
        })
        .collect()
}

/// Well-known label keys for a `labels`/`matchLabels` map.
fn label_items(siblings: &[String], json: bool) -> Vec<CompletionItem> {
    WELL_KNOWN_LABELS
        .iter()
        .filter(|(k, _)| !siblings.iter().any(|s| s == k))
        .map(|&(k, doc)| CompletionItem {
            label: k.to_owned(),
            kind: CompletionKind::Field,
            detail: Some("label".to_owned()),
            documentation: Some(doc.to_owned()),
            insert_text: if json {
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
                facts.push(format!("Allowed values: {}", list.join(", ")));
            }
            if let Some(d) = field.default {
                facts.push(format!("Default: `{d}`"));
            }
            if field.required {
                facts.push("Required".to_owned());
            }
            if field.read_only {
                facts.push("Read-only: set by Kuma, ignored on input".to_owned());
            }
            if !facts.is_empty() {
                out.push_str("\n\n");
                out.push_str(&facts.join(" · "));
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

// --- JSON, from a tolerant scan ----------------------------------------------------------------

/// A container open at the cursor in a JSON text.
enum JsonFrame {
    Object {
        /// The key whose value follows (set at its closing quote, cleared at `,`).
        key: Option<String>,
        /// Past the `:` of `key`.
        in_value: bool,
        /// Keys written so far.
        keys: Vec<String>,
    },
    Array,
}

/// Completion in a JSON text (one that starts with `{` or `[`), from a scan that tolerates the
/// unfinished text of typing; `None` for other texts.
fn json_complete(text: &str, offset: u32, version: KumaVersion) -> Option<Vec<CompletionItem>> {
    if !matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        return None;
    }
    let before = text.get(..offset as usize)?;
    let mut stack: Vec<JsonFrame> = Vec::new();
    let mut string: Option<String> = None;
    let mut escaped = false;
    for c in before.chars() {
        if let Some(buf) = string.as_mut() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    let done = string.take().unwrap_or_default();
                    if let Some(JsonFrame::Object {
                        key,
                        in_value: false,
                        keys,
                    }) = stack.last_mut()
                    {
                        keys.push(done.clone());
                        *key = Some(done);
                    }
                    continue;
                }
                _ => {}
            }
            buf.push(c);
            continue;
        }
        match c {
            '"' => string = Some(String::new()),
            '{' => stack.push(JsonFrame::Object {
                key: None,
                in_value: false,
                keys: Vec::new(),
            }),
            '[' => stack.push(JsonFrame::Array),
            '}' | ']' => {
                stack.pop();
            }
            ':' => {
                if let Some(JsonFrame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            ',' => {
                if let Some(JsonFrame::Object { key, in_value, .. }) = stack.last_mut() {
                    *key = None;
                    *in_value = false;
                }
            }
            _ => {}
        }
    }
    let in_string = string.is_some();
    let (top, outer) = stack.split_last()?;
    // A JSON array of resources: the path starts inside the item.
    let outer = match outer.first() {
        Some(JsonFrame::Array) => outer.get(1..).unwrap_or(&[]),
        _ => outer,
    };
    let mut path = Vec::new();
    for frame in outer {
        match frame {
            JsonFrame::Object { key, .. } => path.push(Step::Key(key.clone()?)),
            JsonFrame::Array => path.push(Step::Index),
        }
    }
    let (kind, shape) = json_kind(text, offset);
    let quote = |v: &str| {
        if in_string {
            v.to_owned()
        } else {
            format!("\"{v}\"")
        }
    };
    match top {
        JsonFrame::Object {
            key: Some(key),
            in_value: true,
            ..
        } => {
            path.push(Step::Key(key.clone()));
            let resolved = resolve(kind, shape, &path)?;
            let mut items = value_items(&resolved, version);
            for item in &mut items {
                if !matches!(item.insert_text.as_str(), "true" | "false") {
                    item.insert_text = quote(&item.insert_text);
                }
            }
            Some(items)
        }
        JsonFrame::Object { keys, .. } => {
            let keys: Vec<String> = keys
                .iter()
                .filter(|k| !(in_string && k.is_empty()))
                .cloned()
                .collect();
            let mut items = if path.is_empty() {
                let fields = match kind {
                    Some(k) => field_tree::top_level(k, shape),
                    None => untyped_top_level(),
                };
                field_items(&fields, &keys, version, true)
            } else {
                match resolve(kind, shape, &path)? {
                    Resolved::Field {
                        ty: Ty::Object(fields),
                        ..
                    } => field_items(fields, &keys, version, true),
                    Resolved::Field {
                        ty: Ty::StringMap, ..
                    } => label_items(&keys, true),
                    _ => return Some(Vec::new()),
                }
            };
            if in_string {
                for item in &mut items {
                    item.insert_text = item.label.clone();
                }
            }
            Some(items)
        }
        JsonFrame::Array => Some(Vec::new()),
    }
}

/// The resource type of the JSON resource around `offset`: the nearest `"type"`/`"kind"` naming
/// one before it (else the first after it); `"kind"` means the Kubernetes shape.
fn json_kind(text: &str, offset: u32) -> (Option<&'static Kind>, Shape) {
    let mut before = None;
    let mut after = None;
    for key in ["\"type\"", "\"kind\""] {
        for (at, _) in text.match_indices(key) {
            let rest = text[at + key.len()..].trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let Some(rest) = rest.trim_start().strip_prefix('"') else {
                continue;
            };
            let name = rest.split('"').next().unwrap_or("");
            let Some(t) = ResourceType::from_name(name) else {
                continue;
            };
            let shape = if key == "\"kind\"" {
                Shape::Kubernetes
            } else {
                Shape::Universal
            };
            if at < offset as usize {
                if before.is_none_or(|(b, _, _)| b < at) {
                    before = Some((at, t, shape));
                }
            } else if after.is_none_or(|(a, _, _)| a > at) {
                after = Some((at, t, shape));
            }
        }
    }
    match before.or(after) {
        Some((_, t, shape)) => (Some(field_tree::kind(t)), shape),
        None => (None, Shape::Universal),
    }
}

// --- From the syntax tree -----------------------------------------------------------------------

fn tree_path(root: &syntax::Node, offset: u32) -> Option<(Vec<Step>, TextRange)> {
    let found = root.node_at(offset);
    let mut steps = Vec::new();
    let mut span = None;
    for step in &found {
        match step {
            PathStep::Key(e) => {
                steps.push(Step::Key(e.key.as_scalar()?.value.clone()));
                span = Some(e.key.span);
            }
            PathStep::Value(e) => {
                steps.push(Step::Key(e.key.as_scalar()?.value.clone()));
                span = matches!(e.value.kind, NodeKind::Scalar(_)).then_some(e.value.span);
            }
            PathStep::Index(_, node) => {
                steps.push(Step::Index);
                span = matches!(node.kind, NodeKind::Scalar(_)).then_some(node.span);
            }
        }
    }
    Some((steps, span?))
}

fn tree_kind(root: &syntax::Node) -> (Option<&'static Kind>, Shape) {
    let shape = if root.get("apiVersion").is_some() || root.get("kind").is_some() {
        Shape::Kubernetes
    } else {
        Shape::Universal
    };
    let name = root
        .get("type")
        .or_else(|| root.get("kind"))
        .and_then(syntax::Node::as_str);
    (
        name.and_then(ResourceType::from_name).map(field_tree::kind),
        shape,
    )
}

// --- From block-YAML indentation ----------------------------------------------------------------

/// One line, split the way block YAML nests.
#[derive(Debug, Clone, Default)]
struct LineInfo {
    /// Columns of the `- ` sequence markers.
    dashes: Vec<usize>,
    /// Column where the content after indentation and markers starts.
    key_col: usize,
    /// The mapping key, if the line has `key:`.
    key: Option<String>,
    /// Byte range of the key within the line.
    key_range: (usize, usize),
    /// Byte range of the value within the line (after `: `), trimmed.
    value_range: (usize, usize),
    /// Nothing but whitespace or a comment.
    blank: bool,
    /// `---` or `...`.
    separator: bool,
}

impl LineInfo {
    fn parse(line: &str) -> Self {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with("---") || line.starts_with("...") {
            return Self {
                separator: true,
                ..Self::default()
            };
        }
        let bytes = line.as_bytes();
        let mut i = 0;
        let mut dashes = Vec::new();
        loop {
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'-' && (i + 1 == bytes.len() || bytes[i + 1] == b' ')
            {
                dashes.push(i);
                i += 1;
                continue;
            }
            break;
        }
        let rest = &line[i..];
        if rest.trim().is_empty() && dashes.is_empty() || rest.starts_with('#') {
            return Self {
                blank: true,
                key_col: i,
                ..Self::default()
            };
        }
        let (key, key_range, value_range) = match find_colon(rest) {
            Some(c) => {
                let raw = rest[..c].trim_end();
                let key = raw.trim_matches(|ch| ch == '"' || ch == '\'').to_owned();
                let vstart = c + 1;
                let value = &rest[vstart..];
                let lead = value.len() - value.trim_start().len();
                let value_text = value.trim();
                let value_text = match value_text.find(" #") {
                    Some(h) => value_text[..h].trim_end(),
                    None => value_text,
                };
                let vs = i + vstart + lead;
                (Some(key), (i, i + raw.len()), (vs, vs + value_text.len()))
            }
            None => (None, (i, i), (i, i + rest.trim_end().len())),
        };
        Self {
            dashes,
            key_col: i,
            key,
            key_range,
            value_range,
            blank: false,
            separator: false,
        }
    }

    fn value_is_empty(&self) -> bool {
        self.value_range.0 == self.value_range.1
    }
}

/// The first `:` that ends a plain or quoted key (followed by a space or the line end).
fn find_colon(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'#') if i == 0 || bytes[i - 1] == b' ' => return None,
            (None, b':') if i + 1 == bytes.len() || bytes[i + 1] == b' ' => return Some(i),
            (None, b'{' | b'[') if i == 0 => return None,
            _ => {}
        }
    }
    None
}

struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

struct Cursor {
    line: usize,
    info: LineInfo,
    /// When the cursor is in a value: the key it belongs to.
    value_of: Option<String>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(next) => next.saturating_sub(1),
        }
    }

    fn line(&self, n: usize) -> &'t str {
        let start = self.starts.get(n).copied().unwrap_or(self.text.len());
        let end = self
            .starts
            .get(n + 1)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }

    fn clamp(&self, offset: u32) -> usize {
        let mut o = (offset as usize).min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The line the cursor is on, read up to the cursor.
    fn cursor(&self, offset: u32) -> Option<Cursor> {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied()?;
        let prefix = self.text.get(start..offset)?;
        let info = LineInfo::parse(prefix);
        if info.separator || (info.blank && !prefix.trim().is_empty()) {
            return None;
        }
        let value_of = info.key.clone();
        if value_of.is_none() {
            // A partial key: only plain key characters may have been typed.
            let typed = prefix.get(info.key_col..).unwrap_or("");
            if !typed
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
            {
                return None;
            }
        }
        Some(Cursor {
            line,
            info,
            value_of,
        })
    }

    /// The path of the key or value under the cursor, and its span.
    fn path_at(&self, offset: u32) -> Option<(Vec<Step>, TextRange)> {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied()?;
        let info = LineInfo::parse(self.line(line));
        let key = info.key.clone()?;
        let col = offset - start;
        let (ks, ke) = info.key_range;
        let (vs, ve) = info.value_range;
        let span = if (ks..=ke).contains(&col) {
            (ks, ke)
        } else if (vs..=ve).contains(&col) && vs < ve {
            (vs, ve)
        } else {
            return None;
        };
        let mut steps = self.ancestors(line, &info);
        steps.push(Step::Key(key));
        Some((
            steps,
            TextRange::new(to_u32(start + span.0), to_u32(start + span.1)),
        ))
    }

    /// The keys and sequence items enclosing a line, outermost first, read from indentation.
    fn ancestors(&self, line: usize, info: &LineInfo) -> Vec<Step> {
        let mut rev = Vec::new();
        let (mut limit, mut allow_equal) = match info.dashes.first() {
            Some(&d) => {
                rev.extend(info.dashes.iter().map(|_| Step::Index));
                (d, true)
            }
            None => (info.key_col, false),
        };
        for n in (0..line).rev() {
            if limit == 0 && !allow_equal {
                break;
            }
            let l = LineInfo::parse(self.line(n));
            if l.separator {
                break;
            }
            if l.blank {
                continue;
            }
            if let Some(&d) = l.dashes.first() {
                if d >= limit {
                    continue;
                }
                if let Some(key) = &l.key {
                    if l.key_col < limit && l.value_is_empty() {
                        rev.push(Step::Key(key.clone()));
                    }
                }
                rev.extend(
                    l.dashes
                        .iter()
                        .filter(|&&dd| dd < limit)
                        .map(|_| Step::Index),
                );
                limit = d;
                allow_equal = true;
                continue;
            }
            if l.key_col < limit || (allow_equal && l.key_col == limit) {
                if let Some(key) = &l.key {
                    rev.push(Step::Key(key.clone()));
                    limit = l.key_col;
                    allow_equal = false;
                }
            }
        }
        rev.reverse();
        rev
    }

    /// Keys already present in the mapping a line belongs to.
    fn siblings(&self, line: usize, col: usize) -> Vec<String> {
        let mut keys = Vec::new();
        let mut scan = |n: usize, upward: bool| -> bool {
            let l = LineInfo::parse(self.line(n));
            if l.separator {
                return false;
            }
            if l.blank {
                return true;
            }
            let starts_item = l.dashes.first().is_some_and(|&d| d < col);
            if l.key_col == col {
                if let Some(k) = &l.key {
                    if !starts_item || upward {
                        keys.push(k.clone());
                    }
                }
            }
            !(l.key_col < col || starts_item)
        };
        let here = LineInfo::parse(self.line(line));
        if here.dashes.is_empty() {
            for n in (0..line).rev() {
                if !scan(n, true) {
                    break;
                }
            }
        }
        for n in line + 1..self.starts.len() {
            if !scan(n, false) {
                break;
            }
        }
        keys
    }

    /// The kind and shape of the YAML document around `offset`, from its top-level lines.
    fn kind_around(&self, offset: u32) -> (Option<&'static Kind>, Shape) {
        let line = self.line_of(self.clamp(offset));
        let mut first = line;
        while first > 0 && !LineInfo::parse(self.line(first)).separator {
            first -= 1;
        }
        let mut kind = None;
        let mut shape = Shape::Universal;
        for n in first..self.starts.len() {
            let l = LineInfo::parse(self.line(n));
            if l.separator && n > line {
                break;
            }
            if l.key_col != 0 || !l.dashes.is_empty() {
                continue;
            }
            let Some(key) = &l.key else { continue };
            let value = self
                .line(n)
                .get(l.value_range.0..l.value_range.1)
                .unwrap_or("")
                .trim_matches(|c| c == '"' || c == '\'');
            match key.as_str() {
                "apiVersion" => shape = Shape::Kubernetes,
                "kind" => {
                    shape = Shape::Kubernetes;
                    kind = ResourceType::from_name(value)
                        .map(field_tree::kind)
                        .or(kind);
                }
                "type" => {
                    kind = ResourceType::from_name(value)
                        .map(field_tree::kind)
                        .or(kind)
                }
                _ => {}
            }
        }
        (kind, shape)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MZS: &str = "type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: backend\n  ports:\n  - port: 80\n    appProtocol: http\n";

    fn at(text: &str, needle: &str) -> u32 {
        text.find(needle).unwrap() as u32
    }

    #[test]
    fn hover_on_a_nested_key_names_the_field_its_type_and_allowed_values() {
        let h = hover(MZS, at(MZS, "appProtocol") + 2, KumaVersion::V3_0).unwrap();
        assert!(h
            .contents
            .starts_with("**spec.ports[].appProtocol** · `string`"));
        assert!(h.contents.contains("`grpc`, `http`, `http2`, `tcp`"));
        assert!(h.contents.contains("Default: `tcp`"));
        assert_eq!(
            &MZS[h.span.start as usize..h.span.end as usize],
            "appProtocol"
        );
    }

    #[test]
    fn label_keys_have_hovers_and_completions() {
        let text = "type: MeshService\nname: a\nmesh: default\nlabels:\n  kuma.io/zone: east\n  \n";
        let h = hover(text, at(text, "kuma.io/zone") + 3, KumaVersion::V3_0).unwrap();
        assert!(
            h.contents
                .starts_with("**kuma.io/zone** · label in `labels`"),
            "{}",
            h.contents
        );
        assert!(h.contents.contains("gets no traffic"));
        let items = complete(text, at(text, "  \n") + 2, KumaVersion::V3_0);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert!(
            labels.contains(&"kuma.io/display-name") && labels.contains(&"k8s.kuma.io/namespace")
        );
        assert!(!labels.contains(&"kuma.io/zone"), "already written");
        let selector = "type: MeshMultiZoneService\nname: a\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        \n";
        let items = complete(selector, selector.len() as u32 - 1, KumaVersion::V3_0);
        assert!(items.iter().any(|i| i.insert_text == "kuma.io/zone: "));
    }

    #[test]
    fn json_texts_complete_keys_values_and_labels() {
        let keys =
            r#"{"type": "MeshMultiZoneService", "name": "a", "spec": {"ports": [{"port": 1, "#;
        let items = complete(keys, keys.len() as u32, KumaVersion::V3_0);
        let app = items.iter().find(|i| i.label == "appProtocol").unwrap();
        assert_eq!(app.insert_text, "\"appProtocol\": ");
        assert!(!items.iter().any(|i| i.label == "port"), "already written");
        let values =
            r#"{"type": "MeshMultiZoneService", "spec": {"ports": [{"port": 1, "appProtocol": "#;
        let items = complete(values, values.len() as u32, KumaVersion::V3_0);
        assert!(items.iter().any(|i| i.insert_text == "\"http2\""));
        let open_quote = format!("{values}\"");
        let items = complete(&open_quote, open_quote.len() as u32, KumaVersion::V3_0);
        assert!(items.iter().any(|i| i.insert_text == "http2"));
        let labels =
            r#"{"apiVersion": "kuma.io/v1alpha1", "kind": "MeshService", "metadata": {"labels": {"#;
        let items = complete(labels, labels.len() as u32, KumaVersion::V3_0);
        assert!(items.iter().any(|i| i.insert_text == "\"kuma.io/zone\": "));
        let top = "[{\"type\": \"Mesh\"}, {";
        let items = complete(top, top.len() as u32, KumaVersion::V3_0);
        assert!(items.iter().any(|i| i.label == "type"));
    }

    #[test]
    fn hover_on_the_type_value_explains_the_kind() {
        let h = hover(MZS, 10, KumaVersion::V3_0).unwrap();
        assert!(h
            .contents
            .starts_with("**MeshMultiZoneService** (universal)"));
    }

    #[test]
    fn hover_works_while_the_document_does_not_parse() {
        let broken = format!("{MZS}  - port: [\n");
        let h = hover(&broken, at(&broken, "matchLabels") + 1, KumaVersion::V3_0).unwrap();
        assert!(h
            .contents
            .starts_with("**spec.selector.meshService.matchLabels**"));
    }

    #[test]
    fn hover_in_json_uses_the_tree() {
        let json =
            r#"{"type": "MeshMultiZoneService", "name": "a", "spec": {"ports": [{"port": 1}]}}"#;
        let h = hover(json, at(json, "\"port\"") + 2, KumaVersion::V3_0).unwrap();
        assert!(h
            .contents
            .starts_with("**spec.ports[].port** · `integer (int32)`"));
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn completes_missing_field_names_of_a_port() {
        let text = "type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n    ";
        let items = complete(text, text.len() as u32, KumaVersion::V3_0);
        assert_eq!(labels(&items), ["name", "appProtocol"]);
        assert_eq!(items[1].insert_text, "appProtocol: ");
    }

    #[test]
    fn completes_app_protocol_values_per_version() {
        let text = "type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n    appProtocol: h";
        let v3 = complete(text, text.len() as u32, KumaVersion::V3_0);
        assert_eq!(labels(&v3), ["grpc", "http", "http2", "tcp"]);
        let v2 = complete(text, text.len() as u32, KumaVersion::V2_14);
        assert!(labels(&v2).contains(&"kafka"));
    }

    #[test]
    fn completes_top_level_fields_and_kinds() {
        let text = "type: MeshMultiZoneService\nname: a\n";
        let items = complete(text, text.len() as u32, KumaVersion::V3_0);
        assert_eq!(labels(&items), ["mesh", "labels", "spec"]);
        let text = "type: ";
        let items = complete(text, text.len() as u32, KumaVersion::V3_0);
        assert!(labels(&items).contains(&"MeshMultiZoneService"));
        let text = "";
        assert_eq!(
            labels(&complete(text, 0, KumaVersion::V3_0)),
            ["type", "apiVersion", "kind"]
        );
    }

    #[test]
    fn completes_kubernetes_shape_and_sequence_items() {
        let text = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: a\nspec:\n  ports:\n    - ";
        let items = complete(text, text.len() as u32, KumaVersion::V3_0);
        assert_eq!(labels(&items), ["name", "port", "appProtocol"]);
        let text = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  n";
        let items = complete(text, text.len() as u32, KumaVersion::V3_0);
        assert_eq!(
            labels(&items),
            ["name", "namespace", "labels", "annotations"]
        );
    }

    #[test]
    fn nothing_to_complete_inside_comments_or_free_values() {
        let text = "type: MeshMultiZoneService\n# spec";
        assert!(complete(text, text.len() as u32, KumaVersion::V3_0).is_empty());
        let text = "type: MeshMultiZoneService\nname: ba";
        assert!(complete(text, text.len() as u32, KumaVersion::V3_0).is_empty());
    }

    #[test]
    fn every_offset_of_odd_texts_is_safe() {
        let texts = [
            MZS,
            "a: é🎉\n  - - x: [\n\t\"k\": 'v'\r\n---\n- : :\n#c\n  ''",
            "{\"type\": \"MeshService\", \"spec\": {\"ports\": [{}]}}",
            "type: MeshService\nspec:\n  ports:\n  - port: 1\n    targetPort: é\n",
        ];
        for text in texts {
            for offset in 0..=text.len() as u32 + 2 {
                let _ = hover(text, offset, KumaVersion::V3_0);
                let _ = complete(text, offset, KumaVersion::V2_14);
            }
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// YAML-ish text: the characters block YAML nests with, plus multi-byte ones.
        fn yamlish() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("\n".to_owned()),
                    Just("  ".to_owned()),
                    Just("- ".to_owned()),
                    Just(": ".to_owned()),
                    Just("#".to_owned()),
                    Just("---\n".to_owned()),
                    Just("\"".to_owned()),
                    Just("'".to_owned()),
                    Just("[".to_owned()),
                    Just("{".to_owned()),
                    Just("é🎉".to_owned()),
                    Just("\r\n".to_owned()),
                    prop::sample::select(vec![
                        "type",
                        "kind",
                        "spec",
                        "ports",
                        "port",
                        "appProtocol",
                        "selector",
                        "MeshMultiZoneService",
                        "apiVersion",
                        "metadata",
                        "x",
                    ])
                    .prop_map(str::to_owned),
                ],
                0..40,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #[test]
            fn hover_and_completion_never_panic_and_stay_in_the_text(text in yamlish(), at in 0u32..400) {
                let offset = at.min(text.len() as u32 + 2);
                if let Some(h) = hover(&text, offset, KumaVersion::V3_0) {
                    prop_assert!(h.span.end as usize <= text.len());
                    prop_assert!(text.is_char_boundary(h.span.start as usize));
                    prop_assert!(text.is_char_boundary(h.span.end as usize));
                    prop_assert!(h.contents.starts_with("**"));
                }
                for item in complete(&text, offset, KumaVersion::V2_14) {
                    prop_assert!(!item.label.is_empty());
                    // JSON texts get quoted keys and string values.
                    prop_assert!(item.insert_text.trim_start_matches('"').starts_with(&item.label));
                }
            }
        }
    }
}
