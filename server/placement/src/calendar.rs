//! When a profile can be booked: the capacity calendar's count over time and the earliest
//! start for a duration, from each GPU's own windows. The work is one pass over the model's
//! GPUs and their slices, however many GPUs and bookings the fleet holds (no cross product of
//! every boundary with every GPU).

use crate::fleet::{Fleet, Gpu, GpuKey};
use crate::window::occupancy_during;
use slicebroker_types::{ModelId, ProfileIdx, SliceShape};
use std::collections::BTreeMap;

impl Fleet {
    /// `[from, to)` cut where the number of `profile` slices the model's schedulable GPUs
    /// could take changes: `(start, end, how many)`, each GPU counted on its own.
    pub fn timeline(
        &self,
        model: ModelId,
        profile: ProfileIdx,
        from: i64,
        to: i64,
    ) -> Vec<(i64, i64, u32)> {
        if to <= from {
            return Vec::new();
        }
        let mut base: i64 = 0;
        let mut deltas: BTreeMap<i64, i64> = BTreeMap::new();
        for g in self.schedulable(model) {
            let cuts = cuts(g, from, to);
            let mut last: Option<i64> = None;
            for w in cuts.windows(2) {
                let n = i64::from(occupancy_during(g, w[0], w[1]).remaining_capacity(profile));
                match last {
                    None => base += n,
                    Some(prev) if prev != n => *deltas.entry(w[0]).or_default() += n - prev,
                    Some(_) => {}
                }
                last = Some(n);
            }
        }
        let mut out: Vec<(i64, i64, u32)> = Vec::new();
        let mut at = from;
        let mut n = base;
        for (&t, &d) in &deltas {
            if d != 0 {
                out.push((at, t, n as u32));
                at = t;
                n += d;
            }
        }
        out.push((at, to, n as u32));
        out.dedup_by(|b, a| {
            let same = a.2 == b.2;
            if same {
                a.1 = b.1;
            }
            same
        });
        out
    }

    /// The earliest start in `[from, to)` at which one `shape` slice is free on some
    /// schedulable GPU for `duration` seconds. Free room only grows when a window ends, so the
    /// candidates are `from` and those ends.
    pub fn earliest_free(
        &self,
        shape: SliceShape,
        from: i64,
        to: i64,
        duration: i64,
    ) -> Option<i64> {
        let mut best: Option<i64> = None;
        for g in self.schedulable(shape.model) {
            let mut starts = cuts(g, from, to);
            starts.pop();
            for t in starts {
                if best.is_some_and(|b| t >= b) {
                    break;
                }
                if free_during(g, shape.profile, t, t.saturating_add(duration)) {
                    best = Some(t);
                    break;
                }
            }
            if best == Some(from) {
                break;
            }
        }
        best
    }

    /// How many `shape` slices the schedulable GPUs could take together for a window of
    /// `duration` seconds, by the window's start in `[from, to)`: `(start, how many)` from
    /// `from` on, each holding until the next. A GPU's count changes only where the window's
    /// start or end crosses one of its own boundaries (at it, or a second after), so those are
    /// the starts looked at, and the GPUs' counts are summed in one sweep.
    pub fn window_counts(
        &self,
        shape: SliceShape,
        (from, to): (i64, i64),
        duration: i64,
    ) -> Vec<(i64, u32)> {
        if to <= from {
            return Vec::new();
        }
        let mut base: i64 = 0;
        let mut deltas: BTreeMap<i64, i64> = BTreeMap::new();
        for g in self.schedulable(shape.model) {
            let mut starts = vec![from];
            for c in cuts(g, from, to.saturating_add(duration)) {
                let before = c.saturating_sub(duration);
                starts.extend([c, c.saturating_add(1), before, before.saturating_add(1)]);
            }
            starts.retain(|&t| t >= from && t < to);
            starts.sort_unstable();
            starts.dedup();
            let mut last: Option<i64> = None;
            for t in starts {
                let n = i64::from(window_count(
                    g,
                    shape.profile,
                    t,
                    t.saturating_add(duration),
                ));
                match last {
                    None => base += n,
                    Some(prev) if prev != n => *deltas.entry(t).or_default() += n - prev,
                    Some(_) => {}
                }
                last = Some(n);
            }
        }
        let mut out = vec![(from, base as u32)];
        let mut n = base;
        for (t, d) in deltas {
            if d != 0 {
                n += d;
                out.push((t, n as u32));
            }
        }
        out
    }

    fn schedulable(&self, model: ModelId) -> impl Iterator<Item = &Gpu> + '_ {
        self.buckets
            .get(&model)
            .into_iter()
            .flat_map(|states| states.values())
            .flat_map(|b| b.by_key.iter())
            .map(|&GpuKey(k)| &self.gpus[k as usize])
    }
}

/// `from`, `to` and every time strictly between at which one of the GPU's windows begins or
/// ends, sorted.
fn cuts(g: &Gpu, from: i64, to: i64) -> Vec<i64> {
    let mut at = vec![from, to];
    let inside = |t: i64| t > from && t < to;
    at.extend(g.slices.iter().map(|s| s.3).filter(|&t| inside(t)));
    for b in &g.booked {
        at.extend([b.starts_at, b.ends_at].into_iter().filter(|&t| inside(t)));
    }
    at.sort_unstable();
    at.dedup();
    at
}

/// Whether one placement of `profile` is free at every instant of `[a, b)`.
fn free_during(g: &Gpu, profile: ProfileIdx, a: i64, b: i64) -> bool {
    window_count(g, profile, a, b) > 0
}

/// How many `profile` slices the GPU can take together for all of `[a, b)`: the placements
/// free throughout (a profile's own placements never overlap), at most what every stretch's
/// count, compute and engine limits allow. Checked in each stretch between the GPU's window
/// boundaries, since slices that follow each other on the same memory slices cannot be laid
/// on one occupancy together.
fn window_count(g: &Gpu, profile: ProfileIdx, a: i64, b: i64) -> u32 {
    let cuts = cuts(g, a, b);
    let occs: Vec<_> = cuts
        .windows(2)
        .map(|w| occupancy_during(g, w[0], w[1]))
        .collect();
    let free = g
        .occ
        .model()
        .profile(profile)
        .placements
        .iter()
        .filter(|pl| occs.iter().all(|o| o.fits(profile, pl.start)))
        .count() as u32;
    occs.iter()
        .map(|o| u32::from(o.remaining_capacity(profile)))
        .fold(free, u32::min)
}

#[cfg(test)]
mod tests {
    use crate::{Fleet, HostKey, SliceKey};
    use slicebroker_types::{GpuModel, ModelId, ProfileIdx, SliceShape};

    /// The H100's model and the profiles named.
    fn h100<const N: usize>(names: [&str; N]) -> (ModelId, [ProfileIdx; N]) {
        let m = GpuModel::find("h100-80gb").unwrap();
        (
            m,
            names.map(|n| GpuModel::get(m).profile_by_name(n).unwrap()),
        )
    }

    #[test]
    fn a_booking_shows_as_a_gap_and_the_earliest_start_waits_for_it() {
        let (m, [whole, half]) = h100(["7g.80gb", "3g.40gb"]);
        let mut f = Fleet::new();
        let g = f.add_gpu(HostKey(0), m, true);
        f.add_gpu(HostKey(0), m, false);
        f.add_booking(g, SliceKey(1), whole, 0, (100, 200)).unwrap();
        assert_eq!(
            f.timeline(m, half, 0, 300),
            vec![(0, 100, 2), (100, 200, 0), (200, 300, 2)]
        );
        let shape = SliceShape {
            model: m,
            profile: half,
        };
        assert_eq!(f.earliest_free(shape, 0, 300, 50), Some(0));
        assert_eq!(f.earliest_free(shape, 0, 300, 150), Some(200));
        assert_eq!(
            f.earliest_free(shape, 0, 250, 150),
            Some(200),
            "starts before `to`"
        );
        assert_eq!(f.earliest_free(shape, 0, 150, 150), None);
    }

    #[test]
    fn several_slices_fit_together_only_when_enough_places_are_free_for_the_whole_window() {
        let (m, [whole, half]) = h100(["7g.80gb", "3g.40gb"]);
        let mut f = Fleet::new();
        let (g, h) = (
            f.add_gpu(HostKey(0), m, true),
            f.add_gpu(HostKey(1), m, true),
        );
        // g runs a 3g until 100; h is booked whole for [150, 300).
        f.add_slice(g, SliceKey(1), half, 0, 100).unwrap();
        f.add_booking(h, SliceKey(2), whole, 0, (150, 300)).unwrap();
        let shape = |profile| SliceShape { model: m, profile };
        // The earliest start at which `n` fit together for `d` seconds.
        let at = |p, n, d| {
            f.window_counts(shape(p), (0, 1000), d)
                .into_iter()
                .find_map(|(t, k)| (k >= n).then_some(t))
        };
        // One 3g fits now beside the running one; two 3g need g's or h's other half.
        assert_eq!(at(half, 1, 100), Some(0));
        assert_eq!(
            at(half, 3, 100),
            Some(0),
            "g's free half and both of h's before 150"
        );
        assert_eq!(
            at(half, 2, 200),
            Some(100),
            "both of g's halves once its 3g ends"
        );
        // h's halves are free for a 200 s window only once its booking has ended.
        assert_eq!(at(half, 3, 200), Some(300));
        assert_eq!(at(half, 4, 200), Some(300));
        // Two whole GPUs: h is free before its booking only for windows ending by 150.
        assert_eq!(at(whole, 2, 50), Some(100));
        assert_eq!(at(whole, 2, 100), Some(300));
        assert_eq!(at(whole, 3, 10), None, "two GPUs never take three");
    }

    #[test]
    fn slices_that_follow_each_other_on_the_same_memory_all_count() {
        let (m, [whole, half, one]) = h100(["7g.80gb", "3g.40gb", "1g.10gb"]);
        let mut f = Fleet::new();
        let g = f.add_gpu(HostKey(0), m, true);
        // A 1g.10gb at memory slice 0 now, then the whole GPU booked from 100.
        f.add_slice(g, SliceKey(1), one, 0, 50).unwrap();
        f.add_booking(g, SliceKey(2), whole, 0, (100, 200)).unwrap();
        let shape = |profile| SliceShape { model: m, profile };
        assert_eq!(f.earliest_free(shape(one), 0, 300, 150), Some(200));
        assert_eq!(f.earliest_free(shape(half), 0, 300, 80), Some(0));
        // Two GPUs' counts add up, each changing at its own times.
        let h = f.add_gpu(HostKey(1), m, true);
        f.add_booking(h, SliceKey(3), half, 0, (150, 250)).unwrap();
        assert_eq!(
            f.timeline(m, half, 0, 300),
            vec![
                (0, 50, 3),
                (50, 100, 4),
                (100, 150, 2),
                (150, 200, 1),
                (200, 250, 3),
                (250, 300, 4)
            ]
        );
    }
}
