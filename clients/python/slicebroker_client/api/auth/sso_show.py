from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.sso_settings import SsoSettings
from typing import cast



def _get_kwargs(
    
) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/auth/sso",
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SsoSettings | None:
    if response.status_code == 200:
        response_200 = SsoSettings.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | SsoSettings]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,

) -> Response[Problem | SsoSettings]:
    """ Organisation sign-in settings

     Whether tokens of the organisation's OpenID Connect issuer are accepted, and what a client
    needs for the authorization code flow with PKCE. A token from that issuer is then sent as
    `Authorization: Bearer <token>` like our own; its claims map to a tenant and role by the
    server's sign-in rules, and one that fails any check or matches no rule is a plain 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SsoSettings]
     """


    kwargs = _get_kwargs(
        
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,

) -> Problem | SsoSettings | None:
    """ Organisation sign-in settings

     Whether tokens of the organisation's OpenID Connect issuer are accepted, and what a client
    needs for the authorization code flow with PKCE. A token from that issuer is then sent as
    `Authorization: Bearer <token>` like our own; its claims map to a tenant and role by the
    server's sign-in rules, and one that fails any check or matches no rule is a plain 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SsoSettings
     """


    return sync_detailed(
        client=client,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,

) -> Response[Problem | SsoSettings]:
    """ Organisation sign-in settings

     Whether tokens of the organisation's OpenID Connect issuer are accepted, and what a client
    needs for the authorization code flow with PKCE. A token from that issuer is then sent as
    `Authorization: Bearer <token>` like our own; its claims map to a tenant and role by the
    server's sign-in rules, and one that fails any check or matches no rule is a plain 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SsoSettings]
     """


    kwargs = _get_kwargs(
        
    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,

) -> Problem | SsoSettings | None:
    """ Organisation sign-in settings

     Whether tokens of the organisation's OpenID Connect issuer are accepted, and what a client
    needs for the authorization code flow with PKCE. A token from that issuer is then sent as
    `Authorization: Bearer <token>` like our own; its claims map to a tenant and role by the
    server's sign-in rules, and one that fails any check or matches no rule is a plain 401.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SsoSettings
     """


    return (await asyncio_detailed(
        client=client,

    )).parsed
