//! The go-plugin side of the provider: environment checks, the listener, AutoMTLS, the one
//! handshake line on stdout, go-plugin's helper services, and shutdown.

pub mod listen;
pub mod tls;

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine;
use tfplugin_proto::health::health_server::{Health, HealthServer};
use tfplugin_proto::health::{
    health_check_response::ServingStatus, HealthCheckRequest, HealthCheckResponse,
};
use tfplugin_proto::plugin::grpc_broker_server::{GrpcBroker, GrpcBrokerServer};
use tfplugin_proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use tfplugin_proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use tfplugin_proto::plugin::{ConnInfo, Empty, StdioData};
use tfplugin_proto::tfplugin6::provider_server::ProviderServer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status, Streaming};

use self::listen::{Listener, Network, Stream};
use crate::log;
use crate::provider::KumaProvider;

/// Terraform's magic cookie (same constant since Terraform 0.12).
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Why the plugin cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Not started by Terraform.
    #[error(
        "This binary is a Terraform plugin (provider \"kuma\"). It is not meant to be run directly.\n\
         Terraform starts it by itself: add the provider to a configuration's required_providers\n\
         and run `terraform init` / `terraform plan`. See terraform-provider/docs/index.md.\n\
         (To attach a debugger, run it with --debug and export the TF_REATTACH_PROVIDERS line it prints.)"
    )]
    NotUnderTerraform,
    /// Terraform does not speak protocol 6.
    #[error(
        "This provider speaks Terraform plugin protocol 6 only (Terraform >= 1.0); this Terraform offers protocol(s) {0:?}. Upgrade Terraform."
    )]
    NoProtocol6(String),
    /// TLS.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// Listener (unix socket or loopback TCP).
    #[error(transparent)]
    Listen(#[from] listen::ListenError),
    /// gRPC server.
    #[error("gRPC server: {0}")]
    Serve(#[from] tonic::transport::Error),
}

/// How to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Started by Terraform (cookie checked, AutoMTLS when offered).
    Managed,
    /// `--debug`: plaintext, prints a `TF_REATTACH_PROVIDERS` value, serves until killed.
    Debug,
}

/// Check the environment Terraform sets up for a managed plugin.
pub fn check_environment() -> Result<(), StartError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(StartError::NotUnderTerraform);
    }
    // Older go-plugin clients do not set the list; they then mean their default, which for
    // Terraform ≥0.15 includes 6.
    if let Ok(offered) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        if !offered.split(',').any(|v| v.trim() == "6") {
            return Err(StartError::NoProtocol6(offered));
        }
    }
    Ok(())
}

/// Serve on `network` until Terraform says Shutdown (or the parent dies).
pub async fn serve(mode: Mode, network: Network) -> Result<(), StartError> {
    let listener = Listener::bind(network).await?;
    let network = listener.network().as_str();
    let address = listener.address();
    let leftovers = listener.leftovers();

    let tls = match (mode, std::env::var("PLUGIN_CLIENT_CERT")) {
        (Mode::Managed, Ok(pem)) if !pem.trim().is_empty() => Some(tls::server_tls(&pem)?),
        _ => None,
    };
    let cert_field = tls
        .as_ref()
        .map(|t| base64::engine::general_purpose::STANDARD_NO_PAD.encode(&t.cert_der))
        .unwrap_or_default();

    let (shutdown_tx, mut shutdown_rx) = mpsc::channel::<()>(1);
    let (conn_tx, conn_rx) = mpsc::channel::<std::io::Result<Conn>>(16);
    let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
    let auto_mtls = if acceptor.is_some() { "on" } else { "off" };
    tokio::spawn(accept_loop(listener, acceptor, conn_tx));

    let provider = KumaProvider::new();
    let server = tonic::transport::Server::builder()
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(256 << 20)
                .max_encoding_message_size(256 << 20),
        )
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown_tx.clone(),
            leftovers: leftovers.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio))
        .add_service(GrpcBrokerServer::new(Broker))
        .add_service(HealthServer::new(HealthCheck));

    // Only now (listener bound) tell Terraform where we are: one line, nothing else on stdout.
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match mode {
            Mode::Managed => {
                let _ = writeln!(out, "1|6|{network}|{address}|grpc|{cert_field}");
            }
            Mode::Debug => {
                let reattach = serde_json::json!({
                    crate::PROVIDER_ADDRESS: {
                        "Protocol": "grpc",
                        "ProtocolVersion": 6,
                        "Pid": std::process::id(),
                        "Test": true,
                        "Addr": {"Network": network, "String": address},
                    }
                });
                let _ = writeln!(
                    out,
                    "Provider started. To attach Terraform, set:\nTF_REATTACH_PROVIDERS='{reattach}'"
                );
            }
        }
        let _ = out.flush();
    }
    log::info(
        "plugin started",
        &[
            ("network", network),
            ("address", &address),
            ("auto_mtls", auto_mtls),
        ],
    );

    if mode == Mode::Managed {
        tokio::spawn(watch_parent());
    }
    // go-plugin servers ignore SIGINT: Terraform forwards the user's Ctrl-C as StopProvider and
    // then Shutdown. Listening for the signal replaces the default "terminate" action.
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            log::debug(
                "ignoring SIGINT; waiting for Terraform to stop the provider",
                &[],
            );
        }
    });

    let incoming = tokio_stream::wrappers::ReceiverStream::new(conn_rx);
    let result = server
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = shutdown_rx.recv().await;
        })
        .await;
    leftovers.remove();
    result.map_err(StartError::from)
}

async fn accept_loop(
    listener: Listener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    sink: mpsc::Sender<std::io::Result<Conn>>,
) {
    let network = listener.network().as_str();
    loop {
        let stream = match listener.accept().await {
            Ok(stream) => stream,
            Err(e) => {
                log::warn("accept failed", &[("error", &e.to_string())]);
                continue;
            }
        };
        let sink = sink.clone();
        match &acceptor {
            None => {
                if sink.send(Ok(Conn::Plain(stream))).await.is_err() {
                    return;
                }
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor.accept(stream).await {
                        Ok(tls) => {
                            // Says which transport Terraform's authenticated client came over
                            // (the e2e tests read it back from Terraform's log).
                            let version = tls
                                .get_ref()
                                .1
                                .protocol_version()
                                .map(|v| format!("{v:?}"))
                                .unwrap_or_default();
                            log::debug(
                                "Terraform connected with its client certificate",
                                &[("network", network), ("tls", &version)],
                            );
                            let _ = sink.send(Ok(Conn::Tls(Box::new(tls)))).await;
                        }
                        Err(e) => log::error(
                            "TLS handshake with Terraform failed",
                            &[("error", &e.to_string())],
                        ),
                    }
                });
            }
        }
    }
}

/// Exit when Terraform dies without closing us (it panicked): go-plugin children are orphaned
/// otherwise.
#[cfg(unix)]
async fn watch_parent() {
    let parent = std::os::unix::process::parent_id();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if std::os::unix::process::parent_id() != parent {
            log::warn("Terraform went away; exiting", &[]);
            std::process::exit(1);
        }
    }
}

/// Windows has no re-parenting to watch for; go-plugin relies on the client killing the child
/// there too (Terraform does, on every normal exit).
#[cfg(not(unix))]
async fn watch_parent() {}

/// One accepted connection, with or without TLS.
pub enum Conn {
    /// Plaintext (debug/reattach mode, or TF_DISABLE_PLUGIN_TLS).
    Plain(Stream),
    /// AutoMTLS.
    Tls(Box<tokio_rustls::server::TlsStream<Stream>>),
}

impl Connected for Conn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

struct Controller {
    shutdown: mpsc::Sender<()>,
    leftovers: listen::Leftovers,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        log::debug("shutdown requested by Terraform", &[]);
        let _ = self.shutdown.try_send(());
        // Graceful shutdown waits for open streams; make sure we are gone promptly anyway
        // (go-plugin kills us after 2 s and logs an error if we linger).
        let leftovers = self.leftovers.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            leftovers.remove();
            std::process::exit(0);
        });
        Ok(Response::new(Empty {}))
    }
}

struct Stdio;

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = tokio_stream::Empty<Result<StdioData, Status>>;

    async fn stream_stdio(
        &self,
        _: Request<Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        // Nothing is ever written to stdout after the handshake, so there is nothing to relay.
        Ok(Response::new(tokio_stream::empty()))
    }
}

struct Broker;

#[tonic::async_trait]
impl GrpcBroker for Broker {
    type StartStreamStream = tokio_stream::Empty<Result<ConnInfo, Status>>;

    async fn start_stream(
        &self,
        _: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        // The provider opens no extra connections (no provisioners or sub-plugins).
        Ok(Response::new(tokio_stream::empty()))
    }
}

struct HealthCheck;

#[tonic::async_trait]
impl Health for HealthCheck {
    async fn check(
        &self,
        _: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }
}
