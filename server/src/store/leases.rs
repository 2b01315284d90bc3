//! `leases`, `slices` and `lease_events`: writes happen inside the caller's transaction; every
//! state change is one guarded UPDATE (`WHERE state = ANY(allowed_from)`).

use super::Tx;
use crate::domain::lease::{EndReason, LeaseState};
use crate::domain::lease_view::{Lease, LeaseEvent, LeaseSlice};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

fn decode_state(s: &str) -> Result<LeaseState, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

/// What a lease row keeps about its request beyond the [`Lease`] view.
#[derive(Debug)]
pub struct Origin<'a> {
    pub idempotency_key: Option<&'a str>,
    /// With a key: the fingerprint of the request that made the lease.
    pub idempotency_fingerprint: Option<&'a str>,
    pub created_by: Option<Uuid>,
    /// Catalog keys the request allowed; empty = any (to place a pending lease later).
    pub gpu_models: &'a [String],
    /// Order in the pending queue: higher first.
    pub priority: i32,
}

/// A new lease to write: the view, what the row keeps beyond it, and its first event.
#[derive(Debug)]
pub struct NewLease<'a> {
    pub lease: &'a Lease,
    pub origin: Origin<'a>,
    pub event_kind: &'a str,
    pub event_detail: serde_json::Value,
    pub actor: &'a str,
}

/// Writes new leases, their slices (none while pending) and their first events, in one
/// statement. Fails with the `slices_no_overlap` constraint if another live slice holds any of
/// the slices' memory slices: the caller reloads those GPUs and tries elsewhere. Slices count
/// from their lease's `created_at`, the moment of the grant (usage and the monthly budget).
pub async fn insert(tx: &mut Tx<'_>, new: &[NewLease<'_>]) -> Result<(), sqlx::Error> {
    fn col<U>(new: &[NewLease<'_>], f: impl Fn(&NewLease<'_>) -> U) -> Vec<U> {
        new.iter().map(f).collect::<Vec<_>>()
    }
    let mut labels = Vec::with_capacity(new.len());
    for n in new {
        labels.push(
            serde_json::to_value(&n.lease.labels).map_err(|e| sqlx::Error::Encode(e.into()))?,
        );
    }
    let slices: Vec<(&Lease, &LeaseSlice)> = new
        .iter()
        .flat_map(|n| n.lease.slices.iter().map(|s| (n.lease, s)))
        .collect();
    let slice_col =
        |f: fn(&LeaseSlice) -> i32| slices.iter().map(|(_, s)| f(s)).collect::<Vec<_>>();
    sqlx::query!(
        "WITH lease AS (
             INSERT INTO leases (id, tenant_id, state, request, slice_count, duration_seconds,
                 idle_timeout_seconds, labels, idempotency_key, created_by, granted_at, ends_at,
                 created_at, gpu_models, priority, idempotency_fingerprint)
             SELECT l.id, l.tenant_id, l.state::lease_state, l.request, l.slice_count,
                 l.duration_seconds, l.idle_timeout_seconds, l.labels, l.idempotency_key,
                 l.created_by, l.granted_at, l.ends_at, l.created_at,
                 coalesce(string_to_array(nullif(l.gpu_models, ''), ','), '{}'), l.priority,
                 l.idempotency_fingerprint
             FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int4[], $6::int8[],
                 $7::int8[], $8::jsonb[], $9::text[], $10::uuid[], $11::timestamptz[],
                 $12::timestamptz[], $13::timestamptz[], $14::text[], $15::int4[], $29::text[])
                 AS l(id, tenant_id, state, request, slice_count, duration_seconds,
                     idle_timeout_seconds, labels, idempotency_key, created_by, granted_at,
                     ends_at, created_at, gpu_models, priority, idempotency_fingerprint)
         ), slices AS (
             INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size,
                 compute_slices, memory_gib, created_at)
             SELECT s.id, s.lease_id, s.tenant_id, s.gpu_id, s.profile, s.start, s.size,
                 s.compute_slices, s.memory_gib, s.created_at
             FROM unnest($16::uuid[], $17::uuid[], $18::uuid[], $19::uuid[], $20::text[],
                 $21::int4[], $22::int4[], $23::int4[], $24::int4[], $25::timestamptz[])
                 AS s(id, lease_id, tenant_id, gpu_id, profile, start, size, compute_slices,
                     memory_gib, created_at)
         )
         INSERT INTO lease_events (lease_id, kind, to_state, detail, actor)
         SELECT e.lease_id, e.kind, e.state::lease_state, e.detail, e.actor
         FROM unnest($1::uuid[], $26::text[], $3::text[], $27::jsonb[], $28::text[])
             AS e(lease_id, kind, state, detail, actor)",
        &col(new, |n| n.lease.id),
        &col(new, |n| n.lease.tenant_id),
        &col(new, |n| n.lease.state.as_str().to_owned()),
        &col(new, |n| n.lease.request.clone()),
        &col(new, |n| n.lease.count),
        &col(new, |n| n.lease.duration_seconds),
        &col(new, |n| n.lease.idle_timeout_seconds),
        &labels,
        &col(new, |n| n.origin.idempotency_key.map(str::to_owned)) as &[Option<String>],
        &col(new, |n| n.origin.created_by) as &[Option<Uuid>],
        &col(new, |n| n.lease.granted_at) as &[Option<DateTime<Utc>>],
        &col(new, |n| n.lease.ends_at) as &[Option<DateTime<Utc>>],
        &col(new, |n| n.lease.created_at),
        &col(new, |n| n.origin.gpu_models.join(",")),
        &col(new, |n| n.origin.priority),
        &slices.iter().map(|(_, s)| s.id).collect::<Vec<_>>(),
        &slices.iter().map(|(l, _)| l.id).collect::<Vec<_>>(),
        &slices.iter().map(|(l, _)| l.tenant_id).collect::<Vec<_>>(),
        &slices.iter().map(|(_, s)| s.gpu_id).collect::<Vec<_>>(),
        &slices
            .iter()
            .map(|(_, s)| s.profile.clone())
            .collect::<Vec<_>>(),
        &slice_col(|s| s.start),
        &slice_col(|s| s.size),
        &slice_col(|s| s.compute_slices),
        &slice_col(|s| s.memory_gib),
        &slices.iter().map(|(l, _)| l.created_at).collect::<Vec<_>>(),
        &col(new, |n| n.event_kind.to_owned()),
        &col(new, |n| n.event_detail.clone()),
        &col(new, |n| n.actor.to_owned()),
        &col(new, |n| n.origin.idempotency_fingerprint.map(str::to_owned)) as &[Option<String>],
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

pub async fn insert_event(
    db: impl PgExecutor<'_>,
    lease_id: Uuid,
    kind: &str,
    from: Option<LeaseState>,
    to: Option<LeaseState>,
    detail: serde_json::Value,
    actor: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
         VALUES ($1, $2, $3::text::lease_state, $4::text::lease_state, $5, $6)",
        lease_id,
        kind,
        from.map(LeaseState::as_str),
        to.map(LeaseState::as_str),
        detail,
        actor,
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// The lease's tenant; `None` if it does not exist or (with `tenant`) belongs to another.
pub async fn tenant_of(
    db: impl PgExecutor<'_>,
    id: Uuid,
    tenant: Option<Uuid>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT tenant_id FROM leases WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)",
        id,
        tenant
    )
    .fetch_optional(db)
    .await
}

/// The lease's id and current state, locked for the rest of the transaction; `None` if it does
/// not exist or (with `tenant`) belongs to another tenant.
pub async fn lock_state(
    tx: &mut Tx<'_>,
    id: Uuid,
    tenant: Option<Uuid>,
) -> Result<Option<LeaseState>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT state::text AS "state!" FROM leases
           WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2) FOR UPDATE"#,
        id,
        tenant
    )
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| decode_state(&r.state)).transpose()
}

/// The guarded transition: changes the state only if it is one of `allowed_from`. Returns
/// whether it changed. `ended` also stamps `ended_at` and the reason.
pub async fn transition(
    tx: &mut Tx<'_>,
    id: Uuid,
    to: LeaseState,
    end_reason: Option<EndReason>,
) -> Result<bool, sqlx::Error> {
    let allowed: Vec<String> = LeaseState::allowed_from(to)
        .into_iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let r = sqlx::query!(
        "UPDATE leases SET state = $2::text::lease_state,
             end_reason = $3::text::lease_end_reason,
             ended_at = CASE WHEN $2 = 'ended' THEN now() ELSE ended_at END
         WHERE id = $1 AND state::text = ANY($4)",
        id,
        to.as_str(),
        end_reason.map(EndReason::as_str),
        &allowed,
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Adds `seconds` to a live lease's end if the total stays within `max_total`; returns the
/// new end, or `None` if the guard refused.
pub async fn extend(
    tx: &mut Tx<'_>,
    id: Uuid,
    seconds: i64,
    max_total: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE leases SET ends_at = ends_at + make_interval(secs => $2::bigint::double precision),
               extended_seconds = extended_seconds + $2, extensions = extensions + 1
           WHERE id = $1 AND state IN ('provisioning', 'active')
               AND extended_seconds + $2 <= $3
           RETURNING ends_at AS "ends_at!""#,
        id,
        seconds,
        max_total,
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.ends_at))
}

struct LeaseRow {
    id: Uuid,
    tenant_id: Uuid,
    state: String,
    end_reason: Option<String>,
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
}

impl LeaseRow {
    fn into_lease(self, slices: Vec<LeaseSlice>) -> Result<Lease, sqlx::Error> {
        Ok(Lease {
            id: self.id,
            tenant_id: self.tenant_id,
            state: decode_state(&self.state)?,
            end_reason: self.end_reason.as_deref().and_then(EndReason::parse),
            request: self.request,
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
        })
    }
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ListFilter {
    pub tenant: Option<Uuid>,
    pub state: Option<LeaseState>,
    /// Leases whose labels contain all of these.
    pub labels: BTreeMap<String, String>,
    /// Only leases with an id greater than this (ids are time-ordered UUIDv7).
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(db: &mut sqlx::PgConnection, f: &ListFilter) -> Result<Vec<Lease>, sqlx::Error> {
    let labels = serde_json::to_value(&f.labels).map_err(|e| sqlx::Error::Encode(e.into()))?;
    let rows = sqlx::query_as!(
        LeaseRow,
        r#"SELECT id, tenant_id, state::text AS "state!", end_reason::text AS end_reason, request,
               slice_count, duration_seconds, idle_timeout_seconds, extended_seconds, extensions,
               labels, granted_at, activated_at, ends_at, ended_at, created_at
           FROM leases
           WHERE ($1::uuid IS NULL OR tenant_id = $1)
             AND ($2::text IS NULL OR state::text = $2)
             AND labels @> $3
             AND ($4::uuid IS NULL OR id > $4)
           ORDER BY id LIMIT $5"#,
        f.tenant,
        f.state.map(LeaseState::as_str),
        labels,
        f.after,
        f.limit,
    )
    .fetch_all(&mut *db)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut slices = slices_of(&mut *db, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let s = slices.remove(&r.id).unwrap_or_default();
            r.into_lease(s)
        })
        .collect()
}

pub async fn get(
    db: &mut sqlx::PgConnection,
    id: Uuid,
    tenant: Option<Uuid>,
) -> Result<Option<Lease>, sqlx::Error> {
    let row = sqlx::query_as!(
        LeaseRow,
        r#"SELECT id, tenant_id, state::text AS "state!", end_reason::text AS end_reason, request,
               slice_count, duration_seconds, idle_timeout_seconds, extended_seconds, extensions,
               labels, granted_at, activated_at, ends_at, ended_at, created_at
           FROM leases WHERE id = $1 AND ($2::uuid IS NULL OR tenant_id = $2)"#,
        id,
        tenant
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut slices = slices_of(&mut *db, &[id]).await?;
    row.into_lease(slices.remove(&id).unwrap_or_default())
        .map(Some)
}

pub async fn exists(tx: &mut Tx<'_>, id: Uuid) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM leases WHERE id = $1) AS "exists!""#,
        id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.exists)
}

/// The tenant's lease with this idempotency key, if any, and the fingerprint of the request
/// that made it (`None` for leases made before fingerprints were kept).
pub async fn find_by_idempotency_key(
    tx: &mut Tx<'_>,
    tenant: Uuid,
    key: &str,
) -> Result<Option<(Uuid, Option<String>)>, sqlx::Error> {
    let r = sqlx::query!(
        "SELECT id, idempotency_fingerprint FROM leases
         WHERE tenant_id = $1 AND idempotency_key = $2",
        tenant,
        key
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| (r.id, r.idempotency_fingerprint)))
}

async fn slices_of(
    db: &mut sqlx::PgConnection,
    lease_ids: &[Uuid],
) -> Result<BTreeMap<Uuid, Vec<LeaseSlice>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT s.lease_id, s.id, h.id AS host_id, h.name AS host, g.id AS gpu_id,
               g.uuid AS gpu_uuid, g.model, s.profile, s.start, s.size, s.compute_slices,
               s.memory_gib, s.mig_device_uuid, s.released_at
           FROM slices s JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
           WHERE s.lease_id = ANY($1) ORDER BY s.lease_id, s.id"#,
        lease_ids
    )
    .fetch_all(db)
    .await?;
    let mut out: BTreeMap<Uuid, Vec<LeaseSlice>> = BTreeMap::new();
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
    lease_id: Uuid,
) -> Result<Vec<LeaseEvent>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, kind, from_state::text AS from_state, to_state::text AS to_state, detail,
               actor, at
           FROM lease_events WHERE lease_id = $1 ORDER BY id"#,
        lease_id
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(LeaseEvent {
                id: r.id,
                kind: r.kind,
                from_state: r.from_state.as_deref().map(decode_state).transpose()?,
                to_state: r.to_state.as_deref().map(decode_state).transpose()?,
                detail: r.detail,
                actor: r.actor,
                at: r.at,
            })
        })
        .collect()
}

/// The legal transitions as the database holds them.
pub async fn sql_transitions(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(LeaseState, LeaseState)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT from_state::text AS "from!", to_state::text AS "to!" FROM lease_transitions"#
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| Ok((decode_state(&r.from)?, decode_state(&r.to)?)))
        .collect()
}

/// When the earliest live lease holding slices of these models is due to end.
pub async fn next_end_on_models(
    db: impl PgExecutor<'_>,
    models: &[String],
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT min(l.ends_at) AS next FROM leases l
           JOIN slices s ON s.lease_id = l.id JOIN gpus g ON g.id = s.gpu_id
           WHERE s.released_at IS NULL AND g.model = ANY($1)"#,
        models
    )
    .fetch_one(db)
    .await?;
    Ok(r.next)
}

/// Leases per state, for `/metrics`.
pub async fn count_by_state(db: impl PgExecutor<'_>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT state::text AS "state!", count(*) AS "n!" FROM leases GROUP BY state ORDER BY 1"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.state, r.n)).collect())
}

/// A pending lease as the queue needs it, locked (skipped if another replica holds it).
#[derive(Debug)]
pub struct PendingLease {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub request: String,
    pub slice_count: i32,
    pub duration_seconds: i64,
    pub gpu_models: Vec<String>,
}

pub async fn lock_pending(tx: &mut Tx<'_>, id: Uuid) -> Result<Option<PendingLease>, sqlx::Error> {
    sqlx::query_as!(
        PendingLease,
        "SELECT id, tenant_id, request, slice_count, duration_seconds, gpu_models FROM leases
         WHERE id = $1 AND state = 'pending' FOR UPDATE SKIP LOCKED",
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The pending queue: priority (higher first), then age.
pub async fn pending_queue(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<Uuid>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id FROM leases WHERE state = 'pending'
         ORDER BY priority DESC, created_at, id LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// `pending → provisioning` with its slices and the `granted` event, in one statement. Fails
/// with `slices_no_overlap` like [`insert`].
pub async fn grant_pending(
    tx: &mut Tx<'_>,
    id: Uuid,
    granted_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    slices: &[LeaseSlice],
    detail: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let column = |f: fn(&LeaseSlice) -> i32| slices.iter().map(f).collect::<Vec<_>>();
    sqlx::query!(
        "WITH lease AS (
             UPDATE leases SET state = 'provisioning', granted_at = $2, ends_at = $3
             WHERE id = $1 AND state = 'pending'
             RETURNING tenant_id
         ), slices AS (
             INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size,
                 compute_slices, memory_gib, created_at)
             SELECT s.id, $1, lease.tenant_id, s.gpu_id, s.profile, s.start, s.size,
                 s.compute_slices, s.memory_gib, $2
             FROM lease, unnest($4::uuid[], $5::uuid[], $6::text[], $7::int4[], $8::int4[],
                 $9::int4[], $10::int4[])
                 AS s(id, gpu_id, profile, start, size, compute_slices, memory_gib)
         )
         INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
         VALUES ($1, 'granted', 'pending', 'provisioning', $11, 'system')",
        id,
        granted_at,
        ends_at,
        &slices.iter().map(|s| s.id).collect::<Vec<_>>(),
        &slices.iter().map(|s| s.gpu_id).collect::<Vec<_>>(),
        &slices.iter().map(|s| s.profile.clone()).collect::<Vec<_>>(),
        &column(|s| s.start),
        &column(|s| s.size),
        &column(|s| s.compute_slices),
        &column(|s| s.memory_gib),
        detail,
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// A lease to take from `releasing` to `ended` (see [`end_released`]).
#[derive(Debug)]
pub struct EndAsk {
    pub id: Uuid,
    pub reason: EndReason,
    /// Of the `ended` event.
    pub detail: serde_json::Value,
}

/// `releasing → ended` for leases whose hosts have no agent, in one statement: their live
/// slices are released, the guarded transitions made and their `ended` events written. The
/// hosts' desired generations move at commit: by the deferred trigger of migration 0004, or
/// by the caller (DESIGN.md §2, invariant 4). Returns each lease ended, as it now is, with the
/// ids of the slices released; a lease that was not `releasing` is left out.
pub async fn end_released(
    tx: &mut Tx<'_>,
    asks: &[EndAsk],
) -> Result<Vec<(Lease, Vec<Uuid>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"WITH ask AS (
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS a(id, reason, detail)
           ), rel AS (
               UPDATE slices s SET released_at = now()
               WHERE s.lease_id = ANY($1) AND s.released_at IS NULL
               RETURNING s.id, s.released_at
           ), l AS (
               UPDATE leases l SET state = 'ended', end_reason = ask.reason::lease_end_reason,
                   ended_at = now()
               FROM ask WHERE l.id = ask.id AND l.state = 'releasing'
               RETURNING l.id, tenant_id, state::text AS state, end_reason::text AS end_reason,
                   request, slice_count, duration_seconds, idle_timeout_seconds,
                   extended_seconds, extensions, labels, granted_at, activated_at, ends_at,
                   ended_at, created_at
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
               SELECT l.id, 'ended', 'releasing', 'ended', ask.detail, 'system'
               FROM l JOIN ask ON ask.id = l.id
           )
           SELECT l.id AS "id!", l.tenant_id AS "tenant_id!", l.state AS "state!",
               l.end_reason, l.request AS "request!", l.slice_count AS "slice_count!",
               l.duration_seconds AS "duration_seconds!",
               l.idle_timeout_seconds AS "idle_timeout_seconds!",
               l.extended_seconds AS "extended_seconds!", l.extensions AS "extensions!",
               l.labels AS "labels!", l.granted_at, l.activated_at, l.ends_at, l.ended_at,
               l.created_at AS "created_at!",
               s.id AS "slice_id?", h.id AS "host_id?", h.name AS "host?", g.id AS "gpu_id?",
               g.uuid AS "gpu_uuid?", g.model AS "model?", s.profile AS "profile?",
               s.start AS "start?", s.size AS "size?", s.compute_slices AS "compute_slices?",
               s.memory_gib AS "memory_gib?", s.mig_device_uuid,
               coalesce(rel.released_at, s.released_at) AS released_at,
               rel.id IS NOT NULL AS "released_now!"
           FROM l LEFT JOIN slices s ON s.lease_id = l.id
               LEFT JOIN gpus g ON g.id = s.gpu_id LEFT JOIN hosts h ON h.id = g.host_id
               LEFT JOIN rel ON rel.id = s.id
           ORDER BY l.id, s.id"#,
        &asks.iter().map(|a| a.id).collect::<Vec<_>>(),
        &asks
            .iter()
            .map(|a| a.reason.as_str().to_owned())
            .collect::<Vec<_>>(),
        &asks.iter().map(|a| a.detail.clone()).collect::<Vec<_>>(),
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut ended: Vec<(LeaseRow, Vec<LeaseSlice>, Vec<Uuid>)> = Vec::new();
    for r in rows {
        if ended.last().is_none_or(|(l, _, _)| l.id != r.id) {
            let row = LeaseRow {
                id: r.id,
                tenant_id: r.tenant_id,
                state: r.state.clone(),
                end_reason: r.end_reason.clone(),
                request: r.request.clone(),
                slice_count: r.slice_count,
                duration_seconds: r.duration_seconds,
                idle_timeout_seconds: r.idle_timeout_seconds,
                extended_seconds: r.extended_seconds,
                extensions: r.extensions,
                labels: r.labels.clone(),
                granted_at: r.granted_at,
                activated_at: r.activated_at,
                ends_at: r.ends_at,
                ended_at: r.ended_at,
                created_at: r.created_at,
            };
            ended.push((row, Vec::new(), Vec::new()));
        }
        let (_, slices, released) = ended.last_mut().expect("pushed above");
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
        if r.released_now {
            released.push(id);
        }
        slices.push(LeaseSlice {
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
    ended
        .into_iter()
        .map(|(row, slices, released)| Ok((row.into_lease(slices)?, released)))
        .collect()
}

/// What [`begin_release`] found: the lease's state before, whether any of its hosts has an
/// agent, and whether it moved to `releasing`.
#[derive(Debug)]
pub struct ReleaseStart {
    pub from: LeaseState,
    pub agent_hosts: bool,
    pub releasing: bool,
}

/// A lease to take back (see [`begin_release`]).
#[derive(Debug)]
pub struct ReleaseAsk<'a> {
    pub id: Uuid,
    /// Only if the lease is this tenant's.
    pub tenant: Option<Uuid>,
    pub reason: EndReason,
    /// Of the `releasing` event.
    pub kind: &'a str,
    pub detail: serde_json::Value,
    pub actor: &'a str,
}

/// Locks the leases, in id order, and makes the guarded transition to `releasing` of those
/// `provisioning` or `active`, with their reasons and events, in one statement. A lease that
/// does not exist or (with `tenant`) belongs to another tenant is left out.
pub async fn begin_release(
    tx: &mut Tx<'_>,
    asks: &[ReleaseAsk<'_>],
) -> Result<HashMap<Uuid, ReleaseStart>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"WITH ask AS (
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[],
                   $6::text[]) AS a(id, tenant, reason, kind, detail, actor)
           ), cur AS (
               SELECT l.id, l.state FROM leases l JOIN ask ON ask.id = l.id
               WHERE ask.tenant IS NULL OR l.tenant_id = ask.tenant
               ORDER BY l.id FOR UPDATE OF l
           ), upd AS (
               UPDATE leases l SET state = 'releasing', release_reason = ask.reason::lease_end_reason
               FROM cur JOIN ask ON ask.id = cur.id
               WHERE l.id = cur.id AND l.state IN ('provisioning', 'active')
               RETURNING l.id
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
               SELECT upd.id, ask.kind, cur.state, 'releasing', ask.detail, ask.actor
               FROM upd JOIN cur ON cur.id = upd.id JOIN ask ON ask.id = upd.id
           )
           SELECT cur.id AS "id!", cur.state::text AS "state!",
               EXISTS (SELECT 1 FROM upd WHERE upd.id = cur.id) AS "releasing!",
               EXISTS (
                   SELECT 1 FROM slices s JOIN gpus g ON g.id = s.gpu_id
                       JOIN hosts h ON h.id = g.host_id
                   WHERE s.lease_id = cur.id AND s.released_at IS NULL
                       AND h.agent_enrolled_at IS NOT NULL
               ) AS "agent_hosts!"
           FROM cur"#,
        &asks.iter().map(|a| a.id).collect::<Vec<_>>(),
        &asks.iter().map(|a| a.tenant).collect::<Vec<_>>() as &[Option<Uuid>],
        &asks
            .iter()
            .map(|a| a.reason.as_str().to_owned())
            .collect::<Vec<_>>(),
        &asks.iter().map(|a| a.kind.to_owned()).collect::<Vec<_>>(),
        &asks.iter().map(|a| a.detail.clone()).collect::<Vec<_>>(),
        &asks.iter().map(|a| a.actor.to_owned()).collect::<Vec<_>>(),
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|r| {
            let start = ReleaseStart {
                from: decode_state(&r.state)?,
                agent_hosts: r.agent_hosts,
                releasing: r.releasing,
            };
            Ok((r.id, start))
        })
        .collect()
}
