from enum import StrEnum

class LeaseEventQueuedKind(StrEnum):
    QUEUED = "queued"

    def __str__(self) -> str:
        return str(self.value)
