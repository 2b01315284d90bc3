//! The fleet as the planner sees it: every GPU's occupancy and the end time of each live slice,
//! indexed by occupancy state so a decision looks at each distinct state once, not each GPU.

use crate::rank::Times;
use crate::score::StateTable;
use slicebroker_types::{GpuModel, ModelId, Occupancy, PlaceError, ProfileIdx};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A GPU, numbered densely by the planner in the order GPUs were added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GpuKey(pub u32);

/// A host, numbered by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostKey(pub u32);

/// A live slice, numbered by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SliceKey(pub u64);

#[derive(Clone, Debug)]
pub(crate) struct Gpu {
    pub host: HostKey,
    pub schedulable: bool,
    pub occ: Occupancy,
    /// Live slices on this GPU: key, profile, start, end time.
    pub slices: Vec<(SliceKey, ProfileIdx, u8, i64)>,
    /// Slices whose window has not begun (bookings): not in `occ`, which is what the GPU holds
    /// now, but in the way of any placement whose window overlaps theirs.
    pub booked: Vec<Booked>,
}

/// A slice whose window `[starts_at, ends_at)` lies (at least partly) ahead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Booked {
    pub key: SliceKey,
    pub profile: ProfileIdx,
    pub start: u8,
    pub starts_at: i64,
    pub ends_at: i64,
    /// Its memory slices, as a placement mask.
    pub mask: u16,
}

/// Schedulable GPUs sharing one occupancy state.
#[derive(Clone, Debug)]
pub(crate) struct Bucket {
    pub table: StateTable,
    /// Ordered by when each GPU's last slice ends (`i64::MIN` for empty GPUs), then key.
    pub by_end: BTreeSet<(i64, GpuKey)>,
    /// The same GPUs by when the last slice in each half of their memory ends (lower, upper).
    pub by_half: [BTreeSet<(i64, GpuKey)>; 2],
    /// The same GPUs by key, for first-fit.
    pub by_key: BTreeSet<GpuKey>,
}

/// A read-only view of one GPU.
#[derive(Clone, Copy, Debug)]
pub struct GpuView<'a> {
    pub key: GpuKey,
    pub host: HostKey,
    pub schedulable: bool,
    pub occupancy: &'a Occupancy,
}

/// The planner's index of the fleet. Callers mirror every change they commit elsewhere
/// (slices added and removed, GPUs cordoned) so decisions see what the database holds.
#[derive(Clone, Debug, Default)]
pub struct Fleet {
    pub(crate) gpus: Vec<Gpu>,
    pub(crate) slice_gpu: HashMap<SliceKey, GpuKey>,
    /// Schedulable GPUs by model, then by occupancy state.
    pub(crate) buckets: BTreeMap<ModelId, BTreeMap<Occupancy, Bucket>>,
    /// GPUs per model: (all, schedulable).
    pub(crate) model_counts: BTreeMap<ModelId, (u32, u32)>,
    pub(crate) host_gpus: BTreeMap<HostKey, Vec<GpuKey>>,
    pub(crate) tables: HashMap<Occupancy, StateTable>,
    /// Every booking not yet begun, by start: what an on-demand decision must plan around and
    /// what [`Fleet::advance`] moves onto the GPUs.
    pub(crate) future: BTreeSet<(i64, GpuKey, SliceKey)>,
    /// Every slice, live or booked, by when it ends: a booking decision looks first at the GPUs
    /// where something ends just before its window (best fit in time).
    pub(crate) ends: BTreeSet<(i64, GpuKey, SliceKey)>,
    /// Booking decisions look at every GPU (tests check the best-first search against it).
    pub(crate) scan_only: bool,
    /// See [`Fleet::set_tie_seed`].
    pub(crate) tie_seed: Option<u64>,
}

impl Fleet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_gpu(&mut self, host: HostKey, model: ModelId, schedulable: bool) -> GpuKey {
        let key = GpuKey(self.gpus.len() as u32);
        self.gpus.push(Gpu {
            host,
            schedulable,
            occ: Occupancy::empty(model),
            slices: Vec::new(),
            booked: Vec::new(),
        });
        self.host_gpus.entry(host).or_default().push(key);
        let counts = self.model_counts.entry(model).or_default();
        counts.0 += 1;
        if schedulable {
            counts.1 += 1;
            self.index(key);
        }
        key
    }

    /// For replays that measure chance: with a seed, best-fit gives the slice to a GPU of the
    /// occupancy state it chose picked by a hash of the seed, the decision's clock and the GPU
    /// key, instead of the lowest key (best-fit sees those GPUs as equal; the key is only its
    /// tie rule). A fixed relabelling of the GPUs would change nothing (identical GPUs in
    /// identical states), hence the clock. Decisions stay deterministic for a given seed.
    /// First-fit (whose rule is the key order) and the default policy (which tells such GPUs
    /// apart by when their slices end) are unaffected.
    pub fn set_tie_seed(&mut self, seed: Option<u64>) {
        self.tie_seed = seed;
    }

    pub fn len(&self) -> usize {
        self.gpus.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gpus.is_empty()
    }

    pub fn gpu(&self, key: GpuKey) -> Option<GpuView<'_>> {
        self.gpus.get(key.0 as usize).map(|g| GpuView {
            key,
            host: g.host,
            schedulable: g.schedulable,
            occupancy: &g.occ,
        })
    }

    pub fn gpus(&self) -> impl Iterator<Item = GpuView<'_>> {
        (0..self.gpus.len() as u32).filter_map(|k| self.gpu(GpuKey(k)))
    }

    /// Cordon (false) or uncordon (true) a GPU: cordoned GPUs keep their slices but get no new
    /// ones. Returns false for an unknown GPU.
    pub fn set_schedulable(&mut self, key: GpuKey, schedulable: bool) -> bool {
        let Some(gpu) = self.gpus.get(key.0 as usize) else {
            return false;
        };
        if gpu.schedulable == schedulable {
            return true;
        }
        let model = gpu.occ.model_id();
        if schedulable {
            self.gpus[key.0 as usize].schedulable = true;
            self.index(key);
        } else {
            self.unindex(key);
            self.gpus[key.0 as usize].schedulable = false;
        }
        let counts = self.model_counts.entry(model).or_default();
        if schedulable {
            counts.1 += 1
        } else {
            counts.1 -= 1
        }
        true
    }

    /// Records a live slice. Fails, changing nothing, if the geometry does not allow it or the
    /// slice key is already in use.
    pub fn add_slice(
        &mut self,
        gpu: GpuKey,
        slice: SliceKey,
        profile: ProfileIdx,
        start: u8,
        ends_at: i64,
    ) -> Result<(), AddSliceError> {
        if self.slice_gpu.contains_key(&slice) {
            return Err(AddSliceError::DuplicateSlice(slice));
        }
        let g = self
            .gpus
            .get(gpu.0 as usize)
            .ok_or(AddSliceError::UnknownGpu(gpu))?;
        g.occ.check(profile, start)?;
        self.unindex(gpu);
        let g = &mut self.gpus[gpu.0 as usize];
        g.occ.add(profile, start).expect("checked above");
        g.slices.push((slice, profile, start, ends_at));
        self.slice_gpu.insert(slice, gpu);
        self.ends.insert((ends_at, gpu, slice));
        self.index(gpu);
        Ok(())
    }

    /// Forgets a slice. Returns false if the planner did not know it.
    pub fn remove_slice(&mut self, slice: SliceKey) -> bool {
        let Some(gpu) = self.slice_gpu.remove(&slice) else {
            return false;
        };
        let g = &mut self.gpus[gpu.0 as usize];
        if let Some(pos) = g.booked.iter().position(|b| b.key == slice) {
            let b = g.booked.swap_remove(pos);
            self.future.remove(&(b.starts_at, gpu, slice));
            self.ends.remove(&(b.ends_at, gpu, slice));
            return true;
        }
        self.unindex(gpu);
        let g = &mut self.gpus[gpu.0 as usize];
        let pos = g
            .slices
            .iter()
            .position(|s| s.0 == slice)
            .expect("slice index is consistent");
        let (_, profile, start, ends_at) = g.slices.swap_remove(pos);
        assert!(g.occ.remove(profile, start), "slice index is consistent");
        self.ends.remove(&(ends_at, gpu, slice));
        self.index(gpu);
        true
    }

    /// Moves a slice's end time (a lease extension).
    pub fn set_slice_end(&mut self, slice: SliceKey, ends_at: i64) -> bool {
        let Some(&gpu) = self.slice_gpu.get(&slice) else {
            return false;
        };
        if let Some(b) = self.gpus[gpu.0 as usize]
            .booked
            .iter_mut()
            .find(|b| b.key == slice)
        {
            self.ends.remove(&(b.ends_at, gpu, slice));
            b.ends_at = ends_at;
            self.ends.insert((ends_at, gpu, slice));
            return true;
        }
        self.unindex(gpu);
        let g = &mut self.gpus[gpu.0 as usize];
        if let Some(s) = g.slices.iter_mut().find(|s| s.0 == slice) {
            self.ends.remove(&(s.3, gpu, slice));
            s.3 = ends_at;
            self.ends.insert((ends_at, gpu, slice));
        }
        self.index(gpu);
        true
    }

    pub fn slice_gpu(&self, slice: SliceKey) -> Option<GpuKey> {
        self.slice_gpu.get(&slice).copied()
    }

    fn index(&mut self, key: GpuKey) {
        let gpu = &self.gpus[key.0 as usize];
        if !gpu.schedulable {
            return;
        }
        let occ = gpu.occ;
        let times = Times::of(gpu);
        let table = self
            .tables
            .entry(occ)
            .or_insert_with(|| StateTable::new(&occ))
            .clone();
        let bucket = self
            .buckets
            .entry(occ.model_id())
            .or_default()
            .entry(occ)
            .or_insert_with(|| Bucket {
                table,
                by_end: BTreeSet::new(),
                by_half: Default::default(),
                by_key: BTreeSet::new(),
            });
        bucket.by_end.insert((times.end, key));
        for (by_half, end) in bucket.by_half.iter_mut().zip(times.half_end) {
            by_half.insert((end, key));
        }
        bucket.by_key.insert(key);
    }

    fn unindex(&mut self, key: GpuKey) {
        let gpu = &self.gpus[key.0 as usize];
        if !gpu.schedulable {
            return;
        }
        let occ = gpu.occ;
        let times = Times::of(gpu);
        let states = self
            .buckets
            .get_mut(&occ.model_id())
            .expect("indexed model");
        let bucket = states.get_mut(&occ).expect("indexed state");
        bucket.by_end.remove(&(times.end, key));
        for (by_half, end) in bucket.by_half.iter_mut().zip(times.half_end) {
            by_half.remove(&(end, key));
        }
        bucket.by_key.remove(&key);
        if bucket.by_end.is_empty() {
            states.remove(&occ);
        }
    }

    /// How many more of each profile the schedulable GPUs could take right now, per model
    /// (each GPU counted on its own, as NVML's remaining capacity would).
    pub fn capacity(&self) -> Vec<(ModelId, Vec<(ProfileIdx, u32)>)> {
        self.model_counts
            .keys()
            .map(|&model| {
                let states = self.buckets.get(&model);
                let per_profile = GpuModel::get(model)
                    .profile_indices()
                    .map(|p| {
                        let n = states.map_or(0, |s| {
                            s.values()
                                .map(|b| {
                                    u32::from(b.table.remaining[p.0 as usize])
                                        * b.by_end.len() as u32
                                })
                                .sum()
                        });
                        (p, n)
                    })
                    .collect();
                (model, per_profile)
            })
            .collect()
    }
}

/// Why a slice could not be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddSliceError {
    #[error("no GPU {0:?} in the fleet")]
    UnknownGpu(GpuKey),
    #[error("slice {0:?} is already recorded")]
    DuplicateSlice(SliceKey),
    #[error(transparent)]
    Geometry(#[from] PlaceError),
}
