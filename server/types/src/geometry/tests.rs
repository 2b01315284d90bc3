//! Geometry pinned to NVIDIA's published facts (MIG user guide placement tables and diagram).

use super::*;
use std::collections::BTreeSet;

fn model(key: &str) -> ModelId {
    GpuModel::find(key).unwrap()
}

fn prof(m: ModelId, name: &str) -> ProfileIdx {
    GpuModel::get(m).profile_by_name(name).unwrap()
}

fn layout(m: ModelId, items: &[(&str, u8)]) -> Result<Occupancy, PlaceError> {
    Occupancy::from_instances(
        m,
        items.iter().map(|&(n, start)| Instance {
            profile: prof(m, n),
            start,
        }),
    )
}

/// A layout as the reference's slot map: each memory slice shows the compute size of the
/// instance on it, `.` if unused (`4444221.`).
fn slot_map(m: ModelId, instances: &[Instance]) -> String {
    let model = GpuModel::get(m);
    let mut slots = vec!['.'; model.memory_slices as usize];
    for i in instances {
        let p = model.profile(i.profile);
        for s in i.start..i.start + p.memory_slices {
            slots[s as usize] = char::from(b'0' + p.compute_slices);
        }
    }
    slots.into_iter().collect()
}

#[test]
fn a100_40gb_has_exactly_the_19_maximal_layouts_of_nvidias_placement_diagram() {
    let m = model("a100-40gb");
    let profiles: Vec<ProfileIdx> = ["1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"]
        .iter()
        .map(|n| prof(m, n))
        .collect();
    let layouts = maximal_layouts(m, &profiles);
    let maps: BTreeSet<String> = layouts.iter().map(|l| slot_map(m, l)).collect();
    let expected: BTreeSet<String> = [
        "77777777", "44443333", "4444221.", "4444111.", "33333333", "3333221.", "3333111.",
        "22223333", "22113333", "11223333", "11113333", "2222221.", "2222111.", "2211221.",
        "1122221.", "2211111.", "1122111.", "1111221.", "1111111.",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(layouts.len(), 19);
    assert_eq!(maps, expected);
}

#[test]
fn a100_40gb_with_the_double_memory_1g_has_78_maximal_layouts() {
    let m = model("a100-40gb");
    let profiles: Vec<ProfileIdx> = [
        "1g.5gb", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb",
    ]
    .iter()
    .map(|n| prof(m, n))
    .collect();
    assert_eq!(maximal_layouts(m, &profiles).len(), 78);
}

#[test]
fn a30_has_five_maximal_layouts() {
    let m = model("a30-24gb");
    let profiles: Vec<ProfileIdx> = ["1g.6gb", "2g.12gb", "4g.24gb"]
        .iter()
        .map(|n| prof(m, n))
        .collect();
    let maps: BTreeSet<String> = maximal_layouts(m, &profiles)
        .iter()
        .map(|l| slot_map(m, l))
        .collect();
    assert_eq!(
        maps,
        ["1111", "1122", "2211", "2222", "4444"]
            .into_iter()
            .map(String::from)
            .collect()
    );
}

#[test]
fn two_3g_instances_fit_and_use_six_of_seven_compute_slices() {
    let m = model("a100-40gb");
    let occ = layout(m, &[("3g.20gb", 0), ("3g.20gb", 4)]).unwrap();
    assert_eq!(occ.compute_used(), 6);
    assert_eq!(occ.free_memory_slices(), 0);
    assert_eq!(occ.remaining_capacity(prof(m, "1g.5gb")), 0);
}

#[test]
fn a_4g_and_a_3g_fit_together_using_all_seven_compute_slices() {
    let m = model("a100-40gb");
    let occ = layout(m, &[("4g.20gb", 0), ("3g.20gb", 4)]).unwrap();
    assert_eq!(occ.compute_used(), 7);
    assert_eq!(occ.slice_map(), "########");
}

#[test]
fn a_3g_at_zero_leaves_slot_seven_unusable_by_1g() {
    let m = model("h100-80gb");
    let occ = layout(m, &[("3g.40gb", 0), ("2g.20gb", 4), ("1g.10gb", 6)]).unwrap();
    assert_eq!(occ.slice_map(), "#######.");
    assert_eq!(occ.remaining_capacity(prof(m, "1g.10gb")), 0);
    assert_eq!(occ.free_placements(prof(m, "1g.10gb")).count(), 0);
}

#[test]
fn compute_budget_stops_a_fourth_instance_even_with_memory_free() {
    // 4g@0 + 3g@4 is full; 3g@0 + 2g@4 + 1g@6 leaves slice 7 free and a compute slice idle,
    // but no profile can use the slice: 1g.5gb never starts at 7.
    let m = model("a100-40gb");
    let occ = layout(m, &[("3g.20gb", 0), ("2g.10gb", 4), ("1g.5gb", 6)]).unwrap();
    assert_eq!(
        (occ.free_memory_slices(), occ.free_compute_slices()),
        (1, 1)
    );
    for p in GpuModel::get(m).profile_indices() {
        assert_eq!(
            occ.remaining_capacity(p),
            0,
            "{}",
            GpuModel::get(m).profile(p).name
        );
    }
}

#[test]
fn check_says_why_an_instance_does_not_fit() {
    let m = model("a100-40gb");
    let occ = layout(m, &[("2g.10gb", 0)]).unwrap();
    assert_eq!(
        occ.check(prof(m, "3g.20gb"), 2).unwrap_err().to_string(),
        "2 is not a placement of profile 3g.20gb; allowed starts: {0,4}:4"
    );
    assert_eq!(
        occ.check(prof(m, "1g.5gb"), 1).unwrap_err().to_string(),
        "memory slices 1:1 overlap an existing instance"
    );
    let full = layout(
        m,
        &[
            ("1g.5gb", 0),
            ("1g.5gb", 1),
            ("1g.5gb", 2),
            ("1g.5gb", 3),
            ("1g.5gb", 4),
            ("1g.5gb", 5),
            ("1g.5gb", 6),
        ],
    )
    .unwrap();
    assert_eq!(full.compute_used(), 7);
    assert!(matches!(
        full.check(prof(m, "1g.5gb"), 6),
        Err(PlaceError::MaxCount { max: 7, .. })
    ));
    let three_two_g = layout(m, &[("2g.10gb", 0), ("2g.10gb", 2), ("2g.10gb", 4)]).unwrap();
    assert!(matches!(
        three_two_g.check(prof(m, "1g.10gb"), 6),
        Ok(Placement { start: 6, size: 2 })
    ));
}

#[test]
fn media_extended_profiles_share_the_single_ofa_unit() {
    let a100 = model("a100-40gb");
    let occ = layout(a100, &[("1g.5gb+me", 0)]).unwrap();
    assert!(matches!(
        occ.check(prof(a100, "1g.5gb+me"), 1),
        Err(PlaceError::MaxCount { .. })
    ));
    assert!(occ.fits(prof(a100, "1g.5gb"), 1));

    let a30 = model("a30-24gb");
    let occ = layout(a30, &[("1g.6gb+me", 0)]).unwrap();
    assert_eq!(
        occ.check(prof(a30, "2g.12gb+me"), 2)
            .unwrap_err()
            .to_string(),
        "media engines are taken: the GPU's OFA unit is in use"
    );
    assert_eq!(occ.remaining_capacity(prof(a30, "2g.12gb+me")), 0);
    assert_eq!(occ.remaining_capacity(prof(a30, "2g.12gb")), 1);
}

#[test]
fn me_all_admits_only_no_media_profiles_beside_it() {
    let m = model("rtx-pro-6000-96gb");
    let occ = layout(m, &[("1g.24gb+me.all", 0)]).unwrap();
    assert!(occ.fits(prof(m, "1g.24gb-me"), 3));
    assert!(occ.fits(prof(m, "2g.48gb-me"), 6));
    assert!(!occ.fits(prof(m, "1g.24gb"), 3));
    assert!(!occ.fits(prof(m, "1g.24gb+gfx"), 3));
    let plain = layout(m, &[("1g.24gb", 0)]).unwrap();
    assert!(!plain.fits(prof(m, "1g.24gb+me.all"), 3));
    let no_me = layout(m, &[("1g.24gb-me", 0), ("1g.24gb-me", 3)]).unwrap();
    assert!(no_me.fits(prof(m, "2g.48gb+me.all"), 6));
}

#[test]
fn remove_undoes_add_and_refuses_what_is_not_there() {
    let m = model("h100-80gb");
    let before = layout(m, &[("2g.20gb", 0), ("1g.10gb+me", 4)]).unwrap();
    let mut occ = before;
    occ.add(prof(m, "3g.40gb"), 4).unwrap_err();
    occ.add(prof(m, "1g.20gb"), 6).unwrap();
    assert!(occ.remove(prof(m, "1g.20gb"), 6));
    assert_eq!(occ, before);
    assert!(!occ.remove(prof(m, "1g.20gb"), 6));
    assert!(!occ.remove(prof(m, "4g.40gb"), 0));
    assert!(occ.remove(prof(m, "1g.10gb+me"), 4));
    assert!(occ.fits(prof(m, "1g.10gb+me"), 5));
}

/// The most instances of `profile` that can be added to `occ`, by exhaustive search.
fn brute_force_capacity(occ: Occupancy, profile: ProfileIdx) -> u8 {
    let places = occ.model().profile(profile).placements;
    places
        .iter()
        .filter(|pl| occ.fits(profile, pl.start))
        .map(|pl| {
            let mut next = occ;
            next.add(profile, pl.start).unwrap();
            1 + brute_force_capacity(next, profile)
        })
        .max()
        .unwrap_or(0)
}

/// Every occupancy reachable from empty, visiting each distinct one once.
fn reachable(m: ModelId) -> Vec<Occupancy> {
    let model = GpuModel::get(m);
    let mut seen = BTreeSet::new();
    let mut stack = vec![Occupancy::empty(m)];
    while let Some(occ) = stack.pop() {
        if !seen.insert(occ) {
            continue;
        }
        for p in model.profile_indices() {
            for pl in occ.free_placements(p) {
                let mut next = occ;
                next.add(p, pl.start).unwrap();
                stack.push(next);
            }
        }
    }
    seen.into_iter().collect()
}

#[test]
fn remaining_capacity_and_free_placements_agree_with_exhaustive_search_on_every_state() {
    for key in ["a30-24gb", "a100-40gb", "h100-80gb", "rtx-pro-6000-96gb"] {
        let m = model(key);
        let states = reachable(m);
        assert!(states.len() > 10, "{key}: {} states", states.len());
        for occ in &states {
            for p in GpuModel::get(m).profile_indices() {
                assert_eq!(
                    occ.remaining_capacity(p),
                    brute_force_capacity(*occ, p),
                    "{key} {occ:?}"
                );
                let free: Vec<u8> = occ.free_placements(p).map(|pl| pl.start).collect();
                let fitting: Vec<u8> = GpuModel::get(m)
                    .profile(p)
                    .placements
                    .iter()
                    .map(|pl| pl.start)
                    .filter(|&s| occ.fits(p, s))
                    .collect();
                assert_eq!(free, fitting, "{key} {occ:?}");
            }
        }
    }
}
