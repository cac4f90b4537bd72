//! List query parameters (§7.2): pagination and filters.
//!
//! Kuma reads a list's page in two places: its API server parses `size` before anything else
//! (`pkg/api-server/pagination.go`), and its pagination store parses `offset` after the filters
//! and the mesh lookup (`pkg/core/resources/store/pagination_store.go`). So the two halves are
//! two calls here, [`parse_page_size`] and [`PageSize::at_offset`], made in that order.
//!
//! What each release does with `size` and `offset` (tags as `KumaVersion::release` names them):
//!
//! | | 2.9-2.11 | 2.12-2.13 | 2.14, 3.0 |
//! |---|---|---|---|
//! | `size` <= 0 | 0: pagination off; < 0: taken as is | same | 400 "must be greater than 0" |
//! | `offset` not an int | 400 "Invalid offset", `offset`: "Invalid format" | 400 "invalid: invalid offset: strconv.Atoi: ..." | same as 2.12 |
//! | `offset` < 0 | no answer (a positive size), else an empty page | same | 400 "must be non-negative" |
//! | `offset` + `size` > max int | Go's wrapping sum | same | 400 "exceeds maximum value" |

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
    /// Kuma's `offset + pageSize` in Go's `int` (wrapping, as Go adds): the `next` link's offset
    /// while it is below the total; `None` when pagination is off (`size=0` before 2.14: every
    /// item, no `next`).
    end: Option<i64>,
}

impl Page {
    /// A page of `size` items (at least 1) after `offset`.
    pub fn new(size: usize, offset: usize) -> Page {
        let as_int = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Page {
            size,
            offset,
            end: Some(as_int(offset).saturating_add(as_int(size))),
        }
    }

    /// The offset of the `next` link for a list of `total` items (Kuma's
    /// `if offset+pageSize < len { nextOffset = offset + PageSize }`), `None` on the last page.
    pub(crate) fn next_offset(&self, total: usize) -> Option<i64> {
        let end = self.end?;
        (end < i64::try_from(total).unwrap_or(i64::MAX)).then_some(end)
    }
}

/// The `size` of a list request, read before the filters and the mesh; [`PageSize::at_offset`]
/// reads the `offset` once those passed, as Kuma's store does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    /// The size as the request gave it, or the default; 0 turns pagination off (before 2.14).
    size: i64,
    version: KumaVersion,
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

/// Why Go's `strconv.Atoi` refuses a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtoiError {
    Syntax,
    Range,
}

/// Go's `strconv.Atoi` on a 64-bit platform: an optional sign, then decimal digits only, read
/// left to right so that the first problem decides the error (`99999999999999999999x` is out of
/// range, not invalid syntax).
fn go_atoi(text: &str) -> Result<i64, AtoiError> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return Err(AtoiError::Syntax);
    }
    let mut magnitude: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(AtoiError::Syntax);
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(AtoiError::Range)?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude).ok_or(AtoiError::Range)
    } else {
        i64::try_from(magnitude).map_err(|_| AtoiError::Range)
    }
}

/// An `offset` Kuma's store refuses, with no parameter list from 2.12 (golden
/// `crud/list_mesh_00`: `ErrorInvalid("invalid offset: " + err)`, v2.12.14
/// `pagination_store.go:93`); before, the store's `ErrorInvalidOffset`, which the error handler
/// turns into "Invalid offset" with `offset` "Invalid format" (v2.11.18 `pagination_store.go:92`,
/// `pkg/core/rest/errors/error_handler.go:68`).
/// Why 2.14 and later refuse a negative offset.
const NEGATIVE_OFFSET: &str = "must be non-negative";

fn invalid_offset(version: KumaVersion, why: &str) -> ApiError {
    if version < KumaVersion::V2_12 {
        return ApiError {
            title: TITLE_COULD_NOT_LIST.to_owned(),
            ..bad_parameter("offset", "Invalid format", "Invalid offset")
        };
    }
    ApiError::new(
        400,
        TITLE_COULD_NOT_LIST,
        format!("invalid: invalid offset: {why}"),
    )
}

/// Parse `size` as `version`'s API server does.
///
/// From 2.14 (v2.14.3 `pkg/api-server/pagination.go:30`) a size of 0 or less is refused ("must
/// be greater than 0"). Before, any integer up to the maximum is taken as it is by the pagination
/// store (v2.13.10 `pkg/core/resources/store/pagination_store.go:87-110`): 0 turns pagination off
/// (every item, no `next`, `offset` not even read), and a negative size gives no items and a
/// `next` link whose offset moves back by it (`offset + size`, while that is below the total).
pub fn parse_page_size(size: Option<&str>, version: KumaVersion) -> Result<PageSize, ApiError> {
    let refuses_non_positive = version >= KumaVersion::V2_14;
    let size: i64 = match size.filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE as i64,
        Some(s) => {
            let n = go_atoi(s).map_err(|_| invalid_page_size("invalid format"))?;
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
    Ok(PageSize { size, version })
}

impl PageSize {
    /// The page at `offset`, as `version`'s pagination store reads it.
    ///
    /// Before 2.14 (v2.13.10 `pagination_store.go:91-107`) the store takes any `int`: it copies
    /// `items[i]` for `i` from `offset` while `i < offset+size` (Go's wrapping sum) and
    /// `i < len`, so a negative offset with a page to fill panics there; Go's server then closes
    /// the connection without a response. kuma-local answers instead, with 2.14's refusal (a
    /// dropped connection is Kuma's bug, not a behaviour to copy). One whose page is empty (a negative size) lists nothing with a `next` link moving
    /// further back, which is where kuma-local's own `next` links lead. From 2.14 (v2.14.3
    /// `pagination_store.go:96-101`) a negative offset is "must be non-negative" and one past
    /// `MaxInt - size` "exceeds maximum value".
    pub fn at_offset(self, offset: Option<&str>) -> Result<Page, ApiError> {
        let version = self.version;
        let size = self.size;
        if size == 0 {
            return Ok(Page {
                size: usize::MAX,
                offset: 0,
                end: None,
            });
        }
        let offset = match offset.filter(|s| !s.is_empty()) {
            None => 0,
            Some(s) => go_atoi(s).map_err(|e| {
                let why = match e {
                    AtoiError::Syntax => "invalid syntax",
                    AtoiError::Range => "value out of range",
                };
                let quoted = crate::template::go_quote(s);
                invalid_offset(version, &format!("strconv.Atoi: parsing {quoted}: {why}"))
            })?,
        };
        if version >= KumaVersion::V2_14 {
            if offset < 0 {
                return Err(invalid_offset(version, NEGATIVE_OFFSET));
            }
            if offset > i64::MAX - size {
                return Err(invalid_offset(version, "exceeds maximum value"));
            }
        }
        let end = offset.wrapping_add(size);
        // Go's loop runs its first round only when `offset < offset+size` (and `offset < len`,
        // which a negative offset always is).
        let fills = offset < end;
        if fills && offset < 0 {
            return Err(invalid_offset(KumaVersion::V2_14, NEGATIVE_OFFSET));
        }
        Ok(Page {
            size: if fills {
                usize::try_from(size).unwrap_or(0)
            } else {
                0
            },
            offset: usize::try_from(offset).unwrap_or(0),
            end: Some(end),
        })
    }
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
