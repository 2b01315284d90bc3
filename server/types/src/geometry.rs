//! Geometry of one MIG GPU: which memory slices are taken, how many instances of each profile
//! it holds, and what still fits.
//!
//! The rules, each from NVIDIA's documentation or `nvml.h` (see `shared/reference/`):
//! - an instance occupies `size` memory slices from `start`, and `start` must be one of the
//!   profile's placements; instances never overlap;
//! - the compute slices in use never exceed the GPU's (3g@0 + 3g@4 uses 6 of 7 on A100);
//! - a profile has at most `max_count` instances;
//! - media engines: the GPU has one OFA unit, so at most one OFA-holding instance (`+me`,
//!   `+me.all`) at a time; and a `+me.all` instance admits only `-me` profiles beside it.

use crate::catalog::{GpuModel, MAX_PROFILES, MediaKind, ModelId, Placement, ProfileIdx};
use std::fmt;

/// One GPU instance: a profile at a placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instance {
    pub profile: ProfileIdx,
    pub start: u8,
}

/// Why an instance cannot be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    #[error("{start} is not a placement of profile {profile}; allowed starts: {allowed}")]
    NotAPlacement {
        profile: &'static str,
        start: u8,
        allowed: PlacementList,
    },
    #[error("memory slices {placement} overlap an existing instance")]
    Overlap { placement: Placement },
    #[error("profile {profile} already has its maximum of {max} instances")]
    MaxCount { profile: &'static str, max: u8 },
    #[error("{needed} compute slices needed but only {free} are free")]
    Compute { needed: u8, free: u8 },
    #[error("media engines are taken: {reason}")]
    MediaEngines { reason: &'static str },
}

/// A profile's placements, displayed as `{0,2,4}:2` like `nvidia-smi mig -lgipp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacementList(pub &'static [Placement]);

impl fmt::Display for PlacementList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let starts: Vec<String> = self.0.iter().map(|p| p.start.to_string()).collect();
        write!(
            f,
            "{{{}}}:{}",
            starts.join(","),
            self.0.first().map_or(0, |p| p.size)
        )
    }
}

/// What one GPU holds. Small and `Copy`: the planner keeps one per GPU in the fleet.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Occupancy {
    model: ModelId,
    /// Bit i set = memory slice i taken.
    mask: u16,
    compute_used: u8,
    ofa_used: u8,
    /// Instances that are not `-me` (a `+me.all` instance admits none of them).
    media_users: u8,
    all_media: bool,
    counts: [u8; MAX_PROFILES],
}

impl fmt::Debug for Occupancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Occupancy({} {})", self.model().key, self.slice_map())
    }
}

impl Occupancy {
    pub fn empty(model: ModelId) -> Self {
        Self {
            model,
            mask: 0,
            compute_used: 0,
            ofa_used: 0,
            media_users: 0,
            all_media: false,
            counts: [0; MAX_PROFILES],
        }
    }

    /// Builds the occupancy of a set of instances, checking each as it is added.
    pub fn from_instances(
        model: ModelId,
        instances: impl IntoIterator<Item = Instance>,
    ) -> Result<Self, PlaceError> {
        let mut occ = Self::empty(model);
        for i in instances {
            occ.add(i.profile, i.start)?;
        }
        Ok(occ)
    }

    pub fn model_id(&self) -> ModelId {
        self.model
    }

    pub fn model(&self) -> &'static GpuModel {
        GpuModel::get(self.model)
    }

    pub fn taken_mask(&self) -> u16 {
        self.mask
    }

    pub fn free_memory_slices(&self) -> u8 {
        self.model().memory_slices - self.mask.count_ones() as u8
    }

    pub fn compute_used(&self) -> u8 {
        self.compute_used
    }

    pub fn free_compute_slices(&self) -> u8 {
        self.model().compute_slices - self.compute_used
    }

    pub fn count(&self, profile: ProfileIdx) -> u8 {
        self.counts[profile.0 as usize]
    }

    pub fn is_empty(&self) -> bool {
        self.mask == 0
    }

    /// Can `profile` be created at memory slice `start` now?
    pub fn fits(&self, profile: ProfileIdx, start: u8) -> bool {
        self.check(profile, start).is_ok()
    }

    /// Like [`Occupancy::fits`], saying why not.
    pub fn check(&self, profile: ProfileIdx, start: u8) -> Result<Placement, PlaceError> {
        let p = self.model().profile(profile);
        let placement =
            *p.placements
                .iter()
                .find(|pl| pl.start == start)
                .ok_or(PlaceError::NotAPlacement {
                    profile: p.name,
                    start,
                    allowed: PlacementList(p.placements),
                })?;
        self.check_profile_limits(profile)?;
        if self.mask & placement.mask() != 0 {
            return Err(PlaceError::Overlap { placement });
        }
        Ok(placement)
    }

    /// The limits that do not depend on where the instance goes.
    fn check_profile_limits(&self, profile: ProfileIdx) -> Result<(), PlaceError> {
        let p = self.model().profile(profile);
        if self.count(profile) >= p.max_count {
            return Err(PlaceError::MaxCount {
                profile: p.name,
                max: p.max_count,
            });
        }
        let free = self.free_compute_slices();
        if p.compute_slices > free {
            return Err(PlaceError::Compute {
                needed: p.compute_slices,
                free,
            });
        }
        if p.ofa_units() > 0 && self.ofa_used + p.ofa_units() > self.model().ofa_units() {
            return Err(PlaceError::MediaEngines {
                reason: "the GPU's OFA unit is in use",
            });
        }
        if self.all_media && p.media() != MediaKind::NoMedia {
            return Err(PlaceError::MediaEngines {
                reason: "a +me.all instance admits only -me profiles beside it",
            });
        }
        if p.media() == MediaKind::All && self.media_users > 0 {
            return Err(PlaceError::MediaEngines {
                reason: "+me.all needs every other instance to be a -me profile",
            });
        }
        Ok(())
    }

    /// Adds an instance, or says why it cannot be added and changes nothing.
    pub fn add(&mut self, profile: ProfileIdx, start: u8) -> Result<(), PlaceError> {
        let placement = self.check(profile, start)?;
        let p = self.model().profile(profile);
        self.mask |= placement.mask();
        self.compute_used += p.compute_slices;
        self.ofa_used += p.ofa_units();
        self.counts[profile.0 as usize] += 1;
        match p.media() {
            MediaKind::NoMedia => {}
            MediaKind::All => {
                self.all_media = true;
                self.media_users += 1;
            }
            _ => self.media_users += 1,
        }
        Ok(())
    }

    /// Removes an instance that [`Occupancy::add`] added. Returns false (and changes nothing)
    /// if no such instance is there.
    pub fn remove(&mut self, profile: ProfileIdx, start: u8) -> bool {
        let p = self.model().profile(profile);
        let Some(placement) = p.placements.iter().find(|pl| pl.start == start) else {
            return false;
        };
        let m = placement.mask();
        if self.count(profile) == 0 || self.mask & m != m {
            return false;
        }
        self.mask &= !m;
        self.compute_used -= p.compute_slices;
        self.ofa_used -= p.ofa_units();
        self.counts[profile.0 as usize] -= 1;
        match p.media() {
            MediaKind::NoMedia => {}
            MediaKind::All => {
                self.all_media = false;
                self.media_users -= 1;
            }
            _ => self.media_users -= 1,
        }
        true
    }

    /// The placements where `profile` could be created now, in NVML's order.
    pub fn free_placements(&self, profile: ProfileIdx) -> impl Iterator<Item = Placement> + '_ {
        let p = self.model().profile(profile);
        let limits_ok = self.check_profile_limits(profile).is_ok();
        p.placements
            .iter()
            .copied()
            .filter(move |pl| limits_ok && self.mask & pl.mask() == 0)
    }

    /// How many more instances of `profile` could be created now, like NVML's
    /// `nvmlDeviceGetGpuInstanceRemainingCapacity`. A profile's own placements never overlap
    /// each other, so the free ones can all be taken, up to the count, compute and engine limits.
    pub fn remaining_capacity(&self, profile: ProfileIdx) -> u8 {
        let p = self.model().profile(profile);
        if self.check_profile_limits(profile).is_err() {
            return 0;
        }
        let free_places = p
            .placements
            .iter()
            .filter(|pl| self.mask & pl.mask() == 0)
            .count() as u8;
        let by_count = p.max_count - self.count(profile);
        let by_compute = self.free_compute_slices() / p.compute_slices.max(1);
        let by_ofa = match p.ofa_units() {
            0 => u8::MAX,
            units => (self.model().ofa_units() - self.ofa_used) / units,
        };
        free_places.min(by_count).min(by_compute).min(by_ofa)
    }

    /// One character per memory slice: `.` free, `#` taken. For logs and tests.
    pub fn slice_map(&self) -> String {
        (0..self.model().memory_slices)
            .map(|i| if self.mask & (1 << i) != 0 { '#' } else { '.' })
            .collect()
    }
}

/// Every maximal layout of `model` built from `profiles`: sets of instances to which no further
/// instance of those profiles can be added. Each layout is sorted by start; the list is sorted.
pub fn maximal_layouts(model: ModelId, profiles: &[ProfileIdx]) -> Vec<Vec<Instance>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let candidates: Vec<Instance> = profiles
        .iter()
        .flat_map(|&profile| {
            GpuModel::get(model)
                .profile(profile)
                .placements
                .iter()
                .map(move |pl| Instance {
                    profile,
                    start: pl.start,
                })
        })
        .collect();
    extend_layouts(
        Occupancy::empty(model),
        &candidates,
        0,
        &mut current,
        &mut out,
    );
    for layout in &mut out {
        layout.sort_by_key(|i| (i.start, i.profile));
    }
    out.sort();
    out
}

/// Depth-first over candidates in a fixed order, each chosen set visited once.
fn extend_layouts(
    occ: Occupancy,
    candidates: &[Instance],
    from: usize,
    current: &mut Vec<Instance>,
    out: &mut Vec<Vec<Instance>>,
) {
    if !candidates.iter().any(|c| occ.fits(c.profile, c.start)) {
        out.push(current.clone());
        return;
    }
    for (i, c) in candidates.iter().enumerate().skip(from) {
        let mut next = occ;
        if next.add(c.profile, c.start).is_ok() {
            current.push(*c);
            extend_layouts(next, candidates, i + 1, current, out);
            current.pop();
        }
    }
}

#[cfg(test)]
mod tests;
