from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.api_key_summary import ApiKeySummary
  from ..models.cost_rates import CostRates
  from ..models.enrollment_token import EnrollmentToken
  from ..models.host import Host
  from ..models.schedulable import Schedulable
  from ..models.slice_class import SliceClass
  from ..models.tenant import Tenant
  from ..models.webhook import Webhook





T = TypeVar("T", bound="AuditRecord")



@_attrs_define
class AuditRecord:
    """ One audited change.

        Attributes:
            action (str): `tenant.create`, `tenant.update`, `api_key.create`, `api_key.revoke`, `cordon`, …
            actor (str): `key:<api key id>`, or `cli` for the server's own command line.
            after (ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook):
                By `target_kind`: a `Tenant` (tenant), an `ApiKeySummary` (api_key), an `EnrollmentToken` (enrollment_token),
                `Schedulable` (host, gpu: cordon, uncordon), a `Host` (host.remove: the host removed), a `Webhook` (webhook;
                `null` on both sides for webhook_delivery, a redelivery), a `SliceClass` (class), `CostRates` (rates); the
                object after the change; `null` when it no longer exists.
            at (datetime.datetime):
            before (ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant |
                Webhook): By `target_kind`: a `Tenant` (tenant), an `ApiKeySummary` (api_key), an `EnrollmentToken`
                (enrollment_token), `Schedulable` (host, gpu: cordon, uncordon), a `Host` (host.remove: the host removed), a
                `Webhook` (webhook; `null` on both sides for webhook_delivery, a redelivery), a `SliceClass` (class),
                `CostRates` (rates); the object before the change; `null` when it did not exist.
            id (int):
            target_id (str):
            target_kind (str):
     """

    action: str
    actor: str
    after: ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook
    at: datetime.datetime
    before: ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook
    id: int
    target_id: str
    target_kind: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.api_key_summary import ApiKeySummary # noqa: PLC0415
        from ..models.cost_rates import CostRates # noqa: PLC0415
        from ..models.enrollment_token import EnrollmentToken # noqa: PLC0415
        from ..models.host import Host # noqa: PLC0415
        from ..models.schedulable import Schedulable # noqa: PLC0415
        from ..models.slice_class import SliceClass # noqa: PLC0415
        from ..models.tenant import Tenant # noqa: PLC0415
        from ..models.webhook import Webhook # noqa: PLC0415
        action = self.action

        actor = self.actor

        after: dict[str, Any] | None
        if isinstance(self.after, Tenant):
            after = self.after.to_dict()
        elif isinstance(self.after, ApiKeySummary):
            after = self.after.to_dict()
        elif isinstance(self.after, EnrollmentToken):
            after = self.after.to_dict()
        elif isinstance(self.after, Schedulable):
            after = self.after.to_dict()
        elif isinstance(self.after, Host):
            after = self.after.to_dict()
        elif isinstance(self.after, Webhook):
            after = self.after.to_dict()
        elif isinstance(self.after, SliceClass):
            after = self.after.to_dict()
        elif isinstance(self.after, CostRates):
            after = self.after.to_dict()
        else:
            after = self.after

        at = self.at.isoformat()

        before: dict[str, Any] | None
        if isinstance(self.before, Tenant):
            before = self.before.to_dict()
        elif isinstance(self.before, ApiKeySummary):
            before = self.before.to_dict()
        elif isinstance(self.before, EnrollmentToken):
            before = self.before.to_dict()
        elif isinstance(self.before, Schedulable):
            before = self.before.to_dict()
        elif isinstance(self.before, Host):
            before = self.before.to_dict()
        elif isinstance(self.before, Webhook):
            before = self.before.to_dict()
        elif isinstance(self.before, SliceClass):
            before = self.before.to_dict()
        elif isinstance(self.before, CostRates):
            before = self.before.to_dict()
        else:
            before = self.before

        id = self.id

        target_id = self.target_id

        target_kind = self.target_kind


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "actor": actor,
            "after": after,
            "at": at,
            "before": before,
            "id": id,
            "target_id": target_id,
            "target_kind": target_kind,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_key_summary import ApiKeySummary # noqa: PLC0415
        from ..models.cost_rates import CostRates # noqa: PLC0415
        from ..models.enrollment_token import EnrollmentToken # noqa: PLC0415
        from ..models.host import Host # noqa: PLC0415
        from ..models.schedulable import Schedulable # noqa: PLC0415
        from ..models.slice_class import SliceClass # noqa: PLC0415
        from ..models.tenant import Tenant # noqa: PLC0415
        from ..models.webhook import Webhook # noqa: PLC0415
        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        def _parse_after(data: object) -> ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = Tenant.from_dict(data)



                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_1 = ApiKeySummary.from_dict(data)



                return after_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_2 = EnrollmentToken.from_dict(data)



                return after_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_3 = Schedulable.from_dict(data)



                return after_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_4 = Host.from_dict(data)



                return after_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_5 = Webhook.from_dict(data)



                return after_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_6 = SliceClass.from_dict(data)



                return after_type_6
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_7 = CostRates.from_dict(data)



                return after_type_7
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook, data)

        after = _parse_after(d.pop("after"))


        at = datetime.datetime.fromisoformat(d.pop("at"))




        def _parse_before(data: object) -> ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = Tenant.from_dict(data)



                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_1 = ApiKeySummary.from_dict(data)



                return before_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_2 = EnrollmentToken.from_dict(data)



                return before_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_3 = Schedulable.from_dict(data)



                return before_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_4 = Host.from_dict(data)



                return before_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_5 = Webhook.from_dict(data)



                return before_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_6 = SliceClass.from_dict(data)



                return before_type_6
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_7 = CostRates.from_dict(data)



                return before_type_7
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApiKeySummary | CostRates | EnrollmentToken | Host | None | Schedulable | SliceClass | Tenant | Webhook, data)

        before = _parse_before(d.pop("before"))


        id = d.pop("id")

        target_id = d.pop("target_id")

        target_kind = d.pop("target_kind")

        audit_record = cls(
            action=action,
            actor=actor,
            after=after,
            at=at,
            before=before,
            id=id,
            target_id=target_id,
            target_kind=target_kind,
        )


        audit_record.additional_properties = d
        return audit_record

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
