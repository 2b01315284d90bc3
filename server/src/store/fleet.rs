//! `hosts` and `gpus`: inventory, cordoning, and the snapshot the in-memory placement index is
//! built from.

use chrono::{DateTime, Utc};
use slicebroker_types::{GpuId, HostId, LeaseId, SliceId, TenantId};
use sqlx::PgExecutor;

/// One GPU as the placement index needs it.
#[derive(Clone, Debug)]
pub struct GpuRecord {
    pub id: GpuId,
    pub host_id: HostId,
    pub host_name: String,
    /// NVML's GPU UUID.
    pub uuid: String,
    pub model: String,
    /// Neither the GPU nor its host is cordoned or unreachable, MIG is on and its geometry is
    /// the catalog's.
    pub schedulable: bool,
}

/// One live slice as the placement index needs it; instances the broker did not make count too
/// (with no end).
#[derive(Clone, Debug)]
pub struct LiveSlice {
    pub id: SliceId,
    pub gpu_id: GpuId,
    pub profile: String,
    pub start: i32,
    /// Unix seconds: the slice's window (`slices.during`); a window open at its end (a slice
    /// being torn down) ends a hundred years from now.
    pub starts_at: i64,
    pub ends_at: i64,
}

pub async fn gpus(db: impl PgExecutor<'_>) -> Result<Vec<GpuRecord>, sqlx::Error> {
    sqlx::query_as!(
        GpuRecord,
        r#"SELECT g.id, g.host_id, h.name AS host_name, g.uuid, g.model,
               gpu_placeable(g, h) AS "schedulable!"
           FROM gpus g JOIN hosts h ON h.id = g.host_id
           WHERE h.removed_at IS NULL ORDER BY h.name, g.device_index"#
    )
    .fetch_all(db)
    .await
}

/// The live slices of every GPU, or of one.
pub async fn live_slices(
    db: impl PgExecutor<'_>,
    gpu: Option<GpuId>,
) -> Result<Vec<LiveSlice>, sqlx::Error> {
    sqlx::query_as!(
        LiveSlice,
        r#"SELECT s.id AS "id!: SliceId", s.gpu_id AS "gpu_id!: GpuId", s.profile AS "profile!",
               s.start AS "start!",
               floor(extract(epoch FROM lower(s.during)))::bigint AS "starts_at!",
               ceil(extract(epoch FROM CASE WHEN upper_inf(s.during)
                   THEN now() + interval '100 years' ELSE upper(s.during) END))::bigint
                   AS "ends_at!"
           FROM slices s
           WHERE s.released_at IS NULL AND ($1::uuid IS NULL OR s.gpu_id = $1)
           UNION ALL
           SELECT md5(u.gpu_id::text || '/' || u.gpu_instance_id)::uuid, u.gpu_id, u.profile,
               u.start, extract(epoch FROM now())::bigint,
               extract(epoch FROM now() + interval '100 years')::bigint
           FROM unmanaged_instances u WHERE $1::uuid IS NULL OR u.gpu_id = $1"#,
        gpu.map(GpuId::get)
    )
    .fetch_all(db)
    .await
}

pub async fn insert_host(
    db: impl PgExecutor<'_>,
    id: HostId,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO hosts (id, name) VALUES ($1, $2)",
        id.get(),
        name
    )
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn insert_gpu(
    db: impl PgExecutor<'_>,
    id: GpuId,
    host_id: HostId,
    uuid: &str,
    device_index: i32,
    model: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO gpus (id, host_id, uuid, device_index, model) VALUES ($1, $2, $3, $4, $5)",
        id.get(),
        host_id.get(),
        uuid,
        device_index,
        model
    )
    .execute(db)
    .await
    .map(|_| ())
}

use slicebroker_types::api::Host;

pub async fn hosts(db: impl PgExecutor<'_>) -> Result<Vec<Host>, sqlx::Error> {
    sqlx::query_as!(
        Host,
        r#"SELECT h.id, h.name, h.schedulable, h.desired_generation,
               (SELECT count(*) FROM gpus g WHERE g.host_id = h.id) AS "gpu_count!",
               b.last_seen_at, h.unreachable_since, h.created_at
           FROM hosts h LEFT JOIN host_heartbeats b ON b.host_id = h.id
           WHERE h.removed_at IS NULL ORDER BY h.name"#
    )
    .fetch_all(db)
    .await
}

/// A GPU row for the fleet views.
#[derive(Clone, Debug)]
pub struct GpuRow {
    pub id: GpuId,
    pub host_id: HostId,
    pub host_name: String,
    pub uuid: String,
    pub device_index: i32,
    pub model: String,
    pub schedulable: bool,
    pub host_schedulable: bool,
    pub placeable: bool,
    pub host_unreachable_since: Option<DateTime<Utc>>,
}

pub async fn gpu_rows(db: impl PgExecutor<'_>) -> Result<Vec<GpuRow>, sqlx::Error> {
    sqlx::query_as!(
        GpuRow,
        r#"SELECT g.id, g.host_id, h.name AS host_name, g.uuid, g.device_index, g.model,
               g.schedulable, h.schedulable AS host_schedulable,
               gpu_placeable(g, h) AS "placeable!", h.unreachable_since AS host_unreachable_since
           FROM gpus g JOIN hosts h ON h.id = g.host_id
           WHERE h.removed_at IS NULL ORDER BY h.name, g.device_index"#
    )
    .fetch_all(db)
    .await
}

/// A live slice for the fleet views: where it is and whose it is.
#[derive(Clone, Debug)]
pub struct SliceRow {
    pub gpu_id: GpuId,
    /// `None` for an instance the broker did not make.
    pub lease_id: Option<LeaseId>,
    pub tenant_id: Option<TenantId>,
    pub profile: String,
    pub start: i32,
    pub size: i32,
    /// As the agent last reported them (a JSON array of `GpuProcess`).
    pub processes: serde_json::Value,
    pub memory_used_mib: Option<i64>,
    pub last_active_at: Option<DateTime<Utc>>,
}

/// What holds each GPU's memory slices now: the slices whose window has begun (bookings yet to
/// start are not on the GPU; the calendar and their leases show them), and instances made by
/// hand.
pub async fn live_slice_rows(db: impl PgExecutor<'_>) -> Result<Vec<SliceRow>, sqlx::Error> {
    sqlx::query_as!(
        SliceRow,
        r#"SELECT s.gpu_id AS "gpu_id!: GpuId", s.lease_id AS "lease_id: LeaseId",
               l.tenant_id AS "tenant_id: TenantId", s.profile AS "profile!",
               s.start AS "start!", s.size AS "size!", s.processes AS "processes!",
               s.memory_used_mib, s.last_active_at
           FROM slices s JOIN leases l ON l.id = s.lease_id
           WHERE s.released_at IS NULL AND lower(s.during) <= now()
           UNION ALL
           SELECT u.gpu_id, NULL, NULL, u.profile, u.start, u.size, u.processes,
                  NULL::bigint, NULL::timestamptz
           FROM unmanaged_instances u
           ORDER BY 1, 5"#
    )
    .fetch_all(db)
    .await
}

/// Sets a GPU's flag; returns false if there is no such GPU.
pub async fn set_gpu_schedulable(
    db: impl PgExecutor<'_>,
    id: GpuId,
    schedulable: bool,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE gpus SET schedulable = $2 WHERE id = $1",
        id.get(),
        schedulable
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_host_schedulable(
    db: impl PgExecutor<'_>,
    id: HostId,
    schedulable: bool,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE hosts SET schedulable = $2 WHERE id = $1",
        id.get(),
        schedulable
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How a transaction that places slices stands to the others that do (see [`hold_placement`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placing {
    /// Beside any number of others.
    Beside,
    /// With no other placing anywhere: after losing a race to another replica.
    Alone,
}

/// The advisory lock that placing slices holds: shared by every transaction that places, taken
/// alone by one that lost a placement race to another replica, so that its retry sees the
/// GPUs settled and cannot lose again. Released at commit or rollback.
const PLACEMENT_LOCK: i64 = 0x736c_6963_6562_726b; // "slicebrk"

/// Takes the placement lock for the rest of the transaction, first thing, before any row lock.
pub async fn hold_placement(tx: &mut super::Tx<'_>, how: Placing) -> Result<(), sqlx::Error> {
    match how {
        Placing::Beside => {
            sqlx::query!("SELECT pg_advisory_xact_lock_shared($1)", PLACEMENT_LOCK)
                .fetch_one(&mut **tx)
                .await?;
        }
        Placing::Alone => {
            sqlx::query!("SELECT pg_advisory_xact_lock($1)", PLACEMENT_LOCK)
                .fetch_one(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Moves each host's desired generation: its slices changed (DESIGN.md §2, invariant 4). The
/// one way generations move: every transaction that places, releases or stamps for teardown a
/// slice calls this for the slices' hosts, as late as it can (the host rows stay locked until
/// commit), locking them in id order so that concurrent writers never deadlock on them. The
/// bump's time is kept for the reconcile-latency metrics (`app::metrics`).
pub async fn bump_generations(
    tx: &mut super::Tx<'_>,
    host_ids: &[HostId],
) -> Result<(), sqlx::Error> {
    if host_ids.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<uuid::Uuid> = host_ids.iter().map(|h| h.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    sqlx::query!(
        "WITH locked AS (SELECT id FROM hosts WHERE id = ANY($1) ORDER BY id FOR UPDATE)
         UPDATE hosts h SET desired_generation = h.desired_generation + 1,
             desired_changed_at = now()
         FROM locked WHERE h.id = locked.id",
        &ids
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Why a host could not be removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    Removed,
    /// No such host, or removed already.
    Missing,
    /// Slices of live leases, or slices its agent has yet to destroy, are still on it.
    InUse {
        live_slices: i64,
    },
}

/// Removes a host that holds nothing: it is no longer listed or placed on, its agent
/// credential stops working, and what its agent reported of instances made by hand is
/// forgotten. Its rows stay for the history of the leases it served.
pub async fn remove_host(tx: &mut super::Tx<'_>, id: HostId) -> Result<Removal, sqlx::Error> {
    let live: Option<i64> = sqlx::query_scalar!(
        r#"SELECT (SELECT count(*) FROM slices s JOIN gpus g ON g.id = s.gpu_id
                   WHERE g.host_id = h.id AND s.released_at IS NULL) AS "live!"
           FROM hosts h WHERE h.id = $1 AND h.removed_at IS NULL FOR UPDATE OF h"#,
        id.get()
    )
    .fetch_optional(&mut **tx)
    .await?;
    match live {
        None => return Ok(Removal::Missing),
        Some(n) if n > 0 => return Ok(Removal::InUse { live_slices: n }),
        Some(_) => {}
    }
    sqlx::query!(
        "UPDATE hosts SET removed_at = now(), agent_credential_hash = NULL,
             agent_enrolled_at = NULL, schedulable = false, unreachable_since = NULL
         WHERE id = $1",
        id.get()
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM unmanaged_instances WHERE gpu_id IN (SELECT id FROM gpus WHERE host_id = $1)",
        id.get()
    )
    .execute(&mut **tx)
    .await?;
    Ok(Removal::Removed)
}
