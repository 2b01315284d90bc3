from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.audit_record import AuditRecord
from ...models.problem import Problem
from typing import cast
from uuid import UUID



def _get_kwargs(
    id: UUID,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{id}/audit".format(id=quote(str(id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[AuditRecord] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = AuditRecord.from_dict(response_200_item_data)



            response_200.append(response_200_item)

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[AuditRecord]]:
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

) -> Response[Problem | list[AuditRecord]]:
    """ A tenant's audit trail (admin)

     Every change to the tenant (create, policy and name updates) and to its webhooks and API
    keys (created, changed, secret rotated, deleted, revoked), oldest first, with the acting key
    and the object before and after (`target_kind` says which kind). Fleet-wide webhooks belong
    to no tenant: they are in `GET /v1/audit`, the whole log. An unknown id is `404`.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[AuditRecord]]
     """


    kwargs = _get_kwargs(
        id=id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,

) -> Problem | list[AuditRecord] | None:
    """ A tenant's audit trail (admin)

     Every change to the tenant (create, policy and name updates) and to its webhooks and API
    keys (created, changed, secret rotated, deleted, revoked), oldest first, with the acting key
    and the object before and after (`target_kind` says which kind). Fleet-wide webhooks belong
    to no tenant: they are in `GET /v1/audit`, the whole log. An unknown id is `404`.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[AuditRecord]
     """


    return sync_detailed(
        id=id,
client=client,

    ).parsed

async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,

) -> Response[Problem | list[AuditRecord]]:
    """ A tenant's audit trail (admin)

     Every change to the tenant (create, policy and name updates) and to its webhooks and API
    keys (created, changed, secret rotated, deleted, revoked), oldest first, with the acting key
    and the object before and after (`target_kind` says which kind). Fleet-wide webhooks belong
    to no tenant: they are in `GET /v1/audit`, the whole log. An unknown id is `404`.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[AuditRecord]]
     """


    kwargs = _get_kwargs(
        id=id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,

) -> Problem | list[AuditRecord] | None:
    """ A tenant's audit trail (admin)

     Every change to the tenant (create, policy and name updates) and to its webhooks and API
    keys (created, changed, secret rotated, deleted, revoked), oldest first, with the acting key
    and the object before and after (`target_kind` says which kind). Fleet-wide webhooks belong
    to no tenant: they are in `GET /v1/audit`, the whole log. An unknown id is `404`.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[AuditRecord]
     """


    return (await asyncio_detailed(
        id=id,
client=client,

    )).parsed
