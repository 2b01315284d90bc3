from enum import StrEnum

class LeaseEventReclaimedIdleKind(StrEnum):
    RECLAIMED_IDLE = "reclaimed_idle"

    def __str__(self) -> str:
        return str(self.value)
