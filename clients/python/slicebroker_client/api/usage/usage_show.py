from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.usage_row import UsageRow
from ...models.usage_show_format import UsageShowFormat
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime



def _get_kwargs(
    *,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,
    format_: UsageShowFormat | Unset = UNSET,

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

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/usage",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[UsageRow] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = UsageRow.from_dict(response_200_item_data)



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[UsageRow]]:
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
    format_: UsageShowFormat | Unset = UNSET,

) -> Response[Problem | list[UsageRow]]:
    """ Usage report

     Per tenant, GPU model, profile and UTC day over `[from, to)` (at most 366 days):
    slice-hours (a slice counts from its grant until it is released, or until its lease ends
    if that is first, as when its host is lost), compute-slice-hours, idle-held slice-hours (the
    part of those hours its agent reported the slice idle: no compute process and, where
    measured, no activity) and the cost at the current rates (`rates_show`). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s). `format=csv` or `Accept: text/csv` gives
    the same rows as CSV with the header
    `day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost`.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):
        format_ (UsageShowFormat | Unset): How `GET /v1/usage` answers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[UsageRow]]
     """


    kwargs = _get_kwargs(
        from_=from_,
to=to,
tenant_id=tenant_id,
format_=format_,

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
    format_: UsageShowFormat | Unset = UNSET,

) -> Problem | list[UsageRow] | None:
    """ Usage report

     Per tenant, GPU model, profile and UTC day over `[from, to)` (at most 366 days):
    slice-hours (a slice counts from its grant until it is released, or until its lease ends
    if that is first, as when its host is lost), compute-slice-hours, idle-held slice-hours (the
    part of those hours its agent reported the slice idle: no compute process and, where
    measured, no activity) and the cost at the current rates (`rates_show`). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s). `format=csv` or `Accept: text/csv` gives
    the same rows as CSV with the header
    `day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost`.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):
        format_ (UsageShowFormat | Unset): How `GET /v1/usage` answers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[UsageRow]
     """


    return sync_detailed(
        client=client,
from_=from_,
to=to,
tenant_id=tenant_id,
format_=format_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.datetime,
    to: datetime.datetime,
    tenant_id: UUID | Unset = UNSET,
    format_: UsageShowFormat | Unset = UNSET,

) -> Response[Problem | list[UsageRow]]:
    """ Usage report

     Per tenant, GPU model, profile and UTC day over `[from, to)` (at most 366 days):
    slice-hours (a slice counts from its grant until it is released, or until its lease ends
    if that is first, as when its host is lost), compute-slice-hours, idle-held slice-hours (the
    part of those hours its agent reported the slice idle: no compute process and, where
    measured, no activity) and the cost at the current rates (`rates_show`). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s). `format=csv` or `Accept: text/csv` gives
    the same rows as CSV with the header
    `day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost`.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):
        format_ (UsageShowFormat | Unset): How `GET /v1/usage` answers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[UsageRow]]
     """


    kwargs = _get_kwargs(
        from_=from_,
to=to,
tenant_id=tenant_id,
format_=format_,

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
    format_: UsageShowFormat | Unset = UNSET,

) -> Problem | list[UsageRow] | None:
    """ Usage report

     Per tenant, GPU model, profile and UTC day over `[from, to)` (at most 366 days):
    slice-hours (a slice counts from its grant until it is released, or until its lease ends
    if that is first, as when its host is lost), compute-slice-hours, idle-held slice-hours (the
    part of those hours its agent reported the slice idle: no compute process and, where
    measured, no activity) and the cost at the current rates (`rates_show`). The caller's own
    tenant (admins: every tenant, or `tenant_id`'s). `format=csv` or `Accept: text/csv` gives
    the same rows as CSV with the header
    `day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost`.

    Args:
        from_ (datetime.datetime):
        to (datetime.datetime):
        tenant_id (UUID | Unset):
        format_ (UsageShowFormat | Unset): How `GET /v1/usage` answers.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[UsageRow]
     """


    return (await asyncio_detailed(
        client=client,
from_=from_,
to=to,
tenant_id=tenant_id,
format_=format_,

    )).parsed
