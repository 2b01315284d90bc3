from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ComputeInstance")



@_attrs_define
class ComputeInstance:
    """ A compute instance inside a GPU instance; its MIG device is what `CUDA_VISIBLE_DEVICES` names.

        Attributes:
            id (int):
            mig_uuid (str):
            profile_id (int): `NVML_COMPUTE_INSTANCE_PROFILE_*` id.
     """

    id: int
    mig_uuid: str
    profile_id: int





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        mig_uuid = self.mig_uuid

        profile_id = self.profile_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "id": id,
            "mig_uuid": mig_uuid,
            "profile_id": profile_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        mig_uuid = d.pop("mig_uuid")

        profile_id = d.pop("profile_id")

        compute_instance = cls(
            id=id,
            mig_uuid=mig_uuid,
            profile_id=profile_id,
        )

        return compute_instance

