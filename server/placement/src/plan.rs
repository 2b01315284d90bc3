//! Choosing a placement: every policy walks the same per-state index and differs only in how
//! it ranks candidates, so policies are compared on identical input.

use crate::Policy;
use crate::fleet::{Bucket, Fleet, GpuKey, HostKey};
use crate::nofit::NoFit;
use crate::rank::{Times, halves, lengthened, time_fit};
use crate::score::{MAX_SIZES, StateTable, size_weights};
use crate::window::Encumbered;
use slicebroker_types::{GpuModel, ModelId, Occupancy, Placement, SliceShape};
use std::cmp::Ordering;

/// What to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementRequest {
    /// Acceptable (model, profile) pairs, from `ProfileRequest::resolve`.
    pub shapes: Vec<SliceShape>,
    /// The decision's clock, in seconds (unix time in the server, trace time in replays).
    pub now: i64,
    /// When the slice will end if granted now.
    pub ends_at: i64,
    /// Only GPUs on these hosts, if given.
    pub hosts: Option<Vec<HostKey>>,
}

/// Where the slice goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub gpu: GpuKey,
    pub host: HostKey,
    pub shape: SliceShape,
    pub placement: Placement,
}

/// A candidate's rank, compared field by field; lower is better. First-fit and best-fit use
/// only the fill (best-fit's measure: free compute, then memory, left on the GPU) and the GPU
/// key. The default policy ranks by:
/// 1. whether the slice lengthens the time a half of the GPU's memory is taken (it ends after
///    everything in a half it touches, or the half is free: see [`crate::rank`]);
/// 2. a GPU already in use before an idle one, then the GPU model with fewer compute slices,
///    where a request accepts several (an A30 before an H100: the larger GPUs are kept for the
///    sizes only they can take, and whole GPUs of any model for the requests that need one);
/// 3. fragmentation (an integer, weighted by how scarce each size is fleet-wide, so equal
///    losses tie exactly);
/// 4. how full the GPU is left;
/// 5. time: without lengthening, the seconds until its half comes free after it; lengthening,
///    the most the GPU's busy time grows (beside the work that ends soonest);
/// 6. the GPU key, so decisions are deterministic.
///
/// Each step was measured on trace replays against best-fit (README, "What we tried"): the
/// half comes first because 3g and 4g requests are what a saturated fleet rejects, and they
/// need a whole half free.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rank {
    lengthens: bool,
    /// Whether the GPU is idle (the slice would open it).
    opens: bool,
    /// The model's compute slices.
    size: u8,
    frag: i32,
    fill: u16,
    time: i64,
    gpu: GpuKey,
}

impl Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.lengthens
            .cmp(&other.lengthens)
            .then(self.opens.cmp(&other.opens))
            .then(self.size.cmp(&other.size))
            .then(self.frag.cmp(&other.frag))
            .then(self.fill.cmp(&other.fill))
            .then(self.time.cmp(&other.time))
            .then(self.gpu.cmp(&other.gpu))
    }

    /// First-fit's and best-fit's rank.
    fn plain(fill: u16, gpu: GpuKey) -> Self {
        Rank {
            lengthens: false,
            opens: false,
            size: 0,
            frag: 0,
            fill,
            time: 0,
            gpu,
        }
    }
}

/// The default policy's best start on one GPU whose slices end at `times`, among `allowed`
/// (a bit per start); ties keep the lower start.
fn best_start(
    table: &StateTable,
    shape: SliceShape,
    weights: &[i32; MAX_SIZES],
    allowed: u32,
    times: &Times,
    window: (i64, i64),
    (fill, opens, gpu): (u16, bool, GpuKey),
) -> Option<(Rank, u8)> {
    let (m, size) = (shape.model(), shape.profile().memory_slices);
    let mut best: Option<(Rank, u8)> = None;
    for (start, frag) in table.scored_starts(shape.profile, weights) {
        if allowed & 1 << start == 0 {
            continue;
        }
        let (lengthens, time) = time_fit(m, times, (start, size), window);
        let rank = Rank {
            lengthens,
            opens,
            size: m.compute_slices,
            frag,
            fill,
            time,
            gpu,
        };
        if best.as_ref().is_none_or(|(b, _)| rank.cmp(b).is_lt()) {
            best = Some((rank, start));
        }
    }
    best
}

impl Fleet {
    /// The best place for one slice under `policy`, or why there is none.
    pub fn plan(&self, req: &PlacementRequest, policy: Policy) -> Result<Decision, NoFit> {
        let mut best: Option<(Rank, Decision)> = None;
        let consider = |best: &mut Option<(Rank, Decision)>, rank: Rank, decision: Decision| {
            if best
                .as_ref()
                .is_none_or(|(b, _)| rank.cmp(b) == Ordering::Less)
            {
                *best = Some((rank, decision));
            }
        };
        // GPUs with a booking before we would end are judged on their own, against the
        // booking's window; without any, this is the plain occupancy walk.
        let encumbered = self.encumbered(req.ends_at);
        for &shape in &req.shapes {
            let weights = self.weights(shape.model, policy);
            match &req.hosts {
                None => {
                    let Some(states) = self.buckets.get(&shape.model) else {
                        continue;
                    };
                    for (occ, bucket) in states {
                        let floor = best.as_ref().map(|(b, _)| *b);
                        if let Some((rank, gpu, start)) = rank_bucket(
                            (self, occ, bucket),
                            shape,
                            req,
                            policy,
                            &weights,
                            (&encumbered, floor.as_ref()),
                        ) {
                            consider(&mut best, rank, self.decision(gpu, shape, start));
                        }
                    }
                }
                Some(hosts) => {
                    for gpu in hosts.iter().filter_map(|h| self.host_gpus.get(h)).flatten() {
                        let g = &self.gpus[gpu.0 as usize];
                        if !g.schedulable || g.occ.model_id() != shape.model {
                            continue;
                        }
                        if encumbered.contains(*gpu) {
                            if let Some((rank, start)) =
                                rank_window(self, *gpu, shape, req, policy, &weights, None)
                            {
                                consider(&mut best, rank, self.decision(*gpu, shape, start));
                            }
                            continue;
                        }
                        let table = &self.tables[&g.occ];
                        if let Some((rank, start)) = rank_gpu(
                            &g.occ,
                            table,
                            *gpu,
                            shape,
                            req,
                            policy,
                            &weights,
                            Some(&Times::of(g)),
                        ) {
                            consider(&mut best, rank, self.decision(*gpu, shape, start));
                        }
                    }
                }
            }
        }
        // The GPUs with a booking in the way, last: most cannot fragment less than the best
        // found so far and are passed over unexamined.
        let weights: Vec<(SliceShape, [i32; MAX_SIZES])> = if encumbered.is_empty() {
            Vec::new()
        } else {
            req.shapes
                .iter()
                .map(|&s| (s, self.weights(s.model, policy)))
                .collect()
        };
        for gpu in encumbered.iter().filter(|_| req.hosts.is_none()) {
            let model = self.gpus[gpu.0 as usize].occ.model_id();
            for (shape, w) in weights.iter().filter(|(s, _)| s.model == model) {
                let floor = best.as_ref().map(|(b, _)| b);
                if let Some((rank, start)) = rank_window(self, gpu, *shape, req, policy, w, floor)
                    && best
                        .as_ref()
                        .is_none_or(|(b, _)| rank.cmp(b) == Ordering::Less)
                {
                    best = Some((rank, self.decision(gpu, *shape, start)));
                }
            }
        }
        best.map(|(_, d)| d)
            .ok_or_else(|| NoFit::diagnose(self, req))
    }

    /// Places `count` slices all or nothing: either every one has a place (distinct where they
    /// must be, as if granted one after another) or none is returned. The fleet is unchanged.
    pub fn plan_many(
        &mut self,
        req: &PlacementRequest,
        count: usize,
        policy: Policy,
    ) -> Result<Vec<Decision>, NoFit> {
        self.plan_all(count, |fleet, temp| {
            let d = fleet.plan(req, policy)?;
            fleet
                .add_slice(d.gpu, temp, d.shape.profile, d.placement.start, req.ends_at)
                .expect("the planner only proposes placements that fit");
            Ok(d)
        })
    }

    /// The weights `policy` ranks a model's placements with: none but the default's.
    fn weights(&self, model: ModelId, policy: Policy) -> [i32; MAX_SIZES] {
        match policy {
            Policy::Default => self.size_weights(model),
            Policy::FirstFit | Policy::BestFit => [0; MAX_SIZES],
        }
    }

    /// The default policy's weight for each size's loss, from how many more of each size the
    /// model's schedulable GPUs could take right now (as [`Fleet::capacity`] counts them).
    fn size_weights(&self, model: ModelId) -> [i32; MAX_SIZES] {
        // No schedulable GPU of the model (its map stays, empty, once all are cordoned or full
        // states emptied): nothing will be ranked.
        let Some((_, any)) = self.buckets.get(&model).and_then(|s| s.first_key_value()) else {
            return [0; MAX_SIZES];
        };
        let states = &self.buckets[&model];
        let mut remaining = [0u32; MAX_SIZES];
        for bucket in states.values() {
            let gpus = bucket.by_key.len() as u32;
            for (r, &n) in remaining.iter_mut().zip(&bucket.table.size_remaining) {
                *r += u32::from(n) * gpus;
            }
        }
        let gpus = self.model_counts.get(&model).map_or(0, |c| c.1);
        size_weights(&any.table, &remaining, gpus)
    }

    pub(crate) fn decision(&self, gpu: GpuKey, shape: SliceShape, start: u8) -> Decision {
        let size = shape.profile().memory_slices;
        Decision {
            gpu,
            host: self.gpus[gpu.0 as usize].host,
            shape,
            placement: Placement { start, size },
        }
    }
}

/// The best GPU and start of a bucket for `shape`. Every GPU in it shares the occupancy, so
/// first-fit and best-fit take the lowest key; the default policy tells them apart by time,
/// through the bucket's index of when each half and each GPU ends. Starts that could not beat
/// `floor` (the best found so far) even without lengthening a half skip the time lookups.
fn rank_bucket(
    (fleet, occ, bucket): (&Fleet, &Occupancy, &Bucket),
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
    weights: &[i32; MAX_SIZES],
    (encumbered, floor): (&Encumbered, Option<&Rank>),
) -> Option<(Rank, GpuKey, u8)> {
    let table = &bucket.table;
    table.first_start[shape.profile.0 as usize]?;
    // Encumbered GPUs are ranked elsewhere (`rank_window`).
    let open = |gpu: &GpuKey| !encumbered.contains(*gpu);
    if policy != Policy::Default {
        // Ranked as the lowest key; under best-fit with a tie seed, another GPU of the state
        // takes it.
        let lowest = *bucket.by_key.iter().find(|g| open(g))?;
        let (rank, start) = rank_gpu(occ, table, lowest, shape, req, policy, weights, None)?;
        let gpu = match fleet.tie_seed.filter(|_| policy == Policy::BestFit) {
            None => lowest,
            Some(seed) => bucket
                .by_key
                .iter()
                .copied()
                .filter(open)
                .min_by_key(|g| tie_hash(seed, req.now, *g))?,
        };
        return Some((rank, gpu, start));
    }
    let fill = fill_after(occ, shape)?;
    // Where a half is lengthened: the GPU whose busy time it lengthens most (looked up once).
    let mut most: Option<(i64, GpuKey)> = None;
    let (m, size) = (shape.model(), shape.profile().memory_slices);
    let mut best: Option<(Rank, GpuKey, u8)> = None;
    for (start, frag) in table.scored_starts(shape.profile, weights) {
        // The best this start could rank: in a half that outlives it, with no slack.
        let bound = Rank {
            lengthens: false,
            opens: occ.is_empty(),
            size: m.compute_slices,
            frag,
            fill,
            time: i64::MIN,
            gpu: GpuKey(0),
        };
        let beaten = |r: &Rank| r.cmp(&bound).is_le();
        if floor.is_some_and(beaten) || best.as_ref().is_some_and(|(b, _, _)| beaten(b)) {
            continue;
        }
        let rank = match within_halves(fleet, bucket, m, (start, size), req.ends_at, &open) {
            Some((time, gpu)) => Rank { time, gpu, ..bound },
            None => {
                let (time, gpu) = match most {
                    Some(most) => most,
                    None => *most.insert(lengthens_most(occ, bucket, req, &open)?),
                };
                Rank {
                    lengthens: true,
                    time,
                    gpu,
                    ..bound
                }
            }
        };
        if best.as_ref().is_none_or(|(b, _, _)| rank.cmp(b).is_lt()) {
            best = Some((rank, rank.gpu, start));
        }
    }
    best
}

/// The GPU of `bucket` (among the `open` ones) where a slice at `start..start + size` ending
/// at `ends_at` lengthens no half, with the fewest seconds from its end to its halves' soonest
/// end (then the lowest key), as [`time_fit`] ranks them.
fn within_halves(
    fleet: &Fleet,
    bucket: &Bucket,
    m: &GpuModel,
    (start, size): (u8, u8),
    ends_at: i64,
    open: &impl Fn(&GpuKey) -> bool,
) -> Option<(i64, GpuKey)> {
    let mut touched = halves(m, start, size);
    let first = touched.next()?;
    let candidates = bucket.by_half[first]
        .range((ends_at, GpuKey(0))..)
        .filter(|(_, g)| open(g));
    if touched.next().is_none() {
        // One half: the first is the tightest.
        return candidates.map(|&(end, g)| (end - ends_at, g)).next();
    }
    // Both halves (rare: a slice as large as the GPU): every candidate, checked whole.
    candidates
        .filter_map(|&(_, g)| {
            let times = Times::of(&fleet.gpus[g.0 as usize]);
            match time_fit(m, &times, (start, size), (i64::MIN, ends_at)) {
                (false, slack) => Some((slack, g)),
                (true, _) => None,
            }
        })
        .min()
}

/// The GPU of `bucket` (among the `open` ones) whose busy time a slice running `[now,
/// ends_at)` lengthens most, as [`lengthened`] counts it, with that count. GPUs it lengthens
/// by the same tie, and the lowest key wins: all of them where it lengthens none, and all
/// those idle by `now`.
fn lengthens_most(
    occ: &Occupancy,
    bucket: &Bucket,
    req: &PlacementRequest,
    open: &impl Fn(&GpuKey) -> bool,
) -> Option<(i64, GpuKey)> {
    let lowest = || bucket.by_key.iter().find(|g| open(g)).copied();
    let &(end, soonest) = bucket.by_end.iter().find(|(_, g)| open(g))?;
    let time = lengthened(end, req.now, req.ends_at);
    let gpu = if time == 0 || occ.is_empty() {
        lowest()?
    } else if end <= req.now {
        bucket
            .by_end
            .range(..=(req.now, GpuKey(u32::MAX)))
            .map(|&(_, g)| g)
            .filter(open)
            .min()?
    } else {
        soonest
    };
    Some((time, gpu))
}

/// The order [`Fleet::set_tie_seed`] puts the GPUs of one state in for a decision at `now`
/// (splitmix64's finalizer over the three).
fn tie_hash(seed: u64, now: i64, gpu: GpuKey) -> u64 {
    let mut z = seed ^ (now as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(gpu.0) << 32;
    z = (z ^ z >> 30).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ z >> 27).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ z >> 31
}

/// Free compute, then memory, left on a GPU in state `occ` once `shape` is there; `None` when
/// it does not fit.
pub(crate) fn fill_after(occ: &Occupancy, shape: SliceShape) -> Option<u16> {
    let p = shape.profile();
    let compute = occ.free_compute_slices().checked_sub(p.compute_slices)?;
    let memory = occ.free_memory_slices().checked_sub(p.memory_slices)?;
    Some(u16::from(compute) << 8 | u16::from(memory))
}

/// One GPU's best start and its rank. `times` (when its slices end) only matters to the
/// default policy, which must be given it.
#[allow(clippy::too_many_arguments)]
fn rank_gpu(
    occ: &Occupancy,
    table: &StateTable,
    gpu: GpuKey,
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
    weights: &[i32; MAX_SIZES],
    times: Option<&Times>,
) -> Option<(Rank, u8)> {
    let first = table.first_start[shape.profile.0 as usize]?;
    let fill = fill_after(occ, shape)?;
    match (policy, times) {
        (Policy::FirstFit, _) => Some((Rank::plain(0, gpu), first)),
        (Policy::BestFit, _) => Some((Rank::plain(fill, gpu), first)),
        (Policy::Default, Some(times)) => best_start(
            table,
            shape,
            weights,
            u32::MAX,
            times,
            (req.now, req.ends_at),
            (fill, occ.is_empty(), gpu),
        ),
        (Policy::Default, None) => unreachable!("the default policy ranks with times"),
    }
}

/// [`rank_gpu`] for a GPU with a booking in the way: only starts free for the whole request
/// count. Under the default policy, a GPU that could not beat `floor` even at its best start
/// (any start, as if no booking were there) is passed over without a look at its bookings:
/// most are, so the cost stays near the plain walk's. The bound is exact: a start free for the
/// window is one of the GPU's free starts now, and no part of its rank depends on bookings.
fn rank_window(
    fleet: &Fleet,
    gpu: GpuKey,
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
    weights: &[i32; MAX_SIZES],
    floor: Option<&Rank>,
) -> Option<(Rank, u8)> {
    let g = &fleet.gpus[gpu.0 as usize];
    let table = fleet.tables.get(&g.occ)?;
    if policy != Policy::Default {
        let (_, fill, first) = fleet.free_during(gpu, shape, req)?;
        let fill = if policy == Policy::BestFit { fill } else { 0 };
        return Some((Rank::plain(fill, gpu), first));
    }
    // Only the default policy ranks by when the GPU's slices end.
    let times = Times::of(g);
    if let Some(floor) = floor {
        let (bound, _) = rank_gpu(
            &g.occ,
            table,
            gpu,
            shape,
            req,
            policy,
            weights,
            Some(&times),
        )?;
        if bound.cmp(floor).is_ge() {
            return None;
        }
    }
    let (free, fill, _) = fleet.free_during(gpu, shape, req)?;
    best_start(
        table,
        shape,
        weights,
        free,
        &times,
        (req.now, req.ends_at),
        (fill, g.occ.is_empty(), gpu),
    )
}
