//! The provider on go-plugin's TCP transport (what it uses on Windows), forced on Linux with
//! `KUMA_PLUGIN_NETWORK=tcp`: the handshake line go-plugin expects, the port range Terraform
//! hands out, and real Terraform 1.0.3 and current driving a whole lifecycle against kuma-local
//! over loopback TCP with AutoMTLS on. Terraform's log is read back to prove it: every provider
//! process reports its transport and AutoMTLS state, and each connection Terraform made with its
//! client certificate (go-plugin itself does not log the address it dials).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use kuma_mzs_e2e::terraform::{
    plugin_client_cert as client_cert, workspace_binary, KumaLocal, TempDir, Workspace, SOURCE,
};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

#[test]
fn tcp_handshake_names_a_loopback_port_in_terraforms_range() {
    let bin = workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN");
    let dir = TempDir::new("tf-tcp-handshake");
    // A range of our own, far from Terraform's 10000-25000 so parallel test runs rarely meet.
    let min = 30000 + (std::process::id() % 20000) as u16;
    let max = min + 200;
    let mut child = Command::new(&bin)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", client_cert(&dir))
        .env("PLUGIN_MIN_PORT", min.to_string())
        .env("PLUGIN_MAX_PORT", max.to_string())
        .env("KUMA_PLUGIN_NETWORK", "tcp")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();

    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..3], &["1", "6", "tcp"], "{line}");
    assert_eq!(fields[4], "grpc");
    assert!(
        fields[5].len() > 50 && !fields[5].contains('='),
        "AutoMTLS certificate (unpadded base64) missing: {line}"
    );
    let (host, port) = fields[3].rsplit_once(':').unwrap();
    assert_eq!(host, "127.0.0.1", "go-plugin listens on IPv4 loopback only");
    let port: u16 = port.parse().unwrap();
    assert!(
        (min..=max).contains(&port),
        "port {port} outside PLUGIN_MIN_PORT..PLUGIN_MAX_PORT {min}..{max}"
    );
    // The listener is there before the line is printed: Terraform dials at once.
    let connected = TcpStream::connect_timeout(
        &format!("127.0.0.1:{port}").parse().unwrap(),
        Duration::from_secs(5),
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        connected.is_ok(),
        "nothing listens on {port}: {connected:?}"
    );
}

#[test]
fn a_bad_port_range_is_a_clear_error() {
    let bin = workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN");
    let out = Command::new(&bin)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_MIN_PORT", "20000")
        .env("PLUGIN_MAX_PORT", "10000")
        .env("KUMA_PLUGIN_NETWORK", "tcp")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no handshake line on failure: {out:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "PLUGIN_MIN_PORT value of 20000 is greater than PLUGIN_MAX_PORT value of 10000"
        ),
        "{stderr}"
    );
}

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

fn mzs(port: u16) -> String {
    format!(
        r#"
resource "kuma_mesh_multi_zone_service" "redis" {{
  name = "redis"
  selector {{
    mesh_service {{
      match_labels = {{ "kuma.io/display-name" = "redis" }}
    }}
  }}
  port {{
    name = "tcp"
    port = {port}
  }}
}}
"#
    )
}

/// Create, re-plan (no changes), update and destroy over TCP, then read Terraform's log.
fn lifecycle_over_tcp(which: &str) {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    kuma.seed_mesh_service("east", "redis", 6379);
    kuma.seed_mesh_service("west", "redis", 6379);
    kuma.wait_for_global_mesh_services("redis", 2);

    let mut ws = Workspace::new(which);
    let log = ws.dir.0.join("terraform.log");
    ws.env("KUMA_PLUGIN_NETWORK", "tcp");
    ws.env("TF_LOG", "DEBUG");
    ws.env("TF_LOG_PATH", &log.display().to_string());
    let provider = provider_block(&kuma);

    ws.write(&format!("{provider}{}", mzs(6379)));
    ws.init();
    ws.apply(&[]);
    let (status, item) = kuma.get("/meshes/default/meshmultizoneservices/redis");
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["spec"]["ports"][0]["port"], 6379);
    let state = ws.resource("kuma_mesh_multi_zone_service.redis");
    assert_eq!(state["id"], "default/redis");
    assert_eq!(
        ws.plan_code().code,
        0,
        "a second plan over TCP must be empty"
    );

    ws.write(&format!("{provider}{}", mzs(6380)));
    ws.apply(&[]);
    let (_, item) = kuma.get("/meshes/default/meshmultizoneservices/redis");
    assert_eq!(item["spec"]["ports"][0]["port"], 6380);

    ws.expect(
        0,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    assert_eq!(
        kuma.get("/meshes/default/meshmultizoneservices/redis").0,
        404
    );

    // Every provider process Terraform started says (through Terraform's log) that it listened
    // on loopback TCP with AutoMTLS on; go-plugin's client says (at TRACE) which network it dialled.
    let text = std::fs::read_to_string(&log).unwrap();
    let launched = text
        .lines()
        .filter(|l| l.contains("starting plugin:") && l.contains("terraform-provider-kuma"))
        .count();
    let reports: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-kuma") && l.contains("plugin started:"))
        .collect();
    assert!(
        launched >= 4,
        "only {launched} provider processes in the log"
    );
    assert_eq!(
        reports.len(),
        launched,
        "every provider process reports its transport: {reports:#?}"
    );
    for line in &reports {
        assert!(
            line.contains("network=tcp")
                && line.contains("address=127.0.0.1:")
                && line.contains("auto_mtls=on"),
            "provider not on TCP with AutoMTLS: {line}"
        );
    }
    // And Terraform's client did connect over TCP with its client certificate (mutual TLS).
    let connections: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Terraform connected with its client certificate"))
        .collect();
    assert!(
        connections.len() >= launched,
        "{} authenticated connections for {launched} provider processes",
        connections.len()
    );
    for line in &connections {
        assert!(line.contains("network=tcp"), "{line}");
    }
}

#[test]
fn lifecycle_over_tcp_on_terraform_1_0_3() {
    lifecycle_over_tcp("1.0.3");
}

#[test]
fn lifecycle_over_tcp_on_current_terraform() {
    lifecycle_over_tcp("current");
}
