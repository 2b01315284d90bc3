from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.lease_gpu_health import LeaseGpuHealth





T = TypeVar("T", bound="LeaseHealth")



@_attrs_define
class LeaseHealth:
    """ The health of the GPUs a lease's slices are on.

        Attributes:
            gpus (list[LeaseGpuHealth]): Each GPU its slices are on that reported its health.
     """

    gpus: list[LeaseGpuHealth]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_gpu_health import LeaseGpuHealth # noqa: PLC0415
        gpus = []
        for gpus_item_data in self.gpus:
            gpus_item = gpus_item_data.to_dict()
            gpus.append(gpus_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "gpus": gpus,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_gpu_health import LeaseGpuHealth # noqa: PLC0415
        d = dict(src_dict)
        gpus = []
        _gpus = d.pop("gpus")
        for gpus_item_data in (_gpus):
            gpus_item = LeaseGpuHealth.from_dict(gpus_item_data)



            gpus.append(gpus_item)


        lease_health = cls(
            gpus=gpus,
        )


        lease_health.additional_properties = d
        return lease_health

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
