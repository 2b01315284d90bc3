//! The client: one pooled HTTP/1.1 connection set to one server (http or https), requests built
//! with a bearer token, a JSON body or an `Idempotency-Key`, each under a timeout, retried when
//! that is safe ([`crate::retry`]).

use crate::error::{BuildError, ClientError, from_hyper};
use crate::response::Response;
use crate::retry::{Replay, RetryPolicy, retryable};
use crate::url::{BaseUrl, Scheme};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as Hyper;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Something a client did, for callers that show or log their traffic (`slicectl -v`).
#[derive(Debug)]
pub enum Event<'a> {
    /// A request is sent; `attempt` counts from 1.
    Sending {
        method: &'a Method,
        url: &'a str,
        attempt: u32,
    },
    /// An answer came.
    Answered {
        method: &'a Method,
        url: &'a str,
        status: u16,
    },
    /// The attempt failed in a way worth retrying; the next starts after `after`.
    Retrying {
        method: &'a Method,
        url: &'a str,
        after: Duration,
        why: String,
    },
}

type Observer = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

/// How to build a [`Client`].
pub struct ClientBuilder {
    base: String,
    ca_file: Option<PathBuf>,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    max_body_bytes: usize,
    pool_max_idle_per_host: usize,
    observer: Option<Observer>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base", &self.base)
            .field("ca_file", &self.ca_file)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Connect within 10 s, answer within 30 s, retry per [`RetryPolicy::default`].
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            ca_file: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: concat!("slicebroker-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_body_bytes: 32 << 20,
            pool_max_idle_per_host: 32,
            observer: None,
        }
    }

    /// CAs to trust besides the system's (a PEM file with one or more certificates).
    pub fn ca_file(mut self, path: Option<PathBuf>) -> Self {
        self.ca_file = path;
        self
    }

    /// How long opening a TCP connection may take.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// How long one attempt may take, from sending to the whole answer (TLS handshake
    /// included); [`RequestBuilder::timeout`] sets it for one request.
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    pub fn user_agent(mut self, agent: &str) -> Self {
        self.user_agent = agent.to_owned();
        self
    }

    /// The largest answer read; a longer one is a transport error.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// Idle connections kept per host (a load generator wants many).
    pub fn pool_max_idle_per_host(mut self, n: usize) -> Self {
        self.pool_max_idle_per_host = n;
        self
    }

    /// Called on each request, answer and retry.
    pub fn observer(mut self, f: impl Fn(&Event<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(f));
        self
    }

    /// Checks the URL and reads the CA file. The system's roots are loaded only for an
    /// `https://` server (a plain-http client never reads them).
    pub fn build(self) -> Result<Client, BuildError> {
        let base = BaseUrl::parse(&self.base)?;
        let tls =
            crate::tls::client_config(base.scheme() == Scheme::Https, self.ca_file.as_deref())?;
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(self.connect_timeout));
        http.set_nodelay(true);
        http.enforce_http(false);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let hyper = Hyper::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build(connector);
        Ok(Client {
            base,
            shared: Arc::new(Shared {
                hyper,
                request_timeout: self.request_timeout,
                retry: self.retry,
                user_agent: HeaderValue::try_from(self.user_agent)
                    .unwrap_or_else(|_| HeaderValue::from_static("slicebroker-client")),
                max_body_bytes: self.max_body_bytes,
                observer: self.observer,
            }),
        })
    }
}

struct Shared {
    hyper: Hyper<HttpsConnector<HttpConnector>, Full<Bytes>>,
    request_timeout: Duration,
    retry: RetryPolicy,
    user_agent: HeaderValue,
    max_body_bytes: usize,
    observer: Option<Observer>,
}

/// A client of one server. Cheap to clone: clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    base: BaseUrl,
    shared: Arc<Shared>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("request_timeout", &self.shared.request_timeout)
            .field("retry", &self.shared.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of `base` with the defaults of [`ClientBuilder::new`].
    pub fn new(base: &str) -> Result<Self, BuildError> {
        ClientBuilder::new(base).build()
    }

    pub fn builder(base: &str) -> ClientBuilder {
        ClientBuilder::new(base)
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// The timeout of an attempt, unless a request sets its own.
    pub fn request_timeout(&self) -> Duration {
        self.shared.request_timeout
    }

    /// A request for `path` (from `/`, joined to the base; or a whole `http(s)://` URL).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            self.base.join(path)
        };
        RequestBuilder {
            client: self,
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

    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    fn observe(&self, event: Event<'_>) {
        if let Some(f) = &self.shared.observer {
            f(&event);
        }
    }
}

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

impl RequestBuilder<'_> {
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
