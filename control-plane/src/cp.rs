//! One control plane (global or zone): its store, bootstrap defaults and readiness (the zone's
//! status engine is in [`crate::status_engine`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use kuma_mzs_core::api::{self, Mode};
use kuma_mzs_core::kds;
use kuma_mzs_core::preview::PreviewOptions;
use kuma_mzs_core::{KumaVersion, Resource};
use tokio::sync::watch;

pub use crate::status_engine::{spawn_status_engine, STATUS_RECONCILE_EVERY};
use crate::store::{Expect, StatusWrite, Store, StoreError};

/// A part of a control plane whose failures make it not ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    /// Zone: receiving and storing resources from global.
    Pull,
    /// Zone: sending its MeshServices to global.
    Push,
    /// Zone: storing computed status.
    Status,
}

impl Component {
    fn describe(self) -> &'static str {
        match self {
            Component::Pull => "sync from global",
            Component::Push => "sync to global",
            Component::Status => "status engine",
        }
    }
}

/// How many failures in a row make a component fail `/ready` (one transient error does not).
pub const FAILURES_BEFORE_NOT_READY: u32 = 3;

#[derive(Debug)]
struct Failing {
    since: Instant,
    count: u32,
    error: String,
}

/// The VIP ranges of a zone (Kuma's `ipam.meshService.cidr` and
/// `ipam.meshMultiZoneService.cidr`; defaults `241.0.0.0/8` and `243.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipam {
    /// MeshService VIPs.
    pub mesh_service_cidr: ipnet::Ipv4Net,
    /// MeshMultiZoneService VIPs.
    pub mzs_cidr: ipnet::Ipv4Net,
}

impl Default for Ipam {
    fn default() -> Self {
        let defaults = PreviewOptions::default();
        Self {
            mesh_service_cidr: defaults.mesh_service_cidr,
            mzs_cidr: defaults.mzs_cidr,
        }
    }
}

/// Chaos settings for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Chaos {
    /// Fraction of API requests answered with 503.
    pub error_rate: f64,
    /// Delay added to every API request.
    pub latency: std::time::Duration,
    /// Fraction of accepted connections closed without an answer.
    pub drop_rate: f64,
}

/// Authentication settings shared by every API of the process.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The admin user token (`Authorization: Bearer <token>`).
    pub admin_token: String,
    /// Direct requests from loopback act as admin, whatever token they carry (Kuma's
    /// `localhostIsAdmin`; not on the KDS sync calls).
    pub allow_anonymous_localhost: bool,
}

/// One control plane.
pub struct ControlPlane {
    /// Global or zone.
    pub mode: Mode,
    /// Its resources.
    pub store: Store,
    /// Which Kuma release's rules apply.
    pub kuma_version: KumaVersion,
    /// Random instance id (index `instanceId`).
    pub instance_id: String,
    /// Cluster id (index `clusterId`).
    pub cluster_id: String,
    /// Authentication.
    pub auth: Auth,
    /// Fault injection.
    pub chaos: Chaos,
    /// Whether the API is served over TLS (for `next` links).
    pub https: bool,
    /// Where the zone's status engine draws VIPs from.
    pub ipam: Ipam,
    /// Where the zone's MZS VIP allocator stands (its cursor), once the status engine ran.
    mzs_vip_cursor: Mutex<Option<std::net::Ipv4Addr>>,
    /// Where a federated zone reaches its global (`GET /config`'s
    /// `multizone.zone.globalAddress`), set once the address is known.
    global_address: std::sync::OnceLock<String>,
    ready: AtomicBool,
    failing: Mutex<BTreeMap<Component, Failing>>,
    closing: watch::Sender<bool>,
}

impl ControlPlane {
    /// A control plane over `store`; call [`ControlPlane::bootstrap`] next.
    pub fn new(
        mode: Mode,
        store: Store,
        kuma_version: KumaVersion,
        auth: Auth,
        chaos: Chaos,
        ipam: Ipam,
        https: bool,
    ) -> Self {
        let ready = !matches!(
            mode,
            Mode::Zone {
                federated: true,
                ..
            }
        );
        Self {
            mode,
            store,
            kuma_version,
            instance_id: format!("kuma-local-{:08x}", rand::random::<u32>()),
            cluster_id: uuid_like(),
            auth,
            chaos,
            https,
            ipam,
            mzs_vip_cursor: Mutex::new(None),
            global_address: std::sync::OnceLock::new(),
            ready: AtomicBool::new(ready),
            failing: Mutex::new(BTreeMap::new()),
            closing: watch::channel(false).0,
        }
    }

    /// Record where the zone's MZS VIP allocator stands (the status engine, after each batch).
    pub fn set_mzs_vip_cursor(&self, cursor: std::net::Ipv4Addr) {
        *self
            .mzs_vip_cursor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(cursor);
    }

    /// Where the zone's MZS VIP allocator stands (`None` on global, or before the status
    /// engine's first batch). Kuma does not publish it; kuma-local does (`/_kuma-local/ipam`) so
    /// a preview can name the VIP a new MZS will get exactly (`kuma_mzs_core::zone_vip`).
    pub fn mzs_vip_cursor(&self) -> Option<std::net::Ipv4Addr> {
        *self
            .mzs_vip_cursor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Create Kuma's defaults when missing: mesh `default` (global and non-federated zones) and
    /// the default HostnameGenerators of the mode (§6.3).
    pub fn bootstrap(&self) -> Result<(), StoreError> {
        if let Some(mesh) = api::rest::default_mesh(&self.mode, self.kuma_version) {
            if !self.store.mesh_exists(&mesh.meta.name) {
                self.store.put(mesh, Expect::Absent, StatusWrite::Keep)?;
            }
        }
        for generator in api::default_hostname_generators(&self.mode) {
            let key = crate::store::key_of(&generator);
            if self.store.get(&key).is_none() {
                self.store
                    .put(generator, Expect::Absent, StatusWrite::Keep)?;
            }
        }
        Ok(())
    }

    /// Whether the control plane answers `/ready` with 200.
    pub fn is_ready(&self) -> bool {
        self.not_ready_reasons().is_empty()
    }

    /// Why `/ready` answers 503 (empty: ready): the first sync has not completed, the database
    /// does not answer, or sync or status writes failed [`FAILURES_BEFORE_NOT_READY`] times in
    /// a row.
    pub fn not_ready_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        if !self.ready.load(Ordering::Acquire) {
            reasons.push("waiting for the first complete sync from global".to_owned());
        }
        if !self.store.ping() {
            reasons.push("the database does not answer".to_owned());
        }
        let failing = self.failing.lock().unwrap_or_else(|e| e.into_inner());
        for (component, failure) in failing.iter() {
            if failure.count >= FAILURES_BEFORE_NOT_READY {
                reasons.push(format!(
                    "{} failing for {} s ({} attempts): {}",
                    component.describe(),
                    failure.since.elapsed().as_secs(),
                    failure.count,
                    failure.error
                ));
            }
        }
        reasons
    }

    /// Record a failed attempt of `component`.
    pub fn report_failure(&self, component: Component, error: String) {
        let mut failing = self.failing.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failing.entry(component).or_insert_with(|| Failing {
            since: Instant::now(),
            count: 0,
            error: String::new(),
        });
        entry.count = entry.count.saturating_add(1);
        entry.error = error;
    }

    /// Record a successful attempt of `component`.
    pub fn report_ok(&self, component: Component) {
        let mut failing = self.failing.lock().unwrap_or_else(|e| e.into_inner());
        failing.remove(&component);
    }

    /// Mark ready (a federated zone after its first full sync).
    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// Start closing: long-polls answer now so graceful shutdown does not wait for them.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when [`ControlPlane::close`] was called.
    pub async fn closed(&self) {
        let mut rx = self.closing.subscribe();
        crate::stopped(&mut rx).await;
    }

    /// Remember where this zone reaches its global (the first address set is kept).
    pub fn set_global_address(&self, address: &str) {
        let _ = self.global_address.set(address.to_owned());
    }

    /// `GET /config`: the configuration as Kuma shows it, as far as kuma-local has the setting
    /// (the core's view: mode, VIP ranges, `localhostIsAdmin`).
    pub fn config_view(&self) -> serde_json::Value {
        self.mode.config_view_with(
            self.global_address.get().map(String::as_str),
            &self.ipam.mesh_service_cidr.to_string(),
            &self.ipam.mzs_cidr.to_string(),
            self.auth.allow_anonymous_localhost,
        )
    }

    /// The zone name, if a zone.
    pub fn zone_name(&self) -> Option<&str> {
        self.mode.zone_name()
    }
}

fn uuid_like() -> String {
    let a: u128 = rand::random();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Whether a resource on a zone came from global (the rule is [`kuma_mzs_core::kds`]'s).
pub fn is_from_global(resource: &Resource) -> bool {
    kds::is_from_global(resource)
}
