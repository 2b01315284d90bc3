from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.rightsizing_row import RightsizingRow
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime



def _get_kwargs(
    *,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to = to.isoformat()
    params["to"] = json_to

    json_tenant_id: str | Unset = UNSET
    if not isinstance(tenant_id, Unset):
        json_tenant_id = str(tenant_id)
    params["tenant_id"] = json_tenant_id


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/usage/rightsizing",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[RightsizingRow] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = RightsizingRow.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[RightsizingRow]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,

) -> Response[Problem | list[RightsizingRow]]:
    """ Right-sizing report

     For the leases that ended in `[from, to)` (at most 366 days), per tenant, slice class (or
    none), GPU model and profile: how many, the median and highest of their peak memory (what
    their agents reported in use) against the profile's nominal memory, their busy share and
    idle-held slice-hours (over each lease's active interval), and a smaller profile of the
    same GPU model only where the evidence is strong: at least 10 leases (fewer: the note says
    how many are needed), and at least 90 % of them peaked within its memory less 10 %
    headroom and were busy under 20 % of their time; with the compute-slice-hours it would
    have freed (their slice-hours × the difference in compute slices). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s).

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[RightsizingRow]]
     """


    kwargs = _get_kwargs(
        from_=from_,
to=to,
tenant_id=tenant_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,

) -> Problem | list[RightsizingRow] | None:
    """ Right-sizing report

     For the leases that ended in `[from, to)` (at most 366 days), per tenant, slice class (or
    none), GPU model and profile: how many, the median and highest of their peak memory (what
    their agents reported in use) against the profile's nominal memory, their busy share and
    idle-held slice-hours (over each lease's active interval), and a smaller profile of the
    same GPU model only where the evidence is strong: at least 10 leases (fewer: the note says
    how many are needed), and at least 90 % of them peaked within its memory less 10 %
    headroom and were busy under 20 % of their time; with the compute-slice-hours it would
    have freed (their slice-hours × the difference in compute slices). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s).

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[RightsizingRow]
     """


    return sync_detailed(
        client=client,
from_=from_,
to=to,
tenant_id=tenant_id,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,

) -> Response[Problem | list[RightsizingRow]]:
    """ Right-sizing report

     For the leases that ended in `[from, to)` (at most 366 days), per tenant, slice class (or
    none), GPU model and profile: how many, the median and highest of their peak memory (what
    their agents reported in use) against the profile's nominal memory, their busy share and
    idle-held slice-hours (over each lease's active interval), and a smaller profile of the
    same GPU model only where the evidence is strong: at least 10 leases (fewer: the note says
    how many are needed), and at least 90 % of them peaked within its memory less 10 %
    headroom and were busy under 20 % of their time; with the compute-slice-hours it would
    have freed (their slice-hours × the difference in compute slices). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s).

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[RightsizingRow]]
     """


    kwargs = _get_kwargs(
        from_=from_,
to=to,
tenant_id=tenant_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,

) -> Problem | list[RightsizingRow] | None:
    """ Right-sizing report

     For the leases that ended in `[from, to)` (at most 366 days), per tenant, slice class (or
    none), GPU model and profile: how many, the median and highest of their peak memory (what
    their agents reported in use) against the profile's nominal memory, their busy share and
    idle-held slice-hours (over each lease's active interval), and a smaller profile of the
    same GPU model only where the evidence is strong: at least 10 leases (fewer: the note says
    how many are needed), and at least 90 % of them peaked within its memory less 10 %
    headroom and were busy under 20 % of their time; with the compute-slice-hours it would
    have freed (their slice-hours × the difference in compute slices). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s).

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[RightsizingRow]
     """


    return (await asyncio_detailed(
        client=client,
from_=from_,
to=to,
tenant_id=tenant_id,

    )).parsed
