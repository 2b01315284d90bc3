from enum import StrEnum

class LeaseEventKind(StrEnum):
    ACTIVATED = "activated"
    CANCELLED = "cancelled"
    ENDED = "ended"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    EXTENDED = "extended"
    FAILED = "failed"
    GRANTED = "granted"
    HOST_LOST = "host_lost"
    IDLE_WARNING = "idle_warning"
    QUEUED = "queued"
    RECLAIMED_IDLE = "reclaimed_idle"
    RELEASED = "released"
    REVOKED = "revoked"
    TEARDOWN_ERROR = "teardown_error"

    def __str__(self) -> str:
        return str(self.value)
