//! Queries of the lifecycle jobs (expiry, idle reclamation, host liveness). Candidates are read
//! without locks; each is then handled in its own transaction that locks the lease with
//! `SKIP LOCKED` and re-checks, so every replica can run every job at once.

use super::Tx;
use chrono::{DateTime, Utc};
use slicebroker_types::{HostId, LeaseId, SliceId};
use sqlx::PgExecutor;

/// Live leases whose end has come.
pub async fn expired(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<LeaseId>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM leases WHERE state IN ('provisioning', 'active') AND ends_at <= now()
         ORDER BY ends_at LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}

/// Whether the lease is still live and past its end (re-checked under its lock).
pub async fn is_expired(tx: &mut Tx<'_>, id: LeaseId) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM leases WHERE id = $1
               AND state IN ('provisioning', 'active') AND ends_at <= now()) AS "due!""#,
        id.get()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.due)
}

/// Active leases ending within `within` seconds that have not had their `expiring` event for
/// their current end.
pub async fn expiring(
    db: impl PgExecutor<'_>,
    within: i64,
    limit: i64,
) -> Result<Vec<LeaseId>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT l.id FROM leases l
         WHERE l.state = 'active' AND l.ends_at > now()
             AND l.ends_at <= now() + make_interval(secs => $1::bigint::double precision)
             AND l.expiry_warned_for IS DISTINCT FROM l.ends_at
         ORDER BY l.ends_at LIMIT $2",
        within,
        limit
    )
    .fetch_all(db)
    .await
}

/// The soonest end of a live lease: when the expiry job next has work.
pub async fn next_end(db: impl PgExecutor<'_>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        "SELECT min(ends_at) AS next FROM leases WHERE state IN ('provisioning', 'active')"
    )
    .fetch_one(db)
    .await?;
    Ok(r.next)
}

/// How long an active lease has been idle, from what its agents reported.
#[derive(Clone, Debug)]
pub struct Idle {
    pub id: LeaseId,
    pub idle_timeout_seconds: i64,
    /// Since when no slice of the lease ran a process or showed activity (activation if never;
    /// never before its window's start: a booking activated in its lead is not idle then).
    pub idle_since: DateTime<Utc>,
    pub idle_seconds: i64,
    /// An `idle_warning` was recorded during this idle period.
    pub warned: bool,
}

/// Active leases idle for at least `percent` % of their timeout, on hosts that report.
pub async fn idle(
    db: impl PgExecutor<'_>,
    lease: Option<LeaseId>,
    percent: i64,
    limit: i64,
) -> Result<Vec<Idle>, sqlx::Error> {
    sqlx::query_as!(
        Idle,
        r#"WITH idle AS (
               SELECT l.id, l.idle_timeout_seconds,
                   greatest(l.activated_at, l.granted_at, max(s.last_active_at)) AS idle_since
               FROM leases l JOIN slices s ON s.lease_id = l.id AND s.released_at IS NULL
                   JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
               WHERE l.state = 'active' AND ($1::uuid IS NULL OR l.id = $1)
               GROUP BY l.id
               HAVING bool_and(h.unreachable_since IS NULL)
           )
           SELECT i.id AS "id!: LeaseId", i.idle_timeout_seconds AS "idle_timeout_seconds!",
               i.idle_since AS "idle_since!",
               extract(epoch FROM now() - i.idle_since)::bigint AS "idle_seconds!",
               coalesce(l.idle_warned_at >= i.idle_since, false) AS "warned!"
           FROM idle i JOIN leases l ON l.id = i.id
           WHERE extract(epoch FROM now() - i.idle_since) * 100
               >= i.idle_timeout_seconds::numeric * $2::bigint
           ORDER BY i.idle_since LIMIT $3"#,
        lease.map(LeaseId::get),
        percent,
        limit
    )
    .fetch_all(db)
    .await
}

/// Hosts whose agent has not been heard from for `after_ms`: marked unreachable now.
pub async fn mark_unreachable(
    db: impl PgExecutor<'_>,
    after_ms: i64,
) -> Result<Vec<(HostId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "UPDATE hosts h SET unreachable_since = now()
         FROM host_heartbeats b
         WHERE b.host_id = h.id AND h.agent_enrolled_at IS NOT NULL
             AND h.unreachable_since IS NULL
             AND b.last_seen_at < now() - make_interval(secs => $1::bigint::double precision / 1000)
         RETURNING h.id, h.name",
        after_ms
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Leases still live on hosts unreachable for longer than `after_ms`.
pub async fn leases_on_lost_hosts(
    db: impl PgExecutor<'_>,
    after_ms: i64,
    limit: i64,
) -> Result<Vec<LeaseId>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT DISTINCT l.id FROM leases l JOIN slices s ON s.lease_id = l.id
               JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
           WHERE l.state IN ('provisioning', 'active', 'releasing') AND s.released_at IS NULL
               AND h.unreachable_since
                   < now() - make_interval(secs => $1::bigint::double precision / 1000)
           LIMIT $2"#,
        after_ms,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Whether the lease still has a live slice on a host lost for longer than `after_ms`.
pub async fn is_on_lost_host(
    tx: &mut Tx<'_>,
    id: LeaseId,
    after_ms: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM slices s JOIN gpus g ON g.id = s.gpu_id
               JOIN hosts h ON h.id = g.host_id
           WHERE s.lease_id = $1 AND s.released_at IS NULL
               AND h.unreachable_since
                   < now() - make_interval(secs => $2::bigint::double precision / 1000))
           AS "lost!""#,
        id.get(),
        after_ms
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.lost)
}

/// A booked slice on a GPU that can no longer be placed on: cordoned (the GPU or its host) or
/// on a host lost for longer than `lost_after_ms`.
#[derive(Debug)]
pub struct UnusableBooking {
    pub lease_id: LeaseId,
    pub slice_id: SliceId,
    /// `host_lost`, `host_cordoned` or `gpu_cordoned`.
    pub reason: String,
    /// Whether the booking's last placement event is `at_risk` (it was warned already).
    pub warned: bool,
}

/// Booked slices on unusable GPUs, of every booking or of one (`lease`), bookings in start
/// order (at most `limit` slices); a booking that found no other place before is left out until
/// its backoff is over (`leases::rebook_later`).
pub async fn unusable_bookings(
    db: impl PgExecutor<'_>,
    lease: Option<LeaseId>,
    lost_after_ms: i64,
    limit: i64,
) -> Result<Vec<UnusableBooking>, sqlx::Error> {
    sqlx::query_as!(
        UnusableBooking,
        r#"SELECT l.id AS "lease_id!: LeaseId", s.id AS "slice_id!: SliceId",
               CASE WHEN h.unreachable_since
                       < now() - make_interval(secs => $2::bigint::double precision / 1000)
                   THEN 'host_lost'
                   WHEN NOT h.schedulable THEN 'host_cordoned'
                   ELSE 'gpu_cordoned' END AS "reason!",
               coalesce((SELECT e.kind = 'at_risk' FROM lease_events e
                   WHERE e.lease_id = l.id AND e.kind IN ('booked', 'rebooked', 'at_risk')
                   ORDER BY e.id DESC LIMIT 1), false) AS "warned!"
           FROM leases l JOIN slices s ON s.lease_id = l.id
               JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
           WHERE l.state = 'booked' AND s.released_at IS NULL
               AND ($1::uuid IS NULL OR l.id = $1)
               AND (l.rebook_next_at IS NULL OR l.rebook_next_at <= now())
               AND (NOT g.schedulable OR NOT h.schedulable
                    OR h.unreachable_since
                        < now() - make_interval(secs => $2::bigint::double precision / 1000))
           ORDER BY l.granted_at, l.id, s.id LIMIT $3"#,
        lease.map(LeaseId::get),
        lost_after_ms,
        limit
    )
    .fetch_all(db)
    .await
}
