//! Carries out a plan against a backend, keeping the checkpoint in step: an intent is saved
//! before each create and cleared if it fails; a record is dropped only after its destroy
//! succeeded. Each action's outcome is returned so nothing that failed is hidden.

use super::plan::{Action, ObservedGpu};
use crate::backend::{BackendError, GpuBackend};
use crate::checkpoint::{Checkpoint, CheckpointStore, ManagedInstance};
use crate::model::{GpuInfo, Signal};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How processes on a slice being taken back are stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KillPolicy {
    /// Time between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// How long to wait for processes to vanish after SIGKILL before trying the destroy anyway.
    pub kill_wait: Duration,
    /// How often to look whether the processes are gone.
    pub poll: Duration,
}

impl Default for KillPolicy {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(10),
            kill_wait: Duration::from_secs(5),
            poll: Duration::from_millis(100),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionOutcome {
    pub action: Action,
    /// `None` when it succeeded.
    pub error: Option<String>,
}

#[derive(Debug)]
pub struct Applier<'a> {
    pub backend: &'a dyn GpuBackend,
    pub store: &'a CheckpointStore,
    pub kill: KillPolicy,
}

impl Applier<'_> {
    /// Applies `actions` in order; later actions run even when earlier ones fail.
    pub fn apply(
        &self,
        checkpoint: &mut Checkpoint,
        observed: &[ObservedGpu],
        actions: &[Action],
    ) -> Vec<ActionOutcome> {
        actions
            .iter()
            .map(|action| {
                let result = self.apply_one(checkpoint, observed, action);
                if let Err(e) = &result {
                    tracing::warn!(?action, "action failed: {e}");
                }
                ActionOutcome {
                    action: action.clone(),
                    error: result.err().map(|e| error_chain(&e)),
                }
            })
            .collect()
    }

    fn apply_one(
        &self,
        checkpoint: &mut Checkpoint,
        observed: &[ObservedGpu],
        action: &Action,
    ) -> Result<(), ApplyError> {
        match action {
            Action::Create {
                gpu_uuid,
                lease_id,
                profile_id,
                placement,
                ..
            } => {
                checkpoint.record_intent(ManagedInstance {
                    gpu_uuid: gpu_uuid.clone(),
                    lease_id: *lease_id,
                    profile_id: *profile_id,
                    placement: *placement,
                    gpu_instance_id: None,
                    mig_uuid: None,
                });
                self.store.save(checkpoint)?;
                match self
                    .backend
                    .create_instance(gpu_uuid, *profile_id, *placement)
                {
                    Ok(created) => {
                        checkpoint.record_created(
                            gpu_uuid,
                            placement.start,
                            created.gpu_instance_id,
                            &created.mig_uuid,
                        );
                        tracing::info!(gpu = %gpu_uuid, lease = %lease_id, mig = %created.mig_uuid, "created");
                        self.store.save(checkpoint)?;
                        Ok(())
                    }
                    Err(e) => {
                        checkpoint.forget(gpu_uuid, placement.start);
                        self.store.save(checkpoint)?;
                        Err(e.into())
                    }
                }
            }
            Action::CreateComputeInstance {
                gpu_uuid,
                gpu_instance_id,
                ..
            } => {
                let created = self
                    .backend
                    .create_compute_instance(gpu_uuid, *gpu_instance_id)?;
                let start = find_gpu(observed, gpu_uuid)?
                    .instances
                    .iter()
                    .find(|o| o.instance.id == *gpu_instance_id)
                    .map(|o| o.instance.placement.start);
                if let Some(start) = start {
                    checkpoint.record_created(gpu_uuid, start, *gpu_instance_id, &created.mig_uuid);
                    self.store.save(checkpoint)?;
                }
                Ok(())
            }
            Action::Remove {
                gpu_uuid,
                lease_id,
                gpu_instance_id,
                placement,
                ..
            } => {
                let gpu = &find_gpu(observed, gpu_uuid)?.gpu;
                self.stop_processes(gpu, *gpu_instance_id)?;
                self.backend.destroy_instance(gpu_uuid, *gpu_instance_id)?;
                tracing::info!(gpu = %gpu_uuid, lease = %lease_id, gpu_instance_id, "destroyed");
                checkpoint.forget(gpu_uuid, placement.start);
                self.store.save(checkpoint)?;
                Ok(())
            }
        }
    }

    /// SIGTERM, wait up to the grace period, SIGKILL what is left, wait for it to go.
    fn stop_processes(&self, gpu: &GpuInfo, gpu_instance_id: u32) -> Result<(), ApplyError> {
        for signal in [Signal::Term, Signal::Kill] {
            let pids = self.pids_on(gpu, gpu_instance_id)?;
            if pids.is_empty() {
                return Ok(());
            }
            for pid in pids {
                match self.backend.signal_process(pid, signal) {
                    Ok(()) | Err(BackendError::NoSuchProcess { .. }) => {}
                    Err(e) => tracing::warn!(pid, ?signal, "could not signal: {e}"),
                }
            }
            let wait = match signal {
                Signal::Term => self.kill.grace,
                Signal::Kill => self.kill.kill_wait,
            };
            let deadline = Instant::now() + wait;
            while !self.pids_on(gpu, gpu_instance_id)?.is_empty() && Instant::now() < deadline {
                std::thread::sleep(self.kill.poll);
            }
        }
        // Whatever is still there makes the destroy fail as "in use", which is reported.
        Ok(())
    }

    fn pids_on(&self, gpu: &GpuInfo, gpu_instance_id: u32) -> Result<Vec<u32>, BackendError> {
        Ok(self
            .backend
            .instances(gpu)?
            .into_iter()
            .find(|i| i.id == gpu_instance_id)
            .map(|i| i.processes.iter().map(|p| p.pid).collect())
            .unwrap_or_default())
    }
}

fn find_gpu<'o>(observed: &'o [ObservedGpu], uuid: &str) -> Result<&'o ObservedGpu, ApplyError> {
    observed
        .iter()
        .find(|o| o.gpu.uuid == uuid)
        .ok_or_else(|| BackendError::UnknownGpu { uuid: uuid.into() }.into())
}

#[derive(Debug, thiserror::Error)]
enum ApplyError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("saving the checkpoint")]
    Checkpoint(#[from] crate::fsutil::FileError),
}

/// An error with its causes, `a: b: c`, for reports.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
