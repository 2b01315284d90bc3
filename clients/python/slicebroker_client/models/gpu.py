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
  from ..models.gpu_health_record import GpuHealthRecord
  from ..models.gpu_slice import GpuSlice





T = TypeVar("T", bound="Gpu")



@_attrs_define
class Gpu:
    """ A GPU and what holds its memory slices.

        Attributes:
            device_index (int):
            health (GpuHealthRecord | None):
            host (str):
            host_id (UUID):
            host_unreachable_since (datetime.datetime | None): Since when its host's agent has been silent past
                `host_unreachable_after`; `null` while
                it reports.
            id (UUID):
            layout (str): One character per memory slice: `.` free, `#` taken now.
            memory_slices (int): Width of the placement grid.
            model (str):
            placeable (bool): Whether new slices may be placed on it now: schedulable, MIG on, its profile table as
                the catalog says, and its host's agent reporting.
            schedulable (bool): False if the GPU or its host is cordoned.
            slices (list[GpuSlice]): What holds its memory slices now: slices whose window has begun, and instances made by
                hand. Bookings not yet started are not here (`GET /v1/capacity/calendar` counts them).
            uuid (str):
     """

    device_index: int
    health: GpuHealthRecord | None
    host: str
    host_id: UUID
    host_unreachable_since: datetime.datetime | None
    id: UUID
    layout: str
    memory_slices: int
    model: str
    placeable: bool
    schedulable: bool
    slices: list[GpuSlice]
    uuid: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.gpu_health_record import GpuHealthRecord # noqa: PLC0415
        from ..models.gpu_slice import GpuSlice # noqa: PLC0415
        device_index = self.device_index

        health: dict[str, Any] | None
        if isinstance(self.health, GpuHealthRecord):
            health = self.health.to_dict()
        else:
            health = self.health

        host = self.host

        host_id = str(self.host_id)

        host_unreachable_since: None | str
        if isinstance(self.host_unreachable_since, datetime.datetime):
            host_unreachable_since = self.host_unreachable_since.isoformat()
        else:
            host_unreachable_since = self.host_unreachable_since

        id = str(self.id)

        layout = self.layout

        memory_slices = self.memory_slices

        model = self.model

        placeable = self.placeable

        schedulable = self.schedulable

        slices = []
        for slices_item_data in self.slices:
            slices_item = slices_item_data.to_dict()
            slices.append(slices_item)



        uuid = self.uuid


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "device_index": device_index,
            "health": health,
            "host": host,
            "host_id": host_id,
            "host_unreachable_since": host_unreachable_since,
            "id": id,
            "layout": layout,
            "memory_slices": memory_slices,
            "model": model,
            "placeable": placeable,
            "schedulable": schedulable,
            "slices": slices,
            "uuid": uuid,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gpu_health_record import GpuHealthRecord # noqa: PLC0415
        from ..models.gpu_slice import GpuSlice # noqa: PLC0415
        d = dict(src_dict)
        device_index = d.pop("device_index")

        def _parse_health(data: object) -> GpuHealthRecord | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                health_type_0 = GpuHealthRecord.from_dict(data)



                return health_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GpuHealthRecord | None, data)

        health = _parse_health(d.pop("health"))


        host = d.pop("host")

        host_id = UUID(d.pop("host_id"))




        def _parse_host_unreachable_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                host_unreachable_since_type_0 = datetime.datetime.fromisoformat(data)



                return host_unreachable_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        host_unreachable_since = _parse_host_unreachable_since(d.pop("host_unreachable_since"))


        id = UUID(d.pop("id"))




        layout = d.pop("layout")

        memory_slices = d.pop("memory_slices")

        model = d.pop("model")

        placeable = d.pop("placeable")

        schedulable = d.pop("schedulable")

        slices = []
        _slices = d.pop("slices")
        for slices_item_data in (_slices):
            slices_item = GpuSlice.from_dict(slices_item_data)



            slices.append(slices_item)


        uuid = d.pop("uuid")

        gpu = cls(
            device_index=device_index,
            health=health,
            host=host,
            host_id=host_id,
            host_unreachable_since=host_unreachable_since,
            id=id,
            layout=layout,
            memory_slices=memory_slices,
            model=model,
            placeable=placeable,
            schedulable=schedulable,
            slices=slices,
            uuid=uuid,
        )


        gpu.additional_properties = d
        return gpu

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
