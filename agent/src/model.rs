//! What the agent sees on a host: GPUs, the MIG profile table each one reports, and its GPU and
//! compute instances with their processes. Shared by every backend, `probe`, `plan` and the
//! observed-state report, so the simulator and NVML produce exactly the same shapes.

use serde::{Deserialize, Serialize};
use slicebroker_types::Placement;

pub use slicebroker_types::agent::{
    ComputeInstance, GpuInfo, GpuInstance, GpuProcess, MigMode, ReportedProfile,
};

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

/// One GPU-instance profile with everything `nvidia-smi mig -lgip` and `-lgipp` print, for
/// `probe --format nvidia-smi`: more than the agent needs to place slices ([`ReportedProfile`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDetail {
    pub id: u32,
    /// As the driver names it (`MIG 1g.10gb`).
    pub name: String,
    pub compute_slices: u32,
    pub memory_mib: u64,
    /// `nvmlDeviceGetGpuInstanceRemainingCapacity`: how many more fit now.
    pub instances_free: u32,
    pub instances_total: u32,
    pub p2p: bool,
    pub multiprocessors: u32,
    pub copy_engines: u32,
    pub decoders: u32,
    pub encoders: u32,
    pub jpeg: u32,
    pub ofa: u32,
    pub placements: Vec<Placement>,
}
