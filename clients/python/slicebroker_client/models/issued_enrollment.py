from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="IssuedEnrollment")



@_attrs_define
class IssuedEnrollment:
    """ A new enrollment token: the secret is shown only here.

        Attributes:
            expires_at (datetime.datetime):
            id (UUID):
            note (str):
            token (str): Give this to the agent once (`--enrollment-token` or `SLICEBROKER_AGENT_ENROLLMENT_TOKEN`).
     """

    expires_at: datetime.datetime
    id: UUID
    note: str
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        id = str(self.id)

        note = self.note

        token = self.token


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "expires_at": expires_at,
            "id": id,
            "note": note,
            "token": token,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))




        id = UUID(d.pop("id"))




        note = d.pop("note")

        token = d.pop("token")

        issued_enrollment = cls(
            expires_at=expires_at,
            id=id,
            note=note,
            token=token,
        )


        issued_enrollment.additional_properties = d
        return issued_enrollment

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
