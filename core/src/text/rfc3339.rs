//! RFC 3339 timestamps (`2026-11-26T16:57:17.499403952Z`, `2026-11-26T18:57:17+02:00`) as an
//! instant that orders the way Go's `time.Time.Before` does: Kuma's `creationTime` and
//! Kubernetes' `metadata.creationTimestamp` decide which HostnameGenerator and which service come
//! first.

/// Seconds since the Unix epoch and nanoseconds within that second, in UTC.
pub(crate) type Instant = (i64, u32);

/// Go's zero `time.Time` (`0001-01-01T00:00:00Z`), what Kuma prints for a time it never set.
pub(crate) const GO_ZERO_TIME: Instant = (-62_135_596_800, 0);

/// The instant `text` names, or `None` when it is not an RFC 3339 date-time.
pub(crate) fn parse(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    let separators_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't' | b' ')
        && b[13] == b':'
        && b[16] == b':';
    if !separators_ok
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut nanos: u32 = 0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while at < b.len() && b[at].is_ascii_digit() {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        let count = at - start;
        if count == 0 {
            return None;
        }
        for _ in count..9 {
            nanos *= 10;
        }
    }
    let offset_seconds = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digit_pair(*h1, *h2)?;
            let minutes = digit_pair(*m1, *m2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let seconds =
        days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
            - offset_seconds;
    Some((seconds, nanos))
}

/// `instant` as Go's `time.RFC3339` layout prints it in UTC (`2026-11-26T16:57:17Z`): whole
/// seconds, the fraction dropped, as Kubernetes' `metav1.Time` marshals a timestamp.
pub(crate) fn format_seconds_utc((seconds, _): Instant) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(20);
    for (value, width, after) in [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, 'T'),
        (of_day / 3600, 2, ':'),
        (of_day / 60 % 60, 2, ':'),
        (of_day % 60, 2, 'Z'),
    ] {
        // Zero-padded by hand: no `format!` width machinery in the wasm module.
        let text = value.to_string();
        for _ in text.len()..width {
            out.push('0');
        }
        out.push_str(&text);
        out.push(after);
    }
    out
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The number `len` ASCII digits at `at` spell.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    b.get(at..at + len)?.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn digit_pair(a: u8, b: u8) -> Option<u32> {
    digits(&[a, b], 0, 2)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::{format_seconds_utc, parse};

    #[test]
    fn kuma_and_kubernetes_timestamps_parse_to_utc_instants() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse("0001-01-01T00:00:00Z"), Some(super::GO_ZERO_TIME));
        assert_eq!(
            parse("2026-11-26T16:57:17.499403952Z"),
            Some((1_795_712_237, 499_403_952))
        );
        assert_eq!(parse("2026-11-26T16:57:17Z"), Some((1_795_712_237, 0)));
        assert_eq!(
            parse("2026-11-26T18:57:17.5+02:00"),
            Some((1_795_712_237, 500_000_000))
        );
        assert_eq!(parse("2026-11-26T15:57:17-01:00"), Some((1_795_712_237, 0)));
        assert_eq!(parse("2024-02-29T00:00:00Z"), Some((1_709_164_800, 0)));
        // Digits past nanoseconds are cut, as Go does.
        assert_eq!(
            parse("1970-01-01T00:00:00.1234567891Z"),
            Some((0, 123_456_789))
        );
    }

    #[test]
    fn later_fractions_order_after_earlier_ones_whatever_their_length() {
        // As text, "…17.5Z" sorts after "…17.49Z" but before "…17.499Z"; as instants, by time.
        let a = parse("2026-11-26T16:57:17.49Z");
        let b = parse("2026-11-26T16:57:17.5Z");
        let c = parse("2026-11-26T16:57:17.499Z");
        assert!(a < c && c < b);
    }

    #[test]
    fn anything_else_is_not_a_timestamp() {
        for text in [
            "",
            "2026-11-26",
            "2026-11-26T16:57:17",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26T16:57:17.Z",
            "2026-11-26T16:57:17+0200",
            "2026-11-26T16:57:17Z trailing",
            "२०२६-11-26T16:57:17Z",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn kubernetes_timestamps_are_utc_whole_seconds() {
        for (text, printed) in [
            ("2026-11-26T16:57:17.499403952Z", "2026-11-26T16:57:17Z"),
            ("2026-11-26T18:57:17.9+02:00", "2026-11-26T16:57:17Z"),
            ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"),
            ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
            ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(
                parse(text).map(format_seconds_utc).as_deref(),
                Some(printed),
                "{text}"
            );
        }
    }

    #[test]
    fn every_day_of_four_centuries_prints_back_as_it_parses() {
        // 1900 (not a leap year), 2000 (one) and every month end between.
        let mut seconds = parse("1899-12-31T12:00:00Z").map(|(s, _)| s).unwrap_or(0);
        for _ in 0..(400 * 366) {
            let printed = format_seconds_utc((seconds, 0));
            assert_eq!(parse(&printed), Some((seconds, 0)), "{printed}");
            seconds += 86_400;
        }
    }
}
