//! The syntax layer: YAML (and JSON, which is YAML 1.2 flow syntax) into a tree of nodes that
//! remember where they came from.
//!
//! Parsing never fails: it returns the documents it could read plus diagnostics for the rest.
//! Safety limits (size, nesting depth, alias expansion) are enforced here, before any typed
//! decoding, so no later stage can be made to allocate without bound or recurse without bound.

mod go_yaml;
mod parser;

use crate::text::diagnostics::Diagnostic;
use crate::text::source::TextRange;

pub(crate) use go_yaml::unusual_char;
pub use parser::{parse, parse_bytes};

/// Limits applied to untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted text, in bytes (default 1 MiB).
    pub max_bytes: usize,
    /// Deepest accepted nesting of mappings and sequences (default 64).
    pub max_depth: usize,
    /// Most nodes the aliases of a text may expand to (default 100,000); the nodes written out
    /// are bounded by `max_bytes`.
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

/// A scalar resolved as Kuma's decoders resolve it: `sigs.k8s.io/yaml` turns YAML into JSON
/// through go-yaml v2, whose YAML 1.1 rules `kumactl` and `kubectl` share (`yes`/`on` are
/// booleans, `0777` is octal, `1_000` is a thousand, `6379.0` reaches Kuma as the integer 6379).
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

    /// Resolve the scalar's type as Kuma's YAML decoder does (go-yaml v2's `resolve`, then the
    /// JSON text `sigs.k8s.io/yaml` writes: a float64 with no fraction below 1e21 is written
    /// as an integer).
    pub fn resolve(&self) -> Resolved<'_> {
        if !self.plain {
            return Resolved::Str(&self.value);
        }
        let v = self.value.as_str();
        match v {
            "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
            "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
                return Resolved::Bool(true)
            }
            "false" | "False" | "FALSE" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off"
            | "OFF" => return Resolved::Bool(false),
            ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
                return Resolved::Float(f64::INFINITY)
            }
            "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
            _ => {}
        }
        // Numbers start with a sign, a digit or a dot; most scalars are words (names,
        // protocols, label values) and need none of the checks below.
        match v.as_bytes().first() {
            // Go's `ParseFloat` fails beyond float64's range, so the text stays a string.
            Some(b'.') => v
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map_or(Resolved::Str(v), as_json_number),
            Some(b'-' | b'+' | b'0'..=b'9') => resolve_number(v),
            _ => Resolved::Str(v),
        }
    }
}

impl Scalar {
    /// Make the scalar what Kuma's decoders see when it carries an explicit tag (`handle`
    /// `tag:yaml.org,2002:` and `suffix` `int` for `!!int`), or give go-yaml v2's error, which
    /// rejects the whole document. `kumactl apply` reads YAML through `sigs.k8s.io/yaml`, whose
    /// go-yaml v2 (gopkg.in/yaml.v2 2.4.0, go.yaml.in/yaml/v2 2.4.2-2.4.4: the same `resolve`) is
    /// the same at every supported release; the REST API takes JSON only, which has no tags.
    ///
    /// go-yaml v2: `!!int`, `!!float`, `!!bool`, `!!null` and `!!timestamp` resolve the text as
    /// a plain scalar would, quoted or not, and fail unless it is of that type (an integer is a
    /// float too); `!!binary` is base64 (`!!binary YmFja2VuZA==` is the string `backend`; bytes
    /// that are not UTF-8 become U+FFFD, as Go's JSON encoder writes them; invalid base64 fails);
    /// any other tag (`!!str`, `!!map` on a scalar, local tags like `!foo`) gives the text as a
    /// string. Tags on mappings and sequences are ignored, as go-yaml v2 ignores them.
    ///
    /// Known gap, left out for the wasm module's size budget: a number's type is that of its
    /// value as Kuma reads it, not of its syntax: go-yaml refuses `!!int 81.0`, `!!int 1e3` and
    /// `!!int 08` (float syntax) and `!!float` over an unsigned number beyond i64, and takes
    /// `!!int` over one.
    pub(crate) fn apply_tag(&mut self, handle: &str, suffix: &str) -> Result<(), String> {
        // go-yaml's tags of resolved text, numbered for `found` and `want` below.
        const TAGS: [&str; 6] = ["null", "bool", "int", "float", "timestamp", "str"];
        const CORE: &str = "tag:yaml.org,2002:";
        // `!!int` is the handle `CORE` and the suffix `int`, `!<tag:yaml.org,2002:int>` the
        // suffix alone.
        let want = if handle == CORE {
            suffix
        } else if handle.is_empty() {
            suffix.strip_prefix(CORE).unwrap_or_default()
        } else {
            ""
        };
        if want == "binary" {
            self.plain = false;
            self.value = go_yaml::binary(&self.value).ok_or_else(|| {
                String::from("invalid YAML: !!binary value contains invalid base64 data")
            })?;
            return Ok(());
        }
        let Some(w) = TAGS[..5].iter().position(|&t| t == want) else {
            // A string; only a plain `<<` tagged `!!merge` stays a merge key.
            self.plain &= want == "merge" && self.value == "<<";
            return Ok(());
        };
        self.plain = true;
        let found = match self.resolve() {
            Resolved::Null => 0,
            Resolved::Bool(_) => 1,
            // `6379.0` and `8e3` reach Kuma as integers, but go-yaml resolves them as floats
            // first: `!!int 6379.0` is its error.
            Resolved::Int(_) if written_as_float(&self.value) => 3,
            Resolved::Int(_) => 2,
            Resolved::Float(_) => 3,
            Resolved::Str(v) if w == 4 && is_timestamp(v) => 4,
            Resolved::Str(_) => 5,
        };
        // An integer is a float too.
        if found != w && (w, found) != (3, 2) {
            return Err(crate::text::join(
                &[
                    "invalid YAML: cannot decode !!",
                    TAGS[found],
                    " `",
                    &self.value,
                    "` as a !!",
                    want,
                ],
                "",
            ));
        }
        // A timestamp reaches Kuma as the text it was written as.
        self.plain = w != 4;
        Ok(())
    }
}

/// Whether an integral number is written as a float (`6379.0`, `8e3`; not hexadecimal `0x1e`).
fn written_as_float(v: &str) -> bool {
    let digits = v.trim_start_matches(['-', '+']);
    !digits.starts_with("0x") && v.contains(['.', 'e', 'E'])
}

/// go-yaml v2's timestamps, read with the RFC 3339 parser: a date (`2001-12-14`), a date-time
/// with a zone (`T` or `t`), or a date and time separated by a space without a zone. Unlike Go's
/// `time.Parse` it wants two-digit months, days and times.
fn is_timestamp(v: &str) -> bool {
    let mut text = v.to_owned();
    text.push_str(match v.as_bytes().get(10) {
        None => "T00:00:00Z",
        Some(b' ') => "Z",
        Some(_) => "",
    });
    crate::text::rfc3339::parse(&text).is_some()
}

/// go-yaml v2 on a scalar that starts with a sign or a digit: underscores dropped, then Go's
/// `ParseInt(s, 0, 64)` (`0x` hex, `0o` or a leading `0` octal, `0b` binary), `ParseUint`, and
/// YAML's float syntax.
fn resolve_number(v: &str) -> Resolved<'_> {
    let digits_only: String;
    let plain = if v.contains('_') {
        digits_only = v.chars().filter(|&c| c != '_').collect();
        digits_only.as_str()
    } else {
        v
    };
    if let Some(i) = parse_int(plain) {
        return Resolved::Int(i);
    }
    // Go's `ParseUint` takes no sign: `+18446744073709551615` is read as a float below, which
    // gives the same number.
    if let Some(magnitude) = parse_uint(plain) {
        // Beyond i64: still a number in the JSON Kuma decodes.
        return Resolved::Float(magnitude as f64);
    }
    if looks_like_float(plain) {
        // Go's `ParseFloat` fails beyond float64's range (`1e400`): the text stays a string.
        if let Some(f) = plain.parse::<f64>().ok().filter(|f| f.is_finite()) {
            return as_json_number(f);
        }
    }
    Resolved::Str(v)
}

/// A float64 as the JSON text Go writes for it reads back: an integral value below 1e21 is
/// written without a fraction, so Kuma sees an integer.
fn as_json_number<'a>(f: f64) -> Resolved<'a> {
    const I64_RANGE: f64 = 9_223_372_036_854_775_808.0;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < I64_RANGE {
        // Exact: the value is integral and inside i64's range.
        #[allow(clippy::cast_possible_truncation)]
        return Resolved::Int(f as i64);
    }
    Resolved::Float(f)
}

fn parse_int(v: &str) -> Option<i64> {
    // Hot path (ports, most numbers): unsigned decimal too short to overflow and without a
    // leading zero (Go reads `0777` as octal), read by hand. Same result as the route below.
    let b = v.as_bytes();
    if !b.is_empty() && b.len() <= 18 && (b[0] != b'0' || b.len() == 1) {
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

/// Go's `strconv.ParseInt(v, 0, 64)` without underscores: an optional sign, then `0x`/`0X`
/// hex, `0o`/`0O` or a leading `0` octal, `0b`/`0B` binary, or decimal.
fn parse_int_general(v: &str) -> Option<i64> {
    let (neg, digits) = match v.as_bytes().first()? {
        b'-' => (true, &v[1..]),
        b'+' => (false, &v[1..]),
        _ => (false, v),
    };
    let magnitude = i128::from(parse_uint(digits)?);
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// Go's `strconv.ParseUint(v, 0, 64)` without underscores or sign.
fn parse_uint(v: &str) -> Option<u64> {
    let b = v.as_bytes();
    let (radix, start) = match b {
        [b'0', b'x' | b'X', ..] => (16, 2),
        [b'0', b'o' | b'O', ..] => (8, 2),
        [b'0', b'b' | b'B', ..] => (2, 2),
        [b'0', _, ..] => (8, 1),
        _ => (10, 0),
    };
    let digits = b.get(start..).filter(|d| !d.is_empty())?;
    let mut n: u64 = 0;
    for &c in digits {
        let digit = char::from(c).to_digit(radix)?;
        n = n
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(digit))?;
    }
    Some(n)
}

/// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn looks_like_float(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
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
