//! `kuma-local hashed-name`: the name KDS gives a resource on other control planes, for every
//! HashedName case transcribed from upstream Kuma (`$KUMA_MZS_SHARED/conformance/upstream-tests/
//! hashedname/`), run as a user runs it (and as `run.py`'s `KUMA_HASHEDNAME_CMD`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use serde_json::Value;

fn hashed_name(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kuma-local"))
        .arg("hashed-name")
        .args(args)
        .output()
        .expect("kuma-local runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn prints_upstreams_hashed_name_for_every_case() {
    let dir = common::shared_dir()
        .join("conformance")
        .join("upstream-tests")
        .join("hashedname");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path().join("expected.json");
        let exp: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let args = &exp["args"];
        let mut argv = vec![
            args["mesh"].as_str().unwrap(),
            args["name"].as_str().unwrap(),
        ];
        argv.extend(
            args["additionalValuesToHash"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        );
        let expected = format!("{}\n", exp["hashedName"].as_str().unwrap());
        assert_eq!(hashed_name(&argv), expected, "{}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 17);
}

#[test]
fn a_global_scoped_resource_hashes_with_an_empty_mesh() {
    // The HostnameGenerator a zone holds for global's default one (what statuses call coreName).
    assert_eq!(
        hashed_name(&["", "synced-mesh-multi-zone-service"]),
        "synced-mesh-multi-zone-service-4244v574644557w2\n"
    );
}
