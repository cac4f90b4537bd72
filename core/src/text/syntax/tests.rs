use super::*;
use crate::text::diagnostics::Code;

proptest::proptest! {
    /// The decimal fast path reads exactly what the general integer route reads.
    #[test]
    fn parse_int_fast_path_matches_general(text in "[0-9]{0,20}|[-+0-9xoa-f.]{0,22}") {
        proptest::prop_assert_eq!(parse_int(&text), parse_int_general(&text));
    }
}

fn parse_one(text: &str) -> Node {
    let parsed = parse(text, &Limits::default());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.documents.len(), 1);
    parsed
        .documents
        .into_iter()
        .next()
        .map(|d| d.root)
        .unwrap_or(Node {
            kind: NodeKind::Sequence(vec![]),
            span: TextRange::empty(0),
        })
}

fn slice(text: &str, span: TextRange) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn scalars_keep_exact_spans_in_block_yaml() {
    let text = "spec:\n  ports:\n  - port: 80\n    appProtocol: \"http\"\n";
    let root = parse_one(text);
    let port = root
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(|p| p.as_sequence())
        .and_then(|p| p.first())
        .cloned();
    let port = port.unwrap_or(root.clone());
    assert_eq!(
        slice(text, port.get("port").map(|n| n.span).unwrap_or_default()),
        "80"
    );
    assert_eq!(
        slice(
            text,
            port.get("appProtocol").map(|n| n.span).unwrap_or_default()
        ),
        "\"http\""
    );
    assert_eq!(
        slice(
            text,
            port.entry("appProtocol")
                .map(|e| e.key.span)
                .unwrap_or_default()
        ),
        "appProtocol"
    );
}

#[test]
fn json_is_read_with_positions() {
    let text = "{\"spec\": {\"ports\": [{\"port\": \"80\"}]}}";
    let root = parse_one(text);
    let port = root
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(|p| p.as_sequence())
        .and_then(|p| p.first())
        .and_then(|p| p.get("port"))
        .cloned();
    let port = port.unwrap_or(root);
    assert_eq!(slice(text, port.span), "\"80\"");
    assert_eq!(
        port.as_scalar().map(Scalar::resolve),
        Some(Resolved::Str("80"))
    );
}

#[test]
fn non_ascii_text_maps_to_byte_offsets() {
    let text = "name: \"é🎉\"\nport: abc\n";
    let root = parse_one(text);
    assert_eq!(
        slice(text, root.get("port").map(|n| n.span).unwrap_or_default()),
        "abc"
    );
}

#[test]
fn scalars_resolve_as_kumas_yaml_decoder_reads_them() {
    let root =
        parse_one("a: 12\nb: '12'\nc: ~\nd: true\ne: 1.5\nf: 0x1F\ng: 99999999999999999999\n");
    let r = |k: &str| root.get(k).and_then(|n| n.as_scalar()).map(|s| s.resolve());
    assert_eq!(r("a"), Some(Resolved::Int(12)));
    assert_eq!(r("b"), Some(Resolved::Str("12")));
    assert_eq!(r("c"), Some(Resolved::Null));
    assert_eq!(r("d"), Some(Resolved::Bool(true)));
    assert_eq!(r("e"), Some(Resolved::Float(1.5)));
    assert_eq!(r("f"), Some(Resolved::Int(31)));
    assert!(matches!(r("g"), Some(Resolved::Float(_))));
}

#[test]
fn yaml_1_1_values_resolve_as_go_yaml_v2_and_sigs_k8s_yaml_give_them_to_kuma() {
    // kumactl and kubectl read YAML through sigs.k8s.io/yaml, i.e. go-yaml v2's YAML 1.1 rules,
    // then JSON: what Kuma validates.
    let cases: &[(&str, Resolved<'_>)] = &[
        ("yes", Resolved::Bool(true)),
        ("On", Resolved::Bool(true)),
        ("y", Resolved::Bool(true)),
        ("NO", Resolved::Bool(false)),
        ("off", Resolved::Bool(false)),
        ("n", Resolved::Bool(false)),
        ("0777", Resolved::Int(511)),
        ("08", Resolved::Int(8)),
        ("0", Resolved::Int(0)),
        ("-0x1F", Resolved::Int(-31)),
        ("0b101", Resolved::Int(5)),
        ("0o17", Resolved::Int(15)),
        ("1_000", Resolved::Int(1000)),
        ("+80", Resolved::Int(80)),
        ("6379.0", Resolved::Int(6379)),
        ("8e3", Resolved::Int(8000)),
        (".5", Resolved::Float(0.5)),
        ("1.5e-1", Resolved::Float(0.15)),
        ("1e", Resolved::Str("1e")),
        ("1.2.3", Resolved::Str("1.2.3")),
        ("2024-01-01", Resolved::Str("2024-01-01")),
        ("yess", Resolved::Str("yess")),
        ("0x", Resolved::Str("0x")),
        ("12abc", Resolved::Str("12abc")),
    ];
    for (text, want) in cases {
        let root = parse_one(&format!("v: {text}\n"));
        let got = root
            .get("v")
            .and_then(|n| n.as_scalar())
            .map(|s| s.resolve());
        assert_eq!(got.as_ref(), Some(want), "{text}");
    }
    // Quoted, they stay text.
    let root = parse_one("v: 'yes'\n");
    let got = root
        .get("v")
        .and_then(|n| n.as_scalar())
        .map(|s| s.resolve());
    assert_eq!(got, Some(Resolved::Str("yes")));
}

#[test]
fn multi_document_streams_skip_empty_documents() {
    let parsed = parse("---\na: 1\n---\n---\nb: 2\n...\n", &Limits::default());
    assert!(parsed.diagnostics.is_empty());
    assert_eq!(parsed.documents.len(), 2);
}

/// kumactl and kubectl split a stream at `---` and read each document alone: a syntax error
/// loses its own document, not the ones after it, which keep their exact positions (also after
/// non-ASCII text).
#[test]
fn documents_after_a_syntax_error_are_still_read() {
    for prefix in ["", "# café ☕\n"] {
        let text = format!("{prefix}a: 1\n---\nb: {{x: [1}}\nlost: 2\n---\nc: 3\n---x: not a marker\n---\nd: 'é'\n");
        let parsed = parse(&text, &Limits::default());
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        assert_eq!(parsed.diagnostics[0].code, Code::Syntax);
        let roots: Vec<serde_json::Value> =
            parsed.documents.iter().map(|d| d.root.to_json()).collect();
        assert_eq!(
            roots,
            vec![
                serde_json::json!({"a": 1}),
                serde_json::json!({"c": 3, "---x": "not a marker"}),
                serde_json::json!({"d": "é"})
            ],
            "{prefix:?}"
        );
        let first_key = |d: &Document| d.root.as_mapping().map(|m| m[0].key.span.start as usize);
        let first_value =
            |d: &Document| d.root.as_mapping().map(|m| m[0].value.span.start as usize);
        assert_eq!(first_key(&parsed.documents[1]), text.find("c: 3"));
        assert_eq!(first_value(&parsed.documents[2]), text.find("'é'"));
    }
    // An unclosed flow mapping: the scanner stops at the next marker itself.
    let text = "a: {x: 1\n---\nb: 2\n---\n{c: [\n---\nd: 4\n";
    let parsed = parse(text, &Limits::default());
    let roots: Vec<serde_json::Value> = parsed.documents.iter().map(|d| d.root.to_json()).collect();
    assert_eq!(
        roots,
        vec![serde_json::json!({"b": 2}), serde_json::json!({"d": 4})]
    );
    assert_eq!(parsed.diagnostics.len(), 2, "{:?}", parsed.diagnostics);
    {}
}

/// The scanner may report an error only on the line after the next `---` (an unclosed flow
/// collection in a block sequence), right after a non-ASCII character, or at an alias of an
/// anchor not defined yet: the documents after the marker are read all the same.
#[test]
fn documents_after_any_syntax_error_are_read() {
    for broken in [
        "ports:\n- {port: 80, appProtocol: http\n",
        "a:\n  - [b\n",
        "? [a\n",
        "a: é: x\n",
        "spec: &b\n  ports: *b\n",
    ] {
        let text = format!("{broken}---\nb: 2\n---\nc: 3\n");
        let parsed = parse(&text, &Limits::default());
        assert_eq!(
            parsed.diagnostics.len(),
            1,
            "{broken:?}: {:?}",
            parsed.diagnostics
        );
        let roots: Vec<serde_json::Value> =
            parsed.documents.iter().map(|d| d.root.to_json()).collect();
        assert_eq!(
            roots,
            vec![serde_json::json!({"b": 2}), serde_json::json!({"c": 3})],
            "{broken:?}"
        );
    }
}

#[test]
fn syntax_errors_point_at_their_location_and_keep_earlier_documents() {
    let text = "a: 1\n---\nb: \"unclosed\n";
    let parsed = parse(text, &Limits::default());
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, Code::Syntax);
    assert!(parsed.diagnostics[0].span.start >= 9);
}

#[test]
fn alias_bombs_hit_the_node_budget() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let parsed = parse(&text, &Limits::default());
    assert_eq!(parsed.documents.len(), 0);
    assert_eq!(
        parsed.diagnostics.first().map(|d| d.code),
        Some(Code::Limit)
    );
}

/// The node budget is for what aliases expand to: a large file written out in full (a
/// `kubectl get -o yaml` of many objects) is bounded by its size in bytes, not cut off.
#[test]
fn many_plain_nodes_are_not_an_alias_bomb() {
    let doc = "type: MeshService\nname: svc\nmesh: default\nlabels:\n  app: a\nspec:\n  ports:\n  - port: 80\n    appProtocol: http\n";
    let text = format!("{doc}---\n").repeat(9_000);
    assert!(text.len() < Limits::default().max_bytes);
    let parsed = parse(&text, &Limits::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{:?}",
        parsed.diagnostics.first()
    );
    assert_eq!(parsed.documents.len(), 9_000);
    // The JSON reader too.
    let json = format!("[{}1]", "{\"a\": [1, 2, 3]}, ".repeat(30_000));
    let parsed = parse(&json, &Limits::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{:?}",
        parsed.diagnostics.first()
    );
}

#[test]
fn deep_nesting_is_refused_without_recursion() {
    let text = "[".repeat(100_000);
    let parsed = parse(&text, &Limits::default());
    assert_eq!(
        parsed.diagnostics.first().map(|d| d.code),
        Some(Code::Limit)
    );
}

#[test]
fn oversized_and_non_utf8_input_is_reported() {
    let limits = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(parse("a: 12345", &limits).diagnostics[0].code, Code::Limit);
    let (text, parsed) = parse_bytes(b"a: \xff\xfe", &Limits::default());
    assert!(text.is_none());
    assert_eq!(parsed.diagnostics[0].span.start, 3);
}

/// What Kuma's YAML decoder (go-yaml v2 under `sigs.k8s.io/yaml`) makes of `v: <text>`: the
/// value, or its error (which rejects the document).
fn tagged(text: &str) -> Result<serde_json::Value, String> {
    let parsed = parse(&format!("v: {text}\n"), &Limits::default());
    match parsed.diagnostics.first() {
        Some(d) => {
            assert!(
                parsed.documents.is_empty(),
                "{text}: the document is rejected"
            );
            assert_eq!(d.code, Code::Syntax);
            assert_eq!(d.span.start, 3, "{text}: the error is at the tag");
            Err(d.message.clone())
        }
        None => Ok(parsed.documents[0].root.to_json()["v"].clone()),
    }
}

#[test]
fn explicit_tags_give_the_value_go_yaml_v2_gives_kuma() {
    use serde_json::json;
    let cases: &[(&str, serde_json::Value)] = &[
        ("!!int \"81\"", json!(81)),
        ("!!int '0x51'", json!(81)),
        ("!!int 1_000", json!(1000)),
        ("!!str 123", json!("123")),
        ("!!str yes", json!("yes")),
        ("!!str ~", json!("~")),
        ("!!str", json!("")),
        ("!!str http", json!("http")),
        ("!!bool \"yes\"", json!(true)),
        ("!!bool off", json!(false)),
        ("!!float 81", json!(81)),
        ("!!float \"1.5\"", json!(1.5)),
        ("!!float .inf", serde_json::Value::Null),
        ("!!null ''", serde_json::Value::Null),
        ("!!null", serde_json::Value::Null),
        ("!!null ~", serde_json::Value::Null),
        ("!!timestamp 2001-12-14", json!("2001-12-14")),
        (
            "!!timestamp '2001-12-14T21:59:43.10-05:00'",
            json!("2001-12-14T21:59:43.10-05:00"),
        ),
        (
            "!!timestamp 2001-12-14 21:59:43.10",
            json!("2001-12-14 21:59:43.10"),
        ),
        ("!!map abc", json!("abc")),
        ("!!seq 12", json!("12")),
        ("!foo 12", json!("12")),
        ("! true", json!("true")),
        ("!<tag:yaml.org,2002:int> '7'", json!(7)),
        ("!!int 0x1e", json!(30)),
        ("!!float 6379.0", json!(6379)),
        ("!<tag:yaml.org,2002:str> 7", json!("7")),
        ("!!int &a '9'", json!(9)),
        // go-yaml v2 ignores tags on mappings and sequences.
        ("!!str {a: 1}", json!({"a": 1})),
        ("!!map [1]", json!([1])),
        ("!!seq\n  a: !!str 1", json!({"a": "1"})),
    ];
    for (text, want) in cases {
        assert_eq!(tagged(text).as_ref(), Ok(want), "{text}");
    }
    let rejected: &[(&str, &str)] = &[
        ("!!int abc", "cannot decode !!str `abc` as a !!int"),
        ("!!int \"1.5\"", "cannot decode !!float `1.5` as a !!int"),
        ("!!int -.inf", "cannot decode !!float `-.inf` as a !!int"),
        // Integral, and an integer to Kuma untagged, but a float to go-yaml's resolver.
        ("!!int 6379.0", "cannot decode !!float `6379.0` as a !!int"),
        ("!!int 1e3", "cannot decode !!float `1e3` as a !!int"),
        ("!!int ''", "cannot decode !!null `` as a !!int"),
        ("!!int", "cannot decode !!null `` as a !!int"),
        ("!!int yes", "cannot decode !!bool `yes` as a !!int"),
        (
            "!!int 2001-12-14",
            "cannot decode !!str `2001-12-14` as a !!int",
        ),
        ("!!bool 1", "cannot decode !!int `1` as a !!bool"),
        (
            "!!bool \"True \"",
            "cannot decode !!str `True ` as a !!bool",
        ),
        ("!!float abc", "cannot decode !!str `abc` as a !!float"),
        ("!!null 0", "cannot decode !!int `0` as a !!null"),
        ("!!null false", "cannot decode !!bool `false` as a !!null"),
        (
            "!!timestamp 123",
            "cannot decode !!int `123` as a !!timestamp",
        ),
        (
            "!!timestamp 2001-02-30",
            "cannot decode !!str `2001-02-30` as a !!timestamp",
        ),
        (
            "!!timestamp 2001-12-14T21:59:43",
            "cannot decode !!str `2001-12-14T21:59:43` as a !!timestamp",
        ),
    ];
    for (text, want) in rejected {
        assert_eq!(tagged(text), Err(format!("invalid YAML: {want}")), "{text}");
    }
}

#[test]
fn a_tag_error_rejects_only_its_document_and_every_bad_tag_is_reported() {
    let text = "a: !!int x\nb: !!bool 2\n---\nc: !!int '3'\n";
    let parsed = parse(text, &Limits::default());
    let at: Vec<&str> = parsed
        .diagnostics
        .iter()
        .map(|d| slice(text, d.span))
        .collect();
    assert_eq!(at, ["!!int x", "!!bool 2"]);
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(parsed.documents[0].root.to_json()["c"], 3);
}

#[test]
fn a_merge_key_tagged_merge_still_merges_and_one_tagged_str_does_not() {
    let root = parse_one("!!merge <<: 1\n!!str <<: 2\n");
    let plain: Vec<bool> = root
        .as_mapping()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.key.as_scalar().map(|s| s.plain))
        .collect();
    assert_eq!(plain, [true, false]);
}

/// A tab used for indentation is reported where it is, not at the scalar before it.
#[test]
fn a_tab_in_the_indentation_is_reported_at_the_tab() {
    for text in [
        "a:\n  b: 80\n\tc: 2\n",
        "a:\n  b:\n\tc: {}\n",
        "a:\n\t- b\n",
        "a:\n  - b\n\t- c\n",
    ] {
        let parsed = parse(text, &Limits::default());
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        assert_eq!(
            parsed.diagnostics[0].span.start as usize,
            text.find('\t').unwrap_or(0),
            "{text:?}"
        );
    }
}

/// On a long line of non-ASCII text every scalar's span is still exact (markers carry character
/// columns, mapped to bytes as the line is read).
#[test]
fn spans_on_a_long_non_ascii_line_are_exact() {
    let items: Vec<String> = (0..300).map(|i| format!("'é{i}'")).collect();
    let text = format!("a: [{}]\nb: é\n", items.join(", "));
    let root = parse_one(&text);
    let seq = root
        .get("a")
        .and_then(Node::as_sequence)
        .unwrap_or_default();
    assert_eq!(seq.len(), 300);
    for (item, written) in seq.iter().zip(&items) {
        assert_eq!(slice(&text, item.span), written);
    }
    assert_eq!(
        slice(&text, root.get("b").map(|n| n.span).unwrap_or_default()),
        "é"
    );
}
