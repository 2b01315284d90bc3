from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.tenant_policy_patch import TenantPolicyPatch





T = TypeVar("T", bound="TenantUpdate")



@_attrs_define
class TenantUpdate:
    """ Changes the display name and/or some policy fields; what is left out stays as it is.

        Attributes:
            display_name (None | str | Unset): 1-200 characters.
            policy (None | TenantPolicyPatch | Unset):
     """

    display_name: None | str | Unset = UNSET
    policy: None | TenantPolicyPatch | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.tenant_policy_patch import TenantPolicyPatch # noqa: PLC0415
        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        policy: dict[str, Any] | None | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        elif isinstance(self.policy, TenantPolicyPatch):
            policy = self.policy.to_dict()
        else:
            policy = self.policy


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tenant_policy_patch import TenantPolicyPatch # noqa: PLC0415
        d = dict(src_dict)
        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))


        def _parse_policy(data: object) -> None | TenantPolicyPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                policy_type_0 = TenantPolicyPatch.from_dict(data)



                return policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TenantPolicyPatch | Unset, data)

        policy = _parse_policy(d.pop("policy", UNSET))


        tenant_update = cls(
            display_name=display_name,
            policy=policy,
        )

        return tenant_update

