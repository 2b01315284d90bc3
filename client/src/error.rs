//! What can go wrong: building a client (a bad URL, an unreadable CA file), and each call
//! (no connection, TLS refused, no answer in time, a problem+json answer, an answer that is not
//! the JSON expected). Error answers become the API's own [`Problem`], typed.

use hyper::header::{HeaderMap, RETRY_AFTER};
use hyper::{Method, StatusCode};
use slicebroker_types::api::Problem;
use std::error::Error as StdError;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Url(#[from] crate::url::BadUrl),
    #[error("CA file {}: {reason}", path.display())]
    CaFile { path: PathBuf, reason: String },
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request could not be built: a header value that is not valid, a path that is not one.
    #[error("{url}: cannot build the request: {reason}")]
    Request { url: String, reason: String },
    /// No connection: refused, unreachable, no such host, or not made within the connect timeout.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        url: String,
        reason: String,
        #[source]
        source: BoxError,
    },
    /// The TLS handshake failed: most often a certificate this client does not trust. Never
    /// retried: it will not go away by itself.
    #[error("TLS with {url} failed: {reason}")]
    Tls {
        url: String,
        reason: String,
        #[source]
        source: BoxError,
    },
    /// The connection broke after the request was sent, before the whole answer came.
    #[error("{method} {url}: the connection failed before the answer was complete")]
    Transport {
        method: Method,
        url: String,
        #[source]
        source: BoxError,
    },
    #[error("{method} {url}: no answer within {}", seconds(*after))]
    Timeout {
        method: Method,
        url: String,
        after: Duration,
    },
    /// The server (or a proxy in front of it) answered with an error status.
    #[error("{method} {url}: {}", ProblemLine(problem))]
    Problem {
        method: Method,
        url: String,
        problem: Box<Problem>,
        /// The body as received (for showing the whole answer).
        body: String,
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
    /// The problem the server answered with, if it answered with an error.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Problem { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        self.problem().map(|p| p.status)
    }

    /// The problem's stable `code`, when the server answered with an error.
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|p| p.code.as_str())
    }

    /// The server does not accept the token or credential sent.
    pub fn is_unauthenticated(&self) -> bool {
        self.status() == Some(401)
    }

    /// Whether asking again later may work: no connection, no answer in time, or a server
    /// error. Client errors (4xx but 408/429), TLS failures and undecodable answers will not go
    /// away by themselves.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Connect { .. }
            | ClientError::Transport { .. }
            | ClientError::Timeout { .. } => true,
            ClientError::Problem { problem, .. } => {
                problem.status >= 500 || matches!(problem.status, 408 | 429)
            }
            ClientError::Request { .. } | ClientError::Tls { .. } | ClientError::Decode { .. } => {
                false
            }
        }
    }
}

/// `3s`, `1.5s`, `250ms`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// A problem on one line: `404 not_found: lease … not found (field `id`)`.
struct ProblemLine<'a>(&'a Problem);

impl fmt::Display for ProblemLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0;
        write!(f, "{} {}", p.status, p.code)?;
        if !p.detail.is_empty() {
            write!(f, ": {}", p.detail)?;
        }
        if let Some(field) = &p.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

/// Reads an error answer as the API's problem+json, or makes one from the status when the body
/// is not one (a proxy's HTML page): code `http_<status>`, the body's first 200 characters as
/// the detail. The status is the response's, whatever the body claims.
pub fn parse_problem(status: StatusCode, body: &[u8]) -> Problem {
    match serde_json::from_slice::<Problem>(body) {
        Ok(mut p) => {
            p.status = status.as_u16();
            p
        }
        Err(_) => {
            let reason = status.canonical_reason().unwrap_or("error");
            let text: String = String::from_utf8_lossy(body)
                .trim()
                .chars()
                .take(200)
                .collect();
            Problem {
                kind: "about:blank".into(),
                title: reason.into(),
                status: status.as_u16(),
                detail: if text.is_empty() {
                    reason.to_owned()
                } else {
                    text
                },
                code: format!("http_{}", status.as_u16()),
                field: None,
                free: None,
                next_free_at: None,
            }
        }
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the server, and is ignored).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Sorts a failed exchange: TLS refusals, connection failures, and breaks after sending.
pub(crate) fn from_hyper(
    err: hyper_util::client::legacy::Error,
    method: &Method,
    url: &str,
    base: &str,
) -> ClientError {
    if let Some(tls) = find_rustls(&err) {
        let mut reason = tls.to_string();
        if matches!(tls, rustls::Error::InvalidCertificate(_)) {
            reason.push_str(
                "; the server's certificate is not signed by a CA this client trusts (the \
                 system's roots, and the CA file if one is given)",
            );
        }
        return ClientError::Tls {
            url: base.to_owned(),
            reason,
            source: err.into(),
        };
    }
    if err.is_connect() {
        ClientError::Connect {
            url: base.to_owned(),
            reason: innermost(&err),
            source: err.into(),
        }
    } else {
        ClientError::Transport {
            method: method.clone(),
            url: url.to_owned(),
            source: err.into(),
        }
    }
}

/// The rustls error somewhere in `err`'s chain. `io::Error` hides the error it wraps from
/// `source()` (it returns the inner error's source), so each is opened with `get_ref`.
fn find_rustls<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            && let Some(tls) = find_rustls(inner)
        {
            return Some(tls);
        }
        next = e.source();
    }
    None
}

/// The message of the deepest cause (`Connection refused (os error 111)`).
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut last = err;
    loop {
        let next = last
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref().map(|e| e as &(dyn StdError + 'static)))
            .or_else(|| last.source());
        match next {
            Some(n) => last = n,
            None => return last.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_json_is_read_into_status_code_detail_and_field() {
        let body =
            br#"{"type":"https://slicebroker.dev/problems/invalid_input","title":"Invalid input",
            "status":400,"detail":"at most 60 seconds","code":"invalid_input","field":"wait"}"#;
        let p = parse_problem(StatusCode::BAD_REQUEST, body);
        assert_eq!(
            (p.status, p.code.as_str(), p.detail.as_str()),
            (400, "invalid_input", "at most 60 seconds")
        );
        assert_eq!(p.field.as_deref(), Some("wait"));
        let err = ClientError::Problem {
            method: Method::GET,
            url: "http://s/v1/agent/desired".into(),
            problem: Box::new(p),
            body: String::new(),
        };
        assert_eq!(
            err.to_string(),
            "GET http://s/v1/agent/desired: 400 invalid_input: at most 60 seconds (field `wait`)"
        );
    }

    #[test]
    fn an_answer_that_is_not_problem_json_still_gives_a_code() {
        let p = parse_problem(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>\n");
        assert_eq!(p.status, 502);
        assert_eq!(p.code, "http_502");
        assert_eq!(p.detail, "<html>bad gateway</html>");
        let empty = parse_problem(StatusCode::from_u16(599).unwrap(), b"");
        assert_eq!(
            (empty.code.as_str(), empty.detail.as_str()),
            ("http_599", "error")
        );
        let long = parse_problem(StatusCode::INTERNAL_SERVER_ERROR, &[b'x'; 1000]);
        assert_eq!(long.detail.len(), 200, "long bodies are cut");
        // The status is the response's, whatever the body says.
        let body = br#"{"type":"t","title":"Not Found","status":200,"detail":"lease x not found","code":"not_found"}"#;
        let p = parse_problem(StatusCode::NOT_FOUND, body);
        assert_eq!((p.status, p.code.as_str()), (404, "not_found"));
    }

    #[test]
    fn only_401_is_unauthenticated_and_only_server_side_failures_are_transient() {
        let http = |status: u16| ClientError::Problem {
            method: Method::GET,
            url: "http://s/v1/agent/desired".into(),
            problem: Box::new(parse_problem(StatusCode::from_u16(status).unwrap(), b"{}")),
            body: String::new(),
        };
        assert!(http(401).is_unauthenticated());
        assert!(!http(403).is_unauthenticated());
        for status in [500, 502, 503, 408, 429] {
            assert!(http(status).is_transient(), "{status}");
        }
        for status in [400, 401, 404] {
            assert!(!http(status).is_transient(), "{status}");
        }
        let timeout = ClientError::Timeout {
            method: Method::GET,
            url: "u".into(),
            after: Duration::from_millis(1500),
        };
        assert!(timeout.is_transient() && timeout.status().is_none());
        assert_eq!(timeout.to_string(), "GET u: no answer within 1.5s");
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "1".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(1)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
