//! The server in this process on port 0, over http or https, as the API tests start it.

use slicebroker_server::http::tls::Certificates;
use slicebroker_server::{App, Config};
use std::net::SocketAddr;
use std::sync::Arc;

/// A running server: its address and URL, the app (for its database and internals), and its
/// certificates when it serves https (to reload).
#[derive(Debug)]
pub struct InProcess {
    pub addr: SocketAddr,
    pub url: String,
    pub app: App,
    pub certs: Option<Arc<Certificates>>,
}

impl InProcess {
    /// Starts `config` (its `listen` is ignored: port 0 on 127.0.0.1), serving https when it
    /// names a certificate and key. It serves until the test ends.
    pub async fn start(config: Config) -> InProcess {
        let certs = match (&config.tls_cert_file, &config.tls_key_file) {
            (Some(cert), Some(key)) => Some(Certificates::load(cert, key).expect("TLS files")),
            _ => None,
        };
        let app = App::start(config).await.expect("app starts");
        app.spawn_background();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let served = app.clone();
        let url = match &certs {
            Some(certs) => {
                let certs = certs.clone();
                tokio::spawn(async move {
                    slicebroker_server::http::serve_tls(
                        listener,
                        &certs,
                        served,
                        std::future::pending(),
                    )
                    .await
                    .unwrap();
                });
                format!("https://{addr}")
            }
            None => {
                tokio::spawn(async move {
                    slicebroker_server::http::serve(listener, served, std::future::pending())
                        .await
                        .unwrap();
                });
                format!("http://{addr}")
            }
        };
        InProcess {
            addr,
            url,
            app,
            certs,
        }
    }
}
