//! A zone's pull and push loops: cursors that move only after a stored batch, retries with
//! backoff, failures reported to `/ready`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kuma_mzs_core::preview::ResourceKey;
use tokio::sync::watch;

use super::{GlobalLink, PushBatch, SyncError};
use crate::cp::{Component, ControlPlane};

/// What a zone keeps between the pages of a full snapshot from global.
#[derive(Debug, Default)]
struct Snapshot {
    /// Epoch of the snapshot's first page.
    epoch: String,
    /// Revision of its first page (where incremental pulls continue).
    revision: u64,
    /// Cursor of the next page.
    next: Option<String>,
    /// Zone keys of every synced resource of the snapshot so far.
    seen: BTreeSet<ResourceKey>,
}

/// First wait after a failed sync call or apply.
pub const BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest wait between retries (the wait doubles after each failure).
pub const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// How often a zone re-checks global's epoch when nothing changes locally.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// Run a zone's two sync loops until `shutdown` turns true.
pub fn spawn_zone_sync(
    zone: Arc<ControlPlane>,
    link: GlobalLink,
    shutdown: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let pull = tokio::spawn(pull_loop(zone.clone(), link.clone(), shutdown.clone()));
    let push = tokio::spawn(push_loop(zone, link, shutdown));
    vec![pull, push]
}

/// Exponential backoff between failed attempts.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Self {
        Self(BACKOFF_MIN)
    }

    fn reset(&mut self) {
        self.0 = BACKOFF_MIN;
    }

    /// Sleep the current wait (doubling the next one); false when shutdown came first.
    async fn wait(&mut self, shutdown: &mut watch::Receiver<bool>) -> bool {
        let wait = self.0;
        self.0 = (self.0 * 2).min(BACKOFF_MAX);
        tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            _ = crate::stopped(shutdown) => false,
        }
    }
}

async fn pull_loop(zone: Arc<ControlPlane>, link: GlobalLink, mut shutdown: watch::Receiver<bool>) {
    let name = zone.zone_name().unwrap_or("").to_owned();
    // Where incremental pulls continue, once a full snapshot was applied.
    let mut since = 0u64;
    let mut epoch = String::new();
    // A full snapshot in progress (since == 0 or global restarted).
    let mut snapshot: Option<Snapshot> = None;
    let mut backoff = Backoff::new();
    loop {
        let (ask_since, ask_epoch, after) = match &snapshot {
            Some(s) => (0, s.epoch.clone(), s.next.clone()),
            None => (since, epoch.clone(), None),
        };
        let result = tokio::select! {
            r = link.pull(&name, ask_since, &ask_epoch, after.as_deref()) => r,
            _ = crate::stopped(&mut shutdown) => return,
        };
        let batch = match result {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(zone = %name, error = %e, "pull from global failed, retrying");
                zone.report_failure(Component::Pull, e.to_string());
                if !backoff.wait(&mut shutdown).await {
                    return;
                }
                continue;
            }
        };
        if batch.full {
            let restarted = snapshot.as_ref().is_some_and(|s| s.epoch != batch.epoch);
            if snapshot.is_none() || restarted {
                // A new snapshot: its first page's revision is where changes continue.
                snapshot = Some(Snapshot {
                    epoch: batch.epoch.clone(),
                    revision: batch.revision,
                    ..Snapshot::default()
                });
            }
        }
        let mut state = snapshot.take().unwrap_or_default();
        let applier = zone.clone();
        let applied = tokio::task::spawn_blocking(move || {
            let result = applier.apply_pull(&batch, &mut state.seen);
            (result, batch, state)
        })
        .await;
        let Ok((result, batch, mut state)) = applied else {
            return;
        };
        match result {
            Ok(()) => {
                zone.report_ok(Component::Pull);
                backoff.reset();
                if batch.full && batch.more {
                    state.next = batch.next.clone();
                    snapshot = Some(state);
                } else if batch.full {
                    since = state.revision;
                    epoch = state.epoch;
                    zone.mark_ready();
                    tracing::info!(zone = %name, revision = since, "full sync from global applied");
                } else {
                    since = batch.revision;
                    epoch = batch.epoch;
                }
            }
            Err(e) => {
                // The cursor stays: the same batch is asked for again.
                tracing::warn!(zone = %name, error = %e, "could not store resources from global, retrying");
                zone.report_failure(
                    Component::Pull,
                    format!("could not store resources from global: {e}"),
                );
                if batch.full {
                    snapshot = Some(state);
                }
                if !backoff.wait(&mut shutdown).await {
                    return;
                }
            }
        }
    }
}

/// Send every batch of `batches` in order; stops at the first failure.
async fn push_all(
    zone: &ControlPlane,
    link: &GlobalLink,
    batches: Vec<PushBatch>,
) -> Result<Option<String>, SyncError> {
    let mut epoch = None;
    for batch in batches {
        let ack = link.push(batch).await?;
        for rejected in &ack.rejected {
            tracing::warn!(
                zone = zone.zone_name().unwrap_or(""),
                mesh = %rejected.mesh,
                name = %rejected.name,
                error = %rejected.error,
                "global refused a MeshService"
            );
        }
        if epoch.as_ref().is_some_and(|e| *e != ack.epoch) {
            // Global restarted between two parts: the caller starts over with a full push.
            return Ok(None);
        }
        epoch = Some(ack.epoch);
    }
    Ok(epoch)
}

async fn push_loop(zone: Arc<ControlPlane>, link: GlobalLink, mut shutdown: watch::Receiver<bool>) {
    let name = zone.zone_name().unwrap_or("").to_owned();
    let mut revisions = zone.store.subscribe();
    let mut cursor = 0u64;
    let mut global_epoch: Option<String> = None;
    let mut backoff = Backoff::new();
    loop {
        let (revision, batches) = zone.push_batches(cursor);
        if !batches.is_empty() {
            match push_all(&zone, &link, batches).await {
                Ok(Some(epoch)) => {
                    zone.report_ok(Component::Push);
                    backoff.reset();
                    let restarted = global_epoch.as_ref().is_some_and(|e| *e != epoch);
                    global_epoch = Some(epoch);
                    if restarted && cursor != 0 {
                        // Global restarted: send everything again.
                        cursor = 0;
                        continue;
                    }
                    cursor = revision;
                }
                Ok(None) => {
                    global_epoch = None;
                    cursor = 0;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(zone = %name, error = %e, "push to global failed, retrying");
                    zone.report_failure(Component::Push, e.to_string());
                    if !backoff.wait(&mut shutdown).await {
                        return;
                    }
                    continue;
                }
            }
        } else {
            cursor = revision;
        }
        tokio::select! {
            _ = revisions.changed() => {},
            _ = tokio::time::sleep(HEARTBEAT) => {
                // Heartbeat: an empty push tells us global's epoch.
                let heartbeat = PushBatch { zone: name.clone(), ..PushBatch::default() };
                match link.push(heartbeat).await {
                    Ok(ack) => {
                        zone.report_ok(Component::Push);
                        if global_epoch.as_ref().is_some_and(|e| *e != ack.epoch) {
                            global_epoch = Some(ack.epoch);
                            cursor = 0;
                        }
                    }
                    Err(e) => zone.report_failure(Component::Push, e.to_string()),
                }
            },
            _ = crate::stopped(&mut shutdown) => return,
        }
    }
}
