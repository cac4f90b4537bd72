//! The hash map of the engines' internal indexes (label pairs, hostname claims, service ids,
//! YAML anchors).
//!
//! `rustc-hash`'s Fx hash is several times cheaper than SipHash on the short string keys these
//! maps hold. It is not HashDoS-resistant, which is acceptable here: the maps are never iterated
//! for output (outputs stay byte-stable), and inputs are bounded by the syntax limits, so a
//! crafted collision set can only slow one local preview down.

/// A `HashMap` with the Fx hash.
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
