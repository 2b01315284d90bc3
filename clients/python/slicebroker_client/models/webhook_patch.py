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






T = TypeVar("T", bound="WebhookPatch")



@_attrs_define
class WebhookPatch:
    """ A change to a webhook: every field is optional (but not `null`); those given replace the
    current value.

        Attributes:
            enabled (bool | Unset):
            format_ (WebhookFormat | Unset): What a delivery's body looks like.
            kinds (list[WebhookKind] | Unset):
            url (str | Unset):
     """

    enabled: bool | Unset = UNSET
    format_: WebhookFormat | Unset = UNSET
    kinds: list[WebhookKind] | Unset = UNSET
    url: str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value


        kinds: list[str] | Unset = UNSET
        if not isinstance(self.kinds, Unset):
            kinds = []
            for kinds_item_data in self.kinds:
                kinds_item = kinds_item_data.value
                kinds.append(kinds_item)



        url = self.url


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if format_ is not UNSET:
            field_dict["format"] = format_
        if kinds is not UNSET:
            field_dict["kinds"] = kinds
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        enabled = d.pop("enabled", UNSET)

        _format_ = d.pop("format", UNSET)
        format_: WebhookFormat | Unset
        if isinstance(_format_,  Unset):
            format_ = UNSET
        else:
            format_ = WebhookFormat(_format_)




        _kinds = d.pop("kinds", UNSET)
        kinds: list[WebhookKind] | Unset = UNSET
        if _kinds is not UNSET:
            kinds = []
            for kinds_item_data in _kinds:
                kinds_item = WebhookKind(kinds_item_data)



                kinds.append(kinds_item)


        url = d.pop("url", UNSET)

        webhook_patch = cls(
            enabled=enabled,
            format_=format_,
            kinds=kinds,
            url=url,
        )

        return webhook_patch

