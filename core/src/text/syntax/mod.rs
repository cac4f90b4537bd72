//! The syntax layer: YAML (and JSON, which is YAML 1.2 flow syntax) into a tree of nodes that
//! remember where they came from.
//!
//! Parsing never fails: it returns the documents it could read plus diagnostics for the rest.
//! Safety limits (size, nesting depth, alias expansion) are enforced here, before any typed
//! decoding, so no later stage can be made to allocate without bound or recurse without bound.

mod parser;

use crate::text::diagnostics::Diagnostic;
use crate::text::source::TextRange;

pub use parser::{parse, parse_bytes};

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
        // Numbers, `.inf` and `.nan` start with a sign, a digit or a dot; most scalars are words
        // (names, protocols, label values) and need none of the checks below.
        if !matches!(v.as_bytes().first(), Some(b'-' | b'+' | b'.' | b'0'..=b'9')) {
            return Resolved::Str(v);
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
    /// The depth is the parser's (its limits bound it); see [`Node::to_json_within`].
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_within(usize::MAX)
    }

    /// [`Node::to_json`], with nodes more than `levels` below this one read as `null` (the
    /// decoder's bound for free-form values).
    pub fn to_json_within(&self, levels: usize) -> serde_json::Value {
        use serde_json::Value;
        let child = |node: &Node| match levels.checked_sub(1) {
            Some(levels) => node.to_json_within(levels),
            None => Value::Null,
        };
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
            NodeKind::Sequence(items) => Value::Array(items.iter().map(child).collect()),
            NodeKind::Mapping(entries) => {
                let mut map = serde_json::Map::new();
                for e in entries {
                    let key = e
                        .key
                        .as_scalar()
                        .map(|s| s.value.clone())
                        .unwrap_or_default();
                    map.insert(key, child(&e.value));
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

#[cfg(test)]
mod tests;
