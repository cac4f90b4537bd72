//! Data-driven template tests: one `check` for rendering, one for errors.

use super::*;

fn data() -> TemplateData {
    TemplateData {
        name: "redis-xyz".into(),
        display_name: "redis".into(),
        namespace: "kuma-demo".into(),
        mesh: "default".into(),
        zone: "east".into(),
        labels: [("app".to_owned(), "web".to_owned())].into_iter().collect(),
    }
}

/// Render `source` against [`data`] and compare with `expected` (`Ok` text or `Err` message).
fn check(source: &str, expected: Result<&str, &str>) {
    let got = Template::parse(source).and_then(|t| t.render(&data()));
    let got = got.as_ref().map(String::as_str).map_err(|e| e.0.as_str());
    assert_eq!(got, expected, "template {source:?}");
}

#[test]
fn renders_fields_labels_and_pipelines() {
    check(
        "{{ .DisplayName }}.mzsvc.mesh.local",
        Ok("redis.mzsvc.mesh.local"),
    );
    check(
        "{{ .DisplayName }}.{{ .Namespace }}.svc.{{ .Zone }}.mesh.local",
        Ok("redis.kuma-demo.svc.east.mesh.local"),
    );
    check("{{ label \"app\" }}.{{ .Mesh }}", Ok("web.default"));
    check("{{ \"app\" | label }}", Ok("web"));
    check("{{ .Name | printf \"%s.x\" }}", Ok("redis-xyz.x"));
    check("{{ printf \"%s-%d\" .Mesh 3 }}", Ok("default-3"));
    check("a {{- .Mesh -}} b", Ok("adefaultb"));
    check("{{/* c */}}x{{- /* c */ -}} y", Ok("xy"));
    check("{{ $n := .Name }}{{ $n }}", Ok("redis-xyz"));
    check("{{ with .Zone }}{{ . }}{{ else }}none{{ end }}", Ok("east"));
    check(
        "{{ if eq .Zone \"west\" }}w{{ else if eq .Zone \"east\" }}e{{ end }}",
        Ok("e"),
    );
    check("{{ if not .Namespace }}x{{ else }}y{{ end }}", Ok("y"));
    check("{{ range 3 }}{{ . }}{{ end }}", Ok("012"));
    check("{{ (.Mesh) }}", Ok("default"));
    check(
        "{{ `raw` }}{{ 'a' }}{{ 1.5 }}{{ true }}",
        Ok("raw971.5true"),
    );
    check("{{ . }}", Ok("{redis-xyz redis kuma-demo default east}"));
    check("{{ len .Mesh }}", Ok("7"));
    check("{{ and .Mesh .Zone }}{{ or \"\" .Zone }}", Ok("easteast"));
}

#[test]
fn parse_errors_read_like_go() {
    check(
        "{{ .Name[4 }}.mesh",
        Err("template: :1: bad character U+005B '['"),
    );
    check("{{ x }}", Err("template: :1: function \"x\" not defined"));
    check(
        "{{ .Name }",
        Err("template: :1: unexpected \"}\" in operand"),
    );
    check("{{ .Name", Err("template: :1: unclosed action"));
    check("{{ }}", Err("template: :1: missing value for command"));
    check("{{ if .Name }}x", Err("template: :1: unexpected EOF"));
    check("{{ end }}", Err("template: :1: unexpected {{end}}"));
    check("{{ $x }}", Err("template: :1: undefined variable \"$x\""));
    check("{{ \"a }}", Err("template: :1: unterminated quoted string"));
    check(
        "{{ .A | \"b\" }}",
        Err("template: :1: non executable command in pipeline stage 2"),
    );
    check("{{ ( .A }}", Err("template: :1: unclosed left paren"));
    check(
        "{{ .A ) }}",
        Err("template: :1: unexpected \")\" in command"),
    );
    check(
        "{{ break }}",
        Err("template: :1: {{break}} outside {{range}}"),
    );
    check("{{ 3x }}", Err("template: :1: bad number syntax: \"3x\""));
    check(
        "{{ /* x */ }}",
        Err("template: :1: unexpected \"/\" in command"),
    );
    check("{{/* x }}", Err("template: :1: unclosed comment"));
    check(
        "{{ if }}{{ end }}",
        Err("template: :1: missing value for if"),
    );
    check("a\n{{ }}", Err("template: :2: missing value for command"));
    check("{{ else }}", Err("template: :1: unexpected {{else}}"));
    check(
        "{{ .A € }}",
        Err("template: :1: unrecognized character in action: U+20AC '€'"),
    );
}

#[test]
fn execution_errors_read_like_go() {
    check(
        "{{ .Foo }}",
        Err("template: :1:3: executing \"\" at <.Foo>: can't evaluate field Foo in type hostname.meshedName"),
    );
    check(
        "x.{{ .Name.Foo }}",
        Err("template: :1:10: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type string"),
    );
    check(
        "{{ label \"missing\" }}",
        Err("template: :1:3: executing \"\" at <label \"missing\">: error calling label: label missing not found"),
    );
    check(
        "{{ label }}",
        Err("template: :1:3: executing \"\" at <label>: wrong number of args for label: want 1 got 0"),
    );
    check(
        "{{ label 1 }}",
        Err("template: :1:9: executing \"\" at <1>: expected string; found 1"),
    );
    check(
        "{{ nil }}",
        Err("template: :1:3: executing \"\" at <nil>: nil is not a command"),
    );
    check(
        "{{ .Name \"x\" }}",
        Err("template: :1:3: executing \"\" at <.Name>: Name has arguments but cannot be invoked as function"),
    );
    // Go 1.19 and later print the whole node (older Go cut it at 20 bytes).
    check(
        "{{ .VeryLongFieldNameThatGoesOnAndOn }}",
        Err("template: :1:3: executing \"\" at <.VeryLongFieldNameThatGoesOnAndOn>: can't evaluate field VeryLongFieldNameThatGoesOnAndOn in type hostname.meshedName"),
    );
}

#[test]
fn the_validator_stub_renders_with_kumas_stub_values() {
    let t = Template::parse(
        "{{ .Name }}.{{ .DisplayName }}.{{ .Namespace }}.{{ .Mesh }}.{{ .Zone }}.{{ label \"x\" }}",
    );
    let got = t.and_then(|t| t.render_stub());
    assert_eq!(
        got,
        Ok("name.displayname.namespace.mesh.zone.label".to_owned())
    );
    let err = Template::parse("{{ .name }}").and_then(|t| t.render_stub());
    assert_eq!(
        err.map_err(|e| e.0),
        Err("template: :1:3: executing \"\" at <.name>: can't evaluate field name in type struct { Name string; DisplayName string; Namespace string; Mesh string; Zone string }".to_owned())
    );
}

#[test]
fn runaway_templates_stop_with_an_error() {
    let r = Template::parse("{{ range 1000000000 }}x{{ end }}").and_then(|t| t.render(&data()));
    assert!(r.is_err());
    let deep = "{{ ".to_owned() + &"(".repeat(500) + ".A" + &")".repeat(500) + " }}";
    let r = Template::parse(&deep);
    assert_eq!(
        r.map(|_| ()).map_err(|e| e.0),
        Err("template: :1: max expression depth exceeded".to_owned())
    );
}

/// The vocabulary front ends read is the one templates render: each field and Kuma function.
#[test]
fn the_published_vocabulary_renders() {
    for field in FIELDS {
        let source = format!("{{{{ .{field} }}}}");
        let rendered = Template::parse(&source).and_then(|t| t.render(&data()));
        assert!(rendered.is_ok_and(|r| !r.is_empty()), "{source}");
    }
    for function in KUMA_FUNCTIONS {
        let source = format!("{{{{ {function} \"app\" }}}}");
        let rendered = Template::parse(&source).and_then(|t| t.render(&data()));
        assert_eq!(rendered.map_err(|e| e.0), Ok("web".to_owned()), "{source}");
    }
}
