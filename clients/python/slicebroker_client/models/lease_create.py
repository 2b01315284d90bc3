from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.gpu_model_key import GpuModelKey
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.lease_create_labels import LeaseCreateLabels





T = TypeVar("T", bound="LeaseCreate")



@_attrs_define
class LeaseCreate:
    """ Request for a lease: a profile name or size, or a need.

        Attributes:
            duration (int | str): A duration, positive and at most 31622400 seconds (366 days).
            count (int | None | Unset): How many slices, granted all or nothing (default 1).
            gpu_models (list[GpuModelKey] | Unset): Only these GPU models (catalog keys).
            idle_timeout (int | None | str | Unset):
            labels (LeaseCreateLabels | Unset):
            min_compute_slices (int | None | Unset): With `min_memory_gib`: at least this many compute slices (default 1).
            min_memory_gib (int | None | Unset): The smallest plain profile with at least this much memory.
            priority (int | None | Unset): Place in the pending queue, -100 to 100 (default 0): higher is served first, then
                older.
            profile (None | str | Unset): A profile name (`2g.20gb`) or a compute size (`3g`). Give this or
                `min_memory_gib`.
            wait (bool | Unset): Queue as `pending` instead of failing when nothing fits now.
     """

    duration: int | str
    count: int | None | Unset = UNSET
    gpu_models: list[GpuModelKey] | Unset = UNSET
    idle_timeout: int | None | str | Unset = UNSET
    labels: LeaseCreateLabels | Unset = UNSET
    min_compute_slices: int | None | Unset = UNSET
    min_memory_gib: int | None | Unset = UNSET
    priority: int | None | Unset = UNSET
    profile: None | str | Unset = UNSET
    wait: bool | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_create_labels import LeaseCreateLabels # noqa: PLC0415
        duration: int | str
        duration = self.duration

        count: int | None | Unset
        if isinstance(self.count, Unset):
            count = UNSET
        else:
            count = self.count

        gpu_models: list[str] | Unset = UNSET
        if not isinstance(self.gpu_models, Unset):
            gpu_models = []
            for gpu_models_item_data in self.gpu_models:
                gpu_models_item = gpu_models_item_data.value
                gpu_models.append(gpu_models_item)



        idle_timeout: int | None | str | Unset
        if isinstance(self.idle_timeout, Unset):
            idle_timeout = UNSET
        else:
            idle_timeout = self.idle_timeout

        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        min_compute_slices: int | None | Unset
        if isinstance(self.min_compute_slices, Unset):
            min_compute_slices = UNSET
        else:
            min_compute_slices = self.min_compute_slices

        min_memory_gib: int | None | Unset
        if isinstance(self.min_memory_gib, Unset):
            min_memory_gib = UNSET
        else:
            min_memory_gib = self.min_memory_gib

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        profile: None | str | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        else:
            profile = self.profile

        wait = self.wait


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "duration": duration,
        })
        if count is not UNSET:
            field_dict["count"] = count
        if gpu_models is not UNSET:
            field_dict["gpu_models"] = gpu_models
        if idle_timeout is not UNSET:
            field_dict["idle_timeout"] = idle_timeout
        if labels is not UNSET:
            field_dict["labels"] = labels
        if min_compute_slices is not UNSET:
            field_dict["min_compute_slices"] = min_compute_slices
        if min_memory_gib is not UNSET:
            field_dict["min_memory_gib"] = min_memory_gib
        if priority is not UNSET:
            field_dict["priority"] = priority
        if profile is not UNSET:
            field_dict["profile"] = profile
        if wait is not UNSET:
            field_dict["wait"] = wait

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_create_labels import LeaseCreateLabels # noqa: PLC0415
        d = dict(src_dict)
        def _parse_duration(data: object) -> int | str:
            return cast(int | str, data)

        duration = _parse_duration(d.pop("duration"))


        def _parse_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        count = _parse_count(d.pop("count", UNSET))


        _gpu_models = d.pop("gpu_models", UNSET)
        gpu_models: list[GpuModelKey] | Unset = UNSET
        if _gpu_models is not UNSET:
            gpu_models = []
            for gpu_models_item_data in _gpu_models:
                gpu_models_item = GpuModelKey(gpu_models_item_data)



                gpu_models.append(gpu_models_item)


        def _parse_idle_timeout(data: object) -> int | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | str | Unset, data)

        idle_timeout = _parse_idle_timeout(d.pop("idle_timeout", UNSET))


        _labels = d.pop("labels", UNSET)
        labels: LeaseCreateLabels | Unset
        if isinstance(_labels,  Unset):
            labels = UNSET
        else:
            labels = LeaseCreateLabels.from_dict(_labels)




        def _parse_min_compute_slices(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_compute_slices = _parse_min_compute_slices(d.pop("min_compute_slices", UNSET))


        def _parse_min_memory_gib(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_memory_gib = _parse_min_memory_gib(d.pop("min_memory_gib", UNSET))


        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_profile(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        profile = _parse_profile(d.pop("profile", UNSET))


        wait = d.pop("wait", UNSET)

        lease_create = cls(
            duration=duration,
            count=count,
            gpu_models=gpu_models,
            idle_timeout=idle_timeout,
            labels=labels,
            min_compute_slices=min_compute_slices,
            min_memory_gib=min_memory_gib,
            priority=priority,
            profile=profile,
            wait=wait,
        )

        return lease_create

