from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.nvml_profile_index import NvmlProfileIndex
from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.placement import Placement





T = TypeVar("T", bound="DesiredSlice")



@_attrs_define
class DesiredSlice:
    """ One slice the server wants: a profile (by its NVML index constant, which unlike the profile
    id is the same on every board) at a placement, for a lease.

        Attributes:
            lease_id (UUID):
            placement (Placement): A placement of a GPU instance: `size` memory slices starting at `start`
                (`nvmlGpuInstancePlacement_t`).
            profile (NvmlProfileIndex): The `NVML_GPU_INSTANCE_PROFILE_*` index constant passed to
                `nvmlDeviceGetGpuInstanceProfileInfo`. Not the profile *id* the driver returns in `info.id`.
            profile_name (str): For logs and errors, e.g. `3g.40gb`.
     """

    lease_id: UUID
    placement: Placement
    profile: NvmlProfileIndex
    profile_name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.placement import Placement # noqa: PLC0415
        lease_id = str(self.lease_id)

        placement = self.placement.to_dict()

        profile = self.profile.value

        profile_name = self.profile_name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "lease_id": lease_id,
            "placement": placement,
            "profile": profile,
            "profile_name": profile_name,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.placement import Placement # noqa: PLC0415
        d = dict(src_dict)
        lease_id = UUID(d.pop("lease_id"))




        placement = Placement.from_dict(d.pop("placement"))




        profile = NvmlProfileIndex(d.pop("profile"))




        profile_name = d.pop("profile_name")

        desired_slice = cls(
            lease_id=lease_id,
            placement=placement,
            profile=profile,
            profile_name=profile_name,
        )


        desired_slice.additional_properties = d
        return desired_slice

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
