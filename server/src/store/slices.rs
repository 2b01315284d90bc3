//! `slices`: what the agents report about each, and their teardown.
//! Slices are written with their leases (`leases::insert`, `leases::grant_pending`); a change
//! to which slices a host should have is always paired, in the same transaction, with
//! `fleet::bump_generations` for its host (DESIGN.md §2, invariant 4).

use super::Tx;
use slicebroker_types::api::LeaseState;
use slicebroker_types::{GpuId, HostId, LeaseId, SliceId};
use uuid::Uuid;

/// A slice on the host that is not yet released, with its lease's state.
#[derive(Clone, Debug)]
pub struct HostSlice {
    pub id: SliceId,
    pub lease_id: LeaseId,
    pub gpu_id: GpuId,
    pub start: i32,
    pub mig_device_uuid: Option<String>,
    pub teardown_generation: Option<i64>,
    pub lease_state: LeaseState,
}

/// The host's live slices with their leases' states, read without locking: a report locks only
/// the leases it will move ([`super::leases::lock`]), so a busy host's reports do not hold up
/// the grants and releases of its other leases.
pub async fn on_host(tx: &mut Tx<'_>, host_id: HostId) -> Result<Vec<HostSlice>, sqlx::Error> {
    sqlx::query_as!(
        HostSlice,
        r#"SELECT s.id, s.lease_id, s.gpu_id, s.start, s.mig_device_uuid, s.teardown_generation,
               l.state AS lease_state
           FROM slices s JOIN gpus g ON g.id = s.gpu_id JOIN leases l ON l.id = s.lease_id
           WHERE g.host_id = $1 AND s.released_at IS NULL
           ORDER BY s.lease_id, s.id"#,
        host_id.get()
    )
    .fetch_all(&mut **tx)
    .await
}

/// What the agent saw on one slice.
#[derive(Debug)]
pub struct SliceObservation<'a> {
    pub mig_device_uuid: Option<&'a str>,
    pub gpu_instance_id: i32,
    pub compute_instance_id: Option<i32>,
    pub processes: serde_json::Value,
    pub memory_used_mib: Option<i64>,
    pub activity: Option<f64>,
    /// Compute processes run or the GPU measured activity.
    pub busy: bool,
}

/// Records what the agent saw on slices, in one statement, writing only a slice whose
/// observation changed or that was busy (its idle clock moves then). The same statement keeps
/// the slices' idle periods for chargeback: a slice seen idle opens one unless one is open (and
/// only while its lease holds it: not released, lease not ended), a busy one closes it; a
/// report that changes no slice's state writes no period. It also keeps each slice's peak
/// memory (`greatest`, which ignores NULL) for right-sizing: a higher figure is a change, so
/// it is always written.
pub async fn observe(
    tx: &mut Tx<'_>,
    seen: &[(SliceId, SliceObservation<'_>)],
) -> Result<(), sqlx::Error> {
    if seen.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "WITH o AS (
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::int4[], $4::int4[], $5::jsonb[],
                     $6::int8[], $7::float8[], $8::bool[])
                 AS o(id, mig, gi, ci, processes, memory, activity, busy)
         ), busy_again AS (
             UPDATE slice_idle_periods p SET ended_at = greatest(p.started_at, now())
             FROM o WHERE o.busy AND p.slice_id = o.id AND p.ended_at IS NULL
         ), idle_now AS (
             -- Whether the lease still holds the slice, as a subquery per idle slice without
             -- an open period (two primary-key lookups), not as a join the planner may start
             -- from `leases`.
             INSERT INTO slice_idle_periods (slice_id, started_at)
             SELECT o.id, now() FROM o
             WHERE NOT o.busy
                 AND NOT EXISTS (SELECT 1 FROM slice_idle_periods p
                                 WHERE p.slice_id = o.id AND p.ended_at IS NULL)
                 AND (SELECT s.released_at IS NULL AND l.ended_at IS NULL
                      FROM slices s JOIN leases l ON l.id = s.lease_id WHERE s.id = o.id)
             ON CONFLICT DO NOTHING
         )
         UPDATE slices s SET mig_device_uuid = coalesce(o.mig, s.mig_device_uuid),
             gpu_instance_id = o.gi, compute_instance_id = o.ci, processes = o.processes,
             memory_used_mib = o.memory, activity = o.activity, observed_at = now(),
             peak_memory_mib = greatest(s.peak_memory_mib, o.memory),
             last_active_at = CASE WHEN o.busy THEN now() ELSE s.last_active_at END
         FROM o
         WHERE s.id = o.id
             AND (o.busy
                  OR (coalesce(o.mig, s.mig_device_uuid), o.gi, o.ci, o.processes, o.memory,
                      o.activity)
                     IS DISTINCT FROM (s.mig_device_uuid, s.gpu_instance_id,
                                       s.compute_instance_id, s.processes, s.memory_used_mib,
                                       s.activity))",
        &seen.iter().map(|(id, _)| id.get()).collect::<Vec<_>>(),
        &seen
            .iter()
            .map(|(_, o)| o.mig_device_uuid.map(str::to_owned))
            .collect::<Vec<_>>() as &[Option<String>],
        &seen
            .iter()
            .map(|(_, o)| o.gpu_instance_id)
            .collect::<Vec<_>>(),
        &seen
            .iter()
            .map(|(_, o)| o.compute_instance_id)
            .collect::<Vec<_>>() as &[Option<i32>],
        &seen
            .iter()
            .map(|(_, o)| o.processes.clone())
            .collect::<Vec<_>>(),
        &seen
            .iter()
            .map(|(_, o)| o.memory_used_mib)
            .collect::<Vec<_>>() as &[Option<i64>],
        &seen.iter().map(|(_, o)| o.activity).collect::<Vec<_>>() as &[Option<f64>],
        &seen.iter().map(|(_, o)| o.busy).collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The agent destroyed these slices: those stamped for teardown are free. (Their hosts'
/// generations moved when they were stamped; the desired config does not change now.) Any
/// other is left as it is.
pub async fn release_torn_down(tx: &mut Tx<'_>, ids: &[SliceId]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE slices SET released_at = now()
         WHERE id = ANY($1) AND released_at IS NULL AND teardown_generation IS NOT NULL",
        &ids.iter().map(|s| s.get()).collect::<Vec<Uuid>>()
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The hosts of the leases' live slices, in id order.
pub async fn hosts_of_live(
    tx: &mut Tx<'_>,
    lease_ids: &[LeaseId],
) -> Result<Vec<HostId>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT DISTINCT g.host_id FROM slices s JOIN gpus g ON g.id = s.gpu_id
         WHERE s.lease_id = ANY($1) AND s.released_at IS NULL ORDER BY g.host_id",
        &lease_ids.iter().map(|l| l.get()).collect::<Vec<Uuid>>()
    )
    .fetch_all(&mut **tx)
    .await
}

/// Stamps each live slice of the leases with its host's generation, which the caller has just
/// bumped in this transaction: the generation a report must have applied before the slice's
/// absence counts as destroyed.
pub async fn stamp_teardown(tx: &mut Tx<'_>, lease_ids: &[LeaseId]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE slices s SET teardown_generation = h.desired_generation
         FROM gpus g JOIN hosts h ON h.id = g.host_id
         WHERE s.lease_id = ANY($1) AND s.released_at IS NULL AND g.id = s.gpu_id",
        &lease_ids.iter().map(|l| l.get()).collect::<Vec<Uuid>>()
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
