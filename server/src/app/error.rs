//! The one error type of the use cases. Transport-agnostic: `http::problem` maps it to
//! RFC 9457 problem+json, the only place that knows about status codes.

use crate::domain::admission::Refusal;
use crate::domain::validate::Invalid;
use chrono::{DateTime, Utc};
use slicebroker_types::LeaseId;
use slicebroker_types::api::LeaseState;

/// The cause of an internal error, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

pub use slicebroker_types::api::FreeCapacity;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field is missing, malformed or out of range.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// The request body is not the JSON the endpoint takes; `field` names where (`body` when
    /// the JSON itself is broken).
    #[error("{field}: {detail}")]
    MalformedBody { field: String, detail: String },
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    #[error("lease {lease} is {from}; it cannot become {to}")]
    IllegalTransition {
        lease: LeaseId,
        from: LeaseState,
        to: LeaseState,
    },
    /// Something with this identity already exists, or a retried request differs.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// The tenant's policy forbids this (duration, model, extension), naming the field.
    #[error("{field}: {reason}")]
    Policy { field: String, reason: String },
    #[error("quota exceeded: {0}")]
    QuotaExceeded(String),
    /// The grant or extension would take the tenant past its monthly budget; `field` is the
    /// request field whose value asks for too much.
    #[error("monthly budget exceeded: {detail}")]
    BudgetExceeded { field: &'static str, detail: String },
    /// The request body is longer than the server accepts.
    #[error("the request body is larger than the server accepts")]
    PayloadTooLarge,
    #[error("expected `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("this method is not allowed on this path")]
    MethodNotAllowed,
    #[error("{detail}")]
    NoCapacity {
        detail: String,
        free: Vec<FreeCapacity>,
        next_free_at: Option<DateTime<Utc>>,
    },
    /// The caller's tenant made more requests than its rate limit allows; retry after this
    /// many seconds.
    #[error("too many requests from this tenant; retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// A dependency (the database) is down; retrying later may work.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected database error; logged with its cause chain, never shown.
    #[error("internal error: {context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Cause>,
    },
}

impl Error {
    /// A bug: something that cannot happen did.
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An unexpected failure of something the server relies on, with its cause.
    pub fn internal_from(context: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// The error and its causes, outermost first, for the log.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }

    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid(Invalid::new(field, reason))
    }

    pub fn malformed(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::MalformedBody {
            field: field.into(),
            detail: detail.into(),
        }
    }

    pub fn not_found(kind: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    pub fn policy(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Policy {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The stable machine-readable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_input",
            Self::MalformedBody { .. } => "malformed_body",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::IllegalTransition { .. } => "illegal_transition",
            Self::Conflict { code, .. } => code,
            Self::Policy { .. } => "policy_violation",
            Self::QuotaExceeded(_) => "quota_exceeded",
            Self::BudgetExceeded { .. } => "budget_exceeded",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::NoCapacity { .. } => "no_capacity",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Internal { .. } => "internal",
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Policy { field, reason } => Self::policy(field, reason),
            Refusal::Quota(detail) => Self::QuotaExceeded(detail),
            Refusal::Budget { field, detail } => Self::BudgetExceeded { field, detail },
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable("the database is unreachable".into())
            }
            // The database is shutting down or restarting (SQLSTATE class 57, operator
            // intervention, e.g. 57P01 admin_shutdown) or the connection broke (class 08):
            // retrying later works, so it is a 503, not a bug.
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|c| c.starts_with("57") || c.starts_with("08")) =>
            {
                Self::Unavailable("the database is restarting or unreachable".into())
            }
            _ => Self::internal_from(crate::store::describe(&e), e),
        }
    }
}
