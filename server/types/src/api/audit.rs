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
