from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.lease_event_activated import LeaseEventActivated
from ...models.lease_event_at_risk import LeaseEventAtRisk
from ...models.lease_event_booked import LeaseEventBooked
from ...models.lease_event_cancelled import LeaseEventCancelled
from ...models.lease_event_ended import LeaseEventEnded
from ...models.lease_event_expired import LeaseEventExpired
from ...models.lease_event_expiring import LeaseEventExpiring
from ...models.lease_event_extended import LeaseEventExtended
from ...models.lease_event_failed import LeaseEventFailed
from ...models.lease_event_granted import LeaseEventGranted
from ...models.lease_event_host_lost import LeaseEventHostLost
from ...models.lease_event_idle_warning import LeaseEventIdleWarning
from ...models.lease_event_instance_error import LeaseEventInstanceError
from ...models.lease_event_queued import LeaseEventQueued
from ...models.lease_event_rebooked import LeaseEventRebooked
from ...models.lease_event_reclaimed_idle import LeaseEventReclaimedIdle
from ...models.lease_event_released import LeaseEventReleased
from ...models.lease_event_revoked import LeaseEventRevoked
from ...models.lease_event_starting import LeaseEventStarting
from ...models.lease_event_teardown_error import LeaseEventTeardownError
from ...models.problem import Problem
from typing import cast
from uuid import UUID



def _get_kwargs(
    id: UUID,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/leases/{id}/events".format(id=quote(str(id), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in (_response_200):
            def _parse_response_200_item(data: object) -> LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_0 = LeaseEventGranted.from_dict(data)



                    return componentsschemas_lease_event_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_1 = LeaseEventQueued.from_dict(data)



                    return componentsschemas_lease_event_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_2 = LeaseEventActivated.from_dict(data)



                    return componentsschemas_lease_event_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_3 = LeaseEventExtended.from_dict(data)



                    return componentsschemas_lease_event_type_3
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_4 = LeaseEventReleased.from_dict(data)



                    return componentsschemas_lease_event_type_4
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_5 = LeaseEventRevoked.from_dict(data)



                    return componentsschemas_lease_event_type_5
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_6 = LeaseEventExpiring.from_dict(data)



                    return componentsschemas_lease_event_type_6
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_7 = LeaseEventExpired.from_dict(data)



                    return componentsschemas_lease_event_type_7
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_8 = LeaseEventIdleWarning.from_dict(data)



                    return componentsschemas_lease_event_type_8
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_9 = LeaseEventReclaimedIdle.from_dict(data)



                    return componentsschemas_lease_event_type_9
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_10 = LeaseEventFailed.from_dict(data)



                    return componentsschemas_lease_event_type_10
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_11 = LeaseEventCancelled.from_dict(data)



                    return componentsschemas_lease_event_type_11
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_12 = LeaseEventHostLost.from_dict(data)



                    return componentsschemas_lease_event_type_12
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_13 = LeaseEventEnded.from_dict(data)



                    return componentsschemas_lease_event_type_13
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_14 = LeaseEventBooked.from_dict(data)



                    return componentsschemas_lease_event_type_14
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_15 = LeaseEventStarting.from_dict(data)



                    return componentsschemas_lease_event_type_15
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_16 = LeaseEventRebooked.from_dict(data)



                    return componentsschemas_lease_event_type_16
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_17 = LeaseEventAtRisk.from_dict(data)



                    return componentsschemas_lease_event_type_17
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_lease_event_type_18 = LeaseEventTeardownError.from_dict(data)



                    return componentsschemas_lease_event_type_18
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_lease_event_type_19 = LeaseEventInstanceError.from_dict(data)



                return componentsschemas_lease_event_type_19

            response_200_item = _parse_response_200_item(response_200_item_data)

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]]:
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

) -> Response[Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]]:
    """ A lease's history

     Every state change and extension of the lease, oldest first, with who did it.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]]
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

) -> Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError] | None:
    """ A lease's history

     Every state change and extension of the lease, oldest first, with who did it.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]
     """


    return sync_detailed(
        id=id,
client=client,

    ).parsed

async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient | Client,

) -> Response[Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]]:
    """ A lease's history

     Every state change and extension of the lease, oldest first, with who did it.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]]
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

) -> Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError] | None:
    """ A lease's history

     Every state change and extension of the lease, oldest first, with who did it.

    Args:
        id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[LeaseEventActivated | LeaseEventAtRisk | LeaseEventBooked | LeaseEventCancelled | LeaseEventEnded | LeaseEventExpired | LeaseEventExpiring | LeaseEventExtended | LeaseEventFailed | LeaseEventGranted | LeaseEventHostLost | LeaseEventIdleWarning | LeaseEventInstanceError | LeaseEventQueued | LeaseEventRebooked | LeaseEventReclaimedIdle | LeaseEventReleased | LeaseEventRevoked | LeaseEventStarting | LeaseEventTeardownError]
     """


    return (await asyncio_detailed(
        id=id,
client=client,

    )).parsed
