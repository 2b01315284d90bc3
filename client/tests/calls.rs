//! The client against small local servers: what is retried and what is not, typed problems,
//! per-request timeouts, connection failures, and https with a CA made at run time.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use slicebroker_client::{Client, ClientError, RetryPolicy};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Fast retries, so the tests do not wait on real backoff.
const QUICK: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    max_elapsed: Duration::from_secs(20),
    first_backoff: Duration::from_millis(1),
    max_backoff: Duration::from_millis(5),
};

#[derive(Clone, Default)]
struct Counts {
    hits: Arc<AtomicU32>,
}

impl Counts {
    fn next(&self) -> u32 {
        self.hits.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn seen(&self) -> u32 {
        self.hits.load(Ordering::SeqCst)
    }
}

fn problem(status: StatusCode, code: &str) -> axum::response::Response {
    let body = format!(
        r#"{{"type":"https://slicebroker.dev/problems/{code}","title":"t","status":{},"detail":"{code} detail","code":"{code}"}}"#,
        status.as_u16()
    );
    (status, [("content-type", "application/problem+json")], body).into_response()
}

/// Each route fails its first call in one way, then answers `{"ok": n}` (n = the call's number).
async fn serve(counts: Counts) -> String {
    async fn flaky_read(State(c): State<Counts>) -> axum::response::Response {
        match c.next() {
            1 => problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            2 => (StatusCode::BAD_GATEWAY, "<html>bad gateway</html>").into_response(),
            n => axum::Json(serde_json::json!({ "ok": n })).into_response(),
        }
    }
    async fn flaky_create(State(c): State<Counts>, headers: HeaderMap) -> axum::response::Response {
        let n = c.next();
        if headers.contains_key("idempotency-key") && n == 1 {
            let mut r = problem(StatusCode::CONFLICT, "idempotency_key_in_progress");
            r.headers_mut().insert("retry-after", "0".parse().unwrap());
            return r;
        }
        if n == 1 {
            return problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        }
        axum::Json(serde_json::json!({ "ok": n })).into_response()
    }
    async fn full(State(c): State<Counts>) -> axum::response::Response {
        c.next();
        problem(StatusCode::SERVICE_UNAVAILABLE, "no_capacity")
    }
    async fn slow(State(c): State<Counts>) -> &'static str {
        c.next();
        tokio::time::sleep(Duration::from_secs(30)).await;
        "late"
    }
    let app = Router::new()
        .route("/read", get(flaky_read))
        .route("/create", post(flaky_create))
        .route("/full", post(full))
        .route("/slow", get(slow).post(slow))
        .with_state(counts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn client(url: &str) -> Client {
    Client::builder(url).retry(QUICK).build().unwrap()
}

#[tokio::test]
async fn reads_are_retried_past_an_unavailable_server_and_a_proxy_error() {
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let got: serde_json::Value = client(&url).get("/read").call().await.unwrap();
    assert_eq!(got["ok"], 3);
    assert_eq!(counts.seen(), 3);
}

#[tokio::test]
async fn a_post_without_a_key_is_sent_once() {
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let err = client(&url)
        .post("/create")
        .json(&serde_json::json!({}))
        .call::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("unavailable"));
    assert_eq!(err.status(), Some(503));
    assert_eq!(counts.seen(), 1, "never retried");
}

#[tokio::test]
async fn a_keyed_create_waits_out_a_request_in_progress() {
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let got: serde_json::Value = client(&url)
        .post("/create")
        .idempotency_key("k-1")
        .json(&serde_json::json!({}))
        .call()
        .await
        .unwrap();
    assert_eq!(got["ok"], 2);
    assert_eq!(counts.seen(), 2);
}

#[tokio::test]
async fn no_capacity_is_a_typed_problem_and_final() {
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let err = client(&url)
        .post("/full")
        .idempotency_key("k-2")
        .call::<serde_json::Value>()
        .await
        .unwrap_err();
    let ClientError::Problem { problem, body, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        (problem.status, problem.code.as_str()),
        (503, "no_capacity")
    );
    assert_eq!(problem.detail, "no_capacity detail");
    assert!(body.contains("\"no_capacity\""), "{body}");
    assert_eq!(counts.seen(), 1);
    assert!(
        err.to_string()
            .ends_with("/full: 503 no_capacity: no_capacity detail"),
        "{err}"
    );
}

#[tokio::test]
async fn attempts_and_retries_are_bounded() {
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let once = client(&url)
        .get("/read")
        .retry(RetryPolicy::none())
        .send()
        .await
        .unwrap();
    assert_eq!(once.status, 503);
    assert_eq!(counts.seen(), 1);
    // A fresh server: two attempts see its 503 and its 502, and the 502 is the answer.
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let err = client(&url)
        .get("/read")
        .retry(RetryPolicy {
            max_attempts: 2,
            ..QUICK
        })
        .call::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("http_502"), "{err}");
    assert_eq!(counts.seen(), 2);
}

#[tokio::test]
async fn a_request_timeout_is_its_own_error_and_a_post_is_not_resent() {
    let counts = Counts::default();
    let url = serve(counts.clone()).await;
    let c = client(&url);
    let err = c
        .post("/slow")
        .timeout(Duration::from_millis(50))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().ends_with("no answer within 50ms"), "{err}");
    assert_eq!(counts.seen(), 1);
}

#[tokio::test]
async fn a_server_that_is_not_there_is_a_transient_connection_error_naming_it() {
    // A port that was just free: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let err = client(&url).get("/read").send().await.unwrap_err();
    assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
    assert!(
        err.to_string()
            .starts_with(&format!("cannot connect to {url}: ")),
        "{err}"
    );
}

mod tls {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A CA, and a server certificate for 127.0.0.1 it signed; the CA's PEM.
    fn pki() -> (String, tokio_rustls::TlsAcceptor) {
        let ca_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "client test CA");
        let ca = params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(params, ca_key);
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".into()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
            )
            .unwrap();
        (ca.pem(), tokio_rustls::TlsAcceptor::from(Arc::new(config)))
    }

    /// Answers every request on every connection with `{"tls": true}`, then closes.
    async fn serve_tls(acceptor: tokio_rustls::TlsAcceptor) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let body = r#"{"tls":true}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        url
    }

    #[tokio::test]
    async fn https_works_with_the_ca_file_and_is_refused_clearly_without_it() {
        let (ca_pem, acceptor) = pki();
        let url = serve_tls(acceptor).await;
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();

        let trusting = Client::builder(&url)
            .ca_file(Some(ca_file))
            .retry(QUICK)
            .build()
            .unwrap();
        let got: serde_json::Value = trusting.get("/x").call().await.unwrap();
        assert_eq!(got["tls"], true);

        let stranger = client(&url);
        let err = stranger.get("/x").send().await.unwrap_err();
        assert!(matches!(err, ClientError::Tls { .. }), "{err:?}");
        assert!(!err.is_transient());
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("TLS with {url} failed: ")),
            "{text}"
        );
        assert!(
            text.contains("not signed by a CA this client trusts"),
            "{text}"
        );
    }
}
