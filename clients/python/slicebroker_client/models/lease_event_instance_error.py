from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.lease_event_instance_error_kind import LeaseEventInstanceErrorKind
from ..models.lease_state import LeaseState
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.lease_event_instance_error_detail import LeaseEventInstanceErrorDetail





T = TypeVar("T", bound="LeaseEventInstanceError")



@_attrs_define
class LeaseEventInstanceError:
    """ A `instance_error` event. A fatal XID (48, 63, 64, 74, 79, 92, 94, 95, 119 or 120) hit one of its GPU instances, or
    the whole GPU. The lease keeps running and its state does not change: the instance may no longer compute correctly,
    so release it (or not) as you judge. One event per XID number in each agent report.

        Attributes:
            actor (str): `key:<api key id>` or `system`.
            at (datetime.datetime):
            detail (LeaseEventInstanceErrorDetail):
            from_state (LeaseState | None):
            id (int):
            kind (LeaseEventInstanceErrorKind):
            to_state (LeaseState | None):
     """

    actor: str
    at: datetime.datetime
    detail: LeaseEventInstanceErrorDetail
    from_state: LeaseState | None
    id: int
    kind: LeaseEventInstanceErrorKind
    to_state: LeaseState | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.lease_event_instance_error_detail import LeaseEventInstanceErrorDetail # noqa: PLC0415
        actor = self.actor

        at = self.at.isoformat()

        detail = self.detail.to_dict()

        from_state: None | str
        if isinstance(self.from_state, LeaseState):
            from_state = self.from_state.value
        else:
            from_state = self.from_state

        id = self.id

        kind = self.kind.value

        to_state: None | str
        if isinstance(self.to_state, LeaseState):
            to_state = self.to_state.value
        else:
            to_state = self.to_state


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "actor": actor,
            "at": at,
            "detail": detail,
            "from_state": from_state,
            "id": id,
            "kind": kind,
            "to_state": to_state,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.lease_event_instance_error_detail import LeaseEventInstanceErrorDetail # noqa: PLC0415
        d = dict(src_dict)
        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))




        detail = LeaseEventInstanceErrorDetail.from_dict(d.pop("detail"))




        def _parse_from_state(data: object) -> LeaseState | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                from_state_type_0 = LeaseState(data)



                return from_state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LeaseState | None, data)

        from_state = _parse_from_state(d.pop("from_state"))


        id = d.pop("id")

        kind = LeaseEventInstanceErrorKind(d.pop("kind"))




        def _parse_to_state(data: object) -> LeaseState | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                to_state_type_0 = LeaseState(data)



                return to_state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LeaseState | None, data)

        to_state = _parse_to_state(d.pop("to_state"))


        lease_event_instance_error = cls(
            actor=actor,
            at=at,
            detail=detail,
            from_state=from_state,
            id=id,
            kind=kind,
            to_state=to_state,
        )


        lease_event_instance_error.additional_properties = d
        return lease_event_instance_error

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
