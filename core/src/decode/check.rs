//! `check()`: a text of one or more YAML/JSON documents in; every Kuma resource in it decoded,
//! validated and linted, with positions.

use crate::model::{KumaVersion, Resource, ResourceType, Shape};
use crate::text::diagnostics::{self, Diagnostic, Severity};
use crate::text::source::{LineIndex, TextRange};
use crate::text::syntax;

/// How a text should be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Decide from the text (JSON if it starts with `{` or `[`).
    #[default]
    Auto,
    /// YAML, one or more documents.
    Yaml,
    /// JSON, one document (or an array of documents).
    Json,
}

/// Options for [`check`].
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Which Kuma release's rules to apply.
    pub kuma_version: KumaVersion,
    /// How to read the text.
    pub format: Format,
    /// Safety limits.
    pub limits: syntax::Limits,
    /// The namespace Kuma runs in on Kubernetes (`store.kubernetes.systemNamespace`), where its
    /// webhook admits MeshMultiZoneServices and HostnameGenerators; `None` is Kuma's default,
    /// `kuma-system` (Kong Mesh installs in `kong-mesh-system`).
    pub system_namespace: Option<String>,
}

impl CheckOptions {
    /// Why `system_namespace` cannot be a Kubernetes namespace, in apimachinery's words (a
    /// DNS-1123 label), if it cannot: a namespace Kuma could not run in would make every
    /// manifest's namespace check wrong. Empty is no setting: Kuma's default.
    pub fn system_namespace_problem(&self) -> Option<String> {
        let namespace = self
            .system_namespace
            .as_deref()
            .filter(|ns| !ns.is_empty())?;
        let errors = crate::validate::kubernetes::namespace_errors(namespace);
        (!errors.is_empty()).then(|| {
            format!(
                "{namespace:?} is not a Kubernetes namespace: {}",
                crate::text::join(&errors, "; ")
            )
        })
    }
}

/// One checked document.
#[derive(Debug, Clone)]
pub struct CheckedDocument {
    /// Where the document is in the text.
    pub span: TextRange,
    /// The resource type, if recognised.
    pub resource_type: Option<ResourceType>,
    /// The document shape, if recognised.
    pub shape: Option<Shape>,
    /// The decoded resource, when decoding got far enough (it may still have errors).
    pub resource: Option<Resource>,
    /// Everything wrong with the document, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The syntax tree, for editor features (hover, completion).
    pub root: syntax::Node,
}

impl CheckedDocument {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// The result of [`check`].
#[derive(Debug, Clone)]
pub struct Checked {
    /// Every non-empty document, in order.
    pub documents: Vec<CheckedDocument>,
    /// Problems not inside a readable document (syntax errors, limits).
    pub diagnostics: Vec<Diagnostic>,
    /// Line index of the text, to locate spans.
    pub line_index: LineIndex,
}

impl Checked {
    /// All diagnostics, text-level first, then per document.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.documents.iter().flat_map(|d| d.diagnostics.iter()))
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.all_diagnostics()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Read `text` into documents. JSON takes a fast path that builds the same tree as the YAML
/// parser; anything the fast path does not accept goes through the YAML parser, which reports it.
fn parse(text: &str, options: &CheckOptions) -> syntax::Parsed {
    let looks_like_json = match options.format {
        Format::Json => true,
        Format::Yaml => false,
        Format::Auto => matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')),
    };
    if looks_like_json {
        if let Some(doc) = super::json::parse(text, &options.limits) {
            return syntax::Parsed {
                documents: vec![doc],
                diagnostics: Vec::new(),
            };
        }
    }
    if let Some(documents) = super::yaml_fast::parse(text, &options.limits) {
        return syntax::Parsed {
            documents,
            diagnostics: Vec::new(),
        };
    }
    syntax::parse(text, &options.limits)
}

/// Parse, decode and validate every document of `text`.
pub fn check(text: &str, options: &CheckOptions) -> Checked {
    check_applied_to(text, options, false)
}

/// [`check`] of a text applied to the control plane of a federated zone when `on_zone` (a
/// preview's zone file), whose admission webhook answers otherwise than global's; else global,
/// or not known (`validate`).
pub(crate) fn check_applied_to(text: &str, options: &CheckOptions, on_zone: bool) -> Checked {
    let parsed = parse(text, options);
    // A loop, not `flat_map`: its iterator state machine costs the wasm module 1.3 KB.
    let mut documents = Vec::with_capacity(parsed.documents.len());
    for doc in parsed.documents {
        documents.append(&mut super::decode_document_owned(doc, options.kuma_version));
    }
    let mut documents = read_only_fields(documents, options.kuma_version);
    admission(&mut documents, options, on_zone);
    let mut diagnostics = parsed.diagnostics;
    diagnostics.extend(super::json_comments::json_comment(text));
    diagnostics::sort(&mut diagnostics);
    Checked {
        documents,
        diagnostics,
        line_index: LineIndex::new(text),
    }
}

/// What Kuma's admission webhook refuses in a Kubernetes manifest wherever it is applied
/// ([`crate::validate::kubernetes::webhook_violations`]), or on a federated zone's control
/// plane ([`crate::validate::kubernetes::zone_webhook_violations`]).
fn admission(documents: &mut [CheckedDocument], options: &CheckOptions, on_zone: bool) {
    use crate::text::diagnostics::Code;
    // An empty setting (an unset CI variable) is no namespace: Kuma's default.
    let system = (options.system_namespace.as_deref())
        .filter(|ns| !ns.is_empty())
        .unwrap_or(crate::model::defaults::SYSTEM_NAMESPACE);
    for doc in documents {
        let (Some(resource), Some(Shape::Kubernetes)) = (&doc.resource, doc.shape) else {
            continue;
        };
        let namespace = (doc.root.get("metadata"))
            .and_then(|m| m.get("namespace")?.as_str())
            .filter(|ns| !ns.is_empty());
        let mut found = if on_zone {
            crate::validate::kubernetes::zone_webhook_violations(
                resource.resource_type(),
                namespace,
                &resource.meta.labels,
                system,
                options.kuma_version,
            )
        } else {
            crate::validate::kubernetes::webhook_violations(
                resource.resource_type(),
                namespace,
                &resource.meta.labels,
                system,
                options.kuma_version,
            )
        };
        if let (Some(ns), crate::model::Spec::MeshLoadBalancingStrategy(spec)) =
            (namespace, &resource.spec)
        {
            if ns != system {
                found.extend(crate::validate::kubernetes::policy_role_violation(spec, ns));
            }
        }
        if found.is_empty() {
            continue;
        }
        for v in found {
            let at = super::span_of(&doc.root, &v.field);
            doc.diagnostics
                .push(Diagnostic::new(Code::Kuma, v.field, v.message, at));
        }
        diagnostics::sort(&mut doc.diagnostics);
    }
}

/// The read-only fields (`status`, `creationTime`, ...) of each universal document, as Kuma's
/// REST unmarshaller reads them in `kumactl apply` ([`crate::validate::read_only`]): schema errors
/// always (they join the spec's), the decoder's error only when the document has no schema error
/// (Kuma decodes only a body its schema passed).
fn read_only_fields(
    mut documents: Vec<CheckedDocument>,
    version: KumaVersion,
) -> Vec<CheckedDocument> {
    use crate::text::diagnostics::Code;
    use crate::validate::read_only;
    for doc in &mut documents {
        let (Some(resource_type), Some(Shape::Universal)) = (doc.resource_type, doc.shape) else {
            continue;
        };
        let mut refused = read_only::check(&doc.root, resource_type, version);
        // The only error that is not a schema error comes alone: the decoder's.
        if refused.first().is_some_and(|d| d.code == Code::Kuma)
            && doc.diagnostics.iter().any(|d| d.code == Code::Schema)
        {
            refused.clear();
        }
        if !refused.is_empty() {
            doc.diagnostics.append(&mut refused);
            diagnostics::sort(&mut doc.diagnostics);
        }
    }
    documents
}
