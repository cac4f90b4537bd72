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

/// Kuma's SNI for a destination port (`sni.FromKRIE`): `sni.<short>.<mesh>.<name>.<section>`
/// without a zone, `sni.<short>.<mesh>.<zone>.<name>.<section>` or
/// `...<zone>.<namespace>.<name>.<section>` with one. Kuma only joins the segments (v2.14.3 and
/// 348b6528 `pkg/core/resources/sni/sni.go` `buildSegmentsFor`): a section that is no DNS label
/// (`Http`, `a.b`) is written as it is.
pub(crate) fn sni(
    short_name: &str,
    mesh: &str,
    zone: &str,
    namespace: &str,
    name: &str,
    section: &str,
) -> String {
    let mut segments = vec!["sni", short_name, mesh];
    if !zone.is_empty() {
        segments.push(zone);
        if !namespace.is_empty() {
            segments.push(namespace);
        }
    }
    segments.push(name);
    segments.push(section);
    crate::text::join(&segments, ".")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sni_shapes() {
        assert_eq!(
            sni("mzsvc", "default", "", "", "redis", "6379"),
            "sni.mzsvc.default.redis.6379"
        );
        assert_eq!(
            sni("msvc", "default", "east", "ns", "redis", "http"),
            "sni.msvc.default.east.ns.redis.http"
        );
        // A namespace without a zone is not a segment.
        assert_eq!(
            sni("msvc", "default", "", "ns", "redis", "http"),
            "sni.msvc.default.redis.http"
        );
        // Kuma checks no label: a section name that is no DNS label is joined as it is.
        assert_eq!(
            sni("mzsvc", "default", "", "", "dots", "a.b"),
            "sni.mzsvc.default.dots.a.b"
        );
        assert_eq!(
            sni("mzsvc", "default", "", "", "snix", "Http"),
            "sni.mzsvc.default.snix.Http"
        );
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
