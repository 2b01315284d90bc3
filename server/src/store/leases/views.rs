//! Reading leases: a lease as its owner sees it (with its slices), lists, history, the
//! pending queue, and the row locks the use cases take before they change one.

use super::super::Tx;
use chrono::{DateTime, Utc};
use slicebroker_types::api::{
    EndReason, Lease, LeaseEvent, LeaseEventKind, LeaseSlice, LeaseState,
};
use slicebroker_types::{GpuId, HostId, LeaseId, SliceId, TenantId};
use sqlx::PgExecutor;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

struct LeaseRow {
    id: LeaseId,
    tenant_id: TenantId,
    state: LeaseState,
    end_reason: Option<EndReason>,
    request: String,
    slice_count: i32,
    duration_seconds: i64,
    idle_timeout_seconds: i64,
    extended_seconds: i64,
    extensions: i32,
    labels: serde_json::Value,
    granted_at: Option<DateTime<Utc>>,
    activated_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    class: Option<String>,
}

impl LeaseRow {
    fn into_lease(self, slices: Vec<LeaseSlice>) -> Result<Lease, sqlx::Error> {
        Ok(Lease {
            id: self.id,
            tenant_id: self.tenant_id,
            state: self.state,
            end_reason: self.end_reason,
            request: self.request,
            class: self.class,
            count: self.slice_count,
            duration_seconds: self.duration_seconds,
            idle_timeout_seconds: self.idle_timeout_seconds,
            extended_seconds: self.extended_seconds,
            extensions: self.extensions,
            labels: serde_json::from_value(self.labels)
                .map_err(|e| sqlx::Error::Decode(e.into()))?,
            granted_at: self.granted_at,
            activated_at: self.activated_at,
            ends_at: self.ends_at,
            ended_at: self.ended_at,
            created_at: self.created_at,
            slices,
            usage: None,
            health: None,
        })
    }
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ListFilter {
    pub tenant: Option<TenantId>,
    pub state: Option<LeaseState>,
    /// Leases whose labels contain all of these.
    pub labels: BTreeMap<String, String>,
    /// Only leases with an id greater than this (ids are time-ordered UUIDv7).
    pub after: Option<LeaseId>,
    pub limit: i64,
}

pub async fn list(db: &mut sqlx::PgConnection, f: &ListFilter) -> Result<Vec<Lease>, sqlx::Error> {
    let labels = serde_json::to_value(&f.labels).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let rows = sqlx::query_as!(
        LeaseRow,
        "SELECT id, tenant_id, state, end_reason, request, slice_count, duration_seconds,
             idle_timeout_seconds, extended_seconds, extensions, labels, granted_at,
             activated_at, ends_at, ended_at, created_at, class
         FROM leases
         WHERE ($1::uuid IS NULL OR tenant_id = $1)
           AND ($2::lease_state IS NULL OR state = $2)
           AND labels @> $3
           AND ($4::uuid IS NULL OR id > $4)
         ORDER BY id LIMIT $5",
        f.tenant.map(TenantId::get),
        f.state as Option<LeaseState>,
        labels,
        f.after.map(LeaseId::get),
        f.limit,
    )
    .fetch_all(&mut *db)
    .await?;
    with_slices(db, rows).await
}

/// The leases with these ids, as they are now, in id order: one statement.
pub async fn many(db: &mut sqlx::PgConnection, ids: &[LeaseId]) -> Result<Vec<Lease>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as!(
        Joined,
        r#"SELECT l.id AS "id!: LeaseId", l.tenant_id AS "tenant_id!: TenantId",
               l.state AS "state!: LeaseState", l.end_reason AS "end_reason: EndReason",
               l.request AS "request!", l.slice_count AS "slice_count!",
               l.duration_seconds AS "duration_seconds!",
               l.idle_timeout_seconds AS "idle_timeout_seconds!",
               l.extended_seconds AS "extended_seconds!", l.extensions AS "extensions!",
               l.labels AS "labels!", l.granted_at, l.activated_at, l.ends_at, l.ended_at,
               l.created_at AS "created_at!", l.class,
               s.id AS "slice_id?: SliceId", h.id AS "host_id?: HostId", h.name AS "host?",
               g.id AS "gpu_id?: GpuId", g.uuid AS "gpu_uuid?", g.model AS "model?",
               s.profile AS "profile?", s.start AS "start?", s.size AS "size?",
               s.compute_slices AS "compute_slices?", s.memory_gib AS "memory_gib?",
               s.mig_device_uuid AS "mig_device_uuid?", s.released_at AS "released_at?"
           FROM leases l LEFT JOIN slices s ON s.lease_id = l.id AND NOT s.rebooked
               LEFT JOIN gpus g ON g.id = s.gpu_id LEFT JOIN hosts h ON h.id = g.host_id
           WHERE l.id = ANY($1)
           ORDER BY l.id, s.id"#,
        &ids.iter().map(|i| i.get()).collect::<Vec<_>>(),
    )
    .fetch_all(&mut *db)
    .await?;
    group(rows)
}

/// A lease row joined with one of its slices (the slice's columns are all `None` for a lease
/// without slices): what statements that return whole leases in one round trip give back.
#[derive(Debug)]
pub(in crate::store) struct Joined {
    pub id: LeaseId,
    pub tenant_id: TenantId,
    pub state: LeaseState,
    pub end_reason: Option<EndReason>,
    pub request: String,
    pub slice_count: i32,
    pub duration_seconds: i64,
    pub idle_timeout_seconds: i64,
    pub extended_seconds: i64,
    pub extensions: i32,
    pub labels: serde_json::Value,
    pub granted_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub class: Option<String>,
    pub slice_id: Option<SliceId>,
    pub host_id: Option<HostId>,
    pub host: Option<String>,
    pub gpu_id: Option<GpuId>,
    pub gpu_uuid: Option<String>,
    pub model: Option<String>,
    pub profile: Option<String>,
    pub start: Option<i32>,
    pub size: Option<i32>,
    pub compute_slices: Option<i32>,
    pub memory_gib: Option<i32>,
    pub mig_device_uuid: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
}

/// Leases from [`Joined`] rows ordered by lease.
pub(in crate::store) fn group(rows: Vec<Joined>) -> Result<Vec<Lease>, sqlx::Error> {
    let mut out: Vec<Lease> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|l| l.id != r.id) {
            let row = LeaseRow {
                id: r.id,
                tenant_id: r.tenant_id,
                state: r.state,
                end_reason: r.end_reason,
                request: r.request,
                slice_count: r.slice_count,
                duration_seconds: r.duration_seconds,
                idle_timeout_seconds: r.idle_timeout_seconds,
                extended_seconds: r.extended_seconds,
                extensions: r.extensions,
                labels: r.labels,
                granted_at: r.granted_at,
                activated_at: r.activated_at,
                ends_at: r.ends_at,
                ended_at: r.ended_at,
                created_at: r.created_at,
                class: r.class,
            };
            out.push(row.into_lease(Vec::new())?);
        }
        let (
            Some(id),
            Some(host_id),
            Some(host),
            Some(gpu_id),
            Some(gpu_uuid),
            Some(model),
            Some(profile),
            Some(start),
            Some(size),
            Some(compute_slices),
            Some(memory_gib),
        ) = (
            r.slice_id,
            r.host_id,
            r.host,
            r.gpu_id,
            r.gpu_uuid,
            r.model,
            r.profile,
            r.start,
            r.size,
            r.compute_slices,
            r.memory_gib,
        )
        else {
            continue;
        };
        out.last_mut()
            .expect("pushed above")
            .slices
            .push(LeaseSlice {
                id,
                host_id,
                host,
                gpu_id,
                gpu_uuid,
                model,
                profile,
                start,
                size,
                compute_slices,
                memory_gib,
                cuda_visible_devices: r.mig_device_uuid.clone(),
                mig_device_uuid: r.mig_device_uuid,
                released_at: r.released_at,
            });
    }
    Ok(out)
}

async fn with_slices(
    db: &mut sqlx::PgConnection,
    rows: Vec<LeaseRow>,
) -> Result<Vec<Lease>, sqlx::Error> {
    let ids: Vec<LeaseId> = rows.iter().map(|r| r.id).collect();
    let mut slices = slices_of(db, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let s = slices.remove(&r.id).unwrap_or_default();
            r.into_lease(s)
        })
        .collect()
}

/// The lease; `None` if it does not exist or (with `tenant`) belongs to another tenant.
pub async fn get(
    db: &mut sqlx::PgConnection,
    id: LeaseId,
    tenant: Option<TenantId>,
) -> Result<Option<Lease>, sqlx::Error> {
    let row = sqlx::query_as!(
        LeaseRow,
        "SELECT id, tenant_id, state, end_reason, request, slice_count, duration_seconds,
             idle_timeout_seconds, extended_seconds, extensions, labels, granted_at,
             activated_at, ends_at, ended_at, created_at, class
         FROM leases WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)",
        id.get(),
        tenant.map(TenantId::get)
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(with_slices(db, vec![row]).await?.pop())
}

pub async fn exists(tx: &mut Tx<'_>, id: LeaseId) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM leases WHERE id = $1) AS "exists!""#,
        id.get()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.exists)
}

/// The lease's tenant; `None` if it does not exist or (with `tenant`) belongs to another.
pub async fn tenant_of(
    db: impl PgExecutor<'_>,
    id: LeaseId,
    tenant: Option<TenantId>,
) -> Result<Option<TenantId>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT tenant_id FROM leases WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)",
        id.get(),
        tenant.map(TenantId::get)
    )
    .fetch_optional(db)
    .await
}

/// The lease's current state, locked for the rest of the transaction; `None` if it does not
/// exist or (with `tenant`) belongs to another tenant.
pub async fn lock_state(
    tx: &mut Tx<'_>,
    id: LeaseId,
    tenant: Option<TenantId>,
) -> Result<Option<LeaseState>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT state FROM leases WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)
         FOR UPDATE",
        id.get(),
        tenant.map(TenantId::get)
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Locks these leases in id order, as every writer takes lease rows, before any host or slice
/// row (a report locks the leases it will move this way).
pub async fn lock(tx: &mut Tx<'_>, ids: &[LeaseId]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = ids.iter().map(|l| l.get()).collect();
    sqlx::query!(
        "SELECT id FROM leases WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        &ids
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(())
}

/// Locks a lease for a lifecycle job unless another transaction holds it; its state.
pub async fn try_lock(tx: &mut Tx<'_>, id: LeaseId) -> Result<Option<LeaseState>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT state FROM leases WHERE id = $1 FOR UPDATE SKIP LOCKED",
        id.get()
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The tenant's lease with this idempotency key, if any, and the fingerprint of the request
/// that made it (`None` for leases made before fingerprints were kept).
pub async fn find_by_idempotency_key(
    tx: &mut Tx<'_>,
    tenant: TenantId,
    key: &str,
) -> Result<Option<(LeaseId, Option<String>)>, sqlx::Error> {
    let r = sqlx::query!(
        "SELECT id, idempotency_fingerprint FROM leases
         WHERE tenant_id = $1 AND idempotency_key = $2",
        tenant.get(),
        key
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| (r.id, r.idempotency_fingerprint)))
}

async fn slices_of(
    db: &mut sqlx::PgConnection,
    lease_ids: &[LeaseId],
) -> Result<HashMap<LeaseId, Vec<LeaseSlice>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT s.lease_id, s.id, h.id AS host_id, h.name AS host, g.id AS gpu_id,
               g.uuid AS gpu_uuid, g.model, s.profile, s.start, s.size, s.compute_slices,
               s.memory_gib, s.mig_device_uuid, s.released_at
           FROM slices s JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
           WHERE s.lease_id = ANY($1) AND NOT s.rebooked ORDER BY s.lease_id, s.id"#,
        &lease_ids.iter().map(|i| i.get()).collect::<Vec<Uuid>>()
    )
    .fetch_all(db)
    .await?;
    let mut out: HashMap<LeaseId, Vec<LeaseSlice>> = HashMap::new();
    for r in rows {
        out.entry(r.lease_id).or_default().push(LeaseSlice {
            id: r.id,
            host_id: r.host_id,
            host: r.host,
            gpu_id: r.gpu_id,
            gpu_uuid: r.gpu_uuid,
            model: r.model,
            profile: r.profile,
            start: r.start,
            size: r.size,
            compute_slices: r.compute_slices,
            memory_gib: r.memory_gib,
            cuda_visible_devices: r.mig_device_uuid.clone(),
            mig_device_uuid: r.mig_device_uuid,
            released_at: r.released_at,
        });
    }
    Ok(out)
}

pub async fn events(
    db: impl PgExecutor<'_>,
    lease_id: LeaseId,
) -> Result<Vec<LeaseEvent>, sqlx::Error> {
    sqlx::query_as!(
        LeaseEvent,
        "SELECT id, kind, from_state, to_state, detail, actor, at
         FROM lease_events WHERE lease_id = $1 ORDER BY id",
        lease_id.get()
    )
    .fetch_all(db)
    .await
}

/// Whether the lease's last event is this kind with this detail (to record a repeated agent
/// error once, not every report).
pub async fn last_event_is(
    tx: &mut Tx<'_>,
    lease_id: LeaseId,
    kind: LeaseEventKind,
    detail: &serde_json::Value,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT (kind = $2 AND detail = $3) AS "same!" FROM lease_events
           WHERE lease_id = $1 ORDER BY id DESC LIMIT 1"#,
        lease_id.get(),
        kind as LeaseEventKind,
        detail
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.is_some_and(|r| r.same))
}

/// The legal transitions as the database holds them.
pub async fn sql_transitions(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(LeaseState, LeaseState)>, sqlx::Error> {
    let rows = sqlx::query!("SELECT from_state, to_state FROM lease_transitions")
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.from_state, r.to_state))
        .collect())
}

/// When the earliest running lease holding slices of schedulable GPUs of these models is due
/// to end (not a booking, nor a slice on a GPU nothing may be placed on).
pub async fn next_end_on_models(
    db: impl PgExecutor<'_>,
    models: &[String],
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT min(l.ends_at) AS next FROM leases l
           JOIN slices s ON s.lease_id = l.id JOIN gpus g ON g.id = s.gpu_id
           JOIN hosts h ON h.id = g.host_id
           WHERE s.released_at IS NULL AND g.model = ANY($1) AND lower(s.during) <= now()
               AND l.state IN ('provisioning', 'active') AND gpu_placeable(g, h)"#,
        models
    )
    .fetch_one(db)
    .await?;
    Ok(r.next)
}

/// A pending lease as the queue needs it, locked (skipped if another replica holds it).
#[derive(Debug)]
pub struct PendingLease {
    pub id: LeaseId,
    pub tenant_id: TenantId,
    pub request: String,
    pub slice_count: i32,
    pub duration_seconds: i64,
    pub gpu_models: Vec<String>,
    /// The slice class it was made from (the profile-size limit does not apply).
    pub class: Option<String>,
}

pub async fn lock_pending(
    tx: &mut Tx<'_>,
    id: LeaseId,
) -> Result<Option<PendingLease>, sqlx::Error> {
    sqlx::query_as!(
        PendingLease,
        "SELECT id, tenant_id, request, slice_count, duration_seconds, gpu_models, class
         FROM leases
         WHERE id = $1 AND state = 'pending' FOR UPDATE SKIP LOCKED",
        id.get()
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The pending queue: priority (higher first), then age.
pub async fn pending_queue(
    db: impl PgExecutor<'_>,
    limit: i64,
) -> Result<Vec<LeaseId>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM leases WHERE state = 'pending'
         ORDER BY priority DESC, created_at, id LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}
