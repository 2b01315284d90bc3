from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Schedulable")



@_attrs_define
class Schedulable:
    """ A host's or GPU's cordon state, as `cordon`/`uncordon` audit it.

        Attributes:
            schedulable (bool):
     """

    schedulable: bool





    def to_dict(self) -> dict[str, Any]:
        schedulable = self.schedulable


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "schedulable": schedulable,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        schedulable = d.pop("schedulable")

        schedulable = cls(
            schedulable=schedulable,
        )

        return schedulable

