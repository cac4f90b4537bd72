//! Kuma Resource Identifiers (KRI) and SNIs.

/// `kri_<short>_<mesh>_<zone>_<namespace>_<name>_<section>`.
pub(crate) fn kri(
    short_name: &str,
    mesh: &str,
    zone: &str,
    namespace: &str,
    name: &str,
    section: &str,
) -> String {
    format!("kri_{short_name}_{mesh}_{zone}_{namespace}_{name}_{section}")
}

/// The parts of a KRI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kri {
    /// Type short name (`mzsvc`).
    pub short_name: String,
    /// Mesh.
    pub mesh: String,
    /// Zone (may be empty).
    pub zone: String,
    /// Namespace (may be empty).
    pub namespace: String,
    /// Display name.
    pub name: String,
    /// Section name (may be empty).
    pub section: String,
}

impl std::fmt::Display for Kri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&kri(
            &self.short_name,
            &self.mesh,
            &self.zone,
            &self.namespace,
            &self.name,
            &self.section,
        ))
    }
}

/// Split `kri_<short>_<mesh>_<zone>_<namespace>_<name>_<section>`. Names cannot contain `_`
/// (they are DNS names), so the split is unambiguous.
pub fn parse(kri: &str) -> Option<Kri> {
    let rest = kri.strip_prefix("kri_")?;
    let parts: Vec<&str> = rest.split('_').collect();
    let [short_name, mesh, zone, namespace, name, section] = parts.as_slice() else {
        return None;
    };
    if short_name.is_empty() || name.is_empty() {
        return None;
    }
    Some(Kri {
        short_name: (*short_name).to_owned(),
        mesh: (*mesh).to_owned(),
        zone: (*zone).to_owned(),
        namespace: (*namespace).to_owned(),
        name: (*name).to_owned(),
        section: (*section).to_owned(),
    })
}

/// Kuma's SNI for a destination port: `sni.<short>.<mesh>.<name>.<section>` without a zone,
/// `sni.<short>.<mesh>.<zone>.<name>.<section>` or `...<zone>.<namespace>.<name>.<section>`
/// with one. The error says why the SNI cannot be built (Kuma drops such entries from `snis`
/// and reports them as deprecation warnings).
pub(crate) fn sni(
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
        if !crate::validate::dns::is_dns1123_label(value).is_empty() {
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

    #[test]
    fn parse_round_trips() {
        let text = kri("mzsvc", "default", "", "", "redis", "6379");
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.name, "redis");
        assert_eq!(parsed.section, "6379");
        assert_eq!(parsed.to_string(), text);
        assert!(parse("kri_mzsvc_default").is_none());
        assert!(parse("nope").is_none());
    }
}
