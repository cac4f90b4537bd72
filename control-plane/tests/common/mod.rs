//! Shared test fixtures: an in-process kuma-local on ephemeral ports and a small HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kuma_local::server::{Config, Running, Topology};
use serde_json::Value;

/// A running kuma-local inside this test process.
pub struct Cluster {
    pub running: Option<Running>,
    pub runtime: Option<tokio::runtime::Runtime>,
}

impl Cluster {
    /// A global control plane alone, admin token `tok`, following `version`'s rules.
    pub fn global_of(version: kuma_mzs_core::KumaVersion) -> Self {
        Self::start(Config {
            topology: Topology::Global,
            port: 0,
            admin_token: Some("tok".to_owned()),
            kuma_version: version,
            ..Config::default()
        })
    }

    pub fn start(config: Config) -> Self {
        let cluster = Self::start_unchecked(config);
        for url in cluster.urls() {
            let client = cluster.client(&url);
            wait_until(Duration::from_secs(10), || {
                client
                    .try_raw("GET", "/ready", None, &[])
                    .is_ok_and(|r| r.0 == 200)
            });
        }
        cluster
    }

    /// Start without waiting for readiness.
    pub fn start_unchecked(config: Config) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let running = runtime.block_on(kuma_local::start(config)).unwrap();
        Self {
            running: Some(running),
            runtime: Some(runtime),
        }
    }

    /// A client for `url` that trusts this cluster's TLS certificate, if any.
    pub fn client(&self, url: &str) -> Client {
        let pem = self
            .info()
            .tls_cert_file
            .as_ref()
            .map(|f| std::fs::read(f).unwrap());
        Client::with_agent(url, Some(&self.token()), Client::agent(pem.as_deref()))
    }

    /// Global + zones in one process, ephemeral ports, token `test-token`.
    pub fn federation(zones: &[&str]) -> Self {
        Self::federation_of(zones, kuma_mzs_core::KumaVersion::default())
    }

    pub fn federation_of(zones: &[&str], version: kuma_mzs_core::KumaVersion) -> Self {
        Self::start(Config {
            topology: Topology::All {
                zones: zones.iter().map(|z| (*z).to_owned()).collect(),
            },
            port: 0,
            admin_token: Some("test-token".to_owned()),
            kuma_version: version,
            ..Config::default()
        })
    }

    pub fn info(&self) -> &kuma_local::Info {
        &self.running.as_ref().unwrap().info
    }

    pub fn token(&self) -> String {
        self.info().admin_token.clone()
    }

    fn urls(&self) -> Vec<String> {
        let info = self.info();
        info.global
            .iter()
            .cloned()
            .chain(info.zones.values().cloned())
            .collect()
    }

    pub fn global(&self) -> Client {
        self.client(self.info().global.as_ref().unwrap())
    }

    pub fn zone(&self, name: &str) -> Client {
        self.client(&self.info().zones[name])
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let (Some(running), Some(runtime)) = (self.running.take(), self.runtime.take()) {
            runtime.block_on(running.shutdown());
            // A zone's HTTP long-poll may still be in flight on a blocking thread.
            runtime.shutdown_timeout(Duration::from_millis(200));
        }
    }
}

/// (status, headers as (name, value), body text).
pub type RawResponse = (u16, Vec<(String, String)>, String);

/// Blocking HTTP client for one API.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: Option<String>,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Self {
        Self::with_agent(base, Some(token), Self::agent(None))
    }

    pub fn agent(ca_pem: Option<&[u8]>) -> ureq::Agent {
        ureq::Agent::config_builder()
            .tls_config(kuma_local::tls::client_config(ca_pem))
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent()
    }

    pub fn with_agent(base: &str, token: Option<&str>, agent: ureq::Agent) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            token: token.map(str::to_owned),
            agent,
        }
    }

    pub fn anonymous(&self) -> Self {
        Self {
            token: None,
            ..self.clone()
        }
    }

    /// (status, headers as (name, value), body text); transport errors panic.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> RawResponse {
        self.try_raw(method, path, body, headers).unwrap()
    }

    pub fn try_raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<RawResponse, ureq::Error> {
        let url = format!("{}{}", self.base, path);
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(token) = &self.token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let mut response = match body {
            Some(b) => {
                let request = builder
                    .header("Content-Type", "application/json")
                    .body(b.to_owned())
                    .unwrap();
                self.agent.run(request)?
            }
            None => self.agent.run(builder.body(()).unwrap())?,
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let text = response.body_mut().read_to_string()?;
        Ok((status, headers, text))
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = self.raw("GET", path, None, &[]);
        (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
    }

    pub fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        let (s, _, b) = self.raw("PUT", path, Some(&body.to_string()), &[]);
        (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
    }

    pub fn delete(&self, path: &str) -> (u16, Value) {
        let (s, _, b) = self.raw("DELETE", path, None, &[]);
        (s, serde_json::from_str(&b).unwrap_or(Value::String(b)))
    }
}

/// Poll `condition` until it holds or `timeout` passes (then panic).
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "condition not met within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `$KUMA_MZS_SHARED` / `$SHARED`, else `<repo>/../shared`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("KUMA_MZS_SHARED")
        .or_else(|| std::env::var_os("SHARED"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("shared")
        })
}

pub fn mzs(name: &str, selector: &[(&str, &str)], ports: &[i64]) -> Value {
    let labels: serde_json::Map<String, Value> = selector
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    serde_json::json!({
        "type": "MeshMultiZoneService",
        "name": name,
        "mesh": "default",
        "spec": {
            "selector": {"meshService": {"matchLabels": labels}},
            "ports": ports.iter().map(|p| serde_json::json!({"port": p, "appProtocol": "http"})).collect::<Vec<_>>(),
        }
    })
}

pub fn mesh_service(name: &str, port: i64, state: &str) -> Value {
    serde_json::json!({
        "type": "MeshService",
        "name": name,
        "mesh": "default",
        "spec": {"state": state, "ports": [{"port": port, "appProtocol": "http"}]}
    })
}

/// Upstream Kuma's API test server for a REST golden case: `topology` with no status engine
/// (upstream's runs no status updater, VIP allocator or hostname generator), its first control
/// plane's store holding exactly the documents of `input` as they are (status included). Returns
/// the cluster and the base URL of its API (global's, else the zone's).
pub fn golden_server(topology: Topology, case: &str, input: &str) -> (Cluster, String) {
    use kuma_local::store::{Expect, StatusWrite};
    use kuma_mzs_core::{api, ResourceType};
    let cluster = Cluster::start(Config {
        topology,
        port: 0,
        admin_token: Some("t".to_owned()),
        status_engine: false,
        ..Config::default()
    });
    let running = cluster.running.as_ref().unwrap();
    let cp = running.control_planes.values().next().unwrap().clone();
    let (_, everything) = cp.store.snapshot();
    for stored in everything {
        cp.store.delete(&stored.key(), Expect::Any).unwrap();
    }
    let parsed = kuma_mzs_core::syntax::parse(input, &Default::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{case}: {:?}",
        parsed.diagnostics
    );
    for doc in parsed.documents {
        let value = doc.root.to_json();
        let resource_type = ResourceType::from_name(value["type"].as_str().unwrap()).unwrap();
        let resource = api::decode_value(resource_type, value).unwrap();
        let status = resource.status.clone();
        cp.store
            .put(resource, Expect::Any, StatusWrite::Replace(status))
            .unwrap();
    }
    let base = running
        .info
        .global
        .clone()
        .or_else(|| running.info.zones.values().next().cloned())
        .unwrap();
    (cluster, base)
}

/// A REST answer or golden file as JSON with the server address and timestamps made neutral.
pub fn normalise_golden(text: &str, address: &str) -> Value {
    let timestamps = regex::Regex::new(r#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d[^"]+"#).unwrap();
    let text = text.replace(address, "{{address}}");
    let text = timestamps.replace_all(&text, "0001-01-01T00:00:00Z");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
