from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ReportAck")



@_attrs_define
class ReportAck:
    """ The server's answer to an observed report.

        Attributes:
            accepted (bool): False when the report applied an older generation than one already accepted: it was
                ignored (apart from counting as a heartbeat).
            desired_generation (int): The host's current desired generation; newer than the applied one means more to do.
     """

    accepted: bool
    desired_generation: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        desired_generation = self.desired_generation


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "accepted": accepted,
            "desired_generation": desired_generation,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        accepted = d.pop("accepted")

        desired_generation = d.pop("desired_generation")

        report_ack = cls(
            accepted=accepted,
            desired_generation=desired_generation,
        )


        report_ack.additional_properties = d
        return report_ack

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
