//! The provider block: where the Kuma API is, how to authenticate, which Kuma rules apply, and
//! the zone control planes to read per-zone status from.

use std::sync::Arc;
use std::time::Duration;

use kuma_mzs_core::KumaVersion;

use crate::client::{ClientConfig, KumaClient};
use crate::diag::{attr, Diag, Step};
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::{Ty, Value};

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default retries.
pub const DEFAULT_MAX_RETRIES: u32 = 4;

/// The provider schema.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "The `kuma` provider manages Kuma MeshMultiZoneServices and HostnameGenerators through the Kuma control-plane REST API (the global control plane in a multi-zone deployment), validates them at plan time with Kuma's own rules, and previews what each zone will compute.",
            attributes: vec![
                Attribute::optional("endpoint", Ty::String, "URL of the Kuma API of the (global) control plane, e.g. `http://127.0.0.1:5681`. Falls back to the environment variable `KUMA_ENDPOINT`."),
                Attribute::optional("token", Ty::String, "Bearer token (a Kuma user token). Falls back to `KUMA_TOKEN`. Never logged.").sensitive(),
                Attribute::optional("ca_cert", Ty::String, "PEM CA certificate(s) to trust for an `https` endpoint instead of the system roots."),
                Attribute::optional("insecure_skip_verify", Ty::Bool, "Do not verify the API server's TLS certificate (testing only). Default `false`."),
                Attribute::optional("timeout", Ty::String, "Timeout of one API request, e.g. `30s`, `500ms`, `2m`. Default `30s`. Also bounds how long the provider waits for zone status after an apply."),
                Attribute::optional("max_retries", Ty::Number, "How many times an API call is retried on 5xx, 408, 429, connection errors and timeouts (exponential backoff with jitter). Default `4`."),
                Attribute::optional("kuma_version", Ty::String, "Which Kuma release's validation rules apply at plan time: `3.0` (default), a 2.x release from `2.9` to `2.14` (a patch version such as `2.14.3` is accepted), or `2.x` for the newest 2.x (2.14)."),
            ],
            blocks: vec![NestedBlock {
                name: "zone",
                nesting: Nesting::List,
                min_items: 0,
                max_items: 0,
                block: Block {
                    description: "A zone control plane to read per-zone status (matched MeshServices, VIP, hostnames) from. Repeat for each zone.",
                    attributes: vec![
                        Attribute::required("name", Ty::String, "Zone name, as known to the global control plane."),
                        Attribute::required("endpoint", Ty::String, "URL of the zone control plane's API."),
                        Attribute::optional("token", Ty::String, "Bearer token for this zone (defaults to the provider `token`).").sensitive(),
                    ],
                    blocks: vec![],
                },
            }],
        },
    }
}

/// A configured zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Name.
    pub name: String,
    /// Client.
    pub client: KumaClient,
}

/// Everything resources need after `ConfigureProvider`.
#[derive(Debug, Clone)]
pub struct Configured {
    /// The (global) control plane.
    pub client: KumaClient,
    /// Zones, in configuration order.
    pub zones: Vec<Zone>,
    /// Rules to apply.
    pub kuma_version: KumaVersion,
    /// Request timeout (also the zone-status wait bound).
    pub timeout: Duration,
}

/// Parse a duration like `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = number.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0 && secs < 86_400.0).then(|| Duration::from_secs_f64(secs))
}

/// Static checks of the provider block (unknown values are skipped).
pub fn validate(config: &Value) -> Vec<Diag> {
    let mut diags = Vec::new();
    if let Some(t) = config.get("timeout").as_str() {
        if parse_duration(t).is_none() {
            diags.push(
                Diag::error("Invalid timeout", format!("{t:?} is not a duration like \"30s\", \"500ms\" or \"2m\" (between 0 and 24h).")).at(attr("timeout")),
            );
        }
    }
    if let Some(v) = config.get("kuma_version").as_str() {
        if let Err(e) = v.parse::<KumaVersion>() {
            diags.push(
                Diag::error("Unsupported kuma_version", e.to_string()).at(attr("kuma_version")),
            );
        }
    }
    if let Some(n) = config.get("max_retries").as_i64() {
        if !(0..=20).contains(&n) {
            diags.push(
                Diag::error(
                    "Invalid max_retries",
                    "max_retries must be between 0 and 20.",
                )
                .at(attr("max_retries")),
            );
        }
    }
    for (i, zone) in config.get("zone").items().iter().enumerate() {
        if let Some(endpoint) = zone.get("endpoint").as_str() {
            if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
                diags.push(
                    Diag::error(
                        "Invalid zone endpoint",
                        format!("{endpoint:?} must start with http:// or https://."),
                    )
                    .at(vec![
                        Step::Attr("zone".into()),
                        Step::Index(i as i64),
                        Step::Attr("endpoint".into()),
                    ]),
                );
            }
        }
    }
    diags
}

/// Build the configured provider (env fallbacks applied here).
pub fn configure(config: &Value) -> Result<Arc<Configured>, Vec<Diag>> {
    let mut diags = validate(config);
    if config.contains_unknown() {
        diags.push(Diag::error(
            "Provider configuration depends on values not known yet",
            "The kuma provider block refers to values that are only known after apply. Use literal values, variables or data sources that are known at plan time.",
        ));
    }
    let endpoint = config
        .get("endpoint")
        .as_str()
        .map(str::to_owned)
        .or_else(|| std::env::var("KUMA_ENDPOINT").ok())
        .filter(|s| !s.trim().is_empty());
    let Some(endpoint) = endpoint else {
        diags.push(
            Diag::error("Missing Kuma endpoint", "Set `endpoint` in the provider block or the KUMA_ENDPOINT environment variable, e.g. http://127.0.0.1:5681.")
                .at(attr("endpoint")),
        );
        return Err(diags);
    };
    if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
        diags.push(
            Diag::error(
                "Invalid endpoint",
                format!("{endpoint:?} must start with http:// or https://."),
            )
            .at(attr("endpoint")),
        );
    }
    if diags.iter().any(|d| d.error) {
        return Err(diags);
    }
    let token = config
        .get("token")
        .as_str()
        .map(str::to_owned)
        .or_else(|| std::env::var("KUMA_TOKEN").ok())
        .filter(|s| !s.is_empty());
    let timeout = config
        .get("timeout")
        .as_str()
        .and_then(parse_duration)
        .unwrap_or(DEFAULT_TIMEOUT);
    let max_retries = config
        .get("max_retries")
        .as_i64()
        .map(|n| n.clamp(0, 20) as u32)
        .unwrap_or(DEFAULT_MAX_RETRIES);
    let kuma_version = config
        .get("kuma_version")
        .as_str()
        .and_then(KumaVersion::parse)
        .unwrap_or_default();
    let base = ClientConfig {
        endpoint,
        token,
        ca_cert: config.get("ca_cert").as_str().map(str::to_owned),
        insecure_skip_verify: config
            .get("insecure_skip_verify")
            .as_bool()
            .unwrap_or(false),
        timeout,
        max_retries,
    };
    let client = KumaClient::new(base.clone())
        .map_err(|e| vec![Diag::error("Invalid provider configuration", e.to_string())])?;
    let mut zones = Vec::new();
    for zone in config.get("zone").items() {
        let (Some(name), Some(endpoint)) =
            (zone.get("name").as_str(), zone.get("endpoint").as_str())
        else {
            continue;
        };
        let zone_config = ClientConfig {
            endpoint: endpoint.to_owned(),
            token: zone
                .get("token")
                .as_str()
                .map(str::to_owned)
                .or(base.token.clone()),
            ..base.clone()
        };
        let zone_client = KumaClient::new(zone_config)
            .map_err(|e| vec![Diag::error("Invalid zone configuration", e.to_string())])?;
        zones.push(Zone {
            name: name.to_owned(),
            client: zone_client,
        });
    }
    Ok(Arc::new(Configured {
        client,
        zones,
        kuma_version,
        timeout,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_terraform_users_write_them() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn bad_settings_are_reported_at_their_attribute() {
        let config = Value::object([
            ("timeout", Value::string("forever")),
            ("kuma_version", Value::string("1.8")),
        ]);
        let diags = validate(&config);
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].path, attr("timeout"));
        assert_eq!(diags[1].path, attr("kuma_version"));
    }
}
