//! The hardware boundary: everything the agent does to GPUs goes through [`GpuBackend`], so the
//! reconcile loop runs unchanged against real GPUs (`nvml`) or the simulator (`sim`).

mod allow;
pub mod nvml;
mod nvml_table;
pub mod sim;

pub use allow::{AllowedGpus, GpuAllowList};

pub use nvml_table::{CatalogDifference, catalog_differences, profile_name};

use crate::kernel_log::PciAddress;
use crate::model::{
    CreatedInstance, GpuInfo, GpuInstance, GpuSnapshot, MigModeChange, ProfileDetail, Signal,
};
use slicebroker_types::Placement;
use slicebroker_types::agent::GpuHealth;

/// GPU operations. Calls block (NVML is synchronous); the async loop runs them on a blocking
/// thread. GPUs are named by UUID because indices can change across reboots.
pub trait GpuBackend: Send + Sync + std::fmt::Debug {
    /// A short name for logs and `probe`: `nvml` or `sim`.
    fn kind(&self) -> &'static str;

    /// The driver version where there is a driver.
    fn driver_version(&self) -> Option<String>;

    /// Every GPU on the host, with its MIG mode and the profile table it reports.
    fn gpus(&self) -> Result<Vec<GpuInfo>, BackendError>;

    /// The GPU instances on one GPU, with their compute instances, memory, processes and
    /// activity. Empty when MIG is off.
    fn instances(&self, gpu: &GpuInfo) -> Result<Vec<GpuInstance>, BackendError>;

    /// Creates a GPU instance of `profile_id` at `placement` and one compute instance spanning
    /// it. If the compute instance fails, the GPU instance is destroyed again.
    fn create_instance(
        &self,
        gpu_uuid: &str,
        profile_id: u32,
        placement: Placement,
    ) -> Result<CreatedInstance, BackendError>;

    /// Creates the full-size compute instance in a GPU instance that has none (a create that
    /// was interrupted between the two steps).
    fn create_compute_instance(
        &self,
        gpu_uuid: &str,
        gpu_instance_id: u32,
    ) -> Result<CreatedInstance, BackendError>;

    /// Destroys a GPU instance's compute instances, then the GPU instance. Fails with
    /// [`BackendError::InUse`] while processes run on it.
    fn destroy_instance(&self, gpu_uuid: &str, gpu_instance_id: u32) -> Result<(), BackendError>;

    /// Turns MIG mode on or off. An explicit admin action; refused while processes run.
    fn set_mig_mode(&self, gpu_uuid: &str, enabled: bool) -> Result<MigModeChange, BackendError>;

    /// Sends `signal` to a process that runs on a MIG device.
    fn signal_process(&self, pid: u32, signal: Signal) -> Result<(), BackendError>;

    /// The GPU's profiles as `nvidia-smi mig -lgip`/`-lgipp` show them (driver names, engines,
    /// free instances, placements). Read-only; empty while MIG is off.
    fn profile_details(&self, gpu: &GpuInfo) -> Result<Vec<ProfileDetail>, BackendError>;

    /// The GPU's temperature, power, ECC counts, throttle reasons and the XIDs seen since the
    /// previous call (so each XID is reported once). Readings the GPU does not offer are absent.
    fn health(&self, gpu: &GpuInfo) -> Result<GpuHealth, BackendError> {
        let _ = gpu;
        Ok(GpuHealth::default())
    }

    /// The GPU's PCI domain, bus and device, as the driver names it in the kernel log
    /// (`crate::kernel_log`). `None` where the backend cannot tell.
    fn pci_address(&self, gpu: &GpuInfo) -> Option<PciAddress> {
        let _ = gpu;
        None
    }

    /// Every GPU with its instances: what `probe` prints and what `plan` reads.
    fn snapshot(&self) -> Result<Vec<GpuSnapshot>, BackendError> {
        self.gpus()?
            .into_iter()
            .map(|gpu| {
                let instances = if gpu.mig_enabled() {
                    self.instances(&gpu)?
                } else {
                    Vec::new()
                };
                Ok(GpuSnapshot { gpu, instances })
            })
            .collect()
    }
}

/// Why a GPU operation failed. The variants mirror NVML's failures so the simulator can fail
/// the same way.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(
        "NVML is not available on this host ({reason}); install the NVIDIA driver, or run with \
         `--backend sim` to use simulated GPUs"
    )]
    NvmlUnavailable { reason: String },
    #[error("NVML has no function `{symbol}` (driver too old?): {detail}")]
    MissingSymbol {
        symbol: &'static str,
        detail: String,
    },
    #[error("no GPU with UUID {uuid}")]
    UnknownGpu { uuid: String },
    #[error("GPU {uuid} is not in the agent's `gpus` allow-list; the agent leaves it alone")]
    NotAllowed { uuid: String },
    #[error("GPU {gpu} has no GPU instance {gpu_instance_id}")]
    UnknownInstance { gpu: String, gpu_instance_id: u32 },
    #[error("GPU {gpu} does not list profile id {profile_id}")]
    UnknownProfile { gpu: String, profile_id: u32 },
    #[error("MIG mode is not enabled on GPU {gpu}")]
    MigDisabled { gpu: String },
    #[error(
        "insufficient resources on GPU {gpu} for profile id {profile_id} at {placement}: {detail}"
    )]
    InsufficientResources {
        gpu: String,
        profile_id: u32,
        placement: Placement,
        detail: String,
    },
    #[error("{what} on GPU {gpu} is in use by processes {pids:?}")]
    InUse {
        gpu: String,
        what: String,
        pids: Vec<u32>,
    },
    #[error("not permitted: {what} (needs root or the MIG config capability)")]
    NoPermission { what: String },
    #[error("not supported: {what}")]
    NotSupported { what: String },
    #[error("process {pid} not found")]
    NoSuchProcess { pid: u32 },
    #[error("signalling process {pid}")]
    Signal {
        pid: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("NVML call {call} failed")]
    Nvml {
        call: &'static str,
        #[source]
        source: nvml_wrapper::error::NvmlError,
    },
    #[error("simulator state file {path}")]
    SimState {
        path: String,
        #[source]
        source: crate::fsutil::FileError,
    },
    #[error("injected failure: {what}")]
    Injected { what: String },
}

impl BackendError {
    /// Failures that may clear up by themselves (processes exit, a transient driver state),
    /// so the loop retries them on its next pass.
    pub fn is_in_use(&self) -> bool {
        matches!(self, BackendError::InUse { .. })
    }
}
