//! RFC 9457 problem+json: the single place where [`app::Error`](crate::app::Error) becomes an
//! HTTP status and body. 5xx bodies say nothing internal; the cause is logged instead.

use crate::app::Error;
use crate::app::error::FreeCapacity;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An error response (RFC 9457). `code` is stable; `detail` is for humans.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `https://slicebroker.dev/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code: `invalid_input`, `malformed_body`, `unauthenticated`,
    /// `forbidden`, `not_found`, `illegal_transition`, `conflict`, `idempotency_key_reused`,
    /// `policy_violation`, `quota_exceeded`, `budget_exceeded`, `payload_too_large`,
    /// `unsupported_media_type`, `method_not_allowed`, `no_capacity`, `unavailable`, `internal`.
    pub code: String,
    /// The request field the problem is about (`duration`, `labels.team`), for 4xx on input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `no_capacity`: what is free now, per model and profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free: Option<Vec<FreeCapacity>>,
    /// With `no_capacity`: when the next live slice that could make room ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_free_at: Option<DateTime<Utc>>,
}

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Invalid(_) | Error::MalformedBody(_) => StatusCode::BAD_REQUEST,
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::IllegalTransition { .. } | Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::Policy { .. } | Error::QuotaExceeded(_) | Error::BudgetExceeded { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Error::NoCapacity { .. } | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl Problem {
    pub fn from_error(e: Error) -> (StatusCode, Self) {
        let status = status_of(&e);
        let code = e.code().to_owned();
        let title = status.canonical_reason().unwrap_or("Error").to_owned();
        let field = match &e {
            Error::Invalid(i) => Some(i.field.clone()),
            Error::Policy { field, .. } => Some(field.clone()),
            Error::BudgetExceeded { field, .. } => Some((*field).to_owned()),
            Error::MalformedBody(_) | Error::PayloadTooLarge => Some("body".to_owned()),
            Error::UnsupportedMediaType => Some("Content-Type".to_owned()),
            _ => None,
        };
        let detail = match &e {
            Error::Internal(_) => "an internal error occurred; it has been logged".to_owned(),
            other => other.to_string(),
        };
        let (free, next_free_at) = match e {
            Error::NoCapacity {
                free, next_free_at, ..
            } => (Some(free), next_free_at),
            _ => (None, None),
        };
        let problem = Problem {
            kind: format!("https://slicebroker.dev/problems/{code}"),
            title,
            status: status.as_u16(),
            detail,
            code,
            field,
            free,
            next_free_at,
        };
        (status, problem)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if matches!(self, Error::Internal(_) | Error::Unavailable(_)) {
            tracing::error!(error = %self, code = self.code(), "request failed");
        }
        let (status, problem) = Problem::from_error(self);
        let mut response = (status, Json(problem)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Turns the bare error responses that middleware and routing produce (405 from method
/// routing, 413 from the body limit, 503 from the timeout) into problem+json like every other
/// error, keeping their status (and `Allow` on a 405).
pub async fn bare_errors_as_problems<B>(response: Response<B>) -> Response
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == CONTENT_TYPE.as_bytes());
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response.map(axum::body::Body::new);
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType,
        StatusCode::SERVICE_UNAVAILABLE => Error::Unavailable("the request took too long".into()),
        _ => return response.map(axum::body::Body::new),
    };
    let mut problem = error.into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        problem.headers_mut().insert(header::ALLOW, allow.clone());
    }
    problem
}
