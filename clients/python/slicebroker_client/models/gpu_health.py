from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.throttle_reason import ThrottleReason
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.ecc_counts import EccCounts
  from ..models.xid_event import XidEvent





T = TypeVar("T", bound="GpuHealth")



@_attrs_define
class GpuHealth:
    """ One GPU's health at report time.

        Attributes:
            ecc (EccCounts | None | Unset):
            power_mw (int | None | Unset): `nvmlDeviceGetPowerUsage`, milliwatts.
            temperature_c (int | None | Unset): `nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)`, degrees Celsius.
            throttle_reasons (list[ThrottleReason] | None | Unset): `nvmlDeviceGetCurrentClocksEventReasons` (formerly
                `...ThrottleReasons`) as names;
                absent where unsupported, empty when the clocks run free.
            xids (list[XidEvent] | Unset): XID errors since the previous report, oldest first; at most 64
                (`limits::MAX_XIDS_PER_REPORT`), the newest kept.
            xids_dropped (int | Unset): XIDs seen but left out of `xids` to keep within the bound.
     """

    ecc: EccCounts | None | Unset = UNSET
    power_mw: int | None | Unset = UNSET
    temperature_c: int | None | Unset = UNSET
    throttle_reasons: list[ThrottleReason] | None | Unset = UNSET
    xids: list[XidEvent] | Unset = UNSET
    xids_dropped: int | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.ecc_counts import EccCounts # noqa: PLC0415
        from ..models.xid_event import XidEvent # noqa: PLC0415
        ecc: dict[str, Any] | None | Unset
        if isinstance(self.ecc, Unset):
            ecc = UNSET
        elif isinstance(self.ecc, EccCounts):
            ecc = self.ecc.to_dict()
        else:
            ecc = self.ecc

        power_mw: int | None | Unset
        if isinstance(self.power_mw, Unset):
            power_mw = UNSET
        else:
            power_mw = self.power_mw

        temperature_c: int | None | Unset
        if isinstance(self.temperature_c, Unset):
            temperature_c = UNSET
        else:
            temperature_c = self.temperature_c

        throttle_reasons: list[str] | None | Unset
        if isinstance(self.throttle_reasons, Unset):
            throttle_reasons = UNSET
        elif isinstance(self.throttle_reasons, list):
            throttle_reasons = []
            for throttle_reasons_type_0_item_data in self.throttle_reasons:
                throttle_reasons_type_0_item = throttle_reasons_type_0_item_data.value
                throttle_reasons.append(throttle_reasons_type_0_item)


        else:
            throttle_reasons = self.throttle_reasons

        xids: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.xids, Unset):
            xids = []
            for xids_item_data in self.xids:
                xids_item = xids_item_data.to_dict()
                xids.append(xids_item)



        xids_dropped = self.xids_dropped


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if ecc is not UNSET:
            field_dict["ecc"] = ecc
        if power_mw is not UNSET:
            field_dict["power_mw"] = power_mw
        if temperature_c is not UNSET:
            field_dict["temperature_c"] = temperature_c
        if throttle_reasons is not UNSET:
            field_dict["throttle_reasons"] = throttle_reasons
        if xids is not UNSET:
            field_dict["xids"] = xids
        if xids_dropped is not UNSET:
            field_dict["xids_dropped"] = xids_dropped

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ecc_counts import EccCounts # noqa: PLC0415
        from ..models.xid_event import XidEvent # noqa: PLC0415
        d = dict(src_dict)
        def _parse_ecc(data: object) -> EccCounts | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ecc_type_0 = EccCounts.from_dict(data)



                return ecc_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EccCounts | None | Unset, data)

        ecc = _parse_ecc(d.pop("ecc", UNSET))


        def _parse_power_mw(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        power_mw = _parse_power_mw(d.pop("power_mw", UNSET))


        def _parse_temperature_c(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        temperature_c = _parse_temperature_c(d.pop("temperature_c", UNSET))


        def _parse_throttle_reasons(data: object) -> list[ThrottleReason] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
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
            return cast(list[ThrottleReason] | None | Unset, data)

        throttle_reasons = _parse_throttle_reasons(d.pop("throttle_reasons", UNSET))


        _xids = d.pop("xids", UNSET)
        xids: list[XidEvent] | Unset = UNSET
        if _xids is not UNSET:
            xids = []
            for xids_item_data in _xids:
                xids_item = XidEvent.from_dict(xids_item_data)



                xids.append(xids_item)


        xids_dropped = d.pop("xids_dropped", UNSET)

        gpu_health = cls(
            ecc=ecc,
            power_mw=power_mw,
            temperature_c=temperature_c,
            throttle_reasons=throttle_reasons,
            xids=xids,
            xids_dropped=xids_dropped,
        )

        return gpu_health

