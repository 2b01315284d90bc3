//! What the agent sees on a host: GPUs, the MIG profile table each one reports, and its GPU and
//! compute instances with their processes. Shared by every backend, `probe`, `plan` and the
//! observed-state report, so the simulator and NVML produce exactly the same shapes.

use serde::{Deserialize, Serialize};
use slicebroker_types::{NvmlProfileIndex, Placement};

/// MIG mode as NVML reports it: what is active and what the next activation will make active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigMode {
    pub current: bool,
    pub pending: bool,
}

/// One GPU-instance profile as the GPU itself reports it (`nvmlDeviceGetGpuInstanceProfileInfo`
/// plus `nvmlDeviceGetGpuInstancePossiblePlacements_v2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedProfile {
    /// The `NVML_GPU_INSTANCE_PROFILE_*` index it was queried with.
    pub index: NvmlProfileIndex,
    /// `info.id`: device-specific, what create and placement calls take.
    pub id: u32,
    /// Catalog name where the model is known, otherwise built by go-nvlib's naming rule.
    pub name: String,
    pub compute_slices: u8,
    /// Memory slices one instance occupies (the placements' size).
    pub memory_slices: u8,
    pub memory_mib: u64,
    pub max_count: u8,
    pub placements: Vec<Placement>,
}

/// One physical GPU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuInfo {
    pub index: u32,
    pub uuid: String,
    /// `nvmlDeviceGetName`, e.g. `NVIDIA H100 80GB HBM3`.
    pub name: String,
    /// `device << 16 | vendor`, as NVML's `pciDeviceId` reports it.
    pub pci_device_id: u32,
    /// Catalog key if the catalog knows this board.
    pub model: Option<String>,
    pub memory_total_mib: u64,
    /// `None` on GPUs without MIG support.
    pub mig_mode: Option<MigMode>,
    /// Empty while MIG is off or unsupported.
    pub profiles: Vec<ReportedProfile>,
}

impl GpuInfo {
    pub fn mig_enabled(&self) -> bool {
        self.mig_mode.is_some_and(|m| m.current)
    }

    pub fn profile_by_index(&self, index: NvmlProfileIndex) -> Option<&ReportedProfile> {
        self.profiles.iter().find(|p| p.index == index)
    }

    pub fn profile_by_id(&self, id: u32) -> Option<&ReportedProfile> {
        self.profiles.iter().find(|p| p.id == id)
    }
}

/// A compute process on a MIG device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuProcess {
    pub pid: u32,
    /// Real uid of the process, where the host lets us read it.
    pub uid: Option<u32>,
    pub command: Option<String>,
    pub memory_mib: Option<u64>,
}

/// A compute instance inside a GPU instance; its MIG device is what `CUDA_VISIBLE_DEVICES` names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComputeInstance {
    pub id: u32,
    /// `NVML_COMPUTE_INSTANCE_PROFILE_*` id.
    pub profile_id: u32,
    pub mig_uuid: String,
}

/// One GPU instance with everything observed about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GpuInstance {
    pub id: u32,
    pub profile_id: u32,
    /// The profile's index constant, when the GPU's table lists the profile id.
    pub profile_index: Option<NvmlProfileIndex>,
    pub placement: Placement,
    pub compute_instances: Vec<ComputeInstance>,
    pub memory_used_mib: Option<u64>,
    pub memory_total_mib: Option<u64>,
    pub processes: Vec<GpuProcess>,
    /// Fraction of time SMs were busy over the last sample (GPM, Hopper and later); `None`
    /// where the GPU does not measure it.
    pub activity: Option<f64>,
}

impl GpuInstance {
    pub fn mig_uuid(&self) -> Option<&str> {
        self.compute_instances.first().map(|c| c.mig_uuid.as_str())
    }
}

/// Everything one GPU shows right now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GpuSnapshot {
    pub gpu: GpuInfo,
    pub instances: Vec<GpuInstance>,
}

/// What `create_instance` made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInstance {
    pub gpu_instance_id: u32,
    pub compute_instance_id: u32,
    pub mig_uuid: String,
}

/// Result of asking for a MIG mode change: NVML may accept it but need a reset to apply it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigModeChange {
    pub mode: MigMode,
    /// Set when the change is pending a GPU reset or reboot.
    pub reset_required: bool,
}

/// A signal the agent sends to processes on a slice it takes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signal {
    Term,
    Kill,
}
