//! GPU- and compute-instance entry points: profile info (the plain and the versioned struct),
//! possible placements, remaining capacity, create with placement, enumerate, look up by id,
//! info, destroy.

use super::types::*;
use super::{Ctx, Obj, c_array, call, get, handle, put, put_all};
use crate::driver;
use crate::ret::Ret;
use crate::state::GpuInstance;
use std::ffi::c_uint;

impl Ctx<'_> {
    /// A live GPU instance's `(GPU index, id, serial)`.
    fn gpu_instance(&self, gi: nvmlGpuInstance_t) -> Result<(usize, u32, u64), Ret> {
        let Obj::GpuInstance { gpu, id, serial } = self.handles.get(gi.addr())?.clone() else {
            return Err(Ret::InvalidArgument);
        };
        let g = self.gpu_index(&gpu)?;
        driver::gpu_instance(&self.state.gpus[g], id, serial)?;
        Ok((g, id, serial))
    }

    fn gi(&self, gpu: usize, id: u32) -> &GpuInstance {
        self.state.gpus[gpu]
            .gpu_instances
            .iter()
            .find(|gi| gi.id == id)
            .expect("resolved from a live handle")
    }

    fn gi_handle(&mut self, gpu: usize, id: u32, serial: u64) -> nvmlGpuInstance_t {
        handle(self.handles.of(Obj::GpuInstance {
            gpu: self.state.gpus[gpu].uuid.clone(),
            id,
            serial,
        }))
    }

    /// A live compute instance's `(GPU index, GPU-instance id, id, serial)`.
    fn compute_instance(&self, ci: nvmlComputeInstance_t) -> Result<(usize, u32, u32, u64), Ret> {
        let Obj::ComputeInstance {
            gpu,
            gi,
            id,
            serial,
        } = self.handles.get(ci.addr())?.clone()
        else {
            return Err(Ret::InvalidArgument);
        };
        let g = self.gpu_index(&gpu)?;
        driver::compute_instance(&self.state.gpus[g], gi, id, serial)?;
        Ok((g, gi, id, serial))
    }

    fn ci_handle(&mut self, gpu: usize, gi: u32, id: u32, serial: u64) -> nvmlComputeInstance_t {
        handle(self.handles.of(Obj::ComputeInstance {
            gpu: self.state.gpus[gpu].uuid.clone(),
            gi,
            id,
            serial,
        }))
    }
}

/// The plain (unversioned) profile info, by `NVML_GPU_INSTANCE_PROFILE_*` index.
///
/// # Safety
///
/// `info` is valid for a write of one `nvmlGpuInstanceProfileInfo_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceProfileInfo(
    device: nvmlDevice_t,
    profile: c_uint,
    info: *mut nvmlGpuInstanceProfileInfo_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstanceProfileInfo", |ctx| {
        let p = driver::gi_profile(&ctx.state.gpus[ctx.parent(device)?], profile)?;
        let out = nvmlGpuInstanceProfileInfo_t {
            id: p.id,
            isP2pSupported: 0,
            sliceCount: p.compute_slices,
            instanceCount: p.max_count,
            multiprocessorCount: p.engines.sm,
            copyEngineCount: p.engines.copy,
            decoderCount: p.engines.decoders,
            encoderCount: p.engines.encoders,
            jpegCount: p.engines.jpeg,
            ofaCount: p.engines.ofa,
            memorySizeMB: p.memory_mib,
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(info, out) }
    })
}

/// The versioned profile info: `info->version` must be `nvmlGpuInstanceProfileInfo_v2` or
/// `_v3` (`NVML_ERROR_ARGUMENT_VERSION_MISMATCH` otherwise); both carry the profile's name,
/// which NVML spells `MIG 1g.10gb`.
///
/// # Safety
///
/// `info` is valid for reads and writes of the struct its `version` names.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceProfileInfoV(
    device: nvmlDevice_t,
    profile: c_uint,
    info: *mut nvmlGpuInstanceProfileInfo_v2_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstanceProfileInfoV", |ctx| {
        // SAFETY: both versions start with `version`, which the caller sets.
        let version = unsafe { get(info.cast::<c_uint>()) }?;
        if version != NVML_GPU_INSTANCE_PROFILE_INFO_V2
            && version != NVML_GPU_INSTANCE_PROFILE_INFO_V3
        {
            return Err(Ret::ArgumentVersionMismatch);
        }
        let p = driver::gi_profile(&ctx.state.gpus[ctx.parent(device)?], profile)?;
        let name = c_array(&format!("MIG {}", p.name));
        if version == NVML_GPU_INSTANCE_PROFILE_INFO_V2 {
            let out = nvmlGpuInstanceProfileInfo_v2_t {
                version,
                id: p.id,
                isP2pSupported: 0,
                sliceCount: p.compute_slices,
                instanceCount: p.max_count,
                multiprocessorCount: p.engines.sm,
                copyEngineCount: p.engines.copy,
                decoderCount: p.engines.decoders,
                encoderCount: p.engines.encoders,
                jpegCount: p.engines.jpeg,
                ofaCount: p.engines.ofa,
                memorySizeMB: p.memory_mib,
                name,
            };
            // SAFETY: the caller's struct, of the version it declared.
            return unsafe { put(info, out) };
        }
        let out = nvmlGpuInstanceProfileInfo_v3_t {
            version,
            id: p.id,
            sliceCount: p.compute_slices,
            instanceCount: p.max_count,
            multiprocessorCount: p.engines.sm,
            copyEngineCount: p.engines.copy,
            decoderCount: p.engines.decoders,
            encoderCount: p.engines.encoders,
            jpegCount: p.engines.jpeg,
            ofaCount: p.engines.ofa,
            memorySizeMB: p.memory_mib,
            name,
            capabilities: 0,
        };
        // SAFETY: the caller's struct, of the version it declared.
        unsafe { put(info.cast::<nvmlGpuInstanceProfileInfo_v3_t>(), out) }
    })
}

/// Placements in memory slices. A null array asks for the count; otherwise the array must hold
/// every placement of the profile.
///
/// # Safety
///
/// `count` is valid for a write; `placements` is null or holds the profile's placements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstancePossiblePlacements_v2(
    device: nvmlDevice_t,
    profile_id: c_uint,
    placements: *mut nvmlGpuInstancePlacement_t,
    count: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstancePossiblePlacements_v2", |ctx| {
        let list = driver::possible_placements(&ctx.state.gpus[ctx.parent(device)?], profile_id)?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(count, list.len() as c_uint) }?;
        if placements.is_null() {
            return Ok(());
        }
        let list: Vec<_> = list
            .into_iter()
            .map(|(start, size)| nvmlGpuInstancePlacement_t { start, size })
            .collect();
        // SAFETY: nvml.h requires the array to hold the profile's placements.
        unsafe { put_all(placements, &list) }
    })
}

/// # Safety
///
/// `count` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceRemainingCapacity(
    device: nvmlDevice_t,
    profile_id: c_uint,
    count: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstanceRemainingCapacity", |ctx| {
        let n = driver::remaining_capacity(&ctx.state.gpus[ctx.parent(device)?], profile_id)?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(count, n) }
    })
}

/// Creates a GPU instance at `placement` (memory slices).
///
/// # Safety
///
/// `placement` is valid for a read; `gpu_instance` for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceCreateGpuInstanceWithPlacement(
    device: nvmlDevice_t,
    profile_id: c_uint,
    placement: *const nvmlGpuInstancePlacement_t,
    gpu_instance: *mut nvmlGpuInstance_t,
) -> nvmlReturn_t {
    call("nvmlDeviceCreateGpuInstanceWithPlacement", |ctx| {
        let g = ctx.parent(device)?;
        // SAFETY: the caller's in-parameter.
        let at = unsafe { get(placement) }?;
        if gpu_instance.is_null() {
            return Err(Ret::InvalidArgument);
        }
        let (id, serial) =
            driver::create_gpu_instance(ctx.state, g, profile_id, at.start, at.size)?;
        let h = ctx.gi_handle(g, id, serial);
        // SAFETY: the caller's out-parameter.
        unsafe { put(gpu_instance, h) }
    })
}

/// Destroys a GPU instance; its handle is invalid afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlGpuInstanceDestroy(gpu_instance: nvmlGpuInstance_t) -> nvmlReturn_t {
    call("nvmlGpuInstanceDestroy", |ctx| {
        let (g, id, serial) = ctx.gpu_instance(gpu_instance)?;
        driver::destroy_gpu_instance(ctx.state, g, id, serial)?;
        ctx.handles.forget(gpu_instance.addr());
        Ok(())
    })
}

/// The GPU instances of one profile. The array must hold the profile's instance count.
///
/// # Safety
///
/// `gpu_instances` holds the profile's `instanceCount` handles; `count` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstances(
    device: nvmlDevice_t,
    profile_id: c_uint,
    gpu_instances: *mut nvmlGpuInstance_t,
    count: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstances", |ctx| {
        let g = ctx.parent(device)?;
        let gpu = &ctx.state.gpus[g];
        if !gpu.mig.current {
            return Err(Ret::NotSupported);
        }
        driver::gi_profile_by_id(gpu, profile_id)?;
        if gpu_instances.is_null() {
            return Err(Ret::InvalidArgument);
        }
        let mut found: Vec<(u32, u64)> = gpu
            .gpu_instances
            .iter()
            .filter(|gi| gi.profile_id == profile_id)
            .map(|gi| (gi.id, gi.serial))
            .collect();
        found.sort_unstable();
        let handles: Vec<_> = found
            .into_iter()
            .map(|(id, s)| ctx.gi_handle(g, id, s))
            .collect();
        // SAFETY: nvml.h requires room for the profile's instance count, which bounds `handles`.
        unsafe { put_all(gpu_instances, &handles) }?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(count, handles.len() as c_uint) }
    })
}

/// # Safety
///
/// `gpu_instance` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceById(
    device: nvmlDevice_t,
    id: c_uint,
    gpu_instance: *mut nvmlGpuInstance_t,
) -> nvmlReturn_t {
    call("nvmlDeviceGetGpuInstanceById", |ctx| {
        let g = ctx.parent(device)?;
        if !ctx.state.gpus[g].mig.current {
            return Err(Ret::NotSupported);
        }
        let gi = ctx.state.gpus[g]
            .gpu_instances
            .iter()
            .find(|gi| gi.id == id);
        let serial = gi.ok_or(Ret::NotFound)?.serial;
        let h = ctx.gi_handle(g, id, serial);
        // SAFETY: the caller's out-parameter.
        unsafe { put(gpu_instance, h) }
    })
}

/// # Safety
///
/// `info` is valid for a write of one `nvmlGpuInstanceInfo_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpuInstanceGetInfo(
    gpu_instance: nvmlGpuInstance_t,
    info: *mut nvmlGpuInstanceInfo_t,
) -> nvmlReturn_t {
    call("nvmlGpuInstanceGetInfo", |ctx| {
        let (g, id, _) = ctx.gpu_instance(gpu_instance)?;
        let gi = ctx.gi(g, id).clone();
        let out = nvmlGpuInstanceInfo_t {
            device: ctx.gpu_handle(g),
            id: gi.id,
            profileId: gi.profile_id,
            placement: nvmlGpuInstancePlacement_t {
                start: gi.start,
                size: gi.size,
            },
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(info, out) }
    })
}

/// By `NVML_COMPUTE_INSTANCE_PROFILE_*` index and engine profile (only `_SHARED` exists).
///
/// # Safety
///
/// `info` is valid for a write of one `nvmlComputeInstanceProfileInfo_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpuInstanceGetComputeInstanceProfileInfo(
    gpu_instance: nvmlGpuInstance_t,
    profile: c_uint,
    eng_profile: c_uint,
    info: *mut nvmlComputeInstanceProfileInfo_t,
) -> nvmlReturn_t {
    call("nvmlGpuInstanceGetComputeInstanceProfileInfo", |ctx| {
        let (g, id, _) = ctx.gpu_instance(gpu_instance)?;
        let p = driver::ci_profile(&ctx.state.gpus[g], ctx.gi(g, id), profile, eng_profile)?;
        let out = nvmlComputeInstanceProfileInfo_t {
            id: p.id,
            sliceCount: p.slices,
            instanceCount: p.instance_count,
            multiprocessorCount: p.sm,
            sharedCopyEngineCount: p.engines.copy,
            sharedDecoderCount: p.engines.decoders,
            sharedEncoderCount: p.engines.encoders,
            sharedJpegCount: p.engines.jpeg,
            sharedOfaCount: p.engines.ofa,
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(info, out) }
    })
}

/// How many more compute instances of the profile the GPU instance takes now.
///
/// # Safety
///
/// `count` is valid for a write of one `unsigned int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpuInstanceGetComputeInstanceRemainingCapacity(
    gpu_instance: nvmlGpuInstance_t,
    profile_id: c_uint,
    count: *mut c_uint,
) -> nvmlReturn_t {
    call(
        "nvmlGpuInstanceGetComputeInstanceRemainingCapacity",
        |ctx| {
            let (g, id, serial) = ctx.gpu_instance(gpu_instance)?;
            let mut trial = ctx.state.clone();
            let mut n = 0;
            while driver::create_compute_instance(&mut trial, g, id, serial, profile_id).is_ok() {
                n += 1;
            }
            if n == 0 {
                // Say why nothing fits: an unknown profile is not a full instance.
                driver::ci_profile(&trial.gpus[g], ctx.gi(g, id), profile_id, 0)?;
            }
            // SAFETY: the caller's out-parameter.
            unsafe { put(count, n) }
        },
    )
}

/// Creates a compute instance of profile `profile_id` (the `NVML_COMPUTE_INSTANCE_PROFILE_*`
/// value) in the GPU instance.
///
/// # Safety
///
/// `compute_instance` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpuInstanceCreateComputeInstance(
    gpu_instance: nvmlGpuInstance_t,
    profile_id: c_uint,
    compute_instance: *mut nvmlComputeInstance_t,
) -> nvmlReturn_t {
    call("nvmlGpuInstanceCreateComputeInstance", |ctx| {
        let (g, gi, serial) = ctx.gpu_instance(gpu_instance)?;
        if compute_instance.is_null() {
            return Err(Ret::InvalidArgument);
        }
        let (id, ci_serial) =
            driver::create_compute_instance(ctx.state, g, gi, serial, profile_id)?;
        let h = ctx.ci_handle(g, gi, id, ci_serial);
        // SAFETY: the caller's out-parameter.
        unsafe { put(compute_instance, h) }
    })
}

/// Destroys a compute instance; its handle and its MIG device's are invalid afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlComputeInstanceDestroy(
    compute_instance: nvmlComputeInstance_t,
) -> nvmlReturn_t {
    call("nvmlComputeInstanceDestroy", |ctx| {
        let (g, gi, id, serial) = ctx.compute_instance(compute_instance)?;
        driver::destroy_compute_instance(ctx.state, g, gi, id, serial)?;
        ctx.handles.forget(compute_instance.addr());
        Ok(())
    })
}

/// The compute instances of one profile. The array must hold the profile's instance count.
///
/// # Safety
///
/// `compute_instances` holds the profile's `instanceCount` handles; `count` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpuInstanceGetComputeInstances(
    gpu_instance: nvmlGpuInstance_t,
    profile_id: c_uint,
    compute_instances: *mut nvmlComputeInstance_t,
    count: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlGpuInstanceGetComputeInstances", |ctx| {
        let (g, gi_id, _) = ctx.gpu_instance(gpu_instance)?;
        let gi = ctx.gi(g, gi_id).clone();
        driver::ci_profile(&ctx.state.gpus[g], &gi, profile_id, 0)?;
        if compute_instances.is_null() {
            return Err(Ret::InvalidArgument);
        }
        let handles: Vec<_> = gi
            .compute_instances
            .iter()
            .filter(|c| c.profile_id == profile_id)
            .map(|c| ctx.ci_handle(g, gi_id, c.id, c.serial))
            .collect();
        // SAFETY: nvml.h requires room for the profile's instance count, which bounds `handles`.
        unsafe { put_all(compute_instances, &handles) }?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(count, handles.len() as c_uint) }
    })
}

/// # Safety
///
/// `compute_instance` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpuInstanceGetComputeInstanceById(
    gpu_instance: nvmlGpuInstance_t,
    id: c_uint,
    compute_instance: *mut nvmlComputeInstance_t,
) -> nvmlReturn_t {
    call("nvmlGpuInstanceGetComputeInstanceById", |ctx| {
        let (g, gi_id, _) = ctx.gpu_instance(gpu_instance)?;
        let ci = ctx
            .gi(g, gi_id)
            .compute_instances
            .iter()
            .find(|c| c.id == id);
        let serial = ci.ok_or(Ret::NotFound)?.serial;
        let h = ctx.ci_handle(g, gi_id, id, serial);
        // SAFETY: the caller's out-parameter.
        unsafe { put(compute_instance, h) }
    })
}

/// The compute instance's MIG device handle, parent GPU instance, id, profile and placement
/// (in the GPU instance's compute slices).
///
/// # Safety
///
/// `info` is valid for a write of one `nvmlComputeInstanceInfo_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlComputeInstanceGetInfo_v2(
    compute_instance: nvmlComputeInstance_t,
    info: *mut nvmlComputeInstanceInfo_t,
) -> nvmlReturn_t {
    call("nvmlComputeInstanceGetInfo_v2", |ctx| {
        let (g, gi_id, id, _) = ctx.compute_instance(compute_instance)?;
        let gi = ctx.gi(g, gi_id).clone();
        let at = gi
            .compute_instances
            .iter()
            .position(|c| c.id == id)
            .expect("resolved from a live handle");
        let c = gi.compute_instances[at].clone();
        let out = nvmlComputeInstanceInfo_t {
            device: ctx.mig_handle(g, &gi, at),
            gpuInstance: ctx.gi_handle(g, gi.id, gi.serial),
            id: c.id,
            profileId: c.profile_id,
            placement: nvmlComputeInstancePlacement_t {
                start: c.start,
                size: c.size,
            },
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(info, out) }
    })
}
