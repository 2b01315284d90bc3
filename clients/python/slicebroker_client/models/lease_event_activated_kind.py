from enum import StrEnum

class LeaseEventActivatedKind(StrEnum):
    ACTIVATED = "activated"

    def __str__(self) -> str:
        return str(self.value)
