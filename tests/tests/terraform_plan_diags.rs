//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local:
//! plan-time diagnostics from the sixth bug bash. Every independent error of a resource shows
//! in one `validate` or `plan`, each on its attribute (Kuma's PUT stops at the spec, which used
//! to hide the name and label errors until the spec was fixed); a zone that never syncs is
//! quoted on why (its `/ready`); a black-holed zone is waited for once per provider process,
//! not once more by each preview; a lint comes from ValidateResourceConfig only, once per
//! walk that calls it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kuma_mzs_e2e::terraform::{
    provider_block, required_providers, KumaLocal, KumaLocalProcess, Silent, Workspace,
};

/// The source line Terraform quotes for an attribute (`  11:   name = "Bad_Name"`), spaces
/// collapsed.
fn quotes(text: &str, attribute_line: &str) -> bool {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.contains(&format!(": {attribute_line}"))
}

const BAD: &str = r#"
resource "kuma_mesh_multi_zone_service" "bad" {
  name = "Bad_Name"
  labels = { "bad key!" = "x" }
  selector {
    mesh_service {
      match_labels = { app = "redis" }
    }
  }
  port {
    port = 99999999999
  }
}

resource "kuma_hostname_generator" "bad" {
  name = "Bad_Gen"
  template = "{{ .Nope"
  selector {
    mesh_multi_zone_service {
      match_labels = { app = "redis" }
    }
  }
}
"#;

/// Bug bash 6: a resource with a bad name, a bad label and a bad port (or template) shows all
/// of them in one `terraform validate` and in one `terraform plan`, each on its line.
fn every_error_at_once(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{BAD}",
        provider_block(&kuma.global, &kuma.token, "", &[])
    ));
    ws.init();
    for args in [
        &["validate", "-no-color"][..],
        &["plan", "-input=false", "-no-color"][..],
    ] {
        let run = ws.run(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.all());
        let text = run.all();
        for (summary, line) in [
            (
                "Invalid MeshMultiZoneService: port[0].port",
                "port = 99999999999",
            ),
            ("Invalid MeshMultiZoneService: name", "name = \"Bad_Name\""),
            (
                "Invalid MeshMultiZoneService: labels[\"bad key!\"]",
                "labels = { \"bad key!\" = \"x\" }",
            ),
            (
                "Invalid HostnameGenerator: template",
                "template = \"{{ .Nope\"",
            ),
            ("Invalid HostnameGenerator: name", "name = \"Bad_Gen\""),
        ] {
            assert!(
                text.contains(&format!("Error: {summary}")) && quotes(&text, line),
                "{args:?}: no error {summary:?} on `{line}`:\n{text}"
            );
        }
    }
    // Fixing the spec leaves exactly the name and label errors: nothing new shows up.
    ws.write(&format!(
        "{}{}",
        provider_block(&kuma.global, &kuma.token, "", &[]),
        BAD.replace("99999999999", "6379")
            .replace("{{ .Nope", "{{ .DisplayName }}.mesh")
    ));
    let run = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(run.all().matches("Error: ").count(), 3, "{}", run.all());
}

#[test]
fn every_independent_error_shows_at_once_on_terraform_1_0_3() {
    every_error_at_once("1.0.3");
}

#[test]
fn every_independent_error_shows_at_once_on_current_terraform() {
    every_error_at_once("current");
}

const TOKEN: &str = "plan-diags-token";

/// One kuma-local process with this file's admin token.
fn start_process(args: &[&str], key: &[&str]) -> KumaLocalProcess {
    KumaLocalProcess::start(args, key, TOKEN, true)
}

fn synced_mzs(global: &str, zone: &str, port: u16) -> String {
    format!(
        r#"{header}
provider "kuma" {{
  endpoint = "{global}"
  token = "{TOKEN}"
  timeout = "2s"
  zone {{
    name = "north"
    endpoint = "{zone}"
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
    port = {port}
  }}
}}
"#,
        header = required_providers(),
    )
}

/// Bug bash 6: a zone that answers but never syncs (it holds the wrong token for global) is
/// `pending` after the apply, and the warning quotes what the zone says about itself: its
/// `/ready`. Its 503 is read when the provider is configured, so the plan warns and the apply
/// does not wait the provider `timeout` for it.
fn never_synced(which: &str) {
    let global = start_process(&["--mode", "global"], &["global"]);
    let north = start_process(
        &[
            "--mode",
            "zone",
            "--zone",
            "north",
            "--global-address",
            &global.url,
            "--global-token",
            "not-the-token",
        ],
        &["zones", "north"],
    );
    let ws = Workspace::new(which);
    ws.write(&synced_mzs(&global.url, &north.url, 80));
    ws.init();
    let started = std::time::Instant::now();
    let applied = ws.apply(&[]);
    let took = started.elapsed();
    let text = applied.all();
    // Known before anything is written: warned about at plan time, and not waited for.
    assert!(text.contains("Zone \"north\" is not ready"), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("answers `/ready` with 503") && flat.contains("not ready"),
        "the warning does not quote the zone's /ready:\n{text}"
    );
    assert!(
        took < std::time::Duration::from_secs(15),
        "the apply waited {took:?} for a zone that said it is not ready:\n{text}"
    );
    let state = ws.resource("kuma_mesh_multi_zone_service.tx");
    assert_eq!(state["zone_status"][0]["state"], "pending", "{state}");
}

#[test]
fn a_zone_that_never_syncs_is_quoted_on_why_on_terraform_1_0_3() {
    never_synced("1.0.3");
}

#[test]
fn a_zone_that_never_syncs_is_quoted_on_why_on_current_terraform() {
    never_synced("current");
}

fn preview(name: &str) -> String {
    format!(
        r#"
data "kuma_mesh_multi_zone_service_preview" "{name}" {{
  name = "{name}"
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
}

/// Bug bash 6: a zone that accepts connections and never answers costs one wait per provider
/// process: the configure-time probe waits for it once, and the previews after it are not
/// waited for again (before, each preview waited its own deadline). The warnings say the zone
/// is remembered as unreachable for the rest of the provider process.
fn black_holed_zone(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let hole = Silent::start();
    let ws = Workspace::new(which);
    let previews: String = (0..3).map(|i| preview(&format!("p{i}"))).collect();
    ws.write(&format!(
        "{}{previews}",
        provider_block(
            &kuma.global,
            &kuma.token,
            "  operation_timeout = \"4s\"",
            &[("hole", hole.url.as_str())]
        )
    ));
    ws.init();
    let started = Instant::now();
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-parallelism=1"]);
    let took = started.elapsed();
    assert_eq!(plan.code, 0, "{}", plan.all());
    let flat = plan.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Zone \"hole\" could not be read")
            && flat.contains("remembered as unreachable for the rest of this provider process"),
        "{flat}"
    );
    assert!(
        flat.contains("not asked: it is remembered as unreachable"),
        "a preview asked the black-holed zone again: {flat}"
    );
    // One 4 s wait (configure), not one more per preview (3 x 4 s, in sequence).
    assert!(took < Duration::from_secs(11), "plan took {took:?}: {flat}");
}

#[test]
fn a_black_holed_zone_is_waited_for_once_per_process_on_terraform_1_0_3() {
    black_holed_zone("1.0.3");
}

#[test]
fn a_black_holed_zone_is_waited_for_once_per_process_on_current_terraform() {
    black_holed_zone("current");
}

/// How many `MZS001` diagnostics `terraform plan -json` prints.
fn mzs001_in_plan(ws: &Workspace) -> usize {
    let run = ws.expect(0, &["plan", "-json", "-input=false", "-no-color"]);
    run.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| event["type"] == "diagnostic")
        .filter(|event| {
            event["diagnostic"]["summary"]
                .as_str()
                .is_some_and(|s| s.starts_with("MZS001"))
        })
        .count()
}

/// Bug bash 6 (where a lint's second copy comes from): only ValidateResourceConfig reports
/// lints, once per walk that calls it. A value from a variable is known only in the plan walk:
/// exactly one copy. A literal is linted in the validate walk and the plan walk, which
/// Terraform before 1.12 both show: at most two, never a third from PlanResourceChange.
fn lint_copies(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let provider = provider_block(&kuma.global, &kuma.token, "", &[]);
    let literal = kuma_mzs_e2e::terraform::redis_mzs("zero", "zero", "", 0);
    ws.write(&format!("{provider}{literal}"));
    ws.init();
    let copies = mzs001_in_plan(&ws);
    assert!(
        (1..=2).contains(&copies),
        "{copies} copies of a literal's lint"
    );
    let from_variable = literal.replace("port = 0", "port = var.p");
    ws.write(&format!(
        "{provider}variable \"p\" {{\n  default = 0\n}}\n{from_variable}"
    ));
    assert_eq!(mzs001_in_plan(&ws), 1, "a variable's lint");
}

#[test]
fn a_lint_comes_once_per_validating_walk_on_terraform_1_0_3() {
    lint_copies("1.0.3");
}

#[test]
fn a_lint_comes_once_per_validating_walk_on_current_terraform() {
    lint_copies("current");
}

/// Bug bash 7: a preview `zones` entry that is neither a `zone` block nor any MeshService's zone
/// (a misspelling) is a warning on that entry; it used to preview an empty zone silently.
#[test]
fn a_misspelt_preview_zone_is_a_warning_on_current_terraform() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &kuma.global,
            &kuma.token,
            "",
            &[("east", &kuma.zones["east"])]
        ),
        preview("p").replace(
            "  name = \"p\"\n",
            "  name = \"p\"\n  zones = [\"east\", \"esat\"]\n"
        )
    ));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let flat = plan.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Warning: Zone \"esat\" is not known")
            && flat.contains("\"esat\" is neither a `zone` block of the provider (east)")
            && quotes(&plan.all(), "zones = [\"east\", \"esat\"]"),
        "{flat}"
    );
    assert!(!flat.contains("Zone \"east\" is not known"), "{flat}");
}
