//! Kuma's REST error answers: status, title and detail, and the `/std-errors` body with its
//! invalid parameters.

use serde::{Deserialize, Serialize};

use crate::Violation;

/// A Kuma REST error (`/std-errors`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {title}: {detail}")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `title`.
    pub title: String,
    /// `detail` (and the deprecated `details`).
    pub detail: String,
    /// `invalid_parameters` (and the deprecated `causes`).
    pub invalid_parameters: Vec<Violation>,
}

/// Title Kuma uses when the body cannot be decoded or the request does not match the URL.
pub(crate) const TITLE_COULD_NOT_PROCESS: &str = "Could not process a resource";
/// Title of a validation failure on create.
pub(crate) const TITLE_FAILED_CREATE: &str = "Failed to create a resource";
/// Title of a validation failure on update.
pub(crate) const TITLE_FAILED_UPDATE: &str = "Failed to update a resource";
/// Title of an immutable-label failure on update.
pub const TITLE_COULD_NOT_UPDATE: &str = "Could not update a resource";
/// Title of a 404 on GET.
pub const TITLE_COULD_NOT_RETRIEVE: &str = "Could not retrieve a resource";
/// Title of a 404 on DELETE.
pub const TITLE_COULD_NOT_DELETE: &str = "Could not delete a resource";
/// Detail of every validation failure.
pub(crate) const DETAIL_NOT_VALID: &str = "Resource is not valid";
/// Title of a bad or unknown token.
pub(crate) const TITLE_INVALID_AUTHN: &str = "Invalid authentication data";

/// The 405 text on a federated zone (Kuma's, including the trailing newline).
pub const ZONE_READ_ONLY_MESSAGE: &str = "On zone control plane you can only modify zone resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify the rest of the resource on the global control plane.\n";
/// The 405 text on global for zone-provided types (Kuma's wording talks about dataplanes).
pub(crate) const GLOBAL_READ_ONLY_MESSAGE: &str = "On global control plane you can not modify dataplane resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify them on the zone control plane.\n";

impl ApiError {
    /// An error without invalid parameters.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            title: title.into(),
            detail: detail.into(),
            invalid_parameters: Vec::new(),
        }
    }

    /// 400 `Resource is not valid` with one invalid parameter per violation.
    pub fn invalid(title: impl Into<String>, violations: Vec<Violation>) -> Self {
        Self {
            status: 400,
            title: title.into(),
            detail: DETAIL_NOT_VALID.to_owned(),
            invalid_parameters: violations,
        }
    }

    /// 404 `Not found`.
    pub fn not_found(title: impl Into<String>) -> Self {
        Self::new(404, title, "Not found")
    }

    /// 412 when an `If-Match` / `If-None-Match` precondition does not hold (RFC 9110 §13.1.1,
    /// §13.1.2: the answer to a failed precondition on a state-changing request). Kuma has no
    /// ETags and ignores both headers; this is for servers that honour them (kuma-local), in
    /// Kuma's `/std-errors` shape.
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(412, "Precondition Failed", detail)
    }

    /// 405 with Kuma's message.
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(405, "Method not allowed", detail)
    }

    /// 401 for a missing, malformed or unknown token.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(401, TITLE_INVALID_AUTHN, detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(403, "Access Denied", detail)
    }

    /// 500.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(500, "Internal Server Error", detail)
    }

    /// The JSON body Kuma sends.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_type: "/std-errors".to_owned(),
            status: self.status,
            title: self.title.clone(),
            detail: self.detail.clone(),
            invalid_parameters: self
                .invalid_parameters
                .iter()
                .map(|v| InvalidParameter {
                    field: v.field.clone(),
                    reason: v.message.clone(),
                })
                .collect(),
            details: self.detail.clone(),
            causes: self
                .invalid_parameters
                .iter()
                .map(|v| Cause {
                    field: v.field.clone(),
                    message: v.message.clone(),
                })
                .collect(),
        }
    }
}

/// Kuma's error body, field for field (`details`/`causes` are the deprecated duplicates).
/// Read leniently (the provider): a server in front of Kuma may send fewer fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    /// Always `/std-errors`.
    #[serde(rename = "type")]
    pub error_type: String,
    /// HTTP status.
    pub status: u16,
    /// Title.
    pub title: String,
    /// Detail.
    pub detail: String,
    /// One entry per violation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalid_parameters: Vec<InvalidParameter>,
    /// Deprecated copy of `detail`.
    pub details: String,
    /// Deprecated copy of `invalid_parameters`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<Cause>,
}

/// An `invalid_parameters` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidParameter {
    /// Field path.
    pub field: String,
    /// Message.
    pub reason: String,
}

/// A `causes` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    /// Field path.
    pub field: String,
    /// Message.
    pub message: String,
}
