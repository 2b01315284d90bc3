from enum import StrEnum

class LeaseEventExpiredKind(StrEnum):
    EXPIRED = "expired"

    def __str__(self) -> str:
        return str(self.value)
