//! Tests for the pure NVML table conversions.

use super::*;

fn h100() -> &'static GpuModel {
    GpuModel::get(GpuModel::find("h100-80gb").unwrap())
}

/// What NVML answers for one profile index: its info and its placements as `(start, size)`.
type RawAnswer = (NvmlProfileIndex, RawProfileInfo, Vec<(u32, u32)>);

/// What NVML would answer for every profile of a catalog model.
fn raw_answers(model: &GpuModel) -> Vec<RawAnswer> {
    model
        .profiles
        .iter()
        .map(|p| {
            let info = RawProfileInfo {
                id: p.nvml_id,
                slice_count: u32::from(p.compute_slices),
                instance_count: u32::from(p.max_count),
                memory_size_mb: u64::from(p.memory_mib.unwrap_or(1024)),
            };
            let placements = p
                .placements
                .iter()
                .map(|pl| (u32::from(pl.start), u32::from(pl.size)))
                .collect();
            (p.nvml_index, info, placements)
        })
        .collect()
}

#[test]
fn raw_answers_shaped_like_the_catalog_convert_with_no_differences_for_every_model() {
    for model in GpuModel::all() {
        let table: Vec<ReportedProfile> = raw_answers(model)
            .into_iter()
            .map(|(index, info, pl)| reported_profile(Some(model), index, info, &pl).unwrap())
            .collect();
        let diffs: Vec<_> = catalog_differences(model, &table)
            .into_iter()
            .filter(|d| d.field != "memory_mib")
            .collect();
        assert!(diffs.is_empty(), "{}: {diffs:?}", model.key);
        assert_eq!(
            catalog_differences(model, &catalog_table(model)),
            vec![],
            "{}",
            model.key
        );
    }
}

#[test]
fn converted_profile_carries_id_slices_and_placements() {
    let answers = raw_answers(h100());
    let (index, info, pl) = answers
        .iter()
        .find(|(i, ..)| *i == NvmlProfileIndex::Slice3)
        .unwrap();
    let p = reported_profile(Some(h100()), *index, *info, pl).unwrap();
    assert_eq!(p.name, "3g.40gb");
    assert_eq!(p.id, 9);
    assert_eq!((p.compute_slices, p.memory_slices, p.max_count), (3, 4, 2));
    assert_eq!(
        p.placements.iter().map(|p| p.start).collect::<Vec<_>>(),
        vec![0, 4]
    );
}

#[test]
fn placements_of_mixed_sizes_or_none_are_rejected() {
    let info = RawProfileInfo {
        id: 19,
        slice_count: 1,
        instance_count: 7,
        memory_size_mb: 9984,
    };
    let mixed = reported_profile(None, NvmlProfileIndex::Slice1, info, &[(0, 1), (1, 2)]);
    assert!(matches!(mixed, Err(TableError::MixedSizes { .. })));
    let none = reported_profile(None, NvmlProfileIndex::Slice1, info, &[]);
    assert!(matches!(none, Err(TableError::NoPlacements { id: 19, .. })));
    let wide = reported_profile(None, NvmlProfileIndex::Slice1, info, &[(15, 2)]);
    assert!(matches!(wide, Err(TableError::OutOfRange { .. })));
}

#[test]
fn unknown_boards_get_go_nvlib_style_names() {
    assert_eq!(
        profile_name(None, NvmlProfileIndex::Slice1, 1, 9984),
        "1g.10gb"
    );
    assert_eq!(
        profile_name(None, NvmlProfileIndex::Slice1Rev1, 1, 9984),
        "1g.10gb+me"
    );
    assert_eq!(
        profile_name(None, NvmlProfileIndex::Slice1AllMe, 1, 24186),
        "1g.24gb+me.all"
    );
    assert_eq!(
        profile_name(None, NvmlProfileIndex::Slice2NoMe, 2, 48517),
        "2g.48gb-me"
    );
    assert_eq!(
        profile_name(Some(h100()), NvmlProfileIndex::Slice1Rev2, 1, 1),
        "1g.20gb"
    );
}

#[test]
fn full_compute_instance_profile_matches_the_gpu_instance_size() {
    assert_eq!(full_compute_instance_profile(1), Some(0));
    assert_eq!(full_compute_instance_profile(3), Some(2));
    assert_eq!(full_compute_instance_profile(4), Some(3));
    assert_eq!(full_compute_instance_profile(7), Some(4));
    assert_eq!(full_compute_instance_profile(5), None);
}

#[test]
fn differences_name_the_profile_and_field() {
    let mut table = catalog_table(h100());
    let two_g = table.iter_mut().find(|p| p.name == "2g.20gb").unwrap();
    two_g.placements.retain(|p| p.start != 4);
    two_g.id = 99;
    table.retain(|p| p.name != "1g.10gb+me");
    let diffs = catalog_differences(h100(), &table);
    let fields: Vec<(&str, &str)> = diffs
        .iter()
        .map(|d| (d.profile.as_str(), d.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("1g.10gb+me", "present"),
            ("2g.20gb", "id"),
            ("2g.20gb", "placements")
        ]
    );
    let placements = &diffs[2];
    assert_eq!(
        (placements.catalog.as_str(), placements.reported.as_str()),
        ("{0,2,4}:2", "{0,2}:2")
    );
}

#[test]
fn memory_drift_within_tolerance_is_not_a_difference() {
    let mut table = catalog_table(h100());
    table[0].memory_mib += 100;
    assert!(catalog_differences(h100(), &table).is_empty());
    table[0].memory_mib *= 2;
    assert_eq!(catalog_differences(h100(), &table)[0].field, "memory_mib");
}
