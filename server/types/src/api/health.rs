//! GPU health on the wire (issue 18, "Instance health"): a GPU's latest readings and recent
//! XIDs as the server recorded them from its agent's reports, shown on the GPU view
//! (`GET /v1/gpus`) and, for the GPUs a lease's slices are on, on the lease
//! (`GET /v1/leases/{id}`).

use crate::health::{EccCounts, ThrottleReason};
use crate::ids::{GpuId, LeaseId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most XIDs a GPU's `health` lists (the newest); the server keeps 100 per GPU.
pub const MAX_XIDS_SHOWN: usize = 10;

/// A GPU's latest health readings and its recent XIDs. A reading its board does not measure
/// is `null` ("not measured", never zero).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuHealthRecord {
    /// When its agent last reported these readings (refreshed at least once a minute while
    /// they stay the same).
    pub reported_at: DateTime<Utc>,
    /// Degrees Celsius.
    pub temperature_c: Option<u32>,
    /// Milliwatts.
    pub power_mw: Option<u32>,
    /// ECC error counts; `null` where ECC is off or unsupported.
    pub ecc: Option<EccCounts>,
    /// Why the clocks are held down; `null` where not measured, empty when they run free.
    pub throttle_reasons: Option<Vec<ThrottleReason>>,
    /// Recent XID errors, newest first, at most 10. On a lease: only those that hit its
    /// instances.
    pub xids: Vec<XidRecord>,
    /// XIDs its agent saw but left out of its reports (more than 64 between two reports),
    /// summed over time.
    pub xids_dropped: u64,
}

/// One XID error its agent reported.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct XidRecord {
    /// NVIDIA's XID number (docs.nvidia.com/deploy/xid-errors).
    pub xid: u64,
    /// One of the XIDs after which the instance it hit cannot be trusted (48, 63, 64, 74, 79,
    /// 92, 94, 95, 119, 120); the leases it hit got an `instance_error` event.
    pub fatal: bool,
    /// The GPU instance NVML said it hit; `null`: the whole GPU.
    pub gpu_instance_id: Option<u32>,
    pub compute_instance_id: Option<u32>,
    /// The leases whose instances it hit: those of the caller's tenant (admins: all).
    pub lease_ids: Vec<LeaseId>,
    /// When the server recorded it (the report that carried it).
    pub seen_at: DateTime<Utc>,
}

/// The health of the GPUs a lease's slices are on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseHealth {
    /// Each GPU its slices are on that reported its health.
    pub gpus: Vec<LeaseGpuHealth>,
}

/// The health of one GPU a lease's slices are on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseGpuHealth {
    pub gpu_id: GpuId,
    /// NVML UUID of the GPU (`GPU-…`).
    pub gpu_uuid: String,
    /// Its readings, with `xids` limited to those that hit the lease's instances.
    pub health: GpuHealthRecord,
}
