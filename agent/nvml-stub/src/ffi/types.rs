//! The C types of `nvml.h` (API v13) the stub's entry points take, transcribed from the header
//! rather than taken from a binding crate, and checked against nvml-wrapper-sys's
//! bindgen-generated layout in the tests: two independent readings of the header that agree.
#![allow(non_camel_case_types, non_snake_case)]

use std::ffi::{c_char, c_uint, c_ulonglong};

pub type nvmlReturn_t = c_uint;

/// Opaque handle types: pointers the stub hands out and never dereferences.
#[repr(C)]
#[derive(Debug)]
pub struct nvmlDevice_st {
    _opaque: [u8; 0],
}
pub type nvmlDevice_t = *mut nvmlDevice_st;

#[repr(C)]
#[derive(Debug)]
pub struct nvmlGpuInstance_st {
    _opaque: [u8; 0],
}
pub type nvmlGpuInstance_t = *mut nvmlGpuInstance_st;

#[repr(C)]
#[derive(Debug)]
pub struct nvmlComputeInstance_st {
    _opaque: [u8; 0],
}
pub type nvmlComputeInstance_t = *mut nvmlComputeInstance_st;

#[repr(C)]
#[derive(Debug)]
pub struct nvmlGpmSample_st {
    _opaque: [u8; 0],
}
pub type nvmlGpmSample_t = *mut nvmlGpmSample_st;

#[repr(C)]
#[derive(Debug)]
pub struct nvmlEventSet_st {
    _opaque: [u8; 0],
}
pub type nvmlEventSet_t = *mut nvmlEventSet_st;

/// `nvmlEventData_t`: one event taken from a set; the instance ids are `0xFFFFFFFF` off MIG.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlEventData_t {
    pub device: nvmlDevice_t,
    pub eventType: c_ulonglong,
    pub eventData: c_ulonglong,
    pub gpuInstanceId: c_uint,
    pub computeInstanceId: c_uint,
}

/// `nvmlEventTypeXidCriticalError`.
pub const NVML_EVENT_TYPE_XID_CRITICAL_ERROR: c_ulonglong = 0x8;

pub const NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE: usize = 32;
pub const NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE: usize = 16;
pub const NVML_DEVICE_NAME_V2_BUFFER_SIZE: usize = 96;
pub const NVML_DEVICE_MIG_DISABLE: c_uint = 0;
pub const NVML_DEVICE_MIG_ENABLE: c_uint = 1;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlPciInfo_t {
    pub busIdLegacy: [c_char; NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE],
    pub domain: c_uint,
    pub bus: c_uint,
    pub device: c_uint,
    pub pciDeviceId: c_uint,
    pub pciSubSystemId: c_uint,
    pub busId: [c_char; NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE],
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlMemory_v2_t {
    pub version: c_uint,
    pub total: c_ulonglong,
    pub reserved: c_ulonglong,
    pub free: c_ulonglong,
    pub used: c_ulonglong,
}

/// `nvmlProcessInfo_t` is `nvmlProcessInfo_v2_t` in API v13.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlProcessInfo_t {
    pub pid: c_uint,
    pub usedGpuMemory: c_ulonglong,
    pub gpuInstanceId: c_uint,
    pub computeInstanceId: c_uint,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpuInstancePlacement_t {
    /// Index of the first occupied memory slice.
    pub start: c_uint,
    /// Number of memory slices occupied.
    pub size: c_uint,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpuInstanceProfileInfo_t {
    pub id: c_uint,
    pub isP2pSupported: c_uint,
    pub sliceCount: c_uint,
    pub instanceCount: c_uint,
    pub multiprocessorCount: c_uint,
    pub copyEngineCount: c_uint,
    pub decoderCount: c_uint,
    pub encoderCount: c_uint,
    pub jpegCount: c_uint,
    pub ofaCount: c_uint,
    pub memorySizeMB: c_ulonglong,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpuInstanceProfileInfo_v2_t {
    pub version: c_uint,
    pub id: c_uint,
    pub isP2pSupported: c_uint,
    pub sliceCount: c_uint,
    pub instanceCount: c_uint,
    pub multiprocessorCount: c_uint,
    pub copyEngineCount: c_uint,
    pub decoderCount: c_uint,
    pub encoderCount: c_uint,
    pub jpegCount: c_uint,
    pub ofaCount: c_uint,
    pub memorySizeMB: c_ulonglong,
    pub name: [c_char; NVML_DEVICE_NAME_V2_BUFFER_SIZE],
}

/// v3 drops `isP2pSupported` for a `capabilities` bit mask at the end.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpuInstanceProfileInfo_v3_t {
    pub version: c_uint,
    pub id: c_uint,
    pub sliceCount: c_uint,
    pub instanceCount: c_uint,
    pub multiprocessorCount: c_uint,
    pub copyEngineCount: c_uint,
    pub decoderCount: c_uint,
    pub encoderCount: c_uint,
    pub jpegCount: c_uint,
    pub ofaCount: c_uint,
    pub memorySizeMB: c_ulonglong,
    pub name: [c_char; NVML_DEVICE_NAME_V2_BUFFER_SIZE],
    pub capabilities: c_uint,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpuInstanceInfo_t {
    pub device: nvmlDevice_t,
    pub id: c_uint,
    pub profileId: c_uint,
    pub placement: nvmlGpuInstancePlacement_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlComputeInstancePlacement_t {
    pub start: c_uint,
    pub size: c_uint,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlComputeInstanceProfileInfo_t {
    pub id: c_uint,
    pub sliceCount: c_uint,
    pub instanceCount: c_uint,
    pub multiprocessorCount: c_uint,
    pub sharedCopyEngineCount: c_uint,
    pub sharedDecoderCount: c_uint,
    pub sharedEncoderCount: c_uint,
    pub sharedJpegCount: c_uint,
    pub sharedOfaCount: c_uint,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlComputeInstanceInfo_t {
    pub device: nvmlDevice_t,
    pub gpuInstance: nvmlGpuInstance_t,
    pub id: c_uint,
    pub profileId: c_uint,
    pub placement: nvmlComputeInstancePlacement_t,
}

/// `NVML_GPM_METRIC_MAX` in API v13: the size of `nvmlGpmMetricsGet_t.metrics`.
pub const NVML_GPM_METRIC_MAX: usize = 210;
pub const NVML_GPM_METRICS_GET_VERSION: c_uint = 1;
pub const NVML_GPM_SUPPORT_VERSION: c_uint = 1;
pub const NVML_GPM_METRIC_GRAPHICS_UTIL: c_uint = 1;
pub const NVML_GPM_METRIC_SM_UTIL: c_uint = 2;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpmMetricInfo_t {
    pub shortName: *mut c_char,
    pub longName: *mut c_char,
    pub unit: *mut c_char,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpmMetric_t {
    pub metricId: c_uint,
    pub nvmlReturn: nvmlReturn_t,
    pub value: f64,
    pub metricInfo: nvmlGpmMetricInfo_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpmMetricsGet_t {
    pub version: c_uint,
    pub numMetrics: c_uint,
    pub sample1: nvmlGpmSample_t,
    pub sample2: nvmlGpmSample_t,
    pub metrics: [nvmlGpmMetric_t; NVML_GPM_METRIC_MAX],
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct nvmlGpmSupport_t {
    pub version: c_uint,
    pub isSupportedDevice: c_uint,
}

/// `NVML_STRUCT_VERSION(data, ver)`: the struct's size with the version in the top byte.
pub const fn struct_version(size: usize, version: u32) -> c_uint {
    size as c_uint | (version << 24)
}

pub const NVML_MEMORY_V2: c_uint = struct_version(size_of::<nvmlMemory_v2_t>(), 2);
pub const NVML_GPU_INSTANCE_PROFILE_INFO_V2: c_uint =
    struct_version(size_of::<nvmlGpuInstanceProfileInfo_v2_t>(), 2);
pub const NVML_GPU_INSTANCE_PROFILE_INFO_V3: c_uint =
    struct_version(size_of::<nvmlGpuInstanceProfileInfo_v3_t>(), 3);

#[cfg(test)]
mod tests {
    use super::*;
    use nvml_wrapper_sys::bindings as sys;
    use std::mem::{align_of, offset_of, size_of};

    macro_rules! same_layout {
        ($ours:ty, $theirs:ty, [$($field:ident),*]) => {
            assert_eq!(size_of::<$ours>(), size_of::<$theirs>(), stringify!($ours));
            assert_eq!(align_of::<$ours>(), align_of::<$theirs>(), stringify!($ours));
            $(assert_eq!(
                offset_of!($ours, $field),
                offset_of!($theirs, $field),
                concat!(stringify!($ours), ".", stringify!($field))
            );)*
        };
    }

    #[test]
    fn structs_lay_out_as_bindgen_reads_nvml_h() {
        same_layout!(
            nvmlPciInfo_t,
            sys::nvmlPciInfo_t,
            [
                busIdLegacy,
                domain,
                bus,
                device,
                pciDeviceId,
                pciSubSystemId,
                busId
            ]
        );
        same_layout!(
            nvmlEventData_t,
            sys::nvmlEventData_t,
            [
                device,
                eventType,
                eventData,
                gpuInstanceId,
                computeInstanceId
            ]
        );
        same_layout!(
            nvmlMemory_v2_t,
            sys::nvmlMemory_v2_t,
            [version, total, reserved, free, used]
        );
        same_layout!(
            nvmlProcessInfo_t,
            sys::nvmlProcessInfo_t,
            [pid, usedGpuMemory, gpuInstanceId, computeInstanceId]
        );
        same_layout!(
            nvmlGpuInstancePlacement_t,
            sys::nvmlGpuInstancePlacement_t,
            [start, size]
        );
        same_layout!(
            nvmlGpuInstanceProfileInfo_t,
            sys::nvmlGpuInstanceProfileInfo_t,
            [
                id,
                isP2pSupported,
                sliceCount,
                instanceCount,
                multiprocessorCount,
                copyEngineCount,
                decoderCount,
                encoderCount,
                jpegCount,
                ofaCount,
                memorySizeMB
            ]
        );
        same_layout!(
            nvmlGpuInstanceProfileInfo_v2_t,
            sys::nvmlGpuInstanceProfileInfo_v2_t,
            [
                version,
                id,
                isP2pSupported,
                sliceCount,
                instanceCount,
                multiprocessorCount,
                memorySizeMB,
                name
            ]
        );
        same_layout!(
            nvmlGpuInstanceProfileInfo_v3_t,
            sys::nvmlGpuInstanceProfileInfo_v3_t,
            [
                version,
                id,
                sliceCount,
                instanceCount,
                multiprocessorCount,
                ofaCount,
                memorySizeMB,
                name,
                capabilities
            ]
        );
        same_layout!(
            nvmlGpuInstanceInfo_t,
            sys::nvmlGpuInstanceInfo_t,
            [device, id, profileId, placement]
        );
        same_layout!(
            nvmlComputeInstanceProfileInfo_t,
            sys::nvmlComputeInstanceProfileInfo_t,
            [
                id,
                sliceCount,
                instanceCount,
                multiprocessorCount,
                sharedCopyEngineCount,
                sharedOfaCount
            ]
        );
        same_layout!(
            nvmlComputeInstanceInfo_t,
            sys::nvmlComputeInstanceInfo_t,
            [device, gpuInstance, id, profileId, placement]
        );
        same_layout!(
            nvmlGpmMetric_t,
            sys::nvmlGpmMetric_t,
            [metricId, nvmlReturn, value, metricInfo]
        );
        same_layout!(
            nvmlGpmMetricsGet_t,
            sys::nvmlGpmMetricsGet_t,
            [version, numMetrics, sample1, sample2, metrics]
        );
        same_layout!(
            nvmlGpmSupport_t,
            sys::nvmlGpmSupport_t,
            [version, isSupportedDevice]
        );
    }

    #[test]
    fn constants_match_the_header() {
        assert_eq!(
            NVML_GPM_METRIC_MAX,
            sys::nvmlGpmMetricId_t_NVML_GPM_METRIC_MAX as usize
        );
        assert_eq!(
            NVML_GPM_METRICS_GET_VERSION,
            sys::NVML_GPM_METRICS_GET_VERSION
        );
        assert_eq!(NVML_GPM_SUPPORT_VERSION, sys::NVML_GPM_SUPPORT_VERSION);
        assert_eq!(
            NVML_GPM_METRIC_SM_UTIL,
            sys::nvmlGpmMetricId_t_NVML_GPM_METRIC_SM_UTIL
        );
        assert_eq!(NVML_DEVICE_MIG_ENABLE, sys::NVML_DEVICE_MIG_ENABLE);
        assert_eq!(
            NVML_EVENT_TYPE_XID_CRITICAL_ERROR,
            u64::from(sys::nvmlEventTypeXidCriticalError)
        );
        assert_eq!(
            NVML_DEVICE_NAME_V2_BUFFER_SIZE as u32,
            sys::NVML_DEVICE_NAME_V2_BUFFER_SIZE
        );
        // NVML_STRUCT_VERSION(Memory, 2): 40 bytes, version 2.
        assert_eq!(NVML_MEMORY_V2, 40 | 2 << 24);
        assert_eq!(NVML_GPU_INSTANCE_PROFILE_INFO_V2, 152 | 2 << 24);
        assert_eq!(NVML_GPU_INSTANCE_PROFILE_INFO_V3, 152 | 3 << 24);
    }
}
