//! Tenants and their policy: the limits the granting transaction enforces. The wire types live
//! in the types crate; the checks before storing a policy are the server's.

pub use slicebroker_types::api::{Tenant, TenantPolicy, TenantPolicyPatch};
use slicebroker_types::limits::{
    self, MAX_BUDGET_SLICE_HOURS, MAX_DURATION_SECONDS, MAX_MODELS, MAX_QUOTA, pointer,
};

/// The server's checks of a [`TenantPolicy`] before it is stored.
pub trait ValidatePolicy {
    /// Checks every field against its documented bound, naming the first bad one as a JSON
    /// pointer (`/policy/max_lease_seconds`).
    fn validate(&self) -> Result<(), super::validate::Invalid>;
}

fn field(name: &str) -> String {
    pointer(&["policy", name])
}

fn within(name: &str, v: Option<i64>, min: i64, max: i64) -> Result<(), super::validate::Invalid> {
    match v {
        Some(v) if !(min..=max).contains(&v) => Err(super::validate::Invalid::new(
            field(name),
            format!("must be between {min} and {max}; got {v}"),
        )),
        _ => Ok(()),
    }
}

impl ValidatePolicy for TenantPolicy {
    fn validate(&self) -> Result<(), super::validate::Invalid> {
        use super::validate::Invalid;
        let quota =
            |name: &str, v: Option<i32>| within(name, v.map(i64::from), 0, i64::from(MAX_QUOTA));
        quota("max_live_compute_slices", self.max_live_compute_slices)?;
        quota("max_live_memory_gib", self.max_live_memory_gib)?;
        quota("max_live_leases", self.max_live_leases)?;
        within(
            "monthly_budget_slice_hours",
            self.monthly_budget_slice_hours,
            0,
            MAX_BUDGET_SLICE_HOURS,
        )?;
        within(
            "max_booking_ahead_seconds",
            Some(self.max_booking_ahead_seconds),
            0,
            limits::MAX_BOOKING_AHEAD_SECONDS,
        )?;
        quota("max_bookings", self.max_bookings)?;
        within(
            "max_compute_slices_outside_classes",
            self.max_compute_slices_outside_classes.map(i64::from),
            0,
            i64::from(limits::MAX_PROFILE_COMPUTE_SLICES),
        )?;
        if let Some(v) = self.max_booking_seconds {
            limits::duration(v)
                .map_err(|reason| Invalid::new(field("max_booking_seconds"), reason))?;
        }
        within(
            "max_total_extension_seconds",
            Some(self.max_total_extension_seconds),
            0,
            MAX_DURATION_SECONDS,
        )?;
        for (name, v) in [
            ("max_lease_seconds", self.max_lease_seconds),
            (
                "default_idle_timeout_seconds",
                self.default_idle_timeout_seconds,
            ),
        ] {
            limits::duration(v).map_err(|reason| Invalid::new(field(name), reason))?;
        }
        if self.allowed_gpu_models.len() > MAX_MODELS {
            return Err(Invalid::new(
                field("allowed_gpu_models"),
                format!("at most {MAX_MODELS} models"),
            ));
        }
        let mut seen = Vec::new();
        for (i, m) in self.allowed_gpu_models.iter().enumerate() {
            let at = || pointer(&["policy", "allowed_gpu_models", &i.to_string()]);
            let Some(model) = slicebroker_types::GpuModel::find(m) else {
                return Err(Invalid::new(
                    at(),
                    format!(
                        "unknown GPU model `{m}`; valid models: {}",
                        slicebroker_types::GpuModel::keys().join(", ")
                    ),
                ));
            };
            if seen.contains(&model) {
                return Err(Invalid::new(at(), format!("`{m}` is listed twice")));
            }
            seen.push(model);
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
        assert_eq!(p.validate().unwrap_err().field, "/policy/max_live_leases");
        let p = TenantPolicy {
            allowed_gpu_models: vec!["h100-80gb".into(), "tpu".into()],
            ..TenantPolicy::default()
        };
        let err = p.validate().unwrap_err();
        assert_eq!(err.field, "/policy/allowed_gpu_models/1");
        assert!(err.reason.contains("valid models"));
        let p = TenantPolicy {
            allowed_gpu_models: vec!["h100-80gb".into(), "a30-24gb".into(), "h100-80gb".into()],
            ..TenantPolicy::default()
        };
        let err = p.validate().unwrap_err();
        assert_eq!(err.field, "/policy/allowed_gpu_models/2");
        assert!(err.reason.contains("twice"), "{}", err.reason);
    }

    #[test]
    fn every_limit_has_an_upper_bound() {
        let cases: [(&str, TenantPolicy); 7] = [
            (
                "max_compute_slices_outside_classes",
                TenantPolicy {
                    max_compute_slices_outside_classes: Some(9),
                    ..Default::default()
                },
            ),
            (
                "max_lease_seconds",
                TenantPolicy {
                    max_lease_seconds: i64::MAX,
                    ..Default::default()
                },
            ),
            (
                "default_idle_timeout_seconds",
                TenantPolicy {
                    default_idle_timeout_seconds: MAX_DURATION_SECONDS + 1,
                    ..Default::default()
                },
            ),
            (
                "max_total_extension_seconds",
                TenantPolicy {
                    max_total_extension_seconds: i64::MAX,
                    ..Default::default()
                },
            ),
            (
                "monthly_budget_slice_hours",
                TenantPolicy {
                    monthly_budget_slice_hours: Some(i64::MAX),
                    ..Default::default()
                },
            ),
            (
                "max_live_compute_slices",
                TenantPolicy {
                    max_live_compute_slices: Some(i32::MAX),
                    ..Default::default()
                },
            ),
            (
                "max_live_memory_gib",
                TenantPolicy {
                    max_live_memory_gib: Some(MAX_QUOTA + 1),
                    ..Default::default()
                },
            ),
        ];
        for (name, p) in cases {
            assert_eq!(p.validate().unwrap_err().field, format!("/policy/{name}"));
        }
        let at_the_bounds = TenantPolicy {
            max_live_compute_slices: Some(MAX_QUOTA),
            max_live_memory_gib: Some(MAX_QUOTA),
            max_live_leases: Some(MAX_QUOTA),
            max_lease_seconds: MAX_DURATION_SECONDS,
            max_total_extension_seconds: MAX_DURATION_SECONDS,
            default_idle_timeout_seconds: MAX_DURATION_SECONDS,
            allowed_gpu_models: Vec::new(),
            monthly_budget_slice_hours: Some(MAX_BUDGET_SLICE_HOURS),
            max_booking_ahead_seconds: limits::MAX_BOOKING_AHEAD_SECONDS,
            max_bookings: Some(MAX_QUOTA),
            max_booking_seconds: Some(MAX_DURATION_SECONDS),
            max_compute_slices_outside_classes: Some(limits::MAX_PROFILE_COMPUTE_SLICES),
        };
        assert!(at_the_bounds.validate().is_ok());
    }
}
