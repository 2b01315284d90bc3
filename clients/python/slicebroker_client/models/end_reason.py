from enum import StrEnum

class EndReason(StrEnum):
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"
    HOST_LOST = "host_lost"
    RECLAIMED_IDLE = "reclaimed_idle"
    RELEASED = "released"
    REVOKED = "revoked"

    def __str__(self) -> str:
        return str(self.value)
