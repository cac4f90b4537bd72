//! Label selectors, with Kuma's two matching semantics, and the indexes the preview engine uses
//! to avoid comparing every MeshMultiZoneService with every MeshService.

use std::collections::{BTreeSet, HashMap};

use crate::model::Labels;

/// The MZS status updater's rule: every `(k, v)` of the selector equals the label value, a missing
/// label reading as `""` (so `k: ""` matches a missing label).
pub fn mzs_matches(selector: &Labels, labels: &Labels) -> bool {
    selector
        .iter()
        .all(|(k, v)| labels.get(k).map(String::as_str).unwrap_or("") == v)
}

/// The generic `LabelSelector.Matches` rule (HostnameGenerators): every key must be present with
/// an equal value; an empty selector matches everything.
pub fn matches(selector: &Labels, labels: &Labels) -> bool {
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

/// Index of labelled items (MeshServices): `(key, value)` -> ids carrying that label.
///
/// [`LabelIndex::candidates`] answers "which items could a selector match" by walking the
/// rarest non-empty selector pair, so a lookup costs `O(size of the rarest posting list)`.
#[derive(Debug, Clone, Default)]
pub struct LabelIndex {
    postings: HashMap<String, HashMap<String, BTreeSet<u32>>>,
    all: BTreeSet<u32>,
}

impl LabelIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add item `id` with `labels`.
    pub fn insert(&mut self, id: u32, labels: &Labels) {
        for (k, v) in labels {
            self.postings
                .entry(k.clone())
                .or_default()
                .entry(v.clone())
                .or_default()
                .insert(id);
        }
        self.all.insert(id);
    }

    /// Remove item `id` that was added with `labels`.
    pub fn remove(&mut self, id: u32, labels: &Labels) {
        for (k, v) in labels {
            if let Some(values) = self.postings.get_mut(k) {
                if let Some(ids) = values.get_mut(v) {
                    ids.remove(&id);
                    if ids.is_empty() {
                        values.remove(v);
                    }
                }
                if values.is_empty() {
                    self.postings.remove(k);
                }
            }
        }
        self.all.remove(&id);
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    fn posting(&self, key: &str, value: &str) -> Option<&BTreeSet<u32>> {
        self.postings.get(key).and_then(|values| values.get(value))
    }

    /// Every id that might match `selector` under [`mzs_matches`] (a superset; callers still
    /// check each candidate). Ascending order.
    pub fn candidates(&self, selector: &Labels) -> Box<dyn Iterator<Item = u32> + '_> {
        let mut rarest: Option<&BTreeSet<u32>> = None;
        for (k, v) in indexable_pairs(selector) {
            match self.posting(k, v) {
                // No item has this label: nothing can match.
                None => return Box::new(std::iter::empty()),
                Some(ids) => {
                    if rarest.is_none_or(|r| ids.len() < r.len()) {
                        rarest = Some(ids);
                    }
                }
            }
        }
        match rarest {
            Some(ids) => Box::new(ids.iter().copied()),
            None => Box::new(self.all.iter().copied()),
        }
    }
}

/// Inverse index of selectors (MZS): which selectors could match an item with given labels.
///
/// Each selector is filed under one of its non-empty pairs (a selector can only match an item
/// that has that label), or in the "broad" set when it has none. The selectors that could match
/// an item are then the union of the entries under each of the item's labels plus the broad set:
/// each selector appears at most once.
#[derive(Debug, Clone, Default)]
pub struct SelectorIndex {
    by_pair: HashMap<String, HashMap<String, BTreeSet<u32>>>,
    broad: BTreeSet<u32>,
}

impl SelectorIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(selector: &Labels) -> Option<(&str, &str)> {
        indexable_pairs(selector).next()
    }

    /// File selector `id`.
    pub fn insert(&mut self, id: u32, selector: &Labels) {
        match Self::slot(selector) {
            Some((k, v)) => {
                self.by_pair
                    .entry(k.to_owned())
                    .or_default()
                    .entry(v.to_owned())
                    .or_default()
                    .insert(id);
            }
            None => {
                self.broad.insert(id);
            }
        }
    }

    /// Remove selector `id` that was filed with `selector`.
    pub fn remove(&mut self, id: u32, selector: &Labels) {
        match Self::slot(selector) {
            Some((k, v)) => {
                if let Some(values) = self.by_pair.get_mut(k) {
                    if let Some(ids) = values.get_mut(v) {
                        ids.remove(&id);
                        if ids.is_empty() {
                            values.remove(v);
                        }
                    }
                    if values.is_empty() {
                        self.by_pair.remove(k);
                    }
                }
            }
            None => {
                self.broad.remove(&id);
            }
        }
    }

    /// Every selector id that might match an item with `labels` (a superset), ascending.
    pub fn candidates(&self, labels: &Labels) -> BTreeSet<u32> {
        let mut out = self.broad.clone();
        for (k, v) in labels {
            if let Some(ids) = self.by_pair.get(k).and_then(|values| values.get(v)) {
                out.extend(ids.iter().copied());
            }
        }
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
