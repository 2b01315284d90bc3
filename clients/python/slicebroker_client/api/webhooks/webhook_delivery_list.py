from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.webhook_delivery import WebhookDelivery
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    id: UUID,
    webhook_id: UUID,
    *,
    limit: int | Unset = UNSET,
    before: UUID | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_before: str | Unset = UNSET
    if not isinstance(before, Unset):
        json_before = str(before)
    params["before"] = json_before


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/tenants/{id}/webhooks/{webhook_id}/deliveries".format(id=quote(str(id), safe=""),webhook_id=quote(str(webhook_id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[WebhookDelivery] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = WebhookDelivery.from_dict(response_200_item_data)



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[WebhookDelivery]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    webhook_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    before: UUID | Unset = UNSET,

) -> Response[Problem | list[WebhookDelivery]]:
    """ A tenant's webhook's deliveries (admin or tenant-admin)

     Newest first, each with its last 20 attempts: status code (or the error when no answer
    came) and duration. For the next page, pass the last delivery's `id` as `before`.

    Args:
        id (UUID):
        webhook_id (UUID):
        limit (int | Unset):
        before (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[WebhookDelivery]]
     """


    kwargs = _get_kwargs(
        id=id,
webhook_id=webhook_id,
limit=limit,
before=before,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: UUID,
    webhook_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    before: UUID | Unset = UNSET,

) -> Problem | list[WebhookDelivery] | None:
    """ A tenant's webhook's deliveries (admin or tenant-admin)

     Newest first, each with its last 20 attempts: status code (or the error when no answer
    came) and duration. For the next page, pass the last delivery's `id` as `before`.

    Args:
        id (UUID):
        webhook_id (UUID):
        limit (int | Unset):
        before (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[WebhookDelivery]
     """


    return sync_detailed(
        id=id,
webhook_id=webhook_id,
client=client,
limit=limit,
before=before,

    ).parsed

async def asyncio_detailed(
    id: UUID,
    webhook_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    before: UUID | Unset = UNSET,

) -> Response[Problem | list[WebhookDelivery]]:
    """ A tenant's webhook's deliveries (admin or tenant-admin)

     Newest first, each with its last 20 attempts: status code (or the error when no answer
    came) and duration. For the next page, pass the last delivery's `id` as `before`.

    Args:
        id (UUID):
        webhook_id (UUID):
        limit (int | Unset):
        before (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[WebhookDelivery]]
     """


    kwargs = _get_kwargs(
        id=id,
webhook_id=webhook_id,
limit=limit,
before=before,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: UUID,
    webhook_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    before: UUID | Unset = UNSET,

) -> Problem | list[WebhookDelivery] | None:
    """ A tenant's webhook's deliveries (admin or tenant-admin)

     Newest first, each with its last 20 attempts: status code (or the error when no answer
    came) and duration. For the next page, pass the last delivery's `id` as `before`.

    Args:
        id (UUID):
        webhook_id (UUID):
        limit (int | Unset):
        before (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[WebhookDelivery]
     """


    return (await asyncio_detailed(
        id=id,
webhook_id=webhook_id,
client=client,
limit=limit,
before=before,

    )).parsed
