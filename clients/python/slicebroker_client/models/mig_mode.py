from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="MigMode")



@_attrs_define
class MigMode:
    """ MIG mode as NVML reports it: what is active and what the next activation will make active.

        Attributes:
            current (bool):
            pending (bool):
     """

    current: bool
    pending: bool





    def to_dict(self) -> dict[str, Any]:
        current = self.current

        pending = self.pending


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "current": current,
            "pending": pending,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        current = d.pop("current")

        pending = d.pop("pending")

        mig_mode = cls(
            current=current,
            pending=pending,
        )

        return mig_mode

