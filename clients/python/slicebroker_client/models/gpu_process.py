from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="GpuProcess")



@_attrs_define
class GpuProcess:
    """ A compute process on a MIG device.

        Attributes:
            pid (int):
            command (None | str | Unset):
            memory_mib (int | None | Unset):
            uid (int | None | Unset): Real uid of the process, where the host lets us read it.
     """

    pid: int
    command: None | str | Unset = UNSET
    memory_mib: int | None | Unset = UNSET
    uid: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        pid = self.pid

        command: None | str | Unset
        if isinstance(self.command, Unset):
            command = UNSET
        else:
            command = self.command

        memory_mib: int | None | Unset
        if isinstance(self.memory_mib, Unset):
            memory_mib = UNSET
        else:
            memory_mib = self.memory_mib

        uid: int | None | Unset
        if isinstance(self.uid, Unset):
            uid = UNSET
        else:
            uid = self.uid


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "pid": pid,
        })
        if command is not UNSET:
            field_dict["command"] = command
        if memory_mib is not UNSET:
            field_dict["memory_mib"] = memory_mib
        if uid is not UNSET:
            field_dict["uid"] = uid

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        pid = d.pop("pid")

        def _parse_command(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        command = _parse_command(d.pop("command", UNSET))


        def _parse_memory_mib(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        memory_mib = _parse_memory_mib(d.pop("memory_mib", UNSET))


        def _parse_uid(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        uid = _parse_uid(d.pop("uid", UNSET))


        gpu_process = cls(
            pid=pid,
            command=command,
            memory_mib=memory_mib,
            uid=uid,
        )

        return gpu_process

