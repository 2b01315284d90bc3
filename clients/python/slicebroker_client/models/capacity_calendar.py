from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.calendar_interval import CalendarInterval





T = TypeVar("T", bound="CapacityCalendar")



@_attrs_define
class CapacityCalendar:
    """ When one profile can be booked on one GPU model: a timeline of intervals, each with how
    many instances fit throughout it (each GPU counted on its own, like [`Capacity`]).

        Attributes:
            earliest_start (datetime.datetime | None): With `duration`: the earliest start from `from` at which one instance
                is free for the
                whole duration, if one starts before `to`.
            intervals (list[CalendarInterval]): Back to back from `from` to `to`; neighbours differ in `available`.
            model (str):
            profile (str):
     """

    earliest_start: datetime.datetime | None
    intervals: list[CalendarInterval]
    model: str
    profile: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.calendar_interval import CalendarInterval # noqa: PLC0415
        earliest_start: None | str
        if isinstance(self.earliest_start, datetime.datetime):
            earliest_start = self.earliest_start.isoformat()
        else:
            earliest_start = self.earliest_start

        intervals = []
        for intervals_item_data in self.intervals:
            intervals_item = intervals_item_data.to_dict()
            intervals.append(intervals_item)



        model = self.model

        profile = self.profile


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "earliest_start": earliest_start,
            "intervals": intervals,
            "model": model,
            "profile": profile,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.calendar_interval import CalendarInterval # noqa: PLC0415
        d = dict(src_dict)
        def _parse_earliest_start(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                earliest_start_type_0 = datetime.datetime.fromisoformat(data)



                return earliest_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        earliest_start = _parse_earliest_start(d.pop("earliest_start"))


        intervals = []
        _intervals = d.pop("intervals")
        for intervals_item_data in (_intervals):
            intervals_item = CalendarInterval.from_dict(intervals_item_data)



            intervals.append(intervals_item)


        model = d.pop("model")

        profile = d.pop("profile")

        capacity_calendar = cls(
            earliest_start=earliest_start,
            intervals=intervals,
            model=model,
            profile=profile,
        )


        capacity_calendar.additional_properties = d
        return capacity_calendar

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
