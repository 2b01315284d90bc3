from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.observed_gpu_report import ObservedGpuReport
  from ..models.reported_error import ReportedError





T = TypeVar("T", bound="ObservedReport")



@_attrs_define
class ObservedReport:
    """ `POST /v1/agent/observed`: what the agent saw after applying a generation. Also the heartbeat.

        Attributes:
            applied_generation (int):
            errors (list[ReportedError]):
            gpus (list[ObservedGpuReport]):
     """

    applied_generation: int
    errors: list[ReportedError]
    gpus: list[ObservedGpuReport]





    def to_dict(self) -> dict[str, Any]:
        from ..models.observed_gpu_report import ObservedGpuReport # noqa: PLC0415
        from ..models.reported_error import ReportedError # noqa: PLC0415
        applied_generation = self.applied_generation

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)



        gpus = []
        for gpus_item_data in self.gpus:
            gpus_item = gpus_item_data.to_dict()
            gpus.append(gpus_item)




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "applied_generation": applied_generation,
            "errors": errors,
            "gpus": gpus,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.observed_gpu_report import ObservedGpuReport # noqa: PLC0415
        from ..models.reported_error import ReportedError # noqa: PLC0415
        d = dict(src_dict)
        applied_generation = d.pop("applied_generation")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in (_errors):
            errors_item = ReportedError.from_dict(errors_item_data)



            errors.append(errors_item)


        gpus = []
        _gpus = d.pop("gpus")
        for gpus_item_data in (_gpus):
            gpus_item = ObservedGpuReport.from_dict(gpus_item_data)



            gpus.append(gpus_item)


        observed_report = cls(
            applied_generation=applied_generation,
            errors=errors,
            gpus=gpus,
        )

        return observed_report

