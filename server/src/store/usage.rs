//! Usage from lease intervals: compute-slice-hours per tenant, profile and UTC day. A slice
//! counts from the moment it was granted (its capacity is held from then) until released, or
//! until its lease ended if that came first (a lease lost with its host stops counting although
//! its slice stays taken until the agent comes back).

use crate::domain::budget::Month;
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

/// Compute-slice-seconds the tenant's slices take up in each of `months` (`[start, end)`):
/// released slices for the time they were held, live ones up to their lease's committed end
/// (or now, if that is later), each from its `created_at`, the start of its window (a booking's
/// start: a booking cancelled before it starts costs nothing). See `domain::budget`.
pub async fn committed_compute_seconds(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    months: &[Month],
) -> Result<Vec<i64>, sqlx::Error> {
    let starts: Vec<DateTime<Utc>> = months.iter().map(|m| m.start).collect();
    let ends: Vec<DateTime<Utc>> = months.iter().map(|m| m.end).collect();
    let rows = sqlx::query!(
        r#"SELECT m.i AS "i!", coalesce(sum(s.compute_slices * greatest(0, extract(epoch FROM
                   least(coalesce(s.released_at, greatest(l.ends_at, now())),
                       coalesce(l.ended_at, 'infinity'), m.hi)
                   - greatest(s.created_at, m.lo)))), 0)::bigint AS "seconds!"
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
