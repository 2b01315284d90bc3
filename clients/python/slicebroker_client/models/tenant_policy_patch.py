from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.gpu_model_key import GpuModelKey
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TenantPolicyPatch")



@_attrs_define
class TenantPolicyPatch:
    """ Some fields of a [`TenantPolicy`]. A field left out keeps its value (its default, for a new
    tenant); `null` makes a limit unlimited where the policy allows that, and is refused for the
    others (naming the field). Bounds: quotas 0 to
    10,000,000; durations in seconds, 1 (0 for `max_total_extension_seconds`) to 31,622,400
    (366 days); the budget 0 to 1,000,000,000 compute-slice-hours; at most 32 models.

        Attributes:
            allowed_gpu_models (list[GpuModelKey] | Unset): Catalog keys the tenant may use, each once; empty means every
                model (the default).
            default_idle_timeout_seconds (int | Unset): Idle timeout of leases that do not ask for one, in seconds (default
                7200). Default: 7200.
            max_booking_ahead_seconds (int | Unset): Furthest ahead a booking may start, in seconds (default 2592000, 30
                days). Default: 2592000.
            max_booking_seconds (int | None | Unset): Longest booking, in seconds; `null`: `max_lease_seconds` (the
                default).
            max_bookings (int | None | Unset): Most bookings not yet started at once; `null`: unlimited (the default).
            max_compute_slices_outside_classes (int | None | Unset): The largest profile, in compute slices, outside slice
                classes; `null`: any (the
                default).
            max_lease_seconds (int | Unset): Longest lease, in seconds (default 604800, 7 days). Default: 604800.
            max_live_compute_slices (int | None | Unset): Most compute slices the tenant's live leases may hold together;
                `null`: unlimited.
            max_live_leases (int | None | Unset): Most live leases at once; `null`: unlimited.
            max_live_memory_gib (int | None | Unset): Most GiB (by profile name) the tenant's live leases may hold together;
                `null`: unlimited.
            max_total_extension_seconds (int | Unset): Most time all extensions of one lease may add, in seconds (default
                604800). Default: 604800.
            monthly_budget_slice_hours (int | None | Unset): Most compute-slice-hours per UTC calendar month; `null`:
                unlimited (the default).
     """

    allowed_gpu_models: list[GpuModelKey] | Unset = UNSET
    default_idle_timeout_seconds: int | Unset = 7200
    max_booking_ahead_seconds: int | Unset = 2592000
    max_booking_seconds: int | None | Unset = UNSET
    max_bookings: int | None | Unset = UNSET
    max_compute_slices_outside_classes: int | None | Unset = UNSET
    max_lease_seconds: int | Unset = 604800
    max_live_compute_slices: int | None | Unset = UNSET
    max_live_leases: int | None | Unset = UNSET
    max_live_memory_gib: int | None | Unset = UNSET
    max_total_extension_seconds: int | Unset = 604800
    monthly_budget_slice_hours: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        allowed_gpu_models: list[str] | Unset = UNSET
        if not isinstance(self.allowed_gpu_models, Unset):
            allowed_gpu_models = []
            for allowed_gpu_models_item_data in self.allowed_gpu_models:
                allowed_gpu_models_item = allowed_gpu_models_item_data.value
                allowed_gpu_models.append(allowed_gpu_models_item)



        default_idle_timeout_seconds = self.default_idle_timeout_seconds

        max_booking_ahead_seconds = self.max_booking_ahead_seconds

        max_booking_seconds: int | None | Unset
        if isinstance(self.max_booking_seconds, Unset):
            max_booking_seconds = UNSET
        else:
            max_booking_seconds = self.max_booking_seconds

        max_bookings: int | None | Unset
        if isinstance(self.max_bookings, Unset):
            max_bookings = UNSET
        else:
            max_bookings = self.max_bookings

        max_compute_slices_outside_classes: int | None | Unset
        if isinstance(self.max_compute_slices_outside_classes, Unset):
            max_compute_slices_outside_classes = UNSET
        else:
            max_compute_slices_outside_classes = self.max_compute_slices_outside_classes

        max_lease_seconds = self.max_lease_seconds

        max_live_compute_slices: int | None | Unset
        if isinstance(self.max_live_compute_slices, Unset):
            max_live_compute_slices = UNSET
        else:
            max_live_compute_slices = self.max_live_compute_slices

        max_live_leases: int | None | Unset
        if isinstance(self.max_live_leases, Unset):
            max_live_leases = UNSET
        else:
            max_live_leases = self.max_live_leases

        max_live_memory_gib: int | None | Unset
        if isinstance(self.max_live_memory_gib, Unset):
            max_live_memory_gib = UNSET
        else:
            max_live_memory_gib = self.max_live_memory_gib

        max_total_extension_seconds = self.max_total_extension_seconds

        monthly_budget_slice_hours: int | None | Unset
        if isinstance(self.monthly_budget_slice_hours, Unset):
            monthly_budget_slice_hours = UNSET
        else:
            monthly_budget_slice_hours = self.monthly_budget_slice_hours


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if allowed_gpu_models is not UNSET:
            field_dict["allowed_gpu_models"] = allowed_gpu_models
        if default_idle_timeout_seconds is not UNSET:
            field_dict["default_idle_timeout_seconds"] = default_idle_timeout_seconds
        if max_booking_ahead_seconds is not UNSET:
            field_dict["max_booking_ahead_seconds"] = max_booking_ahead_seconds
        if max_booking_seconds is not UNSET:
            field_dict["max_booking_seconds"] = max_booking_seconds
        if max_bookings is not UNSET:
            field_dict["max_bookings"] = max_bookings
        if max_compute_slices_outside_classes is not UNSET:
            field_dict["max_compute_slices_outside_classes"] = max_compute_slices_outside_classes
        if max_lease_seconds is not UNSET:
            field_dict["max_lease_seconds"] = max_lease_seconds
        if max_live_compute_slices is not UNSET:
            field_dict["max_live_compute_slices"] = max_live_compute_slices
        if max_live_leases is not UNSET:
            field_dict["max_live_leases"] = max_live_leases
        if max_live_memory_gib is not UNSET:
            field_dict["max_live_memory_gib"] = max_live_memory_gib
        if max_total_extension_seconds is not UNSET:
            field_dict["max_total_extension_seconds"] = max_total_extension_seconds
        if monthly_budget_slice_hours is not UNSET:
            field_dict["monthly_budget_slice_hours"] = monthly_budget_slice_hours

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _allowed_gpu_models = d.pop("allowed_gpu_models", UNSET)
        allowed_gpu_models: list[GpuModelKey] | Unset = UNSET
        if _allowed_gpu_models is not UNSET:
            allowed_gpu_models = []
            for allowed_gpu_models_item_data in _allowed_gpu_models:
                allowed_gpu_models_item = GpuModelKey(allowed_gpu_models_item_data)



                allowed_gpu_models.append(allowed_gpu_models_item)


        default_idle_timeout_seconds = d.pop("default_idle_timeout_seconds", UNSET)

        max_booking_ahead_seconds = d.pop("max_booking_ahead_seconds", UNSET)

        def _parse_max_booking_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_booking_seconds = _parse_max_booking_seconds(d.pop("max_booking_seconds", UNSET))


        def _parse_max_bookings(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_bookings = _parse_max_bookings(d.pop("max_bookings", UNSET))


        def _parse_max_compute_slices_outside_classes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_compute_slices_outside_classes = _parse_max_compute_slices_outside_classes(d.pop("max_compute_slices_outside_classes", UNSET))


        max_lease_seconds = d.pop("max_lease_seconds", UNSET)

        def _parse_max_live_compute_slices(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_live_compute_slices = _parse_max_live_compute_slices(d.pop("max_live_compute_slices", UNSET))


        def _parse_max_live_leases(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_live_leases = _parse_max_live_leases(d.pop("max_live_leases", UNSET))


        def _parse_max_live_memory_gib(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_live_memory_gib = _parse_max_live_memory_gib(d.pop("max_live_memory_gib", UNSET))


        max_total_extension_seconds = d.pop("max_total_extension_seconds", UNSET)

        def _parse_monthly_budget_slice_hours(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_budget_slice_hours = _parse_monthly_budget_slice_hours(d.pop("monthly_budget_slice_hours", UNSET))


        tenant_policy_patch = cls(
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

        return tenant_policy_patch

