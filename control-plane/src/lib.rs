//! `kuma-local`: a local Kuma-API-compatible control plane (global + zones) for
//! MeshMultiZoneService work.
//!
//! Every Kuma rule (validation layers, labels, errors, names, status) comes from
//! `kuma_mzs_core`; this crate only does HTTP ([`http`]), storage ([`store`]), federation
//! ([`sync`]), process topology ([`server`]) and TLS ([`tls`]).
//!
//! Tests run everything in-process: `server::start(Config { port: 0, .. })` binds ephemeral
//! ports and returns the addresses; [`app`] is the router of one control plane.

mod authn;
pub mod connections;
pub mod cp;
pub mod http;
pub mod private_files;
mod request_path;
pub mod server;
mod status_engine;
pub mod store;
pub mod sync;
pub mod tls;
pub mod zone_token;

pub use http::app;
pub use server::{serve, start, Config, Info, Running, Tls, Topology};

/// Resolves once the shutdown flag turns true (or its sender is gone).
pub(crate) async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}
