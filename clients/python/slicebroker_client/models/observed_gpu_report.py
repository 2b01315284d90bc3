from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.gpu_health import GpuHealth
  from ..models.observed_slice import ObservedSlice





T = TypeVar("T", bound="ObservedGpuReport")



@_attrs_define
class ObservedGpuReport:
    """ 
        Attributes:
            gpu_uuid (str):
            instances (list[ObservedSlice]):
            mig_enabled (bool):
            health (GpuHealth | None | Unset):
     """

    gpu_uuid: str
    instances: list[ObservedSlice]
    mig_enabled: bool
    health: GpuHealth | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.gpu_health import GpuHealth # noqa: PLC0415
        from ..models.observed_slice import ObservedSlice # noqa: PLC0415
        gpu_uuid = self.gpu_uuid

        instances = []
        for instances_item_data in self.instances:
            instances_item = instances_item_data.to_dict()
            instances.append(instances_item)



        mig_enabled = self.mig_enabled

        health: dict[str, Any] | None | Unset
        if isinstance(self.health, Unset):
            health = UNSET
        elif isinstance(self.health, GpuHealth):
            health = self.health.to_dict()
        else:
            health = self.health


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "gpu_uuid": gpu_uuid,
            "instances": instances,
            "mig_enabled": mig_enabled,
        })
        if health is not UNSET:
            field_dict["health"] = health

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gpu_health import GpuHealth # noqa: PLC0415
        from ..models.observed_slice import ObservedSlice # noqa: PLC0415
        d = dict(src_dict)
        gpu_uuid = d.pop("gpu_uuid")

        instances = []
        _instances = d.pop("instances")
        for instances_item_data in (_instances):
            instances_item = ObservedSlice.from_dict(instances_item_data)



            instances.append(instances_item)


        mig_enabled = d.pop("mig_enabled")

        def _parse_health(data: object) -> GpuHealth | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                health_type_0 = GpuHealth.from_dict(data)



                return health_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GpuHealth | None | Unset, data)

        health = _parse_health(d.pop("health", UNSET))


        observed_gpu_report = cls(
            gpu_uuid=gpu_uuid,
            instances=instances,
            mig_enabled=mig_enabled,
            health=health,
        )

        return observed_gpu_report

