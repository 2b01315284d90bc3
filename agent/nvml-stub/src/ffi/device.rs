//! Device-level entry points: discovery, names, UUIDs, PCI info, memory, running processes, MIG
//! mode and MIG device handles, the driver version and process names.

use super::types::*;
use super::{Ctx, Obj, call, get_str, handle, put, put_all, put_str};
use crate::driver;
use crate::ret::Ret;
use crate::state::{Gpu, GpuInstance};
use std::ffi::{c_char, c_int, c_uint};

const MIB: u64 = 1024 * 1024;

/// A device handle resolved against the state: a whole GPU or a MIG device.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Dev {
    Gpu(usize),
    Mig { gpu: usize, gi: usize, ci: usize },
}

impl Ctx<'_> {
    pub(crate) fn gpu_index(&self, uuid: &str) -> Result<usize, Ret> {
        self.state
            .gpus
            .iter()
            .position(|g| g.uuid == uuid)
            .ok_or(Ret::GpuIsLost)
    }

    pub(crate) fn device(&self, device: nvmlDevice_t) -> Result<Dev, Ret> {
        match self.handles.get(device.addr())?.clone() {
            Obj::Device { gpu } => Ok(Dev::Gpu(self.gpu_index(&gpu)?)),
            Obj::MigDevice {
                gpu,
                gi,
                ci,
                serial,
            } => {
                let g = self.gpu_index(&gpu)?;
                let gi_at = self.state.gpus[g]
                    .gpu_instances
                    .iter()
                    .position(|x| x.id == gi)
                    .ok_or(Ret::InvalidArgument)?;
                let ci_at = self.state.gpus[g].gpu_instances[gi_at]
                    .compute_instances
                    .iter()
                    .position(|x| x.id == ci && x.serial == serial)
                    .ok_or(Ret::InvalidArgument)?;
                Ok(Dev::Mig {
                    gpu: g,
                    gi: gi_at,
                    ci: ci_at,
                })
            }
            _ => Err(Ret::InvalidArgument),
        }
    }

    /// A physical GPU's handle; MIG device handles are refused where NVML wants the parent.
    pub(crate) fn parent(&self, device: nvmlDevice_t) -> Result<usize, Ret> {
        match self.device(device)? {
            Dev::Gpu(g) => Ok(g),
            Dev::Mig { .. } => Err(Ret::InvalidArgument),
        }
    }

    pub(crate) fn gpu_handle(&mut self, gpu: usize) -> nvmlDevice_t {
        let uuid = self.state.gpus[gpu].uuid.clone();
        handle(self.handles.of(Obj::Device { gpu: uuid }))
    }

    pub(crate) fn mig_handle(&mut self, gpu: usize, gi: &GpuInstance, ci: usize) -> nvmlDevice_t {
        let c = &gi.compute_instances[ci];
        handle(self.handles.of(Obj::MigDevice {
            gpu: self.state.gpus[gpu].uuid.clone(),
            gi: gi.id,
            ci: c.id,
            serial: c.serial,
        }))
    }

    fn gpu(&self, gpu: usize) -> &Gpu {
        &self.state.gpus[gpu]
    }
}

/// The driver version the state file names.
///
/// # Safety
///
/// `version` is valid for writes of `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlSystemGetDriverVersion(
    version: *mut c_char,
    length: c_uint,
) -> nvmlReturn_t {
    call("nvmlSystemGetDriverVersion", |ctx| {
        // SAFETY: the caller's buffer of `length` bytes.
        unsafe { put_str(version, length, &ctx.state.driver_version) }
    })
}

/// `13.<driver>`: NVML API v13.
///
/// # Safety
///
/// `version` is valid for writes of `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlSystemGetNVMLVersion(
    version: *mut c_char,
    length: c_uint,
) -> nvmlReturn_t {
    call("nvmlSystemGetNVMLVersion", |ctx| {
        let text = format!("13.{}", ctx.state.driver_version);
        // SAFETY: the caller's buffer of `length` bytes.
        unsafe { put_str(version, length, &text) }
    })
}

/// CUDA 13.0, what R580 drivers report.
///
/// # Safety
///
/// `cuda_driver_version` is valid for a write of one `int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlSystemGetCudaDriverVersion_v2(
    cuda_driver_version: *mut c_int,
) -> nvmlReturn_t {
    // SAFETY: the caller's out-parameter.
    call("nvmlSystemGetCudaDriverVersion_v2", |_| unsafe {
        put(cuda_driver_version, 13000)
    })
}

/// The command name of a process on a GPU, from `/proc/<pid>/comm`.
///
/// # Safety
///
/// `name` is valid for writes of `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlSystemGetProcessName(
    pid: c_uint,
    name: *mut c_char,
    length: c_uint,
) -> nvmlReturn_t {
    call("nvmlSystemGetProcessName", |_| {
        let comm =
            std::fs::read_to_string(format!("/proc/{pid}/comm")).map_err(|_| Ret::NotFound)?;
        let comm = comm.trim_end();
        // Truncated to the buffer, as NVML does with long names.
        let fit = &comm[..comm.len().min(length.saturating_sub(1) as usize)];
        // SAFETY: the caller's buffer of `length` bytes.
        unsafe { put_str(name, length, fit) }
    })
}

/// # Safety
///
/// `device_count` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetCount_v2(device_count: *mut c_uint) -> nvmlReturn_t {
    call("nvmlDeviceGetCount_v2", |ctx| {
        // SAFETY: the caller's out-parameter.
        unsafe { put(device_count, ctx.state.gpus.len() as c_uint) }
    })
}

/// # Safety
///
/// `device` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetHandleByIndex_v2(
    index: c_uint,
    device: *mut nvmlDevice_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetHandleByIndex_v2", |ctx| {
        let i = index as usize;
        if i >= ctx.state.gpus.len() {
            return Err(Ret::InvalidArgument);
        }
        let h = ctx.gpu_handle(i);
        // SAFETY: the caller's out-parameter.
        unsafe { put(device, h) }
    })
}

/// A GPU's handle by `GPU-…` UUID, or a MIG device's by `MIG-…` UUID.
///
/// # Safety
///
/// `uuid` is a NUL-terminated string; `device` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetHandleByUUID(
    uuid: *const c_char,
    device: *mut nvmlDevice_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetHandleByUUID", |ctx| {
        // SAFETY: the caller's string argument.
        let uuid = unsafe { get_str(uuid) }?;
        if let Some(i) = ctx.state.gpus.iter().position(|g| g.uuid == uuid) {
            let h = ctx.gpu_handle(i);
            // SAFETY: the caller's out-parameter.
            return unsafe { put(device, h) };
        }
        for g in 0..ctx.state.gpus.len() {
            for gi in ctx.state.gpus[g].gpu_instances.clone() {
                if let Some(ci) = gi.compute_instances.iter().position(|c| c.uuid == uuid) {
                    let h = ctx.mig_handle(g, &gi, ci);
                    // SAFETY: the caller's out-parameter.
                    return unsafe { put(device, h) };
                }
            }
        }
        Err(Ret::NotFound)
    })
}

/// # Safety
///
/// `index` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetIndex(
    device: nvmlDevice_t,
    index: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetIndex", |ctx| {
        let g = ctx.parent(device)?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(index, g as c_uint) }
    })
}

/// The product name; a MIG device's adds its profile (`NVIDIA H100 80GB HBM3 MIG 1g.10gb`).
///
/// # Safety
///
/// `name` is valid for writes of `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetName(
    device: nvmlDevice_t,
    name: *mut c_char,
    length: c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetName", |ctx| {
        let text = match ctx.device(device)? {
            Dev::Gpu(g) => driver::board(ctx.gpu(g)).name.to_owned(),
            Dev::Mig { gpu, gi, .. } => {
                let b = driver::board(ctx.gpu(gpu));
                let gi = &ctx.gpu(gpu).gpu_instances[gi];
                let profile = b
                    .profile_by_id(gi.profile_id)
                    .map_or("", |p| p.name.as_str());
                format!("{} MIG {profile}", b.name)
            }
        };
        // SAFETY: the caller's buffer of `length` bytes.
        unsafe { put_str(name, length, &text) }
    })
}

/// # Safety
///
/// `uuid` is valid for writes of `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetUUID(
    device: nvmlDevice_t,
    uuid: *mut c_char,
    length: c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetUUID", |ctx| {
        let text = match ctx.device(device)? {
            Dev::Gpu(g) => ctx.gpu(g).uuid.clone(),
            Dev::Mig { gpu, gi, ci } => ctx.gpu(gpu).gpu_instances[gi].compute_instances[ci]
                .uuid
                .clone(),
        };
        // SAFETY: the caller's buffer of `length` bytes.
        unsafe { put_str(uuid, length, &text) }
    })
}

/// Bus `0x18 + index` in domain 0 ([`crate::kmsg::pci_bus`]).
///
/// # Safety
///
/// `pci` is valid for a write of one `nvmlPciInfo_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetPciInfo_v3(
    device: nvmlDevice_t,
    pci: *mut nvmlPciInfo_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetPciInfo_v3", |ctx| {
        let g = ctx.parent(device)?;
        let bus = crate::kmsg::pci_bus(g);
        let info = nvmlPciInfo_t {
            busIdLegacy: super::c_array(&format!("0000:{bus:02X}:00.0")),
            domain: 0,
            bus,
            device: 0,
            pciDeviceId: driver::board(ctx.gpu(g)).pci_device_id,
            pciSubSystemId: 0x1600_10DE,
            busId: super::c_array(&format!("00000000:{bus:02X}:00.0")),
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(pci, info) }
    })
}

/// `nvmlMemory_v2_t`, its `version` checked: the GPU's memory, or a MIG device's (its GPU
/// instance's) with the memory its processes use.
///
/// # Safety
///
/// `memory` is valid for reads and writes of one `nvmlMemory_v2_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetMemoryInfo_v2(
    device: nvmlDevice_t,
    memory: *mut nvmlMemory_v2_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetMemoryInfo_v2", |ctx| {
        // SAFETY: the struct starts with its `version`, which the caller sets.
        if unsafe { super::get(memory.cast::<c_uint>()) }? != NVML_MEMORY_V2 {
            return Err(Ret::ArgumentVersionMismatch);
        }
        let (total, used) = match ctx.device(device)? {
            Dev::Gpu(g) => driver::memory_gpu(ctx.state, ctx.gpu(g)),
            Dev::Mig { gpu, gi, .. } => {
                let g = ctx.gpu(gpu);
                driver::memory_gpu_instance(ctx.state, g, &g.gpu_instances[gi])
            }
        };
        let info = nvmlMemory_v2_t {
            version: NVML_MEMORY_V2,
            total: total * MIB,
            reserved: 0,
            free: total.saturating_sub(used) * MIB,
            used: used * MIB,
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(memory, info) }
    })
}

/// Compute processes: the GPU's (all of them, with their GPU- and compute-instance ids) or one
/// MIG device's. `*infoCount` in is the array's capacity; too small (or a null array) is
/// `NVML_ERROR_INSUFFICIENT_SIZE` with the count needed, none at all is success with 0.
///
/// # Safety
///
/// `info_count` is valid for a read and a write; `infos` is null or valid for writes of
/// `*info_count` entries.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetComputeRunningProcesses_v3(
    device: nvmlDevice_t,
    info_count: *mut c_uint,
    infos: *mut nvmlProcessInfo_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetComputeRunningProcesses_v3", |ctx| {
        let list: Vec<nvmlProcessInfo_t> = match ctx.device(device)? {
            Dev::Gpu(g) => driver::processes_on_gpu(ctx.state, ctx.gpu(g))
                .into_iter()
                .map(|(p, gi, ci)| process_info(p, gi, ci))
                .collect(),
            Dev::Mig { gpu, gi, ci } => {
                let gi = &ctx.gpu(gpu).gpu_instances[gi];
                let c = &gi.compute_instances[ci];
                driver::processes_on(ctx.state, &c.uuid)
                    .into_iter()
                    .map(|p| process_info(p, gi.id, c.id))
                    .collect()
            }
        };
        // SAFETY: the caller's in/out count.
        let capacity = unsafe { super::get(info_count) }?;
        // SAFETY: the caller's in/out count.
        unsafe { put(info_count, list.len() as c_uint) }?;
        if list.is_empty() {
            return Ok(());
        }
        if infos.is_null() || (capacity as usize) < list.len() {
            return Err(Ret::InsufficientSize);
        }
        // SAFETY: `infos` holds `capacity >= list.len()` entries.
        unsafe { put_all(infos, &list) }
    })
}

fn process_info(p: &crate::state::Process, gi: u32, ci: u32) -> nvmlProcessInfo_t {
    nvmlProcessInfo_t {
        pid: p.pid,
        usedGpuMemory: p.used_memory_mib * MIB,
        gpuInstanceId: gi,
        computeInstanceId: ci,
    }
}

/// # Safety
///
/// `current` and `pending` are valid for a write of one `unsigned int` each.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetMigMode(
    device: nvmlDevice_t,
    current: *mut c_uint,
    pending: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetMigMode", |ctx| {
        let mig = ctx.gpu(ctx.parent(device)?).mig;
        let mode = |on: bool| {
            if on {
                NVML_DEVICE_MIG_ENABLE
            } else {
                NVML_DEVICE_MIG_DISABLE
            }
        };
        // SAFETY: the caller's out-parameters.
        unsafe {
            put(current, mode(mig.current))?;
            put(pending, mode(mig.pending))
        }
    })
}

/// Succeeds with the activation status in `*activation_status`: check both, as nvml.h says.
///
/// # Safety
///
/// `activation_status` is valid for a write of one `nvmlReturn_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceSetMigMode(
    device: nvmlDevice_t,
    mode: c_uint,
    activation_status: *mut nvmlReturn_t,
) -> nvmlReturn_t {
    call("nvmlDeviceSetMigMode", |ctx| {
        let g = ctx.parent(device)?;
        let enable = match mode {
            NVML_DEVICE_MIG_ENABLE => true,
            NVML_DEVICE_MIG_DISABLE => false,
            _ => return Err(Ret::InvalidArgument),
        };
        if activation_status.is_null() {
            return Err(Ret::InvalidArgument);
        }
        let status = driver::set_mig_mode(ctx.state, g, enable)?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(activation_status, status) }
    })
}

/// # Safety
///
/// `is_mig_device` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceIsMigDeviceHandle(
    device: nvmlDevice_t,
    is_mig_device: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceIsMigDeviceHandle", |ctx| {
        let mig = matches!(ctx.device(device)?, Dev::Mig { .. });
        // SAFETY: the caller's out-parameter.
        unsafe { put(is_mig_device, c_uint::from(mig)) }
    })
}

/// # Safety
///
/// `device` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetDeviceHandleFromMigDeviceHandle(
    mig_device: nvmlDevice_t,
    device: *mut nvmlDevice_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetDeviceHandleFromMigDeviceHandle", |ctx| {
        let Dev::Mig { gpu, .. } = ctx.device(mig_device)? else {
            return Err(Ret::InvalidArgument);
        };
        let h = ctx.gpu_handle(gpu);
        // SAFETY: the caller's out-parameter.
        unsafe { put(device, h) }
    })
}

/// The most MIG devices the GPU can hold: its compute slices with MIG on, 0 with MIG off.
///
/// # Safety
///
/// `count` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetMaxMigDeviceCount(
    device: nvmlDevice_t,
    count: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetMaxMigDeviceCount", |ctx| {
        let g = ctx.gpu(ctx.parent(device)?);
        let n = if g.mig.current {
            driver::board(g).compute_slices
        } else {
            0
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(count, n) }
    })
}

/// The `index`-th MIG device (compute instance) in GPU-instance order; `NVML_ERROR_NOT_FOUND`
/// past the last.
///
/// # Safety
///
/// `mig_device` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetMigDeviceHandleByIndex(
    device: nvmlDevice_t,
    index: c_uint,
    mig_device: *mut nvmlDevice_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetMigDeviceHandleByIndex", |ctx| {
        let g = ctx.parent(device)?;
        if !ctx.gpu(g).mig.current {
            return Err(Ret::NotSupported);
        }
        let mut gis = ctx.gpu(g).gpu_instances.clone();
        gis.sort_by_key(|gi| gi.id);
        let found = gis
            .iter()
            .flat_map(|gi| (0..gi.compute_instances.len()).map(move |ci| (gi, ci)))
            .nth(index as usize);
        let (gi, ci) = found.ok_or(Ret::NotFound)?;
        let h = ctx.mig_handle(g, gi, ci);
        // SAFETY: the caller's out-parameter.
        unsafe { put(mig_device, h) }
    })
}

/// # Safety
///
/// `id` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceId(
    device: nvmlDevice_t,
    id: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstanceId", |ctx| {
        let Dev::Mig { gpu, gi, .. } = ctx.device(device)? else {
            return Err(Ret::NotSupported);
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(id, ctx.gpu(gpu).gpu_instances[gi].id) }
    })
}

/// # Safety
///
/// `id` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetComputeInstanceId(
    device: nvmlDevice_t,
    id: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetComputeInstanceId", |ctx| {
        let Dev::Mig { gpu, gi, ci } = ctx.device(device)? else {
            return Err(Ret::NotSupported);
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(id, ctx.gpu(gpu).gpu_instances[gi].compute_instances[ci].id) }
    })
}
