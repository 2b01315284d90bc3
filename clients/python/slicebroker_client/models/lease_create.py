from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.gpu_model_key import GpuModelKey
from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.lease_create_labels import LeaseCreateLabels





T = TypeVar("T", bound="LeaseCreate")



@_attrs_define
class LeaseCreate:
    """ Request for a lease: a slice class, a profile name or size, or a need. With `class`, the
    class gives the profile, duration, idle timeout and priority; the request's own fields may
    only narrow them (a smaller-or-equal profile the class gives, a shorter duration or idle
    timeout, a lower priority, fewer GPU models).

        Attributes:
            class_ (None | str | Unset): A slice class (`notebook`, see `class_list`): its profile, duration, idle timeout
                and
                priority, which the fields below may narrow. 1-63 characters.
            count (int | None | Unset): How many slices, granted all or nothing (default 1).
            duration (int | None | str | Unset):
            gpu_models (list[GpuModelKey] | Unset): Only these GPU models (catalog keys).
            idle_timeout (int | None | str | Unset):
            labels (LeaseCreateLabels | Unset):
            min_compute_slices (int | None | Unset): With `min_memory_gib`: at least this many compute slices (default 1).
            min_memory_gib (int | None | Unset): The smallest plain profile with at least this much memory.
            priority (int | None | Unset): Place in the pending queue, -100 to 100 (default 0): higher is served first, then
                older.
            profile (None | str | Unset): A profile name (`2g.20gb`) or a compute size (`3g`). Give this or `min_memory_gib`
                (or `class`).
            start (datetime.datetime | None | Unset): Book ahead: when the lease starts (RFC 3339), in the future and at
                most 30 days ahead.
                The lease is then `booked`, its placement chosen now and guaranteed for
                `[start, start + duration)`; it goes `provisioning` shortly before `start` and its paid
                time runs from `start`. Cannot be combined with `wait`.
            tenant_id (None | Unset | UUID):
            wait (bool | Unset): Queue as `pending` instead of failing when nothing fits now.
     """

    class_: None | str | Unset = UNSET
    count: int | None | Unset = UNSET
    duration: int | None | str | Unset = UNSET
    gpu_models: list[GpuModelKey] | Unset = UNSET
    idle_timeout: int | None | str | Unset = UNSET
    labels: LeaseCreateLabels | Unset = UNSET
    min_compute_slices: int | None | Unset = UNSET
    min_memory_gib: int | None | Unset = UNSET
    priority: int | None | Unset = UNSET
    profile: None | str | Unset = UNSET
    start: datetime.datetime | None | Unset = UNSET
    tenant_id: None | Unset | UUID = UNSET
    wait: bool | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_create_labels import LeaseCreateLabels # noqa: PLC0415
        class_: None | str | Unset
        if isinstance(self.class_, Unset):
            class_ = UNSET
        else:
            class_ = self.class_

        count: int | None | Unset
        if isinstance(self.count, Unset):
            count = UNSET
        else:
            count = self.count

        duration: int | None | str | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

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

        start: None | str | Unset
        if isinstance(self.start, Unset):
            start = UNSET
        elif isinstance(self.start, datetime.datetime):
            start = self.start.isoformat()
        else:
            start = self.start

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        elif isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        wait = self.wait


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if class_ is not UNSET:
            field_dict["class"] = class_
        if count is not UNSET:
            field_dict["count"] = count
        if duration is not UNSET:
            field_dict["duration"] = duration
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
        if start is not UNSET:
            field_dict["start"] = start
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if wait is not UNSET:
            field_dict["wait"] = wait

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_create_labels import LeaseCreateLabels # noqa: PLC0415
        d = dict(src_dict)
        def _parse_class_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        class_ = _parse_class_(d.pop("class", UNSET))


        def _parse_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        count = _parse_count(d.pop("count", UNSET))


        def _parse_duration(data: object) -> int | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | str | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))


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


        def _parse_start(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_type_0 = datetime.datetime.fromisoformat(data)



                return start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start = _parse_start(d.pop("start", UNSET))


        def _parse_tenant_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)



                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))


        wait = d.pop("wait", UNSET)

        lease_create = cls(
            class_=class_,
            count=count,
            duration=duration,
            gpu_models=gpu_models,
            idle_timeout=idle_timeout,
            labels=labels,
            min_compute_slices=min_compute_slices,
            min_memory_gib=min_memory_gib,
            priority=priority,
            profile=profile,
            start=start,
            tenant_id=tenant_id,
            wait=wait,
        )

        return lease_create

