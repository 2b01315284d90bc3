from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.desired_gpu import DesiredGpu





T = TypeVar("T", bound="DesiredConfig")



@_attrs_define
class DesiredConfig:
    """ `GET /v1/agent/desired?after=<generation>&wait=<seconds>`: the slices each GPU should have.

        Attributes:
            generation (int): Bumped by the server with every change; the agent never applies an older one.
            gpus (list[DesiredGpu]):
     """

    generation: int
    gpus: list[DesiredGpu]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.desired_gpu import DesiredGpu # noqa: PLC0415
        generation = self.generation

        gpus = []
        for gpus_item_data in self.gpus:
            gpus_item = gpus_item_data.to_dict()
            gpus.append(gpus_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "generation": generation,
            "gpus": gpus,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.desired_gpu import DesiredGpu # noqa: PLC0415
        d = dict(src_dict)
        generation = d.pop("generation")

        gpus = []
        _gpus = d.pop("gpus")
        for gpus_item_data in (_gpus):
            gpus_item = DesiredGpu.from_dict(gpus_item_data)



            gpus.append(gpus_item)


        desired_config = cls(
            generation=generation,
            gpus=gpus,
        )


        desired_config.additional_properties = d
        return desired_config

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
