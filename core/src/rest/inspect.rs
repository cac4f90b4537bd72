//! The `_hostnames` inspect endpoint (§6.4) answered the REST way.

use super::{ApiError, Mode};
use crate::model::Resource;
use crate::status::hostnames;

/// Title of the 500 Kuma answers when a generator's template fails during `_hostnames`.
pub(crate) const TITLE_COULD_NOT_GENERATE_HOSTNAME: &str = "could not generate hostname";

/// `GET /meshes/{mesh}/{serviceType}/{name}/_hostnames`: the preview engine's
/// [`hostnames::inspect`], answered the REST way (a failing template is a 500).
pub fn inspect_hostnames(
    mode: &Mode,
    service: &Resource,
    generators: &[Resource],
) -> Result<hostnames::InspectHostnames, ApiError> {
    hostnames::inspect(service, generators, matches!(mode, Mode::Global)).map_err(|e| match e {
        hostnames::InspectError::Template { .. } => {
            ApiError::new(500, TITLE_COULD_NOT_GENERATE_HOSTNAME, e.to_string())
        }
        hostnames::InspectError::UnsupportedType(_) => ApiError::not_found("Not found"),
    })
}
