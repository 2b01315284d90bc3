from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="XidRecord")



@_attrs_define
class XidRecord:
    """ One XID error its agent reported.

        Attributes:
            compute_instance_id (int | None):
            fatal (bool): One of the XIDs after which the instance it hit cannot be trusted (48, 63, 64, 74, 79,
                92, 94, 95, 119, 120); the leases it hit got an `instance_error` event.
            gpu_instance_id (int | None): The GPU instance NVML said it hit; `null`: the whole GPU.
            lease_ids (list[UUID]): The leases whose instances it hit: those of the caller's tenant (admins: all).
            seen_at (datetime.datetime): When the server recorded it (the report that carried it).
            xid (int): NVIDIA's XID number (docs.nvidia.com/deploy/xid-errors).
     """

    compute_instance_id: int | None
    fatal: bool
    gpu_instance_id: int | None
    lease_ids: list[UUID]
    seen_at: datetime.datetime
    xid: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        compute_instance_id: int | None
        compute_instance_id = self.compute_instance_id

        fatal = self.fatal

        gpu_instance_id: int | None
        gpu_instance_id = self.gpu_instance_id

        lease_ids = []
        for lease_ids_item_data in self.lease_ids:
            lease_ids_item = str(lease_ids_item_data)
            lease_ids.append(lease_ids_item)



        seen_at = self.seen_at.isoformat()

        xid = self.xid


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "compute_instance_id": compute_instance_id,
            "fatal": fatal,
            "gpu_instance_id": gpu_instance_id,
            "lease_ids": lease_ids,
            "seen_at": seen_at,
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


        fatal = d.pop("fatal")

        def _parse_gpu_instance_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        gpu_instance_id = _parse_gpu_instance_id(d.pop("gpu_instance_id"))


        lease_ids = []
        _lease_ids = d.pop("lease_ids")
        for lease_ids_item_data in (_lease_ids):
            lease_ids_item = UUID(lease_ids_item_data)



            lease_ids.append(lease_ids_item)


        seen_at = datetime.datetime.fromisoformat(d.pop("seen_at"))




        xid = d.pop("xid")

        xid_record = cls(
            compute_instance_id=compute_instance_id,
            fatal=fatal,
            gpu_instance_id=gpu_instance_id,
            lease_ids=lease_ids,
            seen_at=seen_at,
            xid=xid,
        )


        xid_record.additional_properties = d
        return xid_record

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
