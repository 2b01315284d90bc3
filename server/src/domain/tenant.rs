//! Tenants and their policy: the limits the granting transaction enforces.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A tenant's quotas and lease limits. `null` limits are unlimited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

impl TenantPolicy {
    /// Checks every field, naming the first bad one (`policy.max_lease_seconds`).
    pub fn validate(&self) -> Result<(), super::validate::Invalid> {
        use super::validate::Invalid;
        let nonneg = |name: &str, v: Option<i64>| match v {
            Some(v) if v < 0 => Err(Invalid::new(
                format!("policy.{name}"),
                "must not be negative",
            )),
            _ => Ok(()),
        };
        nonneg(
            "max_live_compute_slices",
            self.max_live_compute_slices.map(i64::from),
        )?;
        nonneg(
            "max_live_memory_gib",
            self.max_live_memory_gib.map(i64::from),
        )?;
        nonneg("max_live_leases", self.max_live_leases.map(i64::from))?;
        nonneg(
            "monthly_budget_slice_hours",
            self.monthly_budget_slice_hours,
        )?;
        nonneg(
            "max_total_extension_seconds",
            Some(self.max_total_extension_seconds),
        )?;
        if self.max_lease_seconds <= 0 {
            return Err(Invalid::new("policy.max_lease_seconds", "must be positive"));
        }
        if self.default_idle_timeout_seconds <= 0 {
            return Err(Invalid::new(
                "policy.default_idle_timeout_seconds",
                "must be positive",
            ));
        }
        for (i, m) in self.allowed_gpu_models.iter().enumerate() {
            if slicebroker_types::GpuModel::find(m).is_none() {
                return Err(Invalid::new(
                    format!("policy.allowed_gpu_models[{i}]"),
                    format!(
                        "unknown GPU model `{m}`; valid models: {}",
                        slicebroker_types::GpuModel::keys().join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    /// Unique, lower-case, DNS-label style.
    pub name: String,
    pub display_name: String,
    pub policy: TenantPolicy,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_validation_names_the_field() {
        assert!(TenantPolicy::default().validate().is_ok());
        let p = TenantPolicy {
            max_live_leases: Some(-1),
            ..TenantPolicy::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "policy.max_live_leases");
        let p = TenantPolicy {
            allowed_gpu_models: vec!["h100-80gb".into(), "tpu".into()],
            ..TenantPolicy::default()
        };
        let err = p.validate().unwrap_err();
        assert_eq!(err.field, "policy.allowed_gpu_models[1]");
        assert!(err.reason.contains("valid models"));
    }
}
