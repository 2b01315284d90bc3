from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.webhook_format import WebhookFormat
from ..models.webhook_kind import WebhookKind
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WebhookCreate")



@_attrs_define
class WebhookCreate:
    """ Request to register a webhook.

        Attributes:
            kinds (list[WebhookKind]): The kinds wanted: 1 to 32, no repeats.
            url (str): An `http` or `https` URL of at most 2048 characters whose host resolves to public
                addresses only (unless the server allows private targets).
            enabled (bool | Unset): Default `true`.
            format_ (WebhookFormat | Unset): What a delivery's body looks like.
     """

    kinds: list[WebhookKind]
    url: str
    enabled: bool | Unset = UNSET
    format_: WebhookFormat | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        kinds = []
        for kinds_item_data in self.kinds:
            kinds_item = kinds_item_data.value
            kinds.append(kinds_item)



        url = self.url

        enabled = self.enabled

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value



        field_dict: dict[str, Any] = {}

        field_dict.update({
            "kinds": kinds,
            "url": url,
        })
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if format_ is not UNSET:
            field_dict["format"] = format_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kinds = []
        _kinds = d.pop("kinds")
        for kinds_item_data in (_kinds):
            kinds_item = WebhookKind(kinds_item_data)



            kinds.append(kinds_item)


        url = d.pop("url")

        enabled = d.pop("enabled", UNSET)

        _format_ = d.pop("format", UNSET)
        format_: WebhookFormat | Unset
        if isinstance(_format_,  Unset):
            format_ = UNSET
        else:
            format_ = WebhookFormat(_format_)




        webhook_create = cls(
            kinds=kinds,
            url=url,
            enabled=enabled,
            format_=format_,
        )

        return webhook_create

