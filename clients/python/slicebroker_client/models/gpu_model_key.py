from enum import StrEnum

class GpuModelKey(StrEnum):
    A100_40GB = "a100-40gb"
    A100_80GB = "a100-80gb"
    A30_24GB = "a30-24gb"
    B200_180GB = "b200-180gb"
    GH200_144GB = "gh200-144gb"
    H100_80GB = "h100-80gb"
    H100_96GB = "h100-96gb"
    H100_NVL_94GB = "h100-nvl-94gb"
    H100_PCIE_80GB = "h100-pcie-80gb"
    H200_141GB = "h200-141gb"
    RTX_PRO_6000_96GB = "rtx-pro-6000-96gb"

    def __str__(self) -> str:
        return str(self.value)
