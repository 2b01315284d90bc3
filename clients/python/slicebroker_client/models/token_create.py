from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="TokenCreate")



@_attrs_define
class TokenCreate:
    """ An API key to exchange for a token.

        Attributes:
            api_key (str): The key's secret (`sbk_…`), as shown once when the key was created.
     """

    api_key: str





    def to_dict(self) -> dict[str, Any]:
        api_key = self.api_key


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "api_key": api_key,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        api_key = d.pop("api_key")

        token_create = cls(
            api_key=api_key,
        )

        return token_create

