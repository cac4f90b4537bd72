//! Go's `time.Duration` text: what `time.ParseDuration` reads and `Duration.String()` writes.
//! Kuma's API types hold some durations as Kubernetes' `metav1.Duration` (a MeshLoadBalancing
//! Strategy cookie's `ttl`), which its REST API reads with `ParseDuration` and prints with
//! `String()`: `90s` comes back as `1m30s`.

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// `time.ParseDuration`: a sign, then one or more decimal numbers each with a unit (`ns`, `us`,
/// `µs`, `μs`, `ms`, `s`, `m`, `h`), or `0`; nanoseconds, `None` where Go returns an error
/// (including a result beyond `int64`).
pub(crate) fn parse(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let whole_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (whole, after) = rest.split_at(whole_len);
        let (fraction, after) = match after.strip_prefix('.') {
            Some(tail) => tail.split_at(tail.bytes().take_while(u8::is_ascii_digit).count()),
            None => ("", after),
        };
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, after) = after.split_at(unit_len);
        let scale = match unit {
            "ns" => NANOSECOND,
            "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
            "ms" => MILLISECOND,
            "s" => SECOND,
            "m" => MINUTE,
            "h" => HOUR,
            _ => return None,
        };
        let mut value: u64 = 0;
        for digit in whole.bytes() {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
        }
        let mut value = value.checked_mul(scale)?;
        // The fraction, as Go adds it: truncated to whole nanoseconds.
        let mut unit_part = scale;
        for digit in fraction.bytes() {
            unit_part /= 10;
            if unit_part == 0 {
                break;
            }
            value = value.checked_add(u64::from(digit - b'0') * unit_part)?;
        }
        total = total.checked_add(value)?;
        rest = after;
    }
    if negative {
        0i64.checked_sub_unsigned(total)
    } else {
        i64::try_from(total).ok()
    }
}

/// `Duration.String()`: `1h0m0s`, `1m30s`, `1.5s`, `500ms`, `1.5µs`, `0s`.
pub(crate) fn format(nanoseconds: i64) -> String {
    let negative = nanoseconds < 0;
    let mut n = nanoseconds.unsigned_abs();
    let sign = if negative { "-" } else { "" };
    if n == 0 {
        return "0s".to_owned();
    }
    if n < SECOND {
        let (unit, scale) = if n < MICROSECOND {
            ("ns", NANOSECOND)
        } else if n < MILLISECOND {
            ("µs", MICROSECOND)
        } else {
            ("ms", MILLISECOND)
        };
        return format!("{sign}{}{unit}", decimal(n, scale));
    }
    let mut out = String::from(sign);
    let hours = n / HOUR;
    n %= HOUR;
    let minutes = n / MINUTE;
    n %= MINUTE;
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&decimal(n, SECOND));
    out.push('s');
    out
}

/// `n / scale` with its fraction, trailing zeros (and a bare point) left out.
fn decimal(n: u64, scale: u64) -> String {
    let whole = n / scale;
    let fraction = n % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs from Go's own `time` tests and what Kuma's REST API prints for a cookie `ttl`.
    #[test]
    fn reads_and_writes_durations_as_go_does() {
        let cases: &[(&str, Option<&str>)] = &[
            ("1h", Some("1h0m0s")),
            ("90s", Some("1m30s")),
            ("1000ms", Some("1s")),
            ("0", Some("0s")),
            ("0.5s", Some("500ms")),
            ("1s1s", Some("2s")),
            ("1.5h", Some("1h30m0s")),
            ("-1.5h", Some("-1h30m0s")),
            ("+5s", Some("5s")),
            ("1.000000001s", Some("1.000000001s")),
            ("100ns", Some("100ns")),
            ("1500ns", Some("1.5µs")),
            ("1us", Some("1µs")),
            ("1\u{3bc}s", Some("1µs")),
            ("2h45m0.5s", Some("2h45m0.5s")),
            (".5s", Some("500ms")),
            ("5.s", Some("5s")),
            ("", None),
            ("1", None),
            ("1d", None),
            ("-", None),
            ("s", None),
            (".s", None),
            ("3000000h", None),
            ("9223372036854775807ns", Some("2562047h47m16.854775807s")),
            ("9223372036854775808ns", None),
            ("-9223372036854775808ns", Some("-2562047h47m16.854775808s")),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).map(format).as_deref(), *want, "{text:?}");
        }
    }
}
