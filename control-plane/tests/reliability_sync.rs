//! Reliability of federation and status under size and faults (issue 15, items 1-3 and 8):
//! `kuma-local` as real processes on loopback, each test bounded in time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reliability;

use std::time::{Duration, Instant};

use common::{mesh_service, mzs, wait_until, Client};
use kuma_mzs_core::api::Mode;
use kuma_mzs_core::ResourceType;
use reliability::{fill_store, free_port, prepared, ready, total, zone_token, Process};

const MZS: &str = "/meshes/default/meshmultizoneservices";
const MS: &str = "/meshes/default/meshservices";

fn east() -> Mode {
    Mode::Zone {
        name: "east".to_owned(),
        federated: true,
    }
}

/// Item 1: a global with 30,000 MZS and a zone with 5,000 MeshServices sync across processes
/// (each direction far beyond one 2-10 MiB body), with a zone token instead of global's admin
/// token; after global restarts having lost the zone's MeshServices, the zone pushes them all
/// again, plus one created while global was down.
#[test]
fn thirty_thousand_mzs_and_five_thousand_services_sync_across_processes_and_a_global_restart() {
    let _serial = reliability::serial();
    const GLOBAL_MZS: usize = 30_000;
    const ZONE_SERVICES: usize = 5_000;
    let started = Instant::now();
    let global_dir = tempfile::tempdir().unwrap();
    let zone_dir = tempfile::tempdir().unwrap();
    fill_store(
        global_dir.path(),
        "global.db",
        (0..GLOBAL_MZS)
            .map(|i| {
                let body = mzs(&format!("mzs-{i}"), &[("app", &format!("app-{i}"))], &[80]);
                prepared(&Mode::Global, ResourceType::MeshMultiZoneService, &body)
            })
            .collect(),
    );
    fill_store(
        zone_dir.path(),
        "zone-east.db",
        (0..ZONE_SERVICES)
            .map(|i| {
                let body = mesh_service(&format!("svc-{i}"), 8080, "Available");
                prepared(&east(), ResourceType::MeshService, &body)
            })
            .collect(),
    );
    eprintln!("stores filled: {:?}", started.elapsed());
    let port = free_port().to_string();
    let global_dir_arg = global_dir.path().to_str().unwrap().to_owned();
    let start_global = || {
        Process::start(&[
            "--mode",
            "global",
            "--port",
            &port,
            "--admin-token",
            "global-admin",
            "--data-dir",
            &global_dir_arg,
        ])
    };
    let global_process = start_global();
    let global = Client::new(&global_process.global_url(), "global-admin");
    wait_until(Duration::from_secs(30), || ready(&global).0 == 200);
    let token = zone_token(&global, "east");
    let zone_process = Process::start(&[
        "--mode",
        "zone",
        "--zone",
        "east",
        "--port",
        "0",
        "--admin-token",
        "zone-admin",
        "--global-address",
        &global_process.global_url(),
        "--global-token",
        &token,
        "--data-dir",
        zone_dir.path().to_str().unwrap(),
    ]);
    let zone_started = Instant::now();
    let zone = Client::new(&zone_process.zone_url("east"), "zone-admin");
    let east_on_global = format!("{MS}?filter[labels.kuma.io/zone]=east");

    wait_until(Duration::from_secs(120), || {
        ready(&zone).0 == 200 && total(&zone, MZS) == GLOBAL_MZS as u64
    });
    eprintln!(
        "zone has every MZS: {:?} (CPU: global {:.1} s, zone {:.1} s)",
        started.elapsed(),
        global_process.cpu_seconds(),
        zone_process.cpu_seconds()
    );
    wait_until(Duration::from_secs(60), || {
        total(&global, &east_on_global) == ZONE_SERVICES as u64
    });
    eprintln!("global has every MeshService: {:?}", started.elapsed());
    // The zone computes status for what it received.
    let sample = kuma_mzs_core::api::hashed_name("default", "mzs-29999", &[]);
    wait_until(Duration::from_secs(60), || {
        zone.get(&format!("{MZS}/{sample}")).1["status"]["vips"][0]["ip"].is_string()
    });
    let first_sync = zone_started.elapsed();

    // Global goes away and comes back without the zone's MeshServices (as a global without a
    // data directory would); meanwhile the zone gets one more.
    let stop = global_process.terminate();
    assert!(
        stop < Duration::from_secs(5),
        "global took {stop:?} to stop"
    );
    {
        let store = kuma_local::store::Store::open(&global_dir.path().join("global.db")).unwrap();
        let services: Vec<_> = store
            .all_of(ResourceType::MeshService, None)
            .iter()
            .map(|s| kuma_local::store::BatchOp::Delete(s.key()))
            .collect();
        assert_eq!(services.len(), ZONE_SERVICES);
        store.apply_batch(services).unwrap();
    }
    assert_eq!(
        zone.put(
            &format!("{MS}/late"),
            &mesh_service("late", 80, "Available")
        )
        .0,
        201
    );
    eprintln!("global stopped and emptied: {:?}", started.elapsed());
    let _global_process = start_global();
    wait_until(Duration::from_secs(60), || {
        total(&global, &east_on_global) == ZONE_SERVICES as u64 + 1
    });
    eprintln!("global has them again: {:?}", started.elapsed());
    wait_until(Duration::from_secs(60), || ready(&zone).0 == 200);
    assert_eq!(total(&zone, MZS), GLOBAL_MZS as u64);
    eprintln!(
        "fresh zone: {GLOBAL_MZS} MZS pulled with status and {ZONE_SERVICES} MeshServices pushed {first_sync:?} after its start; whole test {:?}",
        started.elapsed()
    );
}

/// Item 3: while the zone's store refuses writes, global writes 40 MZS; the zone says it is not
/// ready (with the reason) and, once writes work again, catches up to all 41 with status.
#[test]
fn a_zone_catches_up_after_its_store_refused_writes() {
    let _serial = reliability::serial();
    let fault = tempfile::tempdir().unwrap();
    let full_flag = fault.path().join("disk-full");
    let global_process = Process::start(&["--mode", "global", "--port", "0", "--admin-token", "g"]);
    let global = Client::new(&global_process.global_url(), "g");
    let zone_process = Process::start(&[
        "--mode",
        "zone",
        "--zone",
        "east",
        "--port",
        "0",
        "--admin-token",
        "z",
        "--global-address",
        &global_process.global_url(),
        "--global-token",
        &zone_token(&global, "east"),
        "--chaos-store-full-file",
        full_flag.to_str().unwrap(),
    ]);
    let zone = Client::new(&zone_process.zone_url("east"), "z");
    wait_until(Duration::from_secs(20), || ready(&zone).0 == 200);
    assert_eq!(
        global
            .put(
                &format!("{MZS}/first"),
                &mzs("first", &[("app", "a")], &[80])
            )
            .0,
        201
    );
    wait_until(Duration::from_secs(20), || total(&zone, MZS) == 1);

    std::fs::write(&full_flag, b"").unwrap();
    for i in 0..40 {
        let name = format!("while-full-{i}");
        assert_eq!(
            global
                .put(
                    &format!("{MZS}/{name}"),
                    &mzs(&name, &[("app", "a")], &[80])
                )
                .0,
            201
        );
    }
    wait_until(Duration::from_secs(20), || {
        let (status, body) = ready(&zone);
        status == 503 && body.contains("sync from global failing") && body.contains("disk is full")
    });
    assert_eq!(
        total(&zone, MZS),
        1,
        "nothing is stored while the disk is full"
    );

    std::fs::remove_file(&full_flag).unwrap();
    wait_until(Duration::from_secs(20), || total(&zone, MZS) == 41);
    wait_until(Duration::from_secs(20), || {
        let (_, list) = zone.get(&format!("{MZS}?size=100"));
        list["items"].as_array().is_some_and(|items| {
            items
                .iter()
                .all(|i| i["status"]["vips"][0]["ip"].is_string())
        })
    });
    wait_until(Duration::from_secs(20), || ready(&zone).0 == 200);
}

/// Item 3, status side: a status the zone cannot store (its disk is full) is written once it
/// can, and `/ready` says why it is not ready meanwhile.
#[test]
fn a_refused_status_write_is_retried() {
    let _serial = reliability::serial();
    let data = tempfile::tempdir().unwrap();
    let fault = tempfile::tempdir().unwrap();
    let full_flag = fault.path().join("disk-full");
    let data_dir = data.path().to_str().unwrap().to_owned();
    let args = [
        "--mode",
        "zone",
        "--zone",
        "east",
        "--port",
        "0",
        "--admin-token",
        "z",
        "--data-dir",
        &data_dir,
        "--chaos-store-full-file",
        full_flag.to_str().unwrap(),
    ];
    // First start: Kuma's defaults are stored; then a MeshService arrives without status.
    Process::start(&args).terminate();
    let standalone = Mode::Zone {
        name: "east".to_owned(),
        federated: false,
    };
    fill_store(
        data.path(),
        "zone-east.db",
        vec![prepared(
            &standalone,
            ResourceType::MeshService,
            &mesh_service("redis", 6379, "Available"),
        )],
    );
    std::fs::write(&full_flag, b"").unwrap();
    let process = Process::start(&args);
    let zone = Client::new(&process.zone_url("east"), "z");
    wait_until(Duration::from_secs(10), || {
        let (status, body) = ready(&zone);
        status == 503 && body.contains("status engine failing") && body.contains("disk is full")
    });
    assert!(zone.get(&format!("{MS}/redis")).1["status"]["vips"][0]["ip"].is_null());
    std::fs::remove_file(&full_flag).unwrap();
    wait_until(Duration::from_secs(10), || {
        zone.get(&format!("{MS}/redis")).1["status"]["vips"][0]["ip"].is_string()
    });
    wait_until(Duration::from_secs(10), || ready(&zone).0 == 200);
}

/// Item 2: PUT, DELETE, PUT of the same resource, 500 times: every re-created resource gets its
/// status, quickly (the change feed tells a re-creation from an update; the periodic
/// reconcile, every 3 s, would be slower than the 2 s allowed here).
#[test]
fn five_hundred_delete_and_recreate_rounds_all_end_with_status() {
    let _serial = reliability::serial();
    let process = Process::start(&[
        "--mode",
        "zone",
        "--zone",
        "east",
        "--port",
        "0",
        "--admin-token",
        "z",
    ]);
    let zone = Client::new(&process.zone_url("east"), "z");
    wait_until(Duration::from_secs(10), || ready(&zone).0 == 200);
    let started = Instant::now();
    for round in 0..500 {
        let (path, body, check): (String, serde_json::Value, fn(&serde_json::Value) -> bool) =
            if round % 2 == 0 {
                (
                    format!("{MS}/svc"),
                    mesh_service("svc", 80, "Available"),
                    |r| r["status"]["vips"][0]["ip"].is_string(),
                )
            } else {
                (
                    format!("{MZS}/multi"),
                    mzs("multi", &[("app", "x")], &[80]),
                    |r| r["status"]["vips"][0]["ip"].is_string(),
                )
            };
        assert!(matches!(zone.put(&path, &body).0, 200 | 201));
        assert_eq!(zone.delete(&path).0, 200);
        assert_eq!(zone.put(&path, &body).0, 201);
        let deadline = Instant::now() + Duration::from_secs(2);
        while !check(&zone.get(&path).1) {
            assert!(
                Instant::now() < deadline,
                "round {round}: {path} has no status after 2 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    eprintln!("500 delete/re-create rounds: {:?}", started.elapsed());
}

/// Item 9: a zone token opens only that zone's KDS calls, and a push is checked as a PUT on the
/// zone would be (bad names, unknown meshes, invalid labels and other types are refused and
/// listed in the answer; the rest of the batch is stored).
#[test]
fn zone_tokens_are_scoped_and_pushes_are_validated_like_puts() {
    let _serial = reliability::serial();
    let process = Process::start(&["--mode", "global", "--port", "0", "--admin-token", "g"]);
    let admin = Client::new(&process.global_url(), "g");
    let east = Client::new(&process.global_url(), &zone_token(&admin, "east"));
    assert_eq!(east.get("/meshes").0, 401, "a zone token is no admin token");
    assert_eq!(east.get("/_kds/v1/pull?zone=west&wait=0").0, 403);
    assert_eq!(east.get("/_kds/v1/pull?zone=east&wait=0").0, 200);
    let forged = Client::new(
        &process.global_url(),
        &zone_token(&admin, "east").replace("east", "west"),
    );
    assert_eq!(forged.get("/_kds/v1/pull?zone=west&wait=0").0, 401);

    let service = |name: &str, mesh: &str, labels: serde_json::Value| {
        let mut body = mesh_service(name, 80, "Available");
        body["mesh"] = mesh.into();
        body["labels"] = labels;
        body
    };
    let push = serde_json::json!({
        "zone": "east",
        "full": false,
        "upserts": [
            service("good", "default", serde_json::json!({})),
            service(&"x".repeat(5000), "default", serde_json::json!({})),
            service("lost", "no-such-mesh", serde_json::json!({})),
            service("badlabel", "default", serde_json::json!({"bad key!": "v"})),
            mzs("sneaky", &[("app", "a")], &[80]),
        ],
        "deletes": [],
    });
    let (status, _, body) = east.raw("POST", "/_kds/v1/push", Some(&push.to_string()), &[]);
    assert_eq!(status, 200, "{body}");
    let ack: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rejected: Vec<&str> = ack["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(rejected.len(), 4, "{ack}");
    assert!(!rejected.contains(&"good"));
    assert_eq!(
        total(&admin, &format!("{MS}?filter[labels.kuma.io/zone]=east")),
        1
    );
    assert_eq!(total(&admin, MZS), 0);
    // Another zone's name in the body is refused outright.
    let (status, _, _) = east.raw(
        "POST",
        "/_kds/v1/push",
        Some(
            &serde_json::json!({"zone": "west", "full": true, "upserts": [], "deletes": []})
                .to_string(),
        ),
        &[],
    );
    assert_eq!(status, 403);
    let (status, headers, _) = east.raw("POST", "/_kds/v1/push", Some("{not json"), &[]);
    assert_eq!(status, 400);
    assert!(headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.contains("json")));
}

/// Item 8: one MZS selecting 20,000 MeshServices; 200 MeshService updates cost little CPU (the
/// wide MZS is re-evaluated once per batch of changes, not once per change), an unrelated new
/// MZS gets its VIP without waiting behind them, and SIGTERM exits within 2 s.
#[test]
fn updates_under_a_twenty_thousand_wide_selector_cost_little_and_delay_nothing() {
    let _serial = reliability::serial();
    const WIDE: usize = 20_000;
    let data = tempfile::tempdir().unwrap();
    let standalone = Mode::Zone {
        name: "east".to_owned(),
        federated: false,
    };
    let data_dir = data.path().to_str().unwrap().to_owned();
    let args = [
        "--mode",
        "zone",
        "--zone",
        "east",
        "--port",
        "0",
        "--admin-token",
        "z",
        "--data-dir",
        &data_dir,
    ];
    // Kuma's defaults first (mesh, generators), then the services and the MZS.
    Process::start(&args).terminate();
    let labelled = |name: &str, rev: usize| {
        let mut body = mesh_service(name, 80, "Available");
        body["labels"] = serde_json::json!({"app": "wide", "rev": rev.to_string()});
        body
    };
    let mut resources: Vec<_> = (0..WIDE)
        .map(|i| {
            prepared(
                &standalone,
                ResourceType::MeshService,
                &labelled(&format!("svc-{i}"), 0),
            )
        })
        .collect();
    resources.push(prepared(
        &standalone,
        ResourceType::MeshMultiZoneService,
        &mzs("wide", &[("app", "wide")], &[80]),
    ));
    fill_store(data.path(), "zone-east.db", resources);
    let process = Process::start(&args);
    let zone = Client::new(&process.zone_url("east"), "z");
    wait_until(Duration::from_secs(120), || {
        zone.get(&format!("{MZS}/wide")).1["status"]["meshServices"]
            .as_array()
            .is_some_and(|matched| matched.len() == WIDE)
    });
    // Let the first computation settle (status writes of 20,000 services).
    wait_until(Duration::from_secs(60), || {
        zone.get(&format!("{MS}/svc-{}", WIDE - 1)).1["status"]["vips"][0]["ip"].is_string()
    });
    std::thread::sleep(Duration::from_millis(500));
    let cpu_before = process.cpu_seconds();
    let started = Instant::now();
    for i in 0..200 {
        let name = format!("svc-{i}");
        assert_eq!(
            zone.put(&format!("{MS}/{name}"), &labelled(&name, 1)).0,
            200
        );
    }
    let updates = started.elapsed();
    let (status, _) = zone.put(
        &format!("{MZS}/other"),
        &mzs("other", &[("app", "other")], &[80]),
    );
    assert_eq!(status, 201);
    let asked = Instant::now();
    wait_until(Duration::from_secs(30), || {
        zone.get(&format!("{MZS}/other")).1["status"]["vips"][0]["ip"].is_string()
    });
    let vip_after = asked.elapsed();
    let cpu = process.cpu_seconds() - cpu_before;
    eprintln!("200 updates under a {WIDE}-wide selector: {updates:?} of requests, {cpu:.1} CPU-s; unrelated MZS had its VIP after {vip_after:?}");
    // Debug build on a shared CI machine: generous bounds (before batching, the unrelated MZS
    // waited 34 s in a release build); the release numbers are in BENCHMARKS.md.
    assert!(cpu < 20.0, "200 updates cost {cpu:.1} CPU-seconds");
    assert!(
        vip_after < Duration::from_secs(15),
        "unrelated MZS waited {vip_after:?}"
    );
    let stop = process.terminate();
    eprintln!("SIGTERM to exit: {stop:?}");
    assert!(stop < Duration::from_secs(2), "SIGTERM took {stop:?}");
}
