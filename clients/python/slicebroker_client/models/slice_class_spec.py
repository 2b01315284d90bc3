from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.slice_class_spec_profiles import SliceClassSpecProfiles





T = TypeVar("T", bound="SliceClassSpec")



@_attrs_define
class SliceClassSpec:
    """ What a class gives and to whom. It gives `profiles` on the models they name and, on other
    models, the smallest plain profile with `min_memory_gib` and `min_compute_slices`; at least
    one of the two. Bounds: durations 1 to 31,622,400 seconds (366 days), the default at most
    the longest; priority -100 to 100; at most 32 models and 1,000 tenants.

        Attributes:
            default_duration_seconds (int): A lease's duration when its request gives none, in seconds.
            description (str): What it is for, for people choosing one: 1-200 characters.
            idle_timeout_seconds (int): The leases' idle timeout, in seconds; a request may ask for less. Never above the
                tenant's `default_idle_timeout_seconds`, which caps it.
            max_duration_seconds (int): The longest duration a request may ask for, in seconds.
            min_compute_slices (int | None | Unset): With `min_memory_gib`: at least this many compute slices (default 1).
            min_memory_gib (int | None | Unset): On models `profiles` does not name: the smallest plain profile with this
                much memory.
            priority (int | Unset): Place in the pending queue; a request may ask for less.
            profiles (SliceClassSpecProfiles | Unset): A profile name per GPU model (catalog key → `nvidia-smi` profile
                name); at most 32.
            tenants (list[UUID] | None | Unset): The tenants that may use it, by id (each must exist); `null` (the default):
                every tenant.
     """

    default_duration_seconds: int
    description: str
    idle_timeout_seconds: int
    max_duration_seconds: int
    min_compute_slices: int | None | Unset = UNSET
    min_memory_gib: int | None | Unset = UNSET
    priority: int | Unset = UNSET
    profiles: SliceClassSpecProfiles | Unset = UNSET
    tenants: list[UUID] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.slice_class_spec_profiles import SliceClassSpecProfiles # noqa: PLC0415
        default_duration_seconds = self.default_duration_seconds

        description = self.description

        idle_timeout_seconds = self.idle_timeout_seconds

        max_duration_seconds = self.max_duration_seconds

        min_compute_slices: int | None | Unset
        if isinstance(self.min_compute_slices, Unset):
            min_compute_slices = UNSET
        else:
            min_compute_slices = self.min_compute_slices

        min_memory_gib: int | None | Unset
        if isinstance(self.min_memory_gib, Unset):
            min_memory_gib = UNSET
        else:
            min_memory_gib = self.min_memory_gib

        priority = self.priority

        profiles: dict[str, Any] | Unset = UNSET
        if not isinstance(self.profiles, Unset):
            profiles = self.profiles.to_dict()

        tenants: list[str] | None | Unset
        if isinstance(self.tenants, Unset):
            tenants = UNSET
        elif isinstance(self.tenants, list):
            tenants = []
            for tenants_type_0_item_data in self.tenants:
                tenants_type_0_item = str(tenants_type_0_item_data)
                tenants.append(tenants_type_0_item)


        else:
            tenants = self.tenants


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "default_duration_seconds": default_duration_seconds,
            "description": description,
            "idle_timeout_seconds": idle_timeout_seconds,
            "max_duration_seconds": max_duration_seconds,
        })
        if min_compute_slices is not UNSET:
            field_dict["min_compute_slices"] = min_compute_slices
        if min_memory_gib is not UNSET:
            field_dict["min_memory_gib"] = min_memory_gib
        if priority is not UNSET:
            field_dict["priority"] = priority
        if profiles is not UNSET:
            field_dict["profiles"] = profiles
        if tenants is not UNSET:
            field_dict["tenants"] = tenants

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.slice_class_spec_profiles import SliceClassSpecProfiles # noqa: PLC0415
        d = dict(src_dict)
        default_duration_seconds = d.pop("default_duration_seconds")

        description = d.pop("description")

        idle_timeout_seconds = d.pop("idle_timeout_seconds")

        max_duration_seconds = d.pop("max_duration_seconds")

        def _parse_min_compute_slices(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_compute_slices = _parse_min_compute_slices(d.pop("min_compute_slices", UNSET))


        def _parse_min_memory_gib(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_memory_gib = _parse_min_memory_gib(d.pop("min_memory_gib", UNSET))


        priority = d.pop("priority", UNSET)

        _profiles = d.pop("profiles", UNSET)
        profiles: SliceClassSpecProfiles | Unset
        if isinstance(_profiles,  Unset):
            profiles = UNSET
        else:
            profiles = SliceClassSpecProfiles.from_dict(_profiles)




        def _parse_tenants(data: object) -> list[UUID] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tenants_type_0 = []
                _tenants_type_0 = data
                for tenants_type_0_item_data in (_tenants_type_0):
                    tenants_type_0_item = UUID(tenants_type_0_item_data)



                    tenants_type_0.append(tenants_type_0_item)

                return tenants_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UUID] | None | Unset, data)

        tenants = _parse_tenants(d.pop("tenants", UNSET))


        slice_class_spec = cls(
            default_duration_seconds=default_duration_seconds,
            description=description,
            idle_timeout_seconds=idle_timeout_seconds,
            max_duration_seconds=max_duration_seconds,
            min_compute_slices=min_compute_slices,
            min_memory_gib=min_memory_gib,
            priority=priority,
            profiles=profiles,
            tenants=tenants,
        )

        return slice_class_spec

