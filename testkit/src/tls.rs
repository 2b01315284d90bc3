//! A certificate authority made at run time, and server certificates it signs, written as the
//! PEM files the server, the agent and `slicectl` read.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::{Path, PathBuf};

/// A test CA: its certificate (PEM) and the key it signs with.
#[derive(Debug)]
pub struct TestCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and its key, as files.
#[derive(Clone, Debug)]
pub struct ServerFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().expect("a key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).expect("the CA signs itself");
        Self {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA's certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Writes the CA's certificate to `path` (what `--ca-file` takes).
    pub fn write_ca(&self, path: &Path) -> PathBuf {
        std::fs::write(path, &self.pem).expect("write the CA file");
        path.to_owned()
    }

    /// A server certificate for `names` (DNS names or IP addresses) signed by this CA, and its
    /// key, as PEM.
    pub fn server_cert(&self, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().expect("a key");
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .expect("server params");
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("server"),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).expect("the CA signs");
        (cert.pem(), key.serialize_pem())
    }

    /// A certificate for `127.0.0.1` and `localhost` and its key, written as `cert.pem` and
    /// `key.pem` in `dir` (replacing what is there).
    pub fn write_server_files(&self, dir: &Path) -> ServerFiles {
        let (cert, key) = self.server_cert(&["127.0.0.1", "localhost"]);
        let files = ServerFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&files.cert, cert).expect("write the certificate");
        std::fs::write(&files.key, key).expect("write the key");
        files
    }
}
