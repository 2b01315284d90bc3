from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.lease import Lease
from ...models.lease_create import LeaseCreate
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: LeaseCreate,
    idempotency_key: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/leases",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Lease | Problem | None:
    if response.status_code == 200:
        response_200 = Lease.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = Lease.from_dict(response.json())



        return response_201

    if response.status_code == 202:
        response_202 = Lease.from_dict(response.json())



        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Lease | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LeaseCreate,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[Lease | Problem]:
    """ Lease MIG slices

     Asks for `count` slices (default 1) of one shape for `duration`, granted all or nothing
    within the tenant's quota and policy. Give either `profile` (a profile name such as
    `2g.20gb`, or a compute size such as `3g`) or `min_memory_gib` (the smallest plain profile
    with that much memory); `gpu_models` narrows the GPU models. Needs a `member` or
    `tenant-admin` key of the tenant (admin keys belong to no tenant).

    - `201`: granted now; the lease is `provisioning` and becomes `active` once the host's
      agent has made the MIG devices. Poll `lease_show` until `active`, then use each slice's
      `cuda_visible_devices`.
    - `202`: nothing fits yet and the request asked to `wait`: the lease is `pending` and is
      granted when capacity frees up.
    - `200`: a retry with an `Idempotency-Key` seen before; the lease from the first request.

    When nothing fits and `wait` is false, the answer is `503 no_capacity` with what is free
    now and when a matching slice frees up.

    **Booking ahead.** With `start` (RFC 3339, later than now and at most 30 days ahead), the
    slices are booked for `[start, start + duration)`: the answer is `201` with the lease
    `booked`, its placement chosen now and guaranteed by the database (no other lease, on any
    replica, can hold those memory slices during that window). `granted_at` is the start and
    `ends_at` the end; the paid time runs from the start. The lease goes `provisioning` a short
    lead before its start (event `starting`), then `active` as usual. Releasing it before then
    cancels it (`ended`, reason `cancelled`). A lease wanted now is placed only where it is free
    for its whole duration, so bookings are never run into. If nothing is free for the window
    the answer is `503 no_capacity`. The quota holds at every instant: a request (booked or
    wanted now) is refused with `422 quota_exceeded` if at some instant of its window the
    tenant's running leases and bookings together with it would pass a limit; the problem names
    the limit and the first such instant, so bookings in disjoint windows may each use the whole
    quota. The monthly budget is charged when booked, to each month the window falls in, and
    refunded on cancel. Admins (whose keys belong to no tenant) book for a tenant with `tenant_id`
    (others may give only their own tenant's id);
    its policy, quota and budget apply (`400` naming `tenant_id` if there is no such tenant).

    Args:
        idempotency_key (None | str | Unset):
        body (LeaseCreate): Request for a lease: a slice class, a profile name or size, or a need.
            With `class`, the
            class gives the profile, duration, idle timeout and priority; the request's own fields may
            only narrow them (a smaller-or-equal profile the class gives, a shorter duration or idle
            timeout, a lower priority, fewer GPU models).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lease | Problem]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: LeaseCreate,
    idempotency_key: None | str | Unset = UNSET,

) -> Lease | Problem | None:
    """ Lease MIG slices

     Asks for `count` slices (default 1) of one shape for `duration`, granted all or nothing
    within the tenant's quota and policy. Give either `profile` (a profile name such as
    `2g.20gb`, or a compute size such as `3g`) or `min_memory_gib` (the smallest plain profile
    with that much memory); `gpu_models` narrows the GPU models. Needs a `member` or
    `tenant-admin` key of the tenant (admin keys belong to no tenant).

    - `201`: granted now; the lease is `provisioning` and becomes `active` once the host's
      agent has made the MIG devices. Poll `lease_show` until `active`, then use each slice's
      `cuda_visible_devices`.
    - `202`: nothing fits yet and the request asked to `wait`: the lease is `pending` and is
      granted when capacity frees up.
    - `200`: a retry with an `Idempotency-Key` seen before; the lease from the first request.

    When nothing fits and `wait` is false, the answer is `503 no_capacity` with what is free
    now and when a matching slice frees up.

    **Booking ahead.** With `start` (RFC 3339, later than now and at most 30 days ahead), the
    slices are booked for `[start, start + duration)`: the answer is `201` with the lease
    `booked`, its placement chosen now and guaranteed by the database (no other lease, on any
    replica, can hold those memory slices during that window). `granted_at` is the start and
    `ends_at` the end; the paid time runs from the start. The lease goes `provisioning` a short
    lead before its start (event `starting`), then `active` as usual. Releasing it before then
    cancels it (`ended`, reason `cancelled`). A lease wanted now is placed only where it is free
    for its whole duration, so bookings are never run into. If nothing is free for the window
    the answer is `503 no_capacity`. The quota holds at every instant: a request (booked or
    wanted now) is refused with `422 quota_exceeded` if at some instant of its window the
    tenant's running leases and bookings together with it would pass a limit; the problem names
    the limit and the first such instant, so bookings in disjoint windows may each use the whole
    quota. The monthly budget is charged when booked, to each month the window falls in, and
    refunded on cancel. Admins (whose keys belong to no tenant) book for a tenant with `tenant_id`
    (others may give only their own tenant's id);
    its policy, quota and budget apply (`400` naming `tenant_id` if there is no such tenant).

    Args:
        idempotency_key (None | str | Unset):
        body (LeaseCreate): Request for a lease: a slice class, a profile name or size, or a need.
            With `class`, the
            class gives the profile, duration, idle timeout and priority; the request's own fields may
            only narrow them (a smaller-or-equal profile the class gives, a shorter duration or idle
            timeout, a lower priority, fewer GPU models).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lease | Problem
     """


    return sync_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LeaseCreate,
    idempotency_key: None | str | Unset = UNSET,

) -> Response[Lease | Problem]:
    """ Lease MIG slices

     Asks for `count` slices (default 1) of one shape for `duration`, granted all or nothing
    within the tenant's quota and policy. Give either `profile` (a profile name such as
    `2g.20gb`, or a compute size such as `3g`) or `min_memory_gib` (the smallest plain profile
    with that much memory); `gpu_models` narrows the GPU models. Needs a `member` or
    `tenant-admin` key of the tenant (admin keys belong to no tenant).

    - `201`: granted now; the lease is `provisioning` and becomes `active` once the host's
      agent has made the MIG devices. Poll `lease_show` until `active`, then use each slice's
      `cuda_visible_devices`.
    - `202`: nothing fits yet and the request asked to `wait`: the lease is `pending` and is
      granted when capacity frees up.
    - `200`: a retry with an `Idempotency-Key` seen before; the lease from the first request.

    When nothing fits and `wait` is false, the answer is `503 no_capacity` with what is free
    now and when a matching slice frees up.

    **Booking ahead.** With `start` (RFC 3339, later than now and at most 30 days ahead), the
    slices are booked for `[start, start + duration)`: the answer is `201` with the lease
    `booked`, its placement chosen now and guaranteed by the database (no other lease, on any
    replica, can hold those memory slices during that window). `granted_at` is the start and
    `ends_at` the end; the paid time runs from the start. The lease goes `provisioning` a short
    lead before its start (event `starting`), then `active` as usual. Releasing it before then
    cancels it (`ended`, reason `cancelled`). A lease wanted now is placed only where it is free
    for its whole duration, so bookings are never run into. If nothing is free for the window
    the answer is `503 no_capacity`. The quota holds at every instant: a request (booked or
    wanted now) is refused with `422 quota_exceeded` if at some instant of its window the
    tenant's running leases and bookings together with it would pass a limit; the problem names
    the limit and the first such instant, so bookings in disjoint windows may each use the whole
    quota. The monthly budget is charged when booked, to each month the window falls in, and
    refunded on cancel. Admins (whose keys belong to no tenant) book for a tenant with `tenant_id`
    (others may give only their own tenant's id);
    its policy, quota and budget apply (`400` naming `tenant_id` if there is no such tenant).

    Args:
        idempotency_key (None | str | Unset):
        body (LeaseCreate): Request for a lease: a slice class, a profile name or size, or a need.
            With `class`, the
            class gives the profile, duration, idle timeout and priority; the request's own fields may
            only narrow them (a smaller-or-equal profile the class gives, a shorter duration or idle
            timeout, a lower priority, fewer GPU models).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Lease | Problem]
     """


    kwargs = _get_kwargs(
        body=body,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: LeaseCreate,
    idempotency_key: None | str | Unset = UNSET,

) -> Lease | Problem | None:
    """ Lease MIG slices

     Asks for `count` slices (default 1) of one shape for `duration`, granted all or nothing
    within the tenant's quota and policy. Give either `profile` (a profile name such as
    `2g.20gb`, or a compute size such as `3g`) or `min_memory_gib` (the smallest plain profile
    with that much memory); `gpu_models` narrows the GPU models. Needs a `member` or
    `tenant-admin` key of the tenant (admin keys belong to no tenant).

    - `201`: granted now; the lease is `provisioning` and becomes `active` once the host's
      agent has made the MIG devices. Poll `lease_show` until `active`, then use each slice's
      `cuda_visible_devices`.
    - `202`: nothing fits yet and the request asked to `wait`: the lease is `pending` and is
      granted when capacity frees up.
    - `200`: a retry with an `Idempotency-Key` seen before; the lease from the first request.

    When nothing fits and `wait` is false, the answer is `503 no_capacity` with what is free
    now and when a matching slice frees up.

    **Booking ahead.** With `start` (RFC 3339, later than now and at most 30 days ahead), the
    slices are booked for `[start, start + duration)`: the answer is `201` with the lease
    `booked`, its placement chosen now and guaranteed by the database (no other lease, on any
    replica, can hold those memory slices during that window). `granted_at` is the start and
    `ends_at` the end; the paid time runs from the start. The lease goes `provisioning` a short
    lead before its start (event `starting`), then `active` as usual. Releasing it before then
    cancels it (`ended`, reason `cancelled`). A lease wanted now is placed only where it is free
    for its whole duration, so bookings are never run into. If nothing is free for the window
    the answer is `503 no_capacity`. The quota holds at every instant: a request (booked or
    wanted now) is refused with `422 quota_exceeded` if at some instant of its window the
    tenant's running leases and bookings together with it would pass a limit; the problem names
    the limit and the first such instant, so bookings in disjoint windows may each use the whole
    quota. The monthly budget is charged when booked, to each month the window falls in, and
    refunded on cancel. Admins (whose keys belong to no tenant) book for a tenant with `tenant_id`
    (others may give only their own tenant's id);
    its policy, quota and budget apply (`400` naming `tenant_id` if there is no such tenant).

    Args:
        idempotency_key (None | str | Unset):
        body (LeaseCreate): Request for a lease: a slice class, a profile name or size, or a need.
            With `class`, the
            class gives the profile, duration, idle timeout and priority; the request's own fields may
            only narrow them (a smaller-or-equal profile the class gives, a shorter duration or idle
            timeout, a lower priority, fewer GPU models).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Lease | Problem
     """


    return (await asyncio_detailed(
        client=client,
body=body,
idempotency_key=idempotency_key,

    )).parsed
