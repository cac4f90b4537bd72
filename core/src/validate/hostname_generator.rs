//! HostnameGenerator, after upstream
//! `pkg/core/resources/apis/hostnamegenerator/api/v1alpha1/validate.go` (commit 348b6528, the
//! same rules as v2.14.3). Earlier releases check less: before 2.14 the template is only parsed
//! (not rendered with stub values and checked as a DNS name), before 2.11 there is no `extension`.
//!
//! Upstream does not check the selectors' labels, and only checks the template with stub values
//! (a template that needs a label the service lacks passes here and fails at generation time).

use super::{dns, messages, FieldPath};
use crate::model::{HostnameGeneratorSpec, KumaVersion};
use crate::template::Template;
use crate::text::diagnostics::Violation;

pub(crate) fn validate(spec: &HostnameGeneratorSpec, version: KumaVersion) -> Vec<Violation> {
    let mut out = Vec::new();
    let path = FieldPath::root("spec");
    let s = &spec.selector;
    let defined = [
        s.mesh_service.is_some(),
        s.mesh_external_service.is_some(),
        s.mesh_multi_zone_service.is_some(),
    ]
    .into_iter()
    .filter(|d| *d)
    .count();
    if defined != 1 {
        out.push(
            path.field("selector")
                .violation(messages::EXACT_ONE_SELECTOR),
        );
    }
    let problem = if version >= KumaVersion::V2_14 {
        template_problem(&spec.template)
    } else {
        template_parse_problem(&spec.template)
    };
    if let Some(message) = problem {
        out.push(path.field("template").violation(message));
    }
    if version >= KumaVersion::V2_11
        && spec
            .extension
            .as_ref()
            .is_some_and(|e| e.extension_type.is_empty())
    {
        out.push(
            path.field("extension")
                .field("type")
                .violation(messages::MUST_NOT_BE_EMPTY),
        );
    }
    out
}

/// `validateTemplate` before 2.14: empty, else whether Go can parse it.
fn template_parse_problem(template: &str) -> Option<String> {
    if template.is_empty() {
        return Some(messages::MUST_NOT_BE_EMPTY.to_owned());
    }
    Template::parse(template)
        .err()
        .map(|e| format!("couldn't parse template: {e}"))
}

/// Upstream's `validateTemplate`: the first problem, as upstream returns early.
pub(crate) fn template_problem(template: &str) -> Option<String> {
    if template.is_empty() {
        return Some(messages::MUST_NOT_BE_EMPTY.to_owned());
    }
    let parsed = match Template::parse(template) {
        Ok(t) => t,
        Err(e) => return Some(format!("couldn't parse template: {e}")),
    };
    let rendered = match parsed.render_stub() {
        Ok(r) => r,
        Err(e) => return Some(format!("couldn't render template with stub values: {e}")),
    };
    let errs = dns::is_dns1123_subdomain(&rendered);
    if errs.is_empty() {
        return None;
    }
    Some(format!(
        "template renders to {} which is not a valid DNS name: {}",
        crate::template::go_quote(&rendered),
        crate::text::join(&errs, ", ")
    ))
}
