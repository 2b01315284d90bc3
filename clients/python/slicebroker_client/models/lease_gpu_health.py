from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.gpu_health_record import GpuHealthRecord





T = TypeVar("T", bound="LeaseGpuHealth")



@_attrs_define
class LeaseGpuHealth:
    """ The health of one GPU a lease's slices are on.

        Attributes:
            gpu_id (UUID):
            gpu_uuid (str): NVML UUID of the GPU (`GPU-…`).
            health (GpuHealthRecord): A GPU's latest health readings and its recent XIDs. A reading its board does not
                measure
                is `null` ("not measured", never zero).
     """

    gpu_id: UUID
    gpu_uuid: str
    health: GpuHealthRecord
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.gpu_health_record import GpuHealthRecord # noqa: PLC0415
        gpu_id = str(self.gpu_id)

        gpu_uuid = self.gpu_uuid

        health = self.health.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "gpu_id": gpu_id,
            "gpu_uuid": gpu_uuid,
            "health": health,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gpu_health_record import GpuHealthRecord # noqa: PLC0415
        d = dict(src_dict)
        gpu_id = UUID(d.pop("gpu_id"))




        gpu_uuid = d.pop("gpu_uuid")

        health = GpuHealthRecord.from_dict(d.pop("health"))




        lease_gpu_health = cls(
            gpu_id=gpu_id,
            gpu_uuid=gpu_uuid,
            health=health,
        )


        lease_gpu_health.additional_properties = d
        return lease_gpu_health

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
