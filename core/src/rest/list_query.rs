//! List query parameters (§7.2): pagination and filters.

use std::collections::BTreeMap;

use super::ApiError;
use crate::model::{KumaVersion, Meta};
use crate::Violation;

/// Kuma's page size default.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;
/// Kuma's page size maximum.
pub(crate) const MAX_PAGE_SIZE: usize = 1000;

/// A parsed page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items per page (at most; `usize::MAX` when pagination is off).
    pub size: usize,
    /// Items to skip.
    pub offset: usize,
    /// How far the `next` offset moves from `offset`: the page size as the request gave it
    /// (Kuma's `offset + opts.PageSize`), negative for a negative size before 2.14; `None` when
    /// pagination is off (`size=0` before 2.14: every item, no `next`).
    pub step: Option<i64>,
}

impl Page {
    /// A page of `size` items (at least 1) after `offset`.
    pub fn new(size: usize, offset: usize) -> Page {
        Page {
            size,
            offset,
            step: i64::try_from(size).ok(),
        }
    }
}

fn bad_parameter(field: &str, reason: impl Into<String>, detail: &str) -> ApiError {
    ApiError {
        status: 400,
        title: "Bad Request".to_owned(),
        detail: detail.to_owned(),
        invalid_parameters: vec![Violation::new(field, reason)],
    }
}

/// The title of every error of a list request (Kuma's list handler).
const TITLE_COULD_NOT_LIST: &str = "Could not retrieve resources";

/// A `size` Kuma's `pagination()` refuses (goldens `crud/list_mesh_01`, `list_mesh_02`).
fn invalid_page_size(reason: impl Into<String>) -> ApiError {
    ApiError {
        title: TITLE_COULD_NOT_LIST.to_owned(),
        ..bad_parameter("size", reason, "Invalid page size")
    }
}

/// An `offset` Kuma's store refuses: its `strconv.Atoi` error, with no parameter list (golden
/// `crud/list_mesh_00`).
fn invalid_offset(offset: &str) -> ApiError {
    let why = match offset.parse::<i128>() {
        Ok(n) if n < 0 => "must be non-negative".to_owned(),
        Ok(_) => format!("strconv.Atoi: parsing {offset:?}: value out of range"),
        Err(_) => format!("strconv.Atoi: parsing {offset:?}: invalid syntax"),
    };
    ApiError::new(
        400,
        TITLE_COULD_NOT_LIST,
        format!("invalid: invalid offset: {why}"),
    )
}

/// Parse `size` and `offset` as `version`'s API server and store do.
///
/// From 2.14 (v2.14.0 `pkg/api-server/pagination.go`) a size of 0 or less is refused ("must be
/// greater than 0"). Before, any integer up to the maximum is taken as it is by the pagination
/// store (v2.13.10 `pkg/core/resources/store/pagination_store.go`): 0 turns pagination off (every
/// item, no `next`, `offset` not even read), and a negative size gives no items and a `next`
/// link whose offset moves back by it (`offset + size`, while that is below the total).
pub fn parse_page(
    size: Option<&str>,
    offset: Option<&str>,
    version: KumaVersion,
) -> Result<Page, ApiError> {
    let refuses_non_positive = version >= KumaVersion::V2_14;
    let size: i64 = match size.filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE as i64,
        Some(s) => {
            let n: i64 = s.parse().map_err(|_| invalid_page_size("invalid format"))?;
            if n <= 0 && refuses_non_positive {
                return Err(invalid_page_size("must be greater than 0"));
            }
            if n > MAX_PAGE_SIZE as i64 {
                return Err(invalid_page_size(format!(
                    "invalid page size of {n}. Maximum page size is {MAX_PAGE_SIZE}"
                )));
            }
            n
        }
    };
    if size == 0 {
        return Ok(Page {
            size: usize::MAX,
            offset: 0,
            step: None,
        });
    }
    let offset = match offset.filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse().map_err(|_| invalid_offset(s))?,
    };
    Ok(Page {
        size: usize::try_from(size).unwrap_or(0),
        offset,
        step: Some(size),
    })
}

/// Filters of a list request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// `name`: substring of the name.
    pub name_contains: Option<String>,
    /// `filter[labels.<key>]=<value>`: exact label matches, ANDed.
    pub labels: BTreeMap<String, String>,
}

impl ListFilter {
    /// Whether a resource passes.
    pub fn matches(&self, meta: &Meta) -> bool {
        self.name_contains
            .as_deref()
            .is_none_or(|n| meta.name.contains(n))
            && self
                .labels
                .iter()
                .all(|(k, v)| meta.labels.get(k) == Some(v))
    }
}

/// Parse the list query parameters (decoded `(key, value)` pairs in order) of a list served at
/// `route` (the route as Kuma registers it, e.g. `/meshes/{mesh}/meshmultizoneservices`, which
/// Kuma's violations name). Like Kuma's `labelFilter`: every `filter[...]` key that is not
/// `filter[labels.<key>]` is a violation (golden `crud/list_dp_with_label_filter_bad`,
/// `..._op_unsupported`), all reported together; a repeated filter keeps its last value.
pub fn parse_filters(route: &str, pairs: &[(String, String)]) -> Result<ListFilter, ApiError> {
    let mut filter = ListFilter::default();
    let mut violations: Vec<Violation> = Vec::new();
    for (key, value) in pairs {
        if key == "name" {
            continue;
        }
        if !key.starts_with("filter[") {
            continue;
        }
        let field = format!("{route}.{key}");
        if violations.iter().any(|v| v.field == field) {
            continue;
        }
        let Some(label_and_rest) = key.strip_prefix("filter[labels.") else {
            violations.push(Violation::new(
                field,
                "filters are only supported on labels",
            ));
            continue;
        };
        match label_and_rest.split_once(']') {
            Some((label, "")) => {
                filter.labels.insert(label.to_owned(), value.clone());
            }
            _ => violations.push(Violation::new(field, "advanced filters are not supported")),
        }
    }
    // `name` is read as Go's `Values.Get`: the first value.
    filter.name_contains = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty());
    if violations.is_empty() {
        Ok(filter)
    } else {
        Err(ApiError::invalid(TITLE_COULD_NOT_LIST, violations))
    }
}

/// Go's `url.QueryUnescape`: `+` is a space, `%` must start two hex digits.
fn query_unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(text, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// A request's query as Kuma's handlers read it (Go's `url.Query()`): `&`-separated pairs in
/// order, a pair with a `;` or a malformed escape dropped without an error, so
/// `?size=%ZZ` lists with the default size.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty() && !pair.contains(';'))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((query_unescape(key)?, query_unescape(value)?))
        })
        .collect()
}

#[cfg(test)]
mod query_tests {
    use super::parse_query;

    #[test]
    fn malformed_pairs_are_dropped_as_go_drops_them() {
        let pairs = |raw: &str| parse_query(raw);
        assert_eq!(
            pairs("size=%ZZ&name=a+b%21&filter%5Blabels.a%5D=1&x;y=2&&flag&bad=%4"),
            [
                ("name".to_owned(), "a b!".to_owned()),
                ("filter[labels.a]".to_owned(), "1".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        assert!(pairs("").is_empty());
    }
}
