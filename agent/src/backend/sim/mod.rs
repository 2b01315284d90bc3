//! The simulated backend: catalog GPUs that obey MIG geometry exactly and fail the way NVML
//! does, with processes tests can start and stop, failure injection, and an optional state file
//! so the simulated host survives an agent restart.

mod health;
mod spec;
mod state;

pub use health::{HealthChange, SimHealth, bound_xids};
pub use spec::{SpecError, derived_uuid, parse_spec};
pub use state::{ProcessSpec, SimFailures, SimState, Workload};

use super::nvml_table::{catalog_memory_mib, catalog_table};
use super::{BackendError, GpuBackend};
use crate::fsutil;
use crate::kernel_log::PciAddress;
use crate::model::{
    ComputeInstance, CreatedInstance, GpuInfo, GpuInstance, GpuProcess, MigModeChange,
    ProfileDetail, Signal,
};
use slicebroker_types::agent::{GpuHealth, XidEvent};
use slicebroker_types::{GpuModel, Placement};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// Where an injected failure strikes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailurePoint {
    /// `create_instance` fails before changing anything.
    Create,
    /// `destroy_instance` reports the instance in use.
    Destroy,
}

/// The simulated host. With a state file the file is the shared truth: every call re-reads it,
/// and every change is made under an exclusive lock (`flock` on `<state>.lock`) and written
/// back atomically, so `slicebroker-agent sim …` run by a test or the demo acts on the very
/// host the running agent sees.
#[derive(Debug)]
pub struct SimBackend {
    state: Mutex<SimState>,
    file: Option<StateFile>,
}

#[derive(Debug)]
struct StateFile {
    path: PathBuf,
    lock: PathBuf,
}

impl StateFile {
    fn new(path: PathBuf) -> Self {
        let mut lock = path.clone().into_os_string();
        lock.push(".lock");
        Self {
            path,
            lock: lock.into(),
        }
    }

    fn err(&self, source: fsutil::FileError) -> BackendError {
        BackendError::SimState {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn load(&self) -> Result<Option<SimState>, BackendError> {
        fsutil::read_json(&self.path).map_err(|e| self.err(e))
    }

    fn save(&self, state: &SimState) -> Result<(), BackendError> {
        fsutil::write_json_atomic(&self.path, state).map_err(|e| self.err(e))
    }

    fn lock(&self) -> Result<fsutil::FileLock, BackendError> {
        fsutil::FileLock::exclusive(&self.lock).map_err(|e| self.err(e))
    }
}

impl SimBackend {
    /// Simulated GPUs from a spec such as `h100-80gb:4,a100-40gb:2`, in memory only.
    pub fn from_spec(spec: &str, seed: u64) -> Result<Self, SpecError> {
        Ok(Self::from_state(
            SimState::new(&parse_spec(spec)?, seed),
            None,
        ))
    }

    /// Like [`SimBackend::from_spec`], kept in `path`: if the file exists its GPUs and
    /// instances are loaded (and must match the spec), and every change is saved to it.
    pub fn open(spec: &str, seed: u64, path: PathBuf) -> Result<Self, BackendError> {
        let models = parse_spec(spec).map_err(|e| BackendError::NotSupported {
            what: format!("simulated GPU spec: {e}"),
        })?;
        let file = StateFile::new(path);
        let _lock = file.lock()?;
        let state = match file.load()? {
            Some(saved) => {
                validate(&saved, &models).map_err(|what| BackendError::NotSupported {
                    what: format!(
                        "simulator state {} does not fit `{spec}`: {what}; delete it to start over",
                        file.path.display()
                    ),
                })?;
                saved
            }
            None => {
                let fresh = SimState::new(&models, seed);
                file.save(&fresh)?;
                fresh
            }
        };
        Ok(Self::from_state(state, Some(file)))
    }

    /// Opens the state file another process (the agent, `probe`) made, whatever its GPUs.
    pub fn open_existing(path: PathBuf) -> Result<Self, BackendError> {
        let file = StateFile::new(path);
        match file.load()? {
            Some(state) => Ok(Self::from_state(state, Some(file))),
            None => Err(BackendError::NotSupported {
                what: format!(
                    "no simulator state at {}; start the agent (or `probe`) with `--sim-gpus` \
                     and this `--sim-state` first",
                    file.path.display()
                ),
            }),
        }
    }

    fn from_state(state: SimState, file: Option<StateFile>) -> Self {
        Self {
            state: Mutex::new(state),
            file,
        }
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock cannot leave the plain-data state half-changed in a
        // way later calls would misread, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the state file's newer contents, if there is a file (and it was not deleted).
    fn refresh(&self, state: &mut SimState) -> Result<(), BackendError> {
        if let Some(saved) = self
            .file
            .as_ref()
            .map(StateFile::load)
            .transpose()?
            .flatten()
        {
            *state = saved;
        }
        Ok(())
    }

    /// Runs `f` on the current state. Reads take no file lock: the file is only ever
    /// replaced by a rename, so a reader sees one whole version.
    fn read<T>(&self, f: impl FnOnce(&SimState) -> T) -> Result<T, BackendError> {
        let mut state = self.lock();
        self.refresh(&mut state)?;
        Ok(f(&state))
    }

    /// Runs `f` on the current state under the file lock, and saves what it changed (an
    /// operation fails before changing anything, except for using up an injected failure).
    fn mutate<T>(
        &self,
        f: impl FnOnce(&mut SimState) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        let mut state = self.lock();
        let _file_lock = self.file.as_ref().map(StateFile::lock).transpose()?;
        self.refresh(&mut state)?;
        let before = state.clone();
        let out = f(&mut state);
        if let Some(file) = &self.file
            && *state != before
        {
            file.save(&state)?;
        }
        out
    }

    /// The next `times` calls at `point` fail.
    pub fn inject_failure(&self, point: FailurePoint, times: u32) -> Result<(), BackendError> {
        self.mutate(|s| {
            s.failures.add(point, times);
            Ok(())
        })
    }

    /// Starts a simulated CUDA process on a MIG device.
    pub fn start_process(&self, mig_uuid: &str, spec: ProcessSpec) -> Result<u32, BackendError> {
        self.mutate(|s| s.start_process(mig_uuid, spec))
    }

    /// Ends a simulated process as if it exited by itself.
    pub fn stop_process(&self, pid: u32) -> Result<(), BackendError> {
        self.mutate(|s| s.signal(pid, Signal::Kill))
    }

    /// Every simulated process, with the MIG device it runs on.
    pub fn workloads(&self) -> Result<Vec<Workload>, BackendError> {
        self.read(SimState::workloads)
    }

    /// Creates a GPU instance without its compute instance: the state a crash between the two
    /// NVML calls leaves behind, or an admin's half-made instance.
    pub fn create_bare_gpu_instance(
        &self,
        gpu_uuid: &str,
        profile_id: u32,
        placement: Placement,
    ) -> Result<u32, BackendError> {
        self.mutate(|s| {
            s.create(gpu_uuid, profile_id, placement, false)
                .map(|(id, _)| id)
        })
    }

    /// Applies a pending MIG mode change, as a GPU reset does (instances are lost).
    pub fn reset_gpu(&self, gpu_uuid: &str) -> Result<(), BackendError> {
        self.mutate(|s| s.reset(gpu_uuid))
    }

    /// Records an XID on a GPU, on one of its GPU instances (with its compute instance) or on
    /// the whole GPU; the next health reading reports it once.
    pub fn inject_xid(
        &self,
        gpu_uuid: &str,
        xid: u64,
        gpu_instance_id: Option<u32>,
    ) -> Result<XidEvent, BackendError> {
        self.mutate(|s| {
            let gpu = s.gpu_mut(gpu_uuid)?;
            let compute_instance_id = match gpu_instance_id {
                None => None,
                Some(id) => {
                    let inst = gpu
                        .instances
                        .iter()
                        .find(|i| i.gpu_instance_id == id)
                        .ok_or_else(|| BackendError::UnknownInstance {
                            gpu: gpu_uuid.into(),
                            gpu_instance_id: id,
                        })?;
                    inst.compute_instance.as_ref().map(|c| c.id)
                }
            };
            let event = XidEvent {
                xid,
                gpu_instance_id,
                compute_instance_id,
                seq: None,
            };
            gpu.health.pending_xids.push(event);
            Ok(event)
        })
    }

    /// Changes a GPU's simulated sensor readings.
    pub fn set_health(&self, gpu_uuid: &str, change: HealthChange) -> Result<(), BackendError> {
        self.mutate(|s| {
            s.gpu_mut(gpu_uuid)?.health.apply(change);
            Ok(())
        })
    }

    /// A copy of the whole simulated state.
    pub fn state(&self) -> Result<SimState, BackendError> {
        self.read(SimState::clone)
    }
}

/// Checks a loaded state file: same models as the spec, catalog profiles, geometry that fits.
fn validate(state: &SimState, models: &[slicebroker_types::ModelId]) -> Result<(), String> {
    let keys: Vec<&str> = state.gpus.iter().map(|g| g.model.as_str()).collect();
    let want: Vec<&str> = models.iter().map(|&m| GpuModel::get(m).key).collect();
    if keys != want {
        return Err(format!("it holds {keys:?}, the spec asks for {want:?}"));
    }
    for gpu in &state.gpus {
        let model = gpu.model_def();
        let mut occ = slicebroker_types::Occupancy::empty(model.id());
        for inst in &gpu.instances {
            let profile = model
                .profile_by_name(&inst.profile)
                .ok_or_else(|| format!("{} has no profile {}", model.key, inst.profile))?;
            occ.add(profile, inst.start)
                .map_err(|e| format!("GPU {}: {e}", gpu.uuid))?;
        }
    }
    Ok(())
}

impl GpuBackend for SimBackend {
    fn kind(&self) -> &'static str {
        "sim"
    }

    fn driver_version(&self) -> Option<String> {
        None
    }

    fn gpus(&self) -> Result<Vec<GpuInfo>, BackendError> {
        self.read(|s| s.gpus.iter().map(gpu_info).collect())
    }

    fn instances(&self, gpu: &GpuInfo) -> Result<Vec<GpuInstance>, BackendError> {
        self.read(|s| instances(s, &gpu.uuid))?
    }

    fn create_instance(
        &self,
        gpu_uuid: &str,
        profile_id: u32,
        placement: Placement,
    ) -> Result<CreatedInstance, BackendError> {
        self.mutate(|s| {
            if s.failures.take(FailurePoint::Create) {
                return Err(BackendError::Injected {
                    what: format!("create profile id {profile_id} at {placement} on {gpu_uuid}"),
                });
            }
            let (id, ci) = s.create(gpu_uuid, profile_id, placement, true)?;
            let ci = ci.expect("created with its compute instance");
            Ok(CreatedInstance {
                gpu_instance_id: id,
                compute_instance_id: ci.id,
                mig_uuid: ci.mig_uuid,
            })
        })
    }

    fn create_compute_instance(
        &self,
        gpu_uuid: &str,
        gpu_instance_id: u32,
    ) -> Result<CreatedInstance, BackendError> {
        self.mutate(|s| {
            let seed = s.seed;
            let ci = s.create_compute(gpu_uuid, gpu_instance_id, seed)?;
            Ok(CreatedInstance {
                gpu_instance_id,
                compute_instance_id: ci.id,
                mig_uuid: ci.mig_uuid,
            })
        })
    }

    fn destroy_instance(&self, gpu_uuid: &str, gpu_instance_id: u32) -> Result<(), BackendError> {
        self.mutate(|s| {
            if s.failures.take(FailurePoint::Destroy) {
                return Err(BackendError::InUse {
                    gpu: gpu_uuid.into(),
                    what: format!("GPU instance {gpu_instance_id} (injected)"),
                    pids: Vec::new(),
                });
            }
            s.destroy(gpu_uuid, gpu_instance_id)
        })
    }

    fn set_mig_mode(&self, gpu_uuid: &str, enabled: bool) -> Result<MigModeChange, BackendError> {
        self.mutate(|s| {
            let reset_required = s.set_mig_mode(gpu_uuid, enabled)?;
            Ok(MigModeChange {
                mode: s.gpu(gpu_uuid)?.mig_mode,
                reset_required,
            })
        })
    }

    fn signal_process(&self, pid: u32, signal: Signal) -> Result<(), BackendError> {
        self.mutate(|s| s.signal(pid, signal))
    }

    fn profile_details(&self, gpu: &GpuInfo) -> Result<Vec<ProfileDetail>, BackendError> {
        self.read(|s| profile_details(s, &gpu.uuid))?
    }

    fn health(&self, gpu: &GpuInfo) -> Result<GpuHealth, BackendError> {
        self.mutate(|s| Ok(s.gpu_mut(&gpu.uuid)?.health.take_report()))
    }

    /// Bus `0x18 + index` in domain 0, as the stand-in NVML numbers its GPUs.
    fn pci_address(&self, gpu: &GpuInfo) -> Option<PciAddress> {
        Some(PciAddress {
            domain: 0,
            bus: 0x18u8.checked_add(u8::try_from(gpu.index).ok()?)?,
            device: 0,
        })
    }
}

/// The catalog's table with the free counts of the GPU's occupancy, named as NVML names them.
fn profile_details(state: &SimState, gpu_uuid: &str) -> Result<Vec<ProfileDetail>, BackendError> {
    let sim = state.gpu(gpu_uuid)?;
    if !sim.mig_mode.current {
        return Ok(Vec::new());
    }
    let model = sim.model_def();
    let occupancy = sim.occupancy();
    Ok(model
        .profile_indices()
        .map(|idx| {
            let p = model.profile(idx);
            let e = p.engines;
            ProfileDetail {
                id: p.nvml_id,
                name: format!("MIG {}", p.name),
                compute_slices: u32::from(p.compute_slices),
                memory_mib: catalog_memory_mib(model, p),
                instances_free: u32::from(occupancy.remaining_capacity(idx)),
                instances_total: u32::from(p.max_count),
                p2p: false,
                multiprocessors: e.sm_count.map_or(0, u32::from),
                copy_engines: e.copy_engines.map_or(0, u32::from),
                decoders: e.decoders.map_or(0, u32::from),
                encoders: e.encoders.map_or(0, u32::from),
                jpeg: e.jpeg.map_or(0, u32::from),
                ofa: e.ofa.map_or(0, u32::from),
                placements: p.placements.to_vec(),
            }
        })
        .collect())
}

/// The GPU instances of one simulated GPU as NVML would list them.
fn instances(state: &SimState, gpu_uuid: &str) -> Result<Vec<GpuInstance>, BackendError> {
    let sim = state.gpu(gpu_uuid)?;
    if !sim.mig_mode.current {
        return Ok(Vec::new());
    }
    let model = sim.model_def();
    let measured = state::has_gpm(model);
    let mut out: Vec<GpuInstance> = sim
        .instances
        .iter()
        .map(|i| {
            let profile = model.profile(i.profile_idx(model));
            let used: u64 = i.processes.iter().map(|p| p.memory_mib).sum();
            let busy: f64 = i.processes.iter().map(|p| p.activity).sum();
            GpuInstance {
                id: i.gpu_instance_id,
                profile_id: profile.nvml_id,
                profile_index: Some(profile.nvml_index),
                placement: i.placement(model),
                compute_instances: i
                    .compute_instance
                    .iter()
                    .map(|c| ComputeInstance {
                        id: c.id,
                        profile_id: c.profile_id,
                        mig_uuid: c.mig_uuid.clone(),
                    })
                    .collect(),
                memory_used_mib: i.compute_instance.as_ref().map(|_| used),
                memory_total_mib: Some(catalog_memory_mib(model, profile)),
                processes: i
                    .processes
                    .iter()
                    .map(|p| GpuProcess {
                        pid: p.pid,
                        uid: Some(p.uid),
                        command: Some(p.command.clone()),
                        memory_mib: Some(p.memory_mib),
                    })
                    .collect(),
                activity: measured.then_some(busy.min(1.0)),
            }
        })
        .collect();
    out.sort_by_key(|i| i.placement.start);
    Ok(out)
}

fn gpu_info(gpu: &state::SimGpu) -> GpuInfo {
    let model = gpu.model_def();
    let memory_total_mib = model
        .full_profile()
        .map_or(0, |f| catalog_memory_mib(model, model.profile(f)));
    GpuInfo {
        index: gpu.index,
        uuid: gpu.uuid.clone(),
        name: format!("Simulated {}", model.reference_name),
        pci_device_id: model.pci_device_ids.first().copied().unwrap_or(0),
        model: Some(model.key.to_owned()),
        memory_total_mib,
        mig_mode: Some(gpu.mig_mode),
        profiles: if gpu.mig_mode.current {
            catalog_table(model)
        } else {
            Vec::new()
        },
    }
}

#[cfg(test)]
mod tests;
