//! `GET /_kri/{kri}` as Kuma answers it (from 2.13; earlier releases have no such route): the
//! KRI parsed by Kuma's `kri.FromString` (at least seven `_`-separated parts, the first `kri`,
//! a short name some Kuma type has; everything after the name is the section), errors as
//! 400 `Bad Request` with `bad request: ...` (goldens `crud/get_resource_by_kri_bad-request`,
//! `inspect/.../invalid_*_kri`), and a KRI of a type kuma-local does not model is a 404 like any
//! resource Kuma does not find.

use super::kri::Kri;
use super::{ApiError, TITLE_COULD_NOT_RETRIEVE};
use crate::model::{KumaVersion, ResourceType};

/// Every short name Kuma's registry has at `version` (tags v2.13.10, v2.14.3; 3.0 at the
/// snapshot the 3.0 rules follow).
fn kuma_short_names(version: KumaVersion) -> &'static [&'static str] {
    const V2_13: &[&str] = &[
        "dnp", "dnr", "dp", "extsvc", "hg", "m", "mal", "mcb", "mfi", "mgw", "mhc", "mhttpr",
        "mid", "mlbs", "mm", "mp", "mpp", "mr", "mrl", "msvc", "mt", "mtcpr", "mtls", "mtp", "mtr",
        "mtrust", "mzsvc", "wl", "ze", "zi",
    ];
    const V2_14: &[&str] = &[
        "dnp", "dnr", "dp", "extsvc", "hg", "m", "mal", "mcb", "mfi", "mgw", "mhc", "mhttpr",
        "mid", "mlbs", "mm", "motb", "mp", "mpp", "mr", "mrl", "msvc", "mt", "mtcpr", "mtls",
        "mtp", "mtr", "mtrust", "mza", "mzsvc", "wl", "z", "ze", "zi",
    ];
    const V3_0: &[&str] = &[
        "dnp", "dnr", "dp", "extsvc", "hg", "m", "mal", "mcb", "mfi", "mhc", "mhttpr", "mid",
        "mlbs", "mm", "motb", "mp", "mpp", "mr", "mrl", "msvc", "mt", "mtcpr", "mtls", "mtp",
        "mtr", "mtrust", "mza", "mzsvc", "wl", "z",
    ];
    match version {
        KumaVersion::V3_0 => V3_0,
        KumaVersion::V2_14 => V2_14,
        _ => V2_13,
    }
}

/// What a `/_kri/{kri}` request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KriRequest {
    /// The type, when kuma-local models it (else the answer is 404).
    pub resource_type: Option<ResourceType>,
    /// The KRI's mesh (empty for global-scoped types).
    pub mesh: String,
    /// The resource's own KRI (section dropped).
    pub kri: String,
    /// The name a global control plane looks the resource up by, when the KRI names no zone:
    /// Kuma resolves such a KRI to the locally originated object of that name whatever its
    /// namespace part (`getCoreName` of its KRI endpoint; a global on Kubernetes reports its
    /// resources with the system namespace in their KRI).
    pub global_name: Option<String>,
    /// The KRI's namespace part: Kuma's KRI endpoint asks for the Kubernetes shape in it
    /// (`formatResource(..., identifier.Namespace)`, v2.13.10 `kri_endpoint.go:51`, v2.14.3
    /// and 3.0 `:71`), not in `?namespace=`; empty means the system namespace.
    pub namespace: String,
}

fn bad_request(message: String) -> ApiError {
    ApiError::new(400, "Bad Request", format!("bad request: {message}"))
}

/// Parse a `/_kri/{kri}` path parameter as Kuma does. `Err` is the whole answer: 404 before
/// 2.13 (no such route), else Kuma's 400.
pub fn kri_request(text: &str, version: KumaVersion) -> Result<KriRequest, ApiError> {
    if version.minor() < (2, 13) {
        return Err(ApiError::not_found("Not found"));
    }
    let quoted = crate::template::go_quote(text);
    let parts: Vec<&str> = text.split('_').collect();
    if parts.len() < 7 {
        return Err(bad_request(format!("invalid identifier string: {quoted}")));
    }
    if parts[0] != "kri" {
        return Err(bad_request(format!(
            "identifier must start with 'kri': {quoted}"
        )));
    }
    let short = parts[1];
    if short.is_empty() || !kuma_short_names(version).contains(&short) {
        return Err(bad_request(format!(
            "unknown short name of resource type: {}",
            crate::template::go_quote(short)
        )));
    }
    let resource_type = ResourceType::ALL
        .into_iter()
        .find(|t| t.short_name() == short);
    let kri = Kri {
        short_name: short.to_owned(),
        mesh: parts[2].to_owned(),
        zone: parts[3].to_owned(),
        namespace: parts[4].to_owned(),
        name: parts[5].to_owned(),
        section: String::new(),
    };
    Ok(KriRequest {
        resource_type,
        mesh: kri.mesh.clone(),
        kri: kri.to_string(),
        global_name: kri.zone.is_empty().then(|| kri.name.clone()),
        namespace: kri.namespace.clone(),
    })
}

/// `?format=` on `/_kri/{kri}`: [`super::parse_format`]'s error under the title Kuma's KRI
/// endpoint gives it.
pub fn parse_kri_format(
    format: Option<&str>,
    version: KumaVersion,
) -> Result<super::OutputFormat, ApiError> {
    super::parse_format(format, version).map_err(|e| ApiError {
        title: "Could not format a resource".to_owned(),
        ..e
    })
}

/// The 404 of a KRI that names nothing.
pub fn kri_not_found() -> ApiError {
    ApiError::not_found(TITLE_COULD_NOT_RETRIEVE)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn detail(text: &str) -> (u16, String, String) {
        let e = kri_request(text, KumaVersion::V3_0).unwrap_err();
        (e.status, e.title, e.detail)
    }

    #[test]
    fn malformed_kris_get_kumas_bad_request() {
        // Goldens crud/get_resource_by_kri_bad-request and inspect/.../invalid_*_kri.
        assert_eq!(
            detail("kri___default_default__mtp-3_"),
            (
                400,
                "Bad Request".into(),
                "bad request: unknown short name of resource type: \"\"".into()
            )
        );
        assert_eq!(
            detail("invalid-kri").2,
            "bad request: invalid identifier string: \"invalid-kri\""
        );
        assert_eq!(
            detail("id_dp_default_test-zone__dp-1_main-port").2,
            "bad request: identifier must start with 'kri': \"id_dp_default_test-zone__dp-1_main-port\""
        );
        assert_eq!(
            detail("kri_nope_default___redis_").2,
            "bad request: unknown short name of resource type: \"nope\""
        );
        // `mza` is 2.14's and 3.0's, not 2.13's.
        assert!(kri_request("kri_mza_default___x_", KumaVersion::V2_14).is_ok());
        assert!(kri_request("kri_mza_default___x_", KumaVersion::V2_13).is_err());
    }

    #[test]
    fn a_zone_less_kri_names_the_global_object_whatever_its_namespace() {
        let r = kri_request("kri_mzsvc_default__kuma-system_redis_", KumaVersion::V3_0).unwrap();
        assert_eq!(r.global_name.as_deref(), Some("redis"));
        let r = kri_request("kri_mzsvc_default_east__redis_", KumaVersion::V3_0).unwrap();
        assert_eq!(r.global_name, None);
    }

    #[test]
    fn the_kris_namespace_is_the_one_its_kubernetes_shape_is_put_in() {
        let r = kri_request("kri_msvc_default_east_shop_redis_", KumaVersion::V2_14).unwrap();
        assert_eq!(r.namespace, "shop");
        let r = kri_request("kri_msvc_default_east__redis_", KumaVersion::V2_14).unwrap();
        assert_eq!(r.namespace, "");
    }

    #[test]
    fn a_bad_format_has_the_kri_endpoints_title() {
        let e = parse_kri_format(Some("yaml"), KumaVersion::V2_13).unwrap_err();
        assert_eq!(
            (e.status, e.title.as_str(), e.detail.as_str()),
            (400, "Could not format a resource", "Resource is not valid")
        );
    }

    #[test]
    fn sections_extra_parts_and_unmodelled_types() {
        let r = kri_request("kri_mzsvc_default___redis_http_2", KumaVersion::V3_0).unwrap();
        assert_eq!(r.resource_type, Some(ResourceType::MeshMultiZoneService));
        assert_eq!(r.kri, "kri_mzsvc_default___redis_");
        let r = kri_request("kri_m____default_", KumaVersion::V3_0).unwrap();
        assert_eq!(r.resource_type, Some(ResourceType::Mesh));
        let r = kri_request("kri_mtp_default___x_", KumaVersion::V3_0).unwrap();
        assert_eq!(r.resource_type, None);
        assert_eq!(
            kri_request("kri_mzsvc_default___redis_", KumaVersion::V2_12)
                .unwrap_err()
                .status,
            404
        );
    }
}
