//! The one TLS stack of kuma-local, as a server (its HTTPS API) and as a client (a zone's link to
//! global, the tests): rustls with the aws-lc-rs crypto provider. The Terraform provider needs
//! aws-lc-rs (the only rustls provider that verifies Terraform's P-521 client certificate), so
//! using it here too means the workspace links and cross-builds one crypto provider, not two.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;

/// The crypto provider of every rustls configuration kuma-local builds.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// TLS settings for a ureq client: the certificates in `ca_cert_pem` are trusted instead of the
/// webpki roots when given (a global with a self-signed certificate).
pub fn client_config(ca_cert_pem: Option<&[u8]>) -> ureq::tls::TlsConfig {
    // ureq is built without a provider of its own (it would default to ring): name ours.
    let mut tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(crypto_provider());
    if let Some(pem) = ca_cert_pem {
        let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        tls = tls.root_certs(ureq::tls::RootCerts::Specific(Arc::new(certs)));
    }
    tls.build()
}
