//! The provider block: where the Kuma API is, how to authenticate, which Kuma rules apply, and
//! the zone control planes to read per-zone status from.

use std::sync::Arc;
use std::time::Duration;

use kuma_mzs_core::api::Mode;
use kuma_mzs_core::model::labels as label_keys;
use kuma_mzs_core::KumaVersion;

use crate::client::{
    json_start, BodyProblem, ClientConfig, ClientError, DeadlineSetBy, KumaClient, PROBE_LIMIT,
};
use crate::diag::{attr, Diag, Step};
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::{Ty, Value};

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default retries.
pub const DEFAULT_MAX_RETRIES: u32 = 4;
/// Default overall deadline of one operation (a refresh, create, update, delete or data-source
/// read, with every retry and zone read inside it).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

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
                Attribute::optional("operation_timeout", Ty::String, "Overall deadline of one operation (refresh, create, update, delete, data-source read), every retry and zone read included, e.g. `60s`. Default `60s`. A resource's `timeouts` block overrides it for create, update, delete and read. A control plane (global or zone) that lets a request wait as long as any operation would (this, `timeout` or the first look's 10s, whichever is shortest) without an answer is not asked again by the same provider process: later operations fail at once, naming that failure."),
                Attribute::optional("max_retries", Ty::Number, "How many times an API call is retried on 5xx, 408, 429, connection errors and timeouts (exponential backoff with jitter). Default `4`."),
                Attribute::optional("live_lints", Ty::Bool, "Check each MeshMultiZoneService being created or changed against the control plane's live MeshServices at plan time (the core's preview: MZS101 port not served, MZS102 a MeshService of another mesh matched, MZS103 selector matches nothing, MZS104 unavailable services, MZS105 hostname problems), and each HostnameGenerator being created or changed against the existing MeshMultiZoneServices (MZS105: hostnames it would make collide or fail, on `template`), as warnings on `selector` or `port`. Default `true`; one list of MeshServices per plan."),
                Attribute::optional("kuma_version", Ty::String, "Which Kuma release's validation rules apply at plan time: `3.0`, a 2.x release from `2.9` to `2.14` (a patch version such as `2.14.3` is accepted), or `2.x` for the newest 2.x (2.14). Optional: by default the provider reads the release from the control plane (`GET /`) and applies its rules; a value here that disagrees with the server is a warning (the server's release wins). Used as given, unchecked, when the server cannot be asked (`GET /` fails when the provider starts and once more before the first plan): its rules apply, a plan shows the `kri` and `snis` its rendering gives, and a warning says so. Set it to the server's release: should it be another, Terraform can refuse to apply a saved plan with \"Provider produced inconsistent final plan\" when `GET /` answered in one of the two plans (`terraform plan`'s and the apply's own) and failed in the other, either way round; plan again once `GET /` answers. Default `3.0`. `terraform validate` does not pass provider settings to resources, so it reports only what every supported release refuses; the release's own rules (e.g. 3.0 refusing the kafka protocol) are checked at plan."),
            ],
            blocks: vec![NestedBlock {
                name: "zone",
                nesting: Nesting::List,
                min_items: 0,
                max_items: 0,
                block: Block {
                    description: "A zone control plane to read per-zone status (matched MeshServices, VIP, hostnames) from. Repeat for each zone. A zone that does not answer is a warning and is remembered as unreachable for the rest of the provider process (one wait per process, not per resource or preview); a zone that answers but does not take a change within `timeout` is a warning quoting its `/ready`.",
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
    /// Why this zone block is not read (its endpoint is not a zone control plane, or is
    /// another zone's), found once per process by [`detect`]; `None` while it looks right.
    pub problem: Option<String>,
    /// The error this zone gave earlier in this process (shared by every copy of the zone):
    /// a zone that did not answer one resource's read is not waited for again by the next
    /// ones, so a hung zone costs one deadline per `terraform` run instead of one per resource.
    pub failed: Arc<std::sync::Mutex<Option<String>>>,
    /// What the zone's `/ready` answered when it said it is not ready (a 503 from kuma-local:
    /// no first sync from global yet, a failing sync), read once by [`detect`]: an apply does
    /// not wait for such a zone to sync, it reads it once and reports it `pending`.
    pub not_ready: Option<String>,
}

impl Zone {
    /// The error this zone gave earlier in this process, if any: one a read remembered
    /// ([`Zone::remember_failure`]), or no answer at all to any earlier call of its client (a
    /// black-holed zone met first by a preview is not waited for again by a status read).
    pub fn earlier_failure(&self) -> Option<String> {
        self.failed
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .or_else(|| self.client.earlier_failure())
    }

    /// Remember that this zone could not be read (the first error is kept).
    pub fn remember_failure(&self, error: &str) {
        if let Ok(mut failed) = self.failed.lock() {
            failed.get_or_insert_with(|| error.to_owned());
        }
    }
}

/// Everything resources need after `ConfigureProvider`.
#[derive(Debug, Clone)]
pub struct Configured {
    /// The (global) control plane.
    pub client: KumaClient,
    /// Zones, in configuration order.
    pub zones: Vec<Zone>,
    /// Rules to apply (the server's release when it could be read, else `kuma_version`).
    pub kuma_version: KumaVersion,
    /// `kuma_version` as configured.
    pub explicit_version: Option<KumaVersion>,
    /// What kind of control plane `endpoint` is (from `GET /`, else `GET /config`, see
    /// [`detect`]); `None` when it
    /// could not be told, and planning then assumes the global control plane.
    pub mode: Option<Mode>,
    /// Whether `kuma_version` is the control plane's own release (read from `GET /`), so no
    /// other release can be the cause of an error (no version hints).
    pub release_from_server: bool,
    /// Why `GET /` did not tell the release at configure when another try may (no answer, a
    /// server error after every retry): the server has a release this run has not read. `None`
    /// when it was read, or when the server answered that it will not tell (a 404, a body that
    /// is not Kuma's index), which every later try answers alike.
    pub release_unread: Option<Unread>,
    /// The one more try of `GET /` made, once per process, before the first plan, apply or
    /// data-source read uses any rule when configure could not read the release
    /// ([`Configured::settle_release`]).
    pub release_reread: Arc<tokio::sync::OnceCell<Reread>>,
    /// Whether the control plane refuses a create-only PUT (`If-None-Match: *`) over an existing
    /// object, as kuma-local does (its `GET /` says `kumaLocal`); Kuma ignores the header, so a
    /// create reads before it writes unless this is known.
    pub refuses_create_over_existing: bool,
    /// Request timeout (also the zone-status wait bound).
    pub timeout: Duration,
    /// Default overall deadline of one operation.
    pub operation_timeout: Duration,
    /// Whether plans lint against the live MeshServices.
    pub live_lints: bool,
    /// What the control plane holds, fetched once per process.
    pub live: Arc<crate::resources::live::LiveCache>,
    /// Lists taken for a batched refresh, per process.
    pub snapshots: Arc<crate::resources::snapshots::ReadSnapshots>,
    /// Objects this process's refreshes found deleted and created again outside Terraform.
    pub recreated: Arc<crate::resources::SeenRecreated>,
    /// The VIPs this process's previews predicted for services that do not exist yet.
    pub predicted_vips: Arc<crate::resources::data_sources::PredictedVips>,
}

impl Configured {
    /// The same settings with every client (global and zones) bounded by one deadline of
    /// `limit` from now: what one Terraform operation uses.
    pub fn with_deadline(&self, limit: Duration, set_by: DeadlineSetBy) -> Configured {
        Configured {
            client: self.client.with_deadline(limit, set_by),
            zones: self
                .zones
                .iter()
                .map(|z| Zone {
                    name: z.name.clone(),
                    client: z.client.with_deadline(limit, set_by),
                    problem: z.problem.clone(),
                    failed: Arc::clone(&z.failed),
                    not_ready: z.not_ready.clone(),
                })
                .collect(),
            ..self.clone()
        }
    }

    /// [`Configured::with_deadline`] with the operation's `timeouts` entry (`create`, `read`,
    /// ...) from the resource's `timeouts` block, else the provider's `operation_timeout`.
    /// A refresh (`read`) and a `delete` take the value their state holds (what Terraform sends
    /// them), and their errors say so ([`DeadlineSetBy::Refresh`], [`DeadlineSetBy::Delete`]).
    pub fn for_operation(&self, timeouts: &Value, operation: &str) -> Configured {
        let own = timeouts.get(operation).as_str().and_then(parse_duration);
        let stored = own.is_some();
        let set_by = match operation {
            "read" => DeadlineSetBy::Refresh { stored },
            "delete" => DeadlineSetBy::Delete { stored },
            _ => DeadlineSetBy::ResourceTimeouts,
        };
        self.with_deadline(own.unwrap_or(self.operation_timeout), set_by)
    }

    /// [`Configured::with_deadline`] of the provider's `operation_timeout`: a plan or a data
    /// source read, which no `timeouts` block governs.
    pub fn for_plan_or_read(&self) -> Configured {
        self.with_deadline(self.operation_timeout, DeadlineSetBy::OperationTimeout)
    }
}

/// Parse a duration in Go's `time.ParseDuration` grammar, as Terraform users write them: a
/// sequence of numbers (decimals allowed) each with a unit `ns`, `us` (`µs`), `ms`, `s`, `m` or
/// `h`, e.g. `30s`, `500ms`, `1m30s`, `1.5h`. A bare number is refused, as Go refuses one other
/// than `0` ("missing unit"): `"500"` could mean seconds or milliseconds. More than 0 and less than 24h
/// (a deadline); `None` otherwise.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let is_number = |c: char| c.is_ascii_digit() || c == '.';
    let secs = {
        let mut rest = t;
        let mut total = 0.0;
        if rest.is_empty() {
            return None;
        }
        while !rest.is_empty() {
            let number_end = rest.find(|c: char| !is_number(c)).unwrap_or(rest.len());
            let n: f64 = rest[..number_end].parse().ok()?;
            rest = &rest[number_end..];
            let unit_end = rest.find(is_number).unwrap_or(rest.len());
            let scale = match &rest[..unit_end] {
                "ns" => 1e-9,
                "us" | "\u{b5}s" | "\u{3bc}s" => 1e-6,
                "ms" => 1e-3,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => return None,
            };
            total += n * scale;
            rest = &rest[unit_end..];
        }
        total
    };
    (secs.is_finite() && secs > 0.0 && secs < 86_400.0).then(|| Duration::from_secs_f64(secs))
}

/// Static checks of the provider block (unknown values are skipped).
pub fn validate(config: &Value) -> Vec<Diag> {
    let mut diags = Vec::new();
    for key in ["timeout", "operation_timeout"] {
        if let Some(t) = config.get(key).as_str() {
            if parse_duration(t).is_none() {
                diags.push(invalid_duration(key, t).at(attr(key)));
            }
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
                    .at(zone_attr(i, "endpoint")),
                );
            }
        }
    }
    diags
}

/// A duration setting that does not parse; `key` names the attribute as written in the
/// configuration (`operation_timeout`, `timeouts.create`).
pub fn invalid_duration(key: &str, text: &str) -> Diag {
    let t = text.trim();
    let unitless = t.parse::<f64>().is_ok_and(|v| v > 0.0)
        && t.chars().all(|c| c.is_ascii_digit() || c == '.');
    let hint = if unitless {
        format!(" It has no unit: for seconds write \"{t}s\".")
    } else {
        String::new()
    };
    Diag::error(
        format!("Invalid {key}"),
        format!(
            "{text:?} is not a duration like \"30s\", \"500ms\", \"1m30s\" or \"1.5h\": numbers each with a unit ns, us, ms, s, m or h, in all more than 0 and less than 24h.{hint}"
        ),
    )
}

/// The outcome of `ConfigureProvider`.
pub enum Configuration {
    /// Ready to call the API.
    Ready(Arc<Configured>),
    /// Some settings are only known after apply (e.g. `endpoint = some_resource.attr`): plans
    /// run offline with unknown computed values; Terraform configures again at apply.
    Deferred,
}

/// Build the configured provider (env fallbacks applied here).
pub fn configure(config: &Value) -> Result<Configuration, Vec<Diag>> {
    let mut diags = validate(config);
    if config.contains_unknown() {
        return if diags.iter().any(|d| d.error) {
            Err(diags)
        } else {
            Ok(Configuration::Deferred)
        };
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
    let operation_timeout = config
        .get("operation_timeout")
        .as_str()
        .and_then(parse_duration)
        .unwrap_or(DEFAULT_OPERATION_TIMEOUT);
    let max_retries = config
        .get("max_retries")
        .as_i64()
        .map(|n| n.clamp(0, 20) as u32)
        .unwrap_or(DEFAULT_MAX_RETRIES);
    let explicit_version = config
        .get("kuma_version")
        .as_str()
        .and_then(KumaVersion::parse);
    let kuma_version = explicit_version.unwrap_or_default();
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
        operation_timeout,
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
            .map_err(|e| vec![Diag::error("Invalid zone configuration", e.to_string())])?
            .sharing_writes_with(&client);
        zones.push(Zone {
            name: name.to_owned(),
            client: zone_client,
            problem: None,
            failed: Arc::default(),
            not_ready: None,
        });
    }
    Ok(Configuration::Ready(Arc::new(Configured {
        client,
        zones,
        kuma_version,
        explicit_version,
        mode: None,
        release_from_server: false,
        release_unread: None,
        release_reread: Arc::default(),
        refuses_create_over_existing: false,
        timeout,
        operation_timeout,
        live_lints: config.get("live_lints").as_bool().unwrap_or(true),
        live: Arc::default(),
        snapshots: Arc::default(),
        recreated: Arc::default(),
        predicted_vips: Arc::default(),
    })))
}

/// What `GET /` of a Kuma control plane says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// The release as written (`basedOnKuma`, else `version`), e.g. `2.14.3`.
    pub version_text: Option<String>,
    /// The release's rules, when this toolkit knows the release.
    pub version: Option<KumaVersion>,
    /// `global`, `zone` or `standalone`, when the server says.
    pub mode: Option<String>,
    /// The zone's name, when the server is a zone and says (kuma-local does).
    pub zone: Option<String>,
    /// Whether the server is kuma-local, which honours `If-None-Match: *` on PUT.
    pub kuma_local: bool,
}

/// Read a release string through the core: the whole text, else its `major.minor`.
fn parse_release(text: &str) -> Option<KumaVersion> {
    KumaVersion::parse(text).or_else(|| {
        let mut parts = text.trim().trim_start_matches('v').split('.');
        let major_minor = format!("{}.{}", parts.next()?, parts.next()?);
        KumaVersion::parse(&major_minor)
    })
}

impl ServerInfo {
    /// From the `GET /` body.
    pub fn from_index(body: &serde_json::Value) -> ServerInfo {
        let text = |key: &str| {
            body.get(key)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let version_text = text("basedOnKuma").or_else(|| text("version"));
        ServerInfo {
            version: version_text.as_deref().and_then(parse_release),
            version_text,
            mode: text("mode"),
            zone: text("zone"),
            kuma_local: text("kumaLocal").is_some(),
        }
    }

    /// Whether this is the index of a Kuma control plane at all (Kuma's and kuma-local's both
    /// carry `version`).
    fn is_kuma(body: &serde_json::Value) -> bool {
        body.get("version").and_then(|v| v.as_str()).is_some()
    }
}

/// The path of the attribute `attr` of the `zone` block `i`.
fn zone_attr(i: usize, attr: &str) -> Vec<Step> {
    vec![
        Step::Attr("zone".into()),
        Step::Index(i as i64),
        Step::Attr(attr.into()),
    ]
}

/// Ask the control plane which release and mode it runs, and each `zone` block's endpoint
/// whether it is that zone (all at once, bounded by a short deadline), and settle the rules: the
/// server's release wins over `kuma_version` (a disagreement is a warning on `kuma_version`), the
/// mode decides at plan time which types the endpoint accepts, and a zone block whose endpoint is
/// not that zone's control plane is a warning on its `endpoint` and is never read. A server that
/// cannot be asked leaves the configured rules in place (the operations themselves report it).
pub async fn detect(configured: &Configured) -> (Configured, Vec<Diag>) {
    let mut settled = configured.clone();
    let mut diags = Vec::new();
    let limit = configured.operation_timeout.min(PROBE_LIMIT);
    let client = configured.client.with_deadline(limit, DeadlineSetBy::Probe);
    let (index, access, zone_problems, zone_access, zone_ready) = futures_util::join!(
        client.get("/"),
        client.get(ACCESS_PROBE),
        futures_util::future::join_all(
            configured
                .zones
                .iter()
                .map(|zone| zone_problem(zone, limit))
        ),
        futures_util::future::join_all(configured.zones.iter().map(|zone| async move {
            zone.client
                .with_deadline(limit, DeadlineSetBy::Probe)
                .get(ACCESS_PROBE)
                .await
        })),
        futures_util::future::join_all(
            configured
                .zones
                .iter()
                .map(|zone| zone.client.get_text_once("/ready", limit))
        ),
    );
    let checks = zone_problems.into_iter().zip(zone_access).zip(zone_ready);
    for (i, (zone, ((problem, access), ready))) in settled.zones.iter_mut().zip(checks).enumerate()
    {
        let at = |attr: &str| zone_attr(i, attr);
        // A zone that refuses the credentials is read by nothing in this run: a warning on its
        // `token` (the zones only report status; the changes are made on the global).
        if let Err(
            e @ ClientError::Api {
                status: 401 | 403, ..
            },
        ) = &access
        {
            zone.remember_failure(&e.to_string());
            let fix = format!(
                "Set this `zone` block's `token` (else the provider's `token` is used) to a token of zone {:?}'s control plane.",
                zone.name
            );
            diags.push(
                unread_zone(
                    zone,
                    "refused the credentials",
                    &format!("answered: {e}. {fix}"),
                )
                .at(at("token")),
            );
            continue;
        }
        let at = at("endpoint");
        if let Some(error) = zone.earlier_failure() {
            let what = format!("did not answer: {error}.");
            diags.push(unread_zone(zone, "could not be read", &what).at(at.clone()));
        }
        let Some(problem) = problem else {
            // kuma-local answers `/ready` on its API; Kuma serves it on another port (404 here).
            if let Ok((503, text)) = ready {
                let text = text.trim().to_owned();
                diags.push(
                    Diag::warning(
                        format!("Zone {:?} is not ready", zone.name),
                        format!(
                            "Zone {:?} ({}) answers `/ready` with 503:\n{text}\n\nAn apply does not wait for it to receive changes: its `zone_status` entries say `pending` until it syncs, and a later refresh reads it again.",
                            zone.name,
                            zone.client.endpoint(),
                        ),
                    )
                    .at(at),
                );
                zone.not_ready = Some(text);
            }
            continue;
        };
        crate::log::warn(
            "zone block is not that zone's control plane; not reading it",
            &[("zone", &zone.name), ("problem", &problem)],
        );
        diags.push(
            Diag::warning(
                format!("Zone {:?} is not read: wrong endpoint", zone.name),
                format!(
                    "The `zone` block {name:?} has endpoint {endpoint}, but {problem}. Its `zone_status` entries say `unreachable` with this reason, and applies do not wait for it. Set this block's `endpoint` to the API of zone {name:?}'s control plane.",
                    name = zone.name,
                    endpoint = zone.client.endpoint(),
                ),
            )
            .at(at),
        );
        zone.problem = Some(problem);
    }
    // Credentials the control plane refuses fail the plan here, at `token`, instead of
    // failing the apply later (the index itself may be open to anyone, as kuma-local's is).
    if let Some(refused) = [&index, &access]
        .into_iter()
        .find_map(|answer| refused_credentials(&configured.client, answer.as_ref().err()?))
    {
        diags.push(refused);
        return (settled, diags);
    }
    let body = match index {
        Ok(body) => body,
        Err(e) => {
            crate::log::warn(
                "could not read the control plane's version",
                &[("error", &e.to_string())],
            );
            if may_answer_later(&e) {
                settled.release_unread = Some(Unread::of(&e));
            } else if let Some(warning) = not_kumas_index_error(configured, &e) {
                diags.push(warning);
            }
            return (settled, diags);
        }
    };
    diags.extend(settle_index(configured, &mut settled, &client, &body).await);
    (settled, diags)
}

/// The warning for an endpoint whose `GET /` answered, but not with a Kuma control plane's
/// index (`answered`: what it answered): the release cannot be told, which plans show.
fn not_kumas_index(configured: &Configured, answered: &str) -> Diag {
    let endpoint = configured.client.endpoint();
    let rules = configured.kuma_version.as_str();
    let because = if configured.explicit_version.is_some() {
        "as `kuma_version` says"
    } else {
        "the default: `kuma_version` is not set"
    };
    Diag::warning(
        format!("{endpoint} does not answer `GET /` as a Kuma control plane"),
        format!(
            "`GET /` at {endpoint} {}. A Kuma control plane answers it with its index, JSON that names its release (`\"version\": \"2.14.3\"`). So the provider cannot tell which Kuma release it talks to: plans check configurations with Kuma {rules} rules ({because}), and the `kri` and `snis` of a MeshMultiZoneService being created (or whose names a change can alter) are unknown until the apply reads them back. If {endpoint} is not the control plane's API (a GUI, a gateway's or a login page, a proxy that redirects), every other request meets the same answer, the apply's writes too: set `endpoint` to the API's address (a Kuma control plane serves it on port 5681 by default).",
            answered.trim_end().trim_end_matches('.'),
        ),
    )
    .at(attr("endpoint"))
}

/// [`not_kumas_index`] for a `GET /` that failed with `error`, when the failure is an answer
/// that is not Kuma's (a body that is not JSON or too large, a redirect loop, a 404): `None`
/// for refused credentials and failures another try may clear, which are reported apart.
fn not_kumas_index_error(configured: &Configured, error: &ClientError) -> Option<Diag> {
    let answered = match error {
        ClientError::Decode { .. }
        | ClientError::Redirect { .. }
        | ClientError::Body {
            problem: BodyProblem::TooLarge { .. },
            ..
        } => format!("got no Kuma index: {error}"),
        ClientError::Api { status, .. } if !matches!(status, 401 | 403) => {
            format!("answered {status}, where a Kuma control plane answers 200: {error}")
        }
        _ => return None,
    };
    Some(not_kumas_index(configured, &answered))
}

/// What `GET /` answered (`body`), settled into `settled`: the release (the server's wins over
/// `kuma_version`), whether it refuses a create over an existing object, the mode. Its
/// warnings.
async fn settle_index(
    configured: &Configured,
    settled: &mut Configured,
    client: &KumaClient,
    body: &serde_json::Value,
) -> Vec<Diag> {
    let mut diags = Vec::new();
    settled.release_unread = None;
    let info = ServerInfo::from_index(body);
    if !ServerInfo::is_kuma(body) {
        let answered = format!(
            "answered JSON that names no `version`: {}",
            json_start(body)
        );
        diags.push(not_kumas_index(configured, &answered));
    }
    settled.refuses_create_over_existing = info.kuma_local;
    settled.mode = server_mode(client, &info).await;
    crate::log::info(
        "control plane mode",
        &[
            ("endpoint", client.endpoint()),
            ("mode", &mode_text(settled.mode.as_ref())),
        ],
    );
    diags.extend(zones_apart_from_a_standalone_endpoint(settled));
    diags.extend(zones_of_another_global(settled, body).await);
    match (info.version, configured.explicit_version) {
        (Some(server), Some(explicit)) if server != explicit => {
            diags.push(
                Diag::warning(
                    "kuma_version disagrees with the control plane",
                    format!(
                        "kuma_version is {:?} but {} runs Kuma {} ({} rules); the server's rules apply.",
                        explicit.as_str(),
                        configured.client.endpoint(),
                        info.version_text.as_deref().unwrap_or(""),
                        server.as_str()
                    ),
                )
                .at(attr("kuma_version")),
            );
            settled.kuma_version = server;
            settled.release_from_server = true;
        }
        (Some(server), _) => {
            settled.kuma_version = server;
            settled.release_from_server = true;
        }
        (None, _) => {
            crate::log::info(
                "the control plane's release is not one this provider knows; using kuma_version",
                &[("version", info.version_text.as_deref().unwrap_or("(none)"))],
            );
            if let Some(reported) = info.version_text.as_deref() {
                diags.push(unknown_release(configured, reported));
            }
        }
    }
    diags
}

/// Why `GET /` did not tell the release (see [`Configured::release_unread`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// The error, as the client words it.
    pub error: String,
    /// Whether the control plane could not be reached at all (no connection, or no answer
    /// in time), rather than answering `GET /` with an error (a 5xx, 408, 429): then nothing
    /// else of it can be asked either, an apply's writes included.
    pub unreachable: bool,
}

impl Unread {
    fn of(error: &ClientError) -> Unread {
        Unread {
            error: error.to_string(),
            unreachable: matches!(
                error,
                ClientError::Transport { .. }
                    | ClientError::Deadline { .. }
                    | ClientError::NotAskedAgain { .. }
            ),
        }
    }
}

/// What the one more try of `GET /` ([`Configured::settle_release`]) came to.
#[derive(Debug)]
pub struct Reread {
    /// The settings the answer settled (the server's release, mode, ...), or why it still did
    /// not tell the release.
    pub outcome: Result<Arc<Configured>, Unread>,
    /// What the answer is to be warned about (a `kuma_version` the server contradicts, ...),
    /// handed once to the first caller.
    warnings: std::sync::Mutex<Vec<Diag>>,
}

impl Reread {
    /// A try that still did not tell the release (for tests).
    #[cfg(test)]
    pub fn failed(unread: Unread) -> Reread {
        Reread {
            outcome: Err(unread),
            warnings: std::sync::Mutex::default(),
        }
    }
}

/// The release the names a plan shows (`kri`, `snis`) are predicted from
/// ([`Configured::names_release`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamesRelease {
    /// The control plane's own release, read from `GET /`.
    Server(KumaVersion),
    /// The configured `kuma_version`, used as given: `GET /` did not answer (at configure and
    /// once more).
    Configured(KumaVersion),
    /// None: the control plane answers `GET /` without a release this provider knows, in every
    /// run alike, so the names stay unknown until the apply reads them.
    NotTold,
    /// None, because the control plane cannot be reached at all (`Unread::unreachable`, at
    /// configure and once more) and `kuma_version` is not set: the names stay unknown, with a
    /// warning, as an apply cannot write either until it is reached.
    Unreachable(Unread),
    /// None although the control plane has a release: `GET /` answered an error at configure
    /// (`first`) and once more (`again`) while the rest of it may answer. The plan stops (the
    /// apply's own plan may read what this one cannot).
    Unread {
        /// What configure met.
        first: Unread,
        /// What the one more try met.
        again: Unread,
    },
}

/// The warning, once per process, that `kuma_version` (`version`) stands in for a release
/// `GET /` at `endpoint` did not tell (`unread`: what the one more try met): nothing checks it,
/// and should the server run another release, a plan that read it (before, or in the apply)
/// differs from this one, which Terraform reports as its own bug.
fn unchecked_kuma_version(endpoint: &str, version: KumaVersion, unread: &Unread) -> Diag {
    let v = version.as_str();
    Diag::warning(
        format!("kuma_version = \"{v}\" is used unchecked"),
        format!(
            "`GET /` at {endpoint} failed ({}), so the rules and names (`kri`, `snis`) of Kuma {v} are used without checking the control plane's release. If it runs another release, Terraform may report \"Provider produced inconsistent final plan\" (a plan that read the release differs from this one): the cause is this, not a bug. Let `GET /` through, or set `kuma_version` to the server's release.",
            unread.error.trim_end().trim_end_matches('.'),
        ),
    )
    .at(attr("kuma_version"))
}

/// Whether a request that failed this way may get an answer another time: no answer, a
/// deadline, a server error or a request to slow down. Not a clear answer (a 404, a refusal, a
/// body that is not JSON), which a later try gets again.
fn may_answer_later(error: &ClientError) -> bool {
    match error {
        ClientError::Api { status, .. } => *status >= 500 || matches!(status, 408 | 429),
        ClientError::Transport { .. }
        | ClientError::Deadline { .. }
        | ClientError::NotAskedAgain { .. } => true,
        // A body that stalled or broke off may come whole another time; one too large will not.
        ClientError::Body { problem, .. } => !matches!(problem, BodyProblem::TooLarge { .. }),
        ClientError::Decode { .. }
        | ClientError::Redirect { .. }
        | ClientError::Config(_)
        | ClientError::AlreadyExists { .. } => false,
    }
}

impl Configured {
    /// These settings with the control plane's release settled: when configure could not read
    /// it for a reason another try may not meet ([`Configured::release_unread`]), `GET /` once
    /// more (once per process, under the provider's `operation_timeout`: a control plane slower
    /// than the first look's 10s answers here), and what it answers settled as configure would
    /// have (the server's release, its mode, ...). Every plan, apply and data-source read takes
    /// its settings from here before it uses any rule, so validation, what an update may change
    /// and the predicted names all follow one release. The warnings of that answer go to the
    /// first caller. Unchanged (and no request) when nothing was left unread; still unread
    /// when the try fails too ([`Configured::names_release`] says what then).
    pub async fn settle_release(self: &Arc<Self>) -> (Arc<Configured>, Vec<Diag>) {
        let (settled, warnings) = self.settle_release_at_provider().await;
        // A provider-block path means nothing on a resource.
        let warnings = warnings.into_iter().map(|d| d.at(Vec::new())).collect();
        (settled, warnings)
    }

    /// [`Configured::settle_release`] with the warnings at the provider block's attributes
    /// (`kuma_version`), for ConfigureProvider's answer.
    pub async fn settle_release_at_provider(self: &Arc<Self>) -> (Arc<Configured>, Vec<Diag>) {
        if self.release_unread.is_none() {
            return (Arc::clone(self), Vec::new());
        }
        let reread = self
            .release_reread
            .get_or_init(|| async {
                let client = self
                    .client
                    .with_deadline(self.operation_timeout, DeadlineSetBy::OperationTimeout);
                let (outcome, warnings) = match client.get("/").await {
                    Ok(body) => {
                        let mut settled = Configured::clone(self);
                        let warnings = settle_index(self, &mut settled, &client, &body).await;
                        (Ok(Arc::new(settled)), warnings)
                    }
                    Err(e) if may_answer_later(&e) => {
                        let unread = Unread::of(&e);
                        // A control plane that cannot be reached at all: the cause-first
                        // "Cannot reach" warning (or error) of whatever asks it says it all;
                        // advice about `GET /` through a gateway would be beside the point.
                        let warnings = match self.explicit_version {
                            Some(v) if !unread.unreachable => {
                                vec![unchecked_kuma_version(self.client.endpoint(), v, &unread)]
                            }
                            _ => Vec::new(),
                        };
                        (Err(unread), warnings)
                    }
                    // A clear answer without the release, as every later try would get.
                    Err(e) => {
                        let mut settled = Configured::clone(self);
                        settled.release_unread = None;
                        let warnings = not_kumas_index_error(self, &e).into_iter().collect();
                        (Ok(Arc::new(settled)), warnings)
                    }
                };
                crate::log::info(
                    "asked the control plane's release once more",
                    &[(
                        "outcome",
                        &match &outcome {
                            Ok(c) => c.kuma_version.as_str().to_owned(),
                            Err(e) => e.error.clone(),
                        },
                    )],
                );
                Reread {
                    outcome,
                    warnings: std::sync::Mutex::new(warnings),
                }
            })
            .await;
        let warnings = reread
            .warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        match &reread.outcome {
            Ok(settled) => (Arc::clone(settled), warnings),
            Err(_) => (Arc::clone(self), warnings),
        }
    }

    /// Why no release's rules are this run's own, once [`Configured::settle_release`] has
    /// settled these settings: `GET /` failed (at configure and once more, the latest failure
    /// here) and no `kuma_version` stands in. Then a rule is applied only as every supported
    /// release agrees on it (as `terraform validate` does), and what only some releases refuse
    /// is said with this cause rather than under a guessed release. `None` when a release is
    /// in force (read, or `kuma_version`), or the server answers `GET /` without one.
    pub fn release_not_read(&self) -> Option<Unread> {
        match self.names_release() {
            NamesRelease::Unreachable(unread) | NamesRelease::Unread { again: unread, .. } => {
                Some(unread)
            }
            NamesRelease::Server(_) | NamesRelease::Configured(_) | NamesRelease::NotTold => None,
        }
    }

    /// The release the names a plan shows (`kri`, `snis`) are predicted from, once
    /// [`Configured::settle_release`] has settled these settings.
    pub fn names_release(&self) -> NamesRelease {
        if self.release_from_server {
            return NamesRelease::Server(self.kuma_version);
        }
        let Some(first) = &self.release_unread else {
            return NamesRelease::NotTold;
        };
        if let Some(explicit) = self.explicit_version {
            return NamesRelease::Configured(explicit);
        }
        let again = match self.release_reread.get().map(|r| &r.outcome) {
            Some(Err(again)) => again.clone(),
            // Not asked again (settings not settled): what configure met stands.
            _ => first.clone(),
        };
        if again.unreachable {
            NamesRelease::Unreachable(again)
        } else {
            NamesRelease::Unread {
                first: first.clone(),
                again,
            }
        }
    }
}

/// The warning for a control plane whose release this provider has no rules for: plans check
/// against the configured (else the default) release's rules, which may differ from the server's.
fn unknown_release(configured: &Configured, reported: &str) -> Diag {
    let rules = configured.kuma_version.as_str();
    let because = if configured.explicit_version.is_some() {
        "as kuma_version says"
    } else {
        "the default, kuma_version is not set"
    };
    Diag::warning(
        format!("Kuma {reported} is not a release this provider knows"),
        format!(
            "{} reports Kuma {reported:?}, which is not among the supported releases ({}), so plans are checked with Kuma {rules} rules ({because}). The control plane may accept or refuse what those rules do not; set kuma_version to the supported release closest to it.",
            configured.client.endpoint(),
            KumaVersion::supported_list(),
        ),
    )
    .at(attr("kuma_version"))
}

/// A `zone` block of another zone while `endpoint` is a zone on its own (no global): nothing
/// written there reaches another zone, so such a block is a warning on its `endpoint` and is
/// never read (no apply waits for it).
fn zones_apart_from_a_standalone_endpoint(settled: &mut Configured) -> Vec<Diag> {
    let Some(Mode::Zone {
        name: own,
        federated: false,
    }) = settled.mode.clone()
    else {
        return Vec::new();
    };
    let mut diags = Vec::new();
    for (i, zone) in settled.zones.iter_mut().enumerate() {
        if zone.name == own || zone.problem.is_some() {
            continue;
        }
        let problem = format!(
            "the provider's `endpoint` is zone {own:?} on its own, without a global control plane, so nothing it holds reaches zone {:?}",
            zone.name
        );
        diags.push(
            Diag::warning(
                format!("Zone {:?} is not read: no global control plane", zone.name),
                format!(
                    "The `zone` block {name:?} is not read: {problem}. Its `zone_status` entries say `unreachable` with this reason, and applies do not wait for it. Remove the block, or point `endpoint` at the global control plane of a multi-zone deployment.",
                    name = zone.name,
                ),
            )
            .at(zone_attr(i, "endpoint")),
        );
        zone.problem = Some(problem);
    }
    diags
}

/// `zone` blocks whose zone belongs to another global control plane than the provider's
/// `endpoint` (whose index is `index`): nothing written on the endpoint reaches such a zone, and
/// its `zone_status` would be another deployment's. A warning on each block's `endpoint`, and
/// the block is never read, as for a block that names another zone.
///
/// A zone tells where its global is in `GET /config` (`multizone.zone.globalAddress`). Only an
/// `http(s)` address is compared: kuma-local answers its global's API URL there; Kuma answers
/// the KDS address (`grpcs://global:5685`), which is not the API endpoint and cannot be
/// compared with it, so a real Kuma zone is never judged. It is judged only when certain
/// ([`another_global`]).
async fn zones_of_another_global(settled: &mut Configured, index: &serde_json::Value) -> Vec<Diag> {
    if settled.mode != Some(Mode::Global) {
        return Vec::new();
    }
    let endpoint = settled.client.clone();
    let limit = settled.operation_timeout.min(PROBE_LIMIT);
    let checks = settled.zones.iter().map(|zone| {
        let endpoint = &endpoint;
        async move {
            if zone.problem.is_some() || zone.earlier_failure().is_some() {
                return None;
            }
            another_global(zone, endpoint, index, limit).await
        }
    });
    let found = futures_util::future::join_all(checks).await;
    let mut diags = Vec::new();
    for (i, (zone, problem)) in settled.zones.iter_mut().zip(found).enumerate() {
        let Some(problem) = problem else {
            continue;
        };
        crate::log::warn(
            "zone block is a zone of another global control plane; not reading it",
            &[("zone", &zone.name), ("problem", &problem)],
        );
        diags.push(
            Diag::warning(
                format!(
                    "Zone {:?} is not read: it belongs to another global control plane",
                    zone.name
                ),
                format!(
                    "The `zone` block {name:?} has endpoint {zone_endpoint}, but {problem}. Nothing written on {endpoint} reaches it, so its `zone_status` entries say `unreachable` with this reason, and applies do not wait for it. Set this block's `endpoint` to the API of zone {name:?} of the global control plane at {endpoint}.",
                    name = zone.name,
                    zone_endpoint = zone.client.endpoint(),
                    endpoint = endpoint.endpoint(),
                ),
            )
            .at(zone_attr(i, "endpoint")),
        );
        zone.problem = Some(problem);
    }
    diags
}

/// Why `zone` belongs to another global control plane than `endpoint` (whose index is
/// `index`), when that is certain; `None` otherwise. The zone's `multizone.zone.globalAddress`
/// must be an `http(s)` URL that is not the endpoint (scheme, host and port; `localhost` and
/// any loopback address count as one host), must not be a loopback address seen from a zone
/// the provider reaches on another host (that would be the zone's own machine, not this one),
/// and must answer `GET /` (asked without a token) with a Kuma index whose `clusterId` is not
/// the endpoint's: so a proxy in front of the same global, or an address the provider cannot
/// reach, is never taken for another control plane.
async fn another_global(
    zone: &Zone,
    endpoint: &KumaClient,
    index: &serde_json::Value,
    limit: Duration,
) -> Option<String> {
    let ours = index.get("clusterId").and_then(|c| c.as_str())?;
    let config = zone
        .client
        .with_deadline(limit, DeadlineSetBy::Probe)
        .get("/config")
        .await
        .ok()?;
    let address = config
        .pointer("/multizone/zone/globalAddress")
        .and_then(|a| a.as_str())?
        .trim();
    let (global, own, zone_url) = (
        Address::parse(address)?,
        Address::parse(endpoint.endpoint())?,
        Address::parse(zone.client.endpoint())?,
    );
    if global.same_as(&own) || (global.loopback && !zone_url.loopback) {
        return None;
    }
    let other = endpoint.without_token_at(address).ok()?;
    let answer = other
        .with_deadline(limit, DeadlineSetBy::Probe)
        .get("/")
        .await
        .ok()?;
    let theirs = answer.get("clusterId").and_then(|c| c.as_str())?;
    (ServerInfo::is_kuma(&answer) && theirs != ours).then(|| {
        format!(
            "it is a zone of another global control plane: its `GET /config` says multizone.zone.globalAddress: {address:?}, whose `GET /` reports clusterId {theirs:?}, not the provider `endpoint`'s {ours:?}"
        )
    })
}

/// An `http(s)` control plane address reduced to what tells two apart: scheme, host, port.
#[derive(Debug, PartialEq, Eq)]
struct Address {
    scheme: String,
    host: String,
    port: Option<u16>,
    /// `localhost` or a loopback IP.
    loopback: bool,
}

impl Address {
    /// `None` for anything but an `http` or `https` URL with a host (a KDS `grpcs://` address).
    fn parse(text: &str) -> Option<Address> {
        let url = reqwest::Url::parse(text.trim()).ok()?;
        let scheme = url.scheme().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
        let ip = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = match ip.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.is_loopback(),
            Err(_) => host == "localhost" || host.ends_with(".localhost"),
        };
        Some(Address {
            host,
            port: url.port_or_known_default(),
            scheme,
            loopback,
        })
    }

    /// Whether both name the same server: same scheme and port, and the same host, any two
    /// loopback names counting as one.
    fn same_as(&self, other: &Address) -> bool {
        self.scheme == other.scheme
            && self.port == other.port
            && (self.host == other.host || (self.loopback && other.loopback))
    }
}

/// The warning for a zone nothing reads in this run: `problem` for the summary, `what` (what
/// it answered, and the fix) for the detail.
fn unread_zone(zone: &Zone, problem: &str, what: &str) -> Diag {
    Diag::warning(
        format!("Zone {:?} {problem}", zone.name),
        format!(
            "Zone {:?} ({}) {what} It is remembered as unreachable for the rest of this provider process: nothing in it waits for the zone again, and its `zone_status` entries say `unreachable`. Changes are still made on the global control plane. (Terraform starts a new provider process for the apply, which asks the zone once more.)",
            zone.name,
            zone.client.endpoint(),
        ),
    )
}

/// A read every Kuma control plane serves to any valid token (and only to one): the first Mesh.
const ACCESS_PROBE: &str = "/meshes?size=1";

/// The error for an answer that says the credentials are missing, wrong or not allowed (401 or
/// 403), on the provider's `token` attribute; `None` for any other error (a control plane that
/// cannot be reached is reported by the operations that need it, and `terraform validate` never
/// asks it).
fn refused_credentials(client: &KumaClient, error: &ClientError) -> Option<Diag> {
    let ClientError::Api { status, .. } = error else {
        return None;
    };
    if !matches!(status, 401 | 403) {
        return None;
    }
    let endpoint = client.endpoint();
    let cause = if client.has_token() {
        "The token (the provider's `token`, else the environment variable KUMA_TOKEN) is wrong, expired, or not allowed to read this control plane."
    } else {
        "No token is set: neither the provider's `token` nor the environment variable KUMA_TOKEN, and this control plane does not allow anonymous access."
    };
    Some(
        Diag::error(
            format!("The control plane at {endpoint} refused the credentials ({status})"),
            format!(
                "{error}.\n\n{cause} Nothing can be planned or applied against {endpoint} until it accepts the token: set `token` to a Kuma user token (kuma-local prints its admin token when it starts)."
            ),
        )
        .at(attr("token")),
    )
}

/// Kuma 1.x's name for a zone that has no global control plane.
const STANDALONE: &str = "standalone";

/// A control plane's mode as the log shows it: `global`, `zone east (federated)`, `unknown`.
fn mode_text(mode: Option<&Mode>) -> String {
    match mode {
        Some(Mode::Global) => "global".to_owned(),
        Some(Mode::Zone { name, federated }) => {
            let federated = if *federated { " (federated)" } else { "" };
            format!("zone {name}{federated}")
        }
        None => "unknown".to_owned(),
    }
}

/// The endpoint's mode as the core's REST layer models it: from its index when it says (kuma-local's
/// does; for a zone, whether it is federated comes from [`federated`]), else from its
/// configuration (Kuma's index has no mode). `None` when neither tells.
async fn server_mode(client: &KumaClient, info: &ServerInfo) -> Option<Mode> {
    let Some(mode) = info.mode.as_deref() else {
        // Kuma's index does not say; its configuration does (one more request, once per run).
        return config_mode(client).await;
    };
    if mode == Mode::Global.origin() {
        return Some(Mode::Global);
    }
    let zone_word = Mode::Zone {
        name: String::new(),
        federated: true,
    }
    .origin();
    if mode != zone_word && mode != STANDALONE {
        return None;
    }
    // Neither Kuma's nor kuma-local's index says whether a zone is federated; when the
    // zone's configuration cannot tell either, assume it is (the usual deployment, and a
    // federated zone refuses more), so a wrong guess is a plan error that names the cause
    // instead of a 405 at apply.
    let federated = mode != STANDALONE && federated(client).await.unwrap_or(true);
    Some(Mode::Zone {
        name: info.zone.clone().unwrap_or_default(),
        federated,
    })
}

/// The mode a control plane's configuration (`GET /config`, read through the core) tells; `None`
/// when it cannot be read (Kuma serves it only to users allowed to see the control plane's
/// metadata, admins by default: a refusal is no error here, planning then goes on as if the
/// mode were unknown) or does not say.
async fn config_mode(client: &KumaClient) -> Option<Mode> {
    match client.get("/config").await {
        Ok(config) => Mode::from_config(&config),
        Err(e) => {
            crate::log::info(
                "could not read the control plane's configuration for its mode",
                &[("error", &e.to_string())],
            );
            None
        }
    }
}

/// Whether a zone control plane is connected to a global one. Kuma publishes its configuration
/// at `GET /config` (`multizone.zone.globalAddress` is set on a federated zone, and kuma-local
/// shows it too); when that cannot be read, on a federated zone every Mesh comes from the global control plane
/// (`kuma.io/origin: global`) while a zone on its own creates its default Mesh itself. `None`
/// when neither tells (e.g. a zone that has not synced any Mesh yet).
async fn federated(client: &KumaClient) -> Option<bool> {
    if let Ok(config) = client.get("/config").await {
        if let Some(address) = config
            .pointer("/multizone/zone/globalAddress")
            .and_then(|a| a.as_str())
        {
            return Some(!address.trim().is_empty());
        }
    }
    let meshes = client.list_all("/meshes").await.ok()?;
    if meshes.is_empty() {
        return None;
    }
    Some(meshes.iter().any(|mesh| {
        mesh.get("labels")
            .and_then(|l| l.get(label_keys::ORIGIN))
            .and_then(|o| o.as_str())
            == Some(Mode::Global.origin())
    }))
}

/// Why a `zone` block's endpoint is not that zone's control plane, from its `GET /`: it does not
/// answer like Kuma (a wrong URL, e.g. a 404), says it is the global control plane, or names
/// another zone. `None` when it looks right or cannot be asked now (the status reads then
/// report the zone `unreachable` as they always do).
async fn zone_problem(zone: &Zone, limit: Duration) -> Option<String> {
    let client = zone.client.with_deadline(limit, DeadlineSetBy::Probe);
    match client.get("/").await {
        Ok(body) if !ServerInfo::is_kuma(&body) => {
            Some("its `GET /` does not answer like a Kuma control plane (no `version`)".to_owned())
        }
        Ok(body) => {
            let info = ServerInfo::from_index(&body);
            // kuma-local's index says what it is; Kuma's says it only in its configuration.
            let (mode, name, says) = match info.mode {
                Some(mode) => (mode, info.zone, ("its `GET /` says", "\"zone\"")),
                None => {
                    let mode = config_mode(&client).await?;
                    let name = mode
                        .zone_name()
                        .filter(|n| !n.is_empty())
                        .map(str::to_owned);
                    (
                        mode.origin().to_owned(),
                        name,
                        ("its `GET /config` says", "multizone.zone.name"),
                    )
                }
            };
            let (source, name_key) = says;
            if mode == Mode::Global.origin() {
                return Some(format!(
                    "it is a global control plane, not a zone control plane ({source} \"mode\": \"global\")"
                ));
            }
            match name {
                Some(other) if other != zone.name => Some(format!(
                    "it is the control plane of zone {other:?}, not of zone {:?} ({source} {name_key}: {other:?})",
                    zone.name
                )),
                _ => None,
            }
        }
        // An address that answers, but not as Kuma's API does (401/403 are credentials, 408/429
        // and 5xx passing trouble: the reads report those).
        Err(e @ ClientError::Api { status, .. })
            if (400..500).contains(&status) && ![401, 403, 408, 429].contains(&status) =>
        {
            Some(format!(
                "it is not a Kuma control plane's API (check the URL): {e}"
            ))
        }
        Err(
            e @ (ClientError::Decode { .. }
            | ClientError::Redirect { .. }
            | ClientError::Body {
                problem: BodyProblem::TooLarge { .. },
                ..
            }),
        ) => Some(format!(
            "it is not a Kuma control plane's API (check the URL): {e}"
        )),
        // No answer in time, no connection, or refused credentials will not change during
        // this run: the zone is not waited for again ([`Zone::remember_failure`]).
        Err(
            e @ (ClientError::Transport { .. }
            | ClientError::Deadline { .. }
            | ClientError::Api {
                status: 401 | 403, ..
            }),
        ) => {
            if e.is_endpoint_failure() {
                zone.remember_failure(&e.to_string());
            }
            None
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_terraform_users_write_them() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        // A number without a unit is Go's "missing unit in duration"; the error says what to write.
        assert_eq!(parse_duration("10"), None);
        assert!(invalid_duration("timeout", "10")
            .detail
            .ends_with("It has no unit: for seconds write \"10s\"."));
        // Go's `time.ParseDuration` grammar: sequences, decimals, every unit.
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration(".5s"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s500ms"), Some(Duration::from_millis(2500)));
        assert_eq!(parse_duration("1500us"), Some(Duration::from_micros(1500)));
        assert_eq!(
            parse_duration("1500\u{b5}s"),
            Some(Duration::from_micros(1500))
        );
        assert_eq!(parse_duration("2000000ns"), Some(Duration::from_millis(2)));
        assert_eq!(parse_duration("1m30"), None);
        assert_eq!(parse_duration("1d"), None);
        assert_eq!(parse_duration("24h"), None);
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("1..5s"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn the_servers_release_and_mode_are_read_from_its_index() {
        let info = ServerInfo::from_index(&serde_json::json!({
            "version": "2.14.3", "basedOnKuma": "2.14.3", "mode": "zone"
        }));
        assert_eq!(info.version, Some(KumaVersion::V2_14));
        assert_eq!(info.mode.as_deref(), Some("zone"));
        let info = ServerInfo::from_index(&serde_json::json!({"version": "3.0.0", "zone": "east"}));
        assert_eq!(info.zone.as_deref(), Some("east"));
        let info = ServerInfo::from_index(&serde_json::json!({"version": "3.0.0"}));
        assert_eq!(info.version, Some(KumaVersion::V3_0));
        let info = ServerInfo::from_index(&serde_json::json!({"version": "1.8.0"}));
        assert_eq!(info.version, None);
    }

    use crate::test_server::block_on;

    /// A fake control plane whose `GET /` answers `index` (404 when `None`).
    async fn fake(index: Option<serde_json::Value>) -> String {
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let index = index.clone();
                async move {
                    match index {
                        Some(body) => (axum::http::StatusCode::OK, axum::Json(body)),
                        None => (
                            axum::http::StatusCode::NOT_FOUND,
                            axum::Json(serde_json::json!({"title": "Not found"})),
                        ),
                    }
                }
            }),
        );
        crate::test_server::serve(app).await
    }

    fn zone_block(name: &str, endpoint: &str) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("endpoint", Value::string(endpoint)),
        ])
    }

    #[test]
    fn a_zone_block_that_is_not_that_zone_is_found_once_and_never_read() {
        block_on(async {
            let index = |mode: &str, zone: Option<&str>| {
                Some(serde_json::json!({"version": "3.0.0", "mode": mode, "zone": zone}))
            };
            let global = fake(index("global", None)).await;
            let east = fake(index("zone", Some("east"))).await;
            let not_kuma = fake(None).await;
            let config = Value::object([
                ("endpoint", Value::string(&global)),
                (
                    "zone",
                    Value::List(vec![
                        zone_block("east", &east),
                        zone_block("west", &east),
                        zone_block("mars", &global),
                        zone_block("typo", &not_kuma),
                        zone_block("down", "http://127.0.0.1:1"),
                    ]),
                ),
            ]);
            let Ok(Configuration::Ready(configured)) = configure(&config) else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(settled.mode, Some(Mode::Global));
            let problems: Vec<Option<&str>> =
                settled.zones.iter().map(|z| z.problem.as_deref()).collect();
            assert_eq!(problems[0], None);
            assert!(problems[1].is_some_and(|p| p.contains("zone \"east\", not of zone \"west\"")));
            assert!(problems[2].is_some_and(|p| p.contains("global control plane")));
            assert!(problems[3].is_some_and(|p| p.contains("404")));
            // Not reachable now: no wrong endpoint, but warned about once, here, and not
            // waited for again in this provider process.
            assert_eq!(problems[4], None);
            let warned: Vec<&Vec<Step>> =
                diags.iter().filter(|d| !d.error).map(|d| &d.path).collect();
            assert_eq!(warned.len(), 4, "{diags:?}");
            assert!(
                diags[3].summary.contains("Zone \"down\" could not be read"),
                "{diags:?}"
            );
            assert_eq!(
                warned[0],
                &vec![
                    Step::Attr("zone".into()),
                    Step::Index(1),
                    Step::Attr("endpoint".into())
                ]
            );
            assert!(diags[0].summary.contains("\"west\""), "{diags:?}");
            assert!(diags.iter().all(|d| !d.error), "{diags:?}");

            // The status read reports it unreachable with the reason, at once.
            let (status, read_diags) =
                crate::resources::zones::read(&settled, "default", "redis", None).await;
            assert_eq!(
                status.items()[1].get("state"),
                &Value::string("unreachable")
            );
            let error = status.items()[1].get("error").as_str().unwrap_or_default();
            assert!(error.contains("is wrong"), "{error}");
            assert!(read_diags.iter().all(|d| !d.summary.contains("\"west\"")));
            assert_eq!(
                status.items()[4].get("state"),
                &Value::string("unreachable")
            );
            let error = status.items()[4].get("error").as_str().unwrap_or_default();
            assert!(
                error.contains("remembered as unreachable and not asked again: cannot reach"),
                "{error}"
            );
            assert!(read_diags.is_empty(), "{read_diags:?}");
        });
    }

    #[test]
    fn addresses_compare_by_scheme_host_and_port_with_every_loopback_name_as_one() {
        let at = |text: &str| match Address::parse(text) {
            Some(address) => address,
            None => panic!("not an http(s) address: {text}"),
        };
        assert!(at("http://127.0.0.1:5681").same_as(&at("http://localhost:5681/")));
        assert!(at("http://[::1]:5681").same_as(&at("http://127.0.0.2:5681")));
        assert!(at("https://CP.example").same_as(&at("https://cp.example:443")));
        assert!(!at("http://127.0.0.1:5681").same_as(&at("http://127.0.0.1:5682")));
        assert!(!at("http://cp:5681").same_as(&at("https://cp:5681")));
        assert!(!at("http://cp-a:5681").same_as(&at("http://cp-b:5681")));
        assert!(at("http://localhost:1").loopback && !at("http://cp:1").loopback);
        // A KDS address is not an API endpoint: never compared.
        assert_eq!(Address::parse("grpcs://global:5685"), None);
        assert_eq!(Address::parse("not a url"), None);
    }

    /// A fake kuma-local zone named `name` whose `GET /config` says its global is at `global`.
    async fn zone_of(name: &str, global: &str) -> String {
        let index = serde_json::json!({"version": "3.0.0", "mode": "zone", "zone": name});
        let config = serde_json::json!({
            "mode": "zone",
            "multizone": {"zone": {"name": name, "globalAddress": global}},
        });
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(move || async move { axum::Json(index) }),
            )
            .route(
                "/config",
                axum::routing::get(move || async move { axum::Json(config) }),
            );
        crate::test_server::serve(app).await
    }

    /// A `zone` block naming a zone of another global (its `globalAddress`, an http URL, is a
    /// control plane whose `clusterId` is not the endpoint's) is a warning on its `endpoint` and
    /// is not read; a zone of this global (the same address, or a proxy in front of it: the
    /// same `clusterId`) and a Kuma zone (a `grpcs` KDS address) are fine.
    #[test]
    fn a_zone_block_of_another_global_is_found_when_certain_and_never_read() {
        block_on(async {
            let index = |cluster: &str| {
                Some(
                    serde_json::json!({"version": "3.0.0", "mode": "global", "clusterId": cluster}),
                )
            };
            let global = fake(index("ours")).await;
            let proxy = fake(index("ours")).await;
            let other = fake(index("theirs")).await;
            let config = Value::object([
                ("endpoint", Value::string(&global)),
                (
                    "zone",
                    Value::List(vec![
                        zone_block("east", &zone_of("east", &global).await),
                        zone_block("west", &zone_of("west", &other).await),
                        zone_block("north", &zone_of("north", &proxy).await),
                        zone_block("south", &zone_of("south", "grpcs://other:5685").await),
                        zone_block("gone", &zone_of("gone", "http://127.0.0.1:1").await),
                    ]),
                ),
            ]);
            let Ok(Configuration::Ready(configured)) = configure(&config) else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            let problems: Vec<Option<&str>> =
                settled.zones.iter().map(|z| z.problem.as_deref()).collect();
            assert_eq!(problems[0], None);
            assert!(
                problems[1].is_some_and(|p| p.contains("another global control plane")
                    && p.contains(&format!("globalAddress: {other:?}"))
                    && p.contains("clusterId \"theirs\", not the provider `endpoint`'s \"ours\"")),
                "{problems:?}"
            );
            assert_eq!(problems[2..], [None, None, None]);
            let [warning] = diags.as_slice() else {
                panic!("one warning: {diags:?}");
            };
            assert!(!warning.error);
            assert_eq!(
                warning.summary,
                "Zone \"west\" is not read: it belongs to another global control plane"
            );
            assert_eq!(
                warning.path,
                vec![
                    Step::Attr("zone".into()),
                    Step::Index(1),
                    Step::Attr("endpoint".into())
                ]
            );
            let (status, _) =
                crate::resources::zones::read(&settled, "default", "redis", None).await;
            assert_eq!(
                status.items()[1].get("state"),
                &Value::string("unreachable")
            );
        });
    }

    #[test]
    fn a_standalone_zone_endpoint_reads_its_own_mzs_at_once_and_no_other_zone() {
        block_on(async {
            // The labels the core says a zone on its own gives the MZS it stores.
            let labels = kuma_mzs_core::api::compute_labels(
                &Mode::Zone {
                    name: "solo".to_owned(),
                    federated: false,
                },
                kuma_mzs_core::KumaVersion::V3_0,
                kuma_mzs_core::ResourceType::MeshMultiZoneService,
                Some("default"),
                "s",
                std::collections::BTreeMap::new(),
            );
            let display_name = kuma_mzs_core::model::labels::DISPLAY_NAME;
            let spec = serde_json::json!({
                "selector": {"meshService": {"matchLabels": {display_name: "s"}}},
                "ports": [{"port": 80, "appProtocol": "tcp"}]
            });
            let item = serde_json::json!({
                "type": "MeshMultiZoneService", "mesh": "default", "name": "s",
                "labels": labels,
                "spec": spec,
                "status": {
                    "vips": [{"ip": "243.0.0.0"}],
                    "conditions": [{"type": "MeshServicesMatched", "status": "False",
                                    "reason": "NoneMatched", "message": ""}]
                }
            });
            let app = axum::Router::new()
                .route(
                    "/",
                    axum::routing::get(|| async {
                        axum::Json(
                            serde_json::json!({"version": "3.0.0", "mode": "zone", "zone": "solo"}),
                        )
                    }),
                )
                .route(
                    "/config",
                    axum::routing::get(|| async {
                        axum::Json(
                            serde_json::json!({"multizone": {"zone": {"globalAddress": ""}}}),
                        )
                    }),
                )
                .route(
                    "/meshes/default/meshmultizoneservices/s",
                    axum::routing::get(move || {
                        let item = item.clone();
                        async move { axum::Json(item) }
                    }),
                );
            let solo = crate::test_server::serve(app).await;
            let west = fake(Some(
                serde_json::json!({"version": "3.0.0", "mode": "zone", "zone": "west"}),
            ))
            .await;
            let config = Value::object([
                ("endpoint", Value::string(&solo)),
                ("timeout", Value::string("20s")),
                (
                    "zone",
                    Value::List(vec![zone_block("solo", &solo), zone_block("west", &west)]),
                ),
            ]);
            let Ok(Configuration::Ready(configured)) = configure(&config) else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(
                settled.mode,
                Some(Mode::Zone {
                    name: "solo".to_owned(),
                    federated: false
                })
            );
            // Nothing written on a zone of its own reaches zone "west": a warning on its
            // endpoint, and it is never read.
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert!(
                diags[0].summary.contains("\"west\" is not read"),
                "{diags:?}"
            );
            assert_eq!(
                diags[0].path,
                vec![
                    Step::Attr("zone".into()),
                    Step::Index(1),
                    Step::Attr("endpoint".into())
                ]
            );
            // The zone's own object is the resource: synced at once after a write, VIP read.
            let started = std::time::Instant::now();
            let (status, read_diags) =
                crate::resources::zones::read(&settled, "default", "s", Some(&spec)).await;
            assert!(started.elapsed() < Duration::from_secs(5));
            assert!(read_diags.is_empty(), "{read_diags:?}");
            let solo_entry = &status.items()[0];
            assert_eq!(solo_entry.get("state"), &Value::string("synced"));
            assert_eq!(solo_entry.get("found"), &Value::Bool(true));
            assert_eq!(solo_entry.get("vip"), &Value::string("243.0.0.0"));
            let west_entry = &status.items()[1];
            assert_eq!(west_entry.get("state"), &Value::string("unreachable"));
            let error = west_entry.get("error").as_str().unwrap_or_default();
            assert!(error.contains("without a global control plane"), "{error}");
        });
    }

    #[test]
    fn a_zone_endpoint_reads_as_a_zone_assumed_federated_when_nothing_tells() {
        block_on(async {
            let zone = fake(Some(serde_json::json!({
                "version": "3.0.0", "mode": "zone", "zone": "east"
            })))
            .await;
            let Ok(Configuration::Ready(configured)) =
                configure(&Value::object([("endpoint", Value::string(&zone))]))
            else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            // No Mesh list to tell from: assumed federated; a zone endpoint is no longer an
            // error of its own (only the types it refuses are, at plan).
            assert_eq!(
                settled.mode,
                Some(Mode::Zone {
                    name: "east".to_owned(),
                    federated: true
                })
            );
            assert!(diags.is_empty(), "{diags:?}");
        });
    }

    /// A fake Kuma control plane: its index as Kuma's (no `mode`, no `zone`), `GET /config`
    /// answering `config` (the status when an error), counting the `/config` requests.
    async fn kuma(
        version: &str,
        config: Result<serde_json::Value, u16>,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        let index = serde_json::json!({
            "hostname": "cp", "product": "Kuma", "version": version, "basedOnKuma": version,
            "instanceId": "cp-1", "clusterId": "c-1", "gui": "/gui"
        });
        let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(move || {
                    let index = index.clone();
                    async move { axum::Json(index) }
                }),
            )
            .route(
                "/config",
                axum::routing::get(move || {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let config = config.clone();
                    async move {
                        match config {
                            Ok(body) => (axum::http::StatusCode::OK, axum::Json(body)),
                            Err(status) => (
                                axum::http::StatusCode::from_u16(status)
                                    .unwrap_or(axum::http::StatusCode::FORBIDDEN),
                                axum::Json(serde_json::json!({"title": "Access denied"})),
                            ),
                        }
                    }
                }),
            );
        (crate::test_server::serve(app).await, asked)
    }

    #[test]
    fn kumas_mode_is_read_from_its_config_since_its_index_has_none() {
        block_on(async {
            let zone_config = |name: &str| {
                serde_json::json!({"environment": "universal", "mode": "zone",
                    "multizone": {"zone": {"name": name, "globalAddress": "grpcs://global:5685"}}})
            };
            let (east, east_asked) = kuma("2.14.3", Ok(zone_config("east"))).await;
            let (global, _) = kuma(
                "2.14.3",
                Ok(serde_json::json!({"mode": "global", "multizone": {"zone": {}}})),
            )
            .await;
            let (secret, _) = kuma("2.14.3", Err(403)).await;

            // A federated zone as `endpoint`: found a zone (so its plans refuse MZS instead of
            // a 405 at apply), with one request to its configuration.
            let Ok(Configuration::Ready(configured)) =
                configure(&Value::object([("endpoint", Value::string(&east))]))
            else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(
                settled.mode,
                Some(Mode::Zone {
                    name: "east".to_owned(),
                    federated: true
                })
            );
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(east_asked.load(std::sync::atomic::Ordering::SeqCst), 1);

            // The global as `endpoint`, with zone blocks on the global and on another zone.
            let config = Value::object([
                ("endpoint", Value::string(&global)),
                (
                    "zone",
                    Value::List(vec![
                        zone_block("east", &east),
                        zone_block("mars", &global),
                        zone_block("west", &east),
                        zone_block("hidden", &secret),
                    ]),
                ),
            ]);
            let Ok(Configuration::Ready(configured)) = configure(&config) else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(settled.mode, Some(Mode::Global));
            let problems: Vec<Option<&str>> =
                settled.zones.iter().map(|z| z.problem.as_deref()).collect();
            assert_eq!(problems[0], None);
            assert!(
                problems[1].is_some_and(
                    |p| p.contains("global control plane") && p.contains("`GET /config`")
                ),
                "{problems:?}"
            );
            assert!(
                problems[2].is_some_and(|p| p.contains("zone \"east\", not of zone \"west\"")),
                "{problems:?}"
            );
            // A configuration the token may not see tells nothing: no problem, no error.
            assert_eq!(problems[3], None);
            assert!(diags.iter().all(|d| !d.error), "{diags:?}");

            // An endpoint whose configuration is refused plans on: the mode is unknown.
            let Ok(Configuration::Ready(configured)) =
                configure(&Value::object([("endpoint", Value::string(&secret))]))
            else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(settled.mode, None);
            assert_eq!(settled.kuma_version, KumaVersion::V2_14);
            assert!(diags.is_empty(), "{diags:?}");
        });
    }

    #[test]
    fn a_release_the_provider_does_not_know_is_a_warning_naming_the_rules_used() {
        block_on(async {
            let (newer, _) = kuma("2.15.0", Ok(serde_json::json!({"mode": "global"}))).await;
            let Ok(Configuration::Ready(configured)) =
                configure(&Value::object([("endpoint", Value::string(&newer))]))
            else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(settled.kuma_version, KumaVersion::V3_0);
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert!(!diags[0].error);
            assert!(diags[0].summary.contains("Kuma 2.15.0"), "{diags:?}");
            assert!(diags[0].detail.contains("Kuma 3.0 rules"), "{diags:?}");
            assert_eq!(diags[0].path, attr("kuma_version"));

            let (future, _) = kuma("4.0.0", Ok(serde_json::json!({"mode": "global"}))).await;
            let config = Value::object([
                ("endpoint", Value::string(&future)),
                ("kuma_version", Value::string("2.14")),
            ]);
            let Ok(Configuration::Ready(configured)) = configure(&config) else {
                panic!("the provider configures");
            };
            let (settled, diags) = detect(&configured).await;
            assert_eq!(settled.kuma_version, KumaVersion::V2_14);
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert!(diags[0].summary.contains("Kuma 4.0.0"), "{diags:?}");
            assert!(diags[0].detail.contains("Kuma 2.14 rules"), "{diags:?}");
        });
    }

    /// A control plane whose `GET /` answers 503 the first `failures` times, then Kuma
    /// `version`'s index; how many times `GET /` was asked.
    async fn flaky_index(
        failures: usize,
        version: &'static str,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::Ordering;
        let asked: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let counted = Arc::clone(&asked);
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < failures {
                        (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            axum::Json(serde_json::json!({"title": "no healthy upstream"})),
                        )
                    } else {
                        (
                            axum::http::StatusCode::OK,
                            axum::Json(serde_json::json!({"version": version, "mode": "global"})),
                        )
                    }
                }
            }),
        );
        (crate::test_server::serve(app).await, asked)
    }

    fn configured_at(endpoint: &str, kuma_version: Option<&str>) -> Arc<Configured> {
        let mut config = vec![
            ("endpoint", Value::string(endpoint)),
            ("max_retries", Value::int(0)),
        ];
        if let Some(v) = kuma_version {
            config.push(("kuma_version", Value::string(v)));
        }
        let Ok(Configuration::Ready(configured)) = configure(&Value::object(config)) else {
            panic!("the provider configures");
        };
        configured
    }

    /// `GET /` failing at configure and answering once more: the settled settings carry the
    /// server's release (its rules for everything after, not the default 3.0's), asked once
    /// per process however many callers settle.
    #[test]
    fn a_release_unread_at_configure_is_settled_once_before_any_rule() {
        block_on(async {
            let (endpoint, asked) = flaky_index(1, "2.14.2").await;
            let (detected, _) = detect(&configured_at(&endpoint, None)).await;
            assert!(detected.release_unread.is_some());
            assert_eq!(detected.kuma_version, KumaVersion::V3_0);
            let detected = Arc::new(detected);
            let (settled, warnings) = detected.settle_release().await;
            assert!(warnings.is_empty(), "{warnings:?}");
            assert_eq!(settled.kuma_version, KumaVersion::V2_14);
            assert!(settled.release_from_server);
            assert_eq!(settled.release_unread, None);
            assert_eq!(
                settled.names_release(),
                NamesRelease::Server(KumaVersion::V2_14)
            );
            let (again, _) = detected.settle_release().await;
            assert!(Arc::ptr_eq(&again, &settled));
            assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 2);
        });
    }

    /// `GET /` failing at configure and once more: with `kuma_version` the names follow it, as
    /// given; without, a control plane that answers otherwise stops the plan (`Unread`) and one
    /// that cannot be reached at all leaves them unknown (`Unreachable`).
    #[test]
    fn a_release_unread_twice_names_from_kuma_version_or_says_why_not() {
        block_on(async {
            let (endpoint, _) = flaky_index(usize::MAX, "2.14.2").await;
            for (kuma_version, expected) in [
                (
                    Some("2.14"),
                    Some(NamesRelease::Configured(KumaVersion::V2_14)),
                ),
                (None, None),
            ] {
                let (detected, _) = detect(&configured_at(&endpoint, kuma_version)).await;
                let detected = Arc::new(detected);
                let (settled, warnings) = detected.settle_release_at_provider().await;
                let names = settled.names_release();
                match expected {
                    Some(expected) => {
                        assert_eq!(names, expected);
                        // `kuma_version` unchecked: warned once per process, naming `GET /`,
                        // on the provider's `kuma_version` (ConfigureProvider answers it).
                        let [warning] = warnings.as_slice() else {
                            panic!("one warning: {warnings:?}");
                        };
                        assert_eq!(warning.summary, "kuma_version = \"2.14\" is used unchecked");
                        assert_eq!(warning.path, attr("kuma_version"));
                        assert!(
                            warning.detail.starts_with(&format!(
                                "`GET /` at {endpoint} failed (Kuma API GET / returned 503: no healthy upstream), so the rules and names (`kri`, `snis`) of Kuma 2.14 are used without checking"
                            )),
                            "{}",
                            warning.detail
                        );
                        assert!(
                            warning
                                .detail
                                .contains("Provider produced inconsistent final plan"),
                            "{}",
                            warning.detail
                        );
                        assert!(detected.settle_release().await.1.is_empty());
                    }
                    None => {
                        let NamesRelease::Unread { first, again } = names else {
                            panic!("{names:?}");
                        };
                        assert!(first.error.contains("returned 503"), "{first:?}");
                        assert!(!again.unreachable, "{again:?}");
                    }
                }
            }
            let closed = {
                let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
                    panic!("bind a loopback port");
                };
                let Ok(address) = listener.local_addr() else {
                    panic!("its address");
                };
                format!("http://{address}")
            };
            let (detected, _) = detect(&configured_at(&closed, None)).await;
            let (settled, _) = Arc::new(detected).settle_release().await;
            let NamesRelease::Unreachable(unread) = settled.names_release() else {
                panic!("{:?}", settled.names_release());
            };
            assert!(unread.error.starts_with("cannot reach"), "{unread:?}");
            let (detected, _) = detect(&configured_at(&closed, Some("2.13"))).await;
            let (settled, warnings) = Arc::new(detected).settle_release_at_provider().await;
            assert_eq!(
                settled.names_release(),
                NamesRelease::Configured(KumaVersion::V2_13)
            );
            // Nothing can be asked of it at all: the cause-first "Cannot reach" of whatever
            // asks says it; no advice about letting `GET /` through a gateway.
            assert!(warnings.is_empty(), "{warnings:?}");
        });
    }

    const NOT_KUMA: &str = "does not answer `GET /` as a Kuma control plane";

    /// A fake endpoint whose `GET /` (every path) answers `status`, `content_type` and `body`.
    async fn answering(status: u16, content_type: &'static str, body: &'static str) -> String {
        use axum::http::{header::CONTENT_TYPE, StatusCode};
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        let app = axum::Router::new()
            .fallback(move || async move { (status, [(CONTENT_TYPE, content_type)], body) });
        crate::test_server::serve(app).await
    }

    /// The warnings of `detect` that say `endpoint` is not a Kuma control plane.
    fn not_kuma_warnings(diags: &[Diag]) -> Vec<&Diag> {
        diags
            .iter()
            .filter(|d| d.summary.contains(NOT_KUMA))
            .collect()
    }

    /// An endpoint that answers `GET /` with something other than a Kuma control plane's index
    /// (a login page, JSON without `version`, a 404, a redirect loop, a body too large) is a
    /// warning on `endpoint` naming the address and what came, not a silent fallback to the
    /// default rules; a Kuma index is not.
    #[test]
    fn an_endpoint_that_does_not_answer_as_kuma_is_a_warning_on_endpoint() {
        use axum::http::{header::LOCATION, StatusCode};
        block_on(async {
            let looping = crate::test_server::serve(
                axum::Router::new()
                    .route(
                        "/",
                        axum::routing::get(|| async {
                            (StatusCode::FOUND, [(LOCATION, "/login")])
                        }),
                    )
                    .route(
                        "/login",
                        axum::routing::get(|| async { (StatusCode::FOUND, [(LOCATION, "/")]) }),
                    ),
            )
            .await;
            let Some((huge, _)) = crate::client::tests::serve_raw_by(|_| {
                (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n".to_owned(),
                    crate::client::tests::Then::Stall(Duration::from_secs(10)),
                )
            }) else {
                return;
            };
            let cases = [
                (
                    answering(200, "text/html", "<html>login</html>").await,
                    "got no Kuma index: unexpected response from /: expected value at line 1 column 1; the answer is not JSON (18 bytes, Content-Type text/html, beginning \"<html>login</html>\")",
                ),
                (
                    answering(200, "application/json", "{\"status\":\"ok\"}").await,
                    "answered JSON that names no `version`: {\"status\":\"ok\"}",
                ),
                (
                    answering(404, "text/plain", "404 page not found").await,
                    "answered 404, where a Kuma control plane answers 200",
                ),
                (looping.clone(), "is redirected in a loop"),
                (huge, "its body is larger than the 64 MiB"),
            ];
            for (endpoint, answered) in cases {
                let configured = configured_at(&endpoint, None);
                let started = std::time::Instant::now();
                let (settled, diags) = detect(&configured).await;
                assert!(started.elapsed() < Duration::from_secs(5), "{endpoint}");
                let [warning] = not_kuma_warnings(&diags)[..] else {
                    panic!("{answered}: one warning: {diags:?}");
                };
                assert!(!warning.error);
                assert_eq!(
                    warning.summary,
                    format!("{endpoint} does not answer `GET /` as a Kuma control plane")
                );
                assert_eq!(warning.path, attr("endpoint"));
                for words in [
                    &format!("`GET /` at {endpoint} "),
                    answered,
                    "plans check configurations with Kuma 3.0 rules (the default: `kuma_version` is not set)",
                    "set `endpoint` to the API's address",
                ] {
                    assert!(warning.detail.contains(words), "{words}: {}", warning.detail);
                }
                // A clear answer, the same every time: not asked again at plan.
                assert_eq!(settled.release_unread, None, "{answered}");
            }

            // With `kuma_version`, its rules are the ones named.
            let configured = configured_at(&looping, Some("2.14"));
            let (_, diags) = detect(&configured).await;
            let [warning] = not_kuma_warnings(&diags)[..] else {
                panic!("one warning: {diags:?}");
            };
            assert!(
                warning
                    .detail
                    .contains("Kuma 2.14 rules (as `kuma_version` says)"),
                "{}",
                warning.detail
            );

            // Kuma's index: no such warning.
            let (kuma, _) = kuma("2.14.3", Ok(serde_json::json!({"mode": "global"}))).await;
            let (settled, diags) = detect(&configured_at(&kuma, None)).await;
            assert!(not_kuma_warnings(&diags).is_empty(), "{diags:?}");
            assert_eq!(settled.kuma_version, KumaVersion::V2_14);
            let (kuma_local, _) = flaky_index(0, "2.14.2").await;
            let (_, diags) = detect(&configured_at(&kuma_local, None)).await;
            assert!(not_kuma_warnings(&diags).is_empty(), "{diags:?}");
        });
    }

    /// `GET /` failing at configure (a 503) and answering a login page when asked again: the
    /// same warning on `endpoint`, once, and the rules settle (nothing left to ask).
    #[test]
    fn an_index_unread_at_configure_then_not_kumas_is_the_same_warning() {
        use axum::http::{header::CONTENT_TYPE, StatusCode};
        use std::sync::atomic::{AtomicUsize, Ordering};
        block_on(async {
            let asked = Arc::new(AtomicUsize::new(0));
            let counted = Arc::clone(&asked);
            let app = axum::Router::new().fallback(move || {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            [(CONTENT_TYPE, "application/json")],
                            "{\"title\":\"no healthy upstream\"}",
                        )
                    } else {
                        (
                            StatusCode::OK,
                            [(CONTENT_TYPE, "text/html")],
                            "<html>login</html>",
                        )
                    }
                }
            });
            let endpoint = crate::test_server::serve(app).await;
            let (detected, diags) = detect(&configured_at(&endpoint, None)).await;
            assert!(not_kuma_warnings(&diags).is_empty(), "{diags:?}");
            assert!(detected.release_unread.is_some());
            let detected = Arc::new(detected);
            let (settled, warnings) = detected.settle_release_at_provider().await;
            let [warning] = not_kuma_warnings(&warnings)[..] else {
                panic!("one warning: {warnings:?}");
            };
            assert_eq!(warning.path, attr("endpoint"));
            assert!(
                warning.detail.contains("Content-Type text/html"),
                "{}",
                warning.detail
            );
            assert_eq!(settled.release_unread, None);
            let (_, again) = detected.settle_release_at_provider().await;
            assert!(
                not_kuma_warnings(&again).is_empty(),
                "warned twice: {again:?}"
            );
        });
    }

    /// A delete's deadline comes from the state (Terraform gives a delete no configuration), and
    /// its error says so: how a raised `timeouts.delete` takes effect, and that
    /// `operation_timeout` does not apply while the state holds one.
    #[test]
    fn a_delete_deadline_error_says_where_the_deadline_came_from() {
        block_on(async {
            let config = Value::object([
                ("endpoint", Value::string("http://127.0.0.1:9")),
                ("operation_timeout", Value::string("1ms")),
            ]);
            let Ok(Configuration::Ready(configured)) = configure(&config) else {
                panic!("the provider configures");
            };
            let stored = Value::object([("delete", Value::string("1ms"))]);
            for (timeouts, words, wrong) in [
                (
                    stored,
                    "this resource's `timeouts.delete` as its state holds it: a delete gets the state, never the configuration, so the provider's `operation_timeout` does not apply to it",
                    "raise it with the resource's `timeouts` block or",
                ),
                (
                    Value::Null,
                    "the provider's `operation_timeout`, which takes effect at once; a `timeouts.delete` set in the resource's configuration takes effect only once an apply has stored it",
                    "raise it with the resource's `timeouts` block or",
                ),
            ] {
                let deleting = configured.for_operation(&timeouts, "delete");
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let error = deleting.client.delete("/meshes/default").await;
                let Err(error) = error else {
                    panic!("{error:?}");
                };
                let text = error.to_string();
                assert!(text.contains(words), "{text}");
                assert!(!text.contains(wrong), "{text}");
            }
        });
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
