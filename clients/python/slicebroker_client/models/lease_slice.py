from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="LeaseSlice")



@_attrs_define
class LeaseSlice:
    """ One MIG slice of a lease.

        Attributes:
            compute_slices (int):
            cuda_visible_devices (None | str): Once active: the value to export as `CUDA_VISIBLE_DEVICES`.
            gpu_id (UUID):
            gpu_uuid (str): NVML UUID of the GPU (`GPU-…`).
            host (str):
            host_id (UUID):
            id (UUID):
            memory_gib (int):
            mig_device_uuid (None | str): Once active: the MIG device UUID (`MIG-…`).
            model (str): Catalog key of the GPU model.
            profile (str):
            released_at (datetime.datetime | None):
            size (int): Memory slices the placement covers.
            start (int): First memory slice of the placement.
     """

    compute_slices: int
    cuda_visible_devices: None | str
    gpu_id: UUID
    gpu_uuid: str
    host: str
    host_id: UUID
    id: UUID
    memory_gib: int
    mig_device_uuid: None | str
    model: str
    profile: str
    released_at: datetime.datetime | None
    size: int
    start: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        compute_slices = self.compute_slices

        cuda_visible_devices: None | str
        cuda_visible_devices = self.cuda_visible_devices

        gpu_id = str(self.gpu_id)

        gpu_uuid = self.gpu_uuid

        host = self.host

        host_id = str(self.host_id)

        id = str(self.id)

        memory_gib = self.memory_gib

        mig_device_uuid: None | str
        mig_device_uuid = self.mig_device_uuid

        model = self.model

        profile = self.profile

        released_at: None | str
        if isinstance(self.released_at, datetime.datetime):
            released_at = self.released_at.isoformat()
        else:
            released_at = self.released_at

        size = self.size

        start = self.start


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "compute_slices": compute_slices,
            "cuda_visible_devices": cuda_visible_devices,
            "gpu_id": gpu_id,
            "gpu_uuid": gpu_uuid,
            "host": host,
            "host_id": host_id,
            "id": id,
            "memory_gib": memory_gib,
            "mig_device_uuid": mig_device_uuid,
            "model": model,
            "profile": profile,
            "released_at": released_at,
            "size": size,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        compute_slices = d.pop("compute_slices")

        def _parse_cuda_visible_devices(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cuda_visible_devices = _parse_cuda_visible_devices(d.pop("cuda_visible_devices"))


        gpu_id = UUID(d.pop("gpu_id"))




        gpu_uuid = d.pop("gpu_uuid")

        host = d.pop("host")

        host_id = UUID(d.pop("host_id"))




        id = UUID(d.pop("id"))




        memory_gib = d.pop("memory_gib")

        def _parse_mig_device_uuid(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        mig_device_uuid = _parse_mig_device_uuid(d.pop("mig_device_uuid"))


        model = d.pop("model")

        profile = d.pop("profile")

        def _parse_released_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                released_at_type_0 = datetime.datetime.fromisoformat(data)



                return released_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        released_at = _parse_released_at(d.pop("released_at"))


        size = d.pop("size")

        start = d.pop("start")

        lease_slice = cls(
            compute_slices=compute_slices,
            cuda_visible_devices=cuda_visible_devices,
            gpu_id=gpu_id,
            gpu_uuid=gpu_uuid,
            host=host,
            host_id=host_id,
            id=id,
            memory_gib=memory_gib,
            mig_device_uuid=mig_device_uuid,
            model=model,
            profile=profile,
            released_at=released_at,
            size=size,
            start=start,
        )


        lease_slice.additional_properties = d
        return lease_slice

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
