//! The provider binary as go-plugin sees it: the refusal message when run by hand, the single
//! handshake line (unpadded base64 DER certificate), hclog JSON logs on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use kuma_mzs_e2e::terraform::workspace_binary;

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

#[test]
fn run_by_hand_it_explains_itself_on_stderr_and_prints_nothing_on_stdout() {
    let bin = workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN");
    let out = Command::new(&bin)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("This binary is a Terraform plugin"),
        "{stderr}"
    );
}

#[test]
fn a_terraform_without_protocol_6_gets_a_clear_error() {
    let bin = workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN");
    let out = Command::new(&bin)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol 6"));
}

#[test]
fn handshake_line_and_json_logs() {
    let bin = workspace_binary("terraform-provider-kuma", "KUMA_PROVIDER_BIN");
    // A P-521 self-signed certificate like the one Terraform passes.
    let dir = kuma_mzs_e2e::terraform::TempDir::new("tf-handshake");
    let cert = kuma_mzs_e2e::terraform::plugin_client_cert(&dir);
    let mut child = Command::new(&bin)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", cert)
        .env("TF_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut log_line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut log_line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();

    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..3], &["1", "6", "unix"]);
    assert_eq!(fields[4], "grpc");
    assert!(
        !fields[5].contains('='),
        "certificate must be unpadded base64: {line}"
    );
    assert!(fields[5].len() > 50);

    let log: serde_json::Value = serde_json::from_str(&log_line).unwrap();
    assert!(log["@message"].is_string());
    let ts = log["@timestamp"].as_str().unwrap();
    let fraction = ts.split('.').nth(1).unwrap().trim_end_matches('Z');
    assert_eq!(
        fraction.len(),
        6,
        "Terraform parses exactly 6 fractional digits: {ts}"
    );
}
