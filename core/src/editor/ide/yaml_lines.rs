//! Where the cursor is, from block-YAML indentation (what people type, before it parses).

use crate::model::field_lookup::Step;
use crate::model::field_tree::{self, Kind};
use crate::model::ResourceType;
use crate::text::source::{to_u32, TextRange};
use crate::Shape;

/// One line, split the way block YAML nests.
#[derive(Debug, Clone, Default)]
pub(super) struct LineInfo {
    /// Columns of the `- ` sequence markers.
    dashes: Vec<usize>,
    /// Column where the content after indentation and markers starts.
    pub(super) key_col: usize,
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
    /// Whether the line ends on a `-` marker with nothing after it (`  -`): a key proposed
    /// there needs a space before it, or YAML reads `-name:` as one key.
    pub(super) fn ends_on_dash(&self) -> bool {
        self.dashes.last().is_some_and(|&d| d + 1 == self.key_col)
    }

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
pub(super) fn find_colon(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'#') if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return None,
            // A tab separates a key from its value too, as in go-yaml.
            (None, b':') if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t')) => {
                return Some(i)
            }
            (None, b'{' | b'[') if i == 0 => return None,
            _ => {}
        }
    }
    None
}

pub(super) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

pub(super) struct Cursor {
    pub(super) line: usize,
    pub(super) info: LineInfo,
    /// When the cursor is in a value: the key it belongs to.
    pub(super) value_of: Option<String>,
    /// When the cursor is in a flow collection opened on its line (`selector: {meshService: {`,
    /// `- {port: 80, `).
    pub(super) flow: Option<Flow>,
}

/// How many lines above the cursor a multi-line flow collection is looked for.
const FLOW_LOOKBACK: usize = 200;

/// A YAML flow collection open at the cursor.
pub(super) struct Flow {
    /// The block key whose value it is (`None` for a sequence item, `- {`).
    pub(super) key: Option<String>,
    /// From its `{` or `[` to the cursor.
    pub(super) text: String,
}

impl<'t> Lines<'t> {
    pub(super) fn new(text: &'t str) -> Self {
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

    /// Whether `offset` is inside a comment (`# ...` at the start of a line's content or after
    /// whitespace, outside quotes): nothing is proposed there.
    pub(super) fn in_comment(&self, offset: u32) -> bool {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let Some(prefix) = self
            .starts
            .get(line)
            .and_then(|&s| self.text.get(s..offset))
        else {
            return false;
        };
        let mut quote = None;
        let mut escaped = false;
        let mut previous = ' ';
        for c in prefix.chars() {
            match quote {
                Some('"') if escaped => escaped = false,
                Some('"') if c == '\\' => escaped = true,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '#' && previous.is_whitespace() => return true,
                None if matches!(c, '"' | '\'')
                    && matches!(previous, ' ' | '\t' | '[' | '{' | ',' | ':' | '-') =>
                {
                    quote = Some(c);
                }
                None => {}
            }
            previous = c;
        }
        false
    }

    /// The line the cursor is on, read up to the cursor.
    pub(super) fn cursor(&self, offset: u32) -> Option<Cursor> {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied()?;
        let prefix = self.text.get(start..offset)?;
        let info = LineInfo::parse(prefix);
        if info.separator || (info.blank && !prefix.trim().is_empty()) {
            return None;
        }
        let flow_at = match info.key {
            Some(_) => info.value_range.0,
            None => info.key_col,
        };
        let flow = prefix
            .get(flow_at..)
            .filter(|rest| rest.starts_with(['{', '[']))
            .map(|rest| Flow {
                key: info.key.clone(),
                text: rest.to_owned(),
            });
        if flow.is_some() {
            return Some(Cursor {
                line,
                info,
                value_of: None,
                flow,
            });
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
            flow: None,
        })
    }

    /// The outermost flow collection opened on a line above the cursor's and still open at
    /// `offset`: that line (whose indentation places the collection) and the collection's text
    /// to the cursor. Looks at most [`FLOW_LOOKBACK`] lines up, and not past a document
    /// separator.
    pub(super) fn enclosing_flow(&self, offset: u32) -> Option<(usize, LineInfo, Flow)> {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let mut outermost = None;
        for n in (line.saturating_sub(FLOW_LOOKBACK)..line).rev() {
            let info = LineInfo::parse(self.line(n));
            if info.separator {
                break;
            }
            if info.blank {
                continue;
            }
            let at = match info.key {
                Some(_) => info.value_range.0,
                None => info.key_col,
            };
            let start = self.starts.get(n)? + at;
            let Some(text) = self.text.get(start..offset) else {
                continue;
            };
            if text.starts_with(['{', '[']) && super::json_scan::stays_open(text) {
                let key = info.key.clone();
                let flow = Flow {
                    key,
                    text: text.to_owned(),
                };
                outermost = Some((n, info, flow));
            }
        }
        outermost
    }

    /// The path of the key or value under the cursor, and its span.
    pub(super) fn path_at(&self, offset: u32) -> Option<(Vec<Step>, TextRange)> {
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
    pub(super) fn ancestors(&self, line: usize, info: &LineInfo) -> Vec<Step> {
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
    pub(super) fn siblings(&self, line: usize, col: usize) -> Vec<String> {
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
    pub(super) fn kind_around(&self, offset: u32) -> (Option<&'static Kind>, Shape) {
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
