from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.desired_slice import DesiredSlice





T = TypeVar("T", bound="DesiredGpu")



@_attrs_define
class DesiredGpu:
    """ 
        Attributes:
            gpu_uuid (str):
            slices (list[DesiredSlice]):
     """

    gpu_uuid: str
    slices: list[DesiredSlice]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.desired_slice import DesiredSlice # noqa: PLC0415
        gpu_uuid = self.gpu_uuid

        slices = []
        for slices_item_data in self.slices:
            slices_item = slices_item_data.to_dict()
            slices.append(slices_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "gpu_uuid": gpu_uuid,
            "slices": slices,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.desired_slice import DesiredSlice # noqa: PLC0415
        d = dict(src_dict)
        gpu_uuid = d.pop("gpu_uuid")

        slices = []
        _slices = d.pop("slices")
        for slices_item_data in (_slices):
            slices_item = DesiredSlice.from_dict(slices_item_data)



            slices.append(slices_item)


        desired_gpu = cls(
            gpu_uuid=gpu_uuid,
            slices=slices,
        )


        desired_gpu.additional_properties = d
        return desired_gpu

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
