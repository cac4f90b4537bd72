//! Kuma's `HashedName`, the name a resource takes when KDS copies it to another control plane.

use crate::model::{labels, Meta, Resource};

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

/// The labels whose values are hashed into a KDS name, in hash order (Kuma's
/// `HashSuffixMapper(true, kuma.io/zone, k8s.kuma.io/namespace)`, `pkg/kds/context/context.go`):
/// changing one renames every copy, which the receiving control plane stores as a new object.
pub const NAME_LABELS: [&str; 2] = [labels::ZONE, labels::NAMESPACE];

/// Whether the label `key` is hashed into a resource's KDS name ([`NAME_LABELS`]).
pub(crate) fn renames_copies(key: &str) -> bool {
    NAME_LABELS.contains(&key)
}

/// The KDS name of a resource synced from a zone to global (and on to other zones), and of a
/// global resource's zone copies: `HashedName(mesh, displayName, zone?, namespace?)`.
pub fn kds_name(resource: &Resource) -> String {
    meta_kds_name(&resource.meta)
}

/// [`kds_name`] of a resource's meta.
pub(crate) fn meta_kds_name(meta: &Meta) -> String {
    // A loop, not `filter_map().collect()`: one generic instantiation less in the npm module.
    let mut extra = Vec::with_capacity(NAME_LABELS.len());
    for key in NAME_LABELS {
        if let Some(value) = meta.labels.get(key) {
            extra.push(value.as_str());
        }
    }
    hashed_name(&meta.mesh, meta.display_name(), &extra)
}
