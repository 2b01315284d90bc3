//! The fragmentation measure behind the default policy, in the spirit of Fragmentation Gradient
//! Descent (Weng et al., USENIX ATC'23): a GPU's fragmentation is the share of its free compute
//! that each profile size could *not* use, weighted towards the large sizes we want to keep
//! placeable. A placement is scored by how much it raises that measure.

use slicebroker_types::{GpuModel, MAX_PROFILES, ModelId, Occupancy, ProfileIdx};

/// The plain profile of each compute size a model offers, with its weight (its compute slices,
/// so losing the ability to place a 7g costs seven times losing a 1g), weights summing to 1.
fn size_profiles(model: ModelId) -> Vec<(ProfileIdx, f32)> {
    let m = GpuModel::get(model);
    let mut sizes: Vec<u8> = m.profiles.iter().map(|p| p.compute_slices).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let profiles: Vec<ProfileIdx> = sizes
        .into_iter()
        .filter_map(|s| m.standard_profile_of_size(s))
        .collect();
    let total: f32 = profiles
        .iter()
        .map(|&p| f32::from(m.profile(p).compute_slices))
        .sum();
    profiles
        .into_iter()
        .map(|p| (p, f32::from(m.profile(p).compute_slices) / total))
        .collect()
}

/// Fragmentation of one GPU, in `[0, 1)`: 0 when every size could use all the free compute.
pub fn fragmentation(occ: &Occupancy) -> f32 {
    let m = occ.model();
    let free = f32::from(occ.free_compute_slices());
    let total = f32::from(m.compute_slices);
    size_profiles(occ.model_id())
        .into_iter()
        .map(|(p, w)| {
            let usable = f32::from(occ.remaining_capacity(p) * m.profile(p).compute_slices);
            w * (free - usable) / total
        })
        .sum()
}

/// Where each profile goes on a GPU in a given state, computed once per distinct state.
#[derive(Clone, Debug)]
pub(crate) struct StateTable {
    /// Per profile: its lowest free start, if any (first-fit and best-fit).
    pub first_start: [Option<u8>; MAX_PROFILES],
    /// Per profile: the start that raises fragmentation least, and by how much.
    pub best_start: [Option<(u8, f32)>; MAX_PROFILES],
    /// Per profile: how many more fit.
    pub remaining: [u8; MAX_PROFILES],
}

impl StateTable {
    pub fn new(occ: &Occupancy) -> Self {
        let mut table = Self {
            first_start: [None; MAX_PROFILES],
            best_start: [None; MAX_PROFILES],
            remaining: [0; MAX_PROFILES],
        };
        let before = fragmentation(occ);
        for p in occ.model().profile_indices() {
            let i = p.0 as usize;
            table.remaining[i] = occ.remaining_capacity(p);
            for pl in occ.free_placements(p) {
                table.first_start[i].get_or_insert(pl.start);
                let mut after = *occ;
                after.add(p, pl.start).expect("free placements fit");
                let delta = fragmentation(&after) - before;
                // Strictly better only: ties keep the lower start, so the choice is stable.
                if table.best_start[i].is_none_or(|(_, best)| delta < best - 1e-6) {
                    table.best_start[i] = Some((pl.start, delta));
                }
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ(key: &str, items: &[(&str, u8)]) -> Occupancy {
        let m = GpuModel::find(key).unwrap();
        let mut o = Occupancy::empty(m);
        for &(name, start) in items {
            o.add(GpuModel::get(m).profile_by_name(name).unwrap(), start)
                .unwrap();
        }
        o
    }

    #[test]
    fn a_full_gpu_is_not_fragmented_and_an_empty_one_only_for_sizes_that_leave_a_rest() {
        assert_eq!(fragmentation(&occ("h100-80gb", &[("7g.80gb", 0)])), 0.0);
        assert_eq!(fragmentation(&occ("a30-24gb", &[])), 0.0);
        // On an empty 7-slice GPU a 4g can use only 4 of 7 free compute slices, 3g and 2g 6.
        let empty = fragmentation(&occ("h100-80gb", &[]));
        let expected = (4.0 * 3.0 + 3.0 * 1.0 + 2.0 * 1.0) / 17.0 / 7.0;
        assert!((empty - expected).abs() < 1e-6, "{empty} vs {expected}");
    }

    #[test]
    fn a_1g_at_the_edge_fragments_less_than_one_in_the_middle() {
        let edge = fragmentation(&occ("h100-80gb", &[("1g.10gb", 6)]));
        let middle = fragmentation(&occ("h100-80gb", &[("1g.10gb", 2)]));
        assert!(edge < middle, "edge {edge} middle {middle}");
    }

    #[test]
    fn the_best_start_for_a_first_1g_keeps_the_4g_placeable() {
        let o = occ("a100-40gb", &[]);
        let m = GpuModel::get(o.model_id());
        let t = StateTable::new(&o);
        let one_g = m.profile_by_name("1g.5gb").unwrap().0 as usize;
        assert_eq!(t.first_start[one_g], Some(0));
        assert_eq!(t.best_start[one_g].map(|(s, _)| s), Some(6));
        let three_g = m.profile_by_name("3g.20gb").unwrap().0 as usize;
        // 3g@4 leaves 0..4 for a 4g-sized hole of 2g+2g or 1g×4; 3g@0 strands a compute slice.
        assert_eq!(t.best_start[three_g].map(|(s, _)| s), Some(4));
    }
}
