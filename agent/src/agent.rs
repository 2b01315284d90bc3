//! The agent's state between passes and one reconcile pass: observe the GPUs, plan against the
//! newest desired config, apply (unless dry run), re-observe, build the report. The loop around
//! it is in `run.rs`.

use crate::backend::GpuBackend;
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::kernel_log::{KernelLog, Mark, PciAddress};
use crate::model::GpuInfo;
use crate::reconcile::{
    ActionOutcome, Applier, KillPolicy, ObservedGpu, Owner, Plan, classify, plan,
};
use crate::xids;
use slicebroker_types::agent::{
    DesiredConfig, GpuHealth, ObservedGpuReport, ObservedReport, ObservedSlice, ReportedError,
    SliceOp, XidEvent,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The agent's state between passes.
#[derive(Debug)]
pub struct Agent {
    backend: Arc<dyn GpuBackend>,
    store: Arc<CheckpointStore>,
    checkpoint: Checkpoint,
    /// The newest desired config seen; an older generation never replaces it.
    desired: DesiredConfig,
    /// Where this run numbers the XIDs of a GPU the checkpoint has none of (`crate::xids`).
    xid_base: u64,
    /// The kernel log, for XIDs raised while no agent ran (`crate::kernel_log`), and whether
    /// this run has read it once.
    kernel_log: Option<KernelLog>,
    log_read: bool,
}

/// What one pass did, for logs and the report.
#[derive(Debug)]
pub struct PassResult {
    pub plan: Plan,
    pub outcomes: Vec<ActionOutcome>,
    pub report: ObservedReport,
    /// The GPUs as last observed, to register again when they change.
    pub gpus: Vec<GpuInfo>,
}

impl Agent {
    pub fn new(backend: Arc<dyn GpuBackend>, store: CheckpointStore) -> anyhow::Result<Self> {
        let checkpoint = store.load()?;
        Ok(Self {
            backend,
            store: Arc::new(store),
            checkpoint,
            desired: DesiredConfig::default(),
            xid_base: xids::clock_base(),
            kernel_log: None,
            log_read: false,
        })
    }

    /// Reads XIDs raised while no agent ran from `log` (`crate::kernel_log`).
    pub fn with_kernel_log(mut self, log: Option<KernelLog>) -> Self {
        self.kernel_log = log;
        self
    }

    /// The server accepted `report` (not merely heard it: a stale one is not accepted), so
    /// the XIDs it carried are not sent again.
    pub fn report_accepted(&mut self, report: &ObservedReport) {
        if self.checkpoint.xids.acknowledged(report) {
            self.save_xids();
        }
    }

    /// Saves the checkpoint after its XIDs changed. A failure is logged, not fatal: the XIDs
    /// are still sent from memory, and only a restart before the next save would lose them.
    fn save_xids(&self) {
        if let Err(e) = self.store.save(&self.checkpoint) {
            tracing::warn!(error = %e, "saving the undelivered XIDs to the checkpoint failed");
        }
    }

    /// The generation of the desired config held (0 before any).
    pub fn held_generation(&self) -> u64 {
        self.desired.generation
    }

    /// Takes a newly fetched desired config unless it is older than the one held.
    pub fn offer_desired(&mut self, next: DesiredConfig) -> bool {
        if next.generation < self.desired.generation {
            tracing::warn!(
                held = self.desired.generation,
                offered = next.generation,
                "ignoring an older desired generation"
            );
            return false;
        }
        self.desired = next;
        true
    }

    /// One pass: observe, plan, apply unless `dry_run`, re-observe, build the report.
    /// Blocking; the loop runs it on a blocking thread.
    pub fn pass(&mut self, dry_run: bool, kill: KillPolicy) -> anyhow::Result<PassResult> {
        let backend = Arc::clone(&self.backend);
        let backend = backend.as_ref();
        let snapshot = backend.snapshot()?;
        if !dry_run {
            let mut changed = self.checkpoint.retain_observed(&snapshot) > 0;
            let present = snapshot.iter().map(|s| s.gpu.uuid.as_str());
            if self.checkpoint.xids.forget_absent(present) {
                // A forgotten GPU seen again must not reuse this run's numbers.
                self.xid_base = xids::clock_base();
                changed = true;
            }
            if changed {
                self.store.save(&self.checkpoint)?;
            }
        }
        let observed = classify(&snapshot, &self.checkpoint);
        let the_plan = plan(&self.desired, &observed);
        let (outcomes, observed) = if dry_run || the_plan.actions.is_empty() {
            (Vec::new(), observed)
        } else {
            let applier = Applier {
                backend,
                store: &self.store,
                kill,
            };
            let outcomes = applier.apply(&mut self.checkpoint, &observed, &the_plan.actions);
            (outcomes, classify(&backend.snapshot()?, &self.checkpoint))
        };
        let mut report = report(self.desired.generation, &observed, &the_plan, &outcomes);
        // Read just before the health readings: the first registers NVML's event set, which
        // delivers every XID from then on.
        let (mut logged, mut taken) = self.logged_xids(backend, &observed);
        for (gpu, o) in report.gpus.iter_mut().zip(&observed) {
            let mut logged = logged.remove(&o.gpu.uuid).unwrap_or_default();
            let carry = |h: &mut GpuHealth| {
                logged.append(&mut h.xids);
                h.xids = logged;
                self.checkpoint.xids.carry(&o.gpu.uuid, h, self.xid_base)
            };
            gpu.health = match backend.health(&o.gpu) {
                Ok(mut h) => {
                    taken |= carry(&mut h);
                    Some(h)
                }
                Err(e) => {
                    tracing::warn!(gpu = %o.gpu.uuid, error = %e, "reading GPU health failed");
                    // XIDs from the log wait in the outbox for a reading that succeeds.
                    taken |= carry(&mut GpuHealth::default());
                    None
                }
            };
        }
        if taken && !dry_run {
            self.save_xids();
        }
        Ok(PassResult {
            plan: the_plan,
            outcomes,
            report,
            gpus: observed.into_iter().map(|o| o.gpu).collect(),
        })
    }
}

impl Agent {
    /// XIDs from the kernel log, by GPU UUID: on the run's first pass, those logged after the
    /// checkpoint's mark (no agent was registered with NVML for them); on later passes none,
    /// since NVML delivers them, and the mark only moves past them. Also returns whether the
    /// mark moved so that the checkpoint must be saved. A log that cannot be read is logged
    /// and not read again.
    fn logged_xids(
        &mut self,
        backend: &dyn GpuBackend,
        observed: &[ObservedGpu],
    ) -> (HashMap<String, Vec<XidEvent>>, bool) {
        let Some(log) = self.kernel_log.as_mut() else {
            return (HashMap::new(), false);
        };
        let first = !std::mem::replace(&mut self.log_read, true);
        let read = if first {
            // The mark moved if the log has records past it.
            recover(log, self.checkpoint.kernel_log.as_ref(), backend, observed)
                .map(|xids| (xids, false))
        } else {
            // Xid records NVML has delivered: the mark must move past them.
            log.advance().map(|xids| (HashMap::new(), xids > 0))
        };
        match read {
            Ok((xids, moved)) => {
                let mark = log.mark();
                let moved = moved || (first && mark != self.checkpoint.kernel_log);
                self.checkpoint.kernel_log = mark;
                (xids, moved)
            }
            Err(e) => {
                tracing::warn!(
                    path = %log.path().display(),
                    error = %e,
                    "reading the kernel log failed; XIDs raised while no agent runs will be missed"
                );
                self.kernel_log = None;
                (HashMap::new(), false)
            }
        }
    }
}

/// The first read of the kernel log: its Xid records after `mark`, by the UUID of the observed
/// GPU at their PCI address.
fn recover(
    log: &mut KernelLog,
    mark: Option<&Mark>,
    backend: &dyn GpuBackend,
    observed: &[ObservedGpu],
) -> std::io::Result<HashMap<String, Vec<XidEvent>>> {
    let found = log.recover(mark)?;
    if found.lost > 0 {
        tracing::warn!(
            path = %log.path().display(),
            lost = found.lost,
            "the kernel log no longer holds records written since the agent last read it: \
             XIDs among them are lost"
        );
    }
    let by_pci: HashMap<PciAddress, &str> = observed
        .iter()
        .filter_map(|o| Some((backend.pci_address(&o.gpu)?, o.gpu.uuid.as_str())))
        .collect();
    let mut out: HashMap<String, Vec<XidEvent>> = HashMap::new();
    for x in found.xids {
        let (pci, xid) = (x.pci, x.xid.xid);
        match by_pci.get(&pci) {
            Some(&gpu) => {
                tracing::info!(gpu, xid, "an XID logged while no agent ran");
                out.entry(gpu.to_owned()).or_default().push(x.xid);
            }
            None => tracing::warn!(
                %pci,
                xid,
                "an XID logged while no agent ran, on a GPU the agent does not manage or no \
                 longer sees"
            ),
        }
    }
    Ok(out)
}

/// The observed-state report of a pass.
pub fn report(
    generation: u64,
    observed: &[ObservedGpu],
    plan: &Plan,
    outcomes: &[ActionOutcome],
) -> ObservedReport {
    let gpus = observed
        .iter()
        .map(|o| ObservedGpuReport {
            gpu_uuid: o.gpu.uuid.clone(),
            mig_enabled: o.gpu.mig_enabled(),
            instances: o
                .instances
                .iter()
                .map(|i| ObservedSlice {
                    lease_id: match &i.owner {
                        Owner::Managed(l) => Some(*l),
                        Owner::Unmanaged => None,
                    },
                    instance: i.instance.clone(),
                })
                .collect(),
            health: None,
        })
        .collect();
    let conflicts = plan.conflicts.iter().map(|c| ReportedError {
        gpu_uuid: c.gpu_uuid.clone(),
        lease_id: Some(c.lease_id),
        op: SliceOp::Create,
        reason: c.reason.clone(),
    });
    let failures = outcomes.iter().filter_map(|o| {
        let (gpu_uuid, lease_id) = o.action.subject();
        o.error.as_ref().map(|reason| ReportedError {
            gpu_uuid: gpu_uuid.to_owned(),
            lease_id: Some(*lease_id),
            op: o.action.op(),
            reason: reason.clone(),
        })
    });
    ObservedReport {
        applied_generation: generation,
        gpus,
        errors: conflicts.chain(failures).collect(),
    }
}
