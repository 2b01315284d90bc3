//! Webhooks (`/v1/tenants/{id}/webhooks`, `/v1/webhooks`): who is told about which lease
//! events, and the history of what was delivered. docs/webhooks.md describes the payload,
//! the signature and the retries.

use crate::{DeliveryId, LeaseId, TenantId, WebhookId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The events a webhook may ask for. Most are a lease event kind as its history records it;
/// two are not: a grant out of the pending queue is `queued_granted` (a direct grant stays
/// `granted`), and every event that ends a lease (the slices gone, a lost host, a pending or
/// booked lease cancelled) is `ended`, the reason in the lease's `end_reason`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    Granted,
    Queued,
    QueuedGranted,
    Activated,
    Extended,
    Released,
    Revoked,
    Expiring,
    Expired,
    IdleWarning,
    ReclaimedIdle,
    Failed,
    Ended,
    TeardownError,
    Booked,
    Starting,
    Rebooked,
    AtRisk,
    /// A fatal XID hit one of the lease's GPU instances; the lease keeps running.
    InstanceError,
}

impl WebhookKind {
    pub const ALL: [WebhookKind; 19] = [
        Self::Granted,
        Self::Queued,
        Self::QueuedGranted,
        Self::Activated,
        Self::Extended,
        Self::Released,
        Self::Revoked,
        Self::Expiring,
        Self::Expired,
        Self::IdleWarning,
        Self::ReclaimedIdle,
        Self::Failed,
        Self::Ended,
        Self::TeardownError,
        Self::Booked,
        Self::Starting,
        Self::Rebooked,
        Self::AtRisk,
        Self::InstanceError,
    ];

    /// The name on the wire and in the database (`webhook_kind()` in migrations/0014).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Queued => "queued",
            Self::QueuedGranted => "queued_granted",
            Self::Activated => "activated",
            Self::Extended => "extended",
            Self::Released => "released",
            Self::Revoked => "revoked",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::IdleWarning => "idle_warning",
            Self::ReclaimedIdle => "reclaimed_idle",
            Self::Failed => "failed",
            Self::Ended => "ended",
            Self::TeardownError => "teardown_error",
            Self::Booked => "booked",
            Self::Starting => "starting",
            Self::Rebooked => "rebooked",
            Self::AtRisk => "at_risk",
            Self::InstanceError => "instance_error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for WebhookKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a delivery's body looks like.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// `{delivery_id, kind, event, lease, tenant}` (docs/webhooks.md).
    #[default]
    Json,
    /// A Slack incoming-webhook body: `{"text": "<one readable line with a link to the lease>"}`.
    Slack,
}

impl WebhookFormat {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Slack => "slack",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Json, Self::Slack]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// Request to register a webhook.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookCreate {
    /// An `http` or `https` URL of at most 2048 characters whose host resolves to public
    /// addresses only (unless the server allows private targets).
    pub url: String,
    /// The kinds wanted: 1 to 32, no repeats.
    pub kinds: Vec<WebhookKind>,
    #[serde(default)]
    pub format: WebhookFormat,
    /// Default `true`.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A change to a webhook: every field is optional (but not `null`); those given replace the
/// current value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub url: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<WebhookKind>))]
    pub kinds: Option<Vec<WebhookKind>>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = WebhookFormat))]
    pub format: Option<WebhookFormat>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = bool))]
    pub enabled: Option<bool>,
}

/// A webhook (never its secret).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    /// `null`: fleet-wide, told about every tenant's leases.
    pub tenant_id: Option<TenantId>,
    pub url: String,
    pub kinds: Vec<WebhookKind>,
    pub format: WebhookFormat,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new (or newly rotated) webhook: the only time `secret` is shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookCreated {
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of `X-Slicebroker-Signature`. Store it now: it cannot be shown again.
    pub secret: String,
}

/// Where a delivery stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "webhook_delivery_state", rename_all = "snake_case")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet answered with a 2xx; retried with backoff.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// No 2xx within the retry time; `redeliver` tries again.
    Failed,
}

/// One try at a delivery.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookAttempt {
    /// The receiver's HTTP status; `null` when none came (timeout, refused target, no connection).
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

/// One event's delivery to one webhook, with its attempts (newest deliveries first).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    pub lease_id: LeaseId,
    pub event_id: i64,
    pub kind: WebhookKind,
    pub state: DeliveryState,
    pub attempts: i32,
    /// When the next attempt is due while `pending`; null once `delivered` or `failed`. A
    /// lease's deliveries to a webhook go in order: while `waiting_for` names an earlier one,
    /// this one is sent only after it is done.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// While `pending`: the earlier delivery of the same lease to this webhook that must be
    /// done (delivered or failed) first, if any; its webhook being disabled holds both.
    pub waiting_for: Option<DeliveryId>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Oldest first; at most the last 20.
    pub history: Vec<WebhookAttempt>,
}
