//! Kuma's message texts, verbatim (pkg/core/validators/messages.go and the validators).

/// `validators.MustNotBeEmpty`.
pub(crate) const MUST_NOT_BE_EMPTY: &str = "must not be empty";
/// `validators.MustBeDefined`.
pub(crate) const MUST_BE_DEFINED: &str = "must be defined";
/// `validators.MustNotBeSet`.
pub(crate) const MUST_NOT_BE_SET: &str = "must not be set";
/// `validators.MustBeSet`.
pub(crate) const MUST_BE_SET: &str = "must be set";
/// `validators.HasToBeGreaterThanZero`.
pub(crate) const HAS_TO_BE_GREATER_THAN_ZERO: &str = "must be greater than 0";
/// `validators.HasToBeInPercentageRange`.
pub(crate) const HAS_TO_BE_IN_PERCENTAGE_RANGE: &str = "must be in inclusive range [0.0, 100.0]";
/// `validators.StringHasToBeValidNumber`.
pub(crate) const STRING_HAS_TO_BE_VALID_NUMBER: &str = "string must be a valid number";
/// The MZS validator's text for an empty selector or port list.
pub(crate) const CANNOT_BE_EMPTY: &str = "cannot be empty";
/// The HostnameGenerator validator's selector text (it does not mention meshMultiZoneService).
pub(crate) const EXACT_ONE_SELECTOR: &str =
    "exact one selector (meshService, meshExternalService) must be defined";
/// MLBS: unknown failover or hash policy type.
pub(crate) const UNRECOGNIZED_TYPE: &str = "unrecognized type";

/// `validators.MustBeOneOf(entity, values...)`.
pub(crate) fn must_be_one_of(entity: &str, values: &[&str]) -> String {
    format!(
        "{entity} must be one of: {}",
        crate::text::join(values, ", ")
    )
}

/// `validators.HasToBeGreaterOrEqualThen` (Kuma's spelling).
pub(crate) const HAS_TO_BE_GREATER_OR_EQUAL_THEN: &str = "must be greater or equal then";
