//! A fast path for JSON text: builds the same spanned tree as the YAML parser (JSON is YAML 1.2
//! flow syntax), without going through the YAML event machinery. Only valid JSON within the
//! limits is accepted, and only JSON that go-yaml v2 reads as JSON reads it (Kuma reads a JSON file
//! as YAML: no `\/` escape, no escaped surrogate pairs, no control characters, U+0085 folded);
//! anything else returns `None` and the caller falls back to the YAML parser, which then reports
//! the problem with its usual wording. Iterative: no recursion on input depth.

use crate::text::source::{to_u32, TextRange};
use crate::text::syntax::{unusual_char, Document, Entry, Limits, Node, NodeKind, Scalar};

/// Parse `text` as one JSON value; `None` if it is not valid JSON within `limits`.
pub(crate) fn parse(text: &str, limits: &Limits) -> Option<Document> {
    if text.len() > limits.max_bytes || unusual_char(text, 0, true).is_some() {
        return None;
    }
    let mut p = JsonParser {
        b: text.as_bytes(),
        text,
        i: 0,
        limits,
    };
    let root = p.value_tree()?;
    p.skip_ws();
    if p.i != p.b.len() {
        return None;
    }
    Some(Document {
        span: root.span,
        root,
    })
}

enum Frame {
    Array {
        start: usize,
        items: Vec<Node>,
    },
    Object {
        start: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct JsonParser<'t> {
    b: &'t [u8],
    text: &'t str,
    i: usize,
    limits: &'t Limits,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn value_tree(&mut self) -> Option<Node> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Read one value, or open a container.
            self.skip_ws();
            let mut done: Option<Node> = match self.peek()? {
                b'{' => {
                    if stack.len() >= self.limits.max_depth {
                        return None;
                    }
                    stack.push(Frame::Object {
                        start: self.i,
                        entries: Vec::new(),
                        key: None,
                    });
                    self.i += 1;
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        None
                    } else {
                        let key = self.string()?;
                        self.colon()?;
                        if let Some(Frame::Object { key: slot, .. }) = stack.last_mut() {
                            *slot = Some(key);
                        }
                        continue;
                    }
                }
                b'[' => {
                    if stack.len() >= self.limits.max_depth {
                        return None;
                    }
                    stack.push(Frame::Array {
                        start: self.i,
                        items: Vec::new(),
                    });
                    self.i += 1;
                    self.skip_ws();
                    if self.peek()? == b']' {
                        None
                    } else {
                        continue;
                    }
                }
                _ => Some(self.scalar()?),
            };
            // Close containers as far as possible, attaching finished values.
            loop {
                self.skip_ws();
                if let Some(node) = done.take() {
                    match stack.last_mut() {
                        None => return Some(node),
                        Some(Frame::Array { items, .. }) => items.push(node),
                        Some(Frame::Object { entries, key, .. }) => {
                            let key = key.take()?;
                            entries.push(Entry { key, value: node });
                        }
                    }
                    self.skip_ws();
                }
                let c = self.peek()?;
                match (stack.last(), c) {
                    (Some(Frame::Array { .. }), b',') => {
                        self.i += 1;
                        break;
                    }
                    (Some(Frame::Object { .. }), b',') => {
                        self.i += 1;
                        self.skip_ws();
                        let k = self.string()?;
                        self.colon()?;
                        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                            *key = Some(k);
                        }
                        break;
                    }
                    (Some(Frame::Array { .. }), b']') | (Some(Frame::Object { .. }), b'}') => {
                        self.i += 1;
                        let end = to_u32(self.i);
                        done = Some(match stack.pop()? {
                            Frame::Array { start, items } => Node {
                                kind: NodeKind::Sequence(items),
                                span: TextRange::new(to_u32(start), end),
                            },
                            Frame::Object { start, entries, .. } => Node {
                                kind: NodeKind::Mapping(entries),
                                span: TextRange::new(to_u32(start), end),
                            },
                        });
                    }
                    _ => return None,
                }
            }
        }
    }

    fn colon(&mut self) -> Option<()> {
        self.skip_ws();
        if self.peek()? != b':' {
            return None;
        }
        self.i += 1;
        Some(())
    }

    fn scalar(&mut self) -> Option<Node> {
        let start = self.i;
        let c = self.peek()?;
        if c == b'"' {
            return self.string();
        }
        let word_end = self.b[start..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')))
            .map_or(self.b.len(), |p| start + p);
        let word = self.text.get(start..word_end)?;
        let ok = matches!(word, "true" | "false" | "null") || is_json_number(word);
        if !ok {
            return None;
        }
        self.i = word_end;
        Some(Node {
            kind: NodeKind::Scalar(Scalar {
                value: word.to_owned(),
                plain: true,
            }),
            span: TextRange::new(to_u32(start), to_u32(word_end)),
        })
    }

    fn string(&mut self) -> Option<Node> {
        let start = self.i;
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let content_start = self.i;
        // Fast path: no escapes.
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' => {
                    let value = self.text.get(content_start..self.i)?.to_owned();
                    self.i += 1;
                    return Some(string_node(value, start, self.i));
                }
                b'\\' => break,
                c if c < 0x20 => return None,
                _ => self.i += 1,
            }
        }
        let mut value = self.text.get(content_start..self.i)?.to_owned();
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Some(string_node(value, start, self.i));
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        b'b' => value.push('\u{8}'),
                        b'f' => value.push('\u{c}'),
                        b'n' => value.push('\n'),
                        b'r' => value.push('\r'),
                        b't' => value.push('\t'),
                        // go-yaml refuses a surrogate (`char::from_u32` too), even in a pair.
                        b'u' => value.push(char::from_u32(self.hex4()?)?),
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => {
                    let ch = self.text.get(self.i..)?.chars().next()?;
                    value.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let s = self.text.get(self.i..self.i + 4)?;
        let v = u32::from_str_radix(s, 16).ok()?;
        self.i += 4;
        Some(v)
    }
}

fn string_node(value: String, start: usize, end: usize) -> Node {
    Node {
        kind: NodeKind::Scalar(Scalar {
            value,
            plain: false,
        }),
        span: TextRange::new(to_u32(start), to_u32(end)),
    }
}

fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_len = i - int_start;
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::syntax;

    fn same_as_yaml(text: &str) {
        let limits = Limits::default();
        let fast = parse(text, &limits).map(|d| d.root);
        let yaml = syntax::parse(text, &limits)
            .documents
            .into_iter()
            .next()
            .map(|d| d.root);
        assert!(fast.is_some(), "{text}");
        assert_eq!(fast, yaml, "{text}");
    }

    #[test]
    fn the_tree_equals_the_yaml_parsers() {
        same_as_yaml(r#"{"a": 1, "b": [true, null, -1.5e3, "x\"y\u00e9"], "c": {}, "d": []}"#);
        // With odd spacing the YAML parser's spans are looser (a key's span takes the space after
        // it); the values are the same and ours are exact.
        let text = "  [ {\"k\" : \"é\"} , 0 ]\n";
        let fast = parse(text, &Limits::default()).map(|d| d.root);
        let k = fast.as_ref().and_then(|r| {
            r.as_sequence()?
                .first()?
                .as_mapping()?
                .first()
                .map(|e| e.key.span)
        });
        assert_eq!(k, Some(TextRange::new(5, 8)));
        let yaml = syntax::parse(text, &Limits::default())
            .documents
            .into_iter()
            .next()
            .map(|d| d.root.to_json());
        assert_eq!(fast.map(|f| f.to_json()), yaml);
        same_as_yaml(r#"{"type":"MeshMultiZoneService","spec":{"ports":[{"port":80}]}}"#);
    }

    /// Kuma reads a JSON file as YAML: what go-yaml v2 reads otherwise than JSON (or refuses)
    /// goes to the YAML reader, which reports it as Kuma does (`text::syntax::go_yaml`'s tests).
    #[test]
    fn what_go_yaml_reads_otherwise_falls_back() {
        let limits = Limits::default();
        for text in [
            r#"["\ud83c\udf89"]"#,
            r#"["a\/b"]"#,
            "[\"a\u{7f}b\"]",
            "[\"a\u{85}b\"]",
            "[\"a\u{2028}b\"]",
            "[\"a\u{fffe}b\"]",
        ] {
            assert!(parse(text, &limits).is_none(), "{text:?}");
        }
        let doc = parse(r#"["\u00e9\u2028🎉"]"#, &limits).map(|d| d.root.to_json());
        assert_eq!(doc, Some(serde_json::json!(["é\u{2028}🎉"])));
    }

    #[test]
    fn anything_else_falls_back() {
        let limits = Limits::default();
        for bad in [
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01",
            "'x'",
            "{\"a\":1}x",
            "[\"\t\"]",
            "nul",
        ] {
            assert!(parse(bad, &limits).is_none(), "{bad}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep, &limits).is_none());
    }
}
