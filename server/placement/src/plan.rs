//! Choosing a placement: every policy walks the same per-state index and differs only in how
//! it ranks candidates, so policies are compared on identical input.

use crate::Policy;
use crate::fleet::{Bucket, Fleet, GpuKey, HostKey};
use crate::nofit::NoFit;
use crate::score::StateTable;
use crate::window::Encumbered;
use slicebroker_types::{Occupancy, Placement, SliceShape};
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

/// Within the end-time term, weight of the gap to the GPU's last end against the delay.
const GAP_WEIGHT: f32 = 0.1;

/// A candidate's rank, compared field by field; lower is better. The default policy ranks by
/// fragmentation first and uses end times only among equally fragmenting choices: replays
/// showed that trading fragmentation for end-time affinity (a weighted sum) rejects more
/// 3g/4g requests than it saves 7g ones. Ties fall to the lower GPU key: decisions are
/// deterministic.
#[derive(Clone, Copy, Debug)]
struct Rank {
    frag: f32,
    time: f32,
    fill: u16,
    gpu: GpuKey,
}

impl Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.frag
            .total_cmp(&other.frag)
            .then(self.fill.cmp(&other.fill))
            .then(self.time.total_cmp(&other.time))
            .then(self.gpu.cmp(&other.gpu))
    }
}

impl Fleet {
    /// The best place for one slice under `policy`, or why there is none.
    pub fn plan(&self, req: &PlacementRequest, policy: Policy) -> Result<Decision, NoFit> {
        let mut best: Option<(Rank, Decision)> = None;
        let mut consider = |rank: Rank, decision: Decision| {
            if best
                .as_ref()
                .is_none_or(|(b, _)| rank.cmp(b) == Ordering::Less)
            {
                best = Some((rank, decision));
            }
        };
        // GPUs with a booking before we would end are judged on their own, against the
        // booking's window; without any, this is the plain occupancy walk.
        let encumbered = self.encumbered(req.ends_at);
        for &shape in &req.shapes {
            match &req.hosts {
                None => {
                    let Some(states) = self.buckets.get(&shape.model) else {
                        continue;
                    };
                    for (occ, bucket) in states {
                        if let Some((rank, gpu, start)) =
                            rank_bucket(self, occ, bucket, shape, req, policy, &encumbered)
                        {
                            consider(rank, self.decision(gpu, shape, start));
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
                                rank_window(self, *gpu, shape, req, policy, None)
                            {
                                consider(rank, self.decision(*gpu, shape, start));
                            }
                            continue;
                        }
                        let table = &self.tables[&g.occ];
                        let end = self.end_key(*gpu);
                        if let Some((rank, start)) =
                            rank_gpu(&g.occ, table, *gpu, end, shape, req, policy)
                        {
                            consider(rank, self.decision(*gpu, shape, start));
                        }
                    }
                }
            }
        }
        // The GPUs with a booking in the way, last: most cannot fragment less than the best
        // found so far and are passed over unexamined.
        for gpu in encumbered.iter().filter(|_| req.hosts.is_none()) {
            let model = self.gpus[gpu.0 as usize].occ.model_id();
            for &shape in req.shapes.iter().filter(|s| s.model == model) {
                let floor = best.as_ref().map(|(b, _)| b);
                if let Some((rank, start)) = rank_window(self, gpu, shape, req, policy, floor)
                    && best
                        .as_ref()
                        .is_none_or(|(b, _)| rank.cmp(b) == Ordering::Less)
                {
                    best = Some((rank, self.decision(gpu, shape, start)));
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

/// The best GPU of a bucket for `shape`: every GPU in it shares the occupancy, so only the
/// end-time term (default) or the key (first-fit, best-fit) tells them apart.
fn rank_bucket(
    fleet: &Fleet,
    occ: &Occupancy,
    bucket: &Bucket,
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
    encumbered: &Encumbered,
) -> Option<(Rank, GpuKey, u8)> {
    bucket.table.first_start[shape.profile.0 as usize]?;
    // Encumbered GPUs are ranked elsewhere (`rank_window`).
    let free = |&&(_, gpu): &&(i64, GpuKey)| !encumbered.contains(gpu);
    let (end, gpu) = match policy {
        Policy::FirstFit | Policy::BestFit => {
            let gpu = *bucket.by_key.iter().find(|g| !encumbered.contains(**g))?;
            (fleet.end_key(gpu), gpu)
        }
        Policy::Default => {
            // The GPU whose last slice ends soonest at or after ours (no delay, least gap),
            // or failing that the one ending latest before ours (least delay).
            let after = bucket.by_end.range((req.ends_at, GpuKey(0))..).find(free);
            let before = bucket
                .by_end
                .range(..(req.ends_at, GpuKey(0)))
                .rev()
                .find(free);
            let (end, _) = [after, before]
                .into_iter()
                .flatten()
                .min_by(|a, b| time_cost(a.0, req).total_cmp(&time_cost(b.0, req)))?;
            // Among GPUs ending at the same time, the lowest key.
            *bucket.by_end.range((*end, GpuKey(0))..).find(free)?
        }
    };
    rank_gpu(occ, &bucket.table, gpu, end, shape, req, policy).map(|(r, s)| (r, gpu, s))
}

fn rank_gpu(
    occ: &Occupancy,
    table: &StateTable,
    gpu: GpuKey,
    end: i64,
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
) -> Option<(Rank, u8)> {
    let i = shape.profile.0 as usize;
    let profile = shape.profile();
    let free_after = u16::from(occ.free_compute_slices() - profile.compute_slices) << 8
        | u16::from(occ.free_memory_slices() - profile.memory_slices);
    let (start, frag, time, fill) = match policy {
        Policy::FirstFit => (table.first_start[i]?, 0.0, 0.0, 0),
        Policy::BestFit => (table.first_start[i]?, 0.0, 0.0, free_after),
        Policy::Default => {
            let (start, frag) = table.best_start[i]?;
            (start, frag, time_cost(end, req), free_after)
        }
    };
    Some((
        Rank {
            frag,
            time,
            fill,
            gpu,
        },
        start,
    ))
}

/// [`rank_gpu`] for a GPU with a booking in the way: only starts free for the whole request
/// count. Under the default policy, a GPU that could not beat `floor` even at its least
/// fragmenting start is passed over without a look at its bookings: most are, so the cost
/// stays near the plain walk's.
fn rank_window(
    fleet: &Fleet,
    gpu: GpuKey,
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
    floor: Option<&Rank>,
) -> Option<(Rank, u8)> {
    if policy == Policy::Default
        && let Some(floor) = floor
    {
        let g = &fleet.gpus[gpu.0 as usize];
        let p = shape.profile();
        let free_compute = g.occ.free_compute_slices().checked_sub(p.compute_slices)?;
        let free_memory = g.occ.free_memory_slices().checked_sub(p.memory_slices)?;
        let bound = Rank {
            frag: g.least_frag[shape.profile.0 as usize],
            fill: u16::from(free_compute) << 8 | u16::from(free_memory),
            time: f32::NEG_INFINITY,
            gpu,
        };
        let lead = bound
            .frag
            .total_cmp(&floor.frag)
            .then(bound.fill.cmp(&floor.fill));
        let timed = || Rank {
            time: time_cost(fleet.end_key(gpu), req),
            ..bound
        };
        if lead.is_gt() || (lead.is_eq() && timed().cmp(floor).is_ge()) {
            return None;
        }
    }
    let (frag, fill, start) = fleet.rank_encumbered(gpu, shape, req, policy)?;
    let (frag, time, fill) = match policy {
        Policy::FirstFit => (0.0, 0.0, 0),
        Policy::BestFit => (0.0, 0.0, fill),
        Policy::Default => (frag, time_cost(fleet.end_key(gpu), req), fill),
    };
    Some((
        Rank {
            frag,
            time,
            fill,
            gpu,
        },
        start,
    ))
}

/// How much placing a slice ending at `req.ends_at` on a GPU whose last slice ends at
/// `gpu_end` (`i64::MIN`: empty) keeps that GPU from coming free whole, in `[0, 1.1]`:
/// the delay to its free time as a share of our duration, plus a little for the gap.
fn time_cost(gpu_end: i64, req: &PlacementRequest) -> f32 {
    let duration = (req.ends_at - req.now).max(1) as f32;
    let gpu_end = gpu_end.max(req.now);
    let delay = (req.ends_at - gpu_end).max(0) as f32 / duration;
    let gap = (gpu_end - req.ends_at).unsigned_abs() as f32
        / ((gpu_end - req.now).max(1) as f32).max(duration);
    delay.min(1.0) + GAP_WEIGHT * gap.min(1.0)
}
