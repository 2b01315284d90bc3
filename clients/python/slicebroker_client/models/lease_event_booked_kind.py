from enum import StrEnum

class LeaseEventBookedKind(StrEnum):
    BOOKED = "booked"

    def __str__(self) -> str:
        return str(self.value)
