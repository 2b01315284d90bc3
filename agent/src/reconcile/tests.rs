//! The planner and applier against the simulator: scenarios, then properties over random
//! hosts (convergence in one pass, unmanaged instances untouched, idempotence).

use super::*;
use crate::backend::GpuBackend;
use crate::backend::sim::{FailurePoint, ProcessSpec, SimBackend};
use crate::checkpoint::{Checkpoint, CheckpointStore, ManagedInstance};
use proptest::prelude::*;
use slicebroker_types::agent::{DesiredConfig, DesiredGpu, DesiredSlice, LeaseId};
use slicebroker_types::{GpuModel, Placement};
use std::time::Duration;

fn fast_kill() -> KillPolicy {
    KillPolicy {
        grace: Duration::from_millis(20),
        kill_wait: Duration::from_millis(20),
        poll: Duration::from_millis(5),
    }
}

fn lease(n: u32) -> LeaseId {
    format!("00000000-0000-0000-0000-{n:012}").parse().unwrap()
}

/// A desired slice by catalog profile name on the GPU's model.
fn slice(gpu: &crate::model::GpuInfo, lease_n: u32, profile: &str, start: u8) -> DesiredSlice {
    let p = gpu.profiles.iter().find(|p| p.name == profile).unwrap();
    DesiredSlice {
        lease_id: lease(lease_n),
        profile: p.index,
        profile_name: p.name.clone(),
        placement: Placement {
            start,
            size: p.memory_slices,
        },
    }
}

fn desired_on(gpu_uuid: &str, slices: Vec<DesiredSlice>) -> DesiredConfig {
    DesiredConfig {
        generation: 1,
        gpus: vec![DesiredGpu {
            gpu_uuid: gpu_uuid.into(),
            slices,
        }],
    }
}

/// One reconcile pass: observe, plan, apply. Returns the plan and the outcomes.
fn pass(
    b: &SimBackend,
    checkpoint: &mut Checkpoint,
    desired: &DesiredConfig,
) -> (Plan, Vec<ActionOutcome>) {
    let snapshot = b.snapshot().unwrap();
    checkpoint.retain_observed(&snapshot);
    let observed = classify(&snapshot, checkpoint);
    let p = plan(desired, &observed);
    let store = CheckpointStore::new(None);
    let applier = Applier {
        backend: b,
        store: &store,
        kill: fast_kill(),
    };
    let outcomes = applier.apply(checkpoint, &observed, &p.actions);
    (p, outcomes)
}

fn managed(gpu: &str, n: u32, profile_id: u32, placement: Placement, gi: u32) -> ManagedInstance {
    ManagedInstance {
        gpu_uuid: gpu.into(),
        lease_id: lease(n),
        profile_id,
        placement,
        gpu_instance_id: Some(gi),
        mig_uuid: None,
    }
}

#[test]
fn desired_slices_are_created_once_and_then_left_alone() {
    let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    let want = desired_on(
        &gpu.uuid,
        vec![slice(&gpu, 1, "3g.40gb", 4), slice(&gpu, 2, "2g.20gb", 0)],
    );
    let mut cp = Checkpoint::default();
    let (first, outcomes) = pass(&b, &mut cp, &want);
    assert_eq!(first.actions.len(), 2);
    assert!(outcomes.iter().all(|o| o.error.is_none()), "{outcomes:?}");
    assert_eq!(cp.instances.len(), 2);
    assert!(cp.instances.iter().all(|m| m.mig_uuid.is_some()));
    let (second, _) = pass(&b, &mut cp, &want);
    assert_eq!(second, Plan::default());
}

#[test]
fn a_new_lease_on_the_same_spot_kills_the_old_tenants_processes_first() {
    let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    let mut cp = Checkpoint::default();
    pass(
        &b,
        &mut cp,
        &desired_on(&gpu.uuid, vec![slice(&gpu, 1, "7g.80gb", 0)]),
    );
    let old_mig = cp.instances[0].mig_uuid.clone().unwrap();
    let stubborn = ProcessSpec {
        ignores_term: true,
        ..ProcessSpec::default()
    };
    b.start_process(&old_mig, ProcessSpec::default()).unwrap();
    b.start_process(&old_mig, stubborn).unwrap();

    let (p, outcomes) = pass(
        &b,
        &mut cp,
        &desired_on(&gpu.uuid, vec![slice(&gpu, 2, "7g.80gb", 0)]),
    );
    assert!(
        matches!(&p.actions[0], Action::Remove { lease_id, pids, .. } if *lease_id == lease(1) && pids.len() == 2)
    );
    assert!(matches!(&p.actions[1], Action::Create { lease_id, .. } if *lease_id == lease(2)));
    assert!(outcomes.iter().all(|o| o.error.is_none()), "{outcomes:?}");
    let now = b.instances(&gpu).unwrap();
    assert_eq!(now.len(), 1);
    assert!(
        now[0].processes.is_empty(),
        "SIGKILL ended the one that ignored SIGTERM"
    );
    assert_ne!(now[0].mig_uuid(), Some(old_mig.as_str()));
    assert_eq!(cp.instances[0].lease_id, lease(2));
}

#[test]
fn unmanaged_instances_are_reported_kept_and_block_overlapping_slices() {
    let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    let by_hand = b
        .create_instance(&gpu.uuid, 9, Placement { start: 4, size: 4 })
        .unwrap();
    let want = desired_on(
        &gpu.uuid,
        vec![slice(&gpu, 1, "2g.20gb", 0), slice(&gpu, 2, "1g.10gb", 5)],
    );
    let mut cp = Checkpoint::default();
    let (p, _) = pass(&b, &mut cp, &want);
    assert_eq!(p.unmanaged.len(), 1);
    assert_eq!(p.unmanaged[0].gpu_instance_id, by_hand.gpu_instance_id);
    assert_eq!(p.conflicts.len(), 1);
    assert_eq!(p.conflicts[0].lease_id, lease(2));
    assert!(
        p.conflicts[0].reason.contains("overlap"),
        "{}",
        p.conflicts[0].reason
    );
    let (empty, _) = pass(&b, &mut cp, &DesiredConfig::default());
    assert!(
        empty.actions.iter().all(|a| !matches!(a, Action::Remove { gpu_instance_id, .. } if *gpu_instance_id == by_hand.gpu_instance_id)),
        "{empty:?}"
    );
    let ids: Vec<u32> = b.instances(&gpu).unwrap().iter().map(|i| i.id).collect();
    assert_eq!(
        ids,
        vec![by_hand.gpu_instance_id],
        "only the agent's own instance went"
    );
}

#[test]
fn slices_that_cannot_be_made_are_conflicts_with_reasons() {
    let b = SimBackend::from_spec("h100-80gb,a100-40gb", 1).unwrap();
    let gpus = b.gpus().unwrap();
    b.set_mig_mode(&gpus[0].uuid, false).unwrap();
    let a100 = &gpus[1];
    let mut bad_start = slice(a100, 3, "3g.20gb", 0);
    bad_start.placement.start = 2;
    let mut me = slice(&gpus[0], 1, "1g.10gb", 0);
    me.lease_id = lease(1);
    let want = DesiredConfig {
        generation: 3,
        gpus: vec![
            DesiredGpu {
                gpu_uuid: gpus[0].uuid.clone(),
                slices: vec![me],
            },
            DesiredGpu {
                gpu_uuid: a100.uuid.clone(),
                slices: vec![
                    bad_start,
                    slice(a100, 4, "3g.20gb", 0),
                    slice(a100, 5, "3g.20gb", 4),
                    slice(a100, 6, "1g.5gb", 6),
                ],
            },
            DesiredGpu {
                gpu_uuid: "GPU-nowhere".into(),
                slices: vec![slice(a100, 7, "1g.5gb", 0)],
            },
        ],
    };
    let observed = classify(&b.snapshot().unwrap(), &Checkpoint::default());
    let p = plan(&want, &observed);
    let reasons: Vec<(String, &str)> = p
        .conflicts
        .iter()
        .map(|c| (c.lease_id.to_string(), c.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].1.contains("MIG mode is not enabled"));
    assert!(reasons[1].1.contains("not a placement"));
    assert!(
        reasons[2].1.contains("overlap"),
        "6 is taken by 3g@4: {reasons:?}"
    );
    assert_eq!(
        reasons[3],
        (lease(7).to_string(), "no such GPU on this host")
    );
    assert_eq!(p.actions.len(), 2);
}

#[test]
fn a_create_cut_short_is_finished_not_repeated() {
    let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    let at = Placement { start: 0, size: 4 };
    // The agent recorded its intent, created the GPU instance, and died before the CI.
    let gi = b.create_bare_gpu_instance(&gpu.uuid, 9, at).unwrap();
    let mut cp = Checkpoint::default();
    cp.record_intent(ManagedInstance {
        gpu_instance_id: None,
        ..managed(&gpu.uuid, 1, 9, at, 0)
    });
    let want = desired_on(&gpu.uuid, vec![slice(&gpu, 1, "3g.40gb", 0)]);
    let (p, outcomes) = pass(&b, &mut cp, &want);
    assert_eq!(p.actions.len(), 1);
    assert!(
        matches!(&p.actions[0], Action::CreateComputeInstance { gpu_instance_id, .. } if *gpu_instance_id == gi)
    );
    assert!(outcomes[0].error.is_none());
    assert!(b.instances(&gpu).unwrap()[0].mig_uuid().is_some());
    assert_eq!(cp.instances[0].gpu_instance_id, Some(gi));
    assert_eq!(pass(&b, &mut cp, &want).0, Plan::default());
}

#[test]
fn a_destroy_that_fails_in_use_is_reported_kept_and_retried() {
    let b = SimBackend::from_spec("a100-40gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    let mut cp = Checkpoint::default();
    pass(
        &b,
        &mut cp,
        &desired_on(&gpu.uuid, vec![slice(&gpu, 1, "1g.5gb", 3)]),
    );
    b.inject_failure(FailurePoint::Destroy, 1).unwrap();
    let (_, outcomes) = pass(&b, &mut cp, &DesiredConfig::default());
    let err = outcomes[0].error.as_deref().unwrap();
    assert!(err.contains("in use"), "{err}");
    assert_eq!(cp.instances.len(), 1, "still ours until it is gone");
    let (retry, outcomes) = pass(&b, &mut cp, &DesiredConfig::default());
    assert_eq!(retry.actions.len(), 1);
    assert!(outcomes[0].error.is_none());
    assert!(b.instances(&gpu).unwrap().is_empty() && cp.instances.is_empty());
}

#[test]
fn a_failed_create_leaves_no_intent_behind() {
    let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    b.inject_failure(FailurePoint::Create, 1).unwrap();
    let want = desired_on(&gpu.uuid, vec![slice(&gpu, 1, "1g.10gb", 2)]);
    let mut cp = Checkpoint::default();
    let (_, outcomes) = pass(&b, &mut cp, &want);
    assert!(outcomes[0].error.as_deref().unwrap().contains("injected"));
    assert!(cp.instances.is_empty());
    let (_, outcomes) = pass(&b, &mut cp, &want);
    assert!(outcomes[0].error.is_none(), "retried on the next pass");
}

#[test]
fn stale_records_are_dropped_only_for_observed_gpus() {
    let b = SimBackend::from_spec("h100-80gb", 1).unwrap();
    let gpu = b.gpus().unwrap().remove(0);
    let mut cp = Checkpoint::default();
    let at = Placement { start: 0, size: 8 };
    cp.record_intent(managed(&gpu.uuid, 1, 0, at, 3));
    cp.record_intent(managed("GPU-elsewhere", 2, 0, at, 3));
    assert_eq!(cp.retain_observed(&b.snapshot().unwrap()), 1);
    assert_eq!(cp.instances[0].gpu_uuid, "GPU-elsewhere");
}

/// A random host: existing instances (some the agent's, some by hand, some with processes)
/// and a random desired config that may ask for impossible things.
#[derive(Clone, Debug)]
struct Case {
    spec: &'static str,
    existing: Vec<(usize, usize, usize, Option<u32>, u8)>,
    desired: Vec<(usize, usize, usize, u32)>,
}

fn case() -> impl Strategy<Value = Case> {
    let spec = prop::sample::select(vec![
        "h100-80gb",
        "a100-40gb",
        "a30-24gb",
        "h100-80gb,rtx-pro-6000-96gb",
    ]);
    let existing = prop::collection::vec(
        (
            0..2usize,
            0..16usize,
            0..12usize,
            prop::option::of(0..4u32),
            0..3u8,
        ),
        0..6,
    );
    let desired = prop::collection::vec((0..2usize, 0..16usize, 0..12usize, 0..6u32), 0..8);
    (spec, existing, desired).prop_map(|(spec, existing, desired)| Case {
        spec,
        existing,
        desired,
    })
}

/// Builds the host; returns backend, checkpoint, desired config, and unmanaged (gpu, gi id)s.
fn build(
    case: &Case,
) -> (
    SimBackend,
    Checkpoint,
    DesiredConfig,
    Vec<(String, u32, Placement)>,
) {
    let b = SimBackend::from_spec(case.spec, 9).unwrap();
    let gpus = b.gpus().unwrap();
    let pick = |g: usize, p: usize, s: usize| {
        let gpu = &gpus[g % gpus.len()];
        let model = GpuModel::get(GpuModel::find(gpu.model.as_deref().unwrap()).unwrap());
        let profile = &model.profiles[p % model.profiles.len()];
        (
            gpu,
            profile,
            profile.placements[s % profile.placements.len()],
        )
    };
    let mut cp = Checkpoint::default();
    let mut unmanaged = Vec::new();
    for &(g, p, s, owner, procs) in &case.existing {
        let (gpu, profile, at) = pick(g, p, s);
        let Ok(made) = b.create_instance(&gpu.uuid, profile.nvml_id, at) else {
            continue;
        };
        for n in 0..procs {
            let spec = ProcessSpec {
                ignores_term: n == 1,
                ..ProcessSpec::default()
            };
            b.start_process(&made.mig_uuid, spec).unwrap();
        }
        match owner {
            Some(n) => cp.record_intent(managed(
                &gpu.uuid,
                n,
                profile.nvml_id,
                at,
                made.gpu_instance_id,
            )),
            None => unmanaged.push((gpu.uuid.clone(), made.gpu_instance_id, at)),
        }
    }
    let mut desired = DesiredConfig {
        generation: 1,
        gpus: gpus
            .iter()
            .map(|g| DesiredGpu {
                gpu_uuid: g.uuid.clone(),
                slices: Vec::new(),
            })
            .collect(),
    };
    for &(g, p, s, n) in &case.desired {
        let (gpu, profile, at) = pick(g, p, s);
        let target = desired
            .gpus
            .iter_mut()
            .find(|d| d.gpu_uuid == gpu.uuid)
            .unwrap();
        target.slices.push(DesiredSlice {
            lease_id: lease(n),
            profile: profile.nvml_index,
            profile_name: profile.name.into(),
            placement: at,
        });
    }
    (b, cp, desired, unmanaged)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn one_pass_converges_and_never_touches_unmanaged_instances(case in case()) {
        let (b, mut cp, desired, unmanaged) = build(&case);
        let (first, outcomes) = pass(&b, &mut cp, &desired);
        for a in &first.actions {
            if let Action::Remove { gpu_uuid, gpu_instance_id, .. } = a {
                prop_assert!(!unmanaged.iter().any(|(g, id, _)| g == gpu_uuid && id == gpu_instance_id));
            }
        }
        prop_assert!(outcomes.iter().all(|o| o.error.is_none()), "{:?}", outcomes);

        let (second, outcomes) = pass(&b, &mut cp, &desired);
        prop_assert!(second.actions.is_empty(), "not converged: {:?}", second.actions);
        prop_assert!(outcomes.is_empty());
        // The same slices stay refused (the reasons' counts may read differently).
        let refused = |p: &Plan| p.conflicts.iter().map(|c| (c.gpu_uuid.clone(), c.lease_id)).collect::<Vec<_>>();
        prop_assert_eq!(refused(&second), refused(&first));
        let (third, _) = pass(&b, &mut cp, &desired);
        prop_assert_eq!(&third, &second, "plans are idempotent once converged");

        let snapshot = b.snapshot().unwrap();
        for (g, id, at) in &unmanaged {
            let gpu = snapshot.iter().find(|s| &s.gpu.uuid == g).unwrap();
            prop_assert!(gpu.instances.iter().any(|i| i.id == *id && i.placement == *at));
        }
        // Every desired slice is either there, the agent's, for its lease, or a conflict.
        let observed = classify(&snapshot, &cp);
        for d in &desired.gpus {
            let gpu = observed.iter().find(|o| o.gpu.uuid == d.gpu_uuid).unwrap();
            for s in &d.slices {
                let made = gpu.instances.iter().any(|o| {
                    o.owner == Owner::Managed(s.lease_id) && o.instance.placement == s.placement
                });
                let refused = second.conflicts.iter().any(|c| c.lease_id == s.lease_id && c.gpu_uuid == d.gpu_uuid);
                prop_assert!(made || refused, "slice {:?} neither made nor refused", s);
            }
        }
    }
}
