from enum import StrEnum

class LeaseState(StrEnum):
    ACTIVE = "active"
    BOOKED = "booked"
    ENDED = "ended"
    PENDING = "pending"
    PROVISIONING = "provisioning"
    RELEASING = "releasing"

    def __str__(self) -> str:
        return str(self.value)
