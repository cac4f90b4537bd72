//! One control plane (global or zone): its store, bootstrap defaults, and the zone's status
//! engine (the core's `ZoneEngine`, fed by store changes as they happen).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kuma_mzs_core::api::{self, Mode};
use kuma_mzs_core::mesh_service_status::MeshServiceEngine;
use kuma_mzs_core::model::labels as label_keys;
use kuma_mzs_core::preview::{Change, PreviewOptions, ResourceKey, ZoneEngine};
use kuma_mzs_core::{KumaVersion, Resource, ResourceType};
use tokio::sync::watch;

use crate::store::{BatchOp, ChangeRecord, Expect, StatusWrite, Store, StoreError};

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
    /// Requests without a token from loopback act as admin.
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
    ready: AtomicBool,
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
            ready: AtomicBool::new(ready),
            closing: watch::channel(false).0,
        }
    }

    /// Create Kuma's defaults when missing: mesh `default` (global and non-federated zones) and
    /// the default HostnameGenerators of the mode (§6.3).
    pub fn bootstrap(&self) -> Result<(), StoreError> {
        if let Some(mesh) = api::rest::default_mesh(&self.mode) {
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
        self.ready.load(Ordering::Acquire) && self.store.ping()
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

/// Run the zone's status engine until `shutdown` turns true: every store change is fed to the
/// core's [`ZoneEngine`] (MeshMultiZoneService status) and [`MeshServiceEngine`] (MeshService
/// VIPs and hostnames), and each status that changed is written back (event-driven: a change is
/// reflected as soon as the engines have processed it). Status writes are not content changes,
/// so they are neither fed back nor synced.
pub fn spawn_status_engine(
    cp: Arc<ControlPlane>,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let handle = tokio::runtime::Handle::current();
    let zone = cp.zone_name().unwrap_or("").to_owned();
    std::thread::Builder::new()
        .name(format!("status-{zone}"))
        .spawn(move || {
            let options = PreviewOptions {
                kuma_version: cp.kuma_version,
                default_hostname_generators: false,
                mzs_cidr: cp.ipam.mzs_cidr,
                mesh_service_cidr: cp.ipam.mesh_service_cidr,
                ..PreviewOptions::default()
            };
            let mut services = MeshServiceEngine::new(&zone, &options);
            let mut engine = ZoneEngine::new(&zone, options);
            let mut revisions = cp.store.subscribe();
            let mut seen = 0u64;
            loop {
                let (current, records) = cp.store.changes_since(seen);
                let changes: Vec<Change> = records
                    .into_iter()
                    .filter_map(|record| match record {
                        ChangeRecord::Upsert(stored) if stored.content_revision > seen => {
                            Some(Change::Upsert(stored.resource.clone()))
                        }
                        ChangeRecord::Upsert(_) => None,
                        ChangeRecord::Delete(key) => Some(Change::Remove(key)),
                    })
                    .collect();
                // One batch, so VIPs already stored (after a restart) are kept before any new
                // one is handed out.
                let service_changes = services.apply_all(&changes);
                let mut touched: BTreeSet<ResourceKey> = BTreeSet::new();
                for change in changes {
                    touched.extend(engine.apply(change));
                }
                seen = current;
                let mzs_updates = touched
                    .into_iter()
                    .filter(|key| key.resource_type == ResourceType::MeshMultiZoneService)
                    .filter_map(|key| {
                        let status = engine.status(&key.mesh, &key.name)?;
                        let value = serde_json::to_value(status).ok()?;
                        Some(BatchOp::Status(key, value))
                    });
                let service_updates = service_changes.into_iter().filter_map(|key| {
                    let status = services.status(&key.mesh, &key.name)?;
                    let value = serde_json::to_value(status).ok()?;
                    Some(BatchOp::Status(key, value))
                });
                let updates: Vec<BatchOp> = mzs_updates.chain(service_updates).collect();
                // One transaction for every status this round of changes produced.
                if let Err(e) = cp.store.apply_batch(updates) {
                    tracing::error!(zone = %zone, error = %e, "could not write status");
                }
                let stop = handle.block_on(async {
                    tokio::select! {
                        r = revisions.changed() => r.is_err(),
                        _ = crate::stopped(&mut shutdown) => true,
                    }
                });
                if stop {
                    break;
                }
            }
            tracing::debug!(zone = %zone, "status engine stopped");
        })
}

/// Whether a resource on a zone came from global.
pub fn is_from_global(resource: &Resource) -> bool {
    resource
        .meta
        .labels
        .get(label_keys::ORIGIN)
        .map(String::as_str)
        == Some("global")
}
