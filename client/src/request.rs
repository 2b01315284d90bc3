//! One request: a bearer token, a JSON body, an `Idempotency-Key`, a timeout of its own; sent
//! and, where that is safe ([`crate::retry`]), sent again.

use crate::client::{Client, Event};
use crate::error::{ClientError, from_hyper};
use crate::response::Response;
use crate::retry::{Replay, RetryPolicy, retryable};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// One request, built up then sent with [`RequestBuilder::send`] or [`RequestBuilder::call`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'c> {
    client: &'c Client,
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Option<Bytes>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    keyed: bool,
    /// The first header that could not be set, reported when sending.
    invalid: Option<String>,
}

impl<'c> RequestBuilder<'c> {
    pub(crate) fn new(client: &'c Client, method: Method, url: String) -> Self {
        Self {
            client,
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            timeout: None,
            retry: None,
            keyed: false,
            invalid: None,
        }
    }

    /// `Authorization: Bearer …`, marked sensitive so it is never shown.
    pub fn bearer(mut self, token: &str) -> Self {
        match HeaderValue::try_from(format!("Bearer {token}")) {
            Ok(mut v) => {
                v.set_sensitive(true);
                self.headers.insert(header::AUTHORIZATION, v);
            }
            Err(_) => {
                self.invalid
                    .get_or_insert_with(|| "the token is not a valid header value".into());
            }
        }
        self
    }

    /// A JSON body, with `Content-Type: application/json`.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                self.body = Some(bytes.into());
            }
            Err(e) => {
                self.invalid
                    .get_or_insert_with(|| format!("the body is not JSON: {e}"));
            }
        }
        self
    }

    /// A body as it is, with no `Content-Type` unless one is set with [`Self::header`].
    pub fn body(mut self, bytes: impl Into<Bytes>) -> Self {
        self.body = Some(bytes.into());
        self
    }

    /// Any header (replacing one of the same name).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                if n.as_str() == "idempotency-key" {
                    self.keyed = true;
                }
                self.headers.insert(n, v);
            }
            _ => {
                self.invalid
                    .get_or_insert_with(|| format!("header `{name}` is not valid"));
            }
        }
        self
    }

    /// `Idempotency-Key`: a `POST` that carries one may be retried, the server answering a
    /// repeat with the first outcome.
    pub fn idempotency_key(self, key: &str) -> Self {
        self.header("idempotency-key", key)
    }

    /// The timeout of each attempt of this request (a long-poll's is longer than its wait).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Retries for this request only (`RetryPolicy::none()` to send it once).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends, retrying where safe, and returns the answer whatever its status.
    pub async fn send(self) -> Result<Response, ClientError> {
        if let Some(reason) = self.invalid {
            return Err(ClientError::Request {
                url: self.url,
                reason,
            });
        }
        let client = self.client;
        let policy = self.retry.unwrap_or(client.shared.retry);
        let replay = Replay::of(&self.method, self.keyed);
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(attempt).await;
            let Some(retry_after) = retryable(replay, &outcome) else {
                return outcome;
            };
            let pause = policy.pause(attempt, retry_after);
            if attempt >= policy.max_attempts || started.elapsed() + pause > policy.max_elapsed {
                return outcome;
            }
            client.observe(Event::Retrying {
                method: &self.method,
                url: &self.url,
                after: pause,
                why: match &outcome {
                    Ok(r) => r.problem().map_or_else(
                        || r.status.to_string(),
                        |p| format!("{} {}", p.status, p.code),
                    ),
                    Err(e) => e.to_string(),
                },
            });
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    /// Sends, and reads a successful answer as `T`; an error status is
    /// [`ClientError::Problem`].
    pub async fn call<T: DeserializeOwned>(self) -> Result<T, ClientError> {
        self.send().await?.json()
    }

    async fn attempt(&self, attempt: u32) -> Result<Response, ClientError> {
        let shared = &self.client.shared;
        let mut req = Request::builder()
            .method(self.method.clone())
            .uri(&self.url)
            .body(Full::new(self.body.clone().unwrap_or_default()))
            .map_err(|e| ClientError::Request {
                url: self.url.clone(),
                reason: e.to_string(),
            })?;
        // The caller's headers, and the defaults for those it did not set.
        let headers = req.headers_mut();
        headers.clone_from(&self.headers);
        headers
            .entry(header::ACCEPT)
            .or_insert(HeaderValue::from_static("application/json"));
        headers
            .entry(header::USER_AGENT)
            .or_insert(shared.user_agent.clone());
        self.client.observe(Event::Sending {
            method: &self.method,
            url: &self.url,
            attempt,
        });
        let exchange = async {
            let res = shared
                .hyper
                .request(req)
                .await
                .map_err(|e| from_hyper(e, &self.method, &self.url, &origin(&self.url)))?;
            let (parts, body) = res.into_parts();
            let bytes = Limited::new(body, shared.max_body_bytes)
                .collect()
                .await
                .map_err(|source| ClientError::Transport {
                    method: self.method.clone(),
                    url: self.url.clone(),
                    source,
                })?
                .to_bytes();
            Ok::<_, ClientError>((parts, bytes))
        };
        let after = self.timeout.unwrap_or(shared.request_timeout);
        let (parts, bytes) =
            tokio::time::timeout(after, exchange)
                .await
                .map_err(|_| ClientError::Timeout {
                    method: self.method.clone(),
                    url: self.url.clone(),
                    after,
                })??;
        self.client.observe(Event::Answered {
            method: &self.method,
            url: &self.url,
            status: parts.status.as_u16(),
        });
        Ok(Response::new(
            self.method.clone(),
            self.url.clone(),
            parts.status,
            parts.headers,
            bytes,
        ))
    }
}

/// `scheme://host[:port]` of a URL, for errors about the server rather than one request.
fn origin(url: &str) -> String {
    match url.parse::<hyper::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(s), Some(a)) => format!("{s}://{a}"),
            _ => url.to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}
