//! The agent protocol's wire types (DESIGN.md §7): what an agent sees on its host (GPUs, the
//! profile table each reports, instances, processes) and the three exchanges with the server:
//! register, desired config by generation, observed state. Shared by the agent, the server and
//! the tests so both ends agree by construction.

pub use crate::health::{EccCounts, FATAL_XIDS, GpuHealth, ThrottleReason, XidEvent};
use crate::{GpuModel, NvmlProfileIndex, Placement};
use serde::{Deserialize, Serialize};

/// MIG mode as NVML reports it: what is active and what the next activation will make active.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigMode {
    pub current: bool,
    pub pending: bool,
}

/// One GPU-instance profile as the GPU itself reports it (`nvmlDeviceGetGpuInstanceProfileInfo`
/// plus `nvmlDeviceGetGpuInstancePossiblePlacements_v2`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedProfile {
    /// The `NVML_GPU_INSTANCE_PROFILE_*` index it was queried with.
    pub index: NvmlProfileIndex,
    /// `info.id`: device-specific, what create and placement calls take.
    pub id: u32,
    /// Catalog name where the model is known, otherwise built by go-nvlib's naming rule.
    pub name: String,
    pub compute_slices: u8,
    /// Memory slices one instance occupies (the placements' size).
    pub memory_slices: u8,
    pub memory_mib: u64,
    pub max_count: u8,
    pub placements: Vec<Placement>,
}

/// One physical GPU.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuInfo {
    pub index: u32,
    pub uuid: String,
    /// `nvmlDeviceGetName`, e.g. `NVIDIA H100 80GB HBM3`.
    pub name: String,
    /// `device << 16 | vendor`, as NVML's `pciDeviceId` reports it.
    pub pci_device_id: u32,
    /// Catalog key if the catalog knows this board.
    pub model: Option<String>,
    pub memory_total_mib: u64,
    /// `None` on GPUs without MIG support.
    pub mig_mode: Option<MigMode>,
    /// Empty while MIG is off or unsupported.
    pub profiles: Vec<ReportedProfile>,
}

impl GpuInfo {
    pub fn mig_enabled(&self) -> bool {
        self.mig_mode.is_some_and(|m| m.current)
    }

    pub fn profile_by_index(&self, index: NvmlProfileIndex) -> Option<&ReportedProfile> {
        self.profiles.iter().find(|p| p.index == index)
    }

    pub fn profile_by_id(&self, id: u32) -> Option<&ReportedProfile> {
        self.profiles.iter().find(|p| p.id == id)
    }
}

/// A compute process on a MIG device.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuProcess {
    pub pid: u32,
    /// Real uid of the process, where the host lets us read it.
    pub uid: Option<u32>,
    pub command: Option<String>,
    pub memory_mib: Option<u64>,
}

/// A compute instance inside a GPU instance; its MIG device is what `CUDA_VISIBLE_DEVICES` names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeInstance {
    pub id: u32,
    /// `NVML_COMPUTE_INSTANCE_PROFILE_*` id.
    pub profile_id: u32,
    pub mig_uuid: String,
}

/// One GPU instance with everything observed about it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuInstance {
    pub id: u32,
    pub profile_id: u32,
    /// The profile's index constant, when the GPU's table lists the profile id.
    pub profile_index: Option<NvmlProfileIndex>,
    pub placement: Placement,
    pub compute_instances: Vec<ComputeInstance>,
    pub memory_used_mib: Option<u64>,
    pub memory_total_mib: Option<u64>,
    pub processes: Vec<GpuProcess>,
    /// Fraction of time SMs were busy over the last sample (GPM, Hopper and later); `None`
    /// where the GPU does not measure it.
    pub activity: Option<f64>,
}

impl GpuInstance {
    pub fn mig_uuid(&self) -> Option<&str> {
        self.compute_instances.first().map(|c| c.mig_uuid.as_str())
    }
}

/// One way a GPU's own profile table differs from the catalog. The host's table wins; the
/// server logs these as warnings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDifference {
    pub profile: String,
    pub field: String,
    pub catalog: String,
    pub reported: String,
}

/// Memory sizes drift between drivers by a few percent; only larger gaps are reported.
const MEMORY_TOLERANCE_PERCENT: u64 = 5;

/// Compares a reported table with the catalog entry for the model, field by field.
pub fn catalog_differences(
    model: &GpuModel,
    reported: &[ReportedProfile],
) -> Vec<CatalogDifference> {
    let mut out = Vec::new();
    let mut diff = |profile: &str, field: &str, catalog: String, reported: String| {
        if catalog != reported {
            out.push(CatalogDifference {
                profile: profile.to_owned(),
                field: field.to_owned(),
                catalog,
                reported,
            });
        }
    };
    for c in model.profiles {
        let Some(r) = reported.iter().find(|r| r.index == c.nvml_index) else {
            diff(c.name, "present", "yes".into(), "no".into());
            continue;
        };
        diff(c.name, "id", c.nvml_id.to_string(), r.id.to_string());
        diff(
            c.name,
            "compute_slices",
            c.compute_slices.to_string(),
            r.compute_slices.to_string(),
        );
        diff(
            c.name,
            "memory_slices",
            c.memory_slices.to_string(),
            r.memory_slices.to_string(),
        );
        diff(
            c.name,
            "max_count",
            c.max_count.to_string(),
            r.max_count.to_string(),
        );
        diff(
            c.name,
            "placements",
            starts(c.placements),
            starts(&r.placements),
        );
        if let Some(mib) = c.memory_mib.map(u64::from)
            && mib.abs_diff(r.memory_mib) * 100 > mib * MEMORY_TOLERANCE_PERCENT
        {
            diff(
                c.name,
                "memory_mib",
                mib.to_string(),
                r.memory_mib.to_string(),
            );
        }
    }
    for r in reported {
        if !model.profiles.iter().any(|c| c.nvml_index == r.index) {
            diff(&r.name, "present", "no".into(), "yes".into());
        }
    }
    out
}

fn starts(placements: &[Placement]) -> String {
    let list: Vec<String> = placements.iter().map(|p| p.start.to_string()).collect();
    format!(
        "{{{}}}:{}",
        list.join(","),
        placements.first().map_or(0, |p| p.size)
    )
}

/// The lease a slice serves (opaque to the agent, which only carries it back).
pub use crate::ids::LeaseId;

impl CatalogDifference {
    /// Whether the difference changes what fits where (placements, counts, slice sizes, a
    /// profile present on one side only), as opposed to ids and memory sizes, which the agent
    /// takes from the GPU's own table anyway.
    pub fn is_geometric(&self) -> bool {
        !matches!(self.field.as_str(), "id" | "memory_mib")
    }
}

/// `POST /v1/agent/register`: what the host has. A new agent sends a one-time enrollment token;
/// an enrolled one authenticates with its credential instead and leaves the token out.
/// Registering again is harmless: it refreshes the host's facts and GPUs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentRegister {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_token: Option<String>,
    pub hostname: String,
    pub agent_version: String,
    pub driver_version: Option<String>,
    /// Every GPU with the profile table it reports. The server compares each table with the
    /// catalog itself; where they differ the GPU's table wins.
    pub gpus: Vec<GpuInfo>,
}

/// The server's answer to a registration: who the host is and, after an enrollment token, the
/// host-scoped credential to keep (shown once; absent when the agent already holds one).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRegistration {
    pub host_id: String,
    pub host_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The host's current desired generation.
    pub desired_generation: u64,
}

/// `GET /v1/agent/desired?after=<generation>&wait=<seconds>`: the slices each GPU should have.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredConfig {
    /// Bumped by the server with every change; the agent never applies an older one.
    pub generation: u64,
    pub gpus: Vec<DesiredGpu>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredGpu {
    pub gpu_uuid: String,
    pub slices: Vec<DesiredSlice>,
}

/// One slice the server wants: a profile (by its NVML index constant, which unlike the profile
/// id is the same on every board) at a placement, for a lease.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSlice {
    pub lease_id: LeaseId,
    pub profile: NvmlProfileIndex,
    /// For logs and errors, e.g. `3g.40gb`.
    pub profile_name: String,
    pub placement: Placement,
}

/// `POST /v1/agent/observed`: what the agent saw after applying a generation. Also the heartbeat.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedReport {
    pub applied_generation: u64,
    pub gpus: Vec<ObservedGpuReport>,
    pub errors: Vec<ReportedError>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedGpuReport {
    pub gpu_uuid: String,
    pub mig_enabled: bool,
    pub instances: Vec<ObservedSlice>,
    /// Temperature, power, ECC, throttle reasons and XIDs; absent from agents that predate it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<GpuHealth>,
}

/// An instance on the GPU: whose it is (a lease, or unmanaged) and what runs on it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedSlice {
    /// `None` for instances the agent did not create: never destroyed, their slices are taken.
    pub lease_id: Option<LeaseId>,
    pub instance: GpuInstance,
}

/// Something the agent could not do, with the lease it concerns where there is one.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportedError {
    pub gpu_uuid: String,
    pub lease_id: Option<LeaseId>,
    pub op: SliceOp,
    pub reason: String,
}

/// What the agent was doing when an error happened. A failed `create` fails the lease; a failed
/// `destroy` is retried by the agent and recorded on the lease.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SliceOp {
    Create,
    Destroy,
}

/// The server's answer to an observed report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAck {
    /// False when the report applied an older generation than one already accepted: it was
    /// ignored (apart from counting as a heartbeat).
    pub accepted: bool,
    /// The host's current desired generation; newer than the applied one means more to do.
    pub desired_generation: u64,
}

/// The table a catalog model would report: what the simulator's GPUs report.
pub fn catalog_table(model: &GpuModel) -> Vec<ReportedProfile> {
    model
        .profiles
        .iter()
        .map(|p| ReportedProfile {
            index: p.nvml_index,
            id: p.nvml_id,
            name: p.name.to_owned(),
            compute_slices: p.compute_slices,
            memory_slices: p.memory_slices,
            memory_mib: catalog_memory_mib(model, p),
            max_count: p.max_count,
            placements: p.placements.to_vec(),
        })
        .collect()
}

/// A catalog profile's memory; where the reference recorded none, its share of the full profile.
pub fn catalog_memory_mib(model: &GpuModel, profile: &crate::Profile) -> u64 {
    if let Some(mib) = profile.memory_mib {
        return u64::from(mib);
    }
    let full = model
        .full_profile()
        .and_then(|f| model.profile(f).memory_mib)
        .map_or(0, u64::from);
    full * u64::from(profile.memory_slices) / u64::from(model.memory_slices.max(1))
}
