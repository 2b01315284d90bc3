//! Slice classes on the wire: named shapes admins define (`notebook`, `full-gpu`) that a lease
//! request may name instead of a raw profile, and the requests that create and change them.

use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A slice class: what a lease made from it gets, unless its request narrows it. The fields
/// after `name` are those of [`SliceClassSpec`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceClass {
    /// Unique, lower-case, DNS-label style (`notebook`).
    pub name: String,
    pub description: String,
    /// A profile name per GPU model (catalog key → profile name).
    pub profiles: BTreeMap<String, String>,
    /// On models `profiles` does not name: the smallest plain profile with this much memory.
    pub min_memory_gib: Option<u32>,
    /// With `min_memory_gib`: at least this many compute slices.
    pub min_compute_slices: Option<u8>,
    pub default_duration_seconds: i64,
    pub max_duration_seconds: i64,
    pub idle_timeout_seconds: i64,
    pub priority: i32,
    /// The tenants that may use it; `null`: every tenant.
    pub tenants: Option<Vec<TenantId>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a class gives and to whom. It gives `profiles` on the models they name and, on other
/// models, the smallest plain profile with `min_memory_gib` and `min_compute_slices`; at least
/// one of the two. Bounds: durations 1 to 31,622,400 seconds (366 days), the default at most
/// the longest; priority -100 to 100; at most 32 models and 1,000 tenants.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SliceClassSpec {
    /// What it is for, for people choosing one: 1-200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub description: String,
    /// A profile name per GPU model (catalog key → `nvidia-smi` profile name); at most 32.
    #[serde(default)]
    pub profiles: BTreeMap<String, String>,
    /// On models `profiles` does not name: the smallest plain profile with this much memory.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4096))]
    pub min_memory_gib: Option<u32>,
    /// With `min_memory_gib`: at least this many compute slices (default 1).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 8))]
    pub min_compute_slices: Option<u8>,
    /// A lease's duration when its request gives none, in seconds.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 31_622_400))]
    pub default_duration_seconds: i64,
    /// The longest duration a request may ask for, in seconds.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 31_622_400))]
    pub max_duration_seconds: i64,
    /// The leases' idle timeout, in seconds; a request may ask for less. Never above the
    /// tenant's `default_idle_timeout_seconds`, which caps it.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 31_622_400))]
    pub idle_timeout_seconds: i64,
    /// Place in the pending queue; a request may ask for less.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -100, maximum = 100))]
    pub priority: i32,
    /// The tenants that may use it, by id (each must exist); `null` (the default): every tenant.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub tenants: Option<Vec<TenantId>>,
}

/// Changes some fields of a class; what is left out stays as it is. `null` clears
/// `min_memory_gib`, `min_compute_slices` and `tenants` (every tenant). Bounds as for
/// [`SliceClassSpec`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SliceClassPatch {
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = String, min_length = 1, max_length = 200))]
    pub description: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub profiles: Option<BTreeMap<String, String>>,
    #[serde(
        default,
        deserialize_with = "super::tenant::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 1, maximum = 4096))]
    pub min_memory_gib: Option<Option<u32>>,
    #[serde(
        default,
        deserialize_with = "super::tenant::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u8>, minimum = 1, maximum = 8))]
    pub min_compute_slices: Option<Option<u8>>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 31_622_400))]
    pub default_duration_seconds: Option<i64>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 31_622_400))]
    pub max_duration_seconds: Option<i64>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 31_622_400))]
    pub idle_timeout_seconds: Option<i64>,
    #[serde(
        default,
        deserialize_with = "super::tenant::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = i32, minimum = -100, maximum = 100))]
    pub priority: Option<i32>,
    #[serde(
        default,
        deserialize_with = "super::tenant::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<TenantId>>, max_items = 1000))]
    pub tenants: Option<Option<Vec<TenantId>>>,
}

impl SliceClassPatch {
    /// `base` with the fields this patch gives.
    pub fn apply(self, base: &SliceClassSpec) -> SliceClassSpec {
        let b = base.clone();
        SliceClassSpec {
            description: self.description.unwrap_or(b.description),
            profiles: self.profiles.unwrap_or(b.profiles),
            min_memory_gib: self.min_memory_gib.unwrap_or(b.min_memory_gib),
            min_compute_slices: self.min_compute_slices.unwrap_or(b.min_compute_slices),
            default_duration_seconds: self
                .default_duration_seconds
                .unwrap_or(b.default_duration_seconds),
            max_duration_seconds: self.max_duration_seconds.unwrap_or(b.max_duration_seconds),
            idle_timeout_seconds: self.idle_timeout_seconds.unwrap_or(b.idle_timeout_seconds),
            priority: self.priority.unwrap_or(b.priority),
            tenants: self.tenants.unwrap_or(b.tenants),
        }
    }
}

impl SliceClass {
    /// Whether `tenant` may use this class.
    pub fn admits(&self, tenant: TenantId) -> bool {
        self.tenants.as_ref().is_none_or(|t| t.contains(&tenant))
    }

    /// What the class gives and to whom, as a create request would say it.
    pub fn spec(&self) -> SliceClassSpec {
        SliceClassSpec {
            description: self.description.clone(),
            profiles: self.profiles.clone(),
            min_memory_gib: self.min_memory_gib,
            min_compute_slices: self.min_compute_slices,
            default_duration_seconds: self.default_duration_seconds,
            max_duration_seconds: self.max_duration_seconds,
            idle_timeout_seconds: self.idle_timeout_seconds,
            priority: self.priority,
            tenants: self.tenants.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_opens_to_every_tenant() {
        let base = SliceClassSpec {
            description: "notebooks".into(),
            profiles: BTreeMap::from([("h100-80gb".into(), "1g.10gb".into())]),
            min_memory_gib: None,
            min_compute_slices: None,
            default_duration_seconds: 3600,
            max_duration_seconds: 7200,
            idle_timeout_seconds: 600,
            priority: 5,
            tenants: Some(vec![TenantId::new()]),
        };
        let patch: SliceClassPatch =
            serde_json::from_str(r#"{"tenants": null, "priority": 1}"#).unwrap();
        let spec = patch.apply(&base);
        assert_eq!(spec.tenants, None);
        assert_eq!(spec.priority, 1);
        assert_eq!(spec.profiles, base.profiles);
        assert!(serde_json::from_str::<SliceClassPatch>(r#"{"priorty": 1}"#).is_err());
    }
}
