//! The GPUs the stub can stand in for: MIG profiles read from the reference JSON at build time
//! (`server/types/data/mig-profiles.json`, a verbatim copy of `shared/reference/`), never from the
//! project's own catalog or geometry code, so a mistake there cannot hide a mistake here.
//!
//! The JSON lacks a few board facts NVML also reports (product name, total memory,
//! architecture); [`BOARDS`] holds them.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const REFERENCE: &str = include_str!("../../../server/types/data/mig-profiles.json");

/// Which NVML behaviours differ by generation: GPM (Hopper and later) and whether a MIG mode
/// change applies at once (Hopper and later) or waits for a GPU reset (Ampere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    Ampere,
    Hopper,
    Blackwell,
}

impl Arch {
    pub fn has_gpm(self) -> bool {
        self != Arch::Ampere
    }

    /// MIG mode changes take effect without a reset from Hopper on (MIG user guide).
    pub fn mig_change_needs_reset(self) -> bool {
        self == Arch::Ampere
    }
}

/// `(stub key, reference JSON key, nvmlDeviceGetName, total memory MiB, architecture)`. Total
/// memory is what `nvidia-smi` shows for the board on current drivers; only its being larger
/// than the full-GPU profile matters to the agent.
pub const BOARDS: &[(&str, &str, &str, u64, Arch)] = &[
    ("a30-24gb", "A30-24GB", "NVIDIA A30", 24_576, Arch::Ampere),
    (
        "a100-40gb",
        "A100-40GB (SXM4/PCIe)",
        "NVIDIA A100-SXM4-40GB",
        40_960,
        Arch::Ampere,
    ),
    (
        "a100-80gb",
        "A100-80GB (SXM4/PCIe)",
        "NVIDIA A100-SXM4-80GB",
        81_920,
        Arch::Ampere,
    ),
    (
        "h100-80gb",
        "H100-SXM5-80GB",
        "NVIDIA H100 80GB HBM3",
        81_559,
        Arch::Hopper,
    ),
    (
        "h100-pcie-80gb",
        "H100-PCIe-80GB",
        "NVIDIA H100 PCIe",
        81_559,
        Arch::Hopper,
    ),
    (
        "h100-nvl-94gb",
        "H100-NVL-94GB",
        "NVIDIA H100 NVL",
        95_830,
        Arch::Hopper,
    ),
    (
        "h100-96gb",
        "H100-96GB (GH200)",
        "NVIDIA GH200 480GB",
        97_871,
        Arch::Hopper,
    ),
    (
        "h200-141gb",
        "H200-141GB",
        "NVIDIA H200",
        143_771,
        Arch::Hopper,
    ),
    (
        "rtx-pro-6000-96gb",
        "RTX-PRO-6000-Blackwell-96GB",
        "NVIDIA RTX PRO 6000 Blackwell Server Edition",
        97_887,
        Arch::Blackwell,
    ),
];

/// One GPU-instance profile as `nvmlDeviceGetGpuInstanceProfileInfo` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The `NVML_GPU_INSTANCE_PROFILE_*` index it is asked for by.
    pub index: u32,
    /// `info.id`, what create and placement calls take.
    pub id: u32,
    /// The name without the `MIG ` prefix NVML puts before it, e.g. `1g.10gb`.
    pub name: String,
    pub compute_slices: u32,
    pub memory_slices: u32,
    pub memory_mib: u64,
    pub max_count: u32,
    /// Starts, in memory slices; every placement is `memory_slices` wide.
    pub starts: Vec<u32>,
    pub engines: Engines,
}

/// Multiprocessors and engines of a profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Engines {
    pub sm: u32,
    pub copy: u32,
    pub decoders: u32,
    pub encoders: u32,
    pub jpeg: u32,
    pub ofa: u32,
}

#[derive(Clone, Debug)]
pub struct Board {
    pub key: &'static str,
    pub name: &'static str,
    /// `device << 16 | vendor`, the first the reference lists.
    pub pci_device_id: u32,
    pub memory_total_mib: u64,
    pub arch: Arch,
    pub memory_slices: u32,
    pub compute_slices: u32,
    pub profiles: Vec<Profile>,
}

impl Board {
    /// Looks a board up by key (`h100-80gb`); boards are parsed once per process.
    pub fn get(key: &str) -> Option<&'static Board> {
        boards().get(key)
    }

    pub fn keys() -> impl Iterator<Item = &'static str> {
        BOARDS.iter().map(|b| b.0)
    }

    pub fn profile_by_index(&self, index: u32) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.index == index)
    }

    pub fn profile_by_id(&self, id: u32) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    /// The engines of the whole GPU: the most of each the full-size profiles carry. Engines
    /// are physical units split between instances, so no set of instances holds more.
    pub fn engines(&self) -> Engines {
        let full = self
            .profiles
            .iter()
            .filter(|p| p.compute_slices == self.compute_slices);
        full.fold(Engines::default(), |a, p| Engines {
            sm: a.sm.max(p.engines.sm),
            copy: a.copy.max(p.engines.copy),
            decoders: a.decoders.max(p.engines.decoders),
            encoders: a.encoders.max(p.engines.encoders),
            jpeg: a.jpeg.max(p.engines.jpeg),
            ofa: a.ofa.max(p.engines.ofa),
        })
    }

    /// The plain one-slice profile (`NVML_GPU_INSTANCE_PROFILE_1_SLICE`): its multiprocessors
    /// are one compute slice's worth.
    pub fn slice_sm(&self) -> u32 {
        self.profile_by_index(0).map_or(0, |p| p.engines.sm)
    }
}

fn boards() -> &'static BTreeMap<&'static str, Board> {
    static BOARDS_PARSED: OnceLock<BTreeMap<&'static str, Board>> = OnceLock::new();
    BOARDS_PARSED.get_or_init(|| {
        let reference: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(REFERENCE).expect("the reference JSON parses");
        BOARDS
            .iter()
            .map(|&(key, reference_key, name, memory_total_mib, arch)| {
                let value = reference
                    .get(reference_key)
                    .unwrap_or_else(|| panic!("the reference has no `{reference_key}`"));
                let model: RefModel = serde_json::from_value(value.clone())
                    .unwrap_or_else(|e| panic!("reference `{reference_key}`: {e}"));
                let board = model
                    .into_board(key, name, memory_total_mib, arch)
                    .unwrap_or_else(|e| panic!("reference `{reference_key}`: {e}"));
                (key, board)
            })
            .collect()
    })
}

#[derive(Deserialize)]
struct RefModel {
    pci_device_ids: Vec<String>,
    memory_slices: u32,
    compute_slices: u32,
    profiles: Vec<RefProfile>,
}

#[derive(Deserialize)]
struct RefProfile {
    name: String,
    nvml_profile_index: Option<RefIndex>,
    nvml_profile_id: Option<u32>,
    compute_slices: u32,
    memory_slices: Option<u32>,
    memory_mib: Option<u64>,
    max_count: u32,
    placements: Option<Vec<RefPlacement>>,
    sm_count: Option<u32>,
    copy_engines: Option<u32>,
    decoders: Option<u32>,
    encoders: Option<u32>,
    jpeg: Option<u32>,
    ofa: Option<u32>,
}

#[derive(Deserialize)]
struct RefIndex {
    value: u32,
}

#[derive(Deserialize)]
struct RefPlacement {
    start: u32,
    size: u32,
}

impl RefModel {
    fn into_board(
        self,
        key: &'static str,
        name: &'static str,
        memory_total_mib: u64,
        arch: Arch,
    ) -> Result<Board, String> {
        let pci = self.pci_device_ids.first().ok_or("no PCI device id")?;
        let hex = pci.split_whitespace().next().unwrap_or_default();
        let pci_device_id = u32::from_str_radix(hex.trim_start_matches("0x"), 16)
            .map_err(|e| format!("PCI device id {pci}: {e}"))?;
        let profiles = self
            .profiles
            .into_iter()
            .map(RefProfile::into_profile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Board {
            key,
            name,
            pci_device_id,
            memory_total_mib,
            arch,
            memory_slices: self.memory_slices,
            compute_slices: self.compute_slices,
            profiles,
        })
    }
}

impl RefProfile {
    fn into_profile(self) -> Result<Profile, String> {
        let missing = |field: &str| format!("profile {} has no {field}", self.name);
        let placements = self
            .placements
            .as_ref()
            .ok_or_else(|| missing("placements"))?;
        let memory_slices = self.memory_slices.ok_or_else(|| missing("memory_slices"))?;
        if placements.iter().any(|p| p.size != memory_slices) {
            return Err(format!("profile {} has mixed placement sizes", self.name));
        }
        Ok(Profile {
            index: self
                .nvml_profile_index
                .as_ref()
                .ok_or_else(|| missing("nvml_profile_index"))?
                .value,
            id: self
                .nvml_profile_id
                .ok_or_else(|| missing("nvml_profile_id"))?,
            compute_slices: self.compute_slices,
            memory_slices,
            memory_mib: self.memory_mib.ok_or_else(|| missing("memory_mib"))?,
            max_count: self.max_count,
            starts: placements.iter().map(|p| p.start).collect(),
            engines: Engines {
                sm: self.sm_count.ok_or_else(|| missing("sm_count"))?,
                copy: self.copy_engines.unwrap_or(0),
                decoders: self.decoders.unwrap_or(0),
                encoders: self.encoders.unwrap_or(0),
                jpeg: self.jpeg.unwrap_or(0),
                ofa: self.ofa.unwrap_or(0),
            },
            name: self.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_parses_from_the_reference() {
        for key in Board::keys() {
            let b = Board::get(key).unwrap();
            assert!(!b.profiles.is_empty(), "{key}");
            let full = b.engines();
            assert!(full.sm > 0, "{key}");
            assert!(
                b.profiles.iter().all(|p| p.memory_mib < b.memory_total_mib),
                "{key}"
            );
        }
    }

    #[test]
    fn a100_40gb_is_the_user_guides_table() {
        let b = Board::get("a100-40gb").unwrap();
        assert_eq!(b.pci_device_id, 0x20B0_10DE);
        let rows: Vec<(u32, u32, &[u32], u32)> = b
            .profiles
            .iter()
            .map(|p| (p.id, p.index, p.starts.as_slice(), p.memory_slices))
            .collect();
        assert_eq!(
            rows,
            [
                (19, 0, &[0, 1, 2, 3, 4, 5, 6][..], 1),
                (20, 7, &[0, 1, 2, 3, 4, 5, 6][..], 1),
                (15, 9, &[0, 2, 4, 6][..], 2),
                (14, 1, &[0, 2, 4][..], 2),
                (9, 2, &[0, 4][..], 4),
                (5, 3, &[0][..], 4),
                (0, 4, &[0][..], 8),
            ]
        );
        assert_eq!(b.engines().ofa, 1);
        assert_eq!(b.slice_sm(), 14);
    }
}
