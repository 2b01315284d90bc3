//! The audit log on the wire: who changed what, with the object's image before and after.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One audited change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    /// `key:<api key id>`, or `cli` for the server's own command line.
    pub actor: String,
    /// `tenant.create`, `tenant.update`, `api_key.create`, `api_key.revoke`, `cordon`, …
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    /// The object before the change; `null` when it did not exist.
    pub before: Option<serde_json::Value>,
    /// The object after the change; `null` when it no longer exists.
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

/// A page of the whole audit log, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    /// Pass as `cursor` for the next (older) page; `null` on the last page.
    pub next_cursor: Option<i64>,
}

/// The kinds of object the audit log records changes to (`AuditRecord.target_kind`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditTargetKind {
    /// An API key: created, revoked. Its id is the key's id.
    ApiKey,
    /// A slice class: defined, changed, removed. Its id is the class's name.
    Class,
    /// An agent enrollment token: created. Its id is the token's id.
    EnrollmentToken,
    /// A GPU: cordoned, uncordoned. Its id is the GPU's id.
    Gpu,
    /// A host: cordoned, uncordoned, removed. Its id is the host's id.
    Host,
    /// The cost-rate card: replaced. Its id is `fleet`.
    Rates,
    /// A tenant: created, its name or policy changed.
    Tenant,
    /// A webhook, a tenant's or fleet-wide: created, changed, secret rotated, deleted.
    Webhook,
    /// A webhook delivery: redelivered.
    WebhookDelivery,
}

impl AuditTargetKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Class => "class",
            Self::EnrollmentToken => "enrollment_token",
            Self::Gpu => "gpu",
            Self::Host => "host",
            Self::Rates => "rates",
            Self::Tenant => "tenant",
            Self::Webhook => "webhook",
            Self::WebhookDelivery => "webhook_delivery",
        }
    }
}
