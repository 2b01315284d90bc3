from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from uuid import UUID






T = TypeVar("T", bound="LeaseEventBookedDetailPlacementsItem")



@_attrs_define
class LeaseEventBookedDetailPlacementsItem:
    """ 
        Attributes:
            gpu_id (UUID):
            profile (str):
            size (int):
            start (int):
     """

    gpu_id: UUID
    profile: str
    size: int
    start: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        gpu_id = str(self.gpu_id)

        profile = self.profile

        size = self.size

        start = self.start


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "gpu_id": gpu_id,
            "profile": profile,
            "size": size,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gpu_id = UUID(d.pop("gpu_id"))




        profile = d.pop("profile")

        size = d.pop("size")

        start = d.pop("start")

        lease_event_booked_detail_placements_item = cls(
            gpu_id=gpu_id,
            profile=profile,
            size=size,
            start=start,
        )


        lease_event_booked_detail_placements_item.additional_properties = d
        return lease_event_booked_detail_placements_item

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
