//! The tests' HTTP client: `slicebroker-client` with retries off (a test checks the answer the
//! server gave, not one a retry got), every answer returned as it came, whatever its status.

use serde_json::Value;
use slicebroker_client::{Client, ClientError, HeaderMap, Method, RetryPolicy};
use std::path::PathBuf;
use std::time::Duration;

/// An answer: status, content type, headers, and the body as JSON (`Null` if empty or not
/// JSON) and as text.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    fn from(r: slicebroker_client::Response) -> Self {
        Self {
            status: r.status.as_u16(),
            content_type: r.content_type().to_owned(),
            body: serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            text: r.text().into_owned(),
            headers: r.headers,
        }
    }

    /// Asserts this exact status; returns the body.
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        &self.body
    }

    /// Asserts a 2xx status; returns the body.
    pub fn success(&self) -> &Value {
        assert!(
            (200..300).contains(&self.status),
            "status {}: {}",
            self.status,
            self.body
        );
        &self.body
    }

    /// Asserts a problem+json error with this status and code; returns the body.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status);
        &self.body
    }

    /// A response header, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client of one server (or, with whole URLs, of any server it trusts).
#[derive(Clone, Debug)]
pub struct Http {
    client: Client,
}

impl Http {
    /// A client of `base`; for `https://`, trusting `ca_file` (and the system's CAs).
    pub fn new(base: &str, ca_file: Option<PathBuf>) -> Self {
        let client = Client::builder(base)
            .ca_file(ca_file)
            .retry(RetryPolicy::none())
            // Longer than any long-poll a test makes (the server caps waits at 60 s).
            .request_timeout(Duration::from_secs(120))
            .build()
            .expect("the test client builds");
        Self { client }
    }

    /// The client itself, for tests of its own behaviour.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends `method path` (a path on the base, or a whole URL) with a bearer `token`, a `body`
    /// (as `application/json` unless `headers` give a content type) and extra `headers`. `Err`
    /// only when no answer came.
    pub async fn try_send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Resp, ClientError> {
        let method = Method::from_bytes(method.as_bytes()).expect("a valid method");
        let mut req = self.client.request(method, path);
        if let Some(t) = token {
            req = req.bearer(t);
        }
        let typed = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if let Some(b) = body {
            if !typed {
                req = req.header("content-type", "application/json");
            }
            req = req.body(b.to_owned());
        }
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send().await.map(Resp::from)
    }

    /// [`Self::try_send`], panicking when no answer came.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        self.try_send(method, path, token, body, headers)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// A JSON request; `Err` (the error's message) only when no answer came.
    pub async fn try_request(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Resp, String> {
        let body = body.map(Value::to_string);
        self.try_send(method, url, token, body.as_deref(), &[])
            .await
            .map_err(|e| e.to_string())
    }

    /// A JSON request, panicking when no answer came.
    pub async fn request(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        self.try_request(method, url, token, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"))
    }
}
