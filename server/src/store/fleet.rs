//! `hosts` and `gpus`: inventory, cordoning, and the snapshot the in-memory placement index is
//! built from.

use sqlx::PgExecutor;
use uuid::Uuid;

/// One GPU as the placement index needs it.
#[derive(Clone, Debug)]
pub struct GpuRecord {
    pub id: Uuid,
    pub host_id: Uuid,
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
    pub id: Uuid,
    pub gpu_id: Uuid,
    pub profile: String,
    pub start: i32,
    /// Unix seconds; the lease's planned end.
    pub ends_at: i64,
}

pub async fn gpus(db: impl PgExecutor<'_>) -> Result<Vec<GpuRecord>, sqlx::Error> {
    sqlx::query_as!(
        GpuRecord,
        r#"SELECT g.id, g.host_id, h.name AS host_name, g.uuid, g.model,
               (g.schedulable AND h.schedulable AND g.mig_enabled AND g.geometry_matches_catalog
                   AND h.unreachable_since IS NULL) AS "schedulable!"
           FROM gpus g JOIN hosts h ON h.id = g.host_id ORDER BY h.name, g.device_index"#
    )
    .fetch_all(db)
    .await
}

/// The live slices of every GPU, or of one.
pub async fn live_slices(
    db: impl PgExecutor<'_>,
    gpu: Option<Uuid>,
) -> Result<Vec<LiveSlice>, sqlx::Error> {
    sqlx::query_as!(
        LiveSlice,
        r#"SELECT s.id AS "id!", s.gpu_id AS "gpu_id!", s.profile AS "profile!",
               s.start AS "start!",
               extract(epoch FROM coalesce(l.ends_at, now()))::bigint AS "ends_at!"
           FROM slices s JOIN leases l ON l.id = s.lease_id
           WHERE s.released_at IS NULL AND ($1::uuid IS NULL OR s.gpu_id = $1)
           UNION ALL
           SELECT md5(u.gpu_id::text || '/' || u.gpu_instance_id)::uuid, u.gpu_id, u.profile,
               u.start, extract(epoch FROM now() + interval '100 years')::bigint
           FROM unmanaged_instances u WHERE $1::uuid IS NULL OR u.gpu_id = $1"#,
        gpu
    )
    .fetch_all(db)
    .await
}

pub async fn insert_host(db: impl PgExecutor<'_>, id: Uuid, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO hosts (id, name) VALUES ($1, $2)", id, name)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn insert_gpu(
    db: impl PgExecutor<'_>,
    id: Uuid,
    host_id: Uuid,
    uuid: &str,
    device_index: i32,
    model: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO gpus (id, host_id, uuid, device_index, model) VALUES ($1, $2, $3, $4, $5)",
        id,
        host_id,
        uuid,
        device_index,
        model
    )
    .execute(db)
    .await
    .map(|_| ())
}

pub use slicebroker_types::api::Host;

pub async fn hosts(db: impl PgExecutor<'_>) -> Result<Vec<Host>, sqlx::Error> {
    sqlx::query_as!(
        Host,
        r#"SELECT h.id, h.name, h.schedulable, h.desired_generation,
               (SELECT count(*) FROM gpus g WHERE g.host_id = h.id) AS "gpu_count!",
               h.last_seen_at, h.unreachable_since, h.created_at
           FROM hosts h ORDER BY h.name"#
    )
    .fetch_all(db)
    .await
}

/// A GPU row for the fleet views.
#[derive(Clone, Debug)]
pub struct GpuRow {
    pub id: Uuid,
    pub host_id: Uuid,
    pub host_name: String,
    pub uuid: String,
    pub device_index: i32,
    pub model: String,
    pub schedulable: bool,
    pub host_schedulable: bool,
}

pub async fn gpu_rows(db: impl PgExecutor<'_>) -> Result<Vec<GpuRow>, sqlx::Error> {
    sqlx::query_as!(
        GpuRow,
        r#"SELECT g.id, g.host_id, h.name AS host_name, g.uuid, g.device_index, g.model,
               g.schedulable, h.schedulable AS host_schedulable
           FROM gpus g JOIN hosts h ON h.id = g.host_id ORDER BY h.name, g.device_index"#
    )
    .fetch_all(db)
    .await
}

/// A live slice for the fleet views: where it is and whose it is.
#[derive(Clone, Debug)]
pub struct SliceRow {
    pub gpu_id: Uuid,
    /// `None` for an instance the broker did not make.
    pub lease_id: Option<Uuid>,
    pub tenant_id: Option<Uuid>,
    pub profile: String,
    pub start: i32,
    pub size: i32,
}

pub async fn live_slice_rows(db: impl PgExecutor<'_>) -> Result<Vec<SliceRow>, sqlx::Error> {
    sqlx::query_as!(
        SliceRow,
        r#"SELECT s.gpu_id AS "gpu_id!", s.lease_id, l.tenant_id, s.profile AS "profile!",
               s.start AS "start!", s.size AS "size!"
           FROM slices s JOIN leases l ON l.id = s.lease_id
           WHERE s.released_at IS NULL
           UNION ALL
           SELECT u.gpu_id, NULL, NULL, u.profile, u.start, u.size FROM unmanaged_instances u
           ORDER BY 1, 5"#
    )
    .fetch_all(db)
    .await
}

/// Sets a GPU's flag; returns false if there is no such GPU.
pub async fn set_gpu_schedulable(
    db: impl PgExecutor<'_>,
    id: Uuid,
    schedulable: bool,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE gpus SET schedulable = $2 WHERE id = $1",
        id,
        schedulable
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_host_schedulable(
    db: impl PgExecutor<'_>,
    id: Uuid,
    schedulable: bool,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE hosts SET schedulable = $2 WHERE id = $1",
        id,
        schedulable
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Bumps each host's desired generation: their slices changed (DESIGN.md §2, invariant 4).
/// Host rows are locked in id order, so concurrent writers never deadlock on them.
pub async fn bump_generations(
    db: impl PgExecutor<'_>,
    host_ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH locked AS (SELECT id FROM hosts WHERE id = ANY($1) ORDER BY id FOR UPDATE)
         UPDATE hosts h SET desired_generation = h.desired_generation + 1
         FROM locked WHERE h.id = locked.id",
        host_ids
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Bumps the generations of `host_ids` and of the hosts of the live slices of `lease_ids`
/// now, locking them all in id order in this one statement, and marks the transaction so that
/// the deferred triggers of migration 0004 leave its slices' hosts alone (migration 0005): for a
/// transaction that changes slices of many leases and bumps every host it touches here.
pub async fn bump_generations_for_all(
    tx: &mut super::Tx<'_>,
    host_ids: &[Uuid],
    lease_ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH locked AS (
               SELECT h.id FROM hosts h
               WHERE h.id = ANY($1) OR h.id IN (
                   SELECT g.host_id FROM slices s JOIN gpus g ON g.id = s.gpu_id
                   WHERE s.lease_id = ANY($2) AND s.released_at IS NULL)
               ORDER BY h.id FOR UPDATE
           ), bump AS (
               UPDATE hosts h SET desired_generation = h.desired_generation + 1
               FROM locked WHERE h.id = locked.id
           )
           SELECT set_config('slicebroker.bumped_hosts', '*', true) AS "set!""#,
        host_ids,
        lease_ids
    )
    .fetch_one(&mut **tx)
    .await
    .map(|_| ())
}
