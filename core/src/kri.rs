//! Kuma Resource Identifiers (KRI) and SNIs.

/// `kri_<short>_<mesh>_<zone>_<namespace>_<name>_<section>`.
pub fn kri(
    short_name: &str,
    mesh: &str,
    zone: &str,
    namespace: &str,
    name: &str,
    section: &str,
) -> String {
    format!("kri_{short_name}_{mesh}_{zone}_{namespace}_{name}_{section}")
}
