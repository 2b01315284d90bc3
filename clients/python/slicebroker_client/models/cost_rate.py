from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="CostRate")



@_attrs_define
class CostRate:
    """ One price. With a `profile`: one slice-hour of that profile. Without: one
    compute-slice-hour of any profile that has no rate of its own. A `null` `model` applies
    to every model without a rate of its own. The most specific rate wins: model and profile,
    then the profile on any model, then the model's compute-slice rate, then the fleet's.

        Attributes:
            per_hour (float): Price of one hour, in the organisation's currency: 0 to 1000000.
            model (None | str | Unset): A GPU model's catalog key (`h100-80gb`, as `GET /v1/gpus` shows it); `null`: any
                model.
                1-200 characters.
            profile (None | str | Unset): Profile name (`2g.20gb`): one of `model`'s, or of some model of the catalog when
                `model` is `null`; `null`: the price is per compute-slice-hour. 1-200 characters.
     """

    per_hour: float
    model: None | str | Unset = UNSET
    profile: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        per_hour = self.per_hour

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        profile: None | str | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        else:
            profile = self.profile


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "per_hour": per_hour,
        })
        if model is not UNSET:
            field_dict["model"] = model
        if profile is not UNSET:
            field_dict["profile"] = profile

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        per_hour = d.pop("per_hour")

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        def _parse_profile(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        profile = _parse_profile(d.pop("profile", UNSET))


        cost_rate = cls(
            per_hour=per_hour,
            model=model,
            profile=profile,
        )

        return cost_rate

