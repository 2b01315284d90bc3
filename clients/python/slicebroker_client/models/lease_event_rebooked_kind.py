from enum import StrEnum

class LeaseEventRebookedKind(StrEnum):
    REBOOKED = "rebooked"

    def __str__(self) -> str:
        return str(self.value)
