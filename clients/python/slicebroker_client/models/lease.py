from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.end_reason import EndReason
from ..models.lease_state import LeaseState
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.lease_health import LeaseHealth
  from ..models.lease_labels import LeaseLabels
  from ..models.lease_slice import LeaseSlice
  from ..models.lease_usage import LeaseUsage





T = TypeVar("T", bound="Lease")



@_attrs_define
class Lease:
    """ 
        Attributes:
            activated_at (datetime.datetime | None):
            class_ (None | str): The slice class the lease was made from, if any.
            count (int): Slices in this lease (granted all or nothing).
            created_at (datetime.datetime):
            duration_seconds (int):
            end_reason (EndReason | None):
            ended_at (datetime.datetime | None):
            ends_at (datetime.datetime | None): When the lease ends unless extended or released first.
            extended_seconds (int): Time added by extensions so far.
            extensions (int):
            granted_at (datetime.datetime | None):
            health (LeaseHealth | None):
            id (UUID):
            idle_timeout_seconds (int):
            labels (LeaseLabels):
            request (str): The profile request as given (`2g.20gb`, `3g`, `≥20GiB/≥1g`), or as a class gave it
                (`a100-40gb:1g.5gb,h100-80gb:1g.10gb`).
            slices (list[LeaseSlice]):
            state (LeaseState):
            tenant_id (UUID):
            usage (LeaseUsage | None):
     """

    activated_at: datetime.datetime | None
    class_: None | str
    count: int
    created_at: datetime.datetime
    duration_seconds: int
    end_reason: EndReason | None
    ended_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    extended_seconds: int
    extensions: int
    granted_at: datetime.datetime | None
    health: LeaseHealth | None
    id: UUID
    idle_timeout_seconds: int
    labels: LeaseLabels
    request: str
    slices: list[LeaseSlice]
    state: LeaseState
    tenant_id: UUID
    usage: LeaseUsage | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_health import LeaseHealth # noqa: PLC0415
        from ..models.lease_labels import LeaseLabels # noqa: PLC0415
        from ..models.lease_slice import LeaseSlice # noqa: PLC0415
        from ..models.lease_usage import LeaseUsage # noqa: PLC0415
        activated_at: None | str
        if isinstance(self.activated_at, datetime.datetime):
            activated_at = self.activated_at.isoformat()
        else:
            activated_at = self.activated_at

        class_: None | str
        class_ = self.class_

        count = self.count

        created_at = self.created_at.isoformat()

        duration_seconds = self.duration_seconds

        end_reason: None | str
        if isinstance(self.end_reason, EndReason):
            end_reason = self.end_reason.value
        else:
            end_reason = self.end_reason

        ended_at: None | str
        if isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        ends_at: None | str
        if isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        extended_seconds = self.extended_seconds

        extensions = self.extensions

        granted_at: None | str
        if isinstance(self.granted_at, datetime.datetime):
            granted_at = self.granted_at.isoformat()
        else:
            granted_at = self.granted_at

        health: dict[str, Any] | None
        if isinstance(self.health, LeaseHealth):
            health = self.health.to_dict()
        else:
            health = self.health

        id = str(self.id)

        idle_timeout_seconds = self.idle_timeout_seconds

        labels = self.labels.to_dict()

        request = self.request

        slices = []
        for slices_item_data in self.slices:
            slices_item = slices_item_data.to_dict()
            slices.append(slices_item)



        state = self.state.value

        tenant_id = str(self.tenant_id)

        usage: dict[str, Any] | None
        if isinstance(self.usage, LeaseUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "activated_at": activated_at,
            "class": class_,
            "count": count,
            "created_at": created_at,
            "duration_seconds": duration_seconds,
            "end_reason": end_reason,
            "ended_at": ended_at,
            "ends_at": ends_at,
            "extended_seconds": extended_seconds,
            "extensions": extensions,
            "granted_at": granted_at,
            "health": health,
            "id": id,
            "idle_timeout_seconds": idle_timeout_seconds,
            "labels": labels,
            "request": request,
            "slices": slices,
            "state": state,
            "tenant_id": tenant_id,
            "usage": usage,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_health import LeaseHealth # noqa: PLC0415
        from ..models.lease_labels import LeaseLabels # noqa: PLC0415
        from ..models.lease_slice import LeaseSlice # noqa: PLC0415
        from ..models.lease_usage import LeaseUsage # noqa: PLC0415
        d = dict(src_dict)
        def _parse_activated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                activated_at_type_0 = datetime.datetime.fromisoformat(data)



                return activated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        activated_at = _parse_activated_at(d.pop("activated_at"))


        def _parse_class_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        class_ = _parse_class_(d.pop("class"))


        count = d.pop("count")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        duration_seconds = d.pop("duration_seconds")

        def _parse_end_reason(data: object) -> EndReason | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_reason_type_0 = EndReason(data)



                return end_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndReason | None, data)

        end_reason = _parse_end_reason(d.pop("end_reason"))


        def _parse_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)



                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ended_at = _parse_ended_at(d.pop("ended_at"))


        def _parse_ends_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ends_at_type_0 = datetime.datetime.fromisoformat(data)



                return ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ends_at = _parse_ends_at(d.pop("ends_at"))


        extended_seconds = d.pop("extended_seconds")

        extensions = d.pop("extensions")

        def _parse_granted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                granted_at_type_0 = datetime.datetime.fromisoformat(data)



                return granted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        granted_at = _parse_granted_at(d.pop("granted_at"))


        def _parse_health(data: object) -> LeaseHealth | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                health_type_0 = LeaseHealth.from_dict(data)



                return health_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LeaseHealth | None, data)

        health = _parse_health(d.pop("health"))


        id = UUID(d.pop("id"))




        idle_timeout_seconds = d.pop("idle_timeout_seconds")

        labels = LeaseLabels.from_dict(d.pop("labels"))




        request = d.pop("request")

        slices = []
        _slices = d.pop("slices")
        for slices_item_data in (_slices):
            slices_item = LeaseSlice.from_dict(slices_item_data)



            slices.append(slices_item)


        state = LeaseState(d.pop("state"))




        tenant_id = UUID(d.pop("tenant_id"))




        def _parse_usage(data: object) -> LeaseUsage | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                usage_type_0 = LeaseUsage.from_dict(data)



                return usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LeaseUsage | None, data)

        usage = _parse_usage(d.pop("usage"))


        lease = cls(
            activated_at=activated_at,
            class_=class_,
            count=count,
            created_at=created_at,
            duration_seconds=duration_seconds,
            end_reason=end_reason,
            ended_at=ended_at,
            ends_at=ends_at,
            extended_seconds=extended_seconds,
            extensions=extensions,
            granted_at=granted_at,
            health=health,
            id=id,
            idle_timeout_seconds=idle_timeout_seconds,
            labels=labels,
            request=request,
            slices=slices,
            state=state,
            tenant_id=tenant_id,
            usage=usage,
        )


        lease.additional_properties = d
        return lease

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
