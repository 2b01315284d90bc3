//! Simulated GPU health: readings a test sets and XIDs it injects, reported the way the NVML
//! backend reports them (XIDs drained once reported, like events taken from an NVML event set).

use serde::{Deserialize, Serialize};
use slicebroker_types::agent::{EccCounts, GpuHealth, ThrottleReason, XidEvent};
use slicebroker_types::limits::MAX_XIDS_PER_REPORT;

/// One simulated GPU's sensors and its XIDs not yet reported. `None` readings are reported
/// absent, as NVML's `NotSupported` is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimHealth {
    pub temperature_c: Option<u32>,
    pub power_mw: Option<u32>,
    pub ecc: Option<EccCounts>,
    pub throttle_reasons: Option<Vec<ThrottleReason>>,
    pub pending_xids: Vec<XidEvent>,
}

impl Default for SimHealth {
    /// An idle, healthy H100-class board.
    fn default() -> Self {
        Self {
            temperature_c: Some(34),
            power_mw: Some(62_000),
            ecc: Some(EccCounts::default()),
            throttle_reasons: Some(Vec::new()),
            pending_xids: Vec::new(),
        }
    }
}

/// What a test changes; fields left `None` keep their reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthChange {
    pub temperature_c: Option<u32>,
    pub power_mw: Option<u32>,
    pub ecc: Option<EccCounts>,
    pub throttle_reasons: Option<Vec<ThrottleReason>>,
}

impl SimHealth {
    pub fn apply(&mut self, change: HealthChange) {
        if let Some(t) = change.temperature_c {
            self.temperature_c = Some(t);
        }
        if let Some(p) = change.power_mw {
            self.power_mw = Some(p);
        }
        if let Some(e) = change.ecc {
            self.ecc = Some(e);
        }
        if let Some(r) = change.throttle_reasons {
            self.throttle_reasons = Some(r);
        }
    }

    /// The report's health, taking the pending XIDs (the newest within the bound).
    pub fn take_report(&mut self) -> GpuHealth {
        let xids = std::mem::take(&mut self.pending_xids);
        let (xids, xids_dropped) = bound_xids(xids);
        GpuHealth {
            temperature_c: self.temperature_c,
            power_mw: self.power_mw,
            ecc: self.ecc,
            throttle_reasons: self.throttle_reasons.clone(),
            xids,
            xids_dropped,
        }
    }
}

/// Keeps the newest [`MAX_XIDS_PER_REPORT`] XIDs and counts the rest.
pub fn bound_xids(mut xids: Vec<XidEvent>) -> (Vec<XidEvent>, u32) {
    let excess = xids.len().saturating_sub(MAX_XIDS_PER_REPORT);
    xids.drain(..excess);
    (xids, u32::try_from(excess).unwrap_or(u32::MAX))
}
