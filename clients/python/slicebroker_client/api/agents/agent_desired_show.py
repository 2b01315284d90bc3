from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.desired_config import DesiredConfig
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    after: int | Unset = UNSET,
    wait: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["after"] = after

    params["wait"] = wait


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/agent/desired",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DesiredConfig | Problem | None:
    if response.status_code == 200:
        response_200 = DesiredConfig.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DesiredConfig | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: int | Unset = UNSET,
    wait: int | Unset = UNSET,

) -> Response[DesiredConfig | Problem]:
    """ The host's desired config (agents, long-poll)

     The slices each GPU of the calling agent's host should have, with the lease each serves.
    Answers at once when the host's generation is newer than `after`, otherwise when it moves
    (on any server replica) or after `wait` seconds, with the current config.

    Args:
        after (int | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DesiredConfig | Problem]
     """


    kwargs = _get_kwargs(
        after=after,
wait=wait,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    after: int | Unset = UNSET,
    wait: int | Unset = UNSET,

) -> DesiredConfig | Problem | None:
    """ The host's desired config (agents, long-poll)

     The slices each GPU of the calling agent's host should have, with the lease each serves.
    Answers at once when the host's generation is newer than `after`, otherwise when it moves
    (on any server replica) or after `wait` seconds, with the current config.

    Args:
        after (int | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DesiredConfig | Problem
     """


    return sync_detailed(
        client=client,
after=after,
wait=wait,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: int | Unset = UNSET,
    wait: int | Unset = UNSET,

) -> Response[DesiredConfig | Problem]:
    """ The host's desired config (agents, long-poll)

     The slices each GPU of the calling agent's host should have, with the lease each serves.
    Answers at once when the host's generation is newer than `after`, otherwise when it moves
    (on any server replica) or after `wait` seconds, with the current config.

    Args:
        after (int | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DesiredConfig | Problem]
     """


    kwargs = _get_kwargs(
        after=after,
wait=wait,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    after: int | Unset = UNSET,
    wait: int | Unset = UNSET,

) -> DesiredConfig | Problem | None:
    """ The host's desired config (agents, long-poll)

     The slices each GPU of the calling agent's host should have, with the lease each serves.
    Answers at once when the host's generation is newer than `after`, otherwise when it moves
    (on any server replica) or after `wait` seconds, with the current config.

    Args:
        after (int | Unset):
        wait (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DesiredConfig | Problem
     """


    return (await asyncio_detailed(
        client=client,
after=after,
wait=wait,

    )).parsed
