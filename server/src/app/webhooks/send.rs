//! The HTTP side of a delivery: one POST with a per-try timeout, reading at most a bounded
//! part of the answer, to a target whose addresses are checked on every try (server-side
//! request forgery: a name that resolved to a public address at registration may resolve to
//! an internal one later). The check sits in the connector's resolver, so the address checked
//! is the address connected to.

use crate::domain::webhook::{self, Target};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Every address `target` resolves to, if all are public; the reason otherwise.
pub async fn resolve_public(target: &Target) -> Result<Vec<SocketAddr>, String> {
    if let Some(ip) = target.ip() {
        return if webhook::is_public(ip) {
            Ok(vec![SocketAddr::new(ip, target.port)])
        } else {
            Err(format!(
                "{ip} is a private, loopback or otherwise internal address; webhooks may call only public ones"
            ))
        };
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|e| format!("{} does not resolve: {e}", target.host))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{} resolves to no address", target.host));
    }
    if let Some(bad) = addrs.iter().find(|a| !webhook::is_public(a.ip())) {
        return Err(format!(
            "{} resolves to {}, a private, loopback or otherwise internal address; webhooks may call only public ones",
            target.host,
            bad.ip()
        ));
    }
    Ok(addrs)
}

/// A resolver that hands the connector only public addresses (or every address when private
/// targets are allowed).
#[derive(Clone, Debug)]
struct CheckedResolver {
    allow_private: bool,
}

type Resolving =
    Pin<Box<dyn Future<Output = Result<std::vec::IntoIter<SocketAddr>, std::io::Error>> + Send>>;

impl tower::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Resolving;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| allow_private || webhook::is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(std::io::Error::other(format!(
                    "{name} resolves to no public address (refused: server-side request forgery)"
                )));
            }
            Ok(addrs.into_iter())
        })
    }
}

/// Sends webhook bodies; cheap to clone (one connection pool).
#[derive(Clone, Debug)]
pub struct Sender {
    client: Client<HttpsConnector<HttpConnector<CheckedResolver>>, Full<Bytes>>,
    allow_private: bool,
    timeout: Duration,
    response_limit: usize,
}

/// What the receiver answered, or why nothing was.
#[derive(Debug)]
pub enum Answer {
    Status(u16),
    /// Refused before connecting: the target is not public.
    Refused(String),
    /// No answer: connection error or timeout.
    NoAnswer(String),
}

impl Sender {
    pub fn new(allow_private: bool, timeout: Duration, response_limit: usize) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut http = HttpConnector::new_with_resolver(CheckedResolver { allow_private });
        http.set_connect_timeout(Some(timeout));
        http.set_nodelay(true);
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self {
            client,
            allow_private,
            timeout,
            response_limit,
        }
    }

    /// POSTs `body` with `headers` to `url`, within the timeout; reads at most the response
    /// limit of the answer's body and drops the rest.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> Answer {
        let target = match webhook::parse_url(url) {
            Ok(t) => t,
            Err(e) => return Answer::Refused(format!("url {e}")),
        };
        // An address in the URL never reaches the resolver: check it here.
        if let Some(ip) = target.ip()
            && !self.allow_private
            && !webhook::is_public(ip)
        {
            return Answer::Refused(format!(
                "{ip} is not a public address (refused: server-side request forgery)"
            ));
        }
        let mut req = hyper::Request::post(url);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let req = match req.body(Full::new(Bytes::from(body))) {
            Ok(r) => r,
            Err(e) => return Answer::Refused(format!("cannot build the request: {e}")),
        };
        let limit = self.response_limit;
        let exchange = async {
            let resp = self.client.request(req).await?;
            let status = resp.status().as_u16();
            // Past the limit the rest is not read (the connection is dropped); the status counts.
            let _ = Limited::new(resp.into_body(), limit).collect().await;
            Ok::<u16, hyper_util::client::legacy::Error>(status)
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(Ok(status)) => Answer::Status(status),
            Ok(Err(e)) => {
                let mut reason = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    reason = format!("{reason}: {s}");
                    source = s.source();
                }
                if reason.contains("refused: server-side request forgery") {
                    Answer::Refused(reason)
                } else {
                    Answer::NoAnswer(reason)
                }
            }
            Err(_) => Answer::NoAnswer(format!("no answer within {:?}", self.timeout)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A receiver on 127.0.0.1 that counts the connections it accepts.
    async fn receiver() -> (u16, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        (port, hits)
    }

    #[tokio::test]
    async fn a_private_target_is_refused_at_delivery_and_never_called() {
        let (port, hits) = receiver().await;
        let sender = Sender::new(false, Duration::from_secs(2), 1024);
        for url in [
            format!("http://127.0.0.1:{port}/hook"),
            format!("http://localhost:{port}/hook"),
        ] {
            let answer = sender.post(&url, &[], b"{}".to_vec()).await;
            assert!(matches!(answer, Answer::Refused(_)), "{url}: {answer:?}");
        }
        let allowed = Sender::new(true, Duration::from_secs(2), 1024);
        let answer = allowed
            .post(
                &format!("http://127.0.0.1:{port}/hook"),
                &[],
                b"{}".to_vec(),
            )
            .await;
        assert!(matches!(answer, Answer::NoAnswer(_)), "{answer:?}");
        assert_eq!(
            hits.load(Ordering::SeqCst),
            1,
            "only the allowed sender connected"
        );
    }
}
