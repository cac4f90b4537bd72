//! The real terraform CLI against terraform-provider-kuma, a kuma-local global and a kuma-local
//! zone whose store refuses writes (`--chaos-store-full-file`): a zone that answers but keeps the
//! old spec is `pending` after the apply, with a warning naming it, and stays `pending` on a
//! refresh (resource and data source) until it holds the new spec.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kuma_mzs_e2e::terraform::{required_providers, KumaLocalProcess, TempDir, Workspace};

const TOKEN: &str = "zone-sync-test-token";

/// One kuma-local process with this file's admin token.
fn start_process(args: &[&str], key: &[&str]) -> KumaLocalProcess {
    KumaLocalProcess::start(args, key, TOKEN, false)
}

fn config(global: &str, east: &str, protocol: &str) -> String {
    format!(
        r#"{header}
provider "kuma" {{
  endpoint = "{global}"
  token = "{TOKEN}"
  timeout = "3s"
  zone {{
    name = "east"
    endpoint = "{east}"
  }}
}}

resource "kuma_mesh_multi_zone_service" "tx" {{
  name = "tx"
  selector {{
    mesh_service {{
      match_labels = {{ app = "tx" }}
    }}
  }}
  port {{
    port = 80
    app_protocol = "{protocol}"
  }}
}}

data "kuma_mesh_multi_zone_service" "tx" {{
  name = kuma_mesh_multi_zone_service.tx.name
}}

output "data_state" {{
  value = data.kuma_mesh_multi_zone_service.tx.zone_status[0].state
}}
"#,
        header = required_providers(),
    )
}

fn east_state(ws: &Workspace) -> String {
    let state = ws.resource("kuma_mesh_multi_zone_service.tx");
    state["zone_status"][0]["state"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn data_state(ws: &Workspace) -> String {
    let state = ws.state();
    state["values"]["outputs"]["data_state"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_zone_that_keeps_the_old_spec_stays_pending_with_a_warning() {
    let scratch = TempDir::new("zone-sync");
    let full = scratch.0.join("store-full");
    let global = start_process(&["--mode", "global"], &["global"]);
    let east = start_process(
        &[
            "--mode",
            "zone",
            "--zone",
            "east",
            "--global-address",
            &global.url,
            "--global-token",
            TOKEN,
            "--chaos-store-full-file",
            full.to_str().unwrap(),
        ],
        &["zones", "east"],
    );
    let ws = Workspace::new("current");
    ws.write(&config(&global.url, &east.url, "tcp"));
    ws.init();
    ws.apply(&[]);
    assert_eq!(east_state(&ws), "synced");

    // The zone answers but refuses to store the new spec.
    std::fs::write(&full, "").unwrap();
    ws.write(&config(&global.url, &east.url, "http"));
    let applied = ws.apply(&[]);
    let text = applied.all();
    assert!(
        text.contains("Zone \"east\" has not synced within the wait"),
        "{text}"
    );
    assert_eq!(east_state(&ws), "pending");

    // A refresh compares the zone's copy with global's spec: still pending, resource and data
    // source alike.
    ws.apply(&["-refresh-only"]);
    assert_eq!(east_state(&ws), "pending");
    ws.apply(&[]);
    assert_eq!(east_state(&ws), "pending");
    assert_eq!(data_state(&ws), "pending");

    // Once the zone can store again it catches up, and a refresh says so.
    std::fs::remove_file(&full).unwrap();
    let started = Instant::now();
    loop {
        ws.apply(&["-refresh-only"]);
        if east_state(&ws) == "synced" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the zone never caught up"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    ws.apply(&[]);
    assert_eq!(data_state(&ws), "synced");
}

/// A matched MeshService's `namespace` (Universal: none) reads the same in the resource's
/// `zone_status`, the data source's and `kuma_mesh_services`.
#[test]
fn matched_services_namespace_agrees_everywhere() {
    let kuma = kuma_mzs_e2e::terraform::KumaLocal::start(&["east"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    kuma.wait_for_global_mesh_services("redis", 1);
    let east = kuma.zones["east"].clone();
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}{}",
        kuma_mzs_e2e::terraform::provider_block(
            &kuma.global,
            &kuma.token,
            "",
            &[("east", east.as_str())]
        ),
        kuma_mzs_e2e::terraform::redis_mzs("redis", "redis", "", 6379),
        r#"
data "kuma_mesh_multi_zone_service" "redis" {
  name = kuma_mesh_multi_zone_service.redis.name
}
data "kuma_mesh_services" "redis" {
  labels = { "kuma.io/display-name" = "redis" }
}
output "namespaces" {
  value = {
    resource = kuma_mesh_multi_zone_service.redis.zone_status[0].mesh_services[0].namespace
    data     = data.kuma_mesh_multi_zone_service.redis.zone_status[0].mesh_services[0].namespace
    list     = data.kuma_mesh_services.redis.items[0].namespace
  }
}
"#
    ));
    ws.init();
    ws.apply(&[]);
    let created = ws.resource("kuma_mesh_multi_zone_service.redis");
    let created = created["zone_status"][0]["mesh_services"][0]["namespace"].clone();
    // A second apply reads the data sources after the resource's status is in the state.
    ws.apply(&[]);
    let state = ws.state();
    let namespaces = &state["values"]["outputs"]["namespaces"]["value"];
    assert_eq!(created, namespaces["list"], "{namespaces}");
    assert_eq!(namespaces["resource"], namespaces["list"], "{namespaces}");
    assert_eq!(namespaces["data"], namespaces["list"], "{namespaces}");
}
