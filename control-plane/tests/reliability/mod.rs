//! Fixtures of the reliability suites: `kuma-local` as real processes on loopback, stores filled
//! directly (one transaction) so large sizes cost seconds, not thousands of requests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kuma_local::store::{BatchOp, Store};
use kuma_mzs_core::api::{self, Mode, StoreView};
use kuma_mzs_core::{KumaVersion, Resource, ResourceType};
use serde_json::Value;

use crate::common::Client;

/// The suites measure time and CPU: each test holds this lock, so they run one at a time.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A `kuma-local run` child process, killed when dropped.
pub struct Process {
    pub child: Child,
    pub info: Value,
}

impl Process {
    /// Start `kuma-local run <args>` (JSON output, warnings only) and read its addresses.
    pub fn start(args: &[&str]) -> Self {
        // `KUMA_LOCAL_BIN` runs another build (e.g. the release binary for BENCHMARKS.md).
        let binary = std::env::var_os("KUMA_LOCAL_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_kuma-local").into());
        let mut child = Command::new(binary)
            .arg("run")
            .args(args)
            .args(["--output", "json", "--log-level", "warn"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Self { child, info }
    }

    pub fn global_url(&self) -> String {
        self.info["global"].as_str().unwrap().to_owned()
    }

    pub fn zone_url(&self, zone: &str) -> String {
        self.info["zones"][zone].as_str().unwrap().to_owned()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, and how long the process took to exit.
    pub fn terminate(mut self) -> Duration {
        let started = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = started + Duration::from_secs(30);
        loop {
            if self.child.try_wait().unwrap().is_some() {
                return started.elapsed();
            }
            assert!(Instant::now() < deadline, "no exit 30 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// CPU seconds (user + system) the process used so far (Linux `/proc`).
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name, which is in parentheses and may contain spaces.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        // USER_HZ is 100 on every Linux this runs on.
        ticks / 100.0
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (for a process that must come back on the same address).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A resource as a REST PUT in `mode` would store it (labels computed, validated).
pub fn prepared(mode: &Mode, resource_type: ResourceType, body: &Value) -> Resource {
    let mesh = body["mesh"].as_str();
    let name = body["name"].as_str().unwrap();
    api::prepare_put(
        mode,
        KumaVersion::default(),
        resource_type,
        mesh,
        name,
        body.to_string().as_bytes(),
        StoreView {
            mesh_exists: true,
            existing: None,
        },
    )
    .unwrap()
    .resource
}

/// Write `resources` into the SQLite store `file` of `dir` in one transaction.
pub fn fill_store(dir: &Path, file: &str, resources: Vec<Resource>) {
    let store = Store::open(&dir.join(file)).unwrap();
    store
        .apply_batch(resources.into_iter().map(BatchOp::put).collect())
        .unwrap();
}

/// `total` of a list answer.
pub fn total(client: &Client, path: &str) -> u64 {
    let separator = if path.contains('?') { '&' } else { '?' };
    client.get(&format!("{path}{separator}size=1")).1["total"]
        .as_u64()
        .unwrap_or(0)
}

/// `/ready`: (status, body).
pub fn ready(client: &Client) -> (u16, String) {
    match client.anonymous().try_raw("GET", "/ready", None, &[]) {
        Ok((status, _, body)) => (status, body),
        Err(e) => (0, e.to_string()),
    }
}

/// A zone token from global's `POST /tokens/zone`.
pub fn zone_token(global: &Client, zone: &str) -> String {
    let (status, _, token) = global.raw(
        "POST",
        "/tokens/zone",
        Some(&serde_json::json!({ "zone": zone }).to_string()),
        &[],
    );
    assert_eq!(status, 200, "{token}");
    token
}
