from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.gpu_instance import GpuInstance





T = TypeVar("T", bound="ObservedSlice")



@_attrs_define
class ObservedSlice:
    """ An instance on the GPU: whose it is (a lease, or unmanaged) and what runs on it.

        Attributes:
            instance (GpuInstance): One GPU instance with everything observed about it.
            lease_id (None | Unset | UUID):
     """

    instance: GpuInstance
    lease_id: None | Unset | UUID = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.gpu_instance import GpuInstance # noqa: PLC0415
        instance = self.instance.to_dict()

        lease_id: None | str | Unset
        if isinstance(self.lease_id, Unset):
            lease_id = UNSET
        elif isinstance(self.lease_id, UUID):
            lease_id = str(self.lease_id)
        else:
            lease_id = self.lease_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "instance": instance,
        })
        if lease_id is not UNSET:
            field_dict["lease_id"] = lease_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gpu_instance import GpuInstance # noqa: PLC0415
        d = dict(src_dict)
        instance = GpuInstance.from_dict(d.pop("instance"))




        def _parse_lease_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lease_id_type_0 = UUID(data)



                return lease_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        lease_id = _parse_lease_id(d.pop("lease_id", UNSET))


        observed_slice = cls(
            instance=instance,
            lease_id=lease_id,
        )

        return observed_slice

