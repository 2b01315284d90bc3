//! Observed-state reports: what an agent saw after applying a generation, turned into lease
//! transitions (`provisioning → active`, `releasing → ended`, creation failures to `failed`),
//! per-slice activity for idle detection, and the instances the broker did not make.
//!
//! Locks are taken lease rows first (in id order), then host rows, like every other writer, so
//! reports never deadlock with releases or grants.

use super::agents::AgentPrincipal;
use super::{App, Error, release};
use crate::store::{self, Tx, agents::Unmanaged, slices::SliceObservation};
use slicebroker_types::agent::{GpuInstance, ObservedReport, ReportAck, ReportedError, SliceOp};
use slicebroker_types::api::{EndReason, LeaseEventKind, LeaseState};
use slicebroker_types::{GpuModel, HostId, LeaseId, SliceId};
use std::collections::{BTreeSet, HashMap};

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
    let db = app.db();
    let (accepted, desired) = store::agents::generations(db, host.host_id).await?;
    if applied < accepted {
        return stale(app, host, applied).await;
    }
    if applied > desired {
        return Err(Error::invalid(
            "applied_generation",
            "newer than any generation the server has handed out",
        ));
    }
    let mut tx = db.begin().await?;
    let outcome = apply(&mut tx, host.host_id, applied, &report).await?;
    if !store::agents::accept_report(&mut tx, host.host_id, applied).await? {
        drop(tx);
        return stale(app, host, applied).await;
    }
    let desired = store::agents::desired_generation(&mut *tx, host.host_id).await?;
    tx.commit().await?;
    super::agents::heard_from(app, host).await?;
    app.index().forget(outcome.released);
    for (slices, ends_at) in &outcome.activated {
        app.index().set_end(slices, *ends_at);
    }
    if outcome.unmanaged_changed {
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
    store::slices::lock_host_leases(tx, host_id).await?;
    let gpus = store::agents::host_gpus(&mut **tx, host_id).await?;
    let mut reported_gpus = Vec::new();
    // (gpu, lease, start) → the instance seen there.
    let mut seen = HashMap::new();
    let mut unmanaged = Vec::new();
    for g in &report.gpus {
        let Some(gpu) = gpus.iter().find(|x| x.uuid == g.gpu_uuid) else {
            tracing::warn!(gpu = %g.gpu_uuid, "report names a GPU the host did not register");
            continue;
        };
        let used: Option<u64> = g.instances.iter().map(|i| i.instance.memory_used_mib).sum();
        store::agents::update_gpu_observed(
            tx,
            host_id,
            &g.gpu_uuid,
            g.mig_enabled,
            used.map(|u| u as i64),
        )
        .await?;
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
    out.released
        .extend(fail_creations(tx, &report.errors).await?);
    record_teardown_errors(tx, &report.errors).await?;

    let mut provisioning = BTreeSet::new();
    let mut releasing = BTreeSet::new();
    for s in store::slices::on_host(tx, host_id).await? {
        match seen.get(&(s.gpu_id, s.lease_id, s.start)) {
            Some(inst) => {
                let busy = !inst.processes.is_empty()
                    || inst.activity.is_some_and(|a| a > ACTIVE_THRESHOLD);
                store::slices::observe(
                    tx,
                    s.id,
                    &SliceObservation {
                        mig_device_uuid: inst.mig_uuid(),
                        gpu_instance_id: inst.id as i32,
                        compute_instance_id: inst.compute_instances.first().map(|c| c.id as i32),
                        processes: json(&inst.processes),
                        memory_used_mib: inst.memory_used_mib.map(|m| m as i64),
                        activity: inst.activity,
                        busy,
                    },
                )
                .await?;
                if s.lease_state == LeaseState::Provisioning && inst.mig_uuid().is_some() {
                    provisioning.insert(s.lease_id);
                }
            }
            None => {
                let torn_down = s.teardown_generation.is_some_and(|t| applied >= t)
                    && matches!(s.lease_state, LeaseState::Releasing | LeaseState::Ended)
                    && reported_gpus.contains(&s.gpu_id);
                if torn_down {
                    store::slices::release_torn_down(tx, s.id).await?;
                    out.released.push(s.id);
                    releasing.insert(s.lease_id);
                }
            }
        }
    }
    for lease in provisioning {
        if let Some((ends_at, slices)) = store::leases::activate_if_ready(tx, lease).await? {
            store::leases::insert_event(
                &mut **tx,
                lease,
                LeaseEventKind::Activated,
                Some(LeaseState::Provisioning),
                Some(LeaseState::Active),
                serde_json::json!({ "ends_at": ends_at }),
                "system",
            )
            .await?;
            out.activated.push((slices, ends_at.timestamp()));
        }
    }
    for lease in releasing {
        if let Some(reason) = store::leases::end_if_torn_down(tx, lease).await? {
            store::leases::insert_event(
                &mut **tx,
                lease,
                LeaseEventKind::Ended,
                Some(LeaseState::Releasing),
                Some(LeaseState::Ended),
                serde_json::json!({ "reason": reason.as_str() }),
                "system",
            )
            .await?;
        }
    }
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
const fn lease_of(e: &ReportedError) -> Option<LeaseId> {
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
