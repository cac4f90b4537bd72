//! Upstream Kuma's REST goldens as transcribed in `$KUMA_MZS_SHARED/conformance/upstream-tests/rest/`
//! (MeshService PUT/GET/list and the `_hostnames` inspect endpoint, on a zone and on global),
//! run against kuma-local with upstream's harness rules: each case's `expected.json` names the
//! server mode, the YAML documents loaded straight into the store, and the requests in order
//! with their status and golden body. Bodies are compared as JSON after address and timestamp
//! normalisation. The data is read in place, never copied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{golden_server, normalise_golden, shared_dir, Client};
use kuma_local::server::Topology;
use serde_json::Value;

/// The server of a case: upstream's default test API server is a non-federated Universal zone
/// named `default`; `WithGlobal()` cases run a global.
fn topology(expected: &Value) -> Topology {
    let mode = expected["serverMode"].as_str().unwrap_or("");
    if mode.contains("Global mode") {
        Topology::Global
    } else {
        assert!(mode.contains("Zone mode"), "unknown server mode {mode:?}");
        Topology::Zone {
            name: "default".to_owned(),
            global: None,
        }
    }
}

fn run_case(dir: &Path) {
    let case = dir.file_name().unwrap().to_string_lossy().into_owned();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert_eq!(expected["kind"], "rest", "{case}");
    // 1. The case's documents in the store as they are.
    let input = std::fs::read_to_string(dir.join(expected["input"].as_str().unwrap())).unwrap();
    let (_cluster, base) = golden_server(topology(&expected), &case, &input);
    // 2. The requests in order.
    let client = Client::new(&base, "t");
    let address = base.trim_start_matches("http://").to_owned();
    let requests = expected["requests"].as_array().unwrap();
    assert!(!requests.is_empty(), "{case}: no requests");
    for (i, request) in requests.iter().enumerate() {
        let method = request["method"].as_str().unwrap();
        let path = request["path"].as_str().unwrap();
        let body = request["requestBody"]
            .as_str()
            .map(|file| std::fs::read_to_string(dir.join(file)).unwrap());
        let (status, _, text) = client.raw(method, path, body.as_deref(), &[]);
        assert_eq!(
            u64::from(status),
            request["status"].as_u64().unwrap(),
            "{case} request {i} {method} {path}: {text}"
        );
        match request["golden"].as_str() {
            Some(file) => {
                let golden = std::fs::read_to_string(dir.join(file)).unwrap();
                assert_eq!(
                    normalise_golden(&text, &address),
                    normalise_golden(&golden, &address),
                    "{case} request {i} {method} {path}"
                );
            }
            None => assert!(text.is_empty(), "{case} request {i}: body {text}"),
        }
    }
}

fn cases(prefix: &str) -> Vec<std::path::PathBuf> {
    let root = shared_dir().join("conformance/upstream-tests/rest");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("conformance data missing at {}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.split_once('-')
                    .is_some_and(|(_, rest)| rest.starts_with(prefix))
            })
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no {prefix} cases in {}", root.display());
    cases
}

/// Run every case; report all failing ones together.
fn run_all(cases: &[std::path::PathBuf]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            std::panic::catch_unwind(|| run_case(case)).err().map(|e| {
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default()
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn upstream_meshservice_crud_goldens() {
    run_all(&cases("crud-"));
}

#[test]
fn upstream_hostnames_goldens_on_a_zone() {
    run_all(&cases("hostnames-zone-"));
}

#[test]
fn upstream_hostnames_goldens_on_global() {
    run_all(&cases("hostnames-global-"));
}
