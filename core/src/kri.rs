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

fn is_rfc1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// Kuma's SNI for a destination port: `sni.<short>.<mesh>.<name>.<section>` without a zone,
/// `sni.<short>.<mesh>.<zone>.<name>.<section>` or `...<zone>.<namespace>.<name>.<section>`
/// with one. The error says why the SNI cannot be built (Kuma drops such entries from `snis`
/// and reports them as deprecation warnings).
pub fn sni(
    short_name: &str,
    mesh: &str,
    zone: &str,
    namespace: &str,
    name: &str,
    section: &str,
) -> Result<String, String> {
    for (what, value) in [("mesh", mesh), ("name", name), ("section name", section)] {
        if value.is_empty() {
            return Err(format!("{what} must not be empty"));
        }
    }
    let mut parts: Vec<(&str, &str)> = vec![("mesh", mesh)];
    if !zone.is_empty() {
        parts.push(("zone", zone));
        if !namespace.is_empty() {
            parts.push(("namespace", namespace));
        }
    }
    parts.push(("name", name));
    parts.push(("section name", section));
    for (what, value) in &parts {
        if !is_rfc1123_label(value) {
            return Err(format!("{what} {value:?} is not a valid RFC 1123 label"));
        }
    }
    let sni = std::iter::once("sni")
        .chain(std::iter::once(short_name))
        .chain(parts.iter().map(|(_, v)| *v))
        .collect::<Vec<_>>()
        .join(".");
    if sni.len() > 253 {
        return Err(format!("SNI is longer than 253 characters ({})", sni.len()));
    }
    Ok(sni)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sni_shapes() {
        assert_eq!(
            sni("mzsvc", "default", "", "", "redis", "6379").unwrap(),
            "sni.mzsvc.default.redis.6379"
        );
        assert_eq!(
            sni("msvc", "default", "east", "ns", "redis", "http").unwrap(),
            "sni.msvc.default.east.ns.redis.http"
        );
        assert!(sni("mzsvc", "default", "", "", "http.bin", "80").is_err());
    }
}
