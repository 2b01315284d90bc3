//! The NVML backend against the stub while the host changes under it: processes and memory,
//! GPM, injected faults, half-made instances, MIG mode changes, and a whole reconcile pass.

use super::*;
use crate::agent::Agent;
use crate::checkpoint::CheckpointStore;
use crate::reconcile::KillPolicy;
use slicebroker_types::agent::{DesiredConfig, DesiredGpu, DesiredSlice};
use std::sync::Arc;

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
                lease_id: "00000000-0000-0000-0000-000000000001".parse().unwrap(),
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
    assert!(slices.iter().any(|s| {
        s.lease_id
            .is_some_and(|l| l.to_string() == "00000000-0000-0000-0000-000000000001")
    }));
    agent.offer_desired(DesiredConfig {
        generation: 2,
        gpus: Vec::new(),
    });
    agent.pass(false, KillPolicy::default()).unwrap();
    let left = &host.state().gpus[0].gpu_instances;
    assert_eq!(left.len(), 1, "only the hand-made instance is left");
    assert_eq!(left[0].start, 0);
}
