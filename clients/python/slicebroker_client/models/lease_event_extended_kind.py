from enum import StrEnum

class LeaseEventExtendedKind(StrEnum):
    EXTENDED = "extended"

    def __str__(self) -> str:
        return str(self.value)
