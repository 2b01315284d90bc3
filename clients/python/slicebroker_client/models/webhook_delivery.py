from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.delivery_state import DeliveryState
from ..models.webhook_kind import WebhookKind
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.webhook_attempt import WebhookAttempt





T = TypeVar("T", bound="WebhookDelivery")



@_attrs_define
class WebhookDelivery:
    """ One event's delivery to one webhook, with its attempts (newest deliveries first).

        Attributes:
            attempts (int):
            created_at (datetime.datetime):
            event_id (int):
            finished_at (datetime.datetime | None):
            history (list[WebhookAttempt]): Oldest first; at most the last 20.
            id (UUID):
            kind (WebhookKind): The events a webhook may ask for. Most are a lease event kind as its history records it;
                two are not: a grant out of the pending queue is `queued_granted` (a direct grant stays
                `granted`), and every event that ends a lease (the slices gone, a lost host, a pending or
                booked lease cancelled) is `ended`, the reason in the lease's `end_reason`.
            lease_id (UUID):
            next_attempt_at (datetime.datetime | None): When the next attempt is due while `pending`; null once `delivered`
                or `failed`. A
                lease's deliveries to a webhook go in order: while `waiting_for` names an earlier one,
                this one is sent only after it is done.
            state (DeliveryState): Where a delivery stands.
            waiting_for (None | UUID):
            webhook_id (UUID):
     """

    attempts: int
    created_at: datetime.datetime
    event_id: int
    finished_at: datetime.datetime | None
    history: list[WebhookAttempt]
    id: UUID
    kind: WebhookKind
    lease_id: UUID
    next_attempt_at: datetime.datetime | None
    state: DeliveryState
    waiting_for: None | UUID
    webhook_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_attempt import WebhookAttempt # noqa: PLC0415
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        event_id = self.event_id

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)



        id = str(self.id)

        kind = self.kind.value

        lease_id = str(self.lease_id)

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        state = self.state.value

        waiting_for: None | str
        if isinstance(self.waiting_for, UUID):
            waiting_for = str(self.waiting_for)
        else:
            waiting_for = self.waiting_for

        webhook_id = str(self.webhook_id)


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "created_at": created_at,
            "event_id": event_id,
            "finished_at": finished_at,
            "history": history,
            "id": id,
            "kind": kind,
            "lease_id": lease_id,
            "next_attempt_at": next_attempt_at,
            "state": state,
            "waiting_for": waiting_for,
            "webhook_id": webhook_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_attempt import WebhookAttempt # noqa: PLC0415
        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        event_id = d.pop("event_id")

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)



                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))


        history = []
        _history = d.pop("history")
        for history_item_data in (_history):
            history_item = WebhookAttempt.from_dict(history_item_data)



            history.append(history_item)


        id = UUID(d.pop("id"))




        kind = WebhookKind(d.pop("kind"))




        lease_id = UUID(d.pop("lease_id"))




        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)



                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))


        state = DeliveryState(d.pop("state"))




        def _parse_waiting_for(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                waiting_for_type_0 = UUID(data)



                return waiting_for_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        waiting_for = _parse_waiting_for(d.pop("waiting_for"))


        webhook_id = UUID(d.pop("webhook_id"))




        webhook_delivery = cls(
            attempts=attempts,
            created_at=created_at,
            event_id=event_id,
            finished_at=finished_at,
            history=history,
            id=id,
            kind=kind,
            lease_id=lease_id,
            next_attempt_at=next_attempt_at,
            state=state,
            waiting_for=waiting_for,
            webhook_id=webhook_id,
        )


        webhook_delivery.additional_properties = d
        return webhook_delivery

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
