//! Source positions.
//!
//! Internally every location is a byte range into the document text ([`TextRange`]).
//! Line and column are computed only at the edges, from a [`LineIndex`], in the three
//! encodings our users need at once:
//! 1-based line and character column for people (compiler-style `file:3:7`),
//! 0-based UTF-16 `character` for editors (LSP, Monaco, VS Code),
//! and the byte offset for tools.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into a source text; `start <= end`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct TextRange {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl TextRange {
    /// A range from `start` to `end`; swapped if given backwards.
    #[inline(always)]
    pub fn new(start: u32, end: u32) -> Self {
        if start <= end {
            Self { start, end }
        } else {
            Self {
                start: end,
                end: start,
            }
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// The smallest range covering both.
    pub fn cover(self, other: TextRange) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Whether `offset` lies inside the range (the end counts, so a cursor right after a token is
    /// "in" it).
    pub fn contains_inclusive(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the range is empty.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// One end of a [`Range`], in every encoding a consumer may want.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column counted in Unicode scalar values (what people and compilers print).
    pub column: u32,
    /// 0-based column counted in UTF-16 code units (LSP `character`, Monaco column - 1).
    pub character: u32,
    /// 0-based byte offset into the text.
    pub offset: u32,
}

/// A located range, ready to show to a person or an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Range {
    /// Where the range starts.
    pub start: Position,
    /// Where the range ends (exclusive).
    pub end: Position,
}

/// Maps byte offsets to lines and columns for one text.
///
/// Built once per text in O(n); each lookup is a binary search plus a scan of one line.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first byte of every line.
    line_starts: Vec<u32>,
    /// Whether the whole text is ASCII, so columns equal byte distances.
    ascii: bool,
    len: u32,
}

impl LineIndex {
    /// Index `text`. Lines end at `\n`, `\r\n` or a lone `\r`: the line breaks of YAML and of
    /// the Language Server Protocol, so a file saved with old Mac line endings is not one line.
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(to_u32(i + 1));
            }
        }
        Self {
            line_starts,
            ascii: text.is_ascii(),
            len: to_u32(text.len()),
        }
    }

    /// Number of lines (a text without newline has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based line `line` starts, if it exists.
    pub fn line_start(&self, line: usize) -> Option<u32> {
        self.line_starts.get(line).copied()
    }

    /// The position of byte `offset` in `text` (the text this index was built from).
    /// Offsets past the end, or inside a UTF-8 sequence, are clamped to the previous boundary.
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let mut offset = offset.min(self.len);
        while offset > 0 && !text.is_char_boundary(offset as usize) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        };
        let line_start = self.line_starts[line];
        let (column, character) = if self.ascii {
            let d = offset - line_start;
            (d, d)
        } else {
            let prefix = &text[line_start as usize..offset as usize];
            let chars = to_u32(prefix.chars().count());
            let units = to_u32(prefix.chars().map(char::len_utf16).sum::<usize>());
            (chars, units)
        };
        Position {
            line: to_u32(line + 1),
            column: column + 1,
            character,
            offset,
        }
    }

    /// The located form of `range`.
    pub fn range(&self, text: &str, range: TextRange) -> Range {
        Range {
            start: self.position(text, range.start),
            end: self.position(text, range.end),
        }
    }

    /// Byte offset of a 1-based line and 0-based character (Unicode scalar) column,
    /// as YAML scanners report them. Clamped to the end of that line.
    pub fn offset_of_char_column(&self, text: &str, line: usize, char_col: usize) -> u32 {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.len;
        };
        let end = self.line_starts.get(line).copied().unwrap_or(self.len);
        if self.ascii {
            return (start + to_u32(char_col)).min(end);
        }
        let line_text = &text[start as usize..end as usize];
        match line_text.char_indices().nth(char_col) {
            Some((i, _)) => start + to_u32(i),
            None => end,
        }
    }

    /// Byte offset of a 0-based line and 0-based UTF-16 `character` (an LSP position).
    /// Positions inside a surrogate pair or past the line end are clamped.
    pub fn offset_of_utf16(&self, text: &str, line: u32, character: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return self.len;
        };
        let end = self
            .line_starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(self.len);
        let line_text = &text[start as usize..end as usize];
        let mut units = 0u32;
        for (i, c) in line_text.char_indices() {
            if units >= character || c == '\n' || c == '\r' {
                return start + to_u32(i);
            }
            units += to_u32(c.len_utf16());
        }
        end
    }
}

/// Lengths in this crate are bounded by the input size limit (far below 4 GiB),
/// so saturating is only a guard against misuse, never a silent wrap.
#[inline(always)]
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions_are_one_based_for_people_and_zero_based_for_editors() {
        let text = "a: 1\nbb: 2\n";
        let index = LineIndex::new(text);
        let p = index.position(text, 5);
        assert_eq!((p.line, p.column, p.character, p.offset), (2, 1, 0, 5));
        let p = index.position(text, 9);
        assert_eq!((p.line, p.column, p.character), (2, 5, 4));
    }

    #[test]
    fn non_ascii_columns_count_chars_and_utf16_units_separately() {
        // 'é' is 2 bytes / 1 UTF-16 unit, '🎉' is 4 bytes / 2 UTF-16 units.
        let text = "x: é🎉y\n";
        let index = LineIndex::new(text);
        let y = text.find('y').map(|i| i as u32).unwrap_or_default();
        let p = index.position(text, y);
        assert_eq!(p.column, 6); // x : space é 🎉 -> 5 chars before y
        assert_eq!(p.character, 6); // x : space é(1) 🎉(2) -> 6 units
        assert_eq!(index.offset_of_utf16(text, 0, 6), y);
        assert_eq!(index.offset_of_char_column(text, 1, 5), y);
    }

    #[test]
    fn every_line_break_of_yaml_and_lsp_starts_a_line() {
        // `\n`, `\r\n` and a lone `\r` (old Mac files): an error on `c` is on line 3 in all.
        for text in [
            "a: 1\nb: 2\nc: x",
            "a: 1\r\nb: 2\r\nc: x",
            "a: 1\rb: 2\rc: x",
        ] {
            let index = LineIndex::new(text);
            let c = text.find('c').map(|i| i as u32).unwrap_or_default();
            let p = index.position(text, c);
            assert_eq!((p.line, p.column, p.character), (3, 1, 0), "{text:?}");
            assert_eq!(index.line_count(), 3);
            assert_eq!(index.offset_of_utf16(text, 2, 0), c);
        }
    }

    #[test]
    fn offsets_inside_a_utf8_sequence_are_clamped() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 1).offset, 0);
        assert_eq!(index.position(text, 99).offset, 2);
    }
}
