//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local:
//! what the provider learns from the servers it talks to, each as a user would meet it. A zone endpoint accepts
//! HostnameGenerators (only a federated zone refuses MeshMultiZoneServices), a label Kuma
//! replaces on every write is a validate error, an update keeps a server-set `kuma.io/zone`, a
//! `zone` block that points at the wrong control plane is a warning and is never waited for, and
//! a data source under a provider known only at apply says why and what to do. From the bug
//! bash: a refused token fails the plan at `token`, a data source's mesh that does not exist is
//! an error on `mesh`, each lint shows once per plan, and HostnameGenerators take a `timeouts`
//! block.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kuma_mzs_e2e::terraform::{
    closed_port_url, provider_block, provider_known_only_at_apply, redis_mzs, required_providers,
    workspace_binary, KumaLocal, Silent, Workspace,
};

fn header() -> String {
    required_providers()
}

fn provider(endpoint: &str, token: &str, zones: &[(&str, &str)]) -> String {
    provider_block(endpoint, token, "", zones)
}

fn mzs(name: &str, labels: &str) -> String {
    redis_mzs(name, name, labels, 6379)
}

fn hostname_generator(name: &str, labels: &str) -> String {
    format!(
        r#"
resource "kuma_hostname_generator" "{name}" {{
  name = "{name}"
  labels = {{ {labels} }}
  template = "{{{{ .DisplayName }}}}.{name}.local"
  selector {{
    mesh_service {{
      match_labels = {{ app = "{name}" }}
    }}
  }}
}}
"#
    )
}

/// A kuma-local zone of its own (`--mode zone`, no global), stopped on drop.
struct StandaloneZone {
    child: Child,
    url: String,
}

impl StandaloneZone {
    fn start(token: &str) -> StandaloneZone {
        let bin = workspace_binary("kuma-local", "KUMA_LOCAL_BIN");
        let mut child = Command::new(&bin)
            .args([
                "run",
                "--mode",
                "zone",
                "--zone",
                "solo",
                "--port",
                "0",
                "--output",
                "json",
                "--admin-token",
                token,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(&line).unwrap();
        let url = info["zones"]["solo"].as_str().unwrap().to_owned();
        StandaloneZone { child, url }
    }
}

impl Drop for StandaloneZone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Item 1: a zone endpoint accepts HostnameGenerators; a federated zone refuses a
/// MeshMultiZoneService at plan with the reason and the fix; a zone of its own accepts it.
fn zone_endpoints(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let east = kuma.zones["east"].clone();
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{}",
        provider(&east, &kuma.token, &[]),
        hostname_generator("zonehg", "")
    ));
    ws.init();
    ws.apply(&[]);
    let (status, _) = kuma.call("GET", &east, "/hostnamegenerators/zonehg", None);
    assert_eq!(status, 200);

    ws.write(&format!(
        "{}{}{}",
        provider(&east, &kuma.token, &[]),
        hostname_generator("zonehg", ""),
        mzs("redis", "")
    ));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert!(
        text.contains("The endpoint is a zone control plane that refuses MeshMultiZoneServices"),
        "{text}"
    );
    assert!(
        text.contains("zone \"east\", connected to a global"),
        "{text}"
    );
    assert!(text.contains("405"), "{text}");
    assert!(
        !text.contains("HostnameGenerators are created on the global"),
        "{text}"
    );

    let solo = StandaloneZone::start(&kuma.token);
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{}{}",
        provider(&solo.url, &kuma.token, &[]),
        hostname_generator("solohg", ""),
        mzs("redis", "")
    ));
    ws.init();
    ws.apply(&[]);
    let (status, _) = kuma.call(
        "GET",
        &solo.url,
        "/meshes/default/meshmultizoneservices/redis",
        None,
    );
    assert_eq!(status, 200);
}

#[test]
fn zones_accept_hostname_generators_and_only_federated_ones_refuse_mzs_on_terraform_1_0_3() {
    zone_endpoints("1.0.3");
}

#[test]
fn zones_accept_hostname_generators_and_only_federated_ones_refuse_mzs_on_current_terraform() {
    zone_endpoints("current");
}

/// A zone of its own as the `endpoint`, with a `zone` block for it: the MZS it stores under its
/// own name is the resource, so `zone_status` says `synced` with the VIP and matched services
/// the zone computed, and neither the create nor an update waits out the provider `timeout`
/// (10 s here; it used to wait the whole of it and report `found = false`).
#[test]
fn a_standalone_zone_endpoint_reports_its_own_status_without_waiting() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let solo = StandaloneZone::start(&kuma.token);
    let (status, reply) = kuma.call(
        "PUT",
        &solo.url,
        "/meshes/default/meshservices/redis",
        Some(serde_json::json!({
            "type": "MeshService", "mesh": "default", "name": "redis",
            "spec": {"ports": [{"port": 6379, "targetPort": 6379, "appProtocol": "tcp"}]}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {reply}");
    let ws = Workspace::new("current");
    for port in [6379, 6380] {
        ws.write(&format!(
            "{}{}",
            provider(&solo.url, &kuma.token, &[("solo", solo.url.as_str())]),
            mzs("redis", "").replace("6379", &port.to_string())
        ));
        if port == 6379 {
            ws.init();
        }
        let started = Instant::now();
        let applied = ws.apply(&[]);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(10),
            "apply of port {port} took {took:?}: {}",
            applied.all()
        );
        let (status, server) = kuma.call(
            "GET",
            &solo.url,
            "/meshes/default/meshmultizoneservices/redis",
            None,
        );
        assert_eq!(status, 200, "{server}");
        let state = ws.resource("kuma_mesh_multi_zone_service.redis");
        let zone = &state["zone_status"][0];
        assert_eq!(zone["zone"], "solo", "{state}");
        assert_eq!(zone["state"], "synced", "{state}");
        assert_eq!(zone["found"], true, "{state}");
        assert_eq!(
            zone["vip"], server["status"]["vips"][0]["ip"],
            "{state} {server}"
        );
        assert!(zone["vip"].is_string(), "{state}");
        assert_eq!(zone["mesh_services"][0]["name"], "redis", "{state}");
    }

    // The preview labels a new MZS as this zone stores it (`kuma.io/origin: zone`): the zone's
    // own generators apply, the global's default (`.mzsvc.mesh.local`, which a zone on its own
    // does not have) does not.
    let (status, reply) = kuma.call(
        "PUT",
        &solo.url,
        "/hostnamegenerators/own",
        Some(serde_json::json!({
            "type": "HostnameGenerator", "name": "own",
            "labels": {"kuma.io/origin": "zone"},
            "spec": {
                "template": "{{ .DisplayName }}.own.mesh",
                "selector": {"meshMultiZoneService": {"matchLabels": {"kuma.io/origin": "zone"}}}
            }
        })),
    );
    assert!(status == 200 || status == 201, "{status} {reply}");
    ws.write(&format!(
        "{}{}{}",
        provider(&solo.url, &kuma.token, &[("solo", solo.url.as_str())]),
        mzs("redis", "").replace("6379", "6380"),
        r#"
data "kuma_mesh_multi_zone_service_preview" "next" {
  name = "next"
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
    ws.apply(&[]);
    let preview = ws.resource("data.kuma_mesh_multi_zone_service_preview.next");
    assert_eq!(
        preview["zone"][0]["hostnames"],
        serde_json::json!(["next.own.mesh"]),
        "{preview}"
    );
}

/// Against Kuma 2.9 (kuma-local `--kuma-version 2.9`), whose REST API reports neither `kri` nor
/// `snis`: create and update apply, `kri` is null and `snis` empty, zone status is read, and the
/// next plan shows no change.
#[test]
fn a_2_9_control_plane_without_kri_or_snis_applies_and_plans_clean() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.9"]);
    let east = kuma.zones["east"].clone();
    let (_, item) = kuma.get("/meshes/default/meshmultizoneservices");
    assert_eq!(item["total"], 0, "{item}");
    let ws = Workspace::new("current");
    for port in [6379, 6380] {
        ws.write(&format!(
            "{}{}",
            provider(&kuma.global, &kuma.token, &[("east", east.as_str())]),
            mzs("redis", "").replace("6379", &port.to_string())
        ));
        if port == 6379 {
            ws.init();
        }
        ws.apply(&[]);
        let (status, server) = kuma.get("/meshes/default/meshmultizoneservices/redis");
        assert_eq!(status, 200, "{server}");
        assert!(server.get("kri").is_none(), "{server}");
        assert!(server.get("snis").is_none(), "{server}");
        let state = ws.resource("kuma_mesh_multi_zone_service.redis");
        assert!(state["kri"].is_null(), "{state}");
        assert_eq!(state["snis"], serde_json::json!([]), "{state}");
        assert_eq!(state["port"][0]["port"], port, "{state}");
        assert_eq!(state["zone_status"][0]["state"], "synced", "{state}");
        let plan = ws.plan_code();
        assert_eq!(plan.code, 0, "{}", plan.all());
    }
}

/// A port value only later releases refuse (2.9 checks no MZS port: `appProtocol: HTTP`) is no
/// `terraform validate` error, which runs before the provider knows the release, and plans and
/// applies against 2.9; against 3.0 the plan refuses it.
#[test]
fn what_only_later_releases_refuse_is_left_to_the_servers_release() {
    let config = |kuma: &KumaLocal| {
        format!(
            "{}{}",
            provider(&kuma.global, &kuma.token, &[]),
            mzs("redis", "").replace("port = 6379", "port = 6379\n    app_protocol = \"HTTP\"")
        )
    };
    let old = KumaLocal::start(&["east"], &["--kuma-version", "2.9"]);
    let ws = Workspace::new("current");
    ws.write(&config(&old));
    assert!(config(&old).contains("app_protocol = \"HTTP\""));
    ws.init();
    ws.expect(0, &["validate", "-no-color"]);
    ws.apply(&[]);
    let (_, server) = old.get("/meshes/default/meshmultizoneservices/redis");
    assert_eq!(
        server["spec"]["ports"][0]["appProtocol"], "HTTP",
        "{server}"
    );
    assert_eq!(ws.plan_code().code, 0);

    let new = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&config(&new));
    ws.init();
    let refused = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    assert!(
        refused
            .all()
            .contains("appProtocol must be one of: grpc, http, http2, tcp"),
        "{}",
        refused.all()
    );
}

/// Bug bash (upgrade): objects applied under Kuma 2.14 that 3.0 would refuse on write (a `kafka`
/// port) after the control plane was upgraded in place: Kuma keeps serving them and validates
/// only writes, so a plan that writes nothing goes through with a warning on the attribute (it
/// used to fail, and so did `terraform destroy`, whose first step is such a plan); an update is
/// refused at plan, new `timeouts` (which write nothing) apply, and the destroy removes the
/// object.
#[test]
fn an_object_the_upgraded_server_would_refuse_plans_unchanged_and_destroys() {
    let server = kuma_mzs_e2e::terraform::Upgradable::new("upgrade");
    let config = |kuma: &KumaLocal, team: &str| {
        format!(
            "{}{}",
            provider(&kuma.global, &kuma.token, &[]),
            mzs("redis", &format!("team = \"{team}\"")).replace(
                "port = 6379",
                "port = 6379\n    name = \"events\"\n    app_protocol = \"kafka\""
            )
        )
    };
    let ws = Workspace::new("current");
    {
        let old = server.start("2.14");
        ws.write(&config(&old, "a"));
        ws.init();
        ws.apply(&[]);
        let (_, server) = old.get("/meshes/default/meshmultizoneservices/redis");
        assert_eq!(
            server["spec"]["ports"][0]["appProtocol"], "kafka",
            "{server}"
        );
    }
    let new = server.start("3.0");
    ws.write(&config(&new, "a"));
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    let text = plan.all();
    assert_eq!(plan.code, 0, "{text}");
    assert!(
        text.contains("Warning: Kuma 3.0 will refuse the next write of this object"),
        "{text}"
    );
    // Terraform wraps the detail.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("appProtocol must be one of: grpc, http, http2, tcp"),
        "{text}"
    );
    assert!(
        text.contains("app_protocol = \"kafka\""),
        "the warning is not on the attribute:\n{text}"
    );
    // A change would write it: refused at plan, as the server would refuse it.
    ws.write(&config(&new, "b"));
    let refused = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    let flat = refused
        .all()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("Error: ") && flat.contains("appProtocol must be one of"),
        "{flat}"
    );
    // New deadlines write nothing, so they apply although the server would refuse a write.
    ws.write(&config(&new, "a").replace(
        "  port {",
        "  timeouts {\n    update = \"2m\"\n  }\n  port {",
    ));
    let timeouts = ws.apply(&[]);
    assert!(
        timeouts
            .all()
            .contains("Kuma 3.0 will refuse the next write"),
        "{}",
        timeouts.all()
    );
    ws.expect(
        0,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    let (status, _) = new.get("/meshes/default/meshmultizoneservices/redis");
    assert_eq!(status, 404);
}

/// Kuma's deprecation warnings come only with a successful write; the plan of the write says
/// them first, on the attribute, under the server's release (2.13 has no SNI warning).
#[test]
fn the_plan_says_what_the_write_will_be_warned_about() {
    let config = |kuma: &KumaLocal| {
        format!(
            "{}{}",
            provider(&kuma.global, &kuma.token, &[]),
            mzs("redis", "").replace("port = 6379", "port = 6379\n    name = \"bad.port\"")
        )
    };
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&config(&kuma));
    ws.init();
    let plan = ws.expect(0, &["plan", "-input=false", "-no-color"]);
    let text = plan.all();
    assert!(
        text.contains("Warning: Kuma 3.0 will warn on this write"),
        "{text}"
    );
    assert!(text.contains("must not contain dots"), "{text}");
    assert!(
        text.contains("name = \"bad.port\""),
        "the warning is not on the port name: {text}"
    );
    // The write's warning, foreseen by the plan, is not said a third time; the state keeps it.
    let applied = ws.apply(&[]);
    assert!(
        !applied.all().contains("Kuma returned a warning"),
        "{}",
        applied.all()
    );
    let state = ws.resource("kuma_mesh_multi_zone_service.redis");
    assert!(
        state["warnings"]
            .to_string()
            .contains("must not contain dots"),
        "{state}"
    );
    // Nothing to write, nothing to be warned about.
    let again = ws.expect(0, &["plan", "-input=false", "-no-color"]);
    assert!(!again.all().contains("will warn"), "{}", again.all());

    let old = KumaLocal::start(&["east"], &["--kuma-version", "2.13"]);
    let ws = Workspace::new("current");
    ws.write(&config(&old));
    ws.init();
    let plan = ws.expect(0, &["plan", "-input=false", "-no-color"]);
    assert!(!plan.all().contains("will warn"), "{}", plan.all());
}

/// A HostnameGenerator `extension` against Kuma 2.9 or 2.10, which have no such field and drop
/// it on write (the apply used to succeed and every plan showed the block again): a plan error
/// on the block; from 2.11 it plans and applies.
#[test]
fn an_extension_a_release_would_drop_is_a_plan_error_on_the_block() {
    let config = |global: &str, token: &str| {
        format!(
            "{}resource \"kuma_hostname_generator\" \"ext\" {{\n  name = \"ext\"\n  template = \"{{{{ .DisplayName }}}}.ext.mesh\"\n  selector {{\n    mesh_multi_zone_service {{\n      match_labels = {{ app = \"x\" }}\n    }}\n  }}\n  extension {{\n    type = \"Route53\"\n    config = jsonencode({{ ttl = 60 }})\n  }}\n}}\n",
            provider(global, token, &[])
        )
    };
    let old = KumaLocal::start(&["east"], &["--kuma-version", "2.9"]);
    let ws = Workspace::new("current");
    ws.write(&config(&old.global, &old.token));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = plan.all();
    assert_eq!(plan.code, 1, "{text}");
    assert!(
        text.contains("Kuma 2.9 has no HostnameGenerator spec.extension"),
        "{text}"
    );
    assert!(
        text.contains("type = \"Route53\""),
        "not in the block:\n{text}"
    );
    let (status, _) = old.get("/hostnamegenerators/ext");
    assert_eq!(status, 404);

    let new = KumaLocal::start(&["east"], &["--kuma-version", "2.11"]);
    ws.write(&config(&new.global, &new.token));
    ws.apply(&[]);
    let (_, item) = new.get("/hostnamegenerators/ext");
    assert_eq!(item["spec"]["extension"]["type"], "Route53", "{item}");
    assert_eq!(ws.plan_code().code, 0);
}

/// Item 2: `kuma.io/display-name` other than the name is a plan error on that label against a
/// release that replaces it (3.0; it used to apply and then diff forever), not a `validate`
/// error (2.x keeps it, and `validate` does not know the release); an update keeps a
/// `kuma.io/zone` set outside Terraform.
fn labels(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let provider = provider(&kuma.global, &kuma.token, &[]);
    ws.write(&format!(
        "{provider}{}",
        mzs("lbl3", "\"kuma.io/display-name\" = \"other\", team = \"a\"")
    ));
    ws.init();
    let validate = ws.run(&["validate", "-no-color"]);
    assert_eq!(validate.code, 0, "{}", validate.all());
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert!(
        text.contains("Label \"kuma.io/display-name\" is set by Kuma"),
        "{text}"
    );
    assert!(text.contains("Kuma computes it from `name`"), "{text}");
    assert!(text.contains("\"lbl3\" -> \"other\""), "{text}");

    // Values Kuma writes anyway are accepted and plan no diff after apply.
    ws.write(&format!(
        "{provider}{}",
        mzs(
            "lbl3",
            "\"kuma.io/display-name\" = \"lbl3\", \"kuma.io/origin\" = \"global\", team = \"a\""
        )
    ));
    ws.apply(&[]);
    assert_eq!(ws.plan_code().code, 0);

    // A Kuma-owned immutable label added outside Terraform.
    let path = "/meshes/default/meshmultizoneservices/lbl3";
    let (_, mut item) = kuma.get(path);
    item["labels"]["kuma.io/zone"] = "east".into();
    let body = serde_json::json!({
        "type": item["type"], "mesh": item["mesh"], "name": item["name"],
        "labels": item["labels"], "spec": item["spec"],
    });
    let (status, answer) = kuma.call("PUT", &kuma.global, path, Some(body));
    assert_eq!(status, 200, "{answer}");
    ws.write(&format!(
        "{provider}{}",
        mzs(
            "lbl3",
            "\"kuma.io/display-name\" = \"lbl3\", \"kuma.io/origin\" = \"global\", team = \"b\""
        )
    ));
    ws.apply(&[]);
    let (_, item) = kuma.get(path);
    assert_eq!(item["labels"]["team"], "b", "{item}");
    assert_eq!(item["labels"]["kuma.io/zone"], "east", "{item}");
    assert_eq!(ws.plan_code().code, 0);
}

#[test]
fn labels_kuma_owns_on_terraform_1_0_3() {
    labels("1.0.3");
}

#[test]
fn labels_kuma_owns_on_current_terraform() {
    labels("current");
}

/// Item 3: zone blocks that point at another zone, at global, or at a URL that answers 404 are
/// warnings naming the block, `unreachable` with the reason, and not waited for.
#[test]
fn a_zone_block_at_the_wrong_control_plane_is_a_warning_not_a_wait() {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    kuma.wait_for_global_mesh_services("redis", 1);
    let east = kuma.zones["east"].clone();
    let not_kuma = format!("{}/nope", kuma.global);
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider(
            &kuma.global,
            &kuma.token,
            &[
                ("east", east.as_str()),
                ("west", east.as_str()),
                ("mars", kuma.global.as_str()),
                ("typo", not_kuma.as_str()),
            ]
        ),
        mzs("redis", "")
    ));
    ws.init();
    let started = Instant::now();
    let applied = ws.apply(&[]);
    let took = started.elapsed();
    let text = applied.all().replace('\n', " ");
    assert!(
        took < Duration::from_secs(20),
        "apply took {took:?}: {text}"
    );
    for zone in ["west", "mars", "typo"] {
        assert!(
            text.contains(&format!("Zone \"{zone}\" is not read: wrong endpoint")),
            "{zone}: {text}"
        );
    }
    assert!(text.contains("not of zone \"west\""), "{text}");
    let state = ws.resource("kuma_mesh_multi_zone_service.redis");
    let zones = state["zone_status"].as_array().unwrap();
    assert_eq!(zones[0]["state"], "synced", "{state}");
    for (i, cause) in [(1, "zone \"east\""), (2, "global"), (3, "404")] {
        assert_eq!(zones[i]["state"], "unreachable", "{state}");
        assert_eq!(zones[i]["found"], false, "{state}");
        let error = zones[i]["error"].as_str().unwrap_or_default();
        assert!(error.contains(cause), "{i}: {error}");
    }
}

/// Item 4: a data source under a provider whose endpoint is known only at apply fails the plan
/// with the cause and the workaround (not "ConfigureProvider was not called"), and the
/// workaround (`depends_on`) applies.
fn data_source_under_unknown_provider(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let config = |data: &str| {
        format!(
            "{}{}{data}\noutput \"services\" {{ value = length(data.kuma_mesh_services.all.items) }}\n",
            header(),
            provider_known_only_at_apply(&kuma.global, &kuma.token),
        )
    };
    ws.write(&config("data \"kuma_mesh_services\" \"all\" {}"));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert!(
        text.contains("Provider configuration not known until apply"),
        "{text}"
    );
    assert!(text.contains("depends_on"), "{text}");
    assert!(text.contains("-target="), "{text}");
    assert!(!text.contains("ConfigureProvider"), "{text}");

    ws.write(&config(
        "data \"kuma_mesh_services\" \"all\" {\n  depends_on = [kuma_hostname_generator.boot]\n}",
    ));
    ws.apply(&[]);
    let (status, _) = kuma.get("/hostnamegenerators/boot");
    assert_eq!(status, 200);
}

#[test]
fn a_data_source_under_an_unknown_provider_explains_itself_on_terraform_1_0_3() {
    data_source_under_unknown_provider("1.0.3");
}

#[test]
fn a_data_source_under_an_unknown_provider_explains_itself_on_current_terraform() {
    data_source_under_unknown_provider("current");
}

/// Bug bash 1: a token the control plane refuses, or none where one is needed, fails the plan
/// with an error on the provider's `token` naming the endpoint and the status (it was a warning,
/// and the apply failed); `terraform validate` needs neither the token nor the control plane.
fn refused_token(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let mut ws = Workspace::new(which);
    ws.env("KUMA_TOKEN", "");
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, "not-the-token", &[]),
        mzs("redis", "")
    ));
    ws.init();
    ws.expect(0, &["validate", "-no-color"]);
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    let summary = format!(
        "Error: The control plane at {} refused the credentials (401)",
        kuma.global
    );
    assert_eq!(text.matches(&summary).count(), 1, "{text}");
    // On the attribute: Terraform quotes its line.
    assert!(text.contains("token = \"not-the-token\""), "{text}");
    assert!(text.contains("is wrong, expired, or not allowed"), "{text}");
    assert!(!text.contains("Warning: Could not check"), "{text}");

    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, "", &[]),
        mzs("redis", "")
    ));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert!(text.contains(&summary), "{text}");
    assert!(text.contains("No token is set"), "{text}");

    // No control plane at all: validation is offline.
    ws.write(&format!(
        "{}{}",
        provider(&closed_port_url(), &kuma.token, &[]),
        mzs("redis", "")
    ));
    ws.expect(0, &["validate", "-no-color"]);
    let (status, _) = kuma.get("/meshes/default/meshmultizoneservices/redis");
    assert_eq!(status, 404);
}

#[test]
fn a_refused_token_fails_the_plan_on_terraform_1_0_3() {
    refused_token("1.0.3");
}

#[test]
fn a_refused_token_fails_the_plan_on_current_terraform() {
    refused_token("current");
}

/// Bug bash 2: every data source given a mesh that does not exist fails with an error on `mesh`
/// (`kuma_mesh_services` returned no items); an existing mesh still reads.
fn missing_mesh(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    kuma.wait_for_global_mesh_services("redis", 1);
    let ws = Workspace::new(which);
    let data = |mesh: &str| {
        format!(
            r#"
data "kuma_mesh_services" "all" {{
  mesh = "{mesh}"
}}
data "kuma_mesh_multi_zone_service" "one" {{
  mesh = "{mesh}"
  name = "redis"
}}
data "kuma_mesh_multi_zone_service_preview" "redis" {{
  mesh = "{mesh}"
  selector {{
    mesh_service {{
      match_labels = {{ app = "redis" }}
    }}
  }}
  port {{
    port = 6379
  }}
}}
"#
        )
    };
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, &[]),
        data("typo")
    ));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert_eq!(
        text.matches("Error: Mesh \"typo\" does not exist").count(),
        3,
        "{text}"
    );
    // On the attribute: Terraform quotes its line.
    assert_eq!(text.matches("mesh = \"typo\"").count(), 3, "{text}");
    assert!(text.contains("has no Mesh \"typo\""), "{text}");

    // The mesh exists: the list and the preview read (the MZS itself does not exist).
    let existing = data("default").replace(
        "data \"kuma_mesh_multi_zone_service\" \"one\" {\n  mesh = \"default\"\n  name = \"redis\"\n}\n",
        "",
    );
    ws.write(&format!(
        "{}{existing}",
        provider(&kuma.global, &kuma.token, &[])
    ));
    ws.apply(&[]);
    let listed = ws.resource("data.kuma_mesh_services.all");
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}

#[test]
fn a_data_sources_missing_mesh_is_an_error_on_mesh_on_terraform_1_0_3() {
    missing_mesh("1.0.3");
}

#[test]
fn a_data_sources_missing_mesh_is_an_error_on_mesh_on_current_terraform() {
    missing_mesh("current");
}

/// How many diagnostics of `terraform <args> -json` (one JSON object a line) have a summary
/// starting with `prefix`.
fn json_diagnostics(ws: &Workspace, args: &[&str], prefix: &str) -> usize {
    let run = ws.expect(0, args);
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| event["type"] == "diagnostic")
        .filter(|event| {
            event["diagnostic"]["summary"]
                .as_str()
                .is_some_and(|s| s.starts_with(prefix))
        })
        .count()
}

/// A lint (MZS001, a port Kuma accepts but no listener can use) reaches `terraform validate`
/// once, and the plan and apply whether the port is written as a literal or comes from a
/// variable (which Terraform's validate walk reads as unknown: only the plan walk's validation
/// sees it). Terraform before 1.12 shows a literal's lint twice, once per walk.
fn lints_reach_the_plan(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, &[]),
        redis_mzs("zero", "zero", "", 0)
    ));
    ws.init();
    let validated = ws.expect(0, &["validate", "-json", "-no-color"]);
    assert_eq!(
        validated.stdout.matches("\"summary\": \"MZS001").count()
            + validated.stdout.matches("\"summary\":\"MZS001").count(),
        1,
        "{}",
        validated.stdout
    );
    let plan = ["plan", "-json", "-input=false", "-no-color"];
    assert!(json_diagnostics(&ws, &plan, "MZS001") >= 1);
    let from_variable = redis_mzs("zero", "zero", "", 0).replace("port = 0", "port = var.p");
    ws.write(&format!(
        "{}variable \"p\" {{\n  default = 0\n}}\n{from_variable}",
        provider(&kuma.global, &kuma.token, &[]),
    ));
    assert!(
        json_diagnostics(&ws, &plan, "MZS001") >= 1,
        "a lint on a variable's value"
    );
    let apply = [
        "apply",
        "-json",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ];
    assert!(json_diagnostics(&ws, &apply, "MZS001") >= 1);
}

#[test]
fn a_lint_reaches_the_plan_on_terraform_1_0_3() {
    lints_reach_the_plan("1.0.3");
}

#[test]
fn a_lint_reaches_the_plan_on_current_terraform() {
    lints_reach_the_plan("current");
}

/// `hostname_generator("hgt", "")` with a `timeouts` block of `entries` (HCL lines).
fn generator_with_timeouts(entries: &str) -> String {
    hostname_generator("hgt", "").replace(
        "  selector {",
        &format!("  timeouts {{\n{entries}\n  }}\n  selector {{"),
    )
}

/// Bug bash 5: `kuma_hostname_generator` takes the `timeouts` block the MZS has: it applies and
/// plans no diff, a deadline that does not parse is an error at its attribute.
fn generator_timeouts(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let provider = provider(&kuma.global, &kuma.token, &[]);
    ws.write(&format!(
        "{provider}{}",
        generator_with_timeouts(
            "    create = \"1m\"\n    update = \"1m30s\"\n    delete = \"1m\"\n    read = \"1h30m\""
        )
    ));
    ws.init();
    ws.apply(&[]);
    assert_eq!(ws.plan_code().code, 0);
    assert_eq!(kuma.get("/hostnamegenerators/hgt").0, 200);

    ws.write(&format!(
        "{provider}{}",
        generator_with_timeouts("    create = \"soon\"")
    ));
    let validate = ws.run(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{}", validate.all());
    let text = validate.all().replace('\n', " ");
    assert!(text.contains("Error: Invalid timeouts.create"), "{text}");
    assert!(text.contains("create = \"soon\""), "{text}");
}

#[test]
fn hostname_generators_take_a_timeouts_block_on_terraform_1_0_3() {
    generator_timeouts("1.0.3");
}

#[test]
fn hostname_generators_take_a_timeouts_block_on_current_terraform() {
    generator_timeouts("current");
}

/// A change of nothing but `timeouts` (the provider's own deadlines) writes nothing to Kuma:
/// the plan shows only the block, with every computed value known, and the apply leaves both
/// objects as they were (same modification time).
fn a_timeouts_change_writes_nothing(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let provider = provider(&kuma.global, &kuma.token, &[]);
    let with_timeouts = |on: bool| {
        let entries = "    update = \"3m\"\n    read = \"20s\"";
        let mut service = mzs("redis", "team = \"a\"");
        let mut generator = hostname_generator("hgt", "");
        if on {
            let block = format!("  timeouts {{\n{entries}\n  }}\n  selector {{");
            service = service.replace("  selector {", &block);
            generator = generator.replace("  selector {", &block);
        }
        format!("{provider}{service}{generator}")
    };
    ws.write(&with_timeouts(false));
    ws.init();
    ws.apply(&[]);
    let modified = |path: &str| kuma.get(path).1["modificationTime"].clone();
    let service_path = "/meshes/default/meshmultizoneservices/redis";
    let generator_path = "/hostnamegenerators/hgt";
    let (service_before, generator_before) = (modified(service_path), modified(generator_path));
    assert!(service_before.is_string() && generator_before.is_string());

    ws.write(&with_timeouts(true));
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    let text = plan.all();
    assert_eq!(plan.code, 2, "{text}");
    assert!(text.contains("2 to change"), "{text}");
    assert!(text.contains("+ timeouts {"), "{text}");
    assert!(!text.contains("known after apply"), "{text}");
    ws.apply(&[]);
    assert_eq!(modified(service_path), service_before);
    assert_eq!(modified(generator_path), generator_before);
    assert_eq!(ws.plan_code().code, 0);
}

#[test]
fn a_timeouts_change_writes_nothing_on_terraform_1_0_3() {
    a_timeouts_change_writes_nothing("1.0.3");
}

#[test]
fn a_timeouts_change_writes_nothing_on_current_terraform() {
    a_timeouts_change_writes_nothing("current");
}

/// Bug bash 5: a HostnameGenerator's `timeouts.read` bounds its refresh against a control plane
/// that never answers (the provider's `operation_timeout`, 60 s by default, does not apply).
#[test]
fn a_silent_control_plane_fails_a_generator_refresh_within_its_read_timeout() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let generator = generator_with_timeouts("    read = \"3s\"");
    ws.write(&format!(
        "{}{generator}",
        provider(&kuma.global, &kuma.token, &[])
    ));
    ws.init();
    ws.apply(&[]);
    let silent = Silent::start();
    ws.write(&format!(
        "{}{generator}",
        provider(&silent.url, &kuma.token, &[])
    ));
    let started = Instant::now();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let took = started.elapsed();
    assert_eq!(plan.code, 1, "{}", plan.all());
    let text = plan.all().replace('\n', " ");
    assert!(text.contains("operation deadline"), "{text}");
    // Version detection (10 s at most) + the refresh (3 s) + Terraform itself.
    assert!(
        took < Duration::from_secs(30),
        "refresh failed only after {took:?}"
    );
}

/// Bug bash: a zone that refuses the credentials (a wrong zone `token`) is a plan-time warning
/// on that `token`, not an apply that reports a 401 on the resource; the apply does not wait
/// for the zone.
fn refused_zone_token(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let zone = format!(
        "  zone {{\n    name = \"east\"\n    endpoint = \"{}\"\n    token = \"not-a-token\"\n  }}\n",
        kuma.zones["east"]
    );
    ws.write(&format!(
        "{}{}",
        provider_block(&kuma.global, &kuma.token, &zone, &[]),
        mzs("refused", "")
    ));
    ws.init();
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    let text = plan.all();
    assert!(
        text.contains("Zone \"east\" refused the credentials")
            && text.contains(":     token = \"not-a-token\""),
        "not a warning on the zone's token:\n{text}"
    );
    let started = Instant::now();
    let applied = ws.apply(&[]);
    assert!(
        applied.all().contains("Apply complete"),
        "{}",
        applied.all()
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited {:?} for a zone that refuses the token",
        started.elapsed()
    );
}

#[test]
fn a_refused_zone_token_is_a_warning_on_it_on_terraform_1_0_3() {
    refused_zone_token("1.0.3");
}

#[test]
fn a_refused_zone_token_is_a_warning_on_it_on_current_terraform() {
    refused_zone_token("current");
}

/// Bug bash (tf-config): against Kuma 2.11 (kuma-local `--kuma-version 2.11`), which drops an
/// empty `matchLabels` of a HostnameGenerator selector and, like every release, a null extension
/// config, `match_labels = {}` and `config = jsonencode(null)` apply and plan clean; the
/// generator imports by its KRI, and plans clean again after one apply.
#[test]
fn a_generator_with_empty_labels_and_a_null_config_plans_clean_and_imports_by_kri() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.11"]);
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider(&kuma.global, &kuma.token, &[]),
        r#"
resource "kuma_hostname_generator" "hg" {
  name     = "curl-hg"
  template = "{{ .DisplayName }}.mzs.curl"
  selector {
    mesh_multi_zone_service {
      match_labels = {}
    }
  }
  extension {
    type   = "curl"
    config = jsonencode(null)
  }
}
"#
    ));
    ws.init();
    ws.apply(&[]);
    let (status, server) = kuma.get("/hostnamegenerators/curl-hg");
    assert_eq!(status, 200, "{server}");
    // As Kuma 2.11 answers: no empty map, no null config.
    assert_eq!(
        server["spec"]["selector"],
        serde_json::json!({"meshMultiZoneService": {}}),
        "{server}"
    );
    assert_eq!(
        server["spec"]["extension"],
        serde_json::json!({"type": "curl"}),
        "{server}"
    );
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());

    ws.expect(
        0,
        &["state", "rm", "-no-color", "kuma_hostname_generator.hg"],
    );
    ws.expect(
        0,
        &[
            "import",
            "-input=false",
            "-no-color",
            "kuma_hostname_generator.hg",
            "kri_hg____curl-hg_",
        ],
    );
    let state = ws.resource("kuma_hostname_generator.hg");
    assert_eq!(state["name"], "curl-hg", "{state}");
    assert_eq!(state["template"], "{{ .DisplayName }}.mzs.curl", "{state}");
    // An imported state cannot know the configuration wrote `{}` and `null` for what the server
    // leaves out: one apply (the same PUT) records them, and the plan is clean from then on.
    ws.apply(&[]);
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());
}
