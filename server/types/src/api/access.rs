//! Access on the wire: API keys and the tokens they are exchanged for, and the enrollment
//! tokens that admit agents.

use super::{DurationInput, Role};
use crate::ids::{ApiKeyId, HostId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An API key to exchange for a token.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// The key's secret (`sbk_…`), as shown once when the key was created.
    pub api_key: String,
}

/// A token and its lifetime, as `POST /v1/auth/token` returns it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IssuedToken {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Request to create a key.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyCreate {
    /// What the key is for (`ci`, `alice's laptop`).
    pub name: String,
    /// `tenant-admin`, `member` or `viewer`.
    pub role: Role,
}

/// A new key: the only time `secret` is ever shown.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    pub key: ApiKeySummary,
    /// The key itself. Store it now: it cannot be shown again.
    pub secret: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiKeySummary {
    pub id: ApiKeyId,
    pub tenant_id: Option<TenantId>,
    pub role: Role,
    pub name: String,
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Request for an enrollment token.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentCreate {
    /// A note for admins (`rack 12, node 3`), up to 200 characters.
    #[serde(default)]
    pub note: String,
    /// How long the token may be used: `"24h"`, `"PT1H"` or seconds (default 24h, at most 30d).
    pub ttl: Option<DurationInput>,
}

/// A new enrollment token: the secret is shown only here.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IssuedEnrollment {
    pub id: Uuid,
    /// Give this to the agent once (`--enrollment-token` or `SLICEBROKER_AGENT_ENROLLMENT_TOKEN`).
    pub token: String,
    pub note: String,
    pub expires_at: DateTime<Utc>,
}

/// An enrollment token as admins see it (never the secret).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnrollmentToken {
    pub id: Uuid,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub note: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// The host that enrolled with it.
    pub used_by_host: Option<HostId>,
    pub created_at: DateTime<Utc>,
}
