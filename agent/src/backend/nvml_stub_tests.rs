//! The NVML backend through its real FFI path: nvml-wrapper loads a private copy of the stand-in
//! `libnvidia-ml.so.1` (`agent/nvml-stub`), whose MIG model comes from the reference JSON, not
//! from the catalog this crate uses. Each test gets its own copy and state file, so tests run
//! in parallel without sharing a host.

use super::*;
use crate::probe::{differences, nvidia_smi};

use nvidia_ml_stub::boards::Board;
use nvidia_ml_stub::state::{STATE_ENV, STATE_FILE_NAME, State};
use std::path::PathBuf;
use std::process::{Child, Command};

/// A stand-in host: a copy of the stub library and its state file in a fresh directory.
struct StubHost {
    dir: tempfile::TempDir,
}

impl StubHost {
    fn new(name: &str, boards: &[&str]) -> Self {
        assert!(
            std::env::var_os(STATE_ENV).is_none(),
            "unset {STATE_ENV}: it would point every stub copy at one state file"
        );
        let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
        std::fs::copy(stub_library(), dir.path().join("libnvidia-ml.so.1")).unwrap();
        State::new(boards, 11)
            .unwrap()
            .save(&dir.path().join(STATE_FILE_NAME))
            .unwrap();
        Self { dir }
    }

    fn lib(&self) -> PathBuf {
        self.dir.path().join("libnvidia-ml.so.1")
    }

    fn state_file(&self) -> PathBuf {
        self.dir.path().join(STATE_FILE_NAME)
    }

    fn backend(&self) -> NvmlBackend {
        NvmlBackend::init_with(Some(&self.lib())).expect("the stub loads and initializes")
    }

    fn edit<T>(&self, change: impl FnOnce(&mut State) -> T) -> T {
        State::edit(&self.state_file(), change).unwrap()
    }

    fn state(&self) -> State {
        State::load(&self.state_file()).unwrap()
    }
}

/// The stub's cdylib, built beside this test binary because the agent dev-depends on it.
fn stub_library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let lib = exe.with_file_name("libnvidia_ml_stub.so");
    assert!(
        lib.exists(),
        "{} is missing; build it: cargo build -p slicebroker-nvml-stub",
        lib.display()
    );
    lib
}

/// A real process for the stub to list, ended (and reaped) when dropped.
struct Workload(Child);

impl Workload {
    fn start() -> Self {
        Workload(Command::new("sleep").arg("300").spawn().unwrap())
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Workload {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn discovery_reports_the_tables_nvml_would_for_an_a100_an_h100_and_an_h200() {
    let host = StubHost::new("stub-discovery", &["a100-40gb", "h100-80gb", "h200-141gb"]);
    let b = host.backend();
    assert_eq!(b.driver_version().as_deref(), Some("580.65.06"));
    let gpus = b.gpus().unwrap();
    let models: Vec<_> = gpus.iter().map(|g| g.model.as_deref()).collect();
    assert_eq!(
        models,
        [Some("a100-40gb"), Some("h100-80gb"), Some("h200-141gb")]
    );
    for (gpu, key) in gpus.iter().zip(["a100-40gb", "h100-80gb", "h200-141gb"]) {
        let board = Board::get(key).unwrap();
        assert_eq!(gpu.name, board.name);
        assert_eq!(gpu.pci_device_id, board.pci_device_id);
        assert_eq!(gpu.memory_total_mib, board.memory_total_mib);
        assert_eq!(
            gpu.mig_mode,
            Some(MigMode {
                current: true,
                pending: true
            })
        );
        // Every profile the reference lists, with its id, slices, memory and placements.
        let mut seen: Vec<_> = gpu
            .profiles
            .iter()
            .map(|p| {
                let starts: Vec<u32> = p.placements.iter().map(|pl| u32::from(pl.start)).collect();
                (
                    p.index.value(),
                    p.id,
                    u32::from(p.compute_slices),
                    u32::from(p.memory_slices),
                    p.memory_mib,
                    u32::from(p.max_count),
                    starts,
                )
            })
            .collect();
        let mut want: Vec<_> = board
            .profiles
            .iter()
            .map(|p| {
                (
                    p.index,
                    p.id,
                    p.compute_slices,
                    p.memory_slices,
                    p.memory_mib,
                    p.max_count,
                    p.starts.clone(),
                )
            })
            .collect();
        seen.sort();
        want.sort();
        assert_eq!(seen, want, "{key}");
        assert!(
            gpu.profiles
                .iter()
                .all(|p| p.placements.iter().all(|pl| pl.size == p.memory_slices))
        );
        // The catalog the planner uses agrees with what "NVML" reports.
        assert_eq!(differences(gpu), [], "{key}");
    }
}

#[test]
fn every_profile_is_created_and_destroyed_at_every_legal_placement() {
    let host = StubHost::new("stub-placements", &["a100-40gb", "h100-80gb", "h200-141gb"]);
    let b = host.backend();
    for gpu in b.gpus().unwrap() {
        for p in &gpu.profiles {
            for &at in &p.placements {
                let made = b
                    .create_instance(&gpu.uuid, p.id, at)
                    .unwrap_or_else(|e| panic!("{} {} at {at}: {e}", gpu.name, p.name));
                assert!(made.mig_uuid.starts_with("MIG-"), "{made:?}");
                // What the "hardware" holds: the placement in memory slices, one compute instance.
                let held = host.state().gpus[gpu.index as usize].gpu_instances.clone();
                assert_eq!(held.len(), 1);
                let gi = &held[0];
                assert_eq!(
                    (gi.id, gi.profile_id, gi.start, gi.size),
                    (
                        made.gpu_instance_id,
                        p.id,
                        u32::from(at.start),
                        u32::from(at.size)
                    )
                );
                assert_eq!(gi.compute_instances.len(), 1);
                assert_eq!(gi.compute_instances[0].uuid, made.mig_uuid);
                // And what the backend reads back (on the A100: Hopper's GPM sample waits 200 ms).
                if gpu.index == 0 {
                    let seen = b.instances(&gpu).unwrap();
                    let i = &seen[0];
                    assert_eq!(
                        (i.id, i.profile_id, i.profile_index, i.placement),
                        (made.gpu_instance_id, p.id, Some(p.index), at)
                    );
                    assert_eq!(i.compute_instances[0].mig_uuid, made.mig_uuid);
                    assert_eq!(i.memory_total_mib, Some(p.memory_mib));
                }
                b.destroy_instance(&gpu.uuid, made.gpu_instance_id).unwrap();
                assert!(
                    host.state().gpus[gpu.index as usize]
                        .gpu_instances
                        .is_empty()
                );
            }
        }
    }
    assert!(host.state().gpus.iter().all(|g| g.gpu_instances.is_empty()));
}

#[test]
fn the_compute_instance_spans_its_gpu_instance() {
    let host = StubHost::new("stub-ci", &["h100-80gb"]);
    let b = host.backend();
    let gpu = &b.gpus().unwrap()[0];
    for (profile, start) in [(9, 4), (14, 0), (19, 2)] {
        b.create_instance(
            &gpu.uuid,
            profile,
            Placement {
                start,
                size: gpu.profile_by_id(profile).unwrap().memory_slices,
            },
        )
        .unwrap();
    }
    let state = host.state();
    for gi in &state.gpus[0].gpu_instances {
        let slices = Board::get("h100-80gb")
            .unwrap()
            .profile_by_id(gi.profile_id)
            .unwrap()
            .compute_slices;
        assert_eq!(gi.compute_instances.len(), 1);
        assert_eq!(
            (gi.compute_instances[0].start, gi.compute_instances[0].size),
            (0, slices)
        );
    }
}

#[test]
fn refusals_come_back_as_the_backends_errors() {
    let host = StubHost::new("stub-refusals", &["a100-40gb"]);
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    let three_g = Placement { start: 4, size: 4 };
    b.create_instance(&gpu.uuid, 9, three_g).unwrap();
    // Overlapping memory slices.
    let err = b
        .create_instance(&gpu.uuid, 14, Placement { start: 4, size: 2 })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::InsufficientResources { profile_id: 14, .. }
        ),
        "{err}"
    );
    // The profile's count used up: the second 3g fits only at 0, then no third.
    b.create_instance(&gpu.uuid, 9, Placement { start: 0, size: 4 })
        .unwrap();
    let err = b
        .create_instance(&gpu.uuid, 19, Placement { start: 0, size: 1 })
        .unwrap_err();
    assert!(
        matches!(err, BackendError::InsufficientResources { .. }),
        "{err}"
    );
    // Not one of the profile's placements: the driver calls it an invalid argument.
    let err = b
        .create_instance(&gpu.uuid, 14, Placement { start: 1, size: 2 })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::Nvml {
                call: "nvmlDeviceCreateGpuInstanceWithPlacement",
                source: NvmlError::InvalidArg
            }
        ),
        "{err}"
    );
    let err = b.create_instance(&gpu.uuid, 42, three_g).unwrap_err();
    assert!(
        matches!(err, BackendError::UnknownProfile { profile_id: 42, .. }),
        "{err}"
    );
    let err = b.destroy_instance(&gpu.uuid, 99).unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::UnknownInstance {
                gpu_instance_id: 99,
                ..
            }
        ),
        "{err}"
    );
    let err = b
        .instances(&GpuInfo {
            uuid: "GPU-nope".into(),
            ..gpu.clone()
        })
        .unwrap_err();
    assert!(matches!(err, BackendError::UnknownGpu { .. }), "{err}");
}

#[test]
fn the_nvidia_smi_tables_through_nvml_match_the_simulators() {
    for board in [
        "a30-24gb",
        "a100-40gb",
        "a100-80gb",
        "h100-80gb",
        "h100-nvl-94gb",
        "h200-141gb",
        "rtx-pro-6000-96gb",
    ] {
        let host = StubHost::new("stub-smi", &[board]);
        let through_nvml = nvidia_smi(&host.backend()).unwrap();
        let sim = crate::backend::sim::SimBackend::from_spec(board, 1).unwrap();
        assert_eq!(through_nvml, nvidia_smi(&sim).unwrap(), "{board}");
    }
}

#[path = "nvml_stub_runtime_tests.rs"]
mod runtime;

#[path = "nvml_stub_health_tests.rs"]
mod health;

#[path = "nvml_fixture_tests.rs"]
mod fixtures;
