from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.known_problem_code import KnownProblemCode
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.free_capacity import FreeCapacity





T = TypeVar("T", bound="Problem")



@_attrs_define
class Problem:
    """ An error response (RFC 9457). Switch on `code`, which is stable; `detail` is for humans
    and may change.

        Example:
            {'code': 'quota_exceeded', 'detail': 'quota exceeded: the tenant holds 6 compute slices of its 7; this request
                needs 2 more', 'status': 422, 'title': 'Unprocessable Entity', 'type':
                'https://slicebroker.dev/problems/quota_exceeded'}

        Attributes:
            code (KnownProblemCode | str): Stable, machine-readable error code.

                | code | status | when |
                | --- | --- | --- |
                | `invalid_input` | 400 | A field, query parameter or header is missing, malformed or out of range; `field`
                names it. |
                | `malformed_body` | 400 | The body is not the JSON the endpoint takes: bad syntax, a wrong type, a missing or
                unknown field, or no `Content-Type: application/json`. |
                | `unauthenticated` | 401 | No bearer token, or one that is malformed, expired, for another audience or issuer,
                or minted from an API key since revoked; a token of the organisation's sign-in that fails any check or that no
                sign-in rule maps; on `POST /v1/auth/token`, an unknown or revoked API key. Get a new token. |
                | `forbidden` | 403 | The caller's role does not allow this: admin-only, tenant-admin-only, or a viewer trying
                to write. |
                | `not_found` | 404 | No such object, or one the caller may not see (other tenants' objects are not found, never
                forbidden); also any unknown route. |
                | `illegal_transition` | 409 | The lease's state does not allow this, such as extending or releasing a lease
                that has ended. |
                | `conflict` | 409 | Something with this identity already exists (a tenant name), or a concurrent request with
                the same `Idempotency-Key` won. |
                | `idempotency_key_reused` | 409 | The `Idempotency-Key` was already used for a different request. |
                | `host_in_use` | 409 | The host still holds slices: cordon it, release or revoke its leases and let its agent
                destroy their slices first. |
                | `idempotency_key_in_progress` | 409 | Another request with this `Idempotency-Key` is still being decided;
                retry with the same key (after `Retry-After` seconds) to get its outcome. |
                | `already_revoked` | 409 | The API key is already revoked. |
                | `booked_after` | 409 | A booking needs the lease's slices in the time an extension asks for; `detail` says
                until when the lease can be extended. |
                | `policy_violation` | 422 | The tenant's policy forbids this (lease too long, idle timeout above the tenant's,
                GPU model not allowed, too much extension); `field` names the field. |
                | `quota_exceeded` | 422 | Granting would take the tenant past a quota: live leases, compute slices or memory. |
                | `budget_exceeded` | 422 | Granting or extending would take the tenant past its monthly budget of slice-hours;
                `field` names the request field that asks for too much. |
                | `method_not_allowed` | 405 | The path exists but not with this method; `Allow` lists the ones it takes. |
                | `payload_too_large` | 413 | The request body is larger than the server accepts. |
                | `unsupported_media_type` | 415 | The body must be JSON, sent with `Content-Type: application/json`. |
                | `no_capacity` | 503 | Nothing fits right now. `free` lists what does fit, `next_free_at` says when a matching
                slice frees up; retry later or create with `wait: true` to queue. |
                | `rate_limited` | 429 | The caller's tenant sent more requests than its rate limit allows (per server replica);
                wait the `Retry-After` seconds and retry. |
                | `unavailable` | 503 | A dependency (the database) is unreachable, or placement kept losing races with
                concurrent grants; retry with backoff. |
                | `internal` | 500 | A bug or an unexpected error. It is logged with the request's `x-request-id`; quote that
                when reporting it. |


                An open set: new codes may be added, so treat a code you do not know by the response's status.
            detail (str): What went wrong, for humans.
            status (int): The HTTP status, repeated.
            title (str): The status's reason phrase (`Not Found`).
            type_ (str): A URI naming the problem type: `https://slicebroker.dev/problems/{code}`.
            field (None | str | Unset): The request field the problem is about, for 4xx on input: a top-level body field,
                query
                parameter or header by name (`duration`), a nested body field by JSON pointer
                (`/labels/team`), or `body` when the JSON itself is broken.
            free (list[FreeCapacity] | None | Unset): With `no_capacity`: what is free now, per model and profile.
            next_free_at (datetime.datetime | None | Unset): With `no_capacity`: when the next live slice that could make
                room ends.
     """

    code: KnownProblemCode | str
    detail: str
    status: int
    title: str
    type_: str
    field: None | str | Unset = UNSET
    free: list[FreeCapacity] | None | Unset = UNSET
    next_free_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.free_capacity import FreeCapacity # noqa: PLC0415
        code: str
        if isinstance(self.code, KnownProblemCode):
            code = self.code.value
        else:
            code = self.code

        detail = self.detail

        status = self.status

        title = self.title

        type_ = self.type_

        field: None | str | Unset
        if isinstance(self.field, Unset):
            field = UNSET
        else:
            field = self.field

        free: list[dict[str, Any]] | None | Unset
        if isinstance(self.free, Unset):
            free = UNSET
        elif isinstance(self.free, list):
            free = []
            for free_type_0_item_data in self.free:
                free_type_0_item = free_type_0_item_data.to_dict()
                free.append(free_type_0_item)


        else:
            free = self.free

        next_free_at: None | str | Unset
        if isinstance(self.next_free_at, Unset):
            next_free_at = UNSET
        elif isinstance(self.next_free_at, datetime.datetime):
            next_free_at = self.next_free_at.isoformat()
        else:
            next_free_at = self.next_free_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "code": code,
            "detail": detail,
            "status": status,
            "title": title,
            "type": type_,
        })
        if field is not UNSET:
            field_dict["field"] = field
        if free is not UNSET:
            field_dict["free"] = free
        if next_free_at is not UNSET:
            field_dict["next_free_at"] = next_free_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.free_capacity import FreeCapacity # noqa: PLC0415
        d = dict(src_dict)
        def _parse_code(data: object) -> KnownProblemCode | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_problem_code_type_0 = KnownProblemCode(data)



                return componentsschemas_problem_code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(KnownProblemCode | str, data)

        code = _parse_code(d.pop("code"))


        detail = d.pop("detail")

        status = d.pop("status")

        title = d.pop("title")

        type_ = d.pop("type")

        def _parse_field(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        field = _parse_field(d.pop("field", UNSET))


        def _parse_free(data: object) -> list[FreeCapacity] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                free_type_0 = []
                _free_type_0 = data
                for free_type_0_item_data in (_free_type_0):
                    free_type_0_item = FreeCapacity.from_dict(free_type_0_item_data)



                    free_type_0.append(free_type_0_item)

                return free_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FreeCapacity] | None | Unset, data)

        free = _parse_free(d.pop("free", UNSET))


        def _parse_next_free_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_free_at_type_0 = datetime.datetime.fromisoformat(data)



                return next_free_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_free_at = _parse_next_free_at(d.pop("next_free_at", UNSET))


        problem = cls(
            code=code,
            detail=detail,
            status=status,
            title=title,
            type_=type_,
            field=field,
            free=free,
            next_free_at=next_free_at,
        )


        problem.additional_properties = d
        return problem

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
