from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID

if TYPE_CHECKING:
  from ..models.recommendation import Recommendation





T = TypeVar("T", bound="RightsizingRow")



@_attrs_define
class RightsizingRow:
    """ One group of the right-sizing report: a tenant's leases of one GPU model and profile,
    from one slice class (or none) that ended in the period.

        Attributes:
            busy_share (float | None): Busy share over all the leases' held time (0–1); `null` if none was active.
            class_ (None | str): The slice class the leases came from; `null` for leases made from a raw profile.
            idle_held_slice_hours (float): Of `slice_hours`, those held idle.
            leases (int):
            leases_with_memory (int): Of `leases`, those whose agent reported a memory figure.
            median_peak_memory_mib (float | None): Median of the leases' peak memory (MiB); `null` if none reported one.
            model (str):
            peak_memory_mib (int | None): Highest of the leases' peak memory (MiB).
            profile (str):
            profile_memory_mib (int): The profile's nominal memory (MiB).
            recommendation (None | Recommendation):
            recommendation_note (None | str): Why there is no recommendation (too few leases: how many were needed; no
                smaller
                profile fits).
            slice_hours (float): Slice-hours held while active, summed.
            tenant (str):
            tenant_id (UUID):
     """

    busy_share: float | None
    class_: None | str
    idle_held_slice_hours: float
    leases: int
    leases_with_memory: int
    median_peak_memory_mib: float | None
    model: str
    peak_memory_mib: int | None
    profile: str
    profile_memory_mib: int
    recommendation: None | Recommendation
    recommendation_note: None | str
    slice_hours: float
    tenant: str
    tenant_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.recommendation import Recommendation # noqa: PLC0415
        busy_share: float | None
        busy_share = self.busy_share

        class_: None | str
        class_ = self.class_

        idle_held_slice_hours = self.idle_held_slice_hours

        leases = self.leases

        leases_with_memory = self.leases_with_memory

        median_peak_memory_mib: float | None
        median_peak_memory_mib = self.median_peak_memory_mib

        model = self.model

        peak_memory_mib: int | None
        peak_memory_mib = self.peak_memory_mib

        profile = self.profile

        profile_memory_mib = self.profile_memory_mib

        recommendation: dict[str, Any] | None
        if isinstance(self.recommendation, Recommendation):
            recommendation = self.recommendation.to_dict()
        else:
            recommendation = self.recommendation

        recommendation_note: None | str
        recommendation_note = self.recommendation_note

        slice_hours = self.slice_hours

        tenant = self.tenant

        tenant_id = str(self.tenant_id)


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "busy_share": busy_share,
            "class": class_,
            "idle_held_slice_hours": idle_held_slice_hours,
            "leases": leases,
            "leases_with_memory": leases_with_memory,
            "median_peak_memory_mib": median_peak_memory_mib,
            "model": model,
            "peak_memory_mib": peak_memory_mib,
            "profile": profile,
            "profile_memory_mib": profile_memory_mib,
            "recommendation": recommendation,
            "recommendation_note": recommendation_note,
            "slice_hours": slice_hours,
            "tenant": tenant,
            "tenant_id": tenant_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recommendation import Recommendation # noqa: PLC0415
        d = dict(src_dict)
        def _parse_busy_share(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        busy_share = _parse_busy_share(d.pop("busy_share"))


        def _parse_class_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        class_ = _parse_class_(d.pop("class"))


        idle_held_slice_hours = d.pop("idle_held_slice_hours")

        leases = d.pop("leases")

        leases_with_memory = d.pop("leases_with_memory")

        def _parse_median_peak_memory_mib(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        median_peak_memory_mib = _parse_median_peak_memory_mib(d.pop("median_peak_memory_mib"))


        model = d.pop("model")

        def _parse_peak_memory_mib(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        peak_memory_mib = _parse_peak_memory_mib(d.pop("peak_memory_mib"))


        profile = d.pop("profile")

        profile_memory_mib = d.pop("profile_memory_mib")

        def _parse_recommendation(data: object) -> None | Recommendation:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recommendation_type_0 = Recommendation.from_dict(data)



                return recommendation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Recommendation, data)

        recommendation = _parse_recommendation(d.pop("recommendation"))


        def _parse_recommendation_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recommendation_note = _parse_recommendation_note(d.pop("recommendation_note"))


        slice_hours = d.pop("slice_hours")

        tenant = d.pop("tenant")

        tenant_id = UUID(d.pop("tenant_id"))




        rightsizing_row = cls(
            busy_share=busy_share,
            class_=class_,
            idle_held_slice_hours=idle_held_slice_hours,
            leases=leases,
            leases_with_memory=leases_with_memory,
            median_peak_memory_mib=median_peak_memory_mib,
            model=model,
            peak_memory_mib=peak_memory_mib,
            profile=profile,
            profile_memory_mib=profile_memory_mib,
            recommendation=recommendation,
            recommendation_note=recommendation_note,
            slice_hours=slice_hours,
            tenant=tenant,
            tenant_id=tenant_id,
        )


        rightsizing_row.additional_properties = d
        return rightsizing_row

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
