from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.observed_report import ObservedReport
from ...models.problem import Problem
from ...models.report_ack import ReportAck
from typing import cast



def _get_kwargs(
    *,
    body: ObservedReport,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/agent/observed",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReportAck | None:
    if response.status_code == 200:
        response_200 = ReportAck.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | ReportAck]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ObservedReport,

) -> Response[Problem | ReportAck]:
    """ Report what the host's GPUs hold (agents)

     The instances, processes, memory and activity the agent saw after applying
    `applied_generation`, and what it could not do. Moves leases `provisioning → active` once
    their instances exist, `releasing → ended` once they are gone, and to `failed` when
    creating them failed. A report older than one already accepted is ignored. Doubles as the
    host's heartbeat.

    Args:
        body (ObservedReport): `POST /v1/agent/observed`: what the agent saw after applying a
            generation. Also the heartbeat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportAck]
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
    body: ObservedReport,

) -> Problem | ReportAck | None:
    """ Report what the host's GPUs hold (agents)

     The instances, processes, memory and activity the agent saw after applying
    `applied_generation`, and what it could not do. Moves leases `provisioning → active` once
    their instances exist, `releasing → ended` once they are gone, and to `failed` when
    creating them failed. A report older than one already accepted is ignored. Doubles as the
    host's heartbeat.

    Args:
        body (ObservedReport): `POST /v1/agent/observed`: what the agent saw after applying a
            generation. Also the heartbeat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportAck
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ObservedReport,

) -> Response[Problem | ReportAck]:
    """ Report what the host's GPUs hold (agents)

     The instances, processes, memory and activity the agent saw after applying
    `applied_generation`, and what it could not do. Moves leases `provisioning → active` once
    their instances exist, `releasing → ended` once they are gone, and to `failed` when
    creating them failed. A report older than one already accepted is ignored. Doubles as the
    host's heartbeat.

    Args:
        body (ObservedReport): `POST /v1/agent/observed`: what the agent saw after applying a
            generation. Also the heartbeat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReportAck]
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
    body: ObservedReport,

) -> Problem | ReportAck | None:
    """ Report what the host's GPUs hold (agents)

     The instances, processes, memory and activity the agent saw after applying
    `applied_generation`, and what it could not do. Moves leases `provisioning → active` once
    their instances exist, `releasing → ended` once they are gone, and to `failed` when
    creating them failed. A report older than one already accepted is ignored. Doubles as the
    host's heartbeat.

    Args:
        body (ObservedReport): `POST /v1/agent/observed`: what the agent saw after applying a
            generation. Also the heartbeat.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReportAck
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
