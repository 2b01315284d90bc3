from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.mig_mode import MigMode
  from ..models.reported_profile import ReportedProfile





T = TypeVar("T", bound="GpuInfo")



@_attrs_define
class GpuInfo:
    """ One physical GPU.

        Attributes:
            index (int):
            memory_total_mib (int):
            name (str): `nvmlDeviceGetName`, e.g. `NVIDIA H100 80GB HBM3`.
            pci_device_id (int): `device << 16 | vendor`, as NVML's `pciDeviceId` reports it.
            profiles (list[ReportedProfile]): Empty while MIG is off or unsupported.
            uuid (str):
            mig_mode (MigMode | None | Unset):
            model (None | str | Unset): Catalog key if the catalog knows this board.
     """

    index: int
    memory_total_mib: int
    name: str
    pci_device_id: int
    profiles: list[ReportedProfile]
    uuid: str
    mig_mode: MigMode | None | Unset = UNSET
    model: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.mig_mode import MigMode # noqa: PLC0415
        from ..models.reported_profile import ReportedProfile # noqa: PLC0415
        index = self.index

        memory_total_mib = self.memory_total_mib

        name = self.name

        pci_device_id = self.pci_device_id

        profiles = []
        for profiles_item_data in self.profiles:
            profiles_item = profiles_item_data.to_dict()
            profiles.append(profiles_item)



        uuid = self.uuid

        mig_mode: dict[str, Any] | None | Unset
        if isinstance(self.mig_mode, Unset):
            mig_mode = UNSET
        elif isinstance(self.mig_mode, MigMode):
            mig_mode = self.mig_mode.to_dict()
        else:
            mig_mode = self.mig_mode

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "index": index,
            "memory_total_mib": memory_total_mib,
            "name": name,
            "pci_device_id": pci_device_id,
            "profiles": profiles,
            "uuid": uuid,
        })
        if mig_mode is not UNSET:
            field_dict["mig_mode"] = mig_mode
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mig_mode import MigMode # noqa: PLC0415
        from ..models.reported_profile import ReportedProfile # noqa: PLC0415
        d = dict(src_dict)
        index = d.pop("index")

        memory_total_mib = d.pop("memory_total_mib")

        name = d.pop("name")

        pci_device_id = d.pop("pci_device_id")

        profiles = []
        _profiles = d.pop("profiles")
        for profiles_item_data in (_profiles):
            profiles_item = ReportedProfile.from_dict(profiles_item_data)



            profiles.append(profiles_item)


        uuid = d.pop("uuid")

        def _parse_mig_mode(data: object) -> MigMode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mig_mode_type_0 = MigMode.from_dict(data)



                return mig_mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MigMode | None | Unset, data)

        mig_mode = _parse_mig_mode(d.pop("mig_mode", UNSET))


        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))


        gpu_info = cls(
            index=index,
            memory_total_mib=memory_total_mib,
            name=name,
            pci_device_id=pci_device_id,
            profiles=profiles,
            uuid=uuid,
            mig_mode=mig_mode,
            model=model,
        )

        return gpu_info

