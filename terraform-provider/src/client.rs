//! Kuma REST API client: bearer token, timeouts, retries with backoff and jitter, Kuma error
//! bodies turned into typed errors (with `invalid_parameters` kept for attribute mapping).
//!
//! Every call the provider makes is idempotent (GET, PUT of a whole resource, DELETE), so every
//! call may be retried on 5xx, 408/429, connection errors and timeouts. The token is never logged.
//!
//! A client may carry an operation deadline ([`KumaClient::with_deadline`]): every attempt,
//! retry wait and read-after-write poll stays inside it, and running out is its own error that
//! says which limit was hit (a listener that accepts and never answers fails within the
//! deadline, not after `retries x timeout`).
//!
//! Bodies are read incrementally and never beyond [`MAX_BODY_BYTES`] (a declared
//! `Content-Length` above it is refused before anything is read). A body that cannot be read to
//! its end (its deadline passed, the connection closed early, it is too large) is an error
//! that says so ([`ClientError::Body`]), never an empty answer: a status code alone proves
//! nothing. A redirect loop is an answer too ([`ClientError::Redirect`]): reported once with
//! the URLs, not retried.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuma_mzs_core::api::ErrorBody;
use reqwest::{Method, StatusCode};
use thiserror::Error;

use crate::log;

/// Connection settings.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL, e.g. `http://127.0.0.1:5681`.
    pub endpoint: String,
    /// Bearer token (never logged).
    pub token: Option<String>,
    /// PEM CA bundle to trust instead of the system roots.
    pub ca_cert: Option<String>,
    /// Do not verify the server certificate.
    pub insecure_skip_verify: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The provider's default deadline of one operation (`operation_timeout`). With `timeout`
    /// it gives the wait every operation of the process grants the endpoint: a request unanswered for that long means the endpoint does not answer, not
    /// that one operation's own deadline was short ([`KumaClient::earlier_failure`]).
    pub operation_timeout: Duration,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<sensitive>"))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("operation_timeout", &self.operation_timeout)
            .finish()
    }
}

/// What went wrong talking to Kuma.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The endpoint could not be reached, or did not answer (after retries).
    #[error("{} the Kuma control plane at {endpoint}: {message}", if *sent { "no answer from" } else { "cannot reach" })]
    Transport {
        /// Endpoint.
        endpoint: String,
        /// Cause.
        message: String,
        /// Whether a request may have reached the endpoint: an attempt got further than the
        /// connection (its answer was then lost). `false` when no connection was made at all.
        sent: bool,
    },
    /// Kuma answered with an error.
    #[error("Kuma API {method} {path} returned {status}: {}{}", body.title, if body.detail.is_empty() { String::new() } else { format!(" ({})", body.detail) })]
    Api {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// Status code.
        status: u16,
        /// Parsed error body (the core's model of Kuma's; every field defaults when a server
        /// sends less). Boxed: it is large and errors travel in every `Result`.
        body: Box<ErrorBody>,
    },
    /// The response was not what Kuma sends.
    #[error("unexpected response from {path}: {message}")]
    Decode {
        /// Request path.
        path: String,
        /// Cause.
        message: String,
    },
    /// The endpoint answered (a status line and headers) but the body could not be read to its
    /// end: what the status says cannot be taken without it.
    #[error("Kuma API {method} {path} at {endpoint} answered {status}, but {problem}")]
    Body {
        /// Endpoint.
        endpoint: String,
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// Status code.
        status: u16,
        /// What happened to the body.
        problem: BodyProblem,
    },
    /// The request was redirected in a loop (or without end): an answer, a misconfiguration of
    /// the endpoint or of a proxy in front of it, not unreachability. Not retried.
    #[error("Kuma API {method} {path} at {endpoint} is redirected {}: {}. A redirect loop is an answer, not an outage: the server (or a proxy in front of it) is misconfigured for this address. A Kuma control plane's API does not redirect its own paths: check that `endpoint` is the API's address (scheme, host, port, no path prefix)", if *looped { "in a loop" } else { "more than 10 times" }, chain.join(" -> "))]
    Redirect {
        /// Endpoint.
        endpoint: String,
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// Every URL requested, then the one the last answer redirected to.
        chain: Vec<String>,
        /// Whether the last URL was requested before (else the chain just did not end).
        looped: bool,
    },
    /// Client set-up.
    #[error("invalid provider configuration: {0}")]
    Config(String),
    /// The operation's overall deadline passed (every attempt and retry counts against it).
    #[error("gave up on {endpoint} after {}: the operation deadline passed ({}; {}). {}", humantime(*elapsed), humantime(*limit), set_by.how_to_raise(), last_problem(last.as_deref()))]
    Deadline {
        /// Endpoint.
        endpoint: String,
        /// The operation's limit.
        limit: Duration,
        /// What set the limit (which setting raises it).
        set_by: DeadlineSetBy,
        /// How long the operation ran.
        elapsed: Duration,
        /// What the last attempt saw; `None` when the deadline had passed before a request
        /// was sent.
        last: Option<String>,
        /// Whether the endpoint failed on its own before the deadline ran out: the last attempt
        /// got no answer, and an attempt met a connection failure or went unanswered for the
        /// process's shortest wait (see [`ClientConfig::operation_timeout`]). `false` when
        /// only this operation's own deadline was too short for an answer.
        endpoint_failed: bool,
        /// Whether a request may have reached the endpoint (see [`ClientError::Transport`]).
        sent: bool,
    },
    /// The endpoint did not answer an earlier request of this provider process within its
    /// deadline, so it is not asked again (nothing was sent).
    #[error("not asked: {endpoint} did not answer an earlier request of this provider process in time, so this run does not wait for it again (earlier: {}). Check that the control plane is up and answering at this address, then run Terraform again", earlier.trim_end_matches('.'))]
    NotAskedAgain {
        /// Endpoint.
        endpoint: String,
        /// The earlier failure.
        earlier: String,
    },
    /// A create-only PUT (`If-None-Match: *`) found the object already there.
    #[error("{path} already exists on {endpoint} (the server refused to overwrite it)")]
    AlreadyExists {
        /// Endpoint.
        endpoint: String,
        /// Request path.
        path: String,
        /// Whether an earlier attempt of this same PUT may have created it (it was retried).
        retried: bool,
    },
}

impl ClientError {
    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Api { status: 404, .. })
    }

    /// Whether the endpoint itself failed, so that later operations of the process need not
    /// ask it again: no connection or no answer (a transport error after every retry, a
    /// deadline it let pass without answering, see [`ClientError::Deadline`]'s
    /// `endpoint_failed`), refused credentials, or server errors after every retry. Never an
    /// operation's own deadline running out while the endpoint was answering or had had too
    /// little time to.
    pub fn is_endpoint_failure(&self) -> bool {
        match self {
            ClientError::Transport { .. } | ClientError::NotAskedAgain { .. } => true,
            ClientError::Deadline {
                endpoint_failed, ..
            } => *endpoint_failed,
            ClientError::Api { status, .. } => {
                matches!(status, 401 | 403 | 408 | 429) || *status >= 500
            }
            _ => false,
        }
    }

    /// Whether a write that failed this way may have been carried out anyway: the request may
    /// have reached the server, whose answer was then lost (no answer before a timeout or the
    /// deadline, a connection that broke). A clear answer (an HTTP error status), a deadline
    /// that passed before any request was sent, and a request never sent are not.
    pub fn answer_lost(&self) -> bool {
        match self {
            ClientError::Transport { sent, .. } | ClientError::Deadline { sent, .. } => *sent,
            _ => false,
        }
    }

    /// The same error, saying whether a request of the call may have reached the endpoint.
    fn with_sent(mut self, reached: bool) -> Self {
        if let ClientError::Transport { sent, .. } | ClientError::Deadline { sent, .. } = &mut self
        {
            *sent = reached;
        }
        self
    }
}

/// The end of a deadline error: what the last attempt saw, or that none was made.
fn last_problem(last: Option<&str>) -> String {
    match last.map(str::trim).filter(|l| !l.is_empty()) {
        Some(last) => format!("Last problem: {}", last.trim_end_matches('.')),
        None => "It had passed before a request was sent".to_owned(),
    }
}

/// `1.5s`, `60s`, `250ms`.
pub fn humantime(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The most the provider reads of any answer's body: 64 MiB. Kuma's answers are kilobytes to
/// a few megabytes (a list page holds at most 1,000 items); a body larger than this is not a
/// Kuma control plane's, and reading it whole would only exhaust memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// [`MAX_BODY_BYTES`] as the messages say it.
const MAX_BODY_TEXT: &str = "64 MiB";

/// Why a body could not be read to its end ([`ClientError::Body`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyProblem {
    /// Larger than [`MAX_BODY_BYTES`]: as its `Content-Length` declared (nothing read then), or
    /// found while reading.
    TooLarge {
        /// The declared length, if any.
        declared: Option<u64>,
        /// The bytes received when reading stopped.
        received: usize,
    },
    /// The request's timeout (or the operation's deadline) passed while the body arrived.
    TimedOut {
        /// How long after the request was sent.
        after: Duration,
        /// The bytes received.
        received: usize,
        /// The declared length, if any.
        declared: Option<u64>,
    },
    /// The connection closed or broke before the body's end.
    Closed {
        /// The bytes received.
        received: usize,
        /// The declared length, if any.
        declared: Option<u64>,
        /// The transport's words.
        cause: String,
    },
}

impl std::fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let of = |received: usize, declared: Option<u64>| match declared {
            Some(declared) => format!("{received} of {declared} bytes"),
            None => format!("{received} bytes"),
        };
        match self {
            BodyProblem::TooLarge {
                declared: Some(declared),
                ..
            } => write!(
                f,
                "its body is larger than the {MAX_BODY_TEXT} the provider reads of any answer (Content-Length: {declared} bytes), so none of it was read; a Kuma control plane's answers are kilobytes to a few megabytes"
            ),
            BodyProblem::TooLarge { .. } => write!(
                f,
                "its body went past the {MAX_BODY_TEXT} the provider reads of any answer, so reading stopped there; a Kuma control plane's answers are kilobytes to a few megabytes"
            ),
            BodyProblem::TimedOut {
                after,
                received,
                declared,
            } => write!(
                f,
                "timed out reading its body after {} ({} received): the body stalled",
                humantime(*after),
                of(*received, *declared)
            ),
            BodyProblem::Closed {
                received,
                declared,
                cause,
            } => write!(
                f,
                "the connection closed after {} of its body ({cause})",
                of(*received, *declared)
            ),
        }
    }
}

/// What reading a body does at its limit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AtLimit {
    /// A body larger than the limit is [`BodyProblem::TooLarge`] (refused before anything is
    /// read when its `Content-Length` says so).
    Refuse,
    /// Keep the first `limit` bytes and stop reading (a quote).
    Keep,
}

/// Read `response`'s body incrementally, at most `limit` bytes, doing `at_limit` beyond;
/// `sent` is when the request went out.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    at_limit: AtLimit,
    sent: Instant,
) -> Result<Vec<u8>, BodyProblem> {
    let declared = response.content_length();
    if at_limit == AtLimit::Refuse && declared.is_some_and(|d| d > limit as u64) {
        return Err(BodyProblem::TooLarge {
            declared,
            received: 0,
        });
    }
    // Not the declared length: a server may declare much and send nothing.
    let mut body = Vec::with_capacity(declared.map_or(0, |d| d.min(64 * 1024) as usize));
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    if at_limit == AtLimit::Keep {
                        body.extend_from_slice(&chunk[..limit - body.len()]);
                        return Ok(body);
                    }
                    return Err(BodyProblem::TooLarge {
                        declared,
                        received: body.len() + chunk.len(),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => {
                return Err(BodyProblem::TimedOut {
                    after: sent.elapsed(),
                    received: body.len(),
                    declared,
                })
            }
            Err(e) => {
                return Err(BodyProblem::Closed {
                    received: body.len(),
                    declared,
                    cause: error_chain(&e),
                })
            }
        }
    }
}

/// What a body that is not the JSON expected holds, for an error: its content type, size and
/// first characters.
fn describe_body(content_type: Option<&str>, body: &[u8]) -> String {
    let kind = match content_type {
        Some(kind) => format!("Content-Type {kind}"),
        None => "no Content-Type".to_owned(),
    };
    if body.is_empty() {
        return format!("an empty body, {kind}");
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]);
    let mut start: String = text.chars().take(80).collect();
    if body.len() > start.len() {
        start.push('…');
    }
    format!("{} bytes, {kind}, beginning {start:?}", body.len())
}

/// The redirects a request follows before it counts as without end.
const MAX_REDIRECTS: usize = 10;

/// The redirect policy's refusal: the URLs of a loop, or of a chain that went on too long.
#[derive(Debug)]
struct RedirectRefused {
    chain: Vec<String>,
    looped: bool,
}

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirect refused: {}", self.chain.join(" -> "))
    }
}

impl std::error::Error for RedirectRefused {}

/// Follow redirects, but stop at once at a URL already requested (a loop) or after
/// [`MAX_REDIRECTS`], keeping the URLs for the error.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let looped = attempt.previous().iter().any(|url| url == attempt.url());
        if looped || attempt.previous().len() > MAX_REDIRECTS {
            let chain = (attempt.previous().iter())
                .chain(std::iter::once(attempt.url()))
                .map(|url| url.to_string())
                .collect();
            attempt.error(RedirectRefused { chain, looped })
        } else {
            attempt.follow()
        }
    })
}

/// The policy's refusal inside a reqwest error.
fn redirect_refused(error: &reqwest::Error) -> Option<&RedirectRefused> {
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<RedirectRefused>() {
            return Some(refused);
        }
        source = s.source();
    }
    None
}

/// The client. Cheap to clone; safe to share between concurrent RPCs.
#[derive(Clone, Debug)]
pub struct KumaClient {
    inner: Arc<Inner>,
    deadline: Option<Deadline>,
    /// Writes made through this client and those sharing the count (a provider process's
    /// global and zone clients): what retires the lists of a batched refresh.
    writes: Arc<AtomicU64>,
}

/// What sets an operation's deadline, so that its error names the setting that raises it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineSetBy {
    /// A resource's create or update: its `timeouts` block, else the provider's
    /// `operation_timeout`.
    ResourceTimeouts,
    /// A resource's delete: the `timeouts.delete` stored in its state (`stored`), else the
    /// provider's `operation_timeout`. Terraform hands a delete the state, never the
    /// configuration (a destroy or a removed resource has none), so a `timeouts.delete` raised
    /// in the configuration is not seen until an apply has stored it.
    Delete {
        /// Whether the state holds a `timeouts.delete`.
        stored: bool,
    },
    /// A resource's refresh: the `timeouts.read` stored in its state (`stored`), else the
    /// provider's `operation_timeout`. Terraform hands a refresh the state, never the
    /// configuration, so a `timeouts.read` raised in the configuration is not seen until an
    /// apply has stored it.
    Refresh {
        /// Whether the state holds a `timeouts.read`.
        stored: bool,
    },
    /// A plan or a data source read: the provider's `operation_timeout`.
    OperationTimeout,
    /// The provider's first look at each control plane (`GET /` at configure): at most
    /// [`PROBE_LIMIT`], or `operation_timeout` when shorter.
    Probe,
    /// The read after a create whose answer was lost: at most [`LOST_ANSWER_READ_LIMIT`],
    /// whatever is left of the create's own deadline.
    LostAnswer,
}

/// What [`KumaClient::read_after_lost_answer`] found.
#[derive(Debug)]
pub enum LostAnswerRead {
    /// The object.
    Found(serde_json::Value),
    /// Not there: `reads` reads over `waited` answered 404 (and none found it).
    Missing {
        /// How many reads answered 404.
        reads: u32,
        /// How long the reads took in all.
        waited: Duration,
    },
    /// No read got an answer that says (the error of the first).
    Failed(ClientError),
}

/// The longest the provider waits for its first look at a control plane.
pub const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// How long the read after a create whose answer was lost may take (its own deadline: the
/// create's is spent by then).
pub const LOST_ANSWER_READ_LIMIT: Duration = Duration::from_secs(5);

impl DeadlineSetBy {
    fn how_to_raise(self) -> &'static str {
        match self {
            Self::ResourceTimeouts => {
                "raise it with the resource's `timeouts` block or the provider's `operation_timeout`"
            }
            Self::Refresh { stored: true } => {
                "this resource's `timeouts.read` as its state holds it: a refresh gets the state, never the configuration, so a `timeouts.read` raised in the configuration takes effect once an apply has stored it; `terraform apply -refresh=false` stores it without this refresh, and a change of `timeouts` alone writes nothing to the control plane"
            }
            Self::Refresh { stored: false } => {
                "the provider's `operation_timeout`, which takes effect at once; a `timeouts.read` set in the resource's configuration takes effect only once an apply has stored it in the state (`terraform apply -refresh=false` stores it without this refresh)"
            }
            Self::Delete { stored: true } => {
                "this resource's `timeouts.delete` as its state holds it: a delete gets the state, never the configuration, so the provider's `operation_timeout` does not apply to it"
            }
            Self::Delete { stored: false } => {
                "the provider's `operation_timeout`, which takes effect at once; a `timeouts.delete` set in the resource's configuration takes effect only once an apply has stored it in the state"
            }
            Self::OperationTimeout => "raise it with the provider's `operation_timeout`",
            Self::Probe => {
                "the provider's first look at a control plane waits at most 10s, or `operation_timeout` when that is shorter"
            }
            Self::LostAnswer => {
                "the read after a write whose answer was lost waits at most 5s"
            }
        }
    }
}

/// When an operation must be over.
#[derive(Clone, Copy, Debug)]
struct Deadline {
    started: Instant,
    limit: Duration,
    set_by: DeadlineSetBy,
}

impl Deadline {
    fn remaining(&self) -> Duration {
        self.limit.saturating_sub(self.started.elapsed())
    }
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    /// The first operation of this process that got no answer at all (no connection, or none
    /// before its deadline), shared by every copy of the client: see
    /// [`KumaClient::earlier_failure`].
    unanswered: std::sync::Mutex<Option<String>>,
    /// The first operation of this process that the endpoint let wait [`Inner::silence`]
    /// without answering: every later request fails at once ([`ClientError::NotAskedAgain`]).
    hung: std::sync::Mutex<Option<String>>,
    /// The wait every operation of the process grants the endpoint (`timeout` or
    /// `operation_timeout`, whichever is less; the first look's [`PROBE_LIMIT`] is shorter and
    /// says nothing about it): a request unanswered that long (give or take a tenth, the time
    /// an operation spent before it) means the endpoint does not answer.
    silence: Duration,
}

/// What the attempts of one call saw, beyond its outcome.
#[derive(Debug, Default)]
struct Trace {
    /// Some attempt got an HTTP answer (any status).
    answered: bool,
    /// The last attempt got one.
    last_answered: bool,
    /// Some attempt failed to connect or lost its connection (not a timeout).
    broke: bool,
    /// Some attempt went unanswered for [`Inner::silence`].
    silent: bool,
    /// Some attempt got further than the connection: the request may have reached the
    /// endpoint.
    sent: bool,
}

impl KumaClient {
    /// Build a client.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let tls = tls_config(&config)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .tcp_nodelay(true)
            .redirect(redirect_policy())
            .pool_max_idle_per_host(16)
            .user_agent(concat!(
                "terraform-provider-kuma/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| ClientError::Config(e.to_string()))?;
        // Not the first look's shorter cap (`PROBE_LIMIT`): a control plane slower than that
        // first look is slow, not hung, and the operations it answers within their own limits
        // must go on.
        let silence = config.timeout.min(config.operation_timeout);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                unanswered: std::sync::Mutex::default(),
                hung: std::sync::Mutex::default(),
                silence,
            }),
            deadline: None,
            writes: Arc::default(),
        })
    }

    /// The same client, counting its writes with `other`'s (a write on global changes what a
    /// zone holds).
    pub fn sharing_writes_with(mut self, other: &KumaClient) -> Self {
        self.writes = other.writes.clone();
        self
    }

    /// How many writes this client and those sharing its count have started or finished
    /// (each write counts twice: a read that overlaps one sees the count move).
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Count a write (one bump).
    pub fn note_write(&self) {
        self.writes.fetch_add(1, Ordering::SeqCst);
    }

    /// The same client, bounded by one overall deadline of `limit` from now, which `set_by`
    /// decides.
    pub fn with_deadline(&self, limit: Duration, set_by: DeadlineSetBy) -> Self {
        Self {
            inner: self.inner.clone(),
            deadline: Some(Deadline {
                started: Instant::now(),
                limit,
                set_by,
            }),
            writes: self.writes.clone(),
        }
    }

    /// Time left before the deadline (`None`: no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.remaining())
    }

    fn deadline_error(&self, last: Option<String>, endpoint_failed: bool) -> ClientError {
        let (limit, elapsed, set_by) = self.deadline.map_or(
            (
                Duration::ZERO,
                Duration::ZERO,
                DeadlineSetBy::OperationTimeout,
            ),
            |d| (d.limit, d.started.elapsed(), d.set_by),
        );
        ClientError::Deadline {
            endpoint: self.inner.config.endpoint.clone(),
            limit,
            elapsed,
            set_by,
            last,
            endpoint_failed,
            sent: true,
        }
    }

    /// Why the endpoint did not answer an earlier operation of this process (no connection
    /// after every retry, or no answer while the operation waited as long as any operation of
    /// the process would: [`ClientConfig::operation_timeout`]); `None` while it has answered or
    /// failed otherwise. An operation whose own deadline (a resource's short `timeouts`) ran out
    /// first says nothing about the endpoint and is not remembered. Checks that are optional (a
    /// plan's safe-create check and live lints) do not ask again; and once the endpoint let a
    /// request wait that long without a word, no request of the process waits for it again
    /// ([`ClientError::NotAskedAgain`]): a hung control plane costs one deadline per run, as a
    /// hung zone does.
    pub fn earlier_failure(&self) -> Option<String> {
        self.inner.unanswered.lock().ok().and_then(|f| f.clone())
    }

    /// Why a request of this process waited for the endpoint without an answer (see
    /// [`KumaClient::earlier_failure`]); later requests are not sent.
    fn hung(&self) -> Option<String> {
        self.inner.hung.lock().ok().and_then(|f| f.clone())
    }

    fn remember(slot: &std::sync::Mutex<Option<String>>, error: &ClientError) {
        if let Ok(mut failed) = slot.lock() {
            failed.get_or_insert_with(|| error.to_string());
        }
    }

    /// The error of a request redirected in a loop (or without end).
    fn redirect_error(
        &self,
        method: &Method,
        path: &str,
        refused: &RedirectRefused,
    ) -> ClientError {
        ClientError::Redirect {
            endpoint: self.inner.config.endpoint.clone(),
            method: method.to_string(),
            path: path.to_owned(),
            chain: refused.chain.clone(),
            looped: refused.looped,
        }
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &str {
        &self.inner.config.endpoint
    }

    /// A client of `endpoint` with this one's transport settings (CA, timeouts) but no token
    /// and no retries: for a look at an address a control plane named (another control
    /// plane's index), which must never receive this provider's credentials.
    pub fn without_token_at(&self, endpoint: &str) -> Result<KumaClient, ClientError> {
        KumaClient::new(ClientConfig {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token: None,
            max_retries: 0,
            ..self.inner.config.clone()
        })
    }

    /// Whether requests carry a bearer token.
    pub fn has_token(&self) -> bool {
        self.inner.config.token.is_some()
    }

    /// GET a JSON document.
    pub async fn get(&self, path: &str) -> Result<serde_json::Value, ClientError> {
        self.call(Method::GET, path, None, false).await
    }

    /// GET one Kuma object: a JSON object with a `name`. A success whose body is anything else
    /// (empty, `{}`, another document) is [`ClientError::Decode`]: an answer that does not hold
    /// the object says nothing about it (a status code alone is no proof that it exists).
    pub async fn get_item(&self, path: &str) -> Result<serde_json::Value, ClientError> {
        let item = self.get(path).await?;
        item_or_error(item, path)
    }

    /// GET, retrying 404s for a while (a resource just written may not be readable yet when the
    /// API sits behind a load balancer or a store with replication lag).
    pub async fn get_after_write(&self, path: &str) -> Result<serde_json::Value, ClientError> {
        let mut attempt = 0u32;
        loop {
            match self.get_item(path).await {
                Err(e) if e.is_not_found() && attempt < 10 && !stopping() => {
                    attempt += 1;
                    log::debug(
                        "resource not readable yet after write; retrying",
                        &[("path", path)],
                    );
                    let wait = backoff(attempt);
                    if self.remaining().is_some_and(|left| left <= wait) {
                        return Err(e);
                    }
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    /// The read after a write whose answer was lost: GET, retrying 404s as
    /// [`KumaClient::get_after_write`] does, but a 404 is an answer here, not a delay: once a
    /// read said 404, the reads end with [`LostAnswerRead::Missing`] when the deadline leaves no
    /// room for another full read (a read cut short by the deadline would say nothing), and a
    /// later read that fails (the deadline passing while it waited) does not hide what the
    /// answered ones said.
    pub async fn read_after_lost_answer(&self, path: &str) -> LostAnswerRead {
        let started = Instant::now();
        let mut missing = 0u32;
        loop {
            let asked = Instant::now();
            let error = match self.get_item(path).await {
                Ok(item) => return LostAnswerRead::Found(item),
                Err(e) if e.is_not_found() => e,
                Err(e) if missing > 0 => {
                    log::debug(
                        "a read after a lost answer failed after 404s",
                        &[("path", path), ("error", &e.to_string())],
                    );
                    return LostAnswerRead::Missing {
                        reads: missing,
                        waited: started.elapsed(),
                    };
                }
                Err(e) => return LostAnswerRead::Failed(e),
            };
            missing += 1;
            let took = asked.elapsed();
            let wait = backoff(missing);
            let no_room = self
                .remaining()
                .is_some_and(|left| left <= wait + took + Duration::from_millis(50));
            if missing > 10 || stopping() || no_room {
                log::debug(
                    "a read after a lost answer found nothing",
                    &[("path", path), ("error", &error.to_string())],
                );
                return LostAnswerRead::Missing {
                    reads: missing,
                    waited: started.elapsed(),
                };
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One GET of a page that is not JSON (a zone's `/ready`), without retries, bounded by
    /// `limit` and the operation's deadline: the status and the body's first 1,000 characters,
    /// whatever the status. For what a warning quotes, so it never waits long.
    pub async fn get_text_once(
        &self,
        path: &str,
        limit: Duration,
    ) -> Result<(u16, String), ClientError> {
        let url = format!(
            "{}{}",
            self.inner.config.endpoint.trim_end_matches('/'),
            path
        );
        let limit = self.remaining().map_or(limit, |left| left.min(limit));
        let mut request = self.inner.http.get(url).timeout(limit);
        if let Some(token) = &self.inner.config.token {
            request = request.bearer_auth(token);
        }
        log::debug(
            "Kuma API request",
            &[
                ("endpoint", &self.inner.config.endpoint),
                ("method", "GET"),
                ("path", path),
            ],
        );
        let transport = |e: reqwest::Error| ClientError::Transport {
            endpoint: self.inner.config.endpoint.clone(),
            message: error_chain(&e),
            sent: !e.is_connect(),
        };
        let sent = Instant::now();
        let response = request
            .send()
            .await
            .map_err(|e| match redirect_refused(&e) {
                Some(refused) => self.redirect_error(&Method::GET, path, refused),
                None => transport(e),
            })?;
        let status = response.status().as_u16();
        // A quote: the first 64 KiB are plenty, whatever the body's size.
        let body = read_body(response, TEXT_QUOTE_BYTES, AtLimit::Keep, sent)
            .await
            .map_err(|problem| ClientError::Body {
                endpoint: self.inner.config.endpoint.clone(),
                method: "GET".to_owned(),
                path: path.to_owned(),
                status,
                problem,
            })?;
        let text = String::from_utf8_lossy(&body);
        Ok((status, text.chars().take(1000).collect()))
    }

    /// PUT a JSON document.
    pub async fn put(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        self.call(Method::PUT, path, Some(body), false).await
    }

    /// PUT that must create: sends `If-None-Match: *`, which kuma-local honours (412 Precondition
    /// Failed when the object exists, as RFC 9110 §13.1.2 says). Kuma 2.9 to 3.0 ignore the
    /// header (a PUT over an object updates it), so against Kuma the caller's read-before-write
    /// check is what guards a create; Kuma's 409 `resource already exists` (a create that raced
    /// another, every release's error handler) means the same. Either is
    /// [`ClientError::AlreadyExists`].
    pub async fn put_new(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        self.call(Method::PUT, path, Some(body), true).await
    }

    /// DELETE; a 404 counts as success (already gone).
    pub async fn delete(&self, path: &str) -> Result<(), ClientError> {
        match self.call(Method::DELETE, path, None, false).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// GET every page of a list (`{"items": [...], "next": url}`).
    pub async fn list_all(&self, path: &str) -> Result<Vec<serde_json::Value>, ClientError> {
        Ok(self.list_pages(path, usize::MAX).await?.unwrap_or_default())
    }

    /// GET every page of a list, unless it holds more than `max_items` (`None` then; no page
    /// beyond the one that shows it is fetched).
    pub async fn list_at_most(
        &self,
        path: &str,
        max_items: usize,
    ) -> Result<Option<Vec<serde_json::Value>>, ClientError> {
        self.list_pages(path, max_items).await
    }

    async fn list_pages(
        &self,
        path: &str,
        max_items: usize,
    ) -> Result<Option<Vec<serde_json::Value>>, ClientError> {
        let mut items = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{separator}size=1000"));
        let mut pages = 0;
        while let Some(current) = next.take() {
            let page = self.get(&current).await?;
            // A page without `items` is not a list: not an empty one.
            let Some(list) = page.get("items").and_then(|v| v.as_array()) else {
                return Err(ClientError::Decode {
                    path: current,
                    message: format!(
                        "the answer is not a Kuma list (no `items` array): {}",
                        json_start(&page)
                    ),
                });
            };
            items.extend(list.iter().cloned());
            let total = page.get("total").and_then(|v| v.as_u64());
            if items.len() > max_items || total.is_some_and(|t| t > max_items as u64) {
                return Ok(None);
            }
            pages += 1;
            // `next` is an absolute URL on Kuma's host; keep our endpoint and follow its path.
            next = page
                .get("next")
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(relative);
            if pages > 10_000 {
                break;
            }
        }
        Ok(Some(items))
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        create_only: bool,
    ) -> Result<serde_json::Value, ClientError> {
        let url = format!(
            "{}{}",
            self.inner.config.endpoint.trim_end_matches('/'),
            path
        );
        // An endpoint that let an earlier request wait without a word is not waited for again.
        if let Some(earlier) = self.hung() {
            return Err(ClientError::NotAskedAgain {
                endpoint: self.inner.config.endpoint.clone(),
                earlier,
            });
        }
        let is_write = method != Method::GET;
        if is_write {
            self.note_write();
        }
        let mut trace = Trace::default();
        let outcome = self
            .attempts(&method, &url, path, body, create_only, &mut trace)
            .await
            .map_err(|e| e.with_sent(trace.sent));
        if let Err(e @ (ClientError::Transport { .. } | ClientError::Deadline { .. })) = &outcome {
            if e.is_endpoint_failure() {
                Self::remember(&self.inner.unanswered, e);
            }
            if trace.silent && !trace.answered {
                Self::remember(&self.inner.hung, e);
            }
        }
        if is_write {
            self.note_write();
        }
        outcome
    }

    async fn attempts(
        &self,
        method: &Method,
        url: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        create_only: bool,
        trace: &mut Trace,
    ) -> Result<serde_json::Value, ClientError> {
        let mut attempt = 0u32;
        let mut last: Option<ClientError> = None;
        // The endpoint failed on its own (see `ClientError::Deadline`): judged when the
        // deadline ends the call.
        let failed = |trace: &Trace| !trace.last_answered && (trace.broke || trace.silent);
        loop {
            let mut request = self.inner.http.request(method.clone(), url);
            if let Some(left) = self.remaining() {
                if left.is_zero() {
                    let last = last.map(|e| e.to_string());
                    return Err(self.deadline_error(last, failed(trace)));
                }
                request = request.timeout(left.min(self.inner.config.timeout));
            }
            if let Some(token) = &self.inner.config.token {
                request = request.bearer_auth(token);
            }
            if create_only {
                request = request.header(reqwest::header::IF_NONE_MATCH, "*");
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            log::debug(
                "Kuma API request",
                &[
                    ("endpoint", &self.inner.config.endpoint),
                    ("method", method.as_str()),
                    ("path", path),
                ],
            );
            let sent = std::time::Instant::now();
            let outcome = request.send().await;
            if log::enabled(log::Level::Debug) {
                let status = match &outcome {
                    Ok(response) => response.status().as_u16().to_string(),
                    Err(e) => format!("no answer: {}", error_chain(e)),
                };
                log::debug(
                    "Kuma API response",
                    &[
                        ("endpoint", &self.inner.config.endpoint),
                        ("method", method.as_str()),
                        ("path", path),
                        ("status", &status),
                        ("ms", &sent.elapsed().as_millis().to_string()),
                    ],
                );
            }
            // A redirect loop is an answer: reported as such, never retried.
            if let Some(refused) = outcome.as_ref().err().and_then(redirect_refused) {
                trace.answered = true;
                trace.last_answered = true;
                trace.sent = true;
                return Err(self.redirect_error(method, path, refused));
            }
            trace.last_answered = outcome.is_ok();
            trace.answered |= outcome.is_ok();
            trace.sent |= outcome.as_ref().map_or_else(|e| !e.is_connect(), |_| true);
            let retryable = match outcome {
                Ok(response) => {
                    let status = response.status();
                    if create_only
                        && (status == StatusCode::CONFLICT
                            || status == StatusCode::PRECONDITION_FAILED)
                    {
                        return Err(ClientError::AlreadyExists {
                            endpoint: self.inner.config.endpoint.clone(),
                            path: path.to_owned(),
                            retried: attempt > 0,
                        });
                    }
                    let content_type = (response.headers().get(reqwest::header::CONTENT_TYPE))
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let read = read_body(response, MAX_BODY_BYTES, AtLimit::Refuse, sent).await;
                    let failed_body = |problem: BodyProblem| ClientError::Body {
                        endpoint: self.inner.config.endpoint.clone(),
                        method: method.to_string(),
                        path: path.to_owned(),
                        status: status.as_u16(),
                        problem,
                    };
                    if is_retryable_status(status) {
                        // The status says it all (a failure to retry); the body only adds
                        // Kuma's words when it can be read.
                        let (text, unread) = match read {
                            Ok(body) => (String::from_utf8_lossy(&body).into_owned(), None),
                            Err(problem) => (String::new(), Some(problem)),
                        };
                        let mut body = error_body(status, &text);
                        if let Some(problem) = unread {
                            body.detail = format!("its body could not be read: {problem}");
                        }
                        ClientError::Api {
                            method: method.to_string(),
                            path: path.to_owned(),
                            status: status.as_u16(),
                            body: Box::new(body),
                        }
                    } else {
                        match read {
                            Ok(body) if status.is_success() => {
                                return parse_json(path, content_type.as_deref(), &body)
                            }
                            Ok(body) => {
                                let text = String::from_utf8_lossy(&body);
                                return Err(ClientError::Api {
                                    method: method.to_string(),
                                    path: path.to_owned(),
                                    status: status.as_u16(),
                                    body: Box::new(error_body(status, &text)),
                                });
                            }
                            // A body cut short in a read may come whole the next time; a
                            // write's status is its answer (a success was carried out), and
                            // a body that stalled or is too large would do so again.
                            Err(problem @ BodyProblem::Closed { .. }) if *method == Method::GET => {
                                failed_body(problem)
                            }
                            Err(problem) => {
                                let error = failed_body(problem);
                                return Err(match self.remaining() {
                                    Some(left) if left <= Duration::from_millis(5) => {
                                        self.deadline_error(Some(error.to_string()), false)
                                    }
                                    _ => error,
                                });
                            }
                        }
                    }
                }
                Err(e) => {
                    if !e.is_timeout() {
                        trace.broke = true;
                    } else if sent.elapsed() >= self.inner.silence.mul_f64(0.9) {
                        trace.silent = true;
                    }
                    ClientError::Transport {
                        endpoint: self.inner.config.endpoint.clone(),
                        message: error_chain(&e),
                        sent: true,
                    }
                }
            };
            if attempt >= self.inner.config.max_retries || stopping() {
                return Err(match self.remaining() {
                    Some(left) if left <= Duration::from_millis(5) => {
                        self.deadline_error(Some(retryable.to_string()), failed(trace))
                    }
                    _ => retryable,
                });
            }
            attempt += 1;
            let wait = backoff(attempt);
            if self.remaining().is_some_and(|left| left <= wait) {
                return Err(self.deadline_error(Some(retryable.to_string()), failed(trace)));
            }
            log::warn(
                "Kuma API call failed; retrying",
                &[
                    ("method", method.as_str()),
                    ("path", path),
                    ("error", &retryable.to_string()),
                    ("attempt", &attempt.to_string()),
                ],
            );
            tokio::time::sleep(wait).await;
            last = Some(retryable);
        }
    }
}

static STOPPING: AtomicBool = AtomicBool::new(false);

/// Terraform sent StopProvider (Ctrl-C): no more retries or waits.
pub fn request_stop() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// Whether StopProvider was received.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

fn is_retryable_status(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// Kuma's error body of an answer with `status`, else one in its shape that quotes `text`.
fn error_body(status: StatusCode, text: &str) -> ErrorBody {
    serde_json::from_str(text).unwrap_or_else(|_| ErrorBody {
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        detail: text.chars().take(500).collect(),
        ..ErrorBody::default()
    })
}

/// A success's body as JSON (an empty body is an empty object: a PUT's answer may be empty).
fn parse_json(
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<serde_json::Value, ClientError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        path: path.to_owned(),
        message: format!(
            "{e}; the answer is not JSON ({})",
            describe_body(content_type, body)
        ),
    })
}

/// The first characters of a JSON document, for an error.
pub fn json_start(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut start: String = text.chars().take(200).collect();
    if start.len() < text.len() {
        start.push('…');
    }
    start
}

/// `item` when it is a Kuma object (a JSON object with a non-empty `name`), else why not.
fn item_or_error(item: serde_json::Value, path: &str) -> Result<serde_json::Value, ClientError> {
    match item.get("name").and_then(|n| n.as_str()) {
        Some(name) if !name.is_empty() => Ok(item),
        _ => Err(ClientError::Decode {
            path: path.to_owned(),
            message: format!(
                "the answer is not a Kuma object (no `name`): {}",
                json_start(&item)
            ),
        }),
    }
}

/// How much of a page [`KumaClient::get_text_once`] reads: a quote.
const TEXT_QUOTE_BYTES: usize = 64 * 1024;

/// Exponential backoff from 50 ms, capped at 2 s, with full jitter on the upper half.
fn backoff(attempt: u32) -> Duration {
    let base = 50u64.saturating_mul(1u64 << attempt.min(6)).min(2_000);
    Duration::from_millis(base / 2 + fastrand::u64(0..=base / 2))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Path and query of an absolute URL (`http://host:1/a?b` -> `/a?b`).
fn relative(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_owned(),
            None => "/".to_owned(),
        },
        None => url.to_owned(),
    }
}

fn tls_config(config: &ClientConfig) -> Result<rustls::ClientConfig, ClientError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Config(e.to_string()))?;
    let mut tls = if config.insecure_skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        match &config.ca_cert {
            Some(pem) => {
                for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                    let cert = cert.map_err(|e| ClientError::Config(format!("ca_cert: {e}")))?;
                    roots
                        .add(cert)
                        .map_err(|e| ClientError::Config(format!("ca_cert: {e}")))?;
                }
                if roots.is_empty() {
                    return Err(ClientError::Config(
                        "ca_cert holds no PEM certificate".into(),
                    ));
                }
            }
            // Loading the system store costs tens of milliseconds: only for https.
            None if config.endpoint.starts_with("https://") => {
                for cert in crate::roots::system_roots() {
                    let _ = roots.add(cert);
                }
            }
            None => {}
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tls)
}

/// `insecure_skip_verify = true`: accept any server certificate (still checks signatures so the
/// TLS session itself is sound).
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Percent-encode a path segment or query value.
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn kuma_error_bodies_decode_into_the_core_model() {
        let kuma = r#"{"type":"/std-errors","status":400,"title":"Could not process a resource","detail":"Resource is not valid","invalid_parameters":[{"field":"spec.ports","reason":"must not be empty"}],"details":"Resource is not valid","causes":[{"field":"spec.ports","message":"must not be empty"}]}"#;
        let body: ErrorBody = serde_json::from_str(kuma).unwrap_or_default();
        assert_eq!(body.title, "Could not process a resource");
        assert_eq!(body.invalid_parameters.len(), 1);
        assert_eq!(body.invalid_parameters[0].field, "spec.ports");
        // A server in front of Kuma may send only some of the fields.
        let partial: Option<ErrorBody> = serde_json::from_str(r#"{"title":"Bad Gateway"}"#).ok();
        assert_eq!(
            partial.map(|b| (b.title, b.detail, b.invalid_parameters.len())),
            Some(("Bad Gateway".to_owned(), String::new(), 0))
        );
    }

    #[test]
    fn next_links_keep_path_and_query_only() {
        assert_eq!(
            relative("http://10.0.0.1:5681/meshservices?offset=abc&size=1000"),
            "/meshservices?offset=abc&size=1000"
        );
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_millis(2_000));
            assert!(d >= Duration::from_millis(50));
        }
    }

    /// A client of `endpoint` whose operations wait at most `operation_timeout` by default.
    fn client_of(endpoint: String, operation_timeout: Duration) -> KumaClient {
        let client = KumaClient::new(ClientConfig {
            endpoint,
            token: None,
            ca_cert: None,
            insecure_skip_verify: false,
            timeout: Duration::from_secs(30),
            max_retries: 4,
            operation_timeout,
        });
        let Ok(client) = client else {
            panic!("client");
        };
        client
    }

    #[tokio::test]
    async fn a_listener_that_never_answers_fails_within_the_deadline_and_is_not_waited_for_again() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(address) = listener.local_addr() else {
            return;
        };
        let limit = Duration::from_millis(600);
        let client = client_of(format!("http://{address}"), limit);
        let started = Instant::now();
        let outcome = client
            .with_deadline(limit, DeadlineSetBy::OperationTimeout)
            .get("/")
            .await;
        assert!(started.elapsed() < Duration::from_secs(3));
        let Err(error) = outcome else {
            panic!("a silent listener answered");
        };
        assert!(
            matches!(
                error,
                ClientError::Deadline {
                    endpoint_failed: true,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("operation deadline"), "{error}");
        assert!(
            error
                .to_string()
                .contains("raise it with the provider's `operation_timeout`"),
            "{error}"
        );
        assert!(
            error.is_endpoint_failure() && error.answer_lost(),
            "{error}"
        );
        // Remembered by every copy of the client, for the optional checks that follow.
        let remembered = client.earlier_failure().unwrap_or_default();
        assert!(remembered.contains("operation deadline"), "{remembered}");
        // Every later request of the process fails at once, naming the earlier failure.
        let started = Instant::now();
        let again = client
            .with_deadline(limit, DeadlineSetBy::ResourceTimeouts)
            .put("/x", &serde_json::json!({}))
            .await;
        assert!(started.elapsed() < Duration::from_millis(100));
        let Err(again) = again else {
            panic!("a silent listener answered");
        };
        assert!(
            matches!(again, ClientError::NotAskedAgain { .. }),
            "{again}"
        );
        let text = again.to_string();
        assert!(
            text.starts_with("not asked: ") && text.contains("operation deadline passed (600ms"),
            "{text}"
        );
        // Nothing was sent: a write refused this way was not made.
        assert!(!again.answer_lost());
        drop(listener);
    }

    /// An operation whose own deadline is far shorter than what the process grants the
    /// endpoint (a resource's `timeouts { read = "1ms" }`) says nothing about the endpoint: not
    /// remembered, and the error names no empty "last problem".
    #[tokio::test]
    async fn a_short_deadline_of_one_operation_is_not_the_endpoints_failure() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(address) = listener.local_addr() else {
            return;
        };
        let client = client_of(format!("http://{address}"), Duration::from_secs(60));
        for limit in [
            Duration::ZERO,
            Duration::from_millis(1),
            Duration::from_millis(300),
        ] {
            let outcome = client
                .with_deadline(limit, DeadlineSetBy::ResourceTimeouts)
                .get("/")
                .await;
            let Err(error) = outcome else {
                panic!("a silent listener answered");
            };
            assert!(
                matches!(
                    error,
                    ClientError::Deadline {
                        endpoint_failed: false,
                        ..
                    }
                ),
                "{error}"
            );
            assert!(!error.is_endpoint_failure(), "{error}");
            let text = error.to_string();
            assert!(!text.contains("Last problem: ."), "{text}");
            assert!(!text.trim_end().ends_with(':'), "{text}");
            if limit.is_zero() {
                assert!(
                    text.ends_with("It had passed before a request was sent"),
                    "{text}"
                );
                assert!(!error.answer_lost(), "nothing was sent: {text}");
            }
        }
        assert_eq!(client.earlier_failure(), None);
        assert_eq!(client.hung(), None);
        drop(listener);
    }

    /// A write to a port where nothing listens never reached a server: its answer was not
    /// lost, there was none.
    #[tokio::test]
    async fn a_write_that_could_not_connect_did_not_lose_its_answer() {
        let Ok(listener) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(address) = listener.local_addr() else {
            return;
        };
        drop(listener);
        let client = client_of(format!("http://{address}"), Duration::from_secs(5));
        let outcome = client
            .with_deadline(Duration::from_secs(5), DeadlineSetBy::ResourceTimeouts)
            .put_new("/meshes/m", &serde_json::json!({}))
            .await;
        let Err(error) = outcome else {
            panic!("a closed port answered");
        };
        assert!(!error.answer_lost(), "{error:?}");
        assert!(error.is_endpoint_failure(), "{error:?}");
    }

    /// A server that answers one request with `status` and `body`, and hands back the request
    /// head it read.
    fn answer_once(
        status: &str,
        body: &'static str,
    ) -> Option<(String, std::thread::JoinHandle<String>)> {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
        let address = listener.local_addr().ok()?;
        let status = status.to_owned();
        let server = std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return String::new();
            };
            let mut seen = Vec::new();
            let mut buffer = [0u8; 4096];
            while !String::from_utf8_lossy(&seen).contains("\r\n\r\n{") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buffer[..n]),
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            String::from_utf8_lossy(&seen).into_owned()
        });
        Some((format!("http://{address}"), server))
    }

    /// kuma-local refuses a create-only PUT over an existing object with HTTP's 412; Kuma ignores
    /// `If-None-Match` but answers 409 `resource already exists` when a create races another.
    /// Both mean the object is there; a plain PUT's 409 stays an API error.
    #[tokio::test]
    async fn a_refused_create_only_put_is_already_exists_on_412_and_409() {
        let cases = [
            ("412 Precondition Failed", true, true),
            ("409 Conflict", true, true),
            ("409 Conflict", false, false),
        ];
        for (status, create_only, already_exists) in cases {
            let Some((endpoint, server)) = answer_once(
                status,
                r#"{"type":"/std-errors","status":412,"title":"Precondition Failed","detail":"resource already exists"}"#,
            ) else {
                return;
            };
            let Ok(client) = KumaClient::new(ClientConfig {
                endpoint,
                token: None,
                ca_cert: None,
                insecure_skip_verify: false,
                timeout: Duration::from_secs(10),
                max_retries: 0,
                operation_timeout: Duration::from_secs(10),
            }) else {
                panic!("client");
            };
            let body = serde_json::json!({"type": "Mesh", "name": "m"});
            let outcome = if create_only {
                client.put_new("/meshes/m", &body).await
            } else {
                client.put("/meshes/m", &body).await
            };
            let head = server.join().unwrap_or_default().to_ascii_lowercase();
            assert_eq!(head.contains("if-none-match: *"), create_only, "{head}");
            match outcome {
                Err(ClientError::AlreadyExists { retried, .. }) => {
                    assert!(already_exists, "{status}: a plain PUT is not a create");
                    assert!(!retried);
                }
                Err(ClientError::Api { status: code, .. }) => {
                    assert!(!already_exists, "{status}: create-only gave an API error");
                    assert_eq!(code, 409);
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    /// How a [`serve_raw`] server ends each answer after writing it.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Then {
        /// Close the connection.
        Close,
        /// Keep it open, sending nothing more, this long.
        Stall(Duration),
    }

    /// A server that answers every request (each connection in a thread of its own) with the
    /// raw bytes of `answer` (status line, headers, whatever of the body it sends), then does
    /// `then`; the request lines it got, in order.
    fn serve_raw(
        answer: String,
        then: Then,
    ) -> Option<(String, Arc<std::sync::Mutex<Vec<String>>>)> {
        serve_raw_by(move |_| (answer.clone(), then))
    }

    /// [`serve_raw`] with the answer `answer` picks for each request line (`PUT /x HTTP/1.1`).
    pub(crate) fn serve_raw_by(
        answer: impl Fn(&str) -> (String, Then) + Send + Sync + 'static,
    ) -> Option<(String, Arc<std::sync::Mutex<Vec<String>>>)> {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
        let address = listener.local_addr().ok()?;
        let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let requests = Arc::clone(&seen);
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else {
                    return;
                };
                let (answer, requests) = (Arc::clone(&answer), Arc::clone(&requests));
                std::thread::spawn(move || {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 4096];
                    let end = loop {
                        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                            break at + 4;
                        }
                        match stream.read(&mut buffer) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&request[..end]).into_owned();
                    // The body too: closing on unread bytes would reset the connection.
                    let length: usize = (head.lines())
                        .filter_map(|l| l.split_once(':'))
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.trim().parse().ok())
                        .unwrap_or(0);
                    while request.len() < end + length {
                        match stream.read(&mut buffer) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    let (bytes, then) = answer(&line);
                    if let Ok(mut requests) = requests.lock() {
                        requests.push(line);
                    }
                    let _ = stream.write_all(bytes.as_bytes());
                    let _ = stream.flush();
                    match then {
                        Then::Close => {
                            let _ = stream.shutdown(std::net::Shutdown::Both);
                        }
                        Then::Stall(wait) => std::thread::sleep(wait),
                    }
                });
            }
        });
        Some((format!("http://{address}"), seen))
    }

    /// A client of `endpoint` with a per-request `timeout`, `max_retries` and no deadline.
    fn client_with(endpoint: &str, timeout: Duration, max_retries: u32) -> KumaClient {
        let Ok(client) = KumaClient::new(ClientConfig {
            endpoint: endpoint.to_owned(),
            token: None,
            ca_cert: None,
            insecure_skip_verify: false,
            timeout,
            max_retries,
            operation_timeout: Duration::from_secs(60),
        }) else {
            panic!("client");
        };
        client
    }

    fn requests(seen: &std::sync::Mutex<Vec<String>>) -> Vec<String> {
        seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// A 200 that declares 1,000 bytes, sends 10 and then stalls is no answer: the read fails
    /// within the request's timeout, saying the body timed out (not an empty object, not
    /// "exists"), and is not retried into a longer wait.
    #[test]
    fn a_success_whose_body_stalls_is_an_error_within_the_timeout_not_an_answer() {
        crate::test_server::block_on(async {
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\":\"x";
            let Some((endpoint, seen)) =
                serve_raw(answer.to_owned(), Then::Stall(Duration::from_secs(20)))
            else {
                return;
            };
            let timeout = Duration::from_millis(800);
            let client = client_with(&endpoint, timeout, 4);
            let started = Instant::now();
            let outcome = client.get_item("/meshes/default").await;
            let took = started.elapsed();
            assert!(took < Duration::from_secs(3), "took {took:?}");
            let Err(error) = outcome else {
                panic!("a stalled body was an answer: {outcome:?}");
            };
            let ClientError::Body {
                status: 200,
                problem:
                    BodyProblem::TimedOut {
                        received: 10,
                        declared: Some(1000),
                        after,
                    },
                ..
            } = &error
            else {
                panic!("{error:?}");
            };
            assert!(*after >= timeout.mul_f64(0.9), "{after:?}");
            let text = error.to_string();
            for words in [
                "Kuma API GET /meshes/default at http://",
                "answered 200, but timed out reading its body after",
                "(10 of 1000 bytes received): the body stalled",
            ] {
                assert!(text.contains(words), "{words}: {text}");
            }
            // A body that stalled would stall again: asked once.
            assert_eq!(requests(&seen).len(), 1, "{:?}", requests(&seen));
            // An answer cut short is no proof that the object exists.
            let Ok(crate::config::Configuration::Ready(configured)) =
                crate::config::configure(&crate::value::Value::object([
                    ("endpoint", crate::value::Value::string(&endpoint)),
                    ("timeout", crate::value::Value::string("800ms")),
                ]))
            else {
                panic!("the provider configures");
            };
            let exists = crate::resources::exists(&configured, "/meshes/default").await;
            assert!(
                matches!(
                    exists,
                    Err(ClientError::Body {
                        problem: BodyProblem::TimedOut { .. },
                        ..
                    })
                ),
                "{exists:?}"
            );
        });
    }

    /// A 200 whose connection closes after 10 of its 1,000 bytes: an error that says so; a
    /// read is tried again (the body may come whole), and fails the same way.
    #[test]
    fn a_success_whose_connection_closes_early_is_an_error_saying_how_much_came() {
        crate::test_server::block_on(async {
            let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\":\"x";
            let Some((endpoint, seen)) = serve_raw(answer.to_owned(), Then::Close) else {
                return;
            };
            let client = client_with(&endpoint, Duration::from_secs(10), 1);
            let outcome = client.get_item("/meshes/default").await;
            let Err(error) = outcome else {
                panic!("a broken body was an answer: {outcome:?}");
            };
            assert!(
                matches!(
                    &error,
                    ClientError::Body {
                        status: 200,
                        problem: BodyProblem::Closed {
                            received: 10,
                            declared: Some(1000),
                            ..
                        },
                        ..
                    }
                ),
                "{error:?}"
            );
            let text = error.to_string();
            assert!(
                text.contains("answered 200, but the connection closed after 10 of 1000 bytes"),
                "{text}"
            );
            assert!(!error.is_not_found());
            assert_eq!(requests(&seen).len(), 2, "{:?}", requests(&seen));
        });
    }

    /// A `Content-Length` of 100 MiB is refused at once, before any of the body is read: the
    /// server never has to send it, and nothing is retried.
    #[test]
    fn a_body_declared_larger_than_the_limit_is_refused_before_it_is_read() {
        crate::test_server::block_on(async {
            let declared = 100 * 1024 * 1024;
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
            );
            let Some((endpoint, seen)) = serve_raw(answer, Then::Stall(Duration::from_secs(20)))
            else {
                return;
            };
            let client = client_with(&endpoint, Duration::from_secs(10), 4);
            let started = Instant::now();
            let outcome = client.get("/").await;
            assert!(started.elapsed() < Duration::from_secs(2));
            let Err(error) = outcome else {
                panic!("a 100 MiB body was an answer: {outcome:?}");
            };
            assert!(
                matches!(
                    &error,
                    ClientError::Body {
                        problem: BodyProblem::TooLarge {
                            declared: Some(d),
                            received: 0,
                        },
                        ..
                    } if *d == declared
                ),
                "{error:?}"
            );
            let text = error.to_string();
            assert!(
                text.contains("its body is larger than the 64 MiB the provider reads of any answer (Content-Length: 104857600 bytes), so none of it was read"),
                "{text}"
            );
            assert_eq!(requests(&seen).len(), 1, "{:?}", requests(&seen));
        });
    }

    /// `/a` redirects to `/b`, which redirects to `/a`: one error naming the loop's URLs, each
    /// URL asked once (not once per retry); a chain that goes on is cut after 10 redirects.
    #[test]
    fn a_redirect_loop_is_one_error_naming_its_urls_and_is_not_retried() {
        use axum::http::{header::LOCATION, StatusCode};
        crate::test_server::block_on(async {
            let asked: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
            let counted = Arc::clone(&asked);
            let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
                let counted = Arc::clone(&counted);
                async move {
                    let path = uri.path().to_owned();
                    if let Ok(mut asked) = counted.lock() {
                        asked.push(path.clone());
                    }
                    let to = match path.as_str() {
                        "/a" => "/b".to_owned(),
                        "/b" => "/a".to_owned(),
                        other => {
                            let n: u32 =
                                other.trim_start_matches("/n/").parse().unwrap_or_default();
                            format!("/n/{}", n + 1)
                        }
                    };
                    (StatusCode::FOUND, [(LOCATION, to)])
                }
            });
            let endpoint = crate::test_server::serve(app).await;
            let client = client_with(&endpoint, Duration::from_secs(10), 4);
            let outcome = client.get("/a").await;
            let Err(error) = outcome else {
                panic!("a redirect loop was an answer: {outcome:?}");
            };
            let ClientError::Redirect {
                chain,
                looped: true,
                ..
            } = &error
            else {
                panic!("{error:?}");
            };
            assert_eq!(
                chain,
                &[
                    format!("{endpoint}/a"),
                    format!("{endpoint}/b"),
                    format!("{endpoint}/a")
                ]
            );
            let text = error.to_string();
            assert!(
                text.contains(&format!(
                    "is redirected in a loop: {endpoint}/a -> {endpoint}/b -> {endpoint}/a. A redirect loop is an answer, not an outage"
                )),
                "{text}"
            );
            let seen = |asked: &std::sync::Mutex<Vec<String>>| {
                asked.lock().map(|a| a.clone()).unwrap_or_default()
            };
            assert_eq!(seen(&asked), ["/a", "/b"]);
            // A write meets the same answer: not retried either.
            let put = client.put("/a", &serde_json::json!({})).await;
            assert!(
                matches!(put, Err(ClientError::Redirect { looped: true, .. })),
                "{put:?}"
            );
            assert_eq!(seen(&asked), ["/a", "/b", "/a", "/b"]);

            // Redirects without end: cut after 10, the error says so.
            if let Ok(mut asked) = asked.lock() {
                asked.clear();
            }
            let outcome = client.get("/n/0").await;
            let Err(error @ ClientError::Redirect { looped: false, .. }) = outcome else {
                panic!("{outcome:?}");
            };
            assert!(
                error
                    .to_string()
                    .contains("is redirected more than 10 times"),
                "{error}"
            );
            assert_eq!(seen(&asked).len(), 11, "{:?}", seen(&asked));
        });
    }

    /// A success whose body is not the object asked for says nothing about it: `{}` and an
    /// empty body are not a Kuma object; an HTML page is not JSON, and the error names its
    /// content type and first characters; a page without `items` is not a list.
    #[test]
    fn a_success_that_is_not_kumas_answer_is_a_decode_error_saying_what_came() {
        crate::test_server::block_on(async {
            let answer = |content_type: &str, body: &str| {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let decode_error = |outcome: Result<serde_json::Value, ClientError>| match outcome {
                Err(error @ ClientError::Decode { .. }) => error.to_string(),
                other => panic!("not a decode error: {other:?}"),
            };

            for body in ["{}", "", "{\"name\":\"\"}", "[]"] {
                let Some((endpoint, _)) = serve_raw(answer("application/json", body), Then::Close)
                else {
                    return;
                };
                let client = client_with(&endpoint, Duration::from_secs(5), 0);
                let text = decode_error(client.get_item("/meshes/default").await);
                assert!(
                    text.starts_with("unexpected response from /meshes/default: the answer is not a Kuma object (no `name`)"),
                    "{body:?}: {text}"
                );
            }
            // The same body from a read that is not of one object is an answer.
            let Some((endpoint, _)) = serve_raw(answer("application/json", "{}"), Then::Close)
            else {
                return;
            };
            let client = client_with(&endpoint, Duration::from_secs(5), 0);
            assert_eq!(client.get("/").await.ok(), Some(serde_json::json!({})));

            let Some((endpoint, _)) =
                serve_raw(answer("text/html", "<html>login</html>"), Then::Close)
            else {
                return;
            };
            let client = client_with(&endpoint, Duration::from_secs(5), 0);
            let text = decode_error(client.get_item("/meshes/default").await);
            for words in [
                "the answer is not JSON (18 bytes, Content-Type text/html, beginning \"<html>login</html>\")",
                "unexpected response from /meshes/default: ",
            ] {
                assert!(text.contains(words), "{words}: {text}");
            }

            let Some((endpoint, _)) =
                serve_raw(answer("application/json", "{\"total\": 0}"), Then::Close)
            else {
                return;
            };
            let client = client_with(&endpoint, Duration::from_secs(5), 0);
            let listed = client.list_all("/hostnamegenerators").await;
            let text = decode_error(listed.map(serde_json::Value::from));
            assert!(
                text.contains("the answer is not a Kuma list (no `items` array): {\"total\":0}"),
                "{text}"
            );
        });
    }

    #[test]
    fn label_keys_are_encoded_for_filters() {
        assert_eq!(encode("kuma.io/display-name"), "kuma.io%2Fdisplay-name");
    }
}
