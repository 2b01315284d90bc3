//! Leases on the wire: what a lease looks like to its owner (shape, placement, state, times
//! and, once active, how to use it), its history, and the requests that create and extend it.

use super::{EndReason, LeaseEventKind, LeaseState};
use crate::ids::{GpuId, HostId, LeaseId, SliceId, TenantId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub id: LeaseId,
    pub tenant_id: TenantId,
    pub state: LeaseState,
    /// Set once the lease has ended.
    pub end_reason: Option<EndReason>,
    /// The profile request as given (`2g.20gb`, `3g`, `≥20GiB/≥1g`), or as a class gave it
    /// (`a100-40gb:1g.5gb,h100-80gb:1g.10gb`).
    pub request: String,
    /// The slice class the lease was made from, if any.
    #[serde(default)]
    pub class: Option<String>,
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
    /// What it really used (peak memory, busy and idle-held shares), from its agent's
    /// reports; given by `GET /v1/leases/{id}`, `null` in lists and write answers. (Boxed: it
    /// is rarely there, and every lease in a write answer would carry its size.)
    #[serde(default)]
    pub usage: Option<Box<super::LeaseUsage>>,
    /// The health of the GPUs its slices are on, with the XIDs that hit its instances; given
    /// by `GET /v1/leases/{id}`, `null` in lists and write answers. (Boxed like `usage`.)
    #[serde(default)]
    pub health: Option<Box<super::LeaseHealth>>,
}

/// One MIG slice of a lease.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseSlice {
    pub id: SliceId,
    pub host_id: HostId,
    pub host: String,
    pub gpu_id: GpuId,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseEvent {
    pub id: i64,
    pub kind: LeaseEventKind,
    pub from_state: Option<LeaseState>,
    pub to_state: Option<LeaseState>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    /// `key:<api key id>` or `system`.
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A page of leases.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Serialize, Deserialize)]
pub struct LeasePage {
    pub items: Vec<Lease>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<LeaseId>,
}

/// A duration: `"8h"`, `"1h30m"`, `"PT8H"`, or whole seconds as a number or a string; positive
/// and at most 366 days (`limits::MAX_DURATION_SECONDS`) wherever the API takes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DurationInput {
    Seconds(i64),
    Text(String),
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DurationInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        let max = crate::limits::MAX_DURATION_SECONDS;
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .minimum(Some(1))
                    .maximum(Some(max))
                    .description(Some("Whole seconds.")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(64))
                    .description(Some(
                        "`8h`, `1h30m`, `2d` (units s, m, h, d, w), ISO 8601 (`PT8H`, `P1DT12H`) \
                         or whole seconds.",
                    )),
            )
            .description(Some(format!(
                "A duration, positive and at most {max} seconds (366 days)."
            )))
            .examples(["8h"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DurationInput {}

impl DurationInput {
    /// Whole seconds, positive and at most [`crate::limits::MAX_DURATION_SECONDS`]; the reason
    /// if not.
    pub fn seconds(&self) -> Result<i64, String> {
        let secs = match self {
            Self::Seconds(s) => *s,
            Self::Text(t) if t.len() > 64 => return Err("is longer than 64 characters".into()),
            Self::Text(t) => crate::duration::parse_seconds(t)?,
        };
        crate::limits::duration(secs)
    }
}

impl<'de> Deserialize<'de> for DurationInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DurationInput;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration: `\"8h\"`, `\"PT8H\"` or whole seconds")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DurationInput, E> {
                Ok(DurationInput::Seconds(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DurationInput, E> {
                // Past i64::MAX is past every bound: keep it as the largest, refused later.
                Ok(DurationInput::Seconds(i64::try_from(v).unwrap_or(i64::MAX)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationInput, E> {
                Ok(DurationInput::Text(v.to_owned()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Request for a lease: a slice class, a profile name or size, or a need. With `class`, the
/// class gives the profile, duration, idle timeout and priority; the request's own fields may
/// only narrow them (a smaller-or-equal profile the class gives, a shorter duration or idle
/// timeout, a lower priority, fewer GPU models).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseCreate {
    /// A slice class (`notebook`, see `class_list`): its profile, duration, idle timeout and
    /// priority, which the fields below may narrow. 1-63 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 63))]
    pub class: Option<String>,
    /// A profile name (`2g.20gb`) or a compute size (`3g`). Give this or `min_memory_gib`
    /// (or `class`).
    pub profile: Option<String>,
    /// The smallest plain profile with at least this much memory.
    pub min_memory_gib: Option<u32>,
    /// With `min_memory_gib`: at least this many compute slices (default 1).
    pub min_compute_slices: Option<u8>,
    /// How long: `"8h"`, `"PT8H"` or seconds. Required without `class`; with it, the class's
    /// default duration when left out.
    #[serde(default)]
    pub duration: Option<DurationInput>,
    /// Only these GPU models (catalog keys).
    #[serde(default)]
    pub gpu_models: Vec<String>,
    /// How many slices, granted all or nothing (default 1).
    pub count: Option<u32>,
    /// Reclaim after this long idle (default: the tenant's); not above the tenant's default.
    pub idle_timeout: Option<DurationInput>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Queue as `pending` instead of failing when nothing fits now.
    #[serde(default)]
    pub wait: bool,
    /// Place in the pending queue, -100 to 100 (default 0): higher is served first, then
    /// older.
    pub priority: Option<i32>,
    /// Book ahead: when the lease starts (RFC 3339), in the future and at most 30 days ahead.
    /// The lease is then `booked`, its placement chosen now and guaranteed for
    /// `[start, start + duration)`; it goes `provisioning` shortly before `start` and its paid
    /// time runs from `start`. Cannot be combined with `wait`.
    #[serde(default)]
    pub start: Option<chrono::DateTime<chrono::Utc>>,
    /// Admins only, with `start`: book for this tenant (admin keys belong to none). The
    /// tenant's policy, quota and budget apply as if it had booked itself.
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseExtend {
    /// Time to add: `"2h"`, `"PT2H"` or seconds.
    pub by: DurationInput,
}
