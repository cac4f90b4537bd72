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

/// A restart on the same data directory changes no status, so nothing's `modificationTime`
/// moves: the zones' status engines compute what is stored and write nothing (Kuma's updaters
/// write only on change: v2.14.3 `meshservice/status/updater.go:145-173`,
/// `hostnamegenerator/hostname/generator.go:247-252`), and global's copies of the zones'
/// MeshServices keep the status they were sent.
#[test]
fn a_restart_rewrites_no_status() {
    use common::{mesh_service, Cluster};
    use kuma_local::server::{Config, Topology};

    const MS: &str = "/meshes/default/meshservices";
    let dir = tempfile::tempdir().unwrap();
    let config = || Config {
        topology: Topology::All {
            zones: vec!["zone-1".to_owned(), "zone-2".to_owned()],
        },
        port: 0,
        admin_token: Some("tok".to_owned()),
        data_dir: Some(dir.path().to_owned()),
        ..Config::default()
    };
    let redis_on_global = kuma_mzs_core::api::hashed_name("default", "redis", &["zone-1"]);
    let mzs_on_zones = kuma_mzs_core::api::hashed_name("default", "redis", &[]);
    // (control plane, path) of every status the restart must leave alone.
    let watched = [
        ("zone-1", format!("{MS}/redis")),
        ("zone-2", format!("{MS}/{redis_on_global}")),
        ("global", format!("{MS}/{redis_on_global}")),
        ("zone-1", format!("{MZS}/{mzs_on_zones}")),
        ("zone-2", format!("{MZS}/{mzs_on_zones}")),
        ("global", format!("{MZS}/redis")),
    ];
    let client = |cluster: &Cluster, cp: &str| match cp {
        "global" => cluster.global(),
        zone => cluster.zone(zone),
    };
    let read = |cluster: &Cluster| -> Vec<(Value, Value)> {
        watched
            .iter()
            .map(|(cp, path)| {
                let (status, body) = client(cluster, cp).get(path);
                assert_eq!(status, 200, "{cp} {path}: {body}");
                (body["modificationTime"].clone(), body["status"].clone())
            })
            .collect()
    };
    let wait = Duration::from_secs(10);

    let cluster = Cluster::start(config());
    let mut redis = mesh_service("redis", 6379, "Available");
    redis["labels"] = serde_json::json!({"app": "redis"});
    assert_eq!(
        cluster.zone("zone-1").put(&format!("{MS}/redis"), &redis).0,
        201
    );
    assert_eq!(
        cluster
            .global()
            .put(
                &format!("{MZS}/redis"),
                &mzs("redis", &[("app", "redis")], &[6379])
            )
            .0,
        201
    );
    // Every status computed, and global's copy holds the one zone-1 computed.
    // Settled: computed, each zone's MZS matching the service (zone-2 through its synced copy),
    // and nothing moving between two reads (a status still being written after the first read
    // would otherwise show as a change across the restart).
    let settled = |now: &[(Value, Value)]| {
        let computed = |i: usize| now[i].1["addresses"].is_array() && now[i].1["vips"].is_array();
        let matched = |i: usize| {
            (now[i].1["meshServices"].as_array()).is_some_and(|matches| !matches.is_empty())
        };
        [0, 1, 3, 4].into_iter().all(computed)
            && [3, 4].into_iter().all(matched)
            && now[2].1 == now[0].1
    };
    wait_until(wait, || {
        let first = read(&cluster);
        if !settled(&first) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(300));
        read(&cluster) == first
    });
    let before = read(&cluster);
    drop(cluster);

    let cluster = Cluster::start(config());
    // Each zone's status engine has run over the reloaded store (its allocator position is set
    // after its first round), and a service created now reaches global and zone-2 (and gets a
    // VIP there) only after zone-1's full push and zone-2's full pull since the restart.
    for zone in ["zone-1", "zone-2"] {
        let ipam = cluster.zone(zone);
        wait_until(wait, || {
            ipam.get("/_kuma-local/ipam").1["meshMultiZoneService"]["cursor"].is_string()
        });
    }
    let marker = mesh_service("marker", 80, "Available");
    assert_eq!(
        cluster
            .zone("zone-1")
            .put(&format!("{MS}/marker"), &marker)
            .0,
        201
    );
    let marker_copy = format!(
        "{MS}/{}",
        kuma_mzs_core::api::hashed_name("default", "marker", &["zone-1"])
    );
    wait_until(wait, || {
        cluster.global().get(&marker_copy).0 == 200
            && cluster.zone("zone-2").get(&marker_copy).1["status"]["vips"].is_array()
    });
    let after = read(&cluster);
    for (((cp, path), before), after) in watched.iter().zip(&before).zip(&after) {
        assert_eq!(before, after, "{cp} {path} changed across the restart");
    }
}
