//! Each case was run through go-yaml v2.4.0 (`yaml.Unmarshal` as `sigs.k8s.io/yaml`'s
//! `YAMLToJSON` calls it): where Go refuses a text, so does the parser, with Go's words.

use super::*;
use crate::text::syntax::{parse, Limits, Node};
use crate::{check, CheckOptions, Code, Diagnostic};

/// `(line, column, message)` of every diagnostic of `text`'s syntax tree, 1-based columns in
/// characters.
fn errors(text: &str) -> Vec<(u32, u32, String)> {
    let parsed = parse(text, &Limits::default());
    let index = crate::LineIndex::new(text);
    parsed
        .diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let p = index.position(text, d.span.start);
            (p.line, p.column, d.message.clone())
        })
        .collect()
}

fn one_error(text: &str) -> (u32, u32, String) {
    let found = errors(text);
    assert_eq!(found.len(), 1, "{text:?}: {found:?}");
    found.into_iter().next().unwrap_or_default()
}

fn json(text: &str) -> Vec<serde_json::Value> {
    let parsed = parse(text, &Limits::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{text:?}: {:?}",
        parsed.diagnostics
    );
    parsed.documents.iter().map(|d| d.root.to_json()).collect()
}

const MZS: &str = "type: MeshMultiZoneService\nname: backend\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: VALUE\n  ports:\n  - port: 80\n";

#[test]
fn a_control_character_refuses_its_document_at_the_character() {
    let control = "invalid YAML: control characters are not allowed";
    for (value, col, code) in [
        ("back\u{1}end", 18, "U+0001"),
        ("back\u{0}end", 18, "U+0000"),
        ("\"back\u{1b}end\"", 19, "U+001B"),
        ("{x: back\u{7f}end}", 22, "U+007F"),
        ("back\u{80}end", 18, "U+0080"),
        ("'back\u{9f}end'", 19, "U+009F"),
        ("back\u{fffe}end", 18, "U+FFFE"),
        ("backend # \u{ffff}", 24, "U+FFFF"),
    ] {
        let text = MZS.replace("VALUE", value);
        let message = format!("{control} ({code})");
        assert_eq!(one_error(&text), (8, col, message), "{value:?}");
        let checked = check(&text, &CheckOptions::default());
        assert!(checked.documents.is_empty(), "{value:?}");
        assert_eq!(checked.diagnostics[0].code, Code::Syntax);
    }
    // The other documents of the stream are read, as kumactl reads each one alone.
    let text = "a: 1\n---\nb: x\u{1}\n# c\n---\nc: 3\n";
    assert_eq!(one_error(text).0, 3);
    assert_eq!(json(&text.replace('\u{1}', "")).len(), 3);
    let parsed = parse(text, &Limits::default());
    let roots: Vec<_> = parsed.documents.iter().map(|d| d.root.to_json()).collect();
    assert_eq!(
        roots,
        [serde_json::json!({"a": 1}), serde_json::json!({"c": 3})]
    );
    // A NUL on its own line: the same error (saphyr's was "found unprintable character").
    assert_eq!(
        one_error("a: 1\n\0\n"),
        (2, 1, format!("{control} (U+0000)"))
    );
    // What go-yaml's reader takes: tab, CR, NEL, U+00A0 and up, U+E000-U+FFFD, astral planes.
    assert!(unusual_char("a\tb\r\n\u{a0}\u{d7ff}\u{e000}\u{fffd}\u{10000}", 0, false).is_none());
}

#[test]
fn json_with_a_control_character_is_refused_as_yaml_is() {
    // Kuma reads a JSON file as YAML (`sigs.k8s.io/yaml`): the reader refuses it the same way.
    let text = "{\"type\": \"MeshMultiZoneService\", \"name\": \"back\u{7f}end\"}";
    let checked = check(text, &CheckOptions::default());
    let d = &checked.diagnostics;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].message,
        "invalid YAML: control characters are not allowed (U+007F)"
    );
    assert_eq!(d[0].span.start as usize, text.find('\u{7f}').unwrap_or(0));
}

#[test]
fn utf16_without_a_byte_order_mark_is_named() {
    let utf16le: String = "type: Mesh\nname: default\n"
        .chars()
        .flat_map(|c| [c, '\0'])
        .collect();
    let hint = "invalid YAML: control characters are not allowed (U+0000; the text looks like \
                UTF-16 without a byte order mark: save it as UTF-8)";
    assert_eq!(one_error(&utf16le), (1, 2, hint.to_owned()));
    let checked = check(&utf16le, &CheckOptions::default());
    assert!(checked.has_errors());
    let utf16be: String = "a: 1\n".chars().flat_map(|c| ['\0', c]).collect();
    assert_eq!(one_error(&utf16be), (1, 1, hint.to_owned()));
    // A NUL further on is only a control character.
    assert_eq!(
        one_error("a: \0"),
        (
            1,
            4,
            "invalid YAML: control characters are not allowed (U+0000)".into()
        )
    );
}

#[test]
fn go_yamls_other_line_breaks_end_lines() {
    // In a plain scalar of a block mapping the next "line" is a key without `:` (go-yaml:
    // "could not find expected ':'"), found where the key should have ended: the message names
    // the break (the core counts lines at `\n` and `\r` only, as editors do).
    for (brk, name) in [
        ('\u{85}', "U+0085"),
        ('\u{2028}', "U+2028"),
        ('\u{2029}', "U+2029"),
    ] {
        let text = format!("type: Mesh\nname: back{brk}end\nmtls: {{}}\n");
        let message = format!(
            "invalid YAML: could not find expected ':' (after {name}, which ends a line for Kuma's \
             YAML reader)"
        );
        assert_eq!(one_error(&text), (3, 1, message));
    }
    // A comment ends there: what follows is read.
    assert_eq!(
        json("a: 1 # note\u{2028}b: 2\n"),
        [serde_json::json!({"a": 1, "b": 2})]
    );
    assert_eq!(
        json("a: 1 # note\u{85}b: 2\n"),
        [serde_json::json!({"a": 1, "b": 2})]
    );
    // Also after a quoted value: the comment is not the scalar's (it was read as one line, and
    // the key after the break lost, so a document could say one mesh to us and another to Kuma).
    for quoted in ["\"x\"", "'x'", "'it''s'", "\"a\\\"b\""] {
        let value: serde_json::Value = json(&format!("a: {quoted}\n"))[0]["a"].clone();
        assert_eq!(
            json(&format!("a: {quoted} # note\u{2028}b: 2\n")),
            [serde_json::json!({"a": value, "b": 2})],
            "{quoted}"
        );
    }
    // Inside a quoted scalar go-yaml keeps U+2028 and U+2029.
    assert_eq!(
        json("a: \"x\u{2028}y\"\nb: 'x\u{2029}y'\n"),
        [serde_json::json!({"a": "x\u{2028}y", "b": "x\u{2029}y"})]
    );
    // U+0085 folds into a space in a quoted scalar, as a line break does: in a flow collection
    // (JSON). In block context it stays (saphyr would want the next line indented; go-yaml
    // folds it).
    assert_eq!(
        json("{\"a\": \"x\u{85}y\"}"),
        [serde_json::json!({"a": "x y"})]
    );
    assert_eq!(
        json("a: \"x\u{85}y\"\n"),
        [serde_json::json!({"a": "x\u{85}y"})]
    );
}

#[test]
fn tabs_are_taken_where_go_yaml_takes_them() {
    for (text, expected) in [
        ("app:\tbackend\n", serde_json::json!({"app": "backend"})),
        ("port:\t80\n", serde_json::json!({"port": 80})),
        (
            "type:\tMeshMultiZoneService\n",
            serde_json::json!({"type": "MeshMultiZoneService"}),
        ),
        ("a:\t\t-1\n", serde_json::json!({"a": -1})),
        ("a: {b:\tc}\n", serde_json::json!({"a": {"b": "c"}})),
        ("a: [b,\tc]\n", serde_json::json!({"a": ["b", "c"]})),
        ("a\t: b\t# c\n", serde_json::json!({"a": "b"})),
        ("a: \"b\"\t\n", serde_json::json!({"a": "b"})),
        ("a: b\tc\n", serde_json::json!({"a": "b\tc"})),
        ("a: &x\tb\n", serde_json::json!({"a": "b"})),
        // A plain scalar's next lines may hold a tab beyond its block collection's column.
        ("a: 1\n \t\nb: 2\n", serde_json::json!({"a": 1, "b": 2})),
        ("x:\n  a: 1\n   \t\n", serde_json::json!({"x": {"a": 1}})),
        // Content keeps its tabs, `:` or not.
        ("a: \"k:\tv\"\n", serde_json::json!({"a": "k:\tv"})),
        ("a: |\n  k:\tv\n", serde_json::json!({"a": "k:\tv\n"})),
        ("a: 'x\ty'\n", serde_json::json!({"a": "x\ty"})),
        // Before a block scalar header's comment, or after it alone.
        (
            "t: |-\t# one line\n  x.mesh\n",
            serde_json::json!({"t": "x.mesh"}),
        ),
        ("t: >\t\n  a\n  b\n", serde_json::json!({"t": "a b\n"})),
        ("- |2\t\n   x\n", serde_json::json!([" x\n"])),
        // Not a header: text of a quoted or plain scalar keeps its tab.
        ("t: \"a: |\tb\"\n", serde_json::json!({"t": "a: |\tb"})),
    ] {
        assert_eq!(json(text), [expected], "{text:?}");
    }
}

#[test]
fn tabs_go_yaml_refuses_are_refused_with_its_words() {
    let cannot = "invalid YAML: found character that cannot start any token (a tab)";
    let indentation = "invalid YAML: found a tab character that violates indentation";
    for (text, line, col, message) in [
        // A line of only a tab, after a plain scalar, inside its block collection's column.
        ("a: 1\n\t\nb: 2\n", 2, 1, indentation),
        ("a: 1\n\t\n", 2, 1, indentation),
        ("x:\n  a: 1\n  \t\n  b: 2\n", 3, 3, indentation),
        ("a: 1\n\t# c\n", 2, 1, indentation),
        ("- a\n\t\n", 2, 1, indentation),
        ("- - a\n  \t\n", 2, 3, indentation),
        // ... after anything else: go-yaml wants a token there.
        ("a: \"1\"\n\t\nb: 2\n", 2, 1, cannot),
        ("a: [1]\n \t\n", 2, 2, cannot),
        ("a:\n\t\n  b: 1\n", 2, 1, cannot),
        ("a: 1 # c\n\t\n", 2, 1, cannot),
        ("\t\n", 1, 1, cannot),
        // After `-` or `?`, and after a complex key's `:`.
        ("p:\n  -\tport: 80\n", 2, 4, cannot),
        ("- \tx\n", 1, 3, cannot),
        // Where saphyr's scanner refuses the same tab itself, go-yaml's words too: a tab-indented
        // key (the commonest editor mistake), a plain scalar's next line indented by a tab.
        ("spec:\n\tselector: {}\n", 2, 1, cannot),
        ("labels:\n  team: a\n\tb\n", 3, 1, indentation),
        (
            "template: |\n\t{{ .DisplayName }}.mesh\n",
            2,
            1,
            "invalid YAML: found a tab character where an indentation space is expected",
        ),
    ] {
        assert_eq!(one_error(text), (line, col, message.to_owned()), "{text:?}");
    }
    // saphyr refuses these itself, in its words.
    for text in ["? a\n: b\n?\tc\n", "? a\n:\tb\n"] {
        assert_eq!(errors(text).len(), 1, "{text:?}");
    }
    // The document is refused; the next one is read.
    let parsed = parse("a: 1\n\t\n---\nb: 2\n", &Limits::default());
    assert_eq!(parsed.documents.len(), 1);
    assert_eq!(
        parsed.documents[0].root.to_json(),
        serde_json::json!({"b": 2})
    );
}

#[test]
fn an_escape_go_yaml_does_not_know_refuses_the_document() {
    let message = "invalid YAML: while parsing a quoted scalar, found unknown escape character";
    assert_eq!(
        one_error("name: \"kuma.io\\/display-name\"\n"),
        (1, 15, message.to_owned())
    );
    let checked = check("type: Mesh\nname: \"a\\/b\"\n", &CheckOptions::default());
    assert_eq!(checked.diagnostics[0].message, message);
    // JSON as PHP writes it: go-yaml refuses `\/` there too.
    let text = r#"{"type": "Mesh", "name": "a\/b"}"#;
    let checked = check(text, &CheckOptions::default());
    assert_eq!(checked.diagnostics.len(), 1);
    assert_eq!(checked.diagnostics[0].message, message);
    assert_eq!(checked.diagnostics[0].span.start, 27);
    // An escaped backslash before `/` is fine.
    assert_eq!(json(r#"{"a": "\\/"}"#), [serde_json::json!({"a": "\\/"})]);
    // go-yaml refuses a surrogate pair (JSON's way to write U+1F389).
    let checked = check(r#"["\ud83c\udf89"]"#, &CheckOptions::default());
    assert_eq!(
        checked.diagnostics[0].message,
        "invalid YAML: while parsing a quoted scalar, found invalid Unicode character escape code"
    );
}

#[test]
fn binary_is_base64_decoded_as_go_yaml_decodes_it() {
    let name = |text: &str| -> Option<String> {
        let parsed = parse(text, &Limits::default());
        let root: Option<&Node> = parsed.documents.first().map(|d| &d.root);
        root.and_then(|r| r.get("name")?.as_str().map(str::to_owned))
    };
    assert_eq!(
        name("name: !!binary YmFja2VuZA==\n").as_deref(),
        Some("backend")
    );
    // Line breaks inside are skipped, as Go's base64 decoder skips them.
    assert_eq!(
        name("name: !!binary |\n  YmFja2Vu\n  ZA==\n").as_deref(),
        Some("backend")
    );
    assert_eq!(
        name("name: !<tag:yaml.org,2002:binary> \"\"\n").as_deref(),
        Some("")
    );
    // Bytes that are not UTF-8 reach Kuma as U+FFFD, one per byte (Go's JSON encoder).
    assert_eq!(binary("/w=="), Some("\u{fffd}".to_owned()));
    assert_eq!(binary("4oA="), Some("\u{fffd}\u{fffd}".to_owned()));
    let invalid = "invalid YAML: !!binary value contains invalid base64 data";
    for bad in [
        "YmFja2VuZA",
        "_w==",
        "12",
        "YmFj a2VuZA==",
        "YQ==YQ==",
        "Y===",
    ] {
        let text = format!("name: !!binary {bad}\n");
        assert_eq!(one_error(&text), (1, 7, invalid.to_owned()), "{bad}");
    }
    // Through check(): the name Kuma reads is valid.
    let text = "type: Mesh\nname: !!binary ZGVmYXVsdA==\n";
    assert!(!check(text, &CheckOptions::default()).has_errors());
}

#[test]
fn a_float_beyond_float64_stays_a_string() {
    // go-yaml's `ParseFloat` fails, so Kuma reads the text, and says so.
    assert_eq!(
        json("a: 1e400\nb: -1e400\nc: .5e400\nd: 1e-400\n"),
        [serde_json::json!({"a": "1e400", "b": "-1e400", "c": ".5e400", "d": 0})]
    );
    let text = MZS.replace("- port: 80", "- port: 1e400");
    let checked = check(&text, &CheckOptions::default());
    let messages: Vec<&str> = checked
        .all_diagnostics()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["spec.ports[0].port in body must be of type integer: \"string\""]
    );
}

#[test]
fn a_byte_order_mark_is_read_where_kumactl_reads_one() {
    // Two files saved by Windows, concatenated: kumactl reads each document alone, and drops
    // the mark that starts one (it was read as part of the first key, so the MZS was no Kuma
    // resource).
    for text in [
        "a: 1\n---\n\u{feff}b: 2\n",
        "a: 1\r\n---\r\n\u{feff}b: 2\r\n",
        "a: 1\n--- # two\n\u{feff}b: 2\n",
    ] {
        assert_eq!(
            json(text),
            [serde_json::json!({"a": 1}), serde_json::json!({"b": 2})],
            "{text:?}"
        );
    }
    // Its type is found, at its place.
    let two = format!("{MZS}---\n\u{feff}{MZS}");
    let checked = check(&two, &CheckOptions::default());
    assert_eq!(checked.documents.len(), 2);
    let found = |text: &str| -> Vec<String> {
        let checked = check(text, &CheckOptions::default());
        checked
            .all_diagnostics()
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(found(&two), [found(MZS), found(MZS)].concat());
    // In a comment it is text; in a quoted scalar it stays.
    assert_eq!(
        json("a: 1 # x\u{feff}\nb: 2\n"),
        [serde_json::json!({"a": 1, "b": 2})]
    );
    assert_eq!(
        json("a: \"x #\u{feff}\"\n"),
        [serde_json::json!({"a": "x #\u{feff}"})]
    );
}
