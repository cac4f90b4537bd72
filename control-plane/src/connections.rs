//! Bounded connections: a process-wide cap on open API connections, an idle timeout, and
//! shedding of the oldest idle connection when the cap is reached, so that clients that open
//! connections and send nothing (or keep them idle) cannot make the API unreachable for a
//! client with a real request.
//!
//! A connection is *busy* from the moment hyper hands a parsed request to the router until the
//! response body has been written (or dropped); otherwise it is *idle* (keep-alive between
//! requests, or a client that has not finished sending a request head). Only idle connections
//! are closed by the idle timeout or shed; a busy one always finishes its response.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use tokio::sync::Notify;

/// File descriptors kept for everything but API connections (SQLite files and their WAL,
/// listeners, the zone's link to global, logs).
const RESERVED_FDS: u64 = 64;

/// Raise the soft `RLIMIT_NOFILE` to the hard limit (what the process may use anyway) and
/// return the resulting soft limit; `None` when it cannot be read (non-Unix).
pub fn raise_fd_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource};
        let mut limit = getrlimit(Resource::Nofile);
        if let (Some(current), Some(maximum)) = (limit.current, limit.maximum) {
            if current < maximum {
                let mut raised = limit;
                raised.current = Some(maximum);
                if setrlimit(Resource::Nofile, raised).is_ok() {
                    limit = raised;
                }
            }
        }
        // `None` there means unlimited.
        Some(limit.current.unwrap_or(u64::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The current soft `RLIMIT_NOFILE`, if known.
fn fd_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        Some(limit.current.unwrap_or(u64::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap actually used: `wanted`, lowered so that the process's file limit is never
/// exhausted by API connections (at least 16).
pub fn effective_cap(wanted: usize) -> usize {
    let budget = fd_limit()
        .map(|limit| limit.saturating_sub(RESERVED_FDS))
        .and_then(|b| usize::try_from(b).ok())
        .unwrap_or(usize::MAX);
    wanted.min(budget).max(16)
}

/// What one connection is doing, shared between its task and its requests.
#[derive(Debug)]
pub(crate) struct Activity {
    in_flight: AtomicUsize,
    /// Milliseconds since the table's start when the connection last began or finished a
    /// request (or was accepted).
    last_active_ms: AtomicU64,
    started: Instant,
}

impl Activity {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn touch(&self) {
        self.last_active_ms.store(self.now_ms(), Ordering::Release);
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// How long the connection has been idle (zero while busy).
    fn idle_for(&self) -> Duration {
        if !self.is_idle() {
            return Duration::ZERO;
        }
        Duration::from_millis(
            self.now_ms()
                .saturating_sub(self.last_active_ms.load(Ordering::Acquire)),
        )
    }

    /// Mark a request as started; the guard ends it when dropped.
    pub(crate) fn begin(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.touch();
        RequestGuard(self.clone())
    }
}

/// Ends a request's busy period when dropped (after its response body is written).
pub(crate) struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its connection busy until it is fully written or dropped.
pub(crate) fn guarded(body: Body, guard: RequestGuard) -> Body {
    Body::new(GuardedBody {
        inner: body,
        _guard: guard,
    })
}

struct GuardedBody {
    inner: Body,
    _guard: RequestGuard,
}

impl hyper::body::Body for GuardedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

struct Entry {
    activity: Arc<Activity>,
    close: Arc<Notify>,
}

/// Every open API connection of the process (all listeners share one cap).
pub(crate) struct ConnectionTable {
    cap: usize,
    idle_timeout: Duration,
    started: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
}

/// One admitted connection; leaves the table when dropped.
pub(crate) struct Slot {
    table: Arc<ConnectionTable>,
    id: u64,
    pub(crate) activity: Arc<Activity>,
    close: Arc<Notify>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.table.lock().remove(&self.id);
    }
}

impl Slot {
    /// Resolves when the connection should be closed: shed for a newer one, or idle for longer
    /// than the idle timeout. Never resolves while a request is in flight.
    pub(crate) async fn should_close(&self) {
        let timeout = self.table.idle_timeout;
        loop {
            let idle = self.activity.idle_for();
            if idle >= timeout {
                return;
            }
            // Busy connections are checked again one timeout later; idle ones when theirs ends.
            let wait = if self.activity.is_idle() {
                timeout - idle
            } else {
                timeout
            };
            tokio::select! {
                () = self.close.notified() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

impl ConnectionTable {
    /// A table for at most `cap` connections, closing idle ones after `idle_timeout`.
    pub(crate) fn new(cap: usize, idle_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            idle_timeout,
            started: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admit a new connection. At the cap, the connection idle the longest is told to close to
    /// make room; when every open connection is busy, the new one is refused (`None`).
    pub(crate) fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut open = self.lock();
        if open.len() >= self.cap {
            let oldest_idle = open
                .iter()
                .filter(|(_, e)| e.activity.is_idle())
                .max_by_key(|(_, e)| e.activity.idle_for())
                .map(|(id, _)| *id)?;
            if let Some(shed) = open.remove(&oldest_idle) {
                shed.close.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity {
            in_flight: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(0),
            started: self.started,
        });
        activity.touch();
        let close = Arc::new(Notify::new());
        open.insert(
            id,
            Entry {
                activity: activity.clone(),
                close: close.clone(),
            },
        );
        Some(Slot {
            table: self.clone(),
            id,
            activity,
            close,
        })
    }

    /// How many connections are open.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_the_cap_the_oldest_idle_connection_is_shed() {
        let table = ConnectionTable::new(2, Duration::from_secs(60));
        let first = table.admit().unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = table.admit().unwrap();
        let third = table.admit().unwrap();
        assert_eq!(table.len(), 2);
        // The first one was told to close; the second was not.
        tokio::time::timeout(Duration::from_secs(1), first.should_close())
            .await
            .unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), second.should_close())
                .await
                .is_err()
        );
        drop(third);
    }

    #[tokio::test]
    async fn busy_connections_are_never_shed() {
        let table = ConnectionTable::new(1, Duration::from_millis(10));
        let only = table.admit().unwrap();
        let guard = only.activity.begin();
        assert!(table.admit().is_none());
        assert!(
            tokio::time::timeout(Duration::from_millis(60), only.should_close())
                .await
                .is_err()
        );
        drop(guard);
        tokio::time::timeout(Duration::from_secs(1), only.should_close())
            .await
            .unwrap();
    }
}
