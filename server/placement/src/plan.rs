//! Choosing a placement: every policy walks the same per-state index and differs only in how
//! it ranks candidates, so policies are compared on identical input.

use crate::Policy;
use crate::fleet::{Bucket, Fleet, GpuKey, HostKey};
use crate::nofit::NoFit;
use crate::score::{MAX_SIZES, StateTable, size_weights};
use crate::window::Encumbered;
use slicebroker_types::{ModelId, Occupancy, Placement, SliceShape};
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

/// A candidate's rank, compared field by field; lower is better. The default policy ranks by
/// fragmentation (an integer, weighted by how scarce each size is fleet-wide, so equal losses
/// tie exactly), then by how full the GPU is left (best-fit's measure), then by GPU key, as
/// first-fit and best-fit do. End times are deliberately not used: replays at 100–150 % load
/// showed that preferring GPUs whose slices end with ours (to free whole GPUs together) took
/// 7g requests at the cost of more 3g/4g ones, accepting 0.3–0.5 % fewer requests than
/// best-fit, and that the stable GPU order is what keeps the partly used GPUs packed (README,
/// "What we tried"; also as the last tie-break, −404 requests over 25 traces). Ties fall to the lower GPU key: decisions are deterministic.
#[derive(Clone, Copy, Debug)]
struct Rank {
    frag: i32,
    fill: u16,
    gpu: GpuKey,
}

impl Rank {
    fn cmp(&self, other: &Self) -> Ordering {
        self.frag
            .cmp(&other.frag)
            .then(self.fill.cmp(&other.fill))
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
            let weights = self.weights(shape.model, policy);
            match &req.hosts {
                None => {
                    let Some(states) = self.buckets.get(&shape.model) else {
                        continue;
                    };
                    for (occ, bucket) in states {
                        if let Some((rank, gpu, start)) =
                            rank_bucket(occ, bucket, shape, policy, &weights, &encumbered)
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
                                rank_window(self, *gpu, shape, req, policy, &weights, None)
                            {
                                consider(rank, self.decision(*gpu, shape, start));
                            }
                            continue;
                        }
                        let table = &self.tables[&g.occ];
                        if let Some((rank, start)) =
                            rank_gpu(&g.occ, table, *gpu, shape, policy, &weights)
                        {
                            consider(rank, self.decision(*gpu, shape, start));
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

/// The best GPU of a bucket for `shape`: every GPU in it shares the occupancy, so only the key
/// tells them apart; the lowest wins under every policy.
fn rank_bucket(
    occ: &Occupancy,
    bucket: &Bucket,
    shape: SliceShape,
    policy: Policy,
    weights: &[i32; MAX_SIZES],
    encumbered: &Encumbered,
) -> Option<(Rank, GpuKey, u8)> {
    bucket.table.first_start[shape.profile.0 as usize]?;
    // Encumbered GPUs are ranked elsewhere (`rank_window`).
    let gpu = *bucket.by_key.iter().find(|g| !encumbered.contains(**g))?;
    rank_gpu(occ, &bucket.table, gpu, shape, policy, weights).map(|(r, s)| (r, gpu, s))
}

fn rank_gpu(
    occ: &Occupancy,
    table: &StateTable,
    gpu: GpuKey,
    shape: SliceShape,
    policy: Policy,
    weights: &[i32; MAX_SIZES],
) -> Option<(Rank, u8)> {
    let i = shape.profile.0 as usize;
    // Nothing to rank where the profile does not fit (and its free counts would underflow).
    table.first_start[i]?;
    let profile = shape.profile();
    let free_after = u16::from(occ.free_compute_slices() - profile.compute_slices) << 8
        | u16::from(occ.free_memory_slices() - profile.memory_slices);
    let (start, frag, fill) = match policy {
        Policy::FirstFit => (table.first_start[i]?, 0, 0),
        Policy::BestFit => (table.first_start[i]?, 0, free_after),
        Policy::Default => {
            let (start, frag) = table.best_start(i, weights)?;
            (start, frag, free_after)
        }
    };
    Some((Rank { frag, fill, gpu }, start))
}

/// [`rank_gpu`] for a GPU with a booking in the way: only starts free for the whole request
/// count. Under the default policy, a GPU that could not beat `floor` even at its least
/// fragmenting start (any start, as if no booking were there) is passed over without a look
/// at its bookings: most are, so the cost stays near the plain walk's. The bound is exact:
/// a start free for the window is one of the GPU's free starts now, so it cannot score lower.
fn rank_window(
    fleet: &Fleet,
    gpu: GpuKey,
    shape: SliceShape,
    req: &PlacementRequest,
    policy: Policy,
    weights: &[i32; MAX_SIZES],
    floor: Option<&Rank>,
) -> Option<(Rank, u8)> {
    if policy == Policy::Default
        && let Some(floor) = floor
    {
        let g = &fleet.gpus[gpu.0 as usize];
        let (bound, _) = rank_gpu(
            &g.occ,
            fleet.tables.get(&g.occ)?,
            gpu,
            shape,
            policy,
            weights,
        )?;
        if bound.cmp(floor).is_ge() {
            return None;
        }
    }
    let (frag, fill, start) = fleet.rank_encumbered(gpu, shape, req, policy, weights)?;
    let (frag, fill) = match policy {
        Policy::FirstFit => (0, 0),
        Policy::BestFit => (0, fill),
        Policy::Default => (frag, fill),
    };
    Some((Rank { frag, fill, gpu }, start))
}
