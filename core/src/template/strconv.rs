//! Go's `strconv` quoting as the template engine and Kuma's error texts need it: `Quote` (`%q`,
//! the one quoter of the core: hostnames, validators and field paths use it too), `QuoteRune`,
//! `QuoteToASCII`, `Unquote` for string, raw-string and character constants, and unsigned
//! integers in base 2, 8 or 16.

/// Go's `strconv.Quote` (`%q`).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The inside of Go's `strconv.QuoteRune`: like a quoted string, but `'` is escaped, `"` not.
pub(super) fn quote_rune(c: char) -> String {
    match c {
        '\'' => "\\'".to_owned(),
        '"' => "\"".to_owned(),
        c => {
            let quoted = go_quote(&c.to_string());
            let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            inner.unwrap_or_default().to_owned()
        }
    }
}

/// `%+q`: a Go-quoted text with every non-ASCII rune escaped.
pub(super) fn quote_ascii(quoted: &str, ascii: bool) -> String {
    if !ascii {
        return quoted.to_owned();
    }
    let mut out = String::with_capacity(quoted.len());
    for c in quoted.chars() {
        match c as u32 {
            0..=0x7f => out.push(c),
            u @ 0x80..=0xffff => {
                out.push_str("\\u");
                out.push_str(&radix(u64::from(u), 16, false, 4));
            }
            u => {
                out.push_str("\\U");
                out.push_str(&radix(u64::from(u), 16, false, 8));
            }
        }
    }
    out
}

/// Go's `strconv.Unquote` for a raw string: drop the backquotes and carriage returns.
pub(super) fn raw_unquote(quoted: &str) -> String {
    quoted
        .trim_start_matches('`')
        .trim_end_matches('`')
        .replace('\r', "")
}

/// Go's `strconv.Unquote` for a double-quoted string.
pub(super) fn unquote(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\n' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let (count, radix) = match e {
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            '0'..='7' => (2, 8),
            _ => return None,
        };
        let mut digits = String::new();
        if radix == 8 {
            digits.push(e);
        }
        for _ in 0..count {
            digits.push(chars.next()?);
        }
        let v = u32::from_str_radix(&digits, radix).ok()?;
        if e == 'x' || radix == 8 {
            if v > 255 {
                return None;
            }
            // Go strings are bytes; a lone byte >= 0x80 is not valid UTF-8, keep it as U+FFFD.
            out.push(char::from_u32(v).filter(|_| v < 0x80).unwrap_or('\u{fffd}'));
        } else {
            out.push(char::from_u32(v)?);
        }
    }
    Some(out)
}

/// A character constant (`'x'`, `'\n'`, `'\u00e9'`) as its rune, as Go's parser reads it.
pub(super) fn unquote_char(quoted: &str) -> Option<char> {
    let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    if inner == "\"" {
        return Some('"');
    }
    if inner == "\\'" {
        return Some('\'');
    }
    let s = unquote(&format!("\"{inner}\""))?;
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// `u` in base 2, 8 or 16, zero-padded to `min_width` digits (by hand: fewer `fmt` impls in
/// the WebAssembly module).
pub(super) fn radix(mut u: u64, base: u64, upper: bool, min_width: usize) -> String {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = Vec::new();
    while u > 0 || out.len() < min_width {
        let digit = usize::try_from(u % base).unwrap_or(0);
        out.push(digits.get(digit).copied().unwrap_or(b'0'));
        u /= base;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(go_quote("x\ny"), r#""x\ny""#);
        assert_eq!(go_quote("ü"), "\"ü\"");
        // C1 controls are not printable for Go either: `\u0085`, as strconv.Quote writes it.
        assert_eq!(go_quote("a\u{85}b"), r#""a\u0085b""#);
    }
}
