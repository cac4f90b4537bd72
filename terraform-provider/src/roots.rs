//! The system's trusted root certificates, for `https://` endpoints without `ca_cert`.
//!
//! Linux and Windows: the OS store through `rustls-native-certs` (the distribution's bundle;
//! the Windows certificate store). macOS: the PEM bundle the OS ships at `/etc/ssl/cert.pem`
//! (what macOS's own curl and LibreSSL read), or `SSL_CERT_FILE`. Reading the keychain would
//! need Apple's Security framework at link time, and the release binaries for macOS are
//! cross-linked on Linux without Apple's SDK. A private CA added only to a macOS keychain is
//! therefore given with the provider's `ca_cert` argument or `SSL_CERT_FILE`.

use rustls::pki_types::CertificateDer;

/// Whatever roots could be loaded; unreadable stores give an empty list (the TLS handshake then
/// fails with an "unknown issuer" error that names the endpoint).
#[cfg(not(target_os = "macos"))]
pub fn system_roots() -> Vec<CertificateDer<'static>> {
    rustls_native_certs::load_native_certs().certs
}

/// See the module comment.
#[cfg(target_os = "macos")]
pub fn system_roots() -> Vec<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    let file = std::env::var_os("SSL_CERT_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/etc/ssl/cert.pem"));
    match std::fs::read(&file) {
        Ok(pem) => CertificateDer::pem_slice_iter(&pem)
            .filter_map(Result::ok)
            .collect(),
        Err(_) => Vec::new(),
    }
}
