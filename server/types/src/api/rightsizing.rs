//! Right-sizing on the wire: what one lease really used, and the report that compares what
//! leases used with the profiles they held (`GET /v1/usage/rightsizing`).

use crate::ids::TenantId;
use serde::{Deserialize, Serialize};

/// What a lease really used, exact over its active interval (from activation until it ended,
/// or now; each slice until its release if that came first), from its agent's reports.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaseUsage {
    /// The most memory its agent reported in use on any of its slices (MiB); `null` until a
    /// report carried a memory figure.
    pub peak_memory_mib: Option<i64>,
    /// Its profile's nominal memory (the figure in the name, GiB × 1024).
    pub profile_memory_mib: Option<i64>,
    /// Seconds its slices were held while active, summed over its slices.
    pub held_seconds: f64,
    /// Of `held_seconds`, those its agent reported the slices idle (no compute process and,
    /// where measured, no activity).
    pub idle_held_seconds: f64,
    /// `idle_held_seconds` in hours (idle-held slice-hours).
    pub idle_held_hours: f64,
    /// Share of `held_seconds` not idle (0–1); `null` before it was active.
    pub busy_share: Option<f64>,
    /// Share of `held_seconds` idle (0–1); `null` before it was active.
    pub idle_share: Option<f64>,
}

/// One group of the right-sizing report: a tenant's leases of one GPU model and profile,
/// from one slice class (or none) that ended in the period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RightsizingRow {
    pub tenant_id: TenantId,
    pub tenant: String,
    /// The slice class the leases came from; `null` for leases made from a raw profile.
    pub class: Option<String>,
    pub model: String,
    pub profile: String,
    /// The profile's nominal memory (MiB).
    pub profile_memory_mib: i64,
    pub leases: i64,
    /// Of `leases`, those whose agent reported a memory figure.
    pub leases_with_memory: i64,
    /// Median of the leases' peak memory (MiB); `null` if none reported one.
    pub median_peak_memory_mib: Option<f64>,
    /// Highest of the leases' peak memory (MiB).
    pub peak_memory_mib: Option<i64>,
    /// Busy share over all the leases' held time (0–1); `null` if none was active.
    pub busy_share: Option<f64>,
    /// Slice-hours held while active, summed.
    pub slice_hours: f64,
    /// Of `slice_hours`, those held idle.
    pub idle_held_slice_hours: f64,
    /// A smaller profile, only where the evidence is strong; see `recommendation_note` when
    /// there is none.
    pub recommendation: Option<Recommendation>,
    /// Why there is no recommendation (too few leases: how many were needed; no smaller
    /// profile fits).
    pub recommendation_note: Option<String>,
}

/// A smaller profile that would have served most of a group's leases.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The smallest profile of the same GPU model whose memory covers the served leases'
    /// peaks with headroom.
    pub profile: String,
    pub profile_memory_mib: i64,
    /// Leases it would have served (peak memory with headroom within its memory, busy under
    /// the busy threshold).
    pub served: i64,
    pub leases: i64,
    /// Compute-slice-hours the served leases would have left free: their slice-hours × the
    /// difference in compute slices.
    pub freed_compute_slice_hours: f64,
    /// The recommendation as a sentence.
    pub text: String,
}
