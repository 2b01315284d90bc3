//! The agent's state between passes and one reconcile pass: observe the GPUs, plan against the
//! newest desired config, apply (unless dry run), re-observe, build the report. The loop around
//! it is in `run.rs`.

use crate::backend::BackendError;
use crate::backend::GpuBackend;
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::kernel_log::{KernelLog, PciAddress};
use crate::model::GpuInfo;
use crate::reconcile::{
    ActionOutcome, Applier, KillPolicy, ObservedGpu, Owner, Plan, classify, plan,
};
use crate::xid_ledger::Missed;
use crate::xids;
use slicebroker_types::agent::{
    DesiredConfig, GpuHealth, ObservedGpuReport, ObservedReport, ObservedSlice, ReportedError,
    SliceOp,
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
            let present = snapshot.iter().map(|s| s.gpu.uuid.as_str()).collect();
            if self.checkpoint.xids.forget_absent(&present) {
                // A forgotten GPU seen again must not reuse this run's numbers.
                self.xid_base = xids::clock_base();
                changed = true;
            }
            changed |= self.checkpoint.xid_ledger.forget_absent(&present);
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
        let before = (
            self.checkpoint.kernel_log.clone(),
            self.checkpoint.xid_ledger.clone(),
        );
        // The kernel log's first read comes just before the health readings: the first
        // reading registers NVML's event set, which delivers every XID from then on.
        let mut missed = self.recover_logged(backend, &observed);
        let readings: Vec<_> = observed.iter().map(|o| backend.health(&o.gpu)).collect();
        self.match_logged(backend, &observed, &readings, &mut missed);
        let mut changed = before
            != (
                self.checkpoint.kernel_log.clone(),
                self.checkpoint.xid_ledger.clone(),
            );
        for ((gpu, o), reading) in report.gpus.iter_mut().zip(&observed).zip(readings) {
            let mut xids = missed.remove(&o.gpu.uuid).unwrap_or_default();
            let (mut h, read) = match reading {
                Ok(h) => (h, true),
                Err(e) => {
                    tracing::warn!(gpu = %o.gpu.uuid, error = %e, "reading GPU health failed");
                    // XIDs from the log wait in the outbox for a reading that succeeds.
                    (GpuHealth::default(), false)
                }
            };
            xids.append(&mut h.xids);
            h.xids = xids;
            changed |= self
                .checkpoint
                .xids
                .carry(&o.gpu.uuid, &mut h, self.xid_base);
            gpu.health = read.then_some(h);
        }
        if changed && !dry_run {
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
    /// The run's first pass, before the health readings: the kernel log's Xid records after
    /// the checkpoint's mark that the run before did not have from NVML, and the records that
    /// run was still waiting on NVML for. Later passes: none.
    fn recover_logged(&mut self, backend: &dyn GpuBackend, observed: &[ObservedGpu]) -> Missed {
        let Some(log) = self.kernel_log.as_mut() else {
            return Missed::new();
        };
        if std::mem::replace(&mut self.log_read, true) {
            return Missed::new();
        }
        let ledger = &mut self.checkpoint.xid_ledger;
        let mut missed = ledger.take_logged();
        let found = match log.recover(self.checkpoint.kernel_log.as_ref()) {
            Ok(found) => found,
            Err(e) => {
                self.log_failed(e, &mut missed);
                return missed;
            }
        };
        if found.lost > 0 {
            tracing::warn!(
                path = %log.path().display(),
                lost = found.lost,
                "the kernel log no longer holds records written since the agent last read it: \
                 XIDs among them are lost"
            );
        }
        let by_pci = by_pci(backend, observed);
        for x in found.xids {
            let (pci, xid) = (x.pci, x.xid.xid);
            match by_pci.get(&pci) {
                Some(&gpu) => {
                    if ledger.recovered(gpu, &x.xid) {
                        tracing::info!(gpu, xid, "an XID logged while no agent ran");
                        missed.entry(gpu.to_owned()).or_default().push(x.xid);
                    }
                }
                None => tracing::warn!(
                    %pci,
                    xid,
                    "an XID logged while no agent ran, on a GPU the agent does not manage or no \
                     longer sees"
                ),
            }
        }
        if let Some(mark) = log.mark() {
            self.checkpoint.kernel_log = Some(mark);
        }
        missed
    }

    /// After the health readings: matches what NVML delivered (`readings`) with the kernel
    /// log's records that came in since the last read (`crate::xid_ledger`); records NVML did
    /// not deliver within a pass go into `missed`.
    fn match_logged(
        &mut self,
        backend: &dyn GpuBackend,
        observed: &[ObservedGpu],
        readings: &[Result<GpuHealth, BackendError>],
        missed: &mut Missed,
    ) {
        let Some(log) = self.kernel_log.as_mut() else {
            return;
        };
        let ledger = &mut self.checkpoint.xid_ledger;
        for (o, reading) in observed.iter().zip(readings) {
            for x in reading.iter().flat_map(|h| &h.xids) {
                ledger.delivered(&o.gpu.uuid, x);
            }
        }
        let records = match log.advance() {
            Ok(records) => records,
            Err(e) => return self.log_failed(e, missed),
        };
        // A record on a GPU the agent does not see has no delivery to wait for either.
        let by_pci = by_pci(backend, observed);
        for x in records {
            if let Some(&gpu) = by_pci.get(&x.pci) {
                ledger.logged(gpu, &x.xid, missed);
            }
        }
        ledger.end_pass(missed);
        if let Some(mark) = log.mark() {
            self.checkpoint.kernel_log = Some(mark);
        }
    }

    /// The kernel log could not be read: it is not read again, and the records waiting for
    /// NVML are reported now (nothing will match them any more).
    fn log_failed(&mut self, e: std::io::Error, missed: &mut Missed) {
        if let Some(log) = self.kernel_log.take() {
            tracing::warn!(
                path = %log.path().display(),
                error = %e,
                "reading the kernel log failed; XIDs raised while no agent runs will be missed"
            );
        }
        let mut ledger = std::mem::take(&mut self.checkpoint.xid_ledger);
        for (gpu, mut xids) in ledger.take_logged() {
            missed.entry(gpu).or_default().append(&mut xids);
        }
    }
}

/// The observed GPUs by the PCI address the driver's log lines name.
fn by_pci<'a>(
    backend: &dyn GpuBackend,
    observed: &'a [ObservedGpu],
) -> HashMap<PciAddress, &'a str> {
    observed
        .iter()
        .filter_map(|o| Some((backend.pci_address(&o.gpu)?, o.gpu.uuid.as_str())))
        .collect()
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
