from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
from uuid import UUID
import datetime






T = TypeVar("T", bound="EnrollmentToken")



@_attrs_define
class EnrollmentToken:
    """ An enrollment token as admins see it (never the secret).

        Attributes:
            created_at (datetime.datetime):
            expires_at (datetime.datetime):
            id (UUID):
            note (str):
            prefix (str): The first characters of the token, to tell tokens apart.
            used_at (datetime.datetime | None):
            used_by_host (None | UUID):
     """

    created_at: datetime.datetime
    expires_at: datetime.datetime
    id: UUID
    note: str
    prefix: str
    used_at: datetime.datetime | None
    used_by_host: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        expires_at = self.expires_at.isoformat()

        id = str(self.id)

        note = self.note

        prefix = self.prefix

        used_at: None | str
        if isinstance(self.used_at, datetime.datetime):
            used_at = self.used_at.isoformat()
        else:
            used_at = self.used_at

        used_by_host: None | str
        if isinstance(self.used_by_host, UUID):
            used_by_host = str(self.used_by_host)
        else:
            used_by_host = self.used_by_host


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "expires_at": expires_at,
            "id": id,
            "note": note,
            "prefix": prefix,
            "used_at": used_at,
            "used_by_host": used_by_host,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))




        id = UUID(d.pop("id"))




        note = d.pop("note")

        prefix = d.pop("prefix")

        def _parse_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                used_at_type_0 = datetime.datetime.fromisoformat(data)



                return used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        used_at = _parse_used_at(d.pop("used_at"))


        def _parse_used_by_host(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                used_by_host_type_0 = UUID(data)



                return used_by_host_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        used_by_host = _parse_used_by_host(d.pop("used_by_host"))


        enrollment_token = cls(
            created_at=created_at,
            expires_at=expires_at,
            id=id,
            note=note,
            prefix=prefix,
            used_at=used_at,
            used_by_host=used_by_host,
        )


        enrollment_token.additional_properties = d
        return enrollment_token

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
