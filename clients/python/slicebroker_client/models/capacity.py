from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Capacity")



@_attrs_define
class Capacity:
    """ How many more of one profile fit right now on one model.

        Attributes:
            available (int): Instances that could be created now, each GPU counted on its own.
            compute_slices (int):
            memory_gib (int):
            model (str):
            profile (str):
     """

    available: int
    compute_slices: int
    memory_gib: int
    model: str
    profile: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        available = self.available

        compute_slices = self.compute_slices

        memory_gib = self.memory_gib

        model = self.model

        profile = self.profile


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "available": available,
            "compute_slices": compute_slices,
            "memory_gib": memory_gib,
            "model": model,
            "profile": profile,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        available = d.pop("available")

        compute_slices = d.pop("compute_slices")

        memory_gib = d.pop("memory_gib")

        model = d.pop("model")

        profile = d.pop("profile")

        capacity = cls(
            available=available,
            compute_slices=compute_slices,
            memory_gib=memory_gib,
            model=model,
            profile=profile,
        )


        capacity.additional_properties = d
        return capacity

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
