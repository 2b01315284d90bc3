from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="LeaseUsage")



@_attrs_define
class LeaseUsage:
    """ What a lease really used, exact over its active interval (from activation until it ended,
    or now; each slice until its release if that came first), from its agent's reports.

        Attributes:
            busy_share (float | None): Share of `held_seconds` not idle (0–1); `null` before it was active.
            held_seconds (float): Seconds its slices were held while active, summed over its slices.
            idle_held_hours (float): `idle_held_seconds` in hours (idle-held slice-hours).
            idle_held_seconds (float): Of `held_seconds`, those its agent reported the slices idle (no compute process and,
                where measured, no activity).
            idle_share (float | None): Share of `held_seconds` idle (0–1); `null` before it was active.
            peak_memory_mib (int | None): The most memory its agent reported in use on any of its slices (MiB); `null` until
                a
                report carried a memory figure.
            profile_memory_mib (int | None): Its profile's nominal memory (the figure in the name, GiB × 1024).
     """

    busy_share: float | None
    held_seconds: float
    idle_held_hours: float
    idle_held_seconds: float
    idle_share: float | None
    peak_memory_mib: int | None
    profile_memory_mib: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        busy_share: float | None
        busy_share = self.busy_share

        held_seconds = self.held_seconds

        idle_held_hours = self.idle_held_hours

        idle_held_seconds = self.idle_held_seconds

        idle_share: float | None
        idle_share = self.idle_share

        peak_memory_mib: int | None
        peak_memory_mib = self.peak_memory_mib

        profile_memory_mib: int | None
        profile_memory_mib = self.profile_memory_mib


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "busy_share": busy_share,
            "held_seconds": held_seconds,
            "idle_held_hours": idle_held_hours,
            "idle_held_seconds": idle_held_seconds,
            "idle_share": idle_share,
            "peak_memory_mib": peak_memory_mib,
            "profile_memory_mib": profile_memory_mib,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_busy_share(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        busy_share = _parse_busy_share(d.pop("busy_share"))


        held_seconds = d.pop("held_seconds")

        idle_held_hours = d.pop("idle_held_hours")

        idle_held_seconds = d.pop("idle_held_seconds")

        def _parse_idle_share(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        idle_share = _parse_idle_share(d.pop("idle_share"))


        def _parse_peak_memory_mib(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        peak_memory_mib = _parse_peak_memory_mib(d.pop("peak_memory_mib"))


        def _parse_profile_memory_mib(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        profile_memory_mib = _parse_profile_memory_mib(d.pop("profile_memory_mib"))


        lease_usage = cls(
            busy_share=busy_share,
            held_seconds=held_seconds,
            idle_held_hours=idle_held_hours,
            idle_held_seconds=idle_held_seconds,
            idle_share=idle_share,
            peak_memory_mib=peak_memory_mib,
            profile_memory_mib=profile_memory_mib,
        )


        lease_usage.additional_properties = d
        return lease_usage

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
