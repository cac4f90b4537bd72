//! Process topology and serving: one global and N zones in one process (`run --zones`), or one
//! role per process; listeners (plain or rustls), fault injection at accept, graceful shutdown.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use kuma_mzs_core::api::Mode;
use kuma_mzs_core::KumaVersion;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::connections::{guarded, ConnectionTable};
pub use crate::cp::Ipam;
use crate::cp::{spawn_status_engine, Auth, Chaos, ControlPlane};
use crate::http::{app_with_limits, PeerAddr};
use crate::private_files::{
    create_private, read_private, replace_private, PrivateDir, PrivateFileError,
};
use crate::store::{Store, StoreError};
use crate::sync::{spawn_zone_sync, GlobalLink, HttpLink};

/// How long shutdown waits for the zones' status engines to finish their current round.
const STATUS_ENGINE_STOP_WAIT: Duration = Duration::from_millis(500);

/// Kuma's default API port; zones of `run --zones` take the next ports in order.
pub const DEFAULT_PORT: u16 = 5681;

/// What this process runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topology {
    /// A global control plane and one federated zone per name, in this process.
    All {
        /// Zone names, in port order.
        zones: Vec<String>,
    },
    /// Only a global control plane.
    Global,
    /// Only a zone control plane.
    Zone {
        /// The zone name.
        name: String,
        /// The global to federate with; `None` runs a non-federated zone.
        global: Option<RemoteGlobal>,
    },
}

/// A global control plane in another process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteGlobal {
    /// Its API URL.
    pub url: String,
    /// Its admin token (defaults to this process's admin token).
    pub token: Option<String>,
    /// CA certificate (PEM) to trust when it serves HTTPS.
    pub ca_cert: Option<PathBuf>,
}

/// TLS settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tls {
    /// Plain HTTP.
    #[default]
    Off,
    /// A self-signed certificate for `localhost` / `127.0.0.1`, generated at start (kept in the
    /// data directory when there is one).
    SelfSigned,
    /// Given PEM files.
    Files {
        /// Certificate chain.
        cert: PathBuf,
        /// Private key.
        key: PathBuf,
    },
}

/// Everything `start` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// What to run.
    pub topology: Topology,
    /// Address to listen on (loopback unless told otherwise).
    pub listen: IpAddr,
    /// Base port (0: ephemeral ports for every API).
    pub port: u16,
    /// Persist to SQLite here; memory only when `None`.
    pub data_dir: Option<PathBuf>,
    /// TLS.
    pub tls: Tls,
    /// Admin token; generated (and kept in the data directory) when `None`.
    pub admin_token: Option<String>,
    /// Let direct requests from loopback act as admin, whatever token they carry (Kuma's
    /// `localhostIsAdmin`; not on the KDS sync calls).
    pub allow_anonymous_localhost: bool,
    /// Fault injection.
    pub chaos: Chaos,
    /// Which Kuma release's rules to apply.
    pub kuma_version: KumaVersion,
    /// Run each zone's status engine (Kuma's status updater, VIP allocator and hostname
    /// generator). Off reproduces upstream's API test server, which runs none of them.
    pub status_engine: bool,
    /// Where zones draw VIPs from (Kuma's `ipam.*.cidr`).
    pub ipam: Ipam,
    /// Test hook: while this file exists, every store write of this process fails as if the
    /// disk were full (`--chaos-store-full-file`).
    pub store_fault_file: Option<PathBuf>,
    /// Connection and request bounds.
    pub limits: Limits,
}

/// Bounds on what clients can make the process hold (issue: slow or idle clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request head (request line and headers) must arrive within this time.
    pub header_read_timeout: Duration,
    /// A connection without a request in flight is closed after this time.
    pub idle_timeout: Duration,
    /// Open API connections of the process (all APIs together); lowered to fit the process's
    /// file limit. At the cap, the connection idle the longest is closed to make room.
    pub max_connections: usize,
    /// Largest request body of a resource PUT, in bytes.
    pub max_body_bytes: usize,
    /// A resource request's body must arrive within this time once its head has.
    pub body_read_timeout: Duration,
    /// Deletes each store remembers for zones that are behind; a zone further behind is sent
    /// a full snapshot ([`crate::store::DEFAULT_TOMBSTONE_LIMIT`]).
    pub max_tombstones: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(90),
            max_connections: 4096,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            body_read_timeout: Duration::from_secs(30),
            max_tombstones: crate::store::DEFAULT_TOMBSTONE_LIMIT,
        }
    }
}

/// Default [`Limits::max_body_bytes`]: 1 MiB, well above any real resource and below what
/// Kubernetes' API server accepts (3 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Self {
            topology: Topology::Global,
            listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            data_dir: None,
            tls: Tls::Off,
            admin_token: None,
            allow_anonymous_localhost: false,
            chaos: Chaos::default(),
            kuma_version: KumaVersion::default(),
            status_engine: true,
            ipam: Ipam::default(),
            store_fault_file: None,
            limits: Limits::default(),
        }
    }
}

/// What `run` prints (`--output json` prints exactly this, on one line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// Global API URL, if this process runs one.
    pub global: Option<String>,
    /// Zone API URLs by zone name.
    pub zones: BTreeMap<String, String>,
    /// The admin token (`Authorization: Bearer <token>`).
    pub admin_token: String,
    /// Data directory, if persistent.
    pub data_dir: Option<String>,
    /// PEM certificate file clients should trust, when serving TLS.
    pub tls_cert_file: Option<String>,
    /// Kuma version whose rules apply.
    pub kuma_version: String,
    /// kuma-local version.
    pub version: String,
}

/// Start failures.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Could not bind or accept.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The store failed.
    #[error("store {path}: {source}")]
    Store {
        /// Which database.
        path: String,
        /// Why.
        source: StoreError,
    },
    /// TLS set-up failed.
    #[error("tls: {0}")]
    Tls(String),
    /// A token or key file is unsafe or unreadable.
    #[error(transparent)]
    PrivateFile(#[from] PrivateFileError),
    /// Bad configuration.
    #[error("{0}")]
    Config(String),
}

fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServerError {
    let context = context.into();
    move |source| ServerError::Io { context, source }
}

/// A running process: its APIs, tasks and how to stop them.
pub struct Running {
    /// Addresses and token.
    pub info: Info,
    /// The control planes by name (`global` or the zone name).
    pub control_planes: BTreeMap<String, Arc<ControlPlane>>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Generated TLS files without a data directory; removed once everything stopped.
    private_dir: Option<PrivateDir>,
}

impl Running {
    /// Stop accepting, finish in-flight requests (up to 10 s), stop sync and status engines.
    pub async fn shutdown(self) {
        for cp in self.control_planes.values() {
            cp.close();
        }
        self.shutdown_tx.send_replace(true);
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
        }
        // A status engine in the middle of a large round stops after it; do not wait for that
        // (its work is recomputed at the next start, and every store write is atomic).
        let threads = self.threads;
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        });
        let _ = tokio::time::timeout(STATUS_ENGINE_STOP_WAIT, joined).await;
        drop(self.private_dir);
    }
}

/// Start, wait for `shutdown`, stop gracefully.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> Result<Info, ServerError> {
    let running = start(config).await?;
    let info = running.info.clone();
    shutdown.await;
    running.shutdown().await;
    Ok(info)
}

fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn admin_token(config: &Config) -> Result<String, ServerError> {
    if let Some(token) = &config.admin_token {
        if token.trim().is_empty() {
            return Err(ServerError::Config(
                "--admin-token (or KUMA_LOCAL_ADMIN_TOKEN) is empty: no request could \
                 authenticate; give a token or leave it out to generate one"
                    .to_owned(),
            ));
        }
        return Ok(token.clone());
    }
    let Some(dir) = &config.data_dir else {
        return Ok(random_token());
    };
    let path = dir.join("admin-token");
    if let Some(existing) = read_private(&path)? {
        let existing = String::from_utf8_lossy(&existing);
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok(existing.to_owned());
        }
    }
    let token = random_token();
    replace_private(&path, token.as_bytes())?;
    Ok(token)
}

struct TlsSetup {
    acceptor: tokio_rustls::TlsAcceptor,
    cert_file: PathBuf,
    /// The directory of generated files without a data directory (removed on exit).
    private_dir: Option<PrivateDir>,
}

/// A generated self-signed certificate for loopback names: (certificate PEM, key PEM).
fn self_signed() -> Result<(String, String), ServerError> {
    let generated = rcgen::generate_simple_self_signed(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])
    .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok((generated.cert.pem(), generated.key_pair.serialize_pem()))
}

/// Read a TLS file given on the command line (the user's own choice of path).
fn read_given(path: &Path) -> Result<Vec<u8>, ServerError> {
    std::fs::read(path).map_err(io_error(format!("reading {}", path.display())))
}

fn tls_setup(config: &Config) -> Result<Option<TlsSetup>, ServerError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let (cert_file, key_file, cert_pem, key_pem, private_dir) = match &config.tls {
        Tls::Off => return Ok(None),
        Tls::Files { cert, key } => (
            cert.clone(),
            key.clone(),
            read_given(cert)?,
            read_given(key)?,
            None,
        ),
        Tls::SelfSigned => match &config.data_dir {
            // Kept across restarts: reuse what is there unless either file is missing; never
            // through a symlink, never a key others can read.
            Some(dir) => {
                let cert = dir.join("tls.crt");
                let key = dir.join("tls.key");
                let (cert_pem, key_pem) = match (read_private(&cert)?, read_private(&key)?) {
                    (Some(c), Some(k)) => (c, k),
                    _ => {
                        let (c, k) = self_signed()?;
                        replace_private(&key, k.as_bytes())?;
                        replace_private(&cert, c.as_bytes())?;
                        (c.into_bytes(), k.into_bytes())
                    }
                };
                (cert, key, cert_pem, key_pem, None)
            }
            // Not persisted: a fresh private directory, removed on exit.
            None => {
                let dir = PrivateDir::create_in(&std::env::temp_dir())?;
                let cert = dir.path().join("tls.crt");
                let key = dir.path().join("tls.key");
                let (c, k) = self_signed()?;
                create_private(&key, k.as_bytes())?;
                create_private(&cert, c.as_bytes())?;
                (cert, key, c.into_bytes(), k.into_bytes(), Some(dir))
            }
        },
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert_file.display())))?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key_file.display())))?;
    let server_config = rustls::ServerConfig::builder_with_provider(crate::tls::crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok(Some(TlsSetup {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(server_config)),
        cert_file,
        private_dir,
    }))
}

fn open_store(config: &Config, file: &str) -> Result<Store, ServerError> {
    let store = match &config.data_dir {
        None => Store::memory(),
        Some(dir) => {
            let path = dir.join(file);
            Store::open(&path).map_err(|source| ServerError::Store {
                path: path.display().to_string(),
                source,
            })?
        }
    };
    Ok(store
        .with_fault_file(config.store_fault_file.clone())
        .with_tombstone_limit(config.limits.max_tombstones))
}

pub(crate) fn validate_zone_name(name: &str) -> Result<(), ServerError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ServerError::Config(format!(
            "zone name {name:?} must be a DNS label (lower case letters, digits and '-')"
        )))
    }
}

/// Bind every API, bootstrap stores, start sync and status engines.
pub async fn start(config: Config) -> Result<Running, ServerError> {
    if let Some(dir) = &config.data_dir {
        std::fs::create_dir_all(dir).map_err(io_error(format!("creating {}", dir.display())))?;
    }
    kuma_mzs_core::vips::check_cidrs(config.ipam.mesh_service_cidr, config.ipam.mzs_cidr)
        .map_err(|e| ServerError::Config(e.to_string()))?;
    let token = admin_token(&config)?;
    let mut tls = tls_setup(&config)?;
    let private_dir = tls.as_mut().and_then(|t| t.private_dir.take());
    let connections = ConnectionTable::new(
        crate::connections::effective_cap(config.limits.max_connections),
        config.limits.idle_timeout,
    );
    let https = tls.is_some();
    let auth = Auth {
        admin_token: token.clone(),
        allow_anonymous_localhost: config.allow_anonymous_localhost,
    };
    let make_cp = |mode: Mode, file: &str| -> Result<Arc<ControlPlane>, ServerError> {
        let store = open_store(&config, file)?;
        let cp = ControlPlane::new(
            mode,
            store,
            config.kuma_version,
            auth.clone(),
            config.chaos,
            config.ipam,
            https,
        );
        cp.bootstrap().map_err(|source| ServerError::Store {
            path: file.to_owned(),
            source,
        })?;
        Ok(Arc::new(cp))
    };

    // (name, control plane, link to global for federated zones)
    let mut planned: Vec<(String, Arc<ControlPlane>, Option<GlobalLink>)> = Vec::new();
    match &config.topology {
        Topology::All { zones } => {
            let global = make_cp(Mode::Global, "global.db")?;
            planned.push(("global".to_owned(), global.clone(), None));
            let mut seen = std::collections::BTreeSet::new();
            for zone in zones {
                validate_zone_name(zone)?;
                if zone == "global" || !seen.insert(zone.clone()) {
                    return Err(ServerError::Config(format!(
                        "zone name {zone:?} is used twice or reserved"
                    )));
                }
                let cp = make_cp(
                    Mode::Zone {
                        name: zone.clone(),
                        federated: true,
                    },
                    &format!("zone-{zone}.db"),
                )?;
                planned.push((
                    zone.clone(),
                    cp,
                    Some(GlobalLink::InProcess(global.clone())),
                ));
            }
        }
        Topology::Global => {
            planned.push((
                "global".to_owned(),
                make_cp(Mode::Global, "global.db")?,
                None,
            ));
        }
        Topology::Zone { name, global } => {
            validate_zone_name(name)?;
            let mode = Mode::Zone {
                name: name.clone(),
                federated: global.is_some(),
            };
            let cp = make_cp(mode, &format!("zone-{name}.db"))?;
            let link = match global {
                None => None,
                Some(remote) => {
                    let ca = match &remote.ca_cert {
                        Some(path) => Some(
                            std::fs::read(path)
                                .map_err(io_error(format!("reading {}", path.display())))?,
                        ),
                        None => None,
                    };
                    Some(GlobalLink::Http(HttpLink::new(
                        &remote.url,
                        remote.token.as_deref().unwrap_or(&token),
                        ca.as_deref(),
                    )))
                }
            };
            planned.push((name.clone(), cp, link));
        }
    }

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut threads = Vec::new();
    let mut info = Info {
        global: None,
        zones: BTreeMap::new(),
        admin_token: token,
        data_dir: config.data_dir.as_ref().map(|d| d.display().to_string()),
        tls_cert_file: tls.as_ref().map(|t| t.cert_file.display().to_string()),
        kuma_version: config.kuma_version.as_str().to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let mut control_planes = BTreeMap::new();
    let scheme = if https { "https" } else { "http" };
    for (index, (name, cp, link)) in planned.into_iter().enumerate() {
        let port = if config.port == 0 {
            0
        } else {
            u16::try_from(usize::from(config.port) + index).map_err(|_| {
                ServerError::Config(format!("port {} + {index} is out of range", config.port))
            })?
        };
        let address = SocketAddr::new(config.listen, port);
        let listener = TcpListener::bind(address)
            .await
            .map_err(io_error(format!("binding {address} for {name}")))?;
        let bound = listener
            .local_addr()
            .map_err(io_error("reading bound address"))?;
        let host = match bound.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let url = format!("{scheme}://{host}:{}", bound.port());
        if cp.mode == Mode::Global {
            info.global = Some(url.clone());
        } else {
            info.zones.insert(name.clone(), url.clone());
        }
        tracing::info!(control_plane = %name, %url, "listening");
        if config.status_engine && cp.zone_name().is_some() {
            threads.push(
                spawn_status_engine(cp.clone(), shutdown_rx.clone())
                    .map_err(io_error("starting the status engine"))?,
            );
        }
        if let Some(link) = &link {
            let address = match (link, &config.topology) {
                (
                    GlobalLink::Http(_),
                    Topology::Zone {
                        global: Some(remote),
                        ..
                    },
                ) => Some(remote.url.clone()),
                _ => info.global.clone(),
            };
            if let Some(address) = address {
                cp.set_global_address(&address);
            }
        }
        if let Some(link) = link {
            tasks.extend(spawn_zone_sync(cp.clone(), link, shutdown_rx.clone()));
        }
        tasks.push(tokio::spawn(accept_loop(
            listener,
            app_with_limits(cp.clone(), config.limits),
            Serving {
                tls: tls.as_ref().map(|t| t.acceptor.clone()),
                chaos: cp.chaos,
                connections: connections.clone(),
                header_read_timeout: config.limits.header_read_timeout,
            },
            shutdown_rx.clone(),
        )));
        control_planes.insert(name, cp);
    }
    if matches!(config.topology, Topology::All { .. }) {
        // In-process zones sync in milliseconds; answer only once they are usable, so whoever
        // reads the printed addresses can use every API at once.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !control_planes.values().all(|cp| cp.is_ready())
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    Ok(Running {
        info,
        control_planes,
        shutdown_tx,
        tasks,
        threads,
        private_dir,
    })
}

/// How one listener serves its connections.
struct Serving {
    tls: Option<tokio_rustls::TlsAcceptor>,
    chaos: Chaos,
    connections: Arc<ConnectionTable>,
    header_read_timeout: Duration,
}

async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    serving: Serving,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = crate::stopped(&mut shutdown) => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors or similar: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if serving.chaos.drop_rate > 0.0 && rand::random::<f64>() < serving.chaos.drop_rate {
            drop(stream);
            continue;
        }
        // At the cap with every connection busy: refuse this one rather than queue it.
        let Some(slot) = serving.connections.admit() else {
            tracing::debug!(%peer, "connection cap reached, every connection busy: refused");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let activity = slot.activity.clone();
        let service =
            tower::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                let busy = activity.begin();
                request.extensions_mut().insert(PeerAddr(peer));
                let response = router.clone().oneshot(request);
                async move {
                    let response = response.await?;
                    Ok::<_, std::convert::Infallible>(response.map(|body| guarded(body, busy)))
                }
            });
        let service = TowerToHyperService::new(service);
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(serving.header_read_timeout);
        let watcher = graceful.watcher();
        let tls = serving.tls.clone();
        let header_read_timeout = serving.header_read_timeout;
        tokio::spawn(async move {
            let serve = async {
                match tls {
                    None => {
                        let connection = builder.serve_connection(TokioIo::new(stream), service);
                        let _ = watcher.watch(connection).await;
                    }
                    Some(acceptor) => {
                        // The handshake counts as reading the request head.
                        let handshake =
                            tokio::time::timeout(header_read_timeout, acceptor.accept(stream))
                                .await;
                        let Ok(Ok(tls_stream)) = handshake else {
                            return;
                        };
                        let connection =
                            builder.serve_connection(TokioIo::new(tls_stream), service);
                        let _ = watcher.watch(connection).await;
                    }
                }
            };
            // Idle too long or shed for a newer connection: dropping the connection closes it
            // (never while a request is in flight).
            tokio::select! {
                () = serve => {}
                () = slot.should_close() => {}
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}
