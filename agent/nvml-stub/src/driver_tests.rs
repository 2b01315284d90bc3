//! The MIG model against NVML's documented behaviour, board by board.

use super::*;
use crate::boards::Board;

fn host(boards: &[&str]) -> State {
    State::new(boards, 1).unwrap()
}

fn create(s: &mut State, gpu: usize, name: &str, start: u32) -> Result<(u32, u64), Ret> {
    let p = board(&s.gpus[gpu])
        .profiles
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .clone();
    create_gpu_instance(s, gpu, p.id, start, p.memory_slices)
}

#[test]
fn every_profile_goes_at_every_listed_placement_and_nowhere_else() {
    for key in Board::keys() {
        let b = Board::get(key).unwrap();
        for p in &b.profiles {
            for start in 0..b.memory_slices {
                let mut s = host(&[key]);
                let made = create_gpu_instance(&mut s, 0, p.id, start, p.memory_slices);
                if p.starts.contains(&start) {
                    let (id, serial) =
                        made.unwrap_or_else(|e| panic!("{key} {} @{start}: {e:?}", p.name));
                    destroy_gpu_instance(&mut s, 0, id, serial).unwrap();
                } else {
                    assert_eq!(made, Err(Ret::InvalidArgument), "{key} {} @{start}", p.name);
                }
            }
            let mut s = host(&[key]);
            let wrong_size = create_gpu_instance(&mut s, 0, p.id, p.starts[0], p.memory_slices + 1);
            assert_eq!(wrong_size, Err(Ret::InvalidArgument));
        }
    }
}

#[test]
fn a_profile_fills_up_to_its_count_then_runs_out_of_resources() {
    for key in Board::keys() {
        let b = Board::get(key).unwrap();
        for p in &b.profiles {
            let mut s = host(&[key]);
            let mut made = 0;
            for &start in &p.starts {
                if create_gpu_instance(&mut s, 0, p.id, start, p.memory_slices).is_ok() {
                    made += 1;
                }
            }
            let expect = p
                .max_count
                .min(p.starts.len() as u32)
                .min(b.compute_slices / p.compute_slices);
            assert_eq!(made, expect, "{key} {}", p.name);
            assert_eq!(
                remaining_capacity(&s.gpus[0], p.id),
                Ok(0),
                "{key} {}",
                p.name
            );
        }
    }
}

#[test]
fn overlapping_memory_slices_are_insufficient_resources() {
    let mut s = host(&["a100-40gb"]);
    create(&mut s, 0, "3g.20gb", 4).unwrap();
    assert_eq!(
        create(&mut s, 0, "1g.5gb", 5),
        Err(Ret::InsufficientResources)
    );
    assert_eq!(
        create(&mut s, 0, "2g.10gb", 4),
        Err(Ret::InsufficientResources)
    );
    // The other half still takes a 4g (R510 and later).
    create(&mut s, 0, "4g.20gb", 0).unwrap();
    assert_eq!(remaining_capacity(&s.gpus[0], 19), Ok(0));
}

#[test]
fn a_3g_at_0_leaves_one_compute_slice_unusable() {
    let mut s = host(&["a100-40gb"]);
    create(&mut s, 0, "3g.20gb", 0).unwrap();
    create(&mut s, 0, "2g.10gb", 4).unwrap();
    create(&mut s, 0, "1g.5gb", 6).unwrap();
    // Memory slice 7 is free but no 1g placement reaches it.
    assert_eq!(remaining_capacity(&s.gpus[0], 19), Ok(0));
}

#[test]
fn only_one_instance_holds_the_ofa_engine() {
    let mut s = host(&["a30-24gb"]);
    create(&mut s, 0, "1g.6gb+me", 0).unwrap();
    assert_eq!(
        create(&mut s, 0, "2g.12gb+me", 2),
        Err(Ret::InsufficientResources)
    );
    create(&mut s, 0, "2g.12gb", 2).unwrap();
}

#[test]
fn all_media_engines_leave_room_only_for_no_media_profiles() {
    let mut s = host(&["rtx-pro-6000-96gb"]);
    create(&mut s, 0, "1g.24gb+me.all", 0).unwrap();
    assert_eq!(
        create(&mut s, 0, "1g.24gb", 3),
        Err(Ret::InsufficientResources)
    );
    assert_eq!(
        create(&mut s, 0, "1g.24gb+gfx", 3),
        Err(Ret::InsufficientResources)
    );
    create(&mut s, 0, "1g.24gb-me", 3).unwrap();
    create(&mut s, 0, "1g.24gb-me", 6).unwrap();
}

#[test]
fn destroy_is_refused_while_a_compute_instance_or_process_is_attached() {
    let mut s = host(&["h100-80gb"]);
    let (gi, serial) = create(&mut s, 0, "2g.20gb", 2).unwrap();
    let (ci, ci_serial) = create_compute_instance(&mut s, 0, gi, serial, 1).unwrap();
    assert_eq!(destroy_gpu_instance(&mut s, 0, gi, serial), Err(Ret::InUse));
    let mig = s.gpus[0].gpu_instances[0].compute_instances[0].uuid.clone();
    assert!(mig.starts_with("MIG-"));
    s.add_process(std::process::id(), &mig, 512, 0.5);
    assert_eq!(
        destroy_compute_instance(&mut s, 0, gi, ci, ci_serial),
        Err(Ret::InUse)
    );
    s.processes.clear();
    destroy_compute_instance(&mut s, 0, gi, ci, ci_serial).unwrap();
    destroy_gpu_instance(&mut s, 0, gi, serial).unwrap();
}

#[test]
fn a_destroyed_instance_stays_gone_when_its_id_is_reused() {
    let mut s = host(&["h100-80gb"]);
    let (id, old) = create(&mut s, 0, "1g.10gb", 0).unwrap();
    destroy_gpu_instance(&mut s, 0, id, old).unwrap();
    let (again, new) = create(&mut s, 0, "1g.10gb", 0).unwrap();
    assert_eq!(again, id);
    assert_eq!(gpu_instance(&s.gpus[0], id, old), Err(Ret::InvalidArgument));
    assert!(gpu_instance(&s.gpus[0], id, new).is_ok());
}

#[test]
fn compute_instance_profiles_follow_the_gpu_instance() {
    let mut s = host(&["a100-40gb", "h100-80gb"]);
    let (gi, serial) = create(&mut s, 0, "3g.20gb", 4).unwrap();
    let g = s.gpus[0].clone();
    let gi_ref = gpu_instance(&g, gi, serial).unwrap();
    let sms: Vec<_> = (0..COMPUTE_INSTANCE_PROFILE_COUNT)
        .filter_map(|i| {
            ci_profile(&g, gi_ref, i, 0)
                .ok()
                .map(|p| (i, p.slices, p.sm, p.instance_count))
        })
        .collect();
    // The MIG user guide's A100 3g.20gb: 1c 14 SMs ×3, 2c 28, 3c 42.
    assert_eq!(sms, [(0, 1, 14, 3), (1, 2, 28, 1), (2, 3, 42, 1)]);
    assert_eq!(
        ci_profile(&g, gi_ref, 0, 1),
        Err(Ret::InvalidArgument),
        "engine profile"
    );
    assert_eq!(ci_profile(&g, gi_ref, 9, 0), Err(Ret::InvalidArgument));
    // Hopper's 2g.20gb offers the 26-SM one-slice compute instance beside the 16-SM one.
    let (gi, serial) = create(&mut s, 1, "2g.20gb", 0).unwrap();
    let h = s.gpus[1].clone();
    let rev1 = ci_profile(
        &h,
        gpu_instance(&h, gi, serial).unwrap(),
        COMPUTE_INSTANCE_PROFILE_1_SLICE_REV1,
        0,
    );
    assert_eq!(rev1.map(|p| p.sm), Ok(26));
    assert_eq!(
        ci_profile(&h, gpu_instance(&h, gi, serial).unwrap(), 0, 0).map(|p| p.sm),
        Ok(16)
    );
}

#[test]
fn compute_instances_share_the_gpu_instances_slices() {
    let mut s = host(&["a100-40gb"]);
    let (gi, serial) = create(&mut s, 0, "7g.40gb", 0).unwrap();
    create_compute_instance(&mut s, 0, gi, serial, 3).unwrap(); // 4c
    create_compute_instance(&mut s, 0, gi, serial, 1).unwrap(); // 2c at 4
    assert_eq!(
        create_compute_instance(&mut s, 0, gi, serial, 1),
        Err(Ret::InsufficientResources)
    );
    create_compute_instance(&mut s, 0, gi, serial, 0).unwrap(); // 1c at 6
    assert_eq!(
        create_compute_instance(&mut s, 0, gi, serial, 0),
        Err(Ret::InsufficientResources)
    );
}

#[test]
fn mig_mode_waits_for_a_reset_on_ampere_and_applies_at_once_on_hopper() {
    let mut s = host(&["a100-40gb", "h100-80gb"]);
    for g in &mut s.gpus {
        g.mig = crate::state::MigMode {
            current: false,
            pending: false,
        };
    }
    assert_eq!(set_mig_mode(&mut s, 0, true), Ok(Ret::ResetRequired.code()));
    assert_eq!(
        (s.gpus[0].mig.current, s.gpus[0].mig.pending),
        (false, true)
    );
    assert_eq!(gi_profile(&s.gpus[0], 0), Err(Ret::NotSupported));
    let uuid = s.gpus[0].uuid.clone();
    s.reset_gpu(&uuid);
    assert!(s.gpus[0].mig.current);
    assert_eq!(set_mig_mode(&mut s, 1, true), Ok(0));
    assert!(s.gpus[1].mig.current);
    // Placements are listed whether or not MIG is on.
    s.gpus[1].mig.current = false;
    assert_eq!(possible_placements(&s.gpus[1], 9), Ok(vec![(0, 4), (4, 4)]));
}

#[test]
fn turning_mig_off_is_in_use_while_instances_or_processes_remain() {
    let mut s = host(&["h100-80gb"]);
    create(&mut s, 0, "1g.10gb", 0).unwrap();
    assert_eq!(set_mig_mode(&mut s, 0, false), Ok(Ret::InUse.code()));
    assert!(s.gpus[0].mig.current && !s.gpus[0].mig.pending);
}

#[test]
fn exited_processes_are_not_listed() {
    let mut s = host(&["h100-80gb"]);
    let uuid = s.gpus[0].uuid.clone();
    s.gpus[0].mig.current = false;
    s.add_process(std::process::id(), &uuid, 100, 0.0);
    // Pids above the kernel's pid_max never exist.
    s.add_process(5_000_000, &uuid, 100, 0.0);
    let listed = processes_on_gpu(&s, &s.gpus[0]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].1, NO_INSTANCE);
    assert_eq!(memory_gpu(&s, &s.gpus[0]).1, 100);
}
