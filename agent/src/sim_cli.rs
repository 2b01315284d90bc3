//! `slicebroker-agent sim …`: acts on a simulated host's state file from outside the agent, so
//! tests and the demo can start and stop workloads on slices and inject failures into a running
//! agent. Every command prints JSON.

use crate::backend::sim::{FailurePoint, HealthChange, ProcessSpec, SimBackend};
use crate::backend::{BackendError, GpuBackend};
use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use slicebroker_types::Placement;
use slicebroker_types::agent::{EccCounts, ThrottleReason};

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Simulated workloads (CUDA processes) on MIG devices.
    #[command(subcommand)]
    Workload(WorkloadCommand),
    /// GPU instances made outside the broker (as an admin would by hand with `nvidia-smi mig`):
    /// the agent reports them as unmanaged and never destroys them.
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// Raise an XID on a GPU, or on one of its GPU instances (the agent reports it once).
    Xid {
        /// The GPU (`GPU-…`).
        #[arg(long)]
        gpu: String,
        /// The XID number, e.g. 94 (contained ECC error) or 79 (fallen off the bus).
        #[arg(long)]
        xid: u64,
        /// The GPU instance it hits; left out, the whole GPU.
        #[arg(long)]
        gpu_instance: Option<u32>,
    },
    /// Set a GPU's simulated sensor readings; options left out keep their value.
    Health {
        #[arg(long)]
        gpu: String,
        #[arg(long)]
        temperature_c: Option<u32>,
        #[arg(long)]
        power_mw: Option<u32>,
        /// Volatile uncorrected ECC errors (the other counters keep their value).
        #[arg(long)]
        ecc_uncorrected: Option<u64>,
        /// Clock throttle reasons, comma-separated (`hw_thermal_slowdown,sw_power_cap`);
        /// an empty string clears them.
        #[arg(long, value_delimiter = ',')]
        throttle: Option<Vec<String>>,
    },
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
            SimCommand::Xid {
                gpu,
                xid,
                gpu_instance,
            } => {
                let event = sim.inject_xid(&gpu, xid, gpu_instance)?;
                Ok(serde_json::to_value(event).expect("events serialize"))
            }
            SimCommand::Health {
                gpu,
                temperature_c,
                power_mw,
                ecc_uncorrected,
                throttle,
            } => {
                let throttle_reasons = throttle
                    .map(|names| {
                        names
                            .iter()
                            .filter(|n| !n.is_empty())
                            .map(|n| {
                                serde_json::from_value::<ThrottleReason>(json!(n)).map_err(|_| {
                                    BackendError::NotSupported {
                                        what: format!("throttle reason `{n}`"),
                                    }
                                })
                            })
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?;
                let current = sim.state()?;
                let ecc = ecc_uncorrected.map(|n| {
                    let before = current
                        .gpus
                        .iter()
                        .find(|g| g.uuid == gpu)
                        .and_then(|g| g.health.ecc)
                        .unwrap_or_default();
                    EccCounts {
                        volatile_uncorrected: n,
                        ..before
                    }
                });
                sim.set_health(
                    &gpu,
                    HealthChange {
                        temperature_c,
                        power_mw,
                        ecc,
                        throttle_reasons,
                    },
                )?;
                let state = sim.state()?;
                let health = state.gpus.iter().find(|g| g.uuid == gpu).map(|g| &g.health);
                Ok(serde_json::to_value(health).expect("health serializes"))
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
