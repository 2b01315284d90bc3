//! The agent's HTTP client for the server's agent protocol (DESIGN.md §7): register, the
//! desired-config long-poll, the observed report. Plain HTTP/1.1 over hyper: TLS, where wanted,
//! terminates at a proxy or sidecar in front of the server (see the README).

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use slicebroker_types::Secret;
use slicebroker_types::agent::{
    AgentRegister, AgentRegistration, DesiredConfig, ObservedReport, ReportAck,
};
use std::fmt;
use std::time::Duration;

/// The longest long-poll wait the server accepts.
pub const MAX_POLL_WAIT: Duration = Duration::from_secs(60);
/// Time a request may take, beyond any long-poll wait.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read; a desired config for a large host is a few hundred KiB.
const MAX_BODY_BYTES: usize = 16 << 20;

/// A `--server` that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("server URL `{url}` is not usable: {reason}")]
pub struct BadUrl {
    pub url: String,
    pub reason: String,
}

/// Why a call to the server failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{url}: cannot build the request: {reason}")]
    Request { url: String, reason: String },
    #[error("cannot connect to the server at {url}")]
    Connect {
        url: String,
        #[source]
        source: hyper_util::client::legacy::Error,
    },
    #[error("{method} {url}: the connection failed before the answer was complete")]
    Transport {
        method: Method,
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{method} {url}: no answer within {}s", after.as_secs())]
    Timeout {
        method: Method,
        url: String,
        after: Duration,
    },
    #[error("{method} {url}: {problem}")]
    Http {
        method: Method,
        url: String,
        problem: Box<Problem>,
    },
    #[error("{method} {url}: the answer is not the expected JSON")]
    Decode {
        method: Method,
        url: String,
        #[source]
        source: serde_json::Error,
    },
}

impl ClientError {
    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Http { problem, .. } => Some(problem.status),
            _ => None,
        }
    }

    /// The server does not accept the token or credential sent.
    pub fn is_unauthenticated(&self) -> bool {
        self.status() == Some(401)
    }

    /// Whether asking again later may work: no connection, no answer in time, or a server
    /// error. Client errors (4xx but 408/429) and undecodable answers will not go away alone.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Connect { .. }
            | ClientError::Transport { .. }
            | ClientError::Timeout { .. } => true,
            ClientError::Http { problem, .. } => {
                problem.status >= 500 || matches!(problem.status, 408 | 429)
            }
            ClientError::Request { .. } | ClientError::Decode { .. } => false,
        }
    }
}

/// An error answer: the server's RFC 9457 problem+json, or what a proxy sent instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    /// The server's stable `code` (`unauthenticated`, `invalid_input`, …); for answers that
    /// are not problem+json, the status's reason (`bad_gateway`).
    pub code: String,
    pub detail: String,
    /// The request field a 4xx is about.
    pub field: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.code)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

impl Problem {
    /// Reads an error answer. The status is the response's, whatever the body claims.
    pub fn parse(status: StatusCode, body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Wire {
            code: Option<String>,
            detail: Option<String>,
            title: Option<String>,
            field: Option<String>,
        }
        let fallback_code = || {
            status.canonical_reason().map_or_else(
                || format!("http_{}", status.as_u16()),
                |r| r.to_lowercase().replace([' ', '-'], "_"),
            )
        };
        match serde_json::from_slice::<Wire>(body) {
            Ok(w) if w.code.is_some() || w.detail.is_some() => Problem {
                status: status.as_u16(),
                code: w.code.unwrap_or_else(fallback_code),
                detail: w.detail.or(w.title).unwrap_or_default(),
                field: w.field,
            },
            _ => Problem {
                status: status.as_u16(),
                code: fallback_code(),
                detail: String::from_utf8_lossy(body)
                    .trim()
                    .chars()
                    .take(200)
                    .collect(),
                field: None,
            },
        }
    }
}

/// The server's address: `http://host[:port][/prefix]`, kept without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn parse(url: &str) -> Result<Self, BadUrl> {
        let bad = |reason: &str| BadUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = url.trim().trim_end_matches('/');
        let uri: Uri = trimmed
            .parse()
            .map_err(|e: hyper::http::uri::InvalidUri| bad(&e.to_string()))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(bad(
                    "the agent speaks plain http; terminate TLS at a local proxy or sidecar \
                     and give its http:// address",
                ));
            }
            _ => return Err(bad("expected http://host[:port]")),
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        if uri.query().is_some() {
            return Err(bad("a server URL takes no query"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The URL of `path_and_query` (which starts with `/`) on this server.
    pub fn join(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.0)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The path of a desired-config long-poll; the wait is capped at what the server accepts.
pub fn desired_path(after: u64, wait: Duration) -> String {
    format!(
        "/v1/agent/desired?after={after}&wait={}",
        wait.min(MAX_POLL_WAIT).as_secs()
    )
}

/// A client for one server. Holds the host's credential once it has one.
#[derive(Clone, Debug)]
pub struct ServerClient {
    base: BaseUrl,
    credential: Option<Secret>,
    http: Client<HttpConnector, Full<Bytes>>,
}

impl ServerClient {
    /// A client for `base`; needs a Tokio runtime when used.
    pub fn new(base: BaseUrl) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self {
            base,
            credential: None,
            http,
        }
    }

    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// Authenticates later calls with the host's credential.
    pub fn set_credential(&mut self, credential: Option<Secret>) {
        self.credential = credential;
    }

    /// `POST /v1/agent/register`. With `enrollment_token` set the request carries the token and
    /// no credential; without it, the credential.
    pub async fn register(&self, req: &AgentRegister) -> Result<AgentRegistration, ClientError> {
        let auth = req.enrollment_token.is_none();
        self.call(Method::POST, "/v1/agent/register", Some(req), auth, None)
            .await
    }

    /// `GET /v1/agent/desired`: at once if the host's generation is newer than `after`, else
    /// when it moves or after `wait` (capped at 60 s, and by the server below its own timeout).
    pub async fn desired(&self, after: u64, wait: Duration) -> Result<DesiredConfig, ClientError> {
        let wait = wait.min(MAX_POLL_WAIT);
        let path = desired_path(after, wait);
        self.call::<(), _>(Method::GET, &path, None, true, Some(wait))
            .await
    }

    /// `POST /v1/agent/observed`: the observed state, which is also the heartbeat.
    pub async fn report(&self, report: &ObservedReport) -> Result<ReportAck, ClientError> {
        self.call(Method::POST, "/v1/agent/observed", Some(report), true, None)
            .await
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        auth: bool,
        long_poll: Option<Duration>,
    ) -> Result<T, ClientError> {
        let url = self.base.join(path);
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(&url)
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("slicebroker-agent/", env!("CARGO_PKG_VERSION")),
            );
        if let Some(credential) = self.credential.as_ref().filter(|_| auth) {
            let mut value = HeaderValue::try_from(format!("Bearer {}", credential.expose()))
                .map_err(|_| ClientError::Request {
                    url: url.clone(),
                    reason: "the credential is not a valid header value".into(),
                })?;
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        let bytes = match body {
            Some(b) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                serde_json::to_vec(b).expect("protocol types always serialize")
            }
            None => Vec::new(),
        };
        let request =
            builder
                .body(Full::new(Bytes::from(bytes)))
                .map_err(|e| ClientError::Request {
                    url: url.clone(),
                    reason: e.to_string(),
                })?;

        let exchange = async {
            let response = self.http.request(request).await.map_err(|source| {
                if source.is_connect() {
                    ClientError::Connect {
                        url: self.base.to_string(),
                        source,
                    }
                } else {
                    ClientError::Transport {
                        method: method.clone(),
                        url: url.clone(),
                        source: source.into(),
                    }
                }
            })?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_BODY_BYTES)
                .collect()
                .await
                .map_err(|source| ClientError::Transport {
                    method: method.clone(),
                    url: url.clone(),
                    source,
                })?
                .to_bytes();
            Ok((status, body))
        };
        let after = long_poll.unwrap_or_default() + REQUEST_TIMEOUT;
        let (status, body) =
            tokio::time::timeout(after, exchange)
                .await
                .map_err(|_| ClientError::Timeout {
                    method: method.clone(),
                    url: url.clone(),
                    after,
                })??;
        if !status.is_success() {
            return Err(ClientError::Http {
                method,
                url,
                problem: Box::new(Problem::parse(status, &body)),
            });
        }
        serde_json::from_slice(&body).map_err(|source| ClientError::Decode {
            method,
            url,
            source,
        })
    }
}

#[cfg(test)]
mod tests;
