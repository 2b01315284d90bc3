//! RFC 9457 problem+json: the single place where [`app::Error`](crate::app::Error) becomes an
//! HTTP status and body. 5xx bodies say nothing internal; the cause is logged instead. The
//! table of stable codes ([`CODES`]) is also what the OpenAPI document says about errors.

use crate::app::Error;
use crate::app::error::FreeCapacity;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// Every stable `code`, the status it comes with, and when. Clients switch on `code`; adding a
/// row is a compatible change, renaming or removing one is not.
pub const CODES: &[(&str, u16, &str)] = &[
    (
        "invalid_input",
        400,
        "A field, query parameter or header is missing, malformed or out of range; `field` names it.",
    ),
    (
        "malformed_body",
        400,
        "The body is not the JSON the endpoint takes: bad syntax, a wrong type, a missing or unknown field, or no `Content-Type: application/json`.",
    ),
    (
        "unauthenticated",
        401,
        "No bearer token, or one that is malformed, expired, or for another audience or issuer; on `POST /v1/auth/token`, an unknown or revoked API key. Get a new token.",
    ),
    (
        "forbidden",
        403,
        "The caller's role does not allow this: admin-only, tenant-admin-only, or a viewer trying to write.",
    ),
    (
        "not_found",
        404,
        "No such object, or one the caller may not see (other tenants' objects are not found, never forbidden); also any unknown route.",
    ),
    (
        "illegal_transition",
        409,
        "The lease's state does not allow this, such as extending or releasing a lease that has ended.",
    ),
    (
        "conflict",
        409,
        "Something with this identity already exists (a tenant name), or a concurrent request with the same `Idempotency-Key` won.",
    ),
    (
        "idempotency_key_reused",
        409,
        "The `Idempotency-Key` was already used for a different request.",
    ),
    ("already_revoked", 409, "The API key is already revoked."),
    (
        "policy_violation",
        422,
        "The tenant's policy forbids this (lease too long, idle timeout above the tenant's, GPU model not allowed, too much extension); `field` names the field.",
    ),
    (
        "quota_exceeded",
        422,
        "Granting would take the tenant past a quota: live leases, compute slices or memory.",
    ),
    (
        "budget_exceeded",
        422,
        "Granting or extending would take the tenant past its monthly budget of slice-hours; `field` names the request field that asks for too much.",
    ),
    (
        "method_not_allowed",
        405,
        "The path exists but not with this method; `Allow` lists the ones it takes.",
    ),
    (
        "payload_too_large",
        413,
        "The request body is larger than the server accepts.",
    ),
    (
        "unsupported_media_type",
        415,
        "The body must be JSON, sent with `Content-Type: application/json`.",
    ),
    (
        "no_capacity",
        503,
        "Nothing fits right now. `free` lists what does fit, `next_free_at` says when a matching slice frees up; retry later or create with `wait: true` to queue.",
    ),
    (
        "unavailable",
        503,
        "A dependency (the database) is unreachable, or placement kept losing races with concurrent grants; retry with backoff.",
    ),
    (
        "internal",
        500,
        "A bug or an unexpected error. It is logged with the request's `x-request-id`; quote that when reporting it.",
    ),
];

/// An error response (RFC 9457). Switch on `code`, which is stable; `detail` is for humans
/// and may change.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "https://slicebroker.dev/problems/quota_exceeded",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "quota exceeded: the tenant holds 6 compute slices of its 7; this request needs 2 more",
    "code": "quota_exceeded"
}))]
pub struct Problem {
    /// A URI naming the problem type: `https://slicebroker.dev/problems/{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase (`Not Found`).
    pub title: String,
    /// The HTTP status, repeated.
    pub status: u16,
    /// What went wrong, for humans.
    pub detail: String,
    #[schema(value_type = ProblemCode)]
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

/// The `code` of a [`Problem`] as the OpenAPI document shows it: a string enum with the table
/// of [`CODES`] as its description.
#[derive(Debug)]
pub struct ProblemCode;

impl utoipa::PartialSchema for ProblemCode {
    fn schema() -> RefOr<Schema> {
        let rows: String = CODES
            .iter()
            .map(|(code, status, when)| format!("| `{code}` | {status} | {when} |\n"))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CODES.iter().map(|(code, ..)| *code)))
            .description(Some(format!(
                "Stable, machine-readable error code.\n\n| code | status | when |\n| --- | --- | --- |\n{rows}"
            )))
            .into()
    }
}

impl utoipa::ToSchema for ProblemCode {}

/// A problem+json response naming the codes it can carry, for the OpenAPI document.
fn problem_response(summary: &str, codes: &[&str]) -> RefOr<utoipa::openapi::Response> {
    let mut description = format!("{summary}: a `Problem` whose `code` is\n");
    for code in codes {
        let (_, _, when) = CODES
            .iter()
            .find(|(c, ..)| c == code)
            .expect("the code is in CODES");
        description.push_str(&format!("\n- `{code}`: {when}"));
    }
    ResponseBuilder::new()
        .description(description)
        .content(
            CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

/// Reusable error responses (`components.responses`), one per set of codes an operation can
/// answer with at one status: `responses((status = 404, response = NotFound))`.
macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident = $summary:literal [$($code:literal),+];)+) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl<'r> utoipa::ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
                (stringify!($name), problem_response($summary, &[$($code),+]))
            }
        }
    )+};
}

problem_responses! {
    /// 400 for a bad body, query or header.
    BadRequest = "The request is invalid" ["invalid_input", "malformed_body"];
    /// 400 for a bad query or header (operations without a body).
    InvalidInput = "The request is invalid" ["invalid_input"];
    /// 401.
    Unauthenticated = "No valid bearer token" ["unauthenticated"];
    /// 403.
    Forbidden = "The caller's role does not allow this" ["forbidden"];
    /// 404.
    NotFound = "Not found, or not visible to the caller" ["not_found"];
    /// 409 on lease state changes.
    IllegalTransition = "The lease's state does not allow this" ["illegal_transition"];
    /// 409 on creating something named.
    Conflict = "It already exists" ["conflict"];
    /// 409 on `POST /v1/leases` with an `Idempotency-Key`.
    IdempotencyConflict = "The Idempotency-Key clashes" ["idempotency_key_reused", "conflict"];
    /// 409 on revoking a key.
    AlreadyRevoked = "Already revoked" ["already_revoked"];
    /// 422 where the tenant's policy applies.
    PolicyViolation = "The tenant's policy forbids this" ["policy_violation"];
    /// 422 on granting.
    PolicyOrQuota = "The tenant's policy, quota or budget forbids this" ["policy_violation", "quota_exceeded", "budget_exceeded"];
    /// 503 when the database is down.
    Unavailable = "Try again later" ["unavailable"];
    /// 503 on granting.
    NoCapacity = "Nothing fits now, or try again later" ["no_capacity", "unavailable"];
    /// 500, which any operation can answer.
    Internal = "An internal error" ["internal"];
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lease::LeaseState;

    fn documented_status(code: &str) -> Option<u16> {
        CODES.iter().find(|(c, ..)| *c == code).map(|(_, s, _)| *s)
    }

    #[test]
    fn every_error_has_a_documented_code_with_its_status() {
        let samples = [
            Error::invalid("count", "must be positive"),
            Error::MalformedBody("expected a JSON object".into()),
            Error::Unauthenticated("the token has expired"),
            Error::Forbidden("this needs the admin role".into()),
            Error::not_found("lease", uuid::Uuid::nil()),
            Error::IllegalTransition {
                lease: uuid::Uuid::nil(),
                from: LeaseState::Ended,
                to: LeaseState::Releasing,
            },
            Error::Conflict {
                code: "conflict",
                detail: "exists".into(),
            },
            Error::policy("duration", "too long"),
            Error::QuotaExceeded("live leases".into()),
            Error::NoCapacity {
                detail: "nothing fits".into(),
                free: Vec::new(),
                next_free_at: None,
            },
            Error::Unavailable("the database is unreachable".into()),
            Error::Internal("bug".into()),
            Error::BudgetExceeded {
                field: "duration",
                detail: "over budget".into(),
            },
            Error::PayloadTooLarge,
            Error::UnsupportedMediaType,
            Error::MethodNotAllowed,
        ];
        for e in samples {
            // No wildcard: a new variant fails to compile here until it has a sample above.
            match &e {
                Error::Invalid(_)
                | Error::MalformedBody(_)
                | Error::Unauthenticated(_)
                | Error::Forbidden(_)
                | Error::NotFound { .. }
                | Error::IllegalTransition { .. }
                | Error::Conflict { .. }
                | Error::Policy { .. }
                | Error::QuotaExceeded(_)
                | Error::NoCapacity { .. }
                | Error::Unavailable(_)
                | Error::Internal(_)
                | Error::BudgetExceeded { .. }
                | Error::PayloadTooLarge
                | Error::UnsupportedMediaType
                | Error::MethodNotAllowed => {}
            }
            assert_eq!(
                documented_status(e.code()),
                Some(status_of(&e).as_u16()),
                "`{}` is missing from CODES or listed with another status",
                e.code()
            );
        }
    }

    /// `Error::Conflict` carries its code as a string; every one the use cases write is listed.
    #[test]
    fn every_conflict_code_in_the_use_cases_is_documented() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/app");
        let mut seen = 0;
        let mut dirs = vec![std::path::PathBuf::from(dir)];
        let mut files = Vec::new();
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for (_, rest) in text
                .match_indices("code: \"")
                .map(|(i, m)| text.split_at(i + m.len()))
            {
                let code = &rest[..rest.find('"').unwrap()];
                assert_eq!(
                    documented_status(code),
                    Some(409),
                    "{}: conflict code `{code}` is not in CODES as a 409",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen > 0, "found no `code: \"…\"` in {dir}");
    }

    #[test]
    fn codes_are_unique_snake_case() {
        for (i, (code, ..)) in CODES.iter().enumerate() {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!(!CODES[..i].iter().any(|(c, ..)| c == code), "{code} twice");
        }
    }
}
