from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="LeaseExtend")



@_attrs_define
class LeaseExtend:
    """ 
        Attributes:
            by (int | str): A duration, positive and at most 31622400 seconds (366 days).
     """

    by: int | str





    def to_dict(self) -> dict[str, Any]:
        by: int | str
        by = self.by


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "by": by,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_by(data: object) -> int | str:
            return cast(int | str, data)

        by = _parse_by(d.pop("by"))


        lease_extend = cls(
            by=by,
        )

        return lease_extend

