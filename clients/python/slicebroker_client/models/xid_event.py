from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="XidEvent")



@_attrs_define
class XidEvent:
    """ One `nvmlEventTypeXidCriticalError` event. On MIG, NVML's event data names the GPU and
    compute instance the error hit; absent (NVML's `0xFFFFFFFF`) means the whole GPU.

        Attributes:
            xid (int):
            compute_instance_id (int | None | Unset):
            gpu_instance_id (int | None | Unset):
            seq (int | None | Unset): The agent's number for this XID on this GPU, at most 2^63 - 1: one more than the
                GPU's previous XID (dropped ones included) within one run of the agent, and from the
                clock at its start, so a later run numbers higher. The agent sends an XID again
                until a report carrying it is accepted; the server records each number once (and
                counts `xids_dropped` only for numbers it has not seen). Absent from agents before
                this field: recorded as sent.
     """

    xid: int
    compute_instance_id: int | None | Unset = UNSET
    gpu_instance_id: int | None | Unset = UNSET
    seq: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        xid = self.xid

        compute_instance_id: int | None | Unset
        if isinstance(self.compute_instance_id, Unset):
            compute_instance_id = UNSET
        else:
            compute_instance_id = self.compute_instance_id

        gpu_instance_id: int | None | Unset
        if isinstance(self.gpu_instance_id, Unset):
            gpu_instance_id = UNSET
        else:
            gpu_instance_id = self.gpu_instance_id

        seq: int | None | Unset
        if isinstance(self.seq, Unset):
            seq = UNSET
        else:
            seq = self.seq


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "xid": xid,
        })
        if compute_instance_id is not UNSET:
            field_dict["compute_instance_id"] = compute_instance_id
        if gpu_instance_id is not UNSET:
            field_dict["gpu_instance_id"] = gpu_instance_id
        if seq is not UNSET:
            field_dict["seq"] = seq

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        xid = d.pop("xid")

        def _parse_compute_instance_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        compute_instance_id = _parse_compute_instance_id(d.pop("compute_instance_id", UNSET))


        def _parse_gpu_instance_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        gpu_instance_id = _parse_gpu_instance_id(d.pop("gpu_instance_id", UNSET))


        def _parse_seq(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seq = _parse_seq(d.pop("seq", UNSET))


        xid_event = cls(
            xid=xid,
            compute_instance_id=compute_instance_id,
            gpu_instance_id=gpu_instance_id,
            seq=seq,
        )

        return xid_event

