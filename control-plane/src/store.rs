//! The resource store of one control plane: an in-memory index, optionally written through to
//! SQLite (WAL, `synchronous=FULL`) before a write is acknowledged.
//!
//! Every change gets a store-wide revision; `changes_since` answers "what changed after revision
//! N" for the status engine and KDS sync without scanning the store. A random epoch per process
//! lets remote readers notice that revisions restarted.
//!
//! Deletes are remembered as tombstones so that readers learn about them, but only the newest
//! [`DEFAULT_TOMBSTONE_LIMIT`] (or [`Store::with_tombstone_limit`]) are kept, like etcd's
//! compaction: older ones are pruned and [`Store::compacted_below`] records up to which revision
//! deletes may be forgotten. A reader whose cursor is below it gets [`Compacted`] instead of
//! changes and reads a full snapshot (KDS sync re-uses its first-contact path). Tombstones are
//! never persisted: a reopened store starts a new epoch, which already sends every remote reader
//! a full snapshot, so nothing is lost across restarts.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use kuma_mzs_core::api::{self, ListFilter, Page, RestItem, Times};
use kuma_mzs_core::preview::ResourceKey;
use kuma_mzs_core::{Resource, ResourceType};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use tokio::sync::watch;

/// A stored resource with its bookkeeping.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The resource (status included).
    pub resource: Resource,
    /// RFC 3339 creation time.
    pub creation_time: String,
    /// RFC 3339 time of the last change.
    pub modification_time: String,
    /// Spec version for optimistic concurrency (`ETag`): +1 on every write of meta or spec
    /// (status writes by the status engine leave it alone, so a client's `If-Match` from its
    /// own PUT stays valid). A re-created resource starts above every version a deleted
    /// resource of this store ever had, so a version is never reused for a name.
    pub version: u64,
    /// Store revision of the last change (spec, labels or status).
    pub revision: u64,
    /// Store revision of the last change to anything but status.
    pub content_revision: u64,
    /// Store revision at which this incarnation was created: a resource deleted and created
    /// again under the same key gets a new generation, so readers of the change feed that only
    /// see its latest state still notice it is a new resource.
    pub generation: u64,
}

impl Stored {
    /// Key of the resource.
    pub fn key(&self) -> ResourceKey {
        key_of(&self.resource)
    }

    /// Its times for rendering.
    pub fn times(&self) -> Times<'_> {
        Times {
            creation: &self.creation_time,
            modification: &self.modification_time,
        }
    }
}

/// The key of a resource.
pub fn key_of(resource: &Resource) -> ResourceKey {
    ResourceKey {
        resource_type: resource.resource_type(),
        mesh: resource.meta.mesh.clone(),
        name: resource.meta.name.clone(),
    }
}

/// One entry of [`Store::changes_since`].
#[derive(Debug, Clone)]
pub enum ChangeRecord {
    /// Created or updated (current state).
    Upsert(Arc<Stored>),
    /// Deleted.
    Delete(ResourceKey),
}

/// [`Store::changes_since`] cannot answer: deletes after the reader's cursor may have been
/// pruned, so the reader must start over from a full snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the change log is compacted up to revision {compacted_below}; read a full snapshot")]
pub struct Compacted {
    /// [`Store::compacted_below`] at the time of the read.
    pub compacted_below: u64,
}

/// How many tombstones (deleted keys) a store keeps by default for readers that are behind.
/// About 100-200 bytes each; readers more than this many deletes behind resync.
pub const DEFAULT_TOMBSTONE_LIMIT: usize = 10_000;

/// What a write expects to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Anything.
    Any,
    /// The resource must exist with this version (`If-Match`).
    Version(u64),
    /// The resource must exist with one of these versions (`If-Match: "3", "4"`; a weak tag
    /// never matches, RFC 9110 §13.1.1 compares strongly).
    OneOf(Vec<u64>),
    /// The resource must exist (`If-Match: *`).
    Exists,
    /// The resource must not exist (`If-None-Match: *`).
    Absent,
    /// The resource must not exist with one of these versions (`If-None-Match: "<v>", ...`).
    NoneOf(Vec<u64>),
}

fn none_of_refused(versions: &[u64], existing: &Stored) -> Option<StoreError> {
    versions.contains(&existing.version).then(|| {
        StoreError::PreconditionFailed(format!(
            "resource version is {}, If-None-Match refused it",
            existing.version
        ))
    })
}

fn one_of_refused(versions: &[u64], existing: &Stored) -> Option<StoreError> {
    (!versions.contains(&existing.version)).then(|| {
        StoreError::PreconditionFailed(format!(
            "resource version is {}, If-Match named none of it",
            existing.version
        ))
    })
}

/// `If-Match` / `If-None-Match: *` on a DELETE of an existing resource.
fn check_delete_precondition(expect: &Expect, existing: &Stored) -> Result<(), StoreError> {
    if let Expect::NoneOf(versions) = expect {
        return none_of_refused(versions, existing).map_or(Ok(()), Err);
    }
    if let Expect::OneOf(versions) = expect {
        return one_of_refused(versions, existing).map_or(Ok(()), Err);
    }
    match *expect {
        Expect::Version(v) if existing.version != v => {
            Err(StoreError::PreconditionFailed(format!(
                "resource version is {}, If-Match asked for {v}",
                existing.version
            )))
        }
        Expect::Absent => Err(StoreError::PreconditionFailed(
            "resource exists, If-None-Match: * asked for none".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// What to do with the stored status on a write.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusWrite {
    /// Keep what is stored (REST updates and KDS updates never touch status).
    Keep,
    /// Replace with the given status.
    Replace(Option<Value>),
}

/// One operation of [`Store::apply_batch`].
#[derive(Debug, Clone)]
pub enum BatchOp {
    /// Create or update, keeping the stored status; a no-op when meta and spec are unchanged.
    /// Boxed: a resource is several times the size of the other operations.
    Put(Box<Resource>),
    /// Delete if present.
    Delete(ResourceKey),
    /// Replace the status of an existing resource if it differs.
    Status(ResourceKey, Value),
}

impl BatchOp {
    /// [`BatchOp::Put`] of `resource`.
    pub fn put(resource: Resource) -> Self {
        Self::Put(Box::new(resource))
    }
}

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `If-Match` / `If-None-Match` did not hold.
    #[error("{0}")]
    PreconditionFailed(String),
    /// The resource does not exist.
    #[error("not found")]
    NotFound,
    /// The mesh the resource would live in does not exist (any more).
    #[error("mesh {0:?} does not exist")]
    MeshMissing(String),
    /// SQLite failed; the write was not applied.
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored row could not be decoded.
    #[error("corrupt stored resource {key}: {message}")]
    Corrupt {
        /// Which row.
        key: String,
        /// Why.
        message: String,
    },
}

#[derive(Default)]
struct Inner {
    entries: BTreeMap<ResourceKey, Arc<Stored>>,
    by_revision: BTreeMap<u64, ResourceKey>,
    tombstones: BTreeMap<ResourceKey, u64>,
    /// The same tombstones by revision (oldest first), to prune the oldest cheaply.
    tombstones_by_revision: BTreeMap<u64, ResourceKey>,
    /// Tombstones at or below this revision may have been pruned: readers whose cursor is
    /// below it must read a full snapshot (0: nothing pruned).
    compacted_below: u64,
    revision: u64,
    /// The highest version any deleted resource had (persisted): creates start above it.
    deleted_versions_high_water: u64,
}

impl Inner {
    /// The version of a resource created now.
    fn first_version(&self) -> u64 {
        self.deleted_versions_high_water + 1
    }

    /// Remember that `key` was deleted at `revision` (its place in the revision log).
    fn add_tombstone(&mut self, key: ResourceKey, revision: u64) {
        if let Some(older) = self.tombstones.insert(key.clone(), revision) {
            self.tombstones_by_revision.remove(&older);
            self.by_revision.remove(&older);
        }
        self.tombstones_by_revision.insert(revision, key);
    }

    /// Forget the tombstone of a key that exists again (the new entry supersedes it).
    fn remove_tombstone(&mut self, key: &ResourceKey) {
        if let Some(revision) = self.tombstones.remove(key) {
            self.tombstones_by_revision.remove(&revision);
            self.by_revision.remove(&revision);
        }
    }

    /// Drop the oldest tombstones beyond `limit`, moving [`Inner::compacted_below`] up.
    fn prune_tombstones(&mut self, limit: usize) {
        while self.tombstones.len() > limit {
            let Some((revision, key)) = self.tombstones_by_revision.pop_first() else {
                break;
            };
            self.tombstones.remove(&key);
            self.by_revision.remove(&revision);
            self.compacted_below = self.compacted_below.max(revision);
        }
    }

    /// Whether a reader at `revision` may have missed pruned deletes (a reader at 0 knows
    /// nothing yet, so it misses nothing by reading the current state).
    fn check_cursor(&self, revision: u64) -> Result<(), Compacted> {
        if revision != 0 && revision < self.compacted_below {
            return Err(Compacted {
                compacted_below: self.compacted_below,
            });
        }
        Ok(())
    }
}

/// `meta` row holding [`Inner::deleted_versions_high_water`].
const HIGH_WATER_KEY: &str = "deleted_versions_high_water";

/// The store.
pub struct Store {
    inner: RwLock<Inner>,
    /// Serialises writers and owns the database connection (None: memory only).
    writer: Mutex<Option<Connection>>,
    revision_tx: watch::Sender<u64>,
    epoch: String,
    /// Test hook (`--chaos-store-full-file`): while this file exists every write fails as if
    /// the disk were full.
    fault_file: Option<std::path::PathBuf>,
    /// Most tombstones kept ([`DEFAULT_TOMBSTONE_LIMIT`]).
    tombstone_limit: usize,
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

fn type_str(t: ResourceType) -> &'static str {
    t.name()
}

impl Store {
    /// An in-memory store.
    pub fn memory() -> Self {
        Self::with_connection(None)
    }

    fn with_connection(conn: Option<Connection>) -> Self {
        let (revision_tx, _) = watch::channel(0);
        Self {
            inner: RwLock::new(Inner::default()),
            writer: Mutex::new(conn),
            revision_tx,
            epoch: format!("{:016x}", rand::random::<u64>()),
            fault_file: None,
            tombstone_limit: DEFAULT_TOMBSTONE_LIMIT,
        }
    }

    /// Open (or create) a SQLite-backed store at `path` and load everything in it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS resources (
                type TEXT NOT NULL, mesh TEXT NOT NULL, name TEXT NOT NULL,
                body TEXT NOT NULL, version INTEGER NOT NULL,
                creation_time TEXT NOT NULL, modification_time TEXT NOT NULL,
                PRIMARY KEY (type, mesh, name));
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);",
        )?;
        let high_water: i64 = conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![HIGH_WATER_KEY],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let mut rows: Vec<Stored> = Vec::new();
        {
            let mut stmt = conn.prepare(
                "SELECT type, mesh, name, body, version, creation_time, modification_time FROM resources",
            )?;
            let mut query = stmt.query([])?;
            while let Some(row) = query.next()? {
                let type_name: String = row.get(0)?;
                let mesh: String = row.get(1)?;
                let name: String = row.get(2)?;
                let body: String = row.get(3)?;
                let version: i64 = row.get(4)?;
                let key = format!("{type_name}/{mesh}/{name}");
                let corrupt = |message: String| StoreError::Corrupt {
                    key: key.clone(),
                    message,
                };
                let resource_type = ResourceType::from_name(&type_name)
                    .ok_or_else(|| corrupt("unknown type".to_owned()))?;
                let value: Value =
                    serde_json::from_str(&body).map_err(|e| corrupt(e.to_string()))?;
                let resource = api::decode_value(resource_type, value).map_err(corrupt)?;
                rows.push(Stored {
                    resource,
                    creation_time: row.get(5)?,
                    modification_time: row.get(6)?,
                    version: u64::try_from(version).unwrap_or(0),
                    revision: 0,
                    content_revision: 0,
                    generation: 0,
                });
            }
        }
        let store = Self::with_connection(Some(conn));
        {
            let mut inner = store.write_inner();
            inner.deleted_versions_high_water = u64::try_from(high_water).unwrap_or(0);
            for mut row in rows {
                inner.revision += 1;
                row.revision = inner.revision;
                row.content_revision = inner.revision;
                row.generation = inner.revision;
                let key = row.key();
                inner.by_revision.insert(row.revision, key.clone());
                inner.entries.insert(key, Arc::new(row));
            }
            let revision = inner.revision;
            drop(inner);
            store.revision_tx.send_replace(revision);
        }
        Ok(store)
    }

    /// Test hook: while `file` exists, every write fails with SQLite's "disk full" error and
    /// changes nothing (memory and database stay as they were).
    pub fn with_fault_file(mut self, file: Option<std::path::PathBuf>) -> Self {
        self.fault_file = file;
        self
    }

    /// Keep at most `limit` tombstones (0 keeps none: every reader that is behind a delete
    /// reads a full snapshot).
    pub fn with_tombstone_limit(mut self, limit: usize) -> Self {
        self.tombstone_limit = limit;
        self
    }

    /// How many deletes the store remembers for readers that are behind.
    pub fn tombstone_count(&self) -> usize {
        self.read_inner().tombstones.len()
    }

    /// Readers whose cursor is below this revision get [`Compacted`] (0: nothing pruned yet).
    pub fn compacted_below(&self) -> u64 {
        self.read_inner().compacted_below
    }

    fn injected_fault(&self) -> Result<(), StoreError> {
        match &self.fault_file {
            Some(file) if file.exists() => Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some(format!(
                    "database or disk is full (injected: {} exists)",
                    file.display()
                )),
            ))),
            _ => Ok(()),
        }
    }

    fn read_inner(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_inner(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    fn writer(&self) -> MutexGuard<'_, Option<Connection>> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Random id of this store instance; revisions are only comparable within one epoch.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// Whether writes go to disk.
    pub fn is_persistent(&self) -> bool {
        self.writer().is_some()
    }

    /// Subscribe to the current revision.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.revision_tx.subscribe()
    }

    /// The current revision.
    pub fn revision(&self) -> u64 {
        self.read_inner().revision
    }

    /// One resource.
    pub fn get(&self, key: &ResourceKey) -> Option<Arc<Stored>> {
        self.read_inner().entries.get(key).cloned()
    }

    /// Whether a mesh exists.
    pub fn mesh_exists(&self, mesh: &str) -> bool {
        self.get(&ResourceKey {
            resource_type: ResourceType::Mesh,
            mesh: String::new(),
            name: mesh.to_owned(),
        })
        .is_some()
    }

    /// Every resource of a type (optionally in one mesh), in key order.
    pub fn all_of(&self, resource_type: ResourceType, mesh: Option<&str>) -> Vec<Arc<Stored>> {
        let inner = self.read_inner();
        Self::range(&inner, resource_type, mesh)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn range<'a>(
        inner: &'a Inner,
        resource_type: ResourceType,
        mesh: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a ResourceKey, &'a Arc<Stored>)> + 'a {
        let start = ResourceKey {
            resource_type,
            mesh: mesh.unwrap_or("").to_owned(),
            name: String::new(),
        };
        inner.entries.range(start..).take_while(move |(k, _)| {
            k.resource_type == resource_type && mesh.is_none_or(|m| k.mesh == m)
        })
    }

    /// One page of a list, and the total number of matches.
    pub fn list(
        &self,
        resource_type: ResourceType,
        mesh: Option<&str>,
        filter: &ListFilter,
        page: Page,
    ) -> (usize, Vec<Arc<Stored>>) {
        let inner = self.read_inner();
        let mut total = 0;
        let mut items = Vec::new();
        for (_, stored) in Self::range(&inner, resource_type, mesh) {
            if !filter.matches(&stored.resource.meta) {
                continue;
            }
            if total >= page.offset && items.len() < page.size {
                items.push(stored.clone());
            }
            total += 1;
        }
        (total, items)
    }

    /// The row body of `stored`: its REST item, with the status exactly as held in memory
    /// (the REST item renders a status, e.g. a MeshService's always with `tls` and
    /// `dataplaneProxies`). [`Store::open`] reads back the very status that was written, so
    /// after a restart a status engine that computes the same status finds nothing to write,
    /// and nothing's `modificationTime` moves (Kuma's updaters write only on change).
    fn row_body(stored: &Stored) -> Result<String, StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            key: stored.resource.meta.name.clone(),
            message: e.to_string(),
        };
        let mut body = serde_json::to_value(RestItem {
            resource: &stored.resource,
            times: stored.times(),
        })
        .map_err(corrupt)?;
        if let Value::Object(map) = &mut body {
            match &stored.resource.status {
                Some(status) => {
                    map.insert("status".to_owned(), status.clone());
                }
                None => {
                    map.remove("status");
                }
            }
        }
        serde_json::to_string(&body).map_err(corrupt)
    }

    fn persist(conn: &Connection, stored: &Stored) -> Result<(), StoreError> {
        let body = Self::row_body(stored)?;
        let key = stored.key();
        conn.execute(
            "INSERT INTO resources (type, mesh, name, body, version, creation_time, modification_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(type, mesh, name) DO UPDATE SET body = excluded.body,
               version = excluded.version, modification_time = excluded.modification_time",
            params![
                type_str(key.resource_type),
                key.mesh,
                key.name,
                body,
                i64::try_from(stored.version).unwrap_or(i64::MAX),
                stored.creation_time,
                stored.modification_time
            ],
        )?;
        Ok(())
    }

    fn publish(&self, inner: RwLockWriteGuard<'_, Inner>) {
        let revision = inner.revision;
        drop(inner);
        self.revision_tx.send_replace(revision);
    }

    /// Create or update. Returns the stored resource and whether it was created.
    /// With SQLite, the row is committed (fsync) before this returns.
    pub fn put(
        &self,
        resource: Resource,
        expect: Expect,
        status: StatusWrite,
    ) -> Result<(Arc<Stored>, bool), StoreError> {
        self.put_checked(resource, expect, status, false)
    }

    /// [`Store::put`], and with `mesh_must_exist` a resource of a mesh-scoped type is only
    /// written while its mesh exists ([`StoreError::MeshMissing`] otherwise). The check and the
    /// write hold the writer lock together, so they are serialised with
    /// [`Store::delete_mesh`]: no resource outlives its mesh.
    pub fn put_checked(
        &self,
        mut resource: Resource,
        expect: Expect,
        status: StatusWrite,
        mesh_must_exist: bool,
    ) -> Result<(Arc<Stored>, bool), StoreError> {
        let key = key_of(&resource);
        let writer = self.writer();
        self.injected_fault()?;
        if mesh_must_exist
            && key.resource_type.is_mesh_scoped()
            && !self.mesh_exists(&resource.meta.mesh)
        {
            return Err(StoreError::MeshMissing(resource.meta.mesh.clone()));
        }
        let existing = self.get(&key);
        match (&expect, &existing) {
            (Expect::NoneOf(versions), Some(e)) => {
                if let Some(refused) = none_of_refused(versions, e) {
                    return Err(refused);
                }
            }
            (&Expect::Version(v), Some(e)) if e.version != v => {
                return Err(StoreError::PreconditionFailed(format!(
                    "resource version is {}, If-Match asked for {v}",
                    e.version
                )))
            }
            (Expect::OneOf(versions), Some(e)) => {
                if let Some(refused) = one_of_refused(versions, e) {
                    return Err(refused);
                }
            }
            (Expect::Version(_) | Expect::OneOf(_) | Expect::Exists, None) => {
                return Err(StoreError::PreconditionFailed(
                    "resource does not exist, If-Match asked for a version".to_owned(),
                ))
            }
            (Expect::Absent, Some(_)) => {
                return Err(StoreError::PreconditionFailed(
                    "resource already exists".to_owned(),
                ))
            }
            _ => {}
        }
        match status {
            StatusWrite::Keep => {
                resource.status = existing.as_ref().and_then(|e| e.resource.status.clone())
            }
            StatusWrite::Replace(s) => resource.status = s,
        }
        let now = now_rfc3339();
        let created = existing.is_none();
        let stored = Stored {
            resource,
            creation_time: existing
                .as_ref()
                .map_or_else(|| now.clone(), |e| e.creation_time.clone()),
            modification_time: now,
            version: match &existing {
                Some(e) => e.version + 1,
                None => self.read_inner().first_version(),
            },
            revision: 0,
            content_revision: 0,
            generation: existing.as_ref().map_or(0, |e| e.generation),
        };
        let old_revision = existing.as_ref().map(|e| e.revision);
        let stored = self.commit_one(&writer, key, stored, old_revision, true)?;
        drop(writer);
        Ok((stored, created))
    }

    /// Persist `stored` (when the store is durable) and publish it as the next revision,
    /// replacing the entry indexed at `old_revision`. `content_changed`: more than the status
    /// changed (KDS sync sends only content changes). The caller holds the writer lock.
    fn commit_one(
        &self,
        writer: &MutexGuard<'_, Option<Connection>>,
        key: ResourceKey,
        mut stored: Stored,
        old_revision: Option<u64>,
        content_changed: bool,
    ) -> Result<Arc<Stored>, StoreError> {
        if let Some(conn) = writer.as_ref() {
            Self::persist(conn, &stored)?;
        }
        let mut inner = self.write_inner();
        inner.revision += 1;
        stored.revision = inner.revision;
        if content_changed {
            stored.content_revision = inner.revision;
        }
        if old_revision.is_none() {
            stored.generation = inner.revision;
        }
        if let Some(old) = old_revision {
            inner.by_revision.remove(&old);
        }
        // A re-created key's tombstone (and its place in the revision log) is superseded by the
        // new entry; without this, every delete/re-create cycle left one log entry behind.
        inner.remove_tombstone(&key);
        inner.by_revision.insert(stored.revision, key.clone());
        let stored = Arc::new(stored);
        inner.entries.insert(key, stored.clone());
        self.publish(inner);
        Ok(stored)
    }

    /// Apply many operations as one SQLite transaction (one fsync) and one revision publish.
    /// Returns how many resources changed.
    pub fn apply_batch(&self, ops: Vec<BatchOp>) -> Result<usize, StoreError> {
        let writer = self.writer();
        self.apply_batch_locked(&writer, ops)
    }

    /// [`Store::apply_batch`] with the writer lock already held.
    fn apply_batch_locked(
        &self,
        writer: &MutexGuard<'_, Option<Connection>>,
        ops: Vec<BatchOp>,
    ) -> Result<usize, StoreError> {
        if !ops.is_empty() {
            self.injected_fault()?;
        }
        let first_version = self.read_inner().first_version();
        // key -> (new state or None for deleted, whether anything but status changed)
        let mut overlay: BTreeMap<ResourceKey, (Option<Stored>, bool)> = BTreeMap::new();
        let now = now_rfc3339();
        for op in ops {
            let key = match &op {
                BatchOp::Put(r) => key_of(r),
                BatchOp::Delete(k) | BatchOp::Status(k, _) => k.clone(),
            };
            let current: Option<Stored> = match overlay.get(&key) {
                Some((state, _)) => state.clone(),
                None => self.get(&key).map(|s| (*s).clone()),
            };
            let content_changed = overlay.get(&key).is_some_and(|(_, c)| *c);
            let next = match op {
                BatchOp::Put(resource) => {
                    let mut resource = *resource;
                    if current.as_ref().is_some_and(|c| {
                        c.resource.meta == resource.meta && c.resource.spec == resource.spec
                    }) {
                        continue;
                    }
                    resource.status = current.as_ref().and_then(|c| c.resource.status.clone());
                    let stored = Stored {
                        resource,
                        creation_time: current
                            .as_ref()
                            .map_or_else(|| now.clone(), |c| c.creation_time.clone()),
                        modification_time: now.clone(),
                        version: current.as_ref().map_or(first_version, |c| c.version + 1),
                        revision: 0,
                        content_revision: 0,
                        generation: current.as_ref().map_or(0, |c| c.generation),
                    };
                    (Some(stored), true)
                }
                BatchOp::Delete(_) => {
                    if current.is_none() {
                        continue;
                    }
                    (None, true)
                }
                BatchOp::Status(_, status) => {
                    let Some(mut stored) = current else { continue };
                    if stored.resource.status.as_ref() == Some(&status) {
                        continue;
                    }
                    stored.resource.status = Some(status);
                    stored.modification_time = now.clone();
                    (Some(stored), content_changed)
                }
            };
            overlay.insert(key, (next.0, next.1 || content_changed));
        }
        if overlay.is_empty() {
            return Ok(0);
        }
        // Versions of what this batch deletes; creates after it start above them.
        let high_water = overlay
            .iter()
            .filter(|(_, (state, _))| state.is_none())
            .filter_map(|(key, _)| self.get(key).map(|s| s.version))
            .max();
        if let Some(conn) = writer.as_ref() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let written: Result<(), StoreError> =
                overlay
                    .iter()
                    .try_for_each(|(key, (state, _))| match state {
                        Some(stored) => Self::persist(conn, stored),
                        None => conn
                            .execute(
                                "DELETE FROM resources WHERE type = ?1 AND mesh = ?2 AND name = ?3",
                                params![type_str(key.resource_type), key.mesh, key.name],
                            )
                            .map(|_| ())
                            .map_err(StoreError::from),
                    });
            let written = written.and_then(|()| match high_water {
                Some(v) => Self::persist_high_water(conn, v),
                None => Ok(()),
            });
            match written {
                Ok(()) => conn.execute_batch("COMMIT")?,
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        let changed = overlay.len();
        let mut inner = self.write_inner();
        if let Some(v) = high_water {
            inner.deleted_versions_high_water = inner.deleted_versions_high_water.max(v);
        }
        for (key, (state, content_changed)) in overlay {
            inner.revision += 1;
            let revision = inner.revision;
            let previous = inner.entries.get(&key).cloned();
            if let Some(previous) = &previous {
                inner.by_revision.remove(&previous.revision);
            }
            inner.remove_tombstone(&key);
            inner.by_revision.insert(revision, key.clone());
            match state {
                Some(mut stored) => {
                    stored.revision = revision;
                    if previous.is_none() || stored.generation == 0 {
                        stored.generation = revision;
                    }
                    stored.content_revision = if content_changed || previous.is_none() {
                        revision
                    } else {
                        previous.as_ref().map_or(revision, |p| p.content_revision)
                    };
                    inner.entries.insert(key, Arc::new(stored));
                }
                None => {
                    inner.entries.remove(&key);
                    inner.add_tombstone(key, revision);
                }
            }
        }
        inner.prune_tombstones(self.tombstone_limit);
        self.publish(inner);
        Ok(changed)
    }

    fn persist_high_water(conn: &Connection, version: u64) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = MAX(value, excluded.value)",
            params![HIGH_WATER_KEY, i64::try_from(version).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// Replace the status of an existing resource if it differs; returns whether it changed.
    pub fn set_status(&self, key: &ResourceKey, status: Value) -> Result<bool, StoreError> {
        let writer = self.writer();
        self.injected_fault()?;
        let Some(existing) = self.get(key) else {
            return Ok(false);
        };
        if existing.resource.status.as_ref() == Some(&status) {
            return Ok(false);
        }
        let mut stored = (*existing).clone();
        stored.resource.status = Some(status);
        stored.modification_time = now_rfc3339();
        self.commit_one(&writer, key.clone(), stored, Some(existing.revision), false)?;
        drop(writer);
        Ok(true)
    }

    /// Delete. Returns the deleted resource.
    pub fn delete(&self, key: &ResourceKey, expect: Expect) -> Result<Arc<Stored>, StoreError> {
        let writer = self.writer();
        self.injected_fault()?;
        let Some(existing) = self.get(key) else {
            return Err(StoreError::NotFound);
        };
        check_delete_precondition(&expect, &existing)?;
        if let Some(conn) = writer.as_ref() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let written = conn
                .execute(
                    "DELETE FROM resources WHERE type = ?1 AND mesh = ?2 AND name = ?3",
                    params![type_str(key.resource_type), key.mesh, key.name],
                )
                .map_err(StoreError::from)
                .and_then(|_| Self::persist_high_water(conn, existing.version));
            match written {
                Ok(()) => conn.execute_batch("COMMIT")?,
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        let mut inner = self.write_inner();
        inner.deleted_versions_high_water = inner.deleted_versions_high_water.max(existing.version);
        inner.revision += 1;
        let revision = inner.revision;
        inner.entries.remove(key);
        inner.by_revision.remove(&existing.revision);
        inner.by_revision.insert(revision, key.clone());
        inner.add_tombstone(key.clone(), revision);
        inner.prune_tombstones(self.tombstone_limit);
        self.publish(inner);
        drop(writer);
        Ok(existing)
    }

    /// Delete a Mesh and every resource of `cascade` types in it, as one transaction, holding
    /// the writer lock so that no [`Store::put_checked`] into the mesh can interleave.
    /// Returns how many resources were deleted besides the mesh.
    pub fn delete_mesh(
        &self,
        name: &str,
        expect: Expect,
        cascade: impl Iterator<Item = ResourceType>,
    ) -> Result<usize, StoreError> {
        let writer = self.writer();
        let key = ResourceKey {
            resource_type: ResourceType::Mesh,
            mesh: String::new(),
            name: name.to_owned(),
        };
        let Some(existing) = self.get(&key) else {
            return Err(StoreError::NotFound);
        };
        check_delete_precondition(&expect, &existing)?;
        let mut ops = vec![BatchOp::Delete(key)];
        {
            let inner = self.read_inner();
            for resource_type in cascade {
                ops.extend(
                    Self::range(&inner, resource_type, Some(name))
                        .map(|(k, _)| BatchOp::Delete(k.clone())),
                );
            }
        }
        let deleted = self.apply_batch_locked(&writer, ops)?;
        Ok(deleted.saturating_sub(1))
    }

    /// Everything that changed after `revision` (current state per key, deletes as tombstones),
    /// and the revision it is current to; [`Compacted`] when deletes after `revision` may have
    /// been pruned (read [`Store::snapshot`] instead).
    pub fn changes_since(&self, revision: u64) -> Result<(u64, Vec<ChangeRecord>), Compacted> {
        let inner = self.read_inner();
        inner.check_cursor(revision)?;
        let changes = inner
            .by_revision
            .range(revision.saturating_add(1)..)
            .filter_map(|(_, key)| match inner.entries.get(key) {
                Some(stored) => Some(ChangeRecord::Upsert(stored.clone())),
                None => inner
                    .tombstones
                    .contains_key(key)
                    .then(|| ChangeRecord::Delete(key.clone())),
            })
            .collect();
        Ok((inner.revision, changes))
    }

    /// Like [`Store::changes_since`], but at most `limit` records (at least one), each with the
    /// revision it is current to: a reader that stops after record `i` continues after that
    /// revision. Also says whether records were left. [`Compacted`] as for
    /// [`Store::changes_since`].
    #[allow(clippy::type_complexity)]
    pub fn changes_since_limited(
        &self,
        revision: u64,
        limit: usize,
    ) -> Result<(u64, Vec<(u64, ChangeRecord)>, bool), Compacted> {
        let inner = self.read_inner();
        inner.check_cursor(revision)?;
        let mut changes = Vec::new();
        let mut more = false;
        for (at, key) in inner.by_revision.range(revision.saturating_add(1)..) {
            if changes.len() >= limit.max(1) {
                more = true;
                break;
            }
            match inner.entries.get(key) {
                Some(stored) => changes.push((*at, ChangeRecord::Upsert(stored.clone()))),
                None if inner.tombstones.contains_key(key) => {
                    changes.push((*at, ChangeRecord::Delete(key.clone())))
                }
                None => {}
            }
        }
        let current_to = match changes.last() {
            Some((at, _)) if more => *at,
            _ => inner.revision,
        };
        Ok((current_to, changes, more))
    }

    /// Up to `limit` resources (at least one) in key order after `after` (from the start when
    /// `None`), the revision the store is at, and whether resources were left.
    pub fn page_after(
        &self,
        after: Option<&ResourceKey>,
        limit: usize,
    ) -> (u64, Vec<Arc<Stored>>, bool) {
        use std::ops::Bound;
        let inner = self.read_inner();
        let start = after.map_or(Bound::Unbounded, |k| Bound::Excluded(k.clone()));
        let mut range = inner.entries.range((start, Bound::Unbounded));
        let page: Vec<Arc<Stored>> = range
            .by_ref()
            .take(limit.max(1))
            .map(|(_, v)| v.clone())
            .collect();
        let more = range.next().is_some();
        (inner.revision, page, more)
    }

    /// Every resource and the revision the set is current to.
    pub fn snapshot(&self) -> (u64, Vec<Arc<Stored>>) {
        let inner = self.read_inner();
        (inner.revision, inner.entries.values().cloned().collect())
    }

    /// Check that the database answers (readiness).
    pub fn ping(&self) -> bool {
        match self.writer().as_ref() {
            None => true,
            Some(conn) => conn
                .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .optional()
                .is_ok(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use kuma_mzs_core::model::{Meta, Spec};

    fn mesh(name: &str) -> Resource {
        Resource {
            meta: Meta {
                name: name.into(),
                ..Default::default()
            },
            spec: Spec::Mesh(serde_json::json!({})),
            status: None,
        }
    }

    #[test]
    fn versions_and_conflicts() {
        let store = Store::memory();
        let (s, created) = store
            .put(mesh("a"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        assert!(created);
        assert_eq!(s.version, 1);
        let (s, created) = store
            .put(mesh("a"), Expect::Version(1), StatusWrite::Keep)
            .unwrap();
        assert!(!created);
        assert_eq!(s.version, 2);
        assert!(matches!(
            store.put(mesh("a"), Expect::Version(1), StatusWrite::Keep),
            Err(StoreError::PreconditionFailed(_))
        ));
        assert!(matches!(
            store.put(mesh("a"), Expect::Absent, StatusWrite::Keep),
            Err(StoreError::PreconditionFailed(_))
        ));
    }

    #[test]
    fn changes_since_reports_latest_state_and_deletes() {
        let store = Store::memory();
        store
            .put(mesh("a"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        store
            .put(mesh("b"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        let (rev, _) = store.changes_since(0).unwrap();
        store.delete(&key_of(&mesh("a")), Expect::Any).unwrap();
        store
            .put(mesh("b"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        let (_, changes) = store.changes_since(rev).unwrap();
        assert_eq!(changes.len(), 2);
        assert!(matches!(&changes[0], ChangeRecord::Delete(k) if k.name == "a"));
        assert!(matches!(&changes[1], ChangeRecord::Upsert(s) if s.resource.meta.name == "b"));
    }

    #[test]
    fn batches_skip_no_ops_and_keep_content_revision_on_status() {
        let store = Store::memory();
        let changed = store
            .apply_batch(vec![BatchOp::put(mesh("a")), BatchOp::put(mesh("b"))])
            .unwrap();
        assert_eq!(changed, 2);
        assert_eq!(store.apply_batch(vec![BatchOp::put(mesh("a"))]).unwrap(), 0);
        let key = key_of(&mesh("a"));
        let before = store.get(&key).unwrap().content_revision;
        store
            .apply_batch(vec![BatchOp::Status(
                key.clone(),
                serde_json::json!({"x": 1}),
            )])
            .unwrap();
        let after = store.get(&key).unwrap();
        assert_eq!(after.content_revision, before);
        assert!(after.revision > before);
        // Status writes leave the spec version (ETag) alone.
        assert_eq!(after.version, 1);
        store
            .apply_batch(vec![
                BatchOp::Delete(key.clone()),
                BatchOp::Delete(key.clone()),
            ])
            .unwrap();
        assert!(store.get(&key).is_none());
    }

    #[test]
    fn a_recreated_resource_has_a_new_generation_even_when_the_feed_shows_only_its_last_state() {
        let store = Store::memory();
        let (first, _) = store
            .put(mesh("a"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        let (updated, _) = store
            .put(mesh("a"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        assert_eq!(updated.generation, first.generation);
        let seen = store.revision();
        store.delete(&key_of(&mesh("a")), Expect::Any).unwrap();
        store.apply_batch(vec![BatchOp::put(mesh("a"))]).unwrap();
        // The feed shows no delete, only the current state (the generation tells).
        let (_, changes) = store.changes_since(seen).unwrap();
        assert!(!changes.is_empty());
        assert!(changes
            .iter()
            .all(|c| matches!(c, ChangeRecord::Upsert(s) if s.generation > first.generation)));
        // Deleted and created again inside one batch: a new generation too.
        let before = store.get(&key_of(&mesh("a"))).unwrap().generation;
        store
            .apply_batch(vec![
                BatchOp::Delete(key_of(&mesh("a"))),
                BatchOp::put(mesh("a")),
            ])
            .unwrap();
        assert!(store.get(&key_of(&mesh("a"))).unwrap().generation > before);
    }

    #[test]
    fn limited_change_feeds_and_pages_resume_where_they_stopped() {
        let store = Store::memory();
        for name in ["a", "b", "c", "d", "e"] {
            store
                .put(mesh(name), Expect::Any, StatusWrite::Keep)
                .unwrap();
        }
        let (to, changes, more) = store.changes_since_limited(0, 2).unwrap();
        assert_eq!((changes.len(), more), (2, true));
        let (end, rest, more) = store.changes_since_limited(to, 10).unwrap();
        assert_eq!((rest.len(), more, end), (3, false, store.revision()));
        let (_, page, more) = store.page_after(None, 3);
        assert_eq!((page.len(), more), (3, true));
        let (_, page, more) = store.page_after(Some(&page[2].key()), 3);
        assert_eq!((page.len(), more), (2, false));
        assert_eq!(page[0].resource.meta.name, "d");
    }

    #[test]
    fn a_re_created_resource_never_gets_a_version_it_had_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let key = key_of(&mesh("a"));
        {
            let store = Store::open(&path).unwrap();
            for _ in 0..3 {
                store
                    .put(mesh("a"), Expect::Any, StatusWrite::Keep)
                    .unwrap();
            }
            store.delete(&key, Expect::Any).unwrap();
            let (again, created) = store
                .put(mesh("a"), Expect::Any, StatusWrite::Keep)
                .unwrap();
            assert!(created);
            assert_eq!(again.version, 4);
            assert!(matches!(
                store.put(mesh("a"), Expect::Version(3), StatusWrite::Keep),
                Err(StoreError::PreconditionFailed(_))
            ));
            store
                .apply_batch(vec![BatchOp::Delete(key.clone())])
                .unwrap();
        }
        // The high-water mark survives a restart even though the row is gone.
        let store = Store::open(&path).unwrap();
        let (again, _) = store
            .put(mesh("a"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        assert_eq!(again.version, 5);
    }

    #[test]
    fn deleting_a_mesh_removes_its_resources_and_later_puts_into_it_fail() {
        let store = Store::memory();
        store
            .put(mesh("m"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        let mut inner = mesh("x");
        inner.meta.mesh = "m".into();
        inner.spec = Spec::MeshService(Default::default());
        store
            .put_checked(inner.clone(), Expect::Any, StatusWrite::Keep, true)
            .unwrap();
        let cascaded = store
            .delete_mesh("m", Expect::Any, ResourceType::ALL.into_iter())
            .unwrap();
        assert_eq!(cascaded, 1);
        assert!(store.get(&key_of(&inner)).is_none());
        assert!(matches!(
            store.put_checked(inner, Expect::Any, StatusWrite::Keep, true),
            Err(StoreError::MeshMissing(m)) if m == "m"
        ));
    }

    #[test]
    fn delete_and_re_create_cycles_leave_one_log_entry_per_key() {
        let store = Store::memory();
        let key = key_of(&mesh("a"));
        for _ in 0..100 {
            store
                .put(mesh("a"), Expect::Any, StatusWrite::Keep)
                .unwrap();
            store.delete(&key, Expect::Any).unwrap();
            store.apply_batch(vec![BatchOp::put(mesh("a"))]).unwrap();
            store
                .apply_batch(vec![BatchOp::Delete(key.clone())])
                .unwrap();
        }
        store
            .put(mesh("a"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        let (_, changes) = store.changes_since(0).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(store.read_inner().by_revision.len(), 1);
        assert!(store.read_inner().tombstones.is_empty());
    }

    #[test]
    fn old_tombstones_are_pruned_and_a_reader_behind_them_is_told_to_resync() {
        let store = Store::memory().with_tombstone_limit(3);
        let early = store.revision();
        for i in 0..10 {
            let name = format!("m-{i}");
            store
                .put(mesh(&name), Expect::Any, StatusWrite::Keep)
                .unwrap();
            store.delete(&key_of(&mesh(&name)), Expect::Any).unwrap();
        }
        // A batch of deletes prunes as well.
        for i in 0..5 {
            store
                .put(mesh(&format!("b-{i}")), Expect::Any, StatusWrite::Keep)
                .unwrap();
        }
        let recent = store.revision();
        store
            .apply_batch(
                (0..5)
                    .map(|i| BatchOp::Delete(key_of(&mesh(&format!("b-{i}")))))
                    .collect(),
            )
            .unwrap();
        assert_eq!(store.tombstone_count(), 3);
        let inner = store.read_inner();
        assert_eq!(inner.tombstones_by_revision.len(), 3);
        assert_eq!(inner.by_revision.len(), 3);
        drop(inner);
        // Behind the pruned deletes: no partial answer, a resync.
        let compacted = store.compacted_below();
        assert!(compacted > early);
        assert_eq!(
            store.changes_since(early + 1).unwrap_err(),
            Compacted {
                compacted_below: compacted
            }
        );
        assert!(store.changes_since_limited(early + 1, 10).is_err());
        // At or after the compaction point, and from scratch, the feed still answers.
        let (_, changes) = store.changes_since(compacted).unwrap();
        assert_eq!(changes.len(), 3);
        assert!(changes.iter().all(|c| matches!(c, ChangeRecord::Delete(_))));
        // A reader from just before the batch lost two of its deletes too.
        assert!(store.changes_since(recent).is_err());
        // A reader that knows nothing yet is never told to resync.
        assert!(store.changes_since(0).is_ok());
        // A re-created key drops its tombstone.
        store
            .put(mesh("b-4"), Expect::Any, StatusWrite::Keep)
            .unwrap();
        assert_eq!(store.tombstone_count(), 2);
        assert_eq!(store.read_inner().tombstones_by_revision.len(), 2);
    }

    #[test]
    fn a_reopened_store_starts_a_new_epoch_without_tombstones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let epoch = {
            let store = Store::open(&path).unwrap().with_tombstone_limit(1);
            for name in ["a", "b", "c"] {
                store
                    .put(mesh(name), Expect::Any, StatusWrite::Keep)
                    .unwrap();
            }
            store.delete(&key_of(&mesh("a")), Expect::Any).unwrap();
            store.delete(&key_of(&mesh("b")), Expect::Any).unwrap();
            assert!(store.compacted_below() > 0);
            store.epoch().to_owned()
        };
        // Revisions restart with a new epoch, so every remote reader reads a full snapshot,
        // whatever was compacted before.
        let store = Store::open(&path).unwrap();
        assert_ne!(store.epoch(), epoch);
        assert_eq!((store.tombstone_count(), store.compacted_below()), (0, 0));
        let (_, changes) = store.changes_since(0).unwrap();
        assert_eq!(changes.len(), 1);
    }

    #[test]
    fn sqlite_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let store = Store::open(&path).unwrap();
            store
                .put(mesh("a"), Expect::Any, StatusWrite::Keep)
                .unwrap();
            store
                .put(mesh("b"), Expect::Any, StatusWrite::Keep)
                .unwrap();
            store.delete(&key_of(&mesh("b")), Expect::Any).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert!(store.mesh_exists("a"));
        assert!(!store.mesh_exists("b"));
    }

    /// A reopened store holds each status exactly as it was written (a MeshService's REST item
    /// would add `tls` and `dataplaneProxies`), so writing the same status again after a restart
    /// changes nothing a client sees: no new `modificationTime`, no new revision.
    #[test]
    fn a_reopened_store_holds_statuses_as_written_so_the_same_status_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let service = api::decode_value(
            ResourceType::MeshService,
            serde_json::json!({
                "type": "MeshService", "name": "redis", "mesh": "default",
                "spec": {"ports": [{"port": 6379}]}
            }),
        )
        .unwrap();
        let key = key_of(&service);
        let status = serde_json::json!({"vips": [{"ip": "241.0.0.0"}], "addresses": []});
        let written_at = {
            let store = Store::open(&path).unwrap();
            store.put(service, Expect::Any, StatusWrite::Keep).unwrap();
            store
                .apply_batch(vec![BatchOp::Status(key.clone(), status.clone())])
                .unwrap();
            store.get(&key).unwrap().modification_time.clone()
        };
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.get(&key).unwrap().resource.status,
            Some(status.clone())
        );
        let revision = store.revision();
        let changed = store
            .apply_batch(vec![BatchOp::Status(key.clone(), status)])
            .unwrap();
        assert_eq!(changed, 0);
        assert_eq!(store.revision(), revision);
        assert_eq!(store.get(&key).unwrap().modification_time, written_at);
    }
}
