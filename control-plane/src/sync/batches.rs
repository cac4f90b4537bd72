//! Building and applying sync batches: global's pull answers and push handling, the zone's
//! push batches and pull handling.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kuma_mzs_core::api::{self, ApiError, Mode, StoreView};
use kuma_mzs_core::kds;
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{Resource, ResourceType};
use serde_json::Value;

use super::{
    decode, json_len, key_cursor, parse_cursor, to_json, Budget, PullBatch, PushAck, PushBatch,
    Rejected, MAX_BATCH_ITEMS, MAX_SCAN,
};
use crate::cp::{is_from_global, ControlPlane};
use crate::store::{key_of, BatchOp, ChangeRecord, StoreError};

impl ControlPlane {
    /// Global: the batch for `zone` after revision `since` of epoch `epoch`; `after` is the
    /// cursor of the next page of a full snapshot. A full snapshot also answers a `since` older
    /// than the deletes global still remembers (pruned tombstones).
    pub fn pull_batch(
        &self,
        zone: &str,
        since: u64,
        epoch: &str,
        after: Option<&str>,
    ) -> PullBatch {
        let same_epoch = epoch == self.store.epoch();
        let changes = (since != 0 && same_epoch)
            .then(|| self.store.changes_since_limited(since, MAX_BATCH_ITEMS))
            // A zone behind the pruned tombstones may have missed deletes: it gets a full
            // snapshot (as on first contact), which removes what global no longer has.
            .and_then(Result::ok);
        let mut batch = PullBatch {
            epoch: self.store.epoch().to_owned(),
            full: changes.is_none(),
            ..PullBatch::default()
        };
        let mut budget = Budget::default();
        let Some((revision, records, more)) = changes else {
            let after = after.filter(|_| same_epoch).and_then(parse_cursor);
            let (revision, page, more) = self.store.page_after(after.as_ref(), MAX_SCAN);
            batch.revision = revision;
            batch.more = more;
            let last = page.last().map(|s| s.key());
            for (index, stored) in page.iter().enumerate() {
                let Some(copy) = kds::zone_copy(&stored.resource, zone, self.kuma_version) else {
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
        };
        batch.revision = revision;
        batch.more = more;
        let mut previous_revision = since;
        for (at, record) in records {
            let (value, delete) = match record {
                ChangeRecord::Upsert(stored) => {
                    // Status-only changes do not travel: a zone copy carries no status (each
                    // zone computes its own; global's copies of a zone's resources keep that
                    // zone's).
                    if stored.content_revision <= since {
                        previous_revision = at;
                        continue;
                    }
                    match kds::zone_copy(&stored.resource, zone, self.kuma_version) {
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
        // Global's key -> the renamed copies this zone holds of it; one scan of the zone's
        // store serves a whole batch.
        let mut renamed: Option<BTreeMap<ResourceKey, Vec<ResourceKey>>> = None;
        let mut copies_by_global_key = || {
            let (_, all) = self.store.snapshot();
            let mut map: BTreeMap<ResourceKey, Vec<ResourceKey>> = BTreeMap::new();
            for stored in all {
                if let Some(global_key) = kds::global_key_of_zone_copy(&stored.resource) {
                    map.entry(global_key).or_default().push(stored.key());
                }
            }
            map
        };
        let mut stale = Vec::new();
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
            // A change that renames the copy (a zone label added on global changes
            // the KDS name) leaves the copy under the old name behind: Kuma's snapshot sync
            // drops it, so drop it here.
            if let Some(global_key) = kds::global_key_of_zone_copy(&resource) {
                let by_global_key = renamed.get_or_insert_with(&mut copies_by_global_key);
                stale.extend(
                    by_global_key
                        .get(&global_key)
                        .into_iter()
                        .flatten()
                        .filter(|copy| **copy != key)
                        .cloned(),
                );
            }
            ops.push(BatchOp::put(resource));
        }
        for copy in stale {
            if !in_batch.contains(&copy) {
                ops.push(BatchOp::Delete(copy));
            }
        }
        // Deletes name global's keys; the zone copies may be renamed (hash suffix), so they are
        // found by display name.
        for key in &batch.deletes {
            if self
                .store
                .get(key)
                .is_some_and(|existing| is_from_global(&existing.resource))
            {
                ops.push(BatchOp::Delete(key.clone()));
                continue;
            }
            if !kds::renamed_for_zones(key.resource_type) {
                continue;
            }
            let by_global_key = renamed.get_or_insert_with(&mut copies_by_global_key);
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
        self.cascade_mesh_deletes(&mut ops);
        self.store.apply_batch(ops).map(|_| ())
    }

    /// A Mesh deleted on global takes with it everything this zone holds in that mesh, its own
    /// MeshServices included, as Kuma's store deletes what a Mesh owns; a resource must not
    /// outlive its mesh.
    fn cascade_mesh_deletes(&self, ops: &mut Vec<BatchOp>) {
        let gone: BTreeSet<String> = ops
            .iter()
            .filter_map(|op| match op {
                BatchOp::Delete(key) if key.resource_type == ResourceType::Mesh => {
                    Some(key.name.clone())
                }
                _ => None,
            })
            .collect();
        if gone.is_empty() {
            return;
        }
        let deleted: BTreeSet<ResourceKey> = ops
            .iter()
            .filter_map(|op| match op {
                BatchOp::Delete(key) => Some(key.clone()),
                _ => None,
            })
            .collect();
        let (_, all) = self.store.snapshot();
        for stored in all {
            let key = stored.key();
            if key.resource_type.is_mesh_scoped()
                && gone.contains(&key.mesh)
                && !deleted.contains(&key)
            {
                ops.push(BatchOp::Delete(key));
            }
        }
    }

    /// Zone: the batches of own MeshServices changed after `since` (the full set when `since`
    /// is 0 or older than the deletes this zone still remembers), each within the size limits, and the revision they bring global to.
    /// Each resource goes with its status, and a change of status alone is sent too: Kuma's KDS
    /// sends a zone's resources to global with their status and global updates its copy when
    /// the status changed (v2.14.3 `pkg/kds/util/resource.go:57-72`,
    /// `pkg/kds/v2/store/sync.go:232-234`; only the global -> zone mappers remove it).
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
        // Behind the pruned tombstones (deletes may be missed): push the full set, which makes
        // global drop what the zone no longer has.
        let changes = (since != 0)
            .then(|| self.store.changes_since(since))
            .and_then(Result::ok);
        let Some((revision, records)) = changes else {
            current.full = true;
            let (revision, all) = self.store.snapshot();
            let mut last: Option<ResourceKey> = None;
            for stored in all.iter().filter(|s| kds::travels_to_global(&s.resource)) {
                let value = to_json(stored, &stored.resource);
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
        };
        for record in records {
            let (value, delete) = match record {
                // Status changes travel too: global keeps the status the zone computed.
                ChangeRecord::Upsert(stored) => {
                    if !kds::travels_to_global(&stored.resource) {
                        continue;
                    }
                    (Some(to_json(&stored, &stored.resource)), None)
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

    /// Global: check a resource a zone sent as a REST PUT on that zone would, and give the copy
    /// global stores ([`kds::global_copy`]: its KDS name and the core's zone labels) and the
    /// status the zone sent with it, which global keeps (Kuma's zone -> global KDS carries the
    /// status; `kds::global_copy` leaves it out, as the REST checks do, so it is taken from the
    /// pushed item itself).
    fn accept_pushed(
        &self,
        zone: &str,
        value: &Value,
    ) -> Result<(Resource, Option<Value>), Rejected> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("");
        let reject = |error: String| Rejected {
            mesh: text("mesh").to_owned(),
            name: text("name").to_owned(),
            error,
        };
        let Some(resource_type) =
            ResourceType::from_name(text("type")).filter(|t| kds::type_travels_to_global(*t))
        else {
            return Err(reject(format!(
                "only MeshServices, HostnameGenerators and MeshLoadBalancingStrategies travel from zones to global, not {:?}",
                text("type")
            )));
        };
        let body = serde_json::to_vec(value).map_err(|e| reject(e.to_string()))?;
        let mode = Mode::Zone {
            name: zone.to_owned(),
            federated: true,
        };
        let (mesh, name) = (text("mesh"), text("name"));
        let prepared = api::prepare_put(
            &mode,
            self.kuma_version,
            resource_type,
            resource_type.is_mesh_scoped().then_some(mesh),
            name,
            &body,
            StoreView {
                mesh_exists: self.store.mesh_exists(mesh),
                existing: None,
            },
        )
        .map_err(|e| reject(describe_api_error(&e)))?;
        let copy = kds::global_copy(&prepared.resource, zone)
            .ok_or_else(|| reject("does not travel to global".to_owned()))?;
        let status = value.get("status").filter(|s| !s.is_null()).cloned();
        Ok((copy, status))
    }

    /// Global: apply the resources a zone sent under their KDS names
    /// (`HashedName`), each checked as a REST PUT on the zone would be; refused ones are listed
    /// in the answer.
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
        // Zone keys of refused resources: a copy global already holds of one stays, as Kuma's
        // KDS NACKs a resource it refuses and neither writes nor deletes it (master
        // `pkg/kds/store/sync.go` `isValidResource`), e.g. a `kafka` port stored under 2.14 that a
        // 3.0 global refuses after an upgrade.
        let mut refused: BTreeSet<ResourceKey> = BTreeSet::new();
        let mut ops = Vec::new();
        for value in &batch.upserts {
            match self.accept_pushed(zone, value) {
                Ok((resource, status)) => {
                    let key = key_of(&resource);
                    seen.insert(key.clone());
                    ops.push(BatchOp::put(resource));
                    // Written only when it differs from the copy's (Kuma's global updates a
                    // copy whose status changed), without a new spec version.
                    if let Some(status) = status {
                        ops.push(BatchOp::Status(key, status));
                    }
                }
                Err(rejected) => {
                    tracing::warn!(zone, mesh = %rejected.mesh, name = %rejected.name, error = %rejected.error, "refused a pushed resource");
                    let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("");
                    if let Some(resource_type) = ResourceType::from_name(text("type")) {
                        refused.insert(ResourceKey {
                            resource_type,
                            mesh: text("mesh").to_owned(),
                            name: text("name").to_owned(),
                        });
                    }
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
            for stored in ResourceType::ALL
                .into_iter()
                .filter(|t| kds::type_travels_to_global(*t))
                .flat_map(|t| self.store.all_of(t, None))
            {
                let zone_key = kds::zone_key_of_global_copy(&stored.resource);
                if kds::is_of_zone(&stored.resource, zone)
                    && !seen.contains(&stored.key())
                    && !refused.contains(&zone_key)
                    && in_range(&zone_key)
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

    /// A resource global now refuses (after an upgrade, say) is NACKed as Kuma's KDS does: not
    /// written, and the copy global already holds stays; its siblings sync as usual.
    #[test]
    fn a_full_push_keeps_the_copy_of_a_resource_global_now_refuses() {
        let global = control_plane(Mode::Global);
        let zone = control_plane(zone_mode());
        put(&zone, ResourceType::MeshService, "ok");
        put(&zone, ResourceType::MeshService, "kept");
        let (_, batches) = zone.push_batches(0);
        for batch in &batches {
            assert!(global.apply_push(batch).unwrap().rejected.is_empty());
        }
        // The zone's `kept` now carries what this global refuses (a `kafka` port under 3.0).
        let mut batch = zone.push_batches(0).1.remove(0);
        for value in &mut batch.upserts {
            if value["name"] == "kept" {
                value["spec"]["ports"][0]["appProtocol"] = serde_json::json!("kafka");
            }
        }
        let ack = global.apply_push(&batch).unwrap();
        assert_eq!(ack.rejected.len(), 1, "{:?}", ack.rejected);
        let names: Vec<String> = (global.store.all_of(ResourceType::MeshService, None).iter())
            .map(|s| s.resource.meta.display_name().to_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains(&"kept".to_owned()), "{names:?}");
    }
}
