from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="XidEvent")



@_attrs_define
class XidEvent:
    """ One `nvmlEventTypeXidCriticalError` event. On MIG, NVML's event data names the GPU and
    compute instance the error hit; absent (NVML's `0xFFFFFFFF`) means the whole GPU.

        Attributes:
            xid (int):
            compute_instance_id (int | None | Unset):
            gpu_instance_id (int | None | Unset):
     """

    xid: int
    compute_instance_id: int | None | Unset = UNSET
    gpu_instance_id: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        xid = self.xid

        compute_instance_id: int | None | Unset
        if isinstance(self.compute_instance_id, Unset):
            compute_instance_id = UNSET
        else:
            compute_instance_id = self.compute_instance_id

        gpu_instance_id: int | None | Unset
        if isinstance(self.gpu_instance_id, Unset):
            gpu_instance_id = UNSET
        else:
            gpu_instance_id = self.gpu_instance_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "xid": xid,
        })
        if compute_instance_id is not UNSET:
            field_dict["compute_instance_id"] = compute_instance_id
        if gpu_instance_id is not UNSET:
            field_dict["gpu_instance_id"] = gpu_instance_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        xid = d.pop("xid")

        def _parse_compute_instance_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        compute_instance_id = _parse_compute_instance_id(d.pop("compute_instance_id", UNSET))


        def _parse_gpu_instance_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        gpu_instance_id = _parse_gpu_instance_id(d.pop("gpu_instance_id", UNSET))


        xid_event = cls(
            xid=xid,
            compute_instance_id=compute_instance_id,
            gpu_instance_id=gpu_instance_id,
        )

        return xid_event

