//! Time in the planner: bookings (slices whose window `[starts_at, ends_at)` begins later) live
//! beside what the GPUs hold now, and a placement is free only if its memory slices are free for
//! the whole window it asks for.
//!
//! The occupancy index (`Fleet::buckets`) keeps describing the present, so an on-demand
//! decision without bookings in its way is exactly what it always was; only the GPUs with a
//! booking starting before the request ends are set aside and judged one by one against a
//! memory-slice mask of what is taken during the window. Within a window, slices that follow
//! each other on the same memory cannot be laid on one `Occupancy`, so the masks are unions
//! and the per-GPU limits (compute, count, media engines) are summed over every slice the window
//! touches: conservative, never wrong.

use crate::Policy;
use crate::fleet::{AddSliceError, Booked, Fleet, Gpu, GpuKey, SliceKey};
use crate::nofit::NoFit;
use crate::plan::{Decision, PlacementRequest, fill_after};
use crate::score::fragmentation;
use slicebroker_types::catalog::MediaKind;
use slicebroker_types::{GpuModel, MAX_PROFILES, Occupancy, PlaceError, ProfileIdx, SliceShape};
use std::cmp::Ordering;

/// What the slices a window touches use of one GPU's per-GPU limits, summed as if they all
/// ran at once.
#[derive(Clone, Copy, Debug, Default)]
struct Load {
    compute: u16,
    ofa: u16,
    media_users: u16,
    all_media: bool,
    counts: [u16; MAX_PROFILES],
}

impl Load {
    fn add(&mut self, gpu: &Gpu, profile: ProfileIdx) {
        let p = gpu.occ.model().profile(profile);
        self.compute += u16::from(p.compute_slices);
        self.ofa += u16::from(p.ofa_units());
        self.counts[profile.0 as usize] += 1;
        match p.media() {
            MediaKind::NoMedia => {}
            MediaKind::All => {
                self.all_media = true;
                self.media_users += 1;
            }
            _ => self.media_users += 1,
        }
    }

    /// Whether one more `profile` stays within the limits (the rules of `Occupancy::check`).
    fn admits(&self, gpu: &Gpu, profile: ProfileIdx) -> bool {
        let m = gpu.occ.model();
        let p = m.profile(profile);
        self.counts[profile.0 as usize] < u16::from(p.max_count)
            && self.compute + u16::from(p.compute_slices) <= u16::from(m.compute_slices)
            && (p.ofa_units() == 0
                || self.ofa + u16::from(p.ofa_units()) <= u16::from(m.ofa_units()))
            && !(self.all_media && p.media() != MediaKind::NoMedia)
            && !(p.media() == MediaKind::All && self.media_users > 0)
    }
}

/// One GPU during a window: the memory slices taken at some instant of it and the summed load.
struct During {
    mask: u16,
    load: Load,
}

impl During {
    /// The slices whose windows overlap `[from, to)`. A live slice past its end still holds
    /// its memory until it is released: it counts for a window that begins by `now`.
    fn of(gpu: &Gpu, (now, from, to): (i64, i64, i64)) -> Self {
        let mut d = During {
            mask: 0,
            load: Load::default(),
        };
        let m = gpu.occ.model();
        for &(_, profile, start, ends_at) in &gpu.slices {
            if ends_at > from || from <= now {
                d.mask |= placement_mask(m, profile, start);
                d.load.add(gpu, profile);
            }
        }
        for b in &gpu.booked {
            if b.starts_at < to && b.ends_at > from {
                d.mask |= b.mask;
                d.load.add(gpu, b.profile);
            }
        }
        d
    }

    /// The starts of `profile` free for the whole window, in NVML's order.
    fn free_starts<'a>(
        &'a self,
        gpu: &'a Gpu,
        profile: ProfileIdx,
    ) -> impl Iterator<Item = (u8, u16)> + 'a {
        let ok = self.load.admits(gpu, profile);
        gpu.occ
            .model()
            .profile(profile)
            .placements
            .iter()
            .map(|pl| (pl.start, pl.mask()))
            .filter(move |(_, mask)| ok && self.mask & mask == 0)
    }
}

fn placement_mask(m: &GpuModel, profile: ProfileIdx, start: u8) -> u16 {
    m.profile(profile)
        .placements
        .iter()
        .find(|pl| pl.start == start)
        .map_or(0, |pl| pl.mask())
}

/// GPUs with a booking that starts before `ends_at` (a bit set, by key): an on-demand request
/// ending then must be checked against their windows; every other GPU is as free as its
/// occupancy says.
pub(crate) struct Encumbered(Vec<u64>);

impl Encumbered {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    pub fn contains(&self, gpu: GpuKey) -> bool {
        self.0
            .get(gpu.0 as usize / 64)
            .is_some_and(|w| w & (1 << (gpu.0 % 64)) != 0)
    }

    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = GpuKey> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros();
                    w &= w - 1;
                    GpuKey(i as u32 * 64 + bit)
                })
            })
        })
    }
}

impl Fleet {
    /// Records a slice whose window begins at `starts_at` (a booking). It occupies nothing now;
    /// [`Fleet::advance`] moves it onto the GPU when its window begins. Fails, changing nothing,
    /// if it is no placement of its profile or its memory slices are taken during its window.
    pub fn add_booking(
        &mut self,
        gpu: GpuKey,
        slice: SliceKey,
        profile: ProfileIdx,
        start: u8,
        (starts_at, ends_at): (i64, i64),
    ) -> Result<(), AddSliceError> {
        if self.slice_gpu(slice).is_some() {
            return Err(AddSliceError::DuplicateSlice(slice));
        }
        let g = self
            .gpus
            .get(gpu.0 as usize)
            .ok_or(AddSliceError::UnknownGpu(gpu))?;
        let placement = Occupancy::empty(g.occ.model_id()).check(profile, start)?;
        if During::of(g, (i64::MIN, starts_at, ends_at)).mask & placement.mask() != 0 {
            return Err(PlaceError::Overlap { placement }.into());
        }
        self.gpus[gpu.0 as usize].booked.push(Booked {
            key: slice,
            profile,
            start,
            starts_at,
            ends_at,
            mask: placement.mask(),
        });
        self.future.insert((starts_at, gpu, slice));
        self.ends.insert((ends_at, gpu, slice));
        self.slice_gpu.insert(slice, gpu);
        Ok(())
    }

    /// Moves the bookings whose window has begun by `now` onto their GPUs. One that does not fit
    /// yet (a slice there is still being torn down) stays a booking, in the way of others, and
    /// is tried again next time. Returns how many moved.
    pub fn advance(&mut self, now: i64) -> usize {
        let due: Vec<(i64, GpuKey, SliceKey)> = self
            .future
            .range(..(now.saturating_add(1), GpuKey(0), SliceKey(0)))
            .copied()
            .collect();
        let mut moved = 0;
        for (starts_at, gpu, slice) in due {
            let g = &self.gpus[gpu.0 as usize];
            let pos = g
                .booked
                .iter()
                .position(|b| b.key == slice)
                .expect("future index is consistent");
            let b = g.booked[pos];
            if !g.occ.fits(b.profile, b.start) {
                continue;
            }
            self.gpus[gpu.0 as usize].booked.swap_remove(pos);
            self.future.remove(&(starts_at, gpu, slice));
            self.ends.remove(&(b.ends_at, gpu, slice));
            self.slice_gpu.remove(&slice);
            self.add_slice(gpu, slice, b.profile, b.start, b.ends_at)
                .expect("checked above");
            moved += 1;
        }
        moved
    }

    /// How many bookings the fleet holds that have not begun.
    pub fn bookings(&self) -> usize {
        self.future.len()
    }

    /// Whether `slice` is a booking not yet moved onto its GPU: after [`Fleet::advance`] past
    /// its start, one that could not begin where it was pinned (the replay counts it as a
    /// booking not honoured).
    pub fn is_booked(&self, slice: SliceKey) -> bool {
        self.slice_gpu(slice).is_some_and(|gpu| {
            self.gpus[gpu.0 as usize]
                .booked
                .iter()
                .any(|b| b.key == slice)
        })
    }

    pub(crate) fn encumbered(&self, ends_at: i64) -> Encumbered {
        let mut due = self
            .future
            .range(..(ends_at, GpuKey(0), SliceKey(0)))
            .peekable();
        if due.peek().is_none() {
            return Encumbered(Vec::new());
        }
        let mut bits = vec![0u64; self.gpus.len().div_ceil(64)];
        for &(_, g, _) in due {
            bits[g.0 as usize / 64] |= 1 << (g.0 % 64);
        }
        Encumbered(bits)
    }

    /// An on-demand candidate on a GPU with bookings in the way: the starts free for
    /// `[now, ends_at)` (a bit per start), its fill (free compute, then memory, left now, as
    /// `rank_gpu` counts it) and the lowest free start.
    pub(crate) fn free_during(
        &self,
        gpu: GpuKey,
        shape: SliceShape,
        req: &PlacementRequest,
    ) -> Option<(u32, u16, u8)> {
        let g = &self.gpus[gpu.0 as usize];
        if !g.schedulable || g.occ.model_id() != shape.model {
            return None;
        }
        let fill = fill_after(&g.occ, shape)?;
        let during = During::of(g, (req.now, req.now, req.ends_at));
        let (free, first) = during
            .free_starts(g, shape.profile)
            .fold((0u32, None), |(m, first), (s, _)| {
                (m | 1 << s, first.or(Some(s)))
            });
        Some((free, fill, first?))
    }

    /// The best place for one slice whose window is `[starts_at, req.ends_at)`, free for all of
    /// it (a booking). `req.now` is the decision's clock. Under the default policy: best fit in
    /// time first (the least free time left before and after the window on the chosen memory
    /// slices, each side counted up to the window's length: a longer gap still takes another
    /// booking like this one), so bookings pack against each other and against the ends of
    /// running leases; then fragmentation during the window; then the lower GPU and start.
    pub fn plan_during(
        &self,
        req: &PlacementRequest,
        starts_at: i64,
        policy: Policy,
    ) -> Result<Decision, NoFit> {
        let (from, to) = (starts_at, req.ends_at.max(starts_at + 1));
        let cap = to - from;
        let mut best: Option<(TimeRank, Decision)> = None;
        let consider = |best: &mut Option<(TimeRank, Decision)>, gpu: GpuKey, shape: SliceShape| {
            let g = &self.gpus[gpu.0 as usize];
            if !g.schedulable || g.occ.model_id() != shape.model {
                return;
            }
            if let Some((rank, start)) =
                rank_during(g, gpu, shape, (req.now, from, to), policy, best.as_ref())
            {
                *best = Some((rank, self.decision(gpu, shape, start)));
            }
        };
        // GPUs already looked at, by key (a bit set).
        let mut seen = vec![0u64; self.gpus.len().div_ceil(64)];
        let was_seen =
            |seen: &[u64], gpu: GpuKey| seen[gpu.0 as usize / 64] & (1 << (gpu.0 % 64)) != 0;
        if policy == Policy::Default && req.hosts.is_none() && !self.scan_only {
            // Best first: the GPUs where something ends within `ring` before the window or a
            // booking begins within `ring` after it, in widening rings. Every GPU outside a
            // ring leaves more than `ring` free on each side (or all the time from now), so
            // once the best found leaves less, no other can beat it.
            let mut ring = (cap / 256).max(cap.min(60));
            loop {
                let ends = self.ends.range(
                    (from - ring, GpuKey(0), SliceKey(0))
                        ..=(from, GpuKey(u32::MAX), SliceKey(u64::MAX)),
                );
                let starts = self.future.range(
                    (to, GpuKey(0), SliceKey(0))
                        ..=(to + ring, GpuKey(u32::MAX), SliceKey(u64::MAX)),
                );
                for &(_, gpu, _) in ends.chain(starts) {
                    if !was_seen(&seen, gpu) {
                        seen[gpu.0 as usize / 64] |= 1 << (gpu.0 % 64);
                        for &shape in &req.shapes {
                            consider(&mut best, gpu, shape);
                        }
                    }
                }
                let outside = ring.min((from - req.now).max(0)) + ring;
                if let Some((b, d)) = &best
                    && b.time < outside
                {
                    return Ok(*d);
                }
                if ring >= cap {
                    break;
                }
                ring = (ring * 4).min(cap);
            }
        }
        for &shape in &req.shapes {
            let all: Box<dyn Iterator<Item = GpuKey>> = match &req.hosts {
                None => Box::new(
                    self.buckets
                        .get(&shape.model)
                        .into_iter()
                        .flat_map(|states| states.values())
                        .flat_map(|b| b.by_key.iter().copied()),
                ),
                Some(hosts) => Box::new(
                    hosts
                        .iter()
                        .filter_map(|h| self.host_gpus.get(h))
                        .flatten()
                        .copied(),
                ),
            };
            // Every GPU not seen in the rings (those are in `best` already). The ones with
            // nothing within `cap` of the window are empty during it and tie on everything but
            // their key: only the lowest needs a look.
            let mut far: Option<GpuKey> = None;
            for gpu in all {
                let g = &self.gpus[gpu.0 as usize];
                if !g.schedulable || g.occ.model_id() != shape.model || was_seen(&seen, gpu) {
                    continue;
                }
                let is_far = g.slices.iter().all(|s| s.3 <= from - cap)
                    && g.booked
                        .iter()
                        .all(|b| b.starts_at >= to + cap || b.ends_at <= from - cap);
                if is_far {
                    far = Some(far.map_or(gpu, |f| f.min(gpu)));
                    continue;
                }
                consider(&mut best, gpu, shape);
            }
            if let Some(gpu) = far {
                consider(&mut best, gpu, shape);
            }
        }
        best.map(|(_, d)| d)
            .ok_or_else(|| NoFit::diagnose(self, req))
    }

    /// [`Fleet::plan_during`] for `count` slices, all or nothing, as [`Fleet::plan_many`].
    pub fn plan_many_during(
        &mut self,
        req: &PlacementRequest,
        starts_at: i64,
        count: usize,
        policy: Policy,
    ) -> Result<Vec<Decision>, NoFit> {
        self.plan_all(count, |fleet, temp| {
            let d = fleet.plan_during(req, starts_at, policy)?;
            fleet
                .add_booking(
                    d.gpu,
                    temp,
                    d.shape.profile,
                    d.placement.start,
                    (starts_at, req.ends_at),
                )
                .expect("the planner only proposes placements free for the window");
            Ok(d)
        })
    }

    /// Plans `count` slices one after another, each held under a temporary key by `plan_one`
    /// so the next sees it, then lets them all go: all decisions, or the first failure.
    pub(crate) fn plan_all(
        &mut self,
        count: usize,
        mut plan_one: impl FnMut(&mut Fleet, SliceKey) -> Result<Decision, NoFit>,
    ) -> Result<Vec<Decision>, NoFit> {
        let mut decisions = Vec::with_capacity(count);
        let mut outcome = Ok(());
        for i in 0..count {
            match plan_one(self, SliceKey(u64::MAX - i as u64)) {
                Ok(d) => decisions.push(d),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        for i in 0..decisions.len() {
            self.remove_slice(SliceKey(u64::MAX - i as u64));
        }
        outcome.map(|()| decisions)
    }
}

/// A booking candidate's rank, compared field by field; lower is better.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeRank {
    /// Free seconds left before and after the window on the chosen memory slices.
    time: i64,
    frag: f32,
    fill: u16,
    gpu: GpuKey,
    start: u8,
}

impl TimeRank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.time
            .cmp(&other.time)
            .then(self.frag.total_cmp(&other.frag))
            .then(self.fill.cmp(&other.fill))
            .then(self.gpu.cmp(&other.gpu))
            .then(self.start.cmp(&other.start))
    }
}

/// The best start on one GPU for the window `[from, to)` seen at `now`, if it beats `best`.
fn rank_during(
    g: &Gpu,
    gpu: GpuKey,
    shape: SliceShape,
    (now, from, to): (i64, i64, i64),
    policy: Policy,
    best: Option<&(TimeRank, Decision)>,
) -> Option<(TimeRank, u8)> {
    let cap = to - from;
    let m = g.occ.model();
    let p = shape.profile();
    let during = During::of(g, (now, from, to));
    let free_compute = u16::from(m.compute_slices)
        .checked_sub(during.load.compute + u16::from(p.compute_slices))?;
    let free_memory = u32::from(m.memory_slices)
        .saturating_sub(during.mask.count_ones() + u32::from(p.memory_slices))
        as u16;
    let fill = free_compute << 8 | free_memory;
    let mut window_occ: Option<(Occupancy, f32)> = None;
    let mut out: Option<(TimeRank, u8)> = None;
    for (start, mask) in during.free_starts(g, shape.profile) {
        let time = match policy {
            Policy::FirstFit | Policy::BestFit => 0,
            Policy::Default => gaps(g, mask, (now, from, to), cap),
        };
        let mut rank = TimeRank {
            time,
            frag: 0.0,
            fill: if policy == Policy::FirstFit { 0 } else { fill },
            gpu,
            start,
        };
        let beaten = |r: &TimeRank| {
            best.is_some_and(|(b, _)| r.cmp(b) != Ordering::Less)
                || out
                    .as_ref()
                    .is_some_and(|(o, _)| r.cmp(o) != Ordering::Less)
        };
        if policy == Policy::Default {
            // Fragmentation only breaks ties in time: skip its cost for the beaten.
            let floor = TimeRank {
                frag: f32::NEG_INFINITY,
                ..rank
            };
            if beaten(&floor) {
                continue;
            }
            let (occ, before) = *window_occ.get_or_insert_with(|| {
                let occ = occupancy_during(g, from, to);
                (occ, fragmentation(&occ))
            });
            let mut after = occ;
            rank.frag = match after.add(shape.profile, start) {
                Ok(()) => fragmentation(&after) - before,
                Err(_) => 1.0,
            };
        }
        if !beaten(&rank) {
            out = Some((rank, start));
        }
    }
    out
}

/// Free seconds before and after `[from, to)` on memory slices `mask`, each side capped at
/// `cap`: back to the latest slice there ending by `from` (or `now`: free since now), and on to
/// the earliest booking there starting at or after `to`.
fn gaps(g: &Gpu, mask: u16, (now, from, to): (i64, i64, i64), cap: i64) -> i64 {
    let m = g.occ.model();
    let mut prev = now;
    let mut next = to.saturating_add(cap);
    for &(_, profile, start, ends_at) in &g.slices {
        if ends_at <= from && placement_mask(m, profile, start) & mask != 0 {
            prev = prev.max(ends_at);
        }
    }
    for b in &g.booked {
        let overlaps = b.mask & mask != 0;
        if overlaps && b.ends_at <= from {
            prev = prev.max(b.ends_at);
        }
        if overlaps && b.starts_at >= to {
            next = next.min(b.starts_at);
        }
    }
    (from - prev).clamp(0, cap) + (next - to).clamp(0, cap)
}

/// The GPU during `[from, to)` as one occupancy, for scoring only: slices that follow each other
/// on the same memory cannot all be laid on it, and the later ones are left out.
pub(crate) fn occupancy_during(g: &Gpu, from: i64, to: i64) -> Occupancy {
    let mut occ = Occupancy::empty(g.occ.model_id());
    for &(_, profile, start, ends_at) in &g.slices {
        if ends_at > from {
            let _ = occ.add(profile, start);
        }
    }
    for b in &g.booked {
        if b.starts_at < to && b.ends_at > from {
            let _ = occ.add(b.profile, b.start);
        }
    }
    occ
}

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
