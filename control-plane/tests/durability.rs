//! Durability of the real binary: kill -9 in the middle of a write loop, restart on the same
//! data directory, and every acknowledged write is there with its VIP unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{mzs, wait_until, Client};
use serde_json::Value;

const MZS: &str = "/meshes/default/meshmultizoneservices";

fn spawn(data_dir: &Path) -> (Child, Client) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kuma-local"))
        .args(["run", "--mode", "zone", "--zone", "east", "--port", "0"])
        .args([
            "--output",
            "json",
            "--admin-token",
            "tok",
            "--log-level",
            "warn",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let client = Client::new(info["zones"]["east"].as_str().unwrap(), "tok");
    wait_until(Duration::from_secs(10), || {
        client
            .try_raw("GET", "/ready", None, &[])
            .is_ok_and(|r| r.0 == 200)
    });
    (child, client)
}

fn vip(client: &Client, name: &str) -> Option<String> {
    let (_, body) = client.get(&format!("{MZS}/{name}"));
    body["status"]["vips"][0]["ip"].as_str().map(str::to_owned)
}

#[test]
fn kill_9_loses_no_acknowledged_write_and_keeps_vips() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, client) = spawn(dir.path());
    // Some services with VIPs before the crash.
    let mut vips = Vec::new();
    for i in 0..5 {
        let name = format!("before-{i}");
        assert_eq!(
            client
                .put(
                    &format!("{MZS}/{name}"),
                    &mzs(&name, &[("app", &name)], &[80])
                )
                .0,
            201
        );
    }
    for i in 0..5 {
        let name = format!("before-{i}");
        wait_until(Duration::from_secs(5), || vip(&client, &name).is_some());
        vips.push((name.clone(), vip(&client, &name).unwrap()));
    }
    // A write loop, killed with SIGKILL while it runs.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let acknowledged = acknowledged.clone();
        let stop = stop.clone();
        let client = client.clone();
        std::thread::spawn(move || {
            for i in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let name = format!("loop-{i}");
                let body = mzs(&name, &[("app", &name)], &[8080]).to_string();
                match client.try_raw("PUT", &format!("{MZS}/{name}"), Some(&body), &[]) {
                    Ok((201, _, _)) => acknowledged.lock().unwrap().push(name),
                    Ok((status, _, text)) => panic!("unexpected {status}: {text}"),
                    Err(_) => break, // the server is gone
                }
            }
        })
    };
    wait_until(Duration::from_secs(10), || {
        acknowledged.lock().unwrap().len() >= 30
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 30);

    let (mut child, client) = spawn(dir.path());
    for name in &acknowledged {
        assert_eq!(client.get(&format!("{MZS}/{name}")).0, 200, "{name} lost");
    }
    for (name, before) in &vips {
        assert_eq!(
            vip(&client, name).as_ref(),
            Some(before),
            "VIP of {name} changed"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, client) = spawn(dir.path());
    assert_eq!(client.get("/meshes/default").0, 200);
    let pid = child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "exit status {exit:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
