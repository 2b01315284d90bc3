//! GPU health in an observed report (module doc of `observe`): the readings and XIDs to
//! record, each XID matched against the lease instances the report shows on its GPU, and the
//! `instance_error` events its fatal XIDs give (`domain::health`).

use crate::domain::health::{self as rules, LeaseInstance, XidHit};
use crate::store::{
    agents::HostGpu,
    health::{NewXid, Readings},
    leases::NewEvent,
    slices::HostSlice,
};
use slicebroker_types::agent::{GpuHealth, GpuInstance, ObservedReport, XidEvent};
use slicebroker_types::api::{LeaseEventKind, LeaseState};
use slicebroker_types::{GpuId, LeaseId};
use std::collections::HashMap;

/// What a report says of its GPUs' health: the rows to record and the `instance_error` events
/// its fatal XIDs give.
pub(super) struct Health {
    pub readings: Vec<Readings>,
    pub xids: Vec<NewXid>,
    pub errors: Vec<NewEvent<'static>>,
    /// Each GPU's new highest XID number recorded, where it grew.
    pub marks: Vec<(GpuId, i64)>,
}

/// The GPUs of `report` (registered on the host) whose XIDs carry numbers: those whose XID
/// marks [`Health::of`] needs, sorted, each once.
pub(super) fn numbered(report: &ObservedReport, gpus: &[HostGpu]) -> Vec<GpuId> {
    let mut out: Vec<GpuId> = report
        .gpus
        .iter()
        .filter(|g| {
            g.health
                .as_ref()
                .is_some_and(|h| h.xids.iter().any(|x| x.seq.is_some()))
        })
        .filter_map(|g| gpus.iter().find(|x| x.uuid == g.gpu_uuid).map(|x| x.id))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Of a GPU's reported XIDs, those not recorded before (numbered above `mark`, or not
/// numbered), and how many of its `xids_dropped` were not counted before: the dropped ones are
/// numbered just before its first XID, so those at or below `mark` were recorded or counted by
/// an earlier report.
fn unrecorded(h: &GpuHealth, mark: Option<i64>) -> (Vec<XidEvent>, i64) {
    let new = |seq: u64| mark.is_none_or(|m| seq as i64 > m);
    let fresh = h
        .xids
        .iter()
        .filter(|x| x.seq.is_none_or(new))
        .copied()
        .collect();
    let dropped = i64::from(h.xids_dropped);
    let dropped = match (h.xids.first().and_then(|x| x.seq), mark) {
        (Some(first), Some(m)) => (first as i64 - 1 - m).clamp(0, dropped),
        _ => dropped,
    };
    (fresh, dropped)
}

impl Health {
    /// The XIDs of each reported GPU matched against the instances this report shows on it
    /// (`seen`, by GPU, lease and placement start) for the host's leases: an instance not made
    /// yet, or gone, cannot have been hit. A GPU listed twice counts once.
    ///
    /// `marks`: the highest XID number recorded for each GPU whose XIDs carry numbers
    /// ([`numbered`]); XIDs at or below it were recorded by an earlier report and are left out.
    pub fn of(
        report: &ObservedReport,
        gpus: &[HostGpu],
        slices: &[HostSlice],
        seen: &HashMap<(GpuId, LeaseId, i32), &GpuInstance>,
        marks: &HashMap<GpuId, i64>,
    ) -> Health {
        let mut readings: Vec<Readings> = Vec::new();
        let mut hits: Vec<(&str, XidHit)> = Vec::new();
        let mut xids = Vec::new();
        let mut new_marks = Vec::new();
        for g in &report.gpus {
            let (Some(h), Some(gpu)) = (&g.health, gpus.iter().find(|x| x.uuid == g.gpu_uuid))
            else {
                continue;
            };
            if readings.iter().any(|r| r.gpu_id == gpu.id) {
                continue;
            }
            let mark = marks.get(&gpu.id).copied();
            let (fresh, xids_dropped) = unrecorded(h, mark);
            if let Some(top) = h.xids.iter().filter_map(|x| x.seq).max()
                && mark.is_none_or(|m| top as i64 > m)
            {
                new_marks.push((gpu.id, top as i64));
            }
            readings.push(Readings {
                gpu_id: gpu.id,
                temperature_c: h.temperature_c.map(|t| t as i32),
                power_mw: h.power_mw.map(|p| p as i32),
                ecc: h.ecc,
                throttle_reasons: h.throttle_reasons.clone(),
                xids_dropped,
            });
            let instances: Vec<LeaseInstance> = slices
                .iter()
                .filter(|s| s.gpu_id == gpu.id && s.lease_state != LeaseState::Ended)
                .filter_map(|s| {
                    let inst = seen.get(&(s.gpu_id, s.lease_id, s.start))?;
                    Some(LeaseInstance {
                        lease_id: s.lease_id,
                        gpu_instance_id: inst.id,
                    })
                })
                .collect();
            for hit in rules::hits(&fresh, &instances) {
                let x = hit.event;
                xids.push(NewXid {
                    gpu_id: gpu.id,
                    // Bounded by `domain::agent_input` to what an int4 holds.
                    xid: x.xid as i32,
                    fatal: x.is_fatal(),
                    gpu_instance_id: x.gpu_instance_id.map(|i| i as i32),
                    compute_instance_id: x.compute_instance_id.map(|i| i as i32),
                    leases: hit.leases.clone(),
                });
                hits.push((&gpu.uuid, hit));
            }
        }
        let errors = rules::instance_errors(hits.iter().map(|(g, h)| (*g, h)))
            .into_iter()
            .map(|(gpu_uuid, e)| {
                tracing::warn!(lease = %e.lease_id, gpu = %gpu_uuid, xid = e.event.xid,
                    "a fatal XID hit a lease's GPU instance");
                NewEvent {
                    lease_id: e.lease_id,
                    kind: LeaseEventKind::InstanceError,
                    from: None,
                    to: None,
                    detail: serde_json::json!({
                        "xid": e.event.xid,
                        "gpu_instance_id": e.event.gpu_instance_id,
                        "compute_instance_id": e.event.compute_instance_id,
                        "gpu_uuid": gpu_uuid,
                    }),
                    actor: "system",
                }
            })
            .collect();
        Health {
            readings,
            xids,
            errors,
            marks: new_marks,
        }
    }
}
