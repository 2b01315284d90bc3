"""A thin, hand-written helper over the generated client (`slicebroker_client`) for what a
generator does not do well: exchanging an API key for a token and refreshing it before it
expires, raising typed errors from problem+json answers, handing back answers that are not JSON
(the usage report as CSV) as text, and waiting for a lease to be active.

    from slicebroker import Session, QuotaExceeded
    from slicebroker_client.api.leases import lease_create
    from slicebroker_client.models import LeaseCreate

    s = Session("http://127.0.0.1:8080", api_key)
    lease = s.call(lease_create.sync_detailed, body=LeaseCreate(profile="2g.20gb", duration="8h"),
                   idempotency_key="job-42")
    lease = s.wait_until_active(lease.id)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import sys
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Callable, TypeVar
from uuid import UUID

import httpx

from slicebroker_client import AuthenticatedClient, Client
from slicebroker_client.api.auth import token_create
from slicebroker_client.api.leases import lease_show
from slicebroker_client.api.usage import usage_show
from slicebroker_client.models import Lease, LeaseState, TokenCreate, UsageShowFormat
from slicebroker_client.types import UNSET, Response, Unset

__all__ = [
    "Session",
    "Problem",
    "InvalidInput",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    "PolicyViolation",
    "QuotaExceeded",
    "BudgetExceeded",
    "RateLimited",
    "NoCapacity",
    "Unavailable",
    "LeaseEnded",
    "problem_from",
]

T = TypeVar("T")


class Problem(Exception):
    """An error answer (RFC 9457 problem+json). Switch on `code`; `detail` is for humans.
    Codes this helper does not know yet still arrive as a plain `Problem`. `headers` are the
    answer's (empty when built without them)."""

    def __init__(self, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None):
        self.status = status
        self.body = body
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.code: str = body.get("code") or "unknown"
        self.detail: str = body.get("detail") or ""
        self.field: str | None = body.get("field")
        super().__init__(f"{status} {self.code}: {self.detail}")

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before retrying, from the `Retry-After` header (sent with
        `rate_limited` and `idempotency_key_in_progress`); None without one."""
        return _retry_after(_header(self.headers, "retry-after"))


class InvalidInput(Problem):
    """The request itself is wrong; `field` names the culprit: 400 `invalid_input` or
    `malformed_body`, 413 `payload_too_large` (`body`) and 415 `unsupported_media_type`
    (`Content-Type`)."""


class Unauthenticated(Problem):
    """401: no valid token (the session refreshes once before raising this)."""


class Forbidden(Problem):
    """403: the key's role does not allow this."""


class NotFound(Problem):
    """404: no such object, or another tenant's."""


class MethodNotAllowed(Problem):
    """405 `method_not_allowed`: the path exists but not with this method (a client built for
    another version of the API); `allow` lists the methods it takes."""

    @property
    def allow(self) -> list[str]:
        value = _header(self.headers, "allow") or ""
        return [m.strip() for m in value.split(",") if m.strip()]


class Conflict(Problem):
    """409: `conflict`, `illegal_transition`, `idempotency_key_*` (after `retry_after` seconds,
    retry `idempotency_key_in_progress` with the same key), `already_revoked`, `host_in_use`,
    and `booked_after` (an extension runs into a booking of the lease's slices: `detail` says
    until when it can be extended)."""


class PolicyViolation(Problem):
    """422 `policy_violation`."""


class QuotaExceeded(Problem):
    """422 `quota_exceeded`."""


class BudgetExceeded(Problem):
    """422 `budget_exceeded`."""


class RateLimited(Problem):
    """429 `rate_limited`: the tenant sent more requests than its rate limit allows; retry
    after `retry_after` seconds (the `Retry-After` header)."""


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
    "booked_after": Conflict,
    "policy_violation": PolicyViolation,
    "quota_exceeded": QuotaExceeded,
    "budget_exceeded": BudgetExceeded,
    "method_not_allowed": MethodNotAllowed,
    "payload_too_large": InvalidInput,
    "unsupported_media_type": InvalidInput,
    "rate_limited": RateLimited,
    "no_capacity": NoCapacity,
    "unavailable": Unavailable,
    "internal": Unavailable,
}


def problem_from(response: Response[Any] | httpx.Response) -> Problem:
    """The typed error for an error response (a generated `Response` or an `httpx.Response`)."""
    try:
        body = json.loads(response.content)
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        body = {"code": "unknown", "detail": response.content.decode(errors="replace")}
    kind = _BY_CODE.get(body.get("code", ""), Problem)
    return kind(int(response.status_code), body, response.headers)


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
        `Problem` for an error answer, whatever its body (the generated parser is not asked to
        read it). A successful answer that is not JSON, such as `usage_show`'s `text/csv` with
        `format_=UsageShowFormat.CSV`, has its text as `parsed`."""
        r = self._send(operation, kwargs)
        if r.status_code == 401:
            with self._lock:
                self._client = None
            r = self._send(operation, kwargs)
        if r.status_code >= 400:
            raise problem_from(r)
        return r

    def call(self, operation: Callable[..., Response[T]], **kwargs: Any) -> T:
        """Like `call_detailed`, returning the parsed body."""
        return self.call_detailed(operation, **kwargs).parsed

    def usage_csv(
        self,
        from_: dt.datetime,
        to: dt.datetime,
        *,
        tenant_id: UUID | Unset = UNSET,
    ) -> str:
        """The usage report over `[from_, to)` as CSV text (`GET /v1/usage?format=csv`), header
        line first; the same rows as `usage_show`. Pass timezone-aware datetimes."""
        r = self.call_detailed(
            usage_show.sync_detailed,
            from_=from_,
            to=to,
            tenant_id=tenant_id,
            format_=UsageShowFormat.CSV,
        )
        return r.parsed if isinstance(r.parsed, str) else r.content.decode("utf-8")

    def _send(self, operation: Callable[..., Response[Any]], kwargs: dict[str, Any]) -> Response[Any]:
        """One attempt at `operation`. A generated operation's request is built and sent here
        (with its module's `_get_kwargs`), and only a successful JSON answer goes to its
        parser (`_build_response`): an error answer or a non-JSON one comes back unparsed
        (`parsed` None, or the text). Anything else is simply called."""
        client = self.client()
        parts = _generated(operation)
        if parts is None:
            return operation(client=client, **kwargs)
        get_kwargs, build = parts
        raw = client.get_httpx_client().request(**get_kwargs(**kwargs))
        if raw.status_code < 400 and (not raw.content or _is_json(raw.headers)):
            return build(client=client, response=raw)
        return Response(
            status_code=_status(raw.status_code),
            content=raw.content,
            headers=raw.headers,
            parsed=raw.text if raw.status_code < 400 else None,
        )

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


def _generated(
    operation: Callable[..., Any],
) -> tuple[Callable[..., dict[str, Any]], Callable[..., Response[Any]]] | None:
    """The request builder and response parser of a generated `sync_detailed` (the
    `_get_kwargs` and `_build_response` of its module), or None for anything else."""
    if getattr(operation, "__name__", None) != "sync_detailed":
        return None
    module = sys.modules.get(getattr(operation, "__module__", "") or "")
    if module is None or not module.__name__.startswith("slicebroker_client.api."):
        return None
    get_kwargs = getattr(module, "_get_kwargs", None)
    build = getattr(module, "_build_response", None)
    if not callable(get_kwargs) or not callable(build):
        return None
    return get_kwargs, build


def _is_json(headers: Mapping[str, str]) -> bool:
    """Whether the answer's `Content-Type` is JSON (`application/json`, `…+json`) or missing."""
    media = (_header(headers, "content-type") or "").split(";")[0].strip().lower()
    return not media or media == "application/json" or media.endswith("+json")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by its lower-case name, in a case-insensitive mapping (httpx) or not."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds: delay-seconds, or an HTTP-date counted from now."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _status(code: int) -> HTTPStatus:
    """The status as the generated `Response` holds it; a code `HTTPStatus` does not know
    (a proxy's 499) stays an int."""
    try:
        return HTTPStatus(code)
    except ValueError:
        return code  # type: ignore[return-value]


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds)
