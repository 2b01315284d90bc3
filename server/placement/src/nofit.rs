//! Why no placement was found, precise enough to tell a user what to do about it.

use crate::fleet::Fleet;
use crate::plan::PlacementRequest;
use slicebroker_types::{GpuModel, Occupancy, Profile, ProfileIdx};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoFit {
    /// The request's profiles exist only on GPU models the fleet (or the named hosts) lacks.
    NoSuchModel { requested: Vec<String> },
    /// The fleet has matching GPUs, but every one is cordoned or unreachable.
    AllCordoned { gpus: u32 },
    /// Some GPUs have enough free memory and compute slices, but not where the profile may
    /// start (or its media engines are taken): the free space is fragmented.
    Fragmented { gpus: u32 },
    /// Some GPUs have a place for the profile now, but not for the whole window asked for:
    /// a booking (or, for a booking, what runs or is booked then) needs it before it ends.
    TakenInTime { gpus: u32 },
    /// Every matching GPU is full.
    Exhausted,
}

impl fmt::Display for NoFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoFit::NoSuchModel { requested } => {
                write!(f, "no GPU in the fleet can hold {}", requested.join(" or "))
            }
            NoFit::AllCordoned { gpus } => {
                write!(f, "all {gpus} matching GPUs are cordoned or unavailable")
            }
            NoFit::Fragmented { gpus } => write!(
                f,
                "{gpus} GPUs have enough free slices but no legal placement for this profile"
            ),
            NoFit::TakenInTime { gpus } => write!(
                f,
                "{gpus} GPUs have a place free now, but not for the whole window: a booking, or a lease running into the window, holds it"
            ),
            NoFit::Exhausted => f.write_str("every matching GPU is full"),
        }
    }
}

impl std::error::Error for NoFit {}

impl NoFit {
    pub(crate) fn diagnose(fleet: &Fleet, req: &PlacementRequest) -> Self {
        let requested = || req.shapes.iter().map(ToString::to_string).collect();
        let matching: Vec<_> = fleet
            .gpus
            .iter()
            .filter(|g| {
                req.hosts
                    .as_ref()
                    .is_none_or(|hosts| hosts.contains(&g.host))
            })
            .filter(|g| req.shapes.iter().any(|s| s.model == g.occ.model_id()))
            .collect();
        if matching.is_empty() {
            return NoFit::NoSuchModel {
                requested: requested(),
            };
        }
        if matching.iter().all(|g| !g.schedulable) {
            return NoFit::AllCordoned {
                gpus: matching.len() as u32,
            };
        }
        // How many schedulable matching GPUs hold some requested profile by `test`.
        let count = |test: &dyn Fn(&Occupancy, ProfileIdx, &Profile) -> bool| {
            matching
                .iter()
                .filter(|g| g.schedulable)
                .filter(|g| {
                    req.shapes.iter().any(|s| {
                        s.model == g.occ.model_id()
                            && test(&g.occ, s.profile, GpuModel::get(s.model).profile(s.profile))
                    })
                })
                .count() as u32
        };
        let placeable_now =
            count(&|occ, profile, p| p.placements.iter().any(|pl| occ.fits(profile, pl.start)));
        if placeable_now > 0 {
            return NoFit::TakenInTime {
                gpus: placeable_now,
            };
        }
        let fragmented = count(&|occ, _, p| {
            occ.free_memory_slices() >= p.memory_slices
                && occ.free_compute_slices() >= p.compute_slices
        });
        if fragmented > 0 {
            NoFit::Fragmented { gpus: fragmented }
        } else {
            NoFit::Exhausted
        }
    }
}
