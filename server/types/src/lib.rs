//! slicebroker's shared vocabulary: the MIG catalog (GPU models and their GPU-instance profiles),
//! the geometry of one GPU (what fits where), how a request names a slice, durations as users
//! write them, and the wire types of the agent protocol and of the public API.
//!
//! Data and pure functions only: no async, no I/O, no HTTP, no database.

pub mod agent;
pub mod api;
pub mod catalog;
pub mod duration;
pub mod geometry;
pub mod health;
pub mod ids;
pub mod limits;
pub mod request;
pub mod secret;

pub use catalog::{
    Engines, GpuModel, MAX_PROFILES, MediaKind, ModelId, NvmlProfileIndex, Placement, Profile,
    ProfileIdx,
};
pub use geometry::{Instance, Occupancy, PlaceError};
pub use ids::{ApiKeyId, DeliveryId, GpuId, HostId, LeaseId, SliceId, TenantId, WebhookId};
pub use request::{ProfileRequest, RequestError, SliceShape};
pub use secret::Secret;
