from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="SsoSettings")



@_attrs_define
class SsoSettings:
    """ How the dashboard and portals sign people in with the organisation's identity provider.

        Attributes:
            authorization_endpoint (None | str): Where to send the browser (authorization code flow with PKCE); null when
                the issuer's
                discovery document could not be read yet.
            client_id (None | str): The client id to sign in with; its ID or access tokens carry it as `aud`.
            enabled (bool): Whether the server trusts an OpenID Connect issuer; the other fields are null when not.
            issuer (None | str): The issuer's URL (`iss` of its tokens); its discovery document is at
                `<issuer>/.well-known/openid-configuration`.
            token_endpoint (None | str): Where to trade the authorization code (and PKCE verifier) for tokens; null when the
                issuer's discovery document could not be read yet or names none.
     """

    authorization_endpoint: None | str
    client_id: None | str
    enabled: bool
    issuer: None | str
    token_endpoint: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        authorization_endpoint: None | str
        authorization_endpoint = self.authorization_endpoint

        client_id: None | str
        client_id = self.client_id

        enabled = self.enabled

        issuer: None | str
        issuer = self.issuer

        token_endpoint: None | str
        token_endpoint = self.token_endpoint


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "authorization_endpoint": authorization_endpoint,
            "client_id": client_id,
            "enabled": enabled,
            "issuer": issuer,
            "token_endpoint": token_endpoint,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_authorization_endpoint(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        authorization_endpoint = _parse_authorization_endpoint(d.pop("authorization_endpoint"))


        def _parse_client_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        client_id = _parse_client_id(d.pop("client_id"))


        enabled = d.pop("enabled")

        def _parse_issuer(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        issuer = _parse_issuer(d.pop("issuer"))


        def _parse_token_endpoint(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        token_endpoint = _parse_token_endpoint(d.pop("token_endpoint"))


        sso_settings = cls(
            authorization_endpoint=authorization_endpoint,
            client_id=client_id,
            enabled=enabled,
            issuer=issuer,
            token_endpoint=token_endpoint,
        )


        sso_settings.additional_properties = d
        return sso_settings

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
