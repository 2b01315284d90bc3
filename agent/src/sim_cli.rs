//! `slicebroker-agent sim …`: acts on a simulated host's state file from outside the agent, so
//! tests and the demo can start and stop workloads on slices and inject failures into a running
//! agent. Every command prints JSON.

use crate::backend::sim::{FailurePoint, ProcessSpec, SimBackend};
use crate::backend::{BackendError, GpuBackend};
use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use slicebroker_types::Placement;

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Simulated workloads (CUDA processes) on MIG devices.
    #[command(subcommand)]
    Workload(WorkloadCommand),
    /// GPU instances made outside the broker (as an admin would by hand with `nvidia-smi mig`):
    /// the agent reports them as unmanaged and never destroys them.
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// Make the next simulated operations fail as NVML can, in whichever process does them.
    Inject {
        #[arg(value_enum)]
        failure: Failure,
        /// How many operations in a row fail.
        #[arg(long, default_value_t = 1)]
        times: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum WorkloadCommand {
    /// Start a workload on a MIG device; prints it, with its pid.
    Start {
        /// The MIG device (`MIG-…`), as the observed report and `probe` show it.
        #[arg(long)]
        mig: String,
        #[arg(long, default_value_t = 1024)]
        memory_mib: u64,
        /// Fraction of the slice's SMs it keeps busy, 0 to 1.
        #[arg(long, default_value_t = 0.5)]
        activity: f64,
        #[arg(long, default_value_t = 1000)]
        uid: u32,
        /// The command name reported for it.
        #[arg(long, default_value = "python")]
        command: String,
        /// Ignore SIGTERM, so only the agent's SIGKILL after the grace period ends it.
        #[arg(long)]
        ignore_term: bool,
    },
    /// End a workload as if it exited by itself.
    Stop {
        #[arg(long)]
        pid: u32,
    },
    /// List running workloads with the device each runs on.
    Ls,
}

#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Create a GPU instance and its compute instance; prints them.
    Create {
        /// The GPU (`GPU-…`).
        #[arg(long)]
        gpu: String,
        /// A profile name of the GPU's model, e.g. `3g.40gb`.
        #[arg(long)]
        profile: String,
        /// First memory slice; one of the profile's placements.
        #[arg(long)]
        start: u8,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Failure {
    /// Creating a GPU instance fails.
    CreateFails,
    /// Destroying a GPU instance fails as "in use".
    DestroyInUse,
}

impl SimCommand {
    pub fn run(self, sim: &SimBackend) -> Result<Value, BackendError> {
        match self {
            SimCommand::Workload(WorkloadCommand::Start {
                mig,
                memory_mib,
                activity,
                uid,
                command,
                ignore_term,
            }) => {
                let spec = ProcessSpec {
                    uid,
                    command,
                    memory_mib,
                    activity,
                    ignores_term: ignore_term,
                };
                let pid = sim.start_process(&mig, spec)?;
                let started = sim.workloads()?.into_iter().find(|w| w.process.pid == pid);
                Ok(serde_json::to_value(started).expect("workloads serialize"))
            }
            SimCommand::Workload(WorkloadCommand::Stop { pid }) => {
                sim.stop_process(pid)?;
                Ok(json!({ "pid": pid, "stopped": true }))
            }
            SimCommand::Workload(WorkloadCommand::Ls) => {
                Ok(serde_json::to_value(sim.workloads()?).expect("workloads serialize"))
            }
            SimCommand::Instance(InstanceCommand::Create {
                gpu,
                profile,
                start,
            }) => {
                let info = sim
                    .gpus()?
                    .into_iter()
                    .find(|g| g.uuid == gpu)
                    .ok_or_else(|| BackendError::UnknownGpu { uuid: gpu.clone() })?;
                let Some(reported) = info
                    .profiles
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(&profile))
                else {
                    let names: Vec<&str> = info.profiles.iter().map(|p| p.name.as_str()).collect();
                    return Err(BackendError::NotSupported {
                        what: format!(
                            "profile {profile} on {} (it has {})",
                            info.name,
                            names.join(", ")
                        ),
                    });
                };
                let placement = Placement {
                    start,
                    size: reported.memory_slices,
                };
                let created = sim.create_instance(&gpu, reported.id, placement)?;
                Ok(serde_json::to_value(created).expect("instances serialize"))
            }
            SimCommand::Inject { failure, times } => {
                let point = match failure {
                    Failure::CreateFails => FailurePoint::Create,
                    Failure::DestroyInUse => FailurePoint::Destroy,
                };
                sim.inject_failure(point, times)?;
                Ok(serde_json::to_value(sim.state()?.failures).expect("failures serialize"))
            }
        }
    }
}
