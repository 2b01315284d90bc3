from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.cost_rate import CostRate





T = TypeVar("T", bound="CostRates")



@_attrs_define
class CostRates:
    """ The whole rate card: read by anyone signed in, replaced as a whole by admins.

        Attributes:
            rates (list[CostRate]): At most 1000, no two with the same `model` and `profile`.
     """

    rates: list[CostRate]





    def to_dict(self) -> dict[str, Any]:
        from ..models.cost_rate import CostRate # noqa: PLC0415
        rates = []
        for rates_item_data in self.rates:
            rates_item = rates_item_data.to_dict()
            rates.append(rates_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "rates": rates,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cost_rate import CostRate # noqa: PLC0415
        d = dict(src_dict)
        rates = []
        _rates = d.pop("rates")
        for rates_item_data in (_rates):
            rates_item = CostRate.from_dict(rates_item_data)



            rates.append(rates_item)


        cost_rates = cls(
            rates=rates,
        )

        return cost_rates

