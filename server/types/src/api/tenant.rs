//! Tenants and their policy on the wire: the limits the granting transaction enforces, and the
//! requests that create and change a tenant.

use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Catalog keys the tenant may use, each once; empty means every model.
    pub allowed_gpu_models: Vec<String>,
    /// Most compute-slice-hours the tenant's leases may commit in one UTC calendar month
    /// (see `domain::budget`); grants and extensions past it are refused.
    pub monthly_budget_slice_hours: Option<i64>,
    /// Furthest ahead a booking may start, in seconds (default 2592000, 30 days; at most that).
    #[serde(default = "default_max_booking_ahead_seconds")]
    pub max_booking_ahead_seconds: i64,
    /// Most bookings not yet started at once.
    #[serde(default)]
    pub max_bookings: Option<i32>,
    /// Longest booking, in seconds (`null`: `max_lease_seconds`).
    #[serde(default)]
    pub max_booking_seconds: Option<i64>,
    /// The largest profile, in compute slices, a lease not made from a slice class may get
    /// (`null`: any; `0`: every lease must name a class; at most 8). `4` keeps 7g profiles to
    /// the classes that give them, such as a `full-gpu` class.
    #[serde(default)]
    pub max_compute_slices_outside_classes: Option<i32>,
}

fn default_max_booking_ahead_seconds() -> i64 {
    crate::limits::MAX_BOOKING_AHEAD_SECONDS
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
            max_booking_ahead_seconds: default_max_booking_ahead_seconds(),
            max_bookings: None,
            max_booking_seconds: None,
            max_compute_slices_outside_classes: None,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    /// Unique, lower-case, DNS-label style.
    pub name: String,
    pub display_name: String,
    pub policy: TenantPolicy,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantCreate {
    /// Unique, lower-case, DNS-label style (`ml-vision`), 1-63 characters.
    pub name: String,
    /// 1-200 characters; defaults to `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub display_name: Option<String>,
    /// The policy's fields that differ from the defaults; fields left out take their defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<TenantPolicyPatch>,
}

/// Changes the display name and/or some policy fields; what is left out stays as it is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    /// 1-200 characters.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 200))]
    pub display_name: Option<String>,
    /// The policy fields to change; those left out keep their values.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = TenantPolicyPatch))]
    pub policy: Option<TenantPolicyPatch>,
}

/// Some fields of a [`TenantPolicy`]. A field left out keeps its value (its default, for a new
/// tenant); `null` makes a limit unlimited where the policy allows that, and is refused for the
/// others (naming the field). Bounds: quotas 0 to
/// 10,000,000; durations in seconds, 1 (0 for `max_total_extension_seconds`) to 31,622,400
/// (366 days); the budget 0 to 1,000,000,000 compute-slice-hours; at most 32 models.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPolicyPatch {
    /// Most compute slices the tenant's live leases may hold together; `null`: unlimited.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 10_000_000))]
    pub max_live_compute_slices: Option<Option<i32>>,
    /// Most GiB (by profile name) the tenant's live leases may hold together; `null`: unlimited.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 10_000_000))]
    pub max_live_memory_gib: Option<Option<i32>>,
    /// Most live leases at once; `null`: unlimited.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 10_000_000))]
    pub max_live_leases: Option<Option<i32>>,
    /// Longest lease, in seconds (default 604800, 7 days).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 31_622_400))]
    pub max_lease_seconds: Option<i64>,
    /// Most time all extensions of one lease may add, in seconds (default 604800).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 0, maximum = 31_622_400))]
    pub max_total_extension_seconds: Option<i64>,
    /// Idle timeout of leases that do not ask for one, in seconds (default 7200).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 31_622_400))]
    pub default_idle_timeout_seconds: Option<i64>,
    /// Catalog keys the tenant may use, each once; empty means every model (the default).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, max_items = 32))]
    pub allowed_gpu_models: Option<Vec<String>>,
    /// Most compute-slice-hours per UTC calendar month; `null`: unlimited (the default).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000))]
    pub monthly_budget_slice_hours: Option<Option<i64>>,
    /// Furthest ahead a booking may start, in seconds (default 2592000, 30 days).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 0, maximum = 2_592_000))]
    pub max_booking_ahead_seconds: Option<i64>,
    /// Most bookings not yet started at once; `null`: unlimited (the default).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 10_000_000))]
    pub max_bookings: Option<Option<i32>>,
    /// Longest booking, in seconds; `null`: `max_lease_seconds` (the default).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 1, maximum = 31_622_400))]
    pub max_booking_seconds: Option<Option<i64>>,
    /// The largest profile, in compute slices, outside slice classes; `null`: any (the
    /// default).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>, minimum = 0, maximum = 8))]
    pub max_compute_slices_outside_classes: Option<Option<i32>>,
}

impl TenantPolicyPatch {
    /// `base` with the fields this patch gives.
    pub fn apply(self, base: &TenantPolicy) -> TenantPolicy {
        let b = base.clone();
        TenantPolicy {
            max_live_compute_slices: self
                .max_live_compute_slices
                .unwrap_or(b.max_live_compute_slices),
            max_live_memory_gib: self.max_live_memory_gib.unwrap_or(b.max_live_memory_gib),
            max_live_leases: self.max_live_leases.unwrap_or(b.max_live_leases),
            max_lease_seconds: self.max_lease_seconds.unwrap_or(b.max_lease_seconds),
            max_total_extension_seconds: self
                .max_total_extension_seconds
                .unwrap_or(b.max_total_extension_seconds),
            default_idle_timeout_seconds: self
                .default_idle_timeout_seconds
                .unwrap_or(b.default_idle_timeout_seconds),
            allowed_gpu_models: self.allowed_gpu_models.unwrap_or(b.allowed_gpu_models),
            monthly_budget_slice_hours: self
                .monthly_budget_slice_hours
                .unwrap_or(b.monthly_budget_slice_hours),
            max_booking_ahead_seconds: self
                .max_booking_ahead_seconds
                .unwrap_or(b.max_booking_ahead_seconds),
            max_bookings: self.max_bookings.unwrap_or(b.max_bookings),
            max_booking_seconds: self.max_booking_seconds.unwrap_or(b.max_booking_seconds),
            max_compute_slices_outside_classes: self
                .max_compute_slices_outside_classes
                .unwrap_or(b.max_compute_slices_outside_classes),
        }
    }

    /// The patch that turns `from` into `to`: only the fields that differ.
    pub fn between(from: &TenantPolicy, to: &TenantPolicy) -> Self {
        fn diff<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
            (a != b).then(|| b.clone())
        }
        Self {
            max_live_compute_slices: diff(
                &from.max_live_compute_slices,
                &to.max_live_compute_slices,
            ),
            max_live_memory_gib: diff(&from.max_live_memory_gib, &to.max_live_memory_gib),
            max_live_leases: diff(&from.max_live_leases, &to.max_live_leases),
            max_lease_seconds: diff(&from.max_lease_seconds, &to.max_lease_seconds),
            max_total_extension_seconds: diff(
                &from.max_total_extension_seconds,
                &to.max_total_extension_seconds,
            ),
            default_idle_timeout_seconds: diff(
                &from.default_idle_timeout_seconds,
                &to.default_idle_timeout_seconds,
            ),
            allowed_gpu_models: diff(&from.allowed_gpu_models, &to.allowed_gpu_models),
            monthly_budget_slice_hours: diff(
                &from.monthly_budget_slice_hours,
                &to.monthly_budget_slice_hours,
            ),
            max_booking_ahead_seconds: diff(
                &from.max_booking_ahead_seconds,
                &to.max_booking_ahead_seconds,
            ),
            max_bookings: diff(&from.max_bookings, &to.max_bookings),
            max_booking_seconds: diff(&from.max_booking_seconds, &to.max_booking_seconds),
            max_compute_slices_outside_classes: diff(
                &from.max_compute_slices_outside_classes,
                &to.max_compute_slices_outside_classes,
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A field that may be left out (`None`), `null` (`Some(None)`) or a value.
/// For a patch field that may be left out but never `null` (there is no "no value" to set):
/// `null` is refused, naming the field, instead of read as left out.
pub(super) fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

pub(super) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_means_unlimited() {
        let base = TenantPolicy {
            max_live_leases: Some(3),
            monthly_budget_slice_hours: Some(100),
            ..TenantPolicy::default()
        };
        let patch: TenantPolicyPatch =
            serde_json::from_str(r#"{"max_live_leases": null, "max_lease_seconds": 60}"#).unwrap();
        let p = patch.apply(&base);
        assert_eq!(p.max_live_leases, None);
        assert_eq!(p.max_lease_seconds, 60);
        assert_eq!(p.monthly_budget_slice_hours, Some(100));
        let back = TenantPolicyPatch::between(&base, &p);
        assert_eq!(back.clone().apply(&base), p);
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::json!({"max_live_leases": null, "max_lease_seconds": 60})
        );
    }

    #[test]
    fn a_misspelt_policy_field_is_refused() {
        let e = serde_json::from_str::<TenantPolicyPatch>(r#"{"max_live_lease": 5}"#).unwrap_err();
        assert!(
            e.to_string().contains("unknown field `max_live_lease`"),
            "{e}"
        );
    }
}
