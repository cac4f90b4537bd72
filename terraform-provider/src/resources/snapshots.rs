//! Batched refresh: a plan over many MeshMultiZoneServices of one mesh reads them with one list
//! instead of one GET each.
//!
//! Terraform refreshes every resource of a workspace with its own `ReadResource` call, so a
//! workspace of 1,000 MZS made 1,000 GETs on global, and 1,000 more per configured zone, on
//! every plan. Over a network with tens of milliseconds of round trip that is seconds of
//! waiting. Here the first [`INDIVIDUAL_READS`] reads of a collection (a mesh's MZS on one
//! control plane) go out one by one, as before: a small workspace is unchanged. The next read
//! lists the collection once (paged, at most [`MAX_ITEMS`] items, else it gives up and stays
//! with single reads) and every later read of that collection in the process is answered from
//! the list.
//!
//! The answers stay exact:
//! - a name the list does not hold is read on its own (an object created after the list, or
//!   one the list could not index, is never reported gone);
//! - any write this process makes (counted by the clients, [`KumaClient::writes`]) retires
//!   every list taken before or during it, so nothing this process changed is read from an
//!   older list;
//! - the list is as fresh as the individual GETs it replaces: it is taken during the same
//!   refresh, and a refresh is no atomic snapshot of the server either.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use crate::client::KumaClient;
use crate::log;

/// Reads of one collection made one by one before it is listed.
pub const INDIVIDUAL_READS: u32 = 16;

/// The largest collection listed (10 pages of Kuma's 1,000-item maximum); a bigger mesh is
/// read one object at a time.
pub const MAX_ITEMS: usize = 10_000;

/// How a listed item is found: its key in the collection, if it has one.
pub type KeyOf = fn(&serde_json::Value) -> Option<String>;

type Index = HashMap<String, serde_json::Value>;

/// The lists this process took, per control plane and collection.
#[derive(Debug, Default)]
pub struct ReadSnapshots {
    slots: Mutex<HashMap<(String, String), Slot>>,
    /// Meshes this process saw exist, per control plane. A plan of many creates in one mesh
    /// asks once whether it exists: Meshes are not written here, and one deleted during the
    /// run fails the write itself with the server's error.
    meshes: Mutex<HashSet<(String, String)>>,
}

#[derive(Debug, Default)]
struct Slot {
    /// The write generation the slot's reads and list belong to.
    generation: u64,
    reads: u32,
    list: Option<Arc<OnceCell<Option<Arc<Index>>>>>,
}

/// What this process's list of a collection says of one name.
#[derive(Debug, PartialEq)]
pub enum Listed {
    /// The list holds it.
    Holds(serde_json::Value),
    /// The list was taken and does not hold it.
    Lacks,
    /// No list answers (too few reads of the collection yet, or it could not be listed).
    Unknown,
}

impl ReadSnapshots {
    /// The item named `name` in `collection` on `client`'s control plane, from a list of the
    /// collection when this process reads enough of it; `None`: read it on its own.
    pub async fn find(
        &self,
        client: &KumaClient,
        collection: &str,
        key_of: KeyOf,
        name: &str,
    ) -> Option<serde_json::Value> {
        match self.lookup(client, collection, key_of, name).await {
            Listed::Holds(item) => Some(item),
            Listed::Lacks | Listed::Unknown => None,
        }
    }

    /// Whether this process saw `mesh` exist on `client`'s control plane.
    pub fn mesh_seen(&self, client: &KumaClient, mesh: &str) -> bool {
        self.meshes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&(client.endpoint().to_owned(), mesh.to_owned()))
    }

    /// Note that `mesh` exists on `client`'s control plane.
    pub fn remember_mesh(&self, client: &KumaClient, mesh: &str) {
        self.meshes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((client.endpoint().to_owned(), mesh.to_owned()));
    }

    /// [`ReadSnapshots::find`], telling a name the list lacks from no list at all: for a
    /// plan's check that a create will not meet an existing object, where an object made after
    /// the list is caught by the create itself.
    pub async fn lookup(
        &self,
        client: &KumaClient,
        collection: &str,
        key_of: KeyOf,
        name: &str,
    ) -> Listed {
        let generation = client.writes();
        let list = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = slots
                .entry((client.endpoint().to_owned(), collection.to_owned()))
                .or_default();
            if slot.generation != generation {
                *slot = Slot {
                    generation,
                    ..Slot::default()
                };
            }
            slot.reads += 1;
            if slot.reads <= INDIVIDUAL_READS {
                return Listed::Unknown;
            }
            slot.list.get_or_insert_with(Arc::default).clone()
        };
        let index = list
            .get_or_init(|| load(client, collection, key_of, generation))
            .await;
        match index.as_ref().map(|index| index.get(name)) {
            Some(Some(item)) => Listed::Holds(item.clone()),
            Some(None) => Listed::Lacks,
            None => Listed::Unknown,
        }
    }
}

async fn load(
    client: &KumaClient,
    collection: &str,
    key_of: KeyOf,
    generation: u64,
) -> Option<Arc<Index>> {
    let items = match client.list_at_most(collection, MAX_ITEMS).await {
        Ok(Some(items)) => items,
        Ok(None) => {
            log::debug(
                "collection too large to list for refresh; reading objects one by one",
                &[("path", collection)],
            );
            return None;
        }
        Err(error) => {
            log::debug(
                "could not list for refresh; reading objects one by one",
                &[("path", collection), ("error", &error.to_string())],
            );
            return None;
        }
    };
    // A write during the list may or may not be in it.
    if client.writes() != generation {
        return None;
    }
    let mut index = Index::with_capacity(items.len());
    for item in items {
        if let Some(key) = key_of(&item) {
            // The first of equal keys, as a filtered list would give it.
            index.entry(key).or_insert(item);
        }
    }
    Some(Arc::new(index))
}

/// The key of an item that is found by its `name`.
pub fn by_name(item: &serde_json::Value) -> Option<String> {
    item.get("name")?.as_str().map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::extract::{Query, State};
    use axum::routing::get;
    use axum::{Json, Router};

    use super::*;
    use crate::client::ClientConfig;

    #[derive(Default)]
    struct Counts {
        gets: AtomicUsize,
        lists: AtomicUsize,
    }

    fn item(name: &str) -> serde_json::Value {
        serde_json::json!({"type": "MeshMultiZoneService", "mesh": "default", "name": name})
    }

    /// A control plane holding `svc-0` .. `svc-{n-1}` that counts its requests.
    async fn server(n: usize) -> (String, Arc<Counts>) {
        let counts = Arc::new(Counts::default());
        let app = Router::new()
            .route(
                "/meshes/default/meshmultizoneservices",
                get(
                    move |State(c): State<Arc<Counts>>,
                          Query(q): Query<HashMap<String, String>>| async move {
                        c.lists.fetch_add(1, Ordering::SeqCst);
                        let size: usize = q.get("size").and_then(|s| s.parse().ok()).unwrap_or(100);
                        let offset: usize =
                            q.get("offset").and_then(|s| s.parse().ok()).unwrap_or(0);
                        let end = (offset + size).min(n);
                        let items: Vec<_> = (offset..end).map(|i| item(&format!("svc-{i}"))).collect();
                        let next = (end < n).then(|| {
                            format!("http://ignored/meshes/default/meshmultizoneservices?offset={end}&size={size}")
                        });
                        Json(serde_json::json!({"total": n, "items": items, "next": next}))
                    },
                ),
            )
            // One object (a fallback, not a `{name}` route: the path syntax differs between
            // axum releases).
            .fallback(
                move |State(c): State<Arc<Counts>>, uri: axum::http::Uri| async move {
                    c.gets.fetch_add(1, Ordering::SeqCst);
                    let name = uri.path().rsplit('/').next().unwrap_or_default().to_owned();
                    Json(item(&name))
                },
            )
            .with_state(counts.clone());
        (crate::test_server::serve(app).await, counts)
    }

    fn client(endpoint: String) -> KumaClient {
        KumaClient::new(ClientConfig {
            endpoint,
            token: None,
            ca_cert: None,
            insecure_skip_verify: false,
            timeout: Duration::from_secs(5),
            max_retries: 0,
            operation_timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    const COLLECTION: &str = "/meshes/default/meshmultizoneservices";

    async fn read(snapshots: &ReadSnapshots, client: &KumaClient, name: &str) -> serde_json::Value {
        match snapshots.find(client, COLLECTION, by_name, name).await {
            Some(item) => item,
            None => client.get(&format!("{COLLECTION}/{name}")).await.unwrap(),
        }
    }

    #[tokio::test]
    async fn a_thousand_reads_make_one_list_and_the_answers_do_not_change() {
        let (endpoint, counts) = server(1000).await;
        let client = client(endpoint);
        let snapshots = ReadSnapshots::default();
        for i in 0..1000 {
            let name = format!("svc-{i}");
            assert_eq!(read(&snapshots, &client, &name).await, item(&name));
        }
        assert_eq!(
            counts.gets.load(Ordering::SeqCst),
            INDIVIDUAL_READS as usize
        );
        assert_eq!(counts.lists.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_plan_of_many_creates_learns_from_one_list_which_names_are_free() {
        let (endpoint, counts) = server(5).await;
        let client = client(endpoint);
        let snapshots = ReadSnapshots::default();
        // The first reads are the caller's own GETs: no list answers yet.
        for i in 0..INDIVIDUAL_READS {
            let name = format!("new-{i}");
            assert_eq!(
                snapshots.lookup(&client, COLLECTION, by_name, &name).await,
                Listed::Unknown
            );
        }
        for i in INDIVIDUAL_READS..1000 {
            let name = format!("new-{i}");
            assert_eq!(
                snapshots.lookup(&client, COLLECTION, by_name, &name).await,
                Listed::Lacks
            );
        }
        // A name the list holds is taken.
        assert_eq!(
            snapshots
                .lookup(&client, COLLECTION, by_name, "svc-3")
                .await,
            Listed::Holds(item("svc-3"))
        );
        assert_eq!(counts.lists.load(Ordering::SeqCst), 1);
        assert_eq!(counts.gets.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_mesh_seen_is_remembered_per_control_plane() {
        let snapshots = ReadSnapshots::default();
        let east = client("http://127.0.0.1:1".to_owned());
        let west = client("http://127.0.0.1:2".to_owned());
        assert!(!snapshots.mesh_seen(&east, "default"));
        snapshots.remember_mesh(&east, "default");
        assert!(snapshots.mesh_seen(&east, "default"));
        assert!(!snapshots.mesh_seen(&west, "default"));
        assert!(!snapshots.mesh_seen(&east, "other"));
    }

    #[tokio::test]
    async fn a_small_workspace_reads_one_by_one() {
        let (endpoint, counts) = server(1000).await;
        let client = client(endpoint);
        let snapshots = ReadSnapshots::default();
        for i in 0..INDIVIDUAL_READS {
            read(&snapshots, &client, &format!("svc-{i}")).await;
        }
        assert_eq!(counts.lists.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_name_missing_from_the_list_is_read_on_its_own() {
        let (endpoint, counts) = server(20).await;
        let client = client(endpoint);
        let snapshots = ReadSnapshots::default();
        for i in 0..20 {
            read(&snapshots, &client, &format!("svc-{i}")).await;
        }
        let gets = counts.gets.load(Ordering::SeqCst);
        // Created after the list was taken: never reported gone.
        assert_eq!(read(&snapshots, &client, "new").await, item("new"));
        assert_eq!(counts.gets.load(Ordering::SeqCst), gets + 1);
    }

    #[tokio::test]
    async fn a_write_retires_the_list() {
        let (endpoint, counts) = server(40).await;
        let client = client(endpoint);
        let snapshots = ReadSnapshots::default();
        for i in 0..20 {
            read(&snapshots, &client, &format!("svc-{i}")).await;
        }
        assert_eq!(counts.lists.load(Ordering::SeqCst), 1);
        client.note_write();
        let gets = counts.gets.load(Ordering::SeqCst);
        read(&snapshots, &client, "svc-30").await;
        assert_eq!(counts.gets.load(Ordering::SeqCst), gets + 1);
    }

    #[tokio::test]
    async fn a_mesh_too_large_to_list_is_read_one_by_one() {
        let (endpoint, counts) = server(MAX_ITEMS + 1).await;
        let client = client(endpoint);
        let snapshots = ReadSnapshots::default();
        for i in 0..40 {
            read(&snapshots, &client, &format!("svc-{i}")).await;
        }
        assert_eq!(counts.gets.load(Ordering::SeqCst), 40);
    }
}
