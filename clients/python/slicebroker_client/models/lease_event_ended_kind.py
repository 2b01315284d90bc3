from enum import StrEnum

class LeaseEventEndedKind(StrEnum):
    ENDED = "ended"

    def __str__(self) -> str:
        return str(self.value)
