//! The simulator's whole state as plain data (saved as JSON so it survives an agent restart),
//! and the operations on it. Geometry is [`Occupancy`] from the catalog crate, so a simulated
//! GPU accepts exactly what the catalog says NVML accepts.

use super::FailurePoint;
use super::spec::derived_uuid;
use crate::backend::BackendError;
use crate::model::{MigMode, Signal};
use serde::{Deserialize, Serialize};
use slicebroker_types::{GpuModel, Instance, ModelId, Occupancy, Placement, ProfileIdx};

/// Compute instance profile id of a CI that spans its GPU instance, keyed by compute slices
/// (`NVML_COMPUTE_INSTANCE_PROFILE_*`); see `nvml_table::full_compute_instance_profile`.
use crate::backend::nvml_table::full_compute_instance_profile;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimState {
    pub seed: u64,
    pub next_pid: u32,
    pub gpus: Vec<SimGpu>,
    /// Failures injected for the next operations (kept in the file so another process can
    /// inject them into a running agent).
    #[serde(default)]
    pub failures: SimFailures,
}

/// How many of the next operations of each kind fail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimFailures {
    pub create: u32,
    pub destroy: u32,
}

impl SimFailures {
    fn count(&mut self, point: FailurePoint) -> &mut u32 {
        match point {
            FailurePoint::Create => &mut self.create,
            FailurePoint::Destroy => &mut self.destroy,
        }
    }

    pub fn add(&mut self, point: FailurePoint, times: u32) {
        let n = self.count(point);
        *n = n.saturating_add(times);
    }

    /// Uses up one failure at `point`, if any is left.
    pub fn take(&mut self, point: FailurePoint) -> bool {
        let n = self.count(point);
        let fail = *n > 0;
        *n = n.saturating_sub(1);
        fail
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimGpu {
    pub index: u32,
    pub uuid: String,
    /// Catalog key.
    pub model: String,
    pub mig_mode: MigMode,
    /// GPU instances ever created here; feeds MIG UUIDs so a re-created instance gets a new one.
    pub created: u64,
    pub instances: Vec<SimInstance>,
    /// Sensors and injected XIDs (absent from state files that predate them: healthy).
    #[serde(default)]
    pub health: super::health::SimHealth,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimInstance {
    pub gpu_instance_id: u32,
    /// The catalog profile name; resolved against the model on use.
    pub profile: String,
    pub start: u8,
    pub compute_instance: Option<SimComputeInstance>,
    pub processes: Vec<SimProcess>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimComputeInstance {
    pub id: u32,
    pub profile_id: u32,
    pub mig_uuid: String,
}

/// A simulated CUDA process on a MIG device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimProcess {
    pub pid: u32,
    pub uid: u32,
    pub command: String,
    pub memory_mib: u64,
    /// Fraction of the instance's SMs it keeps busy (0 to 1).
    pub activity: f64,
    /// A process that ignores SIGTERM: only SIGKILL ends it.
    pub ignores_term: bool,
}

/// A simulated process with the device it runs on, as `sim workload ls` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    #[serde(flatten)]
    pub process: SimProcess,
    pub gpu_uuid: String,
    pub gpu_instance_id: u32,
    pub mig_uuid: Option<String>,
}

/// What a test or the demo starts on a MIG device.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcessSpec {
    pub uid: u32,
    pub command: String,
    pub memory_mib: u64,
    pub activity: f64,
    pub ignores_term: bool,
}

impl Default for ProcessSpec {
    fn default() -> Self {
        Self {
            uid: 1000,
            command: "python".into(),
            memory_mib: 1024,
            activity: 0.5,
            ignores_term: false,
        }
    }
}

const FIRST_PID: u32 = 40_000;

impl SimState {
    /// Fresh GPUs, all with MIG mode on and no instances.
    pub fn new(models: &[ModelId], seed: u64) -> Self {
        let gpus = models
            .iter()
            .enumerate()
            .map(|(i, &m)| SimGpu {
                index: i as u32,
                uuid: derived_uuid("GPU", seed, &[i as u64]),
                model: GpuModel::get(m).key.to_owned(),
                mig_mode: MigMode {
                    current: true,
                    pending: true,
                },
                created: 0,
                instances: Vec::new(),
                health: Default::default(),
            })
            .collect();
        Self {
            seed,
            next_pid: FIRST_PID,
            gpus,
            failures: SimFailures::default(),
        }
    }

    pub fn gpu(&self, uuid: &str) -> Result<&SimGpu, BackendError> {
        self.gpus
            .iter()
            .find(|g| g.uuid == uuid)
            .ok_or_else(|| BackendError::UnknownGpu { uuid: uuid.into() })
    }

    pub(super) fn gpu_mut(&mut self, uuid: &str) -> Result<&mut SimGpu, BackendError> {
        self.gpus
            .iter_mut()
            .find(|g| g.uuid == uuid)
            .ok_or_else(|| BackendError::UnknownGpu { uuid: uuid.into() })
    }

    /// Creates a GPU instance; with `with_compute` also its full-size compute instance.
    pub fn create(
        &mut self,
        gpu_uuid: &str,
        profile_id: u32,
        placement: Placement,
        with_compute: bool,
    ) -> Result<(u32, Option<SimComputeInstance>), BackendError> {
        let seed = self.seed;
        let gpu = self.gpu_mut(gpu_uuid)?;
        if !gpu.mig_mode.current {
            return Err(BackendError::MigDisabled {
                gpu: gpu_uuid.into(),
            });
        }
        let model = gpu.model_def();
        let profile =
            model
                .profile_by_nvml_id(profile_id)
                .ok_or_else(|| BackendError::UnknownProfile {
                    gpu: gpu_uuid.into(),
                    profile_id,
                })?;
        let insufficient = |detail: String| BackendError::InsufficientResources {
            gpu: gpu_uuid.into(),
            profile_id,
            placement,
            detail,
        };
        let expected = model.profile(profile).memory_slices;
        if placement.size != expected {
            return Err(insufficient(format!("placement size must be {expected}")));
        }
        gpu.occupancy()
            .check(profile, placement.start)
            .map_err(|e| insufficient(e.to_string()))?;
        let id = (1..)
            .find(|id| gpu.instance(*id).is_none())
            .expect("ids are unbounded");
        gpu.created += 1;
        gpu.instances.push(SimInstance {
            gpu_instance_id: id,
            profile: model.profile(profile).name.to_owned(),
            start: placement.start,
            compute_instance: None,
            processes: Vec::new(),
        });
        let ci = if with_compute {
            Some(self.create_compute(gpu_uuid, id, seed)?)
        } else {
            None
        };
        Ok((id, ci))
    }

    /// Creates the full-size compute instance of a GPU instance that has none.
    pub fn create_compute(
        &mut self,
        gpu_uuid: &str,
        gpu_instance_id: u32,
        seed: u64,
    ) -> Result<SimComputeInstance, BackendError> {
        let gpu = self.gpu_mut(gpu_uuid)?;
        let (index, created) = (gpu.index, gpu.created);
        let model = gpu.model_def();
        let inst = gpu.instance_mut(gpu_uuid, gpu_instance_id)?;
        if inst.compute_instance.is_some() {
            return Err(BackendError::InsufficientResources {
                gpu: gpu_uuid.into(),
                profile_id: 0,
                placement: inst.placement(model),
                detail: "the GPU instance already has its full compute instance".into(),
            });
        }
        let slices = model.profile(inst.profile_idx(model)).compute_slices;
        let ci = SimComputeInstance {
            id: 0,
            profile_id: full_compute_instance_profile(u32::from(slices)).unwrap_or(0),
            mig_uuid: derived_uuid(
                "MIG",
                seed,
                &[u64::from(index), u64::from(gpu_instance_id), created],
            ),
        };
        inst.compute_instance = Some(ci.clone());
        Ok(ci)
    }

    /// Destroys the compute instance, then the GPU instance, like NVML: in use while processes
    /// run.
    pub fn destroy(&mut self, gpu_uuid: &str, gpu_instance_id: u32) -> Result<(), BackendError> {
        let gpu = self.gpu_mut(gpu_uuid)?;
        let inst = gpu.instance_mut(gpu_uuid, gpu_instance_id)?;
        if !inst.processes.is_empty() {
            return Err(BackendError::InUse {
                gpu: gpu_uuid.into(),
                what: format!("GPU instance {gpu_instance_id}"),
                pids: inst.processes.iter().map(|p| p.pid).collect(),
            });
        }
        gpu.instances
            .retain(|i| i.gpu_instance_id != gpu_instance_id);
        Ok(())
    }

    pub fn set_mig_mode(&mut self, gpu_uuid: &str, enabled: bool) -> Result<bool, BackendError> {
        let gpu = self.gpu_mut(gpu_uuid)?;
        let pids: Vec<u32> = gpu
            .instances
            .iter()
            .flat_map(|i| &i.processes)
            .map(|p| p.pid)
            .collect();
        if !pids.is_empty() || (!enabled && !gpu.instances.is_empty()) {
            return Err(BackendError::InUse {
                gpu: gpu_uuid.into(),
                what: format!("MIG mode change ({} GPU instances)", gpu.instances.len()),
                pids,
            });
        }
        gpu.mig_mode.pending = enabled;
        // Ampere keeps the change pending until a GPU reset; Hopper and later apply it at once.
        let reset_required = !has_gpm(gpu.model_def());
        if !reset_required {
            gpu.mig_mode.current = enabled;
        }
        Ok(reset_required)
    }

    /// Applies a pending MIG mode, as a GPU reset would.
    pub fn reset(&mut self, gpu_uuid: &str) -> Result<(), BackendError> {
        let gpu = self.gpu_mut(gpu_uuid)?;
        gpu.mig_mode.current = gpu.mig_mode.pending;
        gpu.instances.clear();
        Ok(())
    }

    /// Starts a process on the MIG device `mig_uuid`; returns its pid.
    pub fn start_process(
        &mut self,
        mig_uuid: &str,
        spec: ProcessSpec,
    ) -> Result<u32, BackendError> {
        let pid = self.next_pid;
        let inst = self
            .gpus
            .iter_mut()
            .flat_map(|g| g.instances.iter_mut())
            .find(|i| {
                i.compute_instance
                    .as_ref()
                    .is_some_and(|c| c.mig_uuid == mig_uuid)
            })
            .ok_or_else(|| BackendError::UnknownGpu {
                uuid: mig_uuid.into(),
            })?;
        inst.processes.push(SimProcess {
            pid,
            uid: spec.uid,
            command: spec.command,
            memory_mib: spec.memory_mib,
            activity: spec.activity.clamp(0.0, 1.0),
            ignores_term: spec.ignores_term,
        });
        self.next_pid += 1;
        Ok(pid)
    }

    /// Every process on every instance, in pid order.
    pub fn workloads(&self) -> Vec<Workload> {
        let mut out: Vec<Workload> = self
            .gpus
            .iter()
            .flat_map(|g| g.instances.iter().map(move |i| (g, i)))
            .flat_map(|(g, i)| {
                i.processes.iter().map(move |p| Workload {
                    process: p.clone(),
                    gpu_uuid: g.uuid.clone(),
                    gpu_instance_id: i.gpu_instance_id,
                    mig_uuid: i.compute_instance.as_ref().map(|c| c.mig_uuid.clone()),
                })
            })
            .collect();
        out.sort_by_key(|w| w.process.pid);
        out
    }

    /// Delivers a signal: SIGKILL always ends the process, SIGTERM unless it ignores it.
    pub fn signal(&mut self, pid: u32, signal: Signal) -> Result<(), BackendError> {
        for inst in self.gpus.iter_mut().flat_map(|g| g.instances.iter_mut()) {
            if let Some(pos) = inst.processes.iter().position(|p| p.pid == pid) {
                if signal == Signal::Kill || !inst.processes[pos].ignores_term {
                    inst.processes.remove(pos);
                }
                return Ok(());
            }
        }
        Err(BackendError::NoSuchProcess { pid })
    }
}

impl SimGpu {
    pub fn model_def(&self) -> &'static GpuModel {
        GpuModel::get(GpuModel::find(&self.model).expect("state files hold catalog keys"))
    }

    pub fn instance(&self, id: u32) -> Option<&SimInstance> {
        self.instances.iter().find(|i| i.gpu_instance_id == id)
    }

    fn instance_mut(&mut self, gpu: &str, id: u32) -> Result<&mut SimInstance, BackendError> {
        self.instances
            .iter_mut()
            .find(|i| i.gpu_instance_id == id)
            .ok_or_else(|| BackendError::UnknownInstance {
                gpu: gpu.into(),
                gpu_instance_id: id,
            })
    }

    pub fn occupancy(&self) -> Occupancy {
        let model = self.model_def();
        Occupancy::from_instances(
            model.id(),
            self.instances.iter().map(|i| Instance {
                profile: i.profile_idx(model),
                start: i.start,
            }),
        )
        .expect("the simulator only ever adds instances that fit")
    }
}

impl SimInstance {
    pub fn profile_idx(&self, model: &GpuModel) -> ProfileIdx {
        model
            .profile_by_name(&self.profile)
            .expect("state files hold the model's profile names")
    }

    pub fn placement(&self, model: &GpuModel) -> Placement {
        Placement {
            start: self.start,
            size: model.profile(self.profile_idx(model)).memory_slices,
        }
    }
}

/// Hopper and later measure per-instance activity (GPM) and toggle MIG without a reset.
pub fn has_gpm(model: &GpuModel) -> bool {
    !(model.key.starts_with("a30") || model.key.starts_with("a100"))
}
