//! The agent's state between passes and one reconcile pass: observe the GPUs, plan against the
//! newest desired config, apply (unless dry run), re-observe, build the report. The loop around
//! it is in `run.rs`.

use crate::backend::GpuBackend;
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::model::GpuInfo;
use crate::reconcile::{
    ActionOutcome, Applier, KillPolicy, ObservedGpu, Owner, Plan, classify, plan,
};
use crate::xids;
use slicebroker_types::agent::{
    DesiredConfig, ObservedGpuReport, ObservedReport, ObservedSlice, ReportedError, SliceOp,
};
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
        })
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
        let backend = self.backend.as_ref();
        let snapshot = backend.snapshot()?;
        if !dry_run && self.checkpoint.retain_observed(&snapshot) > 0 {
            self.store.save(&self.checkpoint)?;
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
        let mut taken = false;
        for (gpu, o) in report.gpus.iter_mut().zip(&observed) {
            gpu.health = match backend.health(&o.gpu) {
                Ok(mut h) => {
                    taken |= self
                        .checkpoint
                        .xids
                        .carry(&o.gpu.uuid, &mut h, self.xid_base);
                    Some(h)
                }
                Err(e) => {
                    tracing::warn!(gpu = %o.gpu.uuid, error = %e, "reading GPU health failed");
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
