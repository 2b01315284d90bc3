//! The client: a pool of HTTP/1.1 connections to one server (http or https), its timeouts,
//! trust and retry policy, and the requests it starts ([`crate::request`]).

use crate::error::BuildError;
use crate::request::RequestBuilder;
use crate::retry::RetryPolicy;
use crate::url::{BaseUrl, Scheme};
use http_body_util::Full;
use hyper::Method;
use hyper::body::Bytes;
use hyper::header::HeaderValue;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as Hyper;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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

pub(crate) struct Shared {
    pub(crate) hyper: Hyper<HttpsConnector<HttpConnector>, Full<Bytes>>,
    pub(crate) request_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: HeaderValue,
    pub(crate) max_body_bytes: usize,
    observer: Option<Observer>,
}

/// A client of one server. Cheap to clone: clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    base: BaseUrl,
    pub(crate) shared: Arc<Shared>,
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
        RequestBuilder::new(self, method, url)
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

    pub(crate) fn observe(&self, event: Event<'_>) {
        if let Some(f) = &self.shared.observer {
            f(&event);
        }
    }
}
