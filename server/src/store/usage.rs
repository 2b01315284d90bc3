//! Usage from lease intervals: slice-hours, compute-slice-hours, idle-held slice-hours and
//! cost per tenant, GPU model, profile and UTC day. A slice counts from the moment it was
//! granted (its capacity is held from then) until released, or until its lease ended if that
//! came first (a lease lost with its host stops counting although its slice stays taken until
//! the agent comes back). Its idle periods (`slice_idle_periods`, from the agent's reports)
//! count within the same bounds. Days are UTC whatever the session's time zone.

use crate::domain::budget::Month;
use crate::domain::rightsizing::LeaseFacts;
use chrono::{DateTime, Utc};
use slicebroker_types::api::{LeaseUsage, UsageRow};
use slicebroker_types::{LeaseId, TenantId};
use sqlx::PgExecutor;

pub async fn usage(
    db: impl PgExecutor<'_>,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<UsageRow>, sqlx::Error> {
    sqlx::query_as!(
        UsageRow,
        r#"WITH spans AS (
               SELECT s.id, l.tenant_id, t.name AS tenant, s.profile, g.model, s.compute_slices,
                      greatest(s.created_at, $2) AS lo,
                      least(coalesce(s.released_at, now()), coalesce(l.ended_at, now()), $3)
                          AS hi
               FROM slices s JOIN leases l ON l.id = s.lease_id
               JOIN tenants t ON t.id = l.tenant_id JOIN gpus g ON g.id = s.gpu_id
               WHERE ($1::uuid IS NULL OR l.tenant_id = $1)
                 AND s.created_at < $3
                 AND least(coalesce(s.released_at, now()), coalesce(l.ended_at, now())) > $2
           ), held AS (
               -- Times as UTC wall-clock timestamps, so that days are UTC days.
               SELECT sp.tenant_id, sp.tenant, sp.profile, sp.model, sp.compute_slices,
                      sp.lo AT TIME ZONE 'UTC' AS lo, sp.hi AT TIME ZONE 'UTC' AS hi,
                      false AS idle
               FROM spans sp
               UNION ALL
               SELECT sp.tenant_id, sp.tenant, sp.profile, sp.model, sp.compute_slices,
                      greatest(sp.lo, i.started_at) AT TIME ZONE 'UTC',
                      least(sp.hi, coalesce(i.ended_at, now())) AT TIME ZONE 'UTC', true
               FROM spans sp JOIN slice_idle_periods i ON i.slice_id = sp.id
               WHERE i.started_at < sp.hi AND coalesce(i.ended_at, 'infinity') > sp.lo
           ), days AS (
               SELECT h.*, d::date AS day,
                      greatest(h.lo, d) AS dlo, least(h.hi, d + interval '1 day') AS dhi
               FROM held h,
                    generate_series(date_trunc('day', h.lo), h.hi, interval '1 day') d
           ), sums AS (
               SELECT tenant_id, tenant, profile, model, day,
                      coalesce(sum(extract(epoch FROM dhi - dlo)) FILTER (WHERE NOT idle), 0)
                          ::float8 / 3600 AS slice_hours,
                      coalesce(sum(extract(epoch FROM dhi - dlo) * compute_slices)
                                   FILTER (WHERE NOT idle), 0)::float8 / 3600
                          AS compute_slice_hours,
                      coalesce(sum(extract(epoch FROM dhi - dlo)) FILTER (WHERE idle), 0)
                          ::float8 / 3600 AS idle_held_slice_hours
               FROM days WHERE dhi > dlo
               GROUP BY tenant_id, tenant, profile, model, day
           )
           SELECT tenant_id AS "tenant_id!: TenantId", tenant AS "tenant!", profile AS "profile!",
                  model AS "model!", day AS "day!", slice_hours AS "slice_hours!",
                  compute_slice_hours AS "compute_slice_hours!",
                  idle_held_slice_hours AS "idle_held_slice_hours!",
                  coalesce(
                      slice_hours * (SELECT r.per_hour FROM cost_rates r
                                     WHERE r.profile = u.profile
                                       AND (r.model = u.model OR r.model IS NULL)
                                     ORDER BY r.model NULLS LAST LIMIT 1),
                      compute_slice_hours * (SELECT r.per_hour FROM cost_rates r
                                             WHERE r.profile IS NULL
                                               AND (r.model = u.model OR r.model IS NULL)
                                             ORDER BY r.model NULLS LAST LIMIT 1)
                  ) AS "cost?"
           FROM sums u
           ORDER BY tenant, day, model, profile"#,
        tenant.map(TenantId::get),
        from,
        to,
    )
    .fetch_all(db)
    .await
}

/// Compute-slice-seconds the tenant's slices take up in each of `months` (`[start, end)`):
/// released slices for the time they were held, live ones up to their lease's committed end
/// (or now, if that is later), each from its `created_at`, the start of its window (a booking's
/// start: a booking cancelled before it starts costs nothing). See `domain::budget`. The
/// per-slice figure is the SQL function `slice_budget_seconds` (migration 0019), which
/// `/metrics` sums for every tenant at once (`store::metrics::tenants`).
pub async fn committed_compute_seconds(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    months: &[Month],
) -> Result<Vec<i64>, sqlx::Error> {
    let starts: Vec<DateTime<Utc>> = months.iter().map(|m| m.start).collect();
    let ends: Vec<DateTime<Utc>> = months.iter().map(|m| m.end).collect();
    let rows = sqlx::query!(
        r#"SELECT m.i AS "i!", coalesce(sum(slice_budget_seconds(s.compute_slices,
                   s.created_at, s.released_at, l.ends_at, l.ended_at, m.lo, m.hi)), 0)::bigint
                   AS "seconds!"
           FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS m(lo, hi, i)
           LEFT JOIN (slices s JOIN leases l ON l.id = s.lease_id)
             ON l.tenant_id = $1 AND s.created_at < m.hi
                AND (s.released_at IS NULL OR s.released_at > m.lo)
           GROUP BY m.i ORDER BY m.i"#,
        tenant.get(),
        &starts,
        &ends,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.seconds).collect())
}

/// The leases that ended in `[from, to)` having run (activated, and not cancelled before their
/// window began: a booking cancelled, a queued lease revoked never ran) with at least one
/// slice, each with its profile (the
/// lowest-named of its slices', which a lease's slices share unless its class named one per
/// model) and its usage summary (`lease_usage_summary`, migration 0019), for right-sizing.
pub async fn ended_lease_usage(
    db: impl PgExecutor<'_>,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<LeaseFacts>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT l.tenant_id AS "tenant_id!: TenantId", t.name AS "tenant!", l.class,
                  s.model AS "model!", s.profile AS "profile!",
                  s.compute_slices AS "compute_slices!",
                  lease_usage_summary(l.id) AS "usage!"
           FROM leases l JOIN tenants t ON t.id = l.tenant_id
           JOIN LATERAL (
               SELECT g.model, s.profile, s.compute_slices
               FROM slices s JOIN gpus g ON g.id = s.gpu_id
               WHERE s.lease_id = l.id AND NOT s.rebooked
               ORDER BY g.model, s.profile LIMIT 1
           ) s ON true
           WHERE ($1::uuid IS NULL OR l.tenant_id = $1)
             AND l.ended_at >= $2 AND l.ended_at < $3
             AND l.activated_at IS NOT NULL AND l.end_reason IS DISTINCT FROM 'cancelled'
           ORDER BY l.ended_at, l.id"#,
        tenant.map(TenantId::get),
        from,
        to,
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(LeaseFacts {
                tenant_id: r.tenant_id,
                tenant: r.tenant,
                class: r.class,
                model: r.model,
                profile: r.profile,
                compute_slices: r.compute_slices,
                usage: serde_json::from_value(r.usage)
                    .map_err(|e| sqlx::Error::Decode(e.into()))?,
            })
        })
        .collect()
}

/// The lease's usage summary so far (`lease_usage_summary`); `None` if it does not exist.
pub async fn lease_usage(
    db: impl PgExecutor<'_>,
    lease: LeaseId,
) -> Result<Option<LeaseUsage>, sqlx::Error> {
    let v = sqlx::query_scalar!(
        r#"SELECT lease_usage_summary(id) AS "usage!" FROM leases WHERE id = $1"#,
        lease.get()
    )
    .fetch_optional(db)
    .await?;
    v.map(|v| serde_json::from_value(v).map_err(|e| sqlx::Error::Decode(e.into())))
        .transpose()
}
