//! `leases` and `lease_events`: writing leases, and every lease transition. Each transition is
//! one guarded `UPDATE … WHERE state = ANY($from)` whose `from` is checked against the state
//! machine (`TRANSITIONS`, the same table the database's trigger enforces); a transition that
//! is not allowed changes nothing and reports so, and its caller writes the event only when the
//! row changed (DESIGN.md §2, invariant 2). No other module updates a lease's state. Reads
//! (views, lists, the queue) are in `views`.

mod views;

pub use views::*;

use super::Tx;
use chrono::{DateTime, Utc};
use slicebroker_types::api::{EndReason, Lease, LeaseEventKind, LeaseSlice, LeaseState};
use slicebroker_types::{ApiKeyId, GpuId, HostId, LeaseId, SliceId, TenantId};
use sqlx::PgExecutor;
use std::collections::HashMap;
use uuid::Uuid;

/// The source states of each guarded transition below, by the transition's name: a test checks
/// every pair against the state machine.
pub const TRANSITION_SOURCES: [(&str, &[LeaseState], LeaseState); 10] = {
    use LeaseState::*;
    [
        ("grant_pending", &[Pending], Provisioning),
        ("activate_if_ready", &[Provisioning], Active),
        ("begin_release", &[Provisioning, Active], Releasing),
        ("end_released", &[Releasing], Ended),
        ("end_if_torn_down", &[Releasing], Ended),
        (
            "end_on_lost_host",
            &[Provisioning, Active, Releasing],
            Ended,
        ),
        ("cancel_pending", &[Pending], Ended),
        ("start_booked", &[Booked], Provisioning),
        ("cancel_booked", &[Booked], Ended),
        ("fail_booked", &[Booked], Ended),
    ]
};

/// The source states of the transition named `name`.
fn from(name: &str) -> Vec<LeaseState> {
    TRANSITION_SOURCES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, from, _)| from.to_vec())
        .expect("a transition listed in TRANSITION_SOURCES")
}

/// One column of a statement's `unnest` arrays.
fn col<T, U>(items: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    items.iter().map(f).collect()
}

/// What a lease row keeps about its request beyond the [`Lease`] view.
#[derive(Debug)]
pub struct Origin<'a> {
    pub idempotency_key: Option<&'a str>,
    /// With a key: the fingerprint of the request that made the lease.
    pub idempotency_fingerprint: Option<&'a str>,
    pub created_by: Option<ApiKeyId>,
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
    pub event_kind: LeaseEventKind,
    pub event_detail: serde_json::Value,
    pub actor: &'a str,
}

/// Writes new leases, their slices (none while pending) and their first events, in one
/// statement. Fails with the `slices_no_overlap` constraint if another live slice holds any of
/// the slices' memory slices (in overlapping time): the caller reloads those GPUs and tries
/// elsewhere. Slices count from the start of their window (usage and the monthly budget): the
/// moment of the grant, or a booking's start, so that a booking cancelled before its start
/// costs nothing. The caller bumps the slices' hosts (`fleet::bump_generations`) before it
/// commits.
pub async fn insert(tx: &mut Tx<'_>, new: &[NewLease<'_>]) -> Result<(), sqlx::Error> {
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
                 created_at, gpu_models, priority, idempotency_fingerprint, booked_at, class)
             SELECT l.id, l.tenant_id, l.state, l.request, l.slice_count,
                 l.duration_seconds, l.idle_timeout_seconds, l.labels, l.idempotency_key,
                 l.created_by, l.granted_at, l.ends_at, l.created_at,
                 coalesce(string_to_array(nullif(l.gpu_models, ''), ','), '{}'), l.priority,
                 l.idempotency_fingerprint,
                 CASE WHEN l.state = 'booked' THEN l.created_at END, l.class
             FROM unnest($1::uuid[], $2::uuid[], $3::lease_state[], $4::text[], $5::int4[],
                 $6::int8[], $7::int8[], $8::jsonb[], $9::text[], $10::uuid[],
                 $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::text[],
                 $15::int4[], $29::text[], $32::text[])
                 AS l(id, tenant_id, state, request, slice_count, duration_seconds,
                     idle_timeout_seconds, labels, idempotency_key, created_by, granted_at,
                     ends_at, created_at, gpu_models, priority, idempotency_fingerprint, class)
         ), slices AS (
             INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size,
                 compute_slices, memory_gib, created_at, during)
             SELECT s.id, s.lease_id, s.tenant_id, s.gpu_id, s.profile, s.start, s.size,
                 s.compute_slices, s.memory_gib, s.since, tstzrange(s.since, s.until)
             FROM unnest($16::uuid[], $17::uuid[], $18::uuid[], $19::uuid[], $20::text[],
                 $21::int4[], $22::int4[], $23::int4[], $24::int4[], $25::timestamptz[],
                 $30::timestamptz[], $31::timestamptz[])
                 AS s(id, lease_id, tenant_id, gpu_id, profile, start, size, compute_slices,
                     memory_gib, created_at, since, until)
         )
         INSERT INTO lease_events (lease_id, kind, to_state, detail, actor, at)
         SELECT e.lease_id, e.kind, e.state, e.detail, e.actor, e.at
         FROM unnest($1::uuid[], $26::lease_event_kind[], $3::lease_state[], $27::jsonb[],
             $28::text[], $13::timestamptz[])
             AS e(lease_id, kind, state, detail, actor, at)",
        &col(new, |n| n.lease.id.get()),
        &col(new, |n| n.lease.tenant_id.get()),
        &col(new, |n| n.lease.state) as &[LeaseState],
        &col(new, |n| n.lease.request.clone()),
        &col(new, |n| n.lease.count),
        &col(new, |n| n.lease.duration_seconds),
        &col(new, |n| n.lease.idle_timeout_seconds),
        &labels,
        &col(new, |n| n.origin.idempotency_key.map(str::to_owned)) as &[Option<String>],
        &col(new, |n| n.origin.created_by.map(ApiKeyId::get)) as &[Option<Uuid>],
        &col(new, |n| n.lease.granted_at) as &[Option<DateTime<Utc>>],
        &col(new, |n| n.lease.ends_at) as &[Option<DateTime<Utc>>],
        &col(new, |n| n.lease.created_at),
        &col(new, |n| n.origin.gpu_models.join(",")),
        &col(new, |n| n.origin.priority),
        &slices.iter().map(|(_, s)| s.id.get()).collect::<Vec<_>>(),
        &slices.iter().map(|(l, _)| l.id.get()).collect::<Vec<_>>(),
        &slices
            .iter()
            .map(|(l, _)| l.tenant_id.get())
            .collect::<Vec<_>>(),
        &slices
            .iter()
            .map(|(_, s)| s.gpu_id.get())
            .collect::<Vec<_>>(),
        &slices
            .iter()
            .map(|(_, s)| s.profile.clone())
            .collect::<Vec<_>>(),
        &slice_col(|s| s.start),
        &slice_col(|s| s.size),
        &slice_col(|s| s.compute_slices),
        &slice_col(|s| s.memory_gib),
        &slices.iter().map(|(l, _)| l.created_at).collect::<Vec<_>>(),
        &col(new, |n| n.event_kind) as &[LeaseEventKind],
        &col(new, |n| n.event_detail.clone()),
        &col(new, |n| n.actor.to_owned()),
        &col(new, |n| n.origin.idempotency_fingerprint.map(str::to_owned)) as &[Option<String>],
        &slices
            .iter()
            .map(|(l, _)| l.granted_at.unwrap_or(l.created_at))
            .collect::<Vec<_>>(),
        &slices.iter().map(|(l, _)| l.ends_at).collect::<Vec<_>>() as &[Option<DateTime<Utc>>],
        &col(new, |n| n.lease.class.clone()) as &[Option<String>],
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// One entry of a lease's history. `from` and `to` are set for the event of a transition.
pub async fn insert_event(
    db: impl PgExecutor<'_>,
    lease_id: LeaseId,
    kind: LeaseEventKind,
    from: Option<LeaseState>,
    to: Option<LeaseState>,
    detail: serde_json::Value,
    actor: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
         VALUES ($1, $2, $3, $4, $5, $6)",
        lease_id.get(),
        kind as LeaseEventKind,
        from as Option<LeaseState>,
        to as Option<LeaseState>,
        detail,
        actor,
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// An entry of a lease's history, to write with others ([`insert_events`]).
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub lease_id: LeaseId,
    pub kind: LeaseEventKind,
    pub from: Option<LeaseState>,
    pub to: Option<LeaseState>,
    pub detail: serde_json::Value,
    pub actor: &'a str,
}

/// Writes entries of lease histories in one statement, in the order given.
pub async fn insert_events(tx: &mut Tx<'_>, events: &[NewEvent<'_>]) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
         SELECT lease_id, kind, from_state, to_state, detail, actor
         FROM unnest($1::uuid[], $2::lease_event_kind[], $3::lease_state[],
             $4::lease_state[], $5::jsonb[], $6::text[]) WITH ORDINALITY
             AS e(lease_id, kind, from_state, to_state, detail, actor, n)
         ORDER BY n",
        &col(events, |e| e.lease_id.get()),
        &col(events, |e| e.kind) as &[LeaseEventKind],
        &col(events, |e| e.from) as &[Option<LeaseState>],
        &col(events, |e| e.to) as &[Option<LeaseState>],
        &col(events, |e| e.detail.clone()),
        &col(events, |e| e.actor.to_owned()),
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// `pending → provisioning` with its slices and the `granted` event, in one statement; false
/// if the lease was no longer pending. Fails with `slices_no_overlap` like [`insert`]; the
/// caller bumps the slices' hosts.
pub async fn grant_pending(
    tx: &mut Tx<'_>,
    id: LeaseId,
    granted_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    slices: &[LeaseSlice],
    detail: serde_json::Value,
) -> Result<bool, sqlx::Error> {
    let column = |f: fn(&LeaseSlice) -> i32| slices.iter().map(f).collect::<Vec<_>>();
    let r = sqlx::query!(
        r#"WITH lease AS (
               UPDATE leases SET state = 'provisioning', granted_at = $2, ends_at = $3
               WHERE id = $1 AND state = ANY($12)
               RETURNING tenant_id
           ), slices AS (
               INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size,
                   compute_slices, memory_gib, created_at, during)
               SELECT s.id, $1, lease.tenant_id, s.gpu_id, s.profile, s.start, s.size,
                   s.compute_slices, s.memory_gib, $2, tstzrange($2, $3)
               FROM lease, unnest($4::uuid[], $5::uuid[], $6::text[], $7::int4[], $8::int4[],
                   $9::int4[], $10::int4[])
                   AS s(id, gpu_id, profile, start, size, compute_slices, memory_gib)
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor, at)
               SELECT $1, 'granted', 'pending', 'provisioning', $11, 'system', $2 FROM lease
           )
           SELECT count(*) AS "granted!" FROM lease"#,
        id.get(),
        granted_at,
        ends_at,
        &slices.iter().map(|s| s.id.get()).collect::<Vec<_>>(),
        &slices.iter().map(|s| s.gpu_id.get()).collect::<Vec<_>>(),
        &slices.iter().map(|s| s.profile.clone()).collect::<Vec<_>>(),
        &column(|s| s.start),
        &column(|s| s.size),
        &column(|s| s.compute_slices),
        &column(|s| s.memory_gib),
        detail,
        &from("grant_pending") as &[LeaseState],
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.granted == 1)
}

/// `provisioning → active` for those of the leases whose every slice has a MIG device now (their
/// end capped at the next window booked on their memory slices, `leases_extendable_until`):
/// their paid-for time starts. A booking's paid time ran from its start: its end stays. One statement; returns, for each lease that moved, its new end
/// and its slices (the others are left as they are).
pub async fn activate_if_ready(
    tx: &mut Tx<'_>,
    ids: &[LeaseId],
) -> Result<Vec<(LeaseId, DateTime<Utc>, Vec<SliceId>)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"UPDATE leases l SET state = 'active', activated_at = now(),
               ends_at = CASE WHEN l.booked_at IS NOT NULL THEN l.ends_at
                   ELSE least(now() + make_interval(
                       secs => (l.duration_seconds + l.extended_seconds)::double precision),
                       leases_extendable_until(l.id)) END
           WHERE l.id = ANY($1) AND l.state = ANY($2)
               AND NOT EXISTS (SELECT 1 FROM slices s WHERE s.lease_id = l.id
                               AND s.released_at IS NULL AND s.mig_device_uuid IS NULL)
           RETURNING l.id AS "id: LeaseId", l.ends_at AS "ends_at!",
               array(SELECT s.id FROM slices s WHERE s.lease_id = l.id ORDER BY s.id)
                   AS "slices!: Vec<SliceId>""#,
        &ids.iter().map(|l| l.get()).collect::<Vec<_>>(),
        &from("activate_if_ready") as &[LeaseState],
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.ends_at, r.slices))
        .collect())
}

/// What [`begin_release`] found: the lease's state before, the hosts of its live slices (in id
/// order), whether any of them has an agent, and whether it moved to `releasing`.
#[derive(Debug)]
pub struct ReleaseStart {
    pub from: LeaseState,
    pub hosts: Vec<HostId>,
    pub agent_hosts: bool,
    pub releasing: bool,
    /// The reason it is releasing for: the one asked, except that a booking released by its
    /// owner in the lead before its start is `cancelled` (its window never began).
    pub reason: Option<EndReason>,
}

/// A lease to take back (see [`begin_release`]).
#[derive(Debug)]
pub struct ReleaseAsk<'a> {
    pub id: LeaseId,
    /// Only if the lease is this tenant's.
    pub tenant: Option<TenantId>,
    pub reason: EndReason,
    pub detail: serde_json::Value,
    pub actor: &'a str,
}

/// Locks the leases, in id order, and makes the guarded transition to `releasing` of those
/// `provisioning` or `active`, with their reasons and events, in one statement. A lease that
/// does not exist or (with `tenant`) belongs to another tenant is left out. A booking released
/// by its owner after it started in its lead but before its start is cancelled (reason and
/// event `cancelled`), as it would have been a moment earlier.
pub async fn begin_release(
    tx: &mut Tx<'_>,
    asks: &[ReleaseAsk<'_>],
) -> Result<HashMap<LeaseId, ReleaseStart>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"WITH ask AS (
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::lease_end_reason[],
                   $4::lease_event_kind[], $5::jsonb[], $6::text[])
                   AS a(id, tenant, reason, kind, detail, actor)
           ), cur AS (
               SELECT l.id, l.state FROM leases l JOIN ask ON ask.id = l.id
               WHERE ask.tenant IS NULL OR l.tenant_id = ask.tenant
               ORDER BY l.id FOR UPDATE OF l
           ), upd AS (
               UPDATE leases l SET state = 'releasing', release_reason = CASE
                   WHEN ask.reason = 'released' AND l.granted_at > now() THEN 'cancelled'
                   ELSE ask.reason END
               FROM cur JOIN ask ON ask.id = cur.id
               WHERE l.id = cur.id AND l.state = ANY($7)
               RETURNING l.id, l.release_reason
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
               SELECT upd.id,
                   CASE WHEN upd.release_reason = 'cancelled' THEN 'cancelled' ELSE ask.kind END,
                   cur.state, 'releasing',
                   CASE WHEN upd.release_reason = 'cancelled'
                       THEN ask.detail || '{"reason": "cancelled"}'::jsonb ELSE ask.detail END,
                   ask.actor
               FROM upd JOIN cur ON cur.id = upd.id JOIN ask ON ask.id = upd.id
           )
           SELECT cur.id AS "id!: LeaseId", cur.state AS "state!: LeaseState",
               (SELECT upd.release_reason FROM upd WHERE upd.id = cur.id)
                   AS "reason: EndReason",
               EXISTS (SELECT 1 FROM upd WHERE upd.id = cur.id) AS "releasing!",
               coalesce(live.hosts, '{}') AS "hosts!: Vec<HostId>",
               coalesce(live.agent_hosts, false) AS "agent_hosts!"
           FROM cur LEFT JOIN LATERAL (
               SELECT array_agg(DISTINCT g.host_id ORDER BY g.host_id) AS hosts,
                   bool_or(h.agent_enrolled_at IS NOT NULL) AS agent_hosts
               FROM slices s JOIN gpus g ON g.id = s.gpu_id JOIN hosts h ON h.id = g.host_id
               WHERE s.lease_id = cur.id AND s.released_at IS NULL
           ) live ON true"#,
        &asks.iter().map(|a| a.id.get()).collect::<Vec<_>>(),
        &asks
            .iter()
            .map(|a| a.tenant.map(TenantId::get))
            .collect::<Vec<_>>() as &[Option<Uuid>],
        &asks.iter().map(|a| a.reason).collect::<Vec<_>>() as &[EndReason],
        &asks
            .iter()
            .map(|a| LeaseEventKind::releasing(a.reason))
            .collect::<Vec<_>>() as &[LeaseEventKind],
        &asks.iter().map(|a| a.detail.clone()).collect::<Vec<_>>(),
        &asks.iter().map(|a| a.actor.to_owned()).collect::<Vec<_>>(),
        &from("begin_release") as &[LeaseState],
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let start = ReleaseStart {
                from: r.state,
                hosts: r.hosts,
                agent_hosts: r.agent_hosts,
                releasing: r.releasing,
                reason: r.reason,
            };
            (r.id, start)
        })
        .collect())
}

/// A lease to take from `releasing` to `ended` at once (see [`end_released`]).
#[derive(Debug)]
pub struct EndAsk {
    pub id: LeaseId,
    pub reason: EndReason,
    /// Of the `ended` event.
    pub detail: serde_json::Value,
}

/// `releasing → ended` for leases with nothing to tear down (no agent on their hosts), in one
/// statement: their live slices are released, the guarded transitions made and their `ended`
/// events written. The caller bumps the hosts (DESIGN.md §2, invariant 4). Returns each lease
/// ended, as it now is, with the ids of the slices released; a lease that was not `releasing`
/// is left out.
pub async fn end_released(
    tx: &mut Tx<'_>,
    asks: &[EndAsk],
) -> Result<Vec<(Lease, Vec<SliceId>)>, sqlx::Error> {
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as!(
        views::Joined,
        r#"WITH ask AS (
               SELECT * FROM unnest($1::uuid[], $2::lease_end_reason[], $3::jsonb[])
                   AS a(id, reason, detail)
           ), l AS (
               UPDATE leases l SET state = 'ended', end_reason = ask.reason, ended_at = now()
               FROM ask WHERE l.id = ask.id AND l.state = ANY($4)
               RETURNING l.id, l.tenant_id, l.state, l.end_reason, l.request, l.slice_count,
                   l.duration_seconds, l.idle_timeout_seconds, l.extended_seconds,
                   l.extensions, l.labels, l.granted_at, l.activated_at, l.ends_at,
                   l.ended_at, l.created_at, l.class
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
               SELECT l.id, 'ended', 'releasing', 'ended', ask.detail, 'system'
               FROM l JOIN ask ON ask.id = l.id
           ), rel AS (
               UPDATE slices s SET released_at = now()
               FROM l WHERE s.lease_id = l.id AND s.released_at IS NULL
               RETURNING s.id, s.released_at
           )
           SELECT l.id AS "id!: LeaseId", l.tenant_id AS "tenant_id!: TenantId",
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
               s.mig_device_uuid AS "mig_device_uuid?",
               coalesce(rel.released_at, s.released_at) AS "released_at?"
           FROM l LEFT JOIN slices s ON s.lease_id = l.id AND NOT s.rebooked
               LEFT JOIN gpus g ON g.id = s.gpu_id LEFT JOIN hosts h ON h.id = g.host_id
               LEFT JOIN rel ON rel.id = s.id
           ORDER BY l.id, s.id"#,
        &asks.iter().map(|a| a.id.get()).collect::<Vec<_>>(),
        &asks.iter().map(|a| a.reason).collect::<Vec<_>>() as &[EndReason],
        &asks.iter().map(|a| a.detail.clone()).collect::<Vec<_>>(),
        &from("end_released") as &[LeaseState],
    )
    .fetch_all(&mut **tx)
    .await?;
    // The slices released now carry the transaction's time, which is also the leases' end.
    views::group(rows)?
        .into_iter()
        .map(|lease| {
            let now: Vec<SliceId> = lease
                .slices
                .iter()
                .filter(|s| s.released_at.is_some() && s.released_at == lease.ended_at)
                .map(|s| s.id)
                .collect();
            Ok((lease, now))
        })
        .collect()
}

/// `releasing → ended` for those of the leases none of whose slices is left (the agent
/// destroyed them all). One statement; returns the leases that moved, with their end reason.
pub async fn end_if_torn_down(
    tx: &mut Tx<'_>,
    ids: &[LeaseId],
) -> Result<Vec<(LeaseId, EndReason)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"UPDATE leases l SET state = 'ended', ended_at = now(),
               end_reason = coalesce(l.release_reason, 'released')
           WHERE l.id = ANY($1) AND l.state = ANY($2)
               AND NOT EXISTS (SELECT 1 FROM slices s
                               WHERE s.lease_id = l.id AND s.released_at IS NULL)
           RETURNING l.id AS "id: LeaseId", l.end_reason AS "reason!: EndReason""#,
        &ids.iter().map(|l| l.get()).collect::<Vec<_>>(),
        &from("end_if_torn_down") as &[LeaseState],
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.reason)).collect())
}

/// `→ ended` on a lost host, keeping the slices marked taken (the agent destroys them when it
/// comes back, and its report releases them). The reason is the one the lease was being
/// released for, if it was (`released`, `expired`, …: what the owner or the policy did), else
/// `host_lost`. `None` if the lease had already ended: then nothing is written.
pub async fn end_on_lost_host(
    tx: &mut Tx<'_>,
    id: LeaseId,
) -> Result<Option<EndReason>, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE leases SET state = 'ended',
               end_reason = coalesce(release_reason, 'host_lost'), ended_at = now()
           WHERE id = $1 AND state = ANY($2)
           RETURNING end_reason AS "reason!""#,
        id.get(),
        &from("end_on_lost_host") as &[LeaseState],
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.reason))
}

/// `pending → ended` with `reason` (`cancelled`, or `revoked` by an admin); false if it was
/// no longer pending.
pub async fn cancel_pending(
    tx: &mut Tx<'_>,
    id: LeaseId,
    reason: EndReason,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE leases SET state = 'ended', end_reason = $3, ended_at = now()
         WHERE id = $1 AND state = ANY($2)",
        id.get(),
        &from("cancel_pending") as &[LeaseState],
        reason as EndReason,
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The latest end the lease's live slices can have before a later window (a booking) on any
/// of their memory slices; `None` when nothing later is booked there.
pub async fn extendable_until(
    tx: &mut Tx<'_>,
    id: LeaseId,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT nullif(leases_extendable_until($1), 'infinity'::timestamptz)",
        id.get()
    )
    .fetch_one(&mut **tx)
    .await
}

/// How many bookings not yet started each tenant holds (tenants without any are left out).
pub async fn booked_counts(
    tx: &mut Tx<'_>,
    tenants: &[TenantId],
) -> Result<HashMap<TenantId, i64>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT tenant_id AS "tenant!: TenantId", count(*) AS "booked!" FROM leases
           WHERE state = 'booked' AND tenant_id = ANY($1) GROUP BY tenant_id"#,
        &tenants.iter().map(|t| t.get()).collect::<Vec<_>>()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tenant, r.booked)).collect())
}

/// The bookings [`start_booked`] started.
#[derive(Debug, Default)]
pub struct Started {
    pub leases: Vec<LeaseId>,
    /// The hosts of their slices, to bump.
    pub hosts: Vec<HostId>,
    /// The GPUs of their slices, whose windows now begin at once.
    pub gpus: Vec<GpuId>,
}

/// `booked → provisioning` for bookings whose start is at most `lead` seconds away and whose
/// memory slices nothing before them still holds (the lease before, running up to the start or
/// still being torn down: the agent could not make the slice yet), taken with `SKIP LOCKED`
/// (every replica runs the job), each with its `starting` event (whose times are written as the
/// API writes times: RFC 3339 in UTC, `Z`). Their slices' windows begin now: the agent makes
/// the slices from now on, so nothing else may be placed on those memory slices in the lead
/// before the start (nothing live is there before the window, or the booking would not start;
/// the paid time still runs from the start, `slices.created_at`). Returns the leases started
/// and the hosts and GPUs of their slices, in id order, for the caller to bump (DESIGN.md §2,
/// invariant 4: their agents are told only now) and to reload in the placement index.
pub async fn start_booked(
    tx: &mut Tx<'_>,
    lead: i64,
    lost_after_ms: i64,
    limit: i64,
) -> Result<Started, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH due AS (
               SELECT l.id FROM leases l
               WHERE l.state = 'booked'
                   AND l.granted_at <= now() + make_interval(secs => $1::bigint::double precision)
                   AND NOT EXISTS (
                       SELECT 1 FROM slices s JOIN gpus g ON g.id = s.gpu_id
                           JOIN hosts h ON h.id = g.host_id
                       WHERE s.lease_id = l.id AND s.released_at IS NULL
                           AND (NOT g.schedulable OR NOT h.schedulable
                               OR h.unreachable_since < now()
                                   - make_interval(secs => $4::bigint::double precision / 1000)))
                   AND NOT EXISTS (
                       SELECT 1 FROM slices s JOIN slices o
                           ON o.gpu_id = s.gpu_id AND o.id <> s.id AND o.released_at IS NULL
                           AND int4range(o.start, o.start + o.size)
                               && int4range(s.start, s.start + s.size)
                           AND lower(o.during) < lower(s.during)
                       WHERE s.lease_id = l.id AND s.released_at IS NULL)
               ORDER BY l.granted_at, l.id LIMIT $2 FOR UPDATE OF l SKIP LOCKED
           ), upd AS (
               UPDATE leases l SET state = 'provisioning' FROM due
               WHERE l.id = due.id AND l.state = ANY($3)
               RETURNING l.id, l.granted_at, l.ends_at
           ), win AS (
               UPDATE slices s SET during = tstzrange(least(now(), lower(s.during)),
                   upper(s.during))
               FROM upd WHERE s.lease_id = upd.id AND s.released_at IS NULL
               RETURNING s.gpu_id
           )
           SELECT coalesce(array(SELECT id FROM upd ORDER BY id), '{}') AS "leases!: Vec<LeaseId>",
               coalesce(array(SELECT DISTINCT gpu_id FROM win ORDER BY gpu_id), '{}')
                   AS "gpus!: Vec<GpuId>",
               coalesce(array(SELECT granted_at FROM upd ORDER BY id), '{}')
                   AS "starts!: Vec<DateTime<Utc>>",
               coalesce(array(SELECT ends_at FROM upd ORDER BY id), '{}')
                   AS "ends!: Vec<DateTime<Utc>>",
               coalesce(array(SELECT DISTINCT g.host_id FROM slices s
                   JOIN gpus g ON g.id = s.gpu_id
                   WHERE s.lease_id IN (SELECT id FROM upd) AND s.released_at IS NULL
                   ORDER BY g.host_id), '{}') AS "hosts!: Vec<HostId>""#,
        lead,
        limit,
        &from("start_booked") as &[LeaseState],
        lost_after_ms,
    )
    .fetch_one(&mut **tx)
    .await?;
    let events: Vec<NewEvent> = (r.leases.iter().zip(&r.starts).zip(&r.ends))
        .map(|((&lease_id, start), ends_at)| NewEvent {
            lease_id,
            kind: LeaseEventKind::Starting,
            from: Some(LeaseState::Booked),
            to: Some(LeaseState::Provisioning),
            detail: serde_json::json!({"start": start, "ends_at": ends_at}),
            actor: "system",
        })
        .collect();
    insert_events(tx, &events).await?;
    Ok(Started {
        leases: r.leases,
        hosts: r.hosts,
        gpus: r.gpus,
    })
}

/// `booked → ended` with `end`'s reason and event (`cancelled` by its owner, `revoked` by an
/// admin), its slices released at once (no agent was ever told about them). Returns the slices
/// released; `None` if the lease was no longer booked. The caller holds the lease's row lock.
pub async fn cancel_booked(
    tx: &mut Tx<'_>,
    id: LeaseId,
    end: (EndReason, LeaseEventKind),
    actor: &str,
) -> Result<Option<Vec<SliceId>>, sqlx::Error> {
    end_booked(tx, id, "cancel_booked", end, serde_json::json!({}), actor).await
}

/// `booked → ended` with reason `failed`, at its start, when its placement cannot be made (a
/// lost host, a cordon) and no other is free: its slices released at once, as a cancellation
/// releases them (so it costs nothing), and its `failed` event with `reason`. Returns the slices
/// released; `None` if the lease was no longer booked. The caller holds the lease's row lock.
pub async fn fail_booked(
    tx: &mut Tx<'_>,
    id: LeaseId,
    reason: &str,
) -> Result<Option<Vec<SliceId>>, sqlx::Error> {
    let end = (EndReason::Failed, LeaseEventKind::Failed);
    let detail = serde_json::json!({ "reason": reason });
    end_booked(tx, id, "fail_booked", end, detail, "system").await
}

/// The transition `name` (`booked → ended`) with `end`'s reason and event, in one statement.
async fn end_booked(
    tx: &mut Tx<'_>,
    id: LeaseId,
    name: &str,
    (reason, kind): (EndReason, LeaseEventKind),
    detail: serde_json::Value,
    actor: &str,
) -> Result<Option<Vec<SliceId>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH l AS (
               UPDATE leases SET state = 'ended', end_reason = $3, ended_at = now()
               WHERE id = $1 AND state = ANY($2)
               RETURNING id
           ), rel AS (
               UPDATE slices s SET released_at = now() FROM l
               WHERE s.lease_id = l.id AND s.released_at IS NULL
               RETURNING s.id
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, from_state, to_state, detail, actor)
               SELECT l.id, $4, 'booked', 'ended', $5, $6 FROM l
           )
           SELECT EXISTS (SELECT 1 FROM l) AS "ended!",
               coalesce(array(SELECT id FROM rel), '{}') AS "slices!: Vec<SliceId>""#,
        id.get(),
        &from(name) as &[LeaseState],
        reason as EndReason,
        kind as LeaseEventKind,
        detail,
        actor,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.ended.then_some(r.slices))
}

/// First retry of an at-risk booking, in seconds; each next one waits twice as long, up to
/// [`REBOOK_BACKOFF_MAX_SECONDS`].
pub const REBOOK_BACKOFF_SECONDS: i64 = 2;
pub const REBOOK_BACKOFF_MAX_SECONDS: i64 = 300;

/// A booking found no other place: its next try waits (2 s, doubling, at most 5 min), but never
/// past its start, when it fails or starts. The caller holds the lease's row lock.
pub async fn rebook_later(tx: &mut Tx<'_>, id: LeaseId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE leases SET rebook_tries = rebook_tries + 1,
               rebook_next_at = least(granted_at, now() + make_interval(secs =>
                   least($2::bigint, $3::bigint * (2 ^ least(rebook_tries, 20))::bigint)::double precision))
           WHERE id = $1 AND state = 'booked'"#,
        id.get(),
        REBOOK_BACKOFF_MAX_SECONDS,
        REBOOK_BACKOFF_SECONDS,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Capacity came back (a GPU or host uncordoned): every waiting booking is retried at once.
pub async fn rebook_now(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE leases SET rebook_next_at = NULL
         WHERE state = 'booked' AND rebook_next_at IS NOT NULL"
    )
    .execute(db)
    .await?
    .rows_affected())
}

/// Moves a booking's slices `old` to the places `new` for the same window (the lease's
/// `[granted_at, ends_at)`), with its `rebooked` event, in one statement; false if the lease
/// was no longer booked (then nothing is written). The old slices are released as a
/// cancellation releases them: they leave the exclusion constraint and cost nothing, their
/// window not having begun; marked `rebooked`, they leave the lease's view too. The new ones
/// count from the booking's start, as a booking's first ones do, and the retry backoff
/// restarts. The caller bumps the hosts of both. Fails with `slices_no_overlap` like [`insert`]. The caller holds the lease's row lock.
pub async fn rebook(
    tx: &mut Tx<'_>,
    id: LeaseId,
    old: &[SliceId],
    new: &[LeaseSlice],
    detail: serde_json::Value,
) -> Result<bool, sqlx::Error> {
    let column = |f: fn(&LeaseSlice) -> i32| new.iter().map(f).collect::<Vec<_>>();
    let r = sqlx::query!(
        r#"WITH l AS (
               UPDATE leases SET rebook_tries = 0, rebook_next_at = NULL
               WHERE id = $1 AND state = 'booked'
               RETURNING id, tenant_id, granted_at, ends_at
           ), rel AS (
               UPDATE slices s SET released_at = now(), rebooked = true FROM l
               WHERE s.lease_id = l.id AND s.id = ANY($2) AND s.released_at IS NULL
               RETURNING s.id
           ), ins AS (
               INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size,
                   compute_slices, memory_gib, created_at, during)
               SELECT s.id, l.id, l.tenant_id, s.gpu_id, s.profile, s.start, s.size,
                   s.compute_slices, s.memory_gib, l.granted_at, tstzrange(l.granted_at, l.ends_at)
               FROM l, unnest($3::uuid[], $4::uuid[], $5::text[], $6::int4[], $7::int4[],
                   $8::int4[], $9::int4[])
                   AS s(id, gpu_id, profile, start, size, compute_slices, memory_gib)
           ), ev AS (
               INSERT INTO lease_events (lease_id, kind, detail, actor)
               SELECT l.id, 'rebooked', $10, 'system' FROM l
           )
           SELECT count(*) AS "moved!" FROM l"#,
        id.get(),
        &old.iter().map(|s| s.get()).collect::<Vec<_>>(),
        &new.iter().map(|s| s.id.get()).collect::<Vec<_>>(),
        &new.iter().map(|s| s.gpu_id.get()).collect::<Vec<_>>(),
        &new.iter().map(|s| s.profile.clone()).collect::<Vec<_>>(),
        &column(|s| s.start),
        &column(|s| s.size),
        &column(|s| s.compute_slices),
        &column(|s| s.memory_gib),
        detail,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.moved == 1)
}

/// Adds `seconds` to a live lease's end if the total stays within `max_total`; returns the
/// new end, or `None` if the guard refused.
pub async fn extend(
    tx: &mut Tx<'_>,
    id: LeaseId,
    seconds: i64,
    max_total: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE leases SET ends_at = ends_at + make_interval(secs => $2::bigint::double precision),
               extended_seconds = extended_seconds + $2, extensions = extensions + 1
           WHERE id = $1 AND state IN ('provisioning', 'active')
               AND extended_seconds + $2 <= $3
           RETURNING ends_at AS "ends_at!""#,
        id.get(),
        seconds,
        max_total,
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.ends_at))
}

/// Claims the `expiring` warning of a lease for its current end, unless another transaction
/// holds the lease or has claimed it: the end to warn about, once per lease and end, whichever
/// replica asks.
pub async fn claim_expiry_warning(
    tx: &mut Tx<'_>,
    id: LeaseId,
    within: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE leases SET expiry_warned_for = ends_at
           WHERE id = (SELECT id FROM leases WHERE id = $1 FOR UPDATE SKIP LOCKED)
               AND state = 'active' AND ends_at > now()
               AND ends_at <= now() + make_interval(secs => $2::bigint::double precision)
               AND expiry_warned_for IS DISTINCT FROM ends_at
           RETURNING ends_at AS "ends_at!""#,
        id.get(),
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
    id: LeaseId,
    idle_since: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE leases SET idle_warned_at = now()
         WHERE id = $1 AND state = 'active'
             AND (idle_warned_at IS NULL OR idle_warned_at < $2)",
        id.get(),
        idle_since
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::TRANSITION_SOURCES;

    #[test]
    fn every_guarded_transition_follows_the_state_machine() {
        for (name, from, to) in TRANSITION_SOURCES {
            for f in from {
                assert!(
                    f.can_become(to),
                    "{name}: {f} -> {to} is not a legal transition"
                );
            }
        }
    }
}
