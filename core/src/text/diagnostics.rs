//! Diagnostics: what the core reports about a document.
//!
//! A diagnostic always names the Kuma field path (`spec.ports[0].appProtocol`) and, when it comes
//! from text, where in the text. Kuma's own violations keep Kuma's exact message; everything we add
//! beyond Kuma has a stable code from [`Code`] and is a warning (or info), except what Kuma would
//! refuse in another way (`MZS203`: an MZS written in a zone). Each code's default severity is
//! [`Code::severity`]; front ends read it instead of restating it.

use serde::{Deserialize, Serialize};

use crate::text::source::{LineIndex, Range, TextRange};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Kuma would reject the resource (or it is not a resource at all).
    Error,
    /// Kuma accepts it, but it will not do what the author most likely wants.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// Lower-case name, as printed by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Every diagnostic code the core can emit, in one registry so codes stay stable and unique.
///
/// Codes are part of the public API (editors filter on them, SARIF rules are keyed by them):
/// never renumber, only add. Serialized as [`Code::as_str`] (written by hand: the derived
/// serializer repeats every name in the WebAssembly module); the `rename`s are for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum Code {
    /// The text is not well-formed YAML or JSON.
    #[serde(rename = "syntax")]
    Syntax,
    /// The input breaks a safety limit (size, nesting depth, alias expansion) or is not UTF-8 text.
    #[serde(rename = "limit")]
    Limit,
    /// The document is not a Kuma resource we understand (no or unknown `type`/`kind`).
    #[serde(rename = "unknown-resource")]
    UnknownResource,
    /// The document does not match Kuma's OpenAPI schema (missing field, wrong type, enum, minItems).
    #[serde(rename = "schema")]
    Schema,
    /// A violation reported by Kuma's own validator, with Kuma's exact field and message.
    #[serde(rename = "kuma")]
    Kuma,
    /// A port number outside 1-65535 (Kuma accepts any int32).
    #[serde(rename = "MZS001")]
    PortOutOfRange,
    /// Two ports share a number.
    #[serde(rename = "MZS002")]
    DuplicatePort,
    /// Two ports share a name (or a name equals another port's number).
    #[serde(rename = "MZS003")]
    DuplicatePortName,
    /// The selector only matches on `kuma.io/mesh`, so it selects every MeshService of the mesh.
    #[serde(rename = "MZS004")]
    SelectorOnlyMesh,
    /// A field Kuma does not know (usually a typo such as `matchLabel`).
    #[serde(rename = "MZS005")]
    UnknownField,
    /// A Kuma 2.x deprecation warning (returned by the API as `warnings`).
    #[serde(rename = "MZS006")]
    Deprecated,
    /// A field Kuma ignores on input (`status`, `creationTime`, ...).
    #[serde(rename = "MZS007")]
    IgnoredField,
    /// Preview: an MZS port that no matched MeshService exposes.
    #[serde(rename = "MZS101")]
    PortNotServed,
    /// Preview: the selector matches a MeshService of another mesh (it gets no traffic).
    #[serde(rename = "MZS102")]
    CrossMeshMatch,
    /// Preview: the selector matches no MeshService in a zone.
    #[serde(rename = "MZS103")]
    NoMatches,
    /// Preview: a matched remote MeshService is `Unavailable` and receives no traffic.
    #[serde(rename = "MZS104")]
    UnavailableService,
    /// Preview: a HostnameGenerator template failed or collided.
    #[serde(rename = "MZS105")]
    HostnameProblem,
    /// Preview: the VIP range is exhausted.
    #[serde(rename = "MZS106")]
    VipExhausted,
    /// A mapping key written twice; Kuma's decoders keep the last value, as `kubectl apply -f`
    /// does (kustomize refuses the document).
    #[serde(rename = "MZS008")]
    DuplicateKey,
    /// A Kuma resource kind this project does not model (reported instead of
    /// `unknown-resource` unless the check is strict).
    #[serde(rename = "unmodelled-kind")]
    UnmodelledKind,
    /// Preview: a MeshService without `kuma.io/zone` is in no zone (matches, gets no traffic).
    #[serde(rename = "MZS201")]
    MeshServiceWithoutZone,
    /// Preview: a MeshService's `kuma.io/zone` differs from the zone its file is applied to.
    #[serde(rename = "MZS202")]
    ZoneLabelMismatch,
    /// Preview: a MeshMultiZoneService in a zone's file; Kuma creates MZS on global only (a zone
    /// answers 405).
    #[serde(rename = "MZS203")]
    WrittenInZone,
}

impl Code {
    /// The stable string form (`"kuma"`, `"MZS001"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "syntax",
            Code::Limit => "limit",
            Code::UnknownResource => "unknown-resource",
            Code::Schema => "schema",
            Code::Kuma => "kuma",
            Code::PortOutOfRange => "MZS001",
            Code::DuplicatePort => "MZS002",
            Code::DuplicatePortName => "MZS003",
            Code::SelectorOnlyMesh => "MZS004",
            Code::UnknownField => "MZS005",
            Code::Deprecated => "MZS006",
            Code::IgnoredField => "MZS007",
            Code::PortNotServed => "MZS101",
            Code::CrossMeshMatch => "MZS102",
            Code::NoMatches => "MZS103",
            Code::UnavailableService => "MZS104",
            Code::HostnameProblem => "MZS105",
            Code::VipExhausted => "MZS106",
            Code::DuplicateKey => "MZS008",
            Code::UnmodelledKind => "unmodelled-kind",
            Code::MeshServiceWithoutZone => "MZS201",
            Code::ZoneLabelMismatch => "MZS202",
            Code::WrittenInZone => "MZS203",
        }
    }

    /// The severity a diagnostic of this code has unless a front end's option says otherwise
    /// (the CLI's `--strict`); SARIF rule levels and every front end read it from here.
    pub fn severity(self) -> Severity {
        match self {
            Code::Syntax
            | Code::Limit
            | Code::UnknownResource
            | Code::Schema
            | Code::Kuma
            | Code::ZoneLabelMismatch
            | Code::WrittenInZone => Severity::Error,
            Code::UnmodelledKind => Severity::Info,
            Code::PortOutOfRange
            | Code::DuplicatePort
            | Code::DuplicatePortName
            | Code::SelectorOnlyMesh
            | Code::UnknownField
            | Code::Deprecated
            | Code::IgnoredField
            | Code::DuplicateKey
            | Code::PortNotServed
            | Code::CrossMeshMatch
            | Code::NoMatches
            | Code::UnavailableService
            | Code::HostnameProblem
            | Code::VipExhausted
            | Code::MeshServiceWithoutZone => Severity::Warning,
        }
    }

    /// The anchor of this code's section in `docs/codes.md` (GitHub's heading anchor: the code
    /// in lower case).
    pub fn help_anchor(self) -> String {
        self.as_str().to_ascii_lowercase()
    }

    /// Every code, in registry order (for docs, SARIF rule tables and tests).
    pub const ALL: &'static [Code] = &[
        Code::Syntax,
        Code::Limit,
        Code::UnknownResource,
        Code::Schema,
        Code::Kuma,
        Code::PortOutOfRange,
        Code::DuplicatePort,
        Code::DuplicatePortName,
        Code::SelectorOnlyMesh,
        Code::UnknownField,
        Code::Deprecated,
        Code::IgnoredField,
        Code::PortNotServed,
        Code::CrossMeshMatch,
        Code::NoMatches,
        Code::UnavailableService,
        Code::HostnameProblem,
        Code::VipExhausted,
        Code::DuplicateKey,
        Code::UnmodelledKind,
        Code::MeshServiceWithoutZone,
        Code::ZoneLabelMismatch,
        Code::WrittenInZone,
    ];

    /// One-line description, used as SARIF rule text and in docs.
    pub fn description(self) -> &'static str {
        match self {
            Code::Syntax => "The text is not well-formed YAML or JSON",
            Code::Limit => "The input breaks a safety limit or is not UTF-8 text",
            Code::UnknownResource => "The document is not a Kuma resource this tool understands",
            Code::Schema => "The document does not match Kuma's OpenAPI schema",
            Code::Kuma => "Kuma's validator rejects the resource",
            Code::PortOutOfRange => "Port number outside 1-65535",
            Code::DuplicatePort => "Duplicate port number",
            Code::DuplicatePortName => "Duplicate port name",
            Code::SelectorOnlyMesh => "Selector only matches on kuma.io/mesh",
            Code::UnknownField => "Unknown field",
            Code::Deprecated => "Warning Kuma returns with the write",
            Code::IgnoredField => "Field is ignored by Kuma on input",
            Code::PortNotServed => "No matched MeshService exposes this port",
            Code::CrossMeshMatch => "Selector matches a MeshService in another mesh",
            Code::NoMatches => "Selector matches no MeshService",
            Code::UnavailableService => "Matched MeshService is Unavailable",
            Code::HostnameProblem => "Hostname generation failed or collided",
            Code::VipExhausted => "No VIP left in the MeshMultiZoneService CIDR",
            Code::DuplicateKey => "Key written twice (the last value wins)",
            Code::UnmodelledKind => "A Kuma resource kind kuma-mzs does not check",
            Code::MeshServiceWithoutZone => "MeshService without a kuma.io/zone label",
            Code::ZoneLabelMismatch => "kuma.io/zone differs from the zone of the file",
            Code::WrittenInZone => "MeshMultiZoneService written in a zone (Kuma answers 405)",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Kuma-style violation: a field path and a message, no position.
///
/// This is the unit of Kuma's `ValidationError`; the REST API returns these as
/// `invalid_parameters` and the conformance tests compare them as sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Violation {
    /// Kuma field path, e.g. `spec.ports[0].appProtocol`; empty for whole-document problems.
    pub field: String,
    /// Kuma's message text, unchanged.
    pub message: String,
}

impl Violation {
    /// A violation at `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A diagnostic about a document, located in its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// Kuma field path (`spec.ports[0].appProtocol`), or empty.
    pub field: String,
    /// Human-readable message (Kuma's exact text for [`Code::Kuma`]).
    pub message: String,
    /// Byte range in the source text.
    pub span: TextRange,
    /// A certain fix, when there is one (editors offer it as a quick fix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Set on an error whose field another Kuma release accepts: the release used is the likely
    /// cause, and this says which release to validate with instead (`validate::hint`). Kuma's
    /// `message` is never changed for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A text edit that fixes a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "Rename `matchLabel` to `matchLabels`".
    pub title: String,
    /// Byte range to replace.
    pub span: TextRange,
    /// Replacement text.
    pub replacement: String,
}

impl Diagnostic {
    /// A diagnostic with its code's default severity ([`Code::severity`]).
    pub fn new(
        code: Code,
        field: impl Into<String>,
        message: impl Into<String>,
        span: TextRange,
    ) -> Self {
        Self {
            severity: code.severity(),
            code,
            field: field.into(),
            message: message.into(),
            span,
            fix: None,
            hint: None,
        }
    }

    /// An error.
    pub fn error(
        code: Code,
        field: impl Into<String>,
        message: impl Into<String>,
        span: TextRange,
    ) -> Self {
        Self {
            severity: Severity::Error,
            ..Self::new(code, field, message, span)
        }
    }

    /// A warning.
    pub fn warning(
        code: Code,
        field: impl Into<String>,
        message: impl Into<String>,
        span: TextRange,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::new(code, field, message, span)
        }
    }

    /// Attach a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Locate the span in `text`.
    pub fn range(&self, index: &LineIndex, text: &str) -> Range {
        index.range(text, self.span)
    }
}

/// Sort diagnostics the one way every front end shows them: by position, then code, then message.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    crate::text::sort::sort_by(diagnostics, |a, b| {
        (a.span.start, a.span.end, a.code, &a.field, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.field,
            &b.message,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_with_a_stable_name_and_anchor() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        crate::text::sort::sort(&mut names);
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            let json = serde_json::to_string(code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(code
                .help_anchor()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
    }

    #[test]
    fn kuma_rejections_are_errors_and_our_additions_are_not() {
        assert_eq!(Code::Kuma.severity(), Severity::Error);
        assert_eq!(Code::UnknownResource.severity(), Severity::Error);
        assert_eq!(Code::NoMatches.severity(), Severity::Warning);
        assert_eq!(Code::UnmodelledKind.severity(), Severity::Info);
        assert_eq!(
            Diagnostic::new(Code::DuplicateKey, "", "", TextRange::empty(0)).severity,
            Severity::Warning
        );
    }
}
