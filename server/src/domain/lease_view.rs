//! What a lease looks like to its owner: shape, placement, state, times and, once active, how
//! to use it.

use super::lease::{EndReason, LeaseState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Lease {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub state: LeaseState,
    /// Set once the lease has ended.
    pub end_reason: Option<EndReason>,
    /// The profile request as given (`2g.20gb`, `3g`, `≥20GiB/≥1g`).
    pub request: String,
    /// Slices in this lease (granted all or nothing).
    pub count: i32,
    pub duration_seconds: i64,
    pub idle_timeout_seconds: i64,
    /// Time added by extensions so far.
    pub extended_seconds: i64,
    pub extensions: i32,
    pub labels: BTreeMap<String, String>,
    pub granted_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    /// When the lease ends unless extended or released first.
    pub ends_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub slices: Vec<LeaseSlice>,
}

/// One MIG slice of a lease.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeaseSlice {
    pub id: Uuid,
    pub host_id: Uuid,
    pub host: String,
    pub gpu_id: Uuid,
    /// NVML UUID of the GPU (`GPU-…`).
    pub gpu_uuid: String,
    /// Catalog key of the GPU model.
    pub model: String,
    pub profile: String,
    /// First memory slice of the placement.
    pub start: i32,
    /// Memory slices the placement covers.
    pub size: i32,
    pub compute_slices: i32,
    pub memory_gib: i32,
    /// Once active: the MIG device UUID (`MIG-…`).
    pub mig_device_uuid: Option<String>,
    /// Once active: the value to export as `CUDA_VISIBLE_DEVICES`.
    pub cuda_visible_devices: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
}

/// One entry of a lease's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeaseEvent {
    pub id: i64,
    /// `granted`, `queued`, `released`, `extended`, `revoked`, `ended`, …
    pub kind: String,
    pub from_state: Option<LeaseState>,
    pub to_state: Option<LeaseState>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// `key:<api key id>` or `system`.
    pub actor: String,
    pub at: DateTime<Utc>,
}
