//! Reliability of the real binary against slow, idle, racing and oversized clients (loopback
//! only, every wait bounded): header and idle timeouts, the connection cap under a lowered file
//! limit, TLS key files and planted symlinks, ETags across delete/re-create and status writes,
//! Mesh deletion racing PUTs, body limits with Kuma-shaped 413s and bounded memory, Kuma-shaped
//! framework errors, and refused unsafe or empty admin tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{mesh_service, mzs, wait_until, Client};
use serde_json::Value;

const TOKEN: &str = "reliability-token";
const MZS: &str = "/meshes/default/meshmultizoneservices";

/// A kuma-local process, killed when dropped.
struct Process {
    child: Child,
    info: Value,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Process {
    /// `kuma-local run --port 0 --output json --admin-token TOKEN <args>`, optionally under
    /// `sh -c 'ulimit -n N'`, with extra environment.
    fn spawn_with(args: &[&str], fd_limit: Option<u32>, env: &[(&str, &Path)]) -> Self {
        let binary = env!("CARGO_BIN_EXE_kuma-local");
        let mut all: Vec<String> = [
            "run",
            "--port",
            "0",
            "--output",
            "json",
            "--admin-token",
            TOKEN,
            "--log-level",
            "warn",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        all.extend(args.iter().map(|s| (*s).to_owned()));
        let mut command = match fd_limit {
            None => {
                let mut c = Command::new(binary);
                c.args(&all);
                c
            }
            Some(limit) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(binary)
                    .args(&all);
                c
            }
        };
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        let process = Self { child, info };
        let client = process.client();
        wait_until(Duration::from_secs(10), || {
            client
                .try_raw("GET", "/ready", None, &[])
                .is_ok_and(|r| r.0 == 200)
        });
        process
    }

    fn spawn(args: &[&str]) -> Self {
        Self::spawn_with(args, None, &[])
    }

    fn url(&self) -> String {
        self.info["global"]
            .as_str()
            .or_else(|| {
                self.info["zones"]
                    .as_object()
                    .and_then(|z| z.values().next())
                    .and_then(Value::as_str)
            })
            .unwrap()
            .to_owned()
    }

    fn address(&self) -> String {
        self.url()
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_owned()
    }

    fn client(&self) -> Client {
        let pem = self.info["tlsCertFile"]
            .as_str()
            .map(|f| std::fs::read(f).unwrap());
        Client::with_agent(&self.url(), Some(TOKEN), Client::agent(pem.as_deref()))
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// SIGTERM and wait (bounded) for the exit.
    fn terminate(&mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Run kuma-local with `args` and expect it to refuse to start; returns its stderr.
fn refused_start(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kuma-local"))
        .args([
            "run",
            "--port",
            "0",
            "--mode",
            "global",
            "--log-level",
            "warn",
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success(), "started although it should not");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Read until the peer closes; how long that took (`None`: still open at `limit`).
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn assert_std_error(status: u16, headers: &[(String, String)], text: &str, expected: u16) {
    assert_eq!(status, expected, "{text}");
    assert_eq!(header(headers, "content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(body["type"], "/std-errors", "{text}");
    assert_eq!(body["status"], expected, "{text}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
}

// ---------------------------------------------------------------------------------------------
// Slow and idle clients

#[test]
fn a_partial_request_line_is_closed_after_the_header_read_timeout() {
    let process = Process::spawn(&["--mode", "global", "--header-read-timeout", "1s"]);
    let mut stream = TcpStream::connect(process.address()).unwrap();
    stream.write_all(b"GET /meshes HT").unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(8));
    let closed = closed.expect("a partial request line kept the connection open");
    assert!(
        closed >= Duration::from_millis(800),
        "closed after {closed:?}"
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let process = Process::spawn(&["--mode", "global", "--idle-timeout", "1s"]);
    let mut stream = TcpStream::connect(process.address()).unwrap();
    stream
        .write_all(b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // The response arrives, then the connection stays open (keep-alive) until the timeout.
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let closed = closed_within(&mut stream, Duration::from_secs(8));
    assert!(closed.is_some(), "idle keep-alive connection never closed");
}

#[test]
fn six_hundred_idle_connections_do_not_block_an_authenticated_request() {
    // The process may hold 512 files; the cap is fitted below that, and at the cap the
    // connection idle the longest makes room. Timeouts stay at their defaults (longer than
    // this test), so they are not what saves the request.
    let process = Process::spawn_with(&["--mode", "global"], Some(512), &[]);
    let address = process.address();
    let mut idle = Vec::new();
    for i in 0..600 {
        let Ok(mut stream) =
            TcpStream::connect_timeout(&address.parse().unwrap(), Duration::from_secs(2))
        else {
            continue;
        };
        // Half say nothing, half send an unfinished request head.
        if i % 2 == 1 {
            let _ = stream.write_all(b"GET /meshes HTTP/1.1\r\nHost: x\r\n");
        }
        idle.push(stream);
    }
    assert!(idle.len() >= 500, "only {} connections opened", idle.len());
    let started = Instant::now();
    let client = process.client();
    let (status, _, text) = client.raw("GET", "/meshes/default", None, &[]);
    assert_eq!(status, 200, "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    // Unauthenticated idlers do not lock the token holder out afterwards either.
    assert_eq!(client.get("/meshes").0, 200);
    drop(idle);
}

// ---------------------------------------------------------------------------------------------
// TLS files

#[cfg(unix)]
#[test]
fn a_planted_symlink_in_place_of_the_tls_key_is_not_followed() {
    let data = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, data.path().join("tls.key")).unwrap();
    std::os::unix::fs::symlink(&victim, data.path().join("tls.crt")).unwrap();
    let data_dir = data.path().to_str().unwrap();
    let stderr = refused_start(&["--tls", "--data-dir", data_dir]);
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}

#[cfg(unix)]
#[test]
fn generated_tls_files_live_in_a_private_directory_removed_on_exit() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let mut process = Process::spawn_with(
        &["--mode", "global", "--tls"],
        None,
        &[("TMPDIR", tmp.path())],
    );
    let cert = std::path::PathBuf::from(process.info["tlsCertFile"].as_str().unwrap());
    let dir = cert.parent().unwrap().to_owned();
    assert!(dir.starts_with(tmp.path()), "{}", dir.display());
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("tls.key")), 0o600);
    // Not the predictable per-pid name of earlier versions.
    assert_ne!(
        dir.file_name().unwrap().to_str().unwrap(),
        format!("kuma-local-{}", process.child.id())
    );
    process.terminate();
    assert!(!dir.exists(), "key left behind in {}", dir.display());
}

// ---------------------------------------------------------------------------------------------
// ETags

fn etag(headers: &[(String, String)]) -> String {
    header(headers, "etag").unwrap().to_owned()
}

#[test]
fn a_stale_etag_after_delete_and_re_create_gets_412() {
    let process = Process::spawn(&["--mode", "global"]);
    let g = process.client();
    let path = format!("{MZS}/redis");
    let body = mzs("redis", &[("app", "redis")], &[6379]).to_string();
    let (status, headers, _) = g.raw("PUT", &path, Some(&body), &[]);
    assert_eq!(status, 201);
    let first = etag(&headers);
    let (_, headers, _) = g.raw("PUT", &path, Some(&body), &[("If-Match", &first)]);
    let second = etag(&headers);
    assert_eq!(g.delete(&path).0, 200);
    let (status, headers, _) = g.raw("PUT", &path, Some(&body), &[]);
    assert_eq!(status, 201);
    let recreated = etag(&headers);
    assert_ne!(recreated, first);
    assert_ne!(recreated, second);
    for stale in [&first, &second] {
        let (status, _, text) = g.raw("PUT", &path, Some(&body), &[("If-Match", stale)]);
        assert_eq!(
            status, 412,
            "stale {stale} overwrote the new resource: {text}"
        );
    }
    assert_eq!(
        g.raw("PUT", &path, Some(&body), &[("If-Match", &recreated)])
            .0,
        200
    );
}

#[test]
fn status_written_by_the_zone_does_not_break_if_match_of_the_writer() {
    let process = Process::spawn(&["--mode", "zone", "--zone", "east"]);
    let z = process.client();
    let path = "/meshes/default/meshservices/web";
    let body = mesh_service("web", 80, "Available").to_string();
    let (status, headers, _) = z.raw("PUT", path, Some(&body), &[]);
    assert_eq!(status, 201);
    let mine = etag(&headers);
    // The status engine gives it a VIP (a status write) ...
    wait_until(Duration::from_secs(10), || {
        z.get(path).1["status"]["vips"][0]["ip"].is_string()
    });
    // ... and the writer's ETag still holds.
    let (status, _, text) = z.raw("PUT", path, Some(&body), &[("If-Match", &mine)]);
    assert_eq!(status, 200, "{text}");
}

// ---------------------------------------------------------------------------------------------
// Mesh deletion racing PUTs

#[test]
fn mesh_deletion_racing_puts_leaves_no_orphans() {
    let process = Process::spawn(&["--mode", "global"]);
    let g = process.client();
    for round in 0u64..40 {
        let mesh = format!("race-{round}");
        let (status, _) = g.put(
            &format!("/meshes/{mesh}"),
            &serde_json::json!({"type": "Mesh", "name": mesh}),
        );
        assert_eq!(status, 201);
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let g = g.clone();
                let mesh = mesh.clone();
                std::thread::spawn(move || {
                    for i in 0..6 {
                        let name = format!("svc-{w}-{i}");
                        let mut body = mzs(&name, &[("app", &name)], &[80]);
                        body["mesh"] = Value::String(mesh.clone());
                        let path = format!("/meshes/{mesh}/meshmultizoneservices/{name}");
                        let (status, _, text) = g.raw("PUT", &path, Some(&body.to_string()), &[]);
                        assert!(
                            status == 201 || (400..500).contains(&status),
                            "{status}: {text}"
                        );
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(round % 5));
        assert_eq!(g.delete(&format!("/meshes/{mesh}")).0, 200);
        for w in writers {
            w.join().unwrap();
        }
    }
    let (_, meshes) = g.get("/meshes?size=1000");
    let meshes: Vec<&str> = meshes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    let (_, all) = g.get("/meshmultizoneservices?size=1000");
    let orphans: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !meshes.contains(&s["mesh"].as_str().unwrap_or("")))
        .map(|s| format!("{}/{}", s["mesh"], s["name"]))
        .collect();
    assert!(orphans.is_empty(), "orphans in deleted meshes: {orphans:?}");
}

// ---------------------------------------------------------------------------------------------
// Bodies and framework errors

#[test]
fn oversized_bodies_get_a_kuma_413_and_memory_stays_bounded() {
    let process = Process::spawn(&["--mode", "global"]);
    let g = process.client();
    let before = process.rss_kib();
    // 16 concurrent 2 MiB bodies: refused without being buffered.
    let big = format!(
        "{{\"type\":\"MeshMultiZoneService\",\"pad\":\"{}\"}}",
        "x".repeat(2 << 20)
    );
    let senders: Vec<_> = (0..16)
        .map(|i| {
            let g = g.clone();
            let big = big.clone();
            std::thread::spawn(move || g.try_raw("PUT", &format!("{MZS}/big-{i}"), Some(&big), &[]))
        })
        .collect();
    let mut answered = 0;
    for sender in senders {
        // The server may answer before the client finished sending and close; either way
        // nothing is stored.
        if let Ok((status, headers, text)) = sender.join().unwrap() {
            assert_std_error(status, &headers, &text, 413);
            assert!(text.contains("1048576"), "{text}");
            answered += 1;
        }
    }
    assert!(answered > 0, "no 413 answer arrived");
    // A fresh client: the refused uploads' connections are closed by the server.
    assert_eq!(process.client().get(&format!("{MZS}/big-0")).0, 404);
    let after = process.rss_kib();
    assert!(
        after < before + 64 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
}

/// What one raw request on a fresh connection gets back within `limit`: the status line and the
/// body (the connection is closed by the server after it), or `None`.
fn raw_answer(process: &Process, request: &[u8], limit: Duration) -> Option<(String, String)> {
    let mut stream = TcpStream::connect(process.address()).unwrap();
    stream.write_all(request).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buffer[..n]);
                if got.windows(4).any(|w| w == b"\r\n\r\n") && got.ends_with(b"}") {
                    break;
                }
            }
            Err(_) => {}
        }
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text.lines().next()?.to_owned();
    let body = text.split("\r\n\r\n").nth(1)?.to_owned();
    Some((status, body))
}

#[test]
fn a_declared_body_that_is_too_large_or_never_sent_is_answered_in_time() {
    let process = Process::spawn(&["--mode", "global", "--body-read-timeout", "1s"]);
    let head = |length: &str| {
        format!(
            "PUT {MZS}/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
    };
    // A length far over the limit: Kuma's 413 at once, without waiting for the body.
    let started = Instant::now();
    let (status, body) = raw_answer(
        &process,
        head("99999999999999").as_bytes(),
        Duration::from_secs(5),
    )
    .expect("no answer to a declared oversize");
    assert!(status.contains(" 413 "), "{status}");
    assert!(body.contains("1048576"), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Four bytes of a declared hundred: a 408 after the body deadline.
    let mut request = head("100").into_bytes();
    request.extend_from_slice(b"{\"ty");
    let started = Instant::now();
    let (status, body) = raw_answer(&process, &request, Duration::from_secs(8))
        .expect("no answer to a stalled body");
    assert!(status.contains(" 408 "), "{status}");
    assert!(body.contains("did not arrive within 1s"), "{body}");
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert_eq!(process.client().get(&format!("{MZS}/slow")).0, 404);
}

#[test]
fn framework_errors_are_kuma_std_errors() {
    let process = Process::spawn(&["--mode", "global"]);
    let g = process.client();
    // Invalid UTF-8 in a path segment: Go decodes it into a name no resource has (Kuma's
    // handler's 404), where axum's extractor refused it.
    let (status, headers, text) = g.raw("GET", "/meshes/%FF%FE", None, &[]);
    assert_std_error(status, &headers, &text, 404);
    // Not JSON on the KDS push route.
    let (status, headers, text) = g.raw("POST", "/_kds/v1/push", Some("{not json"), &[]);
    assert!(status == 400 || status == 422, "{status} {text}");
    assert_std_error(status, &headers, &text, status);
}

// ---------------------------------------------------------------------------------------------
// Admin tokens

#[test]
fn an_empty_admin_token_is_refused_with_a_message() {
    let stderr = refused_start(&["--admin-token", ""]);
    assert!(
        stderr.contains("--admin-token") && stderr.contains("empty"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn an_admin_token_file_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("admin-token");
    std::fs::write(&file, b"secret").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stderr = refused_start(&["--data-dir", data.path().to_str().unwrap()]);
    assert!(
        stderr.contains("0644") && stderr.contains("chmod 600"),
        "{stderr}"
    );
}

#[test]
fn resources_at_the_port_limit_keep_memory_bounded_and_one_more_port_is_refused() {
    let process = Process::spawn(&["--mode", "all", "--zones", "east"]);
    let g = process.client();
    let zone = Client::new(process.info["zones"]["east"].as_str().unwrap(), TOKEN);
    let ports: Vec<i64> = (1..=1024).collect();
    let mut service = mesh_service("wide", 1, "Available");
    service["labels"] = serde_json::json!({"app": "wide"});
    service["spec"]["ports"] = ports
        .iter()
        .map(|p| serde_json::json!({"port": p, "appProtocol": "tcp"}))
        .collect();
    assert_eq!(
        zone.put("/meshes/default/meshservices/wide", &service).0,
        201
    );
    for i in 0..16 {
        let name = format!("wide-{i}");
        let body = mzs(&name, &[("app", "wide")], &ports);
        let (status, text) = g.put(&format!("{MZS}/{name}"), &body);
        assert_eq!(status, 201, "{text}");
    }
    let (status, body) = g.put(
        &format!("{MZS}/too-wide"),
        &mzs(
            "too-wide",
            &[("app", "wide")],
            &(1..=1025).collect::<Vec<_>>(),
        ),
    );
    assert_eq!(status, 400);
    assert_eq!(body["invalid_parameters"][0]["field"], "spec.ports");
    // Every MZS reaches the zone with its status, and memory stays in the tens of MB (16 such
    // resources with 40,000 ports each took 3.2 GB before the limit).
    wait_until(Duration::from_secs(30), || {
        let (_, list) = zone.get(&format!("{MZS}?size=100"));
        list["items"].as_array().is_some_and(|items| {
            items.len() == 16
                && items
                    .iter()
                    .all(|i| i["status"]["vips"][0]["ip"].is_string())
        })
    });
    let rss = process.rss_kib();
    assert!(rss < 256 * 1024, "RSS {rss} KiB");
}
