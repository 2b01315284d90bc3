//! Serving https with rustls (on `ring`): the certificate chain and key from PEM files, read
//! again on [`Certificates::reload`] (SIGHUP) so a renewed certificate needs no restart, and a
//! listener whose TLS handshakes run beside the accept loop, so a slow or silent client never
//! holds up the next one.

use axum::serve::Listener;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A handshake not done in this long is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the certificate or key cannot be used; each names the setting and the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("tls_cert_file {}: {reason}", path.display())]
    Cert { path: PathBuf, reason: String },
    #[error("tls_key_file {}: {reason}", path.display())]
    Key { path: PathBuf, reason: String },
    #[error("tls_key_file {} does not go with the certificate in tls_cert_file {}: {reason}", key.display(), cert.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
}

/// The server's certificate and key as last read from their files; every new connection gets
/// the current ones.
pub struct Certificates {
    cert_file: PathBuf,
    key_file: PathBuf,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificates")
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

impl Certificates {
    /// Reads the certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or SEC1).
    pub fn load(cert_file: &Path, key_file: &Path) -> Result<Arc<Self>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let current = read(cert_file, key_file, &provider)?;
        Ok(Arc::new(Self {
            cert_file: cert_file.to_owned(),
            key_file: key_file.to_owned(),
            provider,
            current: RwLock::new(Arc::new(current)),
        }))
    }

    /// Reads the files again. On an error the current certificate stays in use, so a reload
    /// in the middle of copying new files in place breaks nothing; reload again when done.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = read(&self.cert_file, &self.key_file, &self.provider)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }

    pub fn cert_file(&self) -> &Path {
        &self.cert_file
    }

    /// TLS 1.2 and 1.3 with rustls's safe defaults, HTTP/1.1 by ALPN, this store's certificate.
    pub fn server_config(self: &Arc<Self>) -> rustls::ServerConfig {
        let mut config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

impl Certificates {
    fn current(&self) -> Arc<CertifiedKey> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn read(
    cert_file: &Path,
    key_file: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
    let cert_err = |reason: String| TlsError::Cert {
        path: cert_file.to_owned(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(cert_file)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(format!("not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(cert_err(
            "no PEM certificate (`BEGIN CERTIFICATE`) in it".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| TlsError::Key {
        path: key_file.to_owned(),
        reason: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no PEM private key (`BEGIN PRIVATE KEY`, `RSA`/`EC PRIVATE KEY`) in it".into()
            }
            other => other.to_string(),
        },
    })?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| TlsError::Mismatch {
        cert: cert_file.to_owned(),
        key: key_file.to_owned(),
        reason: e.to_string(),
    })
}

/// Accepts TCP connections and hands out those whose TLS handshake succeeded. Handshakes run
/// in their own tasks (each within [`HANDSHAKE_TIMEOUT`]); failed ones are logged at DEBUG,
/// being what a client that does not trust the certificate, or a port scan, looks like.
#[derive(Debug)]
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(mut tcp: TcpListener, certs: &Arc<Certificates>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(Arc::new(certs.server_config()));
        let (tx, ready) = mpsc::channel(64);
        let accepting = tokio::spawn(async move {
            loop {
                // axum's accept: retries connection errors, waits out running out of files.
                let (stream, peer) = Listener::accept(&mut tcp).await;
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            local,
            ready,
            accepting,
        })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop never ends while this listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate for `name` and its key, as PEM.
    fn pair(name: &str) -> (String, String) {
        let c = rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
        (c.cert.pem(), c.signing_key.serialize_pem())
    }

    #[test]
    fn files_that_cannot_be_used_are_named_with_their_setting() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let err = Certificates::load(&cert, &key).unwrap_err().to_string();
        assert!(
            err.starts_with("tls_cert_file ") && err.contains("cert.pem"),
            "{err}"
        );

        let (a_cert, a_key) = pair("a.test");
        std::fs::write(&cert, &a_cert).unwrap();
        std::fs::write(&key, &a_cert).unwrap();
        let err = Certificates::load(&cert, &key).unwrap_err().to_string();
        assert!(
            err.starts_with("tls_key_file ") && err.contains("no PEM private key"),
            "{err}"
        );

        std::fs::write(&cert, "nothing here").unwrap();
        std::fs::write(&key, &a_key).unwrap();
        let err = Certificates::load(&cert, &key).unwrap_err().to_string();
        assert!(err.contains("no PEM certificate"), "{err}");

        let (_, b_key) = pair("b.test");
        std::fs::write(&cert, &a_cert).unwrap();
        std::fs::write(&key, &b_key).unwrap();
        let err = Certificates::load(&cert, &key).unwrap_err();
        assert!(matches!(err, TlsError::Mismatch { .. }), "{err}");

        std::fs::write(&key, &a_key).unwrap();
        assert!(Certificates::load(&cert, &key).is_ok());
    }

    #[test]
    fn a_reload_takes_new_files_and_a_failed_one_keeps_the_current_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        let (a_cert, a_key) = pair("a.test");
        std::fs::write(&cert, &a_cert).unwrap();
        std::fs::write(&key, &a_key).unwrap();
        let certs = Certificates::load(&cert, &key).unwrap();
        let a = certs.current().cert[0].clone();

        let (b_cert, b_key) = pair("b.test");
        std::fs::write(&cert, &b_cert).unwrap();
        std::fs::write(&key, &b_key).unwrap();
        certs.reload().unwrap();
        let b = certs.current().cert[0].clone();
        assert_ne!(a, b);
        assert_eq!(
            b,
            CertificateDer::from_pem_slice(b_cert.as_bytes()).unwrap()
        );

        // Half-way through copying the next pair: the new certificate, the old key.
        let (c_cert, _) = pair("c.test");
        std::fs::write(&cert, &c_cert).unwrap();
        assert!(certs.reload().is_err());
        assert_eq!(certs.current().cert[0], b);
    }
}
