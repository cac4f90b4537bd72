//! The REST layer: Kuma's REST-layer rules that are not transport: the validation layers of a PUT
//! in Kuma's order (§2.3 of the reference), Kuma's error bodies, labels computed on write (§7.5),
//! label checks (§2.5), which control plane may write which type (§7.4), KRI and SNI names,
//! pagination and filter parameters (§7.2), the REST and Kubernetes output shapes, the
//! `_hostnames` inspect endpoint (§6.4), the API server's authentication rules (`Bearer` tokens,
//! the `/gui` skip, `localhostIsAdmin`) and the text of `GET /config`.
//!
//! The local control plane (`kuma-local`) only does HTTP, storage and sync around these.

pub(crate) mod authn;
pub(crate) mod config_text;
pub(crate) mod facts;
pub(crate) mod kri;
pub(crate) mod schema_errors;
pub(crate) mod server_labels;

mod default_generators;
mod errors;
mod go_json;
mod inspect;
mod kri_lookup;
mod labels;
mod list_query;
mod mesh;
mod mode;
mod output;
mod put;
pub(crate) mod read_only;
mod resource_names;
pub(crate) mod response_text;

pub(crate) use crate::validate::meta::validate_meta;
pub use default_generators::default_hostname_generators;
pub use errors::{
    ApiError, Cause, ErrorBody, InvalidParameter, TITLE_COULD_NOT_DELETE, TITLE_COULD_NOT_RETRIEVE,
    TITLE_COULD_NOT_UPDATE, ZONE_READ_ONLY_MESSAGE,
};
pub(crate) use errors::{
    DETAIL_NOT_VALID, GLOBAL_READ_ONLY_MESSAGE, TITLE_COULD_NOT_PROCESS, TITLE_FAILED_CREATE,
    TITLE_FAILED_UPDATE,
};
pub use inspect::inspect_hostnames;
pub use kri_lookup::{kri_not_found, kri_request, parse_kri_format, KriRequest};
pub use labels::check_delete;
pub use labels::check_immutable_labels;
pub(crate) use labels::check_labels;
pub use labels::compute_labels;
pub(crate) use labels::{origin_refusal, zone_label_refusals_by_kuma};
pub use list_query::{parse_filters, parse_page_size, parse_query, ListFilter, Page, PageSize};
pub use mode::{check_writable, Mode};
pub use output::{
    parse_format, KubernetesItem, OutputFormat, ReleaseItem, RestItem, Times, SYSTEM_NAMESPACE,
};
pub use put::{
    decode_listed, decode_value, prepare_put, review_put, PreparedPut, StoreView,
    PLANNED_CREATION_TIME,
};
pub use read_only::decoding_error_field;
pub use resource_names::resource_kri;
pub(crate) use resource_names::resource_snis;

#[cfg(test)]
mod tests;
