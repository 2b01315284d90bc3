from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="EccCounts")



@_attrs_define
class EccCounts:
    """ ECC error counts since the driver loaded (volatile) and over the GPU's life (aggregate).

        Attributes:
            aggregate_corrected (int):
            aggregate_uncorrected (int):
            volatile_corrected (int):
            volatile_uncorrected (int):
     """

    aggregate_corrected: int
    aggregate_uncorrected: int
    volatile_corrected: int
    volatile_uncorrected: int





    def to_dict(self) -> dict[str, Any]:
        aggregate_corrected = self.aggregate_corrected

        aggregate_uncorrected = self.aggregate_uncorrected

        volatile_corrected = self.volatile_corrected

        volatile_uncorrected = self.volatile_uncorrected


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "aggregate_corrected": aggregate_corrected,
            "aggregate_uncorrected": aggregate_uncorrected,
            "volatile_corrected": volatile_corrected,
            "volatile_uncorrected": volatile_uncorrected,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        aggregate_corrected = d.pop("aggregate_corrected")

        aggregate_uncorrected = d.pop("aggregate_uncorrected")

        volatile_corrected = d.pop("volatile_corrected")

        volatile_uncorrected = d.pop("volatile_uncorrected")

        ecc_counts = cls(
            aggregate_corrected=aggregate_corrected,
            aggregate_uncorrected=aggregate_uncorrected,
            volatile_corrected=volatile_corrected,
            volatile_uncorrected=volatile_uncorrected,
        )

        return ecc_counts

