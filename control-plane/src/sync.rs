//! Federation (Kuma's KDS, simplified): global -> zones and zone -> global. Which resources
//! travel and how they are renamed is [`kuma_mzs_core::kds`]'s rule; this module moves them.
//!
//! Both directions are revision-based: the reader asks for "changes after revision N" and gets
//! the current state of every changed key plus deletes (a full snapshot when N is 0 or the
//! writer's epoch changed, i.e. it restarted). In one process the zone calls the global
//! [`ControlPlane`] directly and waits on its revision channel; across processes the same
//! batches travel as JSON over HTTP (`GET /_kds/v1/pull` long-polls, `POST /_kds/v1/push`).
//!
//! **Size limits.** No batch carries more than [`MAX_BATCH_ITEMS`] resources or (beyond its
//! first resource) [`MAX_BATCH_BYTES`] of JSON; larger sets travel in several batches:
//! - a full pull is paged in global's key order (`more` and the `next` cursor, sent back as
//!   `after`); the zone removes synced resources missing from the snapshot only after its last
//!   page, and continues with changes after the revision of the first page;
//! - an incremental pull stops at a revision (`more`), the zone asks again after it;
//! - a full push is cut in the zone's key order, each part naming the key range it covers
//!   (`after`, `until`), so global drops the zone's MeshServices missing from that range only.
//!
//! Receivers accept up to [`MAX_BODY_BYTES`] (global for a push, the zone for a pull).
//!
//! **Failures.** A cursor only moves after its batch was applied (stored); a failed call or
//! apply is retried with exponential backoff ([`BACKOFF_MIN`] to [`BACKOFF_MAX`]) and, after
//! [`crate::cp::FAILURES_BEFORE_NOT_READY`] failures in a row, makes the zone's `/ready`
//! answer 503 with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use kuma_mzs_core::api::{self, ApiError, Mode, RestItem, StoreView};
use kuma_mzs_core::kds;
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{Resource, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;

use crate::cp::{is_from_global, Component, ControlPlane};
use crate::store::{key_of, BatchOp, ChangeRecord, StoreError, Stored};

/// How long a pull waits for a change before answering with an empty batch.
pub const PULL_WAIT: Duration = Duration::from_secs(20);
/// Most resources (upserts plus deletes) in one pull or push batch.
pub const MAX_BATCH_ITEMS: usize = 1000;
/// Most JSON bytes of resources in one batch (a batch always takes at least one resource, so a
/// single larger resource still travels, alone).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Largest pull answer a zone reads and largest push body global accepts.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Most stored resources global looks at for one page of a full pull (pages of a zone that is
/// sent few of them stay quick to build).
const MAX_SCAN: usize = 10 * MAX_BATCH_ITEMS;

/// Global -> zone changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PullBatch {
    /// Global's store epoch.
    pub epoch: String,
    /// Revision the batch is current to (the next `since`; for a full snapshot, take the one
    /// of its first page).
    pub revision: u64,
    /// Whether this is (a page of) a full snapshot.
    pub full: bool,
    /// Whether more follows: the next page of a full snapshot (ask with `after` = `next`), or
    /// more changes after `revision`.
    #[serde(default)]
    pub more: bool,
    /// Full snapshot: the cursor for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
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
    /// Whether this is (a part of) the zone's full set: global drops the zone's MeshServices
    /// in the range (`after`, `until`] that are not in it.
    pub full: bool,
    /// Full set: the zone-local key this part starts after (from the first key when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<ResourceKey>,
    /// Full set: the last zone-local key this part covers (to the end when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<ResourceKey>,
    /// The zone's own MeshServices, universal JSON.
    pub upserts: Vec<Value>,
    /// Deleted MeshServices (zone-local keys).
    pub deletes: Vec<ResourceKey>,
}

/// Global's answer to a push.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PushAck {
    /// Global's store epoch; a change means global restarted and wants a full push.
    pub epoch: String,
    /// Resources global refused (the same validation as a REST PUT on the zone), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejected>,
}

/// A pushed resource global refused.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Rejected {
    /// Its mesh.
    pub mesh: String,
    /// Its zone-local name.
    pub name: String,
    /// Why (Kuma's error title and details).
    pub error: String,
}

/// Sync failures.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// HTTP transport or status failure.
    #[error("global control plane: {0}")]
    Http(String),
    /// Global refused the request.
    #[error("global control plane refused the {call}: {error}")]
    Refused {
        /// `pull` or `push`.
        call: &'static str,
        /// Kuma's error body, as text.
        error: String,
    },
    /// The batch could not be stored here.
    #[error("could not store resources from global: {0}")]
    Store(#[from] StoreError),
}

fn to_json(stored: &Stored, resource: &Resource) -> Value {
    serde_json::to_value(RestItem {
        resource,
        times: stored.times(),
    })
    .unwrap_or(Value::Null)
}

fn json_len(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

fn decode(value: &Value) -> Option<Resource> {
    let type_name = value.get("type")?.as_str()?;
    let resource_type = ResourceType::from_name(type_name)?;
    api::decode_value(resource_type, value.clone()).ok()
}

/// `Type/mesh/name`, the cursor of a full pull (mesh and type names never contain `/`).
fn key_cursor(key: &ResourceKey) -> String {
    format!("{}/{}/{}", key.resource_type.name(), key.mesh, key.name)
}

fn parse_cursor(cursor: &str) -> Option<ResourceKey> {
    let mut parts = cursor.splitn(3, '/');
    let resource_type = ResourceType::from_name(parts.next()?)?;
    Some(ResourceKey {
        resource_type,
        mesh: parts.next()?.to_owned(),
        name: parts.next()?.to_owned(),
    })
}

/// Fills a batch up to [`MAX_BATCH_ITEMS`] / [`MAX_BATCH_BYTES`].
#[derive(Default)]
struct Budget {
    items: usize,
    bytes: usize,
}

impl Budget {
    /// Whether one more item of `bytes` still fits (the first always does).
    fn take(&mut self, bytes: usize) -> bool {
        if self.items > 0
            && (self.items >= MAX_BATCH_ITEMS || self.bytes.saturating_add(bytes) > MAX_BATCH_BYTES)
        {
            return false;
        }
        self.items += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        true
    }
}

/// What a zone keeps between the pages of a full snapshot from global.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Epoch of the snapshot's first page.
    pub epoch: String,
    /// Revision of its first page (where incremental pulls continue).
    pub revision: u64,
    /// Cursor of the next page.
    pub next: Option<String>,
    /// Zone keys of every synced resource of the snapshot so far.
    pub seen: BTreeSet<ResourceKey>,
}

impl ControlPlane {
    /// Global: the batch for `zone` after revision `since` of epoch `epoch`; `after` is the
    /// cursor of the next page of a full snapshot.
    pub fn pull_batch(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
    ) -> PullBatch {
        let same_epoch = epoch == self.store.epoch();
        let full = since == 0 || !same_epoch;
        let mut batch = PullBatch {
            epoch: self.store.epoch().to_owned(),
            full,
            ..PullBatch::default()
        };
        let mut budget = Budget::default();
        if full {
            let after = after.filter(|_| same_epoch).and_then(parse_cursor);
            let (revision, page, more) = self.store.page_after(after.as_ref(), MAX_SCAN);
            batch.revision = revision;
            batch.more = more;
            let last = page.last().map(|s| s.key());
            for (index, stored) in page.iter().enumerate() {
                let Some(copy) = kds::zone_copy(&stored.resource, zone) else {
                    continue;
                };
                let value = to_json(stored, &copy);
                if !budget.take(json_len(&value)) {
                    // Full: the page ends before this resource (never the first one sent, so
                    // there is one before it).
                    batch.more = true;
                    batch.next = index
                        .checked_sub(1)
                        .and_then(|i| page.get(i))
                        .map(|s| key_cursor(&s.key()));
                    return batch;
                }
                batch.upserts.push(value);
            }
            if batch.more {
                batch.next = last.as_ref().map(key_cursor);
            }
            return batch;
        }
        let (revision, records, more) = self.store.changes_since_limited(since, MAX_BATCH_ITEMS);
        batch.revision = revision;
        batch.more = more;
        let mut previous_revision = since;
        for (at, record) in records {
            let (value, delete) = match record {
                ChangeRecord::Upsert(stored) => {
                    // Status-only changes do not travel (status lives in each zone).
                    if stored.content_revision <= since {
                        previous_revision = at;
                        continue;
                    }
                    match kds::zone_copy(&stored.resource, zone) {
                        Some(copy) => (Some(to_json(&stored, &copy)), None),
                        // A resource that stopped qualifying (e.g. relabelled) is removed.
                        None => (None, Some(stored.key())),
                    }
                }
                ChangeRecord::Delete(key) => (None, Some(key)),
            };
            let bytes = value.as_ref().map_or(64, json_len);
            if !budget.take(bytes) {
                batch.revision = previous_revision;
                batch.more = true;
                return batch;
            }
            batch.upserts.extend(value);
            batch.deletes.extend(delete);
            previous_revision = at;
        }
        batch
    }

    /// Global: wait until something changed after `since` (or `wait` passed), then answer.
    pub async fn pull_batch_wait(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
        wait: Duration,
    ) -> PullBatch {
        if since != 0 && epoch == self.store.epoch() {
            let mut revisions = self.store.subscribe();
            tokio::select! {
                _ = tokio::time::timeout(wait, revisions.wait_for(|r| *r > since)) => {},
                _ = self.closed() => {},
            }
        }
        self.pull_batch(zone, since, epoch, after)
    }

    /// Zone: apply a batch (or a page of a full snapshot) from global; `seen` gathers the
    /// synced keys of a full snapshot across its pages, and after its last page the synced
    /// resources missing from it are removed. Synced resources keep this zone's status.
    /// Nothing is stored when this fails.
    pub fn apply_pull(
        &self,
        batch: &PullBatch,
        seen: &mut BTreeSet<ResourceKey>,
    ) -> Result<(), StoreError> {
        let mut in_batch: BTreeSet<ResourceKey> = BTreeSet::new();
        let mut ops = Vec::new();
        for value in &batch.upserts {
            let Some(resource) = decode(value) else {
                tracing::warn!("skipping undecodable resource from global");
                continue;
            };
            let key = key_of(&resource);
            in_batch.insert(key.clone());
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
                    if let Some(global_key) = kds::global_key_of_zone_copy(&stored.resource) {
                        map.entry(global_key).or_default().push(stored.key());
                    }
                }
                map
            });
            for copy_key in by_global_key.get(key).into_iter().flatten() {
                if !in_batch.contains(copy_key) {
                    ops.push(BatchOp::Delete(copy_key.clone()));
                }
            }
        }
        if batch.full {
            seen.extend(in_batch);
            if !batch.more {
                let (_, all) = self.store.snapshot();
                for stored in all {
                    let key = stored.key();
                    if is_from_global(&stored.resource) && !seen.contains(&key) {
                        ops.push(BatchOp::Delete(key));
                    }
                }
            }
        }
        self.store.apply_batch(ops).map(|_| ())
    }

    /// Zone: the batches of own MeshServices changed after `since` (the full set when `since`
    /// is 0), each within the size limits, and the revision they bring global to.
    pub fn push_batches(&self, since: u64) -> (u64, Vec<PushBatch>) {
        let zone = self.zone_name().unwrap_or("").to_owned();
        let empty = |full: bool| PushBatch {
            zone: zone.clone(),
            full,
            ..PushBatch::default()
        };
        let mut batches: Vec<PushBatch> = Vec::new();
        let mut current = empty(since == 0);
        let mut budget = Budget::default();
        if since == 0 {
            let (revision, all) = self.store.snapshot();
            let mut last: Option<ResourceKey> = None;
            for stored in all.iter().filter(|s| kds::travels_to_global(&s.resource)) {
                let mut copy = stored.resource.clone();
                copy.status = None;
                let value = to_json(stored, &copy);
                let bytes = json_len(&value);
                if !budget.take(bytes) {
                    let mut next = empty(true);
                    next.after.clone_from(&last);
                    current.until.clone_from(&last);
                    batches.push(std::mem::replace(&mut current, next));
                    budget = Budget::default();
                    budget.take(bytes);
                }
                current.upserts.push(value);
                last = Some(stored.key());
            }
            batches.push(current);
            return (revision, batches);
        }
        let (revision, records) = self.store.changes_since(since);
        for record in records {
            let (value, delete) = match record {
                ChangeRecord::Upsert(stored) => {
                    if !kds::travels_to_global(&stored.resource) || stored.content_revision <= since
                    {
                        continue;
                    }
                    let mut copy = stored.resource.clone();
                    copy.status = None;
                    (Some(to_json(&stored, &copy)), None)
                }
                ChangeRecord::Delete(key) if kds::deletion_travels_to_global(&key) => {
                    (None, Some(key))
                }
                ChangeRecord::Delete(_) => continue,
            };
            let bytes = value.as_ref().map_or(64, json_len);
            if !budget.take(bytes) {
                batches.push(std::mem::replace(&mut current, empty(false)));
                budget = Budget::default();
                budget.take(bytes);
            }
            current.upserts.extend(value);
            current.deletes.extend(delete);
        }
        if !current.upserts.is_empty() || !current.deletes.is_empty() {
            batches.push(current);
        }
        (revision, batches)
    }

    /// Global: check a zone's MeshService as a REST PUT on that zone would, and give the copy
    /// global stores (its KDS name, `kuma.io/zone`, `kuma.io/origin: zone`).
    fn accept_pushed(&self, zone: &str, value: &Value) -> Result<Resource, Rejected> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("");
        let reject = |error: String| Rejected {
            mesh: text("mesh").to_owned(),
            name: text("name").to_owned(),
            error,
        };
        if text("type") != ResourceType::MeshService.name() {
            return Err(reject(format!(
                "only MeshServices travel from zones to global, not {:?}",
                text("type")
            )));
        }
        let body = serde_json::to_vec(value).map_err(|e| reject(e.to_string()))?;
        let mode = Mode::Zone {
            name: zone.to_owned(),
            federated: true,
        };
        let (mesh, name) = (text("mesh"), text("name"));
        let prepared = api::prepare_put(
            &mode,
            self.kuma_version,
            ResourceType::MeshService,
            Some(mesh),
            name,
            &body,
            StoreView {
                mesh_exists: self.store.mesh_exists(mesh),
                existing: None,
            },
        )
        .map_err(|e| reject(describe_api_error(&e)))?;
        kds::global_copy(&prepared.resource, zone)
            .ok_or_else(|| reject("not a MeshService".to_owned()))
    }

    /// Global: apply a zone's MeshServices under their KDS names (`HashedName`), each checked
    /// as a REST PUT on the zone would be; refused ones are listed in the answer.
    pub fn apply_push(&self, batch: &PushBatch) -> Result<PushAck, ApiError> {
        let zone = batch.zone.as_str();
        if zone.is_empty() {
            return Err(ApiError::new(
                400,
                "Bad Request",
                "push without a zone name",
            ));
        }
        let mut ack = PushAck {
            epoch: self.store.epoch().to_owned(),
            rejected: Vec::new(),
        };
        let mut seen: BTreeSet<ResourceKey> = BTreeSet::new();
        let mut ops = Vec::new();
        for value in &batch.upserts {
            match self.accept_pushed(zone, value) {
                Ok(resource) => {
                    seen.insert(key_of(&resource));
                    ops.push(BatchOp::Put(resource));
                }
                Err(rejected) => {
                    tracing::warn!(zone, mesh = %rejected.mesh, name = %rejected.name, error = %rejected.error, "refused a pushed resource");
                    ack.rejected.push(rejected);
                }
            }
        }
        for key in &batch.deletes {
            if !kds::deletion_travels_to_global(key) {
                continue;
            }
            let hashed = kds::global_key_of_zone_key(key, zone);
            if self
                .store
                .get(&hashed)
                .is_some_and(|s| kds::is_of_zone(&s.resource, zone))
            {
                ops.push(BatchOp::Delete(hashed));
                continue;
            }
            // Names with a namespace label hash differently: find them by display name.
            for stored in self.store.all_of(key.resource_type, Some(&key.mesh)) {
                if kds::is_global_copy_of(&stored.resource, key, zone) {
                    ops.push(BatchOp::Delete(stored.key()));
                }
            }
        }
        if batch.full {
            let in_range = |key: &ResourceKey| {
                batch.after.as_ref().is_none_or(|after| key > after)
                    && batch.until.as_ref().is_none_or(|until| key <= until)
            };
            for stored in self.store.all_of(ResourceType::MeshService, None) {
                if kds::is_of_zone(&stored.resource, zone)
                    && !seen.contains(&stored.key())
                    && in_range(&kds::zone_key_of_global_copy(&stored.resource))
                {
                    ops.push(BatchOp::Delete(stored.key()));
                }
            }
        }
        if let Err(e) = self.store.apply_batch(ops) {
            tracing::error!(error = %e, zone, "could not store zone resources");
            return Err(ApiError::new(
                503,
                "Service Unavailable",
                format!("could not store the zone's resources: {e}"),
            ));
        }
        Ok(ack)
    }
}

/// Kuma's error body as one line of text.
fn describe_api_error(error: &ApiError) -> String {
    let mut text = error.to_string();
    for violation in &error.invalid_parameters {
        text.push_str(&format!("; {}: {}", violation.field, violation.message));
    }
    text
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

    fn pull(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
    ) -> Result<PullBatch, SyncError> {
        fn encode(s: &str) -> percent_encoding::PercentEncode<'_> {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
        }
        let mut url = format!(
            "{}/_kds/v1/pull?zone={}&since={since}&epoch={}",
            self.base_url,
            encode(zone),
            encode(epoch),
        );
        if let Some(after) = after {
            url.push_str(&format!("&after={}", encode(after)));
        }
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

/// The JSON body of a KDS answer (read up to [`MAX_BODY_BYTES`]); anything but a 200 with that
/// body is a [`SyncError`] naming the call (`pull`, `push`), with global's error body when it
/// refused the request.
fn json_answer<T: serde::de::DeserializeOwned>(
    call: &'static str,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<T, SyncError> {
    let mut response = response.map_err(|e| SyncError::Http(e.to_string()))?;
    let status = response.status();
    if status != 200 {
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .unwrap_or_default();
        return Err(SyncError::Refused {
            call,
            error: format!("{status}: {}", body.trim()),
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES as u64)
        .read_json()
        .map_err(|e| SyncError::Http(format!("{call}: {e}")))
}

impl GlobalLink {
    async fn pull(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
    ) -> Result<PullBatch, SyncError> {
        match self {
            GlobalLink::InProcess(global) => Ok(global
                .pull_batch_wait(zone, since, epoch, after, PULL_WAIT)
                .await),
            GlobalLink::Http(link) => {
                let link = link.clone();
                let (zone, epoch) = (zone.to_owned(), epoch.to_owned());
                let after = after.map(str::to_owned);
                tokio::task::spawn_blocking(move || {
                    link.pull(&zone, since, &epoch, after.as_deref())
                })
                .await
                .map_err(|e| SyncError::Http(e.to_string()))?
            }
        }
    }

    async fn push(&self, batch: PushBatch) -> Result<PushAck, SyncError> {
        match self {
            GlobalLink::InProcess(global) => {
                let global = global.clone();
                tokio::task::spawn_blocking(move || global.apply_push(&batch))
                    .await
                    .map_err(|e| SyncError::Http(e.to_string()))?
                    .map_err(|e| SyncError::Refused {
                        call: "push",
                        error: e.to_string(),
                    })
            }
            GlobalLink::Http(link) => {
                let link = link.clone();
                tokio::task::spawn_blocking(move || link.push(&batch))
                    .await
                    .map_err(|e| SyncError::Http(e.to_string()))?
            }
        }
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cp::{Auth, Chaos, Ipam};
    use crate::store::{Expect, StatusWrite, Store};
    use kuma_mzs_core::KumaVersion;

    fn control_plane(mode: Mode) -> ControlPlane {
        let cp = ControlPlane::new(
            mode,
            Store::memory(),
            KumaVersion::default(),
            Auth {
                admin_token: "t".into(),
                allow_anonymous_localhost: false,
            },
            Chaos::default(),
            Ipam::default(),
            false,
        );
        cp.bootstrap().unwrap();
        cp
    }

    fn put(cp: &ControlPlane, resource_type: ResourceType, name: &str) {
        let body = match resource_type {
            ResourceType::MeshService => serde_json::json!({
                "type": "MeshService", "name": name, "mesh": "default",
                "spec": {"ports": [{"port": 80}]}
            }),
            _ => serde_json::json!({
                "type": "MeshMultiZoneService", "name": name, "mesh": "default",
                "spec": {"selector": {"meshService": {"matchLabels": {"a": "b"}}}, "ports": [{"port": 80}]}
            }),
        };
        let prepared = api::prepare_put(
            &cp.mode,
            KumaVersion::default(),
            resource_type,
            Some("default"),
            name,
            body.to_string().as_bytes(),
            StoreView {
                mesh_exists: true,
                existing: None,
            },
        )
        .unwrap();
        cp.store
            .put(prepared.resource, Expect::Any, StatusWrite::Keep)
            .unwrap();
    }

    fn zone_mode() -> Mode {
        Mode::Zone {
            name: "east".into(),
            federated: true,
        }
    }

    #[test]
    fn a_full_pull_arrives_in_pages_and_then_continues_with_changes() {
        let global = control_plane(Mode::Global);
        for i in 0..2_500 {
            put(
                &global,
                ResourceType::MeshMultiZoneService,
                &format!("m-{i:04}"),
            );
        }
        let zone = control_plane(zone_mode());
        let mut seen = BTreeSet::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        let first_revision = loop {
            let batch = global.pull_batch("east", 0, global.store.epoch(), after.as_deref());
            assert!(batch.full && batch.upserts.len() <= MAX_BATCH_ITEMS);
            zone.apply_pull(&batch, &mut seen).unwrap();
            pages += 1;
            if !batch.more {
                break batch.revision;
            }
            after.clone_from(&batch.next);
        };
        assert!(pages >= 3, "{pages} pages");
        let mzs_on_zone = zone
            .store
            .all_of(ResourceType::MeshMultiZoneService, None)
            .len();
        assert_eq!(mzs_on_zone, 2_500);
        // Changes after the snapshot, more than one batch of them.
        for i in 0..1_200 {
            put(
                &global,
                ResourceType::MeshMultiZoneService,
                &format!("n-{i:04}"),
            );
        }
        let mut since = first_revision;
        loop {
            let batch = global.pull_batch("east", since, global.store.epoch(), None);
            assert!(!batch.full && batch.upserts.len() <= MAX_BATCH_ITEMS);
            zone.apply_pull(&batch, &mut BTreeSet::new()).unwrap();
            since = batch.revision;
            if !batch.more {
                break;
            }
        }
        let mzs_on_zone = zone
            .store
            .all_of(ResourceType::MeshMultiZoneService, None)
            .len();
        assert_eq!(mzs_on_zone, 3_700);
    }

    #[test]
    fn a_full_push_in_parts_drops_only_what_is_missing_from_each_part() {
        let global = control_plane(Mode::Global);
        let zone = control_plane(zone_mode());
        for i in 0..2_100 {
            put(&zone, ResourceType::MeshService, &format!("s-{i:04}"));
        }
        let (_, batches) = zone.push_batches(0);
        assert_eq!(batches.len(), 3);
        for batch in &batches {
            assert!(batch.upserts.len() <= MAX_BATCH_ITEMS);
            assert!(global.apply_push(batch).unwrap().rejected.is_empty());
        }
        let on_global = || global.store.all_of(ResourceType::MeshService, None).len();
        assert_eq!(on_global(), 2_100);
        // One service gone from the zone: the next full push removes exactly that one.
        zone.store
            .delete(
                &ResourceKey {
                    resource_type: ResourceType::MeshService,
                    mesh: "default".into(),
                    name: "s-1500".into(),
                },
                Expect::Any,
            )
            .unwrap();
        let (_, batches) = zone.push_batches(0);
        for batch in &batches {
            global.apply_push(batch).unwrap();
        }
        assert_eq!(on_global(), 2_099);
        let gone = kds::hashed_name("default", "s-1500", &["east"]);
        assert!(global
            .store
            .all_of(ResourceType::MeshService, None)
            .iter()
            .all(|s| s.resource.meta.name != gone));
    }
}
