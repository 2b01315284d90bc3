from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.gpu_process import GpuProcess





T = TypeVar("T", bound="GpuSlice")



@_attrs_define
class GpuSlice:
    """ 
        Attributes:
            last_active_at (datetime.datetime | None): When its agent last saw it busy (processes, or activity where the GPU
                measures it);
                shown with `processes`.
            lease_id (None | UUID):
            memory_used_mib (int | None): Device memory in use (MiB), as last reported; shown with `processes`.
            processes (list[GpuProcess] | None): The compute processes on it, as its agent last reported them (none: idle,
                unless
                `last_active_at` is recent). Shown where `lease_id` is (and for unmanaged instances, to
                admins); `null` otherwise.
            profile (str):
            size (int):
            start (int):
            tenant_id (None | UUID):
            unmanaged (bool): An instance the broker did not make (by hand): never placed on, never destroyed.
     """

    last_active_at: datetime.datetime | None
    lease_id: None | UUID
    memory_used_mib: int | None
    processes: list[GpuProcess] | None
    profile: str
    size: int
    start: int
    tenant_id: None | UUID
    unmanaged: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.gpu_process import GpuProcess # noqa: PLC0415
        last_active_at: None | str
        if isinstance(self.last_active_at, datetime.datetime):
            last_active_at = self.last_active_at.isoformat()
        else:
            last_active_at = self.last_active_at

        lease_id: None | str
        if isinstance(self.lease_id, UUID):
            lease_id = str(self.lease_id)
        else:
            lease_id = self.lease_id

        memory_used_mib: int | None
        memory_used_mib = self.memory_used_mib

        processes: list[dict[str, Any]] | None
        if isinstance(self.processes, list):
            processes = []
            for processes_type_0_item_data in self.processes:
                processes_type_0_item = processes_type_0_item_data.to_dict()
                processes.append(processes_type_0_item)


        else:
            processes = self.processes

        profile = self.profile

        size = self.size

        start = self.start

        tenant_id: None | str
        if isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        unmanaged = self.unmanaged


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "last_active_at": last_active_at,
            "lease_id": lease_id,
            "memory_used_mib": memory_used_mib,
            "processes": processes,
            "profile": profile,
            "size": size,
            "start": start,
            "tenant_id": tenant_id,
            "unmanaged": unmanaged,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gpu_process import GpuProcess # noqa: PLC0415
        d = dict(src_dict)
        def _parse_last_active_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_active_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_active_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_active_at = _parse_last_active_at(d.pop("last_active_at"))


        def _parse_lease_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lease_id_type_0 = UUID(data)



                return lease_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        lease_id = _parse_lease_id(d.pop("lease_id"))


        def _parse_memory_used_mib(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        memory_used_mib = _parse_memory_used_mib(d.pop("memory_used_mib"))


        def _parse_processes(data: object) -> list[GpuProcess] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                processes_type_0 = []
                _processes_type_0 = data
                for processes_type_0_item_data in (_processes_type_0):
                    processes_type_0_item = GpuProcess.from_dict(processes_type_0_item_data)



                    processes_type_0.append(processes_type_0_item)

                return processes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[GpuProcess] | None, data)

        processes = _parse_processes(d.pop("processes"))


        profile = d.pop("profile")

        size = d.pop("size")

        start = d.pop("start")

        def _parse_tenant_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)



                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id"))


        unmanaged = d.pop("unmanaged")

        gpu_slice = cls(
            last_active_at=last_active_at,
            lease_id=lease_id,
            memory_used_mib=memory_used_mib,
            processes=processes,
            profile=profile,
            size=size,
            start=start,
            tenant_id=tenant_id,
            unmanaged=unmanaged,
        )


        gpu_slice.additional_properties = d
        return gpu_slice

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
