from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.issued_token import IssuedToken
from ...models.problem import Problem
from ...models.token_create import TokenCreate
from typing import cast



def _get_kwargs(
    *,
    body: TokenCreate,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/auth/token",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> IssuedToken | Problem | None:
    if response.status_code == 200:
        response_200 = IssuedToken.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[IssuedToken | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,

) -> Response[IssuedToken | Problem]:
    """ Exchange an API key for a bearer token

     Returns a short-lived JWT (EdDSA) to send as `Authorization: Bearer <access_token>` on
    every other call. Tokens cannot be refreshed: when one expires (`expires_in` seconds from
    now, or a `401 unauthenticated` answer), ask for another. Revoking the key stops new
    tokens, and the tokens already issued from it are refused within the server's
    `key_revocation_delay` (5 s by default).

    Args:
        body (TokenCreate): An API key to exchange for a token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IssuedToken | Problem]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,

) -> IssuedToken | Problem | None:
    """ Exchange an API key for a bearer token

     Returns a short-lived JWT (EdDSA) to send as `Authorization: Bearer <access_token>` on
    every other call. Tokens cannot be refreshed: when one expires (`expires_in` seconds from
    now, or a `401 unauthenticated` answer), ask for another. Revoking the key stops new
    tokens, and the tokens already issued from it are refused within the server's
    `key_revocation_delay` (5 s by default).

    Args:
        body (TokenCreate): An API key to exchange for a token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IssuedToken | Problem
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,

) -> Response[IssuedToken | Problem]:
    """ Exchange an API key for a bearer token

     Returns a short-lived JWT (EdDSA) to send as `Authorization: Bearer <access_token>` on
    every other call. Tokens cannot be refreshed: when one expires (`expires_in` seconds from
    now, or a `401 unauthenticated` answer), ask for another. Revoking the key stops new
    tokens, and the tokens already issued from it are refused within the server's
    `key_revocation_delay` (5 s by default).

    Args:
        body (TokenCreate): An API key to exchange for a token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IssuedToken | Problem]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,

) -> IssuedToken | Problem | None:
    """ Exchange an API key for a bearer token

     Returns a short-lived JWT (EdDSA) to send as `Authorization: Bearer <access_token>` on
    every other call. Tokens cannot be refreshed: when one expires (`expires_in` seconds from
    now, or a `401 unauthenticated` answer), ask for another. Revoking the key stops new
    tokens, and the tokens already issued from it are refused within the server's
    `key_revocation_delay` (5 s by default).

    Args:
        body (TokenCreate): An API key to exchange for a token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IssuedToken | Problem
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
