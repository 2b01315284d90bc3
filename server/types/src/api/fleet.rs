//! The fleet on the wire: GPUs and what holds their memory slices, hosts, free capacity, and
//! usage.

use crate::agent::GpuProcess;
use crate::ids::{GpuId, HostId, LeaseId, TenantId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A GPU and what holds its memory slices.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Gpu {
    pub id: GpuId,
    pub host_id: HostId,
    pub host: String,
    pub uuid: String,
    pub device_index: i32,
    pub model: String,
    /// Width of the placement grid.
    pub memory_slices: u8,
    /// False if the GPU or its host is cordoned.
    pub schedulable: bool,
    /// Whether new slices may be placed on it now: schedulable, MIG on, its profile table as
    /// the catalog says, and its host's agent reporting.
    pub placeable: bool,
    /// Since when its host's agent has been silent past `host_unreachable_after`; `null` while
    /// it reports.
    pub host_unreachable_since: Option<chrono::DateTime<chrono::Utc>>,
    /// One character per memory slice: `.` free, `#` taken now.
    pub layout: String,
    /// What holds its memory slices now: slices whose window has begun, and instances made by
    /// hand. Bookings not yet started are not here (`GET /v1/capacity/calendar` counts them).
    pub slices: Vec<GpuSlice>,
    /// Its latest health readings and recent XIDs; `null` until its agent reported them.
    #[serde(default)]
    pub health: Option<super::GpuHealthRecord>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GpuSlice {
    pub profile: String,
    pub start: i32,
    pub size: i32,
    /// The lease holding it: shown for the caller's own leases and to admins.
    pub lease_id: Option<LeaseId>,
    /// Shown to admins only.
    pub tenant_id: Option<TenantId>,
    /// An instance the broker did not make (by hand): never placed on, never destroyed.
    pub unmanaged: bool,
    /// The compute processes on it, as its agent last reported them (none: idle, unless
    /// `last_active_at` is recent). Shown where `lease_id` is (and for unmanaged instances, to
    /// admins); `null` otherwise.
    pub processes: Option<Vec<GpuProcess>>,
    /// Device memory in use (MiB), as last reported; shown with `processes`.
    pub memory_used_mib: Option<i64>,
    /// When its agent last saw it busy (processes, or activity where the GPU measures it);
    /// shown with `processes`.
    pub last_active_at: Option<DateTime<Utc>>,
}

/// How many more of one profile fit right now on one model.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Capacity {
    pub model: String,
    pub profile: String,
    pub compute_slices: u8,
    pub memory_gib: u32,
    /// Instances that could be created now, each GPU counted on its own.
    pub available: u32,
}

/// When one profile can be booked on one GPU model: a timeline of intervals, each with how
/// many instances fit throughout it (each GPU counted on its own, like [`Capacity`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CapacityCalendar {
    pub model: String,
    pub profile: String,
    /// Back to back from `from` to `to`; neighbours differ in `available`.
    pub intervals: Vec<CalendarInterval>,
    /// With `duration`: the earliest start from `from` at which one instance is free for the
    /// whole duration, if one starts before `to`.
    pub earliest_start: Option<chrono::DateTime<chrono::Utc>>,
}

/// A stretch of time in which the same number of instances of a profile fit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInterval {
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    /// Instances that could be booked throughout the interval.
    pub available: u32,
}

/// A host for the fleet views.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Host {
    pub id: HostId,
    pub name: String,
    /// False when an admin cordoned the host: nothing new is placed on it.
    pub schedulable: bool,
    pub desired_generation: i64,
    pub gpu_count: i64,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Set while the host's agent is silent: its GPUs are not placed on.
    pub unreachable_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    pub tenant_id: TenantId,
    pub tenant: String,
    pub profile: String,
    pub model: String,
    /// UTC day.
    pub day: NaiveDate,
    /// Hours a slice of this profile was held, summed.
    pub slice_hours: f64,
    /// `slice_hours` × the profile's compute slices.
    pub compute_slice_hours: f64,
    /// Of `slice_hours`, the hours the lease held the slice while its agent reported it idle
    /// (no compute process and, where measured, no activity).
    #[serde(default)]
    pub idle_held_slice_hours: f64,
    /// `slice_hours` priced by the cost rates (`GET /v1/rates`) in force when the report is
    /// made; `null` when no rate applies to this model and profile.
    #[serde(default)]
    pub cost: Option<f64>,
}
