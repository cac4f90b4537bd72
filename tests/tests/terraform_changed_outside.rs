//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local:
//! objects changed by someone else while Terraform was not looking. Kuma's PUT and DELETE are
//! unconditional, so the provider reads before it writes and compares the object's
//! `creationTime` and `modificationTime` with the state: an apply never undoes changes made
//! after its plan, never takes over an object someone deleted and created again under the same
//! name, and a destroy never deletes such an object. Labels Kuma wrote outside Terraform are
//! read at plan when the configuration sets one, and a zone's object on global cannot be
//! imported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_e2e::terraform::{provider_block, redis_mzs, KumaLocal, Workspace};
use serde_json::{json, Value as Json};

const PATH: &str = "/meshes/default/meshmultizoneservices/shared";

fn config(kuma: &KumaLocal, labels: &str) -> String {
    format!(
        "{}{}",
        provider_block(&kuma.global, &kuma.token, "  live_lints = false", &[]),
        redis_mzs("shared", "shared", labels, 6379)
    )
}

/// The object as someone else writes it with curl: `labels` and the same spec.
fn put_outside(kuma: &KumaLocal, labels: Json) {
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        PATH,
        Some(json!({
            "type": "MeshMultiZoneService", "mesh": "default", "name": "shared",
            "labels": labels,
            "spec": {"selector": {"meshService": {"matchLabels": {"kuma.io/display-name": "redis"}}},
                     "ports": [{"port": 6379, "appProtocol": "tcp"}]}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
}

/// A workspace (current Terraform) that imported the object `put_outside` wrote.
fn imported(kuma: &KumaLocal) -> Workspace {
    let ws = Workspace::new("current");
    ws.write(&config(kuma, "team = \"a\""));
    ws.init();
    ws.expect(
        0,
        &[
            "import",
            "-input=false",
            "-no-color",
            "kuma_mesh_multi_zone_service.shared",
            "default/shared",
        ],
    );
    ws
}

fn labels_on_server(kuma: &KumaLocal) -> Json {
    let (status, item) = kuma.get(PATH);
    assert_eq!(status, 200, "{item}");
    item["labels"].clone()
}

fn changed_outside(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    ws.write(&config(&kuma, "team = \"a\""));
    ws.init();
    ws.apply(&[]);

    // Lost update: a saved plan changes one label; someone adds another before the apply. The
    // apply writes nothing and says why; the other change stays.
    ws.write(&config(&kuma, "team = \"b\""));
    ws.expect(0, &["plan", "-input=false", "-no-color", "-out=team.plan"]);
    put_outside(&kuma, json!({"team": "a", "oncall": "pager"}));
    let apply = ws.run(&["apply", "-input=false", "-no-color", "team.plan"]);
    let text = apply.all();
    assert_eq!(apply.code, 1, "{text}");
    assert!(
        text.contains(
            "The MeshMultiZoneService default/shared changed outside Terraform since it was last read"
        ),
        "{text}"
    );
    // Terraform 1.0.3 wraps a diagnostic's detail.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("terraform apply -refresh-only"), "{text}");
    let labels = labels_on_server(&kuma);
    assert_eq!(labels["oncall"], "pager", "{labels}");
    assert_eq!(labels["team"], "a", "{labels}");
    // A new plan shows the other change, and applying it is the user's decision.
    let plan = ws.expect(
        2,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    assert!(plan.all().contains("oncall"), "{}", plan.all());
    ws.apply(&[]);
    let labels = labels_on_server(&kuma);
    assert_eq!(labels["team"], "b", "{labels}");
    assert!(labels.get("oncall").is_none(), "{labels}");

    // Deleted and created again by someone else: the refresh sees another object, the plan
    // refuses to create over it (with the import hint), and a stale destroy leaves it alone.
    let (status, _) = kuma.call("DELETE", &kuma.global, PATH, None);
    assert_eq!(status, 200);
    // Kuma's creation times have nanoseconds; kuma-local's may tie within one millisecond.
    std::thread::sleep(std::time::Duration::from_millis(20));
    put_outside(&kuma, json!({"owner": "other-team"}));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = plan.all();
    assert_eq!(plan.code, 1, "{text}");
    assert!(
        text.contains(
            "The MeshMultiZoneService default/shared was deleted and created again outside Terraform"
        ),
        "{text}"
    );
    assert!(text.contains("already exists"), "{text}");
    assert_eq!(labels_on_server(&kuma)["owner"], "other-team");

    ws.expect(
        0,
        &[
            "plan",
            "-refresh=false",
            "-destroy",
            "-input=false",
            "-no-color",
            "-out=destroy.plan",
        ],
    );
    let destroy = ws.expect(0, &["apply", "-input=false", "-no-color", "destroy.plan"]);
    assert!(
        destroy.all().contains(
            "Left the MeshMultiZoneService default/shared in place: it is not the one Terraform created"
        ),
        "{}",
        destroy.all()
    );
    assert_eq!(labels_on_server(&kuma)["owner"], "other-team");
    assert!(ws.state()["resources"]
        .as_array()
        .is_none_or(|r| r.is_empty()));
}

/// The advice of the refresh that found the object deleted and created again works as written:
/// a refresh-only apply forgets the deleted object, then the new one imports.
#[test]
fn an_object_created_again_outside_imports_as_the_warning_says() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&config(&kuma, "team = \"a\""));
    ws.init();
    ws.apply(&[]);
    let (status, _) = kuma.call("DELETE", &kuma.global, PATH, None);
    assert_eq!(status, 200);
    std::thread::sleep(std::time::Duration::from_millis(20));
    put_outside(&kuma, json!({"team": "a"}));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan.all().contains("terraform apply -refresh-only"),
        "{}",
        plan.all()
    );
    ws.apply(&["-refresh-only"]);
    let address = "kuma_mesh_multi_zone_service.shared";
    ws.expect(0, &["import", "-no-color", address, "default/shared"]);
    assert_eq!(ws.plan_code().code, 0, "the imported object differs");
}

/// A state whose `mesh` and `name` were lost (edited by hand) is restored by a refresh from its
/// `id`, instead of a plan that replaces the object to set them.
#[test]
fn a_refresh_restores_an_identity_the_state_lost() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    ws.write(&config(&kuma, "team = \"a\""));
    ws.init();
    ws.apply(&[]);
    let file = ws.work().join("terraform.tfstate");
    let mut state: Json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let attributes = &mut state["resources"][0]["instances"][0]["attributes"];
    attributes["mesh"] = Json::Null;
    attributes["name"] = Json::Null;
    state["serial"] = json!(state["serial"].as_u64().unwrap_or(0) + 1);
    std::fs::write(&file, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert_eq!(labels_on_server(&kuma)["team"], "a");
}

#[test]
fn changes_made_outside_are_never_overwritten_on_terraform_1_0_3() {
    changed_outside("1.0.3");
}

#[test]
fn changes_made_outside_are_never_overwritten_on_current_terraform() {
    changed_outside("current");
}

/// The same guard on a HostnameGenerator update.
#[test]
fn a_hostname_generator_changed_outside_is_not_overwritten() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let config = |template: &str| {
        format!(
            "{}resource \"kuma_hostname_generator\" \"g\" {{\n  name = \"g\"\n  template = \"{template}\"\n  selector {{\n    mesh_multi_zone_service {{\n      match_labels = {{ app = \"x\" }}\n    }}\n  }}\n}}\n",
            provider_block(&kuma.global, &kuma.token, "  live_lints = false", &[])
        )
    };
    ws.write(&config("{{ .DisplayName }}.a.mesh"));
    ws.init();
    ws.apply(&[]);
    ws.write(&config("{{ .DisplayName }}.b.mesh"));
    ws.expect(0, &["plan", "-input=false", "-no-color", "-out=g.plan"]);
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        "/hostnamegenerators/g",
        Some(json!({
            "type": "HostnameGenerator", "name": "g",
            "spec": {"selector": {"meshMultiZoneService": {"matchLabels": {"app": "x"}}},
                     "template": "{{ .DisplayName }}.theirs.mesh"}
        })),
    );
    assert_eq!(status, 200, "{body}");
    let apply = ws.run(&["apply", "-input=false", "-no-color", "g.plan"]);
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert!(
        apply
            .all()
            .contains("The HostnameGenerator g changed outside Terraform"),
        "{}",
        apply.all()
    );
    let (_, item) = kuma.get("/hostnamegenerators/g");
    assert_eq!(item["spec"]["template"], "{{ .DisplayName }}.theirs.mesh");
}

/// An imported object whose `kuma.io/zone` was set outside Terraform (the state hides labels
/// Kuma may write): a configuration that changes it is found at plan, with the value the
/// server holds, and replaces the object (Kuma refuses the update); it used to plan an update
/// and fail at apply with Kuma's 400.
#[test]
fn an_imported_objects_zone_label_is_checked_at_plan() {
    let kuma = KumaLocal::start(&["east"], &[]);
    put_outside(&kuma, json!({"kuma.io/zone": "east", "team": "a"}));
    let ws = imported(&kuma);
    ws.write(&config(&kuma, "team = \"a\", \"kuma.io/zone\" = \"west\""));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = plan.all();
    assert_eq!(plan.code, 0, "{text}");
    assert!(
        text.contains(
            "Label \"kuma.io/zone\" cannot change in place: the MeshMultiZoneService is replaced"
        ),
        "{text}"
    );
    assert!(
        text.contains("from \"east\" to \"west\""),
        "the server's value: {text}"
    );
    assert!(
        text.lines().any(
            |l| l.contains("\"kuma.io/zone\" = \"west\"") && l.contains("# forces replacement")
        ),
        "on the label: {text}"
    );
    // One warning on the label, not a second one for the hidden label's change.
    assert_eq!(
        text.matches("\"kuma.io/zone\" changes from").count(),
        0,
        "{text}"
    );
    assert_eq!(labels_on_server(&kuma)["kuma.io/zone"], "east");
    // Setting the value it has replaces nothing.
    ws.write(&config(&kuma, "team = \"a\", \"kuma.io/zone\" = \"east\""));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(!plan.all().contains("forces replacement"), "{}", plan.all());
}

/// A HostnameGenerator a zone wrote reaches global as that zone's copy (under its KDS name):
/// importing it by that name is refused with the reason; it used to import, then every change
/// and even `terraform destroy` failed with Kuma's 400.
#[test]
fn a_zones_hostname_generator_cannot_be_imported_on_global() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let east = kuma.zones["east"].clone();
    let (status, body) = kuma.call(
        "PUT",
        &east,
        "/hostnamegenerators/local-names",
        Some(json!({
            "type": "HostnameGenerator", "name": "local-names",
            "spec": {"selector": {"meshService": {"matchLabels": {"app": "x"}}},
                     "template": "{{ .DisplayName }}.east.local"}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
    let mut copy = None;
    for _ in 0..200 {
        let (_, list) = kuma.get("/hostnamegenerators");
        copy = (list["items"].as_array().into_iter().flatten())
            .filter(|g| g["labels"]["kuma.io/display-name"] == "local-names")
            .find_map(|g| g["name"].as_str().map(str::to_owned));
        if copy.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let copy = copy.expect("east's generator reaches global");
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}resource \"kuma_hostname_generator\" \"z\" {{\n  name = \"{copy}\"\n  template = \"{{{{ .DisplayName }}}}.east.local\"\n  selector {{\n    mesh_service {{\n      match_labels = {{ app = \"x\" }}\n    }}\n  }}\n}}\n",
        provider_block(&kuma.global, &kuma.token, "  live_lints = false", &[])
    ));
    ws.init();
    let import = ws.run(&[
        "import",
        "-input=false",
        "-no-color",
        "kuma_hostname_generator.z",
        &copy,
    ]);
    let text = import.all();
    assert_eq!(import.code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "The HostnameGenerator {copy} on global is zone east's"
        )),
        "{text}"
    );
    assert!(ws.state()["resources"]
        .as_array()
        .is_none_or(|r| r.is_empty()));
}

/// Labels Kuma may write (hidden by the state) on an imported object: setting one to the value
/// the server holds keeps the KRI and SNIs known; setting another value warns with both values
/// (Terraform shows the line as an addition).
#[test]
fn an_imported_objects_hidden_labels_are_compared_with_the_server() {
    let kuma = KumaLocal::start(&["east"], &[]);
    put_outside(
        &kuma,
        json!({"k8s.kuma.io/namespace": "payments", "kuma.io/env": "universal", "team": "a"}),
    );
    let ws = imported(&kuma);
    ws.write(&config(
        &kuma,
        "team = \"a\", \"k8s.kuma.io/namespace\" = \"payments\"",
    ));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = plan.all();
    assert_eq!(plan.code, 0, "{text}");
    // Only the modification time and warnings are unknown: the KRI, SNIs and VIPs stay known.
    let unknown: Vec<&str> = (text.lines())
        .filter(|l| l.contains("(known after apply)"))
        .collect();
    assert!(
        unknown
            .iter()
            .all(|l| l.contains("modification_time") || l.contains("warnings")),
        "{text}"
    );
    assert!(!text.contains("changes from"), "{text}");

    ws.write(&config(
        &kuma,
        "team = \"a\", \"kuma.io/env\" = \"kubernetes\"",
    ));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = plan.all();
    assert_eq!(plan.code, 0, "{text}");
    assert!(
        text.contains("Label \"kuma.io/env\" changes from \"universal\" to \"kubernetes\""),
        "{text}"
    );
}
