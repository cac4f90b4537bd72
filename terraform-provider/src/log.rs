//! Logs on stderr as hclog JSON lines, which Terraform re-logs under `provider.terraform-provider-kuma`.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG` (`JSON` means trace, as in Terraform).
//! Timestamps carry exactly six fractional digits: Terraform's parser rejects any other width.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Log levels, hclog's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Every RPC.
    Trace,
    /// REST calls.
    Debug,
    /// Lifecycle.
    Info,
    /// Recoverable problems (retries).
    Warn,
    /// Failures.
    Error,
    /// Logging disabled.
    Off,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }

    fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_uppercase().as_str() {
            "TRACE" | "JSON" => Some(Level::Trace),
            "DEBUG" => Some(Level::Debug),
            "INFO" => Some(Level::Info),
            "WARN" => Some(Level::Warn),
            "ERROR" => Some(Level::Error),
            "OFF" => Some(Level::Off),
            _ => None,
        }
    }
}

fn threshold() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        ["TF_LOG_PROVIDER", "TF_LOG"]
            .iter()
            .find_map(|var| std::env::var(var).ok().as_deref().and_then(Level::parse))
            .unwrap_or(Level::Off)
    })
}

/// Whether a line at `level` would be written.
pub fn enabled(level: Level) -> bool {
    let min = threshold();
    min != Level::Off && level >= min
}

/// Write one log line with extra key/value fields. Never log secrets: callers pass only
/// non-sensitive fields (the token never reaches this function).
pub fn log(level: Level, message: &str, fields: &[(&str, &str)]) {
    if !enabled(level) {
        return;
    }
    let mut object = serde_json::Map::new();
    object.insert("@level".into(), level.as_str().into());
    object.insert("@message".into(), message.into());
    object.insert("@module".into(), "provider.kuma".into());
    object.insert("@timestamp".into(), timestamp(SystemTime::now()).into());
    for (key, value) in fields {
        object.insert((*key).into(), (*value).into());
    }
    let line = serde_json::Value::Object(object).to_string();
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    // A closed stderr must not take the provider down.
    let _ = writeln!(lock, "{line}");
}

/// `2006-01-02T15:04:05.000000Z` in UTC.
pub fn timestamp(now: SystemTime) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let micros = since.subsec_micros();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Log at trace.
pub fn trace(message: &str, fields: &[(&str, &str)]) {
    log(Level::Trace, message, fields);
}

/// Log at debug.
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    log(Level::Debug, message, fields);
}

/// Log at info.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    log(Level::Info, message, fields);
}

/// Log at warn.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    log(Level::Warn, message, fields);
}

/// Log at error.
pub fn error(message: &str, fields: &[(&str, &str)]) {
    log(Level::Error, message, fields);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_have_exactly_six_fractional_digits_as_terraform_parses_them() {
        let t = UNIX_EPOCH + Duration::from_micros(1_795_000_000_123_456);
        assert_eq!(timestamp(t), "2026-11-18T11:06:40.123456Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn tf_log_levels_parse_like_terraform() {
        assert_eq!(Level::parse("json"), Some(Level::Trace));
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("nonsense"), None);
    }
}
