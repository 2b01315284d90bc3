//! slicebroker's placement planner: given the fleet's occupancy and a request, choose the GPU
//! and placement for a new MIG slice, or say why none fits.
//!
//! Pure and deterministic: no I/O, no clock, no randomness; the same fleet and request always
//! give the same answer. The server keeps one [`Fleet`] as its in-memory occupancy index and
//! relies on the database's exclusion constraint for correctness; the replay tool drives the
//! same code over traces.

mod calendar;
mod fleet;
mod nofit;
mod plan;
mod rank;
mod score;
mod window;

pub use fleet::{AddSliceError, Fleet, GpuKey, GpuView, HostKey, SliceKey};
pub use nofit::NoFit;
pub use plan::{Decision, PlacementRequest};
pub use score::fragmentation;

use std::fmt;
use std::str::FromStr;

/// How the planner chooses among the places a slice fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    /// The lowest-numbered GPU with room, at its lowest free placement.
    FirstFit,
    /// The GPU left with the fewest free compute (then memory) slices, at its lowest placement.
    BestFit,
    /// Time and fragmentation aware: a place in a half of the GPU that stays taken at least as
    /// long as the slice runs, then a GPU in use before an idle one, then the GPU model with
    /// fewer compute slices (where a request accepts several), then the placement that least reduces the GPU's ability to take
    /// each profile size (sizes about to run out weigh double), then the fuller GPU, then time
    /// (the tightest such half, or the GPU whose work ends soonest), then the lower GPU key.
    Default,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::FirstFit, Policy::BestFit, Policy::Default];

    pub const fn name(self) -> &'static str {
        match self {
            Policy::FirstFit => "first-fit",
            Policy::BestFit => "best-fit",
            Policy::Default => "default",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A policy name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown policy `{0}`; valid policies: first-fit, best-fit, default")]
pub struct UnknownPolicy(pub String);

impl FromStr for Policy {
    type Err = UnknownPolicy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Policy::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPolicy(s.to_owned()))
    }
}

#[cfg(test)]
mod tests;
