//! Kuma's `HashedName`, the name a resource takes when KDS copies it to another control plane.

use crate::model::{labels, Resource};

/// Kuma's `HashedName(mesh, name, extra...)`: `<name cut to 236>-<16 chars>`, the hash being
/// FNV-64a over mesh, name and the extra values (no separators), hex encoded, each hex digit
/// mapped through k8s `rand.SafeEncodeString`.
pub fn hashed_name(mesh: &str, name: &str, extra: &[&str]) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in std::iter::once(mesh)
        .chain(std::iter::once(name))
        .chain(extra.iter().copied())
    {
        for byte in part.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let hex = format!("{hash:016x}");
    let suffix: String = hex
        .bytes()
        .map(|b| char::from(ALPHANUMS[usize::from(b) % ALPHANUMS.len()]))
        .collect();
    let cut = name
        .char_indices()
        .nth(236)
        .map_or(name, |(i, _)| &name[..i]);
    format!("{cut}-{suffix}")
}

/// The KDS name of a resource synced from a zone to global (and on to other zones):
/// `HashedName(mesh, displayName, zone?, namespace?)`.
pub fn kds_name(resource: &Resource) -> String {
    let meta = &resource.meta;
    let mut extra = Vec::new();
    if let Some(zone) = meta.labels.get(labels::ZONE) {
        extra.push(zone.as_str());
    }
    if let Some(ns) = meta.labels.get(labels::NAMESPACE) {
        extra.push(ns.as_str());
    }
    hashed_name(&meta.mesh, meta.display_name(), &extra)
}
