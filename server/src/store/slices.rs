//! `slices`: what the agents report about each, their teardown, and the locks a report takes.
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

/// Locks, in id order, every lease with a live slice on the host (a report changes them).
pub async fn lock_host_leases(tx: &mut Tx<'_>, host_id: HostId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT l.id FROM leases l
         WHERE l.id IN (SELECT s.lease_id FROM slices s JOIN gpus g ON g.id = s.gpu_id
                        WHERE g.host_id = $1 AND s.released_at IS NULL)
         ORDER BY l.id FOR UPDATE OF l",
        host_id.get()
    )
    .fetch_all(&mut **tx)
    .await
    .map(|_| ())
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

pub async fn observe(
    tx: &mut Tx<'_>,
    id: SliceId,
    o: &SliceObservation<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE slices SET mig_device_uuid = coalesce($2, mig_device_uuid), gpu_instance_id = $3,
             compute_instance_id = $4, processes = $5, memory_used_mib = $6, activity = $7,
             observed_at = now(),
             last_active_at = CASE WHEN $8 THEN now() ELSE last_active_at END
         WHERE id = $1",
        id.get(),
        o.mig_device_uuid,
        o.gpu_instance_id,
        o.compute_instance_id,
        o.processes,
        o.memory_used_mib,
        o.activity,
        o.busy,
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// The agent destroyed a slice stamped for teardown: it is free. (Its host's generation moved
/// when it was stamped; the desired config does not change now.)
pub async fn release_torn_down(tx: &mut Tx<'_>, id: SliceId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE slices SET released_at = now()
         WHERE id = $1 AND released_at IS NULL AND teardown_generation IS NOT NULL",
        id.get()
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
