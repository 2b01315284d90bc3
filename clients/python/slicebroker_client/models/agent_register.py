from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.gpu_info import GpuInfo





T = TypeVar("T", bound="AgentRegister")



@_attrs_define
class AgentRegister:
    """ `POST /v1/agent/register`: what the host has. A new agent sends a one-time enrollment token;
    an enrolled one authenticates with its credential instead and leaves the token out.
    Registering again is harmless: it refreshes the host's facts and GPUs.

        Attributes:
            agent_version (str):
            gpus (list[GpuInfo]): Every GPU with the profile table it reports. The server compares each table with the
                catalog itself; where they differ the GPU's table wins.
            hostname (str):
            driver_version (None | str | Unset):
            enrollment_token (None | str | Unset):
     """

    agent_version: str
    gpus: list[GpuInfo]
    hostname: str
    driver_version: None | str | Unset = UNSET
    enrollment_token: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.gpu_info import GpuInfo # noqa: PLC0415
        agent_version = self.agent_version

        gpus = []
        for gpus_item_data in self.gpus:
            gpus_item = gpus_item_data.to_dict()
            gpus.append(gpus_item)



        hostname = self.hostname

        driver_version: None | str | Unset
        if isinstance(self.driver_version, Unset):
            driver_version = UNSET
        else:
            driver_version = self.driver_version

        enrollment_token: None | str | Unset
        if isinstance(self.enrollment_token, Unset):
            enrollment_token = UNSET
        else:
            enrollment_token = self.enrollment_token


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "agent_version": agent_version,
            "gpus": gpus,
            "hostname": hostname,
        })
        if driver_version is not UNSET:
            field_dict["driver_version"] = driver_version
        if enrollment_token is not UNSET:
            field_dict["enrollment_token"] = enrollment_token

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gpu_info import GpuInfo # noqa: PLC0415
        d = dict(src_dict)
        agent_version = d.pop("agent_version")

        gpus = []
        _gpus = d.pop("gpus")
        for gpus_item_data in (_gpus):
            gpus_item = GpuInfo.from_dict(gpus_item_data)



            gpus.append(gpus_item)


        hostname = d.pop("hostname")

        def _parse_driver_version(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        driver_version = _parse_driver_version(d.pop("driver_version", UNSET))


        def _parse_enrollment_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        enrollment_token = _parse_enrollment_token(d.pop("enrollment_token", UNSET))


        agent_register = cls(
            agent_version=agent_version,
            gpus=gpus,
            hostname=hostname,
            driver_version=driver_version,
            enrollment_token=enrollment_token,
        )

        return agent_register

