//! A fast path for the plain block YAML people write for Kuma resources: block mappings and
//! sequences, single-line plain and quoted scalars, single-line flow collections, comments and
//! `---` separators. It builds the same tree as the full parser and returns `None` for anything
//! else (anchors, tags, block scalars, multi-line scalars, tabs, characters go-yaml refuses or
//! reads as line breaks, ...), so the caller falls back to the full YAML parser. A differential
//! test keeps the two in step.

use crate::text::source::{to_u32, TextRange};
use crate::text::syntax::{unusual_char, Document, Entry, Limits, Node, NodeKind, Scalar};

/// Deepest nesting the fast path handles (it recurses); deeper documents take the full parser.
const MAX_FAST_DEPTH: usize = 48;

/// Parse every document of `text`, or `None` if any part is outside the fast subset.
pub(crate) fn parse(text: &str, limits: &Limits) -> Option<Vec<Document>> {
    if text.len() > limits.max_bytes
        || text.as_bytes().iter().any(|&b| b == b'\t' || b == b'\r')
        || text.starts_with('\u{feff}')
        || unusual_char(text, 0, true).is_some()
    {
        return None;
    }
    let lines = split_lines(text)?;
    let mut p = FastParser {
        text,
        lines,
        i: 0,
        max_depth: limits.max_depth.min(MAX_FAST_DEPTH),
    };
    let mut docs = Vec::new();
    loop {
        // Skip separators between documents.
        let mut explicit_start = None;
        while let Some(line) = p.lines.get(p.i) {
            match line.kind {
                LineKind::DocStart => {
                    explicit_start = Some(line.start);
                    p.i += 1;
                }
                LineKind::DocEnd => p.i += 1,
                LineKind::Content => break,
            }
        }
        let Some(first) = p.lines.get(p.i) else {
            break;
        };
        let start = explicit_start.unwrap_or(first.start);
        let root = p.block(first.indent, first.indent, 0)?;
        // Anything left before the next separator is outside the subset.
        if let Some(line) = p.lines.get(p.i) {
            if line.kind == LineKind::Content {
                return None;
            }
        }
        if docs.len() >= limits.max_documents {
            return None;
        }
        docs.push(Document {
            span: TextRange::new(to_u32(start), root.span.end),
            root,
        });
    }
    Some(docs)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Content,
    DocStart,
    DocEnd,
}

/// A line with content: where the content starts and ends (comments and trailing spaces cut).
#[derive(Debug, Clone, Copy)]
struct Line {
    kind: LineKind,
    indent: usize,
    start: usize,
    end: usize,
}

fn split_lines(text: &str) -> Option<Vec<Line>> {
    let mut out = Vec::with_capacity(text.len() / 16);
    let mut offset = 0;
    let bytes = text.as_bytes();
    // Lines by a byte loop (`str::split` costs a searcher per line in the size-tuned build).
    while offset <= bytes.len() {
        let line_start = offset;
        let mut line_end = offset;
        while let Some(&c) = bytes.get(line_end) {
            if c == b'\n' {
                break;
            }
            line_end += 1;
        }
        let raw = text.get(line_start..line_end)?;
        offset = line_end + 1;
        let indent = leading_spaces(raw);
        if matches!(raw.as_bytes().get(indent), None | Some(b'#')) {
            continue;
        }
        let start = line_start + indent;
        if indent == 0 && (raw == "---" || raw.starts_with("--- #")) {
            out.push(Line {
                kind: LineKind::DocStart,
                indent,
                start,
                end: start + 3,
            });
            continue;
        }
        if indent == 0 && (raw == "..." || raw.starts_with("... #")) {
            out.push(Line {
                kind: LineKind::DocEnd,
                indent,
                start,
                end: start + 3,
            });
            continue;
        }
        if indent == 0 && (raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%'))
        {
            return None;
        }
        let end = line_start + content_end(raw)?;
        out.push(Line {
            kind: LineKind::Content,
            indent,
            start,
            end,
        });
    }
    Some(out)
}

/// Where a line's content ends: before a ` #` comment, trailing spaces removed. A line with both
/// quotes and `#` is left to the full parser (telling a comment from a quoted `#` needs it).
fn content_end(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    let has_quote = b.iter().any(|&c| c == b'"' || c == b'\'');
    let has_hash = b.contains(&b'#');
    if has_quote && has_hash {
        return None;
    }
    let end = if has_hash {
        find_pair(b, b' ', b'#').unwrap_or(raw.len())
    } else {
        raw.len()
    };
    Some(trim_end_spaces(raw.get(..end)?).len())
}

// Byte loops for the scans the fast path makes on every line. The `str` pattern methods they
// replace (`trim_start_matches(' ')`, `contains(": ")`, ...) go through generic searchers that an
// opt-level "z" build keeps as calls; these give the same results (spaces and the searched bytes
// are ASCII, so every index is a char boundary). Bytes are tested with `matches!`, not
// `== Some(&b)`: under "z" even `Option`'s `PartialEq` stays a call.

/// How many spaces `s` starts with.
#[inline(always)]
fn leading_spaces(s: &str) -> usize {
    let b = s.as_bytes();
    let mut n = 0;
    while let Some(b' ') = b.get(n) {
        n += 1;
    }
    n
}

/// `s` without trailing spaces.
#[inline(always)]
fn trim_end_spaces(s: &str) -> &str {
    let b = s.as_bytes();
    let mut end = b.len();
    while end > 0 && matches!(b.get(end - 1), Some(b' ')) {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

/// Where the two-byte sequence `first second` first occurs in `b`.
#[inline(always)]
fn find_pair(b: &[u8], first: u8, second: u8) -> Option<usize> {
    let mut i = 0;
    while i + 1 < b.len() {
        if matches!((b.get(i), b.get(i + 1)), (Some(&x), Some(&y)) if x == first && y == second) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The first `:` followed by a space or the end: where a plain key ends.
#[inline(always)]
fn key_colon(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b':' && matches!(b.get(i + 1), None | Some(b' ')) {
            return Some(i);
        }
        i += 1;
    }
    None
}

struct FastParser<'t> {
    text: &'t str,
    lines: Vec<Line>,
    i: usize,
    max_depth: usize,
}

fn scalar(value: String, plain: bool, start: usize, end: usize) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar { value, plain }),
        span: TextRange::new(to_u32(start), to_u32(end)),
    }
}

#[inline(always)]
fn is_indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

impl FastParser<'_> {
    /// Whether a comment follows the line's content, on it or before the next content line.
    fn comment_after(&self, line: Line) -> bool {
        // `line` is the current line, so the next one is at the next index.
        let next = self
            .lines
            .get(self.i + 1)
            .map_or(self.text.len(), |l| l.start);
        self.text
            .get(line.end..next)
            .is_some_and(|r| r.contains('#'))
    }

    #[inline(always)]
    fn current(&self) -> Option<Line> {
        self.lines
            .get(self.i)
            .copied()
            .filter(|l| l.kind == LineKind::Content)
    }

    /// A block node whose first content starts at byte `col_start` of the current line (column
    /// `indent`); following lines of the node are at exactly `indent`.
    fn block(&mut self, indent: usize, _col: usize, depth: usize) -> Option<Node> {
        if depth > self.max_depth {
            return None;
        }
        let line = self.current()?;
        let content = self.text.get(line.start..line.end)?;
        if content == "-" || content.starts_with("- ") {
            return self.sequence(indent, depth, false);
        }
        if let Some(first_key) = self.mapping_key(line.start, line.end) {
            return self.mapping(indent, depth, first_key);
        }
        // A lone scalar or flow collection as the whole node.
        let node = self.inline_value(line.start, line.end, depth)?;
        self.i += 1;
        if self.current().is_some_and(|l| l.indent > indent) {
            return None;
        }
        Some(node)
    }

    fn sequence(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<Node> {
        let first = self.current()?;
        let start = first.start;
        let mut items = Vec::new();
        let mut end = start;
        while let Some(line) = self.current() {
            if line.indent != indent {
                break;
            }
            let content = self.text.get(line.start..line.end)?;
            if !(content == "-" || content.starts_with("- ")) {
                break;
            }
            let after = &content[1..];
            let pad = leading_spaces(after);
            let item_start = line.start + 1 + pad;
            let item = if item_start >= line.end {
                if (indentless && items.is_empty()) || self.comment_after(line) {
                    // The full parser starts such a sequence at a position we do not model.
                    return None;
                }
                // `-` alone: the item is the indented block below, or null.
                self.i += 1;
                match self.current() {
                    Some(next) if next.indent > indent => {
                        self.block(next.indent, next.start, depth + 1)?
                    }
                    _ => {
                        // The full parser puts a null item after the `-` and its spaces.
                        let b = self.text.as_bytes();
                        let mut at = line.start + 1;
                        while let Some(b' ') = b.get(at) {
                            at += 1;
                        }
                        scalar(String::new(), true, at, at)
                    }
                }
            } else {
                // `- x`: the item starts inline; its further lines are at the inline column.
                let col = indent + (item_start - line.start);
                self.lines[self.i] = Line {
                    kind: LineKind::Content,
                    indent: col,
                    start: item_start,
                    end: line.end,
                };
                let item = self.block(col, item_start, depth + 1)?;
                if self
                    .current()
                    .is_some_and(|l| l.indent > indent && l.indent != col)
                {
                    return None;
                }
                item
            };
            end = end.max(item.span.end as usize);
            items.push(item);
        }
        if self.current().is_some_and(|l| l.indent > indent) {
            return None;
        }
        // Like the full parser: an indentless sequence (a mapping value at the key's indentation)
        // starts where its first item does; other block sequences at their first `-`.
        let start = if indentless {
            items.first().map_or(start, |n| n.span.start as usize)
        } else {
            start
        };
        Some(Node {
            kind: NodeKind::Sequence(items),
            span: TextRange::new(to_u32(start), to_u32(end)),
        })
    }

    /// If the content `start..end` begins with `key:`, the key node and where its value starts.
    fn mapping_key(&self, start: usize, end: usize) -> Option<(Node, usize)> {
        let (key, value_start) = self.key_parts(start, end)?;
        Some((key?, value_start))
    }

    /// [`Self::mapping_key`]'s work.
    fn key_parts(&self, start: usize, end: usize) -> Option<(Option<Node>, usize)> {
        let content = self.text.get(start..end)?;
        let b = content.as_bytes();
        let first = *b.first()?;
        let (key, after) = if first == b'"' || first == b'\'' {
            let (node, len) = quoted(content, start)?;
            (Some(node), len)
        } else {
            if is_indicator(first) && !(first == b'-' && b.get(1).is_some_and(|c| *c != b' ')) {
                return None;
            }
            let colon = key_colon(b)?;
            let key_text = trim_end_spaces(content.get(..colon)?);
            if key_text.is_empty() || find_pair(key_text.as_bytes(), b' ', b'#').is_some() {
                return None;
            }
            (
                Some(scalar(
                    key_text.to_owned(),
                    true,
                    start,
                    start + key_text.len(),
                )),
                colon,
            )
        };
        let rest = content.get(after..)?;
        let pad = leading_spaces(rest);
        if !matches!(rest.as_bytes().get(pad), Some(b':'))
            || (first == b'"' || first == b'\'') && pad != 0
        {
            return None;
        }
        let colon_at = after + pad;
        if !matches!(b.get(colon_at + 1), None | Some(b' ')) {
            return None;
        }
        Some((key, start + colon_at + 1))
    }

    /// A block mapping whose first line's key `block` has read (`first_key`).
    fn mapping(&mut self, indent: usize, depth: usize, first_key: (Node, usize)) -> Option<Node> {
        let first = self.current()?;
        let start = first.start;
        let mut entries = Vec::new();
        let mut end = start;
        let mut pending = Some(first_key);
        while let Some(line) = self.current() {
            if line.indent != indent {
                break;
            }
            let read = match pending.take() {
                Some(key) => Some(key),
                None => self.mapping_key(line.start, line.end),
            };
            let Some((key, value_start)) = read else {
                break;
            };
            // The full parser puts an empty value at the colon.
            let colon = value_start - 1;
            let rest = self.text.get(value_start..line.end)?;
            let pad = leading_spaces(rest);
            let value_start = value_start + pad;
            let value = if value_start >= line.end {
                if self.comment_after(line) {
                    // `key: # comment`: the full parser places the empty value elsewhere.
                    return None;
                }
                self.i += 1;
                match self.current() {
                    Some(next) if next.indent > indent => {
                        self.block(next.indent, next.start, depth + 1)?
                    }
                    // A sequence may sit at the key's own indentation.
                    Some(next)
                        if next.indent == indent && {
                            let c = self.text.get(next.start..next.end)?;
                            c == "-" || c.starts_with("- ")
                        } =>
                    {
                        self.sequence(indent, depth + 1, true)?
                    }
                    _ => scalar(String::new(), true, colon, colon),
                }
            } else {
                let v = self.inline_value(value_start, line.end, depth)?;
                self.i += 1;
                // A deeper line after an inline value would continue it (multi-line scalar).
                if self.current().is_some_and(|l| l.indent > indent) {
                    return None;
                }
                v
            };
            end = end.max(value.span.end as usize).max(key.span.end as usize);
            entries.push(Entry { key, value });
        }
        if self.current().is_some_and(|l| l.indent > indent) {
            return None;
        }
        Some(Node {
            kind: NodeKind::Mapping(entries),
            span: TextRange::new(to_u32(start), to_u32(end)),
        })
    }

    /// A value written on one line: a flow collection, a quoted scalar, or a plain scalar.
    fn inline_value(&mut self, start: usize, end: usize, depth: usize) -> Option<Node> {
        let content = self.text.get(start..end)?;
        let first = *content.as_bytes().first()?;
        // The full parser's spans of quoted scalars and flow collections take following spaces
        // (before a comment); keep one behaviour by leaving that style to it.
        let followed = !matches!(self.text.as_bytes().get(end), None | Some(b'\n'));
        if followed && matches!(first, b'{' | b'[' | b'"' | b'\'') {
            return None;
        }
        match first {
            b'{' | b'[' => {
                let mut flow = Flow {
                    text: self.text,
                    i: start,
                    end,
                };
                let node = flow.value(depth)?;
                flow.skip_spaces();
                (flow.i == end).then_some(node)
            }
            b'"' | b'\'' => {
                let (node, len) = quoted(content, start)?;
                (len == content.len()).then_some(node)
            }
            c if is_indicator(c)
                && !(c == b'-' && content.len() > 1 && content.as_bytes()[1] != b' ') =>
            {
                None
            }
            _ => {
                if find_pair(content.as_bytes(), b':', b' ').is_some() || content.ends_with(':') {
                    return None;
                }
                Some(scalar(content.to_owned(), true, start, end))
            }
        }
    }
}

/// A single-line quoted scalar at the start of `s` (absolute offset `at`): the node and the
/// length of its text including quotes. Escapes other than the simplest ones take the slow path.
fn quoted(s: &str, at: usize) -> Option<(Node, usize)> {
    let b = s.as_bytes();
    let q = *b.first()?;
    let mut value = String::new();
    let mut i = 1;
    loop {
        let c = *b.get(i)?;
        if c == q {
            if q == b'\'' && matches!(b.get(i + 1), Some(b'\'')) {
                value.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            break;
        }
        if q == b'"' && c == b'\\' {
            let e = *b.get(i + 1)?;
            value.push(match e {
                b'"' => '"',
                b'\\' => '\\',
                b'n' => '\n',
                b't' => '\t',
                _ => return None,
            });
            i += 2;
            continue;
        }
        let ch = s.get(i..)?.chars().next()?;
        value.push(ch);
        i += ch.len_utf8();
    }
    Some((scalar(value, false, at, at + i), i))
}

/// A single-line flow collection.
struct Flow<'t> {
    text: &'t str,
    i: usize,
    end: usize,
}

impl Flow<'_> {
    /// After an item of a flow collection closed by `close`: `,` then the next item, or `close`
    /// (left for the caller). None (the full parser decides) for anything else, and for a
    /// trailing comma, which is valid YAML but gets different spans from the full parser.
    fn after_flow_item(&mut self, close: u8) -> Option<()> {
        self.skip_spaces();
        match self.peek()? {
            b',' => {
                self.i += 1;
                self.skip_spaces();
                if matches!(self.peek(), Some(b'}' | b']')) {
                    return None;
                }
                Some(())
            }
            c if c == close => Some(()),
            _ => None,
        }
    }

    fn peek(&self) -> Option<u8> {
        (self.i < self.end).then(|| self.text.as_bytes()[self.i])
    }

    fn skip_spaces(&mut self) {
        while let Some(b' ') = self.peek() {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_FAST_DEPTH {
            return None;
        }
        self.skip_spaces();
        let start = self.i;
        match self.peek()? {
            b'{' => {
                self.i += 1;
                let mut entries = Vec::new();
                loop {
                    self.skip_spaces();
                    if self.peek()? == b'}' {
                        self.i += 1;
                        break;
                    }
                    let key = self.scalar(true)?;
                    self.skip_spaces();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.i += 1;
                    if !matches!(self.peek(), Some(b' ')) {
                        return None;
                    }
                    let value = self.value(depth + 1)?;
                    entries.push(Entry { key, value });
                    self.after_flow_item(b'}')?;
                }
                Some(Node {
                    kind: NodeKind::Mapping(entries),
                    span: TextRange::new(to_u32(start), to_u32(self.i)),
                })
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    if self.peek()? == b']' {
                        self.i += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.after_flow_item(b']')?;
                }
                Some(Node {
                    kind: NodeKind::Sequence(items),
                    span: TextRange::new(to_u32(start), to_u32(self.i)),
                })
            }
            _ => self.scalar(false),
        }
    }

    /// A flow scalar: quoted, or plain up to `,` `]` `}` or `: `.
    fn scalar(&mut self, key: bool) -> Option<Node> {
        let start = self.i;
        let c = self.peek()?;
        if c == b'"' || c == b'\'' {
            let (node, len) = quoted(self.text.get(start..self.end)?, start)?;
            self.i += len;
            // The full parser's span of a quoted scalar takes following spaces; keep one behaviour.
            if let Some(b' ') = self.peek() {
                return None;
            }
            return Some(node);
        }
        let b = self.text.as_bytes();
        if is_indicator(c)
            && !(c == b'-'
                && b.get(start + 1)
                    .is_some_and(|n| !matches!(n, b' ' | b',' | b']' | b'}')))
        {
            return None;
        }
        let mut i = start;
        while i < self.end {
            match b[i] {
                b',' | b']' | b'}' | b'[' | b'{' | b'#' => break,
                b':' if matches!(b.get(i + 1), Some(b' ' | b',' | b']' | b'}'))
                    || i + 1 == self.end =>
                {
                    break
                }
                _ => i += 1,
            }
        }
        if i < self.end && matches!(b[i], b'[' | b'{' | b'#') {
            return None;
        }
        let text = self.text.get(start..i)?.trim_end_matches(' ');
        if text.is_empty() || (key && text.contains(": ")) {
            return None;
        }
        self.i = start + text.len();
        Some(scalar(text.to_owned(), true, start, start + text.len()))
    }
}

#[cfg(test)]
mod tests;
