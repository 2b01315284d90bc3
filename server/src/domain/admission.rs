//! Admission: whether a tenant's policy, quota and monthly budget let a request in. Pure: the
//! caller reads what the tenant holds under its row lock (DESIGN.md §2, invariant 3) and hands
//! it here as a [`Room`]; each request admitted takes its share of the room, so the next
//! request of the same transaction sees it.

use super::budget;
use chrono::{DateTime, Utc};
use slicebroker_types::api::TenantPolicy;
use slicebroker_types::duration::format_seconds;
use slicebroker_types::{GpuModel, ModelId, SliceShape};

/// Why a request is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The tenant's policy forbids this (a duration, an idle timeout, a model).
    #[error("{field}: {reason}")]
    Policy { field: &'static str, reason: String },
    #[error("quota exceeded: {0}")]
    Quota(String),
    /// `field` is the request field whose value asks for too much.
    #[error("monthly budget exceeded: {detail}")]
    Budget { field: &'static str, detail: String },
}

/// What a tenant holds now, counted against its quota.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holding {
    /// Leases not ended (a pending lease counts).
    pub leases: i64,
    /// Compute slices and GiB of memory of its slices not released (a lease lost with its
    /// host keeps them until the agent comes back).
    pub compute: i64,
    pub memory: i64,
}

/// What a tenant may still take: what it holds now and, under a monthly budget, the
/// compute-slice-seconds committed this month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Room {
    pub holding: Holding,
    pub budget_used: i64,
}

/// What one admitted request took from a [`Room`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    compute: i64,
    memory: i64,
    budget: i64,
}

/// The policy's limits on a request's duration and idle timeout; the idle timeout the lease
/// gets (the tenant's default when the request names none).
pub fn lease_limits(
    policy: &TenantPolicy,
    duration: i64,
    idle_timeout: Option<i64>,
) -> Result<i64, Refusal> {
    if duration > policy.max_lease_seconds {
        return Err(Refusal::Policy {
            field: "duration",
            reason: format!(
                "{} is longer than the tenant's maximum of {}",
                format_seconds(duration),
                format_seconds(policy.max_lease_seconds)
            ),
        });
    }
    match idle_timeout {
        Some(t) if t > policy.default_idle_timeout_seconds => Err(Refusal::Policy {
            field: "idle_timeout",
            reason: format!(
                "may only be shorter than the tenant's {}",
                format_seconds(policy.default_idle_timeout_seconds)
            ),
        }),
        Some(t) => Ok(t),
        None => Ok(policy.default_idle_timeout_seconds),
    }
}

/// The policy's limits on a booking: how far ahead it starts (`max_booking_ahead_seconds`),
/// how long it is (`max_booking_seconds`, else `max_lease_seconds`, checked by
/// [`lease_limits`]) and how many bookings not yet started the tenant holds (`booked`, against
/// `max_bookings`).
pub fn booking_limits(
    policy: &TenantPolicy,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    duration: i64,
    booked: i64,
) -> Result<(), Refusal> {
    if (start - now).num_seconds() > policy.max_booking_ahead_seconds {
        return Err(Refusal::Policy {
            field: "start",
            reason: format!(
                "the tenant may book at most {} ahead",
                format_seconds(policy.max_booking_ahead_seconds)
            ),
        });
    }
    if let Some(max) = policy.max_booking_seconds
        && duration > max
    {
        return Err(Refusal::Policy {
            field: "duration",
            reason: format!(
                "{} is longer than the tenant's longest booking of {}",
                format_seconds(duration),
                format_seconds(max)
            ),
        });
    }
    if let Some(max) = policy.max_bookings
        && booked >= i64::from(max)
    {
        return Err(Refusal::Quota(format!(
            "bookings not yet started: the tenant holds {booked} of at most {max}"
        )));
    }
    Ok(())
}

/// The request's models narrowed by the tenant's allowed list (catalog keys; empty: any).
pub fn allowed_models(requested: &[ModelId], allowed: &[String]) -> Result<Vec<ModelId>, Refusal> {
    if allowed.is_empty() {
        return Ok(requested.to_vec());
    }
    let allowed: Vec<ModelId> = allowed.iter().filter_map(|m| GpuModel::find(m)).collect();
    if requested.is_empty() {
        return Ok(allowed);
    }
    if let Some(bad) = requested.iter().find(|m| !allowed.contains(m)) {
        return Err(Refusal::Policy {
            field: "gpu_models",
            reason: format!(
                "the tenant may not use {}; allowed: {}",
                GpuModel::get(*bad).key,
                allowed
                    .iter()
                    .map(|m| GpuModel::get(*m).key)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(requested.to_vec())
}

/// Whether the monthly budget of `hours` covers `wanted` more compute-slice-seconds, with
/// `used` already committed; `field` names the request field that asks for them.
pub fn within_budget(
    hours: i64,
    used: i64,
    wanted: i64,
    field: &'static str,
) -> Result<(), Refusal> {
    budget::check(hours, used, wanted).map_err(|e| Refusal::Budget {
        field,
        detail: e.to_string(),
    })
}

fn quota(what: &str, used: i64, want: i64, limit: Option<i32>) -> Result<(), Refusal> {
    match limit {
        Some(limit) if used.saturating_add(want) > i64::from(limit) => {
            Err(Refusal::Quota(format!(
                "the tenant holds {used} {what} of its {limit}; this request needs {want} more"
            )))
        }
        _ => Ok(()),
    }
}

impl Room {
    /// Whether the quota and the monthly budget leave room for `count` slices of the worst of
    /// `shapes` from `now` to `ends_at`; if so, takes it (and one live lease).
    pub fn admit(
        &mut self,
        policy: &TenantPolicy,
        shapes: &[SliceShape],
        count: usize,
        now: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<Taken, Refusal> {
        let h = &self.holding;
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        // The quota holds for the worst case of the shapes the request accepts.
        let worst = |f: fn(&SliceShape) -> i64| shapes.iter().map(f).max().unwrap_or(0);
        let want_compute = worst(|s| i64::from(s.profile().compute_slices)).saturating_mul(count);
        let want_memory =
            worst(|s| i64::from(s.profile().nominal_memory_gib())).saturating_mul(count);
        quota("live leases", h.leases, 1, policy.max_live_leases)?;
        quota(
            "compute slices",
            h.compute,
            want_compute,
            policy.max_live_compute_slices,
        )?;
        quota(
            "memory GiB",
            h.memory,
            want_memory,
            policy.max_live_memory_gib,
        )?;
        let mut budget_cost = 0;
        if let Some(hours) = policy.monthly_budget_slice_hours {
            let month = budget::Month::containing(now);
            budget_cost = budget::cost(month, want_compute, now, ends_at);
            within_budget(hours, self.budget_used, budget_cost, "duration")?;
        }
        let taken = Taken {
            compute: want_compute,
            memory: want_memory,
            budget: budget_cost,
        };
        self.holding.leases += 1;
        self.holding.compute += taken.compute;
        self.holding.memory += taken.memory;
        self.budget_used += taken.budget;
        Ok(taken)
    }

    /// Undoes [`Room::admit`] for slices that were not placed, keeping the lease (a queued
    /// lease counts against `max_live_leases`).
    pub fn give_back(&mut self, taken: Taken) {
        self.holding.compute -= taken.compute;
        self.holding.memory -= taken.memory;
        self.budget_used -= taken.budget;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slicebroker_types::ProfileRequest;

    fn shapes(profile: &str) -> Vec<SliceShape> {
        let h100 = GpuModel::find("h100-80gb").unwrap();
        ProfileRequest::parse(profile)
            .unwrap()
            .resolve(&[h100])
            .unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn bookings_are_held_to_the_tenants_booking_policy() {
        let policy = TenantPolicy {
            max_booking_ahead_seconds: 86_400,
            max_bookings: Some(2),
            max_booking_seconds: Some(3600),
            ..TenantPolicy::default()
        };
        let now = at("2026-06-01T00:00:00Z");
        let ok = at("2026-06-01T12:00:00Z");
        assert!(booking_limits(&policy, ok, now, 3600, 1).is_ok());
        let far = at("2026-06-03T00:00:00Z");
        assert!(matches!(
            booking_limits(&policy, far, now, 3600, 0),
            Err(Refusal::Policy { field: "start", .. })
        ));
        assert!(matches!(
            booking_limits(&policy, ok, now, 3601, 0),
            Err(Refusal::Policy {
                field: "duration",
                ..
            })
        ));
        assert!(matches!(
            booking_limits(&policy, ok, now, 3600, 2),
            Err(Refusal::Quota(_))
        ));
    }

    #[test]
    fn each_admitted_request_counts_against_the_next() {
        let policy = TenantPolicy {
            max_live_compute_slices: Some(5),
            ..TenantPolicy::default()
        };
        let mut room = Room::default();
        let (now, end) = (at("2026-06-01T00:00:00Z"), at("2026-06-01T01:00:00Z"));
        room.admit(&policy, &shapes("2g.20gb"), 2, now, end)
            .unwrap();
        assert_eq!(
            room.holding,
            Holding {
                leases: 1,
                compute: 4,
                memory: 40
            }
        );
        let refused = room
            .admit(&policy, &shapes("2g.20gb"), 1, now, end)
            .unwrap_err();
        assert!(
            matches!(refused, Refusal::Quota(ref m) if m.contains("holds 4 compute slices of its 5")),
            "{refused}"
        );
        room.admit(&policy, &shapes("1g.10gb"), 1, now, end)
            .unwrap();
        assert_eq!(room.holding.compute, 5);
    }

    #[test]
    fn a_queued_lease_keeps_its_lease_but_gives_back_its_slices() {
        let mut room = Room::default();
        let policy = TenantPolicy::default();
        let (now, end) = (at("2026-06-01T00:00:00Z"), at("2026-06-01T01:00:00Z"));
        let taken = room
            .admit(&policy, &shapes("3g.40gb"), 1, now, end)
            .unwrap();
        room.give_back(taken);
        assert_eq!(
            room.holding,
            Holding {
                leases: 1,
                compute: 0,
                memory: 0
            }
        );
    }

    #[test]
    fn the_budget_names_the_duration_and_counts_only_this_month() {
        let policy = TenantPolicy {
            monthly_budget_slice_hours: Some(10),
            ..TenantPolicy::default()
        };
        let mut room = Room {
            budget_used: 9 * 3600,
            ..Room::default()
        };
        // 30 minutes of a 2-slice profile: one compute-slice-hour; fits exactly.
        let now = at("2026-06-10T00:00:00Z");
        room.admit(
            &policy,
            &shapes("2g.20gb"),
            1,
            now,
            at("2026-06-10T00:30:00Z"),
        )
        .unwrap();
        let e = room.admit(
            &policy,
            &shapes("1g.10gb"),
            1,
            now,
            at("2026-06-10T00:00:01Z"),
        );
        assert!(matches!(
            e,
            Err(Refusal::Budget {
                field: "duration",
                ..
            })
        ));
        // Time in the next month is the next month's.
        let e = room.admit(
            &policy,
            &shapes("1g.10gb"),
            1,
            at("2026-06-30T23:59:59Z"),
            at("2026-07-05T00:00:00Z"),
        );
        assert!(e.is_err(), "one second of June is still over budget");
    }

    #[test]
    fn policy_limits_name_their_field_and_default_the_idle_timeout() {
        let policy = TenantPolicy::default();
        assert_eq!(lease_limits(&policy, 3600, None), Ok(7200));
        assert_eq!(lease_limits(&policy, 3600, Some(60)), Ok(60));
        assert!(matches!(
            lease_limits(&policy, 8 * 86_400, None),
            Err(Refusal::Policy {
                field: "duration",
                ..
            })
        ));
        assert!(matches!(
            lease_limits(&policy, 60, Some(7201)),
            Err(Refusal::Policy {
                field: "idle_timeout",
                ..
            })
        ));
    }

    #[test]
    fn allowed_models_narrow_or_refuse_naming_the_field() {
        let (h100, a100) = (
            GpuModel::find("h100-80gb").unwrap(),
            GpuModel::find("a100-40gb").unwrap(),
        );
        let allowed = vec!["h100-80gb".to_owned()];
        assert_eq!(allowed_models(&[], &allowed).unwrap(), vec![h100]);
        assert_eq!(allowed_models(&[a100], &[]).unwrap(), vec![a100]);
        let e = allowed_models(&[a100], &allowed).unwrap_err();
        assert!(
            matches!(e, Refusal::Policy { field: "gpu_models", ref reason } if reason.contains("a100-40gb"))
        );
    }
}
