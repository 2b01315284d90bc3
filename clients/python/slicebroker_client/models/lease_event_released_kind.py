from enum import StrEnum

class LeaseEventReleasedKind(StrEnum):
    RELEASED = "released"

    def __str__(self) -> str:
        return str(self.value)
