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
            display_name (str | Unset): 1-200 characters.
            policy (TenantPolicyPatch | Unset): Some fields of a [`TenantPolicy`]. A field left out keeps its value (its
                default, for a new
                tenant); `null` makes a limit unlimited where the policy allows that, and is refused for the
                others (naming the field). Bounds: quotas 0 to
                10,000,000; durations in seconds, 1 (0 for `max_total_extension_seconds`) to 31,622,400
                (366 days); the budget 0 to 1,000,000,000 compute-slice-hours; at most 32 models.
     """

    display_name: str | Unset = UNSET
    policy: TenantPolicyPatch | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.tenant_policy_patch import TenantPolicyPatch # noqa: PLC0415
        display_name = self.display_name

        policy: dict[str, Any] | Unset = UNSET
        if not isinstance(self.policy, Unset):
            policy = self.policy.to_dict()


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
        display_name = d.pop("display_name", UNSET)

        _policy = d.pop("policy", UNSET)
        policy: TenantPolicyPatch | Unset
        if isinstance(_policy,  Unset):
            policy = UNSET
        else:
            policy = TenantPolicyPatch.from_dict(_policy)




        tenant_update = cls(
            display_name=display_name,
            policy=policy,
        )

        return tenant_update

