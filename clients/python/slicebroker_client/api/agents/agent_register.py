from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.agent_register import AgentRegister
from ...models.agent_registration import AgentRegistration
from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    *,
    body: AgentRegister,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/agent/register",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AgentRegistration | Problem | None:
    if response.status_code == 200:
        response_200 = AgentRegistration.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AgentRegistration | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AgentRegister,

) -> Response[AgentRegistration | Problem]:
    """ Register a GPU host (agents)

     A new agent sends its one-time `enrollment_token` and gets its host-scoped `credential`;
    an enrolled agent sends `Authorization: Bearer <credential>` instead and refreshes the host's
    facts and GPUs. Each GPU's own MIG profile table is compared with the catalog: where they
    differ the GPU's table wins, and a GPU whose placements differ is not placed on.

    `409 conflict`: an enrollment under the name of a host whose agent was heard from within
    `host_unreachable_after` (another machine with the same name: it would take the host and
    its leases over), or a GPU that another host still reports or holds slices on.

    Args:
        body (AgentRegister): `POST /v1/agent/register`: what the host has. A new agent sends a
            one-time enrollment token;
            an enrolled one authenticates with its credential instead and leaves the token out.
            Registering again is harmless: it refreshes the host's facts and GPUs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentRegistration | Problem]
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
    client: AuthenticatedClient,
    body: AgentRegister,

) -> AgentRegistration | Problem | None:
    """ Register a GPU host (agents)

     A new agent sends its one-time `enrollment_token` and gets its host-scoped `credential`;
    an enrolled agent sends `Authorization: Bearer <credential>` instead and refreshes the host's
    facts and GPUs. Each GPU's own MIG profile table is compared with the catalog: where they
    differ the GPU's table wins, and a GPU whose placements differ is not placed on.

    `409 conflict`: an enrollment under the name of a host whose agent was heard from within
    `host_unreachable_after` (another machine with the same name: it would take the host and
    its leases over), or a GPU that another host still reports or holds slices on.

    Args:
        body (AgentRegister): `POST /v1/agent/register`: what the host has. A new agent sends a
            one-time enrollment token;
            an enrolled one authenticates with its credential instead and leaves the token out.
            Registering again is harmless: it refreshes the host's facts and GPUs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentRegistration | Problem
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AgentRegister,

) -> Response[AgentRegistration | Problem]:
    """ Register a GPU host (agents)

     A new agent sends its one-time `enrollment_token` and gets its host-scoped `credential`;
    an enrolled agent sends `Authorization: Bearer <credential>` instead and refreshes the host's
    facts and GPUs. Each GPU's own MIG profile table is compared with the catalog: where they
    differ the GPU's table wins, and a GPU whose placements differ is not placed on.

    `409 conflict`: an enrollment under the name of a host whose agent was heard from within
    `host_unreachable_after` (another machine with the same name: it would take the host and
    its leases over), or a GPU that another host still reports or holds slices on.

    Args:
        body (AgentRegister): `POST /v1/agent/register`: what the host has. A new agent sends a
            one-time enrollment token;
            an enrolled one authenticates with its credential instead and leaves the token out.
            Registering again is harmless: it refreshes the host's facts and GPUs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentRegistration | Problem]
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
    client: AuthenticatedClient,
    body: AgentRegister,

) -> AgentRegistration | Problem | None:
    """ Register a GPU host (agents)

     A new agent sends its one-time `enrollment_token` and gets its host-scoped `credential`;
    an enrolled agent sends `Authorization: Bearer <credential>` instead and refreshes the host's
    facts and GPUs. Each GPU's own MIG profile table is compared with the catalog: where they
    differ the GPU's table wins, and a GPU whose placements differ is not placed on.

    `409 conflict`: an enrollment under the name of a host whose agent was heard from within
    `host_unreachable_after` (another machine with the same name: it would take the host and
    its leases over), or a GPU that another host still reports or holds slices on.

    Args:
        body (AgentRegister): `POST /v1/agent/register`: what the host has. A new agent sends a
            one-time enrollment token;
            an enrolled one authenticates with its credential instead and leaves the token out.
            Registering again is harmless: it refreshes the host's facts and GPUs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentRegistration | Problem
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
