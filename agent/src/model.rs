//! What the agent sees on a host: GPUs, the MIG profile table each one reports, and its GPU and
//! compute instances with their processes. Shared by every backend, `probe`, `plan` and the
//! observed-state report, so the simulator and NVML produce exactly the same shapes.

use serde::{Deserialize, Serialize};

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
