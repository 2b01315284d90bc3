//! Usage from lease intervals: compute-slice-hours per tenant, profile and UTC day. A slice
//! counts from the moment it was granted (its capacity is held from then) until released, or
//! until its lease ended if that came first (a lease lost with its host stops counting although
//! its slice stays taken until the agent comes back).

use chrono::{DateTime, Utc};
use slicebroker_types::TenantId;
use sqlx::PgExecutor;

use slicebroker_types::api::UsageRow;

pub async fn usage(
    db: impl PgExecutor<'_>,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<UsageRow>, sqlx::Error> {
    sqlx::query_as!(
        UsageRow,
        r#"WITH spans AS (
               SELECT l.tenant_id, t.name AS tenant, s.profile, g.model, s.compute_slices,
                      greatest(s.created_at, $2) AS lo,
                      least(coalesce(s.released_at, now()), coalesce(l.ended_at, now()), $3)
                          AS hi
               FROM slices s JOIN leases l ON l.id = s.lease_id
               JOIN tenants t ON t.id = l.tenant_id JOIN gpus g ON g.id = s.gpu_id
               WHERE ($1::uuid IS NULL OR l.tenant_id = $1)
                 AND s.created_at < $3
                 AND least(coalesce(s.released_at, now()), coalesce(l.ended_at, now())) > $2
           ), days AS (
               SELECT sp.*, d::date AS day,
                      greatest(sp.lo, d) AS dlo, least(sp.hi, d + interval '1 day') AS dhi
               FROM spans sp,
                    generate_series(date_trunc('day', sp.lo), sp.hi, interval '1 day') d
           )
           SELECT tenant_id AS "tenant_id!: TenantId", tenant AS "tenant!", profile AS "profile!",
                  model AS "model!", day AS "day!",
                  sum(extract(epoch FROM dhi - dlo))::float8 / 3600 AS "slice_hours!",
                  sum(extract(epoch FROM dhi - dlo) * compute_slices)::float8 / 3600
                      AS "compute_slice_hours!"
           FROM days WHERE dhi > dlo
           GROUP BY tenant_id, tenant, profile, model, day
           ORDER BY tenant, day, model, profile"#,
        tenant.map(TenantId::get),
        from,
        to,
    )
    .fetch_all(db)
    .await
}

/// Compute-slice-seconds the tenant's slices take up in `[from, to)`: released slices for the
/// time they were held, live ones up to their lease's committed end (or now, if that is later).
/// See `domain::budget`.
pub async fn committed_compute_seconds(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(sum(s.compute_slices * greatest(0, extract(epoch FROM
                   least(coalesce(s.released_at, greatest(l.ends_at, now())),
                       coalesce(l.ended_at, 'infinity'), $3)
                   - greatest(s.created_at, $2)))), 0)::bigint AS "seconds!"
           FROM slices s JOIN leases l ON l.id = s.lease_id
           WHERE l.tenant_id = $1 AND s.created_at < $3
             AND (s.released_at IS NULL OR s.released_at > $2)"#,
        tenant.get(),
        from,
        to,
    )
    .fetch_one(db)
    .await
}
