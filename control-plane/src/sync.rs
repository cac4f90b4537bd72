//! Federation (Kuma's KDS, simplified): global -> zones for Mesh, MeshMultiZoneService,
//! HostnameGenerator, MeshLoadBalancingStrategy and other zones' MeshServices; zone -> global
//! for the zone's own MeshServices.
//!
//! Both directions are revision-based: the reader asks for "changes after revision N" and gets
//! the current state of every changed key plus deletes (a full snapshot when N is 0 or the
//! writer's epoch changed, i.e. it restarted). In one process the zone calls the global
//! [`ControlPlane`] directly and waits on its revision channel; across processes the same
//! batches travel as JSON over HTTP (`GET /_kds/v1/pull` long-polls, `POST /_kds/v1/push`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use kuma_mzs_core::api::{self, RestItem};
use kuma_mzs_core::model::labels as label_keys;
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{Resource, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use crate::cp::{is_from_global, ControlPlane};
use crate::store::{key_of, BatchOp, ChangeRecord, Stored};

/// How long a pull waits for a change before answering with an empty batch.
pub const PULL_WAIT: Duration = Duration::from_secs(20);

/// Global -> zone changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PullBatch {
    /// Global's store epoch.
    pub epoch: String,
    /// Revision the batch is current to (the next `since`).
    pub revision: u64,
    /// Whether this is a full snapshot (the zone drops synced resources not in it).
    pub full: bool,
    /// Created or updated resources, universal JSON.
    pub upserts: Vec<Value>,
    /// Deleted keys.
    pub deletes: Vec<ResourceKey>,
}

/// Zone -> global changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PushBatch {
    /// The zone.
    pub zone: String,
    /// Whether this is the zone's full set (global drops the zone's resources not in it).
    pub full: bool,
    /// The zone's own MeshServices, universal JSON.
    pub upserts: Vec<Value>,
    /// Deleted MeshServices (zone-local keys).
    pub deletes: Vec<ResourceKey>,
}

/// Global's answer to a push.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushAck {
    /// Global's store epoch; a change means global restarted and wants a full push.
    pub epoch: String,
}

/// Sync failures.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// HTTP transport or status failure.
    #[error("global control plane: {0}")]
    Http(String),
}

fn to_json(stored: &Stored, resource: &Resource) -> Value {
    serde_json::to_value(RestItem {
        resource,
        times: stored.times(),
    })
    .unwrap_or(Value::Null)
}

fn decode(value: &Value) -> Option<Resource> {
    let type_name = value.get("type")?.as_str()?;
    let resource_type = ResourceType::from_name(type_name)?;
    api::decode_value(resource_type, value.clone()).ok()
}

/// Whether a resource carries `kuma.io/zone: <zone>` (a label that is absent never matches).
fn is_of_zone(resource: &Resource, zone: &str) -> bool {
    resource
        .meta
        .labels
        .get(label_keys::ZONE)
        .is_some_and(|z| z == zone)
}

/// What global sends to `zone` for one stored resource (None: not for that zone).
fn for_zone(stored: &Stored, zone: &str) -> Option<Value> {
    let resource = &stored.resource;
    let send = match resource.resource_type() {
        ResourceType::Mesh => true,
        ResourceType::MeshMultiZoneService
        | ResourceType::HostnameGenerator
        | ResourceType::MeshLoadBalancingStrategy => is_from_global(resource),
        // A zone is not sent back its own MeshServices.
        ResourceType::MeshService => !is_of_zone(resource, zone),
    };
    if !send {
        return None;
    }
    let mut copy = resource.clone();
    copy.meta
        .labels
        .insert(label_keys::ORIGIN.to_owned(), "global".to_owned());
    copy.status = None;
    api::rename_for_zones(&mut copy);
    Some(to_json(stored, &copy))
}

/// For a zone copy of a resource made on global, renamed with the hash suffix: global's key for
/// it. (Copies of other zones' resources carry `kuma.io/zone` and global's name already.)
fn renamed_from(zone_copy: &Resource) -> Option<ResourceKey> {
    let display = zone_copy.meta.display_name();
    let renamed = is_from_global(zone_copy)
        && zone_copy.meta.zone().is_empty()
        && display != zone_copy.meta.name
        && zone_copy.meta.name == api::kds_name(zone_copy);
    renamed.then(|| ResourceKey {
        resource_type: zone_copy.resource_type(),
        mesh: zone_copy.meta.mesh.clone(),
        name: display.to_owned(),
    })
}

impl ControlPlane {
    /// What a batch is built from: every resource as an upsert when `full`, else the changes
    /// after revision `since`; with the store's revision they reflect.
    fn records_after(&self, since: u64, full: bool) -> (u64, Vec<ChangeRecord>) {
        if full {
            let (revision, all) = self.store.snapshot();
            (
                revision,
                all.into_iter().map(ChangeRecord::Upsert).collect(),
            )
        } else {
            self.store.changes_since(since)
        }
    }

    /// Global: the batch for `zone` after revision `since` of epoch `epoch`.
    pub fn pull_batch(&self, zone: &str, since: u64, epoch: &str) -> PullBatch {
        let full = since == 0 || epoch != self.store.epoch();
        let (revision, records) = self.records_after(since, full);
        let mut batch = PullBatch {
            epoch: self.store.epoch().to_owned(),
            revision,
            full,
            ..PullBatch::default()
        };
        for record in records {
            match record {
                ChangeRecord::Upsert(stored) => {
                    // Status-only changes do not travel (status lives in each zone).
                    if !full && stored.content_revision <= since {
                        continue;
                    }
                    match for_zone(&stored, zone) {
                        Some(value) => batch.upserts.push(value),
                        // A resource that stopped qualifying (e.g. relabelled) is removed.
                        None if !full => batch.deletes.push(stored.key()),
                        None => {}
                    }
                }
                ChangeRecord::Delete(key) => batch.deletes.push(key),
            }
        }
        batch
    }

    /// Global: wait until something changed after `since` (or `wait` passed), then answer.
    pub async fn pull_batch_wait(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        wait: Duration,
    ) -> PullBatch {
        if since != 0 && epoch == self.store.epoch() {
            let mut revisions = self.store.subscribe();
            tokio::select! {
                _ = tokio::time::timeout(wait, revisions.wait_for(|r| *r > since)) => {},
                _ = self.closed() => {},
            }
        }
        self.pull_batch(zone, since, epoch)
    }

    /// Zone: apply a batch from global. Synced resources keep this zone's status.
    pub fn apply_pull(&self, batch: &PullBatch) {
        let mut seen: BTreeSet<ResourceKey> = BTreeSet::new();
        let mut ops = Vec::new();
        for value in &batch.upserts {
            let Some(resource) = decode(value) else {
                tracing::warn!("skipping undecodable resource from global");
                continue;
            };
            let key = key_of(&resource);
            seen.insert(key.clone());
            if let Some(existing) = self.store.get(&key) {
                if !is_from_global(&existing.resource) {
                    // A local resource of the same name wins on the zone (never overwritten).
                    continue;
                }
            }
            ops.push(BatchOp::Put(resource));
        }
        // Deletes name global's keys; the zone copies may be renamed (hash suffix), so they are
        // found by display name. One scan of the zone's store serves a whole batch.
        let mut renamed: Option<BTreeMap<ResourceKey, Vec<ResourceKey>>> = None;
        for key in &batch.deletes {
            if self
                .store
                .get(key)
                .is_some_and(|existing| is_from_global(&existing.resource))
            {
                ops.push(BatchOp::Delete(key.clone()));
                continue;
            }
            if !key.resource_type.is_mesh_scoped() {
                continue;
            }
            let by_global_key = renamed.get_or_insert_with(|| {
                let (_, all) = self.store.snapshot();
                let mut map: BTreeMap<ResourceKey, Vec<ResourceKey>> = BTreeMap::new();
                for stored in all {
                    if let Some(global_key) = renamed_from(&stored.resource) {
                        map.entry(global_key).or_default().push(stored.key());
                    }
                }
                map
            });
            for copy_key in by_global_key.get(key).into_iter().flatten() {
                if !seen.contains(copy_key) {
                    ops.push(BatchOp::Delete(copy_key.clone()));
                }
            }
        }
        if batch.full {
            let (_, all) = self.store.snapshot();
            for stored in all {
                let key = stored.key();
                if is_from_global(&stored.resource) && !seen.contains(&key) {
                    ops.push(BatchOp::Delete(key));
                }
            }
        }
        if let Err(e) = self.store.apply_batch(ops) {
            tracing::error!(error = %e, "could not store resources from global");
        }
    }

    /// Zone: the batch of own MeshServices changed after `since` (all when `since` is 0).
    pub fn push_batch(&self, since: u64) -> (u64, PushBatch) {
        let zone = self.zone_name().unwrap_or("").to_owned();
        let full = since == 0;
        let (revision, records) = self.records_after(since, full);
        let mut batch = PushBatch {
            zone,
            full,
            ..PushBatch::default()
        };
        for record in records {
            match record {
                ChangeRecord::Upsert(stored) => {
                    let r = &stored.resource;
                    if r.resource_type() != ResourceType::MeshService || is_from_global(r) {
                        continue;
                    }
                    if !full && stored.content_revision <= since {
                        continue;
                    }
                    let mut copy = r.clone();
                    copy.status = None;
                    batch.upserts.push(to_json(&stored, &copy));
                }
                ChangeRecord::Delete(key) if key.resource_type == ResourceType::MeshService => {
                    batch.deletes.push(key)
                }
                ChangeRecord::Delete(_) => {}
            }
        }
        (revision, batch)
    }

    /// Global: apply a zone's MeshServices under their KDS names (`HashedName`).
    pub fn apply_push(&self, batch: &PushBatch) -> PushAck {
        let zone = batch.zone.as_str();
        let mut seen: BTreeSet<ResourceKey> = BTreeSet::new();
        let mut ops = Vec::new();
        for value in &batch.upserts {
            let Some(mut resource) = decode(value) else {
                continue;
            };
            if resource.resource_type() != ResourceType::MeshService {
                continue;
            }
            let labels = &mut resource.meta.labels;
            labels.insert(label_keys::ZONE.to_owned(), zone.to_owned());
            labels.insert(label_keys::ORIGIN.to_owned(), "zone".to_owned());
            labels
                .entry(label_keys::DISPLAY_NAME.to_owned())
                .or_insert_with(|| resource.meta.name.clone());
            resource.meta.name = api::kds_name(&resource);
            seen.insert(key_of(&resource));
            ops.push(BatchOp::Put(resource));
        }
        let of_zone = |stored: &Stored| is_of_zone(&stored.resource, zone);
        for key in &batch.deletes {
            let hashed = ResourceKey {
                name: api::hashed_name(&key.mesh, &key.name, &[zone]),
                ..key.clone()
            };
            if self.store.get(&hashed).is_some_and(|s| of_zone(&s)) {
                ops.push(BatchOp::Delete(hashed));
                continue;
            }
            // Names with a namespace label hash differently: find them by display name.
            for stored in self
                .store
                .all_of(ResourceType::MeshService, Some(&key.mesh))
            {
                if of_zone(&stored) && stored.resource.meta.display_name() == key.name {
                    ops.push(BatchOp::Delete(stored.key()));
                }
            }
        }
        if batch.full {
            for stored in self.store.all_of(ResourceType::MeshService, None) {
                if of_zone(&stored) && !seen.contains(&stored.key()) {
                    ops.push(BatchOp::Delete(stored.key()));
                }
            }
        }
        if let Err(e) = self.store.apply_batch(ops) {
            tracing::error!(error = %e, zone, "could not store zone resources");
        }
        PushAck {
            epoch: self.store.epoch().to_owned(),
        }
    }
}

/// How a zone reaches global.
#[derive(Clone)]
pub enum GlobalLink {
    /// Same process.
    InProcess(Arc<ControlPlane>),
    /// Another process, over HTTP(S).
    Http(HttpLink),
}

/// HTTP link to a global control plane.
#[derive(Clone)]
pub struct HttpLink {
    /// Base URL, e.g. `http://127.0.0.1:5681`.
    pub base_url: String,
    /// Token sent as `Authorization: Bearer`.
    pub token: String,
    agent: ureq::Agent,
}

impl HttpLink {
    /// A link; `ca_cert_pem` is trusted for HTTPS (self-signed global).
    pub fn new(base_url: &str, token: &str, ca_cert_pem: Option<&[u8]>) -> Self {
        let mut tls = ureq::tls::TlsConfig::builder().provider(ureq::tls::TlsProvider::Rustls);
        if let Some(pem) = ca_cert_pem {
            let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            tls = tls.root_certs(ureq::tls::RootCerts::Specific(Arc::new(certs)));
        }
        let agent = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .timeout_global(Some(PULL_WAIT + Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            agent,
        }
    }

    fn pull(&self, zone: &str, since: u64, epoch: &str) -> Result<PullBatch, SyncError> {
        let url = format!(
            "{}/_kds/v1/pull?zone={}&since={since}&epoch={}",
            self.base_url,
            percent_encoding::utf8_percent_encode(zone, percent_encoding::NON_ALPHANUMERIC),
            percent_encoding::utf8_percent_encode(epoch, percent_encoding::NON_ALPHANUMERIC),
        );
        let response = self
            .agent
            .get(&url)
            .header("Authorization", &self.authorization())
            .call();
        json_answer("pull", response)
    }

    fn push(&self, batch: &PushBatch) -> Result<PushAck, SyncError> {
        let url = format!("{}/_kds/v1/push", self.base_url);
        let response = self
            .agent
            .post(&url)
            .header("Authorization", &self.authorization())
            .send_json(batch);
        json_answer("push", response)
    }

    fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }
}

/// The JSON body of a KDS answer; anything but a 200 with that body is a [`SyncError::Http`]
/// naming the call (`pull`, `push`).
fn json_answer<T: serde::de::DeserializeOwned>(
    call: &str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<T, SyncError> {
    let mut response = response.map_err(|e| SyncError::Http(e.to_string()))?;
    if response.status() != 200 {
        return Err(SyncError::Http(format!(
            "{call} answered {}",
            response.status()
        )));
    }
    response
        .body_mut()
        .read_json()
        .map_err(|e| SyncError::Http(e.to_string()))
}

impl GlobalLink {
    async fn pull(&self, zone: &str, since: u64, epoch: &str) -> Result<PullBatch, SyncError> {
        match self {
            GlobalLink::InProcess(global) => {
                Ok(global.pull_batch_wait(zone, since, epoch, PULL_WAIT).await)
            }
            GlobalLink::Http(link) => {
                let link = link.clone();
                let (zone, epoch) = (zone.to_owned(), epoch.to_owned());
                tokio::task::spawn_blocking(move || link.pull(&zone, since, &epoch))
                    .await
                    .map_err(|e| SyncError::Http(e.to_string()))?
            }
        }
    }

    async fn push(&self, batch: PushBatch) -> Result<PushAck, SyncError> {
        match self {
            GlobalLink::InProcess(global) => Ok(global.apply_push(&batch)),
            GlobalLink::Http(link) => {
                let link = link.clone();
                tokio::task::spawn_blocking(move || link.push(&batch))
                    .await
                    .map_err(|e| SyncError::Http(e.to_string()))?
            }
        }
    }
}

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
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

async fn pull_loop(zone: Arc<ControlPlane>, link: GlobalLink, mut shutdown: watch::Receiver<bool>) {
    let name = zone.zone_name().unwrap_or("").to_owned();
    let mut since = 0u64;
    let mut epoch = String::new();
    let mut backoff = BACKOFF_MIN;
    loop {
        let result = tokio::select! {
            r = link.pull(&name, since, &epoch) => r,
            _ = crate::stopped(&mut shutdown) => return,
        };
        match result {
            Ok(batch) => {
                let zone = zone.clone();
                let applied = tokio::task::spawn_blocking(move || {
                    zone.apply_pull(&batch);
                    zone.mark_ready();
                    (batch.revision, batch.epoch)
                })
                .await;
                if let Ok((revision, new_epoch)) = applied {
                    since = revision;
                    epoch = new_epoch;
                }
                backoff = BACKOFF_MIN;
            }
            Err(e) => {
                tracing::warn!(zone = %name, error = %e, "pull from global failed, retrying");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {},
                    _ = crate::stopped(&mut shutdown) => return,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
}

async fn push_loop(zone: Arc<ControlPlane>, link: GlobalLink, mut shutdown: watch::Receiver<bool>) {
    let name = zone.zone_name().unwrap_or("").to_owned();
    let mut revisions = zone.store.subscribe();
    let mut cursor = 0u64;
    let mut global_epoch: Option<String> = None;
    let mut backoff = BACKOFF_MIN;
    loop {
        let (revision, batch) = zone.push_batch(cursor);
        let must_send = batch.full || !batch.upserts.is_empty() || !batch.deletes.is_empty();
        if must_send {
            match link.push(batch).await {
                Ok(ack) => {
                    backoff = BACKOFF_MIN;
                    if global_epoch.as_ref().is_some_and(|e| *e != ack.epoch) {
                        // Global restarted: send everything again.
                        global_epoch = Some(ack.epoch);
                        cursor = 0;
                        continue;
                    }
                    global_epoch = Some(ack.epoch);
                    cursor = revision;
                }
                Err(e) => {
                    tracing::warn!(zone = %name, error = %e, "push to global failed, retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {},
                        _ = crate::stopped(&mut shutdown) => return,
                    }
                    backoff = (backoff * 2).min(BACKOFF_MAX);
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
                if let Ok(ack) = link.push(PushBatch { zone: name.clone(), ..PushBatch::default() }).await {
                    if global_epoch.as_ref().is_some_and(|e| *e != ack.epoch) {
                        global_epoch = Some(ack.epoch);
                        cursor = 0;
                    }
                }
            },
            _ = crate::stopped(&mut shutdown) => return,
        }
    }
}
