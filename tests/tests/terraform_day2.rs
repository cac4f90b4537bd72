//! The real terraform CLI against terraform-provider-kuma and kuma-local: day-2 operations.
//! A create whose answer was lost is tracked when the control plane made it; one resource's
//! short read deadline does not mark healthy zones unreachable for the others; zone warnings
//! fit the operation; a global control plane that never answers is waited for once per
//! provider process; and the plan errors that stop `terraform destroy` say how to destroy
//! without them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use kuma_mzs_e2e::terraform::{
    provider_block, redis_mzs, Fault, KumaLocal, Proxy, Silent, Workspace,
};
use serde_json::{json, Value as Json};

const MZS: &str = "/meshes/default/meshmultizoneservices/";

/// A HostnameGenerator `address` named `name`, with `extra` lines (a `timeouts` block).
fn generator(address: &str, name: &str, extra: &str) -> String {
    format!(
        r#"
resource "kuma_hostname_generator" "{address}" {{
  name = "{name}"
  template = "{{{{ .DisplayName }}}}.day2"
  labels = {{ team = "a" }}
  selector {{
    mesh_multi_zone_service {{
      match_labels = {{ day2 = "true" }}
    }}
  }}
{extra}
}}
"#
    )
}

/// `redis_mzs` with `block` (HCL lines) added before its port.
fn mzs_with(address: &str, name: &str, block: &str) -> String {
    redis_mzs(address, name, "team = \"a\"", 6379)
        .replace("  port {", &format!("{block}\n  port {{"))
}

/// Terraform's text with its line wrapping undone.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn status(kuma: &KumaLocal, path: &str) -> (u16, Json) {
    kuma.get_reliably(path)
}

/// Each error diagnostic of Terraform's flattened output, from its summary to the next
/// diagnostic.
fn errors(text: &str) -> Vec<&str> {
    text.split("Error: ")
        .skip(1)
        .map(|e| e.split("Warning: ").next().unwrap_or(e).trim_end())
        .collect()
}

/// How the errors that stop `terraform destroy` end.
const DESTROY_WITHOUT_REFRESH: &str = "If this stopped `terraform destroy`, run `terraform destroy -refresh=false` instead: it skips this plan, and it is safe, because the provider deletes only the object it created (one deleted and created again outside Terraform is left in place).";

fn state_is_empty(ws: &Workspace) -> bool {
    ws.state()["values"]["root_module"]["resources"]
        .as_array()
        .is_none_or(|r| r.is_empty())
}

/// Bug bash 1: a create whose PUT reached the control plane but whose answer was lost (here a
/// proxy passes the PUT on and drops the answer, every time) is read back under a deadline of
/// its own: holding what was sent, the MeshMultiZoneService and the HostnameGenerator are in the
/// state as written, with a warning, and the next plan is empty, not "already exists ... import
/// it".
#[test]
fn a_create_whose_answer_was_lost_is_recorded_as_written() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let proxy = Proxy::start(&kuma.global, Fault::LosePutAnswers);
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}{}",
        provider_block(&proxy.url, &kuma.token, "  live_lints = false", &[]),
        mzs_with("lost", "lost", ""),
        generator("lost", "lost", ""),
    ));
    ws.init();
    let applied = ws.apply(&[]);
    let text = flat(&applied.all());
    for what in [
        "MeshMultiZoneService default/lost",
        "HostnameGenerator lost",
    ] {
        assert!(
            text.contains(&format!(
                "Warning: The {what} was created, but the answer to the write was lost"
            )),
            "{text}"
        );
    }
    assert!(
        text.contains("holding exactly what was sent: the control plane carried out the write"),
        "{text}"
    );
    assert!(proxy.puts() >= 2, "{} PUTs", proxy.puts());
    let (code, item) = status(&kuma, &format!("{MZS}lost"));
    assert_eq!(code, 200, "{item}");
    let state = ws.resource("kuma_mesh_multi_zone_service.lost");
    assert_eq!(state["creation_time"], item["creationTime"], "{state}");
    let (code, generator) = status(&kuma, "/hostnamegenerators/lost");
    assert_eq!(code, 200, "{generator}");
    let state = ws.resource("kuma_hostname_generator.lost");
    assert_eq!(state["creation_time"], generator["creationTime"], "{state}");
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());
}

/// A create whose PUT never reached the control plane (the proxy drops it, so its answer is
/// lost) fails saying what is known: the create was not confirmed, the reads afterwards found no
/// object, which shows only that it is not there yet; an apply again creates it where none
/// exists, and if the next plan finds it, it is this workspace's own to import. Not a timeout,
/// and not "Nothing was created". Nothing is in the state, and nothing on the server; the next
/// apply creates it.
#[test]
fn a_create_whose_answer_was_lost_and_that_was_not_made_says_it_was_not_confirmed() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let proxy = Proxy::start(&kuma.global, Fault::DropPuts);
    let ws = Workspace::new("current");
    let config = |endpoint: &str| {
        format!(
            "{}{}",
            provider_block(
                endpoint,
                &kuma.token,
                "  live_lints = false\n  max_retries = 0",
                &[]
            ),
            mzs_with("gone", "gone", ""),
        )
    };
    ws.write(&config(&proxy.url));
    ws.init();
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 1, "{text}");
    for words in [
        "Error: The create of the MeshMultiZoneService default/gone was not confirmed",
        "The write got no answer (no answer from the Kuma control plane at",
        &format!("of {} afterwards found no MeshMultiZoneService \"default/gone\" (404 Not Found)", proxy.url),
        "a 404 shows only that it is not there yet: the write may still be carried out by a request still in flight",
        "Run `terraform apply` again: it creates the MeshMultiZoneService only where none exists.",
        "If the next plan says that MeshMultiZoneService \"default/gone\" already exists, it is this workspace's own create, carried out late: import it with terraform import kuma_mesh_multi_zone_service.<resource name> 'default/gone'",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    for wrong in [
        "gave up on",
        "may have written",
        "Nothing was created",
        "was not carried out",
    ] {
        assert!(!text.contains(wrong), "{wrong}: {text}");
    }
    assert_eq!(status(&kuma, &format!("{MZS}gone")).0, 404);
    assert!(state_is_empty(&ws));
    // As it says: applying again (here with the PUT getting through) creates it.
    ws.write(&config(&kuma.global));
    ws.apply(&[]);
    assert_eq!(status(&kuma, &format!("{MZS}gone")).0, 200);
}

/// The report's own reproduction, `timeouts { create = "1ms" }` against kuma-local: whether
/// the PUT left in time is up to the machine, but the state and the server always agree
/// afterwards: the object exists and is in the state (with the warning), or it does not and the
/// error says what to do if it appears.
#[test]
fn a_create_with_a_1ms_deadline_leaves_state_and_server_agreeing() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let deadline = "  timeouts {\n    create = \"1ms\"\n  }";
    ws.write(&format!(
        "{}{}{}",
        provider_block(&kuma.global, &kuma.token, "  live_lints = false", &[]),
        mzs_with("fast", "fast", deadline),
        generator("fast", "fast", deadline),
    ));
    ws.init();
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&applied.all());
    let state = ws.state();
    let held = |address: &str| {
        state["values"]["root_module"]["resources"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["address"] == address))
    };
    for (address, path, what) in [
        (
            "kuma_mesh_multi_zone_service.fast",
            format!("{MZS}fast"),
            "MeshMultiZoneService default/fast",
        ),
        (
            "kuma_hostname_generator.fast",
            "/hostnamegenerators/fast".to_owned(),
            "HostnameGenerator fast",
        ),
    ] {
        let (code, _) = status(&kuma, &path);
        if code == 200 {
            // The control plane may finish a write after the reads that followed the lost
            // answer (a loaded machine): then the error said that the next plan would find it.
            assert!(
                held(address)
                    || (text.contains(&format!("Error: The create of the {what} was not confirmed"))
                        && text.contains(
                            "already exists, it is this workspace's own create, carried out late: import it"
                        )),
                "{address} exists but is not in the state: {text}"
            );
        } else {
            assert_eq!(code, 404);
            assert!(!held(address), "{address} is in the state only: {text}");
            assert!(
                text.contains(&format!("Error: Could not create the {what}"))
                    || text.contains(&format!(
                        "Error: The create of the {what} was not confirmed"
                    )),
                "{text}"
            );
        }
    }
    // No create was refused as a create over an existing object (the advice of a create not
    // confirmed names that error, as what a late write would make the next plan say).
    for what in ["MeshMultiZoneService", "HostnameGenerator"] {
        let refused = format!("Error: {what} \"fast\" already exists");
        assert!(!text.contains(&refused), "{text}");
    }
    // Whatever exists is tracked, or the apply said how to import it: a plan never proposes a
    // create over an existing object without saying it exists.
    let plan = flat(&ws.run(&["plan", "-input=false", "-no-color"]).all());
    for (address, path) in [
        ("kuma_mesh_multi_zone_service.fast", format!("{MZS}fast")),
        (
            "kuma_hostname_generator.fast",
            "/hostnamegenerators/fast".to_owned(),
        ),
    ] {
        if status(&kuma, &path).0 == 200 && !held(address) {
            assert!(plan.contains("already exists"), "{plan}");
        }
    }
}

/// Bug bash 2 and 3: one resource whose `timeouts.read` is too short for the zones to answer
/// (here the zones answer after 1 s and `t` waits 500 ms) gets `unreachable` entries with a
/// warning that says its own deadline ran out and names no empty "last problem"; the zones are
/// not remembered as unreachable, so `u`, refreshed after it, reads both zones `synced`, with
/// no warning.
#[test]
fn one_resources_short_read_deadline_marks_no_zone_unreachable_for_the_others() {
    let kuma = KumaLocal::start(&["east", "west"], &[]);
    let east = Proxy::start(&kuma.zones["east"], Fault::Delay(Duration::from_secs(1)));
    let west = Proxy::start(&kuma.zones["west"], Fault::Delay(Duration::from_secs(1)));
    let ws = Workspace::new("current");
    let t_block = "  timeouts {\n    read = \"500ms\"\n  }";
    ws.write(&format!(
        "{}{}{}",
        provider_block(
            &kuma.global,
            &kuma.token,
            "  live_lints = false",
            &[("east", east.url.as_str()), ("west", west.url.as_str())]
        ),
        mzs_with("t", "t", t_block),
        mzs_with("u", "u", "  depends_on = [kuma_mesh_multi_zone_service.t]"),
    ));
    ws.init();
    ws.apply(&[]);
    for address in ["t", "u"] {
        let state = ws.resource(&format!("kuma_mesh_multi_zone_service.{address}"));
        assert_eq!(state["zone_status"][0]["state"], "synced", "{state}");
        assert_eq!(state["zone_status"][1]["state"], "synced", "{state}");
    }
    let refreshed = ws.apply(&["-refresh-only", "-parallelism=1"]);
    let all = refreshed.all();
    let text = flat(&all);
    let t = ws.resource("kuma_mesh_multi_zone_service.t");
    let u = ws.resource("kuma_mesh_multi_zone_service.u");
    assert_eq!(u["zone_status"][0]["state"], "synced", "{u}\n{text}");
    assert_eq!(u["zone_status"][1]["state"], "synced", "{u}\n{text}");
    assert!(
        !all.contains("with kuma_mesh_multi_zone_service.u"),
        "a warning on u: {all}"
    );
    assert_eq!(t["zone_status"][0]["state"], "unreachable", "{t}");
    assert_eq!(t["zone_status"][1]["state"], "unreachable", "{t}");
    // The last values read from the zones stay.
    assert!(t["zone_status"][0]["vip"].is_string(), "{t}");
    for entry in t["zone_status"].as_array().into_iter().flatten() {
        let error = entry["error"].as_str().unwrap_or_default();
        assert!(error.contains("operation deadline passed (500ms"), "{t}");
        assert!(!error.trim_end().ends_with(':'), "{t}");
    }
    assert!(
        text.contains("Warning: Zone \"east\" could not be read"),
        "{text}"
    );
    assert!(
        text.contains("This operation's own deadline ran out before the zone could answer, which says nothing about the zone: other resources of this run still read it."),
        "{text}"
    );
    for wrong in [
        "Last problem: .",
        "Last problem: \"",
        "the change itself",
        "remembered as unreachable",
    ] {
        assert!(!text.contains(wrong), "{wrong}: {text}");
    }
}

/// Bug bash 3: a zone warning says what the operation did: after a write, that the change was
/// made on the global control plane; on a refresh, no change at all; and a deadline that passed
/// before a request was sent names no empty "last problem". (The zone answers after 2 s, the
/// resource's own deadlines are 1 s.)
#[test]
fn zone_warnings_fit_the_operation() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let east = Proxy::start(&kuma.zones["east"], Fault::Delay(Duration::from_secs(2)));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &kuma.global,
            &kuma.token,
            "  live_lints = false",
            &[("east", east.url.as_str())]
        ),
        mzs_with(
            "w",
            "w",
            "  timeouts {\n    create = \"1s\"\n    read = \"1s\"\n  }"
        ),
    ));
    ws.init();
    let applied = flat(&ws.apply(&[]).all());
    for words in [
        "Warning: Zone \"east\" could not be read",
        "could not be read after the change: gave up on",
        "Its `zone_status` entry says `unreachable`; the change itself was made on the global control plane. This operation's own deadline ran out",
    ] {
        assert!(applied.contains(words), "{words}: {applied}");
    }
    let refreshed = flat(&ws.apply(&["-refresh-only"]).all());
    for words in [
        "Warning: Zone \"east\" could not be read",
        "could not be read: gave up on",
        "Its `zone_status` entry says `unreachable` until a later read reaches the zone.",
    ] {
        assert!(refreshed.contains(words), "{words}: {refreshed}");
    }
    for wrong in ["the change itself", "Last problem: .", "Last problem: \""] {
        assert!(!refreshed.contains(wrong), "{wrong}: {refreshed}");
        assert!(
            !applied.contains(wrong) || wrong == "the change itself",
            "{wrong}: {applied}"
        );
    }
    let state = ws.resource("kuma_mesh_multi_zone_service.w");
    assert_eq!(state["zone_status"][0]["state"], "unreachable", "{state}");
    let error = state["zone_status"][0]["error"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("operation deadline passed (1s"), "{state}");
    assert!(!error.trim_end().ends_with(':'), "{state}");
}

/// Bug bash 4: once the global control plane let a request of the provider process wait its
/// whole deadline without an answer (here the first look at configure, 3 s), later operations
/// of the process fail at once, naming that failure, instead of each waiting its own deadline.
#[test]
fn a_silent_global_is_waited_for_once_per_provider_process() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let resources: String = (0..3)
        .map(|i| mzs_with(&format!("r{i}"), &format!("r{i}"), ""))
        .collect();
    let extra = "  live_lints = false\n  operation_timeout = \"3s\"";
    ws.write(&format!(
        "{}{resources}",
        provider_block(&kuma.global, &kuma.token, extra, &[])
    ));
    ws.init();
    ws.apply(&[]);
    let silent = Silent::start();
    ws.write(&format!(
        "{}{resources}",
        provider_block(&silent.url, &kuma.token, extra, &[])
    ));
    let started = Instant::now();
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-parallelism=1"]);
    let took = started.elapsed();
    let text = flat(&plan.all());
    assert_eq!(plan.code, 1, "{text}");
    let message = "did not answer an earlier request of this provider process in time, so this run does not wait for it again (earlier: gave up on";
    assert_eq!(
        text.matches("Error: Could not read the MeshMultiZoneService")
            .count(),
        3,
        "{text}"
    );
    assert_eq!(text.matches(message).count(), 3, "{text}");
    assert!(text.contains("operation deadline passed (3s"), "{text}");
    // One 3 s wait (configure), not one more per resource (3 x 3 s, in sequence).
    assert!(took < Duration::from_secs(8), "plan took {took:?}: {text}");
}

/// A control plane slower than the provider's first look (10 s) is slow, not hung: the refresh
/// waits for it within `timeout`/`operation_timeout` and the plan goes through (a regression
/// had every later request of the process refused as "not asked").
#[test]
fn a_control_plane_slower_than_the_first_look_is_still_used() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new("current");
    let resource = mzs_with("slow", "slow", "");
    let extra = "  live_lints = false";
    ws.write(&format!(
        "{}{resource}",
        provider_block(&kuma.global, &kuma.token, extra, &[])
    ));
    ws.init();
    ws.apply(&[]);
    let slow = Proxy::start(&kuma.global, Fault::Delay(Duration::from_secs(11)));
    // The provider's defaults (`timeout` 30 s, `operation_timeout` 60 s), not the tests' 10 s.
    let provider =
        provider_block(&slow.url, &kuma.token, extra, &[]).replace("  timeout = \"10s\"\n", "");
    assert!(!provider.contains("timeout ="), "{provider}");
    ws.write(&format!("{provider}{resource}"));
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 0, "{text}");
    assert!(!text.contains("not asked"), "{text}");
}

/// The object as someone else creates it again, with curl.
fn recreate_outside(kuma: &KumaLocal) {
    for (path, body) in [
        (
            format!("{MZS}shared"),
            json!({
                "type": "MeshMultiZoneService", "mesh": "default", "name": "shared",
                "labels": {"owner": "other"},
                "spec": {"selector": {"meshService": {"matchLabels": {"kuma.io/display-name": "redis"}}},
                         "ports": [{"port": 6379, "appProtocol": "tcp"}]}
            }),
        ),
        (
            "/hostnamegenerators/shared".to_owned(),
            json!({
                "type": "HostnameGenerator", "name": "shared",
                "labels": {"owner": "other"},
                "spec": {"template": "{{ .DisplayName }}.other",
                         "selector": {"meshMultiZoneService": {"matchLabels": {"other": "true"}}}}
            }),
        ),
    ] {
        let (code, _) = kuma.call("DELETE", &kuma.global, &path, None);
        assert_eq!(code, 200, "DELETE {path}");
        // kuma-local's creation times may tie within one millisecond.
        std::thread::sleep(Duration::from_millis(20));
        let (code, reply) = kuma.call("PUT", &kuma.global, &path, Some(body));
        assert!(code == 200 || code == 201, "PUT {path}: {code} {reply}");
    }
}

/// Bug bash 5: objects deleted and created again outside Terraform stop `terraform destroy`
/// (its refresh is a plan, which refuses to create over them): the error says the refresh found
/// them created again, and ends with `terraform destroy -refresh=false`, which destroys and
/// leaves the other objects in place.
fn destroy_after_recreated_outside(which: &str) {
    let kuma = KumaLocal::start(&["east"], &[]);
    let ws = Workspace::new(which);
    ws.write(&format!(
        "{}{}{}",
        provider_block(&kuma.global, &kuma.token, "  live_lints = false", &[]),
        mzs_with("shared", "shared", ""),
        generator("shared", "shared", ""),
    ));
    ws.init();
    ws.apply(&[]);
    recreate_outside(&kuma);
    let destroy = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&destroy.all());
    assert_eq!(destroy.code, 1, "{text}");
    let errors = errors(&text);
    assert_eq!(errors.len(), 2, "{text}");
    for (kind, id) in [
        ("MeshMultiZoneService", "default/shared"),
        ("HostnameGenerator", "shared"),
    ] {
        let summary = format!("{kind} \"{id}\" already exists");
        let detail = errors
            .iter()
            .find(|e| e.starts_with(&summary))
            .unwrap_or_else(|| panic!("{summary}: {text}"));
        assert!(
            detail.contains(&format!(
                "{kind} \"{id}\" was deleted and created again outside Terraform: this run's refresh found"
            )),
            "{detail}"
        );
        assert!(
            !detail.contains("that this resource does not manage"),
            "{detail}"
        );
        assert!(detail.ends_with(DESTROY_WITHOUT_REFRESH), "{detail}");
    }
    let destroy = ws.run(&[
        "destroy",
        "-refresh=false",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]);
    let text = flat(&destroy.all());
    assert_eq!(destroy.code, 0, "{text}");
    assert!(
        text.contains("Left the MeshMultiZoneService default/shared in place"),
        "{text}"
    );
    assert!(
        text.contains("Left the HostnameGenerator shared in place"),
        "{text}"
    );
    assert_eq!(
        status(&kuma, &format!("{MZS}shared")).1["labels"]["owner"],
        "other"
    );
    assert_eq!(
        status(&kuma, "/hostnamegenerators/shared").1["labels"]["owner"],
        "other"
    );
    assert!(state_is_empty(&ws));
}

#[test]
fn destroy_after_objects_were_created_again_outside_says_how_on_terraform_1_0_3() {
    destroy_after_recreated_outside("1.0.3");
}

#[test]
fn destroy_after_objects_were_created_again_outside_says_how_on_current_terraform() {
    destroy_after_recreated_outside("current");
}

/// Bug bash 5: a configuration change the upgraded control plane would refuse (a `kafka` port
/// under Kuma 3.0, applied under 2.14) stops `terraform destroy` at its refresh; the error ends
/// with `terraform destroy -refresh=false`, which destroys the object.
#[test]
fn destroy_with_a_change_the_upgraded_server_refuses_says_how() {
    let server = kuma_mzs_e2e::terraform::Upgradable::new("day2-upgrade");
    let config = |kuma: &KumaLocal, team: &str| {
        format!(
            "{}{}",
            provider_block(&kuma.global, &kuma.token, "  live_lints = false", &[]),
            redis_mzs("stream", "stream", &format!("team = \"{team}\""), 9092).replace(
                "port = 9092",
                "port = 9092\n    name = \"events\"\n    app_protocol = \"kafka\""
            )
        )
    };
    let ws = Workspace::new("current");
    {
        let old = server.start("2.14");
        ws.write(&config(&old, "a"));
        ws.init();
        ws.apply(&[]);
    }
    let new = server.start("3.0");
    ws.write(&config(&new, "b"));
    let destroy = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&destroy.all());
    assert_eq!(destroy.code, 1, "{text}");
    assert!(text.contains("appProtocol must be one of"), "{text}");
    let errors = errors(&text);
    assert!(!errors.is_empty(), "{text}");
    for error in errors {
        assert!(error.ends_with(DESTROY_WITHOUT_REFRESH), "{error}");
    }
    ws.expect(
        0,
        &[
            "destroy",
            "-refresh=false",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ],
    );
    assert_eq!(status(&new, &format!("{MZS}stream")).0, 404);
    assert!(state_is_empty(&ws));
}

/// The planned `kri` of `address` in the saved plan `tfplan`.
fn planned_kri(ws: &Workspace, address: &str) -> Json {
    let shown = ws.expect(0, &["show", "-json", "tfplan"]);
    let plan: Json = serde_json::from_str(&shown.stdout).unwrap();
    let change = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not in the plan: {plan}"));
    change["change"]["after"]["kri"].clone()
}

/// The `kri` and `snis` a plan shows come from the release `GET /` reports. When `GET /` fails
/// in the apply's own provider process (a saved plan, applied while the index answers 503), the
/// apply stops before any write with an error that says so, never Terraform's "Provider produced
/// inconsistent final plan"; when it fails only once (at configure), the plan asks again and the
/// apply keeps the planned values.
#[test]
fn a_release_unread_at_apply_keeps_the_planned_names_or_stops_before_writing() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0",
            &[]
        ),
        mzs_with("names", "names", ""),
        generator("names", "names", ""),
    ));
    ws.init();
    let plan = ["plan", "-input=false", "-no-color", "-out=tfplan"];
    ws.expect(0, &plan);
    let kri = planned_kri(&ws, "kuma_mesh_multi_zone_service.names");
    assert!(kri.is_string(), "the plan knows the KRI: {kri}");
    assert!(planned_kri(&ws, "kuma_hostname_generator.names").is_string());

    proxy.fail_index(usize::MAX);
    let applied = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 1, "{text}");
    for what in [
        "MeshMultiZoneService default/names",
        "HostnameGenerator names",
    ] {
        assert!(
            text.contains(&format!(
                "Error: Cannot plan the {what}: the Kuma release of {} could not be read",
                proxy.url
            )),
            "{text}"
        );
    }
    for words in [
        &format!("`GET /` at {}, where a Kuma control plane tells its release, failed: Kuma API GET / returned 503: no healthy upstream (when the provider started, and again when asked once more).", proxy.url),
        "If this stopped `terraform destroy`, run `terraform destroy -refresh=false`: it skips this plan.",
        "so rather than guess, the plan stops here: this MeshMultiZoneService was not changed.",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains("inconsistent"), "{text}");
    assert_eq!(status(&kuma, &format!("{MZS}names")).0, 404);
    assert_eq!(status(&kuma, "/hostnamegenerators/names").0, 404);
    assert!(state_is_empty(&ws));

    // `GET /` fails once, at configure: the plan reads it once more and the apply keeps the
    // values planned.
    proxy.fail_index(0);
    ws.expect(0, &plan);
    proxy.fail_index(1);
    let applied = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert_eq!(applied.code, 0, "{}", applied.all());
    let state = ws.resource("kuma_mesh_multi_zone_service.names");
    assert_eq!(state["kri"], kri, "{state}");
    let (code, item) = status(&kuma, &format!("{MZS}names"));
    assert_eq!(code, 200, "{item}");
    assert_eq!(item["kri"], kri, "{item}");
}

/// A refresh uses the `timeouts.read` its state holds (Terraform hands a refresh the state, not
/// the configuration): after a refresh ran out of time, raising `read` in the configuration
/// changes nothing until an apply stores it, and the error says so and how
/// (`terraform apply -refresh=false`, which writes nothing to the control plane); after that one
/// apply, the refresh waits long enough.
#[test]
fn a_raised_read_timeout_takes_effect_once_stored_and_the_error_says_how() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let slow = Proxy::start(&kuma.global, Fault::Delay(Duration::from_secs(2)));
    let ws = Workspace::new("current");
    let config = |endpoint: &str, read: &str| {
        format!(
            "{}{}",
            provider_block(endpoint, &kuma.token, "  live_lints = false", &[]),
            mzs_with(
                "slow",
                "slow",
                &format!("  timeouts {{\n    read = \"{read}\"\n  }}")
            ),
        )
    };
    ws.write(&config(&kuma.global, "1s"));
    ws.init();
    ws.apply(&[]);
    let written = status(&kuma, &format!("{MZS}slow")).1["modificationTime"].clone();

    let stored = "this resource's `timeouts.read` as its state holds it: a refresh gets the state, never the configuration, so a `timeouts.read` raised in the configuration takes effect once an apply has stored it; `terraform apply -refresh=false` stores it without this refresh";
    for read in ["1s", "30s"] {
        ws.write(&config(&slow.url, read));
        let plan = ws.run(&["plan", "-input=false", "-no-color"]);
        let text = flat(&plan.all());
        assert_eq!(plan.code, 1, "{text}");
        assert!(
            text.contains("Error: Could not read the MeshMultiZoneService"),
            "{text}"
        );
        assert!(text.contains("operation deadline passed (1s;"), "{text}");
        assert!(text.contains(stored), "{text}");
    }
    ws.expect(
        0,
        &[
            "apply",
            "-refresh=false",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ],
    );
    assert_eq!(
        ws.resource("kuma_mesh_multi_zone_service.slow")["timeouts"]["read"],
        "30s"
    );
    let plan = ws.plan_code();
    assert_eq!(plan.code, 0, "{}", plan.all());
    let after = status(&kuma, &format!("{MZS}slow")).1["modificationTime"].clone();
    assert_eq!(
        after, written,
        "the change of timeouts wrote to the control plane"
    );
}

/// The Kuma 2.14 `kafka` port of the MZS `address` named `name`.
fn kafka_mzs(address: &str, name: &str) -> String {
    mzs_with(address, name, "").replace(
        "port = 6379",
        "port = 6379\n    name = \"events\"\n    app_protocol = \"kafka\"",
    )
}

/// Bug bash 6, item 1: `GET /` failing at the apply's configure and answering when asked once
/// more settles the release before any rule: a `kafka` port planned against Kuma 2.14 is
/// applied under 2.14's rules, not refused under the default 3.0's.
#[test]
fn a_release_read_only_when_asked_again_is_the_release_of_every_rule() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.14"]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0",
            &[]
        ),
        kafka_mzs("stream", "stream"),
    ));
    ws.init();
    ws.expect(0, &["plan", "-input=false", "-no-color", "-out=tfplan"]);
    let kri = planned_kri(&ws, "kuma_mesh_multi_zone_service.stream");
    assert!(kri.is_string(), "{kri}");
    proxy.fail_index(1);
    let applied = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 0, "{text}");
    assert!(!text.contains("appProtocol"), "{text}");
    let (code, item) = status(&kuma, &format!("{MZS}stream"));
    assert_eq!(code, 200, "{item}");
    assert_eq!(item["spec"]["ports"][0]["appProtocol"], "kafka", "{item}");
    assert_eq!(item["kri"], kri, "{item}");
}

/// Bug bash 6, item 2: with `kuma_version` set, a `GET /` that does not answer (at plan and at
/// apply) leaves the plan to that release, as documented: its rules, and the `kri` its
/// rendering gives, which the apply keeps.
#[test]
fn kuma_version_is_used_as_given_when_get_index_fails() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.14"]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0\n  kuma_version = \"2.14\"",
            &[]
        ),
        kafka_mzs("given", "given"),
    ));
    ws.init();
    proxy.fail_index(usize::MAX);
    let plan = ws.run(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let kri = planned_kri(&ws, "kuma_mesh_multi_zone_service.given");
    assert!(kri.is_string(), "{kri}");
    let applied = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert_eq!(applied.code, 0, "{}", applied.all());
    let (code, item) = status(&kuma, &format!("{MZS}given"));
    assert_eq!(code, 200, "{item}");
    assert_eq!(item["kri"], kri, "{item}");
}

/// Bug bash 6, item 3: a control plane that cannot be reached at all (no `kuma_version`) is
/// one warning that leads with the cause, not a warning that "the apply checks again" and an
/// error besides; `terraform destroy` of the rest of the configuration goes on. With `GET /`
/// answering 503 while the rest answers, the plan stops, cause first, and says how to destroy:
/// `terraform destroy -refresh=false`, which works.
#[test]
fn a_release_that_cannot_be_read_is_coherent_and_destroy_stays_workable() {
    let closed = kuma_mzs_e2e::terraform::closed_port_url();
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}\nresource \"terraform_data\" \"other\" {{\n  input = \"x\"\n}}\n",
        provider_block(&closed, "t", "  live_lints = false\n  max_retries = 0", &[]),
        mzs_with("later", "later", ""),
    ));
    ws.init();
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 0, "{text}");
    assert!(!text.contains("Error"), "{text}");
    let warning = format!("Warning: Cannot reach the Kuma control plane at {closed}");
    assert_eq!(text.matches(&warning).count(), 1, "{text}");
    for words in [
        &format!("cannot reach the Kuma control plane at {closed}:"),
        "So this plan could not read its Kuma release (`GET /`), and the `kri` and `snis` of the MeshMultiZoneService default/later, which depend on it, are unknown until the apply reads it.",
        "Nor could it check whether the MeshMultiZoneService already exists; the apply checks before it writes.",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains("The apply checks again"), "{text}");
    ws.apply(&["-target=terraform_data.other"]);
    let destroy = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(destroy.code, 0, "{}", destroy.all());
    assert!(state_is_empty(&ws));

    // `GET /` answers 503, the rest of the control plane answers.
    let kuma = KumaLocal::start(&["east"], &[]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0",
            &[]
        ),
        mzs_with("made", "made", ""),
        mzs_with("later", "later", "").replace("6379", "6380"),
    ));
    ws.init();
    ws.apply(&["-target=kuma_mesh_multi_zone_service.made"]);
    proxy.fail_index(usize::MAX);
    let destroy = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&destroy.all());
    assert_eq!(destroy.code, 1, "{text}");
    let errors = errors(&text);
    let [error] = errors.as_slice() else {
        panic!("one error: {text}");
    };
    assert!(
        error.starts_with(&format!(
            "Cannot plan the MeshMultiZoneService default/later: the Kuma release of {} could not be read",
            proxy.url
        )),
        "{error}"
    );
    assert!(
        error.contains("with kuma_mesh_multi_zone_service.later, on main.tf line"),
        "{error}"
    );
    for words in [
        "failed: Kuma API GET / returned 503: no healthy upstream",
        "If this stopped `terraform destroy`, run `terraform destroy -refresh=false`: it skips this plan.",
    ] {
        assert!(error.contains(words), "{words}: {error}");
    }
    assert_eq!(
        error.matches("terraform destroy -refresh=false").count(),
        1,
        "{error}"
    );
    assert!(!text.contains("Could not check whether"), "{text}");
    ws.expect(
        0,
        &[
            "destroy",
            "-refresh=false",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ],
    );
    assert_eq!(status(&kuma, &format!("{MZS}made")).0, 404);
    assert!(state_is_empty(&ws));
}

/// Bug bash 6, item 4: a PUT a proxy holds past `timeouts.create` lands after the reads that
/// followed found nothing. The apply's error does not say nothing was created; it says the
/// create was not confirmed and what to do if the next plan finds the object; the next plan's
/// "already exists" error names that case, not only someone else's object; importing it, as
/// both say, brings the object under the resource with nothing left to change.
#[test]
fn a_create_carried_out_late_is_this_workspaces_and_the_errors_say_so() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let proxy = Proxy::start(&kuma.global, Fault::DelayPuts(Duration::from_secs(10)));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0",
            &[]
        ),
        mzs_with("late", "late", "  timeouts {\n    create = \"1s\"\n  }"),
    ));
    ws.init();
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 1, "{text}");
    for words in [
        "Error: The create of the MeshMultiZoneService default/late was not confirmed",
        "a 404 shows only that it is not there yet: the write may still be carried out by a request still in flight",
        "If the next plan says that MeshMultiZoneService \"default/late\" already exists, it is this workspace's own create, carried out late: import it with terraform import kuma_mesh_multi_zone_service.<resource name> 'default/late'",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains("Nothing was created"), "{text}");
    assert!(state_is_empty(&ws));
    let landed = Instant::now();
    while status(&kuma, &format!("{MZS}late")).0 != 200 {
        assert!(
            landed.elapsed() < Duration::from_secs(30),
            "the PUT never landed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 1, "{text}");
    for words in [
        "Error: MeshMultiZoneService \"default/late\" already exists",
        "already has the MeshMultiZoneService \"default/late\", and creating it here would overwrite it.",
        "it is this resource's own when an earlier apply said its create was not confirmed: that create was carried out late",
        "terraform import '<address of this resource>' 'default/late'",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    // The import leads; the other cases follow.
    assert!(
        text.find("carried out late").unwrap_or(usize::MAX)
            < text.find("choose another name").unwrap_or(0),
        "{text}"
    );
    assert!(
        !text.contains("If it was created outside this workspace"),
        "{text}"
    );
    ws.expect(
        0,
        &[
            "import",
            "-input=false",
            "-no-color",
            "kuma_mesh_multi_zone_service.late",
            "default/late",
        ],
    );
    // The import holds all but the `timeouts` block, which an apply stores without a write.
    let modified = status(&kuma, &format!("{MZS}late")).1["modificationTime"].clone();
    let plan = ws.plan_code();
    let text = flat(&plan.all());
    assert_eq!(plan.code, 2, "{text}");
    assert!(
        text.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{text}"
    );
    assert!(text.contains("+ timeouts { + create = \"1s\" }"), "{text}");
    ws.apply(&[]);
    assert_eq!(
        status(&kuma, &format!("{MZS}late")).1["modificationTime"],
        modified
    );
    assert_eq!(ws.plan_code().code, 0);
}

/// Bug bash 7, item 1: a refresh settles the release as a plan does. Against Kuma 2.12 (no
/// `MeshServicesMatched` condition), `GET /` failing once at the plan's configure: the refresh
/// asks it once more and judges the zone's sync by 2.12's rules, so a synced MZS stays
/// `synced` and the plan is empty (not "changed outside of Terraform ... synced -> pending").
#[test]
fn a_refresh_judges_zone_sync_by_the_release_read_when_asked_again() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.12"]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0",
            &[("east", &kuma.zones["east"])]
        ),
        mzs_with("synced", "synced", ""),
    ));
    ws.init();
    ws.apply(&[]);
    let state = ws.resource("kuma_mesh_multi_zone_service.synced");
    assert_eq!(state["zone_status"][0]["state"], "synced", "{state}");
    proxy.fail_index(1);
    let plan = ws.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 0, "{text}");
    assert!(!text.contains("changed outside of Terraform"), "{text}");
}

/// Bug bash 7, item 4: a DELETE a proxy holds past `timeouts.delete` lands late. The error
/// names the object, says the delete was not confirmed (not that it failed) and advises an
/// apply aimed at that resource (`-target`) that skips the refresh (`-refresh=false`) to store
/// a longer deadline: that apply writes nothing, creates neither the object again nor the
/// sibling the same destroy deleted (its state is gone, its configuration still there), and
/// the next destroy finds the object gone.
#[test]
fn a_delete_that_ran_out_of_time_is_not_confirmed_and_the_advice_does_not_recreate_it() {
    let kuma = KumaLocal::start(&["east"], &[]);
    let proxy = Proxy::start(&kuma.global, Fault::DelayDeletes(Duration::from_secs(4)));
    let ws = Workspace::new("current");
    let config = |delete: &str| {
        format!(
            "{}{}{}",
            provider_block(
                &proxy.url,
                &kuma.token,
                "  live_lints = false\n  max_retries = 0",
                &[]
            ),
            mzs_with(
                "slow",
                "slow",
                &format!("  timeouts {{\n    delete = \"{delete}\"\n  }}")
            ),
            mzs_with(
                "sibling",
                "sibling",
                "  timeouts {\n    delete = \"30s\"\n  }"
            ),
        )
    };
    ws.write(&config("1s"));
    ws.init();
    ws.apply(&[]);
    let destroy = ws.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&destroy.all());
    assert_eq!(destroy.code, 1, "{text}");
    for words in [
        "Error: The delete of the MeshMultiZoneService default/slow was not confirmed",
        "It may have been carried out all the same",
        "raise `timeouts.delete` in the configuration of the resource that manages the MeshMultiZoneService default/slow (put the resource back if it was removed)",
        "terraform apply -refresh=false -target=<its address> with the resource's address, e.g. -target=kuma_mesh_multi_zone_service.<resource name>.",
        "Without `-target`, the apply would create again every other resource this destroy already removed",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(!text.contains("run `terraform apply` ("), "{text}");
    // The sibling was deleted, and its state is gone.
    assert_eq!(status(&kuma, &format!("{MZS}sibling")).0, 404);
    let landed = Instant::now();
    while status(&kuma, &format!("{MZS}slow")).0 != 404 {
        assert!(
            landed.elapsed() < Duration::from_secs(30),
            "the DELETE never landed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let puts = proxy.puts();
    ws.write(&config("30s"));
    ws.apply(&[
        "-refresh=false",
        "-target=kuma_mesh_multi_zone_service.slow",
    ]);
    assert_eq!(proxy.puts(), puts, "the apply wrote");
    assert_eq!(status(&kuma, &format!("{MZS}slow")).0, 404);
    assert_eq!(status(&kuma, &format!("{MZS}sibling")).0, 404);
    ws.expect(
        0,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    assert!(state_is_empty(&ws));
    assert_eq!(proxy.puts(), puts, "the destroy wrote");
}

/// Bug bash 7, item 2: `GET /` failing (at configure and once more) with no `kuma_version`:
/// nothing is judged by a guessed release. A `kafka` port (Kuma 2.x only) of an applied MZS
/// on a 2.14 server is not "Kuma 3.0 will refuse the next write" on a plan without changes,
/// nor an error on an update or a destroy: a warning says that some releases refuse it and
/// that the release could not be read, naming what `GET /` answered; the server takes it.
#[test]
fn a_release_that_cannot_be_read_judges_by_what_every_release_agrees_on() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.14"]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    let config = |team: &str| {
        format!(
            "{}{}",
            provider_block(
                &proxy.url,
                &kuma.token,
                "  live_lints = false\n  max_retries = 0",
                &[]
            ),
            kafka_mzs("stream", "stream").replace("team = \"a\"", &format!("team = \"{team}\"")),
        )
    };
    ws.write(&config("a"));
    ws.init();
    ws.apply(&[]);
    proxy.fail_index(usize::MAX);
    let plan = ws.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    let text = flat(&plan.all());
    assert_eq!(plan.code, 0, "{text}");
    for words in [
        "Some supported Kuma releases refuse this and others accept it, and the control plane's release could not be read (`GET /` at",
        "failed: Kuma API GET / returned 503: no healthy upstream)",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    // The newest release's words may name the release whose rule it is, never as the
    // server's.
    for wrong in ["Kuma 3.0 will refuse", "Error"] {
        assert!(!text.contains(wrong), "{wrong}: {text}");
    }
    ws.write(&config("b"));
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 0, "{text}");
    assert!(!text.contains("Error"), "{text}");
    let (code, item) = status(&kuma, &format!("{MZS}stream"));
    assert_eq!(code, 200, "{item}");
    assert_eq!(item["labels"]["team"], "b", "{item}");
    ws.expect(
        0,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    assert_eq!(status(&kuma, &format!("{MZS}stream")).0, 404);
}

/// Bug bash 7, item 3: `kuma_version` that disagrees with the server, and `GET /` failing at
/// apply: Terraform reports its "inconsistent final plan", and a warning names the cause
/// (`GET /` failed, `kuma_version` used unchecked).
#[test]
fn kuma_version_used_unchecked_is_warned_about_when_terraform_blames_the_provider() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.12"]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0\n  kuma_version = \"2.14\"",
            &[]
        ),
        mzs_with("other", "other", ""),
    ));
    ws.init();
    ws.expect(0, &["plan", "-input=false", "-no-color", "-out=tfplan"]);
    proxy.fail_index(usize::MAX);
    let applied = ws.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 1, "{text}");
    assert!(text.contains("inconsistent final plan"), "{text}");
    for words in [
        "Warning: kuma_version = \"2.14\" is used unchecked",
        &format!("`GET /` at {} failed (Kuma API GET / returned 503: no healthy upstream), so the rules and names (`kri`, `snis`) of Kuma 2.14 are used without checking", proxy.url),
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert_eq!(text.matches("is used unchecked").count(), 1, "{text}");
}

/// Bug bash 8, item 4: `kuma_version` used unchecked (`GET /` failing) is said on the
/// provider's `kuma_version` (ConfigureProvider's warning), not on a resource, and a
/// `terraform apply -auto-approve` of two resources shows it once.
#[test]
fn kuma_version_used_unchecked_is_one_warning_on_the_provider_block() {
    let kuma = KumaLocal::start(&["east"], &["--kuma-version", "2.14"]);
    let proxy = Proxy::start(&kuma.global, Fault::Delay(Duration::ZERO));
    let ws = Workspace::new("current");
    ws.write(&format!(
        "{}{}{}",
        provider_block(
            &proxy.url,
            &kuma.token,
            "  live_lints = false\n  max_retries = 0\n  kuma_version = \"2.14\"",
            &[]
        ),
        mzs_with("one", "one", ""),
        mzs_with("two", "two", ""),
    ));
    ws.init();
    proxy.fail_index(usize::MAX);
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let text = flat(&applied.all());
    assert_eq!(applied.code, 0, "{text}");
    assert_eq!(text.matches("is used unchecked").count(), 1, "{text}");
    let at = text
        .find("Warning: kuma_version = \"2.14\" is used unchecked")
        .unwrap_or_else(|| panic!("{text}"));
    let shown = &text[at..];
    assert!(shown.contains("in provider \"kuma\""), "{shown}");
    assert!(
        !shown[..shown.find("`GET /`").unwrap_or(0)].contains("resource \""),
        "{shown}"
    );
    for name in ["one", "two"] {
        assert_eq!(status(&kuma, &format!("{MZS}{name}")).0, 200);
    }
}
