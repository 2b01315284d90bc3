//! The agent's configuration, read the way the server reads its own (`slicebroker-settings`):
//! defaults, then a TOML file (`--config`, keys as the flags without `--`), then
//! `SLICEBROKER_AGENT_*` variables, then flags, each winning over the one before.

use crate::backend::sim::SimBackend;
use crate::backend::{AllowedGpus, BackendError, GpuAllowList, GpuBackend, nvml::NvmlBackend};
use crate::enroll::{Enrollment, default_credential_file};
use crate::fsutil::{self, FileError};
use crate::kernel_log::{self, KernelLog};
use crate::reconcile::KillPolicy;
use crate::sim_cli::SimCommand;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use slicebroker_client::{BadUrl, BaseUrl};
use slicebroker_settings::{
    Described, DurationIn, Flags, Kind, Layers, Renamed, Setting, SettingsError, Spec,
};
use slicebroker_types::Secret;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "slicebroker-agent",
    version,
    about = "slicebroker's per-host MIG agent"
)]
pub struct Cli {
    /// TOML file with any of the settings below; variables (`SLICEBROKER_AGENT_` + the
    /// setting in upper case, `-` as `_`) override it, and flags override both.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub flags: Flags<Settings>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print read-only discovery: GPUs, MIG mode, profile and placement tables, instances,
    /// processes, memory. Changes nothing.
    Probe {
        /// `json` (everything), or `nvidia-smi`: the profile and placement tables laid out as
        /// `nvidia-smi mig -lgip` and `-lgipp` print them, to compare with the real command.
        #[arg(long, value_enum, default_value_t = ProbeFormat::Json)]
        format: ProbeFormat,
    },
    /// Run the reconcile loop: against the server (`--server`), or a desired-config file.
    Run(RunArgs),
    /// Turn MIG mode on or off for one GPU (explicit admin action; refused while in use).
    MigMode {
        #[arg(long)]
        gpu: String,
        #[arg(value_enum)]
        mode: OnOff,
    },
    /// Act on the simulated host in `--sim-state` from outside the agent: start and stop
    /// workloads, inject failures.
    #[command(subcommand)]
    Sim(SimCommand),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProbeFormat {
    Json,
    NvidiaSmi,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Log the plan each pass without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Run one pass and exit.
    #[arg(long)]
    pub once: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Nvml,
    Sim,
}

const DAY_MS: u64 = 86_400_000;

/// The agent's settings. Field names are the file's keys with `-` for `_`; each field's type
/// checks its value while deserializing, so a `Settings` is always in range.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// GPU backend [default: nvml].
    pub backend: Option<BackendKind>,
    pub nvml_lib: Option<PathBuf>,
    /// The only GPUs the agent manages: UUIDs (`GPU-…`) or NVML indexes, comma-separated.
    pub gpus: Option<String>,
    pub sim_gpus: Option<String>,
    pub sim_seed: Option<u64>,
    pub sim_state: Option<PathBuf>,
    pub checkpoint: Option<PathBuf>,
    /// Where XIDs raised while no agent ran are read from; `off` to not read it.
    pub kernel_log: Option<PathBuf>,
    pub server: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub insecure_http: bool,
    #[serde(deserialize_with = "slicebroker_settings::option_from_str")]
    pub enrollment_token: Option<Secret>,
    pub enrollment_token_file: Option<PathBuf>,
    pub credential_file: Option<PathBuf>,
    pub hostname: Option<String>,
    pub desired_file: Option<PathBuf>,
    pub report_file: Option<PathBuf>,
    /// Between passes when nothing changes; with a server, the long-poll wait (1s to 1d).
    pub interval: DurationIn<1000, DAY_MS>,
    /// Between SIGTERM and SIGKILL when a slice is taken back (at most 1h).
    pub kill_grace: DurationIn<0, 3_600_000>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            backend: None,
            nvml_lib: None,
            gpus: None,
            sim_gpus: None,
            sim_seed: None,
            sim_state: None,
            checkpoint: None,
            kernel_log: None,
            server: None,
            ca_file: None,
            insecure_http: false,
            enrollment_token: None,
            enrollment_token_file: None,
            credential_file: None,
            hostname: None,
            desired_file: None,
            report_file: None,
            interval: DurationIn::from_millis(5000),
            kill_grace: DurationIn::from_millis(10_000),
        }
    }
}

impl Described for Settings {
    const SPEC: Spec = Spec {
        env_prefix: "SLICEBROKER_AGENT_",
        settings: &[
            setting(
                "backend",
                Kind::Text,
                "GPU backend: `nvml` or `sim` [default: nvml]",
            ),
            setting(
                "nvml-lib",
                Kind::Text,
                "The NVML library to load [default: libnvidia-ml.so.1]",
            ),
            setting(
                "gpus",
                Kind::Text,
                "The only GPUs to manage: UUIDs or NVML indexes, comma-separated [default: all]",
            ),
            setting(
                "sim-gpus",
                Kind::Text,
                "Simulated GPUs, e.g. `h100-80gb:4,a100-40gb:2` (with `--backend sim`)",
            ),
            setting(
                "sim-seed",
                Kind::Integer,
                "Seed for simulated UUIDs [default: derived from the hostname, so two simulated hosts never share GPU UUIDs]",
            ),
            setting(
                "sim-state",
                Kind::Text,
                "File that keeps the simulated host across agent restarts",
            ),
            setting(
                "checkpoint",
                Kind::Text,
                "Where the agent records the instances it created and the XIDs not yet delivered",
            ),
            setting(
                "kernel-log",
                Kind::Text,
                "The kernel log, read for XIDs raised while no agent ran (with the checkpoint), \
                 or `off` [default: /dev/kmsg with NVML, off with `--backend sim`]",
            ),
            setting(
                "server",
                Kind::Text,
                "The server, `https://host[:port]` (plain `http://` only to this machine, or with `--insecure-http`)",
            ),
            setting(
                "ca-file",
                Kind::Text,
                "CA certificates (PEM) to trust for the server, besides the system's",
            ),
            setting(
                "insecure-http",
                Kind::Bool,
                "Allow a plain `http://` server that is not on this machine (trusted networks only)",
            ),
            setting(
                "enrollment-token",
                Kind::Secret,
                "One-time enrollment token (`sbe_…`) for the first registration",
            ),
            setting(
                "enrollment-token-file",
                Kind::Text,
                "File holding the enrollment token",
            ),
            setting(
                "credential-file",
                Kind::Text,
                "Where the host's credential is kept (0600) [default: `credential` beside the checkpoint]",
            ),
            setting(
                "hostname",
                Kind::Text,
                "The name the host registers under [default: the machine's hostname]",
            ),
            setting(
                "desired-file",
                Kind::Text,
                "Desired config (JSON) read each pass instead of asking a server",
            ),
            setting(
                "report-file",
                Kind::Text,
                "Where each pass writes its observed-state report (JSON)",
            ),
            setting(
                "interval",
                Kind::Text,
                "Between passes when nothing changes; with a server, the long-poll wait [default: 5s]",
            ),
            setting(
                "kill-grace",
                Kind::Text,
                "Between SIGTERM and SIGKILL when a slice is taken back [default: 10s]",
            ),
        ],
        renamed: &[
            Renamed {
                old: "interval-secs",
                new: "interval",
                example: "5s",
            },
            Renamed {
                old: "kill-grace-secs",
                new: "kill-grace",
                example: "10s",
            },
        ],
    };
}

const fn setting(key: &'static str, kind: Kind, help: &'static str) -> Setting {
    Setting { key, kind, help }
}

impl Cli {
    /// The settings: defaults, `--config`, the environment, then the flags.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        Ok(Layers::from_process(self.config.as_deref(), &self.flags)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    ServerUrl(#[from] BadUrl),
    #[error("the enrollment token file")]
    TokenFile(#[source] FileError),
}

/// Where `run` gets its desired config.
#[derive(Debug)]
pub enum SourceSettings {
    File(PathBuf),
    Server(ServerSettings),
}

#[derive(Debug)]
pub struct ServerSettings {
    pub url: BaseUrl,
    pub ca_file: Option<PathBuf>,
    pub enrollment: Enrollment,
    pub hostname: String,
}

impl Settings {
    pub fn interval(&self) -> Duration {
        self.interval.get()
    }

    pub fn kill_policy(&self) -> KillPolicy {
        KillPolicy {
            grace: self.kill_grace.get(),
            ..KillPolicy::default()
        }
    }

    /// The server when one is configured (it wins over `--desired-file`), else the file.
    pub fn source(&self) -> Result<SourceSettings, ConfigError> {
        let Some(server) = &self.server else {
            return self
                .desired_file
                .clone()
                .map(SourceSettings::File)
                .ok_or_else(|| {
                    ConfigError::Invalid(
                        "`run` needs `--server URL` (or `--desired-file` for offline use)".into(),
                    )
                });
        };
        if let Some(file) = &self.desired_file {
            tracing::warn!(desired_file = %file.display(), "`--server` is set; ignoring the desired-config file");
        }
        let token = match (&self.enrollment_token, &self.enrollment_token_file) {
            (Some(token), _) => Some(token.clone()),
            (None, Some(path)) => {
                let token = fsutil::read_secret(path).map_err(ConfigError::TokenFile)?;
                Some(Secret::new(token.ok_or_else(|| {
                    ConfigError::Invalid(format!(
                        "the enrollment token file {} is missing or empty",
                        path.display()
                    ))
                })?))
            }
            (None, None) => None,
        };
        Ok(SourceSettings::Server(ServerSettings {
            url: crate::client::server_url(server, self.insecure_http)?,
            ca_file: self.ca_file.clone(),
            enrollment: Enrollment {
                credential_file: self
                    .credential_file
                    .clone()
                    .unwrap_or_else(|| default_credential_file(self.checkpoint.as_deref())),
                token,
            },
            hostname: self.hostname.clone().unwrap_or_else(crate::host::hostname),
        }))
    }

    /// `sim-seed`, or one derived from the hostname (FNV-1a): simulated hosts started without
    /// a seed do not report the same GPU UUIDs (the server refuses a GPU another host holds).
    fn sim_seed(&self) -> u64 {
        self.sim_seed.unwrap_or_else(|| {
            let name = self.hostname.clone().unwrap_or_else(crate::host::hostname);
            name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            })
        })
    }

    /// The simulator state for `sim` commands: the file another agent process uses, created
    /// from `--sim-gpus` if it does not exist yet.
    pub fn open_sim(&self) -> Result<SimBackend, OpenError> {
        let path = self.sim_state.clone().ok_or_else(|| {
            ConfigError::Invalid(
                "`sim` commands need `--sim-state FILE`: the state file the agent runs with".into(),
            )
        })?;
        Ok(match &self.sim_gpus {
            Some(spec) => SimBackend::open(spec, self.sim_seed(), path)?,
            None => SimBackend::open_existing(path)?,
        })
    }

    /// The kernel log that XIDs raised while no agent ran are read from (`crate::kernel_log`),
    /// opened. `None` when off, or when it cannot be read (logged: the agent runs without it).
    pub fn open_kernel_log(&self) -> Option<KernelLog> {
        let path = match (&self.kernel_log, self.backend.unwrap_or(BackendKind::Nvml)) {
            (Some(p), _) if p.as_os_str() == "off" => return None,
            (Some(p), _) => p.clone(),
            (None, BackendKind::Nvml) => PathBuf::from(kernel_log::KMSG),
            (None, BackendKind::Sim) => return None,
        };
        let opened = std::fs::read_to_string(kernel_log::BOOT_ID)
            .and_then(|boot_id| KernelLog::open(&path, &boot_id));
        match opened {
            Ok(log) => Some(log),
            Err(e) => {
                tracing::warn!(
                    path = %path.display(),
                    error = %e,
                    "cannot read the kernel log: XIDs raised while no agent runs will be missed \
                     (run as root, or set `kernel-log`)"
                );
                None
            }
        }
    }

    /// Opens the configured backend (NVML unless `sim` was asked for), seen through the `gpus`
    /// allow-list when there is one.
    pub fn open_backend(&self) -> Result<Box<dyn GpuBackend>, OpenError> {
        let backend = self.open_all_gpus()?;
        let Some(list) = &self.gpus else {
            return Ok(backend);
        };
        let list = GpuAllowList::parse(list).map_err(ConfigError::Invalid)?;
        let unmatched = list.unmatched(&backend.gpus()?);
        if !unmatched.is_empty() {
            tracing::warn!(?unmatched, "`gpus` entries that match no GPU on this host");
        }
        Ok(Box::new(AllowedGpus::new(backend, list)))
    }

    fn open_all_gpus(&self) -> Result<Box<dyn GpuBackend>, OpenError> {
        match self.backend.unwrap_or(BackendKind::Nvml) {
            BackendKind::Nvml => Ok(Box::new(NvmlBackend::init_with(self.nvml_lib.as_deref())?)),
            BackendKind::Sim => {
                let spec = self.sim_gpus.as_deref().ok_or_else(|| {
                    ConfigError::Invalid(
                        "`--backend sim` needs `--sim-gpus`, e.g. `h100-80gb:4,a100-40gb:2`".into(),
                    )
                })?;
                let seed = self.sim_seed();
                Ok(match &self.sim_state {
                    Some(path) => Box::new(SimBackend::open(spec, seed, path.clone())?),
                    None => Box::new(
                        SimBackend::from_spec(spec, seed)
                            .map_err(|e| ConfigError::Invalid(e.to_string()))?,
                    ),
                })
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

#[cfg(test)]
mod tests;
