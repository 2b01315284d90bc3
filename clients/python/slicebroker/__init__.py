"""A thin, hand-written helper over the generated client (`slicebroker_client`) for what a
generator does not do well: exchanging an API key for a token and refreshing it before it
expires, raising typed errors from problem+json answers, and waiting for a lease to be active.

    from slicebroker import Session, QuotaExceeded
    from slicebroker_client.api.leases import lease_create
    from slicebroker_client.models import LeaseCreate

    s = Session("http://127.0.0.1:8080", api_key)
    lease = s.call(lease_create.sync_detailed, body=LeaseCreate(profile="2g.20gb", duration="8h"),
                   idempotency_key="job-42")
    lease = s.wait_until_active(lease.id)
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, TypeVar
from uuid import UUID

from slicebroker_client import AuthenticatedClient, Client
from slicebroker_client.api.auth import token_create
from slicebroker_client.api.leases import lease_show
from slicebroker_client.models import Lease, LeaseState, TokenCreate
from slicebroker_client.types import Response

__all__ = [
    "Session",
    "Problem",
    "InvalidInput",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PolicyViolation",
    "QuotaExceeded",
    "BudgetExceeded",
    "NoCapacity",
    "Unavailable",
    "LeaseEnded",
    "problem_from",
]

T = TypeVar("T")


class Problem(Exception):
    """An error answer (RFC 9457 problem+json). Switch on `code`; `detail` is for humans.
    Codes this helper does not know yet still arrive as a plain `Problem`."""

    def __init__(self, status: int, body: dict[str, Any]):
        self.status = status
        self.body = body
        self.code: str = body.get("code") or "unknown"
        self.detail: str = body.get("detail") or ""
        self.field: str | None = body.get("field")
        super().__init__(f"{status} {self.code}: {self.detail}")


class InvalidInput(Problem):
    """400 `invalid_input` or `malformed_body`; `field` names the culprit."""


class Unauthenticated(Problem):
    """401: no valid token (the session refreshes once before raising this)."""


class Forbidden(Problem):
    """403: the key's role does not allow this."""


class NotFound(Problem):
    """404: no such object, or another tenant's."""


class Conflict(Problem):
    """409: `conflict`, `illegal_transition`, `idempotency_key_*`, `already_revoked`, `host_in_use`."""


class PolicyViolation(Problem):
    """422 `policy_violation`."""


class QuotaExceeded(Problem):
    """422 `quota_exceeded`."""


class BudgetExceeded(Problem):
    """422 `budget_exceeded`."""


class NoCapacity(Problem):
    """503 `no_capacity`: `free` and `next_free_at` say what fits and when."""

    @property
    def free(self) -> list[dict[str, Any]]:
        return self.body.get("free") or []

    @property
    def next_free_at(self) -> str | None:
        return self.body.get("next_free_at")


class Unavailable(Problem):
    """503 `unavailable` (retry with backoff) and 500 `internal`."""


class LeaseEnded(Exception):
    """`wait_until_active` saw the lease end instead."""

    def __init__(self, lease: Lease):
        self.lease = lease
        super().__init__(f"lease {lease.id} ended ({lease.end_reason}) before it was active")


_BY_CODE: dict[str, type[Problem]] = {
    "invalid_input": InvalidInput,
    "malformed_body": InvalidInput,
    "unauthenticated": Unauthenticated,
    "forbidden": Forbidden,
    "not_found": NotFound,
    "conflict": Conflict,
    "illegal_transition": Conflict,
    "idempotency_key_reused": Conflict,
    "idempotency_key_in_progress": Conflict,
    "already_revoked": Conflict,
    "host_in_use": Conflict,
    "policy_violation": PolicyViolation,
    "quota_exceeded": QuotaExceeded,
    "budget_exceeded": BudgetExceeded,
    "no_capacity": NoCapacity,
    "unavailable": Unavailable,
    "internal": Unavailable,
}


def problem_from(response: Response[Any]) -> Problem:
    """The typed error for an error response."""
    try:
        body = json.loads(response.content)
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        body = {"code": "unknown", "detail": response.content.decode(errors="replace")}
    return _BY_CODE.get(body.get("code", ""), Problem)(int(response.status_code), body)


class Session:
    """An API key, exchanged for tokens as needed: a token is renewed `refresh_margin`
    seconds before it expires, and once more if a call still answers 401."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        refresh_margin: float = 60.0,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._margin = refresh_margin
        self._timeout = timeout
        self._lock = threading.Lock()
        self._client: AuthenticatedClient | None = None
        self._expires_at = 0.0

    def _refresh(self) -> AuthenticatedClient:
        anon = Client(base_url=self.base_url, timeout=_timeout(self._timeout))
        r = token_create.sync_detailed(client=anon, body=TokenCreate(api_key=self._api_key))
        if r.status_code != 200 or r.parsed is None or isinstance(r.parsed, Exception):
            raise problem_from(r)
        token = r.parsed
        self._expires_at = time.monotonic() + token.expires_in
        self._client = AuthenticatedClient(
            base_url=self.base_url, token=token.access_token, timeout=_timeout(self._timeout)
        )
        return self._client

    def client(self) -> AuthenticatedClient:
        """The generated client with a token that is good for at least `refresh_margin`."""
        with self._lock:
            if self._client is None or time.monotonic() >= self._expires_at - self._margin:
                return self._refresh()
            return self._client

    def call_detailed(self, operation: Callable[..., Response[Any]], **kwargs: Any) -> Response[Any]:
        """`operation` (a generated `sync_detailed`) with a fresh token; its `Response`, whose
        `status_code` tells 201 created, 200 replayed and 202 queued apart. Raises the typed
        `Problem` for an error answer."""
        r = operation(client=self.client(), **kwargs)
        if r.status_code == 401:
            with self._lock:
                self._client = None
            r = operation(client=self.client(), **kwargs)
        if r.status_code >= 400:
            raise problem_from(r)
        return r

    def call(self, operation: Callable[..., Response[T]], **kwargs: Any) -> T:
        """Like `call_detailed`, returning the parsed body."""
        return self.call_detailed(operation, **kwargs).parsed

    def wait_until_active(
        self, lease_id: UUID | str, *, timeout: float = 300.0, interval: float = 0.5
    ) -> Lease:
        """Polls the lease until it is `active` and returns it (with `cuda_visible_devices` on
        each slice). Raises `LeaseEnded` if it ends first, `TimeoutError` after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            lease: Lease = self.call(lease_show.sync_detailed, id=UUID(str(lease_id)))
            if lease.state == LeaseState.ACTIVE:
                return lease
            if lease.state in (LeaseState.ENDED, LeaseState.RELEASING):
                raise LeaseEnded(lease)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"lease {lease_id} is still {lease.state} after {timeout}s")
            time.sleep(interval)


def _timeout(seconds: float) -> Any:
    import httpx

    return httpx.Timeout(seconds)
