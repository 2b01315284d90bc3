from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="UsageRow")



@_attrs_define
class UsageRow:
    """ 
        Attributes:
            compute_slice_hours (float): `slice_hours` × the profile's compute slices.
            cost (float | None): `slice_hours` priced by the cost rates (`GET /v1/rates`) in force when the report is
                made; `null` when no rate applies to this model and profile.
            day (datetime.date): UTC day.
            idle_held_slice_hours (float): Of `slice_hours`, the hours the lease held the slice while its agent reported it
                idle
                (no compute process and, where measured, no activity).
            model (str):
            profile (str):
            slice_hours (float): Hours a slice of this profile was held, summed.
            tenant (str):
            tenant_id (UUID):
     """

    compute_slice_hours: float
    cost: float | None
    day: datetime.date
    idle_held_slice_hours: float
    model: str
    profile: str
    slice_hours: float
    tenant: str
    tenant_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        compute_slice_hours = self.compute_slice_hours

        cost: float | None
        cost = self.cost

        day = self.day.isoformat()

        idle_held_slice_hours = self.idle_held_slice_hours

        model = self.model

        profile = self.profile

        slice_hours = self.slice_hours

        tenant = self.tenant

        tenant_id = str(self.tenant_id)


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "compute_slice_hours": compute_slice_hours,
            "cost": cost,
            "day": day,
            "idle_held_slice_hours": idle_held_slice_hours,
            "model": model,
            "profile": profile,
            "slice_hours": slice_hours,
            "tenant": tenant,
            "tenant_id": tenant_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        compute_slice_hours = d.pop("compute_slice_hours")

        def _parse_cost(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cost = _parse_cost(d.pop("cost"))


        day = datetime.date.fromisoformat(d.pop("day"))




        idle_held_slice_hours = d.pop("idle_held_slice_hours")

        model = d.pop("model")

        profile = d.pop("profile")

        slice_hours = d.pop("slice_hours")

        tenant = d.pop("tenant")

        tenant_id = UUID(d.pop("tenant_id"))




        usage_row = cls(
            compute_slice_hours=compute_slice_hours,
            cost=cost,
            day=day,
            idle_held_slice_hours=idle_held_slice_hours,
            model=model,
            profile=profile,
            slice_hours=slice_hours,
            tenant=tenant,
            tenant_id=tenant_id,
        )


        usage_row.additional_properties = d
        return usage_row

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
