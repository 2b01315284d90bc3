//! The lease state machine of DESIGN.md §3. The same table lives in SQL
//! (`lease_transitions`, `migrations/0001_init.sql`); a server store test checks they agree.

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "lease_state", rename_all = "snake_case")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseState {
    /// Booked ahead: its window starts later, its placement is pinned; the agent is told at
    /// `starts_at` minus a short lead.
    Booked,
    /// Waiting for capacity.
    Pending,
    /// Placement chosen; the agent is creating the instance.
    Provisioning,
    /// The instance exists and is usable.
    Active,
    /// Being torn down.
    Releasing,
    /// Over; see `end_reason`.
    Ended,
}

impl LeaseState {
    pub const ALL: [LeaseState; 6] = [
        Self::Booked,
        Self::Pending,
        Self::Provisioning,
        Self::Active,
        Self::Releasing,
        Self::Ended,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Pending => "pending",
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Releasing => "releasing",
            Self::Ended => "ended",
        }
    }

    /// Holds capacity: counts against quota and occupies memory slices.
    pub const fn is_live(self) -> bool {
        !matches!(self, Self::Ended)
    }

    /// The states from which `to` may be entered.
    pub fn allowed_from(to: LeaseState) -> Vec<LeaseState> {
        TRANSITIONS
            .iter()
            .filter(|(_, t)| *t == to)
            .map(|(f, _)| *f)
            .collect()
    }

    pub fn can_become(self, to: LeaseState) -> bool {
        TRANSITIONS.contains(&(self, to))
    }
}

impl fmt::Display for LeaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for LeaseState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown state `{s}`; valid states: booked, pending, provisioning, active, releasing, ended"
                )
            })
    }
}

/// Every legal `(from, to)` pair.
pub const TRANSITIONS: [(LeaseState, LeaseState); 10] = {
    use LeaseState::*;
    [
        (Booked, Provisioning),
        (Booked, Ended),
        (Pending, Provisioning),
        (Pending, Ended),
        (Provisioning, Active),
        (Provisioning, Releasing),
        (Provisioning, Ended),
        (Active, Releasing),
        (Active, Ended),
        (Releasing, Ended),
    ]
};

/// Why a lease ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "lease_end_reason", rename_all = "snake_case")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Released,
    Expired,
    ReclaimedIdle,
    Revoked,
    Failed,
    Cancelled,
    HostLost,
}

impl EndReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Released => "released",
            Self::Expired => "expired",
            Self::ReclaimedIdle => "reclaimed_idle",
            Self::Revoked => "revoked",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::HostLost => "host_lost",
        }
    }

    pub const ALL: [EndReason; 7] = [
        Self::Released,
        Self::Expired,
        Self::ReclaimedIdle,
        Self::Revoked,
        Self::Failed,
        Self::Cancelled,
        Self::HostLost,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to a lease, as its history (`GET /v1/leases/{id}/events`) records it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "lease_event_kind", rename_all = "snake_case")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaseEventKind {
    /// Placed: `provisioning` (from the request, or from the pending queue).
    Granted,
    /// Nothing fitted and the request asked to wait: `pending`.
    Queued,
    /// The agent made every slice: `active`; the paid-for time runs from here.
    Activated,
    /// The end moved later.
    Extended,
    /// Its owner gave it back: `releasing`.
    Released,
    /// An admin took it back: `releasing`.
    Revoked,
    /// It ends soon (a configurable time before `ends_at`).
    Expiring,
    /// Its time ran out: `releasing`.
    Expired,
    /// It has been idle for a share of its idle timeout.
    IdleWarning,
    /// It stayed idle for its idle timeout: `releasing`.
    ReclaimedIdle,
    /// The agent could not make a slice: `releasing`. Or a booking's start came while its
    /// placement was unusable and no other was free: `ended`, with the at-risk reason.
    Failed,
    /// Cancelled while `pending` (by its owner, or because the tenant's policy changed).
    Cancelled,
    /// Its host stopped reporting for longer than the lost timeout: `ended`.
    HostLost,
    /// The slices are gone: `ended`.
    Ended,
    /// The agent keeps failing to destroy a slice (recorded once per distinct reason).
    TeardownError,
    /// Booked ahead: `booked`, its placement pinned for its window.
    Booked,
    /// Its start is near: `provisioning`, the agent is told to make its slices.
    Starting,
    /// Its pinned placement was moved to another one free for its window.
    Rebooked,
    /// Its pinned placement is on a lost host or a cordoned GPU and no other is free for its
    /// window; tried again with a backoff, it fails at its start if still nothing is free.
    AtRisk,
    /// A fatal XID hit one of its GPU instances (or the whole GPU). The lease keeps running:
    /// the instance may no longer compute correctly, so its owner is told and decides.
    InstanceError,
}

impl LeaseEventKind {
    pub const ALL: [LeaseEventKind; 20] = [
        Self::Granted,
        Self::Queued,
        Self::Activated,
        Self::Extended,
        Self::Released,
        Self::Revoked,
        Self::Expiring,
        Self::Expired,
        Self::IdleWarning,
        Self::ReclaimedIdle,
        Self::Failed,
        Self::Cancelled,
        Self::HostLost,
        Self::Ended,
        Self::TeardownError,
        Self::Booked,
        Self::Starting,
        Self::Rebooked,
        Self::AtRisk,
        Self::InstanceError,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Queued => "queued",
            Self::Activated => "activated",
            Self::Extended => "extended",
            Self::Released => "released",
            Self::Revoked => "revoked",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::IdleWarning => "idle_warning",
            Self::ReclaimedIdle => "reclaimed_idle",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::HostLost => "host_lost",
            Self::Ended => "ended",
            Self::TeardownError => "teardown_error",
            Self::Booked => "booked",
            Self::Starting => "starting",
            Self::Rebooked => "rebooked",
            Self::AtRisk => "at_risk",
            Self::InstanceError => "instance_error",
        }
    }

    /// The event that records a lease going to `releasing` for `reason`.
    pub const fn releasing(reason: EndReason) -> Self {
        match reason {
            EndReason::Released => Self::Released,
            EndReason::Expired => Self::Expired,
            EndReason::ReclaimedIdle => Self::ReclaimedIdle,
            EndReason::Revoked => Self::Revoked,
            EndReason::Failed => Self::Failed,
            EndReason::Cancelled => Self::Cancelled,
            EndReason::HostLost => Self::HostLost,
        }
    }
}

impl fmt::Display for LeaseEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeaseState::*;

    #[test]
    fn ended_is_terminal_and_every_live_state_can_reach_it() {
        for s in LeaseState::ALL {
            assert!(!Ended.can_become(s));
            if s.is_live() {
                assert!(s.can_become(Ended), "{s} cannot end");
            }
        }
    }

    #[test]
    fn a_lease_never_goes_back() {
        for (from, to) in TRANSITIONS {
            assert!(from < to, "{from} -> {to} goes backwards");
        }
        assert_eq!(LeaseState::allowed_from(Releasing), [Provisioning, Active]);
        assert!(!Active.can_become(Provisioning));
    }

    #[test]
    fn event_kinds_serialise_as_their_names() {
        for k in LeaseEventKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn state_names_round_trip() {
        for s in LeaseState::ALL {
            assert_eq!(s.as_str().parse::<LeaseState>().unwrap(), s);
        }
        assert!(
            "done"
                .parse::<LeaseState>()
                .unwrap_err()
                .contains("valid states")
        );
    }
}
