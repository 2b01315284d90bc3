from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.lease_event_booked_detail_placements_item import LeaseEventBookedDetailPlacementsItem





T = TypeVar("T", bound="LeaseEventBookedDetail")



@_attrs_define
class LeaseEventBookedDetail:
    """ 
        Attributes:
            ends_at (datetime.datetime):
            placements (list[LeaseEventBookedDetailPlacementsItem]):
            start (datetime.datetime):
     """

    ends_at: datetime.datetime
    placements: list[LeaseEventBookedDetailPlacementsItem]
    start: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_event_booked_detail_placements_item import LeaseEventBookedDetailPlacementsItem # noqa: PLC0415
        ends_at = self.ends_at.isoformat()

        placements = []
        for placements_item_data in self.placements:
            placements_item = placements_item_data.to_dict()
            placements.append(placements_item)



        start = self.start.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "ends_at": ends_at,
            "placements": placements,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_event_booked_detail_placements_item import LeaseEventBookedDetailPlacementsItem # noqa: PLC0415
        d = dict(src_dict)
        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))




        placements = []
        _placements = d.pop("placements")
        for placements_item_data in (_placements):
            placements_item = LeaseEventBookedDetailPlacementsItem.from_dict(placements_item_data)



            placements.append(placements_item)


        start = datetime.datetime.fromisoformat(d.pop("start"))




        lease_event_booked_detail = cls(
            ends_at=ends_at,
            placements=placements,
            start=start,
        )


        lease_event_booked_detail.additional_properties = d
        return lease_event_booked_detail

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
