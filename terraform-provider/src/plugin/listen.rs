//! Where the plugin listens: a unix socket (go-plugin's choice on Linux and macOS) or loopback
//! TCP (go-plugin's choice on Windows, and for systems or tests that want it).
//!
//! go-plugin servers pick TCP on Windows and try ports `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` on
//! 127.0.0.1 in order, taking the first that binds; with neither variable set the range is
//! `0..=0`, i.e. a port the OS chooses. We do the same, so the port lands where an operator's
//! firewall rules for Terraform plugins expect it. (go-plugin ≥1.6 on Windows 10 1803+ uses an
//! AF_UNIX socket instead; every Terraform client also dials TCP, so TCP is the choice that works
//! with Terraform 1.0.3 as well as today's.)

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};

/// Environment variable that chooses the transport: `tcp` or `unix`.
pub const NETWORK_ENV: &str = "KUMA_PLUGIN_NETWORK";

/// Why no listener could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// `KUMA_PLUGIN_NETWORK` names something else.
    #[error("{NETWORK_ENV}={0:?} is not a plugin transport; use \"tcp\" or \"unix\"")]
    UnknownNetwork(String),
    /// Unix sockets asked for where this build has none.
    #[error("{NETWORK_ENV}=unix is not available on this operating system; use \"tcp\"")]
    UnixUnavailable,
    /// A port variable is not a port number.
    #[error("{name}={value:?} is not a port number (0-65535)")]
    BadPort {
        /// `PLUGIN_MIN_PORT` or `PLUGIN_MAX_PORT`.
        name: &'static str,
        /// What it holds.
        value: String,
    },
    /// The range is empty.
    #[error("PLUGIN_MIN_PORT value of {min} is greater than PLUGIN_MAX_PORT value of {max}")]
    EmptyRange {
        /// Lower end.
        min: u16,
        /// Upper end.
        max: u16,
    },
    /// Every port of the range is taken.
    #[error("could not bind a plugin TCP listener on 127.0.0.1 ports {min}-{max}: {source}")]
    NoFreePort {
        /// Lower end.
        min: u16,
        /// Upper end.
        max: u16,
        /// The last port's error.
        source: io::Error,
    },
    /// The unix socket could not be created.
    #[cfg(unix)]
    #[error("could not listen on the plugin socket {path}: {source}")]
    Socket {
        /// Socket path.
        path: PathBuf,
        /// Cause.
        source: io::Error,
    },
}

/// The transport, as go-plugin names it in the handshake line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// A unix domain socket in a private temporary directory.
    Unix,
    /// Loopback TCP.
    Tcp,
}

impl Network {
    /// The handshake's NETWORK field.
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Unix => "unix",
            Network::Tcp => "tcp",
        }
    }

    /// This platform's default (go-plugin's): TCP on Windows, a unix socket elsewhere.
    pub fn platform_default() -> Network {
        if cfg!(windows) {
            Network::Tcp
        } else {
            Network::Unix
        }
    }

    /// `--tcp` wins, then `KUMA_PLUGIN_NETWORK`, then the platform default.
    pub fn choose(force_tcp: bool, env_value: Option<&str>) -> Result<Network, ListenError> {
        if force_tcp {
            return Ok(Network::Tcp);
        }
        match env_value.map(str::trim) {
            None | Some("") => Ok(Network::platform_default()),
            Some(v) if v.eq_ignore_ascii_case("tcp") => Ok(Network::Tcp),
            Some(v) if v.eq_ignore_ascii_case("unix") => {
                if cfg!(unix) {
                    Ok(Network::Unix)
                } else {
                    Err(ListenError::UnixUnavailable)
                }
            }
            Some(other) => Err(ListenError::UnknownNetwork(other.to_owned())),
        }
    }
}

/// The port range go-plugin reads from `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` (each absent → 0).
pub fn port_range(min: Option<&str>, max: Option<&str>) -> Result<(u16, u16), ListenError> {
    fn parse(name: &'static str, value: Option<&str>) -> Result<u16, ListenError> {
        match value.map(str::trim) {
            None | Some("") => Ok(0),
            Some(v) => v.parse().map_err(|_| ListenError::BadPort {
                name,
                value: v.to_owned(),
            }),
        }
    }
    let min = parse("PLUGIN_MIN_PORT", min)?;
    let max = parse("PLUGIN_MAX_PORT", max)?;
    if min > max {
        return Err(ListenError::EmptyRange { min, max });
    }
    Ok((min, max))
}

/// A bound listener.
pub enum Listener {
    /// Loopback TCP.
    Tcp(TcpListener),
    /// Unix socket in a private directory (see [`Listener::leftovers`]).
    #[cfg(unix)]
    Unix {
        /// The listener.
        listener: UnixListener,
        /// Socket path.
        path: PathBuf,
        /// Its private directory.
        dir: PathBuf,
    },
}

impl Listener {
    /// Bind the chosen transport.
    pub async fn bind(network: Network) -> Result<Listener, ListenError> {
        match network {
            Network::Tcp => {
                let (min, max) = port_range(
                    std::env::var("PLUGIN_MIN_PORT").ok().as_deref(),
                    std::env::var("PLUGIN_MAX_PORT").ok().as_deref(),
                )?;
                bind_tcp(min, max).await.map(Listener::Tcp)
            }
            Network::Unix => bind_unix(),
        }
    }

    /// The handshake's NETWORK field.
    pub fn network(&self) -> Network {
        match self {
            Listener::Tcp(_) => Network::Tcp,
            #[cfg(unix)]
            Listener::Unix { .. } => Network::Unix,
        }
    }

    /// The handshake's ADDRESS field (`127.0.0.1:port` or the socket path).
    pub fn address(&self) -> String {
        match self {
            Listener::Tcp(l) => l
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| "127.0.0.1:0".to_owned()),
            #[cfg(unix)]
            Listener::Unix { path, .. } => path.display().to_string(),
        }
    }

    /// What to remove when the plugin exits.
    pub fn leftovers(&self) -> Leftovers {
        match self {
            Listener::Tcp(_) => Leftovers::default(),
            #[cfg(unix)]
            Listener::Unix { path, dir, .. } => Leftovers(vec![path.clone(), dir.clone()]),
        }
    }

    /// The next connection. TCP connections get TCP_NODELAY: without it every gRPC round trip
    /// waits ~40 ms for Nagle and delayed ACKs.
    pub async fn accept(&self) -> io::Result<Stream> {
        match self {
            Listener::Tcp(l) => {
                let (stream, _) = l.accept().await?;
                stream.set_nodelay(true)?;
                Ok(Stream::Tcp(stream))
            }
            #[cfg(unix)]
            Listener::Unix { listener, .. } => {
                let (stream, _) = listener.accept().await?;
                Ok(Stream::Unix(stream))
            }
        }
    }
}

/// Files a listener leaves behind (the unix socket and its directory), removed by
/// [`Leftovers::remove`]. Not a `Drop`: the plugin leaves through `process::exit` after
/// Shutdown, which runs no destructors.
#[derive(Debug, Clone, Default)]
pub struct Leftovers(Vec<PathBuf>);

impl Leftovers {
    /// Remove them (files first, then directories; errors ignored: best effort at exit).
    pub fn remove(&self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path).or_else(|_| std::fs::remove_dir(path));
        }
    }
}

async fn bind_tcp(min: u16, max: u16) -> Result<TcpListener, ListenError> {
    let mut last = io::Error::new(io::ErrorKind::AddrInUse, "no port tried");
    for port in min..=max {
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last = e,
        }
    }
    Err(ListenError::NoFreePort {
        min,
        max,
        source: last,
    })
}

#[cfg(unix)]
fn bind_unix() -> Result<Listener, ListenError> {
    let base = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!(
        "tfkuma-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ));
    let path = dir.join("plugin.sock");
    let listener = std::fs::create_dir_all(&dir)
        .and_then(|()| UnixListener::bind(&path))
        .map_err(|source| ListenError::Socket {
            path: path.clone(),
            source,
        })?;
    Ok(Listener::Unix {
        listener,
        path,
        dir,
    })
}

#[cfg(not(unix))]
fn bind_unix() -> Result<Listener, ListenError> {
    Err(ListenError::UnixUnavailable)
}

/// One accepted byte stream.
pub enum Stream {
    /// Loopback TCP.
    Tcp(TcpStream),
    /// Unix socket.
    #[cfg(unix)]
    Unix(UnixStream),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_can_be_forced_by_flag_or_environment() {
        assert_eq!(Network::choose(true, Some("unix")).ok(), Some(Network::Tcp));
        assert_eq!(Network::choose(false, Some("tcp")).ok(), Some(Network::Tcp));
        assert_eq!(
            Network::choose(false, Some(" TCP ")).ok(),
            Some(Network::Tcp)
        );
        assert_eq!(
            Network::choose(false, None).ok(),
            Some(Network::platform_default())
        );
        assert_eq!(
            Network::choose(false, Some("")).ok(),
            Some(Network::platform_default())
        );
    }

    #[test]
    fn the_default_follows_go_plugin() {
        let expected = if cfg!(windows) { "tcp" } else { "unix" };
        assert_eq!(Network::platform_default().as_str(), expected);
    }

    #[test]
    fn an_unknown_transport_is_named_in_the_error() {
        let err = Network::choose(false, Some("quic"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("KUMA_PLUGIN_NETWORK=\"quic\" is not a plugin transport; use \"tcp\" or \"unix\"")
        );
    }

    #[test]
    fn port_range_reads_like_go_plugin() {
        assert_eq!(port_range(None, None).ok(), Some((0, 0)));
        assert_eq!(
            port_range(Some("10000"), Some("25000")).ok(),
            Some((10000, 25000))
        );
        assert_eq!(port_range(None, Some("25000")).ok(), Some((0, 25000)));
        let reversed = port_range(Some("9"), Some("8"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            reversed.as_deref(),
            Some("PLUGIN_MIN_PORT value of 9 is greater than PLUGIN_MAX_PORT value of 8")
        );
        let bad = port_range(Some("ten"), None).err().map(|e| e.to_string());
        assert_eq!(
            bad.as_deref(),
            Some("PLUGIN_MIN_PORT=\"ten\" is not a port number (0-65535)")
        );
    }

    #[tokio::test]
    async fn tcp_takes_the_first_free_port_of_the_range() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await;
        let Ok(taken) = taken else { return };
        let Ok(port) = taken.local_addr().map(|a| a.port()) else {
            return;
        };
        if port == u16::MAX {
            return;
        }
        // The first port is busy, so the listener moves on to the next free one.
        match bind_tcp(port, port.saturating_add(50)).await {
            Ok(listener) => {
                let got = listener.local_addr().map(|a| a.port()).unwrap_or(0);
                assert!(got > port && got <= port + 50, "{got} not after {port}");
            }
            Err(e) => panic!("no port bound: {e}"),
        }
        match bind_tcp(port, port).await {
            Err(ListenError::NoFreePort { min, max, .. }) => assert_eq!((min, max), (port, port)),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("bound a port that is taken"),
        }
    }
}
