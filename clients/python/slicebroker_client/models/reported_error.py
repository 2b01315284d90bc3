from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.slice_op import SliceOp
from ..types import UNSET, Unset
from typing import cast
from uuid import UUID






T = TypeVar("T", bound="ReportedError")



@_attrs_define
class ReportedError:
    """ Something the agent could not do, with the lease it concerns where there is one.

        Attributes:
            gpu_uuid (str):
            op (SliceOp): What the agent was doing when an error happened. A failed `create` fails the lease; a failed
                `destroy` is retried by the agent and recorded on the lease.
            reason (str):
            lease_id (None | Unset | UUID):
     """

    gpu_uuid: str
    op: SliceOp
    reason: str
    lease_id: None | Unset | UUID = UNSET





    def to_dict(self) -> dict[str, Any]:
        gpu_uuid = self.gpu_uuid

        op = self.op.value

        reason = self.reason

        lease_id: None | str | Unset
        if isinstance(self.lease_id, Unset):
            lease_id = UNSET
        elif isinstance(self.lease_id, UUID):
            lease_id = str(self.lease_id)
        else:
            lease_id = self.lease_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "gpu_uuid": gpu_uuid,
            "op": op,
            "reason": reason,
        })
        if lease_id is not UNSET:
            field_dict["lease_id"] = lease_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gpu_uuid = d.pop("gpu_uuid")

        op = SliceOp(d.pop("op"))




        reason = d.pop("reason")

        def _parse_lease_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lease_id_type_0 = UUID(data)



                return lease_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        lease_id = _parse_lease_id(d.pop("lease_id", UNSET))


        reported_error = cls(
            gpu_uuid=gpu_uuid,
            op=op,
            reason=reason,
            lease_id=lease_id,
        )

        return reported_error

