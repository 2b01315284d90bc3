//! Admission: whether a tenant's policy, quota and monthly budget let a request in. Pure: the
//! caller reads what the tenant holds under its row lock (DESIGN.md §2, invariant 3) and hands
//! it here as a [`Room`]; each request admitted takes its share of the room, so the next
//! request of the same transaction sees it. Quota holds at every instant: what a tenant holds
//! and has booked is a set of time spans, and a request is refused if at some instant of its
//! window those spans and the request together pass a limit. The budget is charged to each
//! month the window touches.

use super::budget;
use chrono::{DateTime, Utc};
use slicebroker_types::api::TenantPolicy;
use slicebroker_types::duration::format_seconds;
use slicebroker_types::{GpuModel, LeaseId, ModelId, SliceShape};

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

/// Part of what a tenant holds or has booked, over the time it holds it: a live lease
/// (`leases: 1`) from its grant, or its booking's start, to its end; or the slices of one lease
/// over their window. `until: None` is open-ended: a queued lease, a lease being torn down or
/// one lost with its host, a slice whose window is open or already past its end (it is held
/// until the agent reports it gone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The lease it belongs to (`None` for one admitted in this transaction).
    pub lease: Option<LeaseId>,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
    pub leases: i64,
    /// Compute slices and GiB of memory (a lease lost with its host keeps its slices until the
    /// agent comes back).
    pub compute: i64,
    pub memory: i64,
}

impl Span {
    fn holds_at(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && self.until.is_none_or(|u| t < u)
    }
}

/// What a tenant may still take: what it holds and has booked over time and, under a monthly
/// budget, the compute-slice-seconds committed in each month from the current one on (up to
/// the latest month any request of the transaction reaches: see [`Room::months`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Room {
    pub spans: Vec<Span>,
    pub budget_used: Vec<(budget::Month, i64)>,
}

/// What one admitted request took from a [`Room`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The index in `spans` of its slices' span.
    slices: usize,
    /// Compute-slice-seconds charged to each month (by index in `budget_used`).
    budget: Vec<(usize, i64)>,
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

/// One quota limit and what each span counts against it.
struct Limit {
    what: &'static str,
    field: &'static str,
    limit: Option<i32>,
    of: fn(&Span) -> i64,
}

fn limits(policy: &TenantPolicy) -> [Limit; 3] {
    [
        Limit {
            what: "live leases",
            field: "max_live_leases",
            limit: policy.max_live_leases,
            of: |s| s.leases,
        },
        Limit {
            what: "compute slices",
            field: "max_live_compute_slices",
            limit: policy.max_live_compute_slices,
            of: |s| s.compute,
        },
        Limit {
            what: "memory GiB",
            field: "max_live_memory_gib",
            limit: policy.max_live_memory_gib,
            of: |s| s.memory,
        },
    ]
}

impl Room {
    /// The months whose budget use a room must carry for requests reaching up to `until`,
    /// from the one containing `now`.
    pub fn months(now: DateTime<Utc>, until: DateTime<Utc>) -> Vec<budget::Month> {
        let mut months = vec![budget::Month::containing(now)];
        while let Some(last) = months.last().copied()
            && last.end < until
        {
            months.push(budget::Month::containing(last.end));
        }
        months
    }

    /// Whether the quota holds at every instant of `[from, to)` with `want` added to what the
    /// spans hold then, except those of the lease `except`; the first instant it would not
    /// is named.
    fn check_quota(
        &self,
        policy: &TenantPolicy,
        want: &Span,
        except: Option<LeaseId>,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<(), Refusal> {
        let limits = limits(policy);
        if limits.iter().all(|l| l.limit.is_none()) {
            return Ok(());
        }
        let others: Vec<&Span> = self
            .spans
            .iter()
            .filter(|s| except.is_none() || s.lease != except)
            .collect();
        // What is held over the window is highest at its start or where some span starts.
        let mut instants: Vec<DateTime<Utc>> = std::iter::once(from)
            .chain(
                others
                    .iter()
                    .map(|s| s.from)
                    .filter(|&t| from < t && t < to),
            )
            .collect();
        instants.sort();
        instants.dedup();
        for t in instants {
            for l in &limits {
                let Some(limit) = l.limit else { continue };
                let held: i64 = others
                    .iter()
                    .filter(|s| s.holds_at(t))
                    .map(|s| (l.of)(s))
                    .sum();
                let need = (l.of)(want);
                if need > 0 && held.saturating_add(need) > i64::from(limit) {
                    return Err(Refusal::Quota(format!(
                        "{} ({limit} {}): at {} the tenant holds or has booked {held}; this \
                         request needs {need} more",
                        l.field,
                        l.what,
                        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )));
                }
            }
        }
        Ok(())
    }

    /// What holding `compute` slices over `[from, to)` costs each month of `budget_used`,
    /// checked against a monthly budget of `hours`; `field` names the request field.
    fn check_budget(
        &self,
        hours: i64,
        compute: i64,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        field: &'static str,
    ) -> Result<Vec<(usize, i64)>, Refusal> {
        let mut charged = Vec::new();
        for (i, (month, used)) in self.budget_used.iter().enumerate() {
            let cost = budget::cost(*month, compute, from, to);
            within_budget(hours, *used, cost, field).map_err(|e| match e {
                Refusal::Budget { field, detail } => Refusal::Budget {
                    field,
                    detail: format!("{}: {detail}", month.start.format("%Y-%m")),
                },
                e => e,
            })?;
            if cost > 0 {
                charged.push((i, cost));
            }
        }
        // Time past the months carried is a caller's mistake; refuse rather than not charge.
        let covered = self.budget_used.last().map(|(m, _)| m.end);
        if covered.is_none_or(|end| end < to) {
            return Err(Refusal::Budget {
                field,
                detail: "the months this request reaches could not be counted".into(),
            });
        }
        Ok(charged)
    }

    /// Whether the quota and the monthly budget leave room for `count` slices of the worst of
    /// `shapes` from `from` to `ends_at`, at every instant of that window; if so, takes it (and
    /// one live lease).
    pub fn admit(
        &mut self,
        policy: &TenantPolicy,
        shapes: &[SliceShape],
        count: usize,
        from: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<Taken, Refusal> {
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        // The quota holds for the worst case of the shapes the request accepts.
        let worst = |f: fn(&SliceShape) -> i64| shapes.iter().map(f).max().unwrap_or(0);
        let want = Span {
            lease: None,
            from,
            until: Some(ends_at),
            leases: 1,
            compute: worst(|s| i64::from(s.profile().compute_slices)).saturating_mul(count),
            memory: worst(|s| i64::from(s.profile().nominal_memory_gib())).saturating_mul(count),
        };
        self.check_quota(policy, &want, None, (from, ends_at))?;
        let budget = match policy.monthly_budget_slice_hours {
            Some(hours) => self.check_budget(hours, want.compute, (from, ends_at), "duration")?,
            None => Vec::new(),
        };
        for &(i, cost) in &budget {
            self.budget_used[i].1 += cost;
        }
        self.spans.push(Span {
            compute: 0,
            memory: 0,
            ..want
        });
        self.spans.push(Span { leases: 0, ..want });
        Ok(Taken {
            slices: self.spans.len() - 1,
            budget,
        })
    }

    /// Undoes [`Room::admit`] for slices that were not placed, keeping the lease (a queued
    /// lease counts against `max_live_leases`, from now on).
    pub fn give_back(&mut self, taken: Taken) {
        let slices = &mut self.spans[taken.slices];
        slices.compute = 0;
        slices.memory = 0;
        if let Some(lease) = self.spans.get_mut(taken.slices - 1) {
            lease.until = None;
        }
        for (i, cost) in taken.budget {
            self.budget_used[i].1 -= cost;
        }
    }

    /// Leaves out the spans of `lease` (a queued lease being granted is counted anew).
    pub fn forget(&mut self, lease: LeaseId) {
        self.spans.retain(|s| s.lease != Some(lease));
    }

    /// Whether the quota and the budget let the live lease `lease`, holding `compute` slices
    /// and `memory` GiB, run on from `from` (its committed end, or now if that is later) to
    /// `to`: at every instant of that time, beside what the tenant holds and has booked then.
    pub fn admit_extension(
        &self,
        policy: &TenantPolicy,
        lease: LeaseId,
        (compute, memory): (i64, i64),
        (from, to): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<(), Refusal> {
        let want = Span {
            lease: Some(lease),
            from,
            until: Some(to),
            leases: 1,
            compute,
            memory,
        };
        self.check_quota(policy, &want, Some(lease), (from, to))
            .map_err(|e| match e {
                Refusal::Quota(d) => Refusal::Quota(format!("extending by that: {d}")),
                e => e,
            })?;
        if let Some(hours) = policy.monthly_budget_slice_hours {
            self.check_budget(hours, compute, (from, to), "by")?;
        }
        Ok(())
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

    /// An empty room carrying the months up to `until`.
    fn room(now: DateTime<Utc>, until: DateTime<Utc>) -> Room {
        Room {
            spans: Vec::new(),
            budget_used: Room::months(now, until)
                .into_iter()
                .map(|m| (m, 0))
                .collect(),
        }
    }

    /// What the room holds at `t`: (leases, compute, memory).
    fn held_at(room: &Room, t: DateTime<Utc>) -> (i64, i64, i64) {
        room.spans
            .iter()
            .filter(|s| s.holds_at(t))
            .fold((0, 0, 0), |(l, c, m), s| {
                (l + s.leases, c + s.compute, m + s.memory)
            })
    }

    #[test]
    fn each_admitted_request_counts_against_the_next() {
        let policy = TenantPolicy {
            max_live_compute_slices: Some(5),
            ..TenantPolicy::default()
        };
        let (now, end) = (at("2026-06-01T00:00:00Z"), at("2026-06-01T01:00:00Z"));
        let mut room = room(now, end);
        room.admit(&policy, &shapes("2g.20gb"), 2, now, end)
            .unwrap();
        assert_eq!(held_at(&room, now), (1, 4, 40));
        let refused = room
            .admit(&policy, &shapes("2g.20gb"), 1, now, end)
            .unwrap_err();
        assert!(
            matches!(refused, Refusal::Quota(ref m)
                if m.contains("max_live_compute_slices (5 compute slices)")
                    && m.contains("at 2026-06-01T00:00:00Z the tenant holds or has booked 4")),
            "{refused}"
        );
        room.admit(&policy, &shapes("1g.10gb"), 1, now, end)
            .unwrap();
        assert_eq!(held_at(&room, now).1, 5);
    }

    #[test]
    fn quota_holds_at_every_instant_of_a_window_not_across_disjoint_ones() {
        let policy = TenantPolicy {
            max_live_compute_slices: Some(7),
            max_live_leases: Some(1),
            ..TenantPolicy::default()
        };
        let now = at("2026-06-01T00:00:00Z");
        let mut room = room(now, at("2026-06-03T00:00:00Z"));
        let full = shapes("7g.80gb");
        // Two bookings at the full quota, one after the other: both fit.
        let (a, b) = (at("2026-06-01T10:00:00Z"), at("2026-06-01T12:00:00Z"));
        room.admit(&policy, &full, 1, a, b).unwrap();
        room.admit(&policy, &full, 1, b, at("2026-06-01T14:00:00Z"))
            .unwrap();
        // One overlapping the second's last hour: refused, naming the first instant over.
        let refused = room
            .admit(
                &policy,
                &shapes("1g.10gb"),
                1,
                at("2026-06-01T11:00:00Z"),
                b,
            )
            .unwrap_err();
        assert!(
            matches!(refused, Refusal::Quota(ref m)
                if m.contains("max_live_leases") && m.contains("at 2026-06-01T11:00:00Z")),
            "{refused}"
        );
        // On demand now, running into the first booking: refused at the booking's start.
        let refused = room
            .admit(
                &policy,
                &shapes("1g.10gb"),
                1,
                now,
                at("2026-06-01T10:30:00Z"),
            )
            .unwrap_err();
        assert!(
            matches!(refused, Refusal::Quota(ref m) if m.contains("at 2026-06-01T10:00:00Z")),
            "{refused}"
        );
        // On demand ending before it: free.
        room.admit(&policy, &shapes("7g.80gb"), 1, now, a).unwrap();
    }

    #[test]
    fn an_extension_is_refused_where_it_meets_a_booking_at_full_quota() {
        let policy = TenantPolicy {
            max_live_memory_gib: Some(80),
            ..TenantPolicy::default()
        };
        let now = at("2026-06-01T00:00:00Z");
        let lease = LeaseId::new();
        let ends = at("2026-06-01T01:00:00Z");
        let mut room = room(now, at("2026-06-02T00:00:00Z"));
        room.spans.push(Span {
            lease: Some(lease),
            from: now,
            until: Some(ends),
            leases: 1,
            compute: 3,
            memory: 40,
        });
        let booking = at("2026-06-01T02:00:00Z");
        room.admit(
            &policy,
            &shapes("3g.40gb"),
            1,
            booking,
            at("2026-06-01T03:00:00Z"),
        )
        .unwrap();
        let to = |t: &str| (ends, at(t));
        assert!(
            room.admit_extension(&policy, lease, (3, 40), to("2026-06-01T02:00:00Z"))
                .is_ok()
        );
        let refused = room
            .admit_extension(&policy, lease, (3, 41), to("2026-06-01T02:00:01Z"))
            .unwrap_err();
        assert!(
            matches!(refused, Refusal::Quota(ref m)
                if m.contains("max_live_memory_gib") && m.contains("at 2026-06-01T02:00:00Z")),
            "{refused}"
        );
    }

    #[test]
    fn a_queued_lease_keeps_its_lease_but_gives_back_its_slices() {
        let policy = TenantPolicy::default();
        let (now, end) = (at("2026-06-01T00:00:00Z"), at("2026-06-01T01:00:00Z"));
        let mut room = room(now, end);
        let taken = room
            .admit(&policy, &shapes("3g.40gb"), 1, now, end)
            .unwrap();
        room.give_back(taken);
        assert_eq!(held_at(&room, now), (1, 0, 0));
        assert_eq!(held_at(&room, end), (1, 0, 0), "queued: held until granted");
    }

    #[test]
    fn the_budget_names_the_duration_and_charges_each_month_its_own_time() {
        let policy = TenantPolicy {
            monthly_budget_slice_hours: Some(10),
            ..TenantPolicy::default()
        };
        let now = at("2026-06-10T00:00:00Z");
        let mut room = room(now, at("2026-08-01T00:00:00Z"));
        room.budget_used[0].1 = 9 * 3600;
        // 30 minutes of a 2-slice profile: one compute-slice-hour; fits exactly.
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
                ref detail
            }) if detail.starts_with("2026-06")
        ));
        // One second of June is still over June's budget.
        let e = room.admit(
            &policy,
            &shapes("1g.10gb"),
            1,
            at("2026-06-30T23:59:59Z"),
            at("2026-07-05T00:00:00Z"),
        );
        assert!(e.is_err());
        // A booking in July is July's: 10 hours fit there, and a second is over.
        room.admit(
            &policy,
            &shapes("1g.10gb"),
            1,
            at("2026-07-01T00:00:00Z"),
            at("2026-07-01T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(room.budget_used[1].1, 10 * 3600);
        let e = room.admit(
            &policy,
            &shapes("1g.10gb"),
            1,
            at("2026-07-20T00:00:00Z"),
            at("2026-07-20T00:00:01Z"),
        );
        assert!(
            matches!(e, Err(Refusal::Budget { ref detail, .. }) if detail.starts_with("2026-07"))
        );
    }

    #[test]
    fn a_window_straddling_months_is_split_between_them_and_refunded_whole() {
        let policy = TenantPolicy {
            monthly_budget_slice_hours: Some(100),
            ..TenantPolicy::default()
        };
        let now = at("2026-06-10T00:00:00Z");
        let mut room = room(now, at("2026-07-31T00:00:00Z"));
        let taken = room
            .admit(
                &policy,
                &shapes("2g.20gb"),
                1,
                at("2026-06-30T22:00:00Z"),
                at("2026-07-01T03:00:00Z"),
            )
            .unwrap();
        let used: Vec<i64> = room.budget_used.iter().map(|(_, u)| *u).collect();
        assert_eq!(used, [2 * 2 * 3600, 2 * 3 * 3600]);
        room.give_back(taken);
        assert!(room.budget_used.iter().all(|(_, u)| *u == 0));
        // Reaching past the months the room carries is refused, not left uncharged.
        let e = room.admit(
            &policy,
            &shapes("1g.10gb"),
            1,
            at("2026-07-31T23:00:00Z"),
            at("2026-08-01T01:00:00Z"),
        );
        assert!(matches!(e, Err(Refusal::Budget { .. })));
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
