//! The JS API as plain Rust: JSON-shaped inputs and outputs, no `wasm-bindgen` types.
//!
//! Everything a JS caller can get wrong (options, input shapes) is checked here and reported as an
//! [`ApiError`] with a message naming the option; the wasm layer only converts values. Keeping it
//! free of JS types lets the binding logic be tested natively with `cargo test`.

use serde::Serialize;

use crate::options::js_struct;

use kuma_mzs_core::documents::{self, Reporting};
use kuma_mzs_core::preview::{PreviewOptions, ZonePreview};
use kuma_mzs_core::source::LineIndex;
use kuma_mzs_core::workspace::{self, WorkspaceFile, WorkspacePreview};
use kuma_mzs_core::{
    ide, kds, schema, syntax, CheckOptions, CheckedDocument, Code, Diagnostic, Format, KumaVersion,
    Range, ResourceType, Shape,
};

/// A mistake in how the API was called (not in the checked text, which gets diagnostics).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// An option has a value we do not understand.
    #[error("invalid option {option}: {message}")]
    InvalidOption {
        /// The option's name as JS spells it.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The options object could not be read.
    #[error("invalid options: {0}")]
    Options(String),
    /// The input has the wrong shape.
    #[error("invalid input: {0}")]
    Input(String),
}

/// `options`, unless their `systemNamespace` cannot be a namespace (the core says why).
fn system_namespace(options: CheckOptions) -> Result<CheckOptions, ApiError> {
    match options.system_namespace_problem() {
        Some(message) => Err(ApiError::InvalidOption {
            option: "systemNamespace",
            message,
        }),
        None => Ok(options),
    }
}

fn parse_version(v: Option<&str>) -> Result<KumaVersion, ApiError> {
    match v {
        None => Ok(KumaVersion::default()),
        Some(s) => {
            s.parse().map_err(
                |e: kuma_mzs_core::UnsupportedKumaVersion| ApiError::InvalidOption {
                    option: "kumaVersion",
                    message: e.to_string(),
                },
            )
        }
    }
}

/// The canonical name of the Kuma release a spelling names (`v2.14.3` -> `2.14`), through the
/// core's one parse, so the CLI and the language server accept exactly what the API accepts.
pub fn kuma_version(spelling: &str) -> Result<String, kuma_mzs_core::UnsupportedKumaVersion> {
    spelling
        .parse::<KumaVersion>()
        .map(|v| v.as_str().to_owned())
}

js_struct! {
    /// Options of `validate`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ValidateOptions {
        /// `auto` (default), `yaml` or `json`.
        pub format: Option<String> = "format" (default),
        /// `3.0` (default) or `2.x`.
        pub kuma_version: Option<String> = "kumaVersion" (default),
        /// `error` (default): every document must be a resource kuma-mzs models; `quiet`:
        /// documents that are not Kuma resources get no diagnostics and Kuma kinds kuma-mzs does
        /// not model get an `unmodelled-kind` info.
        pub unknown_resources: Option<String> = "unknownResources" (default),
        /// Largest accepted text in bytes (default 1 MiB).
        pub max_bytes: Option<u32> = "maxBytes" (default),
        /// Kuma's namespace on Kubernetes (default `kuma-system`).
        pub system_namespace: Option<String> = "systemNamespace" (default),
    }
}

fn parse_reporting(value: Option<&str>) -> Result<Reporting, ApiError> {
    match value {
        None | Some("error") => Ok(Reporting::Strict),
        Some("quiet") => Ok(Reporting::Quiet),
        Some(other) => Err(ApiError::InvalidOption {
            option: "unknownResources",
            message: format!("{other:?} is not one of \"error\", \"quiet\""),
        }),
    }
}

fn limits(max_bytes: Option<u32>) -> syntax::Limits {
    let mut limits = syntax::Limits::default();
    if let Some(max) = max_bytes {
        limits.max_bytes = max as usize;
    }
    limits
}

impl ValidateOptions {
    fn to_check_options(&self) -> Result<CheckOptions, ApiError> {
        let format = match self.format.as_deref() {
            None | Some("auto") => Format::Auto,
            Some("yaml") => Format::Yaml,
            Some("json") => Format::Json,
            Some(other) => {
                return Err(ApiError::InvalidOption {
                    option: "format",
                    message: format!("{other:?} is not one of \"auto\", \"yaml\", \"json\""),
                })
            }
        };
        system_namespace(CheckOptions {
            kuma_version: parse_version(self.kuma_version.as_deref())?,
            format,
            limits: limits(self.max_bytes),
            system_namespace: self.system_namespace.clone(),
        })
    }
}

/// A fix, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixOut {
    /// What it does.
    pub title: String,
    /// What to replace.
    pub range: Range,
    /// The new text.
    pub replacement: String,
}

/// A diagnostic, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosticOut {
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// Stable code.
    pub code: &'static str,
    /// Kuma field path or empty.
    pub field: String,
    /// Message.
    pub message: String,
    /// When another Kuma release accepts the field: which release to validate with instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Where.
    pub range: Range,
    /// A certain fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixOut>,
    /// Preview diagnostics only: the zones that give it (empty for authoring mistakes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
}

impl DiagnosticOut {
    fn new(d: &Diagnostic, index: &LineIndex, text: &str) -> Self {
        Self {
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            field: d.field.clone(),
            message: d.message.clone(),
            hint: d.hint.clone(),
            range: index.range(text, d.span),
            fix: d.fix.as_ref().map(|f| FixOut {
                title: f.title.clone(),
                range: index.range(text, f.span),
                replacement: f.replacement.clone(),
            }),
            zones: None,
        }
    }
}

/// One document of a validated text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentOut {
    /// Resource type (or the unknown `type`/`kind` as written).
    pub kind: Option<String>,
    /// Resource name.
    pub name: Option<String>,
    /// Mesh.
    pub mesh: Option<String>,
    /// Shape.
    pub shape: Option<Shape>,
    /// Where the document is.
    pub range: Range,
    /// Its diagnostics.
    pub diagnostics: Vec<DiagnosticOut>,
}

/// The result of `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateOut {
    /// Every document.
    pub documents: Vec<DocumentOut>,
    /// Diagnostics outside any document (syntax errors, limits).
    pub diagnostics: Vec<DiagnosticOut>,
    /// Whether the text holds a Kuma resource (modelled or not); judged from its lines when it
    /// does not parse. Editors stay silent on texts where this is false.
    pub holds_kuma: bool,
}

impl ValidateOut {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .chain(self.documents.iter().flat_map(|d| d.diagnostics.iter()))
            .any(|d| d.severity == "error")
    }
}

fn scalar_at<'n>(root: &'n syntax::Node, path: &[&str]) -> Option<&'n str> {
    let mut node = root;
    for key in path {
        node = node.get(key)?;
    }
    node.as_str()
}

fn document_out(doc: &CheckedDocument, index: &LineIndex, text: &str) -> DocumentOut {
    let root = &doc.root;
    let kind = doc
        .resource_type
        .map(|t| t.name().to_owned())
        .or_else(|| scalar_at(root, &["type"]).map(str::to_owned))
        .or_else(|| scalar_at(root, &["kind"]).map(str::to_owned));
    let (name, mesh) = match &doc.resource {
        Some(r) => (
            Some(r.meta.name.clone()),
            (!r.meta.mesh.is_empty()).then(|| r.meta.mesh.clone()),
        ),
        None => (
            scalar_at(root, &["name"])
                .or_else(|| scalar_at(root, &["metadata", "name"]))
                .map(str::to_owned),
            scalar_at(root, &["mesh"])
                .or_else(|| {
                    scalar_at(
                        root,
                        &["metadata", "labels", kuma_mzs_core::model::labels::MESH],
                    )
                })
                .map(str::to_owned),
        ),
    };
    DocumentOut {
        kind,
        name,
        mesh,
        shape: doc.shape,
        range: index.range(text, doc.span),
        diagnostics: diagnostics_out(&doc.diagnostics, index, text),
    }
}

/// Diagnostics located in `text` (a loop, not `map().collect()`, which the module pays for once
/// per call site).
fn diagnostics_out(
    diagnostics: &[Diagnostic],
    index: &kuma_mzs_core::LineIndex,
    text: &str,
) -> Vec<DiagnosticOut> {
    let mut out = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        out.push(DiagnosticOut::new(d, index, text));
    }
    out
}

/// `validate(text, options)`.
pub fn validate(text: &str, options: &ValidateOptions) -> Result<ValidateOut, ApiError> {
    let reporting = parse_reporting(options.unknown_resources.as_deref())?;
    let mut checked = kuma_mzs_core::check(text, &options.to_check_options()?);
    let holds_kuma = documents::holds_kuma(&checked, text);
    documents::apply(&mut checked, text, reporting);
    let index = &checked.line_index;
    let mut out = Vec::with_capacity(checked.documents.len());
    for d in &checked.documents {
        out.push(document_out(d, index, text));
    }
    Ok(ValidateOut {
        documents: out,
        diagnostics: diagnostics_out(&checked.diagnostics, index, text),
        holds_kuma,
    })
}

js_struct! {
    /// One input file of `preview`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct InputFile {
        /// Where it came from (only echoed back).
        pub path: String = "path",
        /// Its text.
        pub text: String = "text",
        /// The zone whose control plane the file is applied to; absent for global or unknown.
        pub zone: Option<String> = "zone" (default),
    }
}

js_struct! {
    /// Options of `preview` and `explain`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PreviewOpts {
        /// Zones to compute (zones named in MeshService labels are added).
        pub zones: Option<Vec<String>> = "zones" (default),
        /// `3.0` (default) or `2.x`.
        pub kuma_version: Option<String> = "kumaVersion" (default),
        /// CIDR of MZS VIPs (default `243.0.0.0/8`).
        pub mzs_cidr: Option<String> = "mzsCidr" (default),
        /// Zones taken down: their endpoints are unhealthy, traffic fails over.
        pub down_zones: Option<Vec<String>> = "downZones" (default),
        /// Healthy fraction (0..=1) of a zone's endpoints, for partial outages.
        pub zone_health: Option<std::collections::BTreeMap<String, f64>> = "zoneHealth" (default),
        /// As `validate`'s `unknownResources`.
        pub unknown_resources: Option<String> = "unknownResources" (default),
        /// As `validate`'s `maxBytes`.
        pub max_bytes: Option<u32> = "maxBytes" (default),
        /// As `validate`'s `systemNamespace`.
        pub system_namespace: Option<String> = "systemNamespace" (default),
        /// Leave `zones` out of the result (editors that only show diagnostics save converting
        /// it).
        pub diagnostics_only: Option<bool> = "diagnosticsOnly" (default),
    }
}

impl PreviewOpts {
    fn to_core(&self) -> Result<PreviewOptions, ApiError> {
        let mut options = PreviewOptions {
            kuma_version: parse_version(self.kuma_version.as_deref())?,
            ..PreviewOptions::default()
        };
        if let Some(cidr) = &self.mzs_cidr {
            options.mzs_cidr = cidr.parse().map_err(|_| ApiError::InvalidOption {
                option: "mzsCidr",
                message: format!("{cidr:?} is not an IPv4 CIDR such as \"243.0.0.0/8\""),
            })?;
        }
        if let Some(zones) = &self.down_zones {
            // Inserted one by one: collecting into the set would compile a sort for `String`.
            for zone in zones {
                options.down_zones.insert(zone.clone());
            }
        }
        if let Some(health) = &self.zone_health {
            for (zone, fraction) in health {
                if !(0.0..=1.0).contains(fraction) {
                    return Err(ApiError::InvalidOption {
                        option: "zoneHealth",
                        message: format!(
                            "zone {zone:?}: {} is not a fraction between 0 and 1",
                            kuma_mzs_core::float_text::display(*fraction)
                        ),
                    });
                }
            }
            options.zone_health = health.clone();
        }
        Ok(options)
    }
}

/// Diagnostics of one preview input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDiagnostics {
    /// The file's path as given.
    pub path: String,
    /// Its check diagnostics (documents with errors are left out of the preview, see `skipped`).
    pub diagnostics: Vec<DiagnosticOut>,
    /// The preview's diagnostics located in this file (MZS1xx, MZS2xx), each with `zones`.
    pub preview_diagnostics: Vec<DiagnosticOut>,
}

/// A resource left out of the preview, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedOut {
    /// The file it is in.
    pub path: String,
    /// Its type.
    pub kind: &'static str,
    /// Its mesh (empty when global-scoped).
    pub mesh: String,
    /// Its name.
    pub name: String,
    /// Where the document is.
    pub range: Range,
    /// Where its first error is.
    pub first_error: Range,
    /// How many errors it has.
    pub errors: usize,
    /// What to do, e.g. `fix 1 error at global.yaml:14`.
    pub reason: String,
}

/// The result of `preview`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewOut {
    /// The core's per-zone preview.
    pub zones: Vec<ZonePreview>,
    /// Diagnostics per input file.
    pub diagnostics: Vec<FileDiagnostics>,
    /// Resources that take no part in the preview (errors, or an MZS written in a zone).
    pub skipped: Vec<SkippedOut>,
}

/// Run the preview over files; which documents take part is the core's decision
/// ([`kuma_mzs_core::workspace`]).
pub fn preview(files: &[InputFile], options: &PreviewOpts) -> Result<PreviewOut, ApiError> {
    let mut run = run_preview(files, options)?;
    preview_out(files, &mut run, options)
}

/// The JS shape of `run`; applies the reporting option to its checks in place.
fn preview_out(
    files: &[InputFile],
    run: &mut WorkspacePreview,
    options: &PreviewOpts,
) -> Result<PreviewOut, ApiError> {
    let reporting = parse_reporting(options.unknown_resources.as_deref())?;
    let mut diagnostics = Vec::with_capacity(files.len());
    for (file, result) in files.iter().zip(run.files.iter_mut()) {
        let checked = &mut result.checked;
        documents::apply(checked, &file.text, reporting);
        let index = &checked.line_index;
        let mut own = Vec::new();
        for d in checked.all_diagnostics() {
            own.push(DiagnosticOut::new(d, index, &file.text));
        }
        let mut preview_diagnostics = Vec::with_capacity(result.preview_diagnostics.len());
        for p in &result.preview_diagnostics {
            preview_diagnostics.push(DiagnosticOut {
                zones: Some(p.zones.clone()),
                ..DiagnosticOut::new(&p.diagnostic, index, &file.text)
            });
        }
        diagnostics.push(FileDiagnostics {
            path: file.path.clone(),
            diagnostics: own,
            preview_diagnostics,
        });
    }
    let skipped = skipped_out(files, run);
    Ok(PreviewOut {
        zones: if options.diagnostics_only == Some(true) {
            Vec::new()
        } else {
            std::mem::take(&mut run.preview.zones)
        },
        diagnostics,
        skipped,
    })
}

fn skipped_out(files: &[InputFile], run: &WorkspacePreview) -> Vec<SkippedOut> {
    run.skipped
        .iter()
        .filter_map(|s| {
            let file = files.get(s.file)?;
            let index = &run.files.get(s.file)?.checked.line_index;
            Some(SkippedOut {
                path: file.path.clone(),
                kind: s.resource_type.name(),
                mesh: s.mesh.clone(),
                name: s.name.clone(),
                range: index.range(&file.text, s.span),
                first_error: index.range(&file.text, s.first_error),
                errors: s.errors,
                reason: s.reason.clone(),
            })
        })
        .collect()
}

fn run_preview(files: &[InputFile], options: &PreviewOpts) -> Result<WorkspacePreview, ApiError> {
    let core_options = options.to_core()?;
    parse_reporting(options.unknown_resources.as_deref())?;
    let check_options = system_namespace(CheckOptions {
        kuma_version: core_options.kuma_version,
        limits: limits(options.max_bytes),
        system_namespace: options.system_namespace.clone(),
        ..CheckOptions::default()
    })?;
    let inputs: Vec<WorkspaceFile<'_>> = files
        .iter()
        .map(|f| WorkspaceFile {
            path: &f.path,
            text: &f.text,
            zone: f.zone.as_deref(),
        })
        .collect();
    let zones = options.zones.clone().unwrap_or_default();
    Ok(workspace::preview_workspace(
        &inputs,
        &zones,
        &check_options,
        &core_options,
    ))
}

/// `explain`: the preview as text a person reads (the core's explanation), preceded by the
/// diagnostics of the input files in `file:line:column: severity: field: message` form and the
/// resources the preview skipped.
pub fn explain(files: &[InputFile], options: &PreviewOpts) -> Result<String, ApiError> {
    let mut run = run_preview(files, options)?;
    let skipped: Vec<(&str, &str)> = run
        .skipped
        .iter()
        .filter(|s| s.resource_type == kuma_mzs_core::ResourceType::MeshMultiZoneService)
        .map(|s| (s.mesh.as_str(), s.name.as_str()))
        .collect();
    let explanation =
        kuma_mzs_core::explain::explain_with_skipped(&run.resources, &run.preview, &skipped);
    let out = preview_out(files, &mut run, options)?;
    let mut text = String::new();
    for file in &out.diagnostics {
        for d in file.diagnostics.iter().chain(&file.preview_diagnostics) {
            // kube-openapi's messages start with the path already.
            let repeats = d
                .message
                .strip_prefix(d.field.as_str())
                .is_some_and(|rest| rest.starts_with(' '));
            let field = if d.field.is_empty() || repeats {
                String::new()
            } else {
                format!("{}: ", d.field)
            };
            // The code of what kuma-mzs adds (MZS...), to look up in docs/codes.md.
            let (open, code, close) = if d.code.starts_with("MZS") {
                (" [", d.code, "]")
            } else {
                ("", "", "")
            };
            push_line(
                &mut text,
                &format!(
                    "{}:{}:{}: {}: {field}{}{open}{code}{close}",
                    file.path, d.range.start.line, d.range.start.column, d.severity, d.message
                ),
            );
        }
    }
    for s in &out.skipped {
        let mesh = if s.mesh.is_empty() { "" } else { "/" };
        push_line(
            &mut text,
            &format!(
                "{}:{}:{}: skipped {} {}{mesh}{}: {}",
                s.path, s.range.start.line, s.range.start.column, s.kind, s.mesh, s.name, s.reason
            ),
        );
    }
    for line in explanation {
        push_line(&mut text, &line);
    }
    Ok(text)
}

/// One line of text output, its control characters written as escapes (`\n`, `\x1b`,
/// `\u2028`): a name or key holding a line break would otherwise start a line of its own that
/// reads as another diagnostic (`x.yaml:9:1: error: ...`) to a CI problem matcher. Backslashes
/// stay as they are (the npm CLI's `escapeControls` does the same to its own lines).
fn push_line(text: &mut String, line: &str) {
    for c in line.chars() {
        match c {
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            '\t' => text.push_str("\\t"),
            c if c.is_control() => text.push_str(&format!("\\x{:02x}", u32::from(c))),
            '\u{2028}' | '\u{2029}' => text.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => text.push(c),
        }
    }
    text.push('\n');
}

js_struct! {
    /// An LSP position: 0-based line, 0-based UTF-16 character.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct LspPosition {
        /// 0-based line.
        pub line: u32 = "line",
        /// 0-based UTF-16 code unit.
        pub character: u32 = "character",
    }
}

js_struct! {
    /// Options of `hover`, `complete` and `schema`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct EditorOptions {
        /// `3.0` (default) or `2.x`.
        pub kuma_version: Option<String> = "kumaVersion" (default),
    }
}

/// A hover, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoverOut {
    /// Markdown.
    pub contents: String,
    /// The hovered key or value.
    pub range: Range,
}

/// `hover(text, position)`.
pub fn hover(
    text: &str,
    at: LspPosition,
    options: &EditorOptions,
) -> Result<Option<HoverOut>, ApiError> {
    let version = parse_version(options.kuma_version.as_deref())?;
    let index = LineIndex::new(text);
    let offset = index.offset_of_utf16(text, at.line, at.character);
    Ok(ide::hover(text, offset, version).map(|h| HoverOut {
        contents: h.contents,
        range: index.range(text, h.span),
    }))
}

/// `complete(text, position)`.
pub fn complete(
    text: &str,
    at: LspPosition,
    options: &EditorOptions,
) -> Result<Vec<ide::CompletionItem>, ApiError> {
    let version = parse_version(options.kuma_version.as_deref())?;
    let index = LineIndex::new(text);
    let offset = index.offset_of_utf16(text, at.line, at.character);
    Ok(ide::complete(text, offset, version))
}

/// `schema()`: JSON Schema per kind.
pub fn schemas(options: &EditorOptions) -> Result<serde_json::Value, ApiError> {
    let version = parse_version(options.kuma_version.as_deref())?;
    Ok(serde_json::Value::Object(schema::json_schemas(version)))
}

/// The release whose schemas `schema(options)` returns: the package generates them for every
/// release at build time ([`schemas_by_release`]) and looks this name up.
pub fn schema_release(options: &EditorOptions) -> Result<&'static str, ApiError> {
    Ok(parse_version(options.kuma_version.as_deref())?.as_str())
}

/// The JSON Schemas of every release, keyed by release name: the package's `data/schemas.json`.
pub fn schemas_by_release() -> serde_json::Map<String, serde_json::Value> {
    KumaVersion::ALL
        .iter()
        .map(|v| {
            let schemas = schema::json_schemas(*v);
            (v.as_str().to_owned(), serde_json::Value::Object(schemas))
        })
        .collect()
}

/// One resource type with the core's facts about it (`resourceTypes()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTypeInfo {
    /// Kuma's type name.
    pub name: &'static str,
    /// Whether its resources live in a mesh.
    pub mesh_scoped: bool,
    /// Whether users write it on the global control plane.
    pub written_on_global: bool,
    /// The Kubernetes `apiVersion`.
    pub api_version: &'static str,
    /// The Kubernetes label naming its mesh, for mesh-scoped types.
    pub mesh_label: Option<&'static str>,
}

/// Every resource type, in the core's order: the package's `data/resource-types.json`.
pub fn resource_types() -> Vec<ResourceTypeInfo> {
    ResourceType::ALL
        .iter()
        .map(|t| ResourceTypeInfo {
            name: t.name(),
            mesh_scoped: t.is_mesh_scoped(),
            written_on_global: kds::written_on_global(*t),
            api_version: kuma_mzs_core::model::API_VERSION,
            mesh_label: t
                .is_mesh_scoped()
                .then_some(kuma_mzs_core::model::labels::MESH),
        })
        .collect()
}

/// One entry of the code registry (for SARIF rule tables and docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeInfo {
    /// Stable code.
    pub code: &'static str,
    /// One line.
    pub description: &'static str,
    /// The severity its diagnostics have by default (`error`, `warning`, `info`).
    pub severity: &'static str,
    /// Anchor of its section in the repository's `docs/codes.md`.
    pub help_anchor: String,
}

/// Every diagnostic code.
pub fn codes() -> Vec<CodeInfo> {
    Code::ALL
        .iter()
        .map(|c| CodeInfo {
            code: c.as_str(),
            description: c.description(),
            severity: c.severity().as_str(),
            help_anchor: c.help_anchor(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_text_line_keeps_its_control_characters_on_it() {
        let mut text = String::new();
        push_line(
            &mut text,
            "a\nfake.yaml:9:9: error: x\t\u{1b}[31m\u{2028}\\n",
        );
        assert_eq!(text, "a\\nfake.yaml:9:9: error: x\\t\\x1b[31m\\u2028\\n\n");
    }

    #[test]
    fn kuma_version_names_the_release_through_the_core_parse() {
        assert_eq!(kuma_version("v2.14.3").unwrap(), "2.14");
        assert_eq!(kuma_version("2.x").unwrap(), "2.14");
        assert_eq!(kuma_version("3.0.1").unwrap(), "3.0");
        assert_eq!(kuma_version("2.9").unwrap(), "2.9");
        let e = kuma_version("2.8").unwrap_err().to_string();
        assert!(
            e.starts_with("\"2.8\" is not a supported Kuma version") && e.contains("3.0, 2.14"),
            "{e}"
        );
    }

    #[test]
    fn unknown_versions_and_formats_name_the_option() {
        let bad = ValidateOptions {
            kuma_version: Some("1.8".into()),
            ..Default::default()
        };
        let e = validate("a: 1", &bad).unwrap_err().to_string();
        assert!(e.contains("kumaVersion") && e.contains("\"1.8\""), "{e}");
        let bad = ValidateOptions {
            format: Some("toml".into()),
            ..Default::default()
        };
        assert!(validate("a: 1", &bad)
            .unwrap_err()
            .to_string()
            .contains("format"));
    }

    #[test]
    fn syntax_errors_are_located_in_utf16_and_chars() {
        let text = "name: é🎉\nspec: [\n";
        let out = validate(text, &ValidateOptions::default()).unwrap();
        assert!(out.has_errors());
        let d = &out.diagnostics[0];
        assert_eq!(d.code, "syntax");
        assert!(d.range.start.line >= 2);
    }

    #[test]
    fn document_identity_falls_back_to_the_text() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
        let out = validate(text, &ValidateOptions::default()).unwrap();
        assert_eq!(out.documents[0].kind.as_deref(), Some("Deployment"));
        assert_eq!(out.documents[0].name.as_deref(), Some("web"));
        assert_eq!(out.documents[0].range.start.line, 1);
    }

    #[test]
    fn preview_option_errors_are_clear() {
        let opts = PreviewOpts {
            mzs_cidr: Some("nope".into()),
            ..Default::default()
        };
        let e = preview(&[], &opts).unwrap_err().to_string();
        assert!(e.contains("mzsCidr"), "{e}");
    }

    #[test]
    fn preview_reports_diagnostics_per_file() {
        let files = [
            InputFile {
                path: "a.yaml".into(),
                text: "x: [".into(),
                zone: None,
            },
            InputFile {
                path: "b.yaml".into(),
                text: "type: Mesh\nname: default\n".into(),
                zone: None,
            },
        ];
        let out = preview(&files, &PreviewOpts::default()).unwrap();
        assert_eq!(out.diagnostics.len(), 2);
        assert_eq!(out.diagnostics[0].path, "a.yaml");
        assert!(!out.diagnostics[0].diagnostics.is_empty());
        let text = explain(&files, &PreviewOpts::default()).unwrap();
        assert!(text.starts_with("a.yaml:"), "{text}");
    }

    #[test]
    fn preview_skips_an_mzs_with_errors_and_locates_warnings() {
        let mzs = "type: MeshMultiZoneService\nname: redis\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: redis\n  ports:\n  - port: 6379\n    appProtocol: tcp\n";
        let ms = "type: MeshService\nname: redis\nmesh: default\nlabels:\n  app: redis-v2\n  kuma.io/origin: zone\nspec:\n  ports:\n  - port: 6379\n";
        let files = [
            InputFile {
                path: "global.yaml".into(),
                text: mzs.into(),
                zone: None,
            },
            InputFile {
                path: "east.yaml".into(),
                text: ms.into(),
                zone: Some("east".into()),
            },
        ];
        let out = preview(&files, &PreviewOpts::default()).unwrap();
        assert!(out.skipped.is_empty());
        let d = &out.diagnostics[0].preview_diagnostics[0];
        assert_eq!(d.code, "MZS103");
        assert_eq!(d.zones.as_deref(), Some(&["east".to_owned()][..]));
        assert_eq!((d.range.start.line, d.range.start.column), (8, 14));
        let broken = [InputFile {
            path: "global.yaml".into(),
            text: mzs.replace("tcp", "httpx"),
            zone: None,
        }];
        let out = preview(&broken, &PreviewOpts::default()).unwrap();
        assert_eq!(out.skipped[0].reason, "fix 1 error at global.yaml:11");
        assert_eq!(out.skipped[0].first_error.start.line, 11);
        let text = explain(&broken, &PreviewOpts::default()).unwrap();
        assert!(
            text.contains(
                "skipped MeshMultiZoneService default/redis: fix 1 error at global.yaml:11"
            ),
            "{text}"
        );
        assert!(
            !text.contains("No MeshMultiZoneService in the input"),
            "{text}"
        );
    }

    #[test]
    fn quiet_validation_skips_what_is_not_kuma() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\napiVersion: kuma.io/v1alpha1\nkind: MeshTimeout\nmetadata:\n  name: t\n";
        let quiet = ValidateOptions {
            unknown_resources: Some("quiet".into()),
            ..Default::default()
        };
        let out = validate(text, &quiet).unwrap();
        assert!(!out.has_errors());
        assert!(out.holds_kuma);
        assert!(out.documents[0].diagnostics.is_empty());
        assert_eq!(out.documents[1].diagnostics[0].code, "unmodelled-kind");
        assert_eq!(out.documents[1].diagnostics[0].severity, "info");
        assert!(validate(text, &ValidateOptions::default())
            .unwrap()
            .has_errors());
        let small = ValidateOptions {
            max_bytes: Some(10),
            ..Default::default()
        };
        assert_eq!(validate(text, &small).unwrap().diagnostics[0].code, "limit");
    }

    #[test]
    fn hover_and_completion_take_lsp_positions() {
        let text =
            "# é🎉\ntype: MeshMultiZoneService\nspec:\n  ports:\n  - port: 1\n    appProtocol: \n";
        let at = LspPosition {
            line: 5,
            character: 6,
        };
        let h = hover(text, at, &EditorOptions::default()).unwrap().unwrap();
        assert_eq!(h.range.start.line, 6);
        assert_eq!(h.range.start.character, 4);
        let items = complete(
            text,
            LspPosition {
                line: 5,
                character: 17,
            },
            &EditorOptions::default(),
        )
        .unwrap();
        assert_eq!(items.len(), 4);
    }

    #[test]
    fn resource_types_carry_the_core_facts() {
        let types = resource_types();
        assert_eq!(types.len(), ResourceType::ALL.len());
        let ms = types.iter().find(|t| t.name == "MeshService").unwrap();
        assert!(ms.mesh_scoped && !ms.written_on_global && ms.mesh_label.is_some());
        let mesh = types.iter().find(|t| t.name == "Mesh").unwrap();
        assert!(!mesh.mesh_scoped && mesh.written_on_global && mesh.mesh_label.is_none());
        let by_release = schemas_by_release();
        assert_eq!(by_release.len(), KumaVersion::ALL.len());
        assert_eq!(
            by_release.get("2.14"),
            Some(
                &schemas(&EditorOptions {
                    kuma_version: Some("2.x".into())
                })
                .unwrap()
            )
        );
    }

    #[test]
    fn schema_and_codes_are_complete() {
        let s = schemas(&EditorOptions::default()).unwrap();
        assert!(s.get("MeshMultiZoneService").is_some());
        assert_eq!(codes().len(), Code::ALL.len());
        let kuma = codes().into_iter().find(|c| c.code == "kuma").unwrap();
        assert_eq!(
            (kuma.severity, kuma.help_anchor.as_str()),
            ("error", "kuma")
        );
    }
}
