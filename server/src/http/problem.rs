//! RFC 9457 problem+json: the single place where [`app::Error`](crate::app::Error) becomes an
//! HTTP status and body. 5xx bodies say nothing internal; the cause is logged instead. The
//! table of stable codes ([`CODES`]) is also what the OpenAPI document says about errors.

use crate::app::Error;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

pub const CONTENT_TYPE: &str = "application/problem+json";

pub use slicebroker_types::api::{CODES, Problem, ProblemCode};

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
    let mut response = ResponseBuilder::new().description(description);
    if codes.contains(&"rate_limited") {
        let seconds = utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1));
        response = response.header(
            "Retry-After",
            utoipa::openapi::HeaderBuilder::new()
                .schema(Some(seconds))
                .description(Some(
                    "Seconds to wait before the tenant's next request is accepted.",
                ))
                .build(),
        );
    }
    response
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
    IdempotencyConflict = "The Idempotency-Key clashes" ["idempotency_key_reused", "idempotency_key_in_progress", "conflict"];
    /// 409 on removing a host that still holds slices.
    HostInUse = "The host still holds slices" ["host_in_use"];
    /// 409 on extending a lease.
    ExtendConflict = "The lease's state, or a booking of its slices, does not allow this" ["illegal_transition", "booked_after"];
    /// 409 on revoking a key.
    AlreadyRevoked = "Already revoked" ["already_revoked"];
    /// 409 on revoking an admin key: already revoked, or the last one.
    RevokeConflict = "Already revoked, or the last admin key" ["already_revoked", "conflict"];
    /// 422 where the tenant's policy applies.
    PolicyViolation = "The tenant's policy forbids this" ["policy_violation"];
    /// 422 on granting.
    PolicyOrQuota = "The tenant's policy, quota or budget forbids this" ["policy_violation", "quota_exceeded", "budget_exceeded"];
    /// 429, which any operation taking a user's token can answer.
    RateLimited = "Too many requests from the caller's tenant; retry after `Retry-After` seconds" ["rate_limited"];
    /// 503 when the database is down.
    Unavailable = "Try again later" ["unavailable"];
    /// 503 on granting.
    NoCapacity = "Nothing fits now, or try again later" ["no_capacity", "unavailable"];
    /// 500, which any operation can answer.
    Internal = "An internal error" ["internal"];
}

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Invalid(_) | Error::MalformedBody { .. } => StatusCode::BAD_REQUEST,
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
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::NoCapacity { .. } | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status and problem+json body of an error.
pub fn from_error(e: Error) -> (StatusCode, Problem) {
    let status = status_of(&e);
    let code = e.code().to_owned();
    let title = status.canonical_reason().unwrap_or("Error").to_owned();
    let field = match &e {
        Error::Invalid(i) => Some(i.field.clone()),
        Error::Policy { field, .. } => Some(field.clone()),
        Error::BudgetExceeded { field, .. } => Some((*field).to_owned()),
        Error::MalformedBody { field, .. } => Some(field.clone()),
        Error::PayloadTooLarge => Some("body".to_owned()),
        Error::UnsupportedMediaType => Some("Content-Type".to_owned()),
        _ => None,
    };
    let detail = match &e {
        Error::Internal { .. } => "an internal error occurred; it has been logged".to_owned(),
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

/// What a problem response was made from, for [`log_problems`]: the error's code and its full
/// text (for 5xx, the cause that the body does not show).
#[derive(Clone, Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            Error::RateLimited { retry_after_secs } => Some(HeaderValue::from(*retry_after_secs)),
            _ => None,
        };
        let failure = Failure {
            code: self.code(),
            message: self.chain(),
        };
        let (status, problem) = from_error(self);
        let mut response = (status, Json(problem)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if failure.code == "idempotency_key_in_progress" {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let Some(v) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response.extensions_mut().insert(failure);
        response
    }
}

/// Logs each problem answered, at a level that matches what it means for whoever runs the
/// server: a bug (500) at ERROR with its cause, a dependency down (503 `unavailable`) at WARN,
/// a full fleet (503 `no_capacity`) at INFO, and a client's mistake or refusal (4xx) at DEBUG.
/// Logging happens here, once, inside the request's span, never in the error conversions.
pub async fn log_problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(req).await;
    if let Some(f) = response.extensions().get::<Failure>() {
        let status = response.status().as_u16();
        match (status, f.code) {
            (500.., "no_capacity") => {
                tracing::info!(status, code = f.code, detail = %f.message, "no capacity");
            }
            (500.., "unavailable") => {
                tracing::warn!(status, code = f.code, error = %f.message, "request failed");
            }
            (500.., _) => {
                tracing::error!(status, code = f.code, error = %f.message, "request failed")
            }
            _ => tracing::debug!(status, code = f.code, detail = %f.message, "request refused"),
        }
    }
    response
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
    use slicebroker_types::LeaseId;
    use slicebroker_types::api::LeaseState;

    fn documented_status(code: &str) -> Option<u16> {
        CODES.iter().find(|(c, ..)| *c == code).map(|(_, s, _)| *s)
    }

    #[test]
    fn every_error_has_a_documented_code_with_its_status() {
        let samples = [
            Error::invalid("count", "must be positive"),
            Error::malformed("body", "expected a JSON object"),
            Error::Unauthenticated("the token has expired"),
            Error::Forbidden("this needs the admin role".into()),
            Error::not_found("lease", uuid::Uuid::nil()),
            Error::IllegalTransition {
                lease: LeaseId::default(),
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
            Error::internal("bug"),
            Error::BudgetExceeded {
                field: "duration",
                detail: "over budget".into(),
            },
            Error::PayloadTooLarge,
            Error::UnsupportedMediaType,
            Error::MethodNotAllowed,
            Error::RateLimited {
                retry_after_secs: 1,
            },
        ];
        for e in samples {
            // No wildcard: a new variant fails to compile here until it has a sample above.
            match &e {
                Error::Invalid(_)
                | Error::MalformedBody { .. }
                | Error::Unauthenticated(_)
                | Error::Forbidden(_)
                | Error::NotFound { .. }
                | Error::IllegalTransition { .. }
                | Error::Conflict { .. }
                | Error::Policy { .. }
                | Error::QuotaExceeded(_)
                | Error::NoCapacity { .. }
                | Error::Unavailable(_)
                | Error::Internal { .. }
                | Error::BudgetExceeded { .. }
                | Error::PayloadTooLarge
                | Error::UnsupportedMediaType
                | Error::MethodNotAllowed
                | Error::RateLimited { .. } => {}
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

    /// Log lines captured from one request through [`log_problems`].
    fn logged(error: fn() -> Error) -> String {
        use std::io::Write;
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let out = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || buf.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .finish();
        let router = axum::Router::new()
            .fallback(move || async move { error() })
            .layer(axum::middleware::from_fn(log_problems));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        tracing::subscriber::with_default(subscriber, || {
            rt.block_on(async {
                use tower::Service;
                let mut router = router;
                let req = axum::http::Request::new(axum::body::Body::empty());
                router.call(req).await.unwrap();
            })
        });
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_full_fleet_is_not_logged_as_an_error_but_a_bug_is() {
        let full = logged(|| Error::NoCapacity {
            detail: "nothing fits".into(),
            free: Vec::new(),
            next_free_at: None,
        });
        assert!(full.contains(" INFO ") && !full.contains("ERROR"), "{full}");
        let down = logged(|| Error::Unavailable("the database is unreachable".into()));
        assert!(down.contains(" WARN ") && !down.contains("ERROR"), "{down}");
        let refused = logged(|| Error::QuotaExceeded("live leases".into()));
        assert!(
            refused.contains("DEBUG") && !refused.contains("ERROR"),
            "{refused}"
        );
        let bug = logged(|| Error::internal("the cause, for the log only"));
        assert!(
            bug.contains("ERROR") && bug.contains("the cause, for the log only"),
            "{bug}"
        );
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
