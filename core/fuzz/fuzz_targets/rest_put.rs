//! Any bytes as the body of a REST PUT, for every resource type, control-plane mode and Kuma
//! version (picked from the input's length and bytes, so seeds stay valid JSON): every layer of
//! `api::prepare_put` must answer with a resource or a Kuma error, never panic. A body it accepts
//! must be accepted again when PUT back as the stored resource (what a GET-edit-PUT client does).
#![no_main]

use kuma_mzs_core::api::{prepare_put, Mode, RestItem, StoreView, Times};
use kuma_mzs_core::model::ResourceType;
use kuma_mzs_core::KumaVersion;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let resource_type = ResourceType::ALL[body.len() % ResourceType::ALL.len()];
    let mode = match (body.len() / ResourceType::ALL.len()) % 3 {
        0 => Mode::Global,
        1 => Mode::Zone { name: "east".to_owned(), federated: false },
        _ => Mode::Zone { name: "east".to_owned(), federated: true },
    };
    let sum: u32 = body.iter().map(|&b| u32::from(b)).sum();
    let version = KumaVersion::ALL[sum as usize % KumaVersion::ALL.len()];
    // The URL's name: the body's own, when there is one, so the deeper layers are reached.
    let name = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "redis".to_owned());
    let store = StoreView { mesh_exists: true, existing: None };
    let mesh = resource_type.is_mesh_scoped().then_some("default");
    let Ok(first) = prepare_put(&mode, version, resource_type, mesh, &name, body, store) else {
        return;
    };
    // Kuma 3.0 checks a create's name through the display name the request carries, and an
    // update's through the one it stored (its name): a name only the written display name let
    // through (`2edis` labelled `redis`) is created and then refused on update, as in Kuma.
    let written_display_name = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/labels/kuma.io~1display-name")
                .and_then(|d| d.as_str())
                .map(str::to_owned)
        });
    if version.overwrites_display_name()
        && written_display_name.is_some_and(|d| d != name)
    {
        return;
    }
    // What a GET returns for it, times included. Where the release computes
    // `kuma.io/display-name` from the name on every write (3.0), less that label: Kuma checks
    // the labels a body carries as Kubernetes label values first (Kuma's layer order), so a
    // name that is not a label value cannot come back in it. Kuma 2.x keeps a written one, and
    // 2.13-2.14 refuse its removal, so there it is PUT back as stored.
    let times = Times { creation: "2026-11-26T00:00:00Z", modification: "2026-11-26T00:00:00Z" };
    let Ok(mut again) = serde_json::to_value(RestItem { resource: &first.resource, times }) else {
        return;
    };
    if let Some(labels) = again.get_mut("labels").and_then(|l| l.as_object_mut()) {
        if version.overwrites_display_name() {
            labels.remove("kuma.io/display-name");
        }
    }
    let Ok(again) = serde_json::to_vec(&again) else {
        return;
    };
    let store = StoreView { mesh_exists: true, existing: Some(&first.resource) };
    let second = prepare_put(&mode, version, resource_type, mesh, &name, &again, store);
    assert!(second.is_ok(), "accepted once, refused when PUT back: {second:?}");
});
