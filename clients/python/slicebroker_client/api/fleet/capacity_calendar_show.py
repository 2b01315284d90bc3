from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.capacity_calendar import CapacityCalendar
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    profile: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    duration: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["profile"] = profile

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    params["duration"] = duration


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/capacity/calendar",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[CapacityCalendar] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            response_200_item = CapacityCalendar.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[CapacityCalendar]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    profile: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    duration: str | Unset = UNSET,

) -> Response[Problem | list[CapacityCalendar]]:
    """ When a profile can be booked

     For each GPU model that has `profile`: the time from `from` to `to` cut into intervals, each
    with how many instances could be booked throughout it (each GPU counted on its own, as in
    `capacity_show`), from the bookings and running leases the server knows. With `duration`,
    also the earliest start at which one instance is free for that long. A guide that reserves
    nothing: book with `lease_create` and `start`.

    Args:
        profile (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        duration (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[CapacityCalendar]]
     """


    kwargs = _get_kwargs(
        profile=profile,
from_=from_,
to=to,
duration=duration,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    profile: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    duration: str | Unset = UNSET,

) -> Problem | list[CapacityCalendar] | None:
    """ When a profile can be booked

     For each GPU model that has `profile`: the time from `from` to `to` cut into intervals, each
    with how many instances could be booked throughout it (each GPU counted on its own, as in
    `capacity_show`), from the bookings and running leases the server knows. With `duration`,
    also the earliest start at which one instance is free for that long. A guide that reserves
    nothing: book with `lease_create` and `start`.

    Args:
        profile (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        duration (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[CapacityCalendar]
     """


    return sync_detailed(
        client=client,
profile=profile,
from_=from_,
to=to,
duration=duration,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    profile: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    duration: str | Unset = UNSET,

) -> Response[Problem | list[CapacityCalendar]]:
    """ When a profile can be booked

     For each GPU model that has `profile`: the time from `from` to `to` cut into intervals, each
    with how many instances could be booked throughout it (each GPU counted on its own, as in
    `capacity_show`), from the bookings and running leases the server knows. With `duration`,
    also the earliest start at which one instance is free for that long. A guide that reserves
    nothing: book with `lease_create` and `start`.

    Args:
        profile (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        duration (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[CapacityCalendar]]
     """


    kwargs = _get_kwargs(
        profile=profile,
from_=from_,
to=to,
duration=duration,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    profile: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    duration: str | Unset = UNSET,

) -> Problem | list[CapacityCalendar] | None:
    """ When a profile can be booked

     For each GPU model that has `profile`: the time from `from` to `to` cut into intervals, each
    with how many instances could be booked throughout it (each GPU counted on its own, as in
    `capacity_show`), from the bookings and running leases the server knows. With `duration`,
    also the earliest start at which one instance is free for that long. A guide that reserves
    nothing: book with `lease_create` and `start`.

    Args:
        profile (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        duration (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[CapacityCalendar]
     """


    return (await asyncio_detailed(
        client=client,
profile=profile,
from_=from_,
to=to,
duration=duration,

    )).parsed
