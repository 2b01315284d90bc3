//! What `/metrics` reads from the database at scrape time: the live slices as the agents last
//! reported them, each tenant's holding against its quota and budget, GPUs by state, hosts'
//! agents, GPU health, the pending queue and leases by state. Every query is bounded by what is
//! live or present (an index on live slices, live leases, pending leases, enrolled hosts, or
//! one row per GPU) except the fleet-wide lease count by state, which reads every lease (as it
//! always has).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// A slice of an active lease as its agent last reported it.
#[derive(Debug)]
pub struct SliceGauge {
    pub host: String,
    /// NVML's GPU UUID.
    pub gpu: String,
    pub model: String,
    pub profile: String,
    pub start: i32,
    pub size: i32,
    pub tenant: String,
    pub processes: i64,
    pub memory_used_mib: Option<i64>,
    pub activity: Option<f64>,
    /// The last report saw compute processes, or activity where the GPU measures it.
    pub busy: bool,
    /// Since it was last seen busy, or since its lease's activation if never.
    pub idle_seconds: f64,
}

/// The slices of active leases: one scan of the live-slice index, joined to their lease,
/// tenant, GPU and host. Unordered: Prometheus does not care, and sorting 30,000 rows spilled
/// to disk at the default `work_mem`.
pub async fn slices(db: impl PgExecutor<'_>) -> Result<Vec<SliceGauge>, sqlx::Error> {
    sqlx::query_as!(
        SliceGauge,
        r#"SELECT h.name AS "host!", g.uuid AS "gpu!", g.model AS "model!", s.profile AS "profile!",
               s.start AS "start!", s.size AS "size!", t.name AS "tenant!",
               jsonb_array_length(s.processes)::bigint AS "processes!",
               s.memory_used_mib, s.activity,
               coalesce(s.last_active_at >= s.observed_at, false) AS "busy!",
               greatest(0, extract(epoch FROM now()
                   - coalesce(greatest(s.last_active_at, l.activated_at, l.granted_at), now())))::float8
                   AS "idle_seconds!"
           FROM slices s
           JOIN leases l ON l.id = s.lease_id AND l.state = 'active'
           JOIN tenants t ON t.id = s.tenant_id
           JOIN gpus g ON g.id = s.gpu_id
           JOIN hosts h ON h.id = g.host_id
           WHERE s.released_at IS NULL"#
    )
    .fetch_all(db)
    .await
}

/// One tenant's holding, quota and this month's budget use.
#[derive(Debug)]
pub struct TenantGauge {
    pub tenant: String,
    pub live_slices: i64,
    pub live_compute_slices: i64,
    pub max_live_compute_slices: Option<i32>,
    pub max_live_leases: Option<i32>,
    /// In compute-slice-hours.
    pub monthly_budget: Option<i64>,
    /// Compute-slice-seconds committed in the month: the budget check's figure
    /// (`store::usage::committed_compute_seconds`), through the same SQL function
    /// `slice_budget_seconds`.
    pub budget_used_seconds: i64,
}

/// Every tenant's gauges in one statement: the live slices through the live-slice index, the
/// month's use through the slices live or released since `month_start`.
pub async fn tenants(
    db: impl PgExecutor<'_>,
    month_start: DateTime<Utc>,
    month_end: DateTime<Utc>,
) -> Result<Vec<TenantGauge>, sqlx::Error> {
    sqlx::query_as!(
        TenantGauge,
        r#"SELECT t.name AS "tenant!", coalesce(live.slices, 0)::bigint AS "live_slices!",
               coalesce(live.compute, 0)::bigint AS "live_compute_slices!",
               t.max_live_compute_slices, t.max_live_leases,
               t.monthly_budget_slice_hours AS monthly_budget,
               coalesce(used.seconds, 0)::bigint AS "budget_used_seconds!"
           FROM tenants t
           LEFT JOIN (
               SELECT tenant_id, count(*) AS slices, sum(compute_slices) AS compute
               FROM slices WHERE released_at IS NULL GROUP BY tenant_id
           ) live ON live.tenant_id = t.id
           LEFT JOIN (
               SELECT l.tenant_id, sum(slice_budget_seconds(s.compute_slices, s.created_at,
                       s.released_at, l.ends_at, l.ended_at, $1, $2)) AS seconds
               FROM slices s JOIN leases l ON l.id = s.lease_id
               WHERE (s.released_at IS NULL OR s.released_at > $1) AND s.created_at < $2
               GROUP BY l.tenant_id
           ) used ON used.tenant_id = t.id
           ORDER BY t.name"#,
        month_start,
        month_end,
    )
    .fetch_all(db)
    .await
}

/// Live (not ended) leases per tenant and state, through the live-lease index.
pub async fn tenant_leases(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT t.name AS "tenant!", l.state::text AS "state!", count(*) AS "n!"
           FROM leases l JOIN tenants t ON t.id = l.tenant_id
           WHERE l.state <> 'ended'
           GROUP BY t.name, l.state ORDER BY 1, 2"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tenant, r.state, r.n)).collect())
}

/// Every lease by state and, for ended ones, reason. Leases are never deleted, so the ended
/// counts only grow: they are counters of transitions to `ended` by reason.
pub async fn leases(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(String, Option<String>, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT state::text AS "state!", end_reason::text AS reason, count(*) AS "n!"
           FROM leases GROUP BY state, end_reason ORDER BY 1, 2"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.state, r.reason, r.n)).collect())
}

/// Lease state transitions by (from, to, kind) since the database was created: the folded
/// totals plus the deltas not folded yet. `from` is `none` for a lease's first event.
pub async fn transitions(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(String, String, String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT from_state AS "from!", to_state AS "to!", kind AS "kind!",
               sum(n)::bigint AS "n!"
           FROM (SELECT from_state, to_state, kind, n FROM lease_transition_totals
                 UNION ALL
                 SELECT from_state, to_state, kind, n FROM lease_transition_deltas) t
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.from, r.to, r.kind, r.n))
        .collect())
}

/// Folds the transition deltas the trigger on `lease_events` appended into their totals, so
/// that the deltas stay a few rows (the lifecycle pass calls it). One replica at a time (a
/// transaction-scoped advisory lock; the others skip): each delta moves exactly once, and
/// writers, which only append deltas, never wait for it. Returns the deltas folded.
pub async fn fold_transitions(tx: &mut super::Tx<'_>) -> Result<u64, sqlx::Error> {
    let locked = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext('lease_transition_totals')) AS "locked!""#
    )
    .fetch_one(&mut **tx)
    .await?;
    if !locked {
        return Ok(0);
    }
    let r = sqlx::query!(
        r#"WITH d AS (DELETE FROM lease_transition_deltas RETURNING from_state, to_state, kind, n),
           f AS (
               INSERT INTO lease_transition_totals AS t (from_state, to_state, kind, n)
               SELECT from_state, to_state, kind, sum(n) FROM d
               GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
               ON CONFLICT (from_state, to_state, kind) DO UPDATE SET n = t.n + excluded.n
           )
           SELECT count(*) AS "n!" FROM d"#
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.n as u64)
}

/// GPUs of present hosts per model and state; one state each, the first that holds of
/// `unreachable`, `cordoned`, `mig_disabled`, `geometry_mismatch`, else `schedulable`.
pub async fn gpus(db: impl PgExecutor<'_>) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT g.model AS "model!",
               CASE WHEN h.unreachable_since IS NOT NULL THEN 'unreachable'
                    WHEN NOT (g.schedulable AND h.schedulable) THEN 'cordoned'
                    WHEN NOT g.mig_enabled THEN 'mig_disabled'
                    WHEN NOT g.geometry_matches_catalog THEN 'geometry_mismatch'
                    ELSE 'schedulable' END AS "state!",
               count(*) AS "n!"
           FROM gpus g JOIN hosts h ON h.id = g.host_id
           WHERE h.removed_at IS NULL
           GROUP BY 1, 2 ORDER BY 1, 2"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.model, r.state, r.n)).collect())
}

/// A present host with an enrolled agent.
#[derive(Debug)]
pub struct HostGauge {
    pub host: String,
    pub unreachable: bool,
    /// Seconds since its agent's last accepted report; `None` before the first.
    pub report_age: Option<f64>,
    /// Generations made that its agent has not yet reported applied.
    pub generation_lag: i64,
    /// How long the newest generation has waited for its agent (0 when caught up).
    pub reconcile_behind: f64,
}

pub async fn hosts(db: impl PgExecutor<'_>) -> Result<Vec<HostGauge>, sqlx::Error> {
    sqlx::query_as!(
        HostGauge,
        r#"SELECT h.name AS "host!", h.unreachable_since IS NOT NULL AS "unreachable!",
               CASE WHEN b.last_report_at IS NOT NULL
                    THEN greatest(0, extract(epoch FROM now() - b.last_report_at))::float8
               END AS report_age,
               greatest(0, h.desired_generation - coalesce(b.observed_generation, 0))
                   AS "generation_lag!",
               CASE WHEN coalesce(b.observed_generation, 0) < h.desired_generation
                    THEN greatest(0, extract(epoch FROM now()
                        - coalesce(h.desired_changed_at, h.agent_enrolled_at)))::float8
                    ELSE 0 END AS "reconcile_behind!"
           FROM hosts h LEFT JOIN host_heartbeats b ON b.host_id = h.id
           WHERE h.removed_at IS NULL AND h.agent_enrolled_at IS NOT NULL
           ORDER BY h.name"#
    )
    .fetch_all(db)
    .await
}

/// Pending leases and how long the oldest has waited (seconds), through the queue's index.
pub async fn pending(db: impl PgExecutor<'_>) -> Result<(i64, f64), sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "n!",
               coalesce(greatest(0, extract(epoch FROM now() - min(created_at))), 0)::float8
                   AS "oldest!"
           FROM leases WHERE state = 'pending'"#
    )
    .fetch_one(db)
    .await?;
    Ok((r.n, r.oldest))
}

/// A GPU of a present host with the health readings its agent last reported.
#[derive(Debug)]
pub struct GpuHealthGauge {
    pub host: String,
    /// NVML's GPU UUID.
    pub gpu: String,
    pub model: String,
    pub temperature_c: Option<i32>,
    pub power_mw: Option<i32>,
    pub ecc_volatile_corrected: Option<i64>,
    pub ecc_volatile_uncorrected: Option<i64>,
    pub ecc_aggregate_corrected: Option<i64>,
    pub ecc_aggregate_uncorrected: Option<i64>,
    /// Names from the closed set (`ThrottleReason`, a check constraint).
    pub throttle_reasons: Option<Vec<String>>,
    pub xids_dropped: i64,
}

/// The health readings of the GPUs of present hosts: one row per GPU that reported them.
pub async fn gpu_health(db: impl PgExecutor<'_>) -> Result<Vec<GpuHealthGauge>, sqlx::Error> {
    sqlx::query_as!(
        GpuHealthGauge,
        r#"SELECT h.name AS "host!", g.uuid AS "gpu!", g.model AS "model!", r.temperature_c,
               r.power_mw, r.ecc_volatile_corrected, r.ecc_volatile_uncorrected,
               r.ecc_aggregate_corrected, r.ecc_aggregate_uncorrected, r.throttle_reasons,
               r.xids_dropped
           FROM gpu_health r JOIN gpus g ON g.id = r.gpu_id JOIN hosts h ON h.id = g.host_id
           WHERE h.removed_at IS NULL
           ORDER BY h.name, g.device_index"#
    )
    .fetch_all(db)
    .await
}

/// XIDs recorded per GPU of a present host and `xid` label (a fatal XID's number or `other`):
/// at most 11 rows per GPU, only those that ever had one.
pub async fn gpu_xids(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(String, String, String, String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT h.name AS "host!", g.uuid AS "gpu!", g.model AS "model!", t.xid, t.n
           FROM gpu_xid_totals t JOIN gpus g ON g.id = t.gpu_id JOIN hosts h ON h.id = g.host_id
           WHERE h.removed_at IS NULL
           ORDER BY h.name, g.device_index, t.xid"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.host, r.gpu, r.model, r.xid, r.n))
        .collect())
}
