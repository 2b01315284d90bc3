//! GPM (GPU Performance Monitoring) entry points: supported from Hopper on, and
//! `NVML_ERROR_NOT_SUPPORTED` on A100 and A30, as NVML documents. A sample records how busy
//! the GPU or GPU instance is (its processes' `activity`); `SM_UTIL` and `GRAPHICS_UTIL`
//! between two samples are the mean of the two, in percent.

use super::types::*;
use super::{Ctx, Obj, Sample, call, get, handle, put};
use crate::driver;
use crate::ret::Ret;
use std::ffi::{c_char, c_uint};

impl Ctx<'_> {
    fn sample_id(&self, sample: nvmlGpmSample_t) -> Result<u64, Ret> {
        match self.handles.get(sample.addr())? {
            Obj::GpmSample(n) => Ok(*n),
            _ => Err(Ret::InvalidArgument),
        }
    }

    fn gpm_gpu(&self, device: nvmlDevice_t) -> Result<usize, Ret> {
        let g = self.parent(device)?;
        if driver::board(&self.state.gpus[g]).arch.has_gpm() {
            Ok(g)
        } else {
            Err(Ret::NotSupported)
        }
    }

    fn fill(&mut self, sample: nvmlGpmSample_t, filled: Sample) -> Result<(), Ret> {
        let n = self.sample_id(sample)?;
        self.samples.insert(n, Some(filled));
        Ok(())
    }
}

/// `isSupportedDevice` is 1 from Hopper on; the struct's `version` must be
/// `NVML_GPM_SUPPORT_VERSION`.
///
/// # Safety
///
/// `gpm_support` is valid for reads and writes of one `nvmlGpmSupport_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpmQueryDeviceSupport(
    device: nvmlDevice_t,
    gpm_support: *mut nvmlGpmSupport_t,
) -> nvmlReturn_t {
    call("nvmlGpmQueryDeviceSupport", |ctx| {
        // SAFETY: the caller's in/out struct.
        let mut support = unsafe { get(gpm_support) }?;
        if support.version != NVML_GPM_SUPPORT_VERSION {
            return Err(Ret::ArgumentVersionMismatch);
        }
        let g = ctx.parent(device)?;
        support.isSupportedDevice = c_uint::from(driver::board(&ctx.state.gpus[g]).arch.has_gpm());
        // SAFETY: the caller's in/out struct.
        unsafe { put(gpm_support, support) }
    })
}

/// # Safety
///
/// `gpm_sample` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpmSampleAlloc(gpm_sample: *mut nvmlGpmSample_t) -> nvmlReturn_t {
    call("nvmlGpmSampleAlloc", |ctx| {
        if gpm_sample.is_null() {
            return Err(Ret::InvalidArgument);
        }
        *ctx.next_sample += 1;
        let n = *ctx.next_sample;
        ctx.samples.insert(n, None);
        let h = handle(ctx.handles.of(Obj::GpmSample(n)));
        // SAFETY: the caller's out-parameter.
        unsafe { put(gpm_sample, h) }
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn nvmlGpmSampleFree(gpm_sample: nvmlGpmSample_t) -> nvmlReturn_t {
    call("nvmlGpmSampleFree", |ctx| {
        let n = ctx.sample_id(gpm_sample)?;
        ctx.samples.remove(&n);
        ctx.handles.forget(gpm_sample.addr());
        Ok(())
    })
}

/// A sample of the whole GPU.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlGpmSampleGet(
    device: nvmlDevice_t,
    gpm_sample: nvmlGpmSample_t,
) -> nvmlReturn_t {
    call("nvmlGpmSampleGet", |ctx| {
        let g = ctx.gpm_gpu(device)?;
        let gpu = &ctx.state.gpus[g];
        let filled = Sample {
            gpu: gpu.uuid.clone(),
            gpu_instance: None,
            activity: driver::activity_gpu(ctx.state, gpu),
        };
        ctx.fill(gpm_sample, filled)
    })
}

/// A sample of one GPU instance, by id.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlGpmMigSampleGet(
    device: nvmlDevice_t,
    gpu_instance_id: c_uint,
    gpm_sample: nvmlGpmSample_t,
) -> nvmlReturn_t {
    call("nvmlGpmMigSampleGet", |ctx| {
        let g = ctx.gpm_gpu(device)?;
        let gpu = &ctx.state.gpus[g];
        if !gpu.mig.current {
            return Err(Ret::NotSupported);
        }
        let gi = gpu
            .gpu_instances
            .iter()
            .find(|gi| gi.id == gpu_instance_id)
            .ok_or(Ret::InvalidArgument)?;
        let filled = Sample {
            gpu: gpu.uuid.clone(),
            gpu_instance: Some(gi.id),
            activity: driver::activity(ctx.state, gi),
        };
        ctx.fill(gpm_sample, filled)
    })
}

/// Metrics between two samples of the same GPU or GPU instance. `version` must be
/// `NVML_GPM_METRICS_GET_VERSION` and `numMetrics` at most `NVML_GPM_METRIC_MAX`; each metric
/// gets its own return code (`NVML_ERROR_NOT_SUPPORTED` for those the stub does not model).
///
/// # Safety
///
/// `metrics_get` is valid for reads and writes of one `nvmlGpmMetricsGet_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlGpmMetricsGet(metrics_get: *mut nvmlGpmMetricsGet_t) -> nvmlReturn_t {
    call("nvmlGpmMetricsGet", |ctx| {
        // SAFETY: the caller's in/out struct.
        let mut req = unsafe { get(metrics_get) }?;
        if req.version != NVML_GPM_METRICS_GET_VERSION {
            return Err(Ret::ArgumentVersionMismatch);
        }
        if req.numMetrics as usize > NVML_GPM_METRIC_MAX {
            return Err(Ret::InvalidArgument);
        }
        let taken = |s| -> Result<Sample, Ret> {
            let n = ctx.sample_id(s)?;
            ctx.samples
                .get(&n)
                .cloned()
                .flatten()
                .ok_or(Ret::InvalidArgument)
        };
        let (a, b) = (taken(req.sample1)?, taken(req.sample2)?);
        if a.gpu != b.gpu || a.gpu_instance != b.gpu_instance {
            return Err(Ret::InvalidArgument);
        }
        let busy = (a.activity + b.activity) / 2.0 * 100.0;
        for m in &mut req.metrics[..req.numMetrics as usize] {
            let (value, short, long) = match m.metricId {
                NVML_GPM_METRIC_SM_UTIL => (busy, c"sm_util", c"SM utilization"),
                NVML_GPM_METRIC_GRAPHICS_UTIL => (busy, c"gr_util", c"Graphics utilization"),
                _ => {
                    m.nvmlReturn = Ret::NotSupported.code();
                    continue;
                }
            };
            m.nvmlReturn = crate::ret::NVML_SUCCESS;
            m.value = value;
            m.metricInfo = nvmlGpmMetricInfo_t {
                shortName: short.as_ptr().cast_mut(),
                longName: long.as_ptr().cast_mut(),
                unit: c"%".as_ptr().cast_mut().cast::<c_char>(),
            };
        }
        // SAFETY: the caller's in/out struct.
        unsafe { put(metrics_get, req) }
    })
}
