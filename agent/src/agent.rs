//! The reconcile loop: read the desired config, observe the GPUs, plan, apply (unless dry
//! run), report. Wakes every interval; stopping it never destroys anything.

use crate::backend::GpuBackend;
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::desired::DesiredSource;
use crate::fsutil;
use crate::reconcile::{
    ActionOutcome, Applier, KillPolicy, ObservedGpu, Owner, Plan, classify, plan,
};
use slicebroker_types::agent::{
    DesiredConfig, ObservedGpuReport, ObservedReport, ObservedSlice, ReportedError, SliceOp,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
pub struct LoopConfig {
    pub dry_run: bool,
    pub once: bool,
    pub interval: Duration,
    pub kill: KillPolicy,
    pub report_file: Option<PathBuf>,
}

/// The agent's state between passes.
#[derive(Debug)]
pub struct Agent {
    backend: Arc<dyn GpuBackend>,
    store: Arc<CheckpointStore>,
    checkpoint: Checkpoint,
    /// The newest desired config seen; an older generation never replaces it.
    desired: DesiredConfig,
}

/// What one pass did, for logs and the report.
#[derive(Debug)]
pub struct PassResult {
    pub plan: Plan,
    pub outcomes: Vec<ActionOutcome>,
    pub report: ObservedReport,
}

impl Agent {
    pub fn new(backend: Arc<dyn GpuBackend>, store: CheckpointStore) -> anyhow::Result<Self> {
        let checkpoint = store.load()?;
        Ok(Self {
            backend,
            store: Arc::new(store),
            checkpoint,
            desired: DesiredConfig::default(),
        })
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
        let report = report(self.desired.generation, &observed, &the_plan, &outcomes);
        Ok(PassResult {
            plan: the_plan,
            outcomes,
            report,
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
                        Owner::Managed(l) => Some(l.clone()),
                        Owner::Unmanaged => None,
                    },
                    instance: i.instance.clone(),
                })
                .collect(),
        })
        .collect();
    let conflicts = plan.conflicts.iter().map(|c| ReportedError {
        gpu_uuid: c.gpu_uuid.clone(),
        lease_id: Some(c.lease_id.clone()),
        op: SliceOp::Create,
        reason: c.reason.clone(),
    });
    let failures = outcomes.iter().filter_map(|o| {
        let (gpu_uuid, lease_id) = o.action.subject();
        o.error.as_ref().map(|reason| ReportedError {
            gpu_uuid: gpu_uuid.to_owned(),
            lease_id: Some(lease_id.clone()),
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

/// Runs passes until `once` is done or the process is asked to stop (Ctrl-C / SIGTERM).
pub async fn run_loop(
    mut agent: Agent,
    mut source: Box<dyn DesiredSource>,
    config: LoopConfig,
) -> anyhow::Result<()> {
    let mut backoff = config.interval;
    loop {
        match source.fetch() {
            Ok(next) => {
                agent.offer_desired(next);
            }
            Err(e) => tracing::warn!(
                "reading the desired config: {}",
                crate::reconcile::error_chain(&e)
            ),
        }
        let (dry_run, kill) = (config.dry_run, config.kill);
        let (returned, result) = tokio::task::spawn_blocking(move || {
            let result = agent.pass(dry_run, kill);
            (agent, result)
        })
        .await?;
        agent = returned;
        match result {
            Ok(pass) => {
                backoff = config.interval;
                log_pass(&pass, dry_run);
                if let Some(path) = &config.report_file {
                    fsutil::write_json_atomic(path, &pass.report)?;
                }
            }
            Err(e) if config.once => return Err(e),
            Err(e) => {
                backoff = (backoff * 2).min(Duration::from_secs(60));
                tracing::error!(retry_in = ?backoff, "reconcile pass failed: {e:#}");
            }
        }
        if config.once {
            return Ok(());
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown_signal() => {
                tracing::info!("stopping; slices are left as they are");
                return Ok(());
            }
        }
    }
}

fn log_pass(pass: &PassResult, dry_run: bool) {
    for action in &pass.plan.actions {
        if dry_run {
            tracing::info!(?action, "would do (dry run)");
        }
    }
    for u in &pass.plan.unmanaged {
        tracing::debug!(gpu = %u.gpu_uuid, gi = u.gpu_instance_id, placement = %u.placement, "unmanaged instance");
    }
    for c in &pass.plan.conflicts {
        tracing::warn!(gpu = %c.gpu_uuid, lease = %c.lease_id, "cannot make slice: {}", c.reason);
    }
    tracing::info!(
        generation = pass.report.applied_generation,
        actions = pass.plan.actions.len(),
        failed = pass.outcomes.iter().filter(|o| o.error.is_some()).count(),
        "pass done"
    );
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
