//! What the driver does, by NVML's documentation (nvml.h API v13 and the MIG user guide): GPU
//! instances only at a profile's possible placements, refused with
//! `NVML_ERROR_INSUFFICIENT_RESOURCES` when memory slices overlap, the profile's count is used
//! up, or compute slices or engines run out; destroy refused with `NVML_ERROR_IN_USE` while
//! compute instances or processes are attached; MIG mode changes pending until a reset on
//! Ampere. Pure functions over [`State`]; the C ABI is in `ffi`.
//!
//! Where the documentation is silent the stub picks and says so: GPU-instance ids are the
//! lowest free number from 1; compute-instance placements follow the go-nvml mock (starts at
//! multiples of the size rounded up to a power of two), which no real transcript confirms.

use crate::boards::{Board, Engines, Profile};
use crate::ret::Ret;
use crate::state::{ComputeInstance, Gpu, GpuInstance, Process, State, uuid};

/// `NVML_GPU_INSTANCE_PROFILE_COUNT` in nvml.h API v13 (`_3_SLICE_GFX` = 0x11 is the last).
pub const GPU_INSTANCE_PROFILE_COUNT: u32 = 0x12;
/// `NVML_COMPUTE_INSTANCE_PROFILE_COUNT` in API v13 (`_7_SLICE_NVL` = 8 is the last).
pub const COMPUTE_INSTANCE_PROFILE_COUNT: u32 = 9;
pub const COMPUTE_INSTANCE_PROFILE_1_SLICE_REV1: u32 = 7;
pub const COMPUTE_INSTANCE_PROFILE_7_SLICE_NVL: u32 = 8;
pub const COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED: u32 = 0;
/// `gpuInstanceId`/`computeInstanceId` of a process when MIG is off.
pub const NO_INSTANCE: u32 = 0xFFFF_FFFF;

pub fn board(gpu: &Gpu) -> &'static Board {
    Board::get(&gpu.board).expect("boards are checked when the state is loaded")
}

fn require_mig(gpu: &Gpu) -> Result<(), Ret> {
    if gpu.mig.current {
        Ok(())
    } else {
        Err(Ret::NotSupported)
    }
}

/// `nvmlDeviceGetGpuInstanceProfileInfo`: by `NVML_GPU_INSTANCE_PROFILE_*` index, MIG on only.
pub fn gi_profile(gpu: &Gpu, index: u32) -> Result<&'static Profile, Ret> {
    if index >= GPU_INSTANCE_PROFILE_COUNT {
        return Err(Ret::InvalidArgument);
    }
    require_mig(gpu)?;
    board(gpu).profile_by_index(index).ok_or(Ret::NotSupported)
}

/// A profile by its device-specific id, as placement and create calls take it.
pub fn gi_profile_by_id(gpu: &Gpu, id: u32) -> Result<&'static Profile, Ret> {
    board(gpu).profile_by_id(id).ok_or(Ret::InvalidArgument)
}

/// `nvmlDeviceGetGpuInstancePossiblePlacements_v2`: `(start, size)` in memory slices, whether or
/// not MIG is on (API v13: "regardless of whether MIG is enabled or not").
pub fn possible_placements(gpu: &Gpu, profile_id: u32) -> Result<Vec<(u32, u32)>, Ret> {
    let p = gi_profile_by_id(gpu, profile_id)?;
    Ok(p.starts.iter().map(|&s| (s, p.memory_slices)).collect())
}

fn engines_of(gpu: &Gpu) -> impl Iterator<Item = (&'static Profile, &GpuInstance)> {
    let b = board(gpu);
    gpu.gpu_instances
        .iter()
        .filter_map(move |gi| b.profile_by_id(gi.profile_id).map(|p| (p, gi)))
}

/// Whether one more instance of `p` fits at `start` beside the GPU's instances.
fn fits(gpu: &Gpu, p: &Profile, start: u32) -> Result<(), Ret> {
    let b = board(gpu);
    let end = start + p.memory_slices;
    let overlaps = gpu
        .gpu_instances
        .iter()
        .any(|gi| start < gi.start + gi.size && gi.start < end);
    let same = gpu
        .gpu_instances
        .iter()
        .filter(|gi| gi.profile_id == p.id)
        .count() as u32;
    let mut used = Engines::default();
    let mut compute = 0;
    for (q, _) in engines_of(gpu) {
        compute += q.compute_slices;
        used = add(used, q.engines);
    }
    let used = add(used, p.engines);
    let budget = b.engines();
    let engines_fit = used.copy <= budget.copy
        && used.decoders <= budget.decoders
        && used.encoders <= budget.encoders
        && used.jpeg <= budget.jpeg
        && used.ofa <= budget.ofa;
    if overlaps
        || same >= p.max_count
        || compute + p.compute_slices > b.compute_slices
        || !engines_fit
    {
        return Err(Ret::InsufficientResources);
    }
    Ok(())
}

fn add(a: Engines, b: Engines) -> Engines {
    Engines {
        sm: a.sm + b.sm,
        copy: a.copy + b.copy,
        decoders: a.decoders + b.decoders,
        encoders: a.encoders + b.encoders,
        jpeg: a.jpeg + b.jpeg,
        ofa: a.ofa + b.ofa,
    }
}

/// `nvmlDeviceGetGpuInstanceRemainingCapacity`: how many more instances of the profile could be
/// created now, one after another.
pub fn remaining_capacity(gpu: &Gpu, profile_id: u32) -> Result<u32, Ret> {
    require_mig(gpu)?;
    let p = gi_profile_by_id(gpu, profile_id)?;
    let mut trial = gpu.clone();
    let mut n = 0;
    while let Some(&start) = p.starts.iter().find(|&&s| fits(&trial, p, s).is_ok()) {
        trial.gpu_instances.push(GpuInstance {
            id: u32::MAX - n,
            profile_id: p.id,
            start,
            size: p.memory_slices,
            serial: 0,
            compute_instances: Vec::new(),
        });
        n += 1;
    }
    Ok(n)
}

/// `nvmlDeviceCreateGpuInstanceWithPlacement`. Returns the new instance's id and serial.
pub fn create_gpu_instance(
    state: &mut State,
    gpu: usize,
    profile_id: u32,
    start: u32,
    size: u32,
) -> Result<(u32, u64), Ret> {
    let g = &state.gpus[gpu];
    require_mig(g)?;
    let p = gi_profile_by_id(g, profile_id)?;
    if size != p.memory_slices || !p.starts.contains(&start) {
        return Err(Ret::InvalidArgument);
    }
    fits(g, p, start)?;
    let id = (1..)
        .find(|id| g.gpu_instances.iter().all(|gi| gi.id != *id))
        .expect("ids never run out");
    let serial = state.next_serial();
    state.gpus[gpu].gpu_instances.push(GpuInstance {
        id,
        profile_id,
        start,
        size,
        serial,
        compute_instances: Vec::new(),
    });
    Ok((id, serial))
}

/// The GPU instance a handle names, if it still exists: a handle to a destroyed instance is
/// invalid even when a later instance took its id.
pub fn gpu_instance(gpu: &Gpu, id: u32, serial: u64) -> Result<&GpuInstance, Ret> {
    gpu.gpu_instances
        .iter()
        .find(|gi| gi.id == id && gi.serial == serial)
        .ok_or(Ret::InvalidArgument)
}

/// `nvmlGpuInstanceDestroy`: `NVML_ERROR_IN_USE` while compute instances or processes remain.
pub fn destroy_gpu_instance(
    state: &mut State,
    gpu: usize,
    id: u32,
    serial: u64,
) -> Result<(), Ret> {
    // Processes run on compute instances, so an instance without any has none either.
    if !gpu_instance(&state.gpus[gpu], id, serial)?
        .compute_instances
        .is_empty()
    {
        return Err(Ret::InUse);
    }
    state.gpus[gpu].gpu_instances.retain(|gi| gi.id != id);
    Ok(())
}

/// One compute-instance profile of a GPU instance (`nvmlComputeInstanceProfileInfo_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CiProfile {
    pub id: u32,
    pub slices: u32,
    pub instance_count: u32,
    pub sm: u32,
    /// Shared with the whole GPU instance.
    pub engines: Engines,
}

fn ci_slices(index: u32) -> u32 {
    [1, 2, 3, 4, 7, 8, 6, 1, 7][index as usize]
}

/// `nvmlGpuInstanceGetComputeInstanceProfileInfo`. A GPU instance of `n` compute slices offers
/// the compute instance spanning it, and smaller ones as `nvidia-smi mig -lcip` lists them on
/// A100 (1 and 2 slices everywhere; 3 and 4 in a 7-slice instance). Hopper's two-memory-slice
/// 1g profile has more SMs than the plain 1g; the compute-instance profile `_1_SLICE_REV1` gives
/// a compute instance those SMs (go-nvml issue 146). `_7_SLICE_NVL` is offered beside
/// `_7_SLICE` in 7-slice instances, as seen on A100 (DRA driver issue 1480).
pub fn ci_profile(gpu: &Gpu, gi: &GpuInstance, index: u32, engine: u32) -> Result<CiProfile, Ret> {
    if index >= COMPUTE_INSTANCE_PROFILE_COUNT || engine != COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED {
        return Err(Ret::InvalidArgument);
    }
    let b = board(gpu);
    let gp = gi_profile_by_id(gpu, gi.profile_id)?;
    let n = gp.compute_slices;
    let s = ci_slices(index);
    let (sm, count) = match index {
        COMPUTE_INSTANCE_PROFILE_1_SLICE_REV1 => {
            let rev2 = b
                .profile_by_index(9)
                .filter(|r| r.engines.sm > b.slice_sm());
            match rev2 {
                Some(r) if gp.engines.sm >= r.engines.sm => (r.engines.sm, 1),
                _ => return Err(Ret::NotSupported),
            }
        }
        COMPUTE_INSTANCE_PROFILE_7_SLICE_NVL if n == 7 => (gp.engines.sm, 1),
        _ if s == n => (gp.engines.sm, 1),
        _ if s < n && (s <= 2 || (n == 7 && s <= 4)) => (s * b.slice_sm(), n / s),
        _ => return Err(Ret::NotSupported),
    };
    Ok(CiProfile {
        id: index,
        slices: s,
        instance_count: count,
        sm,
        engines: gp.engines,
    })
}

/// `nvmlGpuInstanceCreateComputeInstance`: at the first free placement of its size.
pub fn create_compute_instance(
    state: &mut State,
    gpu: usize,
    gi_id: u32,
    gi_serial: u64,
    profile_id: u32,
) -> Result<(u32, u64), Ret> {
    let g = &state.gpus[gpu];
    let gi = gpu_instance(g, gi_id, gi_serial)?;
    let p = ci_profile(g, gi, profile_id, COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED)?;
    let n = gi_profile_by_id(g, gi.profile_id)?.compute_slices;
    let same = gi
        .compute_instances
        .iter()
        .filter(|c| c.profile_id == profile_id)
        .count() as u32;
    let align = p.slices.next_power_of_two();
    let free = |start: u32| {
        gi.compute_instances
            .iter()
            .all(|c| start + p.slices <= c.start || c.start + c.size <= start)
    };
    let start = (0..n)
        .step_by(align as usize)
        .find(|&s| s + p.slices <= n && free(s))
        .filter(|_| same < p.instance_count)
        .ok_or(Ret::InsufficientResources)?;
    let id = (0..)
        .find(|id| gi.compute_instances.iter().all(|c| c.id != *id))
        .expect("ids never run out");
    let serial = state.next_serial();
    let mig_uuid = uuid("MIG", fnv(&state.gpus[gpu].uuid), serial);
    let gi = state.gpus[gpu]
        .gpu_instances
        .iter_mut()
        .find(|gi| gi.id == gi_id)
        .expect("looked up above");
    gi.compute_instances.push(ComputeInstance {
        id,
        profile_id,
        start,
        size: p.slices,
        serial,
        uuid: mig_uuid,
    });
    Ok((id, serial))
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// `nvmlComputeInstanceDestroy`: `NVML_ERROR_IN_USE` while processes run on it.
pub fn destroy_compute_instance(
    state: &mut State,
    gpu: usize,
    gi_id: u32,
    ci_id: u32,
    serial: u64,
) -> Result<(), Ret> {
    let uuid = compute_instance(&state.gpus[gpu], gi_id, ci_id, serial)?
        .uuid
        .clone();
    if !processes_on(state, &uuid).is_empty() {
        return Err(Ret::InUse);
    }
    let gi = state.gpus[gpu]
        .gpu_instances
        .iter_mut()
        .find(|gi| gi.id == gi_id)
        .expect("looked up above");
    gi.compute_instances.retain(|c| c.id != ci_id);
    Ok(())
}

pub fn compute_instance(
    gpu: &Gpu,
    gi_id: u32,
    ci_id: u32,
    serial: u64,
) -> Result<&ComputeInstance, Ret> {
    gpu.gpu_instances
        .iter()
        .find(|gi| gi.id == gi_id)
        .and_then(|gi| {
            gi.compute_instances
                .iter()
                .find(|c| c.id == ci_id && c.serial == serial)
        })
        .ok_or(Ret::InvalidArgument)
}

/// Live processes on a device (`GPU-…` or `MIG-…`): a process that exited is no longer listed.
pub fn processes_on<'a>(state: &'a State, device: &str) -> Vec<&'a Process> {
    state
        .processes
        .iter()
        .filter(|p| p.device == device && alive(p.pid))
        .collect()
}

/// Live processes anywhere on a GPU, with the GPU- and compute-instance ids NVML reports.
pub fn processes_on_gpu<'a>(state: &'a State, gpu: &'a Gpu) -> Vec<(&'a Process, u32, u32)> {
    let mut out: Vec<_> = processes_on(state, &gpu.uuid)
        .into_iter()
        .map(|p| (p, NO_INSTANCE, NO_INSTANCE))
        .collect();
    for gi in &gpu.gpu_instances {
        for ci in &gi.compute_instances {
            out.extend(
                processes_on(state, &ci.uuid)
                    .into_iter()
                    .map(|p| (p, gi.id, ci.id)),
            );
        }
    }
    out
}

/// Whether a host process is running (a zombie has exited).
pub fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

/// `nvmlDeviceSetMigMode`: returns the activation status. A change waits for a reset on Ampere
/// (`NVML_ERROR_RESET_REQUIRED`, as where the driver cannot reset the GPU itself: passthrough
/// VMs, a GPU held by another client) and applies at once from Hopper on; processes on the
/// GPU, or instances when turning MIG off, keep it pending with `NVML_ERROR_IN_USE`.
pub fn set_mig_mode(state: &mut State, gpu: usize, enable: bool) -> Result<u32, Ret> {
    let busy = {
        let g = &state.gpus[gpu];
        !processes_on_gpu(state, g).is_empty() || (!enable && !g.gpu_instances.is_empty())
    };
    let g = &mut state.gpus[gpu];
    g.mig.pending = enable;
    if g.mig.current == enable {
        return Ok(crate::ret::NVML_SUCCESS);
    }
    if busy {
        return Ok(Ret::InUse.code());
    }
    if board(g).arch.mig_change_needs_reset() {
        return Ok(Ret::ResetRequired.code());
    }
    g.mig.current = enable;
    g.gpu_instances.clear();
    Ok(crate::ret::NVML_SUCCESS)
}

/// Memory of a whole GPU or a MIG device, in MiB: `(total, used)`.
pub fn memory_gpu(state: &State, gpu: &Gpu) -> (u64, u64) {
    let used = processes_on_gpu(state, gpu)
        .iter()
        .map(|(p, ..)| p.used_memory_mib)
        .sum();
    (board(gpu).memory_total_mib, used)
}

/// A MIG device's memory is its GPU instance's, shared by the instance's compute instances.
pub fn memory_gpu_instance(state: &State, gpu: &Gpu, gi: &GpuInstance) -> (u64, u64) {
    let total = board(gpu)
        .profile_by_id(gi.profile_id)
        .map_or(0, |p| p.memory_mib);
    let used = gi
        .compute_instances
        .iter()
        .flat_map(|ci| processes_on(state, &ci.uuid))
        .map(|p| p.used_memory_mib)
        .sum();
    (total, used)
}

/// What a GPM sample of a GPU instance sees: the share of its SMs kept busy, 0 to 1.
pub fn activity(state: &State, gi: &GpuInstance) -> f64 {
    let busy: f64 = gi
        .compute_instances
        .iter()
        .flat_map(|ci| processes_on(state, &ci.uuid))
        .map(|p| p.activity)
        .sum();
    busy.clamp(0.0, 1.0)
}

/// The same for a whole GPU: its instances weighted by compute slices.
pub fn activity_gpu(state: &State, gpu: &Gpu) -> f64 {
    let b = board(gpu);
    let busy: f64 = engines_of(gpu)
        .map(|(p, gi)| activity(state, gi) * f64::from(p.compute_slices))
        .sum::<f64>()
        + processes_on(state, &gpu.uuid)
            .iter()
            .map(|p| p.activity)
            .sum::<f64>()
            * f64::from(b.compute_slices);
    (busy / f64::from(b.compute_slices)).clamp(0.0, 1.0)
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
