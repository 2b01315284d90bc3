from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="AgentRegistration")



@_attrs_define
class AgentRegistration:
    """ The server's answer to a registration: who the host is and, after an enrollment token, the
    host-scoped credential to keep (shown once; absent when the agent already holds one).

        Attributes:
            desired_generation (int): The host's current desired generation.
            host_id (str):
            host_name (str):
            credential (None | str | Unset):
     """

    desired_generation: int
    host_id: str
    host_name: str
    credential: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        desired_generation = self.desired_generation

        host_id = self.host_id

        host_name = self.host_name

        credential: None | str | Unset
        if isinstance(self.credential, Unset):
            credential = UNSET
        else:
            credential = self.credential


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "desired_generation": desired_generation,
            "host_id": host_id,
            "host_name": host_name,
        })
        if credential is not UNSET:
            field_dict["credential"] = credential

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        desired_generation = d.pop("desired_generation")

        host_id = d.pop("host_id")

        host_name = d.pop("host_name")

        def _parse_credential(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential = _parse_credential(d.pop("credential", UNSET))


        agent_registration = cls(
            desired_generation=desired_generation,
            host_id=host_id,
            host_name=host_name,
            credential=credential,
        )


        agent_registration.additional_properties = d
        return agent_registration

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
