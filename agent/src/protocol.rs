//! The agent protocol's wire types (DESIGN.md §7): register, desired config by generation,
//! observed state. They belong in `slicebroker-types` once the server side lands; they live
//! here until then so the agent can be built and tested against them.

use crate::backend::CatalogDifference;
use crate::model::{GpuInfo, GpuInstance};
use serde::{Deserialize, Serialize};
use slicebroker_types::{NvmlProfileIndex, Placement};
use std::fmt;

/// The lease a slice serves; opaque to the agent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeaseId(pub String);

impl fmt::Display for LeaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `POST /v1/agent/register`: enrollment token and what the host has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentRegister {
    pub enrollment_token: String,
    pub hostname: String,
    pub agent_version: String,
    pub driver_version: Option<String>,
    pub gpus: Vec<RegisteredGpu>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisteredGpu {
    pub gpu: GpuInfo,
    /// How the GPU's own profile table differs from the catalog; the host's table wins.
    pub catalog_differences: Vec<CatalogDifference>,
}

/// The server's answer to a registration: who the host is and its credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRegistration {
    pub host_id: String,
    pub credential: String,
}

/// `GET /v1/agent/desired?after=<generation>`: the slices each GPU should have.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredConfig {
    /// Bumped by the server with every change; the agent never applies an older one.
    pub generation: u64,
    pub gpus: Vec<DesiredGpu>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredGpu {
    pub gpu_uuid: String,
    pub slices: Vec<DesiredSlice>,
}

/// One slice the server wants: a profile (by its NVML index constant, which unlike the profile
/// id is the same on every board) at a placement, for a lease.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSlice {
    pub lease_id: LeaseId,
    pub profile: NvmlProfileIndex,
    /// For logs and errors, e.g. `3g.40gb`.
    pub profile_name: String,
    pub placement: Placement,
}

/// `POST /v1/agent/observed`: what the agent saw after applying a generation. Also the heartbeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedReport {
    pub applied_generation: u64,
    pub gpus: Vec<ObservedGpuReport>,
    pub errors: Vec<ReportedError>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedGpuReport {
    pub gpu_uuid: String,
    pub mig_enabled: bool,
    pub instances: Vec<ObservedSlice>,
}

/// An instance on the GPU: whose it is (a lease, or unmanaged) and what runs on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedSlice {
    /// `None` for instances the agent did not create: never destroyed, their slices are taken.
    pub lease_id: Option<LeaseId>,
    pub instance: GpuInstance,
}

/// Something the agent could not do, with the lease it concerns where there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedError {
    pub gpu_uuid: String,
    pub lease_id: Option<LeaseId>,
    pub reason: String,
}
