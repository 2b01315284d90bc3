from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.slice_class_profiles import SliceClassProfiles





T = TypeVar("T", bound="SliceClass")



@_attrs_define
class SliceClass:
    """ A slice class: what a lease made from it gets, unless its request narrows it. The fields
    after `name` are those of [`SliceClassSpec`].

        Attributes:
            created_at (datetime.datetime):
            default_duration_seconds (int):
            description (str):
            idle_timeout_seconds (int):
            max_duration_seconds (int):
            min_compute_slices (int | None): With `min_memory_gib`: at least this many compute slices.
            min_memory_gib (int | None): On models `profiles` does not name: the smallest plain profile with this much
                memory.
            name (str): Unique, lower-case, DNS-label style (`notebook`).
            priority (int):
            profiles (SliceClassProfiles): A profile name per GPU model (catalog key → profile name).
            tenants (list[UUID] | None): The tenants that may use it; `null`: every tenant.
            updated_at (datetime.datetime):
     """

    created_at: datetime.datetime
    default_duration_seconds: int
    description: str
    idle_timeout_seconds: int
    max_duration_seconds: int
    min_compute_slices: int | None
    min_memory_gib: int | None
    name: str
    priority: int
    profiles: SliceClassProfiles
    tenants: list[UUID] | None
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.slice_class_profiles import SliceClassProfiles # noqa: PLC0415
        created_at = self.created_at.isoformat()

        default_duration_seconds = self.default_duration_seconds

        description = self.description

        idle_timeout_seconds = self.idle_timeout_seconds

        max_duration_seconds = self.max_duration_seconds

        min_compute_slices: int | None
        min_compute_slices = self.min_compute_slices

        min_memory_gib: int | None
        min_memory_gib = self.min_memory_gib

        name = self.name

        priority = self.priority

        profiles = self.profiles.to_dict()

        tenants: list[str] | None
        if isinstance(self.tenants, list):
            tenants = []
            for tenants_type_0_item_data in self.tenants:
                tenants_type_0_item = str(tenants_type_0_item_data)
                tenants.append(tenants_type_0_item)


        else:
            tenants = self.tenants

        updated_at = self.updated_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "default_duration_seconds": default_duration_seconds,
            "description": description,
            "idle_timeout_seconds": idle_timeout_seconds,
            "max_duration_seconds": max_duration_seconds,
            "min_compute_slices": min_compute_slices,
            "min_memory_gib": min_memory_gib,
            "name": name,
            "priority": priority,
            "profiles": profiles,
            "tenants": tenants,
            "updated_at": updated_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.slice_class_profiles import SliceClassProfiles # noqa: PLC0415
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        default_duration_seconds = d.pop("default_duration_seconds")

        description = d.pop("description")

        idle_timeout_seconds = d.pop("idle_timeout_seconds")

        max_duration_seconds = d.pop("max_duration_seconds")

        def _parse_min_compute_slices(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        min_compute_slices = _parse_min_compute_slices(d.pop("min_compute_slices"))


        def _parse_min_memory_gib(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        min_memory_gib = _parse_min_memory_gib(d.pop("min_memory_gib"))


        name = d.pop("name")

        priority = d.pop("priority")

        profiles = SliceClassProfiles.from_dict(d.pop("profiles"))




        def _parse_tenants(data: object) -> list[UUID] | None:
            if data is None:
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
            return cast(list[UUID] | None, data)

        tenants = _parse_tenants(d.pop("tenants"))


        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        slice_class = cls(
            created_at=created_at,
            default_duration_seconds=default_duration_seconds,
            description=description,
            idle_timeout_seconds=idle_timeout_seconds,
            max_duration_seconds=max_duration_seconds,
            min_compute_slices=min_compute_slices,
            min_memory_gib=min_memory_gib,
            name=name,
            priority=priority,
            profiles=profiles,
            tenants=tenants,
            updated_at=updated_at,
        )


        slice_class.additional_properties = d
        return slice_class

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
