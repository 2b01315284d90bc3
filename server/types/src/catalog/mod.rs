//! The catalog of MIG-capable GPU models and their GPU-instance profiles.
//!
//! Faithful to `shared/reference/mig-profiles.json` (vendored as `data/mig-profiles.json`; the
//! Rust tables in `data.rs` are generated from it and a test checks every field). Placements are
//! in NVML memory-slice units; grids are 4, 8 or 12 slices wide, so nothing here assumes 8.

mod data;
mod names;

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most profiles any catalog model has (RTX PRO 6000 has 11); bounds per-profile counters.
pub const MAX_PROFILES: usize = 16;

/// A placement of a GPU instance: `size` memory slices starting at `start`
/// (`nvmlGpuInstancePlacement_t`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    pub start: u8,
    pub size: u8,
}

impl Placement {
    /// The memory slices this placement covers, as a bit mask (bit i = memory slice i).
    pub const fn mask(self) -> u16 {
        (((1u32 << self.size) - 1) << self.start) as u16
    }

    pub const fn end(self) -> u8 {
        self.start + self.size
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.start, self.size)
    }
}

/// The `NVML_GPU_INSTANCE_PROFILE_*` index constant passed to
/// `nvmlDeviceGetGpuInstanceProfileInfo`. Not the profile *id* the driver returns in `info.id`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NvmlProfileIndex {
    Slice1,
    Slice2,
    Slice3,
    Slice4,
    Slice7,
    Slice8,
    Slice6,
    Slice1Rev1,
    Slice2Rev1,
    Slice1Rev2,
    Slice1Gfx,
    Slice2Gfx,
    Slice4Gfx,
    Slice1NoMe,
    Slice2NoMe,
    Slice1AllMe,
    Slice2AllMe,
    Slice3Gfx,
}

impl NvmlProfileIndex {
    pub const ALL: [NvmlProfileIndex; 18] = [
        Self::Slice1,
        Self::Slice2,
        Self::Slice3,
        Self::Slice4,
        Self::Slice7,
        Self::Slice8,
        Self::Slice6,
        Self::Slice1Rev1,
        Self::Slice2Rev1,
        Self::Slice1Rev2,
        Self::Slice1Gfx,
        Self::Slice2Gfx,
        Self::Slice4Gfx,
        Self::Slice1NoMe,
        Self::Slice2NoMe,
        Self::Slice1AllMe,
        Self::Slice2AllMe,
        Self::Slice3Gfx,
    ];

    /// The constant's numeric value in `nvml.h` (API v13).
    pub const fn value(self) -> u32 {
        self as u32
    }

    pub fn from_value(value: u32) -> Option<Self> {
        Self::ALL.get(value as usize).copied()
    }

    /// The constant's name in `nvml.h`.
    pub const fn const_name(self) -> &'static str {
        match self {
            Self::Slice1 => "NVML_GPU_INSTANCE_PROFILE_1_SLICE",
            Self::Slice2 => "NVML_GPU_INSTANCE_PROFILE_2_SLICE",
            Self::Slice3 => "NVML_GPU_INSTANCE_PROFILE_3_SLICE",
            Self::Slice4 => "NVML_GPU_INSTANCE_PROFILE_4_SLICE",
            Self::Slice7 => "NVML_GPU_INSTANCE_PROFILE_7_SLICE",
            Self::Slice8 => "NVML_GPU_INSTANCE_PROFILE_8_SLICE",
            Self::Slice6 => "NVML_GPU_INSTANCE_PROFILE_6_SLICE",
            Self::Slice1Rev1 => "NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV1",
            Self::Slice2Rev1 => "NVML_GPU_INSTANCE_PROFILE_2_SLICE_REV1",
            Self::Slice1Rev2 => "NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV2",
            Self::Slice1Gfx => "NVML_GPU_INSTANCE_PROFILE_1_SLICE_GFX",
            Self::Slice2Gfx => "NVML_GPU_INSTANCE_PROFILE_2_SLICE_GFX",
            Self::Slice4Gfx => "NVML_GPU_INSTANCE_PROFILE_4_SLICE_GFX",
            Self::Slice1NoMe => "NVML_GPU_INSTANCE_PROFILE_1_SLICE_NO_ME",
            Self::Slice2NoMe => "NVML_GPU_INSTANCE_PROFILE_2_SLICE_NO_ME",
            Self::Slice1AllMe => "NVML_GPU_INSTANCE_PROFILE_1_SLICE_ALL_ME",
            Self::Slice2AllMe => "NVML_GPU_INSTANCE_PROFILE_2_SLICE_ALL_ME",
            Self::Slice3Gfx => "NVML_GPU_INSTANCE_PROFILE_3_SLICE_GFX",
        }
    }

    /// What the profile does with the GPU's media engines (go-nvlib naming rules).
    pub const fn media(self) -> MediaKind {
        match self {
            Self::Slice1Rev1 | Self::Slice2Rev1 => MediaKind::Extended,
            Self::Slice1AllMe | Self::Slice2AllMe => MediaKind::All,
            Self::Slice1NoMe | Self::Slice2NoMe => MediaKind::NoMedia,
            Self::Slice1Gfx | Self::Slice2Gfx | Self::Slice3Gfx | Self::Slice4Gfx => {
                MediaKind::Graphics
            }
            _ => MediaKind::Standard,
        }
    }
}

/// How a profile uses the GPU's media engines (NVDEC, NVENC, JPEG, OFA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// Its share of the engines (no suffix; also the REV2 double-memory 1g).
    Standard,
    /// `+me`: also takes the GPU's single OFA (and JPEG) unit.
    Extended,
    /// `+me.all`: takes every media engine; only `-me` profiles may sit beside it.
    All,
    /// `-me`: no media engines at all.
    NoMedia,
    /// `+gfx`: graphics-capable.
    Graphics,
}

/// Engine counts as `nvidia-smi mig -lgip` prints them; `None` where the reference has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engines {
    pub sm_count: Option<u16>,
    pub copy_engines: Option<u8>,
    pub decoders: Option<u8>,
    pub encoders: Option<u8>,
    pub jpeg: Option<u8>,
    pub ofa: Option<u8>,
}

/// One GPU-instance profile of one GPU model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    /// `nvidia-smi` name, e.g. `2g.20gb`, `1g.10gb+me`.
    pub name: &'static str,
    pub nvml_index: NvmlProfileIndex,
    /// `info.id`: what `nvmlDeviceCreateGpuInstanceWithPlacement` takes. Device-specific.
    pub nvml_id: u32,
    pub compute_slices: u8,
    pub memory_slices: u8,
    /// `memorySizeMB` as the reference recorded it; drifts between drivers, `None` if unseen.
    pub memory_mib: Option<u32>,
    /// Most instances of this profile one GPU can hold.
    pub max_count: u8,
    /// Where an instance may start, in NVML's order.
    pub placements: &'static [Placement],
    pub engines: Engines,
}

impl Profile {
    pub const fn media(&self) -> MediaKind {
        self.nvml_index.media()
    }

    /// The memory figure in the profile's name (`20` for `2g.20gb`): what users ask for.
    pub fn nominal_memory_gib(&self) -> u32 {
        let after_dot = self.name.split_once('.').map_or("", |(_, rest)| rest);
        let digits: String = after_dot.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap_or(0)
    }

    /// The compute size as users say it: `1g`, `2g`, … (the part of the name before the dot).
    pub fn size_label(&self) -> &'static str {
        self.name
            .split_once('.')
            .map_or(self.name, |(size, _)| size)
    }

    /// The plain profile of its size: no media-engine or graphics variant.
    pub const fn is_standard(&self) -> bool {
        matches!(self.media(), MediaKind::Standard)
    }

    pub const fn ofa_units(&self) -> u8 {
        match self.engines.ofa {
            Some(n) => n,
            None => 0,
        }
    }
}

/// Index of a model in the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub u8);

/// Index of a profile within its model's profile table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileIdx(pub u8);

/// A MIG-capable GPU model and its GPU-instance profile table.
#[derive(Debug, PartialEq, Eq)]
pub struct GpuModel {
    /// Stable catalog key used on the wire and on the command line, e.g. `h100-80gb`.
    pub key: &'static str,
    /// The entry's name in the reference catalog, e.g. `H100-SXM5-80GB`.
    pub reference_name: &'static str,
    /// Other accepted spellings of the key.
    pub aliases: &'static [&'static str],
    /// PCI `device << 16 | vendor`, as NVML's `pciDeviceId` reports it.
    pub pci_device_ids: &'static [u32],
    /// Width of the placement grid.
    pub memory_slices: u8,
    pub compute_slices: u8,
    pub profiles: &'static [Profile],
}

impl GpuModel {
    pub fn all() -> &'static [GpuModel] {
        data::MODELS
    }

    pub fn get(id: ModelId) -> &'static GpuModel {
        &data::MODELS[id.0 as usize]
    }

    pub fn id(&self) -> ModelId {
        let index = data::MODELS
            .iter()
            .position(|m| std::ptr::eq(m, self))
            .expect("catalog models are only borrowed from the catalog");
        ModelId(index as u8)
    }

    /// Looks a model up by key, reference name or alias, ignoring case.
    pub fn find(name: &str) -> Option<ModelId> {
        let name = name.trim();
        data::MODELS
            .iter()
            .position(|m| {
                m.key.eq_ignore_ascii_case(name)
                    || m.reference_name.eq_ignore_ascii_case(name)
                    || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
            })
            .map(|i| ModelId(i as u8))
    }

    /// Like [`GpuModel::find`], with an error that lists the valid keys.
    pub fn parse(name: &str) -> Result<ModelId, UnknownModel> {
        Self::find(name).ok_or_else(|| UnknownModel {
            given: name.trim().to_owned(),
        })
    }

    /// The catalog model NVML reports by PCI id (`nvmlPciInfo_t.pciDeviceId`).
    pub fn by_pci_device_id(pci_device_id: u32) -> Option<ModelId> {
        data::MODELS
            .iter()
            .position(|m| m.pci_device_ids.contains(&pci_device_id))
            .map(|i| ModelId(i as u8))
    }

    /// The catalog model for an NVML device name (`nvmlDeviceGetName`), e.g.
    /// `NVIDIA H100 80GB HBM3`. Prefer [`GpuModel::by_pci_device_id`]: names vary by driver.
    pub fn by_nvml_name(name: &str) -> Option<ModelId> {
        names::model_key_for_nvml_name(name).and_then(Self::find)
    }

    /// Identify a device from what NVML reports: PCI id first, product name as fallback.
    pub fn identify(pci_device_id: Option<u32>, nvml_name: &str) -> Option<ModelId> {
        pci_device_id
            .and_then(Self::by_pci_device_id)
            .or_else(|| Self::by_nvml_name(nvml_name))
    }

    pub fn profile(&self, idx: ProfileIdx) -> &'static Profile {
        &self.profiles[idx.0 as usize]
    }

    /// A profile by its `nvidia-smi` name, ignoring case.
    pub fn profile_by_name(&self, name: &str) -> Option<ProfileIdx> {
        self.profiles
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name.trim()))
            .map(|i| ProfileIdx(i as u8))
    }

    pub fn profile_by_nvml_id(&self, nvml_id: u32) -> Option<ProfileIdx> {
        self.profiles
            .iter()
            .position(|p| p.nvml_id == nvml_id)
            .map(|i| ProfileIdx(i as u8))
    }

    pub fn profile_indices(&self) -> impl Iterator<Item = ProfileIdx> + use<> {
        (0..self.profiles.len() as u8).map(ProfileIdx)
    }

    /// The plain profile with this many compute slices and the least memory (`1g` → `1g.10gb`
    /// on H100, not `1g.20gb`), the meaning of a bare size like `3g`.
    pub fn standard_profile_of_size(&self, compute_slices: u8) -> Option<ProfileIdx> {
        self.profile_indices()
            .filter(|&i| {
                let p = self.profile(i);
                p.is_standard() && p.compute_slices == compute_slices
            })
            .min_by_key(|&i| self.profile(i).memory_slices)
    }

    /// OFA units the whole GPU has: the most any one profile holds.
    pub fn ofa_units(&self) -> u8 {
        self.profiles
            .iter()
            .map(Profile::ofa_units)
            .max()
            .unwrap_or(0)
    }

    /// The profile that takes the whole GPU (`7g.80gb`, `4g.96gb`, …).
    pub fn full_profile(&self) -> Option<ProfileIdx> {
        self.profile_indices().find(|&i| {
            let p = self.profile(i);
            p.is_standard() && p.memory_slices == self.memory_slices
        })
    }

    /// Catalog keys, for error messages and `--help`.
    pub fn keys() -> Vec<&'static str> {
        data::MODELS.iter().map(|m| m.key).collect()
    }
}

impl fmt::Display for GpuModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)
    }
}

/// A GPU model name the catalog does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown GPU model `{given}`; valid models: {}", GpuModel::keys().join(", "))]
pub struct UnknownModel {
    pub given: String,
}

#[cfg(test)]
mod tests;
