//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local:
//! replacing an object this workspace manages (`-replace`, a saved replace plan, `terraform
//! taint`, `replace_triggered_by`) is planned and applied, while a create over an object the
//! workspace does not manage stays an error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_e2e::terraform::{provider_block, KumaLocal, Workspace};

const MZS: &str = "kuma_mesh_multi_zone_service.tx";
const HG: &str = "kuma_hostname_generator.hg";

/// One MZS and one HostnameGenerator; with `trigger`, a `terraform_data` whose change replaces
/// both (`replace_triggered_by`, Terraform 1.4 and later).
fn config(kuma: &KumaLocal, trigger: Option<&str>, extra: &str) -> String {
    let (data, lifecycle) = match trigger {
        Some(input) => (
            format!("resource \"terraform_data\" \"trigger\" {{\n  input = \"{input}\"\n}}\n"),
            "  lifecycle {\n    replace_triggered_by = [terraform_data.trigger]\n  }\n",
        ),
        None => (String::new(), ""),
    };
    format!(
        r#"{provider}{data}
resource "kuma_mesh_multi_zone_service" "tx" {{
  name = "tx"
  selector {{
    mesh_service {{
      match_labels = {{ "kuma.io/display-name" = "redis" }}
    }}
  }}
  port {{
    port = 6379
  }}
{lifecycle}}}

resource "kuma_hostname_generator" "hg" {{
  name = "hg"
  template = "{{{{ .DisplayName }}}}.hg.local"
  selector {{
    mesh_service {{
      match_labels = {{ app = "hg" }}
    }}
  }}
{lifecycle}}}
{extra}"#,
        provider = provider_block(&kuma.global, &kuma.token, "", &[]),
    )
}

/// Both objects exist on global.
fn both_exist(kuma: &KumaLocal) {
    let (status, item) = kuma.get("/meshes/default/meshmultizoneservices/tx");
    assert_eq!(status, 200, "{item}");
    let (status, item) = kuma.get("/hostnamegenerators/hg");
    assert_eq!(status, 200, "{item}");
}

fn replaced_both(text: &str) {
    assert!(
        !text.contains("already exists"),
        "a replacement was refused:\n{text}"
    );
    assert!(text.contains("2 added, 0 changed, 2 destroyed"), "{text}");
}

fn replace(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    ws.write(&config(&kuma, None, ""));
    ws.init();
    ws.apply(&[]);
    both_exist(&kuma);

    // -replace, planned and applied in one run.
    let replaced = ws.apply(&[&format!("-replace={MZS}"), &format!("-replace={HG}")]);
    replaced_both(&replaced.all());
    both_exist(&kuma);

    // A saved replace plan: the plan file carries what the plan knew.
    ws.expect(
        0,
        &[
            "plan",
            "-input=false",
            "-no-color",
            &format!("-replace={MZS}"),
            &format!("-replace={HG}"),
            "-out=replace.plan",
        ],
    );
    let applied = ws.expect(0, &["apply", "-input=false", "-no-color", "replace.plan"]);
    replaced_both(&applied.all());
    both_exist(&kuma);

    // A tainted object is planned as a plain create (no prior state): still its replacement.
    ws.expect(0, &["taint", "-no-color", MZS]);
    ws.expect(0, &["taint", "-no-color", HG]);
    let applied = ws.apply(&[]);
    replaced_both(&applied.all());
    both_exist(&kuma);
    assert_eq!(ws.plan_code().code, 0, "the replacements left a diff");

    // A second resource naming an object the workspace already manages is no replacement: the
    // apply refuses to create it (the first resource's object is not taken over).
    let dup = r#"
resource "kuma_mesh_multi_zone_service" "dup" {
  name = "tx"
  selector {
    mesh_service {
      match_labels = { app = "dup" }
    }
  }
  port {
    port = 1
  }
}
"#;
    ws.write(&config(&kuma, None, dup));
    let refused = ws.run(&["apply", "-input=false", "-no-color", "-auto-approve"]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    assert!(
        refused.all().contains("already exists"),
        "{}",
        refused.all()
    );
    let (_, item) = kuma.get("/meshes/default/meshmultizoneservices/tx");
    assert_eq!(item["spec"]["ports"][0]["port"], 6379, "{item}");
    ws.write(&config(&kuma, None, ""));
    ws.apply(&[]);

    // The state keeps no trace of a replacement in its private data.
    let state = std::fs::read_to_string(ws.work().join("terraform.tfstate")).unwrap();
    assert!(!state.contains("\"private\""), "{state}");
}

#[test]
fn replacing_a_managed_object_on_terraform_1_0_3() {
    replace("1.0.3");
}

#[test]
fn replacing_a_managed_object_on_current_terraform() {
    replace("current");
}

/// `replace_triggered_by` (Terraform 1.2 and later; `terraform_data` 1.4 and later).
#[test]
fn replace_triggered_by_replaces_on_current_terraform() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&config(&kuma, Some("a"), ""));
    ws.init();
    ws.apply(&[]);
    ws.write(&config(&kuma, Some("b"), ""));
    let applied = ws.apply(&[]);
    let text = applied.all();
    assert!(!text.contains("already exists"), "{text}");
    assert!(text.contains("2 added, 1 changed, 2 destroyed"), "{text}");
    both_exist(&kuma);
}

/// `create_before_destroy` cannot replace an object by one of the same name (Kuma holds one per
/// mesh and name, and Terraform tells a provider neither about the lifecycle nor, in a
/// replacement's second plan call, shows its warnings): when the apply stops, the object is
/// untouched and the error says how to get the workspace going again, which works.
fn create_before_destroy_of_the_same_name(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let lifecycle = "  lifecycle {\n    create_before_destroy = true\n  }\n";
    let with_cbd = config(&kuma, None, "").replacen(
        "  port {\n    port = 6379\n  }\n",
        &format!("  port {{\n    port = 6379\n  }}\n{lifecycle}"),
        1,
    );
    ws.write(&with_cbd);
    ws.init();
    ws.apply(&[]);
    let stopped = ws.run(&[
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        &format!("-replace={MZS}"),
    ]);
    assert_eq!(stopped.code, 1, "{}", stopped.all());
    let text = stopped.all();
    assert!(text.contains("create_before_destroy"), "{text}");
    assert!(
        text.contains("terraform state rm '<address of this resource>'"),
        "{text}"
    );
    // The object is untouched; the recovery the error gives brings the workspace back.
    both_exist(&kuma);
    ws.expect(0, &["state", "rm", "-no-color", MZS]);
    ws.expect(0, &["import", "-no-color", MZS, "default/tx"]);
    assert_eq!(ws.plan_code().code, 0, "the recovery left a diff");
}

#[test]
fn create_before_destroy_of_the_same_name_on_terraform_1_0_3() {
    create_before_destroy_of_the_same_name("1.0.3");
}

#[test]
fn create_before_destroy_of_the_same_name_on_current_terraform() {
    create_before_destroy_of_the_same_name("current");
}
