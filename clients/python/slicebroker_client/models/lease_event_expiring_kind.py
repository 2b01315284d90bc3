from enum import StrEnum

class LeaseEventExpiringKind(StrEnum):
    EXPIRING = "expiring"

    def __str__(self) -> str:
        return str(self.value)
