//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local:
//! what a platform team needs to trust an apply (issue 13). Each test reproduces one problem
//! and shows the behaviour now: create never takes over an existing object, an update keeps the
//! VIP known, an unreachable zone is a visible warning that nobody waits for, a control plane that
//! never answers fails within the deadline, an unknown endpoint plans, the server's release
//! decides the rules, a zone endpoint is refused at plan time, KRIs import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kuma_mzs_e2e::terraform::{
    closed_port_url, provider_block, provider_known_only_at_apply, redis_mzs, required_providers,
    KumaLocal, Silent, Workspace,
};
use serde_json::Value as Json;

fn header() -> String {
    required_providers()
}

fn provider(endpoint: &str, token: &str, extra: &str, zones: &[(&str, &str)]) -> String {
    provider_block(endpoint, token, extra, zones)
}

fn mzs(address: &str, name: &str, labels: &str, port: u16) -> String {
    redis_mzs(address, name, labels, port)
}

fn start() -> KumaLocal {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    kuma.seed_mesh_service("west", "redis", 6379);
    kuma.wait_for_global_mesh_services("redis", 2);
    kuma
}

fn all_zones(kuma: &KumaLocal) -> Vec<(&str, &str)> {
    kuma.zones
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn put_legacy(kuma: &KumaLocal) {
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        "/meshes/default/meshmultizoneservices/legacy",
        Some(serde_json::json!({
            "type": "MeshMultiZoneService", "mesh": "default", "name": "legacy",
            "labels": {"owner": "other-team"},
            "spec": {"selector": {"meshService": {"matchLabels": {"app": "legacy"}}},
                     "ports": [{"port": 5432, "appProtocol": "tcp"}]}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
}

fn legacy_untouched(kuma: &KumaLocal) {
    let (status, item) = kuma.get("/meshes/default/meshmultizoneservices/legacy");
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["labels"]["owner"], "other-team", "{item}");
    assert_eq!(
        item["spec"]["selector"]["meshService"]["matchLabels"]["app"], "legacy",
        "{item}"
    );
}

/// Item 1: a create over an existing object is a plan error on `name` with both import hints;
/// the object is untouched; an object that appears between plan and apply is not overwritten;
/// the KRI imports it.
fn safe_create(which: &str) {
    let kuma = start();
    put_legacy(&kuma);
    let ws = Workspace::new(which);
    let provider = provider(&kuma.global, &kuma.token, "", &[]);
    ws.write(&format!("{provider}{}", mzs("clash", "legacy", "", 6379)));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all();
    assert!(text.contains("\"default/legacy\" already exists"), "{text}");
    assert!(
        text.contains("terraform import '<address of this resource>' 'default/legacy'"),
        "{text}"
    );
    assert!(text.contains("import {"), "{text}");
    // Printed once, not once per validation or plan call.
    assert_eq!(text.matches("already exists").count(), 1, "{text}");
    assert!(
        text.contains("name = \"legacy\""),
        "not on the name line:\n{text}"
    );
    legacy_untouched(&kuma);

    // Appears between plan and apply: the saved plan's apply refuses too.
    ws.write(&format!("{provider}{}", mzs("late", "late", "", 6379)));
    ws.expect(0, &["plan", "-input=false", "-no-color", "-out=late.plan"]);
    let (status, _) = kuma.call(
        "PUT",
        &kuma.global,
        "/meshes/default/meshmultizoneservices/late",
        Some(serde_json::json!({
            "type": "MeshMultiZoneService", "mesh": "default", "name": "late",
            "labels": {"owner": "other-team"},
            "spec": {"selector": {"meshService": {"matchLabels": {"app": "late"}}},
                     "ports": [{"port": 1, "appProtocol": "tcp"}]}
        })),
    );
    assert_eq!(status, 201);
    let apply = ws.run(&["apply", "-input=false", "-no-color", "late.plan"]);
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert!(apply.all().contains("already exists"), "{}", apply.all());
    let (_, late) = kuma.get("/meshes/default/meshmultizoneservices/late");
    assert_eq!(late["labels"]["owner"], "other-team", "{late}");

    // A KRI import id (item 9).
    ws.write(&format!("{provider}{}", mzs("clash", "legacy", "", 6379)));
    ws.expect(
        0,
        &[
            "import",
            "-input=false",
            "-no-color",
            "kuma_mesh_multi_zone_service.clash",
            "kri_mzsvc_default___legacy_",
        ],
    );
    let state = ws.resource("kuma_mesh_multi_zone_service.clash");
    assert_eq!(state["id"], "default/legacy", "{state}");
    assert_eq!(state["port"][0]["port"], 5432, "{state}");
    legacy_untouched(&kuma);
}

#[test]
fn create_never_takes_over_an_existing_object_on_terraform_1_0_3() {
    safe_create("1.0.3");
}

#[test]
fn create_never_takes_over_an_existing_object_on_current_terraform() {
    safe_create("current");
}

fn planned_change(ws: &Workspace, address: &str) -> Json {
    ws.expect(
        0,
        &["plan", "-input=false", "-no-color", "-out=update.plan"],
    );
    let shown = ws.expect(0, &["show", "-json", "-no-color", "update.plan"]);
    let plan: Json = serde_json::from_str(&shown.stdout).unwrap();
    plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .map(|c| c["change"].clone())
        .unwrap_or(Json::Null)
}

/// Item 2: a label-only update plans with every zone's VIP known (and the KRI and SNIs), and
/// applies without an inconsistency error. The zones' hostnames stay known too: the
/// HostnameGenerators they hold (Kuma's default alone, `{{ .DisplayName }}.mzsvc.mesh.local`) do
/// not read the label, so what reads them (DNS records) does not churn.
fn label_update_keeps_vips(which: &str) {
    let kuma = start();
    let ws = Workspace::new(which);
    let provider = provider(&kuma.global, &kuma.token, "", &all_zones(&kuma));
    ws.write(&format!(
        "{provider}{}",
        mzs("redis", "redis", "team = \"a\"", 6379)
    ));
    ws.init();
    ws.apply(&[]);
    let before = ws.resource("kuma_mesh_multi_zone_service.redis");
    for zone in before["zone_status"].as_array().unwrap() {
        assert_eq!(zone["state"], "synced", "{zone}");
    }
    ws.write(&format!(
        "{provider}{}",
        mzs("redis", "redis", "team = \"a\", tier = \"1\"", 6379)
    ));
    let change = planned_change(&ws, "kuma_mesh_multi_zone_service.redis");
    assert_eq!(change["actions"], serde_json::json!(["update"]), "{change}");
    let after = &change["after"];
    let unknown = &change["after_unknown"];
    assert_eq!(after["kri"], before["kri"], "{change}");
    assert_eq!(after["snis"], before["snis"], "{change}");
    for (i, zone) in before["zone_status"].as_array().unwrap().iter().enumerate() {
        assert_eq!(after["zone_status"][i]["vip"], zone["vip"], "{change}");
        assert_ne!(unknown["zone_status"][i]["vip"], true, "{change}");
        // No generator the zone holds reads `tier`: the hostnames are known, as they were.
        assert_eq!(
            zone["hostnames"],
            serde_json::json!(["redis.mzsvc.mesh.local"]),
            "{zone}"
        );
        assert_eq!(
            after["zone_status"][i]["hostnames"], zone["hostnames"],
            "{change}"
        );
        assert_ne!(unknown["zone_status"][i]["hostnames"], true, "{change}");
    }
    let applied = ws.apply(&["update.plan"]);
    assert!(!applied.all().contains("inconsistent"), "{}", applied.all());
    let now = ws.resource("kuma_mesh_multi_zone_service.redis");
    for (i, zone) in before["zone_status"].as_array().unwrap().iter().enumerate() {
        assert_eq!(now["zone_status"][i]["vip"], zone["vip"], "{now}");
        assert_eq!(
            now["zone_status"][i]["hostnames"], zone["hostnames"],
            "{now}"
        );
    }
    assert_eq!(ws.plan_code().code, 0);
}

#[test]
fn label_update_keeps_vips_known_on_terraform_1_0_3() {
    label_update_keeps_vips("1.0.3");
}

#[test]
fn label_update_keeps_vips_known_on_current_terraform() {
    label_update_keeps_vips("current");
}

/// The hostnames `zone` gives the MZS displayed as `name` (its copy's `status.addresses`).
fn zone_hostnames(kuma: &KumaLocal, zone: &str, name: &str) -> Vec<String> {
    let (_, list) = kuma.call(
        "GET",
        &kuma.zones[zone],
        &format!("/meshes/default/meshmultizoneservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D={name}"),
        None,
    );
    (list["items"].as_array().into_iter().flatten())
        .flat_map(|i| {
            i["status"]["addresses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|a| a["hostname"].as_str().map(str::to_owned))
        .collect()
}

/// Wait until every zone gives the MZS displayed as `name` the hostname `hostname`.
fn wait_for_zone_hostname(kuma: &KumaLocal, name: &str, hostname: &str) {
    for zone in kuma.zones.keys() {
        let mut held = Vec::new();
        for _ in 0..200 {
            held = zone_hostnames(kuma, zone, name);
            if held.iter().any(|h| h == hostname) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            held.iter().any(|h| h == hostname),
            "zone {zone} never gave {name} the hostname {hostname}: {held:?}"
        );
    }
}

/// A label change of the label a HostnameGenerator renders (`{{ label "team" }}`): the zones
/// that hold the generator plan their hostnames unknown (not the old ones, which the apply
/// would contradict), the VIPs stay known, and the apply records the new hostnames.
#[test]
fn label_update_of_a_label_a_generator_renders_plans_hostnames_unknown() {
    let kuma = start();
    let ws = Workspace::new("current");
    let provider = provider(&kuma.global, &kuma.token, "", &all_zones(&kuma));
    let generator = r#"
resource "kuma_hostname_generator" "by_team" {
  name     = "by-team"
  template = "{{ .DisplayName }}.{{ label \"team\" }}.mzsvc.mesh.local"
  selector {
    mesh_multi_zone_service {
      match_labels = {}
    }
  }
}
"#;
    ws.write(&format!(
        "{provider}{generator}{}",
        mzs("redis", "redis", "team = \"a\"", 6379)
    ));
    ws.init();
    ws.apply(&[]);
    // The generator reached the zones, which give the MZS its hostname; a refresh records it.
    wait_for_zone_hostname(&kuma, "redis", "redis.a.mzsvc.mesh.local");
    ws.apply(&["-refresh-only"]);
    let before = ws.resource("kuma_mesh_multi_zone_service.redis");
    let zones = before["zone_status"].as_array().unwrap().clone();
    assert_eq!(zones.len(), 2, "{before}");
    for zone in &zones {
        assert_eq!(zone["state"], "synced", "{zone}");
        let hostnames = zone["hostnames"].as_array().unwrap();
        assert!(
            hostnames.contains(&Json::from("redis.a.mzsvc.mesh.local")),
            "{zone}"
        );
    }

    ws.write(&format!(
        "{provider}{generator}{}",
        mzs("redis", "redis", "team = \"b\"", 6379)
    ));
    let change = planned_change(&ws, "kuma_mesh_multi_zone_service.redis");
    assert_eq!(change["actions"], serde_json::json!(["update"]), "{change}");
    let (after, unknown) = (&change["after"], &change["after_unknown"]);
    assert_eq!(after["kri"], before["kri"], "{change}");
    for (i, zone) in zones.iter().enumerate() {
        // Both zones hold the generator: their hostnames are not promised.
        assert_eq!(unknown["zone_status"][i]["hostnames"], true, "{change}");
        assert!(after["zone_status"][i]["hostnames"].is_null(), "{change}");
        assert_eq!(after["zone_status"][i]["vip"], zone["vip"], "{change}");
    }
    let applied = ws.apply(&["update.plan"]);
    assert!(!applied.all().contains("inconsistent"), "{}", applied.all());
    wait_for_zone_hostname(&kuma, "redis", "redis.b.mzsvc.mesh.local");
    let mut now = ws.resource("kuma_mesh_multi_zone_service.redis");
    // The apply reads the zones once they hold the update's spec; a zone that had not yet
    // recomputed its hostnames for the new label (labels are not the spec) gives them to the
    // next refresh.
    let holds_new = |state: &Json| {
        state["zone_status"].as_array().unwrap().iter().all(|z| {
            let hostnames = z["hostnames"].as_array().cloned().unwrap_or_default();
            hostnames.contains(&Json::from("redis.b.mzsvc.mesh.local"))
                && !hostnames.contains(&Json::from("redis.a.mzsvc.mesh.local"))
        })
    };
    if !holds_new(&now) {
        ws.apply(&["-refresh-only"]);
        now = ws.resource("kuma_mesh_multi_zone_service.redis");
    }
    assert!(holds_new(&now), "{now}");
    for (i, zone) in zones.iter().enumerate() {
        assert_eq!(now["zone_status"][i]["vip"], zone["vip"], "{now}");
    }
    assert_eq!(ws.plan_code().code, 0);
}

/// Item 3: a zone that cannot be read is a visible warning naming it, its `zone_status` entry
/// says `unreachable`, and the apply does not wait for it; a silent zone is bounded the same way.
#[test]
fn an_unreachable_zone_is_a_warning_not_a_wait() {
    let kuma = start();
    let ws = Workspace::new("current");
    let closed = closed_port_url();
    let east = kuma.zones["east"].clone();
    let provider = provider(
        &kuma.global,
        &kuma.token,
        "",
        &[("east", east.as_str()), ("gone", closed.as_str())],
    );
    ws.write(&format!("{provider}{}", mzs("redis", "redis", "", 6379)));
    ws.init();
    let started = Instant::now();
    let applied = ws.apply(&[]);
    let took = started.elapsed();
    let text = applied.all();
    assert!(text.contains("Zone \"gone\" could not be read"), "{text}");
    assert!(
        took < Duration::from_secs(20),
        "apply took {took:?}:\n{text}"
    );
    let state = ws.resource("kuma_mesh_multi_zone_service.redis");
    assert_eq!(state["zone_status"][0]["state"], "synced", "{state}");
    assert_eq!(state["zone_status"][1]["state"], "unreachable", "{state}");
    assert!(
        state["zone_status"][1]["error"]
            .as_str()
            .unwrap_or("")
            .contains("cannot reach"),
        "{state}"
    );
}

/// A zone that goes away keeps what was last read from it: a refresh marks its entry
/// `unreachable` with the error, and its VIP and hostnames stay in the state, so nothing built on
/// them is planned away during an outage.
#[test]
fn a_zone_outage_keeps_its_last_known_status() {
    let kuma = start();
    let ws = Workspace::new("current");
    let east = kuma.zones["east"].clone();
    let output =
        "output \"vip\" {\n  value = kuma_mesh_multi_zone_service.redis.zone_status[0].vip\n}\n";
    let up = provider(&kuma.global, &kuma.token, "", &[("east", east.as_str())]);
    ws.write(&format!("{up}{}{output}", mzs("redis", "redis", "", 6379)));
    ws.init();
    ws.apply(&[]);
    let before = ws.resource("kuma_mesh_multi_zone_service.redis");
    assert_eq!(before["zone_status"][0]["state"], "synced", "{before}");
    let vip = before["zone_status"][0]["vip"].clone();
    assert!(vip.is_string(), "{before}");

    let closed = closed_port_url();
    let down = provider(&kuma.global, &kuma.token, "", &[("east", closed.as_str())]);
    ws.write(&format!(
        "{down}{}{output}",
        mzs("redis", "redis", "", 6379)
    ));
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "the outage changed the plan:\n{}", plan.all());
    ws.apply(&["-refresh-only"]);
    let after = ws.resource("kuma_mesh_multi_zone_service.redis");
    assert_eq!(after["zone_status"][0]["state"], "unreachable", "{after}");
    assert_eq!(after["zone_status"][0]["vip"], vip, "{after}");
    assert_eq!(
        after["zone_status"][0]["hostnames"], before["zone_status"][0]["hostnames"],
        "{after}"
    );
    assert_eq!(after["zone_status"][0]["found"], true, "{after}");
}

/// A zone that accepts and never answers is waited for once per run, not once per resource:
/// the provider remembers it and warns once.
#[test]
fn a_silent_zone_is_waited_for_once_per_run() {
    let kuma = start();
    let ws = Workspace::new("current");
    let silent = Silent::start();
    let east = kuma.zones["east"].clone();
    let provider = provider(
        &kuma.global,
        &kuma.token,
        "operation_timeout = \"4s\"",
        &[("east", east.as_str()), ("hung", silent.url.as_str())],
    );
    let resources: String = (0..5)
        .map(|i| mzs(&format!("r{i}"), &format!("r{i}"), "", 6379))
        .collect();
    ws.write(&format!("{provider}{resources}"));
    ws.init();
    let started = Instant::now();
    // One resource at a time: five waits of 4 s each would show.
    let applied = ws.apply(&["-parallelism=1"]);
    let took = started.elapsed();
    let text = applied.all();
    assert!(text.contains("Zone \"hung\" could not be read"), "{text}");
    assert!(
        took < Duration::from_secs(18),
        "apply took {took:?}:\n{text}"
    );
    for i in 0..5 {
        let state = ws.resource(&format!("kuma_mesh_multi_zone_service.r{i}"));
        assert_eq!(state["zone_status"][0]["state"], "synced", "{state}");
        assert_eq!(state["zone_status"][1]["state"], "unreachable", "{state}");
    }
}

/// Item 4: a control plane that accepts and never answers fails a refresh within the
/// configured deadline (the resource's `timeouts.read`), with a message that says so.
#[test]
fn a_silent_control_plane_fails_a_refresh_within_the_deadline() {
    let kuma = start();
    let ws = Workspace::new("current");
    let resource = mzs("redis", "redis", "", 6379)
        .replace("  port {", "  timeouts {\n    read = \"3s\"\n  }\n  port {");
    ws.write(&format!(
        "{}{resource}",
        provider(&kuma.global, &kuma.token, "", &[])
    ));
    ws.init();
    ws.apply(&[]);
    let silent = Silent::start();
    ws.write(&format!(
        "{}{resource}",
        provider(&silent.url, &kuma.token, "operation_timeout = \"3s\"", &[])
    ));
    let started = Instant::now();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let took = started.elapsed();
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert!(text.contains("operation deadline"), "{text}");
    // Version detection (3 s) + the refresh (3 s) + Terraform itself.
    assert!(
        took < Duration::from_secs(25),
        "refresh failed only after {took:?}"
    );
}

/// Item 7: an endpoint known only at apply plans (unknown computed values) and applies.
fn unknown_endpoint(which: &str) {
    let kuma = start();
    let ws = Workspace::new(which);
    let config = format!(
        "{}{}{}",
        header(),
        provider_known_only_at_apply(&kuma.global, &kuma.token),
        mzs("redis", "redis", "", 6379),
    );
    ws.write(&config);
    ws.init();
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        !plan.all().contains("Missing Kuma endpoint"),
        "{}",
        plan.all()
    );
    ws.apply(&[]);
    assert_eq!(
        kuma.get("/meshes/default/meshmultizoneservices/redis").0,
        200
    );
}

#[test]
fn an_unknown_endpoint_plans_on_terraform_1_0_3() {
    unknown_endpoint("1.0.3");
}

#[test]
fn an_unknown_endpoint_plans_on_current_terraform() {
    unknown_endpoint("current");
}

const KAFKA: &str = r#"
resource "kuma_mesh_multi_zone_service" "stream" {
  name = "stream"
  selector {
    mesh_service {
      match_labels = { app = "stream" }
    }
  }
  port {
    port = 9092
    app_protocol = "kafka"
  }
}
"#;

/// Item 8: without `kuma_version` the server's release decides (a `kafka` port is refused at plan
/// against 3.0 and accepted against 2.x); a disagreeing `kuma_version` is a warning; a zone
/// endpoint is a plan-time error.
#[test]
fn the_servers_release_and_mode_decide_at_plan_time() {
    let v3 = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{KAFKA}",
        provider(&v3.global, &v3.token, "", &[])
    ));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        plan.all().contains("appProtocol must be one of"),
        "{}",
        plan.all()
    );

    // A zone endpoint.
    let east = v3.zones["east"].clone();
    ws.write(&format!("{}{KAFKA}", provider(&east, &v3.token, "", &[])));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(plan.all().contains("zone control plane"), "{}", plan.all());
    assert!(plan.all().contains("global"), "{}", plan.all());

    let v2 = KumaLocal::start(&["east"], &["--kuma-version", "2.x"]);
    ws.write(&format!(
        "{}{KAFKA}",
        provider(&v2.global, &v2.token, "kuma_version = \"3.0\"", &[])
    ));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(
        plan.all()
            .contains("kuma_version disagrees with the control plane"),
        "{}",
        plan.all()
    );
    ws.write(&format!(
        "{}{KAFKA}",
        provider(&v2.global, &v2.token, "", &[])
    ));
    ws.apply(&[]);
    assert_eq!(
        v2.get("/meshes/default/meshmultizoneservices/stream").0,
        200
    );
}

/// Item 6: a selector that matches nothing shows MZS103 in the resource's own plan, on
/// `selector`; `live_lints = false` turns it off.
#[test]
fn a_selector_matching_nothing_warns_in_the_resource_plan() {
    let kuma = start();
    let ws = Workspace::new("current");
    let nothing = mzs("ghost", "ghost", "", 6379).replace(
        "\"kuma.io/display-name\" = \"redis\"",
        "\"kuma.io/display-name\" = \"nothing-has-this\"",
    );
    ws.write(&format!(
        "{}{nothing}",
        provider(&kuma.global, &kuma.token, "", &all_zones(&kuma))
    ));
    ws.init();
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = plan.all();
    assert!(text.contains("MZS103"), "{text}");
    // One warning for both zones, naming both.
    assert_eq!(text.matches("MZS103").count(), 1, "{text}");
    assert!(text.contains("(in zones \"east\", \"west\";"), "{text}");
    assert!(
        text.contains("in resource \"kuma_mesh_multi_zone_service\" \"ghost\"")
            && text.contains(
                ":       match_labels = { \"kuma.io/display-name\" = \"nothing-has-this\" }"
            ),
        "not on the selector block:\n{text}"
    );
    ws.write(&format!(
        "{}{nothing}",
        provider(
            &kuma.global,
            &kuma.token,
            "live_lints = false",
            &all_zones(&kuma)
        )
    ));
    let quiet = ws.plan_code();
    assert_eq!(quiet.code, 2, "{}", quiet.all());
    assert!(!quiet.all().contains("MZS103"), "{}", quiet.all());
}

/// A selector that also matches a MeshService of another mesh (Kuma lists it in the status but
/// never sends it traffic) shows MZS102 in the resource's plan, on the selector's labels.
#[test]
fn a_selector_matching_another_meshs_service_warns_in_the_resource_plan() {
    let kuma = start();
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        "/meshes/payments",
        Some(serde_json::json!({"type": "Mesh", "name": "payments"})),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
    // The zone learns the mesh from global first.
    let east = kuma.zones["east"].clone();
    let service = serde_json::json!({
        "type": "MeshService", "mesh": "payments", "name": "redis", "labels": {"app": "redis"},
        "spec": {"state": "Available", "ports": [{"port": 6379, "appProtocol": "tcp"}]}
    });
    let seeded = (0..200).any(|_| {
        let (status, _) = kuma.call(
            "PUT",
            &east,
            "/meshes/payments/meshservices/redis",
            Some(service.clone()),
        );
        let done = status == 200 || status == 201;
        if !done {
            std::thread::sleep(Duration::from_millis(50));
        }
        done
    });
    assert!(
        seeded,
        "zone east never took a MeshService of mesh payments"
    );
    kuma.wait_for_global_mesh_services("redis", 3);
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, "", &all_zones(&kuma)),
        mzs("cache", "cache", "", 6379)
    ));
    ws.init();
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = plan.all();
    assert_eq!(text.matches("Warning: MZS102").count(), 1, "{text}");
    assert!(
        text.contains(":       match_labels = { \"kuma.io/display-name\" = \"redis\" }"),
        "not on the selector's labels:\n{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("payments"), "{flat}");
}

/// A HostnameGenerator whose template gives existing MeshMultiZoneServices one hostname (the
/// oldest keeps it, the others lose theirs) warns in its own plan (MZS105 on `template`, naming
/// them); a template that keeps them apart is quiet.
#[test]
fn a_generator_that_makes_existing_services_collide_warns_in_its_plan() {
    let kuma = start();
    for name in ["a", "b", "c"] {
        put_mzs(&kuma, name);
    }
    let generator = |template: &str| {
        format!(
            "resource \"kuma_hostname_generator\" \"shared\" {{\n  name     = \"shared\"\n  template = \"{template}\"\n  selector {{\n    mesh_multi_zone_service {{\n      match_labels = {{}}\n    }}\n  }}\n}}\n"
        )
    };
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, "", &all_zones(&kuma)),
        generator("{{ .Mesh }}.mzs")
    ));
    ws.init();
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = plan.all();
    assert_eq!(text.matches("Warning: MZS105").count(), 1, "{text}");
    assert!(
        text.contains("template = \"{{ .Mesh }}.mzs\""),
        "not on template:\n{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("default/b") && flat.contains("default/c"),
        "{flat}"
    );
    // Each line says where: zones settle a claim in their own order.
    assert!(
        flat.contains("- default/b (in zones \"east\", \"west\"):"),
        "{flat}"
    );
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, "", &all_zones(&kuma)),
        generator("{{ .DisplayName }}.{{ .Mesh }}.other")
    ));
    let quiet = ws.plan_code();
    assert_eq!(quiet.code, 2, "{}", quiet.all());
    assert!(!quiet.all().contains("MZS105"), "{}", quiet.all());
}

fn zone_vip(kuma: &KumaLocal, zone: &str, name: &str) -> Option<String> {
    let (_, list) = kuma.call(
        "GET",
        &kuma.zones[zone],
        &format!("/meshes/default/meshmultizoneservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D={name}"),
        None,
    );
    list["items"]
        .as_array()?
        .iter()
        .find_map(|i| i["status"]["vips"][0]["ip"].as_str().map(str::to_owned))
}

fn wait_for_zone_vip(kuma: &KumaLocal, zone: &str, name: &str) -> String {
    for _ in 0..200 {
        if let Some(ip) = zone_vip(kuma, zone, name) {
            return ip;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("zone {zone} never assigned {name} a VIP");
}

fn put_mzs(kuma: &KumaLocal, name: &str) {
    put_labelled_mzs(kuma, name, serde_json::json!({}));
}

/// PUT on global an MZS selecting the seeded `redis` services, as another tool would.
fn put_labelled_mzs(kuma: &KumaLocal, name: &str, labels: Json) {
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        &format!("/meshes/default/meshmultizoneservices/{name}"),
        Some(serde_json::json!({
            "type": "MeshMultiZoneService", "mesh": "default", "name": name, "labels": labels,
            "spec": {"selector": {"meshService": {"matchLabels": {"kuma.io/display-name": "redis"}}},
                     "ports": [{"port": 6379, "appProtocol": "tcp"}]}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
}

/// Item 5: after creates and deletes, the preview's VIP for a zone listed in the provider is the
/// one the zone then assigns; without that zone it is marked an estimate.
#[test]
fn the_previews_vip_is_the_one_the_zone_assigns() {
    let kuma = start();
    for name in ["a", "b", "c", "d", "e"] {
        put_mzs(&kuma, name);
        wait_for_zone_vip(&kuma, "east", name);
    }
    delete_mzs_and_wait(&kuma, &["a", "b", "c"]);
    let east = kuma.zones["east"].clone();
    let zones = preview_zones(&kuma, "f", &[("east", east.as_str())]);
    let entry = |zone: &str| zone_entry(&zones, zone);
    let predicted = entry("east");
    assert_eq!(predicted["vip_estimated"], false, "{zones}");
    assert_eq!(entry("west")["vip_estimated"], true, "{zones}");
    put_mzs(&kuma, "f");
    let assigned = wait_for_zone_vip(&kuma, "east", "f");
    assert_eq!(predicted["vip"], assigned.as_str(), "{zones}");
}

/// Item 9: a bad name fails `terraform validate` on `name`; a missing mesh is a plan error on
/// `mesh`.
#[test]
fn name_and_mesh_errors_land_on_their_attribute() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let provider = provider(&kuma.global, &kuma.token, "", &[]);
    ws.write(&format!("{provider}{}", mzs("bad", "Bad_Name", "", 6379)));
    ws.init();
    let validate = ws.run(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{}", validate.all());
    assert!(
        validate.all().contains("name = \"Bad_Name\""),
        "{}",
        validate.all()
    );
    ws.write(&format!(
        "{provider}{}",
        mzs("nomesh", "redis", "", 6379).replace("  labels", "  mesh = \"nope\"\n  labels")
    ));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        plan.all().contains("Mesh \"nope\" does not exist"),
        "{}",
        plan.all()
    );
    assert!(plan.all().contains("mesh = \"nope\""), "{}", plan.all());

    // A HostnameGenerator with two selector kinds: on the second one's labels.
    ws.write(&format!(
        "{provider}{}",
        r#"
resource "kuma_hostname_generator" "two" {
  name = "two"
  template = "{{ .DisplayName }}.two"
  selector {
    mesh_service {
      match_labels = { a = "b" }
    }
    mesh_multi_zone_service {
      match_labels = { extra = "kind" }
    }
  }
}
"#
    ));
    let validate = ws.run(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{}", validate.all());
    assert!(
        validate
            .all()
            .contains("match_labels = { extra = \"kind\" }"),
        "{}",
        validate.all()
    );
}

/// Item 5, hostnames: a hostname another service already holds on a configured zone is not
/// promised by the preview (and a warning names the holder).
#[test]
fn the_preview_leaves_out_hostnames_a_zone_already_gave_away() {
    let kuma = start();
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        "/hostnamegenerators/fixed",
        Some(serde_json::json!({
            "type": "HostnameGenerator", "name": "fixed",
            "spec": {"template": "fixed.mzs",
                     "selector": {"meshMultiZoneService": {"matchLabels": {"kuma.io/origin": "global"}}}}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
    put_mzs(&kuma, "old");
    let mut held = false;
    for _ in 0..200 {
        let (_, list) = kuma.call(
            "GET",
            &kuma.zones["east"],
            "/meshes/default/meshmultizoneservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D=old",
            None,
        );
        held = list.to_string().contains("fixed.mzs");
        if held {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(held, "zone east never gave old the hostname");
    let east = kuma.zones["east"].clone();
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, "", &[("east", east.as_str())]),
        r#"
data "kuma_mesh_multi_zone_service_preview" "new" {
  name = "new"
  selector {
    mesh_service {
      match_labels = { "kuma.io/display-name" = "redis" }
    }
  }
  port {
    port = 6379
  }
}
output "zones" {
  value = data.kuma_mesh_multi_zone_service_preview.new.zone
}
"#
    ));
    ws.init();
    ws.apply(&[]);
    let out = ws.expect(0, &["output", "-json", "zones"]);
    let zones: Json = serde_json::from_str(&out.stdout).unwrap();
    let east = zone_entry(&zones, "east");
    assert!(
        !east["hostnames"].to_string().contains("fixed.mzs"),
        "{east}"
    );
    // The holder is named: by the core's preview (MZS105: `old` was created first, so it keeps
    // the hostname, as in Kuma), or, for a claim the preview cannot see, by the zone's holdings.
    let warnings = east["warnings"].to_string();
    assert!(
        warnings.contains("is already used by MeshMultiZoneService old")
            || warnings.contains("already held on this zone by \\\"old\\\""),
        "{east}"
    );
}

/// Bug bash (tf docs): the resource's own plan names a hostname an existing MZS (created first,
/// so Kuma lets it keep the hostname) already generates, as the preview data source does (MZS105);
/// the preview takes the labels the service will carry, which decide the HostnameGenerators that
/// apply to it.
#[test]
fn a_new_mzs_losing_a_hostname_warns_and_the_preview_reads_labels() {
    let kuma = start();
    for (name, template, labels) in [
        (
            "fixed",
            "fixed.mzs",
            serde_json::json!({"kuma.io/origin": "global"}),
        ),
        (
            "byteam",
            "{{ .DisplayName }}.team.mzs",
            serde_json::json!({"team": "cache"}),
        ),
        ("tagged", "tagged.mzs", serde_json::json!({"tag": "x"})),
    ] {
        let (status, body) = kuma.call(
            "PUT",
            &kuma.global,
            &format!("/hostnamegenerators/{name}"),
            Some(serde_json::json!({
                "type": "HostnameGenerator", "name": name,
                "spec": {"template": template,
                         "selector": {"meshMultiZoneService": {"matchLabels": labels}}}
            })),
        );
        assert!(status == 200 || status == 201, "{status} {body}");
    }
    put_mzs(&kuma, "old");
    put_labelled_mzs(&kuma, "old-tagged", serde_json::json!({"tag": "x"}));
    let east = kuma.zones["east"].clone();
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}{}",
        provider(&kuma.global, &kuma.token, "", &[("east", east.as_str())]),
        mzs("new", "new", "", 6379),
        r#"
data "kuma_mesh_multi_zone_service_preview" "team" {
  name   = "lbl"
  labels = { team = "cache" }
  selector {
    mesh_service {
      match_labels = { "kuma.io/display-name" = "redis" }
    }
  }
  port {
    port = 6379
  }
}
output "zones" {
  value = data.kuma_mesh_multi_zone_service_preview.team.zone
}
"#
    ));
    ws.init();
    let plan = ws.plan_code();
    let text = plan.all();
    assert_eq!(plan.code, 2, "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("MZS105"), "{text}");
    assert!(
        flat.contains("is already used by MeshMultiZoneService old"),
        "{text}"
    );
    assert!(
        text.contains("in resource \"kuma_mesh_multi_zone_service\" \"new\""),
        "{text}"
    );
    ws.apply(&[]);
    let out = ws.expect(0, &["output", "-json", "zones"]);
    let zones: Json = serde_json::from_str(&out.stdout).unwrap();
    let east = zone_entry(&zones, "east");
    assert!(
        east["hostnames"].to_string().contains("lbl.team.mzs"),
        "{east}"
    );
    // A label change alone brings a generator in: the plan of the update says the hostname is
    // held, on the resource's name.
    let config = std::fs::read_to_string(ws.work().join("main.tf")).unwrap();
    assert!(config.contains("labels = {  }"), "{config}");
    ws.write(&config.replacen("labels = {  }", "labels = { tag = \"x\" }", 1));
    let plan = ws.plan_code();
    let text = plan.all();
    assert_eq!(plan.code, 2, "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("is already used by MeshMultiZoneService old-tagged"),
        "{text}"
    );
    assert!(text.contains("name = \"new\""), "not on the name:\n{text}");
}

/// A refresh of many services is batched (one list per mesh and control plane after the first
/// few single reads) and stays exact: a service deleted outside Terraform is planned again, one
/// changed outside is planned back, and every zone's status is read from the zones' lists.
#[test]
fn a_batched_refresh_sees_every_change_made_outside() {
    let kuma = start();
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, "", &all_zones(&kuma)),
        r#"
resource "kuma_mesh_multi_zone_service" "s" {
  count = 30
  name  = "svc-${count.index}"
  labels = { team = "a" }
  selector {
    mesh_service {
      match_labels = { "kuma.io/display-name" = "redis" }
    }
  }
  port {
    port = 6379
  }
}
"#
    ));
    ws.init();
    ws.apply(&[]);
    ws.apply(&["-refresh-only"]);
    let state = ws.state();
    let instances: Vec<&Json> = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(instances.len(), 30);
    for instance in &instances {
        let zones = instance["values"]["zone_status"].as_array().unwrap();
        assert_eq!(zones.len(), 2, "{instance}");
        for zone in zones {
            assert_eq!(zone["state"], "synced", "{instance}");
            assert!(
                zone["vip"].as_str().is_some_and(|v| !v.is_empty()),
                "{instance}"
            );
        }
    }
    let (status, body) = kuma.call(
        "DELETE",
        &kuma.global,
        "/meshes/default/meshmultizoneservices/svc-25",
        None,
    );
    assert_eq!(status, 200, "{body}");
    put_labelled_mzs(&kuma, "svc-20", serde_json::json!({"team": "b"}));
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = plan.all();
    assert!(
        text.contains("kuma_mesh_multi_zone_service.s[25] will be created"),
        "{text}"
    );
    assert!(
        text.contains("kuma_mesh_multi_zone_service.s[20] will be updated in-place"),
        "{text}"
    );
    assert!(
        text.contains("1 to add, 1 to change, 0 to destroy"),
        "{text}"
    );
}

fn delete_mzs_and_wait(kuma: &KumaLocal, names: &[&str]) {
    for name in names {
        kuma.call(
            "DELETE",
            &kuma.global,
            &format!("/meshes/default/meshmultizoneservices/{name}"),
            None,
        );
    }
    for name in names {
        for _ in 0..200 {
            if zone_vip(kuma, "east", name).is_none() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The preview data source's `zone` entries for a new MZS `name`, with `zones` configured.
fn preview_zones(kuma: &KumaLocal, name: &str, zones: &[(&str, &str)]) -> Json {
    let ws = Workspace::new("current");
    ws.write(&format!(
        r#"{}
data "kuma_mesh_multi_zone_service_preview" "p" {{
  name = "{name}"
  selector {{
    mesh_service {{
      match_labels = {{ "kuma.io/display-name" = "redis" }}
    }}
  }}
  port {{
    port = 6379
  }}
}}
output "zones" {{
  value = data.kuma_mesh_multi_zone_service_preview.p.zone
}}
"#,
        provider(&kuma.global, &kuma.token, "", zones)
    ));
    ws.init();
    ws.apply(&[]);
    let out = ws.expect(0, &["output", "-json", "zones"]);
    serde_json::from_str(&out.stdout).unwrap()
}

/// The preview's entry for `zone` (null when there is none).
fn zone_entry(zones: &Json, zone: &str) -> Json {
    zones
        .as_array()
        .and_then(|list| list.iter().find(|z| z["zone"] == zone))
        .cloned()
        .unwrap_or(Json::Null)
}

/// The VIP and the entry the preview data source gives a new MZS `name` on zone east.
fn preview_on_east(kuma: &KumaLocal, name: &str) -> (String, Json) {
    let east_url = kuma.zones["east"].clone();
    let zones = preview_zones(kuma, name, &[("east", east_url.as_str())]);
    let east = zone_entry(&zones, "east");
    (east["vip"].as_str().unwrap_or("").to_owned(), east)
}

/// Item 5, the cases Kuma's REST API cannot answer: the zone's newest MZS was deleted (its
/// allocator is one address further than the VIPs in use show), then every MZS was deleted (the
/// zone looks fresh, yet will not start again at the network address). kuma-local reports its
/// allocator, so the preview is exact and says so.
#[test]
fn the_previews_vip_is_exact_after_the_newest_and_every_mzs_were_deleted() {
    let kuma = start();
    for name in ["a", "b", "c"] {
        put_mzs(&kuma, name);
        wait_for_zone_vip(&kuma, "east", name);
    }
    delete_mzs_and_wait(&kuma, &["c"]);
    let (predicted, entry) = preview_on_east(&kuma, "g");
    assert_eq!(entry["vip_estimated"], false, "{entry}");
    put_mzs(&kuma, "g");
    assert_eq!(predicted, wait_for_zone_vip(&kuma, "east", "g"), "{entry}");

    delete_mzs_and_wait(&kuma, &["a", "b", "g"]);
    let (predicted, entry) = preview_on_east(&kuma, "h");
    assert_eq!(entry["vip_estimated"], false, "{entry}");
    assert_ne!(predicted, "243.0.0.0", "{entry}");
    put_mzs(&kuma, "h");
    assert_eq!(predicted, wait_for_zone_vip(&kuma, "east", "h"), "{entry}");
}

/// An import of an object the control plane does not have says what is missing (the mesh, or
/// the object, and where to list them) instead of Terraform's bare "Cannot import non-existent
/// remote object".
#[test]
fn an_import_of_nothing_says_what_is_missing() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let provider = provider(&kuma.global, &kuma.token, "", &[]);
    let generator = "resource \"kuma_hostname_generator\" \"g\" {\n  name     = \"ghost\"\n  template = \"{{ .DisplayName }}.mesh\"\n  selector {\n    mesh_service {}\n  }\n}\n";
    ws.write(&format!(
        "{provider}{}{generator}",
        mzs("clash", "legacy", "", 6379)
    ));
    ws.init();
    let import = |address: &str, id: &str| {
        let run = ws.run(&["import", "-input=false", "-no-color", address, id]);
        assert_eq!(run.code, 1, "{}", run.all());
        run.all().split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let text = import("kuma_mesh_multi_zone_service.clash", "nomesh/redis");
    assert!(text.contains("Mesh \"nomesh\" does not exist"), "{text}");
    let text = import("kuma_mesh_multi_zone_service.clash", "default/nope");
    assert!(
        text.contains("has no MeshMultiZoneService \"nope\" in mesh \"default\"")
            && text.contains("GET /meshes/default/meshmultizoneservices"),
        "{text}"
    );
    let text = import("kuma_hostname_generator.g", "ghost");
    assert!(
        text.contains("has no HostnameGenerator \"ghost\"") && text.contains("KDS names"),
        "{text}"
    );
}
