from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.tenant_role import TenantRole






T = TypeVar("T", bound="ApiKeyCreate")



@_attrs_define
class ApiKeyCreate:
    """ Request to create a key.

        Attributes:
            name (str): What the key is for (`ci`, `alice's laptop`).
            role (TenantRole): The role of a tenant's key.
     """

    name: str
    role: TenantRole





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        role = self.role.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "role": role,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        role = TenantRole(d.pop("role"))




        api_key_create = cls(
            name=name,
            role=role,
        )

        return api_key_create

