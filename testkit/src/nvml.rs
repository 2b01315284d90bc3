//! The stand-in NVML host of an NVML agent: a copy of the stub library installed as
//! `libnvidia-ml.so.1` in the agent's directory, the state file it reads (GPUs, instances,
//! processes, faults), which tests change through [`State::edit`], and the host's kernel log,
//! where [`raise_xid`] writes the driver's line for an XID (the agent's `--kernel-log`).

use nvidia_ml_stub::kmsg;
use nvidia_ml_stub::state::STATE_FILE_NAME;
pub use nvidia_ml_stub::state::{STATE_ENV, State, Xid};
use std::path::{Path, PathBuf};

/// Where an agent's `libnvidia-ml.so.1` is: put on its `LD_LIBRARY_PATH`.
pub fn library_dir(agent_dir: &Path) -> PathBuf {
    agent_dir.join("nvml")
}

pub fn state_file(agent_dir: &Path) -> PathBuf {
    library_dir(agent_dir).join(STATE_FILE_NAME)
}

/// The host's kernel log, in `/dev/kmsg`'s record format (`nvidia_ml_stub::kmsg`).
pub fn kernel_log(agent_dir: &Path) -> PathBuf {
    library_dir(agent_dir).join("kmsg")
}

/// What the driver does on an XID: queues it for NVML's event sets watching the GPU (none
/// while no agent runs: then it is dropped when one registers) and prints it to the kernel log.
pub fn raise_xid(agent_dir: &Path, gpu_index: usize, xid: Xid) {
    State::edit(&state_file(agent_dir), |s| {
        s.gpus[gpu_index].health.xids.push(xid)
    })
    .unwrap();
    kmsg::append(&kernel_log(agent_dir), &kmsg::xid_line(gpu_index, &xid)).unwrap();
}

/// Installs the library and, the first time, a host with the boards of `spec`
/// (`h100-80gb:2,a100-40gb`), MIG on. A restarted agent finds the host as it was left.
pub fn install_host(agent_dir: &Path, spec: &str, seed: u64) {
    let dir = library_dir(agent_dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(stub_library(), dir.join("libnvidia-ml.so.1")).unwrap();
    if state_file(agent_dir).exists() {
        return;
    }
    kmsg::append(
        &kernel_log(agent_dir),
        "Linux version 6.1.0 (stand-in host)",
    )
    .unwrap();
    let mut boards = Vec::new();
    for part in spec.split(',') {
        let (board, n) = part.split_once(':').unwrap_or((part, "1"));
        let n: usize = n.parse().expect("a GPU count");
        boards.extend(std::iter::repeat_n(board, n));
    }
    State::new(&boards, seed)
        .unwrap()
        .save(&state_file(agent_dir))
        .unwrap();
}

/// The stub's cdylib: built beside the test binaries (this crate depends on it), or built now
/// for a lone run of the demo.
fn stub_library() -> PathBuf {
    let target = crate::bin("slicebroker-agent")
        .parent()
        .expect("binaries in a directory")
        .to_path_buf();
    let candidates = [
        target.join("deps/libnvidia_ml_stub.so"),
        target.join("libnvidia_ml_stub.so"),
    ];
    if let Some(found) = candidates.iter().find(|p| p.exists()) {
        return found.clone();
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(cargo);
    build
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "-p", "slicebroker-nvml-stub"]);
    if target.ends_with("release") {
        build.arg("--release");
    }
    assert!(
        build.status().expect("cargo runs").success(),
        "building the stub failed: cargo build -p slicebroker-nvml-stub"
    );
    candidates[1].clone()
}
