//! Tenants and their policy: the limits the granting transaction enforces. The wire types live
//! in the types crate; the checks before storing a policy are the server's.

pub use slicebroker_types::api::{Tenant, TenantPolicy};

/// The server's checks of a [`TenantPolicy`] before it is stored.
pub trait ValidatePolicy {
    /// Checks every field, naming the first bad one (`policy.max_lease_seconds`).
    fn validate(&self) -> Result<(), super::validate::Invalid>;
}

impl ValidatePolicy for TenantPolicy {
    fn validate(&self) -> Result<(), super::validate::Invalid> {
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
