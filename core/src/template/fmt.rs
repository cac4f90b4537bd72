//! Go's `fmt` as templates reach it: `print`, `println`, `printf` (`fmt.Sprint`, `Sprintln`,
//! `Sprintf`: flags, widths, precisions, `*` and `[n]`, every verb that applies to strings,
//! integers, bytes, bools and floats, with Go's `%!verb(...)` error texts), how an action prints
//! its value, and Go's float formatting (`%v`, `%e`, `%f`, `%g`), done by hand to keep Rust's
//! float formatting out of the WebAssembly module.

use std::fmt::Write as _;

use super::strconv::{go_quote, quote_ascii, quote_rune, radix};
use super::value::{Data, Value};
use super::MAX_OUTPUT;

/// How an action prints its value (text/template's `printValue`): `fmt`'s `%v`, with a missing
/// value as `<no value>`.
pub(super) fn print(data: &Data<'_>, v: &Value) -> String {
    match v {
        Value::Missing => "<no value>".to_owned(),
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Byte(b) => b.to_string(),
        Value::Data => {
            let values: Vec<&str> = data.fields.iter().map(|(_, v)| *v).collect();
            format!("{{{}}}", crate::text::join(&values, " "))
        }
    }
}

/// Go's `fmt.Sprint` (`fmt.Sprintln` with `ln`): a space between operands when neither is
/// a string (always, for `Sprintln`).
pub(super) fn sprint(data: &Data<'_>, args: &[Value], ln: bool) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if out.len() > MAX_OUTPUT {
            break; // the caller reports the oversized value
        }
        let is_str = matches!(a, Value::Str(_));
        let prev_str = i > 0 && matches!(args[i - 1], Value::Str(_));
        if i > 0 && (ln || (!is_str && !prev_str)) {
            out.push(' ');
        }
        out.push_str(&print_fmt(data, a));
    }
    if ln {
        out.push('\n');
    }
    out
}

/// `fmt`'s `%v` (a missing value prints as `<nil>` inside fmt).
fn print_fmt(data: &Data<'_>, v: &Value) -> String {
    match v {
        Value::Missing => "<nil>".to_owned(),
        other => print(data, other),
    }
}

/// Go's `fmt.Sprintf`: flags `+-# 0`, widths and precisions (also `*` and `[n]`), and the
/// verbs that apply to strings, integers, bytes, bools and floats. Not done: `%x` of floats.
pub(super) fn sprintf(data: &Data<'_>, format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut arg_num = 0;
    let mut reordered = false;
    let mut rest = format;
    while let Some(percent) = rest.find('%') {
        out.push_str(&rest[..percent]);
        rest = &rest[percent + 1..];
        if out.len() > MAX_OUTPUT {
            return out; // the caller reports the oversized value
        }
        let mut spec = Spec::default();
        while let Some(c) = rest.chars().next() {
            match c {
                '#' => spec.sharp = true,
                '0' => spec.zero = !spec.minus,
                '+' => spec.plus = true,
                '-' => (spec.minus, spec.zero) = (true, false),
                ' ' => spec.space = true,
                _ => break,
            }
            rest = &rest[1..];
        }
        let mut good_index = true;
        let mut index = |rest: &mut &str, arg_num: &mut usize| {
            if let Some(after) = rest.strip_prefix('[') {
                reordered = true;
                let close = after.find(']');
                let n = close.and_then(|c| after[..c].parse::<usize>().ok());
                match (close, n) {
                    (Some(c), Some(n)) if n >= 1 && n <= args.len() => {
                        *arg_num = n - 1;
                        *rest = &after[c + 1..];
                    }
                    (Some(c), _) => {
                        good_index = false;
                        *rest = &after[c + 1..];
                    }
                    (None, _) => good_index = false,
                }
            }
        };
        index(&mut rest, &mut arg_num);
        if let Some(after) = rest.strip_prefix('*') {
            rest = after;
            match args.get(arg_num).and_then(as_int) {
                Some(w) if w.unsigned_abs() <= 1_000_000 => {
                    if w < 0 {
                        (spec.minus, spec.zero) = (true, false);
                    }
                    spec.width = usize::try_from(w.unsigned_abs()).ok();
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            arg_num += 1;
        } else {
            spec.width = take_number(&mut rest);
        }
        if rest.len() > 1 && rest.starts_with('.') {
            rest = &rest[1..];
            index(&mut rest, &mut arg_num);
            if let Some(after) = rest.strip_prefix('*') {
                rest = after;
                match args.get(arg_num).and_then(as_int) {
                    Some(p) if (0..=1_000_000).contains(&p) => {
                        spec.prec = usize::try_from(p).ok();
                    }
                    _ => out.push_str("%!(BADPREC)"),
                }
                arg_num += 1;
            } else {
                spec.prec = Some(take_number(&mut rest).unwrap_or(0));
            }
        }
        index(&mut rest, &mut arg_num);
        let Some(verb) = rest.chars().next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        rest = &rest[verb.len_utf8()..];
        match (verb, args.get(arg_num)) {
            ('%', _) => out.push('%'),
            (_, _) if !good_index => {
                let _ = write!(out, "%!{verb}(BADINDEX)");
            }
            (_, None) => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
            (_, Some(arg)) => {
                if verb == 'v' {
                    (spec.sharp_v, spec.sharp) = (spec.sharp, false);
                    (spec.plus_v, spec.plus) = (spec.plus, false);
                }
                fmt_arg(data, &mut out, verb, spec, arg);
                arg_num += 1;
            }
        }
    }
    out.push_str(rest);
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (i, a) in args[arg_num..].iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match a {
                Value::Missing => out.push_str("<nil>"),
                a => {
                    let _ = write!(out, "{}=", data.type_of(a));
                    fmt_arg(data, &mut out, 'v', Spec::default(), a);
                }
            }
        }
        out.push(')');
    }
    out
}

/// Go's `printArg`: one value under one verb.
fn fmt_arg(data: &Data<'_>, out: &mut String, verb: char, spec: Spec, arg: &Value) {
    if verb == 'T' {
        let name = match arg {
            Value::Missing => "<nil>".to_owned(),
            a => data.type_of(a),
        };
        return spec.pad(out, &name);
    }
    match (verb, arg) {
        ('v', Value::Missing) => spec.pad(out, "<nil>"),
        (_, Value::Missing) => {
            let _ = write!(out, "%!{verb}(<nil>)");
        }
        ('v', Value::Data) if spec.sharp_v => {
            let _ = write!(out, "{}{{", data.type_of(arg));
            for (i, (name, value)) in data.fields.iter().enumerate() {
                let _ = write!(
                    out,
                    "{}{name}:{}",
                    if i > 0 { ", " } else { "" },
                    go_quote(value)
                );
            }
            out.push('}');
        }
        (_, Value::Data) => {
            out.push('{');
            for (i, (name, value)) in data.fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if spec.plus_v {
                    let _ = write!(out, "{name}:");
                }
                fmt_arg(data, out, verb, spec, &Value::Str((*value).into()));
            }
            out.push('}');
        }
        ('v' | 't', Value::Bool(b)) => spec.pad(out, if *b { "true" } else { "false" }),
        ('v', Value::Str(s)) if spec.sharp_v => spec.pad(out, &go_quote(s)),
        ('v' | 's', Value::Str(s)) => spec.pad(out, spec.truncate(s)),
        ('q', Value::Str(s)) => {
            let s = spec.truncate(s);
            let backquote = spec.sharp
                && !s
                    .chars()
                    .any(|c| (c < ' ' && c != '\t') || matches!(c, '`' | '\u{7f}' | '\u{feff}'));
            let quoted = if backquote {
                format!("`{s}`")
            } else {
                quote_ascii(&go_quote(s), spec.plus)
            };
            spec.pad(out, &quoted);
        }
        ('x' | 'X', Value::Str(s)) => spec.hex_bytes(out, s.as_bytes(), verb == 'X'),
        ('v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X', Value::Int(_) | Value::Byte(_)) => {
            let i = as_int(arg).unwrap_or_default();
            if verb == 'v' && spec.sharp_v && matches!(arg, Value::Byte(_)) {
                return spec.pad(out, &format!("0x{}", radix(i.unsigned_abs(), 16, false, 1)));
            }
            spec.integer(out, i, verb);
        }
        ('c' | 'q' | 'U', Value::Int(_) | Value::Byte(_)) => {
            let i = as_int(arg).unwrap_or_default();
            // Go prints an invalid code point as U+FFFD.
            let rune = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            let printable = !rune.is_control() && go_quote(&rune.to_string()).chars().count() == 3;
            let text = match verb {
                'c' => rune.to_string(),
                'q' if spec.sharp && printable => format!("'{rune}'"),
                'q' => format!("'{}'", quote_ascii(&quote_rune(rune), spec.plus)),
                _ if spec.sharp && printable => {
                    format!("U+{} '{rune}'", radix(i.unsigned_abs(), 16, true, 4))
                }
                _ => format!("U+{}", radix(i.unsigned_abs(), 16, true, 4)),
            };
            spec.pad(out, &text);
        }
        ('v' | 'g' | 'G' | 'e' | 'E' | 'f' | 'F', Value::Float(f)) => {
            let text = match verb {
                'e' | 'E' => format_float_e(*f, spec.prec.unwrap_or(6)),
                'f' | 'F' => crate::text::float_text::fixed(*f, spec.prec.unwrap_or(6)),
                'g' | 'G' if spec.prec.is_some() => format_float_g(*f, spec.prec.unwrap_or(6)),
                _ => format_float(*f),
            };
            let text = if verb.is_ascii_uppercase() {
                text.to_ascii_uppercase()
            } else {
                text
            };
            spec.number(out, &text);
        }
        (verb, a) => {
            let _ = write!(out, "%!{verb}({}=", data.type_of(a));
            fmt_arg(data, out, 'v', spec, a);
            out.push(')');
        }
    }
}

/// Flags, width and precision of one `fmt` verb (Go's `fmt.fmtFlags`).
#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

impl Spec {
    /// Go's `fmt.pad`: fill up to the width, with zeros when asked, on the right for `-`.
    fn pad(&self, out: &mut String, s: &str) {
        let fill = self.width.unwrap_or(0).saturating_sub(s.chars().count());
        let fill_char = if self.zero { '0' } else { ' ' };
        if !self.minus {
            out.extend(std::iter::repeat_n(fill_char, fill));
        }
        out.push_str(s);
        if self.minus {
            out.extend(std::iter::repeat_n(' ', fill));
        }
    }

    /// The string cut to the precision, in runes.
    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.prec.and_then(|p| s.char_indices().nth(p)) {
            Some((cut, _)) => &s[..cut],
            None => s,
        }
    }

    /// Go's `fmtInteger`: sign, `0x` prefix, zero padding from the precision or the width.
    fn integer(&self, out: &mut String, i: i64, verb: char) {
        let u = i.unsigned_abs();
        let mut digits = match verb {
            'b' => radix(u, 2, false, 1),
            'o' | 'O' => radix(u, 8, false, 1),
            'x' | 'X' => radix(u, 16, verb == 'X', 1),
            _ => u.to_string(),
        };
        let signed = i < 0 || self.plus || self.space;
        let min_digits = match (self.prec, self.width) {
            (Some(0), _) if u == 0 => {
                return Spec {
                    zero: false,
                    ..*self
                }
                .pad(out, "")
            }
            (Some(p), _) => p,
            (None, Some(w)) if self.zero => w.saturating_sub(usize::from(signed)),
            _ => 0,
        };
        if digits.len() < min_digits {
            digits.insert_str(0, &"0".repeat(min_digits - digits.len()));
        }
        let prefix = match verb {
            'x' if self.sharp => "0x",
            'X' if self.sharp => "0X",
            'b' if self.sharp => "0b",
            'o' if self.sharp && !digits.starts_with('0') => "0",
            'O' => "0o",
            _ => "",
        };
        let sign = match () {
            _ if i < 0 => "-",
            _ if self.plus => "+",
            _ if self.space => " ",
            _ => "",
        };
        Spec {
            zero: false,
            ..*self
        }
        .pad(out, &format!("{sign}{prefix}{digits}"));
    }

    /// A formatted float: `+` and space flags, zeros after the sign.
    fn number(&self, out: &mut String, text: &str) {
        let (sign, digits) = match text.strip_prefix('-') {
            Some(d) => ("-", d),
            None if self.plus => ("+", text),
            None if self.space => (" ", text),
            None => ("", text),
        };
        let finite = digits.starts_with(|c: char| c.is_ascii_digit());
        if self.zero && finite && !self.minus {
            let width = self.width.unwrap_or(0);
            let fill = width.saturating_sub(sign.len() + digits.len());
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', fill));
            out.push_str(digits);
        } else {
            Spec {
                zero: false,
                ..*self
            }
            .pad(out, &format!("{sign}{digits}"));
        }
    }

    /// Go's `fmtSbx`: hex of bytes, `% x` spaced, `%#x` prefixed, cut to the precision.
    fn hex_bytes(&self, out: &mut String, bytes: &[u8], upper: bool) {
        let bytes = bytes
            .get(..self.prec.unwrap_or(usize::MAX))
            .unwrap_or(bytes);
        let mut text = String::new();
        for (i, b) in bytes.iter().enumerate() {
            if self.sharp && (i == 0 || self.space) {
                text.push_str(if upper { "0X" } else { "0x" });
            }
            text.push_str(&radix(u64::from(*b), 16, upper, 2));
            if self.space && i + 1 < bytes.len() {
                text.push(' ');
            }
        }
        self.pad(out, &text);
    }
}

/// An integer argument (for `*` widths and the integer verbs).
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Byte(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// Digits at the start of `rest`, consumed.
/// Go's `fmt.parsenum`: a width or precision. A number that grows past 1e6 before its last
/// digit is "crazy long": Go gives up on it and on the rest of the format (which then prints
/// `%!(NOVERB)`), so a template cannot ask for a gigantic padding.
fn take_number(rest: &mut &str) -> Option<usize> {
    let mut n: usize = 0;
    let mut digits = 0;
    for b in rest.bytes().take_while(u8::is_ascii_digit) {
        if n > 1_000_000 {
            *rest = "";
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
        digits += 1;
    }
    *rest = &rest[digits..];
    (digits > 0).then_some(n)
}

/// Rust's `1.5e0` as Go's `1.5e+00`.
fn go_exponent(rust: &str) -> String {
    match rust.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(('+', e), |d| ('-', d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => rust.to_owned(),
    }
}

/// Go's `%v` (and `%g`) of a float64: the shortest representation, with an exponent below
/// 1e-4 and from 1e6 on (Go's `strconv` uses precision 6 for that decision).
pub(crate) fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e6).contains(&abs) {
        return go_exponent(&crate::text::float_text::lower_exp(f));
    }
    crate::text::float_text::display(f)
}

/// `f` rounded (half to even, on its exact value) to `n` significant digits: the digits and
/// the decimal exponent of the first. Done by hand: Rust's float formatting would add about
/// 20 KB to the WebAssembly module (see `float_text`).
fn significant(f: f64, n: usize) -> (String, i64) {
    // Every finite double's exact decimal expansion ends within 1074 places.
    let exact = crate::text::float_text::fixed(f.abs(), 1100);
    let point = exact.find('.').unwrap_or(exact.len());
    let all: Vec<u8> = exact.bytes().filter(u8::is_ascii_digit).collect();
    let Some(first) = all.iter().position(|&d| d != b'0') else {
        return ("0".repeat(n.max(1)), 0);
    };
    let mut exp = point as i64 - first as i64 - 1;
    let mut digits: Vec<u8> = (0..n)
        .map(|i| *all.get(first + i).unwrap_or(&b'0'))
        .collect();
    let next = all.get(first + n).copied().unwrap_or(b'0');
    let rest_nonzero = all.iter().skip(first + n + 1).any(|&d| d != b'0');
    let odd = digits.last().is_some_and(|d| (d - b'0') % 2 == 1);
    if next > b'5' || (next == b'5' && (rest_nonzero || odd)) {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                digits.pop();
                exp += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    (String::from_utf8_lossy(&digits).into_owned(), exp)
}

/// Go's `%.<prec>e`.
fn format_float_e(f: f64, prec: usize) -> String {
    if !f.is_finite() {
        return format_float(f);
    }
    let (digits, exp) = significant(f, prec + 1);
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (first, rest) = digits.split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    go_exponent(&format!("{sign}{first}{dot}{rest}e{exp}"))
}

/// Go's `%.<prec>g`: `prec` significant digits, exponent form when the exponent is below -4 or
/// at least the number of digits asked (or kept, when fewer).
fn format_float_g(f: f64, prec: usize) -> String {
    if !f.is_finite() {
        return format_float(f);
    }
    let prec = prec.max(1);
    let (digits, exp) = significant(f, prec);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let (nd, dp) = (digits.len() as i64, exp + 1);
    let mut eprec = prec as i64;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if exp < -4 || exp >= eprec {
        return format_float_e(f, (nd - 1).max(0) as usize);
    }
    let decimals = if prec as i64 > dp {
        nd - dp
    } else {
        prec as i64 - dp
    };
    crate::text::float_text::fixed(f, usize::try_from(decimals).unwrap_or(0))
}
