//! The fragmentation measure behind the default policy, in the spirit of Fragmentation Gradient
//! Descent (Weng et al., USENIX ATC'23): a GPU's fragmentation is the share of its free compute
//! that each profile size could *not* use, weighted towards the large sizes we want to keep
//! placeable. A placement is scored by how much it raises that measure.

use slicebroker_types::{GpuModel, MAX_PROFILES, ModelId, Occupancy, ProfileIdx};

/// The plain profile of each compute size a model offers, with its weight (its compute slices,
/// so losing the ability to place a 7g costs seven times losing a 1g), weights summing to 1.
pub(crate) fn size_profiles(model: ModelId) -> Vec<(ProfileIdx, f32)> {
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

/// The most distinct compute sizes a model offers (1, 2, 3, 4 and 7 on today's GPUs).
pub(crate) const MAX_SIZES: usize = 8;

/// A size counts as scarce while the model's schedulable GPUs can take fewer than one of it per
/// this many GPUs; its losses then weigh double. Replays at 100–150 % load (README, "What we
/// tried") improved for thresholds from 1 per 20 to 1 per 3 GPUs; continuous weights (growing
/// smoothly as a size runs out) broke the exact ties the fill tie-break needs and lost 2,000+
/// requests.
const SCARCE_PER_GPUS: u32 = 10;

/// How much each size's loss counts in the default policy's score, in [`size_profiles`] order:
/// its compute slices, doubled while the fleet is about to run out of room for it
/// (`remaining`: how many more of each size the model's `gpus` schedulable GPUs could take).
/// Integers, so placements that lose the same keep exactly equal scores.
pub(crate) fn size_weights(
    table: &StateTable,
    remaining: &[u32; MAX_SIZES],
    gpus: u32,
) -> [i32; MAX_SIZES] {
    let mut weights = [0; MAX_SIZES];
    for ((w, &c), &r) in weights.iter_mut().zip(&table.size_slices).zip(remaining) {
        let scarce = r.saturating_mul(SCARCE_PER_GPUS) < gpus;
        *w = i32::from(c) * if scarce { 2 } else { 1 };
    }
    weights
}

/// Per size (in [`size_profiles`] order): the free compute slices that size could not use.
fn unusable(occ: &Occupancy, sizes: &[(ProfileIdx, f32)]) -> [i8; MAX_SIZES] {
    let m = occ.model();
    let mut out = [0; MAX_SIZES];
    for (o, &(p, _)) in out.iter_mut().zip(sizes) {
        let usable = occ.remaining_capacity(p) * m.profile(p).compute_slices;
        *o = occ.free_compute_slices() as i8 - usable as i8;
    }
    out
}

/// Where each profile goes on a GPU in a given state, computed once per distinct state.
#[derive(Clone, Debug)]
pub(crate) struct StateTable {
    /// Per profile: its lowest free start, if any (first-fit and best-fit).
    pub first_start: [Option<u8>; MAX_PROFILES],
    /// Per profile: each free start with, per size, how many more of the GPU's free compute
    /// slices that size can no longer use once the profile is there (the default policy).
    pub losses: [Vec<(u8, [i8; MAX_SIZES])>; MAX_PROFILES],
    /// Per profile: how many more fit.
    pub remaining: [u8; MAX_PROFILES],
    /// Per size (in [`size_profiles`] order): how many more fit, and the size's compute slices
    /// (0 past the model's sizes).
    pub size_remaining: [u8; MAX_SIZES],
    pub size_slices: [u8; MAX_SIZES],
}

impl StateTable {
    pub fn new(occ: &Occupancy) -> Self {
        let mut table = Self {
            first_start: [None; MAX_PROFILES],
            losses: std::array::from_fn(|_| Vec::new()),
            remaining: [0; MAX_PROFILES],
            size_remaining: [0; MAX_SIZES],
            size_slices: [0; MAX_SIZES],
        };
        let sizes = size_profiles(occ.model_id());
        for (i, &(p, _)) in sizes.iter().enumerate() {
            table.size_remaining[i] = occ.remaining_capacity(p);
            table.size_slices[i] = occ.model().profile(p).compute_slices;
        }
        let before = unusable(occ, &sizes);
        for p in occ.model().profile_indices() {
            let i = p.0 as usize;
            table.remaining[i] = occ.remaining_capacity(p);
            for pl in occ.free_placements(p) {
                table.first_start[i].get_or_insert(pl.start);
                let mut after = *occ;
                after.add(p, pl.start).expect("free placements fit");
                let mut loss = unusable(&after, &sizes);
                for (l, b) in loss.iter_mut().zip(before) {
                    *l -= b;
                }
                table.losses[i].push((pl.start, loss));
            }
        }
        table
    }

    /// Each free start of `profile`, in NVML's order, with how much it raises the GPU's
    /// fragmentation under `weights`.
    pub fn scored_starts<'a>(
        &'a self,
        profile: ProfileIdx,
        weights: &'a [i32; MAX_SIZES],
    ) -> impl Iterator<Item = (u8, i32)> + 'a {
        self.losses[profile.0 as usize]
            .iter()
            .map(move |(start, loss)| {
                let score = loss.iter().zip(weights).map(|(&l, w)| i32::from(l) * w);
                (*start, score.sum())
            })
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
        // Plenty of room for every size: weights are the sizes' compute slices.
        let w = size_weights(&t, &[u32::MAX; MAX_SIZES], 1);
        // The least fragmenting start; ties keep the lower one.
        let best = |p| {
            t.scored_starts(p, &w)
                .reduce(|b, c| if c.1 < b.1 { c } else { b })
                .map(|(s, _)| s)
        };
        let one_g = m.profile_by_name("1g.5gb").unwrap();
        assert_eq!(t.first_start[one_g.0 as usize], Some(0));
        assert_eq!(best(one_g), Some(6));
        let three_g = m.profile_by_name("3g.20gb").unwrap();
        // 3g@4 leaves 0..4 for a 4g-sized hole of 2g+2g or 1g×4; 3g@0 strands a compute slice.
        assert_eq!(best(three_g), Some(4));
    }

    #[test]
    fn a_scarce_size_weighs_double() {
        let model = GpuModel::find("h100-80gb").unwrap();
        let sizes: Vec<u8> = size_profiles(model)
            .iter()
            .map(|&(p, _)| GpuModel::get(model).profile(p).compute_slices)
            .collect();
        let t = StateTable::new(&Occupancy::empty(model));
        let mut remaining = [100; MAX_SIZES];
        let plenty = size_weights(&t, &remaining, 100);
        let seven = sizes.iter().position(|&s| s == 7).unwrap();
        remaining[seven] = 9;
        let scarce = size_weights(&t, &remaining, 100);
        for (i, &s) in sizes.iter().enumerate() {
            assert_eq!(plenty[i], i32::from(s));
            let factor = if i == seven { 2 } else { 1 };
            assert_eq!(scarce[i], i32::from(s) * factor, "size {s}");
        }
    }
}
