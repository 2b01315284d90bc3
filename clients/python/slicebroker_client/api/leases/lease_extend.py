from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.lease import Lease
from ...models.lease_extend import LeaseExtend
from ...models.problem import Problem
from typing import cast
from uuid import UUID



def _get_kwargs(
    id: UUID,
    *,
    body: LeaseExtend,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/leases/{id}/extend".format(id=quote(str(id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Lease | Problem | None:
    if response.status_code == 200:
        response_200 = Lease.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())



        return response_429

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Lease | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: LeaseExtend,

) -> Response[Lease | Problem]:
    """ Extend a lease

     Moves `ends_at` later by `by`. Only `provisioning` and `active` leases can be extended, and
    all extensions of one lease together may add at most the tenant's
    `max_total_extension_seconds`. A lease cannot run into a booking of its slices: an extension
    past the start of one is `409 booked_after`, whose `detail` says until when the lease can be
    extended. The added time is held to the quota at every instant, beside the tenant's
    bookings then (`422 quota_exceeded` names the limit and the instant), and charged to the
    monthly budget of each month it falls in. Viewers cannot extend.

    Args:
        id (UUID):
        body (LeaseExtend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lease | Problem]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: LeaseExtend,

) -> Lease | Problem | None:
    """ Extend a lease

     Moves `ends_at` later by `by`. Only `provisioning` and `active` leases can be extended, and
    all extensions of one lease together may add at most the tenant's
    `max_total_extension_seconds`. A lease cannot run into a booking of its slices: an extension
    past the start of one is `409 booked_after`, whose `detail` says until when the lease can be
    extended. The added time is held to the quota at every instant, beside the tenant's
    bookings then (`422 quota_exceeded` names the limit and the instant), and charged to the
    monthly budget of each month it falls in. Viewers cannot extend.

    Args:
        id (UUID):
        body (LeaseExtend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lease | Problem
     """


    return sync_detailed(
        id=id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: LeaseExtend,

) -> Response[Lease | Problem]:
    """ Extend a lease

     Moves `ends_at` later by `by`. Only `provisioning` and `active` leases can be extended, and
    all extensions of one lease together may add at most the tenant's
    `max_total_extension_seconds`. A lease cannot run into a booking of its slices: an extension
    past the start of one is `409 booked_after`, whose `detail` says until when the lease can be
    extended. The added time is held to the quota at every instant, beside the tenant's
    bookings then (`422 quota_exceeded` names the limit and the instant), and charged to the
    monthly budget of each month it falls in. Viewers cannot extend.

    Args:
        id (UUID):
        body (LeaseExtend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lease | Problem]
     """


    kwargs = _get_kwargs(
        id=id,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: LeaseExtend,

) -> Lease | Problem | None:
    """ Extend a lease

     Moves `ends_at` later by `by`. Only `provisioning` and `active` leases can be extended, and
    all extensions of one lease together may add at most the tenant's
    `max_total_extension_seconds`. A lease cannot run into a booking of its slices: an extension
    past the start of one is `409 booked_after`, whose `detail` says until when the lease can be
    extended. The added time is held to the quota at every instant, beside the tenant's
    bookings then (`422 quota_exceeded` names the limit and the instant), and charged to the
    monthly budget of each month it falls in. Viewers cannot extend.

    Args:
        id (UUID):
        body (LeaseExtend):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lease | Problem
     """


    return (await asyncio_detailed(
        id=id,
client=client,
body=body,

    )).parsed
