//! GPU health as the agent reports it with each observed report (issue 18, "Instance health"):
//! temperature, power, ECC counts, clock throttle reasons and the XID errors seen since the last
//! report, with the MIG instance each hit where NVML says. Every reading is optional because
//! NVML answers `NotSupported` for many of them on many boards: absent means "not measured",
//! never zero.

use serde::{Deserialize, Serialize};

/// One GPU's health at report time.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuHealth {
    /// `nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)`, degrees Celsius.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature_c: Option<u32>,
    /// `nvmlDeviceGetPowerUsage`, milliwatts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_mw: Option<u32>,
    /// `nvmlDeviceGetTotalEccErrors`; absent where ECC is off or unsupported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecc: Option<EccCounts>,
    /// `nvmlDeviceGetCurrentClocksEventReasons` (formerly `...ThrottleReasons`) as names;
    /// absent where unsupported, empty when the clocks run free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttle_reasons: Option<Vec<ThrottleReason>>,
    /// XID errors since the previous report, oldest first; at most 64
    /// (`limits::MAX_XIDS_PER_REPORT`), the newest kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xids: Vec<XidEvent>,
    /// XIDs seen but left out of `xids` to keep within the bound.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub xids_dropped: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// ECC error counts since the driver loaded (volatile) and over the GPU's life (aggregate).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EccCounts {
    pub volatile_corrected: u64,
    pub volatile_uncorrected: u64,
    pub aggregate_corrected: u64,
    pub aggregate_uncorrected: u64,
}

/// Why the clocks are held down: NVML's `nvmlClocksEventReason*` bits, a closed set so metrics
/// label on them without unbounded cardinality.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleReason {
    GpuIdle,
    ApplicationsClocksSetting,
    SwPowerCap,
    HwSlowdown,
    SyncBoost,
    SwThermalSlowdown,
    HwThermalSlowdown,
    HwPowerBrakeSlowdown,
    DisplayClockSetting,
}

impl ThrottleReason {
    /// Every reason with its NVML bit (`nvml.h`, `nvmlClocksEventReason*`).
    pub const BITS: [(ThrottleReason, u64); 9] = [
        (Self::GpuIdle, 0x1),
        (Self::ApplicationsClocksSetting, 0x2),
        (Self::SwPowerCap, 0x4),
        (Self::HwSlowdown, 0x8),
        (Self::SyncBoost, 0x10),
        (Self::SwThermalSlowdown, 0x20),
        (Self::HwThermalSlowdown, 0x40),
        (Self::HwPowerBrakeSlowdown, 0x80),
        (Self::DisplayClockSetting, 0x100),
    ];

    /// The reasons set in an NVML bit mask; unknown bits (newer drivers) are ignored.
    pub fn from_mask(mask: u64) -> Vec<ThrottleReason> {
        Self::BITS
            .iter()
            .filter(|(_, bit)| mask & bit != 0)
            .map(|(r, _)| *r)
            .collect()
    }

    /// The snake_case name, as the wire and the metrics label carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GpuIdle => "gpu_idle",
            Self::ApplicationsClocksSetting => "applications_clocks_setting",
            Self::SwPowerCap => "sw_power_cap",
            Self::HwSlowdown => "hw_slowdown",
            Self::SyncBoost => "sync_boost",
            Self::SwThermalSlowdown => "sw_thermal_slowdown",
            Self::HwThermalSlowdown => "hw_thermal_slowdown",
            Self::HwPowerBrakeSlowdown => "hw_power_brake_slowdown",
            Self::DisplayClockSetting => "display_clock_setting",
        }
    }
}

/// One `nvmlEventTypeXidCriticalError` event. On MIG, NVML's event data names the GPU and
/// compute instance the error hit; absent (NVML's `0xFFFFFFFF`) means the whole GPU.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XidEvent {
    pub xid: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_instance_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_instance_id: Option<u32>,
    /// The agent's number for this XID on this GPU, at most 2^63 - 1: one more than the
    /// GPU's previous XID (dropped ones included) within one run of the agent, and from the
    /// clock at its start, so a later run numbers higher. The agent sends an XID again
    /// until a report carrying it is accepted; the server records each number once (and
    /// counts `xids_dropped` only for numbers it has not seen). Absent from agents before
    /// this field: recorded as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// XIDs after which the instance they hit cannot be trusted to run work: NVIDIA's XID catalog
/// (docs.nvidia.com/deploy/xid-errors) lists their action as resetting the GPU or draining it.
/// - 48 "DBE (Double Bit Error) ECC Error"
/// - 63/64 "ECC page retirement or row remapping recording event" / "... failure"
/// - 74 "NVLink Error"
/// - 79 "GPU has fallen off the bus"
/// - 92 "High single-bit ECC error rate"
/// - 94 "Contained ECC error" (on MIG: only the instance it names)
/// - 95 "Uncontained ECC error" (every instance on the GPU)
/// - 119 "GSP RPC Timeout", 120 "GSP Error"
///
/// Application faults (13 "Graphics Engine Exception", 31 "GPU memory page fault", 43 "GPU
/// stopped processing") are the workload's own and leave the instance usable.
pub const FATAL_XIDS: [u64; 10] = [48, 63, 64, 74, 79, 92, 94, 95, 119, 120];

impl XidEvent {
    pub fn is_fatal(&self) -> bool {
        FATAL_XIDS.contains(&self.xid)
    }

    /// Whether the error hit the GPU instance `gpu_instance_id`: it names that instance, or it
    /// names none (the whole GPU), or it is 95 (uncontained, so it reaches every instance).
    pub fn hits_instance(&self, gpu_instance_id: u32) -> bool {
        self.xid == 95 || self.gpu_instance_id.is_none_or(|id| id == gpu_instance_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_mask_names_each_known_bit_and_ignores_unknown_ones() {
        assert_eq!(
            ThrottleReason::from_mask(0x4 | 0x40 | 0x8000),
            vec![
                ThrottleReason::SwPowerCap,
                ThrottleReason::HwThermalSlowdown
            ]
        );
        assert!(ThrottleReason::from_mask(0).is_empty());
        for (r, _) in ThrottleReason::BITS {
            let wire = serde_json::to_value(r).unwrap();
            assert_eq!(wire, r.as_str());
        }
    }

    #[test]
    fn a_contained_xid_hits_only_its_instance_and_an_uncontained_one_hits_all() {
        let contained = XidEvent {
            xid: 94,
            gpu_instance_id: Some(3),
            compute_instance_id: Some(0),
            seq: None,
        };
        assert!(contained.is_fatal());
        assert!(contained.hits_instance(3));
        assert!(!contained.hits_instance(5));
        let uncontained = XidEvent {
            xid: 95,
            ..contained
        };
        assert!(uncontained.hits_instance(5));
        let whole_gpu = XidEvent {
            xid: 79,
            gpu_instance_id: None,
            compute_instance_id: None,
            seq: None,
        };
        assert!(whole_gpu.hits_instance(5));
        assert!(
            !XidEvent {
                xid: 13,
                ..contained
            }
            .is_fatal()
        );
    }

    #[test]
    fn an_old_report_without_health_fields_parses_and_absent_readings_stay_absent() {
        let h: GpuHealth = serde_json::from_str("{}").unwrap();
        assert_eq!(h, GpuHealth::default());
        assert_eq!(serde_json::to_string(&h).unwrap(), "{}");
    }
}
