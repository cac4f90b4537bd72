//! `kuma-local` command line.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use kuma_local::cp::Chaos;
use kuma_local::server::{
    Config, Ipam, Limits, RemoteGlobal, Tls, Topology, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT,
};
use kuma_mzs_core::vips::parse_cidr;
use kuma_mzs_core::KumaVersion;

#[derive(Parser)]
#[command(
    name = "kuma-local",
    version,
    about = "A local Kuma-API-compatible control plane (global + zones)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run control planes until SIGTERM/SIGINT.
    Run(Box<RunArgs>),
    /// Print the name KDS gives a resource on the other control planes: Kuma's
    /// `HashedName(MESH, NAME, VALUE...)`. The MeshService `redis` of zone `east` is stored on
    /// global as `hashed-name default redis east` (values: the zone, then the Kubernetes
    /// namespace when it has one); a global-scoped resource has an empty MESH ("").
    HashedName(HashedNameArgs),
}

#[derive(clap::Args)]
struct HashedNameArgs {
    /// The resource's mesh ("" for a global-scoped resource such as a HostnameGenerator).
    mesh: String,
    /// The resource's name on the control plane it was written to.
    name: String,
    /// The values Kuma adds to the hash: the zone, then the namespace, as KDS syncs it.
    values: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum RunMode {
    /// A global and the zones of --zones in this process.
    All,
    /// Only a global control plane.
    Global,
    /// Only one zone (--zone); federated when --global-address is given.
    Zone,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Output {
    /// Human-readable lines.
    Text,
    /// One JSON object on one line of stdout.
    Json,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Zones to run next to the global (mode all), e.g. `east,west`; zone i listens on port+1+i.
    #[arg(long, value_delimiter = ',')]
    zones: Vec<String>,
    /// What to run in this process.
    #[arg(long, value_enum, default_value = "all")]
    mode: RunMode,
    /// Zone name (mode zone).
    #[arg(long)]
    zone: Option<String>,
    /// Global API URL to federate with (mode zone).
    #[arg(long)]
    global_address: Option<String>,
    /// The zone's token from the global (`POST /tokens/zone`) or the global's admin token (mode
    /// zone; defaults to this process's admin token).
    #[arg(long, env = "KUMA_LOCAL_GLOBAL_TOKEN")]
    global_token: Option<String>,
    /// CA certificate (PEM) to trust for an HTTPS global (mode zone).
    #[arg(long)]
    global_ca_cert: Option<PathBuf>,
    /// Base API port (global 5681, zones 5682, 5683, ...); 0 picks free ports.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Address to listen on. Anything but loopback exposes the API to the network.
    #[arg(long, default_value = "127.0.0.1")]
    listen: IpAddr,
    /// Persist to SQLite in this directory (memory only without it).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Serve HTTPS with a generated self-signed certificate.
    #[arg(long)]
    tls: bool,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Private key (PEM) for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Admin token to use instead of a generated one.
    #[arg(long, env = "KUMA_LOCAL_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Direct requests from loopback act as admin, whatever token they carry (Kuma's
    /// `localhostIsAdmin`: a loopback peer and Host, no Forwarded/X-Forwarded-For/X-Real-IP, no
    /// cross-site Sec-Fetch-Site or foreign Origin); never on the KDS sync calls, which take a
    /// zone token or the admin token.
    #[arg(long)]
    allow_anonymous_localhost: bool,
    /// Fraction (0..1) of API requests answered with 503.
    #[arg(long, default_value_t = 0.0)]
    chaos_error_rate: f64,
    /// Delay added to every API request, e.g. `50ms`, `1s`.
    #[arg(long, value_parser = parse_duration)]
    chaos_latency: Option<Duration>,
    /// Fraction (0..1) of connections closed right after accept.
    #[arg(long, default_value_t = 0.0)]
    chaos_drop_rate: f64,
    /// Test hook: while this file exists, every store write fails as if the disk were full.
    #[arg(long)]
    chaos_store_full_file: Option<PathBuf>,
    /// Kuma release whose rules apply and that `GET /` reports: `3.0` (default), `2.9` to `2.14`
    /// (patch versions like `2.14.3` accepted), or `2.x` for the newest 2.x.
    #[arg(long, default_value = "3.0", value_parser = parse_version)]
    kuma_version: KumaVersion,
    /// VIP range of MeshServices on zones (Kuma's `ipam.meshService.cidr`).
    #[arg(
        long,
        env = "KUMA_IPAM_MESH_SERVICE_CIDR",
        default_value_t = kuma_mzs_core::defaults::MESH_SERVICE_CIDR.to_string()
    )]
    ipam_mesh_service_cidr: String,
    /// VIP range of MeshMultiZoneServices on zones (Kuma's `ipam.meshMultiZoneService.cidr`).
    #[arg(
        long,
        env = "KUMA_IPAM_MESH_MULTI_ZONE_SERVICE_CIDR",
        default_value_t = kuma_mzs_core::defaults::MESH_MULTI_ZONE_SERVICE_CIDR.to_string()
    )]
    ipam_mesh_multi_zone_service_cidr: String,
    /// Do not run the zones' status engines (no status, VIPs or hostnames), like upstream's API
    /// test server.
    #[arg(long)]
    no_status_engine: bool,
    /// How to print the addresses and token.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    /// Log filter (tracing `EnvFilter` syntax; `RUST_LOG` wins when set).
    #[arg(long, default_value = "info")]
    log_level: String,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Bounds on connections and requests (slow, idle or oversized clients).
#[derive(clap::Args)]
struct LimitArgs {
    /// Time a client has to send a request's line and headers (and finish a TLS handshake).
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    header_read_timeout: Duration,
    /// Close a connection with no request in flight after this long.
    #[arg(long, value_parser = parse_duration, default_value = "90s")]
    idle_timeout: Duration,
    /// Open API connections of the process (all APIs together), lowered to fit the file limit;
    /// at the cap the connection idle the longest is closed to make room.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Largest resource PUT body in bytes (larger ones get Kuma's 413 body, at once when the
    /// request declares a larger Content-Length).
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_request_body: usize,
    /// Time a client has to send a resource request's body once its headers arrived (408
    /// after it).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    body_read_timeout: Duration,
    /// Deletes each store remembers for zones that are behind (older ones are pruned; a zone
    /// further behind is sent a full snapshot).
    #[arg(long, default_value_t = Limits::default().max_tombstones)]
    max_tombstones: usize,
}

impl LimitArgs {
    fn limits(&self) -> Result<Limits, String> {
        if self.header_read_timeout.is_zero()
            || self.idle_timeout.is_zero()
            || self.body_read_timeout.is_zero()
        {
            return Err(
                "--header-read-timeout, --body-read-timeout and --idle-timeout must be above 0"
                    .to_owned(),
            );
        }
        if self.max_connections == 0 || self.max_request_body == 0 {
            return Err("--max-connections and --max-request-body must be above 0".to_owned());
        }
        Ok(Limits {
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
            max_connections: self.max_connections,
            max_body_bytes: self.max_request_body,
            body_read_timeout: self.body_read_timeout,
            max_tombstones: self.max_tombstones,
        })
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "ms"), |i| s.split_at(i));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 50ms or 1s"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "us" => value / 1_000_000.0,
        _ => return Err(format!("{s:?}: unit must be us, ms or s")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| e.to_string())
}

fn parse_version(s: &str) -> Result<KumaVersion, String> {
    s.parse::<KumaVersion>().map_err(|e| e.to_string())
}

fn rate(name: &str, value: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("--{name} must be between 0 and 1, got {value}"))
    }
}

fn config(args: &RunArgs) -> Result<Config, String> {
    let topology = match args.mode {
        RunMode::All => Topology::All {
            zones: args.zones.clone(),
        },
        RunMode::Global => Topology::Global,
        RunMode::Zone => Topology::Zone {
            name: args.zone.clone().ok_or("--mode zone needs --zone NAME")?,
            global: args.global_address.as_ref().map(|url| RemoteGlobal {
                url: url.clone(),
                token: args.global_token.clone(),
                ca_cert: args.global_ca_cert.clone(),
            }),
        },
    };
    if args.mode != RunMode::All && !args.zones.is_empty() {
        return Err("--zones only applies to --mode all".to_owned());
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Tls::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        _ if args.tls => Tls::SelfSigned,
        _ => Tls::Off,
    };
    Ok(Config {
        topology,
        listen: args.listen,
        port: args.port,
        data_dir: args.data_dir.clone(),
        tls,
        admin_token: args.admin_token.clone(),
        allow_anonymous_localhost: args.allow_anonymous_localhost,
        chaos: Chaos {
            error_rate: rate("chaos-error-rate", args.chaos_error_rate)?,
            latency: args.chaos_latency.unwrap_or_default(),
            drop_rate: rate("chaos-drop-rate", args.chaos_drop_rate)?,
        },
        kuma_version: args.kuma_version,
        status_engine: !args.no_status_engine,
        store_fault_file: args.chaos_store_full_file.clone(),
        ipam: Ipam {
            mesh_service_cidr: parse_cidr("ipam.meshService.cidr", &args.ipam_mesh_service_cidr)
                .map_err(|e| e.to_string())?,
            mzs_cidr: parse_cidr(
                "ipam.meshMultiZoneService.cidr",
                &args.ipam_mesh_multi_zone_service_cidr,
            )
            .map_err(|e| e.to_string())?,
        },
        limits: args.limits.limits()?,
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn run(args: RunArgs) -> Result<(), String> {
    let config = config(&args)?;
    // Use the file limit the process is allowed (the connection cap is fitted below it).
    kuma_local::connections::raise_fd_limit();
    if !config.listen.is_loopback() {
        tracing::warn!(listen = %config.listen, "listening beyond loopback: the API is reachable from the network");
    }
    let running = kuma_local::start(config).await.map_err(|e| e.to_string())?;
    let info = &running.info;
    match args.output {
        Output::Json => {
            println!(
                "{}",
                serde_json::to_string(info).map_err(|e| e.to_string())?
            );
        }
        Output::Text => {
            if let Some(global) = &info.global {
                println!("global  {global}");
            }
            for (zone, url) in &info.zones {
                println!("zone    {zone}  {url}");
            }
            println!("admin token  {}", info.admin_token);
            if let Some(cert) = &info.tls_cert_file {
                println!("tls cert     {cert}");
            }
            if let Some(dir) = &info.data_dir {
                println!("data dir     {dir}");
            }
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Run(args) => *args,
        Command::HashedName(args) => {
            let values: Vec<&str> = args.values.iter().map(String::as_str).collect();
            println!(
                "{}",
                kuma_mzs_core::api::hashed_name(&args.mesh, &args.name, &values)
            );
            return ExitCode::SUCCESS;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&args.log_level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kuma-local: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(args));
    // A zone's HTTP long-poll to global may still be in flight on a blocking thread.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kuma-local: {e}");
            ExitCode::FAILURE
        }
    }
}
