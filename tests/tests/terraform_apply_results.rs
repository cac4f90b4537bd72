//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local:
//! what the state holds after an apply, and which label changes a plan allows. From the bug
//! bash: a namespace label renames the zone's copy, so the VIP is planned unknown and the state
//! records the new one; an update of an object deleted between plan and apply writes nothing
//! (no re-creation with unplanned VIPs), and the next plan creates it; a user's label that Kuma
//! may also write is removed when it leaves the configuration, and removing `kuma.io/zone`
//! replaces the object;
//! unknown values keep the plan-time checks of the rest; an empty HostnameGenerator selector is
//! reported on its block; a global that never answers costs one deadline per plan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kuma_mzs_e2e::terraform::{provider_block, redis_mzs, KumaLocal, Silent, Workspace};
use serde_json::Value as Json;

const PATH: &str = "/meshes/default/meshmultizoneservices/vipx";

fn config(kuma: &KumaLocal, labels: &str) -> String {
    let east = kuma.zones["east"].clone();
    format!(
        "{}{}",
        provider_block(
            &kuma.global,
            &kuma.token,
            "  live_lints = false",
            &[("east", &east)]
        ),
        redis_mzs("v", "vipx", labels, 6379)
    )
}

/// The VIP of the zone's copy of `vipx`, as the zone serves it (waits for it).
fn zone_vip(kuma: &KumaLocal) -> String {
    let east = kuma.zones["east"].clone();
    for _ in 0..200 {
        let (_, list) = kuma.call(
            "GET",
            &east,
            "/meshes/default/meshmultizoneservices?filter%5Blabels.kuma.io%2Fdisplay-name%5D=vipx",
            None,
        );
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if let [item] = items.as_slice() {
            if let Some(ip) = item["status"]["vips"][0]["ip"].as_str() {
                return ip.to_owned();
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("zone east never served one copy of vipx with a VIP");
}

fn state_vip(ws: &Workspace) -> String {
    let state = ws.resource("kuma_mesh_multi_zone_service.v");
    state["zone_status"][0]["vip"]
        .as_str()
        .unwrap_or_else(|| panic!("no VIP in state: {state}"))
        .to_owned()
}

/// A namespace label renames the zone's copy: a new VIP, planned unknown and recorded. An
/// object deleted between plan and apply: the update writes nothing, and the next plan creates
/// it.
fn vip_and_readback(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    let ws = Workspace::new(which);
    ws.write(&config(&kuma, "team = \"a\""));
    ws.init();
    // A create plans the KRI and SNIs the server will print; the apply keeps them unchanged.
    let created = ws.apply(&[]).all();
    assert!(
        created.contains("\"kri_mzsvc_default___vipx_\""),
        "{created}"
    );
    assert!(
        created.contains("\"sni.mzsvc.default.vipx.6379\""),
        "{created}"
    );
    assert!(!created.contains("different"), "{created}");
    let first = state_vip(&ws);
    assert_eq!(first, zone_vip(&kuma));

    ws.write(&config(
        &kuma,
        "team = \"a\", \"k8s.kuma.io/namespace\" = \"ns1\"",
    ));
    let plan = ws.expect(
        2,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    let text = plan.all();
    assert!(
        text.lines()
            .any(|l| l.contains("vip") && l.contains("(known after apply)")),
        "{text}"
    );
    let applied = ws.apply(&[]);
    assert!(
        !applied.all().contains("different"),
        "no surprise: {}",
        applied.all()
    );
    let renamed = state_vip(&ws);
    assert_ne!(renamed, first, "the zone's new copy has a new VIP");
    assert_eq!(renamed, zone_vip(&kuma), "state holds what the zone serves");
    assert_eq!(ws.plan_code().code, 0);

    // A zone label adds the zone (and then the namespace) to the KRI and to every SNI: the plan
    // already shows the names the server builds (the core renders them as the server's release
    // prints them), and the apply holds exactly those.
    let zoned = "team = \"a\", \"k8s.kuma.io/namespace\" = \"ns1\", \"kuma.io/zone\" = \"east\"";
    ws.write(&config(&kuma, zoned));
    let plan = ws.expect(
        2,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    let text = plan.all();
    assert!(
        text.contains("\"kri_mzsvc_default_east_ns1_vipx_\""),
        "the planned KRI: {text}"
    );
    assert!(
        text.contains("\"sni.mzsvc.default.east.ns1.vipx.6379\""),
        "the planned SNI: {text}"
    );
    let snis = text.split(" snis ").nth(1).unwrap_or_default();
    let snis = snis.split(" warnings ").next().unwrap_or_default();
    assert!(!snis.contains("(known after apply)"), "{text}");
    let applied = ws.apply(&[]);
    assert!(!applied.all().contains("different"), "{}", applied.all());
    let state = ws.resource("kuma_mesh_multi_zone_service.v");
    let (_, item) = kuma.get(PATH);
    assert_eq!(state["snis"][0]["sni"], item["snis"][0]["sni"], "{state}");
    assert_eq!(
        item["snis"][0]["sni"],
        "sni.mzsvc.default.east.ns1.vipx.6379"
    );
    assert_eq!(state["kri"], item["kri"], "{state}");
    assert_eq!(ws.plan_code().code, 0);

    // Deleted between plan and apply: the update writes nothing (it never creates: the zones
    // would give the new object new VIPs the plan never showed) and says to plan again; that
    // plan creates it, with its VIP known after apply.
    ws.write(&config(
        &kuma,
        "team = \"b\", \"k8s.kuma.io/namespace\" = \"ns1\", \"kuma.io/zone\" = \"east\"",
    ));
    ws.expect(0, &["plan", "-out=p.plan", "-input=false", "-no-color"]);
    let (status, _) = kuma.call("DELETE", &kuma.global, PATH, None);
    assert_eq!(status, 200);
    let applied = ws.run(&["apply", "-input=false", "-no-color", "p.plan"]);
    let text = applied
        .all()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(applied.code, 1, "{text}");
    assert!(
        text.contains(
            "The MeshMultiZoneService default/vipx was deleted outside Terraform since it was last read"
        ),
        "{text}"
    );
    assert!(text.contains("nothing was written"), "{text}");
    assert!(!text.contains("different"), "{text}");
    assert_eq!(kuma.get(PATH).0, 404, "the update created it again");
    let plan = ws.expect(
        2,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    assert!(plan.all().contains("will be created"), "{}", plan.all());
    ws.apply(&[]);
    let (_, item) = kuma.get(PATH);
    let state = ws.resource("kuma_mesh_multi_zone_service.v");
    assert_eq!(state["creation_time"], item["creationTime"], "{state}");
    assert_eq!(state_vip(&ws), zone_vip(&kuma));
}

#[test]
fn a_renamed_zone_copy_and_a_surprise_at_apply_on_terraform_1_0_3() {
    vip_and_readback("1.0.3");
}

#[test]
fn a_renamed_zone_copy_and_a_surprise_at_apply_on_current_terraform() {
    vip_and_readback("current");
}

fn labels_of(kuma: &KumaLocal) -> Json {
    let (status, item) = kuma.get(PATH);
    assert_eq!(status, 200, "{item}");
    item["labels"].clone()
}

/// A label the user set with a key Kuma may also write leaves the object with the
/// configuration; `kuma.io/zone`, which Kuma keeps for life, replaces the object.
fn removable_labels(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    ws.write(&config(
        &kuma,
        "team = \"a\", \"k8s.kuma.io/namespace\" = \"ns1\", \"kuma.io/env\" = \"kubernetes\", \"kuma.io/zone\" = \"east\"",
    ));
    ws.init();
    ws.apply(&[]);
    assert_eq!(labels_of(&kuma)["k8s.kuma.io/namespace"], "ns1");

    ws.write(&config(&kuma, "team = \"a\", \"kuma.io/zone\" = \"east\""));
    ws.apply(&[]);
    let labels = labels_of(&kuma);
    assert!(labels.get("k8s.kuma.io/namespace").is_none(), "{labels}");
    assert!(labels.get("kuma.io/env").is_none(), "{labels}");
    assert_eq!(labels["kuma.io/zone"], "east", "{labels}");
    let (_, item) = kuma.get(PATH);
    assert_eq!(item["kri"], "kri_mzsvc_default_east__vipx_", "{item}");
    assert_eq!(ws.plan_code().code, 0);

    // Kuma refuses an update without `kuma.io/zone`: the plan replaces the object instead,
    // and says why on the label; the apply re-creates it without the label.
    ws.write(&config(&kuma, "team = \"a\""));
    let plan = ws.expect(
        2,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    let text = plan.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("must be replaced"), "{text}");
    assert!(
        plan.all()
            .lines()
            .any(|l| l.contains("\"kuma.io/zone\"") && l.contains("# forces replacement")),
        "{text}"
    );
    assert!(
        text.contains(
            "Label \"kuma.io/zone\" cannot change in place: the MeshMultiZoneService is replaced"
        ),
        "{text}"
    );
    assert!(
        text.contains("is immutable, cannot be removed (was \"east\")"),
        "{text}"
    );
    assert!(!text.contains("-replace="), "{text}");
    assert_eq!(labels_of(&kuma)["kuma.io/zone"], "east");
    let applied = ws.apply(&[]);
    assert!(
        applied.all().contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        applied.all()
    );
    assert!(labels_of(&kuma).get("kuma.io/zone").is_none());
    assert_eq!(ws.plan_code().code, 0);
}

#[test]
fn labels_a_user_set_can_be_removed_on_terraform_1_0_3() {
    removable_labels("1.0.3");
}

#[test]
fn labels_a_user_set_can_be_removed_on_current_terraform() {
    removable_labels("current");
}

/// A literal error next to a value known only at apply (a variable at `validate`, another
/// resource's KRI at `plan`) is found before anything is created, on its attribute (a missing
/// port: every release refuses it).
fn unknowns_keep_the_checks(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let resource = |labels: &str, match_labels: &str| {
        format!(
            r#"
variable "n" {{
  type = string
}}
resource "kuma_hostname_generator" "h" {{
  name = "h"
  template = "{{{{ .DisplayName }}}}.h"
  selector {{
    mesh_service {{
      match_labels = {{ h = "h" }}
    }}
  }}
}}
resource "kuma_mesh_multi_zone_service" "c" {{
  name = "c"
  labels = {labels}
  selector {{
    mesh_service {{
      match_labels = {match_labels}
    }}
  }}
}}
"#
        )
    };
    let provider = provider_block(&kuma.global, &kuma.token, "", &[]);
    let cases = [
        ("{ x = var.n }", "{ a = \"b\" }"),
        ("{ a = \"b\" }", "{ a = var.n }"),
        ("{ x = kuma_hostname_generator.h.kri }", "{ a = \"b\" }"),
        ("{ a = \"b\" }", "{ a = kuma_hostname_generator.h.kri }"),
    ];
    for (i, (labels, match_labels)) in cases.iter().enumerate() {
        ws.write(&format!("{provider}{}", resource(labels, match_labels)));
        if i == 0 {
            ws.init();
        }
        let run = if labels.contains("var.") || match_labels.contains("var.") {
            ws.run(&["validate", "-no-color"])
        } else {
            ws.run(&["plan", "-input=false", "-no-color", "-var", "n=x"])
        };
        assert_eq!(run.code, 1, "{labels} {match_labels}: {}", run.all());
        let text = run.all().replace('\n', " ");
        // No port: what every release refuses, so `terraform validate` (which runs before the
        // provider knows the release) reports it too.
        assert!(
            text.contains("Invalid MeshMultiZoneService: port"),
            "{labels} {match_labels}: {text}"
        );
        assert!(!text.contains("labels"), "{labels} {match_labels}: {text}");
    }
    // A HostnameGenerator whose template is known only at apply still has its selector checked.
    for (template, command) in [
        ("var.n", ["validate", "-no-color", "", "", ""]),
        (
            "\"${kuma_hostname_generator.h.kri}.x\"",
            ["plan", "-input=false", "-no-color", "-var", "n=x"],
        ),
    ] {
        ws.write(&format!(
            r#"{provider}{}
resource "kuma_hostname_generator" "g" {{
  name = "g"
  template = {template}
  selector {{
    mesh_service {{}}
    mesh_multi_zone_service {{}}
  }}
}}
"#,
            resource("{ a = \"b\" }", "{ a = \"b\" }")
        ));
        let args: Vec<&str> = command.into_iter().filter(|a| !a.is_empty()).collect();
        let run = ws.run(&args);
        assert_eq!(run.code, 1, "{template}: {}", run.all());
        let text = run.all().replace('\n', " ");
        assert!(
            text.contains("Invalid HostnameGenerator: selector"),
            "{template}: {text}"
        );
        assert!(
            !text.contains("Invalid HostnameGenerator: template"),
            "{template}: {text}"
        );
    }
    let (status, _) = kuma.get("/hostnamegenerators/h");
    assert_eq!(status, 404, "nothing was created");
}

#[test]
fn unknown_labels_keep_the_plan_checks_on_terraform_1_0_3() {
    unknowns_keep_the_checks("1.0.3");
}

#[test]
fn unknown_labels_keep_the_plan_checks_on_current_terraform() {
    unknowns_keep_the_checks("current");
}

/// An empty `selector {}` of a HostnameGenerator is reported on the `selector` block's line, not
/// on the resource's.
fn empty_selector_line(which: &str) {
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{}",
        provider_block("http://127.0.0.1:1", "t", "", &[]),
        r#"
resource "kuma_hostname_generator" "a" {
  name     = "a"
  template = "{{ .DisplayName }}.x"
  selector {}
}
"#
    ));
    ws.init();
    let run = ws.run(&["validate", "-json", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let report: Json = serde_json::from_str(&run.stdout).unwrap();
    let diag = report["diagnostics"]
        .as_array()
        .and_then(|all| {
            all.iter().find(|d| {
                d["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("exact one selector")
            })
        })
        .unwrap_or_else(|| panic!("{}", run.all()));
    let main_tf = std::fs::read_to_string(ws.work().join("main.tf")).unwrap();
    let selector_line = main_tf
        .lines()
        .position(|l| l.trim() == "selector {}")
        .unwrap()
        + 1;
    assert_eq!(
        diag["range"]["start"]["line"].as_u64(),
        Some(selector_line as u64),
        "{diag}"
    );
}

#[test]
fn an_empty_selector_is_reported_on_its_block_on_terraform_1_0_3() {
    empty_selector_line("1.0.3");
}

#[test]
fn an_empty_selector_is_reported_on_its_block_on_current_terraform() {
    empty_selector_line("current");
}

/// A global control plane that accepts connections and never answers costs one deadline per
/// plan, not one per resource and check: after the first, the plan's optional checks (safe
/// create, live lints) say it did not answer and go on.
#[test]
fn a_silent_global_is_waited_for_once_per_plan() {
    let silent = Silent::start();
    let ws = Workspace::new("current");
    let resources: String = (0..3)
        .map(|i| redis_mzs(&format!("r{i}"), &format!("r{i}"), "", 6379))
        .collect();
    ws.write(&format!(
        "{}{resources}",
        provider_block(&silent.url, "t", "  operation_timeout = \"3s\"", &[])
    ));
    ws.init();
    let started = Instant::now();
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-parallelism=1"]);
    let took = started.elapsed();
    let text = plan.all().replace('\n', " ");
    assert!(
        text.contains("did not answer earlier in this run, so it is not asked again"),
        "{text}"
    );
    // Version detection, then one wait at most; before, each resource waited twice (3 s each).
    assert!(took < Duration::from_secs(10), "plan took {took:?}: {text}");
}

/// A HostnameGenerator is checked by the server's release at plan: Kuma 2.13 only parses the
/// template, 2.14 also wants the rendered name to be a DNS name.
fn template_rules_of_the_servers_release(which: &str) {
    let config = |kuma: &KumaLocal| {
        format!(
            r#"{}
resource "kuma_hostname_generator" "g" {{
  name = "g"
  template = "Not_A_Host"
  selector {{
    mesh_service {{}}
  }}
}}
"#,
            provider_block(&kuma.global, &kuma.token, "", &[])
        )
    };
    let v2_13 = KumaLocal::start(&["east"], &["--kuma-version", "2.13"]);
    let ws = Workspace::new(which);
    ws.write(&config(&v2_13));
    ws.init();
    // The KRI 2.13 prints is known at plan (the core renders the planned generator).
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan.all().contains("kri               = \"kri_hg____g_\""),
        "the planned KRI: {}",
        plan.all()
    );
    let run = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!run.all().contains("different"), "{}", run.all());
    let (status, item) = v2_13.get("/hostnamegenerators/g");
    assert_eq!(status, 200, "Kuma 2.13 stores it");
    assert_eq!(ws.resource("kuma_hostname_generator.g")["kri"], item["kri"]);

    let v2_14 = KumaLocal::start(&["east"], &["--kuma-version", "2.14"]);
    let ws = Workspace::new(which);
    ws.write(&config(&v2_14));
    ws.init();
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.all().contains("Invalid HostnameGenerator: template"),
        "{}",
        run.all()
    );
}

#[test]
fn a_hostname_generator_follows_the_servers_release_on_terraform_1_0_3() {
    template_rules_of_the_servers_release("1.0.3");
}

#[test]
fn a_hostname_generator_follows_the_servers_release_on_current_terraform() {
    template_rules_of_the_servers_release("current");
}
