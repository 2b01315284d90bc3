//! The pure planner: desired config + observed GPUs (with ownership from the checkpoint) →
//! actions. Creates what is desired and missing, removes what the agent created and is no
//! longer desired, never touches unmanaged instances, and reports what it cannot do.

use super::fit::GpuFit;
use crate::checkpoint::Checkpoint;
use crate::model::{GpuInfo, GpuInstance, GpuSnapshot};
use serde::Serialize;
use slicebroker_types::Placement;
use slicebroker_types::agent::{DesiredConfig, DesiredSlice, LeaseId, SliceOp};

/// Whose an observed instance is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Owner {
    /// The agent created it for this lease.
    Managed(LeaseId),
    /// Made by someone else: reported, its slices taken, never destroyed.
    Unmanaged,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObservedInstance {
    pub owner: Owner,
    pub instance: GpuInstance,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObservedGpu {
    pub gpu: GpuInfo,
    pub instances: Vec<ObservedInstance>,
}

/// Marks each observed instance managed or unmanaged by the checkpoint.
pub fn classify(snapshots: &[GpuSnapshot], checkpoint: &Checkpoint) -> Vec<ObservedGpu> {
    snapshots
        .iter()
        .map(|s| ObservedGpu {
            gpu: s.gpu.clone(),
            instances: s
                .instances
                .iter()
                .map(|i| ObservedInstance {
                    owner: match checkpoint.find(&s.gpu.uuid, i) {
                        Some(m) => Owner::Managed(m.lease_id),
                        None => Owner::Unmanaged,
                    },
                    instance: i.clone(),
                })
                .collect(),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Stop the processes (SIGTERM, grace, SIGKILL), destroy the compute instances, then the
    /// GPU instance. Only ever for instances the agent created.
    Remove {
        gpu_uuid: String,
        lease_id: LeaseId,
        gpu_instance_id: u32,
        placement: Placement,
        pids: Vec<u32>,
    },
    /// Give a managed GPU instance its missing compute instance (a create cut short).
    CreateComputeInstance {
        gpu_uuid: String,
        lease_id: LeaseId,
        gpu_instance_id: u32,
    },
    /// Create a GPU instance at `placement` with one full-size compute instance.
    Create {
        gpu_uuid: String,
        lease_id: LeaseId,
        profile_id: u32,
        profile_name: String,
        placement: Placement,
    },
}

impl Action {
    /// The GPU and lease the action is about.
    pub fn subject(&self) -> (&str, &LeaseId) {
        match self {
            Action::Remove {
                gpu_uuid, lease_id, ..
            }
            | Action::CreateComputeInstance {
                gpu_uuid, lease_id, ..
            }
            | Action::Create {
                gpu_uuid, lease_id, ..
            } => (gpu_uuid, lease_id),
        }
    }

    /// Whether the action makes or takes back a slice (how an error of it is reported).
    pub fn op(&self) -> SliceOp {
        match self {
            Action::Remove { .. } => SliceOp::Destroy,
            Action::CreateComputeInstance { .. } | Action::Create { .. } => SliceOp::Create,
        }
    }
}

/// A desired slice the agent cannot make, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub gpu_uuid: String,
    pub lease_id: LeaseId,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnmanagedInstance {
    pub gpu_uuid: String,
    pub gpu_instance_id: u32,
    pub profile_id: u32,
    pub placement: Placement,
}

/// What to do, in order (removals first, so freed slices can be reused), and what to report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub unmanaged: Vec<UnmanagedInstance>,
    pub conflicts: Vec<Conflict>,
}

/// Plans one reconcile pass.
pub fn plan(desired: &DesiredConfig, observed: &[ObservedGpu]) -> Plan {
    let mut out = Plan::default();
    let mut removes = Vec::new();
    let mut completes = Vec::new();
    let mut creates = Vec::new();
    for gpu in observed {
        let uuid = &gpu.gpu.uuid;
        let wanted: Vec<&DesiredSlice> = desired
            .gpus
            .iter()
            .filter(|d| &d.gpu_uuid == uuid)
            .flat_map(|d| &d.slices)
            .collect();
        let mut satisfied = vec![false; wanted.len()];
        let mut kept = Vec::new();
        for o in &gpu.instances {
            let i = &o.instance;
            let Owner::Managed(lease) = &o.owner else {
                out.unmanaged.push(UnmanagedInstance {
                    gpu_uuid: uuid.clone(),
                    gpu_instance_id: i.id,
                    profile_id: i.profile_id,
                    placement: i.placement,
                });
                kept.push(i);
                continue;
            };
            let hit = wanted.iter().enumerate().position(|(n, w)| {
                !satisfied[n]
                    && &w.lease_id == lease
                    && w.placement == i.placement
                    && gpu.gpu.profile_by_index(w.profile).map(|p| p.id) == Some(i.profile_id)
            });
            match hit {
                Some(n) => {
                    satisfied[n] = true;
                    kept.push(i);
                    if i.compute_instances.is_empty() {
                        completes.push(Action::CreateComputeInstance {
                            gpu_uuid: uuid.clone(),
                            lease_id: *lease,
                            gpu_instance_id: i.id,
                        });
                    }
                }
                None => removes.push(Action::Remove {
                    gpu_uuid: uuid.clone(),
                    lease_id: *lease,
                    gpu_instance_id: i.id,
                    placement: i.placement,
                    pids: i.processes.iter().map(|p| p.pid).collect(),
                }),
            }
        }
        let mut fit = GpuFit::new(&gpu.gpu, kept);
        for (w, _) in wanted.iter().zip(&satisfied).filter(|(_, done)| !**done) {
            match create_for(&gpu.gpu, w, &mut fit) {
                Ok(action) => creates.push(action),
                Err(reason) => out.conflicts.push(Conflict {
                    gpu_uuid: uuid.clone(),
                    lease_id: w.lease_id,
                    reason,
                }),
            }
        }
    }
    for d in &desired.gpus {
        if !observed.iter().any(|o| o.gpu.uuid == d.gpu_uuid) {
            out.conflicts.extend(d.slices.iter().map(|s| Conflict {
                gpu_uuid: d.gpu_uuid.clone(),
                lease_id: s.lease_id,
                reason: "no such GPU on this host".into(),
            }));
        }
    }
    out.actions = removes
        .into_iter()
        .chain(completes)
        .chain(creates)
        .collect();
    out
}

/// The create action for a desired slice, if the GPU can take it next to what it keeps.
fn create_for(gpu: &GpuInfo, slice: &DesiredSlice, fit: &mut GpuFit) -> Result<Action, String> {
    if !gpu.mig_enabled() {
        return Err("MIG mode is not enabled on this GPU".into());
    }
    let Some(profile) = gpu.profile_by_index(slice.profile) else {
        return Err(format!(
            "the GPU does not offer profile {} ({})",
            slice.profile_name,
            slice.profile.const_name()
        ));
    };
    if !profile.placements.contains(&slice.placement) {
        return Err(format!(
            "{} is not a placement of {}; the GPU lists {:?}",
            slice.placement,
            profile.name,
            profile
                .placements
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        ));
    }
    fit.take(profile.id, slice.placement)?;
    Ok(Action::Create {
        gpu_uuid: gpu.uuid.clone(),
        lease_id: slice.lease_id,
        profile_id: profile.id,
        profile_name: profile.name.clone(),
        placement: slice.placement,
    })
}
