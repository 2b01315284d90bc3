from enum import StrEnum

class LeaseEventStartingKind(StrEnum):
    STARTING = "starting"

    def __str__(self) -> str:
        return str(self.value)
