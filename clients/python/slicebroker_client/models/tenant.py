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
  from ..models.tenant_policy import TenantPolicy





T = TypeVar("T", bound="Tenant")



@_attrs_define
class Tenant:
    """ 
        Attributes:
            created_at (datetime.datetime):
            display_name (str):
            id (UUID):
            name (str): Unique, lower-case, DNS-label style.
            policy (TenantPolicy): A tenant's quotas and lease limits. `null` limits are unlimited.
            updated_at (datetime.datetime):
     """

    created_at: datetime.datetime
    display_name: str
    id: UUID
    name: str
    policy: TenantPolicy
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.tenant_policy import TenantPolicy # noqa: PLC0415
        created_at = self.created_at.isoformat()

        display_name = self.display_name

        id = str(self.id)

        name = self.name

        policy = self.policy.to_dict()

        updated_at = self.updated_at.isoformat()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "display_name": display_name,
            "id": id,
            "name": name,
            "policy": policy,
            "updated_at": updated_at,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tenant_policy import TenantPolicy # noqa: PLC0415
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        display_name = d.pop("display_name")

        id = UUID(d.pop("id"))




        name = d.pop("name")

        policy = TenantPolicy.from_dict(d.pop("policy"))




        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))




        tenant = cls(
            created_at=created_at,
            display_name=display_name,
            id=id,
            name=name,
            policy=policy,
            updated_at=updated_at,
        )


        tenant.additional_properties = d
        return tenant

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
