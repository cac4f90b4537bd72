//! `f64` as text, exactly as `format!("{}")` and `format!("{:e}")` print it.
//!
//! The standard library's float formatting (Grisu and Dragon4, each in a shortest and an exact
//! mode, about 20 KB of the WebAssembly module) comes in with any `{}` of an `f64`. Printing a
//! number is rare here (template output, error messages), so this module does it the simple way:
//! the double's exact decimal expansion (a small bignum), rounded to the fewest digits that parse
//! back to the same double. Property tests check both functions against `format!`.

/// `format!("{value}")`: shortest round-trip digits, never an exponent.
pub fn display(value: f64) -> String {
    let Some((negative, digits, point)) = shortest(value) else {
        return special(value);
    };
    let sign = if negative { "-" } else { "" };
    let len = digits_len(&digits);
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        push_zeros(&mut out, point.unsigned_abs());
        out.push_str(&digits);
    } else if point < len {
        let (int, frac) = digits.split_at(point.unsigned_abs() as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str(&digits);
        push_zeros(&mut out, (point - len).unsigned_abs());
    }
    out
}

/// `format!("{value:e}")`: shortest round-trip digits as `d.ddde<exponent>`.
pub(crate) fn lower_exp(value: f64) -> String {
    let Some((negative, digits, point)) = shortest(value) else {
        return special(value);
    };
    let mut out = String::from(if negative { "-" } else { "" });
    let (first, rest) = digits.split_at(1.min(digits.len()));
    out.push_str(first);
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    out.push('e');
    out.push_str(&(point - 1).to_string());
    out
}

/// `format!("{value:.decimals$}")`: the exact value rounded half to even to `decimals` places.
pub(crate) fn fixed(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return special(value);
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let (exact, point) = if value == 0.0 {
        (String::new(), 0)
    } else {
        exact_decimal(value.abs())
    };
    let exact = exact.as_bytes();
    // Digits of value x 10^decimals before its point, then what is rounded away.
    let keep = i64::from(point) + i64::try_from(decimals).unwrap_or(i64::MAX);
    let keep = usize::try_from(keep).ok();
    let mut digits: Vec<u8> = match keep {
        Some(k) => (0..k)
            .map(|i| exact.get(i).copied().unwrap_or(b'0'))
            .collect(),
        None => Vec::new(),
    };
    let (next, rest) = match keep {
        Some(k) => (
            exact.get(k).copied().unwrap_or(b'0'),
            exact.get(k + 1..).unwrap_or(&[]),
        ),
        None => (b'0', &[][..]),
    };
    let odd = digits.last().is_some_and(|d| (d - b'0') % 2 == 1);
    if next > b'5' || (next == b'5' && (rest.iter().any(|&d| d != b'0') || odd)) {
        digits = one_unit_up(&digits, 0).0;
    }
    let leading = digits.iter().take_while(|&&d| d == b'0').count();
    let mut digits = digits.split_off(leading.min(digits.len()));
    while digits.len() <= decimals {
        digits.insert(0, b'0');
    }
    let int_len = digits.len() - decimals;
    let (int, frac) = digits.split_at(int_len);
    let mut out = String::from(sign);
    out.push_str(&String::from_utf8_lossy(int));
    if decimals > 0 {
        out.push('.');
        out.push_str(&String::from_utf8_lossy(frac));
    }
    out
}

fn special(value: f64) -> String {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "inf"
    } else {
        "-inf"
    }
    .to_owned()
}

fn digits_len(digits: &str) -> i32 {
    i32::try_from(digits.len()).unwrap_or(i32::MAX)
}

fn push_zeros(out: &mut String, count: u32) {
    for _ in 0..count {
        out.push('0');
    }
}

/// A finite `value` as (negative, significant digits without leading or trailing zeros, decimal
/// point position): value ~ 0.`digits` x 10^point. Zero is ("0", point 1). `None` for NaN and
/// infinities. The digits are the standard library's (Dragon4's shortest mode): the fewest that
/// read back as `value`; of the two candidates at that length (the exact expansion cut off, and
/// one unit above), the one that reads back, or when both do, the nearer (a tie goes up).
fn shortest(value: f64) -> Option<(bool, String, i32)> {
    if !value.is_finite() {
        return None;
    }
    let negative = value.is_sign_negative();
    if value == 0.0 {
        return Some((negative, "0".to_owned(), 1));
    }
    let value = value.abs();
    let (exact, point) = exact_decimal(value);
    let reads_back = |digits: &[u8], point: i32| {
        let text = format!("0.{}e{point}", String::from_utf8_lossy(digits));
        text.parse::<f64>().ok() == Some(value)
    };
    let b = exact.as_bytes();
    for len in 1..b.len() {
        let lower = b.get(..len).unwrap_or(b);
        let (upper, upper_point) = one_unit_up(lower, point);
        let pick_upper = match (reads_back(lower, point), reads_back(&upper, upper_point)) {
            (false, false) => continue,
            (true, false) => false,
            (false, true) => true,
            (true, true) => b.get(len).is_some_and(|&d| d >= b'5'),
        };
        let (digits, point) = if pick_upper {
            (upper, upper_point)
        } else {
            (lower.to_vec(), point)
        };
        return Some((negative, without_trailing_zeros(digits), point));
    }
    Some((negative, exact, point))
}

/// `digits` (at `point`) plus one unit in the last place.
fn one_unit_up(digits: &[u8], point: i32) -> (Vec<u8>, i32) {
    let mut up = digits.to_vec();
    for d in up.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return (up, point);
        }
    }
    // All nines: 99 -> 100, one more digit before the point.
    up.insert(0, b'1');
    (up, point + 1)
}

fn without_trailing_zeros(mut digits: Vec<u8>) -> String {
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// The exact decimal expansion of a finite positive double: (all significant digits, point)
/// with value = 0.digits x 10^point. A double is m x 2^e; for e < 0 that is m x 5^-e / 10^-e.
fn exact_decimal(value: f64) -> (String, i32) {
    const BASE: u64 = 1_000_000_000;
    let bits = value.to_bits();
    let biased = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // Little-endian base-10^9 limbs.
    let mut limbs: Vec<u64> = vec![mantissa % BASE, mantissa / BASE];
    let (factor, times) = if exponent >= 0 {
        (2, exponent.unsigned_abs())
    } else {
        (5, exponent.unsigned_abs())
    };
    for _ in 0..times {
        let mut carry = 0;
        for limb in &mut limbs {
            let v = *limb * factor + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut digits = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            digits.push_str(&limb.to_string());
        } else {
            digits.push_str(&format!("{limb:09}"));
        }
    }
    let point = if exponent >= 0 {
        digits_len(&digits)
    } else {
        digits_len(&digits) - i32::try_from(times).unwrap_or(i32::MAX)
    };
    let trimmed = digits.trim_end_matches('0');
    (trimmed.to_owned(), point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_match_std() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1.5,
            100.0,
            1e21,
            1e22,
            1.5e-5,
            1e-7,
            123.456,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.3,
            2.5e15,
            1e15,
            1e16,
            1e17,
            12345678901234567890.0,
        ] {
            assert_eq!(display(v), format!("{v}"), "{v:?}");
            assert_eq!(lower_exp(v), format!("{v:e}"), "{v:?}");
        }
        // Powers of two: the one place where the rounding interval is lopsided.
        for e in -1074..=1023 {
            let v = 2f64.powi(e);
            assert_eq!(display(v), format!("{v}"), "2^{e}");
            assert_eq!(lower_exp(v), format!("{v:e}"), "2^{e}");
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(display(v), format!("{v}"));
            assert_eq!(lower_exp(v), format!("{v:e}"));
        }
    }

    proptest::proptest! {
        /// `fixed` prints what `{:.0}` and `{:.1}` print, for every kind of double.
        #[test]
        fn fixed_matches_std_formatting(
            any_double in proptest::num::f64::ANY,
            thousandths in 0u32..2_000_000,
            exponent in -1100i32..1100,
        ) {
            let ties = f64::from(thousandths) / 1000.0;
            let scaled = 1.5f64.powi(exponent);
            for v in [any_double, ties, -ties, ties / 4.0, scaled, -scaled, 0.25, 2.5, -0.0, 0.0] {
                proptest::prop_assert_eq!(fixed(v, 0), format!("{v:.0}"));
                proptest::prop_assert_eq!(fixed(v, 1), format!("{v:.1}"));
                proptest::prop_assert_eq!(fixed(v, 3), format!("{v:.3}"));
            }
        }

        /// Every double prints as the standard library prints it.
        #[test]
        fn matches_std_for_any_double(bits in proptest::num::u64::ANY, small in -1e6f64..1e6) {
            for v in [f64::from_bits(bits), small, small / 1e3, (small * 1e3).round() / 1e3] {
                proptest::prop_assert_eq!(display(v), format!("{v}"));
                proptest::prop_assert_eq!(lower_exp(v), format!("{v:e}"));
            }
        }
    }
}
