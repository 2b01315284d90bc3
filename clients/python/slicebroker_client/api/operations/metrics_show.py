from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    
) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/metrics",
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | str | None:
    if response.status_code == 200:
        response_200 = response.text
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,

) -> Response[Problem | str]:
    """ Prometheus metrics

     In the Prometheus text format: per slice of an active lease, busy or idle, seconds since
    last activity, processes, memory and activity (`slicebroker_slice_*`); per tenant, holding
    against quota and this month's budget and leases by state (`slicebroker_tenant_*`); per
    host, agent report age and reconcile lag (`slicebroker_host_*`); for the fleet, GPUs by
    state, free capacity, the pending queue and leases by state and end reason; and this
    replica's request, create and reconcile latency histograms, grant and group-commit counters
    and database pool. Unauthenticated: keep it off the public network.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
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

) -> Problem | str | None:
    """ Prometheus metrics

     In the Prometheus text format: per slice of an active lease, busy or idle, seconds since
    last activity, processes, memory and activity (`slicebroker_slice_*`); per tenant, holding
    against quota and this month's budget and leases by state (`slicebroker_tenant_*`); per
    host, agent report age and reconcile lag (`slicebroker_host_*`); for the fleet, GPUs by
    state, free capacity, the pending queue and leases by state and end reason; and this
    replica's request, create and reconcile latency histograms, grant and group-commit counters
    and database pool. Unauthenticated: keep it off the public network.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
     """


    return sync_detailed(
        client=client,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,

) -> Response[Problem | str]:
    """ Prometheus metrics

     In the Prometheus text format: per slice of an active lease, busy or idle, seconds since
    last activity, processes, memory and activity (`slicebroker_slice_*`); per tenant, holding
    against quota and this month's budget and leases by state (`slicebroker_tenant_*`); per
    host, agent report age and reconcile lag (`slicebroker_host_*`); for the fleet, GPUs by
    state, free capacity, the pending queue and leases by state and end reason; and this
    replica's request, create and reconcile latency histograms, grant and group-commit counters
    and database pool. Unauthenticated: keep it off the public network.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
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

) -> Problem | str | None:
    """ Prometheus metrics

     In the Prometheus text format: per slice of an active lease, busy or idle, seconds since
    last activity, processes, memory and activity (`slicebroker_slice_*`); per tenant, holding
    against quota and this month's budget and leases by state (`slicebroker_tenant_*`); per
    host, agent report age and reconcile lag (`slicebroker_host_*`); for the fleet, GPUs by
    state, free capacity, the pending queue and leases by state and end reason; and this
    replica's request, create and reconcile latency histograms, grant and group-commit counters
    and database pool. Unauthenticated: keep it off the public network.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
     """


    return (await asyncio_detailed(
        client=client,

    )).parsed
