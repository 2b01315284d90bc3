//! Tenants and their policy on the wire: the limits the granting transaction enforces, and the
//! requests that create and change a tenant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant's quotas and lease limits. `null` limits are unlimited.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantPolicy {
    /// Most compute slices the tenant's live leases may hold together.
    pub max_live_compute_slices: Option<i32>,
    /// Most GiB (by profile name) the tenant's live leases may hold together.
    pub max_live_memory_gib: Option<i32>,
    /// Most live leases at once.
    pub max_live_leases: Option<i32>,
    /// Longest lease, in seconds.
    pub max_lease_seconds: i64,
    /// Most time all extensions of one lease may add, in seconds.
    pub max_total_extension_seconds: i64,
    /// Idle timeout of leases that do not ask for one, in seconds.
    pub default_idle_timeout_seconds: i64,
    /// Catalog keys the tenant may use; empty means every model.
    pub allowed_gpu_models: Vec<String>,
    /// Most compute-slice-hours the tenant's leases may commit in one UTC calendar month
    /// (see `domain::budget`); grants and extensions past it are refused.
    pub monthly_budget_slice_hours: Option<i64>,
}

impl Default for TenantPolicy {
    fn default() -> Self {
        Self {
            max_live_compute_slices: None,
            max_live_memory_gib: None,
            max_live_leases: None,
            max_lease_seconds: 7 * 86_400,
            max_total_extension_seconds: 7 * 86_400,
            default_idle_timeout_seconds: 2 * 3600,
            allowed_gpu_models: Vec::new(),
            monthly_budget_slice_hours: None,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Uuid,
    /// Unique, lower-case, DNS-label style.
    pub name: String,
    pub display_name: String,
    pub policy: TenantPolicy,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantCreate {
    /// Unique, lower-case, DNS-label style (`ml-vision`).
    pub name: String,
    /// Defaults to `name`.
    pub display_name: Option<String>,
    /// Defaults apply to fields left out.
    #[serde(default)]
    pub policy: Option<TenantPolicy>,
}

/// Replaces the display name and/or the whole policy.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    pub display_name: Option<String>,
    pub policy: Option<TenantPolicy>,
}
