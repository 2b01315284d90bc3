from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.webhook import Webhook
from ...models.webhook_patch import WebhookPatch
from typing import cast
from uuid import UUID



def _get_kwargs(
    id: UUID,
    webhook_id: UUID,
    *,
    body: WebhookPatch,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/tenants/{id}/webhooks/{webhook_id}".format(id=quote(str(id), safe=""),webhook_id=quote(str(webhook_id), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | Webhook | None:
    if response.status_code == 200:
        response_200 = Webhook.from_dict(response.json())



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

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | Webhook]:
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
    body: WebhookPatch,

) -> Response[Problem | Webhook]:
    """ Change a tenant's webhook (admin or tenant-admin)

     The fields given replace the current ones, checked as on registration; a patch that
    changes nothing writes nothing. `enabled: false` pauses it: no new events are queued for
    it, and deliveries already queued wait (they are not failed); enabled again, those are
    sent, each with a fresh retry window.

    Args:
        id (UUID):
        webhook_id (UUID):
        body (WebhookPatch): A change to a webhook: every field is optional (but not `null`);
            those given replace the
            current value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Webhook]
     """


    kwargs = _get_kwargs(
        id=id,
webhook_id=webhook_id,
body=body,

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
    body: WebhookPatch,

) -> Problem | Webhook | None:
    """ Change a tenant's webhook (admin or tenant-admin)

     The fields given replace the current ones, checked as on registration; a patch that
    changes nothing writes nothing. `enabled: false` pauses it: no new events are queued for
    it, and deliveries already queued wait (they are not failed); enabled again, those are
    sent, each with a fresh retry window.

    Args:
        id (UUID):
        webhook_id (UUID):
        body (WebhookPatch): A change to a webhook: every field is optional (but not `null`);
            those given replace the
            current value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Webhook
     """


    return sync_detailed(
        id=id,
webhook_id=webhook_id,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    id: UUID,
    webhook_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookPatch,

) -> Response[Problem | Webhook]:
    """ Change a tenant's webhook (admin or tenant-admin)

     The fields given replace the current ones, checked as on registration; a patch that
    changes nothing writes nothing. `enabled: false` pauses it: no new events are queued for
    it, and deliveries already queued wait (they are not failed); enabled again, those are
    sent, each with a fresh retry window.

    Args:
        id (UUID):
        webhook_id (UUID):
        body (WebhookPatch): A change to a webhook: every field is optional (but not `null`);
            those given replace the
            current value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Webhook]
     """


    kwargs = _get_kwargs(
        id=id,
webhook_id=webhook_id,
body=body,

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
    body: WebhookPatch,

) -> Problem | Webhook | None:
    """ Change a tenant's webhook (admin or tenant-admin)

     The fields given replace the current ones, checked as on registration; a patch that
    changes nothing writes nothing. `enabled: false` pauses it: no new events are queued for
    it, and deliveries already queued wait (they are not failed); enabled again, those are
    sent, each with a fresh retry window.

    Args:
        id (UUID):
        webhook_id (UUID):
        body (WebhookPatch): A change to a webhook: every field is optional (but not `null`);
            those given replace the
            current value.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Webhook
     """


    return (await asyncio_detailed(
        id=id,
webhook_id=webhook_id,
client=client,
body=body,

    )).parsed
