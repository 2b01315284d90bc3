//! Errors on the wire: RFC 9457 problem+json with a stable `code`. The table of codes
//! ([`CODES`]) is the contract clients switch on, and what the OpenAPI document says about
//! errors.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

// The doc comment is the OpenAPI schema's description, so it keeps naming the server's error.
/// What is free right now for one profile on one model: carried by [`Error::NoCapacity`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeCapacity {
    pub model: String,
    pub profile: String,
    /// How many more instances of this profile fit right now.
    pub available: u32,
}

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
        "No bearer token, or one that is malformed, expired, for another audience or issuer, or minted from an API key since revoked; a token of the organisation's sign-in that fails any check or that no sign-in rule maps; on `POST /v1/auth/token`, an unknown or revoked API key. Get a new token.",
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
    (
        "host_in_use",
        409,
        "The host still holds slices: cordon it, release or revoke its leases and let its agent destroy their slices first.",
    ),
    (
        "idempotency_key_in_progress",
        409,
        "Another request with this `Idempotency-Key` is still being decided; retry with the same key (after `Retry-After` seconds) to get its outcome.",
    ),
    ("already_revoked", 409, "The API key is already revoked."),
    (
        "booked_after",
        409,
        "A booking needs the lease's slices in the time an extension asks for; `detail` says until when the lease can be extended.",
    ),
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
        "rate_limited",
        429,
        "The caller's tenant sent more requests than its rate limit allows (per server replica); wait the `Retry-After` seconds and retry.",
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "https://slicebroker.dev/problems/quota_exceeded",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "quota exceeded: the tenant holds 6 compute slices of its 7; this request needs 2 more",
    "code": "quota_exceeded"
})))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    #[cfg_attr(feature = "openapi", schema(value_type = ProblemCode))]
    pub code: String,
    /// The request field the problem is about, for 4xx on input: a top-level body field, query
    /// parameter or header by name (`duration`), a nested body field by JSON pointer
    /// (`/labels/team`), or `body` when the JSON itself is broken.
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
#[cfg(feature = "openapi")]
#[derive(Debug)]
pub struct ProblemCode;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ProblemCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
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

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ProblemCode {}
