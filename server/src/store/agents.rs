//! The agent side of the inventory: enrollment tokens, agent credentials, what agents register
//! (hosts and GPUs) and report (instances, processes, memory, unmanaged instances), and the
//! desired slices of a host.

use super::Tx;
use chrono::{DateTime, Utc};
use slicebroker_types::{ApiKeyId, GpuId, HostId, LeaseId};
use sqlx::PgExecutor;
use uuid::Uuid;

use slicebroker_types::api::EnrollmentToken;

pub async fn insert_enrollment_token(
    db: impl PgExecutor<'_>,
    id: Uuid,
    hash: &[u8],
    prefix: &str,
    note: &str,
    created_by: Option<ApiKeyId>,
    expires_at: DateTime<Utc>,
) -> Result<EnrollmentToken, sqlx::Error> {
    sqlx::query_as!(
        EnrollmentToken,
        r#"INSERT INTO enrollment_tokens (id, token_hash, token_prefix, note, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, token_prefix AS prefix, note, expires_at, used_at, used_by_host,
               created_at"#,
        id,
        hash,
        prefix,
        note,
        created_by.map(ApiKeyId::get),
        expires_at
    )
    .fetch_one(db)
    .await
}

pub async fn enrollment_tokens(
    db: impl PgExecutor<'_>,
) -> Result<Vec<EnrollmentToken>, sqlx::Error> {
    sqlx::query_as!(
        EnrollmentToken,
        r#"SELECT id, token_prefix AS prefix, note, expires_at, used_at, used_by_host, created_at
           FROM enrollment_tokens ORDER BY created_at DESC, id"#
    )
    .fetch_all(db)
    .await
}

/// Locks an unused, unexpired token by its hash; `None` if there is none.
pub async fn lock_enrollment_token(
    tx: &mut Tx<'_>,
    hash: &[u8],
) -> Result<Option<Uuid>, sqlx::Error> {
    let r = sqlx::query!(
        "SELECT id FROM enrollment_tokens
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE",
        hash
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.id))
}

pub async fn use_enrollment_token(
    tx: &mut Tx<'_>,
    id: Uuid,
    host_id: HostId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE enrollment_tokens SET used_at = now(), used_by_host = $2 WHERE id = $1",
        id,
        host_id.get()
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The host an agent credential belongs to.
#[derive(Clone, Debug)]
pub struct AgentHost {
    pub id: HostId,
    pub name: String,
}

pub async fn host_by_credential(
    db: impl PgExecutor<'_>,
    hash: &[u8],
) -> Result<Option<AgentHost>, sqlx::Error> {
    sqlx::query_as!(
        AgentHost,
        "SELECT id, name FROM hosts WHERE agent_credential_hash = $1",
        hash
    )
    .fetch_optional(db)
    .await
}

/// Host facts from a registration.
#[derive(Debug)]
pub struct HostFacts<'a> {
    pub name: &'a str,
    pub agent_version: &'a str,
    pub driver_version: Option<&'a str>,
}

/// Creates the host or refreshes its facts; with `credential_hash`, (re)places its credential.
/// Returns the host id and its desired generation.
pub async fn upsert_host(
    tx: &mut Tx<'_>,
    facts: &HostFacts<'_>,
    credential_hash: Option<&[u8]>,
) -> Result<(HostId, i64), sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH host AS (
               INSERT INTO hosts (id, name, agent_enrolled_at, agent_credential_hash,
                   agent_version, driver_version)
               VALUES ($1, $2, now(), $3, $4, $5)
               ON CONFLICT (name) DO UPDATE SET
                   agent_enrolled_at = coalesce(hosts.agent_enrolled_at, now()),
                   agent_credential_hash = coalesce($3, hosts.agent_credential_hash),
                   agent_version = $4, driver_version = $5,
                   -- A host removed and enrolled again comes back uncordoned.
                   schedulable = hosts.schedulable OR hosts.removed_at IS NOT NULL,
                   removed_at = NULL
               RETURNING id, desired_generation
           ), beat AS (
               INSERT INTO host_heartbeats (host_id, last_seen_at) SELECT id, now() FROM host
               ON CONFLICT (host_id) DO UPDATE SET last_seen_at = now()
           )
           SELECT id AS "id!", desired_generation AS "desired_generation!" FROM host"#,
        HostId::new().get(),
        facts.name,
        credential_hash,
        facts.agent_version,
        facts.driver_version,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((r.id, r.desired_generation))
}

/// How long ago the agent of the live (not removed) host `name` was last heard from, locking
/// its row; `None` when there is no such host or it has no enrolled agent.
pub async fn live_agent_silence(
    tx: &mut Tx<'_>,
    name: &str,
) -> Result<Option<std::time::Duration>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT extract(epoch FROM now() - coalesce(b.last_seen_at, h.agent_enrolled_at))::float8
               AS "silence!"
           FROM hosts h LEFT JOIN host_heartbeats b ON b.host_id = h.id
           WHERE h.name = $1 AND h.removed_at IS NULL AND h.agent_enrolled_at IS NOT NULL
           FOR UPDATE OF h"#,
        name
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| std::time::Duration::from_secs_f64(r.silence.max(0.0))))
}

/// A GPU that another host has registered, and may not be taken from it: the other host's
/// agent still reports it (seen within `alive`, the GPU not parked there), or live slices are on
/// it.
#[derive(Debug)]
pub struct OwnedElsewhere {
    pub host: String,
    pub live_slices: i64,
}

/// Whether the GPU `uuid` belongs to a host other than `host` that still holds it.
pub async fn gpu_owned_elsewhere(
    tx: &mut Tx<'_>,
    host: HostId,
    uuid: &str,
    alive: std::time::Duration,
) -> Result<Option<OwnedElsewhere>, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT h.name,
               (SELECT count(*) FROM slices s WHERE s.gpu_id = g.id AND s.released_at IS NULL)
                   AS "live_slices!",
               (g.device_index < 100000 AND h.removed_at IS NULL
                   AND coalesce(b.last_seen_at, h.agent_enrolled_at)
                       > now() - make_interval(secs => $3)) AS "reported!"
           FROM gpus g JOIN hosts h ON h.id = g.host_id
           LEFT JOIN host_heartbeats b ON b.host_id = h.id
           WHERE g.uuid = $1 AND g.host_id <> $2
           FOR UPDATE OF g"#,
        uuid,
        host.get(),
        alive.as_secs_f64(),
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.and_then(|r| {
        (r.reported || r.live_slices > 0).then_some(OwnedElsewhere {
            host: r.name,
            live_slices: r.live_slices,
        })
    }))
}

/// One GPU from a registration.
#[derive(Debug)]
pub struct GpuFacts<'a> {
    pub uuid: &'a str,
    pub device_index: i32,
    /// Catalog key, or `unknown:<name>` for boards the catalog does not know.
    pub model: &'a str,
    pub name: &'a str,
    pub memory_mib: i64,
    pub mig_enabled: bool,
    pub mig_pending: Option<bool>,
    pub profile_table: serde_json::Value,
    pub catalog_differences: serde_json::Value,
    pub geometry_matches_catalog: bool,
}

/// Moves the host's device indices out of the way, so GPUs renumbered since the last
/// registration can be written back without tripping `gpus_host_index_unique`.
pub async fn park_device_indices(tx: &mut Tx<'_>, host_id: HostId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE gpus SET device_index = device_index + 100000 WHERE host_id = $1",
        host_id.get()
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

pub async fn upsert_gpu(
    tx: &mut Tx<'_>,
    host_id: HostId,
    g: &GpuFacts<'_>,
) -> Result<GpuId, sqlx::Error> {
    let r = sqlx::query!(
        r#"INSERT INTO gpus (id, host_id, uuid, device_index, model, name, memory_mib, mig_enabled,
               mig_pending, profile_table, catalog_differences, geometry_matches_catalog)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (uuid) DO UPDATE SET
               host_id = $2, device_index = $4, model = $5, name = $6, memory_mib = $7,
               mig_enabled = $8, mig_pending = $9, profile_table = $10,
               catalog_differences = $11, geometry_matches_catalog = $12
           RETURNING id"#,
        GpuId::new().get(),
        host_id.get(),
        g.uuid,
        g.device_index,
        g.model,
        g.name,
        g.memory_mib,
        g.mig_enabled,
        g.mig_pending,
        g.profile_table,
        g.catalog_differences,
        g.geometry_matches_catalog,
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.id)
}

/// The host's desired generation.
pub async fn desired_generation(
    db: impl PgExecutor<'_>,
    host_id: HostId,
) -> Result<i64, sqlx::Error> {
    let r = sqlx::query!(
        "SELECT desired_generation FROM hosts WHERE id = $1",
        host_id.get()
    )
    .fetch_one(db)
    .await?;
    Ok(r.desired_generation)
}

/// A GPU of the host, for the desired config.
#[derive(Clone, Debug)]
pub struct HostGpu {
    pub id: GpuId,
    pub uuid: String,
    pub model: String,
}

pub async fn host_gpus(
    db: impl PgExecutor<'_>,
    host_id: HostId,
) -> Result<Vec<HostGpu>, sqlx::Error> {
    sqlx::query_as!(
        HostGpu,
        "SELECT id, uuid, model FROM gpus WHERE host_id = $1 ORDER BY device_index",
        host_id.get()
    )
    .fetch_all(db)
    .await
}

/// A slice the host should have: its lease is provisioning or active.
#[derive(Clone, Debug)]
pub struct DesiredRow {
    pub gpu_id: GpuId,
    pub lease_id: LeaseId,
    pub profile: String,
    pub start: i32,
    pub size: i32,
}

/// The host's generation, its GPUs and the slices they should have, in one statement (so one
/// snapshot).
pub async fn desired(
    db: impl PgExecutor<'_>,
    host_id: HostId,
) -> Result<(i64, Vec<HostGpu>, Vec<DesiredRow>), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT h.desired_generation AS "generation!", g.id AS "gpu_id?: GpuId",
               g.uuid AS "uuid?", g.model AS "model?",
               s.lease_id AS "lease_id?: LeaseId", s.profile AS "profile?", s.start AS "start?",
               s.size AS "size?"
           FROM hosts h LEFT JOIN gpus g ON g.host_id = h.id
           LEFT JOIN (slices s JOIN leases l
                          ON l.id = s.lease_id AND l.state IN ('provisioning', 'active'))
               ON s.gpu_id = g.id AND s.released_at IS NULL
           WHERE h.id = $1
           ORDER BY g.device_index, s.start"#,
        host_id.get()
    )
    .fetch_all(db)
    .await?;
    let mut generation = 0;
    let mut gpus: Vec<HostGpu> = Vec::new();
    let mut slices = Vec::new();
    for r in rows {
        generation = r.generation;
        let (Some(gpu_id), Some(uuid), Some(model)) = (r.gpu_id, r.uuid, r.model) else {
            continue;
        };
        if gpus.last().is_none_or(|g| g.id != gpu_id) {
            gpus.push(HostGpu {
                id: gpu_id,
                uuid,
                model,
            });
        }
        if let (Some(lease_id), Some(profile), Some(start), Some(size)) =
            (r.lease_id, r.profile, r.start, r.size)
        {
            slices.push(DesiredRow {
                gpu_id,
                lease_id,
                profile,
                start,
                size,
            });
        }
    }
    Ok((generation, gpus, slices))
}

/// How a report's generation compares with what the host has accepted and been handed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accept {
    /// Recorded (and the host heard from): the host's desired generation, whether it had
    /// been unreachable, and, when this report is the first to reach the desired generation,
    /// the seconds since that generation was made (the reconcile latency).
    Accepted {
        desired: i64,
        was_unreachable: bool,
        reconciled_after: Option<f64>,
    },
    /// Older than a report already accepted.
    Stale { desired: i64 },
    /// Newer than any generation the server has handed out.
    TooNew,
}

/// Records a report of `generation` as accepted unless a newer one was accepted meanwhile or
/// it is newer than the host's desired generation; an accepted report is also the host's
/// heartbeat. (`old` is the heartbeat row as it was before this update: Postgres joins the
/// pre-update snapshot.) One statement when accepted. It locks the host's heartbeat row (not its `hosts`
/// row, which grants and releases lock), so that a host's reports apply one at a time: a
/// report takes it first.
pub async fn accept_report(
    tx: &mut Tx<'_>,
    host_id: HostId,
    generation: i64,
) -> Result<Accept, sqlx::Error> {
    let r = sqlx::query!(
        r#"UPDATE host_heartbeats b SET observed_generation = $2, last_report_at = now(),
               last_seen_at = now()
           FROM hosts h, host_heartbeats old
           WHERE b.host_id = $1 AND h.id = b.host_id AND old.host_id = b.host_id
               AND b.observed_generation <= $2 AND h.desired_generation >= $2
           RETURNING h.desired_generation, h.unreachable_since IS NOT NULL AS "was!",
               CASE WHEN old.observed_generation < $2 AND $2 = h.desired_generation
                        AND h.desired_changed_at IS NOT NULL
                   THEN greatest(0, extract(epoch FROM now() - h.desired_changed_at))::float8
               END AS reconciled_after"#,
        host_id.get(),
        generation
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(r) = r {
        return Ok(Accept::Accepted {
            desired: r.desired_generation,
            was_unreachable: r.was,
            reconciled_after: r.reconciled_after,
        });
    }
    let (accepted, desired) = generations(&mut **tx, host_id).await?;
    Ok(if generation < accepted {
        Accept::Stale { desired }
    } else {
        Accept::TooNew
    })
}

/// The newest generation already accepted from the host's agent, and the host's desired one.
pub async fn generations(
    db: impl PgExecutor<'_>,
    host_id: HostId,
) -> Result<(i64, i64), sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT coalesce(b.observed_generation, 0) AS "observed!", h.desired_generation
           FROM hosts h LEFT JOIN host_heartbeats b ON b.host_id = h.id WHERE h.id = $1"#,
        host_id.get()
    )
    .fetch_one(db)
    .await?;
    Ok((r.observed, r.desired_generation))
}

/// The host's agent was heard from. Returns true if the host had been marked unreachable (its
/// GPUs are schedulable again). The heartbeat is written only when the last one is older than
/// `fresh_for` (liveness is judged over tens of seconds), so the polls of a large fleet, each
/// right after a report, do not each write a row; the `hosts` row only when the host comes
/// back.
pub async fn touch_host(
    db: impl PgExecutor<'_>,
    host_id: HostId,
    fresh_for: std::time::Duration,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH beat AS (
               UPDATE host_heartbeats SET last_seen_at = now()
               WHERE host_id = $1
                   AND (last_seen_at IS NULL
                        OR last_seen_at < now() - make_interval(secs => $2::double precision))
           ), back AS (
               UPDATE hosts SET unreachable_since = NULL
               WHERE id = $1 AND unreachable_since IS NOT NULL
               RETURNING id
           )
           SELECT EXISTS (SELECT 1 FROM back) AS "was_unreachable!""#,
        host_id.get(),
        fresh_for.as_secs_f64()
    )
    .fetch_one(db)
    .await?;
    Ok(r.was_unreachable)
}

/// What a report says about one GPU.
#[derive(Debug)]
pub struct GpuObservation<'a> {
    pub uuid: &'a str,
    pub mig_enabled: bool,
    pub memory_used_mib: Option<i64>,
}

/// Records what a report says about the host's GPUs, writing only those whose figures
/// changed, and returns all the host's GPUs: one statement.
pub async fn observe_gpus(
    tx: &mut Tx<'_>,
    host_id: HostId,
    seen: &[GpuObservation<'_>],
) -> Result<Vec<HostGpu>, sqlx::Error> {
    sqlx::query_as!(
        HostGpu,
        r#"WITH seen AS (
               SELECT * FROM unnest($2::text[], $3::bool[], $4::int8[])
                   AS s(uuid, mig_enabled, memory_used_mib)
           ), upd AS (
               UPDATE gpus g SET mig_enabled = s.mig_enabled, memory_used_mib = s.memory_used_mib
               FROM seen s
               WHERE g.host_id = $1 AND g.uuid = s.uuid
                   AND (g.mig_enabled, g.memory_used_mib)
                       IS DISTINCT FROM (s.mig_enabled, s.memory_used_mib)
           )
           SELECT id AS "id!: GpuId", uuid AS "uuid!", model AS "model!"
           FROM gpus WHERE host_id = $1 ORDER BY device_index"#,
        host_id.get(),
        &seen.iter().map(|g| g.uuid.to_owned()).collect::<Vec<_>>(),
        &seen.iter().map(|g| g.mig_enabled).collect::<Vec<_>>(),
        &seen.iter().map(|g| g.memory_used_mib).collect::<Vec<_>>() as &[Option<i64>],
    )
    .fetch_all(&mut **tx)
    .await
}

/// An instance the broker did not make.
#[derive(Debug)]
pub struct Unmanaged<'a> {
    pub gpu_id: GpuId,
    pub gpu_instance_id: i32,
    pub profile: String,
    pub start: i32,
    pub size: i32,
    pub mig_device_uuid: Option<&'a str>,
    pub processes: serde_json::Value,
}

/// Replaces what is known of the GPUs' unmanaged instances with `seen`. Returns whether the
/// set of occupied placements changed (the placement index must then be refreshed).
pub async fn replace_unmanaged(
    tx: &mut Tx<'_>,
    gpu_ids: &[GpuId],
    seen: &[Unmanaged<'_>],
) -> Result<bool, sqlx::Error> {
    let gpu_ids: Vec<Uuid> = gpu_ids.iter().map(|g| g.get()).collect();
    if seen.is_empty() {
        // The common case: nothing made by hand. One statement, which writes nothing unless
        // instances made by hand have gone.
        let gone = sqlx::query!(
            "DELETE FROM unmanaged_instances WHERE gpu_id = ANY($1)",
            &gpu_ids
        )
        .execute(&mut **tx)
        .await?;
        return Ok(gone.rows_affected() > 0);
    }
    let before = sqlx::query!(
        "SELECT gpu_id, gpu_instance_id, start, size FROM unmanaged_instances
         WHERE gpu_id = ANY($1)",
        &gpu_ids
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut old: Vec<(GpuId, i32, i32, i32)> = before
        .into_iter()
        .map(|r| (r.gpu_id, r.gpu_instance_id, r.start, r.size))
        .collect();
    let mut new: Vec<(GpuId, i32, i32, i32)> = seen
        .iter()
        .map(|u| (u.gpu_id, u.gpu_instance_id, u.start, u.size))
        .collect();
    old.sort();
    new.sort();
    let keep_gpu: Vec<Uuid> = new.iter().map(|n| n.0.get()).collect();
    let keep_gi: Vec<i32> = new.iter().map(|n| n.1).collect();
    sqlx::query!(
        "DELETE FROM unmanaged_instances u WHERE u.gpu_id = ANY($1)
             AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::int[]) AS k(gpu_id, gi)
                             WHERE k.gpu_id = u.gpu_id AND k.gi = u.gpu_instance_id)",
        &gpu_ids,
        &keep_gpu,
        &keep_gi
    )
    .execute(&mut **tx)
    .await?;
    for u in seen {
        sqlx::query!(
            "INSERT INTO unmanaged_instances (gpu_id, gpu_instance_id, profile, start, size,
                 mig_device_uuid, processes)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (gpu_id, gpu_instance_id) DO UPDATE SET profile = $3, start = $4,
                 size = $5, mig_device_uuid = $6, processes = $7, last_seen_at = now()",
            u.gpu_id.get(),
            u.gpu_instance_id,
            &u.profile,
            u.start,
            u.size,
            u.mig_device_uuid,
            u.processes
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(old != new)
}
