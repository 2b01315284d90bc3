from enum import StrEnum

class LeaseEventFailedKind(StrEnum):
    FAILED = "failed"

    def __str__(self) -> str:
        return str(self.value)
