//! "Likely a version mismatch": when a document has errors under one Kuma release, which other
//! release to compare it with, and what to tell the user about an error that release does not give.
//!
//! Users pick the release they validate with (`3.0` by default), and their control plane may run
//! another one. An error such as `appProtocol: kafka` under 3.0, which every 2.x accepts, then
//! reads as a mistake in the document when it is a mistake in the choice of release. So a
//! rejected document is validated once more under the *counterpart* release, and each error at a
//! field the counterpart accepts carries a hint naming that release. "Accepts" means no error at,
//! inside or around the field there; `check()` also wants the field known there (no `MZS005`),
//! since a field the counterpart drops is not accepted either. Kuma's messages stay as
//! they are; the hint is a separate field ([`crate::Diagnostic::hint`]).
//!
//! The counterpart is the newest release of the other release line: 3.0 for every 2.x release
//! (2.9 to 2.14), and the newest 2.x (2.14) for 3.0. The line is the likely mismatch (the 3.0
//! release removed fields and values 2.x had, and added rules); within 2.x, the user who names
//! an older release on purpose most likely runs it.

use crate::model::KumaVersion;
use crate::text::diagnostics::Violation;

/// The release a rejected document is compared with: the newest release of the other release
/// line (3.0 for every 2.x release, the newest 2.x for 3.0).
pub fn counterpart(version: KumaVersion) -> KumaVersion {
    if version.is_2x() {
        KumaVersion::V3_0
    } else {
        KumaVersion::NEWEST_2X
    }
}

/// What an error under `version` says when [`counterpart`]`(version)` accepts its field.
pub fn hint(version: KumaVersion) -> String {
    let other = counterpart(version).as_str();
    format!(
        "Kuma {other} accepts this; if your control plane runs Kuma {other}, validate with Kuma version {other} instead of {}",
        version.as_str()
    )
}

/// Whether a release whose errors are at the fields `rejected` accepts `field`: none of them is
/// at `field`, inside it, or at a field that contains it (an error on a parent may stand in for
/// the field's own check). A whole-document error (empty field) contains every field, and an
/// error without a field gets no hint: there is no field to compare.
pub fn accepts<'a>(field: &str, rejected: impl IntoIterator<Item = &'a str>) -> bool {
    !field.is_empty()
        && !rejected
            .into_iter()
            .any(|other| within(field, other) || within(other, field))
}

/// `field` is `parent` or a field inside it (`spec.ports[0].name` is inside `spec.ports`).
fn within(field: &str, parent: &str) -> bool {
    parent.is_empty()
        || field
            .strip_prefix(parent)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// For each of `errors` (a resource's violations under `version`), the hint it carries given the
/// same resource's violations under [`counterpart`]`(version)`: what a front end that validates
/// through the REST layer (the Terraform provider) uses; `check()` attaches hints itself.
pub fn hints(
    version: KumaVersion,
    errors: &[Violation],
    counterpart_errors: &[Violation],
) -> Vec<Option<String>> {
    errors
        .iter()
        .map(|e| {
            accepts(
                &e.field,
                counterpart_errors.iter().map(|o| o.field.as_str()),
            )
            .then(|| hint(version))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counterpart_is_the_newest_release_of_the_other_line() {
        assert_eq!(counterpart(KumaVersion::V3_0), KumaVersion::V2_14);
        for v in KumaVersion::ALL.into_iter().filter(|v| v.is_2x()) {
            assert_eq!(counterpart(v), KumaVersion::V3_0, "{v}");
        }
    }

    #[test]
    fn the_hint_names_both_releases() {
        assert_eq!(
            hint(KumaVersion::V3_0),
            "Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0"
        );
        assert_eq!(
            hint(KumaVersion::V2_9),
            "Kuma 3.0 accepts this; if your control plane runs Kuma 3.0, validate with Kuma version 3.0 instead of 2.9"
        );
    }

    #[test]
    fn a_field_is_accepted_unless_an_error_is_at_it_inside_it_or_around_it() {
        let rejected = ["spec.ports[1].appProtocol", "name"];
        assert!(accepts("spec.ports[0].appProtocol", rejected));
        assert!(accepts("spec.ports[10]", rejected));
        assert!(accepts("names", rejected));
        assert!(!accepts("spec.ports[1].appProtocol", rejected));
        assert!(!accepts("spec.ports[1]", rejected));
        assert!(!accepts("spec.ports[1].appProtocol.x", rejected));
        assert!(!accepts("name", rejected));
        assert!(!accepts("spec.selector", [""]));
        assert!(!accepts("", []));
        assert!(accepts("spec", []));
    }

    #[test]
    fn hints_go_to_the_errors_the_counterpart_does_not_give() {
        let errors = [
            Violation::new("spec.ports[0].appProtocol", "bad"),
            Violation::new("name", "bad"),
        ];
        let other = [Violation::new("name", "also bad")];
        assert_eq!(
            hints(KumaVersion::V3_0, &errors, &other),
            vec![Some(hint(KumaVersion::V3_0)), None]
        );
    }
}
