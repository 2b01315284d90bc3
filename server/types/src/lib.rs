//! slicebroker's shared vocabulary: the MIG catalog (GPU models and their GPU-instance profiles),
//! the geometry of one GPU (what fits where), and how a request names a slice.
//!
//! Data and pure functions only: no async, no I/O, no HTTP, no database.

pub mod catalog;
pub mod geometry;
pub mod request;

pub use catalog::{
    Engines, GpuModel, MAX_PROFILES, MediaKind, ModelId, NvmlProfileIndex, Placement, Profile,
    ProfileIdx,
};
pub use geometry::{Instance, Occupancy, PlaceError};
pub use request::{ProfileRequest, RequestError, SliceShape};
