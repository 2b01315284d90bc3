//! The real backend: NVML through nvml-wrapper 0.13, plus raw `nvml-wrapper-sys` 0.10 calls for
//! what the wrapper lacks (GPU/compute instance enumerate, create-with-placement, destroy) or
//! gets wrong (possible placements). The only file in the agent allowed `unsafe`.
//!
//! Raw symbols are taken in their field form through `nvml_sym`, so a symbol the installed
//! driver lacks is a [`BackendError::MissingSymbol`], never the panic of the method form.
#![allow(unsafe_code)]

use super::nvml_table::{self, RawProfileInfo};
use super::{BackendError, GpuBackend};
use crate::host;
use crate::kernel_log::PciAddress;
use crate::model::{
    ComputeInstance, CreatedInstance, GpuInfo, GpuInstance, GpuProcess, MigMode, MigModeChange,
    ProfileDetail, ReportedProfile, Signal,
};
use nvml_wrapper::enum_wrappers::device::{EccCounter, MemoryError, TemperatureSensor};
use nvml_wrapper::enums::device::UsedGpuMemory;
use nvml_wrapper::enums::gpm::GpmMetricId;
use nvml_wrapper::error::{NvmlError, nvml_sym, nvml_try};
use nvml_wrapper::{Device, Nvml};
use nvml_wrapper_sys::bindings::{
    self as sys, nvmlComputeInstance_t, nvmlComputeInstanceInfo_t, nvmlComputeInstancePlacement_t,
    nvmlComputeInstanceProfileInfo_t, nvmlEventData_t, nvmlEventSet_t, nvmlGpuInstance_t,
    nvmlGpuInstanceInfo_t, nvmlGpuInstancePlacement_t, nvmlGpuInstanceProfileInfo_v2_t,
    nvmlGpuInstanceProfileInfo_v3_t, nvmlReturn_t,
};
use slicebroker_types::agent::{EccCounts, GpuHealth, ThrottleReason, XidEvent};
use slicebroker_types::{GpuModel, NvmlProfileIndex, Placement};
use std::collections::HashMap;
use std::path::Path;
use std::ptr;
use std::sync::Mutex;
use std::time::Duration;

/// Takes a raw NVML function from the loaded library, or says which one is missing.
macro_rules! raw_fn {
    ($nvml:expr, $name:ident) => {
        nvml_sym($nvml.lib().$name.as_ref()).map_err(|e| missing(stringify!($name), e))?
    };
}

fn missing(symbol: &'static str, e: NvmlError) -> BackendError {
    BackendError::MissingSymbol {
        symbol,
        detail: e.to_string(),
    }
}

/// Maps a failed NVML call to the agent's error, keeping the call's name.
fn nvml_error(call: &'static str) -> impl Fn(NvmlError) -> BackendError {
    move |source| match source {
        NvmlError::FailedToLoadSymbol(detail) => BackendError::MissingSymbol {
            symbol: call,
            detail,
        },
        NvmlError::NoPermission => BackendError::NoPermission { what: call.into() },
        NvmlError::NotSupported => BackendError::NotSupported { what: call.into() },
        source => BackendError::Nvml { call, source },
    }
}

/// Checks a raw return code, naming the call on failure.
fn check(call: &'static str, code: nvmlReturn_t) -> Result<(), BackendError> {
    nvml_try(code).map_err(nvml_error(call))
}

/// How long GPM samples are apart when measuring instance activity.
const GPM_INTERVAL: Duration = Duration::from_millis(200);

/// Longest process name asked of NVML.
const PROCESS_NAME_LEN: usize = 64;

pub struct NvmlBackend {
    nvml: Nvml,
    /// The XID event set, made on the first health reading; freed before NVML shuts down.
    xids: Mutex<Option<XidWatch>>,
}

/// `nvmlEventTypeXidCriticalError` events of every GPU read so far, held per GPU until that
/// GPU's health is read (one event set serves all devices, as nvml.h intends).
struct XidWatch {
    set: nvmlEventSet_t,
    /// Devices registered on the set: handle address and UUID (`None` handle: unsupported).
    devices: Vec<(Option<usize>, String)>,
    pending: HashMap<String, Vec<XidEvent>>,
}

// SAFETY: NVML is thread-safe (nvml.h: "all NVML functions are thread-safe"); the set handle
// is only used under the backend's mutex.
unsafe impl Send for XidWatch {}

impl Drop for NvmlBackend {
    fn drop(&mut self) {
        let watch = self
            .xids
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(w) = watch
            && let Ok(free) = nvml_sym(self.nvml.lib().nvmlEventSetFree.as_ref())
        {
            // SAFETY: the set was made by this still-initialized `Nvml` and is freed once.
            unsafe { free(w.set) };
        }
    }
}

/// NVML's "no instance" value in `nvmlEventData_t` (`0xFFFFFFFF`).
const NO_INSTANCE: u32 = u32::MAX;

/// `NotSupported` (and `NoPermission`) readings are absent, not errors: many boards lack them.
fn optional<T>(call: &'static str, r: Result<T, NvmlError>) -> Result<Option<T>, BackendError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(NvmlError::NotSupported | NvmlError::NoPermission) => Ok(None),
        Err(e) => Err(nvml_error(call)(e)),
    }
}

impl std::fmt::Debug for NvmlBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NvmlBackend")
    }
}

impl NvmlBackend {
    /// Loads `libnvidia-ml.so.1` and initializes NVML, or says clearly why it cannot.
    pub fn init() -> Result<Self, BackendError> {
        Self::init_with(None)
    }

    /// As [`NvmlBackend::init`], from `library` when given (a path, or a name the dynamic
    /// linker resolves), through nvml-wrapper's builder: the same loading, symbol lookup and
    /// `nvmlInit_v2` as for the default library.
    pub fn init_with(library: Option<&Path>) -> Result<Self, BackendError> {
        let mut builder = Nvml::builder();
        if let Some(path) = library {
            builder.lib_path(path.as_os_str());
        }
        match builder.init() {
            Ok(nvml) => Ok(Self {
                nvml,
                xids: Mutex::new(None),
            }),
            Err(
                e @ (NvmlError::LibloadingError(_)
                | NvmlError::LibraryNotFound
                | NvmlError::DriverNotLoaded
                | NvmlError::FailedToLoadSymbol(_)),
            ) => Err(BackendError::NvmlUnavailable {
                reason: e.to_string(),
            }),
            Err(e) => Err(nvml_error("nvmlInit_v2")(e)),
        }
    }

    fn device(&self, uuid: &str) -> Result<Device<'_>, BackendError> {
        self.nvml.device_by_uuid(uuid).map_err(|e| match e {
            NvmlError::NotFound | NvmlError::InvalidArg => {
                BackendError::UnknownGpu { uuid: uuid.into() }
            }
            e => nvml_error("nvmlDeviceGetHandleByUUID")(e),
        })
    }

    /// The profile table the GPU reports: every `NVML_GPU_INSTANCE_PROFILE_*` index it
    /// supports, with placements from the raw `_v2` call (the wrapper's returns nothing).
    fn profile_table(
        &self,
        device: &Device<'_>,
        model: Option<&GpuModel>,
    ) -> Result<Vec<ReportedProfile>, BackendError> {
        let mut out = Vec::new();
        for index in NvmlProfileIndex::ALL {
            let info = match device.profile_info(index.value()) {
                Ok(info) => info,
                // Not on this GPU, or an index this driver predates.
                Err(NvmlError::NotSupported | NvmlError::InvalidArg | NvmlError::NotFound) => {
                    continue;
                }
                Err(e) => return Err(nvml_error("nvmlDeviceGetGpuInstanceProfileInfo")(e)),
            };
            let raw = RawProfileInfo {
                id: info.id,
                slice_count: info.slice_count,
                instance_count: info.instance_count,
                memory_size_mb: info.memory_size_mb,
            };
            let placements = self.possible_placements(device, info.id)?;
            match nvml_table::reported_profile(model, index, raw, &placements) {
                Ok(p) => out.push(p),
                Err(e) => tracing::warn!(gpu_profile = index.const_name(), "skipping profile: {e}"),
            }
        }
        Ok(out)
    }

    /// `nvmlDeviceGetGpuInstancePossiblePlacements_v2`: asks for the count, then the list.
    fn possible_placements(
        &self,
        device: &Device<'_>,
        profile_id: u32,
    ) -> Result<Vec<(u32, u32)>, BackendError> {
        const CALL: &str = "nvmlDeviceGetGpuInstancePossiblePlacements_v2";
        let f = raw_fn!(self.nvml, nvmlDeviceGetGpuInstancePossiblePlacements_v2);
        let mut count: u32 = 0;
        // SAFETY: the handle comes from this live `Nvml`; a null list with a valid count
        // pointer asks NVML only for the number of placements (nvml.h).
        check(CALL, unsafe {
            f(device.handle(), profile_id, ptr::null_mut(), &mut count)
        })?;
        let mut list = vec![nvmlGpuInstancePlacement_t { start: 0, size: 0 }; count as usize];
        // SAFETY: `list` holds `count` initialized placements, the size NVML just reported;
        // NVML writes at most `count` entries and stores the number written in `count`.
        check(CALL, unsafe {
            f(device.handle(), profile_id, list.as_mut_ptr(), &mut count)
        })?;
        list.truncate(count as usize);
        Ok(list.into_iter().map(|p| (p.start, p.size)).collect())
    }

    /// Every GPU instance handle on the device, found by walking the profiles it reports.
    fn gpu_instance_handles(
        &self,
        device: &Device<'_>,
        profiles: &[ReportedProfile],
    ) -> Result<Vec<nvmlGpuInstance_t>, BackendError> {
        let f = raw_fn!(self.nvml, nvmlDeviceGetGpuInstances);
        let mut out = Vec::new();
        for p in profiles {
            let mut list: Vec<nvmlGpuInstance_t> = vec![ptr::null_mut(); usize::from(p.max_count)];
            let mut count = list.len() as u32;
            // SAFETY: `list` has room for the profile's maximum instance count, which bounds
            // how many NVML can return; NVML writes the number returned into `count`.
            let code = unsafe { f(device.handle(), p.id, list.as_mut_ptr(), &mut count) };
            check("nvmlDeviceGetGpuInstances", code)?;
            list.truncate(count as usize);
            out.extend(list);
        }
        Ok(out)
    }

    fn gpu_instance_info(
        &self,
        gi: nvmlGpuInstance_t,
    ) -> Result<nvmlGpuInstanceInfo_t, BackendError> {
        let f = raw_fn!(self.nvml, nvmlGpuInstanceGetInfo);
        let mut info = nvmlGpuInstanceInfo_t {
            device: ptr::null_mut(),
            id: 0,
            profileId: 0,
            placement: nvmlGpuInstancePlacement_t { start: 0, size: 0 },
        };
        // SAFETY: `gi` was returned by NVML for a device of this live `Nvml` in this same
        // pass, and `info` is a valid, writable struct of the type NVML fills.
        check("nvmlGpuInstanceGetInfo", unsafe { f(gi, &mut info) })?;
        Ok(info)
    }

    fn gpu_instance_by_id(
        &self,
        device: &Device<'_>,
        id: u32,
    ) -> Result<nvmlGpuInstance_t, BackendError> {
        let f = raw_fn!(self.nvml, nvmlDeviceGetGpuInstanceById);
        let mut gi: nvmlGpuInstance_t = ptr::null_mut();
        // SAFETY: the device handle is live; `gi` is a valid out pointer for one handle.
        let code = unsafe { f(device.handle(), id, &mut gi) };
        if code == sys::nvmlReturn_enum_NVML_ERROR_NOT_FOUND {
            let uuid = device.uuid().unwrap_or_default();
            return Err(BackendError::UnknownInstance {
                gpu: uuid,
                gpu_instance_id: id,
            });
        }
        check("nvmlDeviceGetGpuInstanceById", code)?;
        Ok(gi)
    }

    /// The compute instances of a GPU instance, walking every CI profile index.
    fn compute_instances(
        &self,
        gi: nvmlGpuInstance_t,
    ) -> Result<Vec<(nvmlComputeInstance_t, nvmlComputeInstanceInfo_t)>, BackendError> {
        let profile_info = raw_fn!(self.nvml, nvmlGpuInstanceGetComputeInstanceProfileInfo);
        let list_fn = raw_fn!(self.nvml, nvmlGpuInstanceGetComputeInstances);
        let info_fn = raw_fn!(self.nvml, nvmlComputeInstanceGetInfo_v2);
        let mut out: Vec<(nvmlComputeInstance_t, nvmlComputeInstanceInfo_t)> = Vec::new();
        let mut seen_profiles = Vec::new();
        for index in 0..sys::NVML_COMPUTE_INSTANCE_PROFILE_COUNT {
            let mut pinfo = empty_ci_profile_info();
            // SAFETY: `gi` is a live GPU instance handle from this pass; `pinfo` is writable.
            let code = unsafe {
                profile_info(
                    gi,
                    index,
                    sys::NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
                    &mut pinfo,
                )
            };
            if code != sys::nvmlReturn_enum_NVML_SUCCESS || seen_profiles.contains(&pinfo.id) {
                continue; // profile index not offered by this GPU instance
            }
            seen_profiles.push(pinfo.id);
            let mut list: Vec<nvmlComputeInstance_t> =
                vec![ptr::null_mut(); pinfo.instanceCount as usize];
            let mut count = list.len() as u32;
            // SAFETY: `list` has room for the profile's maximum instance count; NVML writes at
            // most that many handles and stores the number in `count`.
            let code = unsafe { list_fn(gi, pinfo.id, list.as_mut_ptr(), &mut count) };
            check("nvmlGpuInstanceGetComputeInstances", code)?;
            list.truncate(count as usize);
            for ci in list {
                let mut info = empty_ci_info();
                // SAFETY: `ci` was just returned by NVML for this GPU instance.
                check("nvmlComputeInstanceGetInfo_v2", unsafe {
                    info_fn(ci, &mut info)
                })?;
                out.push((ci, info));
            }
        }
        out.sort_by_key(|(_, info)| info.id);
        Ok(out)
    }

    /// Creates the compute instance that spans `gi`, returning its id and MIG device UUID.
    fn create_full_compute_instance(
        &self,
        gi: nvmlGpuInstance_t,
        compute_slices: u32,
    ) -> Result<(u32, String), BackendError> {
        let ci_index =
            nvml_table::full_compute_instance_profile(compute_slices).ok_or_else(|| {
                BackendError::NotSupported {
                    what: format!("a compute instance spanning {compute_slices} slices"),
                }
            })?;
        let profile_info = raw_fn!(self.nvml, nvmlGpuInstanceGetComputeInstanceProfileInfo);
        let create = raw_fn!(self.nvml, nvmlGpuInstanceCreateComputeInstance);
        let info_fn = raw_fn!(self.nvml, nvmlComputeInstanceGetInfo_v2);
        let mut pinfo = empty_ci_profile_info();
        // SAFETY: `gi` is a live GPU instance handle; `pinfo` is writable.
        check("nvmlGpuInstanceGetComputeInstanceProfileInfo", unsafe {
            profile_info(
                gi,
                ci_index,
                sys::NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
                &mut pinfo,
            )
        })?;
        let mut ci: nvmlComputeInstance_t = ptr::null_mut();
        // SAFETY: `gi` is live, the profile id came from NVML for it, `ci` is a valid out pointer.
        check("nvmlGpuInstanceCreateComputeInstance", unsafe {
            create(gi, pinfo.id, &mut ci)
        })?;
        let mut info = empty_ci_info();
        // SAFETY: `ci` was just created by NVML.
        check("nvmlComputeInstanceGetInfo_v2", unsafe {
            info_fn(ci, &mut info)
        })?;
        let uuid = self
            .mig_device(info.device)
            .uuid()
            .map_err(nvml_error("nvmlDeviceGetUUID"))?;
        Ok((info.id, uuid))
    }

    /// `nvmlDeviceGetGpuInstanceProfileInfoV` with the v3 struct, or the v2 struct where the
    /// driver predates v3 (`NVML_ERROR_ARGUMENT_VERSION_MISMATCH`); `None` where the GPU does not
    /// offer the profile. The detail `probe --format nvidia-smi` prints: name, engines, P2P.
    fn profile_info_v(
        &self,
        device: &Device<'_>,
        index: u32,
    ) -> Result<Option<ProfileInfoV>, BackendError> {
        const CALL: &str = "nvmlDeviceGetGpuInstanceProfileInfoV";
        let f = raw_fn!(self.nvml, nvmlDeviceGetGpuInstanceProfileInfoV);
        let absent = |code| {
            code == sys::nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED
                || code == sys::nvmlReturn_enum_NVML_ERROR_INVALID_ARGUMENT
                || code == sys::nvmlReturn_enum_NVML_ERROR_NOT_FOUND
        };
        let mut v3 = ProfileInfoV::empty_v3();
        // SAFETY: `v3` is a whole `nvmlGpuInstanceProfileInfo_v3_t` whose `version` says so, and
        // the function's parameter type is the v2 struct only by declaration: NVML reads the
        // version and writes that version's struct (nvml.h, "…V accepts … v2 or later").
        let code = unsafe {
            f(
                device.handle(),
                index,
                ptr::from_mut(&mut v3).cast::<nvmlGpuInstanceProfileInfo_v2_t>(),
            )
        };
        match code {
            sys::nvmlReturn_enum_NVML_SUCCESS => return Ok(Some(ProfileInfoV::V3(v3))),
            c if absent(c) => return Ok(None),
            // A driver older than the v3 struct: ask again with v2.
            sys::nvmlReturn_enum_NVML_ERROR_ARGUMENT_VERSION_MISMATCH => {}
            c => check(CALL, c)?,
        }
        let mut v2 = ProfileInfoV::empty_v2();
        // SAFETY: `v2` is a whole v2 struct with its version set.
        let code = unsafe { f(device.handle(), index, &mut v2) };
        if absent(code) {
            return Ok(None);
        }
        check(CALL, code)?;
        Ok(Some(ProfileInfoV::V2(v2)))
    }

    fn remaining_capacity(
        &self,
        device: &Device<'_>,
        profile_id: u32,
    ) -> Result<u32, BackendError> {
        let f = raw_fn!(self.nvml, nvmlDeviceGetGpuInstanceRemainingCapacity);
        let mut count = 0;
        // SAFETY: the handle is live and `count` is a valid out pointer.
        let code = unsafe { f(device.handle(), profile_id, &mut count) };
        check("nvmlDeviceGetGpuInstanceRemainingCapacity", code)?;
        Ok(count)
    }

    /// Wraps a MIG device handle that NVML returned for this `Nvml`.
    fn mig_device(&self, handle: sys::nvmlDevice_t) -> Device<'_> {
        // SAFETY: the handle came from `nvmlComputeInstanceGetInfo_v2` on this live `Nvml`
        // during this call; MIG handles stay valid until the compute instance is destroyed,
        // and the `Device` does not outlive this backend call.
        unsafe { Device::new(handle, &self.nvml) }
    }

    /// Processes on a MIG device, with uid and command name where the host shows them.
    fn processes(&self, mig: &Device<'_>) -> Result<Vec<GpuProcess>, BackendError> {
        let procs = mig
            .running_compute_processes()
            .map_err(nvml_error("nvmlDeviceGetComputeRunningProcesses_v3"))?;
        Ok(procs
            .into_iter()
            .map(|p| GpuProcess {
                pid: p.pid,
                uid: host::process_uid(p.pid),
                command: self
                    .nvml
                    .sys_process_name(p.pid, PROCESS_NAME_LEN)
                    .ok()
                    .or_else(|| host::process_command(p.pid)),
                memory_mib: match p.used_gpu_memory {
                    UsedGpuMemory::Used(bytes) => Some(bytes / (1024 * 1024)),
                    UsedGpuMemory::Unavailable => None,
                },
            })
            .collect())
    }

    /// SM activity per GPU instance over [`GPM_INTERVAL`], where the GPU supports GPM (Hopper
    /// and later). Instances it cannot measure are left out.
    fn activity(&self, device: &Device<'_>, gi_ids: &[u32]) -> Vec<(u32, f64)> {
        if !device.gpm_support().unwrap_or(false) {
            return Vec::new();
        }
        let first: Vec<_> = gi_ids
            .iter()
            .filter_map(|&id| device.gpm_mig_sample(id).ok().map(|s| (id, s)))
            .collect();
        if first.is_empty() {
            return Vec::new();
        }
        std::thread::sleep(GPM_INTERVAL);
        first
            .into_iter()
            .filter_map(|(id, s1)| {
                let s2 = device.gpm_mig_sample(id).ok()?;
                let metrics = nvml_wrapper::gpm::gpm_metrics_get(
                    &self.nvml,
                    &s1,
                    &s2,
                    &[GpmMetricId::SmUtil],
                )
                .ok()?;
                let value = metrics.into_iter().next()?.ok()?.value;
                Some((id, (value / 100.0).clamp(0.0, 1.0)))
            })
            .collect()
    }
}

/// `NVML_STRUCT_VERSION(data, ver)`: the struct's size with the version in the top byte.
fn struct_version<T>(version: u32) -> u32 {
    std::mem::size_of::<T>() as u32 | (version << 24)
}

/// A versioned GPU-instance profile info, as the driver filled it.
enum ProfileInfoV {
    V2(nvmlGpuInstanceProfileInfo_v2_t),
    V3(nvmlGpuInstanceProfileInfo_v3_t),
}

impl ProfileInfoV {
    fn empty_v3() -> nvmlGpuInstanceProfileInfo_v3_t {
        nvmlGpuInstanceProfileInfo_v3_t {
            version: struct_version::<nvmlGpuInstanceProfileInfo_v3_t>(3),
            id: 0,
            sliceCount: 0,
            instanceCount: 0,
            multiprocessorCount: 0,
            copyEngineCount: 0,
            decoderCount: 0,
            encoderCount: 0,
            jpegCount: 0,
            ofaCount: 0,
            memorySizeMB: 0,
            name: [0; 96],
            capabilities: 0,
        }
    }

    fn empty_v2() -> nvmlGpuInstanceProfileInfo_v2_t {
        nvmlGpuInstanceProfileInfo_v2_t {
            version: struct_version::<nvmlGpuInstanceProfileInfo_v2_t>(2),
            id: 0,
            isP2pSupported: 0,
            sliceCount: 0,
            instanceCount: 0,
            multiprocessorCount: 0,
            copyEngineCount: 0,
            decoderCount: 0,
            encoderCount: 0,
            jpegCount: 0,
            ofaCount: 0,
            memorySizeMB: 0,
            name: [0; 96],
        }
    }

    fn detail(&self, free: u32, placements: Vec<Placement>) -> ProfileDetail {
        let text = |name: &[std::ffi::c_char]| {
            let bytes: Vec<u8> = name.iter().map(|&c| c as u8).collect();
            std::ffi::CStr::from_bytes_until_nul(&bytes)
                .map(|c| c.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        macro_rules! common {
            ($i:expr, $p2p:expr) => {
                ProfileDetail {
                    id: $i.id,
                    name: text(&$i.name),
                    compute_slices: $i.sliceCount,
                    memory_mib: $i.memorySizeMB,
                    instances_free: free,
                    instances_total: $i.instanceCount,
                    p2p: $p2p,
                    multiprocessors: $i.multiprocessorCount,
                    copy_engines: $i.copyEngineCount,
                    decoders: $i.decoderCount,
                    encoders: $i.encoderCount,
                    jpeg: $i.jpegCount,
                    ofa: $i.ofaCount,
                    placements,
                }
            };
        }
        match self {
            ProfileInfoV::V2(i) => common!(i, i.isP2pSupported != 0),
            ProfileInfoV::V3(i) => common!(
                i,
                i.capabilities & sys::NVML_GPU_INSTANCE_PROFILE_CAPS_P2P != 0
            ),
        }
    }

    fn id(&self) -> u32 {
        match self {
            ProfileInfoV::V2(i) => i.id,
            ProfileInfoV::V3(i) => i.id,
        }
    }
}

impl NvmlBackend {
    /// The XIDs on `device` since the last call: registers it on the event set the first time,
    /// then drains the set without waiting, filing each event under its GPU.
    fn take_xids(&self, device: &Device<'_>, uuid: &str) -> Result<Vec<XidEvent>, BackendError> {
        let mut guard = self.xids.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let create = raw_fn!(self.nvml, nvmlEventSetCreate);
            let mut set: nvmlEventSet_t = ptr::null_mut();
            // SAFETY: `set` is a valid out pointer for one handle.
            check("nvmlEventSetCreate", unsafe { create(&mut set) })?;
            *guard = Some(XidWatch {
                set,
                devices: Vec::new(),
                pending: HashMap::new(),
            });
        }
        let watch = guard.as_mut().expect("made above");
        if !watch.devices.iter().any(|(_, u)| u == uuid) {
            let register = raw_fn!(self.nvml, nvmlDeviceRegisterEvents);
            // SAFETY: the device handle is live and the set was made by this `Nvml`.
            let handle = unsafe { device.handle() };
            // SAFETY: as above; NVML only reads the handles.
            let code = unsafe {
                register(
                    handle,
                    u64::from(sys::nvmlEventTypeXidCriticalError),
                    watch.set,
                )
            };
            let registered = match nvml_try(code) {
                Ok(()) => Some(handle as usize),
                Err(NvmlError::NotSupported) => None,
                Err(e) => return Err(nvml_error("nvmlDeviceRegisterEvents")(e)),
            };
            watch.devices.push((registered, uuid.to_owned()));
        }
        let wait = raw_fn!(self.nvml, nvmlEventSetWait_v2);
        loop {
            // SAFETY: an all-zero `nvmlEventData_t` is valid (pointers null, numbers 0).
            let mut data: nvmlEventData_t = unsafe { std::mem::zeroed() };
            // SAFETY: the set is live; `data` is a valid out pointer; timeout 0 never blocks.
            match nvml_try(unsafe { wait(watch.set, &mut data, 0) }) {
                Ok(()) => {}
                Err(NvmlError::Timeout) => break,
                Err(e) => return Err(nvml_error("nvmlEventSetWait_v2")(e)),
            }
            if data.eventType & u64::from(sys::nvmlEventTypeXidCriticalError) == 0 {
                continue;
            }
            let owner = watch
                .devices
                .iter()
                .find(|(h, _)| *h == Some(data.device as usize))
                .map(|(_, u)| u.clone());
            let Some(owner) = owner else { continue };
            let id = |v: u32| (v != NO_INSTANCE).then_some(v);
            watch.pending.entry(owner).or_default().push(XidEvent {
                xid: data.eventData,
                gpu_instance_id: id(data.gpuInstanceId),
                compute_instance_id: id(data.computeInstanceId),
                seq: None,
            });
        }
        Ok(watch.pending.remove(uuid).unwrap_or_default())
    }

    fn ecc_counts(&self, device: &Device<'_>) -> Result<Option<EccCounts>, BackendError> {
        const CALL: &str = "nvmlDeviceGetTotalEccErrors";
        let read = |e: MemoryError, c: EccCounter| optional(CALL, device.total_ecc_errors(e, c));
        let (Some(vc), Some(vu), Some(ac), Some(au)) = (
            read(MemoryError::Corrected, EccCounter::Volatile)?,
            read(MemoryError::Uncorrected, EccCounter::Volatile)?,
            read(MemoryError::Corrected, EccCounter::Aggregate)?,
            read(MemoryError::Uncorrected, EccCounter::Aggregate)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(EccCounts {
            volatile_corrected: vc,
            volatile_uncorrected: vu,
            aggregate_corrected: ac,
            aggregate_uncorrected: au,
        }))
    }
}

fn empty_ci_profile_info() -> nvmlComputeInstanceProfileInfo_t {
    nvmlComputeInstanceProfileInfo_t {
        id: 0,
        sliceCount: 0,
        instanceCount: 0,
        multiprocessorCount: 0,
        sharedCopyEngineCount: 0,
        sharedDecoderCount: 0,
        sharedEncoderCount: 0,
        sharedJpegCount: 0,
        sharedOfaCount: 0,
    }
}

fn empty_ci_info() -> nvmlComputeInstanceInfo_t {
    nvmlComputeInstanceInfo_t {
        device: ptr::null_mut(),
        gpuInstance: ptr::null_mut(),
        id: 0,
        profileId: 0,
        placement: nvmlComputeInstancePlacement_t { start: 0, size: 0 },
    }
}

impl GpuBackend for NvmlBackend {
    fn kind(&self) -> &'static str {
        "nvml"
    }

    fn driver_version(&self) -> Option<String> {
        self.nvml.sys_driver_version().ok()
    }

    fn gpus(&self) -> Result<Vec<GpuInfo>, BackendError> {
        let count = self
            .nvml
            .device_count()
            .map_err(nvml_error("nvmlDeviceGetCount_v2"))?;
        let mut out = Vec::with_capacity(count as usize);
        for index in 0..count {
            let device = self
                .nvml
                .device_by_index(index)
                .map_err(nvml_error("nvmlDeviceGetHandleByIndex_v2"))?;
            let name = device.name().map_err(nvml_error("nvmlDeviceGetName"))?;
            let pci = device
                .pci_info()
                .map_err(nvml_error("nvmlDeviceGetPciInfo_v3"))?;
            let model = GpuModel::identify(Some(pci.pci_device_id), &name).map(GpuModel::get);
            let mig_mode = match device.mig_mode() {
                Ok(m) => Some(MigMode {
                    current: m.current == sys::NVML_DEVICE_MIG_ENABLE,
                    pending: m.pending == sys::NVML_DEVICE_MIG_ENABLE,
                }),
                Err(NvmlError::NotSupported) => None,
                Err(e) => return Err(nvml_error("nvmlDeviceGetMigMode")(e)),
            };
            let profiles = if mig_mode.is_some_and(|m| m.current) {
                self.profile_table(&device, model)?
            } else {
                Vec::new()
            };
            out.push(GpuInfo {
                index,
                uuid: device.uuid().map_err(nvml_error("nvmlDeviceGetUUID"))?,
                name,
                pci_device_id: pci.pci_device_id,
                model: model.map(|m| m.key.to_owned()),
                memory_total_mib: device
                    .memory_info()
                    .map_err(nvml_error("nvmlDeviceGetMemoryInfo_v2"))?
                    .total
                    / (1024 * 1024),
                mig_mode,
                profiles,
            });
        }
        Ok(out)
    }

    fn instances(&self, gpu: &GpuInfo) -> Result<Vec<GpuInstance>, BackendError> {
        let device = self.device(&gpu.uuid)?;
        let mut out = Vec::new();
        for gi in self.gpu_instance_handles(&device, &gpu.profiles)? {
            let info = self.gpu_instance_info(gi)?;
            let mut instance = GpuInstance {
                id: info.id,
                profile_id: info.profileId,
                profile_index: gpu.profile_by_id(info.profileId).map(|p| p.index),
                placement: Placement {
                    start: info.placement.start as u8,
                    size: info.placement.size as u8,
                },
                compute_instances: Vec::new(),
                memory_used_mib: None,
                memory_total_mib: None,
                processes: Vec::new(),
                activity: None,
            };
            for (_, ci) in self.compute_instances(gi)? {
                let mig = self.mig_device(ci.device);
                instance.compute_instances.push(ComputeInstance {
                    id: ci.id,
                    profile_id: ci.profileId,
                    mig_uuid: mig.uuid().map_err(nvml_error("nvmlDeviceGetUUID"))?,
                });
                if let Ok(mem) = mig.memory_info() {
                    *instance.memory_used_mib.get_or_insert(0) += mem.used / (1024 * 1024);
                    *instance.memory_total_mib.get_or_insert(0) += mem.total / (1024 * 1024);
                }
                instance.processes.extend(self.processes(&mig)?);
            }
            out.push(instance);
        }
        let ids: Vec<u32> = out.iter().map(|i| i.id).collect();
        for (id, busy) in self.activity(&device, &ids) {
            if let Some(i) = out.iter_mut().find(|i| i.id == id) {
                i.activity = Some(busy);
            }
        }
        out.sort_by_key(|i| i.placement.start);
        Ok(out)
    }

    fn create_instance(
        &self,
        gpu_uuid: &str,
        profile_id: u32,
        placement: Placement,
    ) -> Result<CreatedInstance, BackendError> {
        let device = self.device(gpu_uuid)?;
        let gpu_profile = NvmlProfileIndex::ALL
            .iter()
            .filter_map(|i| device.profile_info(i.value()).ok())
            .find(|info| info.id == profile_id)
            .ok_or_else(|| BackendError::UnknownProfile {
                gpu: gpu_uuid.into(),
                profile_id,
            })?;
        let create = raw_fn!(self.nvml, nvmlDeviceCreateGpuInstanceWithPlacement);
        let destroy = raw_fn!(self.nvml, nvmlGpuInstanceDestroy);
        let raw_placement = nvmlGpuInstancePlacement_t {
            start: u32::from(placement.start),
            size: u32::from(placement.size),
        };
        let mut gi: nvmlGpuInstance_t = ptr::null_mut();
        // SAFETY: the device handle is live, `raw_placement` is a valid struct NVML only
        // reads, and `gi` is a valid out pointer for one handle.
        let code = unsafe { create(device.handle(), profile_id, &raw_placement, &mut gi) };
        if code == sys::nvmlReturn_enum_NVML_ERROR_INSUFFICIENT_RESOURCES {
            return Err(BackendError::InsufficientResources {
                gpu: gpu_uuid.into(),
                profile_id,
                placement,
                detail: "NVML_ERROR_INSUFFICIENT_RESOURCES (memory slices taken or limits reached)"
                    .into(),
            });
        }
        check("nvmlDeviceCreateGpuInstanceWithPlacement", code)?;
        let gi_id = self.gpu_instance_info(gi)?.id;
        match self.create_full_compute_instance(gi, gpu_profile.slice_count) {
            Ok((ci_id, mig_uuid)) => Ok(CreatedInstance {
                gpu_instance_id: gi_id,
                compute_instance_id: ci_id,
                mig_uuid,
            }),
            Err(e) => {
                // A GI without its CI is invisible to MIG-device enumeration; do not leave one.
                // SAFETY: `gi` was created above and has no compute instance.
                let code = unsafe { destroy(gi) };
                if let Err(undo) = check("nvmlGpuInstanceDestroy", code) {
                    tracing::error!(gpu = gpu_uuid, gi_id, "could not undo GPU instance: {undo}");
                }
                Err(e)
            }
        }
    }

    fn create_compute_instance(
        &self,
        gpu_uuid: &str,
        gpu_instance_id: u32,
    ) -> Result<CreatedInstance, BackendError> {
        let device = self.device(gpu_uuid)?;
        let gi = self.gpu_instance_by_id(&device, gpu_instance_id)?;
        let info = self.gpu_instance_info(gi)?;
        let slices = NvmlProfileIndex::ALL
            .iter()
            .filter_map(|i| device.profile_info(i.value()).ok())
            .find(|p| p.id == info.profileId)
            .map(|p| p.slice_count)
            .ok_or_else(|| BackendError::UnknownProfile {
                gpu: gpu_uuid.into(),
                profile_id: info.profileId,
            })?;
        let (ci_id, mig_uuid) = self.create_full_compute_instance(gi, slices)?;
        Ok(CreatedInstance {
            gpu_instance_id,
            compute_instance_id: ci_id,
            mig_uuid,
        })
    }

    fn destroy_instance(&self, gpu_uuid: &str, gpu_instance_id: u32) -> Result<(), BackendError> {
        let device = self.device(gpu_uuid)?;
        let gi = self.gpu_instance_by_id(&device, gpu_instance_id)?;
        let destroy_ci = raw_fn!(self.nvml, nvmlComputeInstanceDestroy);
        let destroy_gi = raw_fn!(self.nvml, nvmlGpuInstanceDestroy);
        let in_use = |what: String, pids: Vec<u32>| BackendError::InUse {
            gpu: gpu_uuid.into(),
            what,
            pids,
        };
        let mut pids = Vec::new();
        for (ci, info) in self.compute_instances(gi)? {
            let ci_pids: Vec<u32> = self
                .processes(&self.mig_device(info.device))
                .map(|ps| ps.iter().map(|p| p.pid).collect())
                .unwrap_or_default();
            // SAFETY: `ci` was enumerated from this live GPU instance just now.
            let code = unsafe { destroy_ci(ci) };
            if code == sys::nvmlReturn_enum_NVML_ERROR_IN_USE {
                return Err(in_use(format!("compute instance {}", info.id), ci_pids));
            }
            check("nvmlComputeInstanceDestroy", code)?;
            pids.extend(ci_pids);
        }
        // SAFETY: `gi` is live and its compute instances were destroyed above.
        let code = unsafe { destroy_gi(gi) };
        if code == sys::nvmlReturn_enum_NVML_ERROR_IN_USE {
            return Err(in_use(format!("GPU instance {gpu_instance_id}"), pids));
        }
        check("nvmlGpuInstanceDestroy", code)
    }

    fn set_mig_mode(&self, gpu_uuid: &str, enabled: bool) -> Result<MigModeChange, BackendError> {
        let device = self.device(gpu_uuid)?;
        let gpu = self
            .gpus()?
            .into_iter()
            .find(|g| g.uuid == gpu_uuid)
            .ok_or_else(|| BackendError::UnknownGpu {
                uuid: gpu_uuid.into(),
            })?;
        let mut pids: Vec<u32> = device
            .running_compute_processes()
            .map(|ps| ps.iter().map(|p| p.pid).collect())
            .unwrap_or_default();
        if gpu.mig_enabled() {
            for i in self.instances(&gpu)? {
                pids.extend(i.processes.iter().map(|p| p.pid));
            }
        }
        if !pids.is_empty() {
            return Err(BackendError::InUse {
                gpu: gpu_uuid.into(),
                what: "MIG mode change".into(),
                pids,
            });
        }
        let status = device
            .set_mig_mode(enabled)
            .map_err(nvml_error("nvmlDeviceSetMigMode"))?;
        // The call can succeed while activation did not: check activationStatus too.
        let reset_required = match status {
            s if s == sys::nvmlReturn_enum_NVML_SUCCESS => false,
            s if s == sys::nvmlReturn_enum_NVML_ERROR_RESET_REQUIRED => true,
            s if s == sys::nvmlReturn_enum_NVML_ERROR_IN_USE => {
                return Err(BackendError::InUse {
                    gpu: gpu_uuid.into(),
                    what: "MIG mode activation (another client holds the GPU)".into(),
                    pids: Vec::new(),
                });
            }
            s => {
                return Err(nvml_error("nvmlDeviceSetMigMode activation")(
                    NvmlError::from(s),
                ));
            }
        };
        let m = device
            .mig_mode()
            .map_err(nvml_error("nvmlDeviceGetMigMode"))?;
        Ok(MigModeChange {
            mode: MigMode {
                current: m.current == sys::NVML_DEVICE_MIG_ENABLE,
                pending: m.pending == sys::NVML_DEVICE_MIG_ENABLE,
            },
            reset_required,
        })
    }

    fn signal_process(&self, pid: u32, signal: Signal) -> Result<(), BackendError> {
        host::signal_process(pid, signal)
    }

    fn health(&self, gpu: &GpuInfo) -> Result<GpuHealth, BackendError> {
        let device = self.device(&gpu.uuid)?;
        let (xids, xids_dropped) = super::sim::bound_xids(self.take_xids(&device, &gpu.uuid)?);
        Ok(GpuHealth {
            temperature_c: optional(
                "nvmlDeviceGetTemperature",
                device.temperature(TemperatureSensor::Gpu),
            )?,
            power_mw: optional("nvmlDeviceGetPowerUsage", device.power_usage())?,
            ecc: self.ecc_counts(&device)?,
            throttle_reasons: optional(
                "nvmlDeviceGetCurrentClocksThrottleReasons",
                device.current_throttle_reasons(),
            )?
            .map(|r| ThrottleReason::from_mask(r.bits())),
            xids,
            xids_dropped,
        })
    }

    fn pci_address(&self, gpu: &GpuInfo) -> Option<PciAddress> {
        let pci = self.device(&gpu.uuid).ok()?.pci_info().ok()?;
        Some(PciAddress {
            domain: pci.domain,
            bus: u8::try_from(pci.bus).ok()?,
            device: u8::try_from(pci.device).ok()?,
        })
    }

    fn profile_details(&self, gpu: &GpuInfo) -> Result<Vec<ProfileDetail>, BackendError> {
        if !gpu.mig_enabled() {
            return Ok(Vec::new());
        }
        let device = self.device(&gpu.uuid)?;
        let mut out = Vec::new();
        for index in NvmlProfileIndex::ALL {
            let Some(info) = self.profile_info_v(&device, index.value())? else {
                continue;
            };
            let placements = self
                .possible_placements(&device, info.id())?
                .into_iter()
                .map(|(start, size)| Placement {
                    start: start as u8,
                    size: size as u8,
                })
                .collect();
            let free = self.remaining_capacity(&device, info.id())?;
            out.push(info.detail(free, placements));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_symbols_and_permission_map_to_clear_errors() {
        let e = nvml_error("nvmlFoo")(NvmlError::FailedToLoadSymbol("undefined symbol".into()));
        assert!(matches!(
            e,
            BackendError::MissingSymbol {
                symbol: "nvmlFoo",
                ..
            }
        ));
        assert!(e.to_string().contains("nvmlFoo"));
        let e = nvml_error("nvmlDeviceSetMigMode")(NvmlError::NoPermission);
        assert!(e.to_string().contains("root"), "{e}");
        assert!(check("x", sys::nvmlReturn_enum_NVML_SUCCESS).is_ok());
        let e = check("nvmlX", sys::nvmlReturn_enum_NVML_ERROR_NOT_SUPPORTED).unwrap_err();
        assert!(matches!(e, BackendError::NotSupported { .. }));
    }

    /// On a machine without the NVIDIA driver, init must fail with a clear message, not panic.
    /// Where a driver is present this says nothing and passes.
    #[test]
    fn init_without_a_driver_says_nvml_is_unavailable() {
        if let Err(e) = NvmlBackend::init() {
            let text = e.to_string();
            assert!(
                matches!(
                    e,
                    BackendError::NvmlUnavailable { .. } | BackendError::NoPermission { .. }
                ),
                "{text}"
            );
            assert!(
                text.contains("--backend sim") || text.contains("root"),
                "{text}"
            );
        }
    }
}

#[cfg(test)]
#[path = "nvml_stub_tests.rs"]
mod stub_tests;
