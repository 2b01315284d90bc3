//! An answer as it came: status, headers and the whole body, with what it says as JSON or, for
//! an error status, as the API's problem.

use crate::error::{ClientError, parse_problem, retry_after};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use hyper::{Method, StatusCode};
use serde::de::DeserializeOwned;
use slicebroker_types::api::Problem;
use std::borrow::Cow;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    method: Method,
    url: String,
}

impl Response {
    pub(crate) fn new(
        method: Method,
        url: String,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        Self {
            status,
            headers,
            body,
            method,
            url,
        }
    }

    /// The URL the request went to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `Content-Type`, or `""`.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The problem of an error answer; `None` for a success.
    pub fn problem(&self) -> Option<Problem> {
        (!self.status.is_success()).then(|| parse_problem(self.status, &self.body))
    }

    /// The server's `Retry-After`, in seconds.
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    /// Itself if the status is a success, else [`ClientError::Problem`].
    pub fn error_for_status(self) -> Result<Self, ClientError> {
        match self.problem() {
            None => Ok(self),
            Some(problem) => Err(ClientError::Problem {
                body: self.text().into_owned(),
                method: self.method,
                url: self.url,
                problem: Box::new(problem),
            }),
        }
    }

    /// The body as `T`, for a success; an error status is [`ClientError::Problem`].
    pub fn json<T: DeserializeOwned>(self) -> Result<T, ClientError> {
        let ok = self.error_for_status()?;
        serde_json::from_slice(&ok.body).map_err(|source| ClientError::Decode {
            method: ok.method,
            url: ok.url,
            source,
        })
    }
}
