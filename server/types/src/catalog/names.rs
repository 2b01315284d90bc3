//! NVML product names (`nvmlDeviceGetName`) of the catalog's GPUs, as `nvidia-smi` prints them
//! in public transcripts. Names are a fallback: the PCI device id identifies a board reliably.

/// `(NVML name, catalog key)`. Matched ignoring case and surrounding blanks.
const NVML_NAMES: &[(&str, &str)] = &[
    ("NVIDIA A30", "a30-24gb"),
    ("NVIDIA A100-SXM4-40GB", "a100-40gb"),
    ("NVIDIA A100-PCIE-40GB", "a100-40gb"),
    ("NVIDIA A100-SXM4-80GB", "a100-80gb"),
    ("NVIDIA A100 80GB PCIe", "a100-80gb"),
    ("NVIDIA A100-PCIE-80GB", "a100-80gb"),
    ("NVIDIA H100 80GB HBM3", "h100-80gb"),
    ("NVIDIA H100 SXM5 80GB", "h100-80gb"),
    ("NVIDIA H100 PCIe", "h100-pcie-80gb"),
    ("NVIDIA H100 NVL", "h100-nvl-94gb"),
    ("NVIDIA GH200 480GB", "h100-96gb"),
    ("NVIDIA H100 96GB HBM3", "h100-96gb"),
    ("NVIDIA H200", "h200-141gb"),
    ("NVIDIA H200 NVL", "h200-141gb"),
    ("NVIDIA GH200 144G HBM3e", "gh200-144gb"),
    ("NVIDIA B200", "b200-180gb"),
    (
        "NVIDIA RTX PRO 6000 Blackwell Server Edition",
        "rtx-pro-6000-96gb",
    ),
    (
        "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
        "rtx-pro-6000-96gb",
    ),
    (
        "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
        "rtx-pro-6000-96gb",
    ),
];

pub(super) fn model_key_for_nvml_name(name: &str) -> Option<&'static str> {
    let name = name.trim();
    NVML_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, key)| key)
}
