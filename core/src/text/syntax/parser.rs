//! Building the tree from saphyr's events, with the safety limits enforced on the way.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::go_yaml::{self, Token, TokenKind};
use super::{Document, Entry, Limits, Node, NodeKind, Parsed, Scalar};
use crate::text::diagnostics::{Code, Diagnostic};
use crate::text::source::{to_u32, LineIndex, TextRange};

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

/// Parse a text of one or more YAML (or JSON) documents, as go-yaml v2 reads them (see
/// [`go_yaml`]: saphyr reads a copy with go-yaml's separators and line breaks made its own).
pub fn parse(text: &str, limits: &Limits) -> Parsed {
    if text.len() > limits.max_bytes {
        return too_large(text.len(), limits);
    }
    let (prepared, sites) = go_yaml::prepare(text);
    let first = prepared.as_deref().unwrap_or(text);
    let (parsed, tokens, flows) = build(first, limits, !sites.is_empty(), Vec::new());
    match go_yaml::second_pass(first, &sites, &tokens, &flows) {
        Some((second, breaks)) => build(&second, limits, false, breaks).0,
        None => parsed,
    }
}

/// [`parse`] of the text saphyr reads, with its scalars and flow collections when `record` (or
/// the text has a tab); `breaks` are the line breaks it reads where the text has go-yaml's others.
fn build(
    text: &str,
    limits: &Limits,
    record: bool,
    breaks: Vec<go_yaml::Site>,
) -> (Parsed, Vec<Token>, Vec<Token>) {
    // Markers carry char indices; only non-ASCII text needs the line index to map them to bytes.
    let ascii = text.is_ascii();
    let index = if ascii {
        None
    } else {
        Some(LineIndex::new(text))
    };
    let tabs = text.as_bytes().contains(&b'\t');
    let mut builder = Builder {
        text,
        base: 0,
        end: to_u32(text.len()),
        base_line: 0,
        ascii,
        index: index.as_ref(),
        limits,
        nodes: 0,
        anchors: crate::text::fast_map::FastMap::default(),
        stack: Vec::new(),
        out: Parsed::default(),
        tabs,
        record: record || tabs,
        tokens: Vec::new(),
        flows: Vec::new(),
        breaks,
        check_from: 0,
        cursor: std::cell::Cell::new((usize::MAX, 0, 0)),
    };
    builder.run();
    (builder.out, builder.tokens, builder.flows)
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
    /// Where the text being parsed starts (after a syntax error: the next document), in bytes
    /// and in lines.
    base: u32,
    /// Where the text being parsed ends: the text's end, or the start of a document with a
    /// character go-yaml's reader refuses.
    end: u32,
    base_line: usize,
    ascii: bool,
    index: Option<&'t LineIndex>,
    limits: &'t Limits,
    /// Nodes the aliases read so far expand to.
    nodes: usize,
    /// Anchored nodes with their expanded sizes.
    anchors: crate::text::fast_map::FastMap<usize, (Node, usize)>,
    stack: Vec<Open>,
    out: Parsed,
    /// The text has a tab: each document is held to go-yaml's tab rules.
    tabs: bool,
    /// Keep the scalars and flow collections read, for the tab rules and `go_yaml::second_pass`.
    record: bool,
    tokens: Vec<Token>,
    /// The outermost flow collections, in text order.
    flows: Vec<Token>,
    /// Line breaks saphyr reads where the text has U+0085, U+2028 or U+2029.
    breaks: Vec<go_yaml::Site>,
    /// Where the next document's text (for the tab rules) starts.
    check_from: u32,
    /// The last marker mapped on non-ASCII text: line, character column, offset.
    cursor: std::cell::Cell<(usize, usize, u32)>,
}

impl Builder<'_> {
    fn offset(&self, marker: &saphyr_parser::Marker) -> u32 {
        match self.index {
            Some(index) if !self.ascii => {
                let (line, col) = (marker.line() + self.base_line, marker.col());
                // Markers mostly move forward: count on from the last one on the same line, so a
                // long line costs its length once, not once per marker.
                let (last_line, last_col, last) = self.cursor.get();
                let on = (last_line == line && last_col <= col)
                    .then(|| {
                        let rest = self.text.get(last as usize..)?;
                        let (i, _) = rest.char_indices().nth(col - last_col)?;
                        let skipped = rest.get(..i)?;
                        let crossed = skipped.bytes().any(|c| c == b'\n' || c == b'\r');
                        (!crossed).then(|| last + to_u32(i))
                    })
                    .flatten();
                let at = on.unwrap_or_else(|| index.offset_of_char_column(self.text, line, col));
                self.cursor.set((line, col, at));
                at
            }
            _ => (self.base + to_u32(marker.index())).min(to_u32(self.text.len())),
        }
    }

    fn span(&self, span: &Span) -> TextRange {
        TextRange::new(self.offset(&span.start), self.offset(&span.end))
    }

    // One copy, not one per call site: the wasm module is size-budgeted.
    #[inline(never)]
    fn fail(&mut self, code: Code, message: String, at: TextRange) {
        self.out
            .diagnostics
            .push(Diagnostic::new(code, "", message, at));
    }

    /// After a syntax error the rest of its document cannot be read, but the documents after the
    /// next `---` can: kumactl and kubectl split a stream there and read each document alone. A
    /// document with a character go-yaml's reader refuses is not read at all.
    fn run(&mut self) {
        let text = self.text;
        let mut from = 0;
        loop {
            let refused = go_yaml::unusual_char(text, from, false);
            let end = refused.map_or(text.len(), |(at, _)| {
                let mut start = from;
                while let Some(next) =
                    next_document_start(text, to_u32(start)).filter(|&n| n as usize <= at)
                {
                    start = next as usize;
                }
                start
            });
            self.end = to_u32(end);
            let mut base = to_u32(from);
            while refused.is_none() || base < self.end {
                self.base = base;
                // Only non-ASCII text maps positions through lines.
                if let Some(index) = self.index {
                    self.base_line = index.position(text, base).line as usize - 1;
                }
                match self.run_from() {
                    Some(next) if next < self.end => base = next,
                    _ => break,
                }
            }
            let Some((at, ch)) = refused else {
                return;
            };
            if self.out.diagnostics.iter().any(|d| d.code == Code::Limit) {
                return;
            }
            let message = go_yaml::control_message(text, at, ch);
            let span = TextRange::new(to_u32(at), to_u32(at + ch.len_utf8()));
            self.fail(Code::Syntax, message, span);
            match next_document_start(text, to_u32(at)) {
                Some(next) => from = next as usize,
                None => return,
            }
        }
    }

    /// Parse from `base`; the offset of the next document when a syntax error stopped it.
    fn run_from(&mut self) -> Option<u32> {
        let text = self.text;
        let mut parser = Parser::new_from_str(
            text.get(self.base as usize..self.end as usize)
                .unwrap_or(""),
        );
        let mut doc_start = self.base;
        self.check_from = self.base;
        let mut root: Option<(Node, usize)> = None;
        // A scalar's tag failed: the document is reported, not read.
        let mut rejected = false;
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(ok) => ok,
                Err(e) => {
                    let m = e.marker();
                    let mut at = self.offset(m);
                    // A tab the scanner met after a scalar is reported at the scalar's start, one
                    // in the indentation just after it: point at the tab itself.
                    if e.info().ends_with("found a tab")
                        || e.info().ends_with("cannot start with a tab")
                    {
                        at += text
                            .get(at as usize..)
                            .and_then(|t| t.find('\t'))
                            .map_or(0, to_u32);
                    } else if e.info().starts_with("tabs disallowed")
                        && at > 0
                        && text.as_bytes().get(at as usize - 1) == Some(&b'\t')
                    {
                        at -= 1;
                    }
                    // The scanner has its own nesting guard for flow collections; report it as the
                    // limit it is, not as a syntax error.
                    let code = if e.info().contains("recursion limit") {
                        Code::Limit
                    } else {
                        Code::Syntax
                    };
                    let mut msg = go_yaml::go_words(e.info());
                    if let Some(note) = go_yaml::break_note(&self.breaks, doc_start, at) {
                        msg.push_str(note);
                    }
                    self.fail(code, msg, TextRange::new(at, at));
                    return (code == Code::Syntax)
                        .then(|| next_document_start(text, doc_start))
                        .flatten();
                }
            };
            let range = self.span(&span);
            match event {
                Event::StreamStart | Event::Nothing => {}
                // A tab after the last document (or in a text of none) is go-yaml's error too.
                Event::StreamEnd => {
                    self.refuse_tab(range.end, false);
                }
                Event::DocumentStart(_) => {
                    doc_start = range.start;
                    root = None;
                    rejected = false;
                    self.anchors.clear();
                    self.stack.clear();
                }
                Event::DocumentEnd => {
                    rejected |= self.refuse_tab(range.start, rejected);
                    if let Some((node, _)) = root.take().filter(|_| !rejected) {
                        let empty =
                            node.is_null() && node.as_scalar().is_some_and(|s| s.value.is_empty());
                        if !empty {
                            if self.out.documents.len() >= self.limits.max_documents {
                                let msg = format!(
                                    "the input has more than {} documents",
                                    self.limits.max_documents
                                );
                                self.fail(Code::Limit, msg, node.span);
                                return None;
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
                        return next_document_start(text, doc_start);
                    };
                    if !self.count(size, range) {
                        return None;
                    }
                    let node = Node {
                        kind: node.kind,
                        span: range,
                    };
                    if !self.push(node, size, 0, &mut root) {
                        return None;
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    if self.record {
                        let kind = match style {
                            ScalarStyle::Plain => TokenKind::Plain(self.block_column()),
                            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                                TokenKind::Quoted
                            }
                            _ => TokenKind::Block,
                        };
                        let (start, mut end) = (range.start, range.end);
                        if kind == TokenKind::Quoted {
                            // The scalar ends at its closing quote: what follows on the line (a
                            // comment, where go-yaml's line breaks end it) is not its content.
                            end = go_yaml::quoted_end(text, start).unwrap_or(end);
                        }
                        self.tokens.push(Token { start, end, kind });
                    }
                    if matches!(style, ScalarStyle::DoubleQuoted) {
                        let raw = text.get(range.start as usize..range.end as usize);
                        if let Some(at) = raw.and_then(go_yaml::unknown_escape) {
                            // go-yaml v2 knows no `\/` (YAML 1.2's): the document is refused.
                            rejected = true;
                            let at = range.start + to_u32(at);
                            let message = "invalid YAML: while parsing a quoted scalar, found \
                                           unknown escape character";
                            self.fail(Code::Syntax, message.into(), TextRange::new(at, at + 2));
                        }
                    }
                    let mut scalar = Scalar {
                        value: value.into_owned(),
                        plain: matches!(style, ScalarStyle::Plain),
                    };
                    if let Some(tag) = tag {
                        if let Err(message) = scalar.apply_tag(&tag.handle, &tag.suffix) {
                            // Kuma's YAML decoder rejects the whole document.
                            rejected = true;
                            self.fail(Code::Syntax, message, range);
                        }
                    }
                    let node = Node {
                        kind: NodeKind::Scalar(scalar),
                        span: range,
                    };
                    if !self.push(node, 1, anchor, &mut root) {
                        return None;
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
                        return None;
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
                        return None;
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = self.stack.pop() else {
                        continue;
                    };
                    if self.record {
                        let start = match &open {
                            Open::Sequence { start, .. } | Open::Mapping { start, .. } => *start,
                        };
                        // Only the outermost ones, in text order: the inner ones closed first.
                        if matches!(text.as_bytes().get(start as usize), Some(b'[' | b'{')) {
                            while self.flows.last().is_some_and(|inner| inner.start >= start) {
                                self.flows.pop();
                            }
                            let (end, kind) = (range.end, TokenKind::Flow);
                            self.flows.push(Token { start, end, kind });
                        }
                    }
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
                        return None;
                    }
                }
            }
        }
        None
    }

    /// Holds the text from the last check to `to` to go-yaml's tab rules (unless `skip`): whether
    /// a tab was refused (and reported).
    fn refuse_tab(&mut self, to: u32, skip: bool) -> bool {
        let from = std::mem::replace(&mut self.check_from, to) as usize;
        if skip || !self.tabs {
            return false;
        }
        let (tokens, flows) = (&self.tokens, &self.flows);
        let Some((at, message)) = go_yaml::refused_tab(self.text, from, to as usize, tokens, flows)
        else {
            return false;
        };
        let at = to_u32(at);
        self.fail(Code::Syntax, message.into(), TextRange::new(at, at + 1));
        true
    }

    /// The column of the block collection a scalar read now is in (-1: none, or a flow one).
    fn block_column(&self) -> i64 {
        match self.stack.last() {
            Some(Open::Mapping { start, .. }) => {
                go_yaml::block_column(self.text, *start as usize, false)
            }
            Some(Open::Sequence { start, .. }) => {
                go_yaml::block_column(self.text, *start as usize, true)
            }
            None => -1,
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

    /// Counts what aliases expand to: the text itself is bounded by its size in bytes.
    fn count(&mut self, n: usize, at: TextRange) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            let msg = format!(
                "aliases expand to more than {} nodes; refusing to read further",
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

/// Where to read on after a syntax error in the document that starts at `doc_start`: the first
/// document marker (`---` at the start of a line) after that start. The scanner may report the
/// error anywhere from before that marker to the next document's first line (an unclosed flow
/// collection), but the document ends at the marker.
fn next_document_start(text: &str, doc_start: u32) -> Option<u32> {
    let rest = text.get(doc_start as usize..)?;
    let mut searched = 0;
    while let Some(i) = rest.get(searched..)?.find("\n---") {
        let start = searched + i + 1;
        match rest.as_bytes().get(start + 3) {
            None | Some(b' ' | b'\t' | b'\r' | b'\n') => return Some(doc_start + to_u32(start)),
            _ => searched = start,
        }
    }
    None
}
