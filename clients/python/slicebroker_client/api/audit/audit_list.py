from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.audit_page import AuditPage
from ...models.audit_target_kind import AuditTargetKind
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    target_kind: AuditTargetKind | Unset = UNSET,
    target_id: str | Unset = UNSET,
    cursor: int | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_target_kind: str | Unset = UNSET
    if not isinstance(target_kind, Unset):
        json_target_kind = target_kind.value

    params["target_kind"] = json_target_kind

    params["target_id"] = target_id

    params["cursor"] = cursor

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/audit",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditPage | Problem | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuditPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    target_kind: AuditTargetKind | Unset = UNSET,
    target_id: str | Unset = UNSET,
    cursor: int | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[AuditPage | Problem]:
    """ The audit log (admin)

     Every audited change in the fleet, newest first, a page at a time: hosts and GPUs cordoned,
    uncordoned and removed, tenants and their policies, API keys, webhooks (fleet-wide ones
    too) and redeliveries, slice classes, the rate card and enrollment tokens. Each entry names
    the acting key and holds the object before and after the change. While `next_cursor` is
    present, pass it as `cursor` for the next, older page. `GET /v1/tenants/{id}/audit` is one
    tenant's part of it.

    Args:
        target_kind (AuditTargetKind | Unset): The kinds of object the audit log records changes
            to (`AuditRecord.target_kind`).
        target_id (str | Unset):
        cursor (int | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | Problem]
     """


    kwargs = _get_kwargs(
        target_kind=target_kind,
target_id=target_id,
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
    target_kind: AuditTargetKind | Unset = UNSET,
    target_id: str | Unset = UNSET,
    cursor: int | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> AuditPage | Problem | None:
    """ The audit log (admin)

     Every audited change in the fleet, newest first, a page at a time: hosts and GPUs cordoned,
    uncordoned and removed, tenants and their policies, API keys, webhooks (fleet-wide ones
    too) and redeliveries, slice classes, the rate card and enrollment tokens. Each entry names
    the acting key and holds the object before and after the change. While `next_cursor` is
    present, pass it as `cursor` for the next, older page. `GET /v1/tenants/{id}/audit` is one
    tenant's part of it.

    Args:
        target_kind (AuditTargetKind | Unset): The kinds of object the audit log records changes
            to (`AuditRecord.target_kind`).
        target_id (str | Unset):
        cursor (int | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | Problem
     """


    return sync_detailed(
        client=client,
target_kind=target_kind,
target_id=target_id,
cursor=cursor,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    target_kind: AuditTargetKind | Unset = UNSET,
    target_id: str | Unset = UNSET,
    cursor: int | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[AuditPage | Problem]:
    """ The audit log (admin)

     Every audited change in the fleet, newest first, a page at a time: hosts and GPUs cordoned,
    uncordoned and removed, tenants and their policies, API keys, webhooks (fleet-wide ones
    too) and redeliveries, slice classes, the rate card and enrollment tokens. Each entry names
    the acting key and holds the object before and after the change. While `next_cursor` is
    present, pass it as `cursor` for the next, older page. `GET /v1/tenants/{id}/audit` is one
    tenant's part of it.

    Args:
        target_kind (AuditTargetKind | Unset): The kinds of object the audit log records changes
            to (`AuditRecord.target_kind`).
        target_id (str | Unset):
        cursor (int | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | Problem]
     """


    kwargs = _get_kwargs(
        target_kind=target_kind,
target_id=target_id,
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
    target_kind: AuditTargetKind | Unset = UNSET,
    target_id: str | Unset = UNSET,
    cursor: int | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> AuditPage | Problem | None:
    """ The audit log (admin)

     Every audited change in the fleet, newest first, a page at a time: hosts and GPUs cordoned,
    uncordoned and removed, tenants and their policies, API keys, webhooks (fleet-wide ones
    too) and redeliveries, slice classes, the rate card and enrollment tokens. Each entry names
    the acting key and holds the object before and after the change. While `next_cursor` is
    present, pass it as `cursor` for the next, older page. `GET /v1/tenants/{id}/audit` is one
    tenant's part of it.

    Args:
        target_kind (AuditTargetKind | Unset): The kinds of object the audit log records changes
            to (`AuditRecord.target_kind`).
        target_id (str | Unset):
        cursor (int | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | Problem
     """


    return (await asyncio_detailed(
        client=client,
target_kind=target_kind,
target_id=target_id,
cursor=cursor,
limit=limit,

    )).parsed
