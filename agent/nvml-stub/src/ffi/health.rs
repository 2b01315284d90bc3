//! Health entry points: temperature, power, ECC totals, clock event reasons, and XID events
//! through event sets. Readings the state leaves absent are `NVML_ERROR_NOT_SUPPORTED`, as on
//! a board without the sensor. XIDs wait in the state file until a set registered on their GPU
//! takes them (one queue per GPU, so with several sets the first to wait gets each event: the
//! stub's one simplification of the driver, which copies each event to every set); those raised
//! while no set watched the GPU are dropped when one registers, as NVML never delivers them.

use super::types::*;
use super::{Ctx, Obj, call, handle, put};
use crate::ret::Ret;
use crate::state::Health;
use std::ffi::{c_uint, c_ulonglong};
use std::time::{Duration, Instant};

/// `NVML_TEMPERATURE_GPU`.
const TEMPERATURE_GPU: c_uint = 0;
/// `NVML_MEMORY_ERROR_TYPE_CORRECTED` / `_UNCORRECTED`.
const CORRECTED: c_uint = 0;
const UNCORRECTED: c_uint = 1;
/// `NVML_VOLATILE_ECC` / `NVML_AGGREGATE_ECC`.
const VOLATILE: c_uint = 0;
const AGGREGATE: c_uint = 1;
/// `0xFFFFFFFF`: the event hit no particular instance.
const NO_INSTANCE: c_uint = c_uint::MAX;

impl Ctx<'_> {
    fn health(&self, device: nvmlDevice_t) -> Result<&Health, Ret> {
        let g = self.parent(device)?;
        Ok(&self.state.gpus[g].health)
    }

    fn event_set(&self, set: nvmlEventSet_t) -> Result<u64, Ret> {
        match self.handles.get(set.addr())? {
            Obj::EventSet(n) if self.event_sets.contains_key(n) => Ok(*n),
            _ => Err(Ret::InvalidArgument),
        }
    }
}

/// # Safety
///
/// `temp` is valid for a write of one `c_uint`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetTemperature(
    device: nvmlDevice_t,
    sensor: c_uint,
    temp: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetTemperature", |ctx| {
        if sensor != TEMPERATURE_GPU {
            return Err(Ret::InvalidArgument);
        }
        let t = ctx.health(device)?.temperature_c.ok_or(Ret::NotSupported)?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(temp, t) }
    })
}

/// # Safety
///
/// `power` is valid for a write of one `c_uint`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetPowerUsage(
    device: nvmlDevice_t,
    power: *mut c_uint,
) -> nvmlReturn_t {
    call("nvmlDeviceGetPowerUsage", |ctx| {
        let mw = ctx.health(device)?.power_mw.ok_or(Ret::NotSupported)?;
        // SAFETY: the caller's out-parameter.
        unsafe { put(power, mw) }
    })
}

/// # Safety
///
/// `count` is valid for a write of one `unsigned long long`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetTotalEccErrors(
    device: nvmlDevice_t,
    error_type: c_uint,
    counter_type: c_uint,
    count: *mut c_ulonglong,
) -> nvmlReturn_t {
    call("nvmlDeviceGetTotalEccErrors", |ctx| {
        let ecc = ctx.health(device)?.ecc.ok_or(Ret::NotSupported)?;
        let n = match (error_type, counter_type) {
            (CORRECTED, VOLATILE) => ecc.volatile_corrected,
            (UNCORRECTED, VOLATILE) => ecc.volatile_uncorrected,
            (CORRECTED, AGGREGATE) => ecc.aggregate_corrected,
            (UNCORRECTED, AGGREGATE) => ecc.aggregate_uncorrected,
            _ => return Err(Ret::InvalidArgument),
        };
        // SAFETY: the caller's out-parameter.
        unsafe { put(count, n) }
    })
}

/// # Safety
///
/// `reasons` is valid for a write of one `unsigned long long`.
unsafe fn clocks_event_reasons(
    name: &str,
    device: nvmlDevice_t,
    reasons: *mut c_ulonglong,
) -> nvmlReturn_t {
    call(name, |ctx| {
        let mask = ctx
            .health(device)?
            .clocks_event_reasons
            .ok_or(Ret::NotSupported)?;
        // SAFETY: the caller's out-parameter, per this function's contract.
        unsafe { put(reasons, mask) }
    })
}

/// The current name (`nvmlDeviceGetCurrentClocksEventReasons`).
///
/// # Safety
///
/// `reasons` is valid for a write of one `unsigned long long`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetCurrentClocksEventReasons(
    device: nvmlDevice_t,
    reasons: *mut c_ulonglong,
) -> nvmlReturn_t {
    // SAFETY: passed on under the same contract.
    unsafe { clocks_event_reasons("nvmlDeviceGetCurrentClocksEventReasons", device, reasons) }
}

/// The deprecated name nvml-wrapper 0.13 calls; same answer.
///
/// # Safety
///
/// `reasons` is valid for a write of one `unsigned long long`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlDeviceGetCurrentClocksThrottleReasons(
    device: nvmlDevice_t,
    reasons: *mut c_ulonglong,
) -> nvmlReturn_t {
    // SAFETY: passed on under the same contract.
    unsafe { clocks_event_reasons("nvmlDeviceGetCurrentClocksThrottleReasons", device, reasons) }
}

/// # Safety
///
/// `set` is valid for a write of one handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlEventSetCreate(set: *mut nvmlEventSet_t) -> nvmlReturn_t {
    call("nvmlEventSetCreate", |ctx| {
        *ctx.next_event_set += 1;
        let n = *ctx.next_event_set;
        ctx.event_sets.insert(n, Vec::new());
        let h = handle(ctx.handles.of(Obj::EventSet(n)));
        // SAFETY: the caller's out-parameter.
        unsafe { put(set, h) }
    })
}

/// Only XID events are modelled: asking for any other type is `NOT_SUPPORTED` (nvml.h: "some
/// of requested event types" unsupported), and MIG device handles are refused, as for every
/// device-wide call.
#[unsafe(no_mangle)]
pub extern "C" fn nvmlDeviceRegisterEvents(
    device: nvmlDevice_t,
    event_types: c_ulonglong,
    set: nvmlEventSet_t,
) -> nvmlReturn_t {
    call("nvmlDeviceRegisterEvents", |ctx| {
        let g = ctx.parent(device)?;
        let n = ctx.event_set(set)?;
        if event_types & !NVML_EVENT_TYPE_XID_CRITICAL_ERROR != 0 {
            return Err(Ret::NotSupported);
        }
        let uuid = ctx.state.gpus[g].uuid.clone();
        // NVML records a GPU's events from its registration on: XIDs raised while no set
        // watched the GPU are never delivered (the driver's kernel log has them).
        if !ctx.event_sets.values().any(|r| r.contains(&uuid)) {
            ctx.state.gpus[g].health.xids.clear();
        }
        let registered = ctx.event_sets.get_mut(&n).expect("checked above");
        if !registered.contains(&uuid) {
            registered.push(uuid);
        }
        Ok(())
    })
}

/// Takes the oldest XID of a GPU registered on `set`, waiting up to `timeoutms` for one;
/// `NVML_ERROR_TIMEOUT` when none came.
///
/// # Safety
///
/// `data` is valid for a write of one `nvmlEventData_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nvmlEventSetWait_v2(
    set: nvmlEventSet_t,
    data: *mut nvmlEventData_t,
    timeoutms: c_uint,
) -> nvmlReturn_t {
    let deadline = Instant::now() + Duration::from_millis(u64::from(timeoutms));
    loop {
        let code = call("nvmlEventSetWait_v2", |ctx| {
            let n = ctx.event_set(set)?;
            // Refused before anything is taken from the queue.
            if data.is_null() {
                return Err(Ret::InvalidArgument);
            }
            let registered = ctx.event_sets[&n].clone();
            let Some(g) = ctx
                .state
                .gpus
                .iter()
                .position(|g| registered.contains(&g.uuid) && !g.health.xids.is_empty())
            else {
                return Err(Ret::Timeout);
            };
            let xid = ctx.state.gpus[g].health.xids.remove(0);
            let event = nvmlEventData_t {
                device: ctx.gpu_handle(g),
                eventType: NVML_EVENT_TYPE_XID_CRITICAL_ERROR,
                eventData: xid.xid,
                gpuInstanceId: xid.gpu_instance_id.unwrap_or(NO_INSTANCE),
                computeInstanceId: xid.compute_instance_id.unwrap_or(NO_INSTANCE),
            };
            // SAFETY: the caller's out-parameter.
            unsafe { put(data, event) }
        });
        if code != Ret::Timeout.code() || Instant::now() >= deadline {
            return code;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn nvmlEventSetFree(set: nvmlEventSet_t) -> nvmlReturn_t {
    call("nvmlEventSetFree", |ctx| {
        let n = ctx.event_set(set)?;
        ctx.event_sets.remove(&n);
        ctx.handles.forget(set.addr());
        Ok(())
    })
}
