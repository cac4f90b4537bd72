//! One control plane (global or zone): its store, bootstrap defaults, and the zone's status
//! engine (the core's `ZoneEngine`, fed by store changes as they happen).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kuma_mzs_core::api::{self, Mode};
use kuma_mzs_core::kds;
use kuma_mzs_core::mesh_service_status::MeshServiceEngine;
use kuma_mzs_core::preview::{Change, PreviewOptions, ResourceKey, ZoneEngine};
use kuma_mzs_core::{KumaVersion, Resource, ResourceType};
use tokio::sync::watch;

use crate::store::{BatchOp, ChangeRecord, Expect, StatusWrite, Store, StoreError};

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
            ready: AtomicBool::new(ready),
            failing: Mutex::new(BTreeMap::new()),
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

/// How often each zone's status engine re-checks every stored status against what its engines
/// computed (Kuma recomputes every 5 s; here changes are handled as they happen and this pass
/// only heals a status that was lost, e.g. a failed write).
pub const STATUS_RECONCILE_EVERY: Duration = Duration::from_secs(3);
/// Every this many reconcile passes, stored statuses are also compared value by value (the
/// other passes only look for missing ones, which costs no serialisation).
const FULL_RECONCILE_EVERY: u32 = 10;
/// How soon a failed status write is tried again (doubling up to [`STATUS_RECONCILE_EVERY`]).
const STATUS_RETRY_MIN: Duration = Duration::from_millis(100);

/// The zone's status engines and what they know of the store.
struct StatusEngines {
    services: MeshServiceEngine,
    mzs: ZoneEngine,
    /// Generation of every resource the engines were given, to tell a re-created resource (new
    /// generation, maybe the same content) from an update.
    generations: HashMap<ResourceKey, u64>,
    /// Statuses computed but not yet stored (a write failed).
    unwritten: BTreeSet<ResourceKey>,
}

impl StatusEngines {
    /// Feed the store's changes to the engines; returns the keys whose status may have changed.
    fn apply(&mut self, records: Vec<ChangeRecord>, seen: u64) -> BTreeSet<ResourceKey> {
        let mut changes: Vec<Change> = Vec::new();
        for record in records {
            match record {
                ChangeRecord::Upsert(stored) => {
                    let key = stored.key();
                    let previous = self.generations.insert(key.clone(), stored.generation);
                    let recreated = previous.is_some_and(|g| g != stored.generation);
                    if recreated {
                        // Deleted and created again between two reads of the change feed: the
                        // engines drop the old resource, so the new one is computed afresh.
                        changes.push(Change::Remove(key));
                    } else if stored.content_revision <= seen {
                        continue;
                    }
                    changes.push(Change::Upsert(stored.resource.clone()));
                }
                ChangeRecord::Delete(key) => {
                    self.generations.remove(&key);
                    changes.push(Change::Remove(key));
                }
            }
        }
        // One batch each, so VIPs already stored (after a restart) are kept before any new one
        // is handed out, and an MZS matched by many changed MeshServices is evaluated once.
        let mut touched: BTreeSet<ResourceKey> =
            self.services.apply_all(&changes).into_iter().collect();
        touched.extend(
            self.mzs
                .apply_all(changes)
                .into_iter()
                .filter(|key| key.resource_type == ResourceType::MeshMultiZoneService),
        );
        touched
    }

    /// The status the engines computed for `key`, as stored JSON.
    fn status(&self, key: &ResourceKey) -> Option<serde_json::Value> {
        match key.resource_type {
            ResourceType::MeshMultiZoneService => {
                serde_json::to_value(self.mzs.status(&key.mesh, &key.name)?).ok()
            }
            ResourceType::MeshService => {
                serde_json::to_value(self.services.status(&key.mesh, &key.name)?).ok()
            }
            _ => None,
        }
    }

    /// Stored statuses that need writing: every MeshService or MZS stored without a status the
    /// engines computed (cheap: nothing is serialised), and with `compare` also every stored
    /// status that differs from the computed one. Resources changed after revision `current`
    /// are left for the next round.
    fn drifted(&self, store: &Store, current: u64, compare: bool) -> BTreeSet<ResourceKey> {
        let mut drifted = BTreeSet::new();
        for resource_type in [
            ResourceType::MeshService,
            ResourceType::MeshMultiZoneService,
        ] {
            for stored in store.all_of(resource_type, None) {
                if stored.revision > current {
                    continue;
                }
                let key = stored.key();
                let differs = match &stored.resource.status {
                    None => self.has_status(&key),
                    Some(stored_status) if compare => self
                        .status(&key)
                        .is_some_and(|status| *stored_status != status),
                    Some(_) => false,
                };
                if differs {
                    drifted.insert(key);
                }
            }
        }
        drifted
    }

    fn has_status(&self, key: &ResourceKey) -> bool {
        match key.resource_type {
            ResourceType::MeshMultiZoneService => self.mzs.status(&key.mesh, &key.name).is_some(),
            ResourceType::MeshService => self.services.status(&key.mesh, &key.name).is_some(),
            _ => false,
        }
    }
}

/// Run the zone's status engine until `shutdown` turns true: every store change is fed to the
/// core's [`ZoneEngine`] (MeshMultiZoneService status) and [`MeshServiceEngine`] (MeshService
/// VIPs and hostnames), and each status that changed is written back (event-driven: a change is
/// reflected as soon as the engines have processed it; changes that arrive while the engines
/// work are handled together in the next round). Status writes are not content changes, so they
/// are neither fed back nor synced. A failed write is retried with backoff, and every
/// [`STATUS_RECONCILE_EVERY`] stored statuses are compared with the computed ones, so a lost
/// status heals within seconds. Failures show in `/ready`.
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
            let mut engines = StatusEngines {
                services: MeshServiceEngine::new(&zone, &options),
                mzs: ZoneEngine::new(&zone, options),
                generations: HashMap::new(),
                unwritten: BTreeSet::new(),
            };
            let mut revisions = cp.store.subscribe();
            let mut seen = 0u64;
            let mut next_reconcile = Instant::now() + STATUS_RECONCILE_EVERY;
            let mut retry = STATUS_RETRY_MIN;
            let mut reconciles = 0u32;
            loop {
                let (current, records) = cp.store.changes_since(seen);
                let mut touched = engines.apply(records, seen);
                seen = current;
                if Instant::now() >= next_reconcile {
                    reconciles = reconciles.wrapping_add(1);
                    let compare = reconciles % FULL_RECONCILE_EVERY == 0;
                    touched.extend(engines.drifted(&cp.store, current, compare));
                    next_reconcile = Instant::now() + STATUS_RECONCILE_EVERY;
                }
                touched.append(&mut engines.unwritten);
                let updates: Vec<BatchOp> = touched
                    .iter()
                    .filter_map(|key| Some(BatchOp::Status(key.clone(), engines.status(key)?)))
                    .collect();
                // One transaction for every status this round produced.
                let wait = match cp.store.apply_batch(updates) {
                    Ok(_) => {
                        cp.report_ok(Component::Status);
                        retry = STATUS_RETRY_MIN;
                        next_reconcile.saturating_duration_since(Instant::now())
                    }
                    Err(e) => {
                        tracing::error!(zone = %zone, error = %e, "could not write status, retrying");
                        cp.report_failure(Component::Status, format!("could not write status: {e}"));
                        engines.unwritten = touched;
                        let wait = retry;
                        retry = (retry * 2).min(STATUS_RECONCILE_EVERY);
                        wait
                    }
                };
                let stop = handle.block_on(async {
                    tokio::select! {
                        r = revisions.changed() => r.is_err(),
                        _ = tokio::time::sleep(wait) => false,
                        _ = crate::stopped(&mut shutdown) => true,
                    }
                });
                if stop || *shutdown.borrow() {
                    break;
                }
            }
            tracing::debug!(zone = %zone, "status engine stopped");
        })
}

/// Whether a resource on a zone came from global (the rule is [`kuma_mzs_core::kds`]'s).
pub fn is_from_global(resource: &Resource) -> bool {
    kds::is_from_global(resource)
}
