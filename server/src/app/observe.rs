//! Observed-state reports: what an agent saw after applying a generation, turned into lease
//! transitions (`provisioning → active`, `releasing → ended`, creation failures to `failed`),
//! per-slice activity for idle detection, and the instances the broker did not make.
//!
//! A report locks only what it changes, in the order every writer takes rows (leases in id
//! order, then hosts, then slices), so reports never deadlock with grants and releases and do
//! not hold them up: the leases it moves (activation, end, a failed creation), not every lease
//! on the host; the host's heartbeat row, not its `hosts` row (which grants and releases lock
//! to move its generation).
//!
//! GPU health (temperature, power, ECC, throttle reasons, XIDs) is recorded in the same
//! transaction, in one statement after the GPU rows and before any lease row: only reports
//! write health rows, so they add no edge to the lock order above. Being in the transaction,
//! an XID is recorded, counted and turned into its leases' `instance_error` events with the
//! report that carried it, or not at all (a report refused, or stale because a newer one was
//! accepted first, is rolled back whole). Agents send an XID again until a report carrying it
//! is accepted, numbered (`XidEvent::seq`); the highest number recorded per GPU
//! (`gpu_xid_marks`, locked with the health rows) keeps a report that was recorded but whose
//! answer was lost from recording its XIDs twice, so each is recorded exactly once. A
//! fatal XID that hit a lease's instance gives that lease an `instance_error` event and does
//! not end it: whether the instance is still usable is its owner's call.

use super::agents::AgentPrincipal;
use super::{App, Error, release};
use crate::store::{
    self, Tx,
    agents::Unmanaged,
    slices::{HostSlice, SliceObservation},
};
use slicebroker_types::agent::{GpuInstance, ObservedReport, ReportAck, ReportedError, SliceOp};
use slicebroker_types::api::{EndReason, LeaseEventKind, LeaseState};
use slicebroker_types::{GpuModel, HostId, LeaseId, SliceId};
use std::collections::{BTreeSet, HashMap};

mod health;

const MAX_REASON: usize = 2000;
/// SM activity above this fraction counts as use (GPM samples are never exactly zero).
pub const ACTIVE_THRESHOLD: f64 = 0.01;

/// What a report changed, applied to the placement index after commit.
#[derive(Debug, Default)]
struct Outcome {
    released: Vec<SliceId>,
    activated: Vec<(Vec<SliceId>, i64)>,
    unmanaged_changed: bool,
}

pub async fn observe(
    app: &App,
    host: &AgentPrincipal,
    report: ObservedReport,
) -> Result<ReportAck, Error> {
    crate::domain::agent_input::report(&report)?;
    let applied = i64::try_from(report.applied_generation)
        .map_err(|_| Error::invalid("applied_generation", "out of range"))?;
    let mut tx = app.db().begin().await?;
    let outcome = apply(&mut tx, host.host_id, applied, &report).await?;
    // Last, so the heartbeat row is locked only for the commit.
    let accept = store::agents::accept_report(&mut tx, host.host_id, applied).await?;
    let (desired, was_unreachable, reconciled_after) = match accept {
        store::agents::Accept::Accepted {
            desired,
            was_unreachable,
            reconciled_after,
        } => (desired, was_unreachable, reconciled_after),
        store::agents::Accept::Stale { .. } => {
            drop(tx);
            return stale(app, host, applied).await;
        }
        store::agents::Accept::TooNew => {
            return Err(Error::invalid(
                "applied_generation",
                "newer than any generation the server has handed out",
            ));
        }
    };
    tx.commit().await?;
    if let Some(seconds) = reconciled_after {
        app.metrics().reconciled(seconds);
    }
    app.index().forget(outcome.released);
    for (slices, ends_at) in &outcome.activated {
        app.index().set_end(slices, *ends_at);
    }
    // Outside the report's transaction: the `hosts` row comes after slices in the lock order.
    let back = was_unreachable && super::agents::touch(app, host).await?;
    if back {
        tracing::info!(host = %host.host_name, "host reachable again");
    }
    if outcome.unmanaged_changed || back {
        app.refresh_fleet().await?;
    }
    Ok(ReportAck {
        accepted: true,
        desired_generation: desired as u64,
    })
}

/// A report older than one already accepted: only a heartbeat.
async fn stale(app: &App, host: &AgentPrincipal, applied: i64) -> Result<ReportAck, Error> {
    tracing::info!(host = %host.host_name, applied, "ignoring a stale observed report");
    super::agents::heard_from(app, host).await?;
    Ok(ReportAck {
        accepted: false,
        desired_generation: store::agents::desired_generation(app.db(), host.host_id).await? as u64,
    })
}

async fn apply(
    tx: &mut Tx<'_>,
    host_id: HostId,
    applied: i64,
    report: &ObservedReport,
) -> Result<Outcome, Error> {
    let mut out = Outcome::default();
    let slices = store::slices::on_host(tx, host_id).await?;
    let seen_gpus: Vec<store::agents::GpuObservation<'_>> = report
        .gpus
        .iter()
        .map(|g| store::agents::GpuObservation {
            uuid: &g.gpu_uuid,
            mig_enabled: g.mig_enabled,
            memory_used_mib: g
                .instances
                .iter()
                .map(|i| i.instance.memory_used_mib)
                .sum::<Option<u64>>()
                .map(|u| u as i64),
        })
        .collect();
    // GPU rows before lease rows: nothing that locks a lease goes on to write a GPU row.
    let gpus = store::agents::observe_gpus(tx, host_id, &seen_gpus).await?;
    let mut reported_gpus = Vec::new();
    // (gpu, lease, start) → the instance seen there.
    let mut seen = HashMap::new();
    let mut unmanaged = Vec::new();
    for g in &report.gpus {
        let Some(gpu) = gpus.iter().find(|x| x.uuid == g.gpu_uuid) else {
            tracing::warn!(gpu = %g.gpu_uuid, "report names a GPU the host did not register");
            continue;
        };
        reported_gpus.push(gpu.id);
        for i in &g.instances {
            let inst = &i.instance;
            match &i.lease_id {
                Some(lease) => {
                    seen.insert((gpu.id, *lease, i32::from(inst.placement.start)), inst);
                }
                None => unmanaged.push(Unmanaged {
                    gpu_id: gpu.id,
                    gpu_instance_id: inst.id as i32,
                    profile: profile_name(&gpu.model, inst),
                    start: i32::from(inst.placement.start),
                    size: i32::from(inst.placement.size),
                    mig_device_uuid: inst.mig_uuid(),
                    processes: json(&inst.processes),
                }),
            }
        }
    }
    // After the GPU rows, before any lease row (module doc).
    let numbered = health::numbered(report, &gpus);
    let marks = if numbered.is_empty() {
        HashMap::new()
    } else {
        store::health::lock_xid_marks(tx, &numbered).await?
    };
    let health = health::Health::of(report, &gpus, &slices, &seen, &marks);
    store::health::record(tx, &health.readings, &health.xids, &health.marks).await?;
    // Leases with an error: a failed creation fails the lease, a failed destroy is recorded on
    // it.
    let erred: Vec<LeaseId> = report.errors.iter().filter_map(lease_of).collect();
    let failing = report.errors.iter().any(|e| e.op == SliceOp::Create);
    let torn_down = |s: &HostSlice| {
        !seen.contains_key(&(s.gpu_id, s.lease_id, s.start))
            && s.teardown_generation.is_some_and(|t| applied >= t)
            && matches!(s.lease_state, LeaseState::Releasing | LeaseState::Ended)
            && reported_gpus.contains(&s.gpu_id)
    };
    // The leases this report may move or write events of, locked before anything else is
    // written. A lease that
    // moved since the read is left to the guarded transitions below (which then change
    // nothing) and to the next report.
    let mut moving: Vec<LeaseId> = slices
        .iter()
        .filter(|s| {
            let made = seen
                .get(&(s.gpu_id, s.lease_id, s.start))
                .is_some_and(|i| i.mig_uuid().is_some());
            (made && s.lease_state == LeaseState::Provisioning) || torn_down(s)
        })
        .map(|s| s.lease_id)
        .chain(erred)
        .chain(health.errors.iter().map(|e| e.lease_id))
        .collect();
    moving.sort_unstable();
    moving.dedup();
    store::leases::lock(tx, &moving).await?;

    let slices = if failing {
        out.released
            .extend(fail_creations(tx, &report.errors).await?);
        store::slices::on_host(tx, host_id).await?
    } else {
        slices
    };
    record_teardown_errors(tx, &report.errors).await?;
    let failed_now = out.released.len();

    let mut provisioning = BTreeSet::new();
    let mut releasing = BTreeSet::new();
    let mut observed = Vec::new();
    for s in &slices {
        match seen.get(&(s.gpu_id, s.lease_id, s.start)) {
            Some(inst) => {
                let busy = !inst.processes.is_empty()
                    || inst.activity.is_some_and(|a| a > ACTIVE_THRESHOLD);
                observed.push((
                    s.id,
                    SliceObservation {
                        mig_device_uuid: inst.mig_uuid(),
                        gpu_instance_id: inst.id as i32,
                        compute_instance_id: inst.compute_instances.first().map(|c| c.id as i32),
                        processes: json(&inst.processes),
                        memory_used_mib: inst.memory_used_mib.map(|m| m as i64),
                        activity: inst.activity,
                        busy,
                    },
                ));
                if s.lease_state == LeaseState::Provisioning
                    && inst.mig_uuid().is_some()
                    && moving.binary_search(&s.lease_id).is_ok()
                {
                    provisioning.insert(s.lease_id);
                }
            }
            None => {
                if torn_down(s) && moving.binary_search(&s.lease_id).is_ok() {
                    out.released.push(s.id);
                    releasing.insert(s.lease_id);
                }
            }
        }
    }
    let torn: Vec<SliceId> = out.released[failed_now..].to_vec();
    store::slices::release_torn_down(tx, &torn).await?;
    store::slices::observe(tx, &observed).await?;
    let provisioning: Vec<LeaseId> = provisioning.into_iter().collect();
    let releasing: Vec<LeaseId> = releasing.into_iter().collect();
    let mut events = Vec::new();
    for (lease, ends_at, slices) in store::leases::activate_if_ready(tx, &provisioning).await? {
        events.push(store::leases::NewEvent {
            lease_id: lease,
            kind: LeaseEventKind::Activated,
            from: Some(LeaseState::Provisioning),
            to: Some(LeaseState::Active),
            detail: serde_json::json!({ "ends_at": ends_at }),
            actor: "system",
        });
        out.activated
            .push((slices, crate::app::placement::end_secs(ends_at)));
    }
    // Their leases are in `moving`, locked before the slices were written.
    events.extend(health.errors);
    for (lease, reason) in store::leases::end_if_torn_down(tx, &releasing).await? {
        events.push(store::leases::NewEvent {
            lease_id: lease,
            kind: LeaseEventKind::Ended,
            from: Some(LeaseState::Releasing),
            to: Some(LeaseState::Ended),
            detail: serde_json::json!({ "reason": reason.as_str() }),
            actor: "system",
        });
    }
    store::leases::insert_events(tx, &events).await?;
    out.unmanaged_changed =
        store::agents::replace_unmanaged(tx, &reported_gpus, &unmanaged).await?;
    Ok(out)
}

/// A slice the agent could not create fails its lease: `releasing` with reason `failed`
/// through the one tear-down every release takes (the agent cleans up whatever part of it
/// exists), then `ended` once it confirms. Returns the slices released at once.
async fn fail_creations(tx: &mut Tx<'_>, errors: &[ReportedError]) -> Result<Vec<SliceId>, Error> {
    let mut asks = Vec::new();
    for e in errors.iter().filter(|e| e.op == SliceOp::Create) {
        let Some(lease) = lease_of(e) else { continue };
        if asks.iter().any(|a: &release::Ask| a.id == lease) {
            continue;
        }
        tracing::warn!(%lease, gpu = %e.gpu_uuid, reason = %e.reason, "slice creation failed");
        asks.push(release::Ask {
            detail: serde_json::json!({ "gpu_uuid": e.gpu_uuid, "reason": truncate(&e.reason) }),
            ..release::Ask::system(lease, EndReason::Failed)
        });
    }
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    // A lease already releasing or gone is left as it is.
    let (_, released) = release::release(tx, &asks).await?;
    Ok(released.slices)
}

/// The lease an agent's error is about, if it names one.
fn lease_of(e: &ReportedError) -> Option<LeaseId> {
    e.lease_id
}

/// A destroy the agent keeps retrying: recorded on the lease once per distinct reason.
async fn record_teardown_errors(tx: &mut Tx<'_>, errors: &[ReportedError]) -> Result<(), Error> {
    for e in errors.iter().filter(|e| e.op == SliceOp::Destroy) {
        let Some(lease) = lease_of(e) else { continue };
        let detail = serde_json::json!({ "gpu_uuid": e.gpu_uuid, "reason": truncate(&e.reason) });
        if store::leases::exists(tx, lease).await?
            && !store::leases::last_event_is(tx, lease, LeaseEventKind::TeardownError, &detail)
                .await?
        {
            store::leases::insert_event(
                &mut **tx,
                lease,
                LeaseEventKind::TeardownError,
                None,
                None,
                detail,
                "system",
            )
            .await?;
        }
    }
    Ok(())
}

/// The catalog name of an instance's profile, or `profile-<id>` where the catalog lacks it.
fn profile_name(model: &str, inst: &GpuInstance) -> String {
    GpuModel::find(model)
        .map(GpuModel::get)
        .and_then(|m| {
            let index = inst.profile_index?;
            m.profiles.iter().find(|p| p.nvml_index == index)
        })
        .map_or_else(
            || format!("profile-{}", inst.profile_id),
            |p| p.name.to_owned(),
        )
}

fn truncate(s: &str) -> String {
    s.chars().take(MAX_REASON).collect()
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("serializable")
}
