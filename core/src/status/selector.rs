//! Label selectors, with Kuma's two matching semantics, and the indexes the preview engine uses
//! to avoid comparing every MeshMultiZoneService with every MeshService.

use crate::model::Labels;
use crate::text::fast_map::FastMap;

/// The MZS status updater's rule: every `(k, v)` of the selector equals the label value, a missing
/// label reading as `""` (so `k: ""` matches a missing label).
pub fn mzs_matches(selector: &Labels, labels: &Labels) -> bool {
    selector
        .iter()
        .all(|(k, v)| labels.get(k).map(String::as_str).unwrap_or("") == v)
}

/// The generic `LabelSelector.Matches` rule (HostnameGenerators): every key must be present with
/// an equal value; an empty selector matches everything.
pub(crate) fn matches(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The first selector pair that [`mzs_matches`] can only satisfy with a present label: a pair
/// with a non-empty value. A selector without one (empty, or only `k: ""` pairs) matches
/// resources that lack labels, so no label index can narrow it down.
fn indexable_pairs(selector: &Labels) -> impl Iterator<Item = (&str, &str)> {
    selector
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// A sorted list of ids: appends are O(1) for increasing ids (bulk loads), other inserts and
/// removals a binary search plus a move; far fewer allocations than a tree set.
#[derive(Debug, Clone, Default)]
struct Posting(Vec<u32>);

impl Posting {
    fn insert(&mut self, id: u32) {
        match self.0.last() {
            Some(&last) if last < id => self.0.push(id),
            None => self.0.push(id),
            Some(_) => {
                if let Err(at) = self.0.binary_search(&id) {
                    self.0.insert(at, id);
                }
            }
        }
    }

    fn remove(&mut self, id: u32) {
        if let Ok(at) = self.0.binary_search(&id) {
            self.0.remove(at);
        }
    }
}

/// `key -> value -> T`, looked up by `&str` without allocating.
#[derive(Debug, Clone, Default)]
struct PairMap<T>(FastMap<String, FastMap<String, T>>);

impl<T: Default> PairMap<T> {
    fn get(&self, key: &str, value: &str) -> Option<&T> {
        self.0.get(key).and_then(|values| values.get(value))
    }

    /// Apply `f` to the entry, creating it first; allocates only for a new key or value.
    fn upsert(&mut self, key: &str, value: &str, f: impl FnOnce(&mut T)) {
        if let Some(values) = self.0.get_mut(key) {
            if let Some(entry) = values.get_mut(value) {
                f(entry);
            } else {
                let mut entry = T::default();
                f(&mut entry);
                values.insert(value.to_owned(), entry);
            }
            return;
        }
        let mut entry = T::default();
        f(&mut entry);
        let mut values = FastMap::default();
        values.insert(value.to_owned(), entry);
        self.0.insert(key.to_owned(), values);
    }

    /// Apply `f` to the entry, dropping it (and an empty key) when `f` says it is empty.
    fn update(&mut self, key: &str, value: &str, f: impl FnOnce(&mut T) -> bool) {
        if let Some(values) = self.0.get_mut(key) {
            if let Some(entry) = values.get_mut(value) {
                if f(entry) {
                    values.remove(value);
                }
            }
            if values.is_empty() {
                self.0.remove(key);
            }
        }
    }
}

/// Index of labelled items (MeshServices): `(key, value)` -> ids carrying that label.
///
/// [`LabelIndex::candidates`] answers "which items could a selector match" by walking the
/// rarest non-empty selector pair, so a lookup costs `O(size of the rarest posting list)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LabelIndex {
    postings: PairMap<Posting>,
    all: Posting,
}

impl LabelIndex {
    /// An empty index.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Add item `id` with `labels`.
    pub(crate) fn insert(&mut self, id: u32, labels: &Labels) {
        for (k, v) in labels {
            self.postings.upsert(k, v, |ids| ids.insert(id));
        }
        self.all.insert(id);
    }

    /// Remove item `id` that was added with `labels`.
    pub(crate) fn remove(&mut self, id: u32, labels: &Labels) {
        for (k, v) in labels {
            self.postings.update(k, v, |ids| {
                ids.remove(id);
                ids.0.is_empty()
            });
        }
        self.all.remove(id);
    }

    /// Number of items.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.all.0.len()
    }

    /// The ids carrying label `key: value`, ascending.
    pub(crate) fn with_label(&self, key: &str, value: &str) -> &[u32] {
        self.postings
            .get(key, value)
            .map(|p| p.0.as_slice())
            .unwrap_or(&[])
    }

    /// Every id that might match `selector` under [`mzs_matches`] (a superset; callers still
    /// check each candidate). Ascending order.
    pub(crate) fn candidates(&self, selector: &Labels) -> impl Iterator<Item = u32> + '_ {
        let mut rarest: Option<&[u32]> = None;
        let mut impossible = false;
        for (k, v) in indexable_pairs(selector) {
            match self.postings.get(k, v) {
                // No item has this label: nothing can match.
                None => impossible = true,
                Some(ids) => {
                    if rarest.is_none_or(|r| ids.0.len() < r.len()) {
                        rarest = Some(&ids.0);
                    }
                }
            }
        }
        let ids: &[u32] = if impossible {
            &[]
        } else {
            rarest.unwrap_or(&self.all.0)
        };
        ids.iter().copied()
    }
}

/// Inverse index of selectors (MZS): which selectors could match an item with given labels.
///
/// Each selector is filed under one of its non-empty pairs (a selector can only match an item
/// that has that label), or in the "broad" set when it has none. The selectors that could match
/// an item are then the union of the entries under each of the item's labels plus the broad set:
/// each selector appears at most once.
#[derive(Debug, Clone, Default)]
pub(crate) struct SelectorIndex {
    by_pair: PairMap<Posting>,
    broad: Posting,
}

impl SelectorIndex {
    /// An empty index.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn slot(selector: &Labels) -> Option<(&str, &str)> {
        indexable_pairs(selector).next()
    }

    /// File selector `id`.
    pub(crate) fn insert(&mut self, id: u32, selector: &Labels) {
        match Self::slot(selector) {
            Some((k, v)) => {
                self.by_pair.upsert(k, v, |ids| {
                    ids.insert(id);
                });
            }
            None => {
                self.broad.insert(id);
            }
        }
    }

    /// Remove selector `id` that was filed with `selector`.
    pub(crate) fn remove(&mut self, id: u32, selector: &Labels) {
        match Self::slot(selector) {
            Some((k, v)) => self.by_pair.update(k, v, |ids| {
                ids.remove(id);
                ids.0.is_empty()
            }),
            None => self.broad.remove(id),
        }
    }

    /// Every selector id that might match an item with `labels` (a superset), ascending, once.
    pub(crate) fn candidates(&self, labels: &Labels) -> Vec<u32> {
        let mut out = self.broad.0.clone();
        for (k, v) in labels {
            if let Some(ids) = self.by_pair.get(k, v) {
                out.extend_from_slice(&ids.0);
            }
        }
        crate::text::sort::sort(&mut out);
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn mzs_rule_reads_missing_label_as_empty() {
        assert!(mzs_matches(&labels(&[("team", "")]), &labels(&[])));
        assert!(!matches(&labels(&[("team", "")]), &labels(&[])));
        assert!(mzs_matches(
            &labels(&[("app", "redis")]),
            &labels(&[("app", "redis"), ("x", "y")])
        ));
        assert!(!mzs_matches(&labels(&[("app", "redis")]), &labels(&[])));
        assert!(matches(&labels(&[]), &labels(&[("a", "b")])));
    }

    #[test]
    fn label_index_uses_rarest_pair_and_empty_values_fall_back() {
        let mut index = LabelIndex::new();
        index.insert(1, &labels(&[("app", "redis"), ("zone", "east")]));
        index.insert(2, &labels(&[("app", "redis"), ("zone", "west")]));
        index.insert(3, &labels(&[("app", "web"), ("zone", "east")]));
        let got: Vec<u32> = index
            .candidates(&labels(&[("app", "redis"), ("zone", "west")]))
            .collect();
        assert_eq!(got, vec![2]);
        let got: Vec<u32> = index.candidates(&labels(&[("team", "")])).collect();
        assert_eq!(got, vec![1, 2, 3]);
        let got: Vec<u32> = index.candidates(&labels(&[("app", "nope")])).collect();
        assert!(got.is_empty());
        index.remove(2, &labels(&[("app", "redis"), ("zone", "west")]));
        let got: Vec<u32> = index.candidates(&labels(&[("zone", "west")])).collect();
        assert!(got.is_empty());
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn selector_index_finds_selectors_for_labels() {
        let mut index = SelectorIndex::new();
        index.insert(10, &labels(&[("app", "redis")]));
        index.insert(11, &labels(&[("team", "")]));
        index.insert(12, &labels(&[("app", "web")]));
        let got = index.candidates(&labels(&[("app", "redis")]));
        assert_eq!(got.into_iter().collect::<Vec<_>>(), vec![10, 11]);
        index.remove(11, &labels(&[("team", "")]));
        let got = index.candidates(&labels(&[("app", "web")]));
        assert_eq!(got.into_iter().collect::<Vec<_>>(), vec![12]);
    }
}
