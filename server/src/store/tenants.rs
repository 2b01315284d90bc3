//! `tenants`: create, read, update (policy included), and the row lock that serialises a
//! tenant's grants.

use super::Tx;
use crate::domain::admission::Span;
use chrono::{DateTime, Utc};
use slicebroker_types::api::{Tenant, TenantPolicy};
use slicebroker_types::{LeaseId, TenantId};
use sqlx::PgExecutor;
use std::collections::HashMap;
use uuid::Uuid;

/// One `tenants` row, field for field: queries select `*` into it, and the `query_as!` check
/// fails the build if the table and this struct ever disagree.
struct Row {
    id: TenantId,
    name: String,
    display_name: String,
    max_live_compute_slices: Option<i32>,
    max_live_memory_gib: Option<i32>,
    max_live_leases: Option<i32>,
    max_lease_seconds: i64,
    max_total_extension_seconds: i64,
    default_idle_timeout_seconds: i64,
    allowed_gpu_models: Vec<String>,
    monthly_budget_slice_hours: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    max_booking_ahead_seconds: i64,
    max_bookings: Option<i32>,
    max_booking_seconds: Option<i64>,
    max_compute_slices_outside_classes: Option<i32>,
}

impl From<Row> for Tenant {
    fn from(r: Row) -> Self {
        Tenant {
            id: r.id,
            name: r.name,
            display_name: r.display_name,
            policy: TenantPolicy {
                max_live_compute_slices: r.max_live_compute_slices,
                max_live_memory_gib: r.max_live_memory_gib,
                max_live_leases: r.max_live_leases,
                max_lease_seconds: r.max_lease_seconds,
                max_total_extension_seconds: r.max_total_extension_seconds,
                default_idle_timeout_seconds: r.default_idle_timeout_seconds,
                allowed_gpu_models: r.allowed_gpu_models,
                monthly_budget_slice_hours: r.monthly_budget_slice_hours,
                max_booking_ahead_seconds: r.max_booking_ahead_seconds,
                max_bookings: r.max_bookings,
                max_booking_seconds: r.max_booking_seconds,
                max_compute_slices_outside_classes: r.max_compute_slices_outside_classes,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    id: TenantId,
    name: &str,
    display_name: &str,
    p: &TenantPolicy,
) -> Result<Tenant, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "INSERT INTO tenants (id, name, display_name, max_live_compute_slices,
             max_live_memory_gib, max_live_leases, max_lease_seconds,
             max_total_extension_seconds, default_idle_timeout_seconds, allowed_gpu_models,
             monthly_budget_slice_hours, max_booking_ahead_seconds, max_bookings,
             max_booking_seconds, max_compute_slices_outside_classes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         RETURNING *",
        id.get(),
        name,
        display_name,
        p.max_live_compute_slices,
        p.max_live_memory_gib,
        p.max_live_leases,
        p.max_lease_seconds,
        p.max_total_extension_seconds,
        p.default_idle_timeout_seconds,
        &p.allowed_gpu_models,
        p.monthly_budget_slice_hours,
        p.max_booking_ahead_seconds,
        p.max_bookings,
        p.max_booking_seconds,
        p.max_compute_slices_outside_classes,
    )
    .fetch_one(db)
    .await
    .map(Tenant::from)
}

pub async fn get(db: impl PgExecutor<'_>, id: TenantId) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query_as!(Row, "SELECT * FROM tenants WHERE id = $1", id.get())
        .fetch_optional(db)
        .await
        .map(|r| r.map(Tenant::from))
}

/// Which of `ids` no tenant has, in their order.
pub async fn missing(db: impl PgExecutor<'_>, ids: &[Uuid]) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar::<_, Uuid>(
        "SELECT i FROM unnest($1::uuid[]) WITH ORDINALITY AS u(i, n) \
         WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = u.i) ORDER BY n",
    )
    .bind(ids)
    .fetch_all(db)
    .await
}

/// Reads the tenant and holds its row lock until the transaction ends: every grant and
/// extension for one tenant passes through here, so quota and budget checks see each other's
/// writes (DESIGN.md §2, invariant 3).
pub async fn lock(tx: &mut Tx<'_>, id: TenantId) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT * FROM tenants WHERE id = $1 FOR UPDATE",
        id.get()
    )
    .fetch_optional(&mut **tx)
    .await
    .map(|r| r.map(Tenant::from))
}

/// The tenants with these ids, each locked for the rest of the transaction, in id order (the
/// order every transaction that locks several takes them in).
pub async fn lock_many(tx: &mut Tx<'_>, ids: &[TenantId]) -> Result<Vec<Tenant>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT * FROM tenants WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        &ids.iter().map(|t| t.get()).collect::<Vec<Uuid>>()
    )
    .fetch_all(&mut **tx)
    .await
    .map(|rows| rows.into_iter().map(Tenant::from).collect())
}

pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<Tenant>, sqlx::Error> {
    sqlx::query_as!(Row, "SELECT * FROM tenants ORDER BY name")
        .fetch_all(db)
        .await
        .map(|rows| rows.into_iter().map(Tenant::from).collect())
}

pub async fn update(
    db: impl PgExecutor<'_>,
    id: TenantId,
    display_name: &str,
    p: &TenantPolicy,
) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "UPDATE tenants SET display_name = $2, max_live_compute_slices = $3,
             max_live_memory_gib = $4, max_live_leases = $5, max_lease_seconds = $6,
             max_total_extension_seconds = $7, default_idle_timeout_seconds = $8,
             allowed_gpu_models = $9, monthly_budget_slice_hours = $10,
             max_booking_ahead_seconds = $11, max_bookings = $12, max_booking_seconds = $13,
             max_compute_slices_outside_classes = $14
         WHERE id = $1
         RETURNING *",
        id.get(),
        display_name,
        p.max_live_compute_slices,
        p.max_live_memory_gib,
        p.max_live_leases,
        p.max_lease_seconds,
        p.max_total_extension_seconds,
        p.default_idle_timeout_seconds,
        &p.allowed_gpu_models,
        p.monthly_budget_slice_hours,
        p.max_booking_ahead_seconds,
        p.max_bookings,
        p.max_booking_seconds,
        p.max_compute_slices_outside_classes,
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(Tenant::from))
}

/// What each of the tenants holds and has booked over time, in one statement: a span per
/// lease not ended (from its grant or its booking's start, to its end while it runs or waits
/// to start; open while queued or being torn down) and a span per lease's live slices (over
/// their windows; open when a window is open or already past its end, as the slices are held
/// until the agent reports them gone). See `domain::admission::Room`.
pub async fn live_spans(
    db: impl PgExecutor<'_>,
    ids: &[TenantId],
    now: DateTime<Utc>,
) -> Result<HashMap<TenantId, Vec<Span>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT l.tenant_id AS "tenant_id!: TenantId", l.id AS "lease_id!: LeaseId",
                  coalesce(l.granted_at, $2) AS "from!",
                  CASE WHEN l.state IN ('booked', 'provisioning', 'active') AND l.ends_at > $2
                       THEN l.ends_at END AS "until",
                  1::bigint AS "leases!", 0::bigint AS "compute!", 0::bigint AS "memory!"
           FROM leases l
           WHERE l.tenant_id = ANY($1) AND l.state <> 'ended'
           UNION ALL
           SELECT s.tenant_id, s.lease_id, min(lower(s.during)),
                  CASE WHEN bool_or(upper_inf(s.during) OR upper(s.during) <= $2) THEN NULL
                       ELSE max(upper(s.during)) END,
                  0, sum(s.compute_slices)::bigint, sum(s.memory_gib)::bigint
           FROM slices s
           WHERE s.tenant_id = ANY($1) AND s.released_at IS NULL
           GROUP BY s.tenant_id, s.lease_id"#,
        &ids.iter().map(|t| t.get()).collect::<Vec<Uuid>>(),
        now,
    )
    .fetch_all(db)
    .await?;
    let mut spans: HashMap<TenantId, Vec<Span>> = HashMap::new();
    for r in rows {
        spans.entry(r.tenant_id).or_default().push(Span {
            lease: Some(r.lease_id),
            from: r.from,
            until: r.until,
            leases: r.leases,
            compute: r.compute,
            memory: r.memory,
        });
    }
    Ok(spans)
}
