//! "Likely a version mismatch": when a document has errors under one Kuma release, which other
//! release to compare it with, and what to tell the user about an error that release does not give.
//!
//! Users pick the release they validate with (`3.0` by default), and their control plane may run
//! another one. An error such as `appProtocol: kafka` under 3.0, which every 2.x accepts, then
//! reads as a mistake in the document when it is a mistake in the choice of release. So a
//! rejected document is validated once more under the *counterpart* release, and each error at a
//! field the counterpart accepts carries a hint naming that release. "Accepts" means no error at,
//! inside or around the field there; `check()` also wants the field known there (no `MZS005`),
//! since a field the counterpart drops is not accepted either. An error that a field is missing
//! (`must be defined`, `in body is required`) is about the object lacking it, whose other fields
//! decide what it needs (a hash policy's `type` decides between `header`, `connection`, ...), so
//! there the counterpart must accept the whole object: a 2.14 `SourceIP` policy without
//! `connection` gets no "3.0 accepts this", as 3.0 refuses its `type`. The same holds for an
//! error at a `type` or `kind`, which decides what the rest of its object needs: 3.0's
//! `unrecognized type` on that policy gets no "2.14 accepts this". Kuma's messages stay as
//! they are; the hint is a separate field ([`crate::Diagnostic::hint`]).
//!
//! The counterpart is the newest release of the other release line: 3.0 for every 2.x release
//! (2.9 to 2.14), and the newest 2.x (2.14) for 3.0. The line is the likely mismatch (the 3.0
//! release removed fields and values 2.x had, and added rules); within 2.x, the user who names
//! an older release on purpose most likely runs it, so a hint is given only when the counterpart
//! accepts the field. It then names the oldest release from which every newer one accepts it: a
//! `SpiffeID` identity under 2.11 reads "Kuma 2.12 and later accept this", since 2.12 to 2.14
//! accept it as 3.0 does, not "Kuma 3.0 accepts this", which would send a 2.12 user to 3.0.

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

/// What an error under `version` says when [`counterpart`]`(version)` accepts its field and no
/// release of `version`'s own line does.
pub fn hint(version: KumaVersion) -> String {
    Hint::new(version, counterpart(version)).text
}

/// A "likely a version mismatch" hint: the release to validate with instead, and what to tell
/// the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The release the hint suggests: the counterpart, or for a 2.x release the oldest newer
    /// 2.x release from which every release up to the counterpart accepts the field.
    pub release: KumaVersion,
    /// The sentence shown beside Kuma's message.
    pub text: String,
}

impl Hint {
    /// The hint for an error under `version` that `release` and every newer release accept.
    pub fn new(version: KumaVersion, release: KumaVersion) -> Self {
        let (other, was) = (release.as_str(), version.as_str());
        let text = if release == counterpart(version) {
            format!(
                "Kuma {other} accepts this; if your control plane runs Kuma {other}, validate with Kuma version {other} instead of {was}"
            )
        } else {
            format!(
                "Kuma {other} and later accept this; if your control plane runs Kuma {other} or later, validate with its version instead of {was}"
            )
        };
        Self { release, text }
    }
}

/// The releases of `version`'s own line that are newer than it, newest first (2.x only: 3.0
/// has no newer release).
fn newer_in_line(version: KumaVersion) -> impl Iterator<Item = KumaVersion> {
    KumaVersion::ALL
        .into_iter()
        .filter(move |r| version.is_2x() && r.is_2x() && *r > version)
}

/// The releases a rejected document is compared with, each asked once and only when needed:
/// `rejected_under(release)` answers the fields that release rejects in the same document.
pub struct Comparison<F> {
    version: KumaVersion,
    rejected_under: F,
    asked: Vec<(KumaVersion, Vec<String>)>,
}

impl<F: FnMut(KumaVersion) -> Vec<String>> Comparison<F> {
    /// A comparison for a document rejected under `version`.
    pub fn new(version: KumaVersion, rejected_under: F) -> Self {
        Self {
            version,
            rejected_under,
            asked: Vec::new(),
        }
    }

    fn accepted_by(&mut self, release: KumaVersion, field: &str) -> bool {
        let index = match self.asked.iter().position(|(r, _)| *r == release) {
            Some(index) => index,
            None => {
                let rejected = (self.rejected_under)(release);
                self.asked.push((release, rejected));
                self.asked.len() - 1
            }
        };
        accepts(field, self.asked[index].1.iter().map(String::as_str))
    }

    /// The hint of an error at `field` saying `message`: none unless [`counterpart`] accepts the
    /// field (the object holding it when the error is that the field is missing); then the
    /// oldest release from which it is accepted up to the counterpart.
    pub fn hint(&mut self, field: &str, message: &str) -> Option<Hint> {
        let field = compared_field(field, message);
        let version = self.version;
        let mut release = counterpart(version);
        if !self.accepted_by(release, field) {
            return None;
        }
        for newer in newer_in_line(version) {
            if !self.accepted_by(newer, field) {
                break;
            }
            release = newer;
        }
        Some(Hint::new(version, release))
    }
}

/// What an error at `field` saying `message` is compared at: the field, or for a missing field
/// the object that lacks it (the document root has no field: no hint).
fn compared_field<'f>(field: &'f str, message: &str) -> &'f str {
    let missing =
        message == super::messages::MUST_BE_DEFINED || message.ends_with(" in body is required");
    // A `type` or `kind` decides what the rest of its object needs, so a release accepts it only
    // with the object: 3.0's `unrecognized type` on a `SourceIP` hash policy gets no "2.14
    // accepts this" when 2.14 refuses that policy's missing `connection`.
    let discriminator = field.ends_with(".type") || field.ends_with(".kind");
    if !missing && !discriminator {
        return field;
    }
    // `a.b[0].c` -> `a.b[0]`; `a.b[0]` -> `a.b`; `name` -> ``.
    let cut = field.rfind(['.', '[']).unwrap_or(0);
    &field[..cut]
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

/// For each of `errors` (a resource's violations under `version`), the hint it carries given
/// `errors_under(release)`, the same resource's violations under another release: what a front
/// end that validates through the REST layer (the Terraform provider) uses; `check()` attaches
/// hints itself.
pub fn hints(
    version: KumaVersion,
    errors: &[Violation],
    mut errors_under: impl FnMut(KumaVersion) -> Vec<Violation>,
) -> Vec<Option<Hint>> {
    let mut comparison = Comparison::new(version, |release| {
        errors_under(release).into_iter().map(|v| v.field).collect()
    });
    errors
        .iter()
        .map(|e| comparison.hint(&e.field, &e.message))
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
    fn a_type_is_accepted_only_with_its_object() {
        let under_2_14 = |release: KumaVersion| match release {
            KumaVersion::V2_14 => vec!["spec.to[0].default.hashPolicies[0].connection".to_owned()],
            _ => Vec::new(),
        };
        let mut comparison = Comparison::new(KumaVersion::V3_0, under_2_14);
        assert_eq!(
            comparison.hint(
                "spec.to[0].default.hashPolicies[0].type",
                "unrecognized type"
            ),
            None
        );
        // Another policy's type, whose object 2.14 accepts, keeps its hint.
        assert!(comparison
            .hint(
                "spec.to[0].default.hashPolicies[1].type",
                "unrecognized type"
            )
            .is_some());
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
    fn a_missing_field_is_compared_at_the_object_lacking_it() {
        // The counterpart refuses the policy's `type`: the policy is not accepted, so neither is
        // the `connection` it lacks under this release.
        let lacking = [Violation::new(
            "spec.to[0].default.hashPolicies[0].connection",
            "must be defined",
        )];
        let type_refused = |_| {
            vec![Violation::new(
                "spec.to[0].default.hashPolicies[0].type",
                "unrecognized type",
            )]
        };
        assert_eq!(
            hints(KumaVersion::V2_14, &lacking, type_refused),
            vec![None]
        );
        // Another item's error does not count, nor does it for a value that is present.
        let other_item = |_| {
            vec![Violation::new(
                "spec.to[0].default.hashPolicies[1].type",
                "unrecognized type",
            )]
        };
        assert!(hints(KumaVersion::V2_14, &lacking, other_item)[0].is_some());
        let present = [Violation::new(
            "spec.to[0].default.hashPolicies[0].connection",
            "bad",
        )];
        assert!(hints(KumaVersion::V2_14, &present, type_refused)[0].is_some());
        // The schema's wording of a missing field, and a missing top-level field (no object to
        // compare: no hint).
        let required = [Violation::new(
            "spec.template",
            "spec.template in body is required",
        )];
        let spec_refused = |_| vec![Violation::new("spec.selector", "bad")];
        assert_eq!(
            hints(KumaVersion::V3_0, &required, spec_refused),
            vec![None]
        );
        let name = [Violation::new("name", "must be defined")];
        assert_eq!(hints(KumaVersion::V3_0, &name, |_| Vec::new()), vec![None]);
    }

    #[test]
    fn hints_go_to_the_errors_the_counterpart_does_not_give() {
        let errors = [
            Violation::new("spec.ports[0].appProtocol", "bad"),
            Violation::new("name", "bad"),
        ];
        let mut asked = Vec::new();
        let found = hints(KumaVersion::V3_0, &errors, |release| {
            asked.push(release);
            vec![Violation::new("name", "also bad")]
        });
        assert_eq!(
            found,
            vec![Some(Hint::new(KumaVersion::V3_0, KumaVersion::V2_14)), None]
        );
        assert_eq!(
            found[0].as_ref().map(|h| &h.text),
            Some(&hint(KumaVersion::V3_0))
        );
        assert_eq!(
            asked,
            vec![KumaVersion::V2_14],
            "each release is asked once"
        );
    }

    #[test]
    fn a_2x_hint_names_the_oldest_release_from_which_the_field_is_accepted() {
        // 2.11 rejects the field; 2.12 onwards accept it, 3.0 included.
        let field = "spec.identities[0].type";
        let errors = [Violation::new(field, "bad")];
        let mut asked = Vec::new();
        let found = hints(KumaVersion::V2_11, &errors, |release| {
            asked.push(release);
            if release <= KumaVersion::V2_11 {
                vec![Violation::new(field, "bad")]
            } else {
                Vec::new()
            }
        });
        let expected = Hint::new(KumaVersion::V2_11, KumaVersion::V2_12);
        assert_eq!(
            expected.text,
            "Kuma 2.12 and later accept this; if your control plane runs Kuma 2.12 or later, validate with its version instead of 2.11"
        );
        assert_eq!(found, vec![Some(expected)]);
        assert_eq!(
            asked,
            [
                KumaVersion::V3_0,
                KumaVersion::V2_14,
                KumaVersion::V2_13,
                KumaVersion::V2_12
            ]
        );
        // Only 3.0 accepts: the counterpart's hint, and the newer 2.x releases asked stop at
        // the first that rejects.
        let only_3_0 = hints(KumaVersion::V2_11, &errors, |release| {
            if release.is_2x() {
                vec![Violation::new(field, "bad")]
            } else {
                Vec::new()
            }
        });
        assert_eq!(
            only_3_0,
            vec![Some(Hint::new(KumaVersion::V2_11, KumaVersion::V3_0))]
        );
        // A gap (2.13 rejects, 2.14 accepts) ends the run at 2.14.
        let gap = hints(KumaVersion::V2_11, &errors, |release| {
            if release == KumaVersion::V2_13 || release == KumaVersion::V2_11 {
                vec![Violation::new(field, "bad")]
            } else {
                Vec::new()
            }
        });
        assert_eq!(
            gap,
            vec![Some(Hint::new(KumaVersion::V2_11, KumaVersion::V2_14))]
        );
    }
}
