//! The stand-in host: its GPUs, MIG mode, GPU and compute instances, the processes on them and
//! the faults to inject, in one JSON file. The library re-reads it on every call and writes it
//! back after a change, under an exclusive `flock` on `<file>.lock`, so tests (and `probe` in
//! another process) can act on the host while an agent runs against it.
//!
//! Which file: `$SLICEBROKER_NVML_STUB_STATE`, else `nvml-stub.json` in the directory the library
//! was loaded from (so one process can load several copies, each with its own host).

use crate::boards::Board;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable naming the state file.
pub const STATE_ENV: &str = "SLICEBROKER_NVML_STUB_STATE";
/// The state file's name when it sits beside the library.
pub const STATE_FILE_NAME: &str = "nvml-stub.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// What `nvmlSystemGetDriverVersion` returns (R580 is the first NVML API v13 driver).
    #[serde(default = "default_driver")]
    pub driver_version: String,
    pub gpus: Vec<Gpu>,
    /// Processes on the GPUs: real host processes (tests start them), listed only while alive,
    /// so the agent's SIGTERM/SIGKILL acts on them as on real hardware.
    #[serde(default)]
    pub processes: Vec<Process>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// The last serial handed out. Every GPU and compute instance gets a new one, so a handle
    /// to a destroyed instance never matches a later instance with the same id.
    #[serde(default)]
    pub serial: u64,
}

fn default_driver() -> String {
    "580.65.06".into()
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gpu {
    /// A board key of [`crate::boards::BOARDS`], e.g. `h100-80gb`.
    pub board: String,
    pub uuid: String,
    pub mig: MigMode,
    #[serde(default)]
    pub gpu_instances: Vec<GpuInstance>,
    /// Sensors and XIDs; absent readings are `NVML_ERROR_NOT_SUPPORTED`.
    #[serde(default)]
    pub health: Health,
}

/// What the health calls return. Every reading defaults to absent (`NOT_SUPPORTED`), as on a
/// board without the sensor or with ECC off; tests set them through [`State::edit`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// `nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)`, degrees C.
    #[serde(default)]
    pub temperature_c: Option<u32>,
    /// `nvmlDeviceGetPowerUsage`, milliwatts.
    #[serde(default)]
    pub power_mw: Option<u32>,
    /// `nvmlDeviceGetTotalEccErrors`; absent while ECC is off.
    #[serde(default)]
    pub ecc: Option<Ecc>,
    /// `nvmlDeviceGetCurrentClocksEventReasons` bit mask.
    #[serde(default)]
    pub clocks_event_reasons: Option<u64>,
    /// XIDs the driver has raised and no event set has taken yet, oldest first.
    #[serde(default)]
    pub xids: Vec<Xid>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ecc {
    pub volatile_corrected: u64,
    pub volatile_uncorrected: u64,
    pub aggregate_corrected: u64,
    pub aggregate_uncorrected: u64,
}

/// One XID, on a GPU instance and compute instance where it hit one (MIG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Xid {
    pub xid: u64,
    #[serde(default)]
    pub gpu_instance_id: Option<u32>,
    #[serde(default)]
    pub compute_instance_id: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigMode {
    pub current: bool,
    /// The mode after the next reset (`nvmlDeviceGetMigMode`'s "pending").
    pub pending: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuInstance {
    pub id: u32,
    pub profile_id: u32,
    /// Placement in memory slices.
    pub start: u32,
    pub size: u32,
    #[serde(default)]
    pub serial: u64,
    #[serde(default)]
    pub compute_instances: Vec<ComputeInstance>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeInstance {
    pub id: u32,
    /// An `NVML_COMPUTE_INSTANCE_PROFILE_*` value: compute-instance profile ids are the
    /// constants themselves.
    pub profile_id: u32,
    /// Placement in the GPU instance's compute slices.
    pub start: u32,
    pub size: u32,
    #[serde(default)]
    pub serial: u64,
    /// The MIG device's UUID, `MIG-…`.
    pub uuid: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub pid: u32,
    /// The device it runs on: a MIG device (`MIG-…`), or a whole GPU (`GPU-…`) with MIG off.
    pub device: String,
    #[serde(default)]
    pub used_memory_mib: u64,
    /// Fraction of the instance's SMs it keeps busy, what GPM reports on Hopper and later.
    #[serde(default)]
    pub activity: f64,
}

/// A fault: the next `times` calls of `call` return `returns`; or, with `stall`, every call of
/// `call` waits (up to two minutes, then `NVML_ERROR_TIMEOUT`) until the fault is removed, so
/// a test can kill the caller in the middle of a sequence of calls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The NVML function, e.g. `nvmlGpuInstanceCreateComputeInstance`.
    pub call: String,
    /// An `nvml.h` name, e.g. `NVML_ERROR_UNKNOWN`.
    #[serde(default)]
    pub returns: Option<String>,
    #[serde(default)]
    pub stall: bool,
    #[serde(default = "one")]
    pub times: u32,
}

/// Why the state file could not be used.
#[derive(Debug)]
pub enum StateError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    Parse {
        path: PathBuf,
        error: serde_json::Error,
    },
    Invalid(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            StateError::Parse { path, error } => {
                write!(f, "{} is not a stub state: {error}", path.display())
            }
            StateError::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for StateError {}

impl State {
    /// A host with the given boards (`["a100-40gb", "h100-80gb"]`), MIG mode on, nothing made.
    /// UUIDs follow from `seed` and the GPU's position.
    pub fn new(boards: &[&str], seed: u64) -> Result<State, StateError> {
        let gpus = boards
            .iter()
            .enumerate()
            .map(|(i, key)| {
                Board::get(key).ok_or_else(|| {
                    let known: Vec<_> = Board::keys().collect();
                    StateError::Invalid(format!("unknown board `{key}`; known: {known:?}"))
                })?;
                Ok(Gpu {
                    board: (*key).to_owned(),
                    uuid: uuid("GPU", seed, i as u64),
                    mig: MigMode {
                        current: true,
                        pending: true,
                    },
                    gpu_instances: Vec::new(),
                    health: Health::default(),
                })
            })
            .collect::<Result<_, StateError>>()?;
        Ok(State {
            driver_version: default_driver(),
            gpus,
            processes: Vec::new(),
            faults: Vec::new(),
            serial: 0,
        })
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<State, StateError> {
        let text = fs::read_to_string(path).map_err(|error| StateError::Io {
            path: path.to_owned(),
            error,
        })?;
        let state: State = serde_json::from_str(&text).map_err(|error| StateError::Parse {
            path: path.to_owned(),
            error,
        })?;
        for gpu in &state.gpus {
            if Board::get(&gpu.board).is_none() {
                return Err(StateError::Invalid(format!(
                    "{}: unknown board `{}`",
                    path.display(),
                    gpu.board
                )));
            }
        }
        Ok(state)
    }

    /// Writes the state file atomically (a temporary file renamed over it), taking the lock.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let _lock = Lock::exclusive(path)?;
        self.write(path)
    }

    /// Writes without taking the lock: for callers that hold it.
    pub(crate) fn write(&self, path: &Path) -> Result<(), StateError> {
        let io = |error| StateError::Io {
            path: path.to_owned(),
            error,
        };
        let mut text = serde_json::to_vec_pretty(self).expect("the state always serializes");
        text.push(b'\n');
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp.{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let mut file = fs::File::create(&tmp).map_err(io)?;
        file.write_all(&text).map_err(io)?;
        drop(file);
        fs::rename(&tmp, path).map_err(io)
    }

    /// Changes the state file under its lock: what tests use to act on a running agent's host.
    pub fn edit<T>(path: &Path, change: impl FnOnce(&mut State) -> T) -> Result<T, StateError> {
        let _lock = Lock::exclusive(path)?;
        let mut state = State::load(path)?;
        let before = state.clone();
        let out = change(&mut state);
        if state != before {
            state.write(path)?;
        }
        Ok(out)
    }

    pub fn gpu(&self, uuid: &str) -> Option<&Gpu> {
        self.gpus.iter().find(|g| g.uuid == uuid)
    }

    /// Every MIG device on the host: `(GPU UUID, GPU-instance id, MIG UUID)`.
    pub fn mig_devices(&self) -> Vec<(String, u32, String)> {
        self.gpus
            .iter()
            .flat_map(|g| {
                g.gpu_instances.iter().flat_map(move |gi| {
                    gi.compute_instances
                        .iter()
                        .map(move |ci| (g.uuid.clone(), gi.id, ci.uuid.clone()))
                })
            })
            .collect()
    }

    /// Puts a (real, running) process on a device, as a CUDA program would be.
    pub fn add_process(&mut self, pid: u32, device: &str, used_memory_mib: u64, activity: f64) {
        self.processes.retain(|p| p.pid != pid);
        self.processes.push(Process {
            pid,
            device: device.to_owned(),
            used_memory_mib,
            activity,
        });
    }

    /// The next `times` calls of `call` fail with `returns` (an `nvml.h` name).
    pub fn fail(&mut self, call: &str, returns: &str, times: u32) {
        self.faults.push(Fault {
            call: call.to_owned(),
            returns: Some(returns.to_owned()),
            stall: false,
            times,
        });
    }

    /// Calls of `call` wait until [`State::release`] removes the stall.
    pub fn stall(&mut self, call: &str) {
        self.faults.push(Fault {
            call: call.to_owned(),
            returns: None,
            stall: true,
            times: 1,
        });
    }

    pub fn release(&mut self, call: &str) {
        self.faults.retain(|f| !(f.stall && f.call == call));
    }

    /// A GPU reset (`nvidia-smi --gpu-reset`, or a reboot): the pending MIG mode takes effect and
    /// every GPU and compute instance is gone, as on real hardware.
    pub fn reset_gpu(&mut self, uuid: &str) {
        if let Some(gpu) = self.gpus.iter_mut().find(|g| g.uuid == uuid) {
            gpu.mig.current = gpu.mig.pending;
            gpu.gpu_instances.clear();
        }
    }

    /// A fresh serial for a new instance.
    pub(crate) fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }
}

/// `PREFIX-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` from a seed and a number: stable across runs.
pub fn uuid(prefix: &str, seed: u64, n: u64) -> String {
    let a = splitmix(seed ^ splitmix(n.wrapping_add(0x9e37)));
    let b = splitmix(a ^ n);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{prefix}-{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// An exclusive `flock` on `<state>.lock`, held until dropped.
pub(crate) struct Lock {
    _file: fs::File,
}

impl std::fmt::Debug for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lock")
    }
}

impl Lock {
    pub(crate) fn exclusive(state: &Path) -> Result<Lock, StateError> {
        let mut name = state.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |error| StateError::Io {
            path: path.clone(),
            error,
        };
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)?;
        loop {
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive) {
                Ok(()) => return Ok(Lock { _file: file }),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(io(e.into())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_host_round_trips_and_unknown_boards_are_named() {
        let dir = std::env::temp_dir().join(format!("nvml-stub-state-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(STATE_FILE_NAME);
        let s = State::new(&["a100-40gb", "h100-80gb"], 7).unwrap();
        assert_ne!(s.gpus[0].uuid, s.gpus[1].uuid);
        assert_eq!(
            s.gpus[0].uuid,
            State::new(&["a30-24gb"], 7).unwrap().gpus[0].uuid
        );
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), s);
        State::edit(&path, |s| {
            s.fail("nvmlDeviceGetCount_v2", "NVML_ERROR_UNKNOWN", 2)
        })
        .unwrap();
        assert_eq!(State::load(&path).unwrap().faults.len(), 1);
        let err = State::new(&["h900"], 1).unwrap_err().to_string();
        assert!(err.contains("h900") && err.contains("a100-40gb"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
