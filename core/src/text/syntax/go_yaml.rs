//! Where go-yaml v2, the reader behind `kumactl apply` (`sigs.k8s.io/yaml`), reads text otherwise
//! than saphyr, the scanner the tree is built with: the characters its reader refuses, the line
//! breaks it knows besides `\n` and `\r`, where it takes a tab, and the escapes it knows.
//!
//! saphyr reads a copy of the text of the same length, in up to two passes. The first
//! ([`prepare`]) makes a tab right after a key's `:`, a separator to go-yaml, a space. The second
//! ([`second_pass`], only when it changes something) puts back such tabs that turned out to be a
//! quoted or block scalar's content, and makes go-yaml's other line breaks saphyr's outside quoted
//! scalars: U+0085 becomes `\r\n` (go-yaml reads it as `\n`), U+2028 and U+2029 two spaces and
//! `\n` (go-yaml ends a line there too). Inside a quoted scalar they stay: go-yaml keeps U+2028
//! and U+2029 there (folding U+0085 into a space, which saphyr does not). Byte offsets stay the
//! text's.

use crate::text::source::to_u32;

/// A scalar or (outermost) flow collection read from the text, for the tab rules and
/// [`second_pass`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) kind: TokenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// A plain scalar, with the column of the block collection it is in (-1: none), which is
    /// where go-yaml's scanner wants its continuation lines: beyond it.
    Plain(i64),
    Quoted,
    Block,
    /// A flow collection, brackets included: go-yaml takes tabs anywhere in it.
    Flow,
}

/// A character saphyr may read in place of the text's: where it is and the text's byte there (a
/// tab, or the last byte of U+0085, U+2028 or U+2029).
pub(super) type Site = (u32, u8);

/// The text as saphyr reads it first (`None`: the text itself) and the sites of [`second_pass`],
/// in text order.
pub(super) fn prepare(text: &str) -> (Option<String>, Vec<Site>) {
    let b = text.as_bytes();
    // Every change below starts at a tab or at the lead byte of U+0085, U+2028/U+2029 or a byte
    // order mark: most texts have none.
    if !b.iter().any(|c| matches!(c, b'\t' | 0xC2 | 0xE2 | 0xEF)) {
        return (None, Vec::new());
    }
    let mut out: Option<Vec<u8>> = None;
    let mut sites = Vec::new();
    // Whether the line so far holds more than blanks.
    let mut content = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match (c, b.get(i + 1), b.get(i + 2)) {
            (0xC2, Some(&last @ 0x85), _) | (0xE2, Some(0x80), Some(&last @ (0xA8 | 0xA9))) => {
                sites.push((to_u32(i), last));
            }
            // A byte order mark: kumactl reads each document alone, so one that starts a
            // document (after its `---` line: two files saved by Windows, concatenated) is its
            // stream's, which go-yaml drops; saphyr takes one before the `---`, so they trade
            // places. In a comment it is text to go-yaml and a space to saphyr (a quoted
            // scalar's, which saphyr keeps, is put back).
            (0xEF, Some(0xBB), Some(0xBF)) if i > 0 => {
                if let Some(marker) = (line_start(b, i) == i)
                    .then(|| document_marker(b, i))
                    .flatten()
                {
                    let copy = out.get_or_insert_with(|| b.to_vec());
                    copy[marker..i + 3].rotate_right(3);
                } else if in_comment(b, line_start(b, i), i) {
                    let copy = out.get_or_insert_with(|| b.to_vec());
                    sites.push((to_u32(i), BOM_IN_COMMENT));
                    copy[i..i + 3].copy_from_slice(b"   ");
                }
                i += 2;
            }
            // A block scalar's header (`|`, `>-`, `|2+`) followed by a tab: go-yaml skips blanks
            // before the header's comment, saphyr only spaces. Marked [`HEADER_TAB`]: a space
            // for good, unless it was a quoted scalar's text.
            (b'|' | b'>', _, _) if content && block_header_start(b, i) => {
                let mut j = i + 1;
                while matches!(b.get(j), Some(b'0'..=b'9' | b'+' | b'-')) && j < i + 3 {
                    j += 1;
                }
                if b.get(j) == Some(&b'\t') {
                    let copy = out.get_or_insert_with(|| b.to_vec());
                    while let Some(&c @ (b' ' | b'\t')) = b.get(j) {
                        if c == b'\t' {
                            sites.push((to_u32(j), HEADER_TAB));
                            copy[j] = b' ';
                        }
                        j += 1;
                    }
                    i = j - 1;
                }
            }
            // A key's `:` (not the first thing on its line: that is a complex key's value, where
            // go-yaml refuses a tab) followed by a tab.
            (b':', Some(b'\t'), _) if content => {
                let copy = out.get_or_insert_with(|| b.to_vec());
                while let Some(&c @ (b' ' | b'\t')) = b.get(i + 1) {
                    i += 1;
                    if c == b'\t' {
                        sites.push((to_u32(i), c));
                        copy[i] = b' ';
                    }
                }
            }
            _ => {}
        }
        content = !matches!(c, b'\n' | b'\r') && (content || !matches!(c, b' ' | b'\t'));
        i += 1;
    }
    (out.and_then(|v| String::from_utf8(v).ok()), sites)
}

/// A [`Site`]'s byte for a tab after a block scalar's header, which stays a space.
const HEADER_TAB: u8 = 0x0B;
/// A [`Site`]'s byte for a byte order mark in what looks like a comment, made spaces.
const BOM_IN_COMMENT: u8 = 0x0E;

/// The start of the `---` line just before the line that starts at `i`, if it is one.
fn document_marker(b: &[u8], i: usize) -> Option<usize> {
    let mut end = i.checked_sub(1)?;
    if b[end] == b'\n' && end > 0 && b[end - 1] == b'\r' {
        end -= 1;
    }
    let start = line_start(b, end);
    (b[start..end].starts_with(b"---")
        && matches!(b.get(start + 3), Some(b' ' | b'\t' | b'\n' | b'\r')))
    .then_some(start)
}

/// Whether `b[line..i]` holds a `#` that starts a comment (at the line's start or after a blank;
/// a quoted scalar's is found later, by its token).
fn in_comment(b: &[u8], line: usize, i: usize) -> bool {
    (line..i).any(|k| b[k] == b'#' && (k == line || matches!(b[k - 1], b' ' | b'\t')))
}

/// Whether the `|` or `>` at `i` can start a block scalar: after a key's `:`, a `-`, a `?` or a
/// tag or anchor, with a blank between.
fn block_header_start(b: &[u8], i: usize) -> bool {
    let before = b[..i].iter().rposition(|c| !matches!(c, b' ' | b'\t'));
    match before {
        Some(p) if p + 1 == i => false,
        Some(p) => {
            matches!(b[p], b':' | b'-' | b'?') || {
                // A tag or an anchor: a word after a blank that starts with `!` or `&`.
                let word = b[..=p]
                    .iter()
                    .rposition(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
                matches!(b.get(word.map_or(0, |w| w + 1)), Some(b'!' | b'&'))
            }
        }
        None => true,
    }
}

fn line_start(b: &[u8], i: usize) -> usize {
    b[..i]
        .iter()
        .rposition(|&c| c == b'\n' || c == b'\r')
        .map_or(0, |p| p + 1)
}

/// The text saphyr reads next, from the first pass's `first`, its scalars and flow collections,
/// when it differs, and the line breaks it made saphyr's: tabs made spaces that are a quoted or
/// block scalar's content put back, go-yaml's line breaks made saphyr's outside quoted scalars,
/// and U+0085 in a quoted scalar of a flow collection too (go-yaml folds it into a space;
/// elsewhere saphyr would want the next line indented, which go-yaml does not, so it stays).
pub(super) fn second_pass(
    first: &str,
    sites: &[Site],
    tokens: &[Token],
    flows: &[Token],
) -> Option<(String, Vec<Site>)> {
    let mut out: Option<Vec<u8>> = None;
    let mut breaks = Vec::new();
    for &(at, byte) in sites {
        let kind = token_at(tokens, at as usize).map(|t| t.kind);
        let in_flow = || token_at(flows, at as usize).is_some();
        let with: &[u8] = match (byte, kind) {
            (HEADER_TAB, Some(TokenKind::Quoted)) => b"\t",
            (BOM_IN_COMMENT, Some(TokenKind::Quoted)) => "\u{feff}".as_bytes(),
            (HEADER_TAB | BOM_IN_COMMENT, _) => continue,
            (b'\t', Some(TokenKind::Quoted | TokenKind::Block)) => b"\t",
            (0x85, Some(TokenKind::Quoted)) if in_flow() => b"\r\n",
            (b'\t', _) | (_, Some(TokenKind::Quoted)) => continue,
            (0x85, _) => b"\r\n",
            _ => b"  \n",
        };
        if matches!(byte, 0x85 | 0xA8 | 0xA9) {
            breaks.push((at, byte));
        }
        let copy = out.get_or_insert_with(|| first.as_bytes().to_vec());
        for (k, &c) in with.iter().enumerate() {
            copy[at as usize + k] = c;
        }
    }
    let text = String::from_utf8(out?).ok()?;
    Some((text, breaks))
}

/// The note for a syntax error at `at` in the document that starts at `doc_start`, when a line
/// break of `breaks` (made saphyr's by [`second_pass`]) comes before it there: the likely cause,
/// and invisible.
pub(super) fn break_note(breaks: &[Site], doc_start: u32, at: u32) -> Option<&'static str> {
    let &(_, byte) = breaks[..breaks.partition_point(|&(b, _)| b < at)]
        .last()
        .filter(|&&(b, _)| b >= doc_start)?;
    Some(match byte {
        0x85 => " (after U+0085, which ends a line for Kuma's YAML reader)",
        0xA8 => " (after U+2028, which ends a line for Kuma's YAML reader)",
        _ => " (after U+2029, which ends a line for Kuma's YAML reader)",
    })
}

/// The token whose text holds offset `at` (`tokens` are in text order and do not overlap; an
/// empty one may sit at the end of another).
fn token_at(tokens: &[Token], at: usize) -> Option<&Token> {
    let at = to_u32(at);
    let after = tokens.partition_point(|t| t.start <= at);
    let holds = |i: usize| tokens.get(i).filter(|t| at < t.end);
    holds(after.wrapping_sub(1)).or_else(|| holds(after.wrapping_sub(2)))
}

/// Where the quoted scalar that starts at `start` (at its quote) ends: just past its closing
/// quote (`\"` escapes a double quote, `''` is a single quote in a single-quoted one).
pub(super) fn quoted_end(text: &str, start: u32) -> Option<u32> {
    let b = text.as_bytes();
    let quote = *b.get(start as usize)?;
    if !matches!(quote, b'"' | b'\'') {
        return None;
    }
    let mut i = start as usize + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
            c if c == quote => return Some(to_u32(i + 1)),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first character at or after `from` that go-yaml's reader refuses ("control characters are
/// not allowed": anything but tab, `\n`, `\r`, U+0020-U+007E, U+0085, U+00A0-U+D7FF,
/// U+E000-U+FFFD and U+10000 up), or with `breaks` also one it reads as a line break besides `\n`
/// and `\r` (U+0085, U+2028, U+2029) and a byte order mark after the first character (what
/// the fast paths leave to the parser), with its offset.
pub(crate) fn unusual_char(text: &str, from: usize, breaks: bool) -> Option<(usize, char)> {
    let b = text.as_bytes();
    // Only a control byte or the lead byte of one of these characters can start one: skip the
    // rest with a table look-up per byte (this runs over every text checked).
    let candidate = |c: &u8| UNUSUAL_START[usize::from(*c)];
    let mut i = from;
    while let Some(&c) = b.get(i) {
        if !candidate(&c) {
            i += b
                .get(i..)
                .and_then(|rest| rest.iter().position(candidate))
                .unwrap_or(b.len() - i);
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        let found = match c {
            b'\t' | b'\n' | b'\r' => false,
            0..=0x1F | 0x7F => true,
            0xC2 => matches!(next, 0x80..=0x9F) && (breaks || next != 0x85),
            0xE2 => breaks && next == 0x80 && matches!(b.get(i + 2), Some(0xA8 | 0xA9)),
            0xEF => {
                (next == 0xBF && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
                    || (breaks && i > 0 && next == 0xBB && b.get(i + 2) == Some(&0xBF))
            }
            _ => false,
        };
        if found {
            return text.get(i..)?.chars().next().map(|ch| (i, ch));
        }
        i += 1;
    }
    None
}

/// The bytes [`unusual_char`] looks at: control bytes (tab and line ends too, which it passes)
/// and the lead bytes of U+0080-U+009F, U+2028/U+2029, U+FEFF and U+FFFE/U+FFFF.
static UNUSUAL_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = c < 0x20 || c == 0x7F || c == 0xC2 || c == 0xE2 || c == 0xEF;
        c += 1;
    }
    table
};

/// The column of the block collection that opens at `start` (an indentless sequence opens at
/// its first item: its `-` is the column), or -1 for a flow collection. Only blanks, `-` and `?`
/// precede a block collection on its line, so bytes are characters.
pub(super) fn block_column(text: &str, start: usize, sequence: bool) -> i64 {
    let b = text.as_bytes();
    if matches!(b.get(start), Some(b'[' | b'{')) {
        return -1;
    }
    let mut at = start.min(b.len());
    if sequence && b.get(at) != Some(&b'-') {
        if let Some(dash) = b[..at]
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .filter(|&d| b[d] == b'-')
        {
            at = dash;
        }
    }
    (at - line_start(b, at)) as i64
}

/// go-yaml's reader error for `ch` at `at`, with the character named (it is invisible) and, for a
/// NUL beside the first character, the likely cause.
pub(super) fn control_message(text: &str, at: usize, ch: char) -> String {
    let b = text.as_bytes();
    let utf16 = ch == '\0'
        && at <= 1
        && matches!((b.first(), b.get(1)), (Some(&x), Some(&y)) if (x == 0) != (y == 0));
    let cause = if utf16 {
        "; the text looks like UTF-16 without a byte order mark: save it as UTF-8"
    } else {
        ""
    };
    format!(
        "invalid YAML: control characters are not allowed (U+{:04X}{cause})",
        ch as usize
    )
}

/// go-yaml's message for a tab where its scanner wants a token.
pub(super) const TAB_CANNOT_START: &str =
    "invalid YAML: found character that cannot start any token (a tab)";
/// go-yaml's message for a tab in the indentation of a plain scalar's next line.
pub(super) const TAB_INDENTATION: &str =
    "invalid YAML: found a tab character that violates indentation";

/// A syntax error of saphyr's scanner in go-yaml's words where the two refuse the same text
/// for the same reason (a tab in a line's indentation, a key without `:`), else in saphyr's,
/// as the message of a diagnostic.
pub(super) fn go_words(info: &str) -> String {
    if info.starts_with("tabs disallowed") {
        TAB_CANNOT_START.to_owned()
    } else if info.ends_with("found a tab") {
        TAB_INDENTATION.to_owned()
    } else if info.ends_with("cannot start with a tab") {
        "invalid YAML: found a tab character where an indentation space is expected".to_owned()
    } else if info == "simple key expect ':'" {
        "invalid YAML: could not find expected ':'".to_owned()
    } else {
        format!("invalid YAML: {info}")
    }
}

/// The first tab of `text[from..to]` that go-yaml's scanner refuses, with its message. go-yaml v2
/// takes a tab as a separator inside flow collections, after a scalar, a key's `:`, an anchor, a
/// tag or a flow collection on the same line, and in the indentation of a plain scalar's next
/// lines beyond the column of its block collection; it refuses one after `-` or `?`, after a
/// complex key's `:`, and anywhere else in a line's indentation (a line of only a tab included).
/// One pass: `from` starts a line (or the text).
pub(super) fn refused_tab(
    text: &str,
    from: usize,
    to: usize,
    tokens: &[Token],
    flows: &[Token],
) -> Option<(usize, &'static str)> {
    let b = text.as_bytes();
    let mut line = from;
    // The line's first and last bytes that are not blanks, whether a comment has started on it,
    // and the last byte so far that is neither a blank nor a line break.
    let (mut first, mut last, mut comment, mut solid) = (None, None, false, None::<usize>);
    for i in from..to.min(b.len()) {
        match b[i] {
            b'\n' | b'\r' => {
                (line, first, last, comment) = (i + 1, None, None, false);
                continue;
            }
            b' ' => continue,
            b'\t' => {}
            c => {
                comment |= c == b'#'
                    && (i == line || matches!(b[i - 1], b' ' | b'\t'))
                    && token_at(tokens, i).is_none();
                first = first.or(Some(i));
                (last, solid) = (Some(i), Some(i));
                continue;
            }
        }
        let tab = i;
        if comment || token_at(flows, tab).is_some() {
            continue;
        }
        let inside = token_at(tokens, tab);
        if inside.is_some_and(|t| !matches!(t.kind, TokenKind::Plain(_))) {
            continue;
        }
        let Some(q) = last else {
            // In the indentation: only a plain scalar's continuation takes it.
            let previous = inside.or_else(|| {
                solid.and_then(|p| token_at(tokens, p).filter(|t| t.end as usize == p + 1))
            });
            match previous.map(|t| t.kind) {
                Some(TokenKind::Plain(indent)) if (tab - line) as i64 > indent => continue,
                Some(TokenKind::Plain(_)) => return Some((tab, TAB_INDENTATION)),
                _ => return Some((tab, TAB_CANNOT_START)),
            }
        };
        if token_at(tokens, q).is_some() {
            continue;
        }
        let refused = match b[q] {
            b'-' => b.get(line..line + 3) != Some(b"---") || q != line + 2,
            b'?' => true,
            b':' => first == Some(q),
            _ => false,
        };
        if refused {
            return Some((tab, TAB_CANNOT_START));
        }
    }
    None
}

/// Where a double-quoted scalar's text `raw` has an escape go-yaml v2 does not know and saphyr
/// does (`\/`, YAML 1.2's): the backslash's offset in `raw`.
pub(super) fn unknown_escape(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\\' {
            if b.get(i + 1) == Some(&b'/') {
                return Some(i);
            }
            i += 1;
        }
        i += 1;
    }
    None
}

/// A `!!binary` scalar's text decoded as go-yaml v2 decodes it (Go's `base64.StdEncoding`, which
/// skips `\r` and `\n`: padding required, nothing after it), then made text as Go's JSON encoder
/// makes it (each byte that is not UTF-8 becomes U+FFFD). `None` for invalid base64.
pub(super) fn binary(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut n, mut pad) = (0u32, 0, 0);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'\r' | b'\n' => continue,
            b'=' => {
                pad += 1;
                continue;
            }
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = acc << 6 | u32::from(v);
        n += 1;
        if n == 4 {
            bytes.extend_from_slice(&acc.to_be_bytes()[1..]);
            (acc, n) = (0, 0);
        }
    }
    match (n, pad) {
        (0, 0) => {}
        (2, 2) => bytes.push((acc >> 4) as u8),
        (3, 1) => bytes.extend_from_slice(&(acc >> 2).to_be_bytes()[2..]),
        _ => return None,
    }
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{FFFD}');
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
