//! The entry points called as C would call them: out-parameters, versioned structs, buffer
//! sizes, stale handles. One test, because the library's init count and handles are
//! process-wide.

use super::device::*;
use super::gpm::*;
use super::mig::*;
use super::types::*;
use super::*;
use crate::state::State;
use std::ptr;

const OK: nvmlReturn_t = crate::ret::NVML_SUCCESS;

fn code(r: Ret) -> nvmlReturn_t {
    r.code()
}

#[test]
fn the_c_entry_points_follow_nvml_h() {
    let dir = std::env::temp_dir().join(format!("nvml-stub-ffi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(STATE_FILE_NAME);
    State::new(&["a100-40gb", "h100-80gb"], 2)
        .unwrap()
        .save(&path)
        .unwrap();
    let mut count: c_uint = 0;
    // SAFETY (all calls below): every pointer is to a live local of the type nvml.h names.
    unsafe {
        assert_eq!(nvmlDeviceGetCount_v2(&mut count), code(Ret::Uninitialized));
        use_state_file(&path);
        assert_eq!(nvmlInit_v2(), OK);
        assert_eq!(nvmlDeviceGetCount_v2(&mut count), OK);
        assert_eq!(count, 2);
        assert_eq!(
            nvmlDeviceGetCount_v2(ptr::null_mut()),
            code(Ret::InvalidArgument)
        );

        let mut a100: nvmlDevice_t = ptr::null_mut();
        let mut h100: nvmlDevice_t = ptr::null_mut();
        assert_eq!(nvmlDeviceGetHandleByIndex_v2(0, &mut a100), OK);
        assert_eq!(nvmlDeviceGetHandleByIndex_v2(1, &mut h100), OK);
        assert_eq!(
            nvmlDeviceGetHandleByIndex_v2(2, &mut h100),
            code(Ret::InvalidArgument)
        );
        let mut name = [0 as c_char; 96];
        assert_eq!(nvmlDeviceGetName(a100, name.as_mut_ptr(), 96), OK);
        assert_eq!(CStr::from_ptr(name.as_ptr()), c"NVIDIA A100-SXM4-40GB");
        assert_eq!(
            nvmlDeviceGetName(a100, name.as_mut_ptr(), 5),
            code(Ret::InsufficientSize)
        );

        // nvmlMemory_v2_t: the version must be NVML_STRUCT_VERSION(Memory, 2).
        let mut mem = nvmlMemory_v2_t {
            version: 2,
            total: 0,
            reserved: 0,
            free: 0,
            used: 0,
        };
        assert_eq!(
            nvmlDeviceGetMemoryInfo_v2(a100, &mut mem),
            code(Ret::ArgumentVersionMismatch)
        );
        mem.version = NVML_MEMORY_V2;
        assert_eq!(nvmlDeviceGetMemoryInfo_v2(a100, &mut mem), OK);
        assert_eq!(mem.total, 40_960 * 1024 * 1024);

        // The versioned profile info takes v3 (and v2), nothing else.
        let mut v3 = nvmlGpuInstanceProfileInfo_v3_t {
            version: NVML_GPU_INSTANCE_PROFILE_INFO_V3,
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
        };
        let as_v2 = ptr::from_mut(&mut v3).cast::<nvmlGpuInstanceProfileInfo_v2_t>();
        assert_eq!(nvmlDeviceGetGpuInstanceProfileInfoV(a100, 1, as_v2), OK);
        assert_eq!((v3.id, v3.sliceCount, v3.memorySizeMB), (14, 2, 9856));
        assert_eq!(CStr::from_ptr(v3.name.as_ptr()), c"MIG 2g.10gb");
        v3.version = NVML_GPU_INSTANCE_PROFILE_INFO_V3 - 1;
        let as_v2 = ptr::from_mut(&mut v3).cast::<nvmlGpuInstanceProfileInfo_v2_t>();
        assert_eq!(
            nvmlDeviceGetGpuInstanceProfileInfoV(a100, 1, as_v2),
            code(Ret::ArgumentVersionMismatch)
        );

        // Placements: a null array asks for the count, in memory slices.
        let mut n: c_uint = 0;
        assert_eq!(
            nvmlDeviceGetGpuInstancePossiblePlacements_v2(a100, 14, ptr::null_mut(), &mut n),
            OK
        );
        let mut list = vec![nvmlGpuInstancePlacement_t { start: 9, size: 9 }; n as usize];
        assert_eq!(
            nvmlDeviceGetGpuInstancePossiblePlacements_v2(a100, 14, list.as_mut_ptr(), &mut n),
            OK
        );
        let starts: Vec<_> = list.iter().map(|p| (p.start, p.size)).collect();
        assert_eq!(starts, [(0, 2), (2, 2), (4, 2)]);

        // A GPU instance and its compute instance, then the refusals.
        let at = nvmlGpuInstancePlacement_t { start: 2, size: 2 };
        let mut gi: nvmlGpuInstance_t = ptr::null_mut();
        assert_eq!(
            nvmlDeviceCreateGpuInstanceWithPlacement(a100, 14, &at, &mut gi),
            OK
        );
        let mut other: nvmlGpuInstance_t = ptr::null_mut();
        assert_eq!(
            nvmlDeviceCreateGpuInstanceWithPlacement(a100, 14, &at, &mut other),
            code(Ret::InsufficientResources)
        );
        let mut handles = [ptr::null_mut(); 3];
        let mut found: c_uint = 0;
        assert_eq!(
            nvmlDeviceGetGpuInstances(a100, 14, handles.as_mut_ptr(), &mut found),
            OK
        );
        assert_eq!((found, handles[0]), (1, gi));
        let mut ci_info_p = nvmlComputeInstanceProfileInfo_t {
            id: 0,
            sliceCount: 0,
            instanceCount: 0,
            multiprocessorCount: 0,
            sharedCopyEngineCount: 0,
            sharedDecoderCount: 0,
            sharedEncoderCount: 0,
            sharedJpegCount: 0,
            sharedOfaCount: 0,
        };
        assert_eq!(
            nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, 1, 0, &mut ci_info_p),
            OK
        );
        assert_eq!(
            (ci_info_p.sliceCount, ci_info_p.multiprocessorCount),
            (2, 28)
        );
        let mut ci: nvmlComputeInstance_t = ptr::null_mut();
        assert_eq!(
            nvmlGpuInstanceCreateComputeInstance(gi, ci_info_p.id, &mut ci),
            OK
        );
        let mut info = nvmlComputeInstanceInfo_t {
            device: ptr::null_mut(),
            gpuInstance: ptr::null_mut(),
            id: 9,
            profileId: 9,
            placement: nvmlComputeInstancePlacement_t { start: 9, size: 9 },
        };
        assert_eq!(nvmlComputeInstanceGetInfo_v2(ci, &mut info), OK);
        assert_eq!((info.gpuInstance, info.id, info.placement.size), (gi, 0, 2));
        let mut uuid = [0 as c_char; 96];
        assert_eq!(nvmlDeviceGetUUID(info.device, uuid.as_mut_ptr(), 96), OK);
        assert!(
            CStr::from_ptr(uuid.as_ptr())
                .to_str()
                .unwrap()
                .starts_with("MIG-")
        );

        // A process on the MIG device: counted first, then listed.
        let mig = CStr::from_ptr(uuid.as_ptr()).to_str().unwrap().to_owned();
        State::edit(&path, |s| s.add_process(std::process::id(), &mig, 64, 0.0)).unwrap();
        let mut procs: c_uint = 0;
        assert_eq!(
            nvmlDeviceGetComputeRunningProcesses_v3(info.device, &mut procs, ptr::null_mut()),
            code(Ret::InsufficientSize)
        );
        assert_eq!(procs, 1);
        let mut out = [nvmlProcessInfo_t {
            pid: 0,
            usedGpuMemory: 0,
            gpuInstanceId: 0,
            computeInstanceId: 0,
        }; 2];
        procs = 2;
        assert_eq!(
            nvmlDeviceGetComputeRunningProcesses_v3(info.device, &mut procs, out.as_mut_ptr()),
            OK
        );
        assert_eq!(
            (procs, out[0].pid, out[0].usedGpuMemory),
            (1, std::process::id(), 64 << 20)
        );
        assert_eq!(nvmlComputeInstanceDestroy(ci), code(Ret::InUse));
        assert_eq!(nvmlGpuInstanceDestroy(gi), code(Ret::InUse));
        State::edit(&path, |s| s.processes.clear()).unwrap();
        assert_eq!(nvmlComputeInstanceDestroy(ci), OK);
        assert_eq!(nvmlGpuInstanceDestroy(gi), OK);
        // Handles to destroyed instances are invalid, also once the id is taken again.
        assert_eq!(
            nvmlDeviceCreateGpuInstanceWithPlacement(a100, 14, &at, &mut other),
            OK
        );
        assert_ne!(other, gi);
        assert_eq!(nvmlGpuInstanceDestroy(gi), code(Ret::InvalidArgument));
        assert_eq!(
            nvmlComputeInstanceGetInfo_v2(ci, &mut info),
            code(Ret::InvalidArgument)
        );
        // A device handle is not a GPU-instance handle.
        assert_eq!(
            nvmlGpuInstanceDestroy(a100.cast()),
            code(Ret::InvalidArgument)
        );

        // GPM: Hopper measures, A100 does not.
        let mut support = nvmlGpmSupport_t {
            version: NVML_GPM_SUPPORT_VERSION,
            isSupportedDevice: 9,
        };
        assert_eq!(nvmlGpmQueryDeviceSupport(a100, &mut support), OK);
        assert_eq!(support.isSupportedDevice, 0);
        let (mut s1, mut s2): (nvmlGpmSample_t, nvmlGpmSample_t) =
            (ptr::null_mut(), ptr::null_mut());
        assert_eq!(nvmlGpmSampleAlloc(&mut s1), OK);
        assert_eq!(nvmlGpmSampleAlloc(&mut s2), OK);
        assert_eq!(nvmlGpmSampleGet(a100, s1), code(Ret::NotSupported));
        assert_eq!(nvmlGpmSampleGet(h100, s1), OK);
        assert_eq!(nvmlGpmSampleGet(h100, s2), OK);
        let mut req: Box<nvmlGpmMetricsGet_t> = Box::new(std::mem::zeroed());
        req.version = NVML_GPM_METRICS_GET_VERSION;
        req.numMetrics = 2;
        req.sample1 = s1;
        req.sample2 = s2;
        req.metrics[0].metricId = NVML_GPM_METRIC_SM_UTIL;
        req.metrics[1].metricId = 10;
        assert_eq!(nvmlGpmMetricsGet(&mut *req), OK);
        assert_eq!((req.metrics[0].nvmlReturn, req.metrics[0].value), (OK, 0.0));
        assert_eq!(req.metrics[1].nvmlReturn, code(Ret::NotSupported));
        assert_eq!(nvmlGpmSampleFree(s1), OK);
        assert_eq!(nvmlGpmSampleFree(s1), code(Ret::InvalidArgument));

        assert_eq!(
            CStr::from_ptr(nvmlErrorString(code(Ret::InUse))),
            c"In use by another client"
        );
        assert_eq!(nvmlShutdown(), OK);
        assert_eq!(nvmlDeviceGetCount_v2(&mut count), code(Ret::Uninitialized));
        assert_eq!(nvmlShutdown(), code(Ret::Uninitialized));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
