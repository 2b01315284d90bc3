//! Pure conversions for the NVML backend: raw profile info and placements into
//! [`ReportedProfile`], names for profiles, the compute-instance profile that spans a GPU
//! instance, and how a GPU's reported table differs from the catalog. No `unsafe`, no NVML
//! calls, so all of it is tested on machines without a GPU.

use crate::model::ReportedProfile;
use slicebroker_types::{GpuModel, MediaKind, NvmlProfileIndex, Placement};

/// The fields of `nvmlGpuInstanceProfileInfo_t` the agent uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawProfileInfo {
    pub id: u32,
    pub slice_count: u32,
    pub instance_count: u32,
    pub memory_size_mb: u64,
}

/// Why NVML's answer for one profile cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("profile {index} (id {id}) reports no placements")]
    NoPlacements { index: &'static str, id: u32 },
    #[error("profile {index} (id {id}) reports placements of different sizes: {sizes:?}")]
    MixedSizes {
        index: &'static str,
        id: u32,
        sizes: Vec<u32>,
    },
    #[error("profile {index} (id {id}) reports an out-of-range value: {detail}")]
    OutOfRange {
        index: &'static str,
        id: u32,
        detail: String,
    },
}

/// Turns one profile's raw NVML answers into the agent's model.
pub fn reported_profile(
    model: Option<&GpuModel>,
    index: NvmlProfileIndex,
    info: RawProfileInfo,
    raw_placements: &[(u32, u32)],
) -> Result<ReportedProfile, TableError> {
    let name = index.const_name();
    let out_of_range = |detail: String| TableError::OutOfRange {
        index: name,
        id: info.id,
        detail,
    };
    let Some(&(_, size)) = raw_placements.first() else {
        return Err(TableError::NoPlacements {
            index: name,
            id: info.id,
        });
    };
    if raw_placements.iter().any(|&(_, s)| s != size) {
        return Err(TableError::MixedSizes {
            index: name,
            id: info.id,
            sizes: raw_placements.iter().map(|&(_, s)| s).collect(),
        });
    }
    let mut placements = Vec::with_capacity(raw_placements.len());
    for &(start, size) in raw_placements {
        // The catalog's occupancy masks are 16 bits wide.
        if start + size > 16 {
            return Err(out_of_range(format!("placement {start}:{size}")));
        }
        placements.push(Placement {
            start: start as u8,
            size: size as u8,
        });
    }
    let compute_slices = u8::try_from(info.slice_count)
        .map_err(|_| out_of_range(format!("slice count {}", info.slice_count)))?;
    let max_count = u8::try_from(info.instance_count)
        .map_err(|_| out_of_range(format!("instance count {}", info.instance_count)))?;
    Ok(ReportedProfile {
        index,
        id: info.id,
        name: profile_name(model, index, compute_slices, info.memory_size_mb),
        compute_slices,
        memory_slices: size as u8,
        memory_mib: info.memory_size_mb,
        max_count,
        placements,
    })
}

/// The profile's `nvidia-smi` name: the catalog's where the model has this profile index,
/// otherwise go-nvlib's rule `<slices>g.<GB>gb<suffix>` with the memory rounded up (driver
/// names can differ by a GB from this; only unknown boards get it).
pub fn profile_name(
    model: Option<&GpuModel>,
    index: NvmlProfileIndex,
    compute_slices: u8,
    memory_mib: u64,
) -> String {
    if let Some(p) = model.and_then(|m| m.profiles.iter().find(|p| p.nvml_index == index)) {
        return p.name.to_owned();
    }
    let suffix = match index.media() {
        MediaKind::Standard => "",
        MediaKind::Extended => "+me",
        MediaKind::All => "+me.all",
        MediaKind::NoMedia => "-me",
        MediaKind::Graphics => "+gfx",
    };
    format!("{compute_slices}g.{}gb{suffix}", memory_mib.div_ceil(1024))
}

/// The `NVML_COMPUTE_INSTANCE_PROFILE_*` index of a compute instance that spans a GPU instance
/// with `compute_slices` slices (the `-C` default of `nvidia-smi mig -cgi`).
pub fn full_compute_instance_profile(compute_slices: u32) -> Option<u32> {
    use nvml_wrapper_sys::bindings as sys;
    Some(match compute_slices {
        1 => sys::NVML_COMPUTE_INSTANCE_PROFILE_1_SLICE,
        2 => sys::NVML_COMPUTE_INSTANCE_PROFILE_2_SLICE,
        3 => sys::NVML_COMPUTE_INSTANCE_PROFILE_3_SLICE,
        4 => sys::NVML_COMPUTE_INSTANCE_PROFILE_4_SLICE,
        6 => sys::NVML_COMPUTE_INSTANCE_PROFILE_6_SLICE,
        7 => sys::NVML_COMPUTE_INSTANCE_PROFILE_7_SLICE,
        8 => sys::NVML_COMPUTE_INSTANCE_PROFILE_8_SLICE,
        _ => return None,
    })
}

pub use slicebroker_types::agent::{CatalogDifference, catalog_differences};

pub use slicebroker_types::agent::{catalog_memory_mib, catalog_table};

#[cfg(test)]
#[path = "nvml_table_tests.rs"]
mod tests;
