from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Recommendation")



@_attrs_define
class Recommendation:
    """ A smaller profile that would have served most of a group's leases.

        Attributes:
            freed_compute_slice_hours (float): Compute-slice-hours the served leases would have left free: their slice-hours
                × the
                difference in compute slices.
            leases (int):
            profile (str): The smallest profile of the same GPU model whose memory covers the served leases'
                peaks with headroom.
            profile_memory_mib (int):
            served (int): Leases it would have served (peak memory with headroom within its memory, busy under
                the busy threshold).
            text (str): The recommendation as a sentence.
     """

    freed_compute_slice_hours: float
    leases: int
    profile: str
    profile_memory_mib: int
    served: int
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        freed_compute_slice_hours = self.freed_compute_slice_hours

        leases = self.leases

        profile = self.profile

        profile_memory_mib = self.profile_memory_mib

        served = self.served

        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "freed_compute_slice_hours": freed_compute_slice_hours,
            "leases": leases,
            "profile": profile,
            "profile_memory_mib": profile_memory_mib,
            "served": served,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        freed_compute_slice_hours = d.pop("freed_compute_slice_hours")

        leases = d.pop("leases")

        profile = d.pop("profile")

        profile_memory_mib = d.pop("profile_memory_mib")

        served = d.pop("served")

        text = d.pop("text")

        recommendation = cls(
            freed_compute_slice_hours=freed_compute_slice_hours,
            leases=leases,
            profile=profile,
            profile_memory_mib=profile_memory_mib,
            served=served,
            text=text,
        )


        recommendation.additional_properties = d
        return recommendation

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
