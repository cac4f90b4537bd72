//! Upstream Kuma REST goldens (`$KUMA_MZS_SHARED/conformance/kuma-mzs-api/`), run against a live
//! kuma-local with upstream's harness rules: the store is cleared and loaded with the case's
//! YAML documents, each `#<path> <status> [method=PUT]` line is one request, bodies and goldens
//! are picked by index, and responses are compared as JSON after address and timestamp
//! normalisation. The data is read in place, never copied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{golden_server, normalise_golden, shared_dir, Client};
use kuma_local::server::Topology;

struct RequestLine {
    path: String,
    status: u16,
    method: String,
}

fn request_lines(input: &str) -> Vec<RequestLine> {
    input
        .lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.trim_start_matches('#').split_whitespace();
            let path = parts.next()?.to_owned();
            let status = parts.next()?.parse().ok()?;
            let method = parts
                .find_map(|p| p.strip_prefix("method="))
                .unwrap_or("GET")
                .to_owned();
            Some(RequestLine {
                path,
                status,
                method,
            })
        })
        .collect()
}

fn run_case(dir: &Path, case: &str, topology: Topology) {
    // 1. The case's documents in the store.
    let input = std::fs::read_to_string(dir.join(format!("{case}.input.yaml"))).unwrap();
    let (_cluster, base) = golden_server(topology, case, &input);
    // 2. Requests in order.
    let client = Client::new(&base, "t");
    let address = base.trim_start_matches("http://").to_owned();
    let lines = request_lines(&input);
    assert!(!lines.is_empty(), "{case}: no request lines");
    for (i, line) in lines.iter().enumerate() {
        let suffix = if lines.len() > 1 {
            format!("_{i:02}")
        } else {
            String::new()
        };
        let body = (line.method == "PUT").then(|| {
            std::fs::read_to_string(dir.join(format!("{case}{suffix}.request.json"))).unwrap()
        });
        let (status, _, text) = client.raw(&line.method, &line.path, body.as_deref(), &[]);
        let golden =
            std::fs::read_to_string(dir.join(format!("{case}{suffix}.golden.json"))).unwrap();
        assert_eq!(
            status, line.status,
            "{case} request {i} {} {}: {text}",
            line.method, line.path
        );
        assert_eq!(
            normalise_golden(&text, &address),
            normalise_golden(&golden, &address),
            "{case} request {i} {} {}",
            line.method,
            line.path
        );
        // Line for line as Kuma writes it (go-restful's pretty-printing, Go's field order), so
        // scripts that grep Kuma's responses read kuma-local's the same.
        assert_eq!(
            same_layout(&text, &address),
            same_layout(&golden, &address),
            "{case} request {i} {} {}: not laid out as Kuma's response",
            line.method,
            line.path
        );
    }
}

/// A response's text with the values that differ by run (times, address) replaced.
fn same_layout(text: &str, address: &str) -> String {
    let times = regex::Regex::new(r#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d[^"]+"#).unwrap();
    times
        .replace_all(&text.replace(address, "{{address}}"), "<time>")
        .trim_end()
        .to_owned()
}

fn cases(dir: &Path) -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("conformance data missing at {}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".input.yaml").map(str::to_owned)
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

/// Upstream's default API test server: a non-federated Universal zone.
fn standalone_zone() -> Topology {
    Topology::Zone {
        name: "zone-1".to_owned(),
        global: None,
    }
}

#[test]
fn crud_goldens_on_a_standalone_zone() {
    let dir = shared_dir().join("conformance/kuma-mzs-api/crud");
    for case in cases(&dir) {
        run_case(&dir, &case, standalone_zone());
    }
}

#[test]
fn hostnames_inspect_goldens_on_a_zone() {
    let dir = shared_dir().join("conformance/kuma-mzs-api/inspect-hostnames-zone");
    for case in cases(&dir) {
        run_case(&dir, &case, standalone_zone());
    }
}

#[test]
fn hostnames_inspect_goldens_on_global() {
    let dir = shared_dir().join("conformance/kuma-mzs-api/inspect-hostnames-global");
    for case in cases(&dir) {
        run_case(&dir, &case, Topology::Global);
    }
}
