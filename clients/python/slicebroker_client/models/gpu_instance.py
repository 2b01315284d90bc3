from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.nvml_profile_index import NvmlProfileIndex
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.compute_instance import ComputeInstance
  from ..models.gpu_process import GpuProcess
  from ..models.placement import Placement





T = TypeVar("T", bound="GpuInstance")



@_attrs_define
class GpuInstance:
    """ One GPU instance with everything observed about it.

        Attributes:
            compute_instances (list[ComputeInstance]):
            id (int):
            placement (Placement): A placement of a GPU instance: `size` memory slices starting at `start`
                (`nvmlGpuInstancePlacement_t`).
            processes (list[GpuProcess]):
            profile_id (int):
            activity (float | None | Unset): Fraction of time SMs were busy over the last sample (GPM, Hopper and later);
                `None`
                where the GPU does not measure it.
            memory_total_mib (int | None | Unset):
            memory_used_mib (int | None | Unset):
            profile_index (None | NvmlProfileIndex | Unset):
     """

    compute_instances: list[ComputeInstance]
    id: int
    placement: Placement
    processes: list[GpuProcess]
    profile_id: int
    activity: float | None | Unset = UNSET
    memory_total_mib: int | None | Unset = UNSET
    memory_used_mib: int | None | Unset = UNSET
    profile_index: None | NvmlProfileIndex | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.compute_instance import ComputeInstance # noqa: PLC0415
        from ..models.gpu_process import GpuProcess # noqa: PLC0415
        from ..models.placement import Placement # noqa: PLC0415
        compute_instances = []
        for compute_instances_item_data in self.compute_instances:
            compute_instances_item = compute_instances_item_data.to_dict()
            compute_instances.append(compute_instances_item)



        id = self.id

        placement = self.placement.to_dict()

        processes = []
        for processes_item_data in self.processes:
            processes_item = processes_item_data.to_dict()
            processes.append(processes_item)



        profile_id = self.profile_id

        activity: float | None | Unset
        if isinstance(self.activity, Unset):
            activity = UNSET
        else:
            activity = self.activity

        memory_total_mib: int | None | Unset
        if isinstance(self.memory_total_mib, Unset):
            memory_total_mib = UNSET
        else:
            memory_total_mib = self.memory_total_mib

        memory_used_mib: int | None | Unset
        if isinstance(self.memory_used_mib, Unset):
            memory_used_mib = UNSET
        else:
            memory_used_mib = self.memory_used_mib

        profile_index: None | str | Unset
        if isinstance(self.profile_index, Unset):
            profile_index = UNSET
        elif isinstance(self.profile_index, NvmlProfileIndex):
            profile_index = self.profile_index.value
        else:
            profile_index = self.profile_index


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "compute_instances": compute_instances,
            "id": id,
            "placement": placement,
            "processes": processes,
            "profile_id": profile_id,
        })
        if activity is not UNSET:
            field_dict["activity"] = activity
        if memory_total_mib is not UNSET:
            field_dict["memory_total_mib"] = memory_total_mib
        if memory_used_mib is not UNSET:
            field_dict["memory_used_mib"] = memory_used_mib
        if profile_index is not UNSET:
            field_dict["profile_index"] = profile_index

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.compute_instance import ComputeInstance # noqa: PLC0415
        from ..models.gpu_process import GpuProcess # noqa: PLC0415
        from ..models.placement import Placement # noqa: PLC0415
        d = dict(src_dict)
        compute_instances = []
        _compute_instances = d.pop("compute_instances")
        for compute_instances_item_data in (_compute_instances):
            compute_instances_item = ComputeInstance.from_dict(compute_instances_item_data)



            compute_instances.append(compute_instances_item)


        id = d.pop("id")

        placement = Placement.from_dict(d.pop("placement"))




        processes = []
        _processes = d.pop("processes")
        for processes_item_data in (_processes):
            processes_item = GpuProcess.from_dict(processes_item_data)



            processes.append(processes_item)


        profile_id = d.pop("profile_id")

        def _parse_activity(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        activity = _parse_activity(d.pop("activity", UNSET))


        def _parse_memory_total_mib(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        memory_total_mib = _parse_memory_total_mib(d.pop("memory_total_mib", UNSET))


        def _parse_memory_used_mib(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        memory_used_mib = _parse_memory_used_mib(d.pop("memory_used_mib", UNSET))


        def _parse_profile_index(data: object) -> None | NvmlProfileIndex | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                profile_index_type_0 = NvmlProfileIndex(data)



                return profile_index_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NvmlProfileIndex | Unset, data)

        profile_index = _parse_profile_index(d.pop("profile_index", UNSET))


        gpu_instance = cls(
            compute_instances=compute_instances,
            id=id,
            placement=placement,
            processes=processes,
            profile_id=profile_id,
            activity=activity,
            memory_total_mib=memory_total_mib,
            memory_used_mib=memory_used_mib,
            profile_index=profile_index,
        )

        return gpu_instance

