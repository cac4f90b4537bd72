//! The Kubernetes name checks Kuma calls (`k8s.io/apimachinery/pkg/util/validation`), with their
//! exact messages.

const DNS1035_LABEL_ERR: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str =
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

/// k8s `MaxLenError`.
pub(crate) fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// k8s `RegexError`: the message, examples, and the regex.
pub(crate) fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(e);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(fmt);
    out.push_str("')");
    out
}

fn is_label_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Matches `[a-z0-9]([-a-z0-9]*[a-z0-9])?` in full.
fn matches_1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    matches!((b.first(), b.last()), (Some(&f), Some(&l)) if is_alnum(f) && is_alnum(l))
        && b.iter().all(|&c| is_label_char(c))
}

/// k8s `IsDNS1035Label`.
pub(crate) fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    let b = value.as_bytes();
    let ok = matches_1123_label(value) && b.first().is_some_and(u8::is_ascii_lowercase);
    if !ok {
        errs.push(regex_error(
            DNS1035_LABEL_ERR,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// k8s `IsDNS1123Label`.
pub(crate) fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_1123_label(value) {
        // apimachinery (v0.30 on, the version Kuma 2.14 and 3.0 build with): a valid subdomain
        // that is not a label can only be wrong because of its dots.
        if matches_1123_subdomain(value) {
            errs.push("must not contain dots".to_owned());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// Matches the RFC 1123 subdomain regex in full (length not checked).
fn matches_1123_subdomain(s: &str) -> bool {
    s.split('.').all(matches_1123_label)
}

/// k8s `IsDNS1123Subdomain`.
pub(crate) fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !matches_1123_subdomain(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1035_messages_match_kubernetes() {
        assert!(is_dns1035_label("backend").is_empty());
        assert_eq!(is_dns1035_label("global.backend").len(), 1);
        assert!(is_dns1035_label("1abc")[0].contains("(e.g. 'my-name',  or 'abc-123', "));
        let long = "a".repeat(64);
        assert_eq!(
            is_dns1035_label(&long),
            vec!["must be no more than 63 characters".to_owned()]
        );
    }

    #[test]
    fn a_dotted_rfc1123_label_says_it_must_not_contain_dots() {
        assert_eq!(is_dns1123_label("bad.port"), vec!["must not contain dots"]);
        assert!(is_dns1123_label("Bad.port")[0].starts_with("a lowercase RFC 1123 label"));
        assert!(is_dns1123_label("bad-port").is_empty());
    }

    #[test]
    fn dns1123_subdomain_accepts_dotted_names() {
        assert!(is_dns1123_subdomain("name.mesh").is_empty());
        assert_eq!(is_dns1123_subdomain("name..mesh").len(), 1);
        assert_eq!(is_dns1123_subdomain("").len(), 1);
        assert_eq!(is_dns1123_subdomain(".a").len(), 1);
    }
}
