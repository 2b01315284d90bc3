//! The catalog against the reference JSON it was generated from, field by field.

use super::*;
use serde_json::Value;
use std::path::Path;

const VENDORED: &str = include_str!("../../data/mig-profiles.json");

fn reference() -> Value {
    serde_json::from_str(VENDORED).unwrap()
}

fn pci(s: &str) -> u32 {
    u32::from_str_radix(&s[2..10], 16).unwrap()
}

fn opt_u64(v: &Value) -> Option<u64> {
    v.as_u64()
}

#[test]
fn vendored_reference_matches_shared_reference_when_present() {
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/mig-profiles.json");
    match std::fs::read_to_string(&shared) {
        Ok(text) => assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            reference(),
            "server/types/data/mig-profiles.json differs from {}: copy it over and run \
             scripts/gen-catalog.py",
            shared.display()
        ),
        Err(e) => eprintln!("skipping: {} not readable ({e})", shared.display()),
    }
}

#[test]
fn every_catalog_profile_equals_the_reference_entry() {
    let reference = reference();
    for model in GpuModel::all() {
        let entry = &reference[model.reference_name];
        assert!(
            entry.is_object(),
            "{} missing from reference",
            model.reference_name
        );
        assert_eq!(
            u64::from(model.memory_slices),
            entry["memory_slices"].as_u64().unwrap()
        );
        assert_eq!(
            u64::from(model.compute_slices),
            entry["compute_slices"].as_u64().unwrap()
        );
        let ids: Vec<u32> = entry["pci_device_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| pci(v.as_str().unwrap()))
            .collect();
        assert_eq!(model.pci_device_ids, ids.as_slice(), "{}", model.key);

        let profiles = entry["profiles"].as_array().unwrap();
        assert_eq!(model.profiles.len(), profiles.len(), "{}", model.key);
        for (p, r) in model.profiles.iter().zip(profiles) {
            let ctx = format!("{} {}", model.key, p.name);
            assert_eq!(p.name, r["name"].as_str().unwrap(), "{ctx}");
            assert_eq!(
                p.nvml_index.const_name(),
                r["nvml_profile_index"]["const"],
                "{ctx}"
            );
            assert_eq!(
                u64::from(p.nvml_index.value()),
                r["nvml_profile_index"]["value"].as_u64().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                u64::from(p.nvml_id),
                r["nvml_profile_id"].as_u64().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                u64::from(p.compute_slices),
                r["compute_slices"].as_u64().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                u64::from(p.memory_slices),
                r["memory_slices"].as_u64().unwrap(),
                "{ctx}"
            );
            assert_eq!(
                p.memory_mib.map(u64::from),
                opt_u64(&r["memory_mib"]),
                "{ctx}"
            );
            assert_eq!(
                u64::from(p.max_count),
                r["max_count"].as_u64().unwrap(),
                "{ctx}"
            );
            let placements: Vec<Placement> = r["placements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| Placement {
                    start: x["start"].as_u64().unwrap() as u8,
                    size: x["size"].as_u64().unwrap() as u8,
                })
                .collect();
            assert_eq!(p.placements, placements.as_slice(), "{ctx}");
            let e = p.engines;
            assert_eq!(e.sm_count.map(u64::from), opt_u64(&r["sm_count"]), "{ctx}");
            assert_eq!(
                e.copy_engines.map(u64::from),
                opt_u64(&r["copy_engines"]),
                "{ctx}"
            );
            assert_eq!(e.decoders.map(u64::from), opt_u64(&r["decoders"]), "{ctx}");
            assert_eq!(e.encoders.map(u64::from), opt_u64(&r["encoders"]), "{ctx}");
            assert_eq!(e.jpeg.map(u64::from), opt_u64(&r["jpeg"]), "{ctx}");
            assert_eq!(e.ofa.map(u64::from), opt_u64(&r["ofa"]), "{ctx}");
        }
    }
}

#[test]
fn catalog_has_every_model_the_broker_supports() {
    let keys = GpuModel::keys();
    assert_eq!(
        keys,
        [
            "a30-24gb",
            "a100-40gb",
            "a100-80gb",
            "h100-80gb",
            "h100-pcie-80gb",
            "h100-nvl-94gb",
            "h100-96gb",
            "h200-141gb",
            "gh200-144gb",
            "b200-180gb",
            "rtx-pro-6000-96gb"
        ]
    );
}

#[test]
fn every_placement_lies_on_the_models_grid_and_matches_the_profile_size() {
    for model in GpuModel::all() {
        for p in model.profiles {
            assert!(!p.placements.is_empty(), "{} {}", model.key, p.name);
            for pl in p.placements {
                assert_eq!(pl.size, p.memory_slices, "{} {}", model.key, p.name);
                assert!(
                    pl.end() <= model.memory_slices,
                    "{} {} {pl}",
                    model.key,
                    p.name
                );
            }
            assert!(p.compute_slices <= model.compute_slices);
        }
    }
}

#[test]
fn rtx_pro_6000_uses_a_twelve_slice_grid() {
    let m = GpuModel::get(GpuModel::find("rtx-pro-6000-96gb").unwrap());
    assert_eq!((m.memory_slices, m.compute_slices), (12, 4));
    let one_g = m.profile(m.profile_by_name("1g.24gb").unwrap());
    assert_eq!(
        one_g.placements.iter().map(|p| p.start).collect::<Vec<_>>(),
        [0, 3, 6, 9]
    );
    assert_eq!(m.profile(m.full_profile().unwrap()).name, "4g.96gb");
}

#[test]
fn models_are_found_by_key_reference_name_alias_pci_id_and_nvml_name() {
    let h100 = GpuModel::find("h100-80gb").unwrap();
    assert_eq!(GpuModel::find("H100-SXM5-80GB"), Some(h100));
    assert_eq!(GpuModel::find(" h100-sxm5-80gb "), Some(h100));
    assert_eq!(GpuModel::by_pci_device_id(0x2330_10DE), Some(h100));
    assert_eq!(GpuModel::by_nvml_name("NVIDIA H100 80GB HBM3"), Some(h100));
    assert_eq!(
        GpuModel::identify(None, "nvidia h100 80gb hbm3"),
        Some(h100)
    );
    let a800 = GpuModel::by_pci_device_id(0x20F6_10DE).unwrap();
    assert_eq!(GpuModel::get(a800).key, "a100-40gb");
    assert_eq!(
        GpuModel::identify(Some(0x2331_10DE), "whatever").map(|m| GpuModel::get(m).key),
        Some("h100-pcie-80gb")
    );
    assert_eq!(GpuModel::identify(Some(0xDEAD_10DE), "NVIDIA T4"), None);
    let err = GpuModel::parse("h100").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown GPU model `h100`; valid models: a30-24gb, a100-40gb")
    );
    assert_eq!(GpuModel::get(h100).id(), h100);
}

#[test]
fn profile_helpers_read_names_and_media_kinds() {
    let m = GpuModel::get(GpuModel::find("rtx-pro-6000-96gb").unwrap());
    let all = m.profile(m.profile_by_name("1g.24gb+me.all").unwrap());
    assert_eq!(
        (all.nominal_memory_gib(), all.size_label(), all.media()),
        (24, "1g", MediaKind::All)
    );
    let h100 = GpuModel::get(GpuModel::find("h100-80gb").unwrap());
    let rev2 = h100.profile(h100.profile_by_name("1g.20gb").unwrap());
    assert_eq!(rev2.nvml_index, NvmlProfileIndex::Slice1Rev2);
    assert!(rev2.is_standard());
    assert_eq!(
        h100.profile(h100.standard_profile_of_size(1).unwrap()).name,
        "1g.10gb"
    );
    assert_eq!(
        h100.profile_by_nvml_id(9).map(|i| h100.profile(i).name),
        Some("3g.40gb")
    );
    for idx in NvmlProfileIndex::ALL {
        assert_eq!(NvmlProfileIndex::from_value(idx.value()), Some(idx));
    }
    assert_eq!(NvmlProfileIndex::Slice3Gfx.value(), 17);
}
