//! The syntax layer: YAML (and JSON, which is YAML 1.2 flow syntax) into a tree of nodes that
//! remember where they came from.
//!
//! Parsing never fails: it returns the documents it could read plus diagnostics for the rest.
//! Safety limits (size, nesting depth, alias expansion) are enforced here, before any typed
//! decoding, so no later stage can be made to allocate without bound or recurse without bound.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::source::{to_u32, LineIndex, TextRange};

/// Limits applied to untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted text, in bytes (default 1 MiB).
    pub max_bytes: usize,
    /// Deepest accepted nesting of mappings and sequences (default 64).
    pub max_depth: usize,
    /// Most nodes a text may expand to, counting every alias expansion (default 100,000).
    pub max_nodes: usize,
    /// Most documents in one text (default 10,000).
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_depth: 64,
            max_nodes: 100_000,
            max_documents: 10_000,
        }
    }
}

/// A node of the syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// Where the node's text is (for an alias: where the alias is written).
    pub span: TextRange,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar, unresolved: the text and whether it was written plain (unquoted), which is
    /// what decides between `123` the number and `"123"` the string.
    Scalar(Scalar),
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, in source order.
    Mapping(Vec<Entry>),
}

/// A scalar value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The scalar's value after YAML unescaping / folding.
    pub value: String,
    /// Written without quotes and not as a block scalar, so YAML's core schema resolves it.
    pub plain: bool,
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key node (usually a scalar).
    pub key: Node,
    /// The value node.
    pub value: Node,
}

/// A scalar resolved with the YAML 1.2 core schema (the one JSON and Kubernetes tooling agree on).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    /// `null`, `~`, or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in i64.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// Everything else.
    Str(&'a str),
}

impl Scalar {
    /// Whether [`Scalar::resolve`] gives [`Resolved::Null`], without its other checks.
    #[inline(always)]
    pub fn is_null(&self) -> bool {
        self.plain && matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    /// Resolve the scalar's type as the YAML 1.2 core schema does.
    pub fn resolve(&self) -> Resolved<'_> {
        if !self.plain {
            return Resolved::Str(&self.value);
        }
        let v = self.value.as_str();
        match v {
            "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
            "true" | "True" | "TRUE" => return Resolved::Bool(true),
            "false" | "False" | "FALSE" => return Resolved::Bool(false),
            _ => {}
        }
        if let Some(i) = parse_int(v) {
            return Resolved::Int(i);
        }
        if looks_like_float(v) {
            if let Ok(f) = v.parse::<f64>() {
                return Resolved::Float(f);
            }
        }
        match v {
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
                Resolved::Float(f64::INFINITY)
            }
            "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
            _ => Resolved::Str(v),
        }
    }
}

fn parse_int(v: &str) -> Option<i64> {
    // Hot path (ports, most numbers): unsigned decimal too short to overflow, read by hand
    // (the general route below goes through i128 parsing). Same result as that route.
    let b = v.as_bytes();
    if !b.is_empty() && b.len() <= 18 {
        let mut n: i64 = 0;
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            n = n * 10 + i64::from(c - b'0');
            i += 1;
        }
        if i == b.len() {
            return Some(n);
        }
    }
    parse_int_general(v)
}

/// Integers of the YAML 1.2 core schema: optional sign, decimal, `0x` hex or `0o` octal.
fn parse_int_general(v: &str) -> Option<i64> {
    let (neg, digits) = match v.as_bytes().first()? {
        b'-' => (true, &v[1..]),
        b'+' => (false, &v[1..]),
        _ => (false, v),
    };
    let (radix, digits) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

fn looks_like_float(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    !body.is_empty()
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && body.chars().any(|c| c.is_ascii_digit())
}

impl Node {
    /// The scalar, if this is one.
    #[inline(always)]
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text if it is a scalar of any style (numbers included, null excluded).
    pub fn as_str(&self) -> Option<&str> {
        let scalar = self.as_scalar()?;
        (!scalar.is_null()).then_some(scalar.value.as_str())
    }

    /// Whether the node is a null scalar (`null`, `~`, or nothing at all).
    #[inline(always)]
    pub fn is_null(&self) -> bool {
        self.as_scalar().is_some_and(Scalar::is_null)
    }

    /// The mapping entries, if this is a mapping.
    #[inline(always)]
    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    #[inline(always)]
    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(s) => Some(s),
            _ => None,
        }
    }

    /// The entry whose key is the scalar `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?
            .iter()
            .find(|e| e.key.as_scalar().is_some_and(|k| k.value == key))
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// A short name of the node's type for messages ("string", "integer", "object", "array", ...).
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Mapping(_) => "object",
            NodeKind::Sequence(_) => "array",
            NodeKind::Scalar(s) => match s.resolve() {
                Resolved::Null => "null",
                Resolved::Bool(_) => "boolean",
                Resolved::Int(_) => "integer",
                Resolved::Float(_) => "number",
                Resolved::Str(_) => "string",
            },
        }
    }

    /// Convert to a JSON value (YAML core schema resolution; non-string keys become strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar(s) => match s.resolve() {
                Resolved::Null => Value::Null,
                Resolved::Bool(b) => Value::Bool(b),
                Resolved::Int(i) => Value::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                Resolved::Str(s) => Value::String(s.to_owned()),
            },
            NodeKind::Sequence(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Mapping(entries) => {
                let mut map = serde_json::Map::new();
                for e in entries {
                    let key = e
                        .key
                        .as_scalar()
                        .map(|s| s.value.clone())
                        .unwrap_or_default();
                    map.insert(key, e.value.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The deepest node whose span contains `offset`, with the path of keys/indices to it.
    /// Used by editors for hover and completion.
    pub fn node_at(&self, offset: u32) -> Vec<PathStep<'_>> {
        let mut path = Vec::new();
        let mut current = self;
        'descend: loop {
            match &current.kind {
                NodeKind::Mapping(entries) => {
                    for e in entries {
                        if e.key.span.contains_inclusive(offset) {
                            path.push(PathStep::Key(e));
                            return path;
                        }
                        if e.value.span.contains_inclusive(offset) && !e.value.span.is_empty() {
                            path.push(PathStep::Value(e));
                            current = &e.value;
                            continue 'descend;
                        }
                    }
                    return path;
                }
                NodeKind::Sequence(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if item.span.contains_inclusive(offset) {
                            path.push(PathStep::Index(i, item));
                            current = item;
                            continue 'descend;
                        }
                    }
                    return path;
                }
                NodeKind::Scalar(_) => return path,
            }
        }
    }
}

/// One step of a path found by [`Node::node_at`].
#[derive(Debug, Clone, Copy)]
pub enum PathStep<'a> {
    /// The offset is on this entry's key.
    Key(&'a Entry),
    /// The offset is inside this entry's value.
    Value(&'a Entry),
    /// The offset is inside this sequence item.
    Index(usize, &'a Node),
}

/// One YAML document of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root node.
    pub root: Node,
    /// The whole document, from its first to its last character.
    pub span: TextRange,
}

/// The result of parsing a text.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Every non-empty document read before the first syntax error.
    pub documents: Vec<Document>,
    /// Syntax and limit errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse bytes that should be UTF-8 text; invalid UTF-8 is reported at its first bad byte.
pub fn parse_bytes<'a>(bytes: &'a [u8], limits: &Limits) -> (Option<&'a str>, Parsed) {
    if bytes.len() > limits.max_bytes {
        return (None, too_large(bytes.len(), limits));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Some(text), parse(text, limits)),
        Err(e) => {
            let at = to_u32(e.valid_up_to());
            let d = Diagnostic::new(
                Code::Limit,
                "",
                format!("the input is not valid UTF-8 text (invalid byte at offset {at})"),
                TextRange::new(at, at + 1),
            );
            (
                None,
                Parsed {
                    documents: Vec::new(),
                    diagnostics: vec![d],
                },
            )
        }
    }
}

fn too_large(len: usize, limits: &Limits) -> Parsed {
    let d = Diagnostic::new(
        Code::Limit,
        "",
        format!(
            "the input is {len} bytes, more than the limit of {} bytes",
            limits.max_bytes
        ),
        TextRange::empty(0),
    );
    Parsed {
        documents: Vec::new(),
        diagnostics: vec![d],
    }
}

/// Parse a text of one or more YAML (or JSON) documents.
pub fn parse(text: &str, limits: &Limits) -> Parsed {
    if text.len() > limits.max_bytes {
        return too_large(text.len(), limits);
    }
    // Markers carry char indices; only non-ASCII text needs the line index to map them to bytes.
    let ascii = text.is_ascii();
    let index = if ascii {
        None
    } else {
        Some(LineIndex::new(text))
    };
    let mut builder = Builder {
        text,
        ascii,
        index: index.as_ref(),
        limits,
        nodes: 0,
        anchors: crate::text::fast_map::FastMap::default(),
        stack: Vec::new(),
        out: Parsed::default(),
    };
    builder.run();
    builder.out
}

/// An open container while building.
enum Open {
    Sequence {
        items: Vec<Node>,
        start: u32,
        anchor: usize,
        size: usize,
    },
    Mapping {
        entries: Vec<Entry>,
        pending_key: Option<Node>,
        start: u32,
        anchor: usize,
        size: usize,
    },
}

struct Builder<'t> {
    text: &'t str,
    ascii: bool,
    index: Option<&'t LineIndex>,
    limits: &'t Limits,
    /// Nodes created so far, counting alias expansions.
    nodes: usize,
    /// Anchored nodes with their expanded sizes.
    anchors: crate::text::fast_map::FastMap<usize, (Node, usize)>,
    stack: Vec<Open>,
    out: Parsed,
}

impl Builder<'_> {
    fn offset(&self, marker: &saphyr_parser::Marker) -> u32 {
        match self.index {
            Some(index) if !self.ascii => {
                index.offset_of_char_column(self.text, marker.line(), marker.col())
            }
            _ => to_u32(marker.index()).min(to_u32(self.text.len())),
        }
    }

    fn span(&self, span: &Span) -> TextRange {
        TextRange::new(self.offset(&span.start), self.offset(&span.end))
    }

    fn fail(&mut self, code: Code, message: String, at: TextRange) {
        self.out
            .diagnostics
            .push(Diagnostic::new(code, "", message, at));
    }

    fn run(&mut self) {
        let mut parser = Parser::new_from_str(self.text);
        let mut doc_start = 0u32;
        let mut root: Option<(Node, usize)> = None;
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(ok) => ok,
                Err(e) => {
                    let m = e.marker();
                    let at = self.offset(m);
                    // The scanner has its own nesting guard for flow collections; report it as the
                    // limit it is, not as a syntax error.
                    let code = if e.info().contains("recursion limit") {
                        Code::Limit
                    } else {
                        Code::Syntax
                    };
                    let msg = format!("invalid YAML: {}", e.info());
                    self.fail(code, msg, TextRange::new(at, at));
                    return;
                }
            };
            let range = self.span(&span);
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
                Event::DocumentStart(_) => {
                    doc_start = range.start;
                    root = None;
                    self.anchors.clear();
                    self.stack.clear();
                }
                Event::DocumentEnd => {
                    if let Some((node, _)) = root.take() {
                        let empty =
                            node.is_null() && node.as_scalar().is_some_and(|s| s.value.is_empty());
                        if !empty {
                            if self.out.documents.len() >= self.limits.max_documents {
                                let msg = format!(
                                    "the input has more than {} documents",
                                    self.limits.max_documents
                                );
                                self.fail(Code::Limit, msg, node.span);
                                return;
                            }
                            let end = range.end.max(node.span.end);
                            let start = doc_start.min(node.span.start);
                            self.out.documents.push(Document {
                                root: node,
                                span: TextRange::new(start, end),
                            });
                        }
                    }
                }
                Event::Alias(id) => {
                    let Some((node, size)) = self.anchors.get(&id).cloned() else {
                        self.fail(Code::Syntax, "invalid YAML: unknown anchor".into(), range);
                        return;
                    };
                    if !self.count(size, range) {
                        return;
                    }
                    let node = Node {
                        kind: node.kind,
                        span: range,
                    };
                    if !self.push(node, size, 0, &mut root) {
                        return;
                    }
                }
                Event::Scalar(value, style, anchor, _tag) => {
                    if !self.count(1, range) {
                        return;
                    }
                    let plain = matches!(style, ScalarStyle::Plain);
                    let node = Node {
                        kind: NodeKind::Scalar(Scalar {
                            value: value.into_owned(),
                            plain,
                        }),
                        span: range,
                    };
                    if !self.push(node, 1, anchor, &mut root) {
                        return;
                    }
                }
                Event::SequenceStart(anchor, _) => {
                    if !self.open(
                        Open::Sequence {
                            items: Vec::new(),
                            start: range.start,
                            anchor,
                            size: 1,
                        },
                        range,
                    ) {
                        return;
                    }
                }
                Event::MappingStart(anchor, _) => {
                    let open = Open::Mapping {
                        entries: Vec::new(),
                        pending_key: None,
                        start: range.start,
                        anchor,
                        size: 1,
                    };
                    if !self.open(open, range) {
                        return;
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = self.stack.pop() else {
                        continue;
                    };
                    let (node, size, anchor) = match open {
                        Open::Sequence {
                            items,
                            start,
                            anchor,
                            size,
                        } => {
                            let end = items.last().map_or(range.end, |n| n.span.end).max(start);
                            let end = if range.end > end && self.closes_with(start, range, b']') {
                                range.end
                            } else {
                                end
                            };
                            (
                                Node {
                                    kind: NodeKind::Sequence(items),
                                    span: TextRange::new(start, end),
                                },
                                size,
                                anchor,
                            )
                        }
                        Open::Mapping {
                            entries,
                            start,
                            anchor,
                            size,
                            ..
                        } => {
                            let end = entries
                                .last()
                                .map_or(range.end, |e| e.value.span.end.max(e.key.span.end))
                                .max(start);
                            let end = if range.end > end && self.closes_with(start, range, b'}') {
                                range.end
                            } else {
                                end
                            };
                            (
                                Node {
                                    kind: NodeKind::Mapping(entries),
                                    span: TextRange::new(start, end),
                                },
                                size,
                                anchor,
                            )
                        }
                    };
                    if !self.push(node, size, anchor, &mut root) {
                        return;
                    }
                }
            }
        }
    }

    /// Whether a flow collection opened at `start` ends with the end event's closing bracket (so
    /// the node spans it). Block collections never do, even when a comment ends in a bracket.
    fn closes_with(&self, start: u32, range: TextRange, bracket: u8) -> bool {
        let open = if bracket == b']' { b'[' } else { b'{' };
        let bytes = self.text.as_bytes();
        bytes.get(start as usize) == Some(&open)
            && range.end > 0
            && bytes.get(range.end as usize - 1) == Some(&bracket)
    }

    fn count(&mut self, n: usize, at: TextRange) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            let msg = format!(
                "the input expands to more than {} nodes (too many aliases or values); refusing to read further",
                self.limits.max_nodes
            );
            self.fail(Code::Limit, msg, at);
            return false;
        }
        true
    }

    fn open(&mut self, open: Open, range: TextRange) -> bool {
        if self.stack.len() >= self.limits.max_depth {
            let msg = format!(
                "the input is nested more than {} levels deep; refusing to read further",
                self.limits.max_depth
            );
            self.fail(Code::Limit, msg, range);
            return false;
        }
        if !self.count(1, range) {
            return false;
        }
        self.stack.push(open);
        true
    }

    /// Attach a finished node to its parent (or make it the document root).
    fn push(
        &mut self,
        node: Node,
        size: usize,
        anchor: usize,
        root: &mut Option<(Node, usize)>,
    ) -> bool {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => *root = Some((node, size)),
            Some(Open::Sequence {
                items, size: total, ..
            }) => {
                *total = total.saturating_add(size);
                items.push(node);
            }
            Some(Open::Mapping {
                entries,
                pending_key,
                size: total,
                ..
            }) => {
                *total = total.saturating_add(size);
                match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => entries.push(Entry { key, value: node }),
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The decimal fast path reads exactly what the general integer route reads.
        #[test]
        fn parse_int_fast_path_matches_general(text in "[0-9]{0,20}|[-+0-9xoa-f.]{0,22}") {
            proptest::prop_assert_eq!(parse_int(&text), parse_int_general(&text));
        }
    }

    fn parse_one(text: &str) -> Node {
        let parsed = parse(text, &Limits::default());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.documents.len(), 1);
        parsed
            .documents
            .into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or(Node {
                kind: NodeKind::Sequence(vec![]),
                span: TextRange::empty(0),
            })
    }

    fn slice(text: &str, span: TextRange) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn scalars_keep_exact_spans_in_block_yaml() {
        let text = "spec:\n  ports:\n  - port: 80\n    appProtocol: \"http\"\n";
        let root = parse_one(text);
        let port = root
            .get("spec")
            .and_then(|s| s.get("ports"))
            .and_then(|p| p.as_sequence())
            .and_then(|p| p.first())
            .cloned();
        let port = port.unwrap_or(root.clone());
        assert_eq!(
            slice(text, port.get("port").map(|n| n.span).unwrap_or_default()),
            "80"
        );
        assert_eq!(
            slice(
                text,
                port.get("appProtocol").map(|n| n.span).unwrap_or_default()
            ),
            "\"http\""
        );
        assert_eq!(
            slice(
                text,
                port.entry("appProtocol")
                    .map(|e| e.key.span)
                    .unwrap_or_default()
            ),
            "appProtocol"
        );
    }

    #[test]
    fn json_is_read_with_positions() {
        let text = "{\"spec\": {\"ports\": [{\"port\": \"80\"}]}}";
        let root = parse_one(text);
        let port = root
            .get("spec")
            .and_then(|s| s.get("ports"))
            .and_then(|p| p.as_sequence())
            .and_then(|p| p.first())
            .and_then(|p| p.get("port"))
            .cloned();
        let port = port.unwrap_or(root);
        assert_eq!(slice(text, port.span), "\"80\"");
        assert_eq!(
            port.as_scalar().map(Scalar::resolve),
            Some(Resolved::Str("80"))
        );
    }

    #[test]
    fn non_ascii_text_maps_to_byte_offsets() {
        let text = "name: \"é🎉\"\nport: abc\n";
        let root = parse_one(text);
        assert_eq!(
            slice(text, root.get("port").map(|n| n.span).unwrap_or_default()),
            "abc"
        );
    }

    #[test]
    fn core_schema_resolution() {
        let root =
            parse_one("a: 12\nb: '12'\nc: ~\nd: true\ne: 1.5\nf: 0x1F\ng: 99999999999999999999\n");
        let r = |k: &str| root.get(k).and_then(|n| n.as_scalar()).map(|s| s.resolve());
        assert_eq!(r("a"), Some(Resolved::Int(12)));
        assert_eq!(r("b"), Some(Resolved::Str("12")));
        assert_eq!(r("c"), Some(Resolved::Null));
        assert_eq!(r("d"), Some(Resolved::Bool(true)));
        assert_eq!(r("e"), Some(Resolved::Float(1.5)));
        assert_eq!(r("f"), Some(Resolved::Int(31)));
        assert!(matches!(r("g"), Some(Resolved::Float(_))));
    }

    #[test]
    fn multi_document_streams_skip_empty_documents() {
        let parsed = parse("---\na: 1\n---\n---\nb: 2\n...\n", &Limits::default());
        assert!(parsed.diagnostics.is_empty());
        assert_eq!(parsed.documents.len(), 2);
    }

    #[test]
    fn syntax_errors_point_at_their_location_and_keep_earlier_documents() {
        let text = "a: 1\n---\nb: \"unclosed\n";
        let parsed = parse(text, &Limits::default());
        assert_eq!(parsed.documents.len(), 1);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, Code::Syntax);
        assert!(parsed.diagnostics[0].span.start >= 9);
    }

    #[test]
    fn alias_bombs_hit_the_node_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let parsed = parse(&text, &Limits::default());
        assert_eq!(parsed.documents.len(), 0);
        assert_eq!(
            parsed.diagnostics.first().map(|d| d.code),
            Some(Code::Limit)
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let text = "[".repeat(100_000);
        let parsed = parse(&text, &Limits::default());
        assert_eq!(
            parsed.diagnostics.first().map(|d| d.code),
            Some(Code::Limit)
        );
    }

    #[test]
    fn oversized_and_non_utf8_input_is_reported() {
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(parse("a: 12345", &limits).diagnostics[0].code, Code::Limit);
        let (text, parsed) = parse_bytes(b"a: \xff\xfe", &Limits::default());
        assert!(text.is_none());
        assert_eq!(parsed.diagnostics[0].span.start, 3);
    }
}
