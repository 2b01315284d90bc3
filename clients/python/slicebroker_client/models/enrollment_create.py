from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="EnrollmentCreate")



@_attrs_define
class EnrollmentCreate:
    """ Request for an enrollment token.

        Attributes:
            note (str | Unset): A note for admins (`rack 12, node 3`), up to 200 characters.
            ttl (int | None | str | Unset): How long the token may be used: `"24h"`, `"PT1H"` or seconds (default 24h, at
                most 30 days).
     """

    note: str | Unset = UNSET
    ttl: int | None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        note = self.note

        ttl: int | None | str | Unset
        if isinstance(self.ttl, Unset):
            ttl = UNSET
        else:
            ttl = self.ttl


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if note is not UNSET:
            field_dict["note"] = note
        if ttl is not UNSET:
            field_dict["ttl"] = ttl

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        note = d.pop("note", UNSET)

        def _parse_ttl(data: object) -> int | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | str | Unset, data)

        ttl = _parse_ttl(d.pop("ttl", UNSET))


        enrollment_create = cls(
            note=note,
            ttl=ttl,
        )

        return enrollment_create

