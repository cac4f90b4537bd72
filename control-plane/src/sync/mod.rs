//! Federation (Kuma's KDS, simplified): global -> zones and zone -> global. Which resources
//! travel and how they are renamed is [`kuma_mzs_core::kds`]'s rule; this module moves them.
//!
//! Both directions are revision-based: the reader asks for "changes after revision N" and gets
//! the current state of every changed key plus deletes (a full snapshot when N is 0, the
//! writer's epoch changed, i.e. it restarted, or N is older than the deletes the writer's store
//! still remembers: see [`crate::store::Compacted`]). In one process the zone calls the global
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
//!
//! Files: this one holds the wire types and limits; `batches` builds and applies batches on
//! either side, `link` carries them (in process or HTTP), `loops` runs a zone's pull and push
//! loops with backoff.

mod batches;
mod link;
mod loops;

use std::time::Duration;

use kuma_mzs_core::api::{self, RestItem};
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{Resource, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::store::{StoreError, Stored};

pub use link::{GlobalLink, HttpLink};
pub use loops::{spawn_zone_sync, BACKOFF_MAX, BACKOFF_MIN};

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
    /// The zone's own MeshServices (and HostnameGenerators and MeshLoadBalancingStrategies),
    /// universal JSON with the status the zone computed, which global keeps.
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
