#![allow(clippy::unwrap_used)]
use super::*;

const MZS: &str = "type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: backend\n  ports:\n  - port: 80\n    appProtocol: http\n";

fn at(text: &str, needle: &str) -> u32 {
    text.find(needle).unwrap() as u32
}

#[test]
fn hover_on_a_nested_key_names_the_field_its_type_and_allowed_values() {
    let h = hover(MZS, at(MZS, "appProtocol") + 2, KumaVersion::V3_0).unwrap();
    assert!(h
        .contents
        .starts_with("**spec.ports[].appProtocol** · `string`"));
    assert!(h.contents.contains("`grpc`, `http`, `http2`, `tcp`"));
    assert!(h.contents.contains("Default: `tcp`"));
    assert_eq!(
        &MZS[h.span.start as usize..h.span.end as usize],
        "appProtocol"
    );
}

#[test]
fn label_keys_have_hovers_and_completions() {
    let text = "type: MeshService\nname: a\nmesh: default\nlabels:\n  kuma.io/zone: east\n  \n";
    let h = hover(text, at(text, "kuma.io/zone") + 3, KumaVersion::V3_0).unwrap();
    assert!(
        h.contents
            .starts_with("**kuma.io/zone** · label in `labels`"),
        "{}",
        h.contents
    );
    assert!(h.contents.contains("gets no traffic"));
    let items = complete(text, at(text, "  \n") + 2, KumaVersion::V3_0);
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    // 3.0 replaces a resource's own display name on write: not proposed there.
    assert!(!labels.contains(&"kuma.io/display-name") && labels.contains(&"k8s.kuma.io/namespace"));
    assert!(!labels.contains(&"kuma.io/zone"), "already written");
    let selector = "type: MeshMultiZoneService\nname: a\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        \n";
    let items = complete(selector, selector.len() as u32 - 1, KumaVersion::V3_0);
    assert!(items.iter().any(|i| i.insert_text == "kuma.io/zone: "));
}

#[test]
fn json_texts_complete_keys_values_and_labels() {
    let keys = r#"{"type": "MeshMultiZoneService", "name": "a", "spec": {"ports": [{"port": 1, "#;
    let items = complete(keys, keys.len() as u32, KumaVersion::V3_0);
    let app = items.iter().find(|i| i.label == "appProtocol").unwrap();
    assert_eq!(app.insert_text, "\"appProtocol\": ");
    assert!(!items.iter().any(|i| i.label == "port"), "already written");
    let values =
        r#"{"type": "MeshMultiZoneService", "spec": {"ports": [{"port": 1, "appProtocol": "#;
    let items = complete(values, values.len() as u32, KumaVersion::V3_0);
    assert!(items.iter().any(|i| i.insert_text == "\"http2\""));
    let open_quote = format!("{values}\"");
    let items = complete(&open_quote, open_quote.len() as u32, KumaVersion::V3_0);
    assert!(items.iter().any(|i| i.insert_text == "http2"));
    let labels =
        r#"{"apiVersion": "kuma.io/v1alpha1", "kind": "MeshService", "metadata": {"labels": {"#;
    let items = complete(labels, labels.len() as u32, KumaVersion::V3_0);
    assert!(items.iter().any(|i| i.insert_text == "\"kuma.io/zone\": "));
    let top = "[{\"type\": \"Mesh\"}, {";
    let items = complete(top, top.len() as u32, KumaVersion::V3_0);
    assert!(items.iter().any(|i| i.label == "type"));
}

#[test]
fn hover_on_the_type_value_explains_the_kind() {
    let h = hover(MZS, 10, KumaVersion::V3_0).unwrap();
    assert!(h
        .contents
        .starts_with("**MeshMultiZoneService** (universal)"));
}

#[test]
fn hover_works_while_the_document_does_not_parse() {
    let broken = format!("{MZS}  - port: [\n");
    let h = hover(&broken, at(&broken, "matchLabels") + 1, KumaVersion::V3_0).unwrap();
    assert!(h
        .contents
        .starts_with("**spec.selector.meshService.matchLabels**"));
}

#[test]
fn hover_in_json_uses_the_tree() {
    let json = r#"{"type": "MeshMultiZoneService", "name": "a", "spec": {"ports": [{"port": 1}]}}"#;
    let h = hover(json, at(json, "\"port\"") + 2, KumaVersion::V3_0).unwrap();
    assert!(h
        .contents
        .starts_with("**spec.ports[].port** · `integer (int32)`"));
}

fn labels(items: &[CompletionItem]) -> Vec<&str> {
    items.iter().map(|i| i.label.as_str()).collect()
}

#[test]
fn completes_missing_field_names_of_a_port() {
    let text = "type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n    ";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["name", "appProtocol"]);
    assert_eq!(items[1].insert_text, "appProtocol: ");
}

#[test]
fn completes_app_protocol_values_per_version() {
    let text = "type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n    appProtocol: h";
    let v3 = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&v3), ["grpc", "http", "http2", "tcp"]);
    let v2 = complete(text, text.len() as u32, KumaVersion::V2_14);
    assert!(labels(&v2).contains(&"kafka"));
}

#[test]
fn completes_top_level_fields_and_kinds() {
    let text = "type: MeshMultiZoneService\nname: a\n";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["mesh", "labels", "spec"]);
    let text = "type: ";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert!(labels(&items).contains(&"MeshMultiZoneService"));
    let text = "";
    assert_eq!(
        labels(&complete(text, 0, KumaVersion::V3_0)),
        ["type", "apiVersion", "kind"]
    );
}

#[test]
fn completes_kubernetes_shape_and_sequence_items() {
    let text = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: a\nspec:\n  ports:\n    - ";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["name", "port", "appProtocol"]);
    let text = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  n";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(
        labels(&items),
        ["name", "namespace", "labels", "annotations"]
    );
}

#[test]
fn nothing_to_complete_inside_comments_or_free_values() {
    let text = "type: MeshMultiZoneService\n# spec";
    assert!(complete(text, text.len() as u32, KumaVersion::V3_0).is_empty());
    let text = "type: MeshMultiZoneService\nname: ba";
    assert!(complete(text, text.len() as u32, KumaVersion::V3_0).is_empty());
    // A comment after a value or a key (an editor asks on every space typed there).
    for text in [
        "type: MeshMultiZoneService\nspec:\n  ports:\n  - port: 80\n    appProtocol: tcp # use h",
        "type: MeshMultiZoneService # Me",
        "type: MeshMultiZoneService\nspec:\n  ports: # ",
        "type: MeshMultiZoneService\nspec:\n  ports: [{port: 80, # ",
    ] {
        assert!(
            complete(text, text.len() as u32, KumaVersion::V3_0).is_empty(),
            "{text}"
        );
    }
    // A `#` inside quotes or a word is no comment.
    for (line, comment) in [
        ("  - {name: \"a #b\", appProtocol: ", false),
        ("  - {name: 'a #b', appProtocol: ", false),
        ("  - {name: \"a \\\" #b\", appProtocol: ", false),
        ("  - name: a#b", false),
        ("  - name: a #b", true),
        ("# spec", true),
        ("  - {name: \"a\"} # ", true),
    ] {
        let lines = super::yaml_lines::Lines::new(line);
        assert_eq!(lines.in_comment(line.len() as u32), comment, "{line}");
    }
}

#[test]
fn a_key_proposed_right_after_a_dash_starts_with_a_space() {
    let text = "type: MeshMultiZoneService\nspec:\n  ports:\n  -";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["name", "port", "appProtocol"]);
    assert_eq!(items[1].insert_text, " port: ");
    let text = "type: MeshMultiZoneService\nspec:\n  ports:\n  - ";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(items[1].insert_text, "port: ");
}

#[test]
fn every_offset_of_odd_texts_is_safe() {
    let texts = [
        MZS,
        "a: é🎉\n  - - x: [\n\t\"k\": 'v'\r\n---\n- : :\n#c\n  ''",
        "{\"type\": \"MeshService\", \"spec\": {\"ports\": [{}]}}",
        "type: MeshService\nspec:\n  ports:\n  - port: 1\n    targetPort: é\n",
    ];
    for text in texts {
        for offset in 0..=text.len() as u32 + 2 {
            let _ = hover(text, offset, KumaVersion::V3_0);
            let _ = complete(text, offset, KumaVersion::V2_14);
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// YAML-ish text: the characters block YAML nests with, plus multi-byte ones.
    fn yamlish() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("\n".to_owned()),
                Just("  ".to_owned()),
                Just("- ".to_owned()),
                Just(": ".to_owned()),
                Just("#".to_owned()),
                Just("---\n".to_owned()),
                Just("\"".to_owned()),
                Just("'".to_owned()),
                Just("[".to_owned()),
                Just("{".to_owned()),
                Just("é🎉".to_owned()),
                Just("\r\n".to_owned()),
                prop::sample::select(vec![
                    "type",
                    "kind",
                    "spec",
                    "ports",
                    "port",
                    "appProtocol",
                    "selector",
                    "MeshMultiZoneService",
                    "apiVersion",
                    "metadata",
                    "x",
                ])
                .prop_map(str::to_owned),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn hover_and_completion_never_panic_and_stay_in_the_text(text in yamlish(), at in 0u32..400) {
            let offset = at.min(text.len() as u32 + 2);
            if let Some(h) = hover(&text, offset, KumaVersion::V3_0) {
                prop_assert!(h.span.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(h.span.start as usize));
                prop_assert!(text.is_char_boundary(h.span.end as usize));
                prop_assert!(h.contents.starts_with("**"));
            }
            for item in complete(&text, offset, KumaVersion::V2_14) {
                prop_assert!(!item.label.is_empty());
                // JSON texts get quoted keys and string values.
                prop_assert!(item.insert_text.trim_start_matches('"').starts_with(&item.label));
            }
        }
    }
}

#[test]
fn completes_inside_yaml_flow_collections() {
    let labels = |items: &[CompletionItem]| -> Vec<String> {
        items.iter().map(|i| i.label.clone()).collect()
    };
    let head = "type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n";
    // A flow mapping opened after a block key, two levels deep.
    let text = format!("{head}  selector: {{meshService: {{");
    let items = complete(&text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["matchLabels"]);
    assert_eq!(items[0].insert_text, "matchLabels: ");
    // A label map inside it proposes well-known label keys.
    let text = format!("{head}  selector: {{meshService: {{matchLabels: {{");
    let items = complete(&text, text.len() as u32, KumaVersion::V3_0);
    assert!(
        labels(&items).contains(&"kuma.io/display-name".to_owned()),
        "{items:?}"
    );
    // A flow sequence of ports: the fields not written yet, then a value.
    let text = format!("{head}  ports: [{{port: 80, ");
    let items = complete(&text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["name", "appProtocol"], "{items:?}");
    let text = format!("{head}  ports: [{{port: 80, appProtocol: ");
    let items = complete(&text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["grpc", "http", "http2", "tcp"]);
    assert_eq!(items[0].insert_text, "grpc");
    // A flow mapping as a block sequence item.
    let text = format!("{head}  ports:\n  - {{port: 80, name: 'x', ");
    let items = complete(&text, text.len() as u32, KumaVersion::V3_0);
    assert_eq!(labels(&items), ["appProtocol"], "{items:?}");
    // A closed flow collection proposes nothing.
    let text = format!("{head}  selector: {{meshService: {{}}}} ");
    assert!(complete(&text, text.len() as u32, KumaVersion::V3_0).is_empty());
}

#[test]
fn completes_a_document_written_as_one_yaml_flow_mapping() {
    let text = "{type: MeshMultiZoneService, name: a, ";
    let items = complete(text, text.len() as u32, KumaVersion::V3_0);
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(
        labels.contains(&"mesh") && labels.contains(&"spec"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"type") && !labels.contains(&"name"),
        "{labels:?}"
    );
    let spec = items.iter().find(|i| i.label == "spec");
    assert_eq!(spec.map(|i| i.insert_text.as_str()), Some("spec: "));
    // JSON keeps its quotes.
    let json = "{\"type\": \"MeshMultiZoneService\", \"name\": \"a\", ";
    let items = complete(json, json.len() as u32, KumaVersion::V3_0);
    let spec = items.iter().find(|i| i.label == "spec");
    assert_eq!(spec.map(|i| i.insert_text.as_str()), Some("\"spec\": "));
}

#[test]
fn completes_inside_a_flow_collection_that_spans_lines() {
    let labels = |text: &str| -> Vec<String> {
        complete(text, text.len() as u32, KumaVersion::V3_0)
            .iter()
            .map(|i| i.label.clone())
            .collect()
    };
    let head = "type: MeshMultiZoneService\nname: a\nmesh: default\nspec:\n";
    let ports = format!("{head}  ports: [\n    {{port: 80,\n     ");
    assert_eq!(labels(&ports), ["name", "appProtocol"]);
    let second = format!("{head}  ports: [\n    {{port: 80}},\n    {{port: 81, name: b,\n     ");
    assert_eq!(labels(&second), ["appProtocol"]);
    let selector = format!("{head}  selector: {{\n    meshService: {{\n      ");
    assert_eq!(labels(&selector), ["matchLabels"]);
    // Closed above: block YAML again.
    let closed = format!("{head}  ports: [{{port: 80}}]\n  ");
    assert!(
        labels(&closed).contains(&"selector".to_owned()),
        "{:?}",
        labels(&closed)
    );
}

#[test]
fn own_labels_leave_out_the_display_name_a_release_replaces_on_write() {
    let universal = "type: MeshMultiZoneService\nname: a\nmesh: default\nlabels:\n  ";
    let manifest = "apiVersion: kuma.io/v1alpha1\nkind: MeshMultiZoneService\nmetadata:\n  name: a\n  labels:\n    ";
    for text in [universal, manifest] {
        let offered = |version| -> Vec<String> {
            let items = complete(text, text.len() as u32, version);
            labels(&items).into_iter().map(str::to_owned).collect()
        };
        assert!(
            !offered(KumaVersion::V3_0).contains(&"kuma.io/display-name".to_owned()),
            "{text:?}"
        );
        assert!(offered(KumaVersion::V3_0).contains(&"kuma.io/zone".to_owned()));
        assert!(offered(KumaVersion::V2_14).contains(&"kuma.io/display-name".to_owned()));
    }
}

/// A tab after a key's `:` separates its value, as in go-yaml: the values are offered there too.
#[test]
fn values_are_offered_after_a_tab() {
    for separator in [" ", "\t"] {
        let text = MZS.replace("appProtocol: http\n", &format!("appProtocol:{separator}\n"));
        let items = complete(&text, text.len() as u32 - 1, KumaVersion::V3_0);
        let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(labels, ["grpc", "http", "http2", "tcp"], "{separator:?}");
    }
}
