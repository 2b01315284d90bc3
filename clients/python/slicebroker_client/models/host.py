from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="Host")



@_attrs_define
class Host:
    """ A host for the fleet views.

        Attributes:
            created_at (datetime.datetime):
            desired_generation (int):
            gpu_count (int):
            id (UUID):
            last_seen_at (datetime.datetime | None):
            name (str):
            schedulable (bool): False when an admin cordoned the host: nothing new is placed on it.
            unreachable_since (datetime.datetime | None): Set while the host's agent is silent: its GPUs are not placed on.
     """

    created_at: datetime.datetime
    desired_generation: int
    gpu_count: int
    id: UUID
    last_seen_at: datetime.datetime | None
    name: str
    schedulable: bool
    unreachable_since: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        desired_generation = self.desired_generation

        gpu_count = self.gpu_count

        id = str(self.id)

        last_seen_at: None | str
        if isinstance(self.last_seen_at, datetime.datetime):
            last_seen_at = self.last_seen_at.isoformat()
        else:
            last_seen_at = self.last_seen_at

        name = self.name

        schedulable = self.schedulable

        unreachable_since: None | str
        if isinstance(self.unreachable_since, datetime.datetime):
            unreachable_since = self.unreachable_since.isoformat()
        else:
            unreachable_since = self.unreachable_since


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "desired_generation": desired_generation,
            "gpu_count": gpu_count,
            "id": id,
            "last_seen_at": last_seen_at,
            "name": name,
            "schedulable": schedulable,
            "unreachable_since": unreachable_since,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        desired_generation = d.pop("desired_generation")

        gpu_count = d.pop("gpu_count")

        id = UUID(d.pop("id"))




        def _parse_last_seen_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_seen_at_type_0 = datetime.datetime.fromisoformat(data)



                return last_seen_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_seen_at = _parse_last_seen_at(d.pop("last_seen_at"))


        name = d.pop("name")

        schedulable = d.pop("schedulable")

        def _parse_unreachable_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                unreachable_since_type_0 = datetime.datetime.fromisoformat(data)



                return unreachable_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        unreachable_since = _parse_unreachable_since(d.pop("unreachable_since"))


        host = cls(
            created_at=created_at,
            desired_generation=desired_generation,
            gpu_count=gpu_count,
            id=id,
            last_seen_at=last_seen_at,
            name=name,
            schedulable=schedulable,
            unreachable_since=unreachable_since,
        )


        host.additional_properties = d
        return host

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
