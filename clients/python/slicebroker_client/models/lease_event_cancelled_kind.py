from enum import StrEnum

class LeaseEventCancelledKind(StrEnum):
    CANCELLED = "cancelled"

    def __str__(self) -> str:
        return str(self.value)
