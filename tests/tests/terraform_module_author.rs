//! The real terraform CLI (1.0.3 and current) against terraform-provider-kuma and kuma-local
//! (zones `east` and `west`), as someone writing a module on the provider meets it: a module
//! with `for_each` over services previews them and creates them in one apply (the previews'
//! VIPs say which are estimates), iterates over each service's `zone_status` by zone in the
//! same plan, and a create over an object that exists names the module's address plainly; a
//! saved plan applied after someone deleted a HostnameGenerator writes nothing; `labels` unset
//! and `{}` are one thing; a data source of a service the configuration creates says how to
//! read it after the create; a `zone` block of another global control plane is a warning,
//! while a proxy in front of the same global is not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kuma_mzs_e2e::terraform::{provider_block, Fault, KumaLocal, Proxy, Workspace};
use serde_json::{json, Value as Json};

/// The module under test: previews and services for `var.services` (key -> name), and one
/// HostnameGenerator per zone of the first service, keyed by `zone_status[*].zone`.
const MODULE: &str = r#"
terraform {
  required_providers {
    kuma = { source = "kuma-mzs.local/kuma/kuma" }
  }
}

variable "services" {
  type = map(string)
}

variable "labels" {
  type    = map(string)
  default = {}
}

data "kuma_mesh_multi_zone_service_preview" "p" {
  for_each = var.services
  name     = each.value
  selector {
    mesh_service {
      match_labels = { "kuma.io/display-name" = each.value }
    }
  }
  port {
    port = 6379
  }
}

resource "kuma_mesh_multi_zone_service" "this" {
  for_each = var.services
  name     = each.value
  labels   = var.labels
  selector {
    mesh_service {
      match_labels = { "kuma.io/display-name" = each.value }
    }
  }
  port {
    port = 6379
  }
}

resource "kuma_hostname_generator" "per_zone" {
  for_each = { for z in kuma_mesh_multi_zone_service.this["p1"].zone_status : z.zone => z.vip }
  name     = "ma-${each.key}"
  template = "{{ .DisplayName }}.${each.key}.ma"
  selector {
    mesh_multi_zone_service {
      match_labels = { vip = each.value }
    }
  }
}

output "previews" {
  value = { for k, p in data.kuma_mesh_multi_zone_service_preview.p : k => { for z in p.zone : z.zone => { vip = z.vip, estimated = z.vip_estimated } } }
}

output "vips" {
  value = { for k, r in kuma_mesh_multi_zone_service.this : k => { for z in r.zone_status : z.zone => z.vip } }
}
"#;

fn zones(kuma: &KumaLocal) -> Vec<(&str, &str)> {
    kuma.zones
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The root module: the provider, the module with `services`, and `extra` (HCL).
fn root(kuma: &KumaLocal, services: &str, extra: &str) -> String {
    format!(
        "{}\nmodule \"svc\" {{\n  source   = \"./svc\"\n  services = {{ {services} }}\n}}\n\noutput \"vips\" {{\n  value = module.svc.vips\n}}\n{extra}",
        provider_block(&kuma.global, &kuma.token, "", &zones(kuma)),
    )
}

/// A MeshMultiZoneService `address` named `name`, with `labels` (an HCL line or nothing).
fn plain(address: &str, name: &str, labels: &str) -> String {
    format!(
        r#"
resource "kuma_mesh_multi_zone_service" "{address}" {{
  name = "{name}"
  {labels}
  selector {{
    mesh_service {{
      match_labels = {{ "kuma.io/display-name" = "{name}" }}
    }}
  }}
  port {{
    port = 6379
  }}
}}
"#
    )
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn outputs(ws: &Workspace) -> Json {
    let run = ws.expect(0, &["output", "-json", "-no-color"]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The previews as the state holds them (the plan's reads): key -> zone -> (VIP, estimated).
/// Not a root output: a preview read again by a later plan changes (the services exist then),
/// and a changed root output is a change to `plan -detailed-exitcode`.
fn previews(ws: &Workspace) -> Json {
    let state = ws.state();
    let modules = state["values"]["root_module"]["child_modules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut out = serde_json::Map::new();
    for resource in modules
        .iter()
        .flat_map(|m| m["resources"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["type"] == "kuma_mesh_multi_zone_service_preview")
    {
        let key = resource["index"].as_str().unwrap_or_default().to_owned();
        let mut zones = serde_json::Map::new();
        for zone in resource["values"]["zone"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            zones.insert(
                zone["zone"].as_str().unwrap_or_default().to_owned(),
                json!({"vip": zone["vip"], "estimated": zone["vip_estimated"]}),
            );
        }
        out.insert(key, Json::Object(zones));
    }
    Json::Object(out)
}

fn module_author(which: &str) {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    let ws = Workspace::new(which);
    std::fs::create_dir_all(ws.work().join("svc")).unwrap();
    std::fs::write(ws.work().join("svc/main.tf"), MODULE).unwrap();
    let services = "p1 = \"ma-redis\", p2 = \"ma-web\"";
    ws.write(&root(&kuma, services, ""));
    ws.init();

    // One apply: two new services previewed and created, a HostnameGenerator per zone of the
    // first, keyed by `zone_status[*].zone` (known at plan); Terraform finds nothing
    // inconsistent.
    let applied = ws.apply(&[]);
    let text = flat(&applied.all());
    assert!(!text.contains("inconsistent"), "{text}");
    assert!(
        text.contains("Another new MeshMultiZoneService was previewed with the same VIP as"),
        "{text}"
    );
    let out = outputs(&ws);
    let (previews, vips) = (&previews(&ws), &out["vips"]["value"]);
    for zone in ["east", "west"] {
        let estimated: Vec<bool> = ["p1", "p2"]
            .iter()
            .map(|k| previews[k][zone]["estimated"].as_bool().unwrap())
            .collect();
        // Exactly one of the two previews says its VIP is certain: the one whose preview came
        // first, which could not know of the other either.
        assert_eq!(
            estimated.iter().filter(|e| **e).count(),
            1,
            "{zone}: {previews}"
        );
        let predicted = &previews["p1"][zone]["vip"];
        assert_eq!(predicted, &previews["p2"][zone]["vip"], "{previews}");
        let got = [&vips["p1"][zone], &vips["p2"][zone]];
        assert_ne!(got[0], got[1], "{vips}");
        assert!(got.contains(&predicted), "{predicted} not in {got:?}");
    }
    for zone in ["east", "west"] {
        let (status, _) = kuma.get(&format!("/hostnamegenerators/ma-{zone}"));
        assert_eq!(status, 200, "the generator of zone {zone}");
    }
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());

    // `labels` unset and `{}` are one object, whichever the state holds.
    let keep = plain("plain", "ma-plain", "");
    ws.write(&root(&kuma, services, &keep));
    ws.apply(&[]);
    let empty = root(&kuma, services, &keep).replacen(
        "  name = \"ma-plain\"\n",
        "  name = \"ma-plain\"\n  labels = {}\n",
        1,
    );
    assert!(empty.contains("labels = {}"), "{empty}");
    ws.write(&empty);
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());
    ws.apply(&[]);
    ws.write(&root(&kuma, services, &keep));
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());

    // A service someone created: the error names the cause first, then how to import it at
    // the resource's address, which the provider cannot know; once, in the module's address.
    let (status, body) = kuma.call(
        "PUT",
        &kuma.global,
        "/meshes/default/meshmultizoneservices/ma-orders",
        Some(json!({
            "type": "MeshMultiZoneService", "mesh": "default", "name": "ma-orders",
            "spec": {"selector": {"meshService": {"matchLabels": {"kuma.io/display-name": "ma-orders"}}},
                     "ports": [{"port": 6379, "appProtocol": "tcp"}]}
        })),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
    let with_orders = format!("{services}, orders = \"ma-orders\"");
    ws.write(&root(&kuma, &with_orders, &keep));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 1, "{text}");
    assert_eq!(
        text.matches("Error: MeshMultiZoneService \"default/ma-orders\" already exists")
            .count(),
        1,
        "{text}"
    );
    for words in [
        "module.svc.kuma_mesh_multi_zone_service.this[\"orders\"]",
        "already has the MeshMultiZoneService \"default/ma-orders\", and creating it here would overwrite it.",
        "terraform import '<address of this resource>' 'default/ma-orders'",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains("does not manage"), "{text}");
    // The advice, with the address Terraform showed, works.
    ws.expect(
        0,
        &[
            "import",
            "-input=false",
            "-no-color",
            "module.svc.kuma_mesh_multi_zone_service.this[\"orders\"]",
            "default/ma-orders",
        ],
    );
    // Nothing to change but the root output that now lists it.
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(
        !plan.all().contains("Plan:"),
        "the imported object differs: {}",
        plan.all()
    );

    // A saved plan applied after someone deleted the generator: nothing is written, the next
    // plan creates it.
    ws.write(&root(
        &kuma,
        &with_orders,
        &format!("{keep}{}", generator("one")),
    ));
    ws.apply(&[]);
    ws.write(&root(
        &kuma,
        &with_orders,
        &format!("{keep}{}", generator("two")),
    ));
    ws.expect(0, &["plan", "-input=false", "-no-color", "-out=hg.plan"]);
    let (status, _) = kuma.call("DELETE", &kuma.global, "/hostnamegenerators/ma-hg", None);
    assert_eq!(status, 200);
    let applied = ws.run(&["apply", "-input=false", "-no-color", "hg.plan"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 1, "{text}");
    assert!(
        text.contains(
            "The HostnameGenerator ma-hg was deleted outside Terraform since it was last read"
        ),
        "{text}"
    );
    assert_eq!(
        kuma.get("/hostnamegenerators/ma-hg").0,
        404,
        "created again"
    );
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert!(
        plan.all()
            .contains("kuma_hostname_generator.hg will be created"),
        "{}",
        plan.all()
    );

    // A data source of a service this configuration creates: read at plan, before the
    // create; the error says so and how to read it after; `depends_on` does.
    let data = |depends: &str| {
        format!(
            "{keep}{}{}\ndata \"kuma_mesh_multi_zone_service\" \"ds\" {{\n  name = \"ma-ds\"\n  {depends}\n}}\n",
            generator("two"),
            plain("ds", "ma-ds", "")
        )
    };
    ws.write(&root(&kuma, &with_orders, &data("")));
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 1, "{text}");
    assert!(
        text.contains("There is no MeshMultiZoneService \"ma-ds\""),
        "{text}"
    );
    assert!(text.contains("depends_on = [<that resource>]"), "{text}");
    ws.write(&root(
        &kuma,
        &with_orders,
        &data("depends_on = [kuma_mesh_multi_zone_service.ds]"),
    ));
    ws.apply(&[]);
}

/// A HostnameGenerator `ma-hg` whose template ends in `.<suffix>`.
fn generator(suffix: &str) -> String {
    format!(
        r#"
resource "kuma_hostname_generator" "hg" {{
  name     = "ma-hg"
  template = "{{{{ .DisplayName }}}}.{suffix}"
  selector {{
    mesh_multi_zone_service {{
      match_labels = {{ team = "ma" }}
    }}
  }}
}}
"#
    )
}

#[test]
fn a_module_over_several_services_on_terraform_1_0_3() {
    module_author("1.0.3");
}

#[test]
fn a_module_over_several_services_on_current_terraform() {
    module_author("current");
}

/// A `zone` block whose zone belongs to another kuma-local global: a warning on that block's
/// `endpoint`, and its `zone_status` is not that deployment's data. The provider's own zones
/// behind a proxy in front of its global (another address, the same control plane) are fine.
fn zone_of_another_global(which: &str) {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    let other = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    let other_east = other.zones["east"].clone();
    let provider = provider_block(
        &kuma.global,
        &kuma.token,
        "",
        &[("east", &other_east), ("west", kuma.zones["west"].as_str())],
    )
    .replacen(
        &format!("endpoint = \"{other_east}\"\n"),
        &format!(
            "endpoint = \"{other_east}\"\n    token = \"{}\"\n",
            other.token
        ),
        1,
    );
    ws.write(&format!("{provider}{}", plain("z", "ma-zone", "")));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 0, "{text}");
    assert_eq!(
        text.matches("is not read: it belongs to another global control plane")
            .count(),
        1,
        "{text}"
    );
    for words in [
        "Zone \"east\" is not read: it belongs to another global control plane",
        &format!("endpoint = \"{other_east}\""),
        &format!("multizone.zone.globalAddress: \"{}\"", other.global),
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    ws.apply(&[]);
    let state = ws.resource("kuma_mesh_multi_zone_service.z");
    assert_eq!(state["zone_status"][0]["zone"], "east", "{state}");
    assert_eq!(state["zone_status"][0]["state"], "unreachable", "{state}");
    assert_eq!(state["zone_status"][1]["state"], "synced", "{state}");

    // The endpoint through a proxy: another address, the same global (its `clusterId`).
    let proxy = Proxy::start(&kuma.global, Fault::Delay(std::time::Duration::ZERO));
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{}",
        provider_block(&proxy.url, &kuma.token, "", &zones(&kuma)),
        plain("z", "ma-proxied", "")
    ));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(
        !plan.all().contains("another global control plane"),
        "{}",
        plan.all()
    );
}

#[test]
fn a_zone_of_another_global_is_a_warning_on_terraform_1_0_3() {
    zone_of_another_global("1.0.3");
}

#[test]
fn a_zone_of_another_global_is_a_warning_on_current_terraform() {
    zone_of_another_global("current");
}
