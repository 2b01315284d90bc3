from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="TenantPolicy")



@_attrs_define
class TenantPolicy:
    """ A tenant's quotas and lease limits. `null` limits are unlimited.

        Attributes:
            allowed_gpu_models (list[str]): Catalog keys the tenant may use, each once; empty means every model.
            default_idle_timeout_seconds (int): Idle timeout of leases that do not ask for one, in seconds.
            max_booking_ahead_seconds (int): Furthest ahead a booking may start, in seconds (default 2592000, 30 days; at
                most that).
            max_booking_seconds (int | None): Longest booking, in seconds (`null`: `max_lease_seconds`).
            max_bookings (int | None): Most bookings not yet started at once.
            max_compute_slices_outside_classes (int | None): The largest profile, in compute slices, a lease not made from a
                slice class may get
                (`null`: any; `0`: every lease must name a class; at most 8). `4` keeps 7g profiles to
                the classes that give them, such as a `full-gpu` class.
            max_lease_seconds (int): Longest lease, in seconds.
            max_live_compute_slices (int | None): Most compute slices the tenant's live leases may hold together.
            max_live_leases (int | None): Most live leases at once.
            max_live_memory_gib (int | None): Most GiB (by profile name) the tenant's live leases may hold together.
            max_total_extension_seconds (int): Most time all extensions of one lease may add, in seconds.
            monthly_budget_slice_hours (int | None): Most compute-slice-hours the tenant's leases may commit in one UTC
                calendar month
                (see `domain::budget`); grants and extensions past it are refused.
     """

    allowed_gpu_models: list[str]
    default_idle_timeout_seconds: int
    max_booking_ahead_seconds: int
    max_booking_seconds: int | None
    max_bookings: int | None
    max_compute_slices_outside_classes: int | None
    max_lease_seconds: int
    max_live_compute_slices: int | None
    max_live_leases: int | None
    max_live_memory_gib: int | None
    max_total_extension_seconds: int
    monthly_budget_slice_hours: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        allowed_gpu_models = self.allowed_gpu_models



        default_idle_timeout_seconds = self.default_idle_timeout_seconds

        max_booking_ahead_seconds = self.max_booking_ahead_seconds

        max_booking_seconds: int | None
        max_booking_seconds = self.max_booking_seconds

        max_bookings: int | None
        max_bookings = self.max_bookings

        max_compute_slices_outside_classes: int | None
        max_compute_slices_outside_classes = self.max_compute_slices_outside_classes

        max_lease_seconds = self.max_lease_seconds

        max_live_compute_slices: int | None
        max_live_compute_slices = self.max_live_compute_slices

        max_live_leases: int | None
        max_live_leases = self.max_live_leases

        max_live_memory_gib: int | None
        max_live_memory_gib = self.max_live_memory_gib

        max_total_extension_seconds = self.max_total_extension_seconds

        monthly_budget_slice_hours: int | None
        monthly_budget_slice_hours = self.monthly_budget_slice_hours


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "allowed_gpu_models": allowed_gpu_models,
            "default_idle_timeout_seconds": default_idle_timeout_seconds,
            "max_booking_ahead_seconds": max_booking_ahead_seconds,
            "max_booking_seconds": max_booking_seconds,
            "max_bookings": max_bookings,
            "max_compute_slices_outside_classes": max_compute_slices_outside_classes,
            "max_lease_seconds": max_lease_seconds,
            "max_live_compute_slices": max_live_compute_slices,
            "max_live_leases": max_live_leases,
            "max_live_memory_gib": max_live_memory_gib,
            "max_total_extension_seconds": max_total_extension_seconds,
            "monthly_budget_slice_hours": monthly_budget_slice_hours,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed_gpu_models = cast(list[str], d.pop("allowed_gpu_models"))


        default_idle_timeout_seconds = d.pop("default_idle_timeout_seconds")

        max_booking_ahead_seconds = d.pop("max_booking_ahead_seconds")

        def _parse_max_booking_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_booking_seconds = _parse_max_booking_seconds(d.pop("max_booking_seconds"))


        def _parse_max_bookings(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_bookings = _parse_max_bookings(d.pop("max_bookings"))


        def _parse_max_compute_slices_outside_classes(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_compute_slices_outside_classes = _parse_max_compute_slices_outside_classes(d.pop("max_compute_slices_outside_classes"))


        max_lease_seconds = d.pop("max_lease_seconds")

        def _parse_max_live_compute_slices(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_live_compute_slices = _parse_max_live_compute_slices(d.pop("max_live_compute_slices"))


        def _parse_max_live_leases(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_live_leases = _parse_max_live_leases(d.pop("max_live_leases"))


        def _parse_max_live_memory_gib(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_live_memory_gib = _parse_max_live_memory_gib(d.pop("max_live_memory_gib"))


        max_total_extension_seconds = d.pop("max_total_extension_seconds")

        def _parse_monthly_budget_slice_hours(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        monthly_budget_slice_hours = _parse_monthly_budget_slice_hours(d.pop("monthly_budget_slice_hours"))


        tenant_policy = cls(
            allowed_gpu_models=allowed_gpu_models,
            default_idle_timeout_seconds=default_idle_timeout_seconds,
            max_booking_ahead_seconds=max_booking_ahead_seconds,
            max_booking_seconds=max_booking_seconds,
            max_bookings=max_bookings,
            max_compute_slices_outside_classes=max_compute_slices_outside_classes,
            max_lease_seconds=max_lease_seconds,
            max_live_compute_slices=max_live_compute_slices,
            max_live_leases=max_live_leases,
            max_live_memory_gib=max_live_memory_gib,
            max_total_extension_seconds=max_total_extension_seconds,
            monthly_budget_slice_hours=monthly_budget_slice_hours,
        )


        tenant_policy.additional_properties = d
        return tenant_policy

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
