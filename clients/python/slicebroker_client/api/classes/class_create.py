from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.slice_class import SliceClass
from ...models.slice_class_spec import SliceClassSpec
from typing import cast



def _get_kwargs(
    name: str,
    *,
    body: SliceClassSpec,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/classes/{name}".format(name=quote(str(name), safe=""),),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SliceClass | None:
    if response.status_code == 201:
        response_201 = SliceClass.from_dict(response.json())



        return response_201

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | SliceClass]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: SliceClassSpec,

) -> Response[Problem | SliceClass]:
    """ Create a slice class (admin)

     A named shape (`notebook`, `full-gpu`): what it gives (a profile per GPU model and/or a
    need in memory and compute), its default and longest duration, idle timeout and queue
    priority, and which tenants may use it. Audited (`class_audit`).

    Args:
        name (str):
        body (SliceClassSpec): What a class gives and to whom. It gives `profiles` on the models
            they name and, on other
            models, the smallest plain profile with `min_memory_gib` and `min_compute_slices`; at
            least
            one of the two. Bounds: durations 1 to 31,622,400 seconds (366 days), the default at most
            the longest; priority -100 to 100; at most 32 models and 1,000 tenants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SliceClass]
     """


    kwargs = _get_kwargs(
        name=name,
body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: SliceClassSpec,

) -> Problem | SliceClass | None:
    """ Create a slice class (admin)

     A named shape (`notebook`, `full-gpu`): what it gives (a profile per GPU model and/or a
    need in memory and compute), its default and longest duration, idle timeout and queue
    priority, and which tenants may use it. Audited (`class_audit`).

    Args:
        name (str):
        body (SliceClassSpec): What a class gives and to whom. It gives `profiles` on the models
            they name and, on other
            models, the smallest plain profile with `min_memory_gib` and `min_compute_slices`; at
            least
            one of the two. Bounds: durations 1 to 31,622,400 seconds (366 days), the default at most
            the longest; priority -100 to 100; at most 32 models and 1,000 tenants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SliceClass
     """


    return sync_detailed(
        name=name,
client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: SliceClassSpec,

) -> Response[Problem | SliceClass]:
    """ Create a slice class (admin)

     A named shape (`notebook`, `full-gpu`): what it gives (a profile per GPU model and/or a
    need in memory and compute), its default and longest duration, idle timeout and queue
    priority, and which tenants may use it. Audited (`class_audit`).

    Args:
        name (str):
        body (SliceClassSpec): What a class gives and to whom. It gives `profiles` on the models
            they name and, on other
            models, the smallest plain profile with `min_memory_gib` and `min_compute_slices`; at
            least
            one of the two. Bounds: durations 1 to 31,622,400 seconds (366 days), the default at most
            the longest; priority -100 to 100; at most 32 models and 1,000 tenants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SliceClass]
     """


    kwargs = _get_kwargs(
        name=name,
body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    name: str,
    *,
    client: AuthenticatedClient | Client,
    body: SliceClassSpec,

) -> Problem | SliceClass | None:
    """ Create a slice class (admin)

     A named shape (`notebook`, `full-gpu`): what it gives (a profile per GPU model and/or a
    need in memory and compute), its default and longest duration, idle timeout and queue
    priority, and which tenants may use it. Audited (`class_audit`).

    Args:
        name (str):
        body (SliceClassSpec): What a class gives and to whom. It gives `profiles` on the models
            they name and, on other
            models, the smallest plain profile with `min_memory_gib` and `min_compute_slices`; at
            least
            one of the two. Bounds: durations 1 to 31,622,400 seconds (366 days), the default at most
            the longest; priority -100 to 100; at most 32 models and 1,000 tenants.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SliceClass
     """


    return (await asyncio_detailed(
        name=name,
client=client,
body=body,

    )).parsed
