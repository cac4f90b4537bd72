//! Go's builtin template functions plus Kuma's `label`: the function table the parser checks
//! names against, each function's arity, and the functions themselves on evaluated arguments
//! (`and`, `or` and `call` need the evaluator, which runs them itself: see `exec`).

use super::fmt::{sprint, sprintf};
use super::strconv::radix;
use super::value::{is_true, Data, Value};

/// Functions a template may call: Go's builtins plus Kuma's `label`.
pub(super) const FUNCTIONS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne", "label",
];

/// How many arguments a function takes: at least the first, at most the second (`None`: no
/// limit).
pub(super) fn arity(name: &str) -> (usize, Option<usize>) {
    match name {
        "label" | "not" | "len" => (1, Some(1)),
        "ne" | "lt" | "le" | "gt" | "ge" => (2, Some(2)),
        "and" | "or" | "eq" | "printf" | "index" | "slice" | "call" => (1, None),
        _ => (0, None),
    }
}

/// Call the function `name` on evaluated arguments; the error is the text after Go's
/// `error calling <name>: `.
pub(super) fn call_builtin(data: &Data<'_>, name: &str, args: &[Value]) -> Result<Value, String> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Missing);
    match name {
        "label" => match arg(0) {
            Value::Str(key) => (data.label)(&key).map(|v| Value::Str(v.into())),
            _ => Err("label expects a string".to_owned()),
        },
        "not" => Ok(Value::Bool(!is_true(&arg(0)).unwrap_or(false))),
        "len" => match arg(0) {
            Value::Str(s) => Ok(Value::Int(i64::try_from(s.len()).unwrap_or(i64::MAX))),
            // Go's reflect panics, and text/template reports the panic.
            Value::Missing => Err("reflect: call of reflect.Value.Type on zero Value".to_owned()),
            other => Err(format!("len of type {}", data.type_of(&other))),
        },
        "print" => Ok(Value::Str(sprint(data, args, false).into())),
        "println" => Ok(Value::Str(sprint(data, args, true).into())),
        "printf" => match arg(0) {
            Value::Str(format) => Ok(Value::Str(sprintf(data, &format, &args[1..]).into())),
            _ => Err("printf expects a format string".to_owned()),
        },
        "eq" => {
            if args.len() < 2 {
                return Err("missing argument for comparison".to_owned());
            }
            let first = arg(0);
            for other in args.iter().skip(1) {
                if equal(&first, other)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        "ne" => Ok(Value::Bool(!equal(&arg(0), &arg(1))?)),
        "lt" | "le" | "gt" | "ge" => {
            let (a, b) = (arg(0), arg(1));
            // Go: no basic kind is an invalid type; two bools are not ordered.
            let basic = |v: &Value| !matches!(v, Value::Data | Value::Missing);
            if !basic(&a) || !basic(&b) || matches!((&a, &b), (Value::Bool(_), Value::Bool(_))) {
                return Err("invalid type for comparison".to_owned());
            }
            let ord = compare(&a, &b)?.ok_or("incompatible types for comparison")?;
            Ok(Value::Bool(match name {
                "lt" => ord.is_lt(),
                "le" => ord.is_le(),
                "gt" => ord.is_gt(),
                _ => ord.is_ge(),
            }))
        }
        "index" => index(data, args),
        "slice" => slice(data, args),
        "html" => Ok(Value::Str(html_escape(&eval_args(data, args)).into())),
        "js" => Ok(Value::Str(js_escape(&eval_args(data, args)).into())),
        "urlquery" => Ok(Value::Str(url_query_escape(&eval_args(data, args)).into())),
        other => Err(format!("function {other} not defined")),
    }
}

/// Go's `index`: only strings are indexable here, giving their bytes.
fn index(data: &Data<'_>, args: &[Value]) -> Result<Value, String> {
    let mut item = args.first().cloned().unwrap_or(Value::Missing);
    if let Value::Missing = item {
        return Err("index of untyped nil".to_owned());
    }
    for index in args.iter().skip(1) {
        let Value::Str(s) = &item else {
            return Err(format!("can't index item of type {}", data.type_of(&item)));
        };
        let x = index_arg(data, index, s.len())?;
        // Go's reflect panics on s[len(s)], and text/template reports the panic.
        let byte = s
            .as_bytes()
            .get(x)
            .ok_or("reflect: string index out of range")?;
        item = Value::Byte(*byte);
    }
    Ok(item)
}

/// Go's `indexArg`: an integer in `0..=cap`.
fn index_arg(data: &Data<'_>, index: &Value, cap: usize) -> Result<usize, String> {
    let x = match index {
        Value::Int(i) => *i,
        Value::Byte(b) => i64::from(*b),
        Value::Missing => return Err("cannot index slice/array with nil".to_owned()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                data.type_of(other)
            ))
        }
    };
    match usize::try_from(x) {
        Ok(x) if x <= cap => Ok(x),
        _ => Err(format!("index out of range: {x}")),
    }
}

/// Go's `slice` on a string: `slice s`, `slice s i`, `slice s i j`, byte offsets.
fn slice(data: &Data<'_>, args: &[Value]) -> Result<Value, String> {
    let item = args.first().cloned().unwrap_or(Value::Missing);
    let indexes = args.get(1..).unwrap_or(&[]);
    if let Value::Missing = item {
        return Err("slice of untyped nil".to_owned());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let Value::Str(s) = &item else {
        return Err(format!("can't slice item of type {}", data.type_of(&item)));
    };
    if indexes.len() == 3 {
        return Err("cannot 3-index slice a string".to_owned());
    }
    let mut idx = [0, s.len()];
    for (slot, index) in idx.iter_mut().zip(indexes) {
        *slot = index_arg(data, index, s.len())?;
    }
    let [from, to] = idx;
    if from > to {
        return Err(format!("invalid slice index: {from} > {to}"));
    }
    // Go slices bytes; a cut inside a UTF-8 sequence leaves bytes Rust strings cannot hold,
    // so those become U+FFFD (a hostname with them is invalid either way).
    let bytes = s.as_bytes().get(from..to).unwrap_or_default();
    Ok(Value::Str(String::from_utf8_lossy(bytes).into()))
}

/// Go's `evalArgs` for `html`, `js`, `urlquery`: one string as is, else `fmt.Sprint` with
/// a missing value printed as `<no value>`.
fn eval_args(data: &Data<'_>, args: &[Value]) -> String {
    if let [Value::Str(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Missing => Value::Str("<no value>".into()),
            other => other.clone(),
        })
        .collect();
    sprint(data, &printable, false)
}

/// Go's `eq` for two values: no value equals only no value.
fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => Ok(a == b),
        // The data struct is comparable (all its fields are strings), but only to itself.
        (Value::Data, Value::Data) => Ok(true),
        (Value::Data, _) | (_, Value::Data) => Err("incompatible types for comparison".to_owned()),
        _ => Ok(compare(a, b)? == Some(std::cmp::Ordering::Equal)),
    }
}

fn compare(a: &Value, b: &Value) -> Result<Option<std::cmp::Ordering>, String> {
    // Go compares signed and unsigned integers by value.
    let widen = |v: &Value| match v {
        Value::Byte(b) => Value::Int(i64::from(*b)),
        other => other.clone(),
    };
    match (&widen(a), &widen(b)) {
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(y))),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(Some(x.cmp(y))),
        (Value::Missing, _) | (_, Value::Missing) => Err("invalid type for comparison".to_owned()),
        (Value::Data, _) | (_, Value::Data) => Err("non-comparable type".to_owned()),
        _ => Err("incompatible types for comparison".to_owned()),
    }
}

/// Go's `HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `JSEscapeString` (Go 1.19 and later: `&` and `=` escaped too).
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' || (!c.is_ascii() && !is_go_print(c)) => {
                out.push_str("\\u");
                out.push_str(&radix(u64::from(u32::from(c)), 16, true, 4));
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `unicode.IsPrint` for non-ASCII runes, without Unicode tables: control, space
/// separator, format and private-use characters are not printable. Unassigned code points,
/// which Go also counts as unprintable, pass as printable here.
fn is_go_print(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || c.is_whitespace()
        || matches!(
            u,
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
                | 0xE000..=0xF8FF
                | 0xF0000..=0xFFFFD
                | 0x100000..=0x10FFFD
        ))
}

/// Go's `url.QueryEscape`.
fn url_query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => {
                out.push('%');
                out.push_str(&radix(u64::from(b), 16, true, 2));
            }
        }
    }
    out
}
