//! Queries of the lifecycle jobs (expiry, idle reclamation, host liveness). Candidates are read
//! without locks; each is then handled in its own transaction that locks the lease with
//! `SKIP LOCKED` and re-checks, so every replica can run every job at once.

use super::Tx;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Locks a lease for a job unless another transaction holds it; returns its state.
pub async fn try_lock(tx: &mut Tx<'_>, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT state::text AS "state!" FROM leases WHERE id = $1 FOR UPDATE SKIP LOCKED"#,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.state))
}

/// Live leases whose end has come.
pub async fn expired(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<Uuid>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id FROM leases WHERE state IN ('provisioning', 'active') AND ends_at <= now()
         ORDER BY ends_at LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Whether the lease is still live and past its end (re-checked under its lock).
pub async fn is_expired(tx: &mut Tx<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM leases WHERE id = $1
               AND state IN ('provisioning', 'active') AND ends_at <= now()) AS "due!""#,
        id
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
) -> Result<Vec<Uuid>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT l.id FROM leases l
         WHERE l.state = 'active' AND l.ends_at > now()
             AND l.ends_at <= now() + make_interval(secs => $1::bigint::double precision)
             AND l.expiry_warned_for IS DISTINCT FROM l.ends_at
         ORDER BY l.ends_at LIMIT $2",
        within,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Claims the `expiring` warning of a lease for its current end, unless another transaction
/// holds the lease or has claimed it: the end to warn about, once per lease and end, whichever
/// replica asks.
pub async fn claim_expiry_warning(
    tx: &mut Tx<'_>,
    id: Uuid,
    within: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE leases SET expiry_warned_for = ends_at
           WHERE id = (SELECT id FROM leases WHERE id = $1 FOR UPDATE SKIP LOCKED)
               AND state = 'active' AND ends_at > now()
               AND ends_at <= now() + make_interval(secs => $2::bigint::double precision)
               AND expiry_warned_for IS DISTINCT FROM ends_at
           RETURNING ends_at AS "ends_at!""#,
        id,
        within
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.ends_at))
}

/// Claims the `idle_warning` of the idle period that began at `idle_since`: true once per
/// period, whichever replica asks. The caller holds the lease's row lock.
pub async fn claim_idle_warning(
    tx: &mut Tx<'_>,
    id: Uuid,
    idle_since: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE leases SET idle_warned_at = now()
         WHERE id = $1 AND state = 'active'
             AND (idle_warned_at IS NULL OR idle_warned_at < $2)",
        id,
        idle_since
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
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
    pub id: Uuid,
    pub idle_timeout_seconds: i64,
    /// Since when no slice of the lease ran a process or showed activity (activation if never).
    pub idle_since: DateTime<Utc>,
    pub idle_seconds: i64,
    /// An `idle_warning` was recorded during this idle period.
    pub warned: bool,
}

/// Active leases idle for at least `percent` % of their timeout, on hosts that report.
pub async fn idle(
    db: impl PgExecutor<'_>,
    lease: Option<Uuid>,
    percent: i64,
    limit: i64,
) -> Result<Vec<Idle>, sqlx::Error> {
    sqlx::query_as!(
        Idle,
        r#"WITH idle AS (
               SELECT l.id, l.idle_timeout_seconds,
                   greatest(l.activated_at, max(s.last_active_at)) AS idle_since
               FROM leases l JOIN slices s ON s.lease_id = l.id AND s.released_at IS NULL
                   JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
               WHERE l.state = 'active' AND ($1::uuid IS NULL OR l.id = $1)
               GROUP BY l.id
               HAVING bool_and(h.unreachable_since IS NULL)
           )
           SELECT i.id AS "id!", i.idle_timeout_seconds AS "idle_timeout_seconds!",
               i.idle_since AS "idle_since!",
               extract(epoch FROM now() - i.idle_since)::bigint AS "idle_seconds!",
               coalesce(l.idle_warned_at >= i.idle_since, false) AS "warned!"
           FROM idle i JOIN leases l ON l.id = i.id
           WHERE extract(epoch FROM now() - i.idle_since) * 100
               >= i.idle_timeout_seconds::numeric * $2::bigint
           ORDER BY i.idle_since LIMIT $3"#,
        lease,
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
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "UPDATE hosts SET unreachable_since = now()
         WHERE agent_enrolled_at IS NOT NULL AND unreachable_since IS NULL
             AND last_seen_at < now() - make_interval(secs => $1::bigint::double precision / 1000)
         RETURNING id, name",
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
) -> Result<Vec<Uuid>, sqlx::Error> {
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
    id: Uuid,
    after_ms: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM slices s JOIN gpus g ON g.id = s.gpu_id
               JOIN hosts h ON h.id = g.host_id
           WHERE s.lease_id = $1 AND s.released_at IS NULL
               AND h.unreachable_since
                   < now() - make_interval(secs => $2::bigint::double precision / 1000))
           AS "lost!""#,
        id,
        after_ms
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.lost)
}

/// `→ ended` on a lost host, keeping the slices marked taken (the agent destroys them when it
/// comes back, and its report releases them). The reason is the one the lease was being
/// released for, if it was (`released`, `expired`, …: what the owner or the policy did), else
/// `host_lost`. `None` if the lease had already ended: then nothing is written.
pub async fn end_keeping_slices(tx: &mut Tx<'_>, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE leases SET state = 'ended',
               end_reason = coalesce(release_reason, 'host_lost'), ended_at = now()
           WHERE id = $1 AND state IN ('provisioning', 'active', 'releasing')
           RETURNING end_reason::text AS "reason!""#,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.reason))
}
