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
  from ..models.slice_class_patch_profiles import SliceClassPatchProfiles





T = TypeVar("T", bound="SliceClassPatch")



@_attrs_define
class SliceClassPatch:
    """ Changes some fields of a class; what is left out stays as it is. `null` clears
    `min_memory_gib`, `min_compute_slices` and `tenants` (every tenant). Bounds as for
    [`SliceClassSpec`].

        Attributes:
            default_duration_seconds (int | Unset):
            description (str | Unset):
            idle_timeout_seconds (int | Unset):
            max_duration_seconds (int | Unset):
            min_compute_slices (int | None | Unset):
            min_memory_gib (int | None | Unset):
            priority (int | Unset):
            profiles (SliceClassPatchProfiles | Unset):
            tenants (list[UUID] | None | Unset):
     """

    default_duration_seconds: int | Unset = UNSET
    description: str | Unset = UNSET
    idle_timeout_seconds: int | Unset = UNSET
    max_duration_seconds: int | Unset = UNSET
    min_compute_slices: int | None | Unset = UNSET
    min_memory_gib: int | None | Unset = UNSET
    priority: int | Unset = UNSET
    profiles: SliceClassPatchProfiles | Unset = UNSET
    tenants: list[UUID] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.slice_class_patch_profiles import SliceClassPatchProfiles # noqa: PLC0415
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
        })
        if default_duration_seconds is not UNSET:
            field_dict["default_duration_seconds"] = default_duration_seconds
        if description is not UNSET:
            field_dict["description"] = description
        if idle_timeout_seconds is not UNSET:
            field_dict["idle_timeout_seconds"] = idle_timeout_seconds
        if max_duration_seconds is not UNSET:
            field_dict["max_duration_seconds"] = max_duration_seconds
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
        from ..models.slice_class_patch_profiles import SliceClassPatchProfiles # noqa: PLC0415
        d = dict(src_dict)
        default_duration_seconds = d.pop("default_duration_seconds", UNSET)

        description = d.pop("description", UNSET)

        idle_timeout_seconds = d.pop("idle_timeout_seconds", UNSET)

        max_duration_seconds = d.pop("max_duration_seconds", UNSET)

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
        profiles: SliceClassPatchProfiles | Unset
        if isinstance(_profiles,  Unset):
            profiles = UNSET
        else:
            profiles = SliceClassPatchProfiles.from_dict(_profiles)




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


        slice_class_patch = cls(
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

        return slice_class_patch

