//! Diagnostics and the mapping from Kuma field paths to Terraform attribute paths.
//!
//! Kuma says `spec.ports[1].appProtocol`; the same thing in our schema is the attribute
//! `app_protocol` of the second `port` block, i.e. steps `port`, `[1]`, `app_protocol`.

use tfplugin_proto::tfplugin6 as pb;

use crate::client::ClientError;

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Attribute or block name.
    Attr(String),
    /// List index.
    Index(i64),
    /// Map key.
    Key(String),
}

/// A Terraform diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// Error (true) or warning.
    pub error: bool,
    /// One line.
    pub summary: String,
    /// More.
    pub detail: String,
    /// Where, inside the resource's configuration.
    pub path: Vec<Step>,
    /// The core's "likely a version mismatch" hint ([`version_hint`]), shown after the detail.
    pub hint: Option<String>,
}

impl Diag {
    /// An error.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diag {
        Diag {
            error: true,
            summary: summary.into(),
            detail: detail.into(),
            path: Vec::new(),
            hint: None,
        }
    }

    /// A warning.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diag {
        Diag {
            error: false,
            ..Diag::error(summary, detail)
        }
    }

    /// Attach a path.
    pub fn at(mut self, path: Vec<Step>) -> Diag {
        self.path = path;
        self
    }

    /// Attach a version hint ([`version_hint`]).
    pub fn with_hint(mut self, hint: Option<String>) -> Diag {
        self.hint = hint;
        self
    }

    /// What Terraform shows under the summary: the detail, then the hint on its own paragraph.
    pub fn full_detail(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{}\n\nHint: {hint}", self.detail),
            None => self.detail.clone(),
        }
    }

    /// Protocol form.
    pub fn to_proto(&self) -> pb::Diagnostic {
        use pb::attribute_path::step::Selector;
        pb::Diagnostic {
            severity: if self.error {
                pb::diagnostic::Severity::Error
            } else {
                pb::diagnostic::Severity::Warning
            } as i32,
            summary: self.summary.clone(),
            detail: self.full_detail(),
            attribute: (!self.path.is_empty()).then(|| pb::AttributePath {
                steps: self
                    .path
                    .iter()
                    .map(|s| pb::attribute_path::Step {
                        selector: Some(match s {
                            Step::Attr(a) => Selector::AttributeName(a.clone()),
                            Step::Index(i) => Selector::ElementKeyInt(*i),
                            Step::Key(k) => Selector::ElementKeyString(k.clone()),
                        }),
                    })
                    .collect(),
            }),
        }
    }
}

/// The core's hint (`validate::hints`) for an error that another release accepts, with the
/// provider setting that picks the release it suggests.
pub fn version_hint(hint: &kuma_mzs_core::validate::Hint) -> String {
    format!(
        "{} (provider setting kuma_version = \"{}\"; it applies when the control plane's release cannot be read).",
        hint.text, hint.release
    )
}

/// Path to an attribute name.
pub fn attr(name: &str) -> Vec<Step> {
    vec![Step::Attr(name.to_owned())]
}

/// Map a Kuma field path (`spec.ports[1].appProtocol`, `labels["kuma.io/zone"]`) to our
/// attribute path. `spec` disappears (our resources are flat), `ports` becomes the repeated
/// `port` block, camelCase becomes snake_case.
pub fn kuma_path(field: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut chars = field.char_indices().peekable();
    let mut current = String::new();
    let flush = |current: &mut String, steps: &mut Vec<Step>| {
        if !current.is_empty() {
            let name = std::mem::take(current);
            if name != "spec" {
                steps.push(Step::Attr(attribute_name(&name)));
            }
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '.' => flush(&mut current, &mut steps),
            '[' => {
                flush(&mut current, &mut steps);
                let rest = &field[i + 1..];
                let Some(end) = find_bracket_end(rest) else {
                    break;
                };
                let inner = &rest[..end];
                if let Ok(index) = inner.parse::<i64>() {
                    steps.push(Step::Index(index));
                } else {
                    steps.push(Step::Key(inner.trim_matches('"').to_owned()));
                }
                // Skip past the closing bracket.
                let skip_to = i + 1 + end;
                while chars.peek().is_some_and(|(j, _)| *j <= skip_to) {
                    chars.next();
                }
            }
            other => current.push(other),
        }
    }
    flush(&mut current, &mut steps);
    steps
}

/// An attribute path as the configuration spells it: `port[1].app_protocol`,
/// `labels["kuma.io/zone"]`, `selector.mesh_service.match_labels`.
pub fn attribute_text(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Attr(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(name);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
            Step::Key(k) => text.push_str(&format!("[{k:?}]")),
        }
    }
    text
}

/// What a diagnostic about the Kuma field `field` calls it: the attribute it maps to
/// ([`kuma_path`], [`attribute_text`]), so the text names what the configuration says
/// (`port[0].app_protocol`, not `spec.ports[0].appProtocol`); the Kuma field itself when it
/// maps to no attribute; "the resource" for none.
pub fn field_text(field: &str) -> String {
    let path = kuma_path(field);
    match (field.is_empty(), path.is_empty()) {
        (true, _) => "the resource".to_owned(),
        (false, true) => field.to_owned(),
        (false, false) => attribute_text(&path),
    }
}

fn find_bracket_end(rest: &str) -> Option<usize> {
    let mut in_quotes = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ']' if !in_quotes => return Some(i),
            _ => {}
        }
    }
    None
}

fn attribute_name(kuma: &str) -> String {
    if kuma == "ports" {
        return "port".into();
    }
    let mut out = String::with_capacity(kuma.len() + 4);
    for c in kuma.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Turn a client error into diagnostics: one per Kuma `invalid_parameters` entry, at its
/// attribute, plus the overall error.
pub fn from_client_error(summary: &str, error: &ClientError) -> Vec<Diag> {
    let mut diags = Vec::new();
    if let ClientError::Api { body, .. } = error {
        for parameter in &body.invalid_parameters {
            diags.push(
                Diag::error(
                    format!("Kuma rejected {}", display_field(&parameter.field)),
                    kuma_field_detail(&parameter.reason, &parameter.field),
                )
                .at(kuma_path(&parameter.field)),
            );
        }
    }
    diags.push(Diag::error(summary, error.to_string()));
    diags
}

fn display_field(field: &str) -> String {
    if field.is_empty() {
        "the resource".into()
    } else {
        format!("`{}`", field_text(field))
    }
}

/// Kuma's `message` about `field`, with Kuma's own name of the field after it when the
/// attribute's differs (for Kuma's documentation and the control plane's logs).
pub fn kuma_field_detail(message: &str, field: &str) -> String {
    let ours = field_text(field);
    if field.is_empty() || ours == field {
        message.to_owned()
    } else {
        format!("{message} (Kuma's field `{field}`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuma_mzs_core::KumaVersion;

    fn a(s: &str) -> Step {
        Step::Attr(s.into())
    }

    #[test]
    fn a_version_hint_is_a_paragraph_after_the_detail_naming_kuma_version() {
        let plain = Diag::error("Invalid", "bad value");
        assert_eq!(plain.to_proto().detail, "bad value");
        let hinted =
            plain
                .clone()
                .with_hint(Some(version_hint(&kuma_mzs_core::validate::Hint::new(
                    KumaVersion::V2_14,
                    KumaVersion::V3_0,
                ))));
        assert_eq!(
            hinted.to_proto().detail,
            "bad value\n\nHint: Kuma 3.0 accepts this; if your control plane runs Kuma 3.0, validate with Kuma version 3.0 instead of 2.14 (provider setting kuma_version = \"3.0\"; it applies when the control plane's release cannot be read)."
        );
        assert_eq!(hinted.with_hint(None), plain);
    }

    #[test]
    fn kuma_paths_map_to_block_paths() {
        assert_eq!(
            kuma_path("spec.ports[1].appProtocol"),
            vec![a("port"), Step::Index(1), a("app_protocol")]
        );
        assert_eq!(
            kuma_path("spec.selector.meshService.matchLabels"),
            vec![a("selector"), a("mesh_service"), a("match_labels")]
        );
        assert_eq!(
            kuma_path(r#"labels["kuma.io/zone"]"#),
            vec![a("labels"), Step::Key("kuma.io/zone".into())]
        );
        assert_eq!(kuma_path("name"), vec![a("name")]);
        assert_eq!(kuma_path(""), Vec::<Step>::new());
        assert_eq!(kuma_path("spec.ports"), vec![a("port")]);
    }

    #[test]
    fn diagnostics_name_the_attribute_as_the_configuration_spells_it() {
        assert_eq!(
            field_text("spec.ports[0].appProtocol"),
            "port[0].app_protocol"
        );
        assert_eq!(
            field_text("spec.selector.meshService.matchLabels"),
            "selector.mesh_service.match_labels"
        );
        // A label's key stays as Kuma spells it.
        let zone_label = format!("labels[\"{}\"]", kuma_mzs_core::model::labels::ZONE);
        assert_eq!(field_text(&zone_label), zone_label);
        assert_eq!(field_text("spec.template"), "template");
        assert_eq!(field_text("name"), "name");
        assert_eq!(field_text("spec"), "spec");
        assert_eq!(field_text(""), "the resource");
        assert_eq!(
            kuma_field_detail("must be one of", "spec.ports[0].appProtocol"),
            "must be one of (Kuma's field `spec.ports[0].appProtocol`)"
        );
        assert_eq!(kuma_field_detail("bad", "name"), "bad");
    }

    #[test]
    fn odd_paths_never_panic() {
        for p in ["[", "a[", "a[\"x", "]]", "a..b", "[1][2]", "é[ü]"] {
            let _ = kuma_path(p);
        }
    }
}
