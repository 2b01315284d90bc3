from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="LeaseEventReclaimedIdleDetail")



@_attrs_define
class LeaseEventReclaimedIdleDetail:
    """ 
        Attributes:
            reason (str): Why: the end reason, or what went wrong in words.
            idle_seconds (int | Unset):
            idle_since (datetime.datetime | Unset):
            idle_timeout_seconds (int | Unset):
     """

    reason: str
    idle_seconds: int | Unset = UNSET
    idle_since: datetime.datetime | Unset = UNSET
    idle_timeout_seconds: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        idle_seconds = self.idle_seconds

        idle_since: str | Unset = UNSET
        if not isinstance(self.idle_since, Unset):
            idle_since = self.idle_since.isoformat()

        idle_timeout_seconds = self.idle_timeout_seconds


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "reason": reason,
        })
        if idle_seconds is not UNSET:
            field_dict["idle_seconds"] = idle_seconds
        if idle_since is not UNSET:
            field_dict["idle_since"] = idle_since
        if idle_timeout_seconds is not UNSET:
            field_dict["idle_timeout_seconds"] = idle_timeout_seconds

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        idle_seconds = d.pop("idle_seconds", UNSET)

        _idle_since = d.pop("idle_since", UNSET)
        idle_since: datetime.datetime | Unset
        if isinstance(_idle_since,  Unset):
            idle_since = UNSET
        else:
            idle_since = datetime.datetime.fromisoformat(_idle_since)




        idle_timeout_seconds = d.pop("idle_timeout_seconds", UNSET)

        lease_event_reclaimed_idle_detail = cls(
            reason=reason,
            idle_seconds=idle_seconds,
            idle_since=idle_since,
            idle_timeout_seconds=idle_timeout_seconds,
        )


        lease_event_reclaimed_idle_detail.additional_properties = d
        return lease_event_reclaimed_idle_detail

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
