//! Per-zone KDS tokens: global gives each zone its own token (`POST /tokens/zone`, as Kuma's
//! `kumactl generate zone-token`), which only allows that zone's KDS calls (`/_kds/v1/pull` and
//! `/_kds/v1/push` for that zone name), so a zone no longer holds global's admin token.
//!
//! A token is `kzt1.<zone>.<HMAC-SHA256 over the zone name, hex>`, keyed by the global's admin
//! token: it survives a global restart with the same admin token, and changing the admin token
//! revokes every zone token (unlike Kuma's JWTs they carry no expiry).

use aws_lc_rs::hmac;

const PREFIX: &str = "kzt1";
/// Domain separation: the admin token keys nothing else this way.
const CONTEXT: &[u8] = b"kuma-local zone token v1\0";

fn key(admin_token: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, admin_token.as_bytes())
}

fn message(zone: &str) -> Vec<u8> {
    [CONTEXT, zone.as_bytes()].concat()
}

/// The token of `zone` for a global whose admin token is `admin_token`.
pub fn issue(admin_token: &str, zone: &str) -> String {
    let tag = hmac::sign(&key(admin_token), &message(zone));
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}.{zone}.{hex}")
}

/// The zone a token was issued for, when it is a valid zone token of this global.
pub fn verify(admin_token: &str, token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (prefix, zone, hex) = (parts.next()?, parts.next()?, parts.next()?);
    if prefix != PREFIX || parts.next().is_some() || zone.is_empty() || hex.len() != 64 {
        return None;
    }
    let tag: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    hmac::verify(&key(admin_token), &message(zone), &tag)
        .ok()
        .map(|()| zone.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_zone_and_only_this_global_accepts_it() {
        let token = issue("admin", "east");
        assert!(token.starts_with("kzt1.east."));
        assert_eq!(verify("admin", &token).as_deref(), Some("east"));
        assert_eq!(verify("other-admin", &token), None);
        let forged = token.replacen("east", "west", 1);
        assert_eq!(verify("admin", &forged), None);
        assert_eq!(verify("admin", "admin"), None);
        assert_eq!(verify("admin", "kzt1.east.zz"), None);
    }
}
