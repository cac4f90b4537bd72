//! The errors Go's `encoding/json` gives for a request body Kuma cannot decode: its scanner's
//! syntax errors (checked over the whole body before anything is decoded) and the type errors of
//! a body that is not an object. Iterative, so no body can overflow the stack.

use serde_json::Value;

const END: &str = "unexpected end of JSON input";
/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// Go's `quoteChar`: the byte as Go prints it in a syntax error.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_owned(),
        b'"' => "'\"'".to_owned(),
        _ => {
            let quoted = crate::template::go_quote(&char::from(c).to_string());
            let inner = quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or(&quoted);
            format!("'{inner}'")
        }
    }
}

fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

#[derive(Clone, Copy)]
enum Ctx {
    /// After an object key (expects `:`).
    Key,
    /// After an object value (expects `,` or `}`).
    Value,
    /// After an array element (expects `,` or `]`).
    Array,
}

struct Scanner<'a> {
    data: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.data.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Result<u8, String> {
        self.data.get(self.i).copied().ok_or_else(|| END.to_owned())
    }

    fn string(&mut self) -> Result<(), String> {
        self.i += 1; // the opening quote
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.peek()?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(invalid(h, "in \\u hexadecimal character escape"));
                                }
                                self.i += 1;
                            }
                        }
                        _ => return Err(invalid(e, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn digits(&mut self) {
        while self.data.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Result<(), String> {
        if self.peek()? == b'-' {
            self.i += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in numeric literal"));
            }
        }
        if self.peek()? == b'0' {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.data.get(self.i) == Some(&b'.') {
            self.i += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.data.get(self.i) {
            self.i += 1;
            if let b'+' | b'-' = self.peek()? {
                self.i += 1;
            }
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        self.i += 1;
        for expected in word.bytes().skip(1) {
            let c = self.peek()?;
            if c != expected {
                return Err(invalid(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(expected)),
                ));
            }
            self.i += 1;
        }
        Ok(())
    }
}

/// How deep [`shallow`] keeps a body: below serde_json's recursion limit (128), far deeper than
/// any field a Kuma schema checks.
pub(crate) const KEPT_DEPTH: usize = 100;

/// A valid JSON `text` with every array or object nested deeper than [`KEPT_DEPTH`] emptied (`[]`,
/// `{}`): what Kuma's answer depends on of a body nested up to Go's 10,000 levels, which
/// serde_json (and a recursive drop) cannot hold. Kuma reads such a value's kind at a field its
/// schema knows, and prunes it elsewhere; nothing it checks is that deep. Borrowed when nothing
/// is that deep.
pub(crate) fn shallow(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut out: Option<String> = None;
    // The start of the text not yet copied to `out`, and the depth being skipped (0: none).
    let (mut copied, mut skipping) = (0usize, 0usize);
    for (i, &c) in b.iter().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == KEPT_DEPTH + 1 && skipping == 0 {
                    let kept = out.get_or_insert_with(|| String::with_capacity(text.len()));
                    kept.push_str(&text[copied..=i]);
                    skipping = depth;
                }
            }
            b']' | b'}' => {
                if depth == skipping {
                    copied = i;
                    skipping = 0;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    match out {
        Some(mut kept) => {
            kept.push_str(&text[copied..]);
            std::borrow::Cow::Owned(kept)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// The error Go's `json.Unmarshal` gives for a body that is not valid JSON, if any.
pub(crate) fn syntax_error(data: &[u8]) -> Option<String> {
    scan(data).err()
}

fn scan(data: &[u8]) -> Result<(), String> {
    let mut s = Scanner { data, i: 0 };
    let mut stack: Vec<Ctx> = Vec::new();
    'value: loop {
        // A value begins.
        s.skip_ws();
        let c = s.peek()?;
        if matches!(c, b'{' | b'[') && stack.len() >= MAX_DEPTH {
            return Err(invalid(c, "exceeded max depth"));
        }
        match c {
            b'{' => {
                s.i += 1;
                s.skip_ws();
                match s.peek()? {
                    b'}' => s.i += 1,
                    b'"' => {
                        s.string()?;
                        stack.push(Ctx::Key);
                    }
                    other => {
                        return Err(invalid(other, "looking for beginning of object key string"))
                    }
                }
            }
            b'[' => {
                s.i += 1;
                s.skip_ws();
                if s.peek()? == b']' {
                    s.i += 1;
                } else {
                    stack.push(Ctx::Array);
                    continue 'value;
                }
            }
            b'"' => s.string()?,
            b'-' | b'0'..=b'9' => s.number()?,
            b't' => s.literal("true")?,
            b'f' => s.literal("false")?,
            b'n' => s.literal("null")?,
            other => return Err(invalid(other, "looking for beginning of value")),
        }
        // A value ended.
        loop {
            s.skip_ws();
            let Some(ctx) = stack.last().copied() else {
                return match data.get(s.i) {
                    Some(&c) => Err(invalid(c, "after top-level value")),
                    None => Ok(()),
                };
            };
            let c = s.peek()?;
            match (ctx, c) {
                (Ctx::Key, b':') => {
                    s.i += 1;
                    if let Some(top) = stack.last_mut() {
                        *top = Ctx::Value;
                    }
                    continue 'value;
                }
                (Ctx::Key, _) => return Err(invalid(c, "after object key")),
                (Ctx::Value, b',') => {
                    s.i += 1;
                    s.skip_ws();
                    let k = s.peek()?;
                    if k != b'"' {
                        return Err(invalid(k, "looking for beginning of object key string"));
                    }
                    s.string()?;
                    if let Some(top) = stack.last_mut() {
                        *top = Ctx::Key;
                    }
                }
                (Ctx::Value, b'}') | (Ctx::Array, b']') => {
                    s.i += 1;
                    stack.pop();
                }
                (Ctx::Value, _) => return Err(invalid(c, "after object key:value pair")),
                (Ctx::Array, b',') => {
                    s.i += 1;
                    continue 'value;
                }
                (Ctx::Array, _) => return Err(invalid(c, "after array element")),
            }
        }
    }
}

/// Go's name of a JSON value's kind in an `UnmarshalTypeError`.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::{shallow, syntax_error, Value, KEPT_DEPTH};

    fn err(s: &str) -> String {
        syntax_error(s.as_bytes()).unwrap_or_default()
    }

    #[test]
    fn syntax_errors_read_as_gos() {
        let cases = [
            (
                "{,\n}",
                "invalid character ',' looking for beginning of object key string",
            ),
            ("", "unexpected end of JSON input"),
            ("{\"a\":1", "unexpected end of JSON input"),
            ("x", "invalid character 'x' looking for beginning of value"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            (
                "{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("{} x", "invalid character 'x' after top-level value"),
            ("01", "invalid character '1' after top-level value"),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                "1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            ("tru", "unexpected end of JSON input"),
            (
                "trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            (
                "nul1",
                "invalid character '1' in literal null (expecting 'l')",
            ),
            ("\"a\nb\"", "invalid character '\\n' in string literal"),
            ("\"\\x\"", "invalid character 'x' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (
                "{'a':1}",
                "invalid character '\\'' looking for beginning of object key string",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(err(input), want, "{input:?}");
        }
        for ok in [
            "{}",
            " [ ] ",
            "{\"a\":[1,-2.5e+3,true,false,null,{\"b\":\"\\u00e9\"}]}",
            "0",
        ] {
            assert_eq!(syntax_error(ok.as_bytes()), None, "{ok:?}");
        }
        // Deep nesting is scanned without recursion, and emptied below what serde reads.
        let deep = format!(
            "{{\"a\":{}1{},\"b\":\"[[\"}}",
            "[".repeat(5_000),
            "]".repeat(5_000)
        );
        assert_eq!(syntax_error(deep.as_bytes()), None);
        let kept = shallow(&deep);
        assert_eq!(
            kept,
            format!(
                "{{\"a\":{}{},\"b\":\"[[\"}}",
                "[".repeat(KEPT_DEPTH),
                "]".repeat(KEPT_DEPTH)
            )
        );
        assert!(serde_json::from_str::<Value>(&kept).is_ok());
        assert!(matches!(
            shallow("{\"a\":[[1]]}"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(err(&"[".repeat(10_000)), "unexpected end of JSON input");
        assert_eq!(
            err(&"[".repeat(100_000)),
            "invalid character '[' exceeded max depth"
        );
    }
}
