//! What a client trusts: the operating system's roots (`rustls-native-certs`) and, optionally,
//! a PEM bundle of CAs the user gives, on rustls with the `ring` provider.
//!
//! The system's store rather than a compiled-in bundle (`webpki-roots`): a broker is usually
//! reached through a site's own CA, which admins install system-wide (and containers get from
//! `ca-certificates`), and the store follows the system's updates without a rebuild. A site
//! without one gives its CA with the CA file.

use crate::error::BuildError;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;

/// The TLS settings of a client: `system_roots` and every certificate in `ca_file`.
pub(crate) fn client_config(
    system_roots: bool,
    ca_file: Option<&Path>,
) -> Result<rustls::ClientConfig, BuildError> {
    let mut roots = RootCertStore::empty();
    if system_roots {
        // Certificates the system store has but rustls cannot parse are skipped, as are
        // unreadable store files: the CA file, or the handshake's error, says the rest.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
    }
    if let Some(path) = ca_file {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|e| BuildError::CaFile {
                path: path.to_owned(),
                reason: format!("a certificate cannot be used as a CA: {e}"),
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The certificates of a PEM file; at least one.
fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, BuildError> {
    let bad = |reason: String| BuildError::CaFile {
        path: path.to_owned(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("not PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad("no PEM certificate (`BEGIN CERTIFICATE`) in it".into()));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_must_exist_and_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = client_config(false, Some(&missing))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("CA file ") && err.contains("missing.pem"),
            "{err}"
        );

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = client_config(false, Some(&empty)).unwrap_err().to_string();
        assert!(err.contains("no PEM certificate"), "{err}");

        let ca = rcgen::generate_simple_self_signed(vec!["ca.test".into()]).unwrap();
        let good = dir.path().join("ca.pem");
        std::fs::write(&good, ca.cert.pem()).unwrap();
        assert!(client_config(false, Some(&good)).is_ok());
    }
}
