//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and a running
//! kuma-local (global + east + west): the whole resource lifecycle a user goes through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_e2e::terraform::{KumaLocal, Workspace, SOURCE};
use serde_json::Value as Json;

fn provider_block(kuma: &KumaLocal) -> String {
    let zones: String = kuma
        .zones
        .iter()
        .map(|(name, url)| {
            format!("  zone {{\n    name = \"{name}\"\n    endpoint = \"{url}\"\n  }}\n")
        })
        .collect();
    format!(
        "terraform {{\n  required_providers {{\n    kuma = {{ source = \"{SOURCE}\" }}\n  }}\n}}\n\
         provider \"kuma\" {{\n  endpoint = \"{}\"\n  token = \"{}\"\n  timeout = \"10s\"\n{zones}}}\n",
        kuma.global, kuma.token
    )
}

fn mzs(name: &str, extra: &str, ports: &str) -> String {
    format!(
        r#"
resource "kuma_mesh_multi_zone_service" "redis" {{
  name = "{name}"
  {extra}
  selector {{
    mesh_service {{
      match_labels = {{ "kuma.io/display-name" = "redis" }}
    }}
  }}
  {ports}
}}
"#
    )
}

const PORT: &str = "port {\n    name = \"tcp\"\n    port = 6379\n  }";
const TWO_PORTS: &str = "port {\n    name = \"tcp\"\n    port = 6379\n  }\n  port {\n    name = \"metrics\"\n    port = 9121\n    app_protocol = \"http\"\n  }";

const PREVIEW: &str = r#"
data "kuma_mesh_multi_zone_service_preview" "redis" {
  name = "redis"
  selector {
    mesh_service {
      match_labels = { "kuma.io/display-name" = "redis" }
    }
  }
  port {
    port = 6379
  }
}
"#;

// Read back through the data sources; the condition on `kri` (unknown until created) defers
// the read to apply on the first run.
const DATA: &str = r#"
data "kuma_mesh_multi_zone_service" "read" {
  name = kuma_mesh_multi_zone_service.redis.kri == "" ? "" : kuma_mesh_multi_zone_service.redis.name
}
data "kuma_mesh_services" "redis" {
  labels = { "kuma.io/display-name" = "redis" }
}
"#;

fn start() -> KumaLocal {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    kuma.seed_mesh_service("west", "redis", 6379);
    kuma.wait_for_global_mesh_services("redis", 2);
    kuma
}

fn server_mzs(kuma: &KumaLocal, name: &str) -> (u16, Json) {
    kuma.get(&format!("/meshes/default/meshmultizoneservices/{name}"))
}

fn lifecycle(which: &str) {
    let kuma = start();
    let ws = Workspace::new(which);
    let provider = provider_block(&kuma);

    // Plan-time validation: Kuma's message, at the exact attribute line, before any API call.
    ws.write(&format!(
        "{provider}{}",
        mzs("redis", "", "port {\n    port = 6379\n  }\n  port {\n    port = 80\n    app_protocol = \"kafka\"\n  }")
    ));
    ws.init();
    let bad = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(bad.code, 1, "{}", bad.all());
    let text = bad.all();
    assert!(
        text.contains("appProtocol must be one of: grpc, http, http2, tcp"),
        "{text}"
    );
    assert!(
        text.contains("app_protocol = \"kafka\""),
        "error not attached to the attribute line:\n{text}"
    );
    assert_eq!(server_mzs(&kuma, "redis").0, 404);

    // Preview before anything exists, then create.
    ws.write(&format!(
        "{provider}{}{PREVIEW}{DATA}",
        mzs("redis", "labels = { team = \"cache\" }", PORT)
    ));
    assert_eq!(ws.plan_code().code, 2);
    ws.apply(&[]);
    let (status, item) = server_mzs(&kuma, "redis");
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["labels"]["team"], "cache");
    assert_eq!(item["spec"]["ports"][0]["port"], 6379);
    let state = ws.resource("kuma_mesh_multi_zone_service.redis");
    assert_eq!(state["id"], "default/redis");
    assert_eq!(state["port"][0]["app_protocol"], "tcp");
    assert!(
        state["labels"].get("kuma.io/origin").is_none(),
        "server labels leak: {state}"
    );
    let zone_status = state["zone_status"].as_array().unwrap();
    assert_eq!(zone_status.len(), 2, "{state}");
    for zone in zone_status {
        assert_eq!(zone["found"], true, "{zone}");
        assert!(
            zone["vip"].as_str().unwrap_or("").starts_with("243."),
            "{zone}"
        );
        assert!(
            zone["hostnames"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h == "redis.mzsvc.mesh.local"),
            "{zone}"
        );
        assert_eq!(zone["mesh_services"].as_array().unwrap().len(), 2, "{zone}");
    }
    let preview = ws.resource("data.kuma_mesh_multi_zone_service_preview.redis");
    let preview_zones = preview["zone"].as_array().unwrap();
    assert!(preview_zones.len() >= 2, "{preview}");
    for zone in preview_zones {
        assert_eq!(zone["mesh_services"].as_array().unwrap().len(), 2, "{zone}");
        assert!(
            zone["hostnames"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h == "redis.mzsvc.mesh.local"),
            "{zone}"
        );
    }

    let read = ws.resource("data.kuma_mesh_multi_zone_service.read");
    assert_eq!(read["kri"], state["kri"], "{read}");
    assert_eq!(read["labels"]["kuma.io/origin"], "global", "{read}");
    assert_eq!(read["zone_status"].as_array().unwrap().len(), 2, "{read}");
    let listed = ws.resource("data.kuma_mesh_services.redis");
    let zones: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["zone"].as_str())
        .collect();
    assert!(
        zones.contains(&"east") && zones.contains(&"west"),
        "{listed}"
    );

    // No spurious diff after apply.
    let again = ws.plan_code();
    assert_eq!(again.code, 0, "second plan is not empty:\n{}", again.all());

    // Update in place.
    ws.write(&format!(
        "{provider}{}",
        mzs(
            "redis",
            "labels = { team = \"cache\", tier = \"1\" }",
            TWO_PORTS
        )
    ));
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout.contains("will be updated in-place"),
        "{}",
        plan.stdout
    );
    ws.apply(&[]);
    let (_, item) = server_mzs(&kuma, "redis");
    assert_eq!(item["spec"]["ports"][1]["appProtocol"], "http");
    assert_eq!(item["labels"]["tier"], "1");
    assert_eq!(ws.plan_code().code, 0);

    // Import, both ID forms, then no diff.
    for id in ["default/redis", r#"{"mesh": "default", "name": "redis"}"#] {
        ws.expect(0, &["state", "rm", "kuma_mesh_multi_zone_service.redis"]);
        ws.expect(
            0,
            &[
                "import",
                "-input=false",
                "-no-color",
                "kuma_mesh_multi_zone_service.redis",
                id,
            ],
        );
        let plan = ws.plan_code();
        assert_eq!(plan.code, 0, "plan after import of {id}:\n{}", plan.all());
    }

    // Drift: an out-of-band change is planned back; an out-of-band delete is recreated.
    let (_, mut item) = server_mzs(&kuma, "redis");
    item["spec"]["ports"] = serde_json::json!([{"port": 1234, "appProtocol": "tcp"}]);
    let (status, _) = kuma.call(
        "PUT",
        &kuma.global,
        "/meshes/default/meshmultizoneservices/redis",
        Some(item),
    );
    assert!(status == 200 || status == 201);
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    ws.apply(&[]);
    assert_eq!(
        server_mzs(&kuma, "redis").1["spec"]["ports"][0]["port"],
        6379
    );
    kuma.call(
        "DELETE",
        &kuma.global,
        "/meshes/default/meshmultizoneservices/redis",
        None,
    );
    let plan = ws.plan_code();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("will be created"), "{}", plan.stdout);
    ws.apply(&[]);
    assert_eq!(server_mzs(&kuma, "redis").0, 200);
    assert_eq!(ws.plan_code().code, 0);

    // Replacement: a new name destroys the old service and creates the new one.
    ws.write(&format!(
        "{provider}{}",
        mzs(
            "redis2",
            "labels = { team = \"cache\", tier = \"1\" }",
            TWO_PORTS
        )
    ));
    let plan = ws.plan_code();
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    ws.apply(&[]);
    assert_eq!(server_mzs(&kuma, "redis").0, 404);
    assert_eq!(server_mzs(&kuma, "redis2").0, 200);
    assert_eq!(ws.plan_code().code, 0);

    // HostnameGenerator: template checked at plan time, then a second hostname in every zone.
    ws.write(&format!(
        "{provider}{}\nresource \"kuma_hostname_generator\" \"short\" {{\n  name = \"mzs-short\"\n  template = \"{{{{ .DisplayName }}\"\n  selector {{\n    mesh_multi_zone_service {{\n      match_labels = {{ \"kuma.io/origin\" = \"global\" }}\n    }}\n  }}\n}}\n",
        mzs("redis2", "labels = { team = \"cache\", tier = \"1\" }", TWO_PORTS)
    ));
    let bad = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(bad.code, 1, "{}", bad.all());
    assert!(
        bad.all().contains("couldn't parse template"),
        "{}",
        bad.all()
    );
    ws.write(&format!(
        "{provider}{}\nresource \"kuma_hostname_generator\" \"short\" {{\n  name = \"mzs-short\"\n  template = \"{{{{ .DisplayName }}}}.mzs\"\n  selector {{\n    mesh_multi_zone_service {{\n      match_labels = {{ \"kuma.io/origin\" = \"global\" }}\n    }}\n  }}\n}}\n",
        mzs("redis2", "labels = { team = \"cache\", tier = \"1\" }", TWO_PORTS)
    ));
    ws.apply(&[]);
    assert_eq!(kuma.get("/hostnamegenerators/mzs-short").0, 200);
    ws.apply(&["-refresh-only"]);
    let state = ws.resource("kuma_mesh_multi_zone_service.redis");
    for zone in state["zone_status"].as_array().unwrap() {
        assert!(
            zone["hostnames"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h == "redis2.mzs"),
            "{zone}"
        );
    }
    assert_eq!(ws.plan_code().code, 0);

    // Destroy.
    ws.expect(
        0,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    assert_eq!(server_mzs(&kuma, "redis2").0, 404);
    assert_eq!(kuma.get("/hostnamegenerators/mzs-short").0, 404);
}

#[test]
fn lifecycle_on_terraform_1_0_3() {
    lifecycle("1.0.3");
}

#[test]
fn lifecycle_on_current_terraform() {
    lifecycle("current");
}

/// With kuma-local failing 30% of requests with 503 and dropping 10% of connections, an apply of
/// 12 services at -parallelism=10 still ends right: every service exists with the configured
/// spec and a second plan is empty.
#[test]
fn apply_survives_fault_injection() {
    let kuma = KumaLocal::start(
        &["east"],
        &["--chaos-error-rate", "0.3", "--chaos-drop-rate", "0.1"],
    );
    let mut ws = Workspace::new("current");
    // Trace logging on: the retries are logged, the token never is.
    let log_path = ws.dir.0.join("provider.log");
    ws.env("TF_LOG_PROVIDER", "TRACE");
    ws.env("TF_LOG_PATH", &log_path.display().to_string());
    let provider = format!(
        "terraform {{\n  required_providers {{\n    kuma = {{ source = \"{SOURCE}\" }}\n  }}\n}}\n\
         provider \"kuma\" {{\n  endpoint = \"{}\"\n  token = \"{}\"\n  max_retries = 12\n}}\n",
        kuma.global, kuma.token
    );
    let services: String = (0..12)
        .map(|i| {
            format!(
                "resource \"kuma_mesh_multi_zone_service\" \"s{i}\" {{\n  name = \"svc-{i}\"\n  selector {{\n    mesh_service {{\n      match_labels = {{ app = \"svc-{i}\" }}\n    }}\n  }}\n  port {{\n    port = {}\n  }}\n}}\n",
                8000 + i
            )
        })
        .collect();
    ws.write(&format!("{provider}{services}"));
    ws.init();
    ws.apply(&["-parallelism=10"]);
    for i in 0..12 {
        let (status, item) =
            kuma.get_reliably(&format!("/meshes/default/meshmultizoneservices/svc-{i}"));
        assert_eq!(status, 200, "svc-{i}: {item}");
        assert_eq!(item["spec"]["ports"][0]["port"], 8000 + i);
        let state = ws.resource(&format!("kuma_mesh_multi_zone_service.s{i}"));
        assert_eq!(
            state["kri"], item["kri"],
            "state and server disagree for svc-{i}"
        );
    }
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());
    let log = std::fs::read_to_string(&log_path).unwrap();
    let provider_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-kuma"))
        .collect();
    assert!(
        provider_lines.iter().any(|l| l.contains("retrying")),
        "no retry was logged"
    );
    assert!(
        provider_lines.iter().all(|l| !l.contains(&kuma.token)),
        "the token appears in provider logs"
    );
    ws.expect(
        0,
        &[
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-parallelism=10",
        ],
    );
    for i in 0..12 {
        let (status, _) =
            kuma.get_reliably(&format!("/meshes/default/meshmultizoneservices/svc-{i}"));
        assert_eq!(status, 404, "svc-{i} still exists");
    }
}

/// The layout `make install` writes (`~/.terraform.d/plugins/<source>/<version>/<os_arch>/`) is
/// found by a plain `terraform init` with an ordinary `required_providers` block, offline, on
/// both Terraform versions.
#[test]
fn implied_local_mirror_install_is_found_by_init() {
    use kuma_mzs_e2e::terraform::{platform, terraform_binary, workspace_binary, TempDir, VERSION};
    for which in ["1.0.3", "current"] {
        let home = TempDir::new("tf-home");
        let dir = home
            .0
            .join(".terraform.d/plugins")
            .join(SOURCE)
            .join(VERSION)
            .join(platform());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(
            workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN"),
            dir.join(format!("terraform-provider-kuma_v{VERSION}")),
        )
        .unwrap();
        let work = home.0.join("work");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(
            work.join("main.tf"),
            format!("terraform {{\n  required_providers {{\n    kuma = {{\n      source = \"{SOURCE}\"\n    }}\n  }}\n}}\n"),
        )
        .unwrap();
        let out = std::process::Command::new(terraform_binary(which))
            .args(["init", "-input=false", "-no-color"])
            .current_dir(&work)
            .env("HOME", &home.0)
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_CLI_CONFIG_FILE")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "terraform-{which} init:\n{text}");
        assert!(
            text.contains(&format!("Installing {SOURCE} v{VERSION}")),
            "{text}"
        );
    }
}
