from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.lease_usage import LeaseUsage





T = TypeVar("T", bound="LeaseEventEndedDetail")



@_attrs_define
class LeaseEventEndedDetail:
    """ 
        Attributes:
            reason (str): Why: the end reason, or what went wrong in words.
            usage (LeaseUsage): What a lease really used, exact over its active interval (from activation until it ended,
                or now; each slice until its release if that came first), from its agent's reports.
            note (str | Unset):
     """

    reason: str
    usage: LeaseUsage
    note: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_usage import LeaseUsage # noqa: PLC0415
        reason = self.reason

        usage = self.usage.to_dict()

        note = self.note


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "reason": reason,
            "usage": usage,
        })
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_usage import LeaseUsage # noqa: PLC0415
        d = dict(src_dict)
        reason = d.pop("reason")

        usage = LeaseUsage.from_dict(d.pop("usage"))




        note = d.pop("note", UNSET)

        lease_event_ended_detail = cls(
            reason=reason,
            usage=usage,
            note=note,
        )


        lease_event_ended_detail.additional_properties = d
        return lease_event_ended_detail

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
