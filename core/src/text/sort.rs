//! Stable sorting through one shared instantiation of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the closure, so every call site gets its own
//! ~4 KB copy of the stable sort in the WebAssembly build. [`sort_by`] sorts a list of indices
//! with a `dyn` comparator (one copy for the whole crate) and then moves the elements into that
//! order in place. The result is exactly `slice::sort_by`'s: same comparator, same stability
//! (ties keep their original order). Lists sorted here are small (diagnostics, zones, services),
//! so the extra index list costs nothing measurable.

use std::cmp::Ordering;

/// Sort `items` stably by `compare`; the same result as `items.sort_by(compare)`.
pub(crate) fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    {
        let view: &[T] = items;
        // Indices come from `0..items.len()`, so both lookups are in bounds.
        sort_indices(&mut order, &mut |a, b| compare(&view[a], &view[b]));
    }
    apply_order(items, &order);
}

/// Sort `items` stably by a key; the same result as `items.sort_by_key(key)`.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sort `items` in ascending order; the same result as `items.sort()`.
pub(crate) fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The entries a `BTreeMap` collected from `entries` would hold, in the same order: sorted by key,
/// one per key, the last given winning. Look keys up with [`lookup`]. For maps that are built
/// once and then read: each `BTreeMap` key/value type costs several KB of WebAssembly.
pub(crate) fn sorted_map<K: Ord, V>(mut entries: Vec<(K, V)>) -> Vec<(K, V)> {
    // Reversed, the stable sort puts the last-given of equal keys first, and dedup keeps it.
    entries.reverse();
    sort_by(&mut entries, |a, b| a.0.cmp(&b.0));
    entries.dedup_by(|later, kept| later.0 == kept.0);
    entries
}

/// The value of `key` in a [`sorted_map`].
pub(crate) fn lookup<'m, K, Q, V>(map: &'m [(K, V)], key: &Q) -> Option<&'m V>
where
    K: std::borrow::Borrow<Q>,
    Q: Ord + ?Sized,
{
    let at = map.binary_search_by(|(k, _)| k.borrow().cmp(key)).ok()?;
    map.get(at).map(|(_, v)| v)
}

/// A map kept as a list sorted by key: the same lookups and in-order iteration as a `BTreeMap`
/// for the engine's few maps, with a fraction of the code a `BTreeMap` of each key/value type
/// compiles to in the WebAssembly build. Inserting in key order (bulk loads) appends; other
/// inserts and removals move the tail, which is cheap at these sizes (thousands of entries).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SortedMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// The value of `key`.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.find(key).ok()?;
        self.0.get(at).map(|(_, v)| v)
    }

    /// Set `key` to `value`; the previous value, if any.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.0.last().is_none_or(|(last, _)| *last < key) {
            self.0.push((key, value));
            return None;
        }
        match self.find(&key) {
            Ok(at) => self.0.get_mut(at).map(|(_, v)| std::mem::replace(v, value)),
            Err(at) => {
                self.0.insert(at, (key, value));
                None
            }
        }
    }

    /// Remove `key`; its value, if it was present.
    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let at = self.find(key).ok()?;
        Some(self.0.remove(at).1)
    }

    /// Entries in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Values in key order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Keep the entries `keep` says yes to (order kept).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.0.retain(|(k, v)| keep(k, v));
    }

    /// Entries from the first key at or after `start`, in key order.
    pub(crate) fn iter_from(&self, start: &K) -> impl Iterator<Item = (&K, &V)> {
        let at = self.0.partition_point(|(k, _)| k < start);
        self.0.get(at..).unwrap_or(&[]).iter().map(|(k, v)| (k, v))
    }
}

// The one place the standard sort is instantiated (core/clippy.toml forbids it elsewhere).
#[allow(clippy::disallowed_methods)]
fn sort_indices(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Rearrange `items` so that position `i` holds what was at `order[i]` (`order` is a permutation
/// of `0..items.len()`). Each element is moved by swaps: positions before `i` are final, so the
/// element wanted at `i`, if already swapped away, is found by following `order` onwards.
fn apply_order<T>(items: &mut [T], order: &[usize]) {
    for i in 0..items.len() {
        let mut from = order.get(i).copied().unwrap_or(i);
        while from < i {
            from = order.get(from).copied().unwrap_or(i);
        }
        items.swap(i, from);
    }
}

#[cfg(test)]
// The tests compare against the standard sorts themselves, which `sort::sort_by` stands in for.
#[allow(clippy::unnecessary_sort_by, clippy::disallowed_methods)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same order as the standard library's stable sort, ties included.
        #[test]
        fn matches_std_stable_sort(items in proptest::collection::vec((0u8..6, any::<u16>()), 0..80)) {
            let mut ours = items.clone();
            let mut std_sorted = items;
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            std_sorted.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(ours, std_sorted);
        }

        /// Same entries, order and lookups as collecting into a `BTreeMap`.
        #[test]
        fn sorted_map_matches_btree_map(entries in proptest::collection::vec((0u8..12, any::<u16>()), 0..60)) {
            let ours = sorted_map(entries.clone());
            let btree: std::collections::BTreeMap<u8, u16> = entries.into_iter().collect();
            prop_assert_eq!(&ours, &btree.clone().into_iter().collect::<Vec<_>>());
            for key in 0u8..13 {
                prop_assert_eq!(lookup(&ours, &key), btree.get(&key));
            }
        }

        /// Inserts, removals, lookups and iteration as a `BTreeMap` does them.
        #[test]
        fn sorted_map_type_matches_btree_map(ops in proptest::collection::vec((any::<bool>(), 0u8..20, any::<u16>()), 0..120)) {
            let mut ours = SortedMap::default();
            let mut btree = std::collections::BTreeMap::new();
            for (insert, key, value) in ops {
                if insert {
                    prop_assert_eq!(ours.insert(key, value), btree.insert(key, value));
                } else {
                    prop_assert_eq!(ours.remove(&key), btree.remove(&key));
                }
                prop_assert_eq!(ours.get(&key), btree.get(&key));
                prop_assert_eq!(ours.get(&key).is_some(), btree.contains_key(&key));
                prop_assert!(ours.iter().eq(btree.iter()));
                prop_assert!(ours.values().eq(btree.values()));
                prop_assert!(ours.iter_from(&key).eq(btree.range(key..)));
            }
        }

        #[test]
        fn sort_and_sort_by_key_match_std(items in proptest::collection::vec(any::<i32>(), 0..80)) {
            let mut ours = items.clone();
            sort(&mut ours);
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |v| v.unsigned_abs());
            let mut std_sorted = items.clone();
            std_sorted.sort();
            let mut std_by_key = items;
            std_by_key.sort_by_key(|v| v.unsigned_abs());
            prop_assert_eq!(ours, std_sorted);
            prop_assert_eq!(by_key, std_by_key);
        }
    }
}
