//! Go `text/template` for HostnameGenerator templates, with Go's exact error texts (Kuma puts
//! them into validation messages and status conditions).
//!
//! Supported like Go: text, `{{ .Field }}`, chained fields, `$` and `$x := ...` variables,
//! pipelines with `|`, parentheses, string/raw-string/number/char/bool constants, comments,
//! trim markers `{{-`/`-}}`, `if`/`else if`/`else`/`with`/`else with`/`range` (over integers,
//! with `break`/`continue`), `define`/`template`/`block` (Go's redefinition rules), and all of
//! Go's builtins: `label` (Kuma's), `printf`, `print`, `println`, `len`, `index`, `slice`, `html`,
//! `js`, `urlquery`, `call`, `not`, `and`, `or`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`.
//! `printf` is Go's `fmt.Sprintf` with flags, widths, precisions, `*` and `[n]`, for every verb
//! that applies to strings, integers, bools and floats, except `%x` of floats.
//! Deviations: complex numbers are refused; templates nest at most 400 deep (Go: 100,000) with
//! Go's "exceeded maximum template depth" message; a `slice` cutting a multi-byte character
//! yields U+FFFD where Go keeps raw bytes; `js` treats unassigned code points as printable;
//! evaluation stops with a kuma-mzs error where Go would run out of memory or time (1 MiB
//! output or value, 16 MiB produced by functions, 100,000 loop iterations and template calls,
//! 3,000,000 evaluation steps).
//!
//! This file is the engine's front door: [`Template`] (parse, render), [`TemplateData`],
//! [`TemplateError`] and [`MAX_TEMPLATE_BYTES`] for everyone, and Go's `strconv.Quote` and
//! `Unquote` for the rest of the core, which quotes as Kuma's Go code does. Everything else is
//! private to the engine, one concern a file, in the order text flows through it:
//! - `lex`: text to tokens;
//! - `parse`: tokens to trees, with Go's parse-time checks; `tree`: the node types;
//! - `exec`: walking a tree against the data (control flow, variables, pipelines, fields,
//!   function calls, budgets); `value`: what it computes with;
//! - `builtins`: the function table and the functions;
//! - `fmt`: Go's `fmt` (`print`, `printf` verbs, float text);
//! - `strconv`: Go's quoting and unquoting, shared by all of the above.

#![warn(unreachable_pub)]

mod builtins;
mod exec;
mod fmt;
mod lex;
mod parse;
pub(crate) mod strconv;
mod tree;
mod value;

pub(crate) use fmt::format_float as go_format_float;
pub(crate) use strconv::go_quote;
use value::Data;

/// Go's `strconv.Unquote` for a double-quoted string.
pub(crate) fn unquote_go(quoted: &str) -> Option<String> {
    strconv::unquote(quoted)
}

/// The fields a HostnameGenerator template reads (`{{ .DisplayName }}`), in the order of Kuma's
/// `hostname.meshedName` struct: with [`KUMA_FUNCTIONS`], the language a template is written in
/// besides Go's own builtins (front ends that recognise a Kuma template in text read them here).
pub const FIELDS: [&str; 5] = ["Name", "DisplayName", "Namespace", "Mesh", "Zone"];

/// The functions Kuma adds to Go's builtins for a HostnameGenerator template: `label "key"`.
pub const KUMA_FUNCTIONS: [&str; 1] = ["label"];

/// Values a template can read ([`FIELDS`]) and labels for the `label "key"` function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateData {
    /// `.Name`.
    pub name: String,
    /// `.DisplayName`.
    pub display_name: String,
    /// `.Namespace`.
    pub namespace: String,
    /// `.Mesh`.
    pub mesh: String,
    /// `.Zone`.
    pub zone: String,
    /// Labels for `label`.
    pub labels: crate::model::Labels,
}

/// A template error, displayed exactly as Go prints it (`template: :1: bad character U+005B '['`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    trees: tree::Trees,
}

/// Longest template [`Template::parse`] accepts.
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// Largest output or value an evaluation produces; templates render hostnames, so this only
/// stops runaway `range`s and functions.
const MAX_OUTPUT: usize = 1 << 20;

/// Go's name of the struct Kuma's `EvaluateTemplate` passes (`hostname.meshedName`).
const KUMA_DATA_TYPE: &str = "hostname.meshedName";
/// Go's name of the anonymous stub struct the HostnameGenerator validator passes.
const VALIDATOR_STUB_TYPE: &str =
    "struct { Name string; DisplayName string; Namespace string; Mesh string; Zone string }";

impl Template {
    /// Parse a template; errors read like Go's (`template: :1: function "x" not defined`).
    /// Templates longer than [`MAX_TEMPLATE_BYTES`] are refused (hostnames are at most 253
    /// bytes; this keeps variable lookups, which are linear like Go's, from going quadratic).
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError(format!(
                "kuma-mzs: the template is {} bytes, more than the limit of {MAX_TEMPLATE_BYTES} bytes",
                source.len()
            )));
        }
        match parse::parse(source) {
            Ok(trees) => Ok(Self {
                source: source.to_owned(),
                trees,
            }),
            Err(e) => Err(TemplateError(format!(
                "template: :{}: {}",
                e.line, e.message
            ))),
        }
    }

    /// The template text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Render against `data` as Kuma's `EvaluateTemplate` does: `label "k"` fails with
    /// `label k not found` when the label is missing.
    pub fn render(&self, data: &TemplateData) -> Result<String, TemplateError> {
        let label = |key: &str| -> Result<String, String> {
            data.labels
                .get(key)
                .cloned()
                .ok_or_else(|| format!("label {key} not found"))
        };
        let data = Data {
            type_name: KUMA_DATA_TYPE,
            fields: [
                (FIELDS[0], data.name.as_str()),
                (FIELDS[1], data.display_name.as_str()),
                (FIELDS[2], data.namespace.as_str()),
                (FIELDS[3], data.mesh.as_str()),
                (FIELDS[4], data.zone.as_str()),
            ],
            label: &label,
        };
        exec::execute(&self.source, &self.trees, &data).map_err(|e| TemplateError(e.0))
    }

    /// Render with the HostnameGenerator validator's stub values (`name`, `displayname`,
    /// `namespace`, `mesh`, `zone`; `label` returns `label`), as Kuma's validator does.
    pub fn render_stub(&self) -> Result<String, TemplateError> {
        let label = |_: &str| -> Result<String, String> { Ok("label".to_owned()) };
        let data = Data {
            type_name: VALIDATOR_STUB_TYPE,
            fields: [
                (FIELDS[0], "name"),
                (FIELDS[1], "displayname"),
                (FIELDS[2], "namespace"),
                (FIELDS[3], "mesh"),
                (FIELDS[4], "zone"),
            ],
            label: &label,
        };
        exec::execute(&self.source, &self.trees, &data).map_err(|e| TemplateError(e.0))
    }
}

#[cfg(test)]
mod tests;
