from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.lease_page import LeasePage
from ...models.lease_state import LeaseState
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    *,
    state: LeaseState | Unset = UNSET,
    label: str | Unset = UNSET,
    tenant_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params["label"] = label

    json_tenant_id: str | Unset = UNSET
    if not isinstance(tenant_id, Unset):
        json_tenant_id = str(tenant_id)
    params["tenant_id"] = json_tenant_id

    json_cursor: str | Unset = UNSET
    if not isinstance(cursor, Unset):
        json_cursor = str(cursor)
    params["cursor"] = json_cursor

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/leases",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> LeasePage | Problem | None:
    if response.status_code == 200:
        response_200 = LeasePage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[LeasePage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: LeaseState | Unset = UNSET,
    label: str | Unset = UNSET,
    tenant_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[LeasePage | Problem]:
    """ List leases

     The caller's tenant's leases (admins: every tenant's, or `tenant_id`'s), oldest first, a
    page at a time: while `next_cursor` is present, pass it as `cursor` for the next page.

    Args:
        state (LeaseState | Unset):
        label (str | Unset):
        tenant_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeasePage | Problem]
     """


    kwargs = _get_kwargs(
        state=state,
label=label,
tenant_id=tenant_id,
cursor=cursor,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    state: LeaseState | Unset = UNSET,
    label: str | Unset = UNSET,
    tenant_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> LeasePage | Problem | None:
    """ List leases

     The caller's tenant's leases (admins: every tenant's, or `tenant_id`'s), oldest first, a
    page at a time: while `next_cursor` is present, pass it as `cursor` for the next page.

    Args:
        state (LeaseState | Unset):
        label (str | Unset):
        tenant_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeasePage | Problem
     """


    return sync_detailed(
        client=client,
state=state,
label=label,
tenant_id=tenant_id,
cursor=cursor,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: LeaseState | Unset = UNSET,
    label: str | Unset = UNSET,
    tenant_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[LeasePage | Problem]:
    """ List leases

     The caller's tenant's leases (admins: every tenant's, or `tenant_id`'s), oldest first, a
    page at a time: while `next_cursor` is present, pass it as `cursor` for the next page.

    Args:
        state (LeaseState | Unset):
        label (str | Unset):
        tenant_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LeasePage | Problem]
     """


    kwargs = _get_kwargs(
        state=state,
label=label,
tenant_id=tenant_id,
cursor=cursor,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    state: LeaseState | Unset = UNSET,
    label: str | Unset = UNSET,
    tenant_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> LeasePage | Problem | None:
    """ List leases

     The caller's tenant's leases (admins: every tenant's, or `tenant_id`'s), oldest first, a
    page at a time: while `next_cursor` is present, pass it as `cursor` for the next page.

    Args:
        state (LeaseState | Unset):
        label (str | Unset):
        tenant_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LeasePage | Problem
     """


    return (await asyncio_detailed(
        client=client,
state=state,
label=label,
tenant_id=tenant_id,
cursor=cursor,
limit=limit,

    )).parsed
