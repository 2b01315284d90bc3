from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Placement")



@_attrs_define
class Placement:
    """ A placement of a GPU instance: `size` memory slices starting at `start`
    (`nvmlGpuInstancePlacement_t`).

        Attributes:
            size (int):
            start (int):
     """

    size: int
    start: int





    def to_dict(self) -> dict[str, Any]:
        size = self.size

        start = self.start


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "size": size,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        size = d.pop("size")

        start = d.pop("start")

        placement = cls(
            size=size,
            start=start,
        )

        return placement

