from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.throttle_reason import ThrottleReason
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.ecc_counts import EccCounts
  from ..models.xid_record import XidRecord





T = TypeVar("T", bound="GpuHealthRecord")



@_attrs_define
class GpuHealthRecord:
    """ A GPU's latest health readings and its recent XIDs. A reading its board does not measure
    is `null` ("not measured", never zero).

        Attributes:
            ecc (EccCounts | None):
            power_mw (int | None): Milliwatts.
            reported_at (datetime.datetime): When its agent last reported these readings (refreshed at least once a minute
                while
                they stay the same).
            temperature_c (int | None): Degrees Celsius.
            throttle_reasons (list[ThrottleReason] | None): Why the clocks are held down; `null` where not measured, empty
                when they run free.
            xids (list[XidRecord]): Recent XID errors, newest first, at most 10. On a lease: only those that hit its
                instances.
            xids_dropped (int): XIDs its agent saw but left out of its reports (more than 64 between two reports),
                summed over time.
     """

    ecc: EccCounts | None
    power_mw: int | None
    reported_at: datetime.datetime
    temperature_c: int | None
    throttle_reasons: list[ThrottleReason] | None
    xids: list[XidRecord]
    xids_dropped: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.ecc_counts import EccCounts # noqa: PLC0415
        from ..models.xid_record import XidRecord # noqa: PLC0415
        ecc: dict[str, Any] | None
        if isinstance(self.ecc, EccCounts):
            ecc = self.ecc.to_dict()
        else:
            ecc = self.ecc

        power_mw: int | None
        power_mw = self.power_mw

        reported_at = self.reported_at.isoformat()

        temperature_c: int | None
        temperature_c = self.temperature_c

        throttle_reasons: list[str] | None
        if isinstance(self.throttle_reasons, list):
            throttle_reasons = []
            for throttle_reasons_type_0_item_data in self.throttle_reasons:
                throttle_reasons_type_0_item = throttle_reasons_type_0_item_data.value
                throttle_reasons.append(throttle_reasons_type_0_item)


        else:
            throttle_reasons = self.throttle_reasons

        xids = []
        for xids_item_data in self.xids:
            xids_item = xids_item_data.to_dict()
            xids.append(xids_item)



        xids_dropped = self.xids_dropped


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "ecc": ecc,
            "power_mw": power_mw,
            "reported_at": reported_at,
            "temperature_c": temperature_c,
            "throttle_reasons": throttle_reasons,
            "xids": xids,
            "xids_dropped": xids_dropped,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ecc_counts import EccCounts # noqa: PLC0415
        from ..models.xid_record import XidRecord # noqa: PLC0415
        d = dict(src_dict)
        def _parse_ecc(data: object) -> EccCounts | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ecc_type_0 = EccCounts.from_dict(data)



                return ecc_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EccCounts | None, data)

        ecc = _parse_ecc(d.pop("ecc"))


        def _parse_power_mw(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        power_mw = _parse_power_mw(d.pop("power_mw"))


        reported_at = datetime.datetime.fromisoformat(d.pop("reported_at"))




        def _parse_temperature_c(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        temperature_c = _parse_temperature_c(d.pop("temperature_c"))


        def _parse_throttle_reasons(data: object) -> list[ThrottleReason] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                throttle_reasons_type_0 = []
                _throttle_reasons_type_0 = data
                for throttle_reasons_type_0_item_data in (_throttle_reasons_type_0):
                    throttle_reasons_type_0_item = ThrottleReason(throttle_reasons_type_0_item_data)



                    throttle_reasons_type_0.append(throttle_reasons_type_0_item)

                return throttle_reasons_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ThrottleReason] | None, data)

        throttle_reasons = _parse_throttle_reasons(d.pop("throttle_reasons"))


        xids = []
        _xids = d.pop("xids")
        for xids_item_data in (_xids):
            xids_item = XidRecord.from_dict(xids_item_data)



            xids.append(xids_item)


        xids_dropped = d.pop("xids_dropped")

        gpu_health_record = cls(
            ecc=ecc,
            power_mw=power_mw,
            reported_at=reported_at,
            temperature_c=temperature_c,
            throttle_reasons=throttle_reasons,
            xids=xids,
            xids_dropped=xids_dropped,
        )


        gpu_health_record.additional_properties = d
        return gpu_health_record

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
