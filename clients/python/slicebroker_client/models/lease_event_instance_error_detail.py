from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="LeaseEventInstanceErrorDetail")



@_attrs_define
class LeaseEventInstanceErrorDetail:
    """ 
        Attributes:
            compute_instance_id (int | None):
            gpu_instance_id (int | None): The GPU instance NVML named; `null`: the whole GPU.
            gpu_uuid (str): The GPU (`GPU-…`).
            xid (int):
     """

    compute_instance_id: int | None
    gpu_instance_id: int | None
    gpu_uuid: str
    xid: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        compute_instance_id: int | None
        compute_instance_id = self.compute_instance_id

        gpu_instance_id: int | None
        gpu_instance_id = self.gpu_instance_id

        gpu_uuid = self.gpu_uuid

        xid = self.xid


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "compute_instance_id": compute_instance_id,
            "gpu_instance_id": gpu_instance_id,
            "gpu_uuid": gpu_uuid,
            "xid": xid,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_compute_instance_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        compute_instance_id = _parse_compute_instance_id(d.pop("compute_instance_id"))


        def _parse_gpu_instance_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        gpu_instance_id = _parse_gpu_instance_id(d.pop("gpu_instance_id"))


        gpu_uuid = d.pop("gpu_uuid")

        xid = d.pop("xid")

        lease_event_instance_error_detail = cls(
            compute_instance_id=compute_instance_id,
            gpu_instance_id=gpu_instance_id,
            gpu_uuid=gpu_uuid,
            xid=xid,
        )


        lease_event_instance_error_detail.additional_properties = d
        return lease_event_instance_error_detail

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
