from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.nvml_profile_index import NvmlProfileIndex
from typing import cast

if TYPE_CHECKING:
  from ..models.placement import Placement





T = TypeVar("T", bound="ReportedProfile")



@_attrs_define
class ReportedProfile:
    """ One GPU-instance profile as the GPU itself reports it (`nvmlDeviceGetGpuInstanceProfileInfo`
    plus `nvmlDeviceGetGpuInstancePossiblePlacements_v2`).

        Attributes:
            compute_slices (int):
            id (int): `info.id`: device-specific, what create and placement calls take.
            index (NvmlProfileIndex): The `NVML_GPU_INSTANCE_PROFILE_*` index constant passed to
                `nvmlDeviceGetGpuInstanceProfileInfo`. Not the profile *id* the driver returns in `info.id`.
            max_count (int):
            memory_mib (int):
            memory_slices (int): Memory slices one instance occupies (the placements' size).
            name (str): Catalog name where the model is known, otherwise built by go-nvlib's naming rule.
            placements (list[Placement]):
     """

    compute_slices: int
    id: int
    index: NvmlProfileIndex
    max_count: int
    memory_mib: int
    memory_slices: int
    name: str
    placements: list[Placement]





    def to_dict(self) -> dict[str, Any]:
        from ..models.placement import Placement # noqa: PLC0415
        compute_slices = self.compute_slices

        id = self.id

        index = self.index.value

        max_count = self.max_count

        memory_mib = self.memory_mib

        memory_slices = self.memory_slices

        name = self.name

        placements = []
        for placements_item_data in self.placements:
            placements_item = placements_item_data.to_dict()
            placements.append(placements_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "compute_slices": compute_slices,
            "id": id,
            "index": index,
            "max_count": max_count,
            "memory_mib": memory_mib,
            "memory_slices": memory_slices,
            "name": name,
            "placements": placements,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.placement import Placement # noqa: PLC0415
        d = dict(src_dict)
        compute_slices = d.pop("compute_slices")

        id = d.pop("id")

        index = NvmlProfileIndex(d.pop("index"))




        max_count = d.pop("max_count")

        memory_mib = d.pop("memory_mib")

        memory_slices = d.pop("memory_slices")

        name = d.pop("name")

        placements = []
        _placements = d.pop("placements")
        for placements_item_data in (_placements):
            placements_item = Placement.from_dict(placements_item_data)



            placements.append(placements_item)


        reported_profile = cls(
            compute_slices=compute_slices,
            id=id,
            index=index,
            max_count=max_count,
            memory_mib=memory_mib,
            memory_slices=memory_slices,
            name=name,
            placements=placements,
        )

        return reported_profile

