//! Time in the default policy's on-demand ranking: when each half of a GPU's memory comes free.
//!
//! The large profiles need a whole half of the memory slices (4g and 3g take one, 7g both), so
//! what keeps them placeable over time is halves that come free whole. A slice placed in a half
//! where something already runs at least as long adds nothing to the time that half is taken;
//! placed in a half that is free, or would come free sooner, it keeps the half taken longer.
//! The default policy ranks that first, then a GPU in use before an idle one, then the smaller
//! GPU model, then fragmentation, then fill, then time: among places that lengthen nothing, the
//! half that ends soonest after the slice (it comes free soonest); among places that lengthen a
//! half, the GPU whose slices end soonest (replays showed that keeping the GPUs that run long
//! apart from new work accepts more; README, "What we tried").

use crate::fleet::Gpu;
use slicebroker_types::GpuModel;

/// When the live slices on a GPU end: per half of its memory slices (lower, upper), and the
/// GPU's last. `i64::MIN` where nothing runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Times {
    pub half_end: [i64; 2],
    pub end: i64,
}

impl Times {
    pub fn of(g: &Gpu) -> Self {
        let m = g.occ.model();
        let mut t = Times {
            half_end: [i64::MIN; 2],
            end: i64::MIN,
        };
        for &(_, profile, start, ends_at) in &g.slices {
            for h in halves(m, start, m.profile(profile).memory_slices) {
                t.half_end[h] = t.half_end[h].max(ends_at);
            }
            t.end = t.end.max(ends_at);
        }
        t
    }
}

/// The halves (0 lower, 1 upper) that memory slices `start..start + size` touch.
pub(crate) fn halves(m: &GpuModel, start: u8, size: u8) -> impl Iterator<Item = usize> + use<> {
    let mid = m.memory_slices / 2;
    [start < mid, start + size > mid]
        .into_iter()
        .enumerate()
        .filter_map(|(h, touched)| touched.then_some(h))
}

/// Where a slice running `[now, ends_at)` sits in time at a placement on a GPU, lower is
/// better: whether it lengthens the time a half it touches is taken (a free half counts as
/// lengthened); then, if not, the seconds from its end to the soonest end of those halves; if
/// so, minus the seconds it adds to the GPU's busy time ([`lengthened`]).
pub(crate) fn time_fit(
    m: &GpuModel,
    times: &Times,
    (start, size): (u8, u8),
    (now, ends_at): (i64, i64),
) -> (bool, i64) {
    let mut slack = i64::MAX;
    for h in halves(m, start, size) {
        let end = times.half_end[h];
        if end < ends_at {
            return (true, lengthened(times.end, now, ends_at));
        }
        slack = slack.min(end - ends_at);
    }
    (false, slack)
}

/// Minus the seconds a slice running `[now, ends_at)` adds to the busy time of a GPU whose
/// slices end at `end` (slices past their end count as ending now): the most first, so the
/// slice goes where the GPU's other work ends soonest. Replays preferred this to the least
/// (README, "What we tried").
pub(crate) fn lengthened(end: i64, now: i64, ends_at: i64) -> i64 {
    (end.max(now) - ends_at).min(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Fleet;
    use crate::{HostKey, SliceKey};
    use slicebroker_types::ProfileIdx;

    fn profile(m: &GpuModel, name: &str) -> ProfileIdx {
        m.profile_by_name(name).unwrap()
    }

    #[test]
    fn each_half_ends_with_its_last_slice_and_a_full_gpu_slice_spans_both() {
        let model = GpuModel::find("h100-80gb").unwrap();
        let m = GpuModel::get(model);
        let mut f = Fleet::new();
        let gpu = f.add_gpu(HostKey(0), model, true);
        let t = |f: &Fleet| Times::of(&f.gpus[gpu.0 as usize]);
        assert_eq!(t(&f).half_end, [i64::MIN; 2]);
        f.add_slice(gpu, SliceKey(1), profile(m, "1g.10gb"), 6, 100)
            .unwrap();
        f.add_slice(gpu, SliceKey(2), profile(m, "2g.20gb"), 4, 50)
            .unwrap();
        f.add_slice(gpu, SliceKey(3), profile(m, "1g.10gb"), 0, 30)
            .unwrap();
        assert_eq!(t(&f).half_end, [30, 100]);
        assert_eq!(t(&f).end, 100);
        assert_eq!(halves(m, 0, 8).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(halves(m, 4, 4).collect::<Vec<_>>(), [1]);
        assert_eq!(halves(m, 3, 1).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn a_slice_lengthens_a_half_that_ends_before_it_or_is_free() {
        let model = GpuModel::find("a100-40gb").unwrap();
        let m = GpuModel::get(model);
        let times = Times {
            half_end: [i64::MIN, 100],
            end: 100,
        };
        // The upper half runs until 100: a slice ending at 80 fits inside that time.
        assert_eq!(time_fit(m, &times, (5, 1), (10, 80)), (false, 20));
        assert_eq!(time_fit(m, &times, (4, 2), (10, 100)), (false, 0));
        // Ending later, or in the free lower half, it keeps a half taken longer: by 20 s of
        // the GPU's busy time, or by none.
        assert_eq!(time_fit(m, &times, (5, 1), (10, 120)), (true, -20));
        assert_eq!(time_fit(m, &times, (0, 1), (10, 80)), (true, 0));
        // A full-GPU slice touches both halves.
        assert_eq!(time_fit(m, &times, (0, 8), (10, 80)), (true, 0));
        // On an idle GPU it adds all of its time.
        let idle = Times {
            half_end: [i64::MIN; 2],
            end: i64::MIN,
        };
        assert_eq!(time_fit(m, &idle, (0, 1), (10, 80)), (true, -70));
    }
}
