from enum import StrEnum

class LeaseEventHostLostKind(StrEnum):
    HOST_LOST = "host_lost"

    def __str__(self) -> str:
        return str(self.value)
