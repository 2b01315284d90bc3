//! The agent's configuration: command-line flags, `SLICEBROKER_AGENT_*` environment variables,
//! or a TOML file (`--config`), in that order of precedence.

use crate::backend::sim::SimBackend;
use crate::backend::{AllowedGpus, BackendError, GpuAllowList, GpuBackend, nvml::NvmlBackend};
use crate::enroll::{Enrollment, default_credential_file};
use crate::fsutil::{self, FileError};
use crate::reconcile::KillPolicy;
use crate::sim_cli::SimCommand;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;
use slicebroker_client::{BadUrl, BaseUrl};
use slicebroker_types::Secret;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "slicebroker-agent",
    version,
    about = "slicebroker's per-host MIG agent"
)]
pub struct Cli {
    /// TOML file with any of the settings below (flags and environment win over it).
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Settings,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Nvml,
    Sim,
}

/// Settings shared by flags, environment and file; all optional until [`Settings::merge`].
#[derive(Clone, Debug, Default, Args, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// GPU backend [default: nvml].
    #[arg(long, global = true, value_enum, env = "SLICEBROKER_AGENT_BACKEND")]
    pub backend: Option<BackendKind>,
    /// The NVML library to load [default: `libnvidia-ml.so.1` from the linker's search path].
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_NVML_LIB")]
    pub nvml_lib: Option<PathBuf>,
    /// The only GPUs the agent manages: UUIDs (`GPU-…`) or NVML indexes, comma-separated
    /// [default: all]. Others are never reported or touched.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_GPUS")]
    pub gpus: Option<String>,
    /// Simulated GPUs, e.g. `h100-80gb:4,a100-40gb:2` (with `--backend sim`).
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_SIM_GPUS")]
    pub sim_gpus: Option<String>,
    /// Seed for simulated UUIDs [default: 1].
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_SIM_SEED")]
    pub sim_seed: Option<u64>,
    /// File that keeps the simulated host across agent restarts.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_SIM_STATE")]
    pub sim_state: Option<PathBuf>,
    /// Where the agent records the instances it created.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_CHECKPOINT")]
    pub checkpoint: Option<PathBuf>,
    /// The server, `https://host[:port]` (plain `http://` only to this machine, or with
    /// `--insecure-http`).
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_SERVER")]
    pub server: Option<String>,
    /// CA certificates (PEM) to trust for the server's certificate, besides the system's.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Allow a plain `http://` server that is not on this machine (a trusted network only:
    /// the credential and desired configs cross it unencrypted).
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_INSECURE_HTTP")]
    #[serde(default)]
    pub insecure_http: bool,
    /// One-time enrollment token (`sbe_…`) for the first registration.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_ENROLLMENT_TOKEN")]
    pub enrollment_token: Option<Secret>,
    /// File holding the enrollment token (instead of `--enrollment-token`).
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_ENROLLMENT_TOKEN_FILE")]
    pub enrollment_token_file: Option<PathBuf>,
    /// Where the host's credential is kept (0600) [default: `credential` beside the
    /// checkpoint, else /var/lib/slicebroker-agent/credential].
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_CREDENTIAL_FILE")]
    pub credential_file: Option<PathBuf>,
    /// The name the host registers under [default: the machine's hostname].
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_HOSTNAME")]
    pub hostname: Option<String>,
    /// Desired config (JSON, the server's `DesiredConfig`) read each pass instead of asking a
    /// server: for offline and dry-run use.
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_DESIRED_FILE")]
    pub desired_file: Option<PathBuf>,
    /// Where each pass writes its observed-state report (JSON).
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_REPORT_FILE")]
    pub report_file: Option<PathBuf>,
    /// Seconds between passes when nothing changes; with a server, the long-poll wait
    /// [default: 5].
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_INTERVAL_SECS")]
    pub interval_secs: Option<u64>,
    /// Seconds between SIGTERM and SIGKILL when a slice is taken back [default: 10].
    #[arg(long, global = true, env = "SLICEBROKER_AGENT_KILL_GRACE_SECS")]
    pub kill_grace_secs: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading config file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is not valid")]
    Parse {
        path: String,
        #[source]
        source: toml::de::Error,
    },
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
    /// Reads a TOML settings file (keys as the flags without `--`, e.g. `sim-gpus`).
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.display().to_string(),
            source,
        })
    }

    /// Each setting from `self` where given, else from `file`.
    pub fn merge(self, file: Settings) -> Settings {
        Settings {
            backend: self.backend.or(file.backend),
            nvml_lib: self.nvml_lib.or(file.nvml_lib),
            gpus: self.gpus.or(file.gpus),
            sim_gpus: self.sim_gpus.or(file.sim_gpus),
            sim_seed: self.sim_seed.or(file.sim_seed),
            sim_state: self.sim_state.or(file.sim_state),
            checkpoint: self.checkpoint.or(file.checkpoint),
            server: self.server.or(file.server),
            ca_file: self.ca_file.or(file.ca_file),
            insecure_http: self.insecure_http || file.insecure_http,
            enrollment_token: self.enrollment_token.or(file.enrollment_token),
            enrollment_token_file: self.enrollment_token_file.or(file.enrollment_token_file),
            credential_file: self.credential_file.or(file.credential_file),
            hostname: self.hostname.or(file.hostname),
            desired_file: self.desired_file.or(file.desired_file),
            report_file: self.report_file.or(file.report_file),
            interval_secs: self.interval_secs.or(file.interval_secs),
            kill_grace_secs: self.kill_grace_secs.or(file.kill_grace_secs),
        }
    }

    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.interval_secs.unwrap_or(5).max(1))
    }

    pub fn kill_policy(&self) -> KillPolicy {
        KillPolicy {
            grace: Duration::from_secs(self.kill_grace_secs.unwrap_or(10)),
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

    /// The simulator state for `sim` commands: the file another agent process uses, created
    /// from `--sim-gpus` if it does not exist yet.
    pub fn open_sim(&self) -> Result<SimBackend, OpenError> {
        let path = self.sim_state.clone().ok_or_else(|| {
            ConfigError::Invalid(
                "`sim` commands need `--sim-state FILE`: the state file the agent runs with".into(),
            )
        })?;
        Ok(match &self.sim_gpus {
            Some(spec) => SimBackend::open(spec, self.sim_seed.unwrap_or(1), path)?,
            None => SimBackend::open_existing(path)?,
        })
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
                let seed = self.sim_seed.unwrap_or(1);
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
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_fills_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.toml");
        std::fs::write(
            &path,
            "backend = \"sim\"\nsim-gpus = \"a30:2\"\ninterval-secs = 7\n",
        )
        .unwrap();
        let file = Settings::from_file(&path).unwrap();
        let cli = Cli::parse_from(["slicebroker-agent", "--sim-gpus", "h100-80gb", "probe"]);
        let s = cli.settings.merge(file);
        assert_eq!(s.backend, Some(BackendKind::Sim));
        assert_eq!(s.sim_gpus.as_deref(), Some("h100-80gb"));
        assert_eq!(s.interval(), Duration::from_secs(7));
        assert_eq!(s.kill_policy().grace, Duration::from_secs(10));
    }

    #[test]
    fn unknown_keys_in_the_file_are_rejected_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.toml");
        std::fs::write(&path, "sim-gpu = \"a30\"\n").unwrap();
        let err = Settings::from_file(&path).unwrap_err();
        let text = crate::reconcile::error_chain(&err);
        assert!(text.contains("sim-gpu"), "{text}");
    }

    #[test]
    fn the_server_wins_over_the_file_and_the_token_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, "sbe_fromfile\n").unwrap();
        let cli = Cli::parse_from([
            "slicebroker-agent",
            "--server",
            "http://127.0.0.1:8080/",
            "--desired-file",
            "d.json",
            "--enrollment-token-file",
            token_file.to_str().unwrap(),
            "--checkpoint",
            "/srv/agent/cp.json",
            "--hostname",
            "gpu-7",
            "run",
        ]);
        let SourceSettings::Server(s) = cli.settings.source().unwrap() else {
            panic!("the server is the source");
        };
        assert_eq!(s.url.join("/x"), "http://127.0.0.1:8080/x");
        assert_eq!(s.hostname, "gpu-7");
        assert_eq!(
            s.enrollment.credential_file,
            PathBuf::from("/srv/agent/credential")
        );
        assert_eq!(s.enrollment.token.unwrap().expose(), "sbe_fromfile");
    }

    #[test]
    fn run_without_a_source_or_with_remote_plain_http_says_what_to_give() {
        let none = Settings::default().source().unwrap_err().to_string();
        assert!(
            none.contains("--server") && none.contains("--desired-file"),
            "{none}"
        );
        let plain = Settings {
            server: Some("http://broker.example:8080".into()),
            ..Settings::default()
        };
        let err = plain.source().unwrap_err().to_string();
        assert!(
            err.contains("https://") && err.contains("--insecure-http"),
            "{err}"
        );
        let allowed = Cli::parse_from([
            "slicebroker-agent",
            "--server",
            "http://broker.example:8080",
            "--insecure-http",
            "--ca-file",
            "/etc/slicebroker/ca.pem",
            "run",
        ]);
        let SourceSettings::Server(s) = allowed.settings.source().unwrap() else {
            panic!("the server is the source");
        };
        assert_eq!(s.ca_file, Some(PathBuf::from("/etc/slicebroker/ca.pem")));
        let file = Settings {
            desired_file: Some("d.json".into()),
            ..Settings::default()
        };
        assert!(matches!(file.source(), Ok(SourceSettings::File(_))));
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let cli = Cli::parse_from([
            "slicebroker-agent",
            "--enrollment-token",
            "sbe_verysecret",
            "run",
        ]);
        let shown = format!("{cli:?}");
        assert!(!shown.contains("verysecret"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn the_gpus_allow_list_narrows_the_backend_and_a_bad_entry_is_named() {
        let cli = Cli::parse_from([
            "slicebroker-agent",
            "--backend",
            "sim",
            "--sim-gpus",
            "a100-40gb:3",
            "--gpus",
            "0,2",
            "probe",
        ]);
        let gpus = cli.settings.open_backend().unwrap().gpus().unwrap();
        assert_eq!(gpus.iter().map(|g| g.index).collect::<Vec<_>>(), [0, 2]);
        let bad = Settings {
            gpus: Some("0,third".into()),
            ..cli.settings
        };
        let err = bad.open_backend().unwrap_err().to_string();
        assert!(err.contains("third"), "{err}");
    }

    #[test]
    fn sim_without_gpus_is_a_clear_error() {
        let s = Settings {
            backend: Some(BackendKind::Sim),
            ..Settings::default()
        };
        let err = s.open_backend().unwrap_err().to_string();
        assert!(err.contains("--sim-gpus"), "{err}");
    }
}
