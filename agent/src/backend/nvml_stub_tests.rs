//! The NVML backend through its real FFI path: nvml-wrapper loads a private copy of the stand-in
//! `libnvidia-ml.so.1` (`agent/nvml-stub`), whose MIG model comes from the reference JSON, not
//! from the catalog this crate uses. Each test gets its own copy and state file, so tests run
//! in parallel without sharing a host.

use super::*;
use crate::agent::Agent;
use crate::checkpoint::CheckpointStore;
use crate::probe::{differences, nvidia_smi};
use crate::reconcile::KillPolicy;
use crate::test_dir::TestDir;
use nvidia_ml_stub::boards::Board;
use nvidia_ml_stub::state::{STATE_ENV, STATE_FILE_NAME, State};
use slicebroker_types::agent::{DesiredConfig, DesiredGpu, DesiredSlice, LeaseId};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;

/// A stand-in host: a copy of the stub library and its state file in a fresh directory.
struct StubHost {
    dir: TestDir,
}

impl StubHost {
    fn new(name: &str, boards: &[&str]) -> Self {
        assert!(
            std::env::var_os(STATE_ENV).is_none(),
            "unset {STATE_ENV}: it would point every stub copy at one state file"
        );
        let dir = TestDir::new(name);
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
fn destroy_is_refused_while_a_process_runs_and_names_it() {
    let host = StubHost::new("stub-in-use", &["h100-80gb"]);
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    let made = b
        .create_instance(&gpu.uuid, 14, Placement { start: 2, size: 2 })
        .unwrap();
    let work = Workload::start();
    host.edit(|s| s.add_process(work.pid(), &made.mig_uuid, 2048, 0.0));
    let err = b
        .destroy_instance(&gpu.uuid, made.gpu_instance_id)
        .unwrap_err();
    assert!(err.is_in_use(), "{err}");
    assert!(
        matches!(&err, BackendError::InUse { pids, .. } if pids == &[work.pid()]),
        "{err}"
    );
    assert_eq!(
        host.state().gpus[0].gpu_instances.len(),
        1,
        "nothing was destroyed"
    );
    drop(work);
    b.destroy_instance(&gpu.uuid, made.gpu_instance_id).unwrap();
}

#[test]
fn processes_and_memory_are_read_back_per_instance() {
    let host = StubHost::new("stub-processes", &["a100-40gb"]);
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    let made = b
        .create_instance(&gpu.uuid, 14, Placement { start: 0, size: 2 })
        .unwrap();
    let work = Workload::start();
    host.edit(|s| s.add_process(work.pid(), &made.mig_uuid, 3072, 0.4));
    let seen = b.instances(&gpu).unwrap();
    let i = &seen[0];
    assert_eq!(i.processes.len(), 1);
    let p = &i.processes[0];
    assert_eq!((p.pid, p.memory_mib), (work.pid(), Some(3072)));
    assert_eq!(p.uid, Some(rustix::process::getuid().as_raw()));
    assert_eq!(p.command.as_deref(), Some("sleep"));
    assert_eq!(
        (i.memory_used_mib, i.memory_total_mib),
        (Some(3072), Some(9856))
    );
    assert_eq!(i.activity, None, "no GPM on A100");
    drop(work);
    let seen = b.instances(&gpu).unwrap();
    assert!(seen[0].processes.is_empty(), "an exited process is gone");
    assert_eq!(seen[0].memory_used_mib, Some(0));
}

#[test]
fn gpm_activity_is_measured_on_hopper_and_absent_on_a100() {
    let host = StubHost::new("stub-gpm", &["a100-40gb", "h100-80gb"]);
    let b = host.backend();
    let gpus = b.gpus().unwrap();
    let work = Workload::start();
    for gpu in &gpus {
        let made = b
            .create_instance(&gpu.uuid, 9, Placement { start: 0, size: 4 })
            .unwrap();
        host.edit(|s| s.add_process(work.pid(), &made.mig_uuid, 100, 0.75));
    }
    let a100 = b.instances(&gpus[0]).unwrap();
    let h100 = b.instances(&gpus[1]).unwrap();
    assert_eq!(a100[0].activity, None);
    assert_eq!(h100[0].activity, Some(0.75));
    // The A100's GPM entry points answer as NVML documents.
    let a100_device = b.device(&gpus[0].uuid).unwrap();
    assert!(matches!(a100_device.gpm_support(), Ok(false)));
    assert!(matches!(
        a100_device.gpm_mig_sample(1),
        Err(NvmlError::NotSupported)
    ));
}

#[test]
fn a_compute_instance_that_fails_leaves_no_gpu_instance_behind() {
    let host = StubHost::new("stub-ci-fails", &["h100-80gb"]);
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    host.edit(|s| {
        s.fail(
            "nvmlGpuInstanceCreateComputeInstance",
            "NVML_ERROR_UNKNOWN",
            1,
        )
    });
    let err = b
        .create_instance(&gpu.uuid, 5, Placement { start: 0, size: 4 })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::Nvml {
                call: "nvmlGpuInstanceCreateComputeInstance",
                source: NvmlError::Unknown
            }
        ),
        "{err}"
    );
    assert!(
        host.state().gpus[0].gpu_instances.is_empty(),
        "the GPU instance was undone"
    );
    assert!(host.state().faults.is_empty(), "the fault was used up");
    b.create_instance(&gpu.uuid, 5, Placement { start: 0, size: 4 })
        .unwrap();
}

#[test]
fn a_gpu_instance_without_its_compute_instance_is_seen_and_completed() {
    let host = StubHost::new("stub-bare-gi", &["a100-40gb"]);
    host.edit(|s| {
        s.gpus[0]
            .gpu_instances
            .push(nvidia_ml_stub::state::GpuInstance {
                id: 3,
                profile_id: 14,
                start: 2,
                size: 2,
                serial: 900,
                compute_instances: Vec::new(),
            });
    });
    let b = host.backend();
    let gpu = b.gpus().unwrap().remove(0);
    let seen = b.instances(&gpu).unwrap();
    assert_eq!((seen[0].id, seen[0].compute_instances.len()), (3, 0));
    let made = b.create_compute_instance(&gpu.uuid, 3).unwrap();
    assert_eq!(made.gpu_instance_id, 3);
    let seen = b.instances(&gpu).unwrap();
    assert_eq!(seen[0].compute_instances[0].mig_uuid, made.mig_uuid);
}

#[test]
fn a_failing_call_is_an_error_naming_it() {
    let host = StubHost::new("stub-fault", &["h100-80gb"]);
    let b = host.backend();
    host.edit(|s| s.fail("nvmlDeviceGetMigMode", "NVML_ERROR_GPU_IS_LOST", 1));
    let err = b.gpus().unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::Nvml {
                call: "nvmlDeviceGetMigMode",
                source: NvmlError::GpuLost
            }
        ),
        "{err}"
    );
    assert_eq!(b.gpus().unwrap().len(), 1, "only once");
}

#[test]
fn mig_mode_waits_for_a_reset_on_ampere_and_changes_at_once_on_hopper() {
    let host = StubHost::new("stub-mig-mode", &["a100-40gb", "h100-80gb"]);
    let b = host.backend();
    let gpus = b.gpus().unwrap();
    let a100 = b.set_mig_mode(&gpus[0].uuid, false).unwrap();
    assert!(a100.reset_required);
    assert_eq!(
        a100.mode,
        MigMode {
            current: true,
            pending: false
        }
    );
    let h100 = b.set_mig_mode(&gpus[1].uuid, false).unwrap();
    assert!(!h100.reset_required);
    assert_eq!(
        h100.mode,
        MigMode {
            current: false,
            pending: false
        }
    );
    let gpus = b.gpus().unwrap();
    assert!(gpus[1].profiles.is_empty() && gpus[0].mig_enabled());
    let uuid = gpus[0].uuid.clone();
    host.edit(|s| s.reset_gpu(&uuid));
    assert!(!b.gpus().unwrap()[0].mig_enabled());
    // A process on the GPU keeps MIG from changing: refused by the agent before NVML.
    let made = {
        let h = b.set_mig_mode(&gpus[1].uuid, true).unwrap();
        assert!(h.mode.current);
        b.create_instance(&gpus[1].uuid, 19, Placement { start: 0, size: 1 })
            .unwrap()
    };
    let work = Workload::start();
    host.edit(|s| s.add_process(work.pid(), &made.mig_uuid, 1, 0.0));
    assert!(
        b.set_mig_mode(&gpus[1].uuid, false)
            .unwrap_err()
            .is_in_use()
    );
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

#[test]
fn a_reconcile_pass_on_nvml_creates_what_is_desired_and_leaves_hand_made_instances() {
    let host = StubHost::new("stub-pass", &["h100-80gb"]);
    let gpu_uuid = host.state().gpus[0].uuid.clone();
    // An admin's instance, made by hand before the agent started.
    {
        let b = host.backend();
        b.create_instance(&gpu_uuid, 9, Placement { start: 0, size: 4 })
            .unwrap();
    }
    let backend: Arc<dyn GpuBackend> = Arc::new(host.backend());
    let store = CheckpointStore::new(Some(host.dir.path().join("checkpoint.json")));
    let mut agent = Agent::new(backend.clone(), store).unwrap();
    agent.offer_desired(DesiredConfig {
        generation: 1,
        gpus: vec![DesiredGpu {
            gpu_uuid: gpu_uuid.clone(),
            slices: vec![DesiredSlice {
                lease_id: LeaseId("L1".into()),
                profile: NvmlProfileIndex::Slice2,
                profile_name: "2g.20gb".into(),
                placement: Placement { start: 4, size: 2 },
            }],
        }],
    });
    let pass = agent.pass(false, KillPolicy::default()).unwrap();
    assert!(pass.report.errors.is_empty(), "{:?}", pass.report.errors);
    let slices = &pass.report.gpus[0].instances;
    assert_eq!(slices.len(), 2);
    assert!(
        slices
            .iter()
            .any(|s| s.lease_id.is_none() && s.instance.placement.start == 0)
    );
    assert!(
        slices
            .iter()
            .any(|s| s.lease_id.as_ref().is_some_and(|l| l.0 == "L1"))
    );
    agent.offer_desired(DesiredConfig {
        generation: 2,
        gpus: Vec::new(),
    });
    agent.pass(false, KillPolicy::default()).unwrap();
    let left = &host.state().gpus[0].gpu_instances;
    assert_eq!(left.len(), 1, "only the hand-made instance is left");
    assert_eq!(left[0].start, 0);
}

/// The stub board a fixture is for: its file name starts with the board key
/// (`h100-80gb-580.65.06.json`).
fn fixture_board(name: &str) -> &'static str {
    let mut keys: Vec<&str> = Board::keys().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    keys.into_iter()
        .find(|k| name.starts_with(&format!("{k}-")))
        .unwrap_or_else(|| panic!("fixture {name}: name it <board>-<driver>.json (or .nvidia-smi.txt), <board> one of the stub's"))
}

/// Compares one real-GPU fixture with the stub's answer for its board: a `probe` JSON by the
/// profile tables of every GPU of that model, an `nvidia-smi` text (`nvidia-smi mig -lgip; echo;
/// nvidia-smi mig -lgipp` on a GPU without instances) word for word. Returns the GPUs compared.
fn compare_fixture(path: &Path) -> usize {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let board = fixture_board(&name);
    let host = StubHost::new("stub-fixture", &[board]);
    let text = std::fs::read_to_string(path).unwrap();
    let why = "the real driver and the stub disagree: fix the reference JSON (and the catalog) \
               from the fixture, or explain the difference in tests/fixtures/README.md";
    if name.ends_with(".nvidia-smi.txt") {
        let stub = nvidia_smi(&host.backend()).unwrap();
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&text), words(&stub), "{name}: {why}\nstub:\n{stub}");
        return 1;
    }
    let real: crate::probe::Discovery =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not `probe` JSON: {e}"));
    let stub = crate::probe::discover(&host.backend()).unwrap();
    let table = |gpu: &GpuInfo| {
        let mut t = gpu.profiles.clone();
        t.sort_by_key(|p| p.id);
        t
    };
    let mut compared = 0;
    for gpu in real
        .gpus
        .iter()
        .filter(|g| g.gpu.model.as_deref() == Some(board))
    {
        assert!(
            gpu.gpu.mig_enabled(),
            "{name}: probe the GPU with MIG mode on"
        );
        assert_eq!(
            table(&gpu.gpu),
            table(&stub.gpus[0].gpu),
            "{name} GPU {}: {why}",
            gpu.gpu.index
        );
        compared += 1;
    }
    assert!(compared > 0, "{name} holds no {board} GPU");
    compared
}

/// Real-GPU fixtures in `agent/tests/fixtures/` (none until a session is lent a GPU; see the
/// README there) are compared with the stub as soon as they are committed.
#[test]
fn real_gpu_probe_fixtures_agree_with_the_stub() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "txt"))
        .collect();
    fixtures.sort();
    for path in &fixtures {
        compare_fixture(path);
    }
}

/// The comparison itself, on fixtures the stub writes, so it is known to work (and to fail)
/// before a real one arrives.
#[test]
fn a_fixture_is_compared_table_by_table_and_word_by_word() {
    let host = StubHost::new("stub-fixture-self", &["h100-80gb"]);
    let dir = TestDir::new("fixtures");
    let json = dir.path().join("h100-80gb-580.65.06.json");
    let discovery = crate::probe::discover(&host.backend()).unwrap();
    std::fs::write(&json, serde_json::to_string(&discovery).unwrap()).unwrap();
    assert_eq!(compare_fixture(&json), 1);
    let smi = dir.path().join("h100-80gb-580.65.06.nvidia-smi.txt");
    std::fs::write(
        &smi,
        nvidia_smi(&host.backend()).unwrap().replace("  ", " "),
    )
    .unwrap();
    assert_eq!(compare_fixture(&smi), 1, "whitespace does not count");
    let mut wrong = discovery;
    wrong.gpus[0].gpu.profiles[0].placements.pop();
    std::fs::write(&json, serde_json::to_string(&wrong).unwrap()).unwrap();
    let disagreement = std::panic::catch_unwind(|| compare_fixture(&json));
    assert!(
        disagreement.is_err(),
        "a different table fails the comparison"
    );
}
