//! Driving the real `terraform` CLI against `terraform-provider-kuma` and a running `kuma-local`.
//!
//! Binaries are found next to the test executable (`target/<profile>/`), built by
//! `make test-terraform` (or `cargo build -p terraform-provider-kuma -p kuma-local`). Terraform
//! binaries come from `.ci/tools.sh terraform` (`<repo>/.tools/bin/terraform-1.0.3` and
//! `terraform-current`). Anything missing is a test failure with the command that fixes it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Provider source address used by the tests (and the README).
pub const SOURCE: &str = "kuma-mzs.local/kuma/kuma";
/// Version the test plugin directory advertises.
pub const VERSION: &str = "0.1.0";

/// The `terraform { required_providers { ... } }` block that picks this provider.
pub fn required_providers() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    kuma = {{ source = \"{SOURCE}\" }}\n  }}\n}}\n"
    )
}

/// [`required_providers`] and a `provider "kuma"` block at `endpoint` with `token`, the
/// `extra` settings (HCL lines) and one `zone` block per `(name, url)`.
pub fn provider_block(endpoint: &str, token: &str, extra: &str, zones: &[(&str, &str)]) -> String {
    let zones: String = zones
        .iter()
        .map(|(name, url)| {
            format!("  zone {{\n    name = \"{name}\"\n    endpoint = \"{url}\"\n  }}\n")
        })
        .collect();
    format!(
        "{}provider \"kuma\" {{\n  endpoint = \"{endpoint}\"\n  token = \"{token}\"\n  timeout = \"10s\"\n{extra}\n{zones}}}\n",
        required_providers()
    )
}

/// A `kuma_mesh_multi_zone_service` resource `address` named `name`, with `labels` (HCL map
/// entries), selecting the MeshServices displayed as `redis`, with one `port`.
pub fn redis_mzs(address: &str, name: &str, labels: &str, port: u16) -> String {
    format!(
        r#"
resource "kuma_mesh_multi_zone_service" "{address}" {{
  name = "{name}"
  labels = {{ {labels} }}
  selector {{
    mesh_service {{
      match_labels = {{ "kuma.io/display-name" = "redis" }}
    }}
  }}
  port {{
    port = {port}
  }}
}}
"#
    )
}

/// Provider blocks whose default provider's `endpoint` is known only at apply: a first provider
/// (`kuma.boot`, at `global`) creates a HostnameGenerator, and the default provider's endpoint
/// depends on its KRI, as when a control plane and its services are made in one apply.
pub fn provider_known_only_at_apply(global: &str, token: &str) -> String {
    format!(
        r#"provider "kuma" {{
  alias = "boot"
  endpoint = "{global}"
  token = "{token}"
}}
resource "kuma_hostname_generator" "boot" {{
  provider = kuma.boot
  name = "boot"
  template = "{{{{ .DisplayName }}}}.boot"
  selector {{
    mesh_multi_zone_service {{
      match_labels = {{ boot = "true" }}
    }}
  }}
}}
provider "kuma" {{
  endpoint = kuma_hostname_generator.boot.creation_time == "" ? "" : "{global}"
  token = "{token}"
}}
"#
    )
}

/// A URL where nothing listens (a loopback port bound, then released).
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("bind a loopback port: {e}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local address: {e}"));
    drop(listener);
    format!("http://{address}")
}

/// A listener that accepts connections and never answers, for as long as the process lives.
pub struct Silent {
    /// Its URL.
    pub url: String,
}

impl Silent {
    /// Start listening on a loopback port.
    pub fn start() -> Silent {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("bind a loopback port: {e}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local address: {e}"));
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                held.push(stream);
            }
        });
        Silent {
            url: format!("http://{address}"),
        }
    }
}

/// What a [`Proxy`] does to the requests it passes on.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Pass a PUT on, then close the connection without its answer: the control plane makes
    /// the write, the client never learns it (a timeout or a broken connection after the
    /// request got through).
    LosePutAnswers,
    /// Close the connection of a PUT without passing it on: nothing is written.
    DropPuts,
    /// Pass every request on after this long.
    Delay(Duration),
    /// Pass a PUT on after this long, whether or not its client still waits (a proxy holding a
    /// request past the client's deadline): the write lands late. Other requests go through.
    DelayPuts(Duration),
    /// Pass a DELETE on after this long, whether or not its client still waits: the delete
    /// lands late. Other requests go through.
    DelayDeletes(Duration),
}

/// An HTTP/1.1 proxy on a loopback port in front of `upstream` (an `http://` URL), with a
/// [`Fault`]; every other request goes through unchanged. It runs for as long as the process.
pub struct Proxy {
    /// Its URL.
    pub url: String,
    puts: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    index_failures: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    /// Start it.
    pub fn start(upstream: &str, fault: Fault) -> Proxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("bind a loopback port: {e}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local address: {e}"));
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let puts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let index_failures = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = std::sync::Arc::clone(&puts);
        let failing = std::sync::Arc::clone(&index_failures);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, counted) = (upstream.clone(), std::sync::Arc::clone(&counted));
                let failing = std::sync::Arc::clone(&failing);
                std::thread::spawn(move || {
                    let mut client = client;
                    if !fails_index(&mut client, &failing) {
                        proxy_connection(client, &upstream, fault, &counted);
                    }
                });
            }
        });
        Proxy {
            url: format!("http://{address}"),
            puts,
            index_failures,
        }
    }

    /// Answer the next `times` requests for the index (`GET /`, where a control plane tells its
    /// release) with 503, as a load balancer with no healthy backend for it would; every other
    /// request still goes through. `usize::MAX`: every one; `0`: none from now on.
    pub fn fail_index(&self, times: usize) {
        self.index_failures
            .store(times, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many PUTs it has seen.
    pub fn puts(&self) -> usize {
        self.puts.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Whether the request waiting on `client` is `GET /` while `failing` counts failures still to
/// give: it is then answered 503 (one fewer to give) and the connection closed. Peeks, so any
/// other request is left for [`proxy_connection`] to read.
fn fails_index(client: &mut std::net::TcpStream, failing: &std::sync::atomic::AtomicUsize) -> bool {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    if failing.load(Ordering::SeqCst) == 0 {
        return false;
    }
    let _ = client.set_read_timeout(Some(Duration::from_secs(120)));
    let mut start = [0u8; 16];
    let mut seen = 0;
    for _ in 0..100 {
        match client.peek(&mut start) {
            Ok(n) if n >= 7 || n == 0 => {
                seen = n;
                break;
            }
            Ok(n) => {
                seen = n;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return false,
        }
    }
    let line = &start[..seen];
    if !(line.starts_with(b"GET / ") || line.starts_with(b"GET /?")) {
        return false;
    }
    let taken = failing.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| match left {
        0 => None,
        usize::MAX => Some(usize::MAX),
        n => Some(n - 1),
    });
    if taken.is_err() {
        return false;
    }
    let _ = read_request(client);
    let body = "{\"title\":\"no healthy upstream\"}";
    let _ = client.write_all(
        format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    let _ = client.shutdown(std::net::Shutdown::Both);
    true
}

/// One client connection of a [`Proxy`]: its request goes to `upstream` on a connection of its
/// own, with `Connection: close`, so the answer ends where that connection does and tells the
/// client to open a new connection for its next request.
fn proxy_connection(
    mut client: std::net::TcpStream,
    upstream: &str,
    fault: Fault,
    puts: &std::sync::atomic::AtomicUsize,
) {
    use std::io::{Read, Write};
    let _ = client.set_read_timeout(Some(Duration::from_secs(120)));
    let Some((head, body)) = read_request(&mut client) else {
        return;
    };
    let is_put = head.starts_with("PUT ");
    if is_put {
        puts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    match fault {
        Fault::DropPuts if is_put => {
            let _ = client.shutdown(std::net::Shutdown::Both);
            return;
        }
        Fault::Delay(wait) => std::thread::sleep(wait),
        Fault::DelayPuts(wait) if is_put => std::thread::sleep(wait),
        Fault::DelayDeletes(wait) if head.starts_with("DELETE ") => std::thread::sleep(wait),
        _ => {}
    }
    let mut lines: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("Connection: close");
    let Ok(mut server) = std::net::TcpStream::connect(upstream) else {
        return;
    };
    let _ = server.set_read_timeout(Some(Duration::from_secs(120)));
    let mut request = format!("{}\r\n\r\n", lines.join("\r\n")).into_bytes();
    request.extend_from_slice(&body);
    let mut answer = Vec::new();
    if server.write_all(&request).is_err() || server.read_to_end(&mut answer).is_err() {
        return;
    }
    if !(matches!(fault, Fault::LosePutAnswers) && is_put) {
        let _ = client.write_all(&answer);
    }
    let _ = client.shutdown(std::net::Shutdown::Both);
}

/// The first request on `client`: its head (without the blank line) and its body (by
/// `Content-Length`). `None` when the connection ends first.
fn read_request(client: &mut std::net::TcpStream) -> Option<(String, Vec<u8>)> {
    use std::io::Read;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let length: usize = head
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let body_start = end + 4;
    while buffer.len() < body_start + length {
        match client.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    Some((head, buffer[body_start..body_start + length].to_vec()))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn target_dir() -> PathBuf {
    // <target>/<profile>/deps/<test-exe>
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| repo_root().join("target/debug"))
}

/// A built binary of this workspace, or a panic telling how to build it.
pub fn workspace_binary(name: &str, env_override: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env_override) {
        return PathBuf::from(p);
    }
    let path = target_dir().join(name);
    assert!(
        path.is_file(),
        "{} not found; build it first: `cargo build -p {}` (make test-terraform does), or set {env_override}",
        path.display(),
        if name == "kuma-local" { "kuma-local" } else { "terraform-provider-kuma" },
    );
    path
}

/// `<repo>/.tools/bin/terraform-<which>`, or a panic telling how to install it.
pub fn terraform_binary(which: &str) -> PathBuf {
    let path = repo_root()
        .join(".tools/bin")
        .join(format!("terraform-{which}"));
    assert!(
        path.exists(),
        "Terraform binary {} is missing: run `.ci/tools.sh terraform` (make test-terraform does). \
         The Terraform end-to-end tests never skip.",
        path.display()
    );
    path
}

/// Terraform's `<os>_<arch>` for this machine.
pub fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

/// One control plane's data directory and admin token, for starting it under one Kuma release
/// and again under another (a server upgrade, `2.14` then `3.0`), zone `east` beside it.
pub struct Upgradable {
    data: TempDir,
}

impl Upgradable {
    /// A fresh data directory.
    pub fn new(prefix: &str) -> Upgradable {
        Upgradable {
            data: TempDir::new(prefix),
        }
    }

    /// kuma-local on the data directory, running Kuma `version`'s rules.
    pub fn start(&self, version: &str) -> KumaLocal {
        let dir = self.data.0.join("kuma");
        let dir = dir
            .to_str()
            .unwrap_or_else(|| panic!("a UTF-8 path: {}", dir.display()));
        let token = "0123456789abcdef0123456789abcdef";
        KumaLocal::start(
            &["east"],
            &[
                "--kuma-version",
                version,
                "--data-dir",
                dir,
                "--admin-token",
                token,
            ],
        )
    }
}

impl TempDir {
    /// A fresh directory.
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_TEST_DIRS").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A P-521 self-signed certificate like the one Terraform passes to a plugin in
/// `PLUGIN_CLIENT_CERT` (made with `openssl` in `dir`), as PEM text.
pub fn plugin_client_cert(dir: &TempDir) -> String {
    let (key, cert) = (dir.0.join("k.pem"), dir.0.join("c.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-sha512",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/O=HashiCorp/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("openssl is needed to make a test client certificate: {e}"));
    assert!(status.success(), "openssl req failed");
    std::fs::read_to_string(&cert).unwrap_or_else(|e| panic!("read {}: {e}", cert.display()))
}

/// Spawn `kuma-local` with `args` and read its JSON address line (at most 60 s).
fn spawn_kuma_local(args: &[&str], quiet: bool) -> (Child, serde_json::Value) {
    let bin = workspace_binary("kuma-local", "KUMA_LOCAL_BIN");
    let mut child = Command::new(&bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if quiet {
            Stdio::null()
        } else {
            Stdio::inherit()
        })
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(line) if !line.trim().is_empty() => line,
        other => {
            let _ = child.kill();
            panic!("kuma-local did not print its JSON address line (got {other:?}); args {args:?}");
        }
    };
    let info = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("kuma-local printed {line:?}, not JSON: {e}"));
    (child, info)
}

/// One `kuma-local` process in any mode (`run --port 0 --output json --admin-token <token>` plus
/// `args`), stopped on drop; `url` is the address its JSON line holds at `key` (e.g. `["global"]`).
pub struct KumaLocalProcess {
    child: Child,
    /// The API URL read at `key`.
    pub url: String,
}

impl KumaLocalProcess {
    /// Start it and wait (at most 60 s) for its address line; `quiet` drops its log output.
    pub fn start(args: &[&str], key: &[&str], token: &str, quiet: bool) -> KumaLocalProcess {
        let mut all = vec![
            "run",
            "--port",
            "0",
            "--output",
            "json",
            "--admin-token",
            token,
        ];
        all.extend_from_slice(args);
        let (child, info) = spawn_kuma_local(&all, quiet);
        let url = key
            .iter()
            .fold(&info, |v, k| &v[*k])
            .as_str()
            .unwrap_or_else(|| panic!("no {key:?} in {info}"))
            .to_owned();
        KumaLocalProcess { child, url }
    }
}

impl Drop for KumaLocalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `kuma-local` (global + zones), stopped on drop.
pub struct KumaLocal {
    child: Child,
    /// Global API URL.
    pub global: String,
    /// Zone name -> API URL.
    pub zones: BTreeMap<String, String>,
    /// Admin token.
    pub token: String,
    agent: ureq::Agent,
}

impl KumaLocal {
    /// Start with `--zones east,west --port 0 --output json` plus `extra` arguments.
    pub fn start(zones: &[&str], extra: &[&str]) -> KumaLocal {
        let zone_list = zones.join(",");
        let mut args = vec![
            "run", "--zones", &zone_list, "--port", "0", "--output", "json",
        ];
        args.extend_from_slice(extra);
        let (child, info) = spawn_kuma_local(&args, false);
        let global = info["global"].as_str().unwrap_or_default().to_owned();
        let zones: BTreeMap<String, String> = info["zones"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let token = info["admin_token"]
            .as_str()
            .or_else(|| info["adminToken"].as_str())
            .unwrap_or_default()
            .to_owned();
        assert!(
            !global.is_empty(),
            "kuma-local info has no global address: {info}"
        );
        KumaLocal {
            child,
            global,
            zones,
            token,
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                // Error statuses are answers the tests look at, not failures.
                .http_status_as_error(false)
                // Loopback only: never through a proxy named in the environment.
                .proxy(None)
                .build()
                .new_agent(),
        }
    }

    /// Call the API at `base` (a URL of this instance): returns status and JSON body.
    pub fn call(
        &self,
        method: &str,
        base: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{base}{path}"))
            .header("Authorization", format!("Bearer {}", self.token));
        let result = match body {
            Some(b) => self.agent.run(
                request
                    .header("Content-Type", "application/json")
                    .body(b.to_string())
                    .unwrap_or_else(|e| panic!("{method} {base}{path}: {e}")),
            ),
            None => self.agent.run(
                request
                    .body(())
                    .unwrap_or_else(|e| panic!("{method} {base}{path}: {e}")),
            ),
        };
        let mut response = match result {
            Ok(r) => r,
            // Transport errors (e.g. kuma-local's injected connection drops) read as status 0.
            Err(e) => return (0, serde_json::Value::String(e.to_string())),
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// GET on the global.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.call("GET", &self.global, path, None)
    }

    /// GET on the global, retrying injected faults (503 / dropped connections).
    pub fn get_reliably(&self, path: &str) -> (u16, serde_json::Value) {
        let mut last = (0, serde_json::Value::Null);
        for _ in 0..100 {
            last = self.get(path);
            if last.0 != 0 && last.0 != 503 {
                return last;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        last
    }

    /// Create a MeshService in a zone (zone-originated, like a real zone's service).
    pub fn seed_mesh_service(&self, zone: &str, name: &str, port: u16) {
        let base = self
            .zones
            .get(zone)
            .unwrap_or_else(|| panic!("no zone {zone}"))
            .clone();
        let body = serde_json::json!({
            "type": "MeshService", "mesh": "default", "name": name,
            "labels": {"app": name},
            "spec": {"state": "Available", "ports": [{"port": port, "appProtocol": "tcp"}]}
        });
        let (status, reply) = self.call(
            "PUT",
            &base,
            &format!("/meshes/default/meshservices/{name}"),
            Some(body),
        );
        assert!(
            status == 200 || status == 201,
            "seeding MeshService {name} in {zone}: {status} {reply}"
        );
    }

    /// Wait until the global lists `count` MeshServices with display name `name`.
    pub fn wait_for_global_mesh_services(&self, name: &str, count: usize) {
        for _ in 0..200 {
            let (_, list) = self.get(&format!(
                "/meshservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D={name}"
            ));
            if list["items"].as_array().map(Vec::len).unwrap_or(0) >= count {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("global never saw {count} MeshService(s) named {name}");
    }
}

impl Drop for KumaLocal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Result of one terraform command.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A Terraform working directory bound to one terraform binary, with the provider installed in
/// a `-plugin-dir` (registry layout) so `terraform init` works offline.
pub struct Workspace {
    /// The terraform binary.
    pub terraform: PathBuf,
    /// Working directory.
    pub dir: TempDir,
    plugins: PathBuf,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// A new workspace for `terraform-<which>`.
    pub fn new(which: &str) -> Workspace {
        let terraform = terraform_binary(which);
        let dir = TempDir::new(&format!("tf-e2e-{which}"));
        let plugins = dir.0.join("plugins");
        let platform = dir
            .0
            .join("plugins")
            .join(SOURCE)
            .join(VERSION)
            .join(platform());
        std::fs::create_dir_all(&platform).unwrap_or_else(|e| panic!("{e}"));
        let provider = workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN");
        let installed = platform.join(format!("terraform-provider-kuma_v{VERSION}"));
        std::fs::copy(&provider, &installed).unwrap_or_else(|e| panic!("copy provider: {e}"));
        let work = dir.0.join("work");
        std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("{e}"));
        // An empty CLI config so a developer's ~/.terraformrc cannot interfere.
        let cli_config = dir.0.join("terraform.rc");
        std::fs::write(&cli_config, "").unwrap_or_else(|e| panic!("{e}"));
        Workspace {
            terraform,
            dir,
            plugins,
            env: vec![
                ("CHECKPOINT_DISABLE".into(), "1".into()),
                ("TF_IN_AUTOMATION".into(), "1".into()),
                (
                    "TF_CLI_CONFIG_FILE".into(),
                    cli_config.display().to_string(),
                ),
            ],
        }
    }

    /// The working directory.
    pub fn work(&self) -> PathBuf {
        self.dir.0.join("work")
    }

    /// Add an environment variable for every command.
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.push((key.into(), value.into()));
    }

    /// Write `main.tf`.
    pub fn write(&self, main_tf: &str) {
        std::fs::write(self.work().join("main.tf"), main_tf).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Run terraform with `args` (plus -no-color / -input=false where they apply).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new(&self.terraform);
        command.current_dir(self.work()).args(args);
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("run {} {args:?}: {e}", self.terraform.display()));
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Run and require exit code `code`.
    pub fn expect(&self, code: i32, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code,
            code,
            "terraform {args:?} ({}) exited {} (wanted {code}):\n{}",
            self.terraform.display(),
            run.code,
            run.all()
        );
        run
    }

    /// `terraform init` from the plugin directory (offline).
    pub fn init(&self) -> Run {
        let plugin_dir = format!("-plugin-dir={}", self.plugins.display());
        self.expect(0, &["init", "-input=false", "-no-color", &plugin_dir])
    }

    /// `apply -auto-approve`, must succeed.
    pub fn apply(&self, extra: &[&str]) -> Run {
        let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.expect(0, &args)
    }

    /// `plan -detailed-exitcode` exit code (0 no changes, 2 changes, 1 error).
    pub fn plan_code(&self) -> Run {
        self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
    }

    /// `show -json` parsed.
    pub fn state(&self) -> serde_json::Value {
        let run = self.expect(0, &["show", "-json", "-no-color"]);
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("show -json is not JSON: {e}\n{}", run.stdout))
    }

    /// Attributes of a resource address in `show -json`.
    pub fn resource(&self, address: &str) -> serde_json::Value {
        let state = self.state();
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|list| list.iter().find(|r| r["address"] == address))
            .map(|r| r["values"].clone())
            .unwrap_or(serde_json::Value::Null)
    }
}
