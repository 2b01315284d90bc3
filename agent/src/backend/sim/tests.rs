//! The simulator against the geometry rules and NVML's failure behaviour.

use super::*;
use crate::backend::catalog_differences;

fn sim(spec: &str) -> SimBackend {
    SimBackend::from_spec(spec, 42).unwrap()
}

fn gpu(b: &SimBackend, index: usize) -> GpuInfo {
    b.gpus().unwrap().remove(index)
}

fn at(start: u8, size: u8) -> Placement {
    Placement { start, size }
}

/// H100 80GB profile ids: 1g.10gb 19, 1g.10gb+me 20, 1g.20gb 15, 2g 14, 3g 9, 4g 5, 7g 0.
const H100_1G: u32 = 19;
const H100_1G_ME: u32 = 20;
const H100_3G: u32 = 9;
const H100_7G: u32 = 0;

#[test]
fn gpus_come_from_the_spec_with_stable_distinct_uuids_and_catalog_tables() {
    let b = sim("h100-80gb:2,a100-40gb");
    let gpus = b.gpus().unwrap();
    let models: Vec<_> = gpus.iter().map(|g| g.model.clone().unwrap()).collect();
    assert_eq!(models, vec!["h100-80gb", "h100-80gb", "a100-40gb"]);
    assert_ne!(gpus[0].uuid, gpus[1].uuid);
    assert!(gpus[0].uuid.starts_with("GPU-"));
    assert_eq!(
        gpus,
        sim("h100-80gb:2,a100-40gb").gpus().unwrap(),
        "same seed, same GPUs"
    );
    assert_ne!(
        gpus[0].uuid,
        SimBackend::from_spec("h100-80gb", 43)
            .unwrap()
            .gpus()
            .unwrap()[0]
            .uuid
    );
    for g in &gpus {
        let model = GpuModel::get(GpuModel::identify(Some(g.pci_device_id), &g.name).unwrap());
        assert_eq!(Some(model.key.to_owned()), g.model);
        assert_eq!(catalog_differences(model, &g.profiles), vec![]);
        assert!(g.mig_enabled());
    }
    assert_eq!(
        gpus[0].memory_total_mib,
        gpus[0].profile_by_id(H100_7G).unwrap().memory_mib
    );
}

#[test]
fn created_instance_is_observed_with_its_placement_and_mig_device() {
    let b = sim("h100-80gb");
    let g = gpu(&b, 0);
    let created = b.create_instance(&g.uuid, H100_3G, at(4, 4)).unwrap();
    assert!(created.mig_uuid.starts_with("MIG-"));
    let instances = b.instances(&g).unwrap();
    assert_eq!(instances.len(), 1);
    let i = &instances[0];
    assert_eq!(
        (i.id, i.profile_id, i.placement),
        (created.gpu_instance_id, H100_3G, at(4, 4))
    );
    assert_eq!(
        i.profile_index,
        Some(slicebroker_types::NvmlProfileIndex::Slice3)
    );
    assert_eq!(i.mig_uuid(), Some(created.mig_uuid.as_str()));
    assert_eq!(
        i.compute_instances[0].profile_id, 2,
        "3-slice CI spans the 3g GI"
    );
    assert_eq!((i.memory_used_mib, i.activity), (Some(0), Some(0.0)));
}

#[test]
fn overlapping_or_invalid_placements_fail_with_insufficient_resources() {
    let b = sim("h100-80gb");
    let g = gpu(&b, 0).uuid;
    b.create_instance(&g, H100_3G, at(4, 4)).unwrap();
    let overlap = b.create_instance(&g, H100_1G, at(5, 1)).unwrap_err();
    assert!(
        matches!(overlap, BackendError::InsufficientResources { .. }),
        "{overlap}"
    );
    assert!(overlap.to_string().contains("overlap"), "{overlap}");
    let not_listed = b.create_instance(&g, H100_3G, at(2, 4)).unwrap_err();
    assert!(
        not_listed.to_string().contains("not a placement"),
        "{not_listed}"
    );
    let wrong_size = b.create_instance(&g, H100_1G, at(0, 2)).unwrap_err();
    assert!(
        wrong_size.to_string().contains("size must be 1"),
        "{wrong_size}"
    );
    let unknown = b.create_instance(&g, 77, at(0, 1)).unwrap_err();
    assert!(matches!(
        unknown,
        BackendError::UnknownProfile { profile_id: 77, .. }
    ));
    assert_eq!(
        b.instances(&gpu(&b, 0)).unwrap().len(),
        1,
        "failed creates change nothing"
    );
}

#[test]
fn max_count_and_media_engine_limits_are_enforced() {
    let b = sim("h100-80gb");
    let g = gpu(&b, 0).uuid;
    b.create_instance(&g, H100_1G_ME, at(0, 1)).unwrap();
    let second_me = b.create_instance(&g, H100_1G_ME, at(1, 1)).unwrap_err();
    assert!(second_me.to_string().contains("maximum"), "{second_me}");
    for start in 1..7 {
        b.create_instance(&g, H100_1G, at(start, 1)).unwrap();
    }
    let eighth = b.create_instance(&g, H100_1G, at(7, 1)).unwrap_err();
    assert!(matches!(eighth, BackendError::InsufficientResources { .. }));
}

#[test]
fn destroy_is_refused_while_processes_run_and_frees_the_slices_after() {
    let b = sim("h100-80gb");
    let g = gpu(&b, 0).uuid;
    let c = b.create_instance(&g, H100_7G, at(0, 8)).unwrap();
    let pid = b
        .start_process(&c.mig_uuid, ProcessSpec::default())
        .unwrap();
    let err = b.destroy_instance(&g, c.gpu_instance_id).unwrap_err();
    assert!(err.is_in_use());
    assert!(matches!(&err, BackendError::InUse { pids, .. } if pids == &vec![pid]));
    b.stop_process(pid).unwrap();
    b.destroy_instance(&g, c.gpu_instance_id).unwrap();
    assert!(b.instances(&gpu(&b, 0)).unwrap().is_empty());
    let again = b.create_instance(&g, H100_7G, at(0, 8)).unwrap();
    assert_ne!(
        again.mig_uuid, c.mig_uuid,
        "a new instance gets a new MIG UUID"
    );
    let missing = b.destroy_instance(&g, 99).unwrap_err();
    assert!(matches!(
        missing,
        BackendError::UnknownInstance {
            gpu_instance_id: 99,
            ..
        }
    ));
}

#[test]
fn sigterm_is_ignored_by_stubborn_processes_but_sigkill_is_not() {
    let b = sim("a100-40gb");
    let g = gpu(&b, 0);
    let c = b.create_instance(&g.uuid, 0, at(0, 8)).unwrap();
    let polite = b
        .start_process(&c.mig_uuid, ProcessSpec::default())
        .unwrap();
    let stubborn = ProcessSpec {
        ignores_term: true,
        memory_mib: 2048,
        ..ProcessSpec::default()
    };
    let stubborn = b.start_process(&c.mig_uuid, stubborn).unwrap();
    let observed = &b.instances(&g).unwrap()[0];
    assert_eq!(observed.memory_used_mib, Some(1024 + 2048));
    assert_eq!(observed.activity, None, "A100 has no per-instance activity");
    assert_eq!(observed.processes[1].uid, Some(1000));
    b.signal_process(polite, Signal::Term).unwrap();
    b.signal_process(stubborn, Signal::Term).unwrap();
    let pids: Vec<u32> = b.instances(&g).unwrap()[0]
        .processes
        .iter()
        .map(|p| p.pid)
        .collect();
    assert_eq!(pids, vec![stubborn]);
    b.signal_process(stubborn, Signal::Kill).unwrap();
    assert!(b.instances(&g).unwrap()[0].processes.is_empty());
    assert!(matches!(
        b.signal_process(stubborn, Signal::Kill),
        Err(BackendError::NoSuchProcess { .. })
    ));
}

#[test]
fn state_file_survives_a_restart_and_must_match_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let (gpu_uuid, mig, pid) = {
        let b = SimBackend::open("h100-80gb:2", 1, path.clone()).unwrap();
        let g = gpu(&b, 1).uuid;
        let c = b.create_instance(&g, H100_3G, at(0, 4)).unwrap();
        let pid = b
            .start_process(&c.mig_uuid, ProcessSpec::default())
            .unwrap();
        (g, c.mig_uuid, pid)
    };
    let b = SimBackend::open("h100-80gb:2", 999, path.clone()).unwrap();
    let g = gpu(&b, 1);
    assert_eq!(g.uuid, gpu_uuid, "the file's seed wins over the new one");
    let instances = b.instances(&g).unwrap();
    assert_eq!(instances[0].mig_uuid(), Some(mig.as_str()));
    assert_eq!(instances[0].processes[0].pid, pid);
    let next = b.start_process(&mig, ProcessSpec::default()).unwrap();
    assert_eq!(next, pid + 1, "pids are not reused after a restart");

    let err = SimBackend::open("a100-40gb:2", 1, path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not fit") && err.contains("delete it"),
        "{err}"
    );
}

#[test]
fn injected_failures_strike_the_given_number_of_times() {
    let b = sim("h100-80gb");
    let g = gpu(&b, 0).uuid;
    b.inject_failure(FailurePoint::Create, 1).unwrap();
    assert!(matches!(
        b.create_instance(&g, H100_7G, at(0, 8)),
        Err(BackendError::Injected { .. })
    ));
    let c = b.create_instance(&g, H100_7G, at(0, 8)).unwrap();
    b.inject_failure(FailurePoint::Destroy, 2).unwrap();
    assert!(
        b.destroy_instance(&g, c.gpu_instance_id)
            .unwrap_err()
            .is_in_use()
    );
    assert!(
        b.destroy_instance(&g, c.gpu_instance_id)
            .unwrap_err()
            .is_in_use()
    );
    b.destroy_instance(&g, c.gpu_instance_id).unwrap();
}

#[test]
fn mig_mode_changes_are_refused_while_in_use_and_ampere_needs_a_reset() {
    let b = sim("h100-80gb,a100-40gb");
    let hopper = gpu(&b, 0).uuid;
    let c = b.create_instance(&hopper, H100_7G, at(0, 8)).unwrap();
    assert!(b.set_mig_mode(&hopper, false).unwrap_err().is_in_use());
    b.destroy_instance(&hopper, c.gpu_instance_id).unwrap();
    let change = b.set_mig_mode(&hopper, false).unwrap();
    assert!(!change.reset_required && !change.mode.current);
    assert!(gpu(&b, 0).profiles.is_empty());
    assert!(matches!(
        b.create_instance(&hopper, H100_7G, at(0, 8)),
        Err(BackendError::MigDisabled { .. })
    ));

    let ampere = gpu(&b, 1).uuid;
    let change = b.set_mig_mode(&ampere, false).unwrap();
    assert!(change.reset_required && change.mode.current && !change.mode.pending);
    b.reset_gpu(&ampere).unwrap();
    assert!(!gpu(&b, 1).mig_enabled());
}

#[test]
fn a_bare_gpu_instance_can_get_its_compute_instance_later() {
    let b = sim("h100-80gb");
    let g = gpu(&b, 0);
    let id = b
        .create_bare_gpu_instance(&g.uuid, H100_3G, at(0, 4))
        .unwrap();
    assert!(b.instances(&g).unwrap()[0].compute_instances.is_empty());
    let c = b.create_compute_instance(&g.uuid, id).unwrap();
    assert_eq!(
        b.instances(&g).unwrap()[0].mig_uuid(),
        Some(c.mig_uuid.as_str())
    );
    assert!(
        b.create_compute_instance(&g.uuid, id).is_err(),
        "only one full CI fits"
    );
}

#[test]
fn snapshot_lists_every_gpu_with_its_instances() {
    let b = sim("h100-80gb:2");
    let g = gpu(&b, 1).uuid;
    b.create_instance(&g, H100_1G, at(6, 1)).unwrap();
    b.create_instance(&g, H100_1G, at(0, 1)).unwrap();
    let snap = b.snapshot().unwrap();
    assert_eq!(snap.len(), 2);
    assert!(snap[0].instances.is_empty());
    let starts: Vec<u8> = snap[1]
        .instances
        .iter()
        .map(|i| i.placement.start)
        .collect();
    assert_eq!(starts, vec![0, 6], "sorted by placement");
}

#[test]
fn backends_sharing_a_state_file_see_each_others_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let agent = SimBackend::open("h100-80gb", 5, path.clone()).unwrap();
    let outside = SimBackend::open_existing(path.clone()).unwrap();
    let g = gpu(&agent, 0);
    let c = agent.create_instance(&g.uuid, H100_3G, at(0, 4)).unwrap();
    let pid = outside
        .start_process(&c.mig_uuid, ProcessSpec::default())
        .unwrap();
    assert_eq!(agent.instances(&g).unwrap()[0].processes[0].pid, pid);
    agent.signal_process(pid, Signal::Term).unwrap();
    assert!(outside.workloads().unwrap().is_empty(), "the kill is seen");
    outside.inject_failure(FailurePoint::Destroy, 1).unwrap();
    assert!(
        agent
            .destroy_instance(&g.uuid, c.gpu_instance_id)
            .unwrap_err()
            .is_in_use()
    );
    agent.destroy_instance(&g.uuid, c.gpu_instance_id).unwrap();
    assert!(outside.instances(&g).unwrap().is_empty());

    let missing = SimBackend::open_existing(dir.path().join("none.json")).unwrap_err();
    assert!(missing.to_string().contains("--sim-gpus"), "{missing}");
}

#[test]
fn changes_from_many_backends_at_once_are_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    let first = SimBackend::open("h100-80gb", 5, path.clone()).unwrap();
    let mig = first
        .create_instance(&gpu(&first, 0).uuid, H100_7G, at(0, 8))
        .unwrap()
        .mig_uuid;
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (path, mig) = (path.clone(), mig.clone());
            std::thread::spawn(move || {
                let b = SimBackend::open_existing(path).unwrap();
                (0..10)
                    .map(|_| b.start_process(&mig, ProcessSpec::default()).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut pids: Vec<u32> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 40, "every start got its own pid");
    assert_eq!(
        first.workloads().unwrap().len(),
        40,
        "and every one was kept"
    );
}

#[test]
fn health_reports_set_readings_and_an_injected_xid_once_with_its_instance() {
    use crate::backend::sim::HealthChange;
    use slicebroker_types::agent::{ThrottleReason, XidEvent};
    let b = sim("h100-80gb:2");
    let g0 = gpu(&b, 0);
    let g1 = gpu(&b, 1);
    let made = b.create_instance(&g0.uuid, H100_3G, at(0, 4)).unwrap();
    let idle = b.health(&g0).unwrap();
    assert!(idle.xids.is_empty());
    assert!(idle.temperature_c.is_some(), "the simulator has sensors");
    b.set_health(
        &g0.uuid,
        HealthChange {
            temperature_c: Some(88),
            throttle_reasons: Some(vec![ThrottleReason::HwThermalSlowdown]),
            ..HealthChange::default()
        },
    )
    .unwrap();
    let hit = b
        .inject_xid(&g0.uuid, 94, Some(made.gpu_instance_id))
        .unwrap();
    assert_eq!(
        hit,
        XidEvent {
            xid: 94,
            gpu_instance_id: Some(made.gpu_instance_id),
            compute_instance_id: Some(made.compute_instance_id),
            seq: None,
        }
    );
    assert!(
        b.inject_xid(&g0.uuid, 94, Some(99)).is_err(),
        "no such instance"
    );
    let h = b.health(&g0).unwrap();
    assert_eq!(h.xids, vec![hit]);
    assert_eq!(h.temperature_c, Some(88));
    assert_eq!(
        h.throttle_reasons,
        Some(vec![ThrottleReason::HwThermalSlowdown])
    );
    assert_eq!(h.power_mw, idle.power_mw, "unchanged readings stay");
    assert!(b.health(&g0).unwrap().xids.is_empty(), "reported once");
    assert!(b.health(&g1).unwrap().xids.is_empty(), "only its own GPU");
}

#[test]
fn xids_beyond_the_report_bound_keep_the_newest_and_count_the_rest() {
    use slicebroker_types::limits::MAX_XIDS_PER_REPORT;
    let b = sim("h100-80gb");
    let g = gpu(&b, 0);
    for xid in 0..(MAX_XIDS_PER_REPORT as u64 + 3) {
        b.inject_xid(&g.uuid, xid, None).unwrap();
    }
    let h = b.health(&g).unwrap();
    assert_eq!(h.xids.len(), MAX_XIDS_PER_REPORT);
    assert_eq!(h.xids_dropped, 3);
    assert_eq!(h.xids[0].xid, 3, "the oldest three were dropped");
}
