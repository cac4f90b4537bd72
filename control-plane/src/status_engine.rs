//! A zone's status engine: a thread that feeds store changes to the core's engines and stores
//! the statuses they compute, retrying failed writes and reconciling periodically.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuma_mzs_core::mesh_service_status::MeshServiceEngine;
use kuma_mzs_core::preview::{Change, MzsStatusEngine, PreviewOptions, ResourceKey};
use kuma_mzs_core::ResourceType;
use tokio::sync::watch;

use crate::cp::{Component, ControlPlane};
use crate::store::{BatchOp, ChangeRecord, Store};

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
    mzs: MzsStatusEngine,
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
                    // The engines order HostnameGenerators and services by creation time, as
                    // Kuma does; the store keeps it beside the resource.
                    let mut resource = stored.resource.clone();
                    resource.meta.creation_time = Some(stored.creation_time.clone());
                    changes.push(Change::Upsert(resource));
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

    /// Everything stored plus a delete for each resource the engines know that is gone, for
    /// when the change feed no longer holds every delete after `seen` (tombstones pruned).
    fn resync(&self, store: &Store) -> (u64, Vec<ChangeRecord>) {
        let (current, all) = store.snapshot();
        let present: BTreeSet<ResourceKey> = all.iter().map(|s| s.key()).collect();
        let mut records: Vec<ChangeRecord> = self
            .generations
            .keys()
            .filter(|key| !present.contains(*key))
            .map(|key| ChangeRecord::Delete(key.clone()))
            .collect();
        records.extend(all.into_iter().map(ChangeRecord::Upsert));
        (current, records)
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
/// core's [`MzsStatusEngine`] (MeshMultiZoneService status) and [`MeshServiceEngine`] (MeshService
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
                mzs: MzsStatusEngine::new(&zone, options),
                generations: HashMap::new(),
                unwritten: BTreeSet::new(),
            };
            let mut revisions = cp.store.subscribe();
            let mut seen = 0u64;
            let mut next_reconcile = Instant::now() + STATUS_RECONCILE_EVERY;
            let mut retry = STATUS_RETRY_MIN;
            let mut reconciles = 0u32;
            loop {
                let (current, records) = match cp.store.changes_since(seen) {
                    Ok(changes) => changes,
                    Err(_) => engines.resync(&cp.store),
                };
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
                        cp.set_mzs_vip_cursor(engines.mzs.vip_cursor());
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
